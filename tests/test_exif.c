/* skintrack tests — EXIF orientation and DateTimeOriginal.
 *
 * Each of the eight orientations: a small asymmetric image with a unique
 * value per pixel is stored with the tag, read back, and every pixel must
 * sit where the EXIF specification's description of that orientation puts
 * it (tu_exif_upright, written from the spec's words, not from the
 * library's code). PNG (eXIf chunk) checks exactly; JPEG (APP1) checks
 * 8x8-block colours within JPEG tolerance.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <png.h>

#include "testutil.h"

#define SW 5
#define SH 3

static void png_orientation(int orientation, int big_endian)
{
    uint16_t s[SW * SH];
    uint8_t exif[256], *png;
    tu_png spec = {SW, SH, PNG_COLOR_TYPE_GRAY, 16, 0, s};
    st_image_info info;
    st_image *img;
    size_t size;
    int uw = 0, uh = 0;

    for (int i = 0; i < SW * SH; i++)
        s[i] = (uint16_t)(1000 * (i + 1));
    spec.trns_gray = -1;
    spec.exif = exif;
    spec.exif_size = tu_exif_build(exif, sizeof exif, orientation, NULL, NULL,
                                   big_endian, 0);
    png = tu_png_encode(&spec, &size);
    assert_non_null(png);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.orientation, orientation);
    assert_true(info.has_exif);
    for (int r = 0; r < SH; r++)
        for (int c = 0; c < SW; c++) {
            int ux, uy;
            tu_exif_upright(orientation, SW, SH, r, c, &ux, &uy, &uw, &uh);
            assert_int_equal(img->width, uw);
            assert_int_equal(img->height, uh);
            assert_int_equal(info.width, uw);
            if (fabs(st_image_pixel(img, ux, uy)[0] - s[r * SW + c] / 65535.0) >
                1e-6)
                fail_msg("orientation %d: stored (%d,%d) not at (%d,%d)",
                         orientation, c, r, ux, uy);
        }
    st_image_free(img);
    free(png);
}

static void test_png_all_orientations(void **state)
{
    (void)state;
    for (int o = 1; o <= 8; o++) {
        png_orientation(o, 0);
        png_orientation(o, 1);
    }
}

/* JPEG: 3 x 2 blocks of 8x8 px, each a distinct flat colour. */
static void test_jpeg_all_orientations(void **state)
{
    enum { BW = 3, BH = 2, B = 8 };
    uint8_t s[BW * B * BH * B * 3], exif[256], *jpg;
    uint8_t colors[BW * BH][3];
    (void)state;

    for (int i = 0; i < BW * BH; i++)
        for (int c = 0; c < 3; c++)
            colors[i][c] = (uint8_t)(30 + ((i * 3 + c) * 41) % 200);
    for (int y = 0; y < BH * B; y++)
        for (int x = 0; x < BW * B; x++)
            memcpy(s + ((size_t)y * BW * B + (size_t)x) * 3,
                   colors[(y / B) * BW + x / B], 3);
    for (int o = 1; o <= 8; o++) {
        tu_jpeg spec = {BW * B, BH * B, 3, s, 100, 0, 0, NULL, 0, exif, 0};
        st_image_info info;
        st_image *img;
        size_t size;

        spec.exif_size =
            tu_exif_build(exif, sizeof exif, o, NULL, NULL, o & 1, 1);
        jpg = tu_jpeg_encode(&spec, &size);
        img = tu_decode(jpg, size, &info);
        assert_int_equal(info.orientation, o);
        for (int br = 0; br < BH; br++)
            for (int bc = 0; bc < BW; bc++) {
                /* centre pixel of the block, stored coordinates */
                int r = br * B + B / 2, c = bc * B + B / 2, ux, uy, uw, uh;
                tu_exif_upright(o, BW * B, BH * B, r, c, &ux, &uy, &uw, &uh);
                assert_int_equal(img->width, uw);
                for (int k = 0; k < 3; k++)
                    assert_float_equal(st_image_pixel(img, ux, uy)[k],
                                       colors[br * BW + bc][k] / 255.0,
                                       3.0 / 255.0);
            }
        st_image_free(img);
        free(jpg);
    }
}

