/* skintrack — automatic skin mask.
 *
 * st_skin_region marks the pixels whose colour is skin's (Chai & Ngan
 * 1999, IEEE Trans. CSVT 9:551: Cb in [77, 127] and Cr in [133, 173] of
 * 8-bit BT.601 YCbCr), neither dark (luma Y < 40: hair, brows, pupils,
 * shadow) nor blown out (Y > 250: speculars), then cleans the mask: a
 * closing fills holes up to 24 px across (pores, spots, small shadows are
 * skin and must be measured), an opening drops specks under 9 px, and
 * only connected parts of at least 2% of the image are kept. Hair, eyes
 * and most backgrounds fall outside. See docs/metrics.md.
 */
#ifndef SKINTRACK_SKIN_H
#define SKINTRACK_SKIN_H

#include "image.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The skin of img as a region (ST_ERR_INVALID if it finds none). */
st_status st_skin_region(st_region **out, const st_image *img, st_error *err);

#ifdef __cplusplus
}
#endif
#endif
