/* skintrack tests — HEIF, HEIC and AVIF reading (libheif).
 *
 * Inputs are made at run time by libheif itself: heif-enc (libheif-examples)
 * from PNGs written with libpng, and libheif's encoding API where the test
 * needs what heif-enc cannot write (an irot box, an nclx colour box with
 * Display P3 primaries). Truth:
 *   - lossless HEVC in RGB (matrix coefficients 0, 4:4:4) gives back the
 *     PNG's samples exactly, so an 8-bit sample v reads as v / 255 (1e-6);
 *   - a 10-bit file keeps 10 bits: a ramp of 1024 levels reads as 1024
 *     distinct values, each within half a 10-bit step of the ramp;
 *   - orientation: a picture stored turned on its side with irot saying
 *     "rotate back" and an Exif block saying "rotate 90" (what phones write)
 *     reads upright: each quadrant's colour lands where the upright picture
 *     has it, and a second turn (the Exif one applied again) would move
 *     them;
 *   - colour: the same colours stored as Display P3 (through an ICC
 *     profile, or an nclx box) read as the same CIELAB as stored in sRGB,
 *     within the 8-bit quantisation of the P3 file (delta E*ab < 1);
 *   - damage: every truncation of a valid file, and a declared size above
 *     the pixel limit, fail cleanly (status, message, no image; ASan/UBSan
 *     watch the rest).
 * heif-enc missing (libheif-examples not installed) skips the tool tests.
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
#include <lcms2.h>
#include <libheif/heif.h>
#include <png.h>

#include "testformats.h"
#include "testutil.h"
#include "skintrack/color.h"

/* Four quadrants of known colours (sRGB, 8-bit): top-left, top-right,
 * bottom-left, bottom-right. */
static const uint8_t quad[4][3] = {
    {200, 40, 30}, {30, 180, 60}, {40, 60, 210}, {230, 210, 40}};
#define QW 48
#define QH 32

static int have_heif_enc(void)
{
    return system("heif-enc --help >/dev/null 2>&1") == 0 ||
           system("command -v heif-enc >/dev/null 2>&1") == 0;
}

static void quad_rgb(uint8_t *rgb, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memcpy(rgb + 3 * ((size_t)y * w + x),
                   quad[(y >= h / 2) * 2 + (x >= w / 2)], 3);
}

/* heif-enc args... in.png -o out; returns the file read back (malloc'd). */
static uint8_t *heif_enc(const char *args, const char *in, const char *out,
                         size_t *size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "heif-enc %s '%s' -o '%s' >/dev/null 2>&1", args,
             in, out);
    assert_int_equal(system(cmd), 0);
    return tu_read_file(out, size);
}

static void expect_quads(const st_image *img, float tol)
{
    int w = img->width, h = img->height;
    for (int q = 0; q < 4; q++) {
        /* the middle of each quadrant, away from chroma edges */
        int x = (q % 2) * w / 2 + w / 4, y = (q / 2) * h / 2 + h / 4;
        const float *p = st_image_pixel(img, x, y);
        for (int c = 0; c < 3; c++)
            if (fabsf(p[c] - quad[q][c] / 255.0f) > tol)
                fail_msg("quadrant %d channel %d: %f, want %f", q, c, p[c],
                         quad[q][c] / 255.0f);
    }
}

