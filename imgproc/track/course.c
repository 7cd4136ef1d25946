/* skintrack — planning a treatment course, and its statistics.
 *
 *   st_phase_name / st_phase_parse   phase names
 *   st_course_plan_options_init      defaults (post 7 days, followup auto)
 *   st_course_plan                   order, baseline, phases, sessions, days
 *   st_fit_line                      least-squares trend with its error
 *   st_fit_half_life                 exponential recovery half-life
 *
 * Planning walks the photos in order after the baseline, keeping the
 * current session and the day of its treatment (course.h has the rules).
 * The slope's standard error is the textbook one for ordinary least
 * squares (e.g. Draper and Smith, Applied Regression Analysis, 3rd ed.,
 * 1998, ch. 1): SE(b) = sqrt(sum r^2 / (n - 2) / Sxx).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/course.h"

#define DEFAULT_POST_DAYS       7
#define MIN_FOLLOWUP_DAYS       56
#define FOLLOWUP_INTERVAL_RATIO 1.5

const char *st_phase_name(st_phase phase)
{
    switch (phase) {
    case ST_PHASE_BASELINE: return "baseline";
    case ST_PHASE_PRE: return "pre";
    case ST_PHASE_POST: return "post";
    case ST_PHASE_FOLLOWUP: return "followup";
    case ST_PHASE_CHECKUP: return "checkup";
    default: return "";
    }
}

int st_phase_parse(const char *text, st_phase *phase)
{
    static const struct {
        const char *name;
        st_phase phase;
    } names[] = {
        {"baseline", ST_PHASE_BASELINE},  {"pre", ST_PHASE_PRE},
        {"post", ST_PHASE_POST},          {"followup", ST_PHASE_FOLLOWUP},
        {"follow-up", ST_PHASE_FOLLOWUP}, {"follow_up", ST_PHASE_FOLLOWUP},
        {"checkup", ST_PHASE_CHECKUP},    {"check-up", ST_PHASE_CHECKUP},
        {"check_up", ST_PHASE_CHECKUP},
    };
    char word[16];
    size_t n = 0;
    while (*text == ' ' || *text == '\t')
        text++;
    while (*text && *text != ' ' && *text != '\t') {
        if (n + 1 >= sizeof word)
            return -1;
        word[n++] = (char)tolower((unsigned char)*text++);
    }
    word[n] = '\0';
    while (*text == ' ' || *text == '\t')
        text++;
    if (*text)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(word, names[i].name) == 0) {
            *phase = names[i].phase;
            return 0;
        }
    return -1;
}

void st_course_plan_options_init(st_course_plan_options *opt)
{
    opt->post_days = DEFAULT_POST_DAYS;
    opt->followup_days = 0;
    opt->treatments = NULL;
    opt->n_treatments = 0;
}

static int by_date(const void *pa, const void *pb)
{
    const st_course_photo *a = pa, *b = pb;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Within one day whose photos all have a capture time. */
