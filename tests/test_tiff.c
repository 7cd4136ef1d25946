/* skintrack tests — TIFF reading (libtiff).
 *
 * Every file is written here with libtiff itself (and tiffcp and exiftool
 * where a tool is the natural writer) from samples the test chose, then read
 * with skintrack. Truth:
 *   - a b-bit sample v reads as v / (2^b - 1), exactly up to float rounding
 *     (1e-6), for every compression without loss, striped or tiled, so a
 *     16-bit file keeps its 16 bits;
 *   - CMYK without a profile follows R = (1 - C)(1 - K);
 *   - a palette image reads its palette's colours (8-bit colormap entries
 *     scaled by 257, as the TIFF specification stores them);
 *   - JPEG-compressed YCbCr reads flat colours within the codec's error;
 *   - the Orientation tag puts each stored pixel where the EXIF
 *     specification's words say (tu_exif_upright);
 *   - an embedded Display P3 profile gives the sRGB colours the samples
 *     were made from (lcms2 reference, 16-bit quantisation: 2e-4);
 *   - damage fails cleanly (truncations, huge declared sizes, float
 *     samples).
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
#include <tiffio.h>

#include "testformats.h"
#include "testutil.h"

#define W 40
#define H 37

static uint64_t rng = 0x2545f4914f6cdd1du;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

typedef tu_tiff spec;

static void write_tiff(const char *path, const spec *s)
{
    assert_int_equal(tu_tiff_write(path, s), 0);
}

/* Random samples, written, read, compared with v / (2^bits - 1). */
static void round_trip(int spp, int bps, int photometric, int compression,
                       int tile, int alpha, const char *what)
{
    size_t n = (size_t)W * H * (size_t)spp;
    uint16_t *s16 = malloc(n * sizeof *s16);
    uint8_t *s8 = malloc(n);
    spec s = {W, H, spp, bps, photometric, compression, tile, 5, 0, alpha};
    unsigned maxv = (1u << bps) - 1;
    st_image_info info;
    st_image *img;
    uint8_t *file;
    size_t size;

    for (size_t i = 0; i < n; i++) {
        s16[i] = (uint16_t)(next_rand() % (maxv + 1));
        s8[i] = (uint8_t)s16[i];
    }
    s16[0] = 0, s16[1] = (uint16_t)maxv, s8[0] = 0, s8[1] = (uint8_t)maxv;
    s.samples = bps == 16 ? (const void *)s16 : (const void *)s8;
    write_tiff(tu_path("rt.tif"), &s);
    file = tu_read_file(tu_path("rt.tif"), &size);
    assert_non_null(file);
    img = tu_decode(file, size, &info);
    assert_int_equal(info.format, ST_FORMAT_TIFF);
    assert_int_equal(info.bit_depth, bps);
    assert_int_equal(img->width, W);
    assert_int_equal(img->height, H);
    assert_int_equal(img->channels, spp);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < spp; c++) {
                size_t i = ((size_t)y * W + (size_t)x) * (size_t)spp + c;
                float want = (bps == 16 ? s16[i] : s8[i]) / (float)maxv;
                float got = st_image_pixel(img, x, y)[c];
                if (fabsf(got - want) > 1e-6f)
                    fail_msg("%s: (%d,%d,%d) %f, want %f", what, x, y, c, got,
                             want);
            }
    st_image_free(img);
    free(file);
    free(s16);
    free(s8);
}

static void test_layouts(void **state)
{
    static const int comps[] = {COMPRESSION_NONE, COMPRESSION_LZW,
                                COMPRESSION_ADOBE_DEFLATE,
                                COMPRESSION_PACKBITS};
    (void)state;
    for (size_t k = 0; k < sizeof comps / sizeof comps[0]; k++) {
        char what[64];
        if (!TIFFIsCODECConfigured((uint16_t)comps[k]))
            continue;
        for (int tile = 0; tile <= 16; tile += 16) {
            snprintf(what, sizeof what, "compression %d tile %d", comps[k],
                     tile);
            round_trip(1, 8, PHOTOMETRIC_MINISBLACK, comps[k], tile, 0, what);
            round_trip(1, 16, PHOTOMETRIC_MINISBLACK, comps[k], tile, 0, what);
            round_trip(2, 8, PHOTOMETRIC_MINISBLACK, comps[k], tile, 1, what);
            round_trip(3, 8, PHOTOMETRIC_RGB, comps[k], tile, 0, what);
            round_trip(3, 16, PHOTOMETRIC_RGB, comps[k], tile, 0, what);
            round_trip(4, 8, PHOTOMETRIC_RGB, comps[k], tile, 1, what);
            round_trip(4, 16, PHOTOMETRIC_RGB, comps[k], tile, 1, what);
        }
    }
}

