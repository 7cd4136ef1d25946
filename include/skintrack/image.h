/* skintrack — the image type.
 *
 * One image type for every stage: width x height pixels of `channels`
 * interleaved samples, rows `stride` samples apart (stride >= width *
 * channels). The samples are floats (`data`), or, in an 8-bit image,
 * bytes (`data8`) standing for byte / 255.0f: a quarter of the memory
 * for photos that come from 8-bit files (st_read_options.keep_8bit).
 * Exactly one of data and data8 is set. Functions that take an image
 * accept both unless they say otherwise; st_image_pixel() is for float
 * images, st_image_row() reads either. Layouts by channel count:
 *   1  grey          2  grey, alpha
 *   3  R, G, B       4  R, G, B, alpha
 * Colour samples are sRGB-encoded (IEC 61966-2-1 transfer curve, sRGB/D65
 * primaries) in [0, 1]; alpha is straight (not premultiplied) coverage in
 * [0, 1]. Readers convert every input to this encoding (see io.h);
 * st_image_linearize() gives linear-light values for photometry.
 */
#ifndef SKINTRACK_IMAGE_H
#define SKINTRACK_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_image {
    int width;
    int height;
    int channels;   /* 1..4, see above */
    size_t stride;  /* samples from one row to the next */
    float *data;    /* float samples, owned; NULL in an 8-bit image */
    uint8_t *data8; /* 8-bit samples, owned; NULL in a float image */
} st_image;

/* Largest width or height skintrack accepts, whatever the pixel limit. */
#define ST_IMAGE_MAX_SIDE 1000000

/* Checks that a width x height x channels float image can exist: positive
 * sides no larger than ST_IMAGE_MAX_SIDE, 1..4 channels, width * height at
 * most max_pixels (0 means no pixel limit) and the byte count representable
 * in size_t. Allocates nothing. On success *bytes (may be NULL) receives the
 * size of the sample buffer. */
st_status st_image_check_size(int width, int height, int channels,
                              uint64_t max_pixels, size_t *bytes,
                              st_error *err);

/* Allocates a zero-filled image. *out is NULL on failure. Free with
 * st_image_free(). */
st_status st_image_new(st_image **out, int width, int height, int channels,
                       st_error *err);

/* Allocates a zero-filled 8-bit image (data8 set, data NULL). */
st_status st_image_new_8bit(st_image **out, int width, int height, int channels,
                            st_error *err);

/* Frees an image and its samples. NULL is accepted. */
void st_image_free(st_image *img);

/* Address of the first sample of pixel (x, y) of a float image; no bounds
 * check. */
static inline float *st_image_pixel(const st_image *img, int x, int y)
{
    return img->data + (size_t)y * img->stride +
           (size_t)x * (size_t)img->channels;
}

/* Address of the first sample of pixel (x, y) of an 8-bit image. */
static inline uint8_t *st_image_pixel8(const st_image *img, int x, int y)
{
    return img->data8 + (size_t)y * img->stride +
           (size_t)x * (size_t)img->channels;
}

/* n pixels of row y from column x as float samples, for either kind of
 * image: the address in a float image, or buf (n * channels floats)
 * filled from an 8-bit one (byte / 255.0f, the value the readers give a
 * float image). No bounds check. */
const float *st_image_row(const st_image *img, int x, int y, int n, float *buf);

/* Turns an 8-bit image into a float image with the same values, in
 * place; a float image is left as it is. On failure img is unchanged. */
st_status st_image_to_float(st_image *img, st_error *err);

/* Number of colour channels (1 or 3) and whether there is an alpha channel. */
static inline int st_image_color_channels(const st_image *img)
{
    return img->channels >= 3 ? 3 : 1;
}
static inline int st_image_has_alpha(const st_image *img)
{
    return img->channels == 2 || img->channels == 4;
}

/* A new image with the same samples, of the same kind. */
st_status st_image_copy(st_image **out, const st_image *src, st_error *err);

/* A new float image whose colour samples are linear light (sRGB transfer
 * curve removed, still sRGB primaries, D65 white = 1.0); alpha is copied. */
st_status st_image_linearize(st_image **out, const st_image *src,
                             st_error *err);

/* The eight EXIF orientations (TIFF tag 274). The value says where the
 * stored image's first row and first column belong on the upright picture. */
typedef enum st_orientation {
    ST_ORIENT_NORMAL = 1,     /* row 0 top,    column 0 left */
    ST_ORIENT_FLIP_H = 2,     /* row 0 top,    column 0 right */
    ST_ORIENT_ROT_180 = 3,    /* row 0 bottom, column 0 right */
    ST_ORIENT_FLIP_V = 4,     /* row 0 bottom, column 0 left */
    ST_ORIENT_TRANSPOSE = 5,  /* row 0 left,   column 0 top */
    ST_ORIENT_ROT_90_CW = 6,  /* row 0 right,  column 0 top */
    ST_ORIENT_TRANSVERSE = 7, /* row 0 right,  column 0 bottom */
    ST_ORIENT_ROT_270_CW = 8  /* row 0 left,   column 0 bottom */
} st_orientation;

/* A new image (of src's kind) holding src turned upright for the given
 * EXIF orientation: for 5..8 width and height swap. Orientation 1 gives a
 * plain copy. */
st_status st_image_orient(st_image **out, const st_image *src, int orientation,
                          st_error *err);

#ifdef __cplusplus
}
#endif
#endif
