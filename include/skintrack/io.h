/* skintrack — reading and writing photos.
 *
 * Readers take JPEG (libjpeg-turbo), PNG (libpng), HEIF/HEIC/AVIF
 * (libheif), TIFF (libtiff) and camera raw (LibRaw) by content, not by
 * extension, and return an upright (EXIF-oriented) st_image whose colour
 * samples are sRGB-encoded in [0, 1] (see image.h):
 *   - an embedded ICC profile (JPEG APP2, PNG iCCP) is applied with lcms2,
 *     relative colorimetric intent, so a Display P3 or Adobe RGB photo reads
 *     as the same sRGB values as the same colours stored in sRGB; colours
 *     outside the sRGB gamut are clipped to [0, 1];
 *   - PNG without iCCP: an sRGB chunk means sRGB; otherwise gAMA and cHRM
 *     (either alone) are honoured by building the matching profile (gAMA
 *     alone means sRGB primaries with that power law; cHRM alone means
 *     those primaries with the sRGB curve); with none of them sRGB is assumed;
 *   - JPEG without a profile is taken as sRGB; CMYK and YCCK JPEGs are
 *     converted through their profile, or without one by the naive
 *     R = (1 - C)(1 - K) rule; Adobe-inverted CMYK (any JPEG with an Adobe
 *     APP14 marker) is recognised;
 *   - PNG 1/2/4/8/16-bit grey, grey+alpha, palette (tRNS becomes alpha),
 *     RGB, RGBA and interlaced images are read; 16-bit samples keep their
 *     16-bit precision.
 *   - HEIF/HEIC/AVIF: the primary image (thumbnails, depth maps and other
 *     auxiliary images are not read), 8 to 12 bits, its ICC profile or its
 *     nclx primaries and transfer curve; the container's irot/imir/clap
 *     transforms are applied by libheif and the EXIF Orientation inside the
 *     file is NOT applied again (it describes the same rotation);
 *   - TIFF: the first page (st_image_info.pages counts them), 8 and 16-bit
 *     grey, RGB, RGBA and CMYK, striped or tiled, any compression libtiff
 *     decodes; other layouts (palette, 1-bit, YCbCr, separate planes, ...)
 *     through libtiff's RGBA reader at 8 bits; ICC tag, Orientation tag and
 *     EXIF DateTimeOriginal honoured;
 *   - camera raw (DNG and the formats LibRaw knows): demosaiced, white
 *     balance as shot, camera matrix to linear sRGB primaries, no tone
 *     curve and no automatic brightening, 16 bits, then sRGB-encoded in
 *     floats like every other reader (st_image_linearize gives the linear
 *     values back).
 * Pixel limits are checked on the declared size before any pixel buffer is
 * allocated.
 */
#ifndef SKINTRACK_IO_H
#define SKINTRACK_IO_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ST_DEFAULT_MAX_MEGAPIXELS 120.0

typedef struct st_read_options {
    double max_megapixels;    /* refuse larger images; 0 means no limit */
    int ignore_orientation;   /* non-zero: keep pixels as stored */
    int ignore_color_profile; /* non-zero: take the samples as sRGB */
    int keep_8bit; /* non-zero: an 8-bit grey or RGB JPEG with no colour
                      profile to apply is returned as an 8-bit image
                      (image.h), a quarter of the memory, same values */
    /* 2, 4 or 8: a JPEG is decoded at 1/scale_denom of its size by
     * libjpeg's DCT scaling (each side rounded up; output pixel j then
     * covers stored pixels scale_denom j .. scale_denom (j + 1) - 1), much
     * faster than a full decode and a reduction; st_image_info's width
     * and height still give the full size. 0 or 1: full size. Other
     * formats ignore it and are read at full size. */
    int scale_denom;
} st_read_options;

/* Fills opt with the defaults (ST_DEFAULT_MAX_MEGAPIXELS, orientation and
 * colour profile honoured, float images). */
void st_read_options_init(st_read_options *opt);

typedef enum st_file_format {
    ST_FORMAT_UNKNOWN = 0,
    ST_FORMAT_JPEG,
    ST_FORMAT_PNG,
    ST_FORMAT_HEIF, /* HEIF/HEIC and AVIF (one reader, libheif) */
    ST_FORMAT_TIFF,
    ST_FORMAT_RAW /* camera raw, DNG included (LibRaw) */
} st_file_format;

/* The formats skintrack reads: one entry per format, in the order the
 * readers are tried, with the file-name extensions that folders are
 * scanned for (lower case, with the dot, separated by spaces). */
typedef struct st_format_desc {
    st_file_format format;
    const char *name;       /* as st_file_format_name */
    const char *title;      /* for people: "HEIF/HEIC/AVIF" */
    const char *extensions; /* ".heic .heif .avif" */
} st_format_desc;

/* The table of readable formats; *count receives its length. Static. */
const st_format_desc *st_io_formats(size_t *count);

/* Whether a file name ends in the extension of a readable format, in any
 * letter case ("IMG_0001.HEIC"). Only the name is looked at: the readers
 * themselves tell formats by content. */
