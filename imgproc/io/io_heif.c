/* skintrack — HEIF, HEIC and AVIF reading with libheif.
 *
 *   st_heif_decode   HEIF/HEIC/AVIF bytes -> upright sRGB st_image
 *
 * Only the primary image is read; thumbnails, depth maps, alpha-less
 * auxiliary images and other top-level images are ignored. libheif decodes
 * HEVC (libde265) and AV1 (dav1d or aom), turns YCbCr into RGB with the
 * file's matrix coefficients, and applies the container's transforms: clean
 * aperture (clap), rotation (irot) and mirror (imir), in that order.
 *
 * Orientation. ISO/IEC 23008-12 makes irot/imir the only orientation of a
 * HEIF image; an Exif block inside the file is metadata. Phones write both:
 * the pixels are stored as the sensor saw them, irot turns them upright,
 * and the Exif Orientation still says "rotate 90" (it describes the same
 * turn, for software that sees only the Exif). Applying the Exif value
 * after libheif has applied irot would turn the photo sideways, so the
 * Exif block is read for its date only and info->orientation is 1: the
 * picture libheif returns is already upright. ignore_orientation asks
 * libheif to skip its transforms (the pixels as stored, crop included).
 *
 * Colour: an ICC profile (rICC or prof) goes through lcms2 like a JPEG's;
 * else an nclx colour box gives primaries and a transfer curve
 * (ITU-T H.273), converted through the same lcms2 path unless they are
 * sRGB's own (primaries 1 or unspecified, transfer 13 or unspecified);
 * with neither, sRGB is assumed (libheif's own default for RGB output).
 * Samples of more than 8 bits (10 and 12-bit HEVC and AV1) are read as
 * 16-bit, scaled by 65535 / (2^bits - 1), so no precision is lost.
 *
 * Limits: the primary image's declared size is checked against the pixel
 * limit before libheif decodes anything; libheif's own security limits
 * stay on (they bound grid tiles and box sizes). A decoded picture whose
 * size differs from the declared one (ispe against the coded stream) is
 * refused, so header-only reads and full reads agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>

#include "core/core_internal.h"
#include "io/io_internal.h"

struct hdec {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    struct heif_image *decoded;
    struct heif_decoding_options *dopt;
    uint8_t *icc, *exif;
    uint16_t *row16;
    float *frow;
    st_cms cms;
    st_image *img;
};

static st_status heif_fail(st_error *err, struct heif_error e, const char *what)
{
    st_status s = e.subcode == heif_suberror_Security_limit_exceeded
                      ? ST_ERR_TOO_LARGE
                  : e.code == heif_error_Memory_allocation_error ? ST_ERR_NOMEM
                  : e.code == heif_error_Unsupported_feature ||
                          e.code == heif_error_Unsupported_filetype
                      ? ST_ERR_UNSUPPORTED
                      : ST_ERR_CORRUPT;
    return st_fail(err, s, "HEIF: %s: %s", what,
                   e.message && e.message[0] ? e.message : "error");
}

/* The Exif block of the primary image, for its date. The stored item
 * starts with a 4-byte big-endian offset to the TIFF header. */
static void read_exif(struct hdec *d, st_image_info *info)
{
    heif_item_id id;
    size_t n, skip;

    if (heif_image_handle_get_list_of_metadata_block_IDs(d->handle, "Exif", &id,
                                                         1) < 1)
        return;
    n = heif_image_handle_get_metadata_size(d->handle, id);
    if (n < 4 || n > ST_EXIF_MAX_BYTES + 4)
        return;
    d->exif = malloc(n);
    if (!d->exif ||
        heif_image_handle_get_metadata(d->handle, id, d->exif).code !=
            heif_error_Ok)
        return;
    skip = 4 + (((size_t)d->exif[0] << 24) | ((size_t)d->exif[1] << 16) |
                ((size_t)d->exif[2] << 8) | d->exif[3]);
    if (skip < n)
        st_exif_parse(d->exif + skip, n - skip, info);
}

