/* skintrack fuzzing — writes the seed corpora.
 *
 *   fuzz_seeds DIR
 *
 * makes DIR/image, DIR/manifest, DIR/options and DIR/date with small valid
 * inputs that reach every path of each harness: JPEGs (grey, RGB 4:4:4 and
 * 4:2:0, Adobe CMYK and YCCK) and PNGs (every colour type and depth,
 * palette with tRNS, Adam7, 16-bit) carrying EXIF orientation and dates in
 * both byte orders, ICC profiles (matrix/TRC, CLUT, grey), sRGB, gAMA;
 * HEIC and AVIF (lossless and lossy, 8 and 10-bit, alpha, irot with Exif,
 * ICC and nclx P3); TIFFs (grey, RGB, RGBA, CMYK, 16-bit, tiled, LZW,
 * Deflate, JPEG, palette, orientation, ICC, two pages); a minimal DNG;
 * manifests with every column, quoting, a BOM, CRLF and bad lines; option
 * arguments of every shape; dates and file names. Small (24 x 16 pixels)
 * so the fuzzer mutates structure, not pixels.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <tiffio.h>

#include "../testformats.h"
#include "../testutil.h"

enum { W = 24, H = 16 };

static const char *root;
static int failed;

static void put(const char *sub, const char *name, const void *data,
                size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
    if (!data || tu_write_file(path, data, size) != 0) {
        fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
        failed = 1;
    }
}

static void put_text(const char *sub, const char *name, const char *text)
{
    put(sub, name, text, strlen(text));
}

/* Pixels with some structure: a gradient and a few edges. */
static void fill8(uint8_t *s, int ch)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < ch; c++)
                s[(y * W + x) * ch + c] =
                    (uint8_t)((x * 10 + y * 7 + c * 60 +
                               ((x / 6 + y / 4) & 1) * 90) &
                              255);
}

static void jpegs(void)
{
    static uint8_t s[W * H * 4];
    uint8_t exif[512];
    size_t n, icc_n;
    uint8_t *icc = tu_icc_profile("adobe-rgb", &icc_n);
    uint8_t *gray_icc;
    size_t gray_n;
    tu_jpeg j = {W, H, 3, s, 90, 0, 0, NULL, 0, NULL, 0};
    uint8_t *d;

    fill8(s, 4);
    d = tu_jpeg_encode(&j, &n), put("image", "rgb444.jpg", d, n), free(d);
    j.subsample = 1, j.quality = 60;
    d = tu_jpeg_encode(&j, &n), put("image", "rgb420.jpg", d, n), free(d);
    j.exif_size = tu_exif_build(exif, sizeof exif, 6, "2026:03:14 10:00:00",
                                "+01:00", 0, 1);
    j.exif = exif;
    d = tu_jpeg_encode(&j, &n), put("image", "exif-ii.jpg", d, n), free(d);
    j.exif_size =
        tu_exif_build(exif, sizeof exif, 8, "2025:12:31 23:59:59", NULL, 1, 1);
    j.icc = icc, j.icc_size = icc_n;
    d = tu_jpeg_encode(&j, &n), put("image", "exif-mm-icc.jpg", d, n), free(d);
    j.exif = NULL, j.exif_size = 0, j.icc = NULL, j.icc_size = 0;
    j.components = 1, j.subsample = 0;
    gray_icc = tu_icc_profile("gray-gamma1", &gray_n);
    j.icc = gray_icc, j.icc_size = gray_n;
    d = tu_jpeg_encode(&j, &n), put("image", "gray-icc.jpg", d, n), free(d);
    j.icc = NULL, j.icc_size = 0;
    j.components = 4;
    d = tu_jpeg_encode(&j, &n), put("image", "cmyk.jpg", d, n), free(d);
    j.ycck = 1;
    d = tu_jpeg_encode(&j, &n), put("image", "ycck.jpg", d, n), free(d);
    free(icc);
    free(gray_icc);
}

