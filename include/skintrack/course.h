/* skintrack — a treatment course: the photos of one subject and one region
 * over time, each registered to the baseline and measured on the skin
 * they all show.
 *
 * Planning (st_course_plan) puts the photos in order and gives each its
 * phase, session and day counts, from what the caller knows (a manifest's
 * phase and session, dates and capture times from a manifest, the file
 * name or EXIF; "before" and "after" in a file name):
 *
 *   baseline  the reference: the photo marked so, else the first. Unless
 *             its session is given as 0, the first treatment is taken to
 *             follow it the same day (session 1).
 *   pre       taken on a treatment day, before the treatment; a new
 *             session starts (its number is one more than the last).
 *   post      0 .. post_days days after a treatment (acute redness and
 *             swelling); belongs to that session.
 *   followup  weeks or months after the last treatment.
 *   checkup   a visit that is not a treatment, with known treatment
 *             dates only (below).
 *
 * Photos with no phase given are classed by their date: within post_days
 * of the last treatment, post; more than followup_days after it (default:
 * the larger of 56 days and 1.5 times the median interval between the
 * treatments so far), followup, and so is every later photo; otherwise
 * pre of a new session.
 *
 * When the treatment dates are known (st_course_plan_options.treatments),
 * they replace the guessing: the session of a photo is the number of
 * treatments on or before its day; the first photo of a treatment day is
 * pre (or the baseline), later ones that day post; a photo post_days or
 * fewer after a treatment is post; one after the last treatment is
 * followup; any other is a checkup (before the first treatment, or between
 * two). Days since treatment count from the real treatments. Phases and
 * sessions given are still kept. docs/course.md has the details and
 * examples.
 *
 * Measuring (st_course_measure) reads the baseline, makes its region (a
 * caller's callback: ROI, mask, skin), registers every other photo to it
 * in parallel, cuts the region to the skin that every photo registered
 * with confidence shows, and measures every photo there (compare.h
 * explains how a registered photo is measured on its own pixels). A photo
 * that did not register with confidence is measured on its own whole frame
 * and says so.
 */
#ifndef SKINTRACK_COURSE_H
#define SKINTRACK_COURSE_H

#include <stddef.h>

#include "align.h"
#include "image.h"
#include "io.h"
#include "metrics.h"
#include "face.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum st_phase {
    ST_PHASE_NONE = 0, /* not given: planning decides */
    ST_PHASE_BASELINE,
    ST_PHASE_PRE,
    ST_PHASE_POST,
    ST_PHASE_FOLLOWUP,
    ST_PHASE_CHECKUP /* a visit between treatments (known treatment dates) */
} st_phase;

/* "baseline", "pre", "post", "followup", "checkup" ("" for NONE). */
const char *st_phase_name(st_phase phase);

/* Parses a phase name (ASCII case ignored, surrounding spaces allowed;
 * "follow-up" and "follow_up" also read as followup, "check-up" and
 * "check_up" as checkup). 0, or -1. */
int st_phase_parse(const char *text, st_phase *phase);

/* One photo as planning sees it. The caller fills the inputs; planning
 * fills the rest. */
typedef struct st_course_photo {
    /* inputs */
    long date; /* day number (date.h), if has_date */
    int has_date;
    long time; /* capture time, seconds since local midnight, if has_time */
    int has_time;
    int hint;       /* -1 "before" (taken first), +1 "after", 0 none:
                       st_course_name_hint */
    long order;     /* the caller's order (manifest line, name rank) */
    st_phase phase; /* given, or ST_PHASE_NONE */
    int session;    /* given (>= 0), or -1 */
    void *user;     /* the caller's, untouched */
    /* planned */
    int is_baseline;
    long days_since_baseline; /* if has_days */
    int has_days;
    long days_since_treatment; /* days after the latest treatment on or
                                  before this photo (a pre photo: the one
                                  before its own), if has_treatment_days */
    int has_treatment_days;
    long treatment_date; /* day of this photo's session's treatment, if
                            has_treatment_date (pre, post and a treated
                            baseline) */
    int has_treatment_date;
    const char *error; /* static text if the photo cannot be planned
                          (a second baseline); NULL if planned */
} st_course_photo;

