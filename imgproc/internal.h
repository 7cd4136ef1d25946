/* skintrack — helpers shared inside libskintrack only. */
#ifndef SKINTRACK_INTERNAL_H
#define SKINTRACK_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "skintrack/color.h"
#include "skintrack/image.h"
#include "skintrack/redness.h"
#include "skintrack/region.h"
#include "skintrack/status.h"
#include "skintrack/tone.h"

#if defined(__GNUC__)
#define ST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ST_PRINTF(a, b)
#endif

/* Records status and a printf-style cause in err (may be NULL) and returns
 * status, so a failure is one line: `return st_fail(err, ST_ERR_IO, ...)`. */
st_status st_fail(st_error *err, st_status status, const char *fmt, ...)
    ST_PRINTF(3, 4);

#define ST_PI 3.14159265358979323846

/* vsnprintf in the C locale (a decimal point, no grouping) whatever the
 * process's locale; thread-safe (csv.c). */
int st_vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap);

/* Thread-safe strerror: the text for errno value e, in buf. */
const char *st_errno_text(int e, char *buf, size_t size);

/* Solves the n x n (n <= 6) system A x = b by Gaussian elimination with
 * partial pivoting; A and b are destroyed. Returns -1 if A is singular. */
int st_solve(int n, double A[6][6], double b[6], double x[6]);

/* Runs fn(ctx, i) for every i in [0, n), on up to jobs threads that take
 * the next i as they finish; returns when all are done. With jobs <= 1,
 * or if no thread can be started, the calling thread does the work. */
void st_pool_run(int jobs, size_t n, void (*fn)(void *ctx, size_t i),
                 void *ctx);

/* A float view of img for code that reads pixels at random: *view is img
 * itself when it holds floats; for an 8-bit image *copy (freed by the
 * caller with st_image_free; NULL otherwise) is a float copy and *view
 * points to it. */
st_status st_image_as_float(const st_image *img, const st_image **view,
                            st_image **copy, st_error *err);

/* calloc(count, size) (NULL when out of memory or on overflow; free()
 * releases it); a buffer of 4 MB or more is 2 MB-aligned and asks for
 * transparent huge pages where Linux offers them, which makes first
 * touching it about 500 times fewer page faults (image.c). */
void *st_calloc_large(size_t count, size_t size);

/* a * b into *out; returns 0, or -1 if it overflows size_t. */
static inline int st_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

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
void st_color_tables_init(void);

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
void st_red_stream_end(st_red_stream *s, const double linear_mean[3],
                       st_redness *out);
void st_red_stream_free(st_red_stream *s);

/* st_tone_measure from the L* plane alone and b_sum, the sum of b* over
 * the region taken row by row: st_tone_row_sum of each row of the box,
 * added in y order. lab->b is not read. */
double st_tone_row_sum(const float *v, const uint8_t *m, int n);
void st_tone_finish(const st_lab_planes *lab, const st_region *reg,
                    double b_sum, st_tone *out);

/* Measuring AFTER registered to BEFORE by a (compare.c): the grey card
 * (ST_WB_PATCH, BEFORE's frame) mapped into AFTER's w x h frame, sizes in
 * BEFORE's pixels (px_scale); and the line orientation turned back by the
 * rotation, once measured. */
struct st_metrics_options;
struct st_metrics;
struct st_align_result;
void st_compare_after_options(struct st_metrics_options *mopt,
                              const struct st_align_result *a, int w, int h);
void st_compare_after_orientation(struct st_metrics *m,
                                  const struct st_align_result *a);

/* Dilates (erode = 0) or erodes (erode = 1) the w x h 0/1 mask m in place
 * by a (2r+1)^2 box, cut at the mask's edge; tmp and cnt are scratch of
 * w * h ints each (skin.c). */
void st_mask_morph(uint8_t *m, int w, int h, int r, int erode, int *tmp,
                   int *cnt);

/* The error for an encoder (libpng, libjpeg) that failed writing to o at
 * path: the errno of the failed write when there was one ("No space left
 * on device"), else the encoder's own message, with status. */
struct st_output;
st_status st_output_fail(const struct st_output *o, st_error *err,
                         st_status status, const char *path,
                         const char *encoder_message);

#endif
