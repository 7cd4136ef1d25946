/* skintrack benchmark — face and landmarks on a 12-megapixel portrait.
 *
 * Enlarges matplotlib's public-domain grace_hopper portrait (512 x 600)
 * to 12 MP (2833 x 3320 by bilinear interpolation, an 8-bit image as the
 * CLI reads JPEGs) and times, in user CPU seconds of this thread
 * (CLOCK_THREAD_CPUTIME_ID: the other engineers' jobs on the machine do
 * not count), the model load once and then 7 runs each of st_face_find
 * (detection on the 800-px copy + landmarks) and st_face_regions (zones
 * and the face's skin), printing median / min / max. Run with make bench.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skintrack/skintrack.h"

#define HOPPER "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"
#define RUNS   7

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

static void report(const char *what, double *t)
{
    qsort(t, RUNS, sizeof *t, cmp);
    printf("%-34s median %.3f s  min %.3f  max %.3f (CPU)\n", what, t[RUNS / 2],
           t[0], t[RUNS - 1]);
}

int main(void)
{
    st_read_options ro;
    st_image *src, *big;
    st_face_model *m;
    st_error err = {0};
    st_face f;
    double t0, tf[RUNS], tr[RUNS];
    const int W = 2833, H = 3320;

    st_read_options_init(&ro);
    if (st_io_read(HOPPER, &ro, &src, NULL, &err)) {
        printf("bench_face: %s: %s (install python3-matplotlib)\n", HOPPER,
               st_error_text(&err));
        return 0;
    }
    if (st_image_new_8bit(&big, W, H, 3, &err))
        return 1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double u = (x + 0.5) * src->width / W - 0.5;
            double v = (y + 0.5) * src->height / H - 0.5;
            int x0 = u < 0 ? 0 : (int)u, y0 = v < 0 ? 0 : (int)v;
            int x1 = x0 + 1 < src->width ? x0 + 1 : x0;
            int y1 = y0 + 1 < src->height ? y0 + 1 : y0;
            double fx = u - x0 < 0 ? 0 : u - x0, fy = v - y0 < 0 ? 0 : v - y0;
            for (int c = 0; c < 3; c++) {
                double a = st_image_pixel(src, x0, y0)[c] * (1 - fx) +
                           st_image_pixel(src, x1, y0)[c] * fx;
                double b = st_image_pixel(src, x0, y1)[c] * (1 - fx) +
                           st_image_pixel(src, x1, y1)[c] * fx;
                st_image_pixel8(big, x, y)[c] =
                    (uint8_t)(255 * (a * (1 - fy) + b * fy) + 0.5);
            }
        }
    st_image_free(src);
    t0 = cpu();
    if (st_face_model_load(&m, NULL, &err)) {
        printf("bench_face: %s\n", st_error_text(&err));
        st_image_free(big);
        return 1;
    }
    printf("model load (once per run)           %.3f s (CPU)\n", cpu() - t0);
    for (int i = -1; i < RUNS; i++) {
        st_region *skin, *z[ST_ZONE_COUNT];
        double t1 = cpu(), t2;
        if (st_face_find(m, big, &f, &err))
            break;
        t2 = cpu();
        if (st_face_regions(&f, big, &skin, z, &err))
            break;
        if (i >= 0) {
            tf[i] = t2 - t1;
            tr[i] = cpu() - t2;
        }
        st_region_free(skin);
        for (int k = 0; k < ST_ZONE_COUNT; k++)
            st_region_free(z[k]);
    }
    if (err.status) {
        printf("bench_face: %s\n", st_error_text(&err));
        return 1;
    }
    printf("12 MP portrait %dx%d, face box %.0f px wide\n", W, H,
           f.box[2] - f.box[0]);
    report("face + landmarks (st_face_find)", tf);
    report("zones + face skin (st_face_regions)", tr);
    st_face_model_free(m);
    st_image_free(big);
    return 0;
}
