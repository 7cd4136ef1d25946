/* skintrack tests — transforms and bicubic resampling.
 *
 * The Keys cubic kernel reproduces polynomials up to degree two exactly,
 * so resampling a quadratic ramp through any transform must give the ramp
 * at the mapped point (to float rounding) wherever the 4 x 4 neighbourhood
 * lies inside the image.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

static double ramp(double x, double y)
{
    return 0.1 + 0.004 * x + 0.003 * y + 1e-5 * x * y + 5e-6 * x * x;
}

static void test_params_round_trip(void **state)
{
    st_transform t, inv, id;
    double dx, dy, rot, s;
    (void)state;

    st_transform_similarity(&t, 99.5, 49.5, 12.25, -7.5, 17.0, 1.125);
    st_transform_params(&t, 99.5, 49.5, &dx, &dy, &rot, &s);
    assert_float_equal(dx, 12.25, 1e-9);
    assert_float_equal(dy, -7.5, 1e-9);
    assert_float_equal(rot, 17.0, 1e-9);
    assert_float_equal(s, 1.125, 1e-12);
    /* counter-clockwise on screen: a point right of the centre moves up
     * (y decreases) */
    {
        double x, y;
        st_transform_similarity(&t, 0, 0, 0, 0, 90, 1);
        st_transform_apply(&t, 1, 0, &x, &y);
        assert_float_equal(x, 0, 1e-12);
        assert_float_equal(y, -1, 1e-12);
    }
    st_transform_similarity(&t, 10, 20, 3, 4, -33, 0.8);
    assert_int_equal(st_transform_invert(&t, &inv), 0);
    st_transform_compose(&id, &t, &inv);
    for (int i = 0; i < 6; i++)
        assert_float_equal(id.m[i], (i == 0 || i == 4) ? 1 : 0, 1e-12);
    t.m[0] = t.m[1] = t.m[3] = t.m[4] = 0;
    assert_int_equal(st_transform_invert(&t, &inv), -1);
}

static void test_warp_quadratic(void **state)
{
    enum { W = 64, H = 48 };
    st_image *src, *out;
    st_transform t;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&src, W, H, 1, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            st_image_pixel(src, x, y)[0] = (float)ramp(x, y);
    st_transform_similarity(&t, 20, 15, 6.3, 4.7, 11.0, 1.07);
    assert_int_equal(st_warp_image(&out, src, &t, 40, 30, &err), ST_OK);
    assert_int_equal(out->channels, 2);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++) {
            double u, v;
            const float *p = st_image_pixel(out, x, y);
            st_transform_apply(&t, x, y, &u, &v);
            if (u < 0 || v < 0 || u > W - 1 || v > H - 1) {
                assert_float_equal(p[1], 0, 0);
                continue;
            }
            assert_float_equal(p[1], 1, 0);
            if (u >= 1 && v >= 1 && u <= W - 3 && v <= H - 3)
                assert_float_equal(p[0], ramp(u, v), 2e-6);
        }
    st_image_free(out);
    st_image_free(src);
}

/* A homography's apply, inverse and composition against the algebra of
 * 3 x 3 matrices written out here, and the similarity it reports at a
 * centre against a finite-difference Jacobian. */
