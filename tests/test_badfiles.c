/* skintrack tests — damaged, hostile and mislabelled input files.
 *
 * Every bad input is built here from a valid file made with libpng or
 * libjpeg (tests/testutil.c) whose layout is known: the byte offsets of its
 * chunks and markers are found by walking the file, so each damage is put
 * exactly where the test means it to be. Truth for each case:
 *   - the reader returns the status the cause implies (a cut file is
 *     ST_ERR_CORRUPT, a claimed size above the limit ST_ERR_TOO_LARGE, ...),
 *     and err holds the same status and a one-line message naming the cause;
 *   - *out is NULL (it is set to a non-NULL sentinel before each call);
 *   - nothing crashes or leaks (checked by the sanitizer build).
 * Each damaged file gets a control: the undamaged file reads, so a failure
 * is caused by the damage and not by the test's own file.
 *
 * Truncated copies live in buffers of exactly their size, so a reader that
 * looks past the end is caught by AddressSanitizer.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <png.h>

#include "testutil.h"

#define W 64
#define H 48

static st_image sentinel_image;
#define SENTINEL (&sentinel_image)

static uint64_t rng_state;
static void rng_seed(uint64_t seed)
{
    rng_state = seed ? seed : 0x9e3779b97f4a7c15u;
}
static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* CRC-32 of ISO 3309 / PNG spec annex D (the Makefile links libpng without
 * zlib, so zlib's crc32 is not available to the tests). A wrong CRC would
 * make libpng report a CRC error instead of the size: the IHDR test below
 * fails if this function is wrong. */
static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

/* Every buffer a test allocates is kept here until the test's teardown,
 * so a failed assertion (which leaves the test at once) leaks nothing and
 * the leak checker reports only the library's own leaks. */
#define MAX_KEPT 64
static void *kept[MAX_KEPT];

static void *keep(void *p)
{
    assert_non_null(p);
    for (int i = 0; i < MAX_KEPT; i++)
        if (!kept[i]) {
            kept[i] = p;
            return p;
        }
    free(p);
    fail_msg("too many kept buffers");
    return NULL;
}

static void release(void *p)
{
    for (int i = 0; i < MAX_KEPT; i++)
        if (kept[i] && kept[i] == p) {
            free(p);
            kept[i] = NULL;
            return;
        }
    fail_msg("releasing a buffer that was not kept");
}

static int release_all(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_KEPT; i++) {
        free(kept[i]);
        kept[i] = NULL;
    }
    return 0;
}

/* ---- valid inputs ---- */

/* W x H RGB gradient with some texture, so the compressed data is not
 * trivially short. */
static uint8_t *rgb_samples(void)
{
    uint8_t *s = malloc((size_t)W * H * 3);
    assert_non_null(s);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = s + ((size_t)y * W + (size_t)x) * 3;
            p[0] = (uint8_t)(x * 255 / (W - 1));
            p[1] = (uint8_t)(y * 255 / (H - 1));
            p[2] = (uint8_t)((x * 7 + y * 13) & 0xff);
        }
    return s;
}

static uint8_t *make_png(size_t *size)
{
    uint8_t *s = rgb_samples();
    tu_png spec = {W, H, PNG_COLOR_TYPE_RGB, 8, 0, s};
    uint8_t *png;
    spec.trns_gray = -1;
    png = tu_png_encode(&spec, size);
    free(s);
    return keep(png);
}

/* Interlaced 16-bit RGBA: the reader's other path (whole image at once). */
static uint8_t *make_png_interlaced16(size_t *size)
{
    uint16_t *s = malloc((size_t)W * H * 4 * sizeof *s);
    tu_png spec = {W, H, PNG_COLOR_TYPE_RGBA, 16, 1, NULL};
    uint8_t *png;
    assert_non_null(s);
    for (size_t i = 0; i < (size_t)W * H * 4; i++)
        s[i] = (uint16_t)(i * 2654435761u >> 7);
    spec.samples = s;
    spec.trns_gray = -1;
    png = tu_png_encode(&spec, size);
    free(s);
    return keep(png);
}

static uint8_t *make_jpeg_spec(size_t *size, int subsample, const uint8_t *icc,
                               size_t icc_size, const uint8_t *exif,
                               size_t exif_size)
{
    uint8_t *s = rgb_samples();
    tu_jpeg spec = {W, H,   3,        s,    90,       subsample,
                    0, icc, icc_size, exif, exif_size};
    uint8_t *jpg = tu_jpeg_encode(&spec, size);
    free(s);
    return keep(jpg);
}

static uint8_t *make_jpeg(size_t *size)
{
    return make_jpeg_spec(size, 0, NULL, 0, NULL, 0);
}

/* A copy in a buffer of exactly n bytes (one byte allocated for n = 0). */
static uint8_t *exact_copy(const uint8_t *data, size_t n)
{
    uint8_t *p = keep(malloc(n ? n : 1));
    if (n)
        memcpy(p, data, n);
    return p;
}

/* ---- expectations ---- */

/* Reads data and requires failure with status want and a message holding
 * every one of the words (NULL-terminated list). what names the case. */
static void expect_fail_opt(const uint8_t *data, size_t size,
                            const st_read_options *opt, st_status want,
                            const char *what, const char *word, ...)
{
    st_image *img = SENTINEL;
    st_image_info info;
    st_error err = {0};
    st_status s = st_io_read_memory(data, size, opt, &img, &info, &err);
    va_list ap;

    if (s == ST_OK) {
        st_image_free(img);
        fail_msg("%s: read succeeded, want status %d", what, want);
    }
    if (img != NULL)
        fail_msg("%s: *out not NULL after failure", what);
    if (s != want)
        fail_msg("%s: status %d (%s), want %d; message \"%s\"", what, s,
                 st_strerror(s), want, err.message);
    if (err.status != s)
        fail_msg("%s: err.status %d differs from the returned %d", what,
                 err.status, s);
    if (!err.message[0])
        fail_msg("%s: empty error message", what);
    va_start(ap, word);
    for (const char *w = word; w; w = va_arg(ap, const char *))
        if (!strstr(err.message, w)) {
            va_end(ap);
            fail_msg("%s: message \"%s\" lacks \"%s\"", what, err.message, w);
        }
    va_end(ap);
}

