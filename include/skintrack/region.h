/* skintrack — the region of a photo that metrics are measured on.
 *
 * A region is a w x h byte mask (non-zero = measured) of the image it
 * belongs to, with its bounding box and pixel count. Make one for the
 * whole image, a rectangle (--roi X,Y,W,H) or a mask image (--mask
 * MASK.png, non-zero = measured); intersect regions to measure photos of a
 * course on the skin they all show.
 */
#ifndef SKINTRACK_REGION_H
#define SKINTRACK_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_region {
    int width, height;  /* of the image it belongs to */
    uint8_t *mask;      /* width * height bytes, row-major; 1 = measured */
    int x0, y0, x1, y1; /* bounding box, x1/y1 exclusive (empty: all 0) */
    size_t count;       /* measured pixels */
} st_region;

/* The whole w x h image. Free with st_region_free. */
st_status st_region_full(st_region **out, int w, int h, st_error *err);

/* The rectangle x, y, rw, rh of a w x h image; it must lie inside the
 * image and hold at least one pixel (ST_ERR_INVALID otherwise). */
st_status st_region_rect(st_region **out, int w, int h, int x, int y, int rw,
                         int rh, st_error *err);

/* From a mask image of exactly w x h pixels: measured where its first
 * channel is above 0.5 / 255 (any non-zero 8-bit value) and, if it has
 * alpha, where alpha is too. */
st_status st_region_from_mask(st_region **out, const st_image *mask, int w,
                              int h, st_error *err);

/* An empty region (no pixel measured) of a w x h image, to fill. */
st_status st_region_new_empty(st_region **out, int w, int h, st_error *err);

/* Removes from r the pixels of img (same size) whose alpha is below 0.5:
 * transparent pixels are outside every region. No-op without alpha. */
st_status st_region_drop_transparent(st_region *r, const st_image *img,
                                     st_error *err);

/* The centroid of r's pixels (pixel centres, in the image's pixels); NaN
 * for an empty region. */
void st_region_centroid(const st_region *r, double *cx, double *cy);

/* a = a AND b (same size). */
st_status st_region_intersect(st_region *a, const st_region *b, st_error *err);

/* Recomputes the bounding box and count after the mask was edited. */
void st_region_update(st_region *r);

/* The same when every set pixel lies in the box x0 <= x < x1, y0 <= y <
 * y1 (only the box is read). */
void st_region_update_in(st_region *r, int x0, int y0, int x1, int y1);

void st_region_free(st_region *r);

#ifdef __cplusplus
}
#endif
#endif