/* 16 bits kept: a ramp of 4096 levels 16 apart reads as 4096 values. */
static void test_16bit_precision(void **state)
{
    enum { RW = 4096 };
    uint16_t *s = malloc(RW * sizeof *s);
    spec sp = {RW, 1, 1, 16, PHOTOMETRIC_MINISBLACK, COMPRESSION_LZW};
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    for (int x = 0; x < RW; x++)
        s[x] = (uint16_t)(x * 16);
    sp.samples = s;
    write_tiff(tu_path("ramp16.tif"), &sp);
    file = tu_read_file(tu_path("ramp16.tif"), &size);
    img = tu_decode(file, size, NULL);
    for (int x = 1; x < RW; x++) {
        float a = st_image_pixel(img, x - 1, 0)[0];
        float b = st_image_pixel(img, x, 0)[0];
        assert_true(b > a); /* 8 bits would merge 16 neighbours */
        assert_float_equal(b, x * 16 / 65535.0f, 1e-6);
    }
    st_image_free(img);
    free(file);
    free(s);
}

static void test_cmyk(void **state)
{
    uint8_t px[W * H * 4];
    spec s = {W, H, 4, 8, PHOTOMETRIC_SEPARATED, COMPRESSION_LZW, 0, 8};
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)next_rand();
    s.samples = px;
    write_tiff(tu_path("cmyk.tif"), &s);
    file = tu_read_file(tu_path("cmyk.tif"), &size);
    img = tu_decode(file, size, NULL);
    assert_int_equal(img->channels, 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint8_t *p = px + 4 * ((size_t)y * W + x);
            for (int c = 0; c < 3; c++)
                assert_float_equal(st_image_pixel(img, x, y)[c],
                                   (1 - p[c] / 255.0) * (1 - p[3] / 255.0),
                                   1e-6);
        }
    st_image_free(img);
    free(file);
}

/* A palette image goes through libtiff's RGBA reader. */
static void test_palette(void **state)
{
    uint16_t r[256], g[256], b[256];
    uint8_t idx[W * H];
    TIFF *t = TIFFOpen(tu_path("pal.tif"), "w");
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    for (int i = 0; i < 256; i++)
        r[i] = (uint16_t)(i * 257), g[i] = (uint16_t)((255 - i) * 257),
        b[i] = (uint16_t)((i * 7 % 256) * 257);
    for (size_t i = 0; i < sizeof idx; i++)
        idx[i] = (uint8_t)next_rand();
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)W);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)H);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_PALETTE);
    TIFFSetField(t, TIFFTAG_COLORMAP, r, g, b);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)H);
    for (int y = 0; y < H; y++)
        TIFFWriteScanline(t, idx + y * W, (uint32_t)y, 0);
    TIFFClose(t);
    file = tu_read_file(tu_path("pal.tif"), &size);
    img = tu_decode(file, size, NULL);
    assert_int_equal(img->channels, 3);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int i = idx[y * W + x];
            const float *p = st_image_pixel(img, x, y);
            assert_float_equal(p[0], r[i] / 65535.0f, 1e-6);
            assert_float_equal(p[1], g[i] / 65535.0f, 1e-6);
            assert_float_equal(p[2], b[i] / 65535.0f, 1e-6);
        }
    st_image_free(img);
    free(file);
}

/* JPEG-in-TIFF, YCbCr 4:2:0 as libtiff writes it: flat blocks. */
static void test_jpeg_ycbcr(void **state)
{
    static const uint8_t cols[4][3] = {
        {200, 40, 30}, {30, 180, 60}, {40, 60, 210}, {230, 210, 40}};
    enum { JW = 64, JH = 64 };
    uint8_t *px = malloc(JW * JH * 3);
    spec s = {JW, JH, 3, 8, PHOTOMETRIC_YCBCR, COMPRESSION_JPEG, 0, 16};
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    if (!TIFFIsCODECConfigured(COMPRESSION_JPEG))
        skip();
    for (int y = 0; y < JH; y++)
        for (int x = 0; x < JW; x++)
            memcpy(px + 3 * (y * JW + x),
                   cols[(y >= JH / 2) * 2 + (x >= JW / 2)], 3);
    s.samples = px;
    write_tiff(tu_path("jpeg.tif"), &s);
    file = tu_read_file(tu_path("jpeg.tif"), &size);
    img = tu_decode(file, size, NULL);
    assert_int_equal(img->channels, 3);
    for (int q = 0; q < 4; q++) {
        const float *p = st_image_pixel(img, (q % 2) * JW / 2 + JW / 4,
                                        (q / 2) * JH / 2 + JH / 4);
        for (int c = 0; c < 3; c++)
            assert_float_equal(p[c], cols[q][c] / 255.0f, 4.0f / 255.0f);
    }
    st_image_free(img);
    free(file);
    free(px);
}

