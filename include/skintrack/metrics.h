/* skintrack — every metric of a photo over a region, in one call.
 *
 * Runs white balance, CIELAB, redness, tone, pores and texture on the
 * region and returns them together, with the column names and units used
 * in CSV output (docs/metrics.md).
 */
#ifndef SKINTRACK_METRICS_H
#define SKINTRACK_METRICS_H

#include "color.h"
#include "image.h"
#include "pores.h"
#include "redness.h"
#include "region.h"
#include "status.h"
#include "texture.h"
#include "timing.h"
#include "tone.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mean luminance that pores and texture are measured at (L* 61.7), so
 * exposure does not move them. */
#define ST_METRICS_TEXTURE_Y 0.3

/* The photo's L* from which a pixel counts as clipped or a highlight and
 * is left out of the pore search (sRGB 242 grey; skin is below 80). */
#define ST_METRICS_CLIP_L 95.0

typedef struct st_metrics_options {
    st_white_balance white_balance; /* default ST_WB_NONE */
    double px_per_mm;               /* reference px per mm; 0: uncalibrated */
    double px_scale;                /* image px per reference px (0 or 1:
                                       the image's own); sizes, densities,
                                       bands are reported in reference px */
    double red_threshold;           /* 0: ST_RED_A_STAR_THRESHOLD */
    st_pore_options pores;          /* px_per_mm copied from above */
    const st_region *reference;     /* NULL, or a reference region of
                                       skin in the same photo (the image's
                                       frame, not owned): the _rel
                                       metrics are the region's colour
                                       minus the reference's */
    st_timing *timing;              /* NULL, or stage times are added */
} st_metrics_options;

void st_metrics_options_init(st_metrics_options *opt);

/* How a photo's colour was calibrated. */
typedef enum st_calibration {
    ST_CAL_NONE = 0,
    ST_CAL_GRAYWORLD,
    ST_CAL_PATCH,
    ST_CAL_CHART,
    ST_CAL_CARD
} st_calibration;

/* "none", "grayworld", "patch", "chart", "card". */
const char *st_calibration_name(st_calibration c);

typedef struct st_metrics {
    st_redness redness;
    st_tone tone;
    st_pores pores; /* owns its list: st_metrics_clear */
    st_texture texture;
    size_t region_px;
    double wb_gains[3]; /* the linear-light R, G, B gains white balance
                           applied (1, 1, 1 without) */
    double correction[9]; /* the 3 x 3 correction of linear R, G, B applied
                             before CIELAB (row-major: diag(wb_gains), or
                             a colour chart's matrix) */
    st_calibration calibration;
    double calibration_delta_e; /* chart: mean CIEDE2000 of its patches
                                   after correction; NaN otherwise */
    int target_clipped;         /* the chart or card found had clipped
                                   pixels (a clipped card is not used) */
    double light[3];  /* the light: linear R, G, B a perfect white had in
                         the photo; from the target (chart, card, patch),
                         else a shades-of-grey estimate (p = 6) over the
                         whole photo. For exposure and white-balance
                         comparisons between photos (st_metrics_light_*) */
    int light_from_target;
    double skin_clipped_pct;  /* region pixels with a clipped channel (%) */
    double linear_mean[3];    /* the region's mean linear R, G, B after the
                                 correction */
    /* relative colour (options.reference): region minus reference, in the
     * same photo; NaN without a reference or with an empty one */
    int has_reference;
    size_t reference_px;
    double l_star_rel, a_star_rel, erythema_index_rel, melanin_index_rel;
} st_metrics;

/* Measures img over reg (NULL: the whole image). */
st_status st_metrics_measure(const st_image *img, const st_region *reg,
                             const st_metrics_options *opt, st_metrics *out,
                             st_error *err);

void st_metrics_clear(st_metrics *m);

/* The metric columns, in order: name, unit (for long layouts) and value
 * (NaN when unavailable; the ITA category is text, see st_metrics_text). */
#define ST_METRICS_COUNT 29
const char *st_metrics_name(int i);
const char *st_metrics_unit(int i);
double st_metrics_value(const st_metrics *m, int i);
/* Non-NULL for text columns (ita_category), NULL for numbers. */
const char *st_metrics_text(const st_metrics *m, int i);

/* 0 for a metric the photo was not asked for (the _rel metrics without a
 * reference region): long layouts leave it out; 1 otherwise. */
int st_metrics_available(const st_metrics *m, int i);

/* How the light of a photo differs from the baseline's, and what that does
 * to the numbers as they are reported (docs/calibration.md). */
enum {
    ST_LIGHT_EXPOSURE = 1,       /* would move a* by > 1 or L* by > 3 */
    ST_LIGHT_WHITE_BALANCE = 2,  /* would move a* by > 1 */
    ST_LIGHT_TARGET_CLIPPED = 4, /* either photo's target was clipped */
    ST_LIGHT_SKIN_CLIPPED = 8,   /* over 1% of either region clipped */
    ST_LIGHT_CALIBRATION = 16    /* calibrated differently */
};
typedef struct st_light_change {
    double exposure;         /* green light, photo / baseline */
    double wb_red, wb_blue;  /* (R/G) and (B/G), photo / baseline */
    double a_star_shift;     /* a* the baseline's region colour would gain
                                under the light change left in the numbers
                                (none once both are target-corrected) */
    double l_star_shift;
    int flags;               /* ST_LIGHT_* */
} st_light_change;

void st_metrics_light_change(const st_metrics *photo, const st_metrics *base,
                             st_light_change *out);

/* "exposure;white_balance;target_clipped;skin_clipped;calibration" (the
 * flags set, ';'-separated; "" for none) into buf. */
const char *st_light_flags_text(int flags, char *buf, size_t cap);

/* 1 if metric i is on a ratio scale (a true zero: counts, areas,
 * diameters, densities, shares, roughness, spreads), so a percentage
 * change means something; 0 for interval scales whose zero is arbitrary
 * (L*, a*, b*, ITA, angles, spectral slope, the erythema and melanin
 * indices) and for text. */
int st_metrics_ratio_scale(int i);

/* 100 (after - before) / before for a ratio-scale metric i with before
 * > 0; NaN otherwise (interval scale, text, or before <= 0). */
double st_metrics_pct_change(int i, double before, double after);

#ifdef __cplusplus
}
#endif
#endif
