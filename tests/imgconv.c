/* skintrack tests — the same photo in other formats, for shell tests.
 *
 *   imgconv tiff8|tiff16|dng IN OUT
 *
 * reads IN with skintrack and writes OUT: an 8 or 16-bit RGB TIFF (LZW,
 * tiled in 64-px tiles for tiff16) of the same sRGB samples, or a minimal
 * DNG (tests/testformats.c) whose CFA holds the linear-light values, so a
 * raw reader that demosaics and converts back sees the same scene.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "skintrack/skintrack.h"
#include "testformats.h"

static int write_tiff(const st_image *img, int bits, const char *out)
{
    size_t n = (size_t)img->width * img->height * 3;
    uint8_t *s8 = bits == 8 ? malloc(n) : NULL;
    uint16_t *s16 = bits == 16 ? malloc(n * 2) : NULL;
    tu_tiff t = {img->width,      img->height,         3, bits, PHOTOMETRIC_RGB,
                 COMPRESSION_LZW, bits == 16 ? 64 : 0, 16};
    int rc;

    if (!s8 && !s16)
        return -1;
    for (int y = 0; y < img->height; y++) {
        const float *p = st_image_pixel(img, 0, y);
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < 3; c++) {
                float v = p[x * img->channels + (img->channels >= 3 ? c : 0)];
                size_t i = ((size_t)y * img->width + x) * 3 + c;
                v = v < 0 ? 0 : v > 1 ? 1 : v;
                if (bits == 8)
                    s8[i] = (uint8_t)lroundf(v * 255);
                else
                    s16[i] = (uint16_t)lroundf(v * 65535);
            }
    }
    t.samples = bits == 8 ? (const void *)s8 : (const void *)s16;
    rc = tu_tiff_write(out, &t);
    free(s8);
    free(s16);
    return rc;
}

static int write_dng(const st_image *img, const char *out)
{
    size_t n = (size_t)img->width * img->height * 3;
    float *lin = malloc(n * sizeof *lin);
    int rc;

    if (!lin)
        return -1;
    for (int y = 0; y < img->height; y++) {
        const float *p = st_image_pixel(img, 0, y);
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < 3; c++)
                lin[((size_t)y * img->width + x) * 3 + c] =
                    (float)st_color_srgb_to_linear(
                        p[x * img->channels + (img->channels >= 3 ? c : 0)]);
    }
    rc = tu_dng_write(out, img->width, img->height, lin, 0, NULL);
    free(lin);
    return rc;
}

int main(int argc, char **argv)
{
    st_image *img = NULL;
    st_error err = {0};
    int rc;

    if (argc != 4 || (strcmp(argv[1], "tiff8") && strcmp(argv[1], "tiff16") &&
                      strcmp(argv[1], "dng"))) {
        fprintf(stderr, "usage: imgconv tiff8|tiff16|dng IN OUT\n");
        return 2;
    }
    if (st_io_read(argv[2], NULL, &img, NULL, &err)) {
        fprintf(stderr, "imgconv: %s: %s\n", argv[2], err.message);
        return 1;
    }
    rc = strcmp(argv[1], "dng") == 0
             ? write_dng(img, argv[3])
             : write_tiff(img, strcmp(argv[1], "tiff8") ? 16 : 8, argv[3]);
    st_image_free(img);
    if (rc)
        fprintf(stderr, "imgconv: cannot write %s\n", argv[3]);
    return rc ? 1 : 0;
}