static void pngs(void)
{
    static uint8_t s8[W * H * 4];
    static uint16_t s16[W * H * 4];
    static const uint8_t palette[12] = {0,  0,  0,  200, 120, 100,
                                        90, 60, 50, 255, 255, 255};
    static const uint8_t trns[2] = {0, 128};
    uint8_t exif[512];
    size_t n, icc_n, clut_n;
    uint8_t *icc = tu_icc_profile("display-p3", &icc_n);
    uint8_t *clut = tu_icc_profile("display-p3-clut", &clut_n);
    uint8_t *d;
    char name[64];
    tu_png p;

    fill8(s8, 4);
    for (int i = 0; i < W * H * 4; i++)
        s16[i] = (uint16_t)(s8[i] * 257 + i);
    /* grey at every depth, each sample within range */
    for (int bits = 1; bits <= 16; bits *= 2) {
        static uint8_t g[W * H];
        memset(&p, 0, sizeof p);
        for (int i = 0; i < W * H; i++)
            g[i] = (uint8_t)(s8[i] & ((1 << (bits > 8 ? 8 : bits)) - 1));
        p = (tu_png){W,    H, PNG_COLOR_TYPE_GRAY,
                     bits, 0, bits == 16 ? (void *)s16 : g};
        p.trns_gray = bits == 8 ? 3 : -1;
        snprintf(name, sizeof name, "gray%d.png", bits);
        d = tu_png_encode(&p, &n), put("image", name, d, n), free(d);
    }
    memset(&p, 0, sizeof p);
    p = (tu_png){W, H, PNG_COLOR_TYPE_RGB, 8, 0, s8};
    p.trns_gray = -1;
    p.exif_size = tu_exif_build(exif, sizeof exif, 3, "2026:01:12 09:30:00",
                                "-05:00", 0, 0);
    p.exif = exif;
    p.srgb = 1;
    d = tu_png_encode(&p, &n), put("image", "rgb-exif-srgb.png", d, n), free(d);
    p.exif = NULL, p.exif_size = 0, p.srgb = 0;
    p.icc = icc, p.icc_size = icc_n;
    d = tu_png_encode(&p, &n), put("image", "rgb-p3.png", d, n), free(d);
    p.icc = clut, p.icc_size = clut_n, p.interlace = 1;
    d = tu_png_encode(&p, &n), put("image", "rgb-clut-adam7.png", d, n),
    free(d);
    p.icc = NULL, p.icc_size = 0, p.interlace = 0, p.gamma = 0.45455;
    d = tu_png_encode(&p, &n), put("image", "rgb-gama.png", d, n), free(d);
    p = (tu_png){W, H, PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, s16};
    p.trns_gray = -1;
    d = tu_png_encode(&p, &n), put("image", "rgba16-adam7.png", d, n), free(d);
    p = (tu_png){W, H, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, s8};
    p.trns_gray = -1;
    d = tu_png_encode(&p, &n), put("image", "gray-alpha.png", d, n), free(d);
    {
        static uint8_t idx[W * H];
        for (int i = 0; i < W * H; i++)
            idx[i] = (uint8_t)(s8[i] & 3);
        p = (tu_png){W, H, PNG_COLOR_TYPE_PALETTE, 8, 0, idx};
        p.palette = palette, p.palette_size = 4;
        p.trns = trns, p.trns_size = 2, p.trns_gray = -1;
        d = tu_png_encode(&p, &n), put("image", "palette-trns.png", d, n),
        free(d);
    }
    free(icc);
    free(clut);
}

/* root/sub/name, the folder made. */
static const char *seed_path(const char *sub, const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, sub, name);
    return path;
}

static void heifs(void)
{
    static uint8_t s8[W * H * 4];
    static uint16_t s10[W * H * 3];
    uint8_t exif[512];
    size_t n, icc_n;
    uint8_t *icc = tu_icc_profile("display-p3", &icc_n);
    tu_heif h = {W, H, 3, 8, s8, 1};
    uint8_t *d;

    fill8(s8, 3);
    for (int i = 0; i < W * H * 3; i++)
        s10[i] = (uint16_t)(s8[i] * 4 + i % 4);
    d = tu_heif_encode(&h, &n), put("image", "lossless.heic", d, n), free(d);
    h.exif_size = tu_exif_build(exif, sizeof exif, 6, "2026:03:14 10:00:00",
                                "+01:00", 0, 0);
    h.exif = exif, h.orientation = 6;
    d = tu_heif_encode(&h, &n), put("image", "irot-exif.heic", d, n), free(d);
    h.exif = NULL, h.orientation = 0, h.icc = icc, h.icc_size = icc_n;
    d = tu_heif_encode(&h, &n), put("image", "p3-icc.heic", d, n), free(d);
    h.icc = NULL, h.primaries = 12, h.lossless = 0;
    d = tu_heif_encode(&h, &n), put("image", "p3-nclx.heic", d, n), free(d);
    h.primaries = 0, h.bits = 10, h.samples = s10;
    d = tu_heif_encode(&h, &n), put("image", "10bit.heic", d, n), free(d);
    fill8(s8, 4);
    h = (tu_heif){W, H, 4, 8, s8, 0, 0, 80};
    d = tu_heif_encode(&h, &n), put("image", "alpha.heic", d, n), free(d);
    h = (tu_heif){W, H, 3, 8, s8, 0, 1, 60};
    fill8(s8, 3);
    d = tu_heif_encode(&h, &n), put("image", "lossy.avif", d, n), free(d);
    free(icc);
}

