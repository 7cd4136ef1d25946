/* skintrack — every metric of a photo over a region, in one call.
 *
 * Runs white balance, CIELAB, redness, tone, pores and texture on the
 * region and returns them together, with the column names and units used
 * in CSV output (docs/metrics.md).
 */
#ifndef SKINTRACK_METRICS_H
#define SKINTRACK_METRICS_H

#include <stddef.h>

#include "color.h"
#include "image.h"
#include "pores.h"
#include "redness.h"
#include "region.h"
#include "repeat.h"
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
    double wb_gains[3];   /* the linear-light R, G, B gains white balance
                             applied (1, 1, 1 without) */
    double correction[9]; /* the 3 x 3 correction of linear R, G, B applied
                             before CIELAB (row-major: diag(wb_gains), or
                             a colour chart's matrix) */
    st_calibration calibration;
    double calibration_delta_e; /* chart: mean CIEDE2000 of its patches
                                   after correction; NaN otherwise */
    int target_clipped;         /* the chart or card found had clipped
                                   pixels (a clipped card is not used) */
    double light[3]; /* the light: linear R, G, B a perfect white had in
                        the photo; from the target (chart, card, patch),
                        else a shades-of-grey estimate (p = 6) over the
                        whole photo. For exposure and white-balance
                        comparisons between photos (st_metrics_light_*) */
    int light_from_target;
    double skin_clipped_pct; /* region pixels with a clipped channel (%) */
    double linear_mean[3];   /* the region's mean linear R, G, B after the
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

/* ---- the metric registry ----
 *
 * Every metric of st_metrics is one row of one table (imgproc/metrics.c):
 * its column name, unit, kind, scale, where its value lives in st_metrics,
 * what it means for a reader and which way is better. The CSV writers,
 * the summaries, the report and the tests read the table, so a new metric
 * is a field, its computation, a row (its id below, in column order) and
 * its docs (docs/metrics.md, "Adding a metric"). */

/* The metrics, in CSV column order. */
typedef enum st_metric_id {
    ST_METRIC_L_STAR_MEAN,
    ST_METRIC_A_STAR_MEAN,
    ST_METRIC_A_STAR_P90,
    ST_METRIC_B_STAR_MEAN,
    ST_METRIC_ERYTHEMA_INDEX,
    ST_METRIC_MELANIN_INDEX,
    ST_METRIC_RED_AREA_PCT,
    ST_METRIC_ITA_DEG,
    ST_METRIC_ITA_CATEGORY,
    ST_METRIC_TONE_EVENNESS,
    ST_METRIC_PORE_COUNT,
    ST_METRIC_PORE_DENSITY_PER_CM2,
    ST_METRIC_PORE_DENSITY_PER_MP,
    ST_METRIC_PORE_MEAN_DIAMETER_PX,
    ST_METRIC_PORE_MEAN_DIAMETER_MM,
    ST_METRIC_PORE_AREA_PCT,
    ST_METRIC_PORE_SEARCH_PX,
    ST_METRIC_PORE_RANGE_RESOLVED,
    ST_METRIC_TEXTURE_FINE_SHARE,
    ST_METRIC_TEXTURE_MEDIUM_SHARE,
    ST_METRIC_TEXTURE_COARSE_SHARE,
    ST_METRIC_SPECTRAL_SLOPE,
    ST_METRIC_ANISOTROPY,
    ST_METRIC_ORIENTATION_DEG,
    ST_METRIC_ROUGHNESS_RMS,
    ST_METRIC_L_STAR_REL,
    ST_METRIC_A_STAR_REL,
    ST_METRIC_ERYTHEMA_INDEX_REL,
    ST_METRIC_MELANIN_INDEX_REL,
    ST_METRICS_COUNT
} st_metric_id;

/* How a value is stored in st_metrics. */
typedef enum st_metric_type {
    ST_METRIC_DOUBLE, /* double */
    ST_METRIC_INT,    /* int */
    ST_METRIC_SIZE,   /* size_t */
    ST_METRIC_TEXT    /* const char * (static string) */
} st_metric_type;