#define expect_fail(data, size, want, what, ...)                               \
    expect_fail_opt(data, size, NULL, want, what, __VA_ARGS__, (char *)NULL)

/* Reads data and requires success with the given upright size. */
static void expect_ok_opt(const uint8_t *data, size_t size,
                          const st_read_options *opt, int w, int h,
                          st_image_info *info_out, const char *what)
{
    st_image *img = NULL;
    st_image_info info;
    st_error err = {0};
    st_status s = st_io_read_memory(data, size, opt, &img, &info, &err);
    int gw, gh;
    if (s != ST_OK)
        fail_msg("%s: read failed: %s", what, st_error_text(&err));
    assert_non_null(img);
    gw = img->width;
    gh = img->height;
    st_image_free(img);
    if (gw != w || gh != h)
        fail_msg("%s: %dx%d, want %dx%d", what, gw, gh, w, h);
    if (info_out)
        *info_out = info;
}

/* A failed read that may have any status fit for bad bytes, but must still
 * say something and hand back nothing. Returns the status. */
static st_status expect_some_fail(const uint8_t *data, size_t size,
                                  const char *what)
{
    st_image *img = SENTINEL;
    st_error err = {0};
    st_status s = st_io_read_memory(data, size, NULL, &img, NULL, &err);
    if (s == ST_OK) {
        st_image_free(img);
        fail_msg("%s: garbage read as an image", what);
    }
    if (img != NULL)
        fail_msg("%s: *out not NULL after failure", what);
    if (s != ST_ERR_FORMAT && s != ST_ERR_CORRUPT && s != ST_ERR_UNSUPPORTED &&
        s != ST_ERR_TOO_LARGE && s != ST_ERR_COLOR)
        fail_msg("%s: status %d (%s) is not one for bad data: \"%s\"", what, s,
                 st_strerror(s), err.message);
    if (err.status != s || !err.message[0])
        fail_msg("%s: err not filled (status %d, \"%s\")", what, err.status,
                 err.message);
    return s;
}

/* ---- file layout ---- */

/* Offset of the first PNG chunk of the given type, or 0. */
static size_t png_find_chunk(const uint8_t *png, size_t size, const char *type)
{
    size_t at = 8;
    while (at + 12 <= size) {
        uint32_t len = get_be32(png + at);
        if (memcmp(png + at + 4, type, 4) == 0)
            return at;
        at += 12 + (size_t)len;
    }
    return 0;
}

/* Offset just past the CRC of the last IDAT chunk. */
static size_t png_end_of_idat(const uint8_t *png, size_t size)
{
    size_t at = 8, end = 0;
    while (at + 12 <= size) {
        uint32_t len = get_be32(png + at);
        if (memcmp(png + at + 4, "IDAT", 4) == 0)
            end = at + 12 + len;
        at += 12 + (size_t)len;
    }
    assert_true(end > 0);
    return end;
}

/* Offset of the first JPEG marker FF code (segments walked from SOI up to
 * SOS), or 0. */
static size_t jpeg_find_marker(const uint8_t *jpg, size_t size, int code)
{
    size_t at = 2;
    while (at + 4 <= size && jpg[at] == 0xff) {
        if (jpg[at + 1] == code)
            return at;
        if (jpg[at + 1] == 0xda)
            return 0;
        at += 2 + ((size_t)jpg[at + 2] << 8 | jpg[at + 3]);
    }
    return 0;
}

/* ---- truncation ---- */

/* Cuts data at every offset. Below the magic length the bytes are not
 * recognised (FORMAT, or "empty file" at 0); from there to data_end (the
 * end of the image data) the read must fail as truncated; past data_end a
 * cut may succeed, and if it fails it must still say "truncated". */
static void truncate_everywhere(const uint8_t *data, size_t size,
                                size_t magic_len, size_t data_end,
                                const char *name)
{
    int cases = 0;
    assert_true(data_end <= size);
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = exact_copy(data, n);
        char what[96];
        snprintf(what, sizeof what, "%s cut to %zu of %zu bytes", name, n,
                 size);
        if (n == 0) {
            expect_fail(cut, n, ST_ERR_FORMAT, what, "empty");
        } else if (n < magic_len) {
            expect_fail(cut, n, ST_ERR_FORMAT, what,
                        "not a photo skintrack reads");
        } else if (n < data_end) {
            expect_fail(cut, n, ST_ERR_CORRUPT, what, "truncated");
        } else {
            st_image *img = SENTINEL;
            st_error err = {0};
            st_status s = st_io_read_memory(cut, n, NULL, &img, NULL, &err);
            if (s == ST_OK) {
                int w = img ? img->width : -1;
                st_image_free(img);
                assert_true(w == W || w == H); /* upright, maybe turned */
            } else {
                expect_fail(cut, n, ST_ERR_CORRUPT, what, "truncated");
            }
        }
        release(cut);
        cases++;
    }
    assert_true(cases >= 30);
}

static void test_truncated_png(void **state)
{
    size_t size;
    uint8_t *png = make_png(&size);
    (void)state;
    expect_ok_opt(png, size, NULL, W, H, NULL, "whole PNG");
    truncate_everywhere(png, size, 8, png_end_of_idat(png, size), "PNG");
    release(png);
}

static void test_truncated_png_interlaced(void **state)
{
    size_t size;
    uint8_t *png = make_png_interlaced16(&size);
    (void)state;
    expect_ok_opt(png, size, NULL, W, H, NULL, "whole interlaced PNG");
    truncate_everywhere(png, size, 8, png_end_of_idat(png, size),
                        "interlaced 16-bit PNG");
    release(png);
}

