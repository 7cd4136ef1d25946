/* skintrack tests — HEIF, TIFF and DNG writers (see testformats.h). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>
#include <tiffio.h>

#include "testformats.h"

/* ---- HEIF ---- */

struct membuf {
    uint8_t *data;
    size_t size;
};

static struct heif_error write_mem(struct heif_context *ctx, const void *data,
                                   size_t size, void *user)
{
    struct membuf *m = user;
    struct heif_error e = {heif_error_Ok, heif_suberror_Unspecified, ""};
    (void)ctx;
    m->data = malloc(size ? size : 1);
    if (!m->data) {
        e.code = heif_error_Memory_allocation_error;
        return e;
    }
    memcpy(m->data, data, size);
    m->size = size;
    return e;
}

static int fill_image(struct heif_image *im, const tu_heif *s)
{
    int hi = s->bits > 8, stride;
    enum heif_channel ch = heif_channel_interleaved;
    uint8_t *plane;
    size_t row = (size_t)s->width * (size_t)s->channels * (hi ? 2 : 1);

    if (heif_image_add_plane(im, ch, s->width, s->height, hi ? s->bits : 8)
            .code != heif_error_Ok)
        return -1;
    plane = heif_image_get_plane(im, ch, &stride);
    if (!plane)
        return -1;
    for (int y = 0; y < s->height; y++) {
        const uint8_t *src = (const uint8_t *)s->samples + (size_t)y * row;
        if (!hi) {
            memcpy(plane + (size_t)y * stride, src, row);
            continue;
        }
        /* little-endian 16-bit containers (RRGGBB_LE) */
        for (size_t i = 0; i < row / 2; i++) {
            uint16_t v = ((const uint16_t *)(const void *)src)[i];
            plane[(size_t)y * stride + 2 * i] = (uint8_t)(v & 0xff);
            plane[(size_t)y * stride + 2 * i + 1] = (uint8_t)(v >> 8);
        }
    }
    return 0;
}

uint8_t *tu_heif_encode(const tu_heif *s, size_t *size)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_encoder *enc = NULL;
    struct heif_image *im = NULL;
    struct heif_image_handle *handle = NULL;
    struct heif_encoding_options *eo = heif_encoding_options_alloc();
    struct heif_color_profile_nclx *nclx = heif_nclx_color_profile_alloc();
    struct heif_writer writer = {1, write_mem};
    struct membuf m = {NULL, 0};
    enum heif_chroma chroma =
        s->bits > 8 ? (s->channels == 4 ? heif_chroma_interleaved_RRGGBBAA_LE
                                        : heif_chroma_interleaved_RRGGBB_LE)
                    : (s->channels == 4 ? heif_chroma_interleaved_RGBA
                                        : heif_chroma_interleaved_RGB);
    int ok =
        ctx && eo && nclx &&
        heif_context_get_encoder_for_format(
            ctx, s->avif ? heif_compression_AV1 : heif_compression_HEVC, &enc)
                .code == heif_error_Ok &&
        heif_image_create(s->width, s->height, heif_colorspace_RGB, chroma, &im)
                .code == heif_error_Ok &&
        fill_image(im, s) == 0;

    if (ok) {
        if (s->lossless) {
            heif_encoder_set_lossless(enc, 1);
            heif_encoder_set_parameter_string(enc, "chroma", "444");
        } else {
            heif_encoder_set_lossy_quality(enc, s->quality ? s->quality : 90);
        }
        nclx->matrix_coefficients =
            s->lossless ? heif_matrix_coefficients_RGB_GBR
                        : heif_matrix_coefficients_ITU_R_BT_601_6;
        nclx->full_range_flag = 1;
        nclx->color_primaries = s->primaries
                                    ? (enum heif_color_primaries)s->primaries
                                    : heif_color_primaries_ITU_R_BT_709_5;
        nclx->transfer_characteristics =
            heif_transfer_characteristic_IEC_61966_2_1;
        if (s->icc)
            heif_image_set_raw_color_profile(im, "prof", s->icc, s->icc_size);
        else
            heif_image_set_nclx_color_profile(im, nclx);
        eo->output_nclx_profile = nclx;
        eo->macOS_compatibility_workaround_no_nclx_profile = 0;
        eo->image_orientation = (enum heif_orientation)(
            s->orientation >= 1 && s->orientation <= 8 ? s->orientation : 1);
        ok = heif_context_encode_image(ctx, im, enc, eo, &handle).code ==
             heif_error_Ok;
    }
    if (ok && s->exif)
        ok = heif_context_add_exif_metadata(ctx, handle, s->exif,
                                            (int)s->exif_size)
                 .code == heif_error_Ok;
    if (ok)
        ok = heif_context_write(ctx, &writer, &m).code == heif_error_Ok;
    if (handle)
        heif_image_handle_release(handle);
    if (im)
        heif_image_release(im);
    if (enc)
        heif_encoder_release(enc);
    heif_encoding_options_free(eo);
    heif_nclx_color_profile_free(nclx);
    if (ctx)
        heif_context_free(ctx);
    if (!ok) {
        free(m.data);
        return NULL;
    }
    *size = m.size;
    return m.data;
}

/* ---- TIFF ---- */

