/* skintrack — colour targets in the photo: a ColorChecker Classic 24 or a
 * plain grey or white card, found automatically, and the colour
 * correction they give.
 *
 * A chart gives a 3 x 3 matrix on linear sRGB fitted by least squares to
 * the chart's reference values (X-Rite's CIELAB D50, adapted to D65 by
 * Bradford); a card gives per-channel gains that make it a neutral of a
 * given luminance factor. docs/calibration.md has the method and sources.
 * (Not to be confused with chart.h, the report's line charts.)
 */
#ifndef SKINTRACK_TARGET_H
#define SKINTRACK_TARGET_H

#include "image.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ST_CHART_PATCHES 24

/* A chart's reference values, patch by patch in chart order (row by row
 * from dark skin to black, the chart upright with its neutral row at the
 * bottom). */
typedef struct st_chart_reference {
    char name[64];
    double lab_d50[ST_CHART_PATCHES][3]; /* CIELAB, D50, 2 degrees */
    double lab[ST_CHART_PATCHES][3];     /* the same under D65 (Bradford) */
    double rgb[ST_CHART_PATCHES][3];     /* ... as linear sRGB (may lie
                                            outside [0, 1]) */
} st_chart_reference;

/* "classic-2014" (charts made from November 2014) or "classic-2005" (made
 * before): X-Rite's published values. ST_ERR_INVALID for another name. */
st_status st_chart_reference_builtin(st_chart_reference *ref, const char *name,
                                     st_error *err);

/* Reads 24 patches from a CGATS/IT8 text file as ArgyllCMS writes them
 * (BEGIN_DATA_FORMAT with LAB_L LAB_A LAB_B, or XYZ_X XYZ_Y XYZ_Z on a
 * 0..100 scale, both D50; BEGIN_DATA rows in chart order). */
st_status st_chart_reference_read(st_chart_reference *ref, const char *path,
                                  st_error *err);

/* Fills lab (D65) and rgb from lab_d50. */
void st_chart_reference_derive(st_chart_reference *ref);

/* The 24 patch names ("dark skin", ... "black"). */
const char *st_chart_patch_name(int i);

/* CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), kL = kC = kH =
 * 1. */
double st_color_delta_e2000(const double lab1[3], const double lab2[3]);

typedef enum st_target_kind {
    ST_TARGET_NONE = 0,
    ST_TARGET_CHART,
    ST_TARGET_CARD
} st_target_kind;

/* "none", "chart", "card". */
const char *st_target_kind_name(st_target_kind kind);

typedef struct st_target_options {
    st_target_kind want; /* NONE: a chart, else a card; or only that kind */
    const st_chart_reference *reference; /* NULL: classic-2014 */
    double card_reflectance;             /* luminance factor the card is
                                            taken to (0: 0.18) */
} st_target_options;

void st_target_options_init(st_target_options *opt);

typedef struct st_target {
    st_target_kind kind;  /* NONE: nothing found */
    double correction[9]; /* linear sRGB, row-major, applied as M * rgb */
    double light[3];      /* the light the target saw: linear R, G, B of a
                             perfect white under it (what the correction
                             removes; for exposure and white-balance flags) */
    double delta_e;       /* chart: mean CIEDE2000 of the corrected patches
                             against the reference; card: NaN */
    int clipped;          /* patches (chart) or 1 (card) with clipped pixels */
    /* chart */
    int turn;                             /* quarter turns, clockwise, 0..3 */
    double pitch_px;                      /* patch spacing */
    double centre[ST_CHART_PATCHES][2];   /* patch centres, image pixels */
    double measured[ST_CHART_PATCHES][3]; /* mean linear R, G, B, raw */
    double lab[ST_CHART_PATCHES][3];      /* corrected CIELAB (D65) */
    double patch_delta_e[ST_CHART_PATCHES];
    int patch_clipped[ST_CHART_PATCHES];
    /* card: its box and mean linear R, G, B */
    int card_x, card_y, card_w, card_h;
    double card_rgb[3];
} st_target;

/* Looks for a target in img (upright sRGB). Returns ST_OK with
 * out->kind == ST_TARGET_NONE when none is found (an error only for a
 * failure of the search itself). A clipped card is reported (clipped = 1)
 * with kind CARD and the correction of its unclipped reading; the caller
 * decides (metrics refuse it). */
st_status st_target_find(const st_image *img, const st_target_options *opt,
                         st_target *out, st_error *err);

#ifdef __cplusplus
}
#endif
#endif
