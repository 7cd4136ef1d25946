/* skintrack — the statistics of a measured course: the summary trend of
 * each metric and the acute recovery after each treatment.
 *
 *   st_course_row_registered   a row the statistics may read
 *   st_course_trend_of         baseline, latest, change, trend per 30 days
 *   st_course_sessions / _free the post photos of each treatment and the
 *                              photo they are compared with
 *   st_course_half_life        excess over the reference, half-life fit
 *
 * The trend is the ordinary least-squares slope of a metric against days
 * since baseline over the registered, dated photos that are not within
 * days of a treatment (st_fit_line, course.c, with its citation); the
 * recovery fits e(t) = e0 2^(-t / h) to the excess redness of a session's
 * post photos (st_fit_half_life). docs/course.md describes both tables.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/core_internal.h"
#include "skintrack/course.h"

int st_course_row_registered(const st_course_row *r)
{
    return r->plan && r->result && r->result->status == ST_OK &&
           r->result->registered;
}

/* A photo the summary uses: registered, dated, not acute (post). */
static int in_summary(const st_course_row *r)
{
    return st_course_row_registered(r) && r->plan->has_days &&
           r->plan->phase != ST_PHASE_POST;
}

st_status st_course_trend_of(const st_course_row *rows, size_t n, size_t base,
                             int metric, st_course_trend *t, st_error *err)
{
    const st_metric_info *info = st_metrics_info(metric);
    double *x, *y;
    size_t m = 0;

    t->defined = 0;
    t->n = 0;
    t->latest = SIZE_MAX;
    t->base = t->latest_value = t->change = t->pct_change = NAN;
    t->slope30 = t->se30 = NAN;
    if (!info)
        return st_fail(err, ST_ERR_INVALID, "no metric %d", metric);
    if (base >= n || !in_summary(&rows[base]) || info->type == ST_METRIC_TEXT)
        return ST_OK;
    x = malloc(n * sizeof *x);
    y = malloc(n * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    t->base = st_metrics_value(&rows[base].result->metrics, metric);
    for (size_t k = 0; k < n; k++) {
        double v;
        if (!in_summary(&rows[k]))
            continue;
        v = st_metrics_value(&rows[k].result->metrics, metric);
        if (!isfinite(v))
            continue;
        x[m] = (double)rows[k].plan->days_since_baseline;
        y[m++] = v;
        if (k != base)
            t->latest = k, t->latest_value = v;
    }
    t->defined = 1;
    t->n = m;
    if (st_fit_line(x, y, m, &t->slope30, &t->se30) == 0)
        t->slope30 *= 30, t->se30 *= 30;
    else
        t->slope30 = t->se30 = NAN;
    t->change = t->latest_value - t->base;
    t->pct_change = st_metrics_pct_change(metric, t->base, t->latest_value);
    free(x);
    free(y);
    return ST_OK;
}

/* A post photo of a known treatment, registered. */
static int is_acute(const st_course_row *r)
{
    return st_course_row_registered(r) && r->plan->phase == ST_PHASE_POST &&
           r->plan->has_treatment_date && r->plan->has_treatment_days;
}

/* The row redness is compared with for a treatment on day t: the latest
 * registered, dated, non-post photo taken on or before it; SIZE_MAX. */
static size_t reference(const st_course_row *rows, size_t n, long t)
{
    size_t r = SIZE_MAX;
    for (size_t k = 0; k < n; k++)
        if (st_course_row_registered(&rows[k]) && rows[k].plan->has_date &&
            rows[k].plan->phase != ST_PHASE_POST && rows[k].plan->date <= t)
            r = k;
    return r;
}

void st_course_sessions_free(st_course_session *s, size_t n)
{
    for (size_t k = 0; s && k < n; k++)
        free(s[k].posts);
    free(s);
}

/* Session of the post photo rows[k] and the posts after it (seen marks
 * them); s->posts NULL when out of memory. */
static void collect_session(const st_course_row *rows, size_t n, size_t k,
                            char *seen, st_course_session *s)
{
    const st_course_photo *p = rows[k].plan;
    s->session = p->session;
    s->treatment_date = p->treatment_date;
    s->n_posts = 0;
    if (!(s->posts = malloc((n - k) * sizeof *s->posts)))
        return;
    for (size_t q = k; q < n; q++)
        if (is_acute(&rows[q]) && rows[q].plan->session == p->session &&
            rows[q].plan->treatment_date == p->treatment_date) {
            s->posts[s->n_posts++] = q;
            seen[q] = 1;
        }
}

st_status st_course_sessions(const st_course_row *rows, size_t n,
                             st_course_session **out, size_t *n_out,
                             st_error *err)
{
    char *seen = calloc(n ? n : 1, 1);
    st_course_session *v = NULL;
    size_t nv = 0, cap = 0;

    *out = NULL;
    *n_out = 0;
    if (!seen)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        st_course_session s;
        if (seen[k] || !is_acute(&rows[k]))
            continue;
        if (nv == cap) {
            size_t c = cap ? 2 * cap : 4;
            st_course_session *w = realloc(v, c * sizeof *w);
            if (!w)
                goto nomem;
            v = w, cap = c;
        }
        collect_session(rows, n, k, seen, &s);
        if (!s.posts)
            goto nomem;
        s.reference = reference(rows, n, s.treatment_date);
        if (s.reference == SIZE_MAX) {
            free(s.posts); /* nothing to compare with */
            continue;
        }
        v[nv++] = s;
    }
    free(seen);
    if (!nv) {
        free(v);
        v = NULL;
    }
    *out = v;
    *n_out = nv;
    return ST_OK;
nomem:
    free(seen);
    st_course_sessions_free(v, nv);
    return st_fail(err, ST_ERR_NOMEM, "out of memory");
}

st_status st_course_half_life(const st_course_row *rows,
                              const st_course_session *s, int metric,
                              double *half_life, size_t *used, st_error *err)
{
    double *t, *e, rv;
    size_t np = s->n_posts;

    *half_life = NAN;
    *used = 0;
    if (!st_metrics_info(metric))
        return st_fail(err, ST_ERR_INVALID, "no metric %d", metric);
    t = malloc((np ? np : 1) * sizeof *t);
    e = malloc((np ? np : 1) * sizeof *e);
    if (!t || !e) {
        free(t);
        free(e);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    rv = st_metrics_value(&rows[s->reference].result->metrics, metric);
    for (size_t k = 0; k < np; k++) {
        const st_course_row *r = &rows[s->posts[k]];
        t[k] = (double)r->plan->days_since_treatment;
        e[k] = st_metrics_value(&r->result->metrics, metric) - rv;
    }
    if (st_fit_half_life(t, e, np, half_life, used))
        *half_life = NAN, *used = 0;
    free(t);
    free(e);
    return ST_OK;
}