/* The image data of a JPEG ends at its EOI marker, the last two bytes. */
static void truncate_jpeg(const uint8_t *jpg, size_t size, const char *name)
{
    assert_true(size > 4);
    assert_int_equal(jpg[size - 2], 0xff);
    assert_int_equal(jpg[size - 1], 0xd9);
    truncate_everywhere(jpg, size, 3, size - 2, name);
}

static void test_truncated_jpeg(void **state)
{
    size_t size;
    uint8_t *jpg = make_jpeg(&size);
    (void)state;
    expect_ok_opt(jpg, size, NULL, W, H, NULL, "whole JPEG");
    truncate_jpeg(jpg, size, "JPEG 4:4:4");
    release(jpg);
}

/* 4:2:0 with EXIF (orientation 6) and an ICC profile: cuts land inside
 * APP1 and APP2 too. */
static void test_truncated_jpeg_markers(void **state)
{
    uint8_t exif[256];
    size_t exif_size = tu_exif_build(exif, sizeof exif, 6,
                                     "2026:03:14 09:30:00", "+01:00", 0, 1);
    size_t icc_size, size;
    uint8_t *icc = keep(tu_icc_profile("srgb", &icc_size));
    uint8_t *jpg;
    (void)state;
    assert_non_null(icc);
    jpg = make_jpeg_spec(&size, 1, icc, icc_size, exif, exif_size);
    expect_ok_opt(jpg, size, NULL, H, W, NULL, "whole JPEG with EXIF/ICC");
    truncate_jpeg(jpg, size, "JPEG 4:2:0 with EXIF/ICC");
    release(jpg);
    release(icc);
}

/* ---- empty and garbage ---- */

static void test_empty(void **state)
{
    uint8_t *one = exact_copy(NULL, 0);
    (void)state;
    expect_fail(NULL, 0, ST_ERR_FORMAT, "NULL, 0 bytes", "empty");
    expect_fail(one, 0, ST_ERR_FORMAT, "0 bytes", "empty");
    release(one);
}

static void test_empty_file(void **state)
{
    const char *path = tu_path("empty.jpg");
    st_image *img = SENTINEL;
    st_error err = {0};
    (void)state;
    assert_int_equal(tu_write_file(path, "", 0), 0);
    assert_int_equal(st_io_read(path, NULL, &img, NULL, &err), ST_ERR_FORMAT);
    assert_null(img);
    assert_int_equal(err.status, ST_ERR_FORMAT);
    assert_non_null(strstr(err.message, "empty"));
}

static void test_random_garbage(void **state)
{
    (void)state;
    rng_seed(12345);
    for (int i = 0; i < 300; i++) {
        size_t n = 1 + rng_next() % (i < 100 ? 16 : 5000);
        uint8_t *g = keep(malloc(n));
        char what[64];
        for (size_t k = 0; k < n; k++)
            g[k] = (uint8_t)rng_next();
        g[0] = 0x01; /* no magic of any format starts with 0x01 */
        snprintf(what, sizeof what, "garbage #%d (%zu bytes)", i, n);
        expect_fail(g, n, ST_ERR_FORMAT, what, "not a photo skintrack reads");
        release(g);
    }
}

