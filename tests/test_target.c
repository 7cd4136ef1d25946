/* skintrack tests — colour you can compare across visits: relative colour
 * (--reference-region) on a real photo under changed light.
 *
 * The photo is the NASA astronaut portrait that scikit-image ships (public
 * domain); the test is skipped when it is not installed. A change of light
 * is a 3 x 3 matrix on linear sRGB (exposure: a multiple of the identity;
 * white balance: a diagonal), applied to the decoded photo, re-encoded and
 * clipped to [0, 1] as a camera would.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skintrack/skintrack.h"

#define ASTRONAUT "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"

/* the cheek and the forehead of the portrait (512 x 512) */
static const int cheek[4] = {190, 120, 22, 22};
static const int forehead[4] = {212, 76, 44, 12};

static st_image *astronaut(void)
{
    st_read_options ro;
    st_image *img = NULL;
    st_error err = {0};
    st_read_options_init(&ro);
    if (st_io_read(ASTRONAUT, &ro, &img, NULL, &err) != ST_OK)
        return NULL;
    return img;
}

/* src under the light m (row-major, linear sRGB): a new float image. */
static st_image *relight(const st_image *src, const double m[9])
{
    st_image *out = NULL;
    st_error err = {0};
    assert_int_equal(st_image_new(&out, src->width, src->height, 3, &err),
                     ST_OK);
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++) {
            const float *p = st_image_pixel(src, x, y);
            float *q = st_image_pixel(out, x, y);
            double lin[3];
            for (int c = 0; c < 3; c++)
                lin[c] = st_color_srgb_to_linear(p[c]);
            for (int r = 0; r < 3; r++) {
                double v = m[3 * r] * lin[0] + m[3 * r + 1] * lin[1] +
                           m[3 * r + 2] * lin[2];
                v = st_color_linear_to_srgb(v);
                q[r] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
            }
        }
    return out;
}

static void diag(double m[9], double r, double g, double b)
{
    memset(m, 0, 9 * sizeof *m);
    m[0] = r, m[4] = g, m[8] = b;
}

static void measure_rel(const st_image *img, st_metrics *m)
{
    st_region *reg = NULL, *ref = NULL;
    st_metrics_options opt;
    st_error err = {0};
    assert_int_equal(st_region_rect(&reg, img->width, img->height, cheek[0],
                                    cheek[1], cheek[2], cheek[3], &err),
                     ST_OK);
    assert_int_equal(st_region_rect(&ref, img->width, img->height,
                                    forehead[0], forehead[1], forehead[2],
                                    forehead[3], &err),
                     ST_OK);
    st_metrics_options_init(&opt);
    opt.reference = ref;
    assert_int_equal(st_metrics_measure(img, reg, &opt, m, &err), ST_OK);
    st_region_free(reg);
    st_region_free(ref);
}

/* White balance +-10% and exposure +-20%: the raw colour of the cheek
 * moves (a* by more than 1 under the white-balance change), its
 * difference from the forehead of the same photo stays within 0.5 in
 * every unit. EI_rel and MI_rel cancel a diagonal light exactly (each is a
 * difference of logarithms of channel means, and a gain adds a constant to
 * both); L*_rel and a*_rel to first order: L* + 16 and a* scale with the cube root of an exposure change, so a difference of d
 * moves by about d (cbrt(1.2) - 1) = 0.06 d. */
static void test_rel_invariant_under_light(void **state)
{
    static const double lights[][3] = {
        {1.1, 1, 0.9}, {0.9, 1, 1.1}, {1.2, 1.2, 1.2}, {0.8, 0.8, 0.8}};
    static const char *const rel[] = {"l_star_rel", "a_star_rel",
                                      "erythema_index_rel",
                                      "melanin_index_rel"};
    st_image *img = astronaut();
    st_metrics m0;
    (void)state;
    if (!img)
        skip();
    measure_rel(img, &m0);
    assert_true(m0.has_reference && m0.reference_px == 44 * 12);
    for (size_t k = 0; k < sizeof lights / sizeof lights[0]; k++) {
        double mm[9];
        st_image *lit;
        st_metrics m;
        diag(mm, lights[k][0], lights[k][1], lights[k][2]);
        lit = relight(img, mm);
        measure_rel(lit, &m);
        for (int i = 0; i < ST_METRICS_COUNT; i++)
            for (size_t r = 0; r < sizeof rel / sizeof rel[0]; r++)
                if (strcmp(st_metrics_name(i), rel[r]) == 0) {
                    double d = st_metrics_value(&m, i) -
                               st_metrics_value(&m0, i);
                    print_message("light %zu: %s %+.3f (raw a* %+.3f)\n", k,
                                  rel[r], d,
                                  m.redness.a_star_mean -
                                      m0.redness.a_star_mean);
                    if (!(fabs(d) < 0.5))
                        fail_msg("%s moved %.3f under light %zu", rel[r], d,
                                 k);
                }
        if (k < 2) /* the raw a* does move: the test can fail */
            assert_true(fabs(m.redness.a_star_mean - m0.redness.a_star_mean) >
                        1);
        st_metrics_clear(&m);
        st_image_free(lit);
    }
    st_metrics_clear(&m0);
    st_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rel_invariant_under_light),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
