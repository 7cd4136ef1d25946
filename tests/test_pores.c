/* skintrack tests — pore detection on phantoms of known pores.
 *
 * L* planes: 60 + 1/f^2.5 background texture (SD 1.5 L*) + white noise
 * (SD 0.5 L*) + pores of known number and diameter, as Gaussian dips
 * (diameter 2 sqrt(2) s, where the dip falls to 1/e) or as discs
 * (supersampled edges), 8 L* deep, never overlapping. The count must be
 * within 5% and the mean diameter within 10% (the bars), with
 * default settings.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phantom.h"
#include "testutil.h"

static uint64_t seed = 2024;

static double urand(void)
{
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    return (double)(seed >> 11) / 9007199254740992.0;
}

typedef struct pore_case {
    int size, count;
    double diameter;
    int disc;
} pore_case;

static st_lab_planes *make(const pore_case *c, int *placed)
{
    int n = c->size;
    st_lab_planes *p = calloc(1, sizeof *p);
    float *tex = ph_texture(n, n, 2.5, &seed);
    double *cx = malloc((size_t)(c->count + 1) * sizeof *cx);
    double *cy = malloc((size_t)(c->count + 1) * sizeof *cy);
    double gap = 2.5 * c->diameter + 4;
    int k = 0;

    p->width = p->height = n;
    p->L = calloc((size_t)n * n, sizeof(float));
    p->a = calloc((size_t)n * n, sizeof(float));
    p->b = calloc((size_t)n * n, sizeof(float));
    for (size_t i = 0; i < (size_t)n * n; i++) {
        double u = urand() + 1e-300, v = urand();
        p->L[i] = (float)(60 + 1.5 * tex[i] +
                          0.5 * sqrt(-2 * log(u)) * cos(6.2831853 * v));
    }
    for (int tries = 0; k < c->count && tries < 200000; tries++) {
        double x = c->diameter * 2 + urand() * (n - 4 * c->diameter);
        double y = c->diameter * 2 + urand() * (n - 4 * c->diameter);
        int ok = 1;
        for (int j = 0; j < k && ok; j++)
            ok = hypot(x - cx[j], y - cy[j]) >= gap;
        if (!ok)
            continue;
        cx[k] = x, cy[k] = y, k++;
        {
            double r = c->diameter / 2, s = c->diameter / (2 * sqrt(2.0));
            int x0 = (int)(x - 2 * r - 2), x1 = (int)(x + 2 * r + 2);
            int y0 = (int)(y - 2 * r - 2), y1 = (int)(y + 2 * r + 2);
            for (int yy = y0; yy <= y1; yy++)
                for (int xx = x0; xx <= x1; xx++) {
                    double dip;
                    if (c->disc) {
                        int in = 0;
                        for (int sy = 0; sy < 4; sy++)
                            for (int sx = 0; sx < 4; sx++)
                                in += hypot(xx - 0.375 + sx * 0.25 - x,
                                            yy - 0.375 + sy * 0.25 - y) < r;
                        dip = in / 16.0;
                    } else {
                        double d2 = (xx - x) * (xx - x) + (yy - y) * (yy - y);
                        dip = exp(-d2 / (2 * s * s));
                    }
                    p->L[(size_t)yy * n + xx] -= (float)(8 * dip);
                }
        }
    }
    free(tex);
    free(cx);
    free(cy);
    *placed = k;
    return p;
}

static void run(const pore_case *c)
{
    int placed;
    st_lab_planes *p = make(c, &placed);
    st_region *reg;
    st_pores pores;
    st_error err = {0};

    assert_int_equal(placed, c->count);
    assert_int_equal(st_region_full(&reg, c->size, c->size, &err), ST_OK);
    assert_int_equal(st_pores_detect(p, reg, NULL, &pores, &err), ST_OK);
    print_message("%4d %s pores of %4.1f px: found %4d, mean diameter "
                  "%5.2f px, area %.2f%%\n",
                  c->count, c->disc ? "disc    " : "gaussian", c->diameter,
                  pores.count, pores.mean_diameter_px, pores.area_pct);
    if (abs(pores.count - c->count) > 0.05 * c->count)
        fail_msg("count %d, want %d +- 5%%", pores.count, c->count);
    if (fabs(pores.mean_diameter_px - c->diameter) > 0.1 * c->diameter)
        fail_msg("mean diameter %.2f, want %.2f +- 10%%",
                 pores.mean_diameter_px, c->diameter);
    st_pores_clear(&pores);
    st_region_free(reg);
    st_lab_planes_free(p);
}

static void test_gaussian_pores(void **state)
{
    static const pore_case cases[] = {
        {768, 50, 16, 0},
        {1024, 500, 8, 0},
        {1024, 2000, 4, 0},
        {1024, 200, 20, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(&cases[i]);
}

static void test_disc_pores(void **state)
{
    static const pore_case cases[] = {
        {768, 50, 16, 1},
        {1024, 500, 8, 1},
        {1024, 2000, 4, 1},
        {1024, 200, 20, 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(&cases[i]);
}

/* Threads share out the tiles; the pores found, their order and every
 * value are the same as on one thread (a 1500 x 1100 image: 12 tiles,
 * pores across every seam). */
static void test_threads_same_result(void **state)
{
    pore_case c = {1500, 900, 8, 0};
    int placed;
    st_lab_planes *p = make(&c, &placed);
    st_region *reg;
    st_pores one, many;
    st_pore_options opt;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_full(&reg, 1500, 1500, &err), ST_OK);
    for (int y = 1100; y < 1500; y++)
        memset(reg->mask + (size_t)y * 1500, 0, 1500);
    st_region_update(reg);
    st_pore_options_init(&opt);
    assert_int_equal(st_pores_detect(p, reg, &opt, &one, &err), ST_OK);
    opt.jobs = 3;
    assert_int_equal(st_pores_detect(p, reg, &opt, &many, &err), ST_OK);
    print_message("threads: %d pores on one thread, %d on three\n", one.count,
                  many.count);
    assert_true(one.count > 400);
    assert_int_equal(one.count, many.count);
    assert_memory_equal(one.list, many.list,
                        (size_t)one.count * sizeof *one.list);
    st_pores_clear(&one);
    st_pores_clear(&many);
    st_region_free(reg);
    st_lab_planes_free(p);
}

/* Skin texture and noise without pores, measured on a disc region whose
 * outside is black: next to no pores, none on the region's edge. */
static void test_no_false_pores(void **state)
{
    pore_case c = {1024, 0, 8, 0};
    int placed;
    st_lab_planes *p = make(&c, &placed);
    st_region *reg;
    st_pores pores;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_full(&reg, 1024, 1024, &err), ST_OK);
    for (int y = 0; y < 1024; y++)
        for (int x = 0; x < 1024; x++)
            if (hypot(x - 500.0, y - 520.0) >= 420) {
                reg->mask[(size_t)y * 1024 + x] = 0;
                p->L[(size_t)y * 1024 + x] = 0;
            }
    st_region_update(reg);
    assert_int_equal(st_pores_detect(p, reg, NULL, &pores, &err), ST_OK);
    print_message("no pores: found %d\n", pores.count);
    assert_true(pores.count <= 3);
    st_pores_clear(&pores);
    st_region_free(reg);
    st_lab_planes_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_pores),
        cmocka_unit_test(test_disc_pores),
        cmocka_unit_test(test_no_false_pores),
        cmocka_unit_test(test_threads_same_result),
    };
    return cmocka_run_group_tests_name("pores", tests, NULL, NULL);
}
