/* skintrack benchmark — the pore stage on one thread.
 *
 *   bench_pores [RUNS [LIST]]
 *
 * A 4032 x 3024 (12 MP) L* plane like the 12 MP photos of make bench:
 * 1/f^2.5 texture of 2 L*, white noise of 0.5 L* and 30 000 Gaussian
 * pores of 3-12 px, 6-14 L* deep, measured over the whole frame with the
 * default options and one thread. Prints the user CPU time of each run of
 * st_pores_detect (getrusage: the machine may be shared, so wall time
 * would measure the neighbours too), their median and the pores found.
 * With LIST, the last run's pores are written there (x, y, diameter,
 * response, depth, significance; nine digits) so that a change meant to
 * leave the results alone can be compared with the list before it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "benchcpu.h"
#include "phantom.h"

int main(int argc, char **argv)
{
    enum { W = 4032, H = 3024, MAX_RUNS = 15 };
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    uint64_t seed = 12, s = 99;
    float *tex = ph_texture(W, H, 2.5, &seed);
    st_l_plane lab = {0};
    st_region *reg = NULL;
    st_pore_options opt;
    double t[MAX_RUNS];
    int count = 0;
    FILE *list = NULL;

    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    lab.width = W, lab.height = H;
    lab.L = malloc((size_t)W * H * sizeof *lab.L);
    if (!tex || !lab.L || st_region_full(&reg, W, H, NULL)) {
        fputs("bench_pores: out of memory\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < (size_t)W * H; i++) {
        double u, v;
        s = s * 6364136223846793005u + 1442695040888963407u;
        u = (double)(s >> 11) / 9007199254740992.0 + 1e-300;
        s = s * 6364136223846793005u + 1442695040888963407u;
        v = (double)(s >> 11) / 9007199254740992.0;
        lab.L[i] = (float)(62 + 2 * tex[i] +
                           0.5 * sqrt(-2 * log(u)) * cos(6.283185307 * v));
    }
    for (int k = 0; k < 30000; k++) {
        double x, y, d, dep, sg;
        s = s * 6364136223846793005u + 1442695040888963407u;
        x = 20 + (double)(s >> 11) / 9007199254740992.0 * (W - 40);
        s = s * 6364136223846793005u + 1442695040888963407u;
        y = 20 + (double)(s >> 11) / 9007199254740992.0 * (H - 40);
        s = s * 6364136223846793005u + 1442695040888963407u;
        d = 3 * pow(4, (double)(s >> 11) / 9007199254740992.0);
        dep = 6 + 8 * (double)((s >> 20) & 1023) / 1023;
        sg = d / (2 * sqrt(2.0));
        for (int yy = (int)(y - 3 * sg); yy <= (int)(y + 3 * sg); yy++)
            for (int xx = (int)(x - 3 * sg); xx <= (int)(x + 3 * sg); xx++)
                lab.L[(size_t)yy * W + xx] -=
                    (float)(dep *
                            exp(-((xx - x) * (xx - x) + (yy - y) * (yy - y)) /
                                (2 * sg * sg)));
    }
    free(tex);
    st_pore_options_init(&opt);
    opt.jobs = 1;
    for (int r = 0; r <= runs; r++) { /* run 0 warms the plans */
        st_pores p;
        double t0 = user_seconds();
        if (st_pores_detect(&lab, reg, &opt, &p, NULL)) {
            fputs("bench_pores: detection failed\n", stderr);
            return 1;
        }
        if (r)
            t[r - 1] = user_seconds() - t0;
        count = p.count;
        if (r == runs && argc > 2 && (list = fopen(argv[2], "w"))) {
            for (int i = 0; i < p.count; i++) {
                const st_pore *q = &p.list[i];
                fprintf(list, "%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", q->x, q->y,
                        q->diameter, q->response, q->depth, q->significance);
            }
            if (fclose(list))
                fprintf(stderr, "bench_pores: cannot write %s\n", argv[2]);
        }
        st_pores_clear(&p);
    }
    for (int r = 0; r < runs; r++)
        printf("pores 12 MP, one thread: run %d %.3f s user\n", r + 1, t[r]);
    qsort(t, (size_t)runs, sizeof *t, by_value);
    printf("pores 12 MP, one thread: median %.3f s user CPU, %d pores\n",
           t[runs / 2], count);
    free(lab.L);
    st_region_free(reg);
    st_fft_cleanup();
    return 0;
}