/* Which way a change is better, for readers (the report's captions). */
typedef enum st_metric_better {
    ST_BETTER_NONE = 0, /* no better direction by itself */
    ST_BETTER_LOWER,
    ST_BETTER_HIGHER
} st_metric_better;

enum {
    /* only with a reference region (the _rel metrics): st_metrics_available */
    ST_METRIC_NEEDS_REFERENCE = 1,
    /* NaN when no pore could be searched (a count whose 0 would claim
     * that none was found) */
    ST_METRIC_NEEDS_SEARCH = 2,
    /* an angle in the photo's own frame, modulo 180 degrees: a registered
     * photo's is turned back by the registration's rotation
     * (st_metrics_unrotate) */
    ST_METRIC_FRAME_ANGLE = 4,
    /* rises for days after a treatment: the course's recovery table
     * follows it (docs/course.md) */
    ST_METRIC_ACUTE = 8
};

typedef struct st_metric_info {
    st_metric_id id;
    const char *name;    /* CSV column (wide) or metric value (long) */
    const char *unit;    /* "" for text */
    st_metric_type type; /* ST_METRIC_TEXT: a text column */
    size_t offset;       /* of the value in st_metrics (offsetof) */
    int ratio;           /* 1: ratio scale (a true zero: counts, areas,
                            diameters, densities, shares, roughness,
                            spreads), so a percentage change means
                            something; 0: interval scale (L*, a*, b*, ITA,
                            angles, spectral slope, the indices), flags
                            and text */
    unsigned flags;      /* ST_METRIC_NEEDS_REFERENCE, ... */
    const char *title;   /* for people (a chart's title), or NULL */
    const char *caption; /* what it means for a reader, or NULL */
    st_metric_better better;
    const char *better_text;    /* which way is better, in words, or NULL */
    st_repeat_kind repeat_kind; /* the repeatability measured (repeat.h):
                                   ST_REPEAT_NONE when not measured */
    double repeat;              /* its CV (%) or SD (the metric's unit) */
} st_metric_info;

/* Row i of the registry (0 <= i < ST_METRICS_COUNT), or NULL. */
const st_metric_info *st_metrics_info(int i);

/* The id of the metric named name, or -1. */
int st_metrics_find(const char *name);

/* Shorthands over the registry: name and unit ("" out of range), the
 * numeric value (NaN when unavailable or text) and the text (non-NULL for
 * text columns only). */
const char *st_metrics_name(int i);
const char *st_metrics_unit(int i);
double st_metrics_value(const st_metrics *m, int i);
const char *st_metrics_text(const st_metrics *m, int i);

/* 0 for a metric the photo was not asked for (the _rel metrics without a
 * reference region): long layouts leave it out; 1 otherwise. */
int st_metrics_available(const st_metrics *m, int i);

/* Turns the frame angles (ST_METRIC_FRAME_ANGLE: texture orientation) of
 * m, measured in a photo rotated by rotation_deg against its reference,
 * back into the reference's frame (modulo 180). */
void st_metrics_unrotate(st_metrics *m, double rotation_deg);

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
    double exposure;        /* green light, photo / baseline */
    double wb_red, wb_blue; /* (R/G) and (B/G), photo / baseline */
    double a_star_shift;    /* a* the baseline's region colour would gain
                               under the light change left in the numbers
                               (none once both are target-corrected) */
    double l_star_shift;
    int flags; /* ST_LIGHT_* */
} st_light_change;

void st_metrics_light_change(const st_metrics *photo, const st_metrics *base,
                             st_light_change *out);

/* "exposure;white_balance;target_clipped;skin_clipped;calibration" (the
 * flags set, ';'-separated; "" for none) into buf. */
const char *st_light_flags_text(int flags, char *buf, size_t cap);

/* 1 if metric i is on a ratio scale (st_metric_info.ratio), else 0. */
int st_metrics_ratio_scale(int i);

/* 100 (after - before) / before for a ratio-scale metric i with before
 * > 0; NaN otherwise (interval scale, text, or before <= 0). */
double st_metrics_pct_change(int i, double before, double after);

#ifdef __cplusplus
}
#endif
#endif