static void tiffs(void)
{
    static uint8_t s8[W * H * 4];
    static uint16_t s16[W * H * 4];
    size_t icc_n;
    uint8_t *icc = tu_icc_profile("adobe-rgb", &icc_n);
    const struct {
        const char *name;
        tu_tiff t;
    } cases[] = {
        {"gray8.tif", {W, H, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE}},
        {"gray16-lzw.tif",
         {W, H, 1, 16, PHOTOMETRIC_MINISBLACK, COMPRESSION_LZW, 0, 5}},
        {"rgb8-tiled-deflate.tif",
         {W, H, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_ADOBE_DEFLATE, 16}},
        {"rgba16-orient6.tif",
         {W, H, 4, 16, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 4, 6, 1}},
        {"cmyk8.tif", {W, H, 4, 8, PHOTOMETRIC_SEPARATED, COMPRESSION_NONE}},
        {"rgb8-jpeg.tif",
         {W, H, 3, 8, PHOTOMETRIC_YCBCR, COMPRESSION_JPEG, 0, 16}},
        {"rgb8-2pages-icc.tif",
         {W, H, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_PACKBITS, 0, 8, 0, 0, 1, 0,
          NULL, NULL, 0}},
    };

    fill8(s8, 4);
    for (int i = 0; i < W * H * 4; i++)
        s16[i] = (uint16_t)(s8[i] * 257 + i);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tu_tiff t = cases[i].t;
        t.samples = t.bps == 16 ? (const void *)s16 : (const void *)s8;
        if (t.pages)
            t.icc = icc, t.icc_size = icc_n;
        if (tu_tiff_write(seed_path("image", cases[i].name), &t)) {
            fprintf(stderr, "fuzz_seeds: cannot write %s\n", cases[i].name);
            failed = 1;
        }
    }
    free(icc);
}

/* LibRaw wants at least 22 pixels a side. */
static void dngs(void)
{
    enum { DW = 32, DH = 32 };
    static float lin[DW * DH * 3];
    for (int i = 0; i < DW * DH * 3; i++)
        lin[i] = (float)((i * 37) % 101) / 100.0f;
    if (tu_dng_write(seed_path("image", "cfa.dng"), DW, DH, lin, 6,
                     "2026:03:14 10:00:00")) {
        fprintf(stderr, "fuzz_seeds: cannot write cfa.dng\n");
        failed = 1;
    }
}

static void manifests(void)
{
    put_text("manifest", "minimal.csv", "path\na.jpg\nb.jpg\n");
    put_text("manifest", "full.csv",
             "subject,region,date,session,phase,path\n"
             "p01,cheek,2026-01-12,1,baseline,2026-01-12.jpg\n"
             "p01,cheek,2026-01-13,1,post,b.jpg\n"
             "p01,cheek,2026-02-09,,,c.jpg\n"
             "p01,forehead,2026-02-09,2,pre,d.jpg\n"
             "p02,cheek,2026-07-06,,followup,/abs/e.jpg\n");
    put_text("manifest", "quoted-crlf-bom.csv",
             "\xef\xbb\xbf"
             "Phase ,\"Path\",Extra,DATE\r\n"
             "pre,\"a, b.jpg\",\"x \"\"y\"\"\",2026-03-14T10:00:00+01:00\r\n"
             "Follow-up,\"multi\nline.jpg\",,2026-06-01\r\n");
    put_text("manifest", "bad-lines.csv",
             "path,date,session,phase\n"
             ",2026-01-01,,\n"
             "a.jpg,2026-02-30,,\n"
             "b.jpg,,99999,\n"
             "c.jpg,,,sometimes\n"
             "\"unterminated.jpg,2026-01-01\n");
    put_text("manifest", "no-path.csv", "subject,date\np01,2026-01-01\n");
    put_text("manifest", "undated.csv",
             "path,phase,session\nIMG_20260314_101500.jpg,,\nx.jpg,baseline,0\n"
             "y.jpg,baseline,\n");
}

static void options(void)
{
    /* first byte: which option (see fuzz_options.c) */
    static const char *const args[][2] = {
        {"\x00", "10,20,300,200"},
        {"\x00", "0,0,1,1"},
        {"\x01", "patch:5,5,40,30"},
        {"\x01", "grayworld"},
        {"\x01", "auto"},
        {"\x01", "card:0.9"},
        {"\x02", "12.5"},
        {"\x02", "1e3"},
        {"\x03", "7.25"},
        {"\x04", "120"},
        {"\x05", "45"},
        {"\x06", "1.5"},
        {"\x07", "0.2"},
        {"\x08", "auto"},
        {"\x09", "4"},
        {"\x0a", "3/10"},
        {"\x0b", "7"},
        {"\x0b", "0x1p3"},
        {"\x02", "inf"},
        {"\x02", "nan"},
        {"\x0c", "auto"},
        {"\x0c", "similarity"},
        {"\x0c", "affine"},
        {"\x0c", "homography"},
        {"\x0d", "1.5"},
        {"\x0d", "0.25"},
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char name[32], buf[64];
        size_t n = strlen(args[i][1]);
        buf[0] = args[i][0][0];
        memcpy(buf + 1, args[i][1], n);
        snprintf(name, sizeof name, "option-%02zu", i);
        put("options", name, buf, n + 1);
    }
}

static void dates(void)
{
    static const char *const texts[] = {
        "2026-03-14",     "2026-03-14T10:00:00+01:00",
        "2024-02-29",     "1900-01-01",
        "2999-12-31",     "IMG_20260314_101500.jpg",
        "2026-01-12.jpg", "scan 20251231 final.png",
        "123456789",      "2026-3-4"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "date-%02zu", i);
        put_text("date", name, texts[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0777) != 0 && errno != EEXIST) {
        perror(root);
        return 1;
    }
    jpegs();
    pngs();
    heifs();
    tiffs();
    dngs();
    manifests();
    options();
    dates();
    return failed;
}