/* --ignore-orientation keeps the stored layout. */
static void test_ignore_orientation(void **state)
{
    uint16_t s[SW * SH] = {0};
    uint8_t exif[256], *png;
    tu_png spec = {SW, SH, PNG_COLOR_TYPE_GRAY, 16, 0, s};
    st_read_options opt;
    st_image_info info;
    st_image *img;
    st_error err = {0};
    size_t size;
    (void)state;

    spec.trns_gray = -1;
    spec.exif = exif;
    spec.exif_size = tu_exif_build(exif, sizeof exif, 6, NULL, NULL, 0, 0);
    png = tu_png_encode(&spec, &size);
    st_read_options_init(&opt);
    opt.ignore_orientation = 1;
    assert_int_equal(st_io_read_memory(png, size, &opt, &img, &info, &err),
                     ST_OK);
    assert_int_equal(img->width, SW);
    assert_int_equal(info.orientation, 1);
    st_image_free(img);
    free(png);
}

/* Reads the date (and orientation) from a JPEG carrying this EXIF. */
static void date_case(const char *raw, const char *offset, int orientation,
                      const char *want_date, int want_orientation)
{
    uint8_t px[8 * 8 * 3] = {0}, exif[256], *jpg;
    tu_jpeg spec = {8, 8, 3, px, 90, 0, 0, NULL, 0, exif, 0};
    st_image_info info;
    st_image *img;
    size_t size;

    spec.exif_size =
        tu_exif_build(exif, sizeof exif, orientation, raw, offset, 0, 1);
    jpg = tu_jpeg_encode(&spec, &size);
    img = tu_decode(jpg, size, &info);
    assert_string_equal(info.datetime_original, want_date);
    assert_int_equal(info.orientation, want_orientation);
    st_image_free(img);
    /* the header-only read (out NULL) finds the same, without pixels */
    memset(&info, 0, sizeof info);
    assert_int_equal(st_io_read_memory(jpg, size, NULL, NULL, &info, NULL),
                     ST_OK);
    assert_string_equal(info.datetime_original, want_date);
    assert_int_equal(info.orientation, want_orientation);
    free(jpg);
}

static void test_datetime_original(void **state)
{
    (void)state;
    date_case("2026:03:14 09:30:00", NULL, 0, "2026-03-14T09:30:00", 1);
    date_case("2026:03:14 09:30:00", "+01:00", 6, "2026-03-14T09:30:00+01:00",
              6);
    date_case("2024:02:29 23:59:59", "-05:30", 1, "2024-02-29T23:59:59-05:30",
              1);
    /* impossible or blank dates are absent, never guessed */
    date_case("2023:02:29 10:00:00", NULL, 1, "", 1);
    date_case("2026:13:01 10:00:00", NULL, 1, "", 1);
    date_case("2026:03:14 24:00:00", NULL, 1, "", 1);
    date_case("    :  :     :  :  ", NULL, 1, "", 1);
    date_case("2026-03-14 09:30:00", NULL, 1, "", 1);
    /* a malformed offset is dropped, the date kept */
    date_case("2026:03:14 09:30:00", "1 hour", 1, "2026-03-14T09:30:00", 1);
    /* orientation outside 1..8 is ignored */
    date_case(NULL, NULL, 9, "", 1);
    date_case(NULL, NULL, 0, "", 1);
}

/* A damaged EXIF block is not worth refusing a photo over. */
static void test_garbage_exif(void **state)
{
    uint8_t px[8 * 8 * 3] = {0}, exif[64], *jpg;
    tu_jpeg spec = {8, 8, 3, px, 90, 0, 0, NULL, 0, exif, sizeof exif};
    st_image_info info;
    st_image *img;
    size_t size;
    (void)state;

    memcpy(exif, "Exif\0\0II*\0\xff\xff\xff\x7f", 14);
    for (size_t i = 14; i < sizeof exif; i++)
        exif[i] = (uint8_t)(i * 91);
    jpg = tu_jpeg_encode(&spec, &size);
    img = tu_decode(jpg, size, &info);
    assert_int_equal(info.orientation, 1);
    assert_string_equal(info.datetime_original, "");
    st_image_free(img);
    free(jpg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_all_orientations),
        cmocka_unit_test(test_jpeg_all_orientations),
        cmocka_unit_test(test_ignore_orientation),
        cmocka_unit_test(test_datetime_original),
        cmocka_unit_test(test_garbage_exif),
    };
    return cmocka_run_group_tests_name("exif", tests, NULL, NULL);
}
