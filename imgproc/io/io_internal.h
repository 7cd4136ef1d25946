/* skintrack — what the readers share inside libskintrack. */
#ifndef SKINTRACK_IO_INTERNAL_H
#define SKINTRACK_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_internal.h"
#include "skintrack/image.h"
#include "skintrack/io.h"
#include "skintrack/status.h"

/* ---- EXIF (exif.c, libexif) ---- */

/* Parses an EXIF block (with or without the "Exif\0\0" prefix) into
 * info->orientation (1 when absent or invalid), info->datetime_original and
 * info->has_exif. A block that cannot be parsed is ignored: it is not worth
 * refusing a photo over. */
void st_exif_parse(const uint8_t *data, size_t size, st_image_info *info);

/* Sets info->datetime_original from an EXIF DateTimeOriginal value
 * ("YYYY:MM:DD HH:MM:SS") and OffsetTimeOriginal ("+HH:MM", may be NULL),
 * as st_exif_parse does; a malformed value leaves it empty. For readers
 * whose library hands the tags over itself (libtiff). */
void st_exif_set_datetime(st_image_info *info, const char *datetime,
                          const char *offset);

/* Largest EXIF block skintrack hands to the parser. */
#define ST_EXIF_MAX_BYTES (1u << 20)

/* ---- colour conversion to sRGB (icc.c, lcms2) ---- */

typedef enum st_cms_input {
    ST_CMS_GRAY_RGB, /* 8/16-bit grey or RGB samples, maybe with alpha */
    ST_CMS_CMYK8,    /* 8-bit CMYK, 0 = no ink */
    ST_CMS_CMYK8_INV /* 8-bit Adobe-inverted CMYK, 0 = full ink */
} st_cms_input;

typedef struct st_cms {
    void *context;   /* cmsContext */
    void *transform; /* cmsHTRANSFORM (slow path) */
    int fast;        /* matrix/TRC path: lut, matrix, encode */
    int channels;    /* image channels (1..4, alpha last) */
    int bits;        /* 8 or 16 bits per input sample */
    float *lut;      /* per channel: sample value -> linear light */
    float matrix[9]; /* linear profile RGB -> linear sRGB */
    float *encode;   /* linear -> sRGB-encoded table */
    char message[160];
} st_cms;

/* Largest embedded ICC profile skintrack parses (bytes). Display and camera
 * profiles are a few kB; the largest printer profiles a few MB. */
#define ST_ICC_MAX_BYTES (4000000u)

/* Prepares a conversion from an embedded ICC profile. channels is the
 * decoded image's channel count (1..4, alpha kept) for ST_CMS_GRAY_RGB,
 * or 3 (RGB output) for CMYK input; bits is 8 or 16. A profile whose colour
 * space does not fit the image (an RGB profile on a grey JPEG) is not
 * applied: st_cms_active() stays false and info->color_source becomes
 * ST_COLOR_IGNORED. A profile that lcms2 cannot parse fails with
 * ST_ERR_COLOR. Fills info->color_description. */
st_status st_cms_from_icc(st_cms *cms, const uint8_t *icc, size_t size,
                          st_cms_input input, int channels, int bits,
                          st_image_info *info, st_error *err);

/* Prepares a conversion from PNG colour chunks: gamma is the gAMA value
 * (file gamma, e.g. 0.45455; <= 0 when absent), chrm the cHRM white and
 * red, green, blue chromaticities x, y (NULL when absent). */
st_status st_cms_from_png_chunks(st_cms *cms, double gamma,
                                 const double chrm[8], int channels, int bits,
                                 st_image_info *info, st_error *err);

/* Prepares a conversion from primaries and a transfer curve given as
 * numbers (HEIF nclx, ITU-T H.273): chrm as for st_cms_from_png_chunks
 * (white, red, green, blue x, y); transfer is the H.273 code (1, 6, 14, 15
 * BT.709 curve; 4 gamma 2.2; 5 gamma 2.8; 8 linear; 13 or 2 (unspecified)
 * the sRGB curve). HDR curves (PQ, HLG) and others fail with
 * ST_ERR_UNSUPPORTED. */
st_status st_cms_from_primaries(st_cms *cms, const double chrm[8], int transfer,
                                int channels, int bits, st_image_info *info,
                                st_error *err);

/* Whether a conversion was set up (else samples are taken as sRGB). */
static inline int st_cms_active(const st_cms *cms)
{
    return cms->fast || cms->transform;
}

/* Converts npix pixels of 8-bit (uint8_t) or 16-bit (uint16_t, native
 * order) samples to sRGB floats in [0, 1], alpha scaled and kept. */
void st_cms_apply(st_cms *cms, const void *in, float *out, int npix);

/* Converts npix CMYK pixels (4 bytes each) to 3 sRGB floats each. */
void st_cms_apply_cmyk(st_cms *cms, const uint8_t *in, float *out, int npix);

/* Releases the transform and context; cms may be zeroed or used. */
void st_cms_free(st_cms *cms);

/* ---- decoders (io_jpeg.c, io_png.c, io_heif.c, io_tiff.c, io_raw.c) ---- */

/* Each decodes data into an upright image (orientation from the file's EXIF
 * unless opt says otherwise), converted to sRGB, filling info. max_pixels
 * is checked on the declared size before any pixel buffer exists. */
st_status st_jpeg_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err);
st_status st_png_decode(const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image **out, st_image_info *info, st_error *err);

st_status st_heif_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err);
st_status st_tiff_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err);
st_status st_raw_decode(const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image **out, st_image_info *info, st_error *err);

/* Whether a TIFF-signature file is camera raw rather than a picture: its
 * first directory has DNGVersion, a CFA or LinearRaw photometric, a
 * compression only raw decoders know, or a camera's Make together with
 * SubIFDs or a reduced-resolution first image (the raw data lives in a
 * sub-directory: NEF, ARW, ...); or it is a Canon CR2. (io_tiff.c) */
int st_tiff_is_raw(const uint8_t *data, size_t size);

#endif
