/* skintrack — the colour family's helpers, shared inside libskintrack
 * only: fast sRGB decode and cube root, the CIELAB row converter, the
 * redness and tone streams, mask morphology. Used by measure, face and
 * synth; uses core only. */
#ifndef SKINTRACK_COLOR_INTERNAL_H
#define SKINTRACK_COLOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/core_internal.h"
#include "skintrack/color.h"
#include "skintrack/redness.h"
#include "skintrack/region.h"
#include "skintrack/tone.h"

/* ---- fast colour arithmetic (color.c) ----
 *
 * st_srgb_linear_fast: the IEC 61966-2-1 decode by a 4096-interval table
 * with linear interpolation (worst error under 3e-8 on [0, 1]; exact
 * formula outside). st_cbrt_fast: a cube root from an exponent-thirds
 * first guess and two Halley steps (relative error below 1e-7 for normal
 * positive floats). Call st_color_tables_init() once before the table is
 * read; it is idempotent and thread-safe. */
#define ST_SRGB_LUT_N 4096
extern float st_srgb_lut[ST_SRGB_LUT_N + 2];
/* linear light of each byte of an 8-bit image: st_srgb_linear_fast of
 * byte / 255.0f, the value its float form holds, so both agree bit for
 * bit (filled by st_color_tables_init) */
extern float st_srgb_lin8[256];
void st_color_tables_init(void);

/* Test hook: whether the CIELAB rows' cube roots use the AVX2 build of
 * their loop (on = 1: where the processor has AVX2; 0: the baseline
 * build). Returns the previous setting. Not for use while converting. */
int st_color_set_avx2(int on);

static inline float st_srgb_linear_fast(float v)
{
    if (v >= 0.0f && v <= 1.0f) {
        float p = v * (float)ST_SRGB_LUT_N, f;
        int i = (int)p;
        f = p - (float)i;
        return st_srgb_lut[i] + f * (st_srgb_lut[i + 1] - st_srgb_lut[i]);
    }
    return (float)st_color_srgb_to_linear(v);
}

static inline float st_cbrt_fast(float x)
{
    union {
        float f;
        uint32_t u;
    } v;
    float y, y3;
    v.f = x;
    v.u = v.u / 3u + 709921077u;
    y = v.f;
    y3 = y * y * y;
    y = y * (y3 + 2.0f * x) / (2.0f * y3 + x);
    y3 = y * y * y;
    return y * (y3 + 2.0f * x) / (2.0f * y3 + x);
}

/* ---- CIELAB row by row (color.c) ----
 *
 * The converter behind st_lab_planes_new: st_lab_rows_convert writes L*,
 * a* and b* of row y over the box [x0, x1) (0 outside the region) and
 * adds the row to the region's linear means; rows in any order, each once.
 * st_lab_rows_means gives the means (what st_lab_planes.linear_mean
 * holds). */
typedef struct st_lab_rows {
    const st_image *img;
    const st_region *reg;
    int x0, x1, y0, y1; /* the region's box, or the image */
    float m[9];         /* linear sRGB -> XYZ / white, correction folded in */
    double corr[9], lin[3];
    size_t count;
    int o1, o2;
    float *buf;
} st_lab_rows;
/* corr: a 3 x 3 correction of linear R, G, B (row-major, applied as
 * corr * rgb) before CIELAB, or NULL (none); st_lab_rows_means gives the
 * corrected means. st_color_diag makes one from gains (NULL: 1, 1, 1). */
st_status st_lab_rows_init(st_lab_rows *c, const st_image *img,
                           const st_region *reg, const double corr[9],
                           st_error *err);
void st_color_diag(double m[9], const double gains[3]);
void st_lab_rows_convert(st_lab_rows *c, int y, float *L, float *A, float *B);
void st_lab_rows_means(const st_lab_rows *c, double mean[3]);
void st_lab_rows_free(st_lab_rows *c);

/* ---- redness and tone from rows (redness.c, tone.c) ----
 *
 * st_red_stream takes the a* rows of a region's box in order (y0 to
 * y1 - 1, x0 to x1 - 1) and gives what st_redness_measure gives for the
 * plane they come from, bit for bit: the plane is never needed. */
typedef struct st_red_stream st_red_stream;
st_status st_red_stream_new(st_red_stream **out, const st_region *reg,
                            double threshold, st_error *err);
void st_red_stream_row(st_red_stream *s, const float *a);
/* st_red_stream_row given the row's sum of a* over the region (added in x
 * order, as st_tone_row_sum does), for a caller that sums it already. */
void st_red_stream_row_summed(st_red_stream *s, const float *a, double sum);
void st_red_stream_end(st_red_stream *s, const double linear_mean[3],
                       st_redness *out);
void st_red_stream_free(st_red_stream *s);

/* Tone in two sweeps over the rows of a region's box, what
 * st_tone_measure gives bit for bit: st_tone_acc_row for every row in y
 * order (L* and b* of the box's row, 0 outside the region; B may be NULL
 * when b_sum is set by the caller) or st_tone_acc_row_summed,
 * st_tone_acc_fit, then
 * st_tone_acc_residual_row for every row in y order with the same L*, and
 * st_tone_acc_end. st_tone_row_sum: the region's sum of one row of v. */
typedef struct st_tone_acc {
    const st_region *reg;
    double cx, cy, sx, sy; /* the fit's coordinates */
    int step;              /* the fit's sampling grid */
    size_t count;
    double l_sum, b_sum;
    double A[6][6], rhs[6], c[6]; /* normal equations, surface */
    double sum, sum2, n;          /* residuals */
    double *u; /* the fit's x of each column (from st_tone_acc_fit to
                  st_tone_acc_end, which frees it), or NULL */
} st_tone_acc;
void st_tone_acc_init(st_tone_acc *t, const st_region *reg);
void st_tone_acc_row(st_tone_acc *t, int y, const float *L, const float *B);
/* st_tone_acc_row given the row's region sums of L* and b* (each added in
 * x order, as st_tone_row_sum does) and its region pixel count. */
void st_tone_acc_row_summed(st_tone_acc *t, int y, const float *L, double l_sum,
                            double b_sum, size_t count);
void st_tone_acc_fit(st_tone_acc *t);
void st_tone_acc_residual_row(st_tone_acc *t, int y, const float *L);
/* st_tone_acc_residual_row in two halves: the row's residual sums into
 * part (reads t only: rows may go to threads), then adding them (in y
 * order, for the same numbers). */
void st_tone_acc_residual_sums(const st_tone_acc *t, int y, const float *L,
                               double part[3]);
void st_tone_acc_residual_add(st_tone_acc *t, const double part[3]);
void st_tone_acc_end(st_tone_acc *t, const double linear_mean[3], st_tone *out);
double st_tone_row_sum(const float *v, const uint8_t *m, int n);

/* Dilates (erode = 0) or erodes (erode = 1) the w x h 0/1 mask m in place
 * by a (2r+1)^2 box, cut at the mask's edge; tmp and cnt are scratch of
 * w * h ints each (skin.c). */
void st_mask_morph(uint8_t *m, int w, int h, int r, int erode, int *tmp,
                   int *cnt);

#endif
