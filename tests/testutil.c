/* skintrack tests — shared helpers (see testutil.h). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <png.h>

#include "testutil.h"

static char tmpdir[256];

static void remove_tmpdir(void)
{
    char cmd[300];
    if (!tmpdir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/skintrack-test-XXXXXX",
                 base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *tu_path(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", tu_tmpdir(), name);
    return b;
}

uint8_t *tu_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *size = (size_t)n;
    }
    fclose(f);
    return buf;
}

int tu_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* ---- PNG ---- */

static void mem_write(png_structp png, png_bytep data, size_t n)
{
    tu_membuf *m = png_get_io_ptr(png);
    if (m->size + n > m->cap) {
        size_t cap = (m->cap + n) * 2;
        uint8_t *p = realloc(m->data, cap);
        if (!p)
            png_error(png, "out of memory");
        m->data = p;
        m->cap = cap;
    }
    memcpy(m->data + m->size, data, n);
    m->size += n;
}

static void mem_flush(png_structp png)
{
    (void)png;
}

void tu_png_write_to_memory(void *png, tu_membuf *m)
{
    png_set_write_fn(png, m, mem_write, mem_flush);
}

static int png_channels(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGBA: return 4;
    default: return 1;
    }
}

/* Packs one row of samples into PNG's byte layout. */
static void pack_row(const tu_png *s, int y, png_bytep out)
{
    int ch = png_channels(s->color_type);
    size_t n = (size_t)s->width * (size_t)ch;
    size_t base = (size_t)y * n;

    if (s->bit_depth == 16) {
        const uint16_t *v = s->samples;
        for (size_t i = 0; i < n; i++) {
            out[2 * i] = (png_byte)(v[base + i] >> 8);
            out[2 * i + 1] = (png_byte)(v[base + i] & 0xff);
        }
    } else if (s->bit_depth == 8) {
        memcpy(out, (const uint8_t *)s->samples + base, n);
    } else {
        const uint8_t *v = s->samples;
        int per = 8 / s->bit_depth;
        memset(out, 0, (n + (size_t)per - 1) / (size_t)per);
        for (size_t i = 0; i < n; i++) {
            int shift = 8 - s->bit_depth * (int)(i % (size_t)per + 1);
            out[i / (size_t)per] |= (png_byte)(v[base + i] << shift);
        }
    }
}

uint8_t *tu_png_encode(const tu_png *s, size_t *size)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    tu_membuf m = {0};
    png_bytep *volatile rows = NULL;
    int ch = png_channels(s->color_type);

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        if (rows)
            for (int y = 0; y < s->height; y++)
                free(rows[y]);
        free(rows);
        free(m.data);
        return NULL;
    }
    png_set_write_fn(png, &m, mem_write, mem_flush);
    png_set_IHDR(png, info, (png_uint_32)s->width, (png_uint_32)s->height,
                 s->bit_depth, s->color_type,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->palette) {
        png_color pal[256];
        for (int i = 0; i < s->palette_size; i++) {
            pal[i].red = s->palette[3 * i];
            pal[i].green = s->palette[3 * i + 1];
            pal[i].blue = s->palette[3 * i + 2];
        }
        png_set_PLTE(png, info, pal, s->palette_size);
    }
    if (s->trns)
        png_set_tRNS(png, info, s->trns, s->trns_size, NULL);
    if (s->trns_gray >= 0 && s->color_type == PNG_COLOR_TYPE_GRAY) {
        png_color_16 c = {0};
        c.gray = (png_uint_16)s->trns_gray;
        png_set_tRNS(png, info, NULL, 0, &c);
    }
    if (s->icc)
        png_set_iCCP(png, info, "test profile", PNG_COMPRESSION_TYPE_BASE,
                     s->icc, (png_uint_32)s->icc_size);
    if (s->srgb)
        png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
    if (s->gamma > 0)
        png_set_gAMA(png, info, s->gamma);
#ifdef PNG_eXIf_SUPPORTED
    if (s->exif)
        png_set_eXIf_1(png, info, (png_uint_32)s->exif_size,
                       (png_bytep)s->exif);
