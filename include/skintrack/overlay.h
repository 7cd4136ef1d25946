/* skintrack — pictures that show what was measured.
 *
 * st_overlay_pores: the photo with every detected pore circled (cyan ring
 * of the pore's diameter), the region bright and the rest dimmed to half.
 * st_overlay_redness: a heat map of CIELAB a* over the region (outside:
 * mid grey) on a fixed scale, dark blue at a* <= lo through green and
 * yellow to red at a* >= hi (defaults 0 and 30), with a colour bar along
 * the bottom edge ticked every 5 a* units, so maps of different photos
 * can be compared by eye.
 */
#ifndef SKINTRACK_OVERLAY_H
#define SKINTRACK_OVERLAY_H

#include "color.h"
#include "image.h"
#include "pores.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

st_status st_overlay_pores(st_image **out, const st_image *img,
                           const st_region *reg, const st_pores *pores,
                           st_error *err);

st_status st_overlay_redness(st_image **out, const st_lab_planes *lab,
                             const st_region *reg, double lo, double hi,
                             st_error *err);

#ifdef __cplusplus
}
#endif
#endif