/* A magic number followed by noise: the decoder must give up cleanly. */
static void test_garbage_after_magic(void **state)
{
    static const uint8_t jpeg_magic[3] = {0xff, 0xd8, 0xff};
    static const uint8_t png_magic[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    int by_status[16] = {0};
    (void)state;
    rng_seed(777);
    for (int i = 0; i < 400; i++) {
        int png = i & 1;
        size_t magic = png ? 8 : 3;
        size_t n = magic + 1 + rng_next() % (i < 100 ? 32 : 4000);
        uint8_t *g = keep(malloc(n));
        char what[64];
        memcpy(g, png ? png_magic : jpeg_magic, magic);
        for (size_t k = magic; k < n; k++)
            g[k] = (uint8_t)rng_next();
        snprintf(what, sizeof what, "%s magic + %zu noise bytes",
                 png ? "PNG" : "JPEG", n - magic);
        by_status[expect_some_fail(g, n, what)]++;
        release(g);
    }
    /* Noise after a PNG signature is never an IHDR chunk with a valid CRC;
     * noise after a JPEG SOI is damage, not an unknown format. */
    assert_true(by_status[ST_ERR_CORRUPT] >= 390);
}

/* Exact causes for a few hand-made headers. */
static void test_magic_only(void **state)
{
    static const uint8_t soi_eoi[4] = {0xff, 0xd8, 0xff, 0xd9};
    static const uint8_t png_no_ihdr[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,
        0,    0,   'I', 'E', 'N',  'D',  0xae, 0x42, 0x60, 0x82};
    uint8_t *a = exact_copy(soi_eoi, sizeof soi_eoi);
    uint8_t *b = exact_copy(png_no_ihdr, sizeof png_no_ihdr);
    (void)state;
    /* libjpeg: "JPEG datastream contains no image" */
    expect_fail(a, sizeof soi_eoi, ST_ERR_FORMAT, "SOI+EOI", "JPEG", "image");
    expect_fail(b, sizeof png_no_ihdr, ST_ERR_CORRUPT, "PNG without IHDR",
                "PNG", "IEND");
    release(a);
    release(b);
}

/* Valid JPEG headers, entropy-coded data replaced by noise. */
static void test_jpeg_garbage_scan(void **state)
{
    size_t size, sos;
    uint8_t *jpg = make_jpeg(&size);
    (void)state;
    sos = jpeg_find_marker(jpg, size, 0xda);
    assert_true(sos > 0);
    sos += 2 + ((size_t)jpg[sos + 2] << 8 | jpg[sos + 3]);
    rng_seed(99);
    for (int i = 0; i < 20; i++) {
        for (size_t k = sos; k < size - 2; k++)
            jpg[k] = (uint8_t)rng_next();
        expect_fail(jpg, size, ST_ERR_CORRUPT, "JPEG with noise as scan data",
                    "JPEG");
    }
    release(jpg);
}

/* ---- damaged chunks ---- */

/* A flipped bit in the middle of the IDAT data: zlib's own check (or a
 * bad deflate code) sees it before libpng reaches the chunk CRC. */
static void test_png_idat_flipped(void **state)
{
    size_t size, idat;
    uint8_t *png = make_png(&size);
    (void)state;
    idat = png_find_chunk(png, size, "IDAT");
    assert_true(idat > 0);
    assert_true(get_be32(png + idat) > 20);
    png[idat + 8 + get_be32(png + idat) / 2] ^= 0x10;
    expect_fail(png, size, ST_ERR_CORRUPT, "PNG with a flipped IDAT byte",
                "PNG");
    release(png);
}

/* IDAT data intact, its CRC wrong. */
static void test_png_idat_crc(void **state)
{
    size_t size, idat;
    uint8_t *png = make_png(&size);
    (void)state;
    idat = png_find_chunk(png, size, "IDAT");
    assert_true(idat > 0);
    png[idat + 8 + get_be32(png + idat) + 2] ^= 0x40;
    expect_fail(png, size, ST_ERR_CORRUPT, "PNG with a wrong IDAT CRC", "CRC");
    release(png);
}

/* The same flip with the CRC recomputed: only zlib can see the damage
 * (a bad code, or the Adler-32 check at the end of the stream). Reading on
 * would hand back wrong pixels as if the file were good. */
static void test_png_idat_zlib_damage(void **state)
{
    size_t size, idat;
    uint8_t *png = make_png(&size);
    uint32_t len;
    (void)state;
    idat = png_find_chunk(png, size, "IDAT");
    len = get_be32(png + idat);
    assert_true(len > 20);
    /* the last byte of the Adler-32 trailer of the zlib stream (single
     * IDAT): the pixels decode, only the checksum disagrees */
    assert_true(idat + 12 + len + 8 <= size);
    assert_memory_not_equal(png + idat + 12 + len + 4, "IDAT", 4);
    png[idat + 8 + len - 1] ^= 0x01;
    put_be32(png + idat + 8 + len, crc32_png(png + idat + 4, 4 + (size_t)len));
    expect_fail(png, size, ST_ERR_CORRUPT,
                "PNG with a bad zlib Adler-32 (chunk CRC right)", "PNG");
    release(png);
}

/* IHDR claiming width x height, CRC recomputed so libpng accepts it. */
static uint8_t *png_with_ihdr_size(uint32_t width, uint32_t height,
                                   size_t *size)
{
    uint8_t *png = make_png(size);
    assert_int_equal(png_find_chunk(png, *size, "IHDR"), 8);
    put_be32(png + 16, width);
    put_be32(png + 20, height);
    put_be32(png + 29, crc32_png(png + 12, 17));
    return png;
}

static void test_png_huge_ihdr(void **state)
{
    size_t size;
    uint8_t *png;
    clock_t t0;
    double seconds;
    (void)state;

    /* control: the CRC helper reproduces libpng's own CRC */
    png = make_png(&size);
    assert_int_equal(crc32_png(png + 12, 17), get_be32(png + 29));
    release(png);

    png = png_with_ihdr_size(100000, 100000, &size);
    t0 = clock();
    expect_fail(png, size, ST_ERR_TOO_LARGE, "PNG claiming 100000x100000",
                "megapixels", "100000x100000");
    seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (seconds > 0.5)
        fail_msg("refusing the huge PNG took %.2f s", seconds);
    release(png);
}

/* A side above ST_IMAGE_MAX_SIDE is refused as too large whatever the
 * pixel limit (2,000,000 x 1 is only 2 megapixels). */
static void test_png_side_above_max(void **state)
{
    size_t size;
    uint8_t *png = png_with_ihdr_size(2 * ST_IMAGE_MAX_SIDE, 1, &size);
    (void)state;
    expect_fail(png, size, ST_ERR_TOO_LARGE, "PNG claiming 2000000x1", "limit");
    release(png);
}

static void test_jpeg_huge_sof(void **state)
{
    size_t size, sof;
    uint8_t *jpg = make_jpeg(&size);
    clock_t t0;
    double seconds;
    (void)state;
    sof = jpeg_find_marker(jpg, size, 0xc0);
    assert_true(sof > 0);
    /* FF C0, length (2), precision (1), height (2), width (2) */
    assert_int_equal(jpg[sof + 5] << 8 | jpg[sof + 6], H);
    assert_int_equal(jpg[sof + 7] << 8 | jpg[sof + 8], W);
    jpg[sof + 5] = 60000 >> 8;
    jpg[sof + 6] = 60000 & 0xff;
    jpg[sof + 7] = 60000 >> 8;
    jpg[sof + 8] = 60000 & 0xff;
    t0 = clock();
    expect_fail(jpg, size, ST_ERR_TOO_LARGE, "JPEG claiming 60000x60000",
                "megapixels", "60000x60000");
    seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (seconds > 0.5)
        fail_msg("refusing the huge JPEG took %.2f s", seconds);
    release(jpg);
}

static void test_pixel_limit_option(void **state)
{
    size_t psize, jsize;
    uint8_t *png = make_png(&psize), *jpg = make_jpeg(&jsize);
    st_read_options opt;
    (void)state;

    st_read_options_init(&opt);
    opt.max_megapixels = 0.001; /* 1000 pixels; the images have 3072 */
    expect_fail_opt(png, psize, &opt, ST_ERR_TOO_LARGE, "PNG above 0.001 MP",
                    "megapixels", (char *)NULL);
    expect_fail_opt(jpg, jsize, &opt, ST_ERR_TOO_LARGE, "JPEG above 0.001 MP",
                    "megapixels", (char *)NULL);
    opt.max_megapixels = 0.003072; /* exactly W * H: allowed */
    expect_ok_opt(png, psize, &opt, W, H, NULL, "PNG at the limit");
    expect_ok_opt(jpg, jsize, &opt, W, H, NULL, "JPEG at the limit");
    opt.max_megapixels = 0.003071;
    expect_fail_opt(png, psize, &opt, ST_ERR_TOO_LARGE, "PNG one pixel above",
                    "megapixels", (char *)NULL);
    opt.max_megapixels = 0; /* no limit */
    expect_ok_opt(png, psize, &opt, W, H, NULL, "PNG without a limit");
    opt.max_megapixels = -1;
    expect_fail_opt(png, psize, &opt, ST_ERR_INVALID, "negative limit", "limit",
                    (char *)NULL);
    release(png);
    release(jpg);
}

/* The message names the limit the caller set, not a rounded 0.0. */
static void test_pixel_limit_message(void **state)
{
    size_t size;
    uint8_t *png = make_png(&size);
    st_read_options opt;
    (void)state;
    st_read_options_init(&opt);
    opt.max_megapixels = 0.001;
    expect_fail_opt(png, size, &opt, ST_ERR_TOO_LARGE, "PNG above 0.001 MP",
                    "64x48", "0.001", (char *)NULL);
    release(png);
}

/* ---- files on disk ---- */

static void test_wrong_extension(void **state)
{
    size_t psize, jsize;
    uint8_t *png = make_png(&psize), *jpg = make_jpeg(&jsize);
    const char *ppath = tu_path("really-a-png.jpg");
    const char *jpath = tu_path("really-a-jpeg.png");
    st_image *img = NULL;
    int w, h;
    st_image_info info;
    st_error err = {0};
    (void)state;

    assert_int_equal(tu_write_file(ppath, png, psize), 0);
    assert_int_equal(tu_write_file(jpath, jpg, jsize), 0);
    assert_int_equal(st_io_read(ppath, NULL, &img, &info, &err), ST_OK);
    w = img->width;
    h = img->height;
    st_image_free(img);
    assert_int_equal(info.format, ST_FORMAT_PNG);
    assert_int_equal(w, W);
    assert_int_equal(h, H);
    assert_int_equal(st_io_read(jpath, NULL, &img, &info, &err), ST_OK);
    w = img->width;
    st_image_free(img);
    assert_int_equal(info.format, ST_FORMAT_JPEG);
    assert_int_equal(w, W);
    release(png);
    release(jpg);
}

static void test_missing_path(void **state)
{
    st_image *img = SENTINEL;
    st_error err = {0};
    (void)state;
    assert_int_equal(
        st_io_read(tu_path("no-such-file.jpg"), NULL, &img, NULL, &err),
        ST_ERR_IO);
    assert_null(img);
    assert_int_equal(err.status, ST_ERR_IO);
    assert_non_null(strstr(err.message, "No such file"));
}

static void test_directory_path(void **state)
{
    const char *dir = tu_path("a-folder.jpg");
    st_image *img = SENTINEL;
    st_error err = {0};
    (void)state;
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(st_io_read(dir, NULL, &img, NULL, &err), ST_ERR_IO);
    assert_null(img);
    assert_non_null(strstr(err.message, "directory"));
}

static void test_null_arguments(void **state)
{
    st_image *img = SENTINEL;
    st_error err = {0};
    (void)state;
    assert_int_equal(st_io_read(NULL, NULL, &img, NULL, &err), ST_ERR_INVALID);
    assert_null(img);
    img = SENTINEL;
    assert_int_equal(st_io_read_memory(NULL, 10, NULL, &img, NULL, &err),
                     ST_ERR_INVALID);
    assert_null(img);
    /* out NULL reads the header only, and still judges the bytes */
    assert_int_equal(st_io_read_memory("x", 1, NULL, NULL, NULL, &err),
                     ST_ERR_FORMAT);
    /* err may be NULL */
    img = SENTINEL;
    assert_int_equal(st_io_read_memory("x", 1, NULL, &img, NULL, NULL),
                     ST_ERR_FORMAT);
    assert_null(img);
}

/* ---- other formats ---- */

static void test_other_formats(void **state)
{
    static const struct {
        const char *name, *word;
        size_t size;
        const char bytes[32];
    } cases[] = {
        {"WebP", "WebP", 32, "RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0\x30\x01"},
        {"GIF87a", "GIF", 16, "GIF87a\x40\0\x30\0\0\0\0"},
        {"GIF89a", "GIF", 16, "GIF89a\x40\0\x30\0\0\0\0"},
        {"BMP", "BMP", 32, "BM\x36\x24\0\0\0\0\0\0\x36\0\0\0\x28\0"},
        {"QuickTime", "ftyp", 32,
         "\0\0\0\x14"
         "ftypqt  \0\0\0\0qt  \0\0\0\0"},
    };
    /* Formats skintrack reads, cut to their signature: their own reader
     * must refuse them with a message naming the format. */
    static const struct {
        const char *name, *word;
        size_t size;
        const char bytes[32];
    } stubs[] = {
        {"HEIC", "HEIF", 32,
         "\0\0\0\x18"
         "ftypheic\0\0\0\0mif1heic\0\0\0\0\0\0\0"},
        {"HEIF mif1", "HEIF", 32,
         "\0\0\0\x18"
         "ftypmif1\0\0\0\0mif1heic\0\0\0\0\0\0\0"},
        {"AVIF", "HEIF", 32,
         "\0\0\0\x1c"
         "ftypavif\0\0\0\0avifmif1miaf"},
        {"TIFF LE", "TIFF", 16, "II*\0\x08\0\0\0\0\0"},
        {"TIFF BE", "TIFF", 16, "MM\0*\0\0\0\x08\0\0"},
        {"CR3", "raw", 32,
         "\0\0\0\x18"
         "ftypcrx \0\0\0\x01crx isom\0\0\0\0\0\0\0"},
        {"RAF", "raw", 32, "FUJIFILMCCD-RAW 0201FF129502"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *d = exact_copy((const uint8_t *)cases[i].bytes, cases[i].size);
        expect_fail(d, cases[i].size, ST_ERR_FORMAT, cases[i].name,
                    cases[i].word, "convert to JPEG, PNG or TIFF");
        release(d);
    }
    for (size_t i = 0; i < sizeof stubs / sizeof stubs[0]; i++) {
        uint8_t *d = exact_copy((const uint8_t *)stubs[i].bytes, stubs[i].size);
        st_image *img = SENTINEL;
        st_error err = {0};
        expect_some_fail(d, stubs[i].size, stubs[i].name);
        st_io_read_memory(d, stubs[i].size, NULL, &img, NULL, &err);
        if (!strstr(err.message, stubs[i].word))
            fail_msg("%s: message \"%s\" does not name %s", stubs[i].name,
                     err.message, stubs[i].word);
        release(d);
    }
}

/* ---- colour profiles ---- */

/* adobe-rgb profile with its 128-byte header scrambled. */
static uint8_t *scrambled_icc(size_t *size)
{
    uint8_t *icc = keep(tu_icc_profile("adobe-rgb", size));
    assert_true(*size > 132);
    assert_memory_equal(icc + 36, "acsp", 4);
    for (size_t i = 4; i < 128; i++)
        icc[i] = (uint8_t)(icc[i] * 37u + 11u + i);
    return icc;
}

static void test_jpeg_bad_icc(void **state)
{
    size_t icc_size, size;
    uint8_t *good = keep(tu_icc_profile("adobe-rgb", &icc_size));
    uint8_t *jpg, *bad;
    st_read_options opt;
    st_image_info info;
    (void)state;

    /* control: the intact profile is applied */
    jpg = make_jpeg_spec(&size, 0, good, icc_size, NULL, 0);
    expect_ok_opt(jpg, size, NULL, W, H, &info, "JPEG with Adobe RGB ICC");
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    release(jpg);

    bad = scrambled_icc(&icc_size);
    jpg = make_jpeg_spec(&size, 0, bad, icc_size, NULL, 0);
    expect_fail(jpg, size, ST_ERR_COLOR, "JPEG with a scrambled ICC header",
                "ICC");
    st_read_options_init(&opt);
    opt.ignore_color_profile = 1;
    expect_ok_opt(jpg, size, &opt, W, H, &info,
                  "JPEG with a scrambled ICC, profile ignored");
    assert_int_equal(info.color_source, ST_COLOR_IGNORED);
    release(jpg);
    release(bad);
    release(good);
}

/* Adler-32 (RFC 1950) for the hand-made zlib stream below. */
static uint32_t adler32_of(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return b << 16 | a;
}

/* png with an iCCP chunk holding profile inserted after IHDR. libpng will
 * not write a damaged profile, so the chunk is made by hand: name, method
 * 0, and a zlib stream of one stored deflate block. */
static uint8_t *png_with_iccp(const uint8_t *png, size_t size,
                              const uint8_t *profile, size_t plen,
                              size_t *out_size)
{
    static const char name[] = "damaged";
    size_t dlen = sizeof name + 1 + 2 + 5 + plen + 4;
    size_t n = size + 12 + dlen, at = 33;
    uint8_t *out, *c, *z;
    assert_true(plen < 65535);
    out = keep(malloc(n));
    memcpy(out, png, at); /* signature and IHDR */
    c = out + at;
    put_be32(c, (uint32_t)dlen);
    memcpy(c + 4, "iCCP", 4);
    memcpy(c + 8, name, sizeof name); /* with its NUL */
    z = c + 8 + sizeof name;
    z[0] = 0; /* compression method */
    z[1] = 0x78, z[2] = 0x01;
    z[3] = 0x01; /* final stored block */
    z[4] = (uint8_t)plen, z[5] = (uint8_t)(plen >> 8);
    z[6] = (uint8_t)~plen, z[7] = (uint8_t)(~plen >> 8);
    memcpy(z + 8, profile, plen);
    put_be32(z + 8 + plen, adler32_of(profile, plen));
    put_be32(c + 8 + dlen, crc32_png(c + 4, 4 + dlen));
    memcpy(c + 12 + dlen, png + at, size - at);
    *out_size = n;
    return out;
}

/* PNG with a damaged iCCP: as for JPEG, the colours cannot be known, so
 * the read fails with ST_ERR_COLOR unless the profile is ignored. */
static void test_png_bad_icc(void **state)
{
    size_t icc_size, size, psize, bsize;
    uint8_t *good = keep(tu_icc_profile("adobe-rgb", &icc_size));
    uint8_t *bad, *png = make_png(&size), *with;
    st_read_options opt;
    st_image_info info;
    (void)state;

    /* control: the hand-made chunk with the intact profile is applied */
    with = png_with_iccp(png, size, good, icc_size, &psize);
    expect_ok_opt(with, psize, NULL, W, H, &info, "PNG with hand-made iCCP");
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    release(with);

    bad = scrambled_icc(&bsize);
    with = png_with_iccp(png, size, bad, bsize, &psize);
    expect_fail(with, psize, ST_ERR_COLOR, "PNG with a scrambled iCCP header",
                "ICC");
    st_read_options_init(&opt);
    opt.ignore_color_profile = 1;
    expect_ok_opt(with, psize, &opt, W, H, &info, "PNG bad iCCP, ignored");
    release(with);
    release(bad);
    release(good);
    release(png);
}

/* An APP2 ICC marker with a bad sequence number (libjpeg warns
 * JWRN_BOGUS_ICC): a colour error, and ignore_color_profile reads it as the
 * message itself advises. */
static void test_jpeg_bogus_icc_marker(void **state)
{
    size_t icc_size, size, app2;
    uint8_t *icc = keep(tu_icc_profile("srgb", &icc_size));
    uint8_t *jpg;
    st_read_options opt;
    (void)state;
    jpg = make_jpeg_spec(&size, 0, icc, icc_size, NULL, 0);
    app2 = jpeg_find_marker(jpg, size, 0xe2);
    assert_true(app2 > 0);
    assert_memory_equal(jpg + app2 + 4, "ICC_PROFILE", 12);
    assert_int_equal(jpg[app2 + 16], 1); /* sequence number */
    jpg[app2 + 16] = 0;
    expect_fail(jpg, size, ST_ERR_COLOR, "JPEG with APP2 sequence number 0",
                "ICC");
    st_read_options_init(&opt);
    opt.ignore_color_profile = 1;
    expect_ok_opt(jpg, size, &opt, W, H, NULL,
                  "JPEG with a bogus APP2 marker, profile ignored");
    release(jpg);
    release(icc);
}

/* ---- resource bounds ---- */

/* A decompression bomb: a real, valid 12000 x 12000 1-bit grey PNG (144
 * megapixels, 18 MB of rows) that zlib squeezes into a few tens of kB. It
 * is refused from its IHDR as above the default 120 megapixels; a
 * header-only read reports its size without decoding; and a lower limit
 * refuses it too. */
static void test_png_decompression_bomb(void **state)
{
    enum { SIDE = 12000 };
    tu_membuf m = {0};
    png_structp png;
    png_infop pinfo;
    uint8_t *row = calloc(SIDE / 8, 1);
    st_image_info info;
    st_read_options opt;
    st_error err = {0};
    (void)state;

    assert_non_null(row);
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    assert_non_null(png);
    pinfo = png_create_info_struct(png);
    assert_non_null(pinfo);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng could not write the bomb");
    tu_png_write_to_memory(png, &m);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, pinfo, SIDE, SIDE, 1, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, pinfo);
    for (int y = 0; y < SIDE; y++)
        png_write_row(png, row);
    png_write_end(png, pinfo);
    png_destroy_write_struct(&png, &pinfo);
    free(row);
    keep(m.data);
    if (m.size > 200000)
        fail_msg("the bomb is %zu bytes, meant to be tiny", m.size);

    expect_fail(m.data, m.size, ST_ERR_TOO_LARGE, "a 144 MP PNG bomb",
                "megapixels", "12000x12000");
    /* the header alone is refused the same way; without a limit it gives
     * the size, decoding nothing */
    st_read_options_init(&opt);
    assert_int_equal(st_io_read_memory(m.data, m.size, &opt, NULL, &info, &err),
                     ST_ERR_TOO_LARGE);
    opt.max_megapixels = 0;
    assert_int_equal(st_io_read_memory(m.data, m.size, &opt, NULL, &info, &err),
                     ST_OK);
    assert_int_equal(info.width, SIDE);
    assert_int_equal(info.height, SIDE);
    opt.max_megapixels = 12;
    expect_fail_opt(m.data, m.size, &opt, ST_ERR_TOO_LARGE,
                    "the bomb with a 12 MP limit", "megapixels", NULL);
    release(m.data);
}

/* Little-endian TIFF helpers for hand-made EXIF blocks. */
static void put_le16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, v & 0xffff);
    put_le16(p + 2, v >> 16);
}

