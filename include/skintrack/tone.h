/* skintrack — pigmentation and tone metrics of a region.
 *
 *   l_star_mean     mean L* (also the exposure a user can watch drift)
 *   b_star_mean     mean b*
 *   melanin_index   100 log10(1 / R) of the region's mean linear R
 *                   (Dawson et al. 1980; Diffey et al. 1984), camera units
 *   ita_deg         individual typology angle atan2(L* - 50, b*) in degrees
 *                   from the mean L* and b* (Chardon et al. 1991)
 *   ita_category    very_light (> 55), light (41-55), intermediate (28-41),
 *                   tan (10-28), brown (-30-10), dark (< -30)
 *                   (Del Bino et al. 2006)
 *   tone_evenness   standard deviation of L* over the region after a
 *                   least-squares quadratic surface (the illumination
 *                   gradient) is removed; L* units, lower is more even
 * Formulas, units and sources: docs/metrics.md.
 */
#ifndef SKINTRACK_TONE_H
#define SKINTRACK_TONE_H

#include "color.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_tone {
    double l_star_mean;
    double b_star_mean;
    double melanin_index;
    double ita_deg;
    const char *ita_category; /* static string */
    double tone_evenness;
} st_tone;

st_status st_tone_measure(const st_lab_planes *lab, const st_region *reg,
                          st_tone *out, st_error *err);

/* The ITA category of an angle (static string, see above). */
const char *st_tone_ita_category(double ita_deg);

#ifdef __cplusplus
}
#endif
#endif