static void test_heif_enc_lossless(void **state)
{
    uint8_t rgb[QW * QH * 3];
    tu_png spec = {QW, QH, PNG_COLOR_TYPE_RGB, 8, 0, rgb};
    st_image_info info;
    size_t n, size;
    uint8_t *png, *heic;
    st_image *img;
    (void)state;

    if (!have_heif_enc())
        skip();
    quad_rgb(rgb, QW, QH);
    png = tu_png_encode(&spec, &n);
    assert_int_equal(tu_write_file(tu_path("quad.png"), png, n), 0);
    heic = heif_enc("-L -p chroma=444 --matrix_coefficients=0",
                    tu_path("quad.png"), tu_path("quad.heic"), &size);
    assert_non_null(heic);
    img = tu_decode(heic, size, &info);
    assert_int_equal(info.format, ST_FORMAT_HEIF);
    assert_int_equal(img->width, QW);
    assert_int_equal(img->height, QH);
    assert_int_equal(img->channels, 3);
    assert_int_equal(info.orientation, 1);
    assert_int_equal(info.pages, 1);
    /* heif-enc 1.15's -L moves some samples by one level (libheif's own
     * heif-convert decodes the same values), so: within 2/255 of the
     * source, and exactly what libheif's reference tool decodes */
    {
        char cmd[1024];
        uint8_t *ref_png;
        size_t ref_size;
        st_image *ref;
        snprintf(cmd, sizeof cmd, "heif-convert '%s' '%s' >/dev/null 2>&1",
                 tu_path("quad.heic"), tu_path("quad-ref.png"));
        assert_int_equal(system(cmd), 0);
        ref_png = tu_read_file(tu_path("quad-ref.png"), &ref_size);
        assert_non_null(ref_png);
        ref = tu_decode(ref_png, ref_size, NULL);
        assert_int_equal(ref->width, QW);
        for (int y = 0; y < QH; y++)
            for (int x = 0; x < QW; x++)
                for (int c = 0; c < 3; c++) {
                    float v = st_image_pixel(img, x, y)[c];
                    assert_float_equal(v, rgb[3 * (y * QW + x) + c] / 255.0f,
                                       2.0f / 255.0f + 1e-6f);
                    assert_float_equal(v, st_image_pixel(ref, x, y)[c], 1e-6);
                }
        st_image_free(ref);
        free(ref_png);
    }
    st_image_free(img);

    /* header only: format and size, no pixels */
    memset(&info, 0, sizeof info);
    assert_int_equal(st_io_read_memory(heic, size, NULL, NULL, &info, NULL),
                     ST_OK);
    assert_int_equal(info.width, QW);
    assert_int_equal(info.height, QH);
    free(png);
    free(heic);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* A 16-bit PNG ramp of 1024 ten-bit levels through heif-enc -b 10. */
static void test_heif_10bit(void **state)
{
    enum { RW = 1024, RH = 4 };
    uint16_t *s = malloc(sizeof *s * RW * RH * 3);
    tu_png spec = {RW, RH, PNG_COLOR_TYPE_RGB, 16, 0, s};
    st_image_info info;
    size_t n, size;
    uint8_t *png, *heic;
    st_image *img;
    float *vals = malloc(sizeof *vals * RW);
    int distinct = 0;
    (void)state;

    if (!have_heif_enc())
        skip();
    for (int y = 0; y < RH; y++)
        for (int x = 0; x < RW; x++)
            for (int c = 0; c < 3; c++)
                s[3 * (y * RW + x) + c] =
                    (uint16_t)lround(x * 65535.0 / 1023.0);
    png = tu_png_encode(&spec, &n);
    assert_int_equal(tu_write_file(tu_path("ramp.png"), png, n), 0);
    heic = heif_enc("-b 10 -L -p chroma=444 --matrix_coefficients=0",
                    tu_path("ramp.png"), tu_path("ramp.heic"), &size);
    assert_non_null(heic);
    img = tu_decode(heic, size, &info);
    assert_int_equal(info.bit_depth, 10);
    for (int x = 0; x < RW; x++) {
        float v = st_image_pixel(img, x, 1)[1];
        /* within half a 10-bit step of the ramp */
        assert_float_equal(v, x / 1023.0f, 0.5f / 1023.0f + 1e-6f);
        vals[x] = v;
    }
    qsort(vals, RW, sizeof *vals, cmp_float);
    for (int x = 0; x < RW; x++)
        distinct += x == 0 || vals[x] != vals[x - 1];
    /* an 8-bit path could give at most 256 */
    assert_true(distinct >= 1000);
    st_image_free(img);
    free(png);
    free(heic);
    free(vals);
    free(s);
}

/* ---- files made with libheif's encoding API (tests/testformats.c) ---- */

/* Lossless 8-bit RGB HEIC with the given orientation, Exif, ICC, nclx
 * primaries. */
static uint8_t *api_encode(const uint8_t *rgb, int w, int h, int orientation,
                           const uint8_t *exif, size_t exif_size,
                           const uint8_t *icc, size_t icc_size, int primaries,
                           size_t *size)
{
    tu_heif spec = {w, h,           3,    8,         rgb, 1,        0,
                    0, orientation, exif, exif_size, icc, icc_size, primaries};
    uint8_t *d = tu_heif_encode(&spec, size);
    assert_non_null(d);
    return d;
}

/* What phones write: the sensor's pixels (here: the upright picture turned
 * 90 degrees anticlockwise), irot saying "turn 90 clockwise to display"
 * (orientation 6), and the Exif block saying the same. */
static void test_heif_orientation_trap(void **state)
{
    uint8_t up[QW * QH * 3], stored[QW * QH * 3], exif[512];
    size_t exif_size, size;
    st_image_info info;
    st_read_options opt;
    st_image *img;
    uint8_t *heic;
    (void)state;

    quad_rgb(up, QW, QH);
    /* stored is QH wide, QW tall: upright pixel (x, y) sits at stored
     * (sx, sy) = (y, QW - 1 - x); turning stored 90 degrees clockwise puts
     * it back at (x, y) (EXIF 6: row 0 is the visual right side... read in
     * reverse: the stored picture's first column is the top) */
    for (int y = 0; y < QH; y++)
        for (int x = 0; x < QW; x++) {
            int sx = y, sy = QW - 1 - x;
            memcpy(stored + 3 * ((size_t)sy * QH + sx),
                   up + 3 * ((size_t)y * QW + x), 3);
        }
    exif_size = tu_exif_build(exif, sizeof exif, 6, "2026:03:09 10:00:00",
                              "+01:00", 0, 0);
    assert_true(exif_size > 0);
    heic = api_encode(stored, QH, QW, 6, exif, exif_size, NULL, 0, 0, &size);

    img = tu_decode(heic, size, &info);
    assert_int_equal(img->width, QW);
    assert_int_equal(img->height, QH);
    assert_int_equal(info.orientation, 1); /* Exif's 6 not applied again */
    assert_true(info.has_exif);
    assert_string_equal(info.datetime_original, "2026-03-09T10:00:00+01:00");
    for (int y = 0; y < QH; y++)
        for (int x = 0; x < QW; x++)
            for (int c = 0; c < 3; c++)
                assert_float_equal(st_image_pixel(img, x, y)[c],
                                   up[3 * (y * QW + x) + c] / 255.0f, 1e-6);
    st_image_free(img);

    /* header only: the upright size */
    assert_int_equal(st_io_read_memory(heic, size, NULL, NULL, &info, NULL),
                     ST_OK);
    assert_int_equal(info.width, QW);
    assert_int_equal(info.height, QH);

    /* ignore_orientation: the pixels as stored */
    st_read_options_init(&opt);
    opt.ignore_orientation = 1;
    assert_int_equal(st_io_read_memory(heic, size, &opt, &img, &info, NULL),
                     ST_OK);
    assert_int_equal(img->width, QH);
    assert_int_equal(img->height, QW);
    for (int c = 0; c < 3; c++)
        assert_float_equal(st_image_pixel(img, 5, 7)[c],
                           stored[3 * (7 * QH + 5) + c] / 255.0f, 1e-6);
    st_image_free(img);
    free(heic);
}

/* ---- Display P3 ---- */

static const uint8_t skin[6][3] = {{224, 172, 150}, {198, 134, 110},
                                   {141, 85, 66},   {92, 58, 45},
                                   {236, 120, 110}, {120, 160, 200}};
#define NSKIN 6
#define PATCH 8

/* sRGB colours -> Display P3 (the profile tu_icc_profile makes), 8-bit. */
static void to_p3(uint8_t out[NSKIN][3])
{
    size_t n;
    uint8_t *icc = tu_icc_profile("display-p3", &n);
    cmsHPROFILE p3 = cmsOpenProfileFromMem(icc, (cmsUInt32Number)n);
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_DBL, p3, TYPE_RGB_DBL,
                                         INTENT_RELATIVE_COLORIMETRIC, 0);
    assert_non_null(t);
    for (int i = 0; i < NSKIN; i++) {
        double in[3], o[3];
        for (int c = 0; c < 3; c++)
            in[c] = skin[i][c] / 255.0;
        cmsDoTransform(t, in, o, 1);
        for (int c = 0; c < 3; c++) {
            assert_true(o[c] > 0.0 && o[c] < 1.0); /* in both gamuts */
            out[i][c] = (uint8_t)lround(o[c] * 255.0);
        }
    }
    cmsDeleteTransform(t);
    cmsCloseProfile(srgb);
    cmsCloseProfile(p3);
    free(icc);
}

