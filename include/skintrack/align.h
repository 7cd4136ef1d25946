/* skintrack — registration: align a moving photo to a reference photo.
 *
 * st_align_estimate finds the map -- a similarity (shift, rotation,
 * isotropic scale), an affine map or a homography (perspective) -- that
 * takes reference pixel coordinates to moving pixel coordinates (see
 * warp.h for the convention), to a fraction of a pixel, and says whether
 * it can be trusted and how far off, in pixels, it still is. Both images
 * are upright sRGB st_images of any sizes and aspect ratios; only their
 * luminance is used, and the estimate is insensitive to exposure, white
 * balance and local colour (redness) changes. Method, in align.c: SIFT
 * correspondences with a robust fit and Fourier-Mellin as two candidates,
 * then Gauss-Newton refinement with gain and offset over an image pyramid.
 */
#ifndef SKINTRACK_ALIGN_H
#define SKINTRACK_ALIGN_H

#include "image.h"
#include "status.h"
#include "warp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default decision threshold on st_align_result.confidence. */
#define ST_ALIGN_MIN_CONFIDENCE 0.2
/* Default bound on st_align_result.residual_p95_px (full-resolution
 * reference px): half the smallest pore diameter skintrack measures
 * (3 px), so a pore seen in both photos still overlaps itself by more
 * than half (docs/align.md). */
#define ST_ALIGN_MAX_RESIDUAL_PX 1.5

/* The geometric model. AUTO chooses among the other three by evidence
 * (GRIC on the feature matches, docs/align.md). */
typedef enum st_align_model {
    ST_ALIGN_AUTO = 0,
    ST_ALIGN_SIMILARITY = 1,
    ST_ALIGN_AFFINE = 2,
    ST_ALIGN_HOMOGRAPHY = 3
} st_align_model;

typedef struct st_align_options {
    double max_rotation_deg; /* |rotation| at most this (default 180: any) */
    double max_scale;        /* scale within [1/max_scale, max_scale]
                                (default 3) */
    int translation_only;    /* non-zero: rotation 0, scale 1 */
    double min_confidence;   /* below: ST_ALIGN_LOW_CONFIDENCE */
    st_align_model model;    /* default ST_ALIGN_AUTO */
    double max_residual_px;  /* residual_p95_px above: low confidence
                                (default ST_ALIGN_MAX_RESIDUAL_PX) */
    int no_features;         /* non-zero: Fourier-Mellin candidates only */
} st_align_options;

/* Fills opt with the defaults above. */
void st_align_options_init(st_align_options *opt);

typedef enum st_align_status {
    ST_ALIGN_OK = 0,
    ST_ALIGN_LOW_CONFIDENCE = 1
} st_align_status;

typedef struct st_align_result {
    st_transform transform; /* reference -> moving, full resolution: the
                               normative homography h00..h22 */
    st_align_model model;   /* the model of transform (never AUTO) */
    /* the similarity closest to transform at the reference centre
     * (warp.h) */
    double dx, dy;       /* px, shift of the reference centre */
    double rotation_deg; /* counter-clockwise on screen positive */
    double scale;        /* moving px per reference px */
    /* Zero-mean normalised cross-correlation, over the overlap, of the
     * band-passed (difference of Gaussians, sigma 1 and 4 px on a level
     * of at most about a megapixel) luminance of the reference and of the
     * moving image warped onto it: about 0 for unrelated photos, near 1 for the
     * same skin under a small change. */
    double confidence;
    double overlap_pct; /* % of reference pixels seen in the moving */
    /* Misregistration left, in full-resolution reference px: median and
     * 95th percentile of the local shifts that phase correlation finds
     * between reference patches and the registered moving image on a grid
     * over the overlap (NaN when fewer than 4 patches have texture). */
    double residual_px, residual_p95_px;
    int residual_patches;  /* patches measured (with a clear peak) */
    int residual_tried;    /* patches inside the overlap; fewer than a
                              quarter of them measured: low confidence */
    int matches, inliers;  /* SIFT matches and inliers of the robust fit
                              (0 when not used or none) */
    const char *candidate; /* "features", "fourier-mellin" or "none" */
    st_align_status status;
    int iterations; /* Gauss-Newton steps, all levels */
    /* Why the result is low_confidence, in one line (empty when ok): the
     * measure that failed, and a bound (--max-scale, --max-rotation) an
     * estimate ran into, with the value that would admit it. */
    char note[200];
} st_align_result;

/* Registers mov to ref. opt may be NULL for the defaults. On success res
 * holds the estimate; a low-confidence estimate is still ST_OK with
 * res->status == ST_ALIGN_LOW_CONFIDENCE. Fails only for bad arguments
 * (images smaller than 16 px a side) or lack of memory. */
st_status st_align_estimate(const st_image *ref, const st_image *mov,
                            const st_align_options *opt, st_align_result *res,
                            st_error *err);

/* Registration of large photos from a reduced decode. Registration only
 * reads a pyramid whose finest level is the photo averaged f x f (at most
 * about 3.2 megapixels); st_align_reduction gives, for a width x height
 * reference, the largest of 8, 4, 2 that divides f, or 1; and 2 for a
 * photo of 1.5 to 3.2 megapixels (f = 1), registered at half size for
 * speed (its map as accurate against the truth, its residual measured on
 * the half-size photos, in full-resolution px). Photos decoded
 * at 1/n of that (st_read_options.scale_denom, st_io_read_reduced) are
 * registered at the same level scale; st_align_to_full then takes the
 * result of st_align_estimate on them (run with max_residual_px INFINITY)
 * to the full-resolution frames (w x h: the reference's full size, mw x
 * mh: the moving photo's): the map conjugated by the reduction (pixel j
 * of the reduced photo is centred on n j + (n - 1) / 2), the similarity
 * and overlap recomputed, the residual times n and checked against
 * max_residual_px (low_confidence above it, with its note alone). */
int st_align_reduction(int width, int height);
void st_align_to_full(st_align_result *res, int n, int w, int h, int mw, int mh,
                      double max_residual_px);

/* "ok" or "low_confidence". */
const char *st_align_status_name(st_align_status status);

/* "auto", "similarity", "affine", "homography". */
const char *st_align_model_name(st_align_model model);

/* The model named name (as above); -1 when unknown. */
int st_align_model_parse(const char *name, st_align_model *model);

#ifdef __cplusplus
}
#endif
#endif
