/* skintrack — what the registration files share (align.c, align_features.c,
 * align_fit.c), and the pieces of align.c that course runs reuse when they
 * register reduced decodes (track/course_run.c). */
#ifndef SKINTRACK_ALIGN_INTERNAL_H
#define SKINTRACK_ALIGN_INTERNAL_H

#include "core/core_internal.h"
#include "skintrack/align.h"
#include "skintrack/warp.h"

/* A tentative correspondence: (x0, y0) in the reference, (x1, y1) in the
 * moving image, both in the coordinates of the planes that were matched. */
typedef struct st_fmatch {
    double x0, y0, x1, y1;
} st_fmatch;

/* SIFT keypoints (VLFeat) of two luminance planes (w x h floats, row by
 * row, any scale), matched by a kd-forest with Lowe's ratio test.
 * *out (free()d by the caller) holds *n matches, none when either image
 * has too few keypoints. Returns 0, or -1 when out of memory. */
int st_features_match(const float *ref, int rw, int rh, const float *mov,
                      int mw, int mh, st_fmatch **out, int *n);

/* Degrees of freedom of a model: 4, 6 or 8. */
int st_fit_dof(st_align_model model);

/* Least-squares fit of model to the matches with keep[i] non-zero (all
 * when keep is NULL): exact linear least squares for the similarity and
 * the affine map; for the homography the normalised DLT (Hartley 1997)
 * followed by Gauss-Newton on the transfer error. Returns -1 when
 * degenerate, -2 when out of memory. */
int st_fit_ls(st_align_model model, const st_fmatch *m, int n,
              const unsigned char *keep, st_transform *t);

/* Robust fit: MSAC sampling of minimal sets (Torr & Zisserman 2000) with
 * threshold thr on the transfer error, then least squares on the inliers,
 * twice. keep (n bytes) receives the inliers; returns their number (0
 * when nothing fits), or -1 when out of memory. Deterministic. ref_w x ref_h:
 * the reference plane, whose corners must stay in front of a homography's
 * horizon. */
int st_fit_robust(st_align_model model, const st_fmatch *m, int n, double thr,
                  int ref_w, int ref_h, st_transform *t, unsigned char *keep);

/* The model among similarity, affine and homography with the least GRIC
 * (Torr 1998) on the inliers keep, each refitted to them by st_fit_ls;
 * sigma (feature-plane px) is the inliers' noise level, measured on the
 * homography's residuals. Writes each model's score to gric[3] if not
 * NULL. ST_ALIGN_AUTO when out of memory. */
st_align_model st_fit_select(const st_fmatch *m, int n,
                             const unsigned char *keep, double gric[3]);

/* Squared transfer error of a match under t (infinite behind the
 * horizon). */
double st_fit_error2(const st_transform *t, const st_fmatch *m);

/* The finest pyramid level's block factor for photos of at most `pixels`
 * pixels: the least f with pixels / f^2 <= 3.2 megapixels (align.c). */
int st_align_fine_factor(double pixels);

/* The share (%) of the w x h reference's pixels that t maps into a
 * mw x mh moving photo (every 4th pixel and row above a megapixel). */
double st_align_overlap(const st_transform *t, int w, int h, int mw, int mh);

/* Appends a sentence to res->note ("; " between sentences; cut at the
 * note's size). */
void st_align_note(st_align_result *res, const char *fmt, ...) ST_PRINTF(2, 3);

#endif