static st_status setup_color(struct hdec *d, const st_read_options *opt,
                             int channels, int bits, st_image_info *info,
                             st_error *err)
{
    enum heif_color_profile_type type =
        heif_image_handle_get_color_profile_type(d->handle);
    struct heif_color_profile_nclx *nclx = NULL;
    struct heif_error e;
    double chrm[8];
    int transfer, primaries;

    if (type == heif_color_profile_type_not_present)
        return ST_OK;
    if (opt->ignore_color_profile) {
        info->color_source = ST_COLOR_IGNORED;
        snprintf(info->color_description, sizeof info->color_description,
                 "ignored by option");
        return ST_OK;
    }
    if (type == heif_color_profile_type_rICC ||
        type == heif_color_profile_type_prof) {
        size_t n = heif_image_handle_get_raw_color_profile_size(d->handle);
        if (n == 0 || n > ST_ICC_MAX_BYTES)
            return st_fail(err, ST_ERR_COLOR,
                           "embedded ICC profile has an implausible size "
                           "(%zu bytes); --ignore-icc reads the samples as "
                           "sRGB",
                           n);
        d->icc = malloc(n);
        if (!d->icc)
            return st_fail(err, ST_ERR_NOMEM, "out of memory");
        e = heif_image_handle_get_raw_color_profile(d->handle, d->icc);
        if (e.code != heif_error_Ok)
            return heif_fail(err, e, "colour profile");
        return st_cms_from_icc(&d->cms, d->icc, n, ST_CMS_GRAY_RGB, channels,
                               bits, info, err);
    }
    e = heif_image_handle_get_nclx_color_profile(d->handle, &nclx);
    if (e.code != heif_error_Ok || !nclx) {
        /* libheif may hand back a profile along with the error */
        if (nclx)
            heif_nclx_color_profile_free(nclx);
        if (e.code == heif_error_Ok ||
            e.code == heif_error_Color_profile_does_not_exist)
            return ST_OK;
        return st_fail(err, ST_ERR_COLOR,
                       "HEIF nclx colour box cannot be used (%s); "
                       "--ignore-icc reads the samples as sRGB",
                       e.message ? e.message : "unreadable");
    }
    transfer = (int)nclx->transfer_characteristics;
    primaries = (int)nclx->color_primaries;
    chrm[0] = nclx->color_primary_white_x,
    chrm[1] = nclx->color_primary_white_y;
    chrm[2] = nclx->color_primary_red_x, chrm[3] = nclx->color_primary_red_y;
    chrm[4] = nclx->color_primary_green_x,
    chrm[5] = nclx->color_primary_green_y;
    chrm[6] = nclx->color_primary_blue_x, chrm[7] = nclx->color_primary_blue_y;
    heif_nclx_color_profile_free(nclx);
    if ((primaries == 1 || primaries == 2) &&
        (transfer == 13 || transfer == 2)) {
        info->color_source = ST_COLOR_NCLX;
        snprintf(info->color_description, sizeof info->color_description,
                 "nclx sRGB");
        return ST_OK;
    }
    if (primaries == 2) /* unspecified: sRGB's, with the file's curve */
        chrm[0] = 0.3127, chrm[1] = 0.3290, chrm[2] = 0.64, chrm[3] = 0.33,
        chrm[4] = 0.30, chrm[5] = 0.60, chrm[6] = 0.15, chrm[7] = 0.06;
    return st_cms_from_primaries(&d->cms, chrm, transfer, channels, bits, info,
                                 err);
}

/* Decoded interleaved rows -> float rows of the image. */
static st_status copy_rows(struct hdec *d, int ch, int bits, st_error *err)
{
    int stride, w = d->img->width, h = d->img->height;
    const uint8_t *plane = heif_image_get_plane_readonly(
        d->decoded, heif_channel_interleaved, &stride);
    size_t n = (size_t)w * (size_t)ch;
    uint32_t max = (1u << bits) - 1;

    if (!plane || stride <= 0)
        return st_fail(err, ST_ERR_CORRUPT, "HEIF: no decoded pixels");
    d->frow = malloc(n * sizeof *d->frow);
    d->row16 = bits > 8 ? malloc(n * sizeof *d->row16) : NULL;
    if (!d->frow || (bits > 8 && !d->row16))
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    for (int y = 0; y < h; y++) {
        const uint8_t *src = plane + (size_t)y * (size_t)stride;
        if (bits > 8) {
            /* little-endian samples of `bits` bits -> 16-bit scale */
            for (size_t i = 0; i < n; i++) {
                uint32_t v =
                    (uint32_t)src[2 * i] | ((uint32_t)src[2 * i + 1] << 8);
                v = v > max ? max : v;
                d->row16[i] = (uint16_t)((v * 65535u + max / 2) / max);
            }
            if (st_cms_active(&d->cms))
                st_cms_apply(&d->cms, d->row16, d->frow, w);
            else
                for (size_t i = 0; i < n; i++)
                    d->frow[i] = d->row16[i] / 65535.0f;
        } else if (st_cms_active(&d->cms)) {
            st_cms_apply(&d->cms, src, d->frow, w);
        } else {
            for (size_t i = 0; i < n; i++)
                d->frow[i] = src[i] / 255.0f;
        }
        st_orient_put_row(d->img, 1, w, h, y, d->frow);
    }
    return ST_OK;
}

