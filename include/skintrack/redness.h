/* skintrack — redness (erythema) metrics of a region.
 *
 * From CIELAB (D65, 2°) and linear sRGB after any white balance:
 *   a_star_mean      mean a* over the region
 *   a_star_p90       90th percentile of a* (0.01 resolution)
 *   erythema_index   100 log10(R / G) of the region's mean linear R and G
 *                    (Dawson et al. 1980; Diffey et al. 1984), camera units
 *   red_area_pct     % of region pixels whose a* exceeds the threshold
 *                    (default ST_RED_A_STAR_THRESHOLD)
 * Formulas, units and sources: docs/metrics.md.
 */
#ifndef SKINTRACK_REDNESS_H
#define SKINTRACK_REDNESS_H

#include "color.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* a* above which a pixel counts as red: typical facial skin sits near
 * a* 10-17 in camera photos, inflamed skin above 20. */
#define ST_RED_A_STAR_THRESHOLD 20.0

typedef struct st_redness {
    double a_star_mean;
    double a_star_p90;
    double erythema_index;
    double red_area_pct;
} st_redness;

/* Measures lab over reg (same size). threshold <= 0 means the default. */
st_status st_redness_measure(const st_lab_planes *lab, const st_region *reg,
                             double threshold, st_redness *out, st_error *err);

#ifdef __cplusplus
}
#endif
#endif