int st_io_is_photo_name(const char *name);

/* Every extension of st_io_formats() in one line, ".jpg .jpeg ... .dng
 * ...", for messages: written into buf (always terminated when size > 0,
 * cut short if it does not fit); returns the length of the whole list. */
size_t st_io_extension_list(char *buf, size_t size);

/* How the reader decided what the samples' colours mean. */
typedef enum st_color_source {
    ST_COLOR_ASSUMED_SRGB = 0, /* nothing in the file; sRGB assumed */
    ST_COLOR_ICC,              /* embedded ICC profile applied */
    ST_COLOR_SRGB_CHUNK,       /* PNG sRGB chunk */
    ST_COLOR_GAMA_CHRM,        /* PNG gAMA and/or cHRM applied */
    ST_COLOR_NCLX,   /* HEIF nclx primaries and transfer curve applied */
    ST_COLOR_CAMERA, /* raw: the camera's matrix to sRGB primaries */
    ST_COLOR_IGNORED /* a profile was present but not applied: by option,
                        or made for another kind of image */
} st_color_source;

#define ST_DATETIME_MAX    32
#define ST_DESCRIPTION_MAX 128

/* What a reader learned about a file besides its pixels. */
typedef struct st_image_info {
    st_file_format format;
    int stored_width, stored_height; /* as in the file */
    int width, height;               /* after orientation */
    int file_channels; /* samples per pixel in the file (palette: 1, CMYK: 4) */
    int bit_depth;     /* bits per sample in the file: 1 to 16 */
    int orientation;   /* EXIF orientation applied, 1..8; 1 when absent */
    int has_exif;      /* an EXIF block was found and parsed */
    int pages;         /* images in the file: TIFF pages (the first is read);
                          1 for every other format */
    /* Raw: camera make and model as LibRaw names them; empty otherwise. */
    char camera[64];
    st_color_source color_source;
    /* Description of the embedded profile (or of the PNG chunks used);
     * empty when none. UTF-8 as found in the profile, control characters
     * replaced by spaces. */
    char color_description[ST_DESCRIPTION_MAX];
    /* EXIF DateTimeOriginal as ISO 8601 "YYYY-MM-DDTHH:MM:SS", with the
     * "+HH:MM" of OffsetTimeOriginal appended when the file has one; empty
     * when absent or malformed. */
    char datetime_original[ST_DATETIME_MAX];
} st_image_info;

/* Decodes an image held in memory. On success *out is an upright sRGB
 * image owned by the caller (free with st_image_free) and *info (may be
 * NULL) describes the file; on failure *out is NULL and err says why.
 * With out NULL only the header and EXIF are read (no pixels, no colour
 * profile): info gets the format, sizes, orientation and date, fast. A
 * PNG's eXIf chunk placed after the image data is not seen then. */
st_status st_io_read_memory(const void *data, size_t size,
                            const st_read_options *opt, st_image **out,
                            st_image_info *info, st_error *err);

/* As st_io_read_memory, reading the file at path first. opt may be NULL
 * for the defaults. */
st_status st_io_read(const char *path, const st_read_options *opt,
                     st_image **out, st_image_info *info, st_error *err);

/* Reads path as st_io_read, at 1/n (n = 2, 4 or 8: scale_denom) into
 * *out; *w, *h: the full (upright) size. When the result is not exactly
 * n times smaller than the full size (not a JPEG, or a side not a
 * multiple of n), *out is NULL and the call still succeeds: read the
 * photo at full size instead. */
st_status st_io_read_reduced(const char *path, const st_read_options *opt,
                             int n, st_image **out, int *w, int *h,
                             st_error *err);

/* Largest file st_io_read loads (bytes). */
#define ST_IO_MAX_FILE_BYTES ((uint64_t)1 << 31)

/* Writes img as PNG with 8 or 16 bits per sample and an sRGB chunk.
 * Samples are clipped to [0, 1] and rounded. The file is written
 * atomically: to a temporary file in the same folder, then renamed over
 * path, so a failure never leaves a partial or damaged file. */
st_status st_io_write_png(const char *path, const st_image *img, int bit_depth,
                          st_error *err);

/* Writes img as a baseline JPEG (quality 1..100, 4:4:4 chroma at quality
 * 90 and above, 4:2:0 below), atomically like st_io_write_png. Alpha is
 * dropped (composited over white). */
st_status st_io_write_jpeg(const char *path, const st_image *img, int quality,
                           st_error *err);

/* Encodes img as st_io_write_jpeg would, into memory: *data (malloc'd,
 * the caller frees) receives *size bytes. */
st_status st_io_encode_jpeg(const st_image *img, int quality,
                            unsigned char **data, size_t *size, st_error *err);

/* Short names for the enums ("jpeg", "png", "icc", "srgb-chunk", ...). */
const char *st_file_format_name(st_file_format format);
const char *st_color_source_name(st_color_source source);

#ifdef __cplusplus
}
#endif
#endif
