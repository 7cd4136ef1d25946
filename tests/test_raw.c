/* skintrack tests — camera raw reading (LibRaw), on a minimal DNG.
 *
 * The DNG is written here with libtiff's DNG tags: one 16-bit CFA image
 * (RGGB Bayer pattern, 12-bit values, black level 0, white level 4095),
 * DNGVersion 1.4, ColorMatrix1 under illuminant D65, AsShotNeutral 1 1 1.
 * ColorMatrix1 (XYZ -> camera) is set to the XYZ -> linear sRGB matrix of
 * IEC 61966-2-1, so the "camera" sees linear sRGB: camera RGB = linear sRGB,
 * LibRaw's camera-to-sRGB matrix is the identity, and white balance as shot
 * (neutral 1 1 1) changes nothing. Each patch of the scene is a flat colour
 * of known linear sRGB value L, mosaicked as round(4095 L) on its CFA sites.
 * Truth: inside a patch (away from its edges, where demosaicing mixes
 * neighbours) the reader's value, linearised, is L within one 12-bit step
 * plus the float rounding of the sRGB encoding (2/4095). The orientation
 * tag turns the picture; damage fails cleanly.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testformats.h"
#include "testutil.h"
#include "skintrack/color.h"

#define RW    96
#define RH    64
#define WHITE TU_DNG_WHITE

/* Patches: 3 across, 2 down, 32 x 32 px each. Linear sRGB. */
static const double patch[2][3][3] = {
    {{0.50, 0.20, 0.10}, {0.18, 0.18, 0.18}, {0.05, 0.30, 0.60}},
    {{0.80, 0.55, 0.40}, {0.02, 0.02, 0.02}, {0.35, 0.10, 0.25}}};

/* The scene as linear sRGB, mosaicked by tu_dng_write. */
static void write_dng(const char *path, int orientation)
{
    float *lin = malloc(sizeof *lin * RW * RH * 3);
    assert_non_null(lin);
    for (int y = 0; y < RH; y++)
        for (int x = 0; x < RW; x++)
            for (int c = 0; c < 3; c++)
                lin[((size_t)y * RW + x) * 3 + c] =
                    (float)patch[y / 32][x / 32][c];
    assert_int_equal(
        tu_dng_write(path, RW, RH, lin, orientation, "2026:03:09 10:00:00"), 0);
    free(lin);
}

static void test_dng_colours(void **state)
{
    st_image_info info;
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    write_dng(tu_path("phantom.dng"), 0);
    file = tu_read_file(tu_path("phantom.dng"), &size);
    assert_non_null(file);
    img = tu_decode(file, size, &info);
    assert_int_equal(info.format, ST_FORMAT_RAW);
    assert_int_equal(info.color_source, ST_COLOR_CAMERA);
    assert_non_null(strstr(info.camera, "Phantom CFA"));
    assert_string_equal(info.datetime_original, "2026-03-09T10:00:00");
    assert_int_equal(img->width, RW);
    assert_int_equal(img->height, RH);
    assert_int_equal(img->channels, 3);
    for (int py = 0; py < 2; py++)
        for (int px = 0; px < 3; px++)
            for (int y = py * 32 + 8; y < py * 32 + 24; y++)
                for (int x = px * 32 + 8; x < px * 32 + 24; x++)
                    for (int c = 0; c < 3; c++) {
                        double v = st_color_srgb_to_linear(
                            st_image_pixel(img, x, y)[c]);
                        if (fabs(v - patch[py][px][c]) > 2.0 / WHITE)
                            fail_msg("patch %d,%d (%d,%d) ch %d: %f, want %f",
                                     px, py, x, y, c, v, patch[py][px][c]);
                    }
    st_image_free(img);

    /* header only: the format, size, camera and date */
    memset(&info, 0, sizeof info);
    assert_int_equal(st_io_read_memory(file, size, NULL, NULL, &info, NULL),
                     ST_OK);
    assert_int_equal(info.format, ST_FORMAT_RAW);
    assert_int_equal(info.width, RW);
    assert_int_equal(info.height, RH);
    assert_non_null(strstr(info.camera, "Phantom CFA"));
    free(file);
}

/* Orientation 6: the picture turns 90 degrees clockwise; the top-left
 * patch's colour lands at the top right. */
static void test_dng_orientation(void **state)
{
    st_image_info info;
    st_read_options opt;
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    write_dng(tu_path("turned.dng"), 6);
    file = tu_read_file(tu_path("turned.dng"), &size);
    img = tu_decode(file, size, &info);
    assert_int_equal(info.orientation, 6);
    assert_int_equal(img->width, RH);
    assert_int_equal(img->height, RW);
    for (int c = 0; c < 3; c++) {
        /* stored (16, 16) -> upright (RH - 1 - 16, 16) */
        double v =
            st_color_srgb_to_linear(st_image_pixel(img, RH - 1 - 16, 16)[c]);
        assert_float_equal(v, patch[0][0][c], 2.0 / WHITE);
    }
    st_image_free(img);

    st_read_options_init(&opt);
    opt.ignore_orientation = 1;
    assert_int_equal(st_io_read_memory(file, size, &opt, &img, &info, NULL),
                     ST_OK);
    assert_int_equal(img->width, RW);
    assert_int_equal(info.orientation, 1);
    st_image_free(img);
    free(file);
}

static void test_dng_damage(void **state)
{
    uint8_t *file;
    size_t size;
    st_read_options opt;
    int failed = 0;
    (void)state;

    write_dng(tu_path("cut.dng"), 0);
    file = tu_read_file(tu_path("cut.dng"), &size);
    for (size_t n = 0; n < size; n += n < 400 ? 1 : 97) {
        uint8_t *cut = malloc(n ? n : 1);
        st_image *img = (st_image *)&img;
        st_error err = {0};
        st_status s;
        memcpy(cut, file, n);
        s = st_io_read_memory(cut, n, NULL, &img, NULL, &err);
        if (s == ST_OK) {
            st_image_free(img);
        } else {
            failed++;
            if (img || !err.message[0] || err.status != s)
                fail_msg("cut to %zu: bad failure (%d, \"%s\")", n, s,
                         err.message);
        }
        free(cut);
    }
    assert_true(failed > 0);

    /* the pixel limit, before LibRaw unpacks */
    {
        st_image *img = (st_image *)&img;
        st_error err = {0};
        st_read_options_init(&opt);
        opt.max_megapixels = 0.001;
        assert_int_equal(st_io_read_memory(file, size, &opt, &img, NULL, &err),
                         ST_ERR_TOO_LARGE);
        assert_null(img);
    }
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dng_colours),
        cmocka_unit_test(test_dng_orientation),
        cmocka_unit_test(test_dng_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
