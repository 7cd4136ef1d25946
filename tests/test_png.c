/* skintrack tests — PNG reading and writing.
 *
 * Every PNG layout is written with libpng itself and read with skintrack's
 * reader. Truth: a b-bit sample v must read as v / (2^b - 1) (libpng
 * expands 1/2/4-bit grey by bit replication, which is exactly this scale),
 * so the comparison is exact up to float rounding (1e-6).
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

#define W 13
#define H 7

static uint64_t rng = 0x9e3779b97f4a7c15u;
static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static int ctype_channels(int ct)
{
    return ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
           : ct == PNG_COLOR_TYPE_RGB      ? 3
           : ct == PNG_COLOR_TYPE_RGBA     ? 4
                                           : 1;
}

/* Writes a W x H image of random samples in the given layout, reads it and
 * compares every sample with v / (2^bits - 1). */
static void round_trip(int ct, int bits, int interlace)
{
    int ch = ctype_channels(ct);
    size_t n = (size_t)W * H * (size_t)ch;
    unsigned maxv = (1u << bits) - 1;
    uint16_t *s16 = malloc(n * sizeof *s16);
    uint8_t *s8 = malloc(n);
    tu_png spec = {W, H, ct, bits, interlace, NULL};
    st_image_info info;
    st_image *img;
    uint8_t *png;
    size_t size;

    for (size_t i = 0; i < n; i++) {
        s16[i] = (uint16_t)(next_rand() % (maxv + 1));
        s8[i] = (uint8_t)s16[i];
    }
    s16[0] = 0, s8[0] = 0; /* both ends of the range */
    s16[1] = (uint16_t)maxv, s8[1] = (uint8_t)maxv;
    spec.samples = bits == 16 ? (const void *)s16 : (const void *)s8;
    spec.trns_gray = -1;
    png = tu_png_encode(&spec, &size);
    assert_non_null(png);
    img = tu_decode(png, size, &info);
    assert_int_equal(img->width, W);
    assert_int_equal(img->height, H);
    assert_int_equal(img->channels, ch);
    assert_int_equal(info.bit_depth, bits);
    assert_int_equal(info.format, ST_FORMAT_PNG);
    assert_int_equal(info.color_source, ST_COLOR_ASSUMED_SRGB);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < ch; c++) {
                size_t i = ((size_t)y * W + (size_t)x) * (size_t)ch + (size_t)c;
                double want = (double)s16[i] / maxv;
                double got = st_image_pixel(img, x, y)[c];
                if (fabs(got - want) > 1e-6)
                    fail_msg("type %d, %d bits, interlace %d: (%d,%d,%d) = "
                             "%.7f, want %.7f",
                             ct, bits, interlace, x, y, c, got, want);
            }
    st_image_free(img);
    free(png);
    free(s16);
    free(s8);
}

static void test_gray_all_depths(void **state)
{
    (void)state;
    int depths[] = {1, 2, 4, 8, 16};
    for (int i = 0; i < 5; i++) {
        round_trip(PNG_COLOR_TYPE_GRAY, depths[i], 0);
        round_trip(PNG_COLOR_TYPE_GRAY, depths[i], 1);
    }
}

static void test_color_layouts(void **state)
{
    (void)state;
    int types[] = {PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                   PNG_COLOR_TYPE_RGBA};
    for (int t = 0; t < 3; t++)
        for (int bits = 8; bits <= 16; bits += 8)
            for (int il = 0; il < 2; il++)
                round_trip(types[t], bits, il);
}

/* 16-bit samples one step apart must stay apart: not truncated to 8. */
static void test_16bit_precision(void **state)
{
    uint16_t s[W * H];
    tu_png spec = {W, H, PNG_COLOR_TYPE_GRAY, 16, 0, s};
    st_image *img;
    uint8_t *png;
    size_t size;
    (void)state;

    for (int i = 0; i < W * H; i++)
        s[i] = (uint16_t)(30000 + i); /* all share the same high byte run */
    spec.trns_gray = -1;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, NULL);
    for (int i = 1; i < W * H; i++) {
        float a = st_image_pixel(img, (i - 1) % W, (i - 1) / W)[0];
        float b = st_image_pixel(img, i % W, i / W)[0];
        assert_true(b > a);
        assert_float_equal(b - a, 1.0 / 65535.0, 2e-7);
    }
    st_image_free(img);
    free(png);
}

/* Palette images at every depth, with tRNS alpha on some entries. */
static void test_palette_trns(void **state)
{
    uint8_t pal[16 * 3], trns[5] = {0, 64, 128, 200, 255};
    uint8_t idx[W * H];
    (void)state;

    for (int i = 0; i < 16 * 3; i++)
        pal[i] = (uint8_t)(next_rand() & 0xff);
    for (int bits = 1; bits <= 8; bits *= 2) {
        int entries = bits >= 4 ? 16 : 1 << bits;
        for (int with_trns = 0; with_trns < 2; with_trns++) {
            tu_png spec = {W, H, PNG_COLOR_TYPE_PALETTE, bits, bits == 8, idx};
            int ntrns = entries < 5 ? entries - 1 : 5;
            st_image *img;
            uint8_t *png;
            size_t size;

            for (int i = 0; i < W * H; i++)
                idx[i] = (uint8_t)(next_rand() % (unsigned)entries);
            spec.palette = pal;
            spec.palette_size = entries;
            spec.trns = with_trns ? trns : NULL;
            spec.trns_size = ntrns;
            spec.trns_gray = -1;
            png = tu_png_encode(&spec, &size);
            assert_non_null(png);
            img = tu_decode(png, size, NULL);
            assert_int_equal(img->channels, with_trns ? 4 : 3);
            for (int i = 0; i < W * H; i++) {
                const float *p = st_image_pixel(img, i % W, i / W);
                for (int c = 0; c < 3; c++)
                    assert_float_equal(p[c], pal[3 * idx[i] + c] / 255.0, 1e-6);
                if (with_trns) {
                    double a = idx[i] < ntrns ? trns[idx[i]] / 255.0 : 1.0;
                    assert_float_equal(p[3], a, 1e-6);
                }
            }
            st_image_free(img);
            free(png);
        }
    }
}

