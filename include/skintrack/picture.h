/* skintrack — the pictures of a report, drawn from a registered photo at
 * display size (imgproc/picture.c; docs/report.md):
 *
 *   st_frame            which reference pixels a picture's pixels show
 *   st_picture_render   a photo resampled through its registration into a
 *                       frame (box-filtered first, so skin texture does
 *                       not alias)
 *   st_picture_mask     a region sampled into a frame
 *   st_picture_astar    CIELAB a* of each pixel of a rendered picture
 *   st_picture_astar_difference   a* of a photo minus a* of the baseline,
 *                       smoothed over the pixels both show in the common
 *                       region
 *   st_picture_diverging          a difference plane in colour
 *   st_picture_texture  the photo's L* band-passed to the texture bands
 *                       (st_texture_bandpass) under a frame, as grey
 *   st_ramp_diverging   the blue-white-red ramp of the maps and legends
 */
#ifndef SKINTRACK_PICTURE_H
#define SKINTRACK_PICTURE_H

#include <stdint.h>

#include "image.h"
#include "region.h"
#include "status.h"
#include "warp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Output pixel (u, v) shows reference pixel (ox + (u + 0.5) step - 0.5,
 * oy + (v + 0.5) step - 0.5): a box of the reference at 1 / step. */
typedef struct st_frame {
    double ox, oy, step;
    int w, h;
} st_frame;

/* The frame over the reference box [x0, x1) x [y0, y1), at most side px on
 * its long side (step 1 when it fits). */
void st_frame_of_box(st_frame *f, int x0, int y0, int x1, int y1, int side);

/* The reference point output pixel (u, v) shows. */
void st_frame_xy(const st_frame *f, int u, int v, double *x, double *y);

/* The photo seen through t (reference px -> photo px; scale: photo px per
 * reference px) in frame f, as RGB (the photo's encoded values, a grey
 * photo repeated): the photo is first averaged over k x k blocks, k =
 * floor(step scale) (at least 1), then sampled bilinearly, edges clamped.
 * Pixels the photo does not reach (or behind a homography's horizon) are
 * grey 0.35; inside (f->w x f->h, may be NULL) receives 1 where it
 * reaches, 0 elsewhere. *out is the caller's (st_image_free).
 * ST_ERR_NOMEM, ST_ERR_TOO_LARGE. */
st_status st_picture_render(st_image **out, const st_image *photo,
                            const st_transform *t, double scale,
                            const st_frame *f, uint8_t *inside, st_error *err);

/* reg (the reference's frame) under frame f, nearest pixel: *out (f->w x
 * f->h, malloc'd, the caller frees) is 1 inside the region. ST_ERR_NOMEM. */
st_status st_picture_mask(uint8_t **out, const st_region *reg,
                          const st_frame *f, st_error *err);

/* CIELAB a* (D65) of every pixel of an sRGB-encoded RGB picture after the
 * linear-light gains; NaN where inside is 0. *out (width x height floats,
 * malloc'd) is the caller's. ST_ERR_NOMEM. */
st_status st_picture_astar(float **out, const st_image *img,
                           const uint8_t *inside, const double gains[3],
                           st_error *err);

/* a - base (w x h planes, NaN where a picture does not reach), averaged
 * over the (2 radius + 1)^2 box of pixels where common is 1 and both are
 * finite; NaN elsewhere. *out (w x h doubles, malloc'd) is the caller's.
 * A uniform difference d over the common region comes out as d. */
st_status st_picture_astar_difference(double **out, const float *a,
                                      const float *base, const uint8_t *common,
                                      int w, int h, int radius, st_error *err);

/* The plane d (w x h) in colour: st_ramp_diverging(d / range), grey 0.55
 * where d is NaN. ST_ERR_NOMEM, ST_ERR_TOO_LARGE. */
st_status st_picture_diverging(st_image **out, const double *d, int w, int h,
                               double range, st_error *err);

/* The texture under frame f: the photo's L* (after gains) over its region
 * reg (the photo's frame) band-passed as st_texture_bandpass does (bands
 * at px_per_mm reference px per mm, 0: uncalibrated, scale photo px per
 * reference px), on a crop around the frame with a 40 reference px
 * margin, sampled through t (reference -> photo) into a grey picture:
 * 0.5 + 0.5 v / range clamped to 0..1, grey 0.18 off the region. *out is
 * NULL (ST_OK) when the crop is under 32 px a side or holds none of reg. */
st_status st_picture_texture(st_image **out, const st_image *photo,
                             const st_region *reg, const double gains[3],
                             const st_transform *t, double scale,
                             double px_per_mm, const st_frame *f, double range,
                             st_error *err);

/* t in -1..1 (clamped) to RGB 0..1: blue (33, 102, 172) at -1, near white
 * (247, 247, 247) at 0, red (178, 24, 43) at +1, linear between (a
 * ColorBrewer RdBu-like ramp). */
void st_ramp_diverging(double t, float rgb[3]);

#ifdef __cplusplus
}
#endif
#endif
