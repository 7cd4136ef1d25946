/* skintrack — what the readers share inside libskintrack. */
#ifndef SKINTRACK_IO_INTERNAL_H
#define SKINTRACK_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "skintrack/image.h"
#include "skintrack/io.h"
#include "skintrack/status.h"

/* ---- orientation-aware destination for decoded rows (image.c) ---- */

/* Stored row sy (stored_width pixels of dst->channels floats) is written to
 * where the EXIF orientation puts it in the upright image dst, whose size
 * must already be the upright size. */
void st_orient_put_row(st_image *dst, int orientation, int stored_width,
                       int stored_height, int sy, const float *row);

/* ---- EXIF (exif.c, libexif) ---- */

/* Parses an EXIF block (with or without the "Exif\0\0" prefix) into
 * info->orientation (1 when absent or invalid), info->datetime_original and
 * info->has_exif. A block that cannot be parsed is ignored: it is not worth
 * refusing a photo over. */
void st_exif_parse(const uint8_t *data, size_t size, st_image_info *info);

/* Largest EXIF block skintrack hands to the parser. */
#define ST_EXIF_MAX_BYTES (1u << 20)

/* ---- colour conversion to sRGB (icc.c, lcms2) ---- */

typedef enum st_cms_input {
    ST_CMS_FLOAT,   /* float samples in the image's own layout, in place */
    ST_CMS_CMYK8,   /* 8-bit CMYK, 0 = no ink */
    ST_CMS_CMYK8_INV /* 8-bit Adobe-inverted CMYK, 0 = full ink */
} st_cms_input;

typedef struct st_cms {
    void *context;   /* cmsContext */
    void *transform; /* cmsHTRANSFORM; NULL: samples are sRGB already */
    int channels;    /* image channels (ST_CMS_FLOAT) */
    char message[160];
} st_cms;

/* Prepares a conversion from an embedded ICC profile. channels is the
 * decoded image's channel count (1..4, alpha kept) for ST_CMS_FLOAT, or 3
 * (RGB output) for CMYK input. A profile whose colour space does not fit
 * the image (an RGB profile on a grey JPEG) is not applied: cms->transform
 * stays NULL and info->color_source becomes ST_COLOR_IGNORED. A profile
 * that lcms2 cannot parse fails with ST_ERR_COLOR. Fills
 * info->color_description. */
st_status st_cms_from_icc(st_cms *cms, const uint8_t *icc, size_t size,
                          st_cms_input input, int channels,
                          st_image_info *info, st_error *err);

/* Prepares a conversion from PNG colour chunks: gamma is the gAMA value
 * (file gamma, e.g. 0.45455; <= 0 when absent), chrm the cHRM white and
 * red, green, blue chromaticities x, y (NULL when absent). */
st_status st_cms_from_png_chunks(st_cms *cms, double gamma,
                                 const double chrm[8], int channels,
                                 st_image_info *info, st_error *err);

/* Converts npix pixels. ST_CMS_FLOAT: row in place, clipped to [0, 1].
 * CMYK: in (4 bytes a pixel) to out (3 floats a pixel). */
void st_cms_apply_float(st_cms *cms, float *row, int npix);
void st_cms_apply_cmyk(st_cms *cms, const uint8_t *in, float *out, int npix);

/* Releases the transform and context; cms may be zeroed or used. */
void st_cms_free(st_cms *cms);

/* ---- decoders (io_jpeg.c, io_png.c) ---- */

/* Each decodes data into an upright image (orientation from the file's EXIF
 * unless opt says otherwise), converted to sRGB, filling info. max_pixels
 * is checked on the declared size before any pixel buffer exists. */
st_status st_jpeg_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err);
st_status st_png_decode(const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image **out, st_image_info *info, st_error *err);

/* Upright size for a stored size and orientation. */
static inline void st_oriented_size(int orientation, int sw, int sh, int *w,
                                    int *h)
{
    int swap = orientation >= 5 && orientation <= 8;
    *w = swap ? sh : sw;
    *h = swap ? sw : sh;
}

#endif
