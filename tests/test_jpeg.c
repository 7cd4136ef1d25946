/* skintrack tests — JPEG reading and writing.
 *
 * Inputs are written with libjpeg itself at quality 100 without chroma
 * subsampling, whose quantisation steps are all 1: what remains is the
 * rounding of the DCT and of the YCbCr conversion, a couple of levels at
 * most. Tests therefore allow 3/255 per sample on smooth content and
 * compare flat patches at their centres, away from block edges.
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

#define TOL (3.0 / 255.0)

/* A smooth RGB or grey gradient, w x h. */
static uint8_t *gradient(int w, int h, int ch)
{
    uint8_t *s = malloc((size_t)w * (size_t)h * (size_t)ch);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++)
                s[((size_t)y * (size_t)w + (size_t)x) * (size_t)ch +
                  (size_t)c] =
                    (uint8_t)((x * 3 + y * 2 + c * 60) % 256 / 2 + 40);
    return s;
}

static void check_close(const st_image *img, const uint8_t *s, int ch)
{
    double worst = 0;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < ch; c++) {
                double want = s[((size_t)y * (size_t)img->width + (size_t)x) *
                                    (size_t)ch +
                                (size_t)c] /
                              255.0;
                double d = fabs(st_image_pixel(img, x, y)[c] - want);
                worst = d > worst ? d : worst;
            }
    if (worst > TOL)
        fail_msg("largest error %.1f/255", worst * 255);
}

static void test_rgb(void **state)
{
    uint8_t *s = gradient(40, 24, 3), *jpg;
    tu_jpeg spec = {40, 24, 3, s, 100, 0, 0, NULL, 0, NULL, 0};
    st_image_info info;
    st_image *img;
    size_t size;
    (void)state;

    jpg = tu_jpeg_encode(&spec, &size);
    assert_non_null(jpg);
    img = tu_decode(jpg, size, &info);
    assert_int_equal(info.format, ST_FORMAT_JPEG);
    assert_int_equal(info.bit_depth, 8);
    assert_int_equal(info.file_channels, 3);
    assert_int_equal(info.orientation, 1);
    assert_int_equal(info.color_source, ST_COLOR_ASSUMED_SRGB);
    assert_string_equal(info.datetime_original, "");
    assert_int_equal(img->channels, 3);
    check_close(img, s, 3);
    st_image_free(img);
    free(jpg);
    free(s);
}

static void test_gray(void **state)
{
    uint8_t *s = gradient(33, 17, 1), *jpg;
    tu_jpeg spec = {33, 17, 1, s, 100, 0, 0, NULL, 0, NULL, 0};
    st_image *img;
    size_t size;
    (void)state;

    jpg = tu_jpeg_encode(&spec, &size);
    img = tu_decode(jpg, size, NULL);
    assert_int_equal(img->channels, 1);
    assert_int_equal(img->width, 33);
    check_close(img, s, 1);
    st_image_free(img);
    free(jpg);
    free(s);
}

/* CMYK as Photoshop writes it: Adobe APP14 marker, inverted samples
 * (stored = 255 * (1 - ink)). Without a profile skintrack applies
 * R = (1 - C)(1 - K), G = (1 - M)(1 - K), B = (1 - Y)(1 - K). */
static void cmyk_case(int ycck)
{
    static const double inks[][4] = {
        {0, 0, 0, 0},           {1, 0, 0, 0},         {0, 1, 0, 0},
        {0, 0, 1, 0},           {0, 0, 0, 1},         {0.2, 0.4, 0.6, 0.1},
        {0.05, 0.3, 0.35, 0.0}, {0.5, 0.5, 0.5, 0.5},
    };
    enum { P = 16, N = 8 };
    uint8_t s[P * P * N * 4], *jpg;
    tu_jpeg spec = {P * N, P, 4, s, 100, 0, ycck, NULL, 0, NULL, 0};
    st_image_info info;
    st_image *img;
    size_t size;

    for (int y = 0; y < P; y++)
        for (int x = 0; x < P * N; x++)
            for (int c = 0; c < 4; c++)
                s[((size_t)y * P * N + (size_t)x) * 4 + (size_t)c] =
                    (uint8_t)lround(255.0 * (1.0 - inks[x / P][c]));
    jpg = tu_jpeg_encode(&spec, &size);
    assert_non_null(jpg);
    img = tu_decode(jpg, size, &info);
    assert_int_equal(info.file_channels, 4);
    assert_int_equal(img->channels, 3);
    for (int i = 0; i < N; i++) {
        const float *p = st_image_pixel(img, i * P + P / 2, P / 2);
        for (int c = 0; c < 3; c++) {
            double want = (1 - inks[i][c]) * (1 - inks[i][3]);
            if (fabs(p[c] - want) > TOL)
                fail_msg("%s patch %d channel %d: %.4f, want %.4f",
                         ycck ? "YCCK" : "CMYK", i, c, p[c], want);
        }
    }
    st_image_free(img);
    free(jpg);
}

