/* skintrack tests — the report's pictures (imgproc/picture.c).
 *
 * Each picture is checked against what its input makes certain: a box
 * filter of 2 x 2 blocks is their mean; bilinear sampling of a linear
 * ramp is the ramp itself; a known a* change between two photos comes out
 * of the difference map with its value and its sign, in red where skin is
 * redder and blue where it is less red; the texture of flat skin is mid
 * grey and stripes keep their phase (bright stays bright).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skintrack/skintrack.h"

static st_image *rgb(int w, int h)
{
    st_image *img = NULL;
    st_error err = {0};
    assert_int_equal(st_image_new(&img, w, h, 3, &err), ST_OK);
    return img;
}

/* step 2 over a photo at its own scale: each output pixel is the mean of
 * a 2 x 2 block (the box filter, then bilinear at the block's centre) */
static void test_render_box(void **state)
{
    st_image *ph = rgb(64, 48), *out = NULL;
    st_transform t;
    st_frame f;
    st_error err = {0};
    uint8_t inside[32 * 24];
    uint32_t s = 12345;
    (void)state;
    for (int y = 0; y < 48; y++)
        for (int x = 0; x < 64; x++)
            for (int c = 0; c < 3; c++) {
                s = s * 1664525u + 1013904223u;
                st_image_pixel(ph, x, y)[c] = (float)(s >> 8) / 16777216.0f;
            }
    st_transform_identity(&t);
    st_frame_of_box(&f, 0, 0, 64, 48, 32);
    assert_float_equal(f.step, 2, 0);
    assert_int_equal(f.w, 32);
    assert_int_equal(f.h, 24);
    assert_int_equal(st_picture_render(&out, ph, &t, 1, &f, inside, &err),
                     ST_OK);
    for (int v = 0; v < 24; v++)
        for (int u = 0; u < 32; u++) {
            assert_int_equal(inside[v * 32 + u], 1);
            for (int c = 0; c < 3; c++) {
                double m = (st_image_pixel(ph, 2 * u, 2 * v)[c] +
                            st_image_pixel(ph, 2 * u + 1, 2 * v)[c] +
                            st_image_pixel(ph, 2 * u, 2 * v + 1)[c] +
                            st_image_pixel(ph, 2 * u + 1, 2 * v + 1)[c]) /
                           4;
                assert_float_equal(st_image_pixel(out, u, v)[c], m, 1e-6);
            }
        }
    st_image_free(out);
    st_image_free(ph);
}

/* A shift of (7.25, -3.5): a linear ramp is sampled exactly, pixels the
 * photo does not reach are grey 0.35 and marked outside. */
static void test_render_shift(void **state)
{
    st_image *ph = rgb(80, 60), *out = NULL;
    st_transform t;
    st_frame f;
    st_error err = {0};
    uint8_t inside[80 * 60];
    (void)state;
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++) {
            float *p = st_image_pixel(ph, x, y);
            p[0] = 0.1f + 0.01f * x;
            p[1] = 0.2f + 0.01f * y;
            p[2] = 0.5f;
        }
    st_transform_similarity(&t, 0, 0, 7.25, -3.5, 0, 1);
    st_frame_of_box(&f, 0, 0, 80, 60, 100);
    assert_int_equal(st_picture_render(&out, ph, &t, 1, &f, inside, &err),
                     ST_OK);
    for (int v = 0; v < 60; v++)
        for (int u = 0; u < 80; u++) {
            double xp, yp;
            const float *o = st_image_pixel(out, u, v);
            st_transform_apply(&t, u, v, &xp, &yp);
            if (xp >= 0 && yp >= 0 && xp <= 79 && yp <= 59) {
                assert_int_equal(inside[v * 80 + u], 1);
                assert_float_equal(o[0], 0.1 + 0.01 * xp, 1e-5);
                assert_float_equal(o[1], 0.2 + 0.01 * yp, 1e-5);
            } else if (xp > 79.5 || yp < -0.5) {
                assert_int_equal(inside[v * 80 + u], 0);
                assert_float_equal(o[0], 0.35, 1e-7);
            }
        }
    st_image_free(out);
    st_image_free(ph);
}

static void fill_rgb(st_image *img, int x0, int x1, const double c[3])
{
    for (int y = 0; y < img->height; y++)
        for (int x = x0; x < x1; x++)
            for (int k = 0; k < 3; k++)
                st_image_pixel(img, x, y)[k] = (float)c[k];
}

/* Base skin one colour; the photo redder on its left half, less red on
 * its right half. The map is a* photo - a* base, each from the sRGB
 * colours by the CIELAB formula (st_color_srgb_to_lab), away from the
 * halves' border (the 5 x 5 smoothing) and out of the common region
 * (the first column) nothing. */