#endif
    png_write_info(png, info);
    rows = calloc((size_t)s->height, sizeof *rows);
    for (int y = 0; y < s->height; y++) {
        rows[y] = calloc((size_t)s->width * (size_t)ch * 2 + 1, 1);
        pack_row(s, y, rows[y]);
    }
    png_write_image(png, rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    for (int y = 0; y < s->height; y++)
        free(rows[y]);
    free(rows);
    *size = m.size;
    return m.data;
}

/* ---- JPEG ---- */

struct tj_err {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void tj_error(j_common_ptr c)
{
    longjmp(((struct tj_err *)c->err)->jump, 1);
}

uint8_t *tu_jpeg_encode(const tu_jpeg *s, size_t *size)
{
    struct jpeg_compress_struct ci;
    struct tj_err e;
    unsigned char *volatile out = NULL;
    unsigned long n = 0;

    ci.err = jpeg_std_error(&e.pub);
    e.pub.error_exit = tj_error;
    if (setjmp(e.jump)) {
        jpeg_destroy_compress(&ci);
        free(out);
        return NULL;
    }
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, (unsigned char **)&out, &n);
    ci.image_width = (JDIMENSION)s->width;
    ci.image_height = (JDIMENSION)s->height;
    ci.input_components = s->components;
    ci.in_color_space = s->components == 1   ? JCS_GRAYSCALE
                        : s->components == 3 ? JCS_RGB
                                             : JCS_CMYK;
    jpeg_set_defaults(&ci);
    if (s->components == 4)
        jpeg_set_colorspace(&ci, s->ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&ci, s->quality ? s->quality : 95, TRUE);
    if (!s->subsample)
        for (int i = 0; i < ci.num_components; i++)
            ci.comp_info[i].h_samp_factor = ci.comp_info[i].v_samp_factor = 1;
    jpeg_start_compress(&ci, TRUE);
    if (s->exif)
        jpeg_write_marker(&ci, JPEG_APP0 + 1, s->exif, (unsigned)s->exif_size);
    if (s->icc)
        jpeg_write_icc_profile(&ci, s->icc, (unsigned)s->icc_size);
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = (JSAMPROW)(s->samples + (size_t)ci.next_scanline *
                                                   (size_t)s->width *
                                                   (size_t)s->components);
        jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    *size = n;
    return out;
}

/* ---- EXIF ---- */

struct tiffw {
    uint8_t *b;
    size_t base, cap;
    int be;
};

