/* skintrack — geometric transforms and resampling.
 *
 * An st_transform maps REFERENCE pixel coordinates to MOVING pixel
 * coordinates by a plane homography (Hartley & Zisserman 2004, ch. 2):
 *     w     = m[6] * x + m[7] * y + 1
 *     x_mov = (m[0] * x + m[1] * y + m[2]) / w
 *     y_mov = (m[3] * x + m[4] * y + m[5]) / w
 * with pixel centres at integer coordinates, (0, 0) the centre of the
 * top-left pixel, x to the right and y down, in upright full-resolution
 * images. As a 3 x 3 matrix H (h00..h22, row by row) it is
 *     | m[0] m[1] m[2] |
 *     | m[3] m[4] m[5] |
 *     | m[6] m[7]  1   |
 * i.e. normalised to h22 = 1. With m[6] = m[7] = 0 (what a zero
 * initialiser leaves) it is the affine map of the first two rows. This
 * matrix is the normative result of registration. A map that sends the
 * reference origin to infinity (h22 = 0) cannot be represented; the
 * functions below never produce one from maps that keep the origin finite.
 *
 * A similarity is described about the reference centre c = ((w-1)/2,
 * (h-1)/2) by a shift (dx, dy), a rotation theta (degrees, positive when
 * the moving photo's content is turned counter-clockwise as seen on
 * screen) and a scale s (moving px per reference px):
 *     m[0] = s cos(theta)   m[1] = s sin(theta)
 *     m[3] = -s sin(theta)  m[4] = s cos(theta)
 *     (m[2], m[5]) chosen so that c maps to c + (dx, dy).
 * For a general matrix the derived values describe the similarity
 * closest (least squares over the 2 x 2 entries) to the map's Jacobian J
 * at c, i.e. to the model at the centre:
 *     s = hypot(J00 + J11, J01 - J10) / 2  (NaN when det J <= 0),
 *     theta = atan2(J01 - J10, J00 + J11),
 *     (dx, dy) = H(c) - c.
 * For an affine map J is m[0], m[1], m[3], m[4]; for a similarity s is
 * the scale itself.
 */
#ifndef SKINTRACK_WARP_H
#define SKINTRACK_WARP_H

#include "image.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_transform {
    double m[8];
} st_transform;

/* The identity. */
void st_transform_identity(st_transform *t);

/* The similarity with these parameters about centre (cx, cy). */
void st_transform_similarity(st_transform *t, double cx, double cy, double dx,
                             double dy, double rotation_deg, double scale);

/* The parameters of t about centre (cx, cy), by the formulas above. Any
 * out-pointer may be NULL. */
void st_transform_params(const st_transform *t, double cx, double cy,
                         double *dx, double *dy, double *rotation_deg,
                         double *scale);

/* Applies t to (x, y). Where w <= 0 (the point lies on or behind the
 * horizon of a homography) the result is not a point of the moving image;
 * st_transform_apply_checked tells. */
void st_transform_apply(const st_transform *t, double x, double y, double *xo,
                        double *yo);

/* Applies t to (x, y) and returns 0, or -1 (outputs left alone) where
 * w <= 0. */
int st_transform_apply_checked(const st_transform *t, double x, double y,
                               double *xo, double *yo);

/* Non-zero when m[6] or m[7] is: a projective, not affine, map. */
int st_transform_is_projective(const st_transform *t);

/* The nine entries h00..h22 of t as a 3 x 3 matrix, row by row. */
void st_transform_matrix(const st_transform *t, double h[9]);

/* The inverse of t; returns -1 (and leaves inv alone) if t is singular. */
int st_transform_invert(const st_transform *t, st_transform *inv);

/* a after b: (a o b)(x) = a(b(x)). */
void st_transform_compose(st_transform *out, const st_transform *a,
                          const st_transform *b);

/* Resamples src into a width x height frame: output pixel x shows src at
 * t(x), interpolated with the Keys bicubic kernel (a = -0.5). The result has
 * src's colour channels plus an alpha channel that is 1 where t(x) falls
 * inside src (within its outermost pixel centres) and 0 elsewhere, where the
 * colour is 0. src's own alpha, if any, is multiplied in. */
st_status st_warp_image(st_image **out, const st_image *src,
                        const st_transform *t, int width, int height,
                        st_error *err);

/* A checkerboard of ref and aligned (same size; aligned as returned by
 * st_warp_image) in tiles of `tile` px, for judging an alignment by eye:
 * edges and features continue across tile borders when the alignment is
 * right. Outside aligned's coverage the reference shows, darkened by half.
 * The result is RGB. */
st_status st_warp_checkerboard(st_image **out, const st_image *ref,
                               const st_image *aligned, int tile,
                               st_error *err);

#ifdef __cplusplus
}
#endif
#endif