static void test_orientation(void **state)
{
    uint8_t px[W * H];
    (void)state;
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)next_rand();
    for (int o = 1; o <= 8; o++) {
        spec s = {W,
                  H,
                  1,
                  8,
                  PHOTOMETRIC_MINISBLACK,
                  COMPRESSION_NONE,
                  o % 2 ? 16 : 0,
                  7,
                  o};
        st_image_info info;
        uint8_t *file;
        size_t size;
        st_image *img;
        int uw, uh, ux, uy;
        s.samples = px;
        write_tiff(tu_path("orient.tif"), &s);
        file = tu_read_file(tu_path("orient.tif"), &size);
        img = tu_decode(file, size, &info);
        assert_int_equal(info.orientation, o);
        tu_exif_upright(o, W, H, 0, 0, &ux, &uy, &uw, &uh);
        assert_int_equal(img->width, uw);
        assert_int_equal(img->height, uh);
        for (int r = 0; r < H; r++)
            for (int c = 0; c < W; c++) {
                tu_exif_upright(o, W, H, r, c, &ux, &uy, &uw, &uh);
                assert_float_equal(st_image_pixel(img, ux, uy)[0],
                                   px[r * W + c] / 255.0f, 1e-6);
            }
        st_image_free(img);
        free(file);
    }
}

/* 16-bit RGB samples in Display P3 with the profile embedded. */
static void test_icc(void **state)
{
    static const double srgb[3][3] = {
        {0.85, 0.62, 0.55}, {0.45, 0.30, 0.25}, {0.30, 0.50, 0.70}};
    size_t icc_size;
    uint8_t *icc = tu_icc_profile("display-p3", &icc_size);
    cmsHPROFILE p3 = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    cmsHPROFILE s = cmsCreate_sRGBProfile();
    cmsHTRANSFORM t = cmsCreateTransform(s, TYPE_RGB_DBL, p3, TYPE_RGB_DBL,
                                         INTENT_RELATIVE_COLORIMETRIC, 0);
    uint16_t px[3 * 3];
    spec sp = {3, 1, 3, 16, PHOTOMETRIC_RGB, COMPRESSION_NONE};
    st_image_info info;
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    for (int i = 0; i < 3; i++) {
        double o[3];
        cmsDoTransform(t, srgb[i], o, 1);
        for (int c = 0; c < 3; c++)
            px[3 * i + c] = (uint16_t)lround(o[c] * 65535.0);
    }
    sp.samples = px;
    sp.icc = icc;
    sp.icc_size = icc_size;
    write_tiff(tu_path("p3.tif"), &sp);
    file = tu_read_file(tu_path("p3.tif"), &size);
    img = tu_decode(file, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 3; c++)
            assert_float_equal(st_image_pixel(img, i, 0)[c], srgb[i][c], 2e-4);
    st_image_free(img);
    free(file);
    cmsDeleteTransform(t);
    cmsCloseProfile(s);
    cmsCloseProfile(p3);
    free(icc);
}

/* Two pages: the first is read, info counts both. */
static void test_pages_and_date(void **state)
{
    uint8_t px[W * H * 3];
    spec s = {W, H, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 0, 0, 0, 2};
    st_image_info info;
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)next_rand();
    s.samples = px;
    write_tiff(tu_path("pages.tif"), &s);
    file = tu_read_file(tu_path("pages.tif"), &size);
    img = tu_decode(file, size, &info);
    assert_int_equal(info.pages, 3);
    assert_float_equal(st_image_pixel(img, 3, 4)[1],
                       px[3 * (4 * W + 3) + 1] / 255.0f, 1e-6);
    st_image_free(img);
    free(file);

    /* exiftool writes the EXIF directory; header-only read finds the date */
    if (system("command -v exiftool >/dev/null 2>&1") == 0) {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "exiftool -q -overwrite_original "
                 "-DateTimeOriginal='2026:02:09 10:00:00' "
                 "-OffsetTimeOriginal=+01:00 '%s'",
                 tu_path("pages.tif"));
        assert_int_equal(system(cmd), 0);
        file = tu_read_file(tu_path("pages.tif"), &size);
        memset(&info, 0, sizeof info);
        assert_int_equal(st_io_read_memory(file, size, NULL, NULL, &info, NULL),
                         ST_OK);
        assert_string_equal(info.datetime_original,
                            "2026-02-09T10:00:00+01:00");
        assert_int_equal(info.width, W);
        img = tu_decode(file, size, &info);
        assert_string_equal(info.datetime_original,
                            "2026-02-09T10:00:00+01:00");
        assert_float_equal(st_image_pixel(img, 3, 4)[1],
                           px[3 * (4 * W + 3) + 1] / 255.0f, 1e-6);
        st_image_free(img);
        free(file);
    }
}