static void put16(struct tiffw *t, size_t at, unsigned v)
{
    uint8_t *p = t->b + t->base + at;
    if (t->be) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

static void put32(struct tiffw *t, size_t at, uint32_t v)
{
    if (t->be) {
        put16(t, at, v >> 16);
        put16(t, at + 2, v & 0xffff);
    } else {
        put16(t, at, v & 0xffff);
        put16(t, at + 2, v >> 16);
    }
}

/* One IFD entry at offset at. */
static void entry(struct tiffw *t, size_t at, unsigned tag, unsigned type,
                  uint32_t count, uint32_t value_or_offset, int short_value)
{
    put16(t, at, tag);
    put16(t, at + 2, type);
    put32(t, at + 4, count);
    if (short_value) {
        put32(t, at + 8, 0);
        put16(t, at + 8, value_or_offset);
    } else {
        put32(t, at + 8, value_or_offset);
    }
}

size_t tu_exif_build(uint8_t *buf, size_t cap, int orientation,
                     const char *datetime, const char *offset, int big_endian,
                     int with_prefix)
{
    struct tiffw t = {buf, with_prefix ? 6u : 0u, cap, big_endian};
    int n0 = (orientation > 0) + ((datetime || offset) ? 1 : 0);
    int n1 = (datetime != NULL) + (offset != NULL);
    size_t ifd0 = 8, ifd0_end = ifd0 + 2 + 12 * (size_t)n0 + 4;
    size_t exif_ifd = ifd0_end, data = exif_ifd + 2 + 12 * (size_t)n1 + 4;
    size_t at;

    memset(buf, 0, cap);
    if (with_prefix)
        memcpy(buf, "Exif\0\0", 6);
    memcpy(buf + t.base, big_endian ? "MM" : "II", 2);
    put16(&t, 2, 42);
    put32(&t, 4, (uint32_t)ifd0);
    put16(&t, ifd0, (unsigned)n0);
    at = ifd0 + 2;
    if (orientation > 0) {
        entry(&t, at, 0x0112, 3, 1, (uint32_t)orientation, 1);
        at += 12;
    }
    if (n1) {
        entry(&t, at, 0x8769, 4, 1, (uint32_t)exif_ifd, 0);
        at += 12;
    }
    put32(&t, at, 0);
    if (!n1)
        return t.base + ifd0_end;
    put16(&t, exif_ifd, (unsigned)n1);
    at = exif_ifd + 2;
    if (datetime) {
        size_t len = strlen(datetime) + 1;
        entry(&t, at, 0x9003, 2, (uint32_t)len, (uint32_t)data, 0);
        memcpy(buf + t.base + data, datetime, len);
        data += len + (len & 1);
        at += 12;
    }
    if (offset) {
        size_t len = strlen(offset) + 1;
        entry(&t, at, 0x9011, 2, (uint32_t)len, (uint32_t)data, 0);
        memcpy(buf + t.base + data, offset, len);
        data += len + (len & 1);
        at += 12;
    }
    put32(&t, at, 0);
    return t.base + data;
}

/* ---- ICC ---- */

static cmsHTRANSFORM clut_source;

/* CLUT sampler: device RGB -> PCS Lab (ICC v4 16-bit encoding). */
static int sample_lab(const cmsUInt16Number in[], cmsUInt16Number out[],
                      void *cargo)
{
    (void)cargo;
    cmsDoTransform(clut_source, in, out, 1);
    return 1;
}

/* A Display P3 profile whose device-to-PCS mapping is a 33-point CLUT
 * (A2B0/A2B1) instead of matrix and curves, sampled from the matrix/TRC
 * profile: it exercises lcms2's general transform in the reader. With
 * shadow_matrix, the CLUT (A2B0 only) is sampled from sRGB and written into
 * the P3 matrix/TRC profile itself, so matrix and table disagree and only
 * a reader that prefers the table, as lcms2 does, gets lcms2's colours. */
static cmsHPROFILE p3_clut_profile(int shadow_matrix)
{
    size_t n;
    uint8_t *mem = tu_icc_profile("display-p3", &n);
    cmsHPROFILE mat = cmsOpenProfileFromMem(mem, (cmsUInt32Number)n);
    cmsHPROFILE lab = cmsCreateLab4Profile(NULL);
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    cmsHPROFILE p = shadow_matrix
                        ? cmsOpenProfileFromMem(mem, (cmsUInt32Number)n)
                        : cmsCreateProfilePlaceholder(NULL);
    cmsPipeline *lut = cmsPipelineAlloc(NULL, 3, 3);
    cmsStage *clut = cmsStageAllocCLut16bit(NULL, 33, 3, 3, NULL);
    cmsMLU *desc = cmsMLUalloc(NULL, 1);

    clut_source =
        cmsCreateTransform(shadow_matrix ? srgb : mat, TYPE_RGB_16, lab,
                           TYPE_Lab_16, INTENT_RELATIVE_COLORIMETRIC, 0);
    cmsStageSampleCLut16bit(clut, sample_lab, NULL, 0);
    /* lutAtoBType wants A curves, CLUT, B curves: identities around it */
    cmsPipelineInsertStage(lut, cmsAT_END,
                           cmsStageAllocToneCurves(NULL, 3, NULL));
    cmsPipelineInsertStage(lut, cmsAT_END, clut);
    cmsPipelineInsertStage(lut, cmsAT_END,
                           cmsStageAllocToneCurves(NULL, 3, NULL));
    cmsSetProfileVersion(p, 4.3);
    cmsSetDeviceClass(p, cmsSigInputClass);
    cmsSetColorSpace(p, cmsSigRgbData);
    cmsSetPCS(p, cmsSigLabData);
    cmsWriteTag(p, cmsSigMediaWhitePointTag, cmsD50_XYZ());
    cmsWriteTag(p, cmsSigAToB0Tag, lut);
    if (!shadow_matrix)
        cmsWriteTag(p, cmsSigAToB1Tag, lut);
    cmsMLUsetASCII(desc, "en", "US", "Display P3 (CLUT test profile)");
    cmsWriteTag(p, cmsSigProfileDescriptionTag, desc);
    cmsMLUfree(desc);
    cmsPipelineFree(lut);
    cmsDeleteTransform(clut_source);
    cmsCloseProfile(mat);
    cmsCloseProfile(lab);
    cmsCloseProfile(srgb);
    free(mem);
    return p;
}

uint8_t *tu_icc_profile(const char *name, size_t *size)
{
    cmsHPROFILE p = NULL;
    cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
    cmsToneCurve *curve = NULL;
    cmsUInt32Number n = 0;
    uint8_t *buf;

    if (strcmp(name, "srgb") == 0) {
        p = cmsCreate_sRGBProfile();
    } else if (strcmp(name, "adobe-rgb") == 0) {
        cmsCIExyYTRIPLE prim = {
            {0.64, 0.33, 1}, {0.21, 0.71, 1}, {0.15, 0.06, 1}};
        cmsToneCurve *c3[3];
        curve = cmsBuildGamma(NULL, 563.0 / 256.0);
        c3[0] = c3[1] = c3[2] = curve;
        p = cmsCreateRGBProfile(&d65, &prim, c3);
    } else if (strcmp(name, "display-p3") == 0) {
        const double sp[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92,
                              0.04045};
        cmsCIExyYTRIPLE prim = {
            {0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}};
        cmsToneCurve *c3[3];
        curve = cmsBuildParametricToneCurve(NULL, 4, sp);
        c3[0] = c3[1] = c3[2] = curve;
        p = cmsCreateRGBProfile(&d65, &prim, c3);
    } else if (strcmp(name, "display-p3-clut") == 0) {
        p = p3_clut_profile(0);
    } else if (strcmp(name, "p3-matrix-srgb-clut") == 0) {
        p = p3_clut_profile(1);
    } else if (strcmp(name, "gray-gamma1") == 0) {
        curve = cmsBuildGamma(NULL, 1.0);
        p = cmsCreateGrayProfile(cmsD50_xyY(), curve);
    }
    if (curve)
        cmsFreeToneCurve(curve);
    if (!p)
        return NULL;
    cmsSetProfileVersion(p, 4.3);
    cmsSaveProfileToMem(p, NULL, &n);
    buf = malloc(n);
    if (buf && !cmsSaveProfileToMem(p, buf, &n)) {
        free(buf);
        buf = NULL;
    }
    cmsCloseProfile(p);
    *size = n;
    return buf;
}

st_image *tu_decode(const uint8_t *data, size_t size, st_image_info *info)
{
    st_image *img = NULL;
    st_error err = {0};
    st_status s = st_io_read_memory(data, size, NULL, &img, info, &err);
    if (s != ST_OK)
        fail_msg("decode failed: %s", st_error_text(&err));
    return img;
}

void tu_exif_upright(int orientation, int w, int h, int r, int c, int *ux,
                     int *uy, int *uw, int *uh)
{
    /* Sides of the upright picture where stored row 0 and column 0 lie. */
    static const char *const row0[9] = {
        "", "top", "top", "bottom", "bottom", "left", "right", "right", "left"};
    static const char *const col0[9] = {
        "", "left", "right", "right", "left", "top", "top", "bottom", "bottom"};
    const char *R = row0[orientation], *C = col0[orientation];

    if (strcmp(R, "top") == 0 || strcmp(R, "bottom") == 0) {
        *uw = w, *uh = h;
        *uy = strcmp(R, "top") == 0 ? r : h - 1 - r;
        *ux = strcmp(C, "left") == 0 ? c : w - 1 - c;
    } else { /* stored rows run down the picture as columns */
        *uw = h, *uh = w;
        *ux = strcmp(R, "left") == 0 ? r : h - 1 - r;
        *uy = strcmp(C, "top") == 0 ? c : w - 1 - c;
    }
}

double tu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int tu_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