static void test_homography(void **state)
{
    st_transform h = {{1.1, 0.05, 12, -0.03, 0.95, -7, 2e-4, -1e-4}};
    st_transform g = {{0.9, -0.1, 3, 0.08, 1.05, 4, -5e-5, 3e-4}};
    st_transform inv, id, hg;
    double hm[9], x, y, u, v, u2, v2, dx, dy, rot, s;
    (void)state;

    /* apply: the projective division by hand */
    st_transform_apply(&h, 30, 40, &u, &v);
    {
        double w = 2e-4 * 30 - 1e-4 * 40 + 1;
        assert_float_equal(u, (1.1 * 30 + 0.05 * 40 + 12) / w, 1e-12);
        assert_float_equal(v, (-0.03 * 30 + 0.95 * 40 - 7) / w, 1e-12);
    }
    /* the inverse takes the image point back */
    assert_int_equal(st_transform_invert(&h, &inv), 0);
    st_transform_apply(&inv, u, v, &x, &y);
    assert_float_equal(x, 30, 1e-9);
    assert_float_equal(y, 40, 1e-9);
    st_transform_compose(&id, &h, &inv);
    for (int i = 0; i < 8; i++)
        assert_float_equal(id.m[i], (i == 0 || i == 4) ? 1 : 0, 1e-12);
    /* composition is the matrix product: (h o g)(p) = h(g(p)) */
    st_transform_compose(&hg, &h, &g);
    st_transform_apply(&g, -15, 60, &u, &v);
    st_transform_apply(&h, u, v, &u, &v);
    st_transform_apply(&hg, -15, 60, &u2, &v2);
    assert_float_equal(u, u2, 1e-9);
    assert_float_equal(v, v2, 1e-9);
    st_transform_matrix(&h, hm);
    assert_float_equal(hm[8], 1, 0);
    assert_true(st_transform_is_projective(&h));
    /* behind the horizon: w = 1 + 2e-4 x - 1e-4 y <= 0 at x = -6000 */
    assert_int_equal(st_transform_apply_checked(&h, -6000, 0, &u, &v), -1);
    /* the similarity at (50, 60): the closest to the Jacobian there */
    st_transform_params(&h, 50, 60, &dx, &dy, &rot, &s);
    {
        double e = 1e-5, ux, vx, uy, vy, u0, v0, a, b;
        st_transform_apply(&h, 50, 60, &u0, &v0);
        st_transform_apply(&h, 50 + e, 60, &ux, &vx);
        st_transform_apply(&h, 50, 60 + e, &uy, &vy);
        /* J = [[du/dx, du/dy], [dv/dx, dv/dy]] */
        a = ((ux - u0) + (vy - v0)) / (2 * e);
        b = ((uy - u0) - (vx - v0)) / (2 * e);
        assert_float_equal(dx, u0 - 50, 1e-9);
        assert_float_equal(dy, v0 - 60, 1e-9);
        assert_float_equal(s, hypot(a, b), 1e-5);
        assert_float_equal(rot, atan2(b, a) * 180 / 3.14159265358979323846,
                           1e-4);
    }
}

/* The warp follows a homography too: the Keys kernel's exactness on the
 * quadratic ramp holds at each mapped point. */
static void test_warp_homography(void **state)
{
    enum { W = 64, H = 48 };
    st_image *src, *out;
    st_transform t = {{0.9, 0.05, 5.2, -0.04, 0.92, 3.1, 1.5e-3, -1e-3}};
    st_error err = {0};
    int inside = 0;
    (void)state;

    assert_int_equal(st_image_new(&src, W, H, 1, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            st_image_pixel(src, x, y)[0] = (float)ramp(x, y);
    assert_int_equal(st_warp_image(&out, src, &t, 50, 40, &err), ST_OK);
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 50; x++) {
            double u, v;
            const float *p = st_image_pixel(out, x, y);
            st_transform_apply(&t, x, y, &u, &v);
            if (u >= 1 && v >= 1 && u <= W - 3 && v <= H - 3) {
                assert_float_equal(p[1], 1, 0);
                assert_float_equal(p[0], ramp(u, v), 2e-6);
                inside++;
            }
        }
    assert_true(inside > 1000);
    st_image_free(out);
    st_image_free(src);
}

/* The checkerboard takes alternate 64 px tiles from each picture. */
static void test_checkerboard(void **state)
{
    st_image *a, *b, *c;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&a, 130, 70, 3, &err), ST_OK);
    assert_int_equal(st_image_new(&b, 130, 70, 4, &err), ST_OK);
    for (int y = 0; y < 70; y++)
        for (int x = 0; x < 130; x++) {
            float *p = st_image_pixel(b, x, y);
            p[0] = p[1] = p[2] = 1;
            p[3] = x < 120 ? 1.0f : 0.0f;
            st_image_pixel(a, x, y)[0] = 0.5f;
        }
    assert_int_equal(st_warp_checkerboard(&c, a, b, 64, &err), ST_OK);
    assert_float_equal(st_image_pixel(c, 10, 10)[0], 0.5, 0);   /* ref */
    assert_float_equal(st_image_pixel(c, 70, 10)[0], 1.0, 0);   /* aligned */
    assert_float_equal(st_image_pixel(c, 10, 66)[0], 1.0, 0);   /* aligned */
    assert_float_equal(st_image_pixel(c, 125, 66)[0], 0.25, 0); /* none */
    st_image_free(a);
    st_image_free(b);
    st_image_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_round_trip),
        cmocka_unit_test(test_warp_quadratic),
        cmocka_unit_test(test_homography),
        cmocka_unit_test(test_warp_homography),
        cmocka_unit_test(test_checkerboard),
    };
    return cmocka_run_group_tests_name("warp", tests, NULL, NULL);
}