/* tiffcp (libtiff-tools) retiles and recompresses: same pixels. */
static void test_tiffcp(void **state)
{
    uint16_t px[W * H * 3];
    spec s = {W, H, 3, 16, PHOTOMETRIC_RGB, COMPRESSION_NONE};
    char cmd[512];
    uint8_t *file;
    size_t size;
    st_image *img;
    (void)state;

    if (system("command -v tiffcp >/dev/null 2>&1") != 0)
        skip();
    for (size_t i = 0; i < W * H * 3; i++)
        px[i] = (uint16_t)next_rand();
    s.samples = px;
    write_tiff(tu_path("plain.tif"), &s);
    snprintf(cmd, sizeof cmd, "tiffcp -c zip -t -w 16 -l 16 '%s' '%s'",
             tu_path("plain.tif"), tu_path("tiled.tif"));
    assert_int_equal(system(cmd), 0);
    file = tu_read_file(tu_path("tiled.tif"), &size);
    img = tu_decode(file, size, NULL);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                assert_float_equal(st_image_pixel(img, x, y)[c],
                                   px[3 * (y * W + x) + c] / 65535.0f, 1e-6);
    st_image_free(img);
    free(file);
}

/* ---- damage ---- */

static void test_truncated(void **state)
{
    uint8_t px[W * H * 3];
    spec s = {W, H, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 16, 0, 6};
    uint8_t *file;
    size_t size;
    int failed = 0;
    (void)state;

    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)next_rand();
    s.samples = px;
    write_tiff(tu_path("cut.tif"), &s);
    file = tu_read_file(tu_path("cut.tif"), &size);
    for (size_t n = 0; n < size; n += n < 600 ? 1 : 5) {
        uint8_t *cut = malloc(n ? n : 1);
        st_image *img = (st_image *)&img;
        st_error err = {0};
        st_status st;
        memcpy(cut, file, n);
        st = st_io_read_memory(cut, n, NULL, &img, NULL, &err);
        if (st == ST_OK) {
            st_image_free(img);
        } else {
            failed++;
            if (img || !err.message[0] || err.status != st)
                fail_msg("cut to %zu: bad failure (%d, \"%s\")", n, st,
                         err.message);
        }
        free(cut);
    }
    assert_true(failed > 0);
    free(file);
}

static void test_huge_and_float(void **state)
{
    uint8_t px[4 * 4 * 3] = {0};
    float fpx[4 * 4] = {0};
    spec s = {4, 4, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_NONE};
    spec f = {4, 4, 1, 32, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE};
    uint8_t *file;
    size_t size;
    st_image *img = (st_image *)&img;
    st_error err = {0};
    (void)state;

    /* the IFD says 50000 x 50000; the strip is tiny */
    s.samples = px;
    write_tiff(tu_path("small.tif"), &s);
    file = tu_read_file(tu_path("small.tif"), &size);
    for (size_t i = 8; i + 12 <= size; i++) {
        /* ImageWidth (256) and ImageLength (257), LONG or SHORT, little-
         * endian: patch the value field */
        if ((file[i] == 0x00 || file[i] == 0x01) && file[i + 1] == 0x01 &&
            (file[i + 2] == 3 || file[i + 2] == 4) && file[i + 3] == 0 &&
            file[i + 4] == 1 && file[i + 5] == 0 && file[i + 6] == 0 &&
            file[i + 7] == 0 && file[i + 8] == 4) {
            file[i + 8] = 0x50, file[i + 9] = 0xc3; /* 50000 */
        }
    }
    assert_int_equal(st_io_read_memory(file, size, NULL, &img, NULL, &err),
                     ST_ERR_TOO_LARGE);
    assert_null(img);
    assert_non_null(strstr(err.message, "megapixels"));
    free(file);

    f.samples = fpx;
    f.sampleformat = SAMPLEFORMAT_IEEEFP;
    write_tiff(tu_path("float.tif"), &f);
    file = tu_read_file(tu_path("float.tif"), &size);
    img = (st_image *)&img;
    assert_int_equal(st_io_read_memory(file, size, NULL, &img, NULL, &err),
                     ST_ERR_UNSUPPORTED);
    assert_null(img);
    assert_non_null(strstr(err.message, "floating-point"));
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_16bit_precision),
        cmocka_unit_test(test_cmyk),
        cmocka_unit_test(test_palette),
        cmocka_unit_test(test_jpeg_ycbcr),
        cmocka_unit_test(test_orientation),
        cmocka_unit_test(test_icc),
        cmocka_unit_test(test_pages_and_date),
        cmocka_unit_test(test_tiffcp),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_huge_and_float),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