/* One IFD entry at p: tag, type (3 SHORT, 4 LONG), count 1, value. */
static void ifd_entry(uint8_t *p, unsigned tag, unsigned type, uint32_t value)
{
    put_le16(p, tag);
    put_le16(p + 2, type);
    put_le32(p + 4, 1);
    put_le32(p + 8, 0);
    if (type == 3)
        put_le16(p + 8, value);
    else
        put_le32(p + 8, value);
}

/* EXIF blocks that point into themselves: an IFD0 whose Exif IFD pointer
 * and next-IFD link both lead back to it, and a chain of 2 000 Exif IFD
 * pointers, one inside the next. libexif bounds its recursion; the photo
 * reads (the block is not worth refusing it over), quickly and without
 * exhausting the stack (AddressSanitizer would see that). A control block
 * with the same Orientation and no loop is applied. */
static void test_exif_loops_and_depth(void **state)
{
    enum { N = 2000 };
    static uint8_t exif[6 + 8 + 18 * N + 64];
    uint8_t *t = exif + 6;
    size_t size, n;
    uint8_t *jpg;
    st_image_info info;
    (void)state;

    memcpy(exif, "Exif\0\0", 6);
    memcpy(t, "II*\0", 4);
    put_le32(t + 4, 8);
    /* control: IFD0 with Orientation 6 only */
    put_le16(t + 8, 1);
    ifd_entry(t + 10, 0x0112, 3, 6);
    put_le32(t + 22, 0);
    n = 6 + 26;
    jpg = make_jpeg_spec(&size, 0, NULL, 0, exif, n);
    expect_ok_opt(jpg, size, NULL, H, W, &info, "EXIF control");
    assert_int_equal(info.orientation, 6);
    release(jpg);

    /* a loop: Exif IFD pointer and next IFD both back to IFD0 */
    put_le16(t + 8, 2);
    ifd_entry(t + 10, 0x0112, 3, 6);
    ifd_entry(t + 22, 0x8769, 4, 8);
    put_le32(t + 34, 8);
    n = 6 + 38;
    jpg = make_jpeg_spec(&size, 0, NULL, 0, exif, n);
    expect_ok_opt(jpg, size, NULL, info.width, info.height, &info,
                  "EXIF IFD0 pointing at itself");
    release(jpg);

    /* a chain N deep: IFD k's Exif pointer leads to IFD k + 1 */
    for (int k = 0; k < N; k++) {
        uint8_t *ifd = t + 8 + 18 * (size_t)k;
        put_le16(ifd, 1);
        ifd_entry(ifd + 2, 0x8769, 4,
                  k + 1 < N ? (uint32_t)(8 + 18 * (k + 1)) : 0);
        put_le32(ifd + 14, 0);
    }
    n = 6 + 8 + 18 * (size_t)N;
    assert_true(n < 65533); /* one APP1 segment */
    jpg = make_jpeg_spec(&size, 0, NULL, 0, exif, n);
    expect_ok_opt(jpg, size, NULL, W, H, &info, "EXIF IFDs 2000 deep");
    assert_int_equal(info.orientation, 1);
    release(jpg);
}