static int by_time(const void *pa, const void *pb)
{
    const st_course_photo *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Within one day where some photo has no time: before, none, after. */
static int by_hint(const void *pa, const void *pb)
{
    const st_course_photo *a = pa, *b = pb;
    if (a->hint != b->hint)
        return a->hint < b->hint ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Sorts dated photos by day, and each day's photos by time or hint. */
static void sort_dated(st_course_photo *p, size_t n)
{
    qsort(p, n, sizeof *p, by_date);
    for (size_t i = 0, e; i < n; i = e) {
        int timed = 1;
        for (e = i; e < n && p[e].date == p[i].date; e++)
            timed &= p[e].has_time != 0;
        if (e - i > 1)
            qsort(p + i, e - i, sizeof *p, timed ? by_time : by_hint);
    }
}

/* Is word (lower case) at name[i..) a whole word of letters? */
static int word_at(const char *name, size_t i, const char *word)
{
    size_t n = strlen(word);
    if (i > 0 && isalpha((unsigned char)name[i - 1]))
        return 0;
    for (size_t k = 0; k < n; k++)
        if (tolower((unsigned char)name[i + k]) != word[k])
            return 0;
    return !isalpha((unsigned char)name[i + n]);
}

int st_course_name_hint(const char *name)
{
    int before = 0, after = 0;
    for (size_t i = 0; name[i]; i++) {
        before |= word_at(name, i, "before") || word_at(name, i, "pre");
        after |= word_at(name, i, "after") || word_at(name, i, "post");
    }
    return before == after ? 0 : before ? -1 : 1;
}

static int by_order(const void *pa, const void *pb)
{
    const st_course_photo *a = pa, *b = pb;
    return (a->order > b->order) - (a->order < b->order);
}

static int cmp_long(const void *pa, const void *pb)
{
    long a = *(const long *)pa, b = *(const long *)pb;
    return (a > b) - (a < b);
}

/* The automatic followup threshold after treatments t[0..n). */
static long followup_threshold(const long *t, size_t n, long *scratch)
{
    long limit = MIN_FOLLOWUP_DAYS;
    if (n >= 2) {
        size_t k = n - 1;
        double median;
        for (size_t i = 0; i < k; i++)
            scratch[i] = t[i + 1] - t[i];
        qsort(scratch, k, sizeof *scratch, cmp_long);
        median = k % 2 ? scratch[k / 2]
                       : 0.5 * (scratch[k / 2 - 1] + scratch[k / 2]);
        if (FOLLOWUP_INTERVAL_RATIO * median > limit)
            limit = (long)ceil(FOLLOWUP_INTERVAL_RATIO * median);
    }
    return limit;
}

/* Planning state: the treatments so far. Sessions are kept as numbers
 * (a manifest may skip some: 1, 4, 8), so the treatments are a list of
 * (session, day) looked up by session, not a table indexed by it. */
typedef struct plan {
    int *tsession; /* tsession[k]: the session of treatment k */
    long *days;    /* days[k]: its day; treatments in planning order */
    long *scratch;
    size_t ndays;
    int session;     /* current session (0: none yet) */
    int followup;    /* the followup period has begun */
    long last_treat; /* day of the latest treatment, if has_last */
    int has_last;
} plan;

static void treat(plan *pl, int session, long day)
{
    pl->tsession[pl->ndays] = session;
    pl->days[pl->ndays++] = day;
    pl->last_treat = day;
    pl->has_last = 1;
}

/* The day of session s's treatment (its latest, if given twice); 0, or
 * -1 if s has none. */
static int treatment_of(const plan *pl, int s, long *day)
{
    for (size_t k = pl->ndays; k-- > 0;)
        if (pl->tsession[k] == s) {
            *day = pl->days[k];
            return 0;
        }
    return -1;
}

/* The phase of a photo with none given, from its date. */
static st_phase infer_phase(const plan *pl, const st_course_photo *p,
                            const st_course_plan_options *opt)
{
    long gap, limit;
    if (pl->followup)
        return ST_PHASE_FOLLOWUP;
    if (!p->has_date || !pl->has_last)
        return ST_PHASE_PRE;
    gap = p->date - pl->last_treat;
    if (gap <= opt->post_days)
        return ST_PHASE_POST;
    limit = opt->followup_days > 0
                ? opt->followup_days
                : followup_threshold(pl->days, pl->ndays, pl->scratch);
    return gap > limit ? ST_PHASE_FOLLOWUP : ST_PHASE_PRE;
}

/* Sets the days after the latest treatment for p, as of day `last`. */
static void treatment_days(st_course_photo *p, long last, int has_last)
{
    if (p->has_date && has_last && p->date >= last) {
        p->days_since_treatment = p->date - last;
        p->has_treatment_days = 1;
    }
}

static void plan_photo(plan *pl, st_course_photo *p,
                       const st_course_plan_options *opt)
{
    st_phase ph = p->phase ? p->phase : infer_phase(pl, p, opt);
    int s = p->session;
    long day;
    p->phase = ph;
    switch (ph) {
    case ST_PHASE_PRE:
        treatment_days(p, pl->last_treat, pl->has_last);
        if (s < 0)
            s = pl->session + 1;
        if (p->has_date) {
            treat(pl, s, p->date);
            p->treatment_date = p->date;
            p->has_treatment_date = 1;
        }
        pl->session = s;
        break;
    case ST_PHASE_POST:
        if (s < 0)
            s = pl->session;
        if (treatment_of(pl, s, &day) == 0) {
            p->treatment_date = day;
            p->has_treatment_date = 1;
            treatment_days(p, day, 1);
        }
        break;
    case ST_PHASE_FOLLOWUP:
        if (s < 0)
            s = pl->session;
        pl->followup = 1;
        treatment_days(p, pl->last_treat, pl->has_last);
        break;
    case ST_PHASE_CHECKUP:
        if (s < 0)
            s = pl->session;
        treatment_days(p, pl->last_treat, pl->has_last);
        break;
    default: break;
    }
    p->session = s;
}

/* ---- known treatment dates ---- */

/* The number of t[0..nt) (sorted) on or before day. */
static size_t treatments_by(const long *t, size_t nt, long day)
{
    size_t lo = 0, hi = nt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Plans p[b..n) (sorted, all dated) from the treatments t[0..nt) (sorted,
 * unique): course.h has the rules. */
static void plan_treated(st_course_photo *p, size_t n, size_t b, const long *t,
                         size_t nt, const st_course_plan_options *opt)
{
    for (size_t i = b; i < n; i++) {
        st_course_photo *q = &p[i];
        size_t k = treatments_by(t, nt, q->date);
        int on_treat = k > 0 && t[k - 1] == q->date;
        int first_of_day = i == b || p[i - 1].date != q->date;
        st_phase ph = q->phase;
        if (q->error)
            continue;
        if (i == b)
            ph = ST_PHASE_BASELINE;
        else if (!ph && on_treat)
            ph = first_of_day ? ST_PHASE_PRE : ST_PHASE_POST;
        else if (!ph && k == 0)
            ph = ST_PHASE_CHECKUP;
        else if (!ph && q->date - t[k - 1] <= opt->post_days)
            ph = ST_PHASE_POST;
        else if (!ph)
            ph = k == nt ? ST_PHASE_FOLLOWUP : ST_PHASE_CHECKUP;
        q->phase = ph;
        if (q->session < 0)
            q->session = (int)(k < 9999 ? k : 9999);
        if (on_treat && (ph == ST_PHASE_PRE || ph == ST_PHASE_BASELINE ||
                         ph == ST_PHASE_POST)) {
            q->treatment_date = q->date;
            q->has_treatment_date = 1;
        } else if (ph == ST_PHASE_POST && k > 0) {
            q->treatment_date = t[k - 1];
            q->has_treatment_date = 1;
        }
        /* days since the latest treatment before the photo; a pre photo
         * (or the baseline) of a treatment day: the one before its own */
        if (on_treat && ph != ST_PHASE_POST)
            k--;
        if (k > 0 && i != b) {
            q->days_since_treatment = q->date - t[k - 1];
            q->has_treatment_days = 1;
        }
    }
}

/* The treatments of opt, sorted and unique, into *t (malloc'd; NULL and 0
 * when none). -1 when out of memory. */
static int sorted_treatments(const st_course_plan_options *opt, long **t,
                             size_t *nt)
{
    size_t m = 0;
    *t = NULL;
    *nt = 0;
    if (!opt->treatments || !opt->n_treatments)
        return 0;
    if (!(*t = malloc(opt->n_treatments * sizeof **t)))
        return -1;
    memcpy(*t, opt->treatments, opt->n_treatments * sizeof **t);
    qsort(*t, opt->n_treatments, sizeof **t, cmp_long);
    for (size_t i = 0; i < opt->n_treatments; i++)
        if (m == 0 || (*t)[i] != (*t)[m - 1])
            (*t)[m++] = (*t)[i];
    *nt = m;
    return 0;
}

st_status st_course_plan(st_course_photo *p, size_t n,
                         const st_course_plan_options *opt_in, size_t *baseline,
                         st_error *err)
{
    st_course_plan_options opt;
    plan pl = {0};
    int all_dated = 1;
    size_t b = 0, i;
    st_status s = ST_OK;

    if (n == 0)
        return st_fail(err, ST_ERR_INVALID, "a course needs a photo");
    if (opt_in)
        opt = *opt_in;
    else
        st_course_plan_options_init(&opt);
    for (i = 0; i < n; i++)
        all_dated &= p[i].has_date != 0;
    if (all_dated)
        sort_dated(p, n);
    else
        qsort(p, n, sizeof *p, by_order);

    /* the baseline: the first marked, else the first photo */
    for (i = 0; i < n && p[i].phase != ST_PHASE_BASELINE; i++)
        ;
    b = i < n ? i : 0;
    for (i = b + 1; i < n; i++)
        if (p[i].phase == ST_PHASE_BASELINE)
            p[i].error = "a second baseline in the course (mark only one)";

    if (all_dated && opt.n_treatments) {
        long *t;
        size_t nt;
        if (sorted_treatments(&opt, &t, &nt)) {
            s = st_fail(err, ST_ERR_NOMEM, "out of memory planning a course");
            goto done;
        }
        for (i = 0; i < n; i++) {
            p[i].is_baseline = i == b;
            p[i].has_days = 1;
            p[i].days_since_baseline = p[i].date - p[b].date;
        }
        for (i = 0; i < b; i++) {
            if (!p[i].phase)
                p[i].phase = ST_PHASE_CHECKUP;
            if (p[i].session < 0)
                p[i].session = (int)treatments_by(t, nt, p[i].date);
        }
        plan_treated(p, n, b, t, nt, &opt);
        free(t);
        goto done;
    }
    pl.tsession = calloc(n + 1, sizeof *pl.tsession);
    pl.days = calloc(n + 1, sizeof *pl.days);
    pl.scratch = calloc(n + 1, sizeof *pl.scratch);
    if (!pl.tsession || !pl.days || !pl.scratch) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory planning a course");
        goto done;
    }

    for (i = 0; i < n; i++) {
        p[i].is_baseline = i == b;
        p[i].has_days = p[i].has_date && p[b].has_date;
        if (p[i].has_days)
            p[i].days_since_baseline = p[i].date - p[b].date;
    }
    /* the baseline: treated the same day unless its session is 0 */
    p[b].phase = ST_PHASE_BASELINE;
    if (p[b].session < 0)
        p[b].session = 1;
    pl.session = p[b].session;
    if (p[b].session > 0 && p[b].has_date) {
        treat(&pl, p[b].session, p[b].date);
        p[b].treatment_date = p[b].date;
        p[b].has_treatment_date = 1;
    }
    /* photos before a marked baseline: earlier, untreated as far as the
     * course knows */
    for (i = 0; i < b; i++) {
        if (!p[i].phase)
            p[i].phase = ST_PHASE_PRE;
        if (p[i].session < 0)
            p[i].session = 0;
    }
    for (i = b + 1; i < n; i++)
        if (!p[i].error)
            plan_photo(&pl, &p[i], &opt);
done:
    free(pl.tsession);
    free(pl.days);
    free(pl.scratch);
    *baseline = b;
    return s;
}

/* ---- statistics ---- */

int st_fit_line(const double *x, const double *y, size_t n, double *slope,
                double *slope_se)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0, ss = 0, a, b;
    if (n < 2)
        return -1;
    for (size_t i = 0; i < n; i++)
        mx += x[i], my += y[i];
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0))
        return -1;
    b = sxy / sxx;
    a = my - b * mx;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - (a + b * x[i]);
        ss += r * r;
    }
    *slope = b;
    *slope_se = n > 2 ? sqrt(ss / (double)(n - 2) / sxx) : NAN;
    return 0;
}

int st_fit_half_life(const double *t, const double *e, size_t n,
                     double *half_life, size_t *used)
{
    size_t peak = 0, end;
    double sw = 0, st = 0, sl = 0, stt = 0, stl = 0, k, den;
    if (n < 2)
        return -1;
    for (size_t i = 1; i < n; i++)
        if (e[i] > e[peak])
            peak = i;
    for (end = peak; end < n && e[end] > 0 && isfinite(e[end]); end++) {
        double w = e[end] * e[end], l = log(e[end]);
        sw += w;
        st += w * t[end];
        sl += w * l;
        stt += w * t[end] * t[end];
        stl += w * t[end] * l;
    }
    if (end - peak < 2)
        return -1;
    den = sw * stt - st * st;
    if (!(den > 0))
        return -1;
    k = (sw * stl - st * sl) / den; /* slope of log e per day */
    if (!(k < 0))
        return -1;
    *half_life = -log(2.0) / k;
    *used = end - peak;
    return 0;
}