static int write_tiles(TIFF *t, const tu_tiff *s, size_t px)
{
    const uint8_t *d = s->samples;
    uint8_t *buf = malloc((size_t)s->tile * (size_t)s->tile * px);
    int ok = buf != NULL;

    TIFFSetField(t, TIFFTAG_TILEWIDTH, (uint32_t)s->tile);
    TIFFSetField(t, TIFFTAG_TILELENGTH, (uint32_t)s->tile);
    for (int y0 = 0; ok && y0 < s->height; y0 += s->tile)
        for (int x0 = 0; ok && x0 < s->width; x0 += s->tile) {
            memset(buf, 0, (size_t)s->tile * (size_t)s->tile * px);
            for (int y = y0; y < y0 + s->tile && y < s->height; y++)
                for (int x = x0; x < x0 + s->tile && x < s->width; x++)
                    memcpy(buf + ((size_t)(y - y0) * (size_t)s->tile +
                                  (size_t)(x - x0)) *
                                     px,
                           d + ((size_t)y * (size_t)s->width + (size_t)x) * px,
                           px);
            ok = TIFFWriteTile(t, buf, (uint32_t)x0, (uint32_t)y0, 0, 0) >= 0;
        }
    free(buf);
    return ok ? 0 : -1;
}

static int write_page(TIFF *t, const tu_tiff *s)
{
    size_t px = (size_t)s->spp * (size_t)(s->bps / 8);
    const uint8_t *d = s->samples;

    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)s->width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)s->height);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)s->spp);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, (uint16_t)s->bps);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, (uint16_t)s->photometric);
    TIFFSetField(t, TIFFTAG_COMPRESSION, (uint16_t)s->compression);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    if (s->sampleformat)
        TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, (uint16_t)s->sampleformat);
    if (s->photometric == PHOTOMETRIC_SEPARATED)
        TIFFSetField(t, TIFFTAG_INKSET, INKSET_CMYK);
    if (s->orientation)
        TIFFSetField(t, TIFFTAG_ORIENTATION, (uint16_t)s->orientation);
    if (s->alpha) {
        uint16_t extra = EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
    if (s->icc)
        TIFFSetField(t, TIFFTAG_ICCPROFILE, (uint32_t)s->icc_size, s->icc);
    if (s->compression == COMPRESSION_JPEG) {
        TIFFSetField(t, TIFFTAG_JPEGQUALITY, 95);
        TIFFSetField(t, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    }
    if (s->tile > 0) {
        if (write_tiles(t, s, px))
            return -1;
    } else {
        TIFFSetField(
            t, TIFFTAG_ROWSPERSTRIP,
            (uint32_t)(s->rows_per_strip ? s->rows_per_strip : s->height));
        for (int y = 0; y < s->height; y++)
            if (TIFFWriteScanline(
                    t, (void *)(uintptr_t)(d + (size_t)y * s->width * px),
                    (uint32_t)y, 0) < 0)
                return -1;
    }
    return TIFFWriteDirectory(t) ? 0 : -1;
}

int tu_tiff_write(const char *path, const tu_tiff *s)
{
    TIFF *t = TIFFOpen(path, "w");
    int rc = t ? 0 : -1;

    for (int page = 0; rc == 0 && page <= s->pages; page++)
        rc = write_page(t, s);
    if (t)
        TIFFClose(t);
    return rc;
}

/* ---- DNG ---- */

int tu_dng_write(const char *path, int width, int height, const float *linear,
                 int orientation, const char *datetime)
{
    /* XYZ (D65) -> linear sRGB, IEC 61966-2-1 */
    static const float xyz_to_srgb[9] = {3.2406f,  -1.5372f, -0.4986f,
                                         -0.9689f, 1.8758f,  0.0415f,
                                         0.0557f,  -0.2040f, 1.0570f};
    static const float neutral[3] = {1, 1, 1};
    static const uint8_t version[4] = {1, 4, 0, 0};
    static const uint16_t dims[2] = {2, 2};
    static const uint8_t pattern[4] = {0, 1, 1, 2}; /* R G / G B */
    const uint32_t white = TU_DNG_WHITE;
    const float black = 0;
    uint16_t *row = malloc((size_t)width * sizeof *row);
    TIFF *t = row ? TIFFOpen(path, "w") : NULL;
    int ok = t != NULL;

    if (ok) {
        TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)width);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)height);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_CFA);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)height);
        TIFFSetField(t, TIFFTAG_MAKE, "Skintrack");
        TIFFSetField(t, TIFFTAG_MODEL, "Phantom CFA");
        TIFFSetField(t, TIFFTAG_UNIQUECAMERAMODEL, "Skintrack Phantom CFA");
        if (datetime)
            TIFFSetField(t, TIFFTAG_DATETIME, datetime);
        if (orientation > 0)
            TIFFSetField(t, TIFFTAG_ORIENTATION, (uint16_t)orientation);
        TIFFSetField(t, TIFFTAG_DNGVERSION, version);
        TIFFSetField(t, TIFFTAG_DNGBACKWARDVERSION, version);
        TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, dims);
        TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, pattern);
        TIFFSetField(t, TIFFTAG_COLORMATRIX1, 9, xyz_to_srgb);
        TIFFSetField(t, TIFFTAG_CALIBRATIONILLUMINANT1, 21); /* D65 */
        TIFFSetField(t, TIFFTAG_ASSHOTNEUTRAL, 3, neutral);
        TIFFSetField(t, TIFFTAG_WHITELEVEL, 1, &white);
        TIFFSetField(t, TIFFTAG_BLACKLEVEL, 1, &black);
    }
    for (int y = 0; ok && y < height; y++) {
        for (int x = 0; x < width; x++) {
            int c = pattern[(y % 2) * 2 + x % 2];
            float v = linear[((size_t)y * width + x) * 3 + (size_t)c];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            row[x] = (uint16_t)lroundf(v * TU_DNG_WHITE);
        }
        ok = TIFFWriteScanline(t, row, (uint32_t)y, 0) >= 0;
    }
    if (ok)
        ok = TIFFWriteDirectory(t);
    if (t)
        TIFFClose(t);
    free(row);
    return ok ? 0 : -1;
}