/* A PNG eXIf chunk of 2 MB (a valid block, padded) is above the 1 MB that
 * skintrack hands to the EXIF parser: it is left unparsed (orientation 1,
 * no EXIF) and the photo reads; the same block unpadded is applied. */
static void test_exif_huge_block(void **state)
{
    size_t big = (size_t)2 << 20, size;
    uint8_t *block = calloc(big, 1);
    uint8_t *s = rgb_samples();
    tu_png spec = {W, H, PNG_COLOR_TYPE_RGB, 8, 0, s};
    uint8_t *png;
    st_image_info info;
    (void)state;

    assert_non_null(block);
    keep(block);
    memcpy(block, "II*\0", 4);
    put_le32(block + 4, 8);
    put_le16(block + 8, 1);
    ifd_entry(block + 10, 0x0112, 3, 6);
    put_le32(block + 22, 0);
    spec.trns_gray = -1;
    spec.exif = block;
    spec.exif_size = 26;
    png = keep(tu_png_encode(&spec, &size));
    expect_ok_opt(png, size, NULL, H, W, &info, "PNG eXIf control");
    assert_int_equal(info.orientation, 6);
    release(png);

    spec.exif_size = big;
    png = keep(tu_png_encode(&spec, &size));
    assert_non_null(png);
    expect_ok_opt(png, size, NULL, W, H, &info, "PNG with a 2 MB eXIf");
    assert_int_equal(info.orientation, 1);
    assert_int_equal(info.has_exif, 0);
    release(png);
    release(block);
    free(s);
}