typedef struct st_course_plan_options {
    int post_days;          /* a photo this many days or fewer after a treatment
                               is post (default 7) */
    int followup_days;      /* more than this after the last treatment is
                               followup; 0: automatic (see above) */
    const long *treatments; /* day numbers of the treatments (any order,
                               repeats ignored), or NULL: worked out */
    size_t n_treatments;    /* used only when every photo is dated */
} st_course_plan_options;

void st_course_plan_options_init(st_course_plan_options *opt);

/* -1 if a file name says the photo was taken before a treatment (a word
 * "before" or "pre", any case, standing between non-letters:
 * "2026-03-02_before.jpg"), +1 if after ("after", "post"), 0 otherwise or
 * if it says both. */
int st_course_name_hint(const char *name);

/* Sorts p[0..n) and plans them: by date; photos of one day by their
 * capture time when every one of that day has it, else by hint (before,
 * none, after), then by order; when any photo has no date, by order alone.
 * *baseline receives the baseline's index after sorting. Photos that cannot be
 * planned keep their row with error set. ST_ERR_INVALID if n is 0. */
st_status st_course_plan(st_course_photo *p, size_t n,
                         const st_course_plan_options *opt, size_t *baseline,
                         st_error *err);

/* ---- measuring ---- */

/* Makes the measured region of the baseline photo (in its frame). */
typedef st_status (*st_course_region_fn)(void *ctx, const st_image *baseline,
                                         st_region **out, st_error *err);

/* Called after each step (a registration or a measurement; a course of n
 * photos has 2n - 1) with the steps done, the steps in all and the photos
 * finished; from the worker that did the step, one call at a time. */
typedef void (*st_course_progress_fn)(void *ctx, size_t steps_done,
                                      size_t steps_total, size_t photos_done);

/* A measured photo while it is still decoded, for callers that draw it
 * (a report). result->align maps the baseline's frame to the photo's. */
typedef struct st_course_view {
    size_t index;          /* the photo, as in paths */
    const st_image *photo; /* decoded, upright sRGB */
    const st_image *baseline;
    const st_region *common; /* the common region, baseline's frame */
    const st_region *region; /* where the photo was measured, its frame */
    const struct st_course_result *result; /* measured (status ST_OK) */
} st_course_view;

/* Called once per successfully measured photo, from the worker that
 * measured it: calls for different photos may run at the same time. */
typedef void (*st_course_view_fn)(void *ctx, const st_course_view *view);

typedef struct st_course_options {
    st_read_options read;
    st_align_options align;
    st_metrics_options metrics; /* the card of ST_WB_PATCH is in the
                                   baseline's frame */
    int jobs;                   /* worker threads (<= 1: the caller's) */
    st_course_region_fn region; /* NULL: the whole baseline */
    void *region_ctx;
    st_course_region_fn reference; /* NULL, or the reference region of the
                                      _rel metrics (baseline's frame;
                                      metrics.reference is ignored) */
    void *reference_ctx;
    st_course_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    st_course_view_fn view; /* may be NULL */
    void *view_ctx;
    /* non-NULL: measure every photo by face zone (result.face), each on
     * the zones of its own landmarks, sizes in the baseline's pixels when
     * registered; region and view are then not used for measuring */
    const st_face_model *face;
} st_course_options;

void st_course_options_init(st_course_options *opt);

typedef struct st_course_result {
    st_status status; /* ST_OK: measured; else error holds the cause */
    st_error error;
    int registered;        /* measured on the common region */
    st_align_result align; /* the baseline's own: identity, confidence 1 */
    st_metrics metrics;    /* free with st_course_result_clear */
    size_t common_px;      /* pixels of the common region (baseline frame) */
    st_face_result *face;  /* with options.face: by zone (metrics unused);
                              owned, NULL otherwise */
} st_course_result;

/* Registers paths[i] (i != baseline) to paths[baseline] and measures all
 * of them, with opt->jobs photos at a time; res[i] receives photo i's
 * result. Every photo gets a result, failed ones with their cause (a
 * baseline that cannot be read or measured fails the whole course). At
 * most jobs + 1 photos are decoded at once. Returns ST_OK, or, when the
 * course failed as a whole (the baseline could not be read, given a
 * region or measured; no skin left in every registered photo; out of
 * memory there), that failure with its cause in err, and every res[i] is
 * then an error naming it too. ST_ERR_INVALID without results when
 * baseline >= n. */
