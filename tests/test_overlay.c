/* skintrack tests — the overlays show what was measured, where it is.
 *
 * Pores: flat skin with dark soft discs of known centre and diameter on a
 * grid, part of it outside the region. The pores the library detects are
 * drawn; every ring pixel must lie on the ring of a true pore (radius
 * d / 2 + 1 px, the overlay's own), every true pore inside the region
 * must be ringed, none outside it, and every other pixel must be the
 * photo's own (the region) or exactly half of it (outside).
 *
 * Redness: CIELAB planes with a* set per column band (0, 15, 30, 40): the
 * map must show the ramp's end and middle colours there, grey outside the
 * region, and a colour bar whose ends are the ramp's ends, ticked in black
 * every 5 a* units.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

enum { W = 400, H = 300, STEP = 40, REGION_W = 260 };
#define PORE_D 7.0 /* diameter of the 50% contour, px */

/* Pore k of the grid: centres at 20 + STEP i, 20 + STEP j. */
static int n_true(void)
{
    return (W / STEP) * (H / STEP);
}

static void true_pore(int k, double *x, double *y)
{
    *x = 20 + STEP * (k % (W / STEP));
    *y = 20 + STEP * (k / (W / STEP));
}

static st_image *pore_photo(void)
{
    st_image *img;
    st_error err = {0};
    const float skin[3] = {0.80f, 0.62f, 0.52f};
    assert_int_equal(st_image_new(&img, W, H, 3, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double dark = 0;
            for (int k = 0; k < n_true(); k++) {
                double px, py;
                true_pore(k, &px, &py);
                dark += 0.35 * 0.5 *
                        erfc((hypot(x - px, y - py) - PORE_D / 2) / 0.8);
            }
            for (int c = 0; c < 3; c++)
                st_image_pixel(img, x, y)[c] = (float)(skin[c] * (1 - dark));
        }
    return img;
}

static int is_ring(const float *p)
{
    return p[0] == 0.0f && p[1] == 1.0f && p[2] == 1.0f;
}

static void test_pore_rings(void **state)
{
    st_image *img = pore_photo(), *ov = NULL;
    st_region *reg;
    st_metrics_options opt;
    st_metrics m;
    st_error err = {0};
    int *ringed = calloc((size_t)n_true(), sizeof *ringed), stray = 0;
    (void)state;
    assert_int_equal(st_region_rect(&reg, W, H, 0, 0, REGION_W, H, &err),
                     ST_OK);
    st_metrics_options_init(&opt);
    assert_int_equal(st_metrics_measure(img, reg, &opt, &m, &err), ST_OK);
    assert_int_equal(st_overlay_pores(&ov, img, reg, &m.pores, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const float *o = st_image_pixel(ov, x, y);
            const float *p = st_image_pixel(img, x, y);
            int inside = x < REGION_W, near = -1;
            if (!is_ring(o)) {
                float k = inside ? 1.0f : 0.5f;
                if (o[0] != k * p[0] || o[1] != k * p[1] || o[2] != k * p[2])
                    fail_msg("(%d, %d): %.3f %.3f %.3f, not the photo's "
                             "own%s",
                             x, y, o[0], o[1], o[2], inside ? "" : " halved");
                continue;
            }
            /* a ring pixel: on the ring of a true pore (detected
             * diameters within 1.5 px of the truth, rounding 0.71) */
            for (int k = 0; k < n_true(); k++) {
                double px, py, r;
                true_pore(k, &px, &py);
                r = hypot(x - px, y - py);
                if (fabs(r - (PORE_D / 2 + 1)) <= 1.5)
                    near = k;
            }
            if (near < 0)
                stray++;
            else
                ringed[near]++;
        }
    print_message("pores: %d detected of %d in the region, %d ring pixels "
                  "away from every pore\n",
                  m.pores.count, (REGION_W + STEP - 21) / STEP * (H / STEP),
                  stray);
    assert_int_equal(stray, 0);
    for (int k = 0; k < n_true(); k++) {
        double px, py;
        true_pore(k, &px, &py);
        /* inside the region (away from its edge): ringed all round, at
         * least 2 pi r px; outside: not at all */
        if (px + PORE_D < REGION_W && !(ringed[k] >= 2 * 3.14159 * 4))
            fail_msg("pore at (%.0f, %.0f): %d ring pixels", px, py, ringed[k]);
        if (px - PORE_D - 2 >= REGION_W && ringed[k])
            fail_msg("pore at (%.0f, %.0f), outside the region, ringed", px,
                     py);
    }
    free(ringed);
    st_image_free(ov);
    st_metrics_clear(&m);
    st_region_free(reg);
    st_image_free(img);
}

/* The overlay's ramp at its stops (overlay.h: dark blue at lo, green in
 * the middle, red at hi). */
static const float low[3] = {0.05f, 0.05f, 0.35f};
static const float mid[3] = {0.10f, 0.75f, 0.30f};
static const float high[3] = {0.90f, 0.10f, 0.05f};

static void expect_colour(const st_image *ov, int x, int y, const float c[3],
                          const char *what)
{
    const float *p = st_image_pixel(ov, x, y);
    if (fabsf(p[0] - c[0]) > 1e-5f || fabsf(p[1] - c[1]) > 1e-5f ||
        fabsf(p[2] - c[2]) > 1e-5f)
        fail_msg("%s at (%d, %d): %.3f %.3f %.3f, want %.3f %.3f %.3f", what, x,
                 y, p[0], p[1], p[2], c[0], c[1], c[2]);
}

static void test_redness_map(void **state)
{
    st_lab_planes *lab = calloc(1, sizeof *lab);
    st_region *reg;
    st_image *ov = NULL;
    st_error err = {0};
    const float grey[3] = {0.5f, 0.5f, 0.5f};
    int bar = H / 40 + 4, ticks = 0;
    (void)state;
    lab->width = W, lab->height = H;
    lab->L = calloc((size_t)W * H, sizeof(float));
    lab->a = calloc((size_t)W * H, sizeof(float));
    lab->b = calloc((size_t)W * H, sizeof(float));
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = (size_t)y * W + x;
            lab->L[i] = 60;
            lab->a[i] = x < 100   ? 0.0f
                        : x < 200 ? 15.0f
                        : x < 300 ? 30.0f
                                  : 40.0f;
        }
    /* the region: all but the top 50 rows */
    assert_int_equal(st_region_rect(&reg, W, H, 0, 50, W, H - 50, &err), ST_OK);
    assert_int_equal(st_overlay_redness(&ov, lab, reg, 0, 30, &err), ST_OK);
    expect_colour(ov, 50, 100, low, "a* 0");
    expect_colour(ov, 150, 100, mid, "a* 15");
    expect_colour(ov, 250, 100, high, "a* 30");
    expect_colour(ov, 350, 100, high, "a* 40 (above the scale)");
    for (int x = 0; x < W; x += 37)
        expect_colour(ov, x, 20, grey, "outside the region");
    /* the bar: the scale's ends at its ends, a black tick where it
     * crosses each multiple of 5 between them (5, 10, ..., 30) */
    expect_colour(ov, 0, H - 1, low, "colour bar, left end");
    expect_colour(ov, W - 1, H - 1, high, "colour bar, right end");
    for (int x = 1; x < W; x++) {
        const float *p = st_image_pixel(ov, x, H - bar);
        ticks += p[0] == 0 && p[1] == 0 && p[2] == 0;
    }
    assert_int_equal(ticks, 6);
    st_image_free(ov);
    st_region_free(reg);
    st_lab_planes_free(lab);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pore_rings),
        cmocka_unit_test(test_redness_map),
    };
    return cmocka_run_group_tests_name("overlay", tests, NULL, NULL);
}