static void test_cmyk_adobe(void **state)
{
    (void)state;
    cmyk_case(0);
}

static void test_ycck_adobe(void **state)
{
    (void)state;
    cmyk_case(1);
}

/* skintrack's writer: quality 100 round trip, and alpha composited over
 * white (alpha 0 reads back white, alpha 1 the colour). */
static void test_writer(void **state)
{
    st_image *img, *back;
    st_error err = {0};
    const char *path = tu_path("w.jpg");
    (void)state;

    assert_int_equal(st_image_new(&img, 32, 16, 4, &err), ST_OK);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++) {
            float *p = st_image_pixel(img, x, y);
            p[0] = 0.8f, p[1] = 0.5f, p[2] = 0.3f;
            p[3] = x < 16 ? 1.0f : 0.0f;
        }
    assert_int_equal(st_io_write_jpeg(path, img, 100, &err), ST_OK);
    assert_int_equal(st_io_read(path, NULL, &back, NULL, &err), ST_OK);
    assert_int_equal(back->channels, 3);
    for (int c = 0; c < 3; c++) {
        assert_float_equal(st_image_pixel(back, 4, 8)[c],
                           st_image_pixel(img, 4, 8)[c], TOL);
        assert_float_equal(st_image_pixel(back, 27, 8)[c], 1.0, TOL);
    }
    assert_int_not_equal(st_io_write_jpeg(path, img, 0, &err), ST_OK);
    st_image_free(img);
    st_image_free(back);
}

/* scale_denom 2: libjpeg's DCT scaling. Output pixel (x, y) covers the
 * stored pixels 2x..2x+1, 2y..2y+1; on a linear ramp its value is their
 * mean (the scaled IDCT keeps the block's low frequencies, which hold a
 * ramp), so it is checked against that mean with the quality-100
 * tolerance. An odd size rounds up; info keeps the full size. */
static void test_reduced(void **state)
{
    const int w = 65, h = 49;
    uint8_t *s = malloc((size_t)w * h * 3), *jpg;
    tu_jpeg spec = {w, h, 3, s, 100, 0, 0, NULL, 0, NULL, 0};
    st_read_options opt;
    st_image_info info;
    st_image *img;
    st_error err = {0};
    size_t size;
    double worst = 0;
    (void)state;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                s[((size_t)y * w + x) * 3 + c] = (uint8_t)(30 + x + y + 25 * c);
    jpg = tu_jpeg_encode(&spec, &size);
    assert_non_null(jpg);
    st_read_options_init(&opt);
    opt.scale_denom = 2;
    assert_int_equal(st_io_read_memory(jpg, size, &opt, &img, &info, &err),
                     ST_OK);
    assert_int_equal(img->width, 33);
    assert_int_equal(img->height, 25);
    assert_int_equal(info.width, w);
    assert_int_equal(info.height, h);
    for (int y = 0; y < 24; y++) /* the last row and column: one px wide */
        for (int x = 0; x < 32; x++)
            for (int c = 0; c < 3; c++) {
                double want = (30 + 2 * x + 2 * y + 1 + 25 * c) / 255.0;
                double d = fabs(st_image_pixel(img, x, y)[c] - want);
                worst = d > worst ? d : worst;
            }
    if (worst > TOL)
        fail_msg("largest error %.1f/255", worst * 255);
    st_image_free(img);
    free(jpg);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rgb),        cmocka_unit_test(test_gray),
        cmocka_unit_test(test_cmyk_adobe), cmocka_unit_test(test_ycck_adobe),
        cmocka_unit_test(test_writer),     cmocka_unit_test(test_reduced),
    };
    return cmocka_run_group_tests_name("jpeg", tests, NULL, NULL);
}
