/* skintrack — before/after: register, then measure both photos on the
 * same skin.
 *
 * AFTER is registered to BEFORE (align.h). The region is given in
 * BEFORE's frame (NULL: all of it) and cut down to what AFTER also shows;
 * AFTER is then measured on its own pixels over that region mapped into
 * its frame (no resampling, so no interpolation blur in the texture), with
 * sizes, densities and texture bands reported in BEFORE's pixels and the
 * line orientation turned back by the registered rotation. A grey card for
 * white balance (ST_WB_PATCH) is given in BEFORE's frame too and mapped.
 * When the registration is not trusted (low_confidence), each photo is
 * measured on its own whole frame (BEFORE on the region) and the result
 * says so.
 */
#ifndef SKINTRACK_COMPARE_H
#define SKINTRACK_COMPARE_H

#include "align.h"
#include "image.h"
#include "metrics.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_compare_result {
    st_align_result align;
    int registered;           /* measured on the shared region */
    st_metrics before, after; /* free with st_compare_clear */
    st_region *before_region; /* where each was measured, in its own */
    st_region *after_region;  /* frame (owned; st_compare_clear) */
} st_compare_result;

st_status st_compare(const st_image *before, const st_image *after,
                     const st_region *region, const st_align_options *aopt,
                     const st_metrics_options *mopt, st_compare_result *res,
                     st_error *err);

void st_compare_clear(st_compare_result *res);

/* The two steps of st_compare after registration, for callers that
 * register photos themselves (course.h). */

/* Cuts reg (BEFORE's frame) to the pixels whose image under t (BEFORE ->
 * AFTER) lies at least 2 px inside a w x h AFTER photo. */
void st_compare_clip_region(st_region *reg, const st_transform *t, int w,
                            int h);

/* Measures AFTER, registered to BEFORE by a, on the skin of reg (BEFORE's
 * frame): each AFTER pixel whose nearest BEFORE pixel is in reg, sizes in
 * BEFORE's pixels, line orientation turned back by the rotation, a grey
 * card (ST_WB_PATCH, BEFORE's frame) mapped. *after_region (may be NULL)
 * receives that region in AFTER's frame (caller frees). */
st_status st_compare_measure_after(const st_image *after, const st_region *reg,
                                   const st_align_result *a,
                                   const st_metrics_options *mopt,
                                   st_metrics *out, st_region **after_region,
                                   st_error *err);

#ifdef __cplusplus
}
#endif
#endif
