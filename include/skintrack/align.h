/* skintrack — registration: align a moving photo to a reference photo.
 *
 * st_align_estimate finds the similarity transform (shift, rotation,
 * isotropic scale) that maps reference pixel coordinates to moving pixel
 * coordinates (see warp.h for the convention), to a fraction of a pixel,
 * and says whether it can be trusted. Both images are upright sRGB
 * st_images of any sizes and aspect ratios; only their luminance is used,
 * and the estimate is insensitive to exposure, white balance and local
 * colour (redness) changes. Method, in align.c: Fourier-Mellin on a coarse
 * level (rotation and scale), phase correlation (translation), then
 * Gauss-Newton refinement with gain and offset over an image pyramid.
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

typedef struct st_align_options {
    double max_rotation_deg; /* |rotation| at most this (default 45) */
    double max_scale;        /* scale within [1/max_scale, max_scale]
                                (default 1.5) */
    int translation_only;    /* non-zero: rotation 0, scale 1 */
    double min_confidence;   /* below: ST_ALIGN_LOW_CONFIDENCE */
} st_align_options;

/* Fills opt with the defaults above. */
void st_align_options_init(st_align_options *opt);

typedef enum st_align_status {
    ST_ALIGN_OK = 0,
    ST_ALIGN_LOW_CONFIDENCE = 1
} st_align_status;

typedef struct st_align_result {
    st_transform transform; /* reference -> moving, full resolution */
    double dx, dy;          /* px, shift of the reference centre */
    double rotation_deg;    /* counter-clockwise on screen positive */
    double scale;           /* moving px per reference px */
    /* Zero-mean normalised cross-correlation, over the overlap, of the
     * band-passed (difference of Gaussians, sigma 1 and 4 px on a level
     * of at most about a megapixel) luminance of the reference and of the
     * moving image warped onto it: about 0 for unrelated photos, near 1 for the
     * same skin under a small change. */
    double confidence;
    double overlap_pct; /* % of reference pixels seen in the moving */
    st_align_status status;
    int iterations; /* Gauss-Newton steps, all levels */
} st_align_result;

/* Registers mov to ref. opt may be NULL for the defaults. On success res
 * holds the estimate; a low-confidence estimate is still ST_OK with
 * res->status == ST_ALIGN_LOW_CONFIDENCE. Fails only for bad arguments
 * (images smaller than 16 px a side) or lack of memory. */
st_status st_align_estimate(const st_image *ref, const st_image *mov,
                            const st_align_options *opt, st_align_result *res,
                            st_error *err);

/* "ok" or "low_confidence". */
const char *st_align_status_name(st_align_status status);

#ifdef __cplusplus
}
#endif
#endif