st_status st_course_measure(const char *const *paths, size_t n, size_t baseline,
                            const st_course_options *opt, st_course_result *res,
                            st_error *err);

void st_course_result_clear(st_course_result *res);

/* ---- statistics ---- */

/* Ordinary least-squares line y = a + b x through n points: *slope = b
 * and *slope_se its standard error sqrt(s^2 / Sxx), s^2 the residual
 * variance with n - 2 degrees of freedom. 0 with the slope when n >= 2
 * and the x differ (slope_se NaN when n == 2), else -1. */
int st_fit_line(const double *x, const double *y, size_t n, double *slope,
                double *slope_se);

/* Exponential recovery: fits e(t) = e0 * 2^(-(t - t0) / h) to the points
 * from the largest e on (the peak, often day 2) to the last, by least
 * squares on log e weighted by e^2 (which approximates the fit on e
 * itself). Points with e <= 0 after the peak end the fit (redness has
 * faded to baseline). 0 with *half_life h (days) and *used points, or -1
 * with fewer than 2 usable points or no decay. */
int st_fit_half_life(const double *t, const double *e, size_t n,
                     double *half_life, size_t *used);

/* ---- a measured course's summary and recovery (course_stats.c) ---- */

/* One photo of a measured course as the statistics read it. */
typedef struct st_course_row {
    const st_course_photo *plan;    /* its plan, or NULL: not planned */
    const st_course_result *result; /* NULL, or status != ST_OK: not
                                       measured (an error row) */
} st_course_row;

/* Measured, planned and registered to the baseline. */
int st_course_row_registered(const st_course_row *r);

/* The summary of one metric over a course: the photos the trend reads are
 * the registered, dated, non-post ones (n of them, the baseline
 * included); latest is the last of them after the baseline (the rows are
 * in date order). change = latest - baseline, pct_change only for a
 * ratio-scale metric (st_metrics_pct_change), and the ordinary
 * least-squares slope of value against days since baseline, per 30 days,
 * with its standard error (st_fit_line; NaN when it cannot be fitted). */
typedef struct st_course_trend {
    int defined; /* 0: no summary (a text metric, or a baseline that is
                    not measured, registered, dated and non-post) */
    size_t n;
    size_t latest; /* its row, or SIZE_MAX: only the baseline */
    double base, latest_value, change, pct_change, slope30, se30;
} st_course_trend;

/* The trend of metric (st_metric_id) over rows[0..n) (date order), the
 * baseline rows[base] (SIZE_MAX: none, *t not defined). ST_ERR_INVALID for
 * a metric out of range, ST_ERR_NOMEM. */
st_status st_course_trend_of(const st_course_row *rows, size_t n, size_t base,
                             int metric, st_course_trend *t, st_error *err);

/* The acute recovery after one treatment: the session's post photos (post
 * phase, registered, with a treatment day) in date order, and the photo
 * their redness is compared with, the latest registered, dated, non-post
 * photo taken on or before the treatment day. */
typedef struct st_course_session {
    int session;
    long treatment_date; /* day number */
    size_t reference;    /* row */
    size_t *posts;       /* rows, owned */
    size_t n_posts;
} st_course_session;

/* The sessions of rows[0..n) (date order) with post photos and a
 * reference, in the order of their first post photo. *out (NULL with
 * *n_out 0 when there are none) is freed with st_course_sessions_free.
 * ST_ERR_NOMEM (then *out is NULL). */
st_status st_course_sessions(const st_course_row *rows, size_t n,
                             st_course_session **out, size_t *n_out,
                             st_error *err);

void st_course_sessions_free(st_course_session *s, size_t n);

/* The recovery of metric over session s: each post photo's excess over
 * the reference (value - reference value), fitted by st_fit_half_life
 * against days since the treatment over every post photo. ST_OK with
 * *half_life and *used, or *half_life NaN and *used 0 when it cannot be
 * fitted; ST_ERR_INVALID, ST_ERR_NOMEM. */
st_status st_course_half_life(const st_course_row *rows,
                              const st_course_session *s, int metric,
                              double *half_life, size_t *used, st_error *err);

#ifdef __cplusplus
}
#endif
#endif