/* A grey tRNS value becomes a second (alpha) channel, 0 where it matches. */
static void test_gray_trns(void **state)
{
    uint8_t s[W * H];
    tu_png spec = {W, H, PNG_COLOR_TYPE_GRAY, 8, 0, s};
    st_image *img;
    uint8_t *png;
    size_t size;
    (void)state;

    for (int i = 0; i < W * H; i++)
        s[i] = (uint8_t)(i % 4 == 0 ? 77 : i);
    spec.trns_gray = 77;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, NULL);
    assert_int_equal(img->channels, 2);
    for (int i = 0; i < W * H; i++)
        assert_float_equal(st_image_pixel(img, i % W, i / W)[1],
                           s[i] == 77 ? 0.0 : 1.0, 0);
    st_image_free(img);
    free(png);
}

/* gAMA 1.0 means the samples are linear light: they must read back as the
 * sRGB encoding of v / 255 (IEC 61966-2-1). lcms2 evaluates the curves in
 * float, so 2e-4 covers its arithmetic; a wrong curve errs by > 0.05. */
static void test_gama_linear(void **state)
{
    uint8_t s[W * H * 3];
    tu_png spec = {W, H, PNG_COLOR_TYPE_RGB, 8, 0, s};
    st_image_info info;
    st_image *img;
    uint8_t *png;
    size_t size;
    (void)state;

    for (int i = 0; i < W * H * 3; i++)
        s[i] = (uint8_t)((i * 37) % 256);
    spec.trns_gray = -1;
    spec.gamma = 1.0;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_GAMA_CHRM);
    for (int i = 0; i < W * H * 3; i++) {
        double want = st_color_linear_to_srgb(s[i] / 255.0);
        double got = st_image_pixel(img, (i / 3) % W, (i / 3) / W)[i % 3];
        if (fabs(got - want) > 2e-4)
            fail_msg("sample %d: %.6f, want %.6f", i, got, want);
    }
    st_image_free(img);
    free(png);
}

/* An sRGB chunk wins over gAMA and leaves samples untouched. */
static void test_srgb_chunk(void **state)
{
    uint8_t s[W * H];
    tu_png spec = {W, H, PNG_COLOR_TYPE_GRAY, 8, 0, s};
    st_image_info info;
    st_image *img;
    uint8_t *png;
    size_t size;
    (void)state;

    for (int i = 0; i < W * H; i++)
        s[i] = (uint8_t)(i * 2);
    spec.trns_gray = -1;
    spec.srgb = 1;
    spec.gamma = 0.45455;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_SRGB_CHUNK);
    for (int i = 0; i < W * H; i++)
        assert_float_equal(st_image_pixel(img, i % W, i / W)[0], s[i] / 255.0,
                           1e-6);
    st_image_free(img);
    free(png);
}

/* skintrack's writer at 8 and 16 bits, every channel count: samples on the
 * output grid (k / 255, k / 65535) come back exactly. */
static void test_writer_round_trip(void **state)
{
    (void)state;
    for (int bits = 8; bits <= 16; bits += 8)
        for (int ch = 1; ch <= 4; ch++) {
            double scale = bits == 16 ? 65535.0 : 255.0;
            st_image *img, *back;
            st_image_info info;
            st_error err = {0};
            const char *path = tu_path("writer.png");

            assert_int_equal(st_image_new(&img, W, H, ch, &err), ST_OK);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W * ch; x++)
                    st_image_pixel(img, 0, y)[x] =
                        (float)((double)(next_rand() % (unsigned)(scale + 1)) /
                                scale);
            assert_int_equal(st_io_write_png(path, img, bits, &err), ST_OK);
            assert_int_equal(st_io_read(path, NULL, &back, &info, &err), ST_OK);
            assert_int_equal(info.bit_depth, bits);
            assert_int_equal(info.color_source, ST_COLOR_SRGB_CHUNK);
            assert_int_equal(back->channels, ch);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W * ch; x++)
                    assert_float_equal(st_image_pixel(back, 0, y)[x],
                                       st_image_pixel(img, 0, y)[x], 1e-6);
            st_image_free(img);
            st_image_free(back);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gray_all_depths),
        cmocka_unit_test(test_color_layouts),
        cmocka_unit_test(test_16bit_precision),
        cmocka_unit_test(test_palette_trns),
        cmocka_unit_test(test_gray_trns),
        cmocka_unit_test(test_gama_linear),
        cmocka_unit_test(test_srgb_chunk),
        cmocka_unit_test(test_writer_round_trip),
    };
    return cmocka_run_group_tests_name("png", tests, NULL, NULL);
}