static st_status decode(struct hdec *d, const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        int header_only, st_image_info *info, st_error *err)
{
    struct heif_error e;
    int w, h, alpha, bits, ch, dw, dh;
    enum heif_chroma chroma;
    st_status s;

    d->ctx = heif_context_alloc();
    if (!d->ctx)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (libheif)");
    e = heif_context_read_from_memory_without_copy(d->ctx, data, size, NULL);
    if (e.code != heif_error_Ok)
        return heif_fail(err, e, "cannot read the file");
    e = heif_context_get_primary_image_handle(d->ctx, &d->handle);
    if (e.code != heif_error_Ok)
        return heif_fail(err, e, "no primary image");

    info->format = ST_FORMAT_HEIF;
    info->stored_width = heif_image_handle_get_ispe_width(d->handle);
    info->stored_height = heif_image_handle_get_ispe_height(d->handle);
    w = heif_image_handle_get_width(d->handle);
    h = heif_image_handle_get_height(d->handle);
    if (opt->ignore_orientation)
        w = info->stored_width, h = info->stored_height;
    alpha = heif_image_handle_has_alpha_channel(d->handle) != 0;
    bits = heif_image_handle_get_luma_bits_per_pixel(d->handle);
    if (bits < 8)
        bits = 8; /* not recorded: libheif decodes to 8 bits then */
    if (bits > 16)
        return st_fail(err, ST_ERR_UNSUPPORTED, "HEIF with %d bits per sample",
                       bits);
    info->bit_depth = bits;
    info->file_channels = 3 + alpha;
    read_exif(d, info);
    info->orientation = 1; /* see the top of the file */
    info->width = w;
    info->height = h;
    s = st_image_check_size(w, h, 1, max_pixels, NULL, err);
    if (s || header_only)
        return s;

    ch = 3 + alpha;
    s = setup_color(d, opt, ch, bits > 8 ? 16 : 8, info, err);
    if (s)
        return s;
    d->dopt = heif_decoding_options_alloc();
    if (!d->dopt)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (libheif)");
    d->dopt->ignore_transformations = opt->ignore_orientation ? 1 : 0;
    chroma = bits > 8 ? (alpha ? heif_chroma_interleaved_RRGGBBAA_LE
                               : heif_chroma_interleaved_RRGGBB_LE)
                      : (alpha ? heif_chroma_interleaved_RGBA
                               : heif_chroma_interleaved_RGB);
    e = heif_decode_image(d->handle, &d->decoded, heif_colorspace_RGB, chroma,
                          d->dopt);
    if (e.code != heif_error_Ok)
        return heif_fail(err, e, "cannot decode the image");
    dw = heif_image_get_width(d->decoded, heif_channel_interleaved);
    dh = heif_image_get_height(d->decoded, heif_channel_interleaved);
    if (bits > 8) {
        int range = heif_image_get_bits_per_pixel_range(
            d->decoded, heif_channel_interleaved);
        if (range > 8 && range <= 16)
            bits = range;
    }
    /* The header-only read (dates for a course) trusts the declared size,
     * so a file whose picture disagrees with it is refused. Without the
     * transforms the coded size is compared with nothing: libheif 1.15
     * reports some files' ispe after their rotation. */
    if (!opt->ignore_orientation && (dw != w || dh != h))
        return st_fail(err, ST_ERR_CORRUPT,
                       "HEIF: the image is %dx%d but the file declares %dx%d",
                       dw, dh, w, h);
    s = st_image_check_size(dw, dh, ch, max_pixels, NULL, err);
    if (s)
        return s;
    if (opt->ignore_orientation)
        info->stored_width = dw, info->stored_height = dh;
    s = st_image_new(&d->img, dw, dh, ch, err);
    if (s)
        return s;
    s = copy_rows(d, ch, bits, err);
    info->width = dw;
    info->height = dh;
    return s;
}

st_status st_heif_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err)
{
    struct hdec d;
    st_status s;

    memset(&d, 0, sizeof d);
    if (out)
        *out = NULL;
    s = decode(&d, data, size, opt, max_pixels, out == NULL, info, err);
    if (d.decoded)
        heif_image_release(d.decoded);
    if (d.handle)
        heif_image_handle_release(d.handle);
    if (d.ctx)
        heif_context_free(d.ctx);
    if (d.dopt)
        heif_decoding_options_free(d.dopt);
    st_cms_free(&d.cms);
    free(d.icc);
    free(d.exif);
    free(d.row16);
    free(d.frow);
    if (s == ST_OK && out)
        *out = d.img;
    else
        st_image_free(d.img);
    return s;
}
