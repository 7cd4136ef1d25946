/* skintrack benchmark — the hair stage (hair.c) against the pore stage.
 *
 *   bench_hair [RUNS]
 *
 * The 12 MP L* plane of bench_pores (1/f^2.5 texture of 2 L*, white noise
 * of 0.5 L*, 30 000 Gaussian pores of 3-12 px), first as it is, then with
 * 40 straight hairs laid over it (L* 35, Gaussian profile of sd 1 px,
 * long across the frame). For each: the user CPU time (getrusage; the
 * machine may be shared) of st_hair_remove alone at the default line
 * scale (1.2 px), and of the whole pore stage (st_pores_detect, one
 * thread, the hair stage included), medians of RUNS runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "measure/measure_internal.h"
#include "benchcpu.h"
#include "phantom.h"

enum { W = 4032, H = 3024, MAX_RUNS = 15 };

static double next(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* The plane of bench_pores. */
static void skin(float *L)
{
    uint64_t seed = 12, s = 99;
    float *tex = ph_texture(W, H, 2.5, &seed);
    for (size_t i = 0; i < (size_t)W * H; i++) {
        double u = next(&s) + 1e-300, v = next(&s);
        L[i] = (float)(62 + 2 * tex[i] +
                       0.5 * sqrt(-2 * log(u)) * cos(6.283185307 * v));
    }
    for (int k = 0; k < 30000; k++) {
        double x = 20 + next(&s) * (W - 40), y = 20 + next(&s) * (H - 40);
        double d = 3 * pow(4, next(&s)), dep = 6 + 8 * next(&s);
        double sg = d / (2 * sqrt(2.0));
        for (int yy = (int)(y - 3 * sg); yy <= (int)(y + 3 * sg); yy++)
            for (int xx = (int)(x - 3 * sg); xx <= (int)(x + 3 * sg); xx++)
                L[(size_t)yy * W + xx] -=
                    (float)(dep *
                            exp(-((xx - x) * (xx - x) + (yy - y) * (yy - y)) /
                                (2 * sg * sg)));
    }
    free(tex);
}

/* 40 straight hairs of L* 35 over the skin. */
static void hairs(float *L)
{
    uint64_t s = 7;
    for (int k = 0; k < 40; k++) {
        double a = next(&s) * 3.14159265, c = cos(a), sn = sin(a);
        double px = next(&s) * W, py = next(&s) * H;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double across = -(x - px) * sn + (y - py) * c, p;
                if (fabs(across) > 4)
                    continue;
                p = exp(-across * across / 2);
                L[(size_t)y * W + x] +=
                    (float)(p * (35 - L[(size_t)y * W + x]));
            }
    }
}

/* Medians of the hair stage alone and of the pore stage. */
static int measure(const char *what, st_l_plane *lab, const st_region *reg,
                   int runs)
{
    double th[MAX_RUNS], tp[MAX_RUNS];
    size_t filled = 0;
    int count = 0;
    st_pore_options opt;
    st_pore_options_init(&opt);
    opt.jobs = 1;
    for (int r = 0; r <= runs; r++) { /* run 0 warms the plans */
        st_l_plane *clean = NULL;
        uint8_t *strand = NULL;
        st_pores p;
        double t0 = user_seconds(), t1;
        if (st_hair_remove(lab, reg, 1.2, &clean, &strand, &filled, NULL))
            return -1;
        t1 = user_seconds();
        st_l_plane_free(clean);
        st_free_large(strand);
        if (st_pores_detect(lab, reg, &opt, &p, NULL))
            return -1;
        if (r) {
            th[r - 1] = t1 - t0;
            tp[r - 1] = user_seconds() - t1;
        }
        count = p.count;
        st_pores_clear(&p);
    }
    qsort(th, (size_t)runs, sizeof *th, by_value);
    qsort(tp, (size_t)runs, sizeof *tp, by_value);
    printf("hair 12 MP, %s: hair stage %.3f s, pore stage (with it) %.3f s "
           "user CPU (medians of %d): %.1f%%; %zu px filled, %d pores\n",
           what, th[runs / 2], tp[runs / 2], runs,
           100 * th[runs / 2] / tp[runs / 2], filled, count);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    st_l_plane lab = {0};
    st_region *reg = NULL;

    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    lab.width = W, lab.height = H;
    lab.L = malloc((size_t)W * H * sizeof *lab.L);
    if (!lab.L || st_region_full(&reg, W, H, NULL)) {
        fputs("bench_hair: out of memory\n", stderr);
        return 1;
    }
    skin(lab.L);
    if (measure("no hair", &lab, reg, runs))
        goto fail;
    hairs(lab.L);
    if (measure("40 hairs", &lab, reg, runs))
        goto fail;
    free(lab.L);
    st_region_free(reg);
    st_fft_cleanup();
    return 0;
fail:
    fputs("bench_hair: failed\n", stderr);
    free(lab.L);
    st_region_free(reg);
    return 1;
}