static void patches(uint8_t *rgb, uint8_t col[NSKIN][3])
{
    for (int y = 0; y < PATCH; y++)
        for (int x = 0; x < NSKIN * PATCH; x++)
            memcpy(rgb + 3 * ((size_t)y * NSKIN * PATCH + x), col[x / PATCH],
                   3);
}

/* Each patch's centre in CIELAB against the sRGB colour's. */
static void expect_skin_lab(const st_image *img, const char *what)
{
    for (int i = 0; i < NSKIN; i++) {
        const float *p = st_image_pixel(img, i * PATCH + PATCH / 2, PATCH / 2);
        double got[3] = {p[0], p[1], p[2]}, want[3], lg[3], lw[3], de;
        for (int c = 0; c < 3; c++)
            want[c] = skin[i][c] / 255.0;
        st_color_srgb_to_lab(got, lg);
        st_color_srgb_to_lab(want, lw);
        de = sqrt((lg[0] - lw[0]) * (lg[0] - lw[0]) +
                  (lg[1] - lw[1]) * (lg[1] - lw[1]) +
                  (lg[2] - lw[2]) * (lg[2] - lw[2]));
        if (de >= 1.0)
            fail_msg("%s: patch %d delta E %.3f", what, i, de);
    }
}

static void test_heif_display_p3(void **state)
{
    uint8_t p3[NSKIN][3], rgb[NSKIN * PATCH * PATCH * 3];
    size_t icc_size, size, n;
    uint8_t *icc = tu_icc_profile("display-p3", &icc_size);
    st_image_info info;
    st_image *img;
    uint8_t *heic;
    (void)state;

    to_p3(p3);
    patches(rgb, p3);
    /* 1. ICC profile (what iPhones write), through libheif's API */
    heic = api_encode(rgb, NSKIN * PATCH, PATCH, 1, NULL, 0, icc, icc_size, 0,
                      &size);
    img = tu_decode(heic, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    expect_skin_lab(img, "P3 ICC");
    st_image_free(img);
    free(heic);

    /* 2. nclx box: primaries 12 (SMPTE EG 432-1, Display P3), sRGB curve */
    heic =
        api_encode(rgb, NSKIN * PATCH, PATCH, 1, NULL, 0, NULL, 0, 12, &size);
    img = tu_decode(heic, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_NCLX);
    expect_skin_lab(img, "P3 nclx");
    st_image_free(img);
    free(heic);

    /* 3. heif-enc from a PNG with the P3 profile in iCCP */
    if (have_heif_enc()) {
        tu_png spec = {NSKIN * PATCH, PATCH, PNG_COLOR_TYPE_RGB, 8, 0, rgb};
        uint8_t *png;
        spec.icc = icc;
        spec.icc_size = icc_size;
        png = tu_png_encode(&spec, &n);
        assert_int_equal(tu_write_file(tu_path("p3.png"), png, n), 0);
        heic = heif_enc("-L -p chroma=444 --matrix_coefficients=0",
                        tu_path("p3.png"), tu_path("p3.heic"), &size);
        img = tu_decode(heic, size, &info);
        assert_int_equal(info.color_source, ST_COLOR_ICC);
        expect_skin_lab(img, "heif-enc P3");
        st_image_free(img);
        free(heic);
        free(png);
    }
    free(icc);
}

/* AVIF through heif-enc (aom), lossy: flat quadrants within 3/255. */
static void test_avif(void **state)
{
    uint8_t rgb[QW * QH * 3];
    tu_png spec = {QW, QH, PNG_COLOR_TYPE_RGB, 8, 0, rgb};
    st_image_info info;
    size_t n, size;
    uint8_t *png, *avif;
    st_image *img;
    (void)state;

    if (!have_heif_enc())
        skip();
    quad_rgb(rgb, QW, QH);
    png = tu_png_encode(&spec, &n);
    assert_int_equal(tu_write_file(tu_path("quad-a.png"), png, n), 0);
    avif = heif_enc("-A -q 95 -p chroma=444", tu_path("quad-a.png"),
                    tu_path("quad.avif"), &size);
    assert_non_null(avif);
    img = tu_decode(avif, size, &info);
    assert_int_equal(info.format, ST_FORMAT_HEIF);
    assert_int_equal(img->width, QW);
    expect_quads(img, 4.0f / 255.0f);
    st_image_free(img);
    free(png);
    free(avif);
}

/* ---- damage ---- */

static void expect_clean_failure(const uint8_t *d, size_t n, const char *what)
{
    st_image *img = (st_image *)&img;
    st_error err = {0};
    st_status s = st_io_read_memory(d, n, NULL, &img, NULL, &err);
    if (s == ST_OK) {
        /* a cut after the last byte the picture needs may still read */
        st_image_free(img);
        return;
    }
    if (img != NULL)
        fail_msg("%s: *out not NULL after failure", what);
    if (err.status != s || !err.message[0])
        fail_msg("%s: no message", what);
    if (strchr(err.message, '\n'))
        fail_msg("%s: message not one line: %s", what, err.message);
}

static void test_heif_truncated(void **state)
{
    uint8_t up[QW * QH * 3], exif[512];
    size_t size, exif_size;
    uint8_t *heic;
    int failed = 0;
    (void)state;

    quad_rgb(up, QW, QH);
    exif_size =
        tu_exif_build(exif, sizeof exif, 6, "2026:03:09 10:00:00", NULL, 0, 0);
    heic = api_encode(up, QW, QH, 6, exif, exif_size, NULL, 0, 0, &size);
    for (size_t n = 0; n < size; n += n < 512 ? 1 : 7) {
        uint8_t *cut = malloc(n ? n : 1);
        char what[64];
        st_image *img = NULL;
        memcpy(cut, heic, n);
        snprintf(what, sizeof what, "HEIC cut to %zu of %zu", n, size);
        expect_clean_failure(cut, n, what);
        if (st_io_read_memory(cut, n, NULL, &img, NULL, NULL) != ST_OK)
            failed++;
        st_image_free(img);
        free(cut);
    }
    assert_true(failed > 0);
    free(heic);
}

/* The ispe box declares 9000 x 9000 (81 MP): refused by a 50 MP pixel
 * limit before libheif decodes anything; 60000 x 60000 is above libheif's
 * own security limit, also ST_ERR_TOO_LARGE. */
static void test_heif_huge_declared(void **state)
{
    uint8_t up[QW * QH * 3];
    size_t size;
    uint8_t *heic, *ispe = NULL;
    st_read_options opt;
    st_error err = {0};
    st_image *img = NULL;
    (void)state;

    quad_rgb(up, QW, QH);
    heic = api_encode(up, QW, QH, 1, NULL, 0, NULL, 0, 0, &size);
    /* every ispe box (a coded image and its crop may each have one) */
    for (int pass = 0; pass < 2; pass++) {
        int found = 0;
        for (size_t i = 0; i + 16 <= size; i++) {
            if (memcmp(heic + i, "ispe", 4) != 0)
                continue;
            ispe = heic + i + 8;        /* after type and version/flags */
            for (int k = 0; k < 2; k++) /* big-endian 9000, then 60000 */
                ispe[4 * k] = 0, ispe[4 * k + 1] = 0,
                         ispe[4 * k + 2] = pass ? 0xea : 0x23,
                         ispe[4 * k + 3] = pass ? 0x60 : 0x28;
            found++;
        }
        assert_true(found > 0);
        if (pass == 0) {
            st_read_options_init(&opt);
            opt.max_megapixels = 50;
            assert_int_equal(
                st_io_read_memory(heic, size, &opt, &img, NULL, &err),
                ST_ERR_TOO_LARGE);
            assert_null(img);
            assert_non_null(strstr(err.message, "megapixels"));
            img = (st_image *)&img;
        }
    }
    assert_int_equal(st_io_read_memory(heic, size, NULL, &img, NULL, &err),
                     ST_ERR_TOO_LARGE);
    assert_null(img);
    free(heic);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heif_enc_lossless),
        cmocka_unit_test(test_heif_10bit),
        cmocka_unit_test(test_heif_orientation_trap),
        cmocka_unit_test(test_heif_display_p3),
        cmocka_unit_test(test_avif),
        cmocka_unit_test(test_heif_truncated),
        cmocka_unit_test(test_heif_huge_declared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
