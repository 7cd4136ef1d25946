/* skintrack benchmark — decoding a 12-megapixel photo.
 *
 * Builds a 4032 x 3024 phone-sized image in memory (smooth shading plus
 * noise, so the JPEG is of realistic size), encodes it with libjpeg at
 * quality 92 (4:2:0) with and without an Adobe RGB profile, and as an 8-bit
 * PNG, then times skintrack's reader: one warm-up and 7 timed runs each,
 * printing median / min / max wall time and the process's peak RSS.
 * Run with `make bench`.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"

#define W    4032
#define H    3024
#define RUNS 7

static void bench(const char *name, const uint8_t *data, size_t size)
{
    double t[RUNS];
    struct rusage ru;
    for (int i = -1; i < RUNS; i++) {
        st_image *img;
        st_error err = {0};
        double t0 = tu_now();
        if (st_io_read_memory(data, size, NULL, &img, NULL, &err) != ST_OK) {
            fprintf(stderr, "%s: %s\n", name, st_error_text(&err));
            exit(1);
        }
        if (i >= 0)
            t[i] = tu_now() - t0;
        st_image_free(img);
    }
    qsort(t, RUNS, sizeof t[0], tu_cmp_double);
    getrusage(RUSAGE_SELF, &ru);
    printf("%-28s %6.1f MB  median %6.1f ms  min %6.1f  max %6.1f  "
           "peak RSS %ld MB\n",
           name, (double)size / 1e6, t[RUNS / 2] * 1e3, t[0] * 1e3,
           t[RUNS - 1] * 1e3, ru.ru_maxrss / 1024);
}

int main(void)
{
    uint8_t *rgb = malloc((size_t)W * H * 3), *jpg, *jpg_icc, *png, *icc;
    uint64_t r = 1;
    size_t n_jpg, n_icc, n_png, icc_size;

    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++) {
                r = r * 6364136223846793005u + 1442695040888963407u;
                double v = 150 + 40 * sin(x * 0.003 + c) * cos(y * 0.002) +
                           (double)(r >> 60) - 8;
                rgb[((size_t)y * W + (size_t)x) * 3 + (size_t)c] =
                    (uint8_t)(v < 0     ? 0
                              : v > 255 ? 255
                                        : v);
            }
    {
        tu_jpeg spec = {W, H, 3, rgb, 92, 1, 0, NULL, 0, NULL, 0};
        jpg = tu_jpeg_encode(&spec, &n_jpg);
        icc = tu_icc_profile("adobe-rgb", &icc_size);
        spec.icc = icc;
        spec.icc_size = icc_size;
        jpg_icc = tu_jpeg_encode(&spec, &n_icc);
    }
    {
        tu_png spec = {W, H, PNG_COLOR_TYPE_RGB, 8, 0, rgb};
        spec.trns_gray = -1;
        png = tu_png_encode(&spec, &n_png);
    }
    if (!jpg || !jpg_icc || !png) {
        fprintf(stderr, "bench: could not build inputs\n");
        return 1;
    }
    printf("skintrack %s reader, %dx%d (%.1f MP), %d runs after a warm-up\n",
           st_version(), W, H, W * H / 1e6, RUNS);
    bench("JPEG q92 4:2:0", jpg, n_jpg);
    bench("JPEG q92 + Adobe RGB ICC", jpg_icc, n_icc);
    bench("PNG 8-bit RGB", png, n_png);
    free(rgb);
    free(jpg);
    free(jpg_icc);
    free(png);
    free(icc);
    return 0;
}
