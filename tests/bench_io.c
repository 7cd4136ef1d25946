/* skintrack benchmark — decoding a 12-megapixel photo.
 *
 * Builds a 4032 x 3024 phone-sized image in memory (smooth shading plus
 * noise, so the JPEG is of realistic size), encodes it with libjpeg at
 * quality 92 (4:2:0) with and without an Adobe RGB profile, as an 8-bit
 * PNG, as HEIC (libheif with x265, quality 90, 4:2:0, as phones write it;
 * with and without a Display P3 profile), as a 16-bit LZW TIFF and as a
 * DNG (the linear values in a 12-bit CFA), then times skintrack's reader:
 * one warm-up and 7 timed runs each, printing median / min / max wall time,
 * the median CPU time (user + system, all threads: libheif and LibRaw
 * decode on several) and the process's peak RSS. Run with `make bench`.
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

#include <tiffio.h>

#include "skintrack/color.h"
#include "testformats.h"
#include "testutil.h"

#define W    4032
#define H    3024
#define RUNS 7

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static void bench(const char *name, const uint8_t *data, size_t size)
{
    double t[RUNS], cpu[RUNS];
    struct rusage ru;
    for (int i = -1; i < RUNS; i++) {
        st_image *img;
        st_error err = {0};
        double c0 = cpu_now();
        double t0 = tu_now();
        if (st_io_read_memory(data, size, NULL, &img, NULL, &err) != ST_OK) {
            fprintf(stderr, "%s: %s\n", name, st_error_text(&err));
            exit(1);
        }
        if (i >= 0) {
            t[i] = tu_now() - t0;
            cpu[i] = cpu_now() - c0;
        }
        st_image_free(img);
    }
    qsort(t, RUNS, sizeof t[0], tu_cmp_double);
    qsort(cpu, RUNS, sizeof cpu[0], tu_cmp_double);
    getrusage(RUSAGE_SELF, &ru);
    printf("%-28s %6.1f MB  median %6.1f ms  min %6.1f  max %6.1f  "
           "CPU %6.1f ms  peak RSS %ld MB\n",
           name, (double)size / 1e6, t[RUNS / 2] * 1e3, t[0] * 1e3,
           t[RUNS - 1] * 1e3, cpu[RUNS / 2] * 1e3, ru.ru_maxrss / 1024);
}

/* The same picture in the formats of issue 22 (HEIC, TIFF, DNG). */
static void bench_more(const uint8_t *rgb)
{
    size_t n, p3_size;
    uint8_t *p3 = tu_icc_profile("display-p3", &p3_size);
    tu_heif h = {W, H, 3, 8, rgb, 0, 0, 90};
    uint8_t *heic = tu_heif_encode(&h, &n), *d;
    uint16_t *s16 = malloc((size_t)W * H * 3 * sizeof *s16);
    float *lin = malloc((size_t)W * H * 3 * sizeof *lin);
    const char *tif = "/tmp/skintrack-bench.tif",
               *dng = "/tmp/skintrack-bench.dng";

    if (!heic || !s16 || !lin) {
        fprintf(stderr, "bench: could not build HEIC inputs\n");
        exit(1);
    }
    bench("HEIC q90 4:2:0 (x265)", heic, n);
    free(heic);
    h.icc = p3, h.icc_size = p3_size;
    heic = tu_heif_encode(&h, &n);
    if (heic)
        bench("HEIC q90 + Display P3 ICC", heic, n);
    free(heic);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        s16[i] = (uint16_t)(rgb[i] * 257);
        lin[i] = (float)st_color_srgb_to_linear(rgb[i] / 255.0);
    }
    {
        tu_tiff t = {W, H, 3, 16, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 64};
        t.samples = s16;
        if (tu_tiff_write(tif, &t) == 0 && (d = tu_read_file(tif, &n))) {
            bench("TIFF 16-bit RGB LZW", d, n);
            free(d);
        }
    }
    if (tu_dng_write(dng, W, H, lin, 0, NULL) == 0 &&
        (d = tu_read_file(dng, &n))) {
        bench("DNG 12-bit CFA (LibRaw AHD)", d, n);
        free(d);
    }
    remove(tif);
    remove(dng);
    free(s16);
    free(lin);
    free(p3);
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
    bench_more(rgb);
    free(rgb);
    free(jpg);
    free(jpg_icc);
    free(png);
    free(icc);
    return 0;
}