/* An embedded ICC profile above 4 MB (a real profile padded to 5 MB, its
 * header's size field set to match) is refused before lcms2 sees it, with
 * a message that names the cause and the way out; ignore_color_profile
 * reads the photo. */
static void test_icc_huge_profile(void **state)
{
    size_t icc_size, big = 5000000, size;
    uint8_t *icc = keep(tu_icc_profile("srgb", &icc_size));
    uint8_t *padded = keep(calloc(big, 1));
    uint8_t *jpg;
    st_read_options opt;
    (void)state;

    assert_non_null(padded);
    memcpy(padded, icc, icc_size);
    put_be32(padded, (uint32_t)big);
    jpg = make_jpeg_spec(&size, 0, icc, icc_size, NULL, 0);
    expect_ok_opt(jpg, size, NULL, W, H, NULL, "JPEG with the unpadded ICC");
    release(jpg);
    jpg = make_jpeg_spec(&size, 0, padded, big, NULL, 0);
    expect_fail(jpg, size, ST_ERR_TOO_LARGE, "JPEG with a 5 MB ICC profile",
                "ICC profile", "5.0 MB", "--ignore-icc");
    st_read_options_init(&opt);
    opt.ignore_color_profile = 1;
    expect_ok_opt(jpg, size, &opt, W, H, NULL, "5 MB ICC profile, ignored");
    release(jpg);
    release(padded);
    release(icc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_truncated_png, release_all),
        cmocka_unit_test_teardown(test_truncated_png_interlaced, release_all),
        cmocka_unit_test_teardown(test_truncated_jpeg, release_all),
        cmocka_unit_test_teardown(test_truncated_jpeg_markers, release_all),
        cmocka_unit_test_teardown(test_empty, release_all),
        cmocka_unit_test_teardown(test_empty_file, release_all),
        cmocka_unit_test_teardown(test_random_garbage, release_all),
        cmocka_unit_test_teardown(test_garbage_after_magic, release_all),
        cmocka_unit_test_teardown(test_magic_only, release_all),
        cmocka_unit_test_teardown(test_jpeg_garbage_scan, release_all),
        cmocka_unit_test_teardown(test_png_idat_flipped, release_all),
        cmocka_unit_test_teardown(test_png_idat_crc, release_all),
        cmocka_unit_test_teardown(test_png_idat_zlib_damage, release_all),
        cmocka_unit_test_teardown(test_png_huge_ihdr, release_all),
        cmocka_unit_test_teardown(test_png_side_above_max, release_all),
        cmocka_unit_test_teardown(test_jpeg_huge_sof, release_all),
        cmocka_unit_test_teardown(test_pixel_limit_option, release_all),
        cmocka_unit_test_teardown(test_pixel_limit_message, release_all),
        cmocka_unit_test_teardown(test_wrong_extension, release_all),
        cmocka_unit_test_teardown(test_missing_path, release_all),
        cmocka_unit_test_teardown(test_directory_path, release_all),
        cmocka_unit_test_teardown(test_null_arguments, release_all),
        cmocka_unit_test_teardown(test_other_formats, release_all),
        cmocka_unit_test_teardown(test_jpeg_bad_icc, release_all),
        cmocka_unit_test_teardown(test_png_bad_icc, release_all),
        cmocka_unit_test_teardown(test_jpeg_bogus_icc_marker, release_all),
        cmocka_unit_test_teardown(test_png_decompression_bomb, release_all),
        cmocka_unit_test_teardown(test_exif_loops_and_depth, release_all),
        cmocka_unit_test_teardown(test_exif_huge_block, release_all),
        cmocka_unit_test_teardown(test_icc_huge_profile, release_all),
    };
    return cmocka_run_group_tests_name("badfiles", tests, NULL, NULL);
}