static void test_astar_difference(void **state)
{
    enum { W = 40, H = 30 };
    static const double skin[3] = {0.80, 0.60, 0.50},
                        redder[3] = {0.85, 0.57, 0.50},
                        paler[3] = {0.78, 0.63, 0.50};
    static const double one[3] = {1, 1, 1};
    st_image *base = rgb(W, H), *photo = rgb(W, H), *map = NULL;
    uint8_t inside[W * H], common[W * H];
    float *ab = NULL, *ap = NULL;
    double *d = NULL, lab0[3], lab1[3], lab2[3], up, down;
    st_error err = {0};
    (void)state;
    st_color_srgb_to_lab(skin, lab0);
    st_color_srgb_to_lab(redder, lab1);
    st_color_srgb_to_lab(paler, lab2);
    up = lab1[1] - lab0[1], down = lab2[1] - lab0[1];
    assert_true(up > 2 && down < -1); /* the colours do what they say */
    fill_rgb(base, 0, W, skin);
    fill_rgb(photo, 0, W / 2, redder);
    fill_rgb(photo, W / 2, W, paler);
    for (int i = 0; i < W * H; i++) {
        inside[i] = 1;
        common[i] = i % W != 0;
    }
    inside[5 * W + 30] = 0; /* a pixel the photo does not reach */
    assert_int_equal(st_picture_astar(&ab, base, inside, one, &err), ST_OK);
    assert_int_equal(st_picture_astar(&ap, photo, inside, one, &err), ST_OK);
    assert_float_equal(ab[0], lab0[1], 1e-4);
    assert_true(isnan(ap[5 * W + 30]));
    assert_int_equal(
        st_picture_astar_difference(&d, ap, ab, common, W, H, 2, &err), ST_OK);
    assert_true(isnan(d[10 * W]));     /* outside the common region */
    assert_true(isnan(d[5 * W + 30])); /* not in the photo */
    assert_float_equal(d[10 * W + 5], up, 1e-4);
    assert_float_equal(d[20 * W + 35], down, 1e-4);
    assert_float_equal(d[5 * W + 33], down, 1e-4); /* next to the hole */
    /* in colour: red where redder, blue where paler, grey outside */
    assert_int_equal(st_picture_diverging(&map, d, W, H, 8, &err), ST_OK);
    {
        const float *r = st_image_pixel(map, 5, 10);
        const float *b = st_image_pixel(map, 35, 20);
        const float *g = st_image_pixel(map, 0, 10);
        float want[3];
        assert_true(r[0] > r[2] + 0.05f);
        assert_true(b[2] > b[0] + 0.05f);
        assert_float_equal(g[0], 0.55, 1e-7);
        assert_float_equal(g[2], 0.55, 1e-7);
        st_ramp_diverging(up / 8, want);
        assert_float_equal(r[1], want[1], 1e-6);
    }
    free(ab);
    free(ap);
    free(d);
    st_image_free(map);
    st_image_free(base);
    st_image_free(photo);
}

/* The ramp's anchors: blue, near white, red; clamped beyond. */
static void test_ramp(void **state)
{
    float c[3];
    (void)state;
    st_ramp_diverging(-1, c);
    assert_float_equal(c[0] * 255, 33, 1e-4);
    assert_float_equal(c[2] * 255, 172, 1e-4);
    st_ramp_diverging(0, c);
    assert_float_equal(c[1] * 255, 247, 1e-4);
    st_ramp_diverging(5, c);
    assert_float_equal(c[0] * 255, 178, 1e-4);
    assert_float_equal(c[1] * 255, 24, 1e-4);
    st_ramp_diverging(0.5, c);
    assert_float_equal(c[0] * 255, (247 + 178) / 2.0, 1e-4);
}

/* Texture of flat skin: mid grey inside the region, 0.18 outside. Of
 * vertical stripes of period 12 px (the medium band, 8-32 px): the map
 * follows the stripes in phase, bright where the photo is bright. */
static void test_texture(void **state)
{
    enum { W = 192, H = 144 };
    static const double g3[3] = {0.5, 0.5, 0.5}, one[3] = {1, 1, 1};
    st_image *ph = rgb(W, H), *out = NULL;
    st_region *reg = NULL;
    st_transform t;
    st_frame f;
    st_error err = {0};
    double sxy = 0, sxx = 0, syy = 0;
    (void)state;
    fill_rgb(ph, 0, W, g3);
    assert_int_equal(st_region_full(&reg, W, H, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = W / 2; x < W; x++)
            reg->mask[y * W + x] = 0;
    st_region_update(reg);
    st_transform_identity(&t);
    st_frame_of_box(&f, 0, 0, W, H, 1000);
    assert_int_equal(
        st_picture_texture(&out, ph, reg, one, &t, 1, 0, &f, 6, &err), ST_OK);
    assert_non_null(out);
    assert_float_equal(st_image_pixel(out, 40, 70)[0], 0.5, 1e-3);
    assert_float_equal(st_image_pixel(out, 150, 70)[0], 0.18, 1e-6);
    st_image_free(out);

    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                st_image_pixel(ph, x, y)[c] =
                    (float)(0.5 +
                            0.02 * cos(2 * 3.14159265358979323846 * x / 12.0));
    assert_int_equal(
        st_picture_texture(&out, ph, reg, one, &t, 1, 0, &f, 6, &err), ST_OK);
    /* away from the tapered edge of the region */
    for (int y = 40; y < H - 40; y++)
        for (int x = 24; x < W / 2 - 24; x++) {
            double m = st_image_pixel(out, x, y)[0] - 0.5;
            double s = cos(2 * 3.14159265358979323846 * x / 12.0);
            sxy += m * s, sxx += s * s, syy += m * m;
        }
    assert_true(syy > 0);
    assert_true(sxy / sqrt(sxx * syy) > 0.9);
    st_image_free(out);

    /* a frame off the photo: nothing to show */
    st_frame_of_box(&f, 1000, 1000, 1010, 1010, 100);
    assert_int_equal(
        st_picture_texture(&out, ph, reg, one, &t, 1, 0, &f, 6, &err), ST_OK);
    assert_null(out);
    st_region_free(reg);
    st_image_free(ph);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_box),
        cmocka_unit_test(test_render_shift),
        cmocka_unit_test(test_astar_difference),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_texture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
