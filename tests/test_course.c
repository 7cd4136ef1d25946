/* skintrack tests — course planning, dates, the manifest reader and the
 * course statistics.
 *
 * Day numbers are checked against the C library's timegm (an independent
 * calendar) over every day of 1900..2999; planning against courses whose
 * phases follow by construction from their dates; the fits against lines
 * and exponentials with known parameters and hand-worked residuals.
 */
#define _DEFAULT_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"

static long ymd(int y, int m, int d)
{
    long day;
    assert_int_equal(st_date_from_ymd(y, m, d, &day), 0);
    return day;
}

static void test_dates_against_timegm(void **state)
{
    struct tm tm;
    (void)state;
    /* every day from 1900-01-01 to 2999-12-31 */
    memset(&tm, 0, sizeof tm);
    tm.tm_year = 0;
    tm.tm_mday = 1;
    tm.tm_hour = 12;
    for (long day = ymd(1900, 1, 1); day <= ymd(2999, 12, 31); day++) {
        time_t t = (time_t)day * 86400 + 43200;
        int y, m, d;
        long back;
        gmtime_r(&t, &tm);
        st_date_to_ymd(day, &y, &m, &d);
        if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday)
            fail_msg("day %ld: %d-%d-%d, timegm says %d-%d-%d", day, y, m, d,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        assert_int_equal(st_date_from_ymd(y, m, d, &back), 0);
        assert_int_equal(back, day);
    }
    assert_int_equal(ymd(1970, 1, 1), 0);
}

static void test_date_rules(void **state)
{
    long day;
    char buf[16];
    (void)state;
    /* month ends and leap days */
    assert_int_equal(ymd(2024, 3, 1) - ymd(2024, 2, 28), 2);
    assert_int_equal(ymd(2023, 3, 1) - ymd(2023, 2, 28), 1);
    assert_int_equal(ymd(2000, 3, 1) - ymd(2000, 2, 28), 2); /* 400 */
    assert_int_equal(ymd(2100, 3, 1) - ymd(2100, 2, 28), 1); /* 100 */
    assert_int_equal(ymd(2027, 1, 1) - ymd(2026, 12, 31), 1);
    assert_int_equal(ymd(2025, 1, 1) - ymd(2024, 1, 1), 366);
    assert_int_equal(st_date_from_ymd(2025, 2, 29, &day), -1);
    assert_int_equal(st_date_from_ymd(2026, 4, 31, &day), -1);
    assert_int_equal(st_date_from_ymd(2026, 13, 1, &day), -1);
    assert_int_equal(st_date_from_ymd(1899, 12, 31, &day), -1);
    assert_int_equal(st_date_from_ymd(3000, 1, 1, &day), -1);
    assert_string_equal(st_date_format(ymd(2024, 2, 29), buf), "2024-02-29");

    assert_int_equal(st_date_parse("2026-03-14", &day), 0);
    assert_int_equal(day, ymd(2026, 3, 14));
    assert_int_equal(st_date_parse("2026-03-14T10:00:00+01:00", &day), 0);
    assert_int_equal(day, ymd(2026, 3, 14));
    assert_int_equal(st_date_parse("2026-3-14", &day), -1);
    assert_int_equal(st_date_parse("2026-02-30", &day), -1);
    assert_int_equal(st_date_parse("2026-03-14 ", &day), -1);
    assert_int_equal(st_date_parse("14/03/2026", &day), -1);
    assert_int_equal(st_date_parse("", &day), -1);
}

static void test_dates_in_names(void **state)
{
    static const struct {
        const char *name;
        int y, m, d; /* 0: no date */
    } cases[] = {
        {"2026-03-14.jpg", 2026, 3, 14},
        {"cheek_2026-03-14_left.png", 2026, 3, 14},
        {"IMG_20260314_101500.jpg", 2026, 3, 14},
        {"PXL_20240229_080000123.jpg", 2024, 2, 29},
        {"IMG-20260314-WA0001.jpeg", 2026, 3, 14},
        {"20260314.jpg", 2026, 3, 14},
        {"photo-12-2026-01-05.jpg", 2026, 1, 5},
        {"IMG_1234.jpg", 0, 0, 0},
        {"123456789.jpg", 0, 0, 0}, /* 9 digits: not a date */
        {"20250229.jpg", 0, 0, 0},  /* no 29 Feb in 2025 */
        {"2026-13-01.jpg", 0, 0, 0},
        {"12026-03-14.jpg", 0, 0, 0}, /* part of a longer number */
        {"2026-03-145.jpg", 0, 0, 0},
        {"x20260230y_20260301.jpg", 2026, 3, 1}, /* first real one */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long day = -1;
        int rc = st_date_from_name(cases[i].name, &day);
        if (cases[i].y == 0) {
            if (rc == 0)
                fail_msg("%s: found a date", cases[i].name);
        } else {
            if (rc != 0 || day != ymd(cases[i].y, cases[i].m, cases[i].d))
                fail_msg("%s: wrong date", cases[i].name);
        }
    }
}

/* ---- planning ---- */

static st_course_photo photo(long date, long order)
{
    st_course_photo p;
    memset(&p, 0, sizeof p);
    p.date = date;
    p.has_date = 1;
    p.order = order;
    p.session = -1;
    return p;
}

/* A course given in shuffled order: baseline, posts on days 1, 2 and 4,
 * treatments 28 days apart across a leap day, a followup 100 days later. */
static void test_plan_from_dates(void **state)
{
    long t0 = ymd(2024, 1, 31);
    static const struct {
        int day;
        st_phase phase;
        int session;
        long since_treat; /* -1: none */
    } want[] = {
        {0, ST_PHASE_BASELINE, 1, -1},    {1, ST_PHASE_POST, 1, 1},
        {2, ST_PHASE_POST, 1, 2},         {4, ST_PHASE_POST, 1, 4},
        {28, ST_PHASE_PRE, 2, 28},        {29, ST_PHASE_POST, 2, 1},
        {56, ST_PHASE_PRE, 3, 28},        {156, ST_PHASE_FOLLOWUP, 3, 100},
        {170, ST_PHASE_FOLLOWUP, 3, 114},
    };
    enum { N = sizeof want / sizeof want[0] };
    static const int shuffle[N] = {4, 8, 0, 2, 6, 1, 7, 3, 5};
    st_course_photo p[N];
    size_t b;
    (void)state;
    for (int i = 0; i < N; i++)
        p[i] = photo(t0 + want[shuffle[i]].day, shuffle[i]);
    assert_int_equal(st_course_plan(p, N, NULL, &b, NULL), ST_OK);
    assert_int_equal(b, 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(p[i].date, t0 + want[i].day);
        assert_int_equal(p[i].phase, want[i].phase);
        assert_int_equal(p[i].session, want[i].session);
        assert_int_equal(p[i].days_since_baseline, want[i].day);
        assert_int_equal(p[i].has_treatment_days, want[i].since_treat >= 0);
        if (want[i].since_treat >= 0)
            assert_int_equal(p[i].days_since_treatment, want[i].since_treat);
        assert_null(p[i].error);
    }
    /* 2024-01-31 + 28 days crosses 29 February */
    {
        int y, m, d;
        st_date_to_ymd(p[4].date, &y, &m, &d);
        assert_int_equal(m * 100 + d, 228);
        st_date_to_ymd(p[6].date, &y, &m, &d);
        assert_int_equal(m * 100 + d, 327);
    }
    assert_int_equal(p[5].treatment_date, t0 + 28);
}

/* Treatments 42 days apart: the automatic followup threshold grows with
 * the median interval (1.5 x 42 = 63), so 60 days is a session, and a
 * fixed --followup-after 50 turns it into followup. */
static void test_plan_followup_threshold(void **state)
{
    long t0 = ymd(2026, 5, 4);
    int days[4] = {0, 42, 84, 144};
    st_course_photo p[4];
    st_course_plan_options opt;
    size_t b;
    (void)state;
    for (int i = 0; i < 4; i++)
        p[i] = photo(t0 + days[i], i);
    assert_int_equal(st_course_plan(p, 4, NULL, &b, NULL), ST_OK);
    assert_int_equal(p[3].phase, ST_PHASE_PRE);
    assert_int_equal(p[3].session, 4);
    for (int i = 0; i < 4; i++)
        p[i] = photo(t0 + days[i], i);
    st_course_plan_options_init(&opt);
    opt.followup_days = 50;
    assert_int_equal(st_course_plan(p, 4, &opt, &b, NULL), ST_OK);
    assert_int_equal(p[3].phase, ST_PHASE_FOLLOWUP);
    assert_int_equal(p[3].session, 3);
}

/* A manifest's phases and sessions win; a marked baseline need not be
 * the first photo; a second baseline is an error row; undated photos are
 * placed by their order. */
static void test_plan_given(void **state)
{
    long t0 = ymd(2026, 1, 10);
    st_course_photo p[5];
    size_t b;
    (void)state;
    p[0] = photo(t0, 0); /* consultation, before baseline */
    p[1] = photo(t0 + 7, 1);
    p[1].phase = ST_PHASE_BASELINE;
    p[2] = photo(t0 + 8, 2);
    p[2].phase = ST_PHASE_PRE; /* dated 1 day later, but a session */
    p[2].session = 5;
    p[3] = photo(t0 + 9, 3);
    p[3].phase = ST_PHASE_BASELINE; /* second baseline */
    p[4] = photo(t0 + 10, 4);       /* 2 days after session 5: post */
    assert_int_equal(st_course_plan(p, 5, NULL, &b, NULL), ST_OK);
    assert_int_equal(b, 1);
    assert_int_equal(p[0].days_since_baseline, -7);
    assert_int_equal(p[0].phase, ST_PHASE_PRE);
    assert_int_equal(p[0].session, 0);
    assert_int_equal(p[2].session, 5);
    assert_int_equal(p[2].days_since_treatment, 1);
    assert_non_null(p[3].error);
    assert_int_equal(p[4].phase, ST_PHASE_POST);
    assert_int_equal(p[4].session, 5);
    assert_int_equal(p[4].days_since_treatment, 2);

    /* undated: manifest order, no days */
    for (int i = 0; i < 3; i++) {
        p[i] = photo(0, 10 - i);
        p[i].has_date = 0;
    }
    assert_int_equal(st_course_plan(p, 3, NULL, &b, NULL), ST_OK);
    assert_int_equal(p[0].order, 8);
    assert_int_equal(p[0].phase, ST_PHASE_BASELINE);
    assert_int_equal(p[1].phase, ST_PHASE_PRE);
    assert_int_equal(p[1].session, 2);
    assert_false(p[1].has_days);
}

/* Sessions given in a manifest are kept as written, even when they skip
 * numbers and exceed the number of photos (1, 4, 8 of 4 photos): a post
 * photo without a session belongs to the latest, one with a session given
 * to that session's treatment. */
static void test_plan_sessions_kept(void **state)
{
    long t0 = ymd(2026, 2, 2);
    static const int given[4] = {1, 4, 8, 4};
    static const st_phase phase[4] = {ST_PHASE_BASELINE, ST_PHASE_PRE,
                                      ST_PHASE_PRE, ST_PHASE_POST};
    static const int day[4] = {0, 90, 180, 182};
    st_course_photo p[5];
    size_t b;
    (void)state;
    for (int i = 0; i < 4; i++) {
        p[i] = photo(t0 + day[i], i);
        p[i].phase = phase[i];
        p[i].session = given[i];
    }
    p[4] = photo(t0 + 181, 4); /* no phase, no session: post of 8 */
    assert_int_equal(st_course_plan(p, 5, NULL, &b, NULL), ST_OK);
    /* sorted by date: days 0, 90, 180, 181, 182 */
    assert_int_equal(p[0].session, 1);
    assert_int_equal(p[1].session, 4);
    assert_int_equal(p[2].session, 8);
    assert_int_equal(p[3].session, 8);
    assert_int_equal(p[3].phase, ST_PHASE_POST);
    assert_int_equal(p[3].treatment_date, t0 + 180);
    assert_int_equal(p[4].session, 4);
    assert_int_equal(p[4].phase, ST_PHASE_POST);
    assert_int_equal(p[4].treatment_date, t0 + 90);
    assert_int_equal(p[4].days_since_treatment, 92);
    for (int i = 0; i < 5; i++)
        assert_null(p[i].error);
}

/* Capture times: from ISO dates and times, and from file names right
 * after their date; hours, minutes and seconds in range. */
static void test_capture_times(void **state)
{
    static const struct {
        const char *name;
        long seconds; /* -1: a date but no time; -2: no date */
    } names[] = {
        {"IMG_20260314_101500.jpg", 36900},
        {"PXL_20260314_101500123.jpg", 36900},
        {"2026-03-14 10.15.00.jpg", 36900},
        {"2026-03-14_10-15.jpg", 36900},
        {"2026-03-14T23:59:59.png", 86399},
        {"2026-03-14.jpg", -1},
        {"2026-03-14_2.jpg", -1},
        {"2026-03-14-01.jpg", -1},
        {"20260314_250000.jpg", -1},
        {"20260314_106000.jpg", -1},
        {"2026-03-14_10-15-7.jpg", -1},
        {"IMG_1234.jpg", -2},
    };
    static const struct {
        const char *text;
        long seconds; /* -1: no time */
    } iso[] = {
        {"2026-03-14T10:15:30+01:00", 36930}, {"2026-03-14T10:15", 36900},
        {"2026-03-14T00:00:00Z", 0},          {"2026-03-14", -1},
        {"2026-03-14T24:00:00", -1},          {"2026-03-14T10:60", -1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        long day = 0, t = 99;
        int rc = st_date_time_from_name(names[i].name, &day, &t);
        if (names[i].seconds == -2) {
            if (rc == 0)
                fail_msg("%s: found a date", names[i].name);
            continue;
        }
        if (rc != 0 || day != ymd(2026, 3, 14) || t != names[i].seconds)
            fail_msg("%s: rc %d, time %ld, want %ld", names[i].name, rc, t,
                     names[i].seconds);
    }
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++) {
        long t = 99;
        int rc = st_time_parse(iso[i].text, &t);
        if (iso[i].seconds < 0 ? rc == 0 : rc != 0 || t != iso[i].seconds)
            fail_msg("%s: rc %d, time %ld", iso[i].text, rc, t);
    }
}

static void test_name_hints(void **state)
{
    (void)state;
    assert_int_equal(st_course_name_hint("2026-03-02_before.jpg"), -1);
    assert_int_equal(st_course_name_hint("2026-03-02_After.JPG"), 1);
    assert_int_equal(st_course_name_hint("IMG_1_pre.jpg"), -1);
    assert_int_equal(st_course_name_hint("post-op 1.png"), 1);
    assert_int_equal(st_course_name_hint("prepared.jpg"), 0);
    assert_int_equal(st_course_name_hint("afterglow.jpg"), 0);
    assert_int_equal(st_course_name_hint("before_after.jpg"), 0);
    assert_int_equal(st_course_name_hint("IMG_0001.jpg"), 0);
}

/* One treatment day photographed twice: the earlier photo is the pre (the
 * session), the later the post of day 0, whatever their order given (file
 * names sort the 11:00 photo first). Without times, "before" and "after"
 * in the names decide. */
static void test_plan_same_day_order(void **state)
{
    long t0 = ymd(2026, 3, 2), t1 = t0 + 28;
    st_course_photo p[3];
    size_t b;
    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        p[0] = photo(t0, 0);
        p[1] = photo(t1, 1); /* "..._after": 11:00 */
        p[2] = photo(t1, 2); /* "..._before": 09:00 */
        if (pass == 0) {
            p[1].time = 11 * 3600, p[1].has_time = 1;
            p[2].time = 9 * 3600, p[2].has_time = 1;
            p[0].time = 10 * 3600, p[0].has_time = 1;
        } else {
            p[1].hint = 1;
            p[2].hint = -1;
            p[1].time = 11 * 3600, p[1].has_time = 1; /* only one timed */
        }
        assert_int_equal(st_course_plan(p, 3, NULL, &b, NULL), ST_OK);
        assert_int_equal(p[1].order, 2);
        assert_int_equal(p[1].phase, ST_PHASE_PRE);
        assert_int_equal(p[1].session, 2);
        assert_int_equal(p[2].order, 1);
        assert_int_equal(p[2].phase, ST_PHASE_POST);
        assert_int_equal(p[2].session, 2);
        assert_int_equal(p[2].days_since_treatment, 0);
    }
}

/* Known treatment dates: a check-up 14 days after a session is a checkup,
 * not a treatment; sessions count treatments; post and followup count
 * from the real treatments. The same photos without the dates follow the
 * guessing rules (the check-up becomes session 2). */
static void test_plan_treatment_dates(void **state)
{
    long t0 = ymd(2026, 3, 2);
    static const struct {
        int day, hour;
        st_phase phase;
        int session;
        long since_treat; /* -1: none */
        int treat_day;    /* treatment_date - t0, -1: none */
    } want[] = {
        {0, 9, ST_PHASE_BASELINE, 1, -1, 0},
        {14, 9, ST_PHASE_CHECKUP, 1, 14, -1},
        {28, 9, ST_PHASE_PRE, 2, 28, 28},
        {28, 11, ST_PHASE_POST, 2, 0, 28},
        {30, 9, ST_PHASE_POST, 2, 2, 28},
        {42, 9, ST_PHASE_CHECKUP, 2, 14, -1},
        {56, 9, ST_PHASE_PRE, 3, 28, 56},
        {70, 9, ST_PHASE_FOLLOWUP, 3, 14, -1},
    };
    enum { N = sizeof want / sizeof want[0] };
    long treat[3];
    st_course_photo p[N];
    st_course_plan_options opt;
    size_t b;
    (void)state;
    treat[0] = t0 + 56, treat[1] = t0, treat[2] = t0 + 28; /* any order */
    st_course_plan_options_init(&opt);
    opt.treatments = treat;
    opt.n_treatments = 3;
    for (int i = 0; i < N; i++) {
        p[i] = photo(t0 + want[N - 1 - i].day, i);
        p[i].time = want[N - 1 - i].hour * 3600;
        p[i].has_time = 1;
    }
    assert_int_equal(st_course_plan(p, N, &opt, &b, NULL), ST_OK);
    assert_int_equal(b, 0);
    for (int i = 0; i < N; i++) {
        if (p[i].date != t0 + want[i].day || p[i].phase != want[i].phase ||
            p[i].session != want[i].session ||
            p[i].has_treatment_days != (want[i].since_treat >= 0) ||
            (want[i].since_treat >= 0 &&
             p[i].days_since_treatment != want[i].since_treat) ||
            p[i].has_treatment_date != (want[i].treat_day >= 0) ||
            (want[i].treat_day >= 0 &&
             p[i].treatment_date != t0 + want[i].treat_day))
            fail_msg("photo %d (day %d): phase %s session %d since %ld", i,
                     want[i].day, st_phase_name(p[i].phase), p[i].session,
                     p[i].days_since_treatment);
    }
    /* without the dates: the check-up on day 14 is taken for session 2 */
    for (int i = 0; i < N; i++) {
        p[i] = photo(t0 + want[i].day, i);
        p[i].time = want[i].hour * 3600;
        p[i].has_time = 1;
    }
    assert_int_equal(st_course_plan(p, N, NULL, &b, NULL), ST_OK);
    assert_int_equal(p[1].phase, ST_PHASE_PRE);
    assert_int_equal(p[1].session, 2);

    /* an untreated baseline: session 0, a visit before the first
     * treatment is a checkup */
    treat[0] = t0 + 7;
    opt.n_treatments = 1;
    for (int i = 0; i < 3; i++)
        p[i] = photo(t0 + 3 * i + (i == 2), i); /* days 0, 3, 7 */
    assert_int_equal(st_course_plan(p, 3, &opt, &b, NULL), ST_OK);
    assert_int_equal(p[0].session, 0);
    assert_int_equal(p[0].has_treatment_date, 0);
    assert_int_equal(p[1].phase, ST_PHASE_CHECKUP);
    assert_int_equal(p[1].session, 0);
    assert_int_equal(p[2].phase, ST_PHASE_PRE);
    assert_int_equal(p[2].session, 1);
    {
        st_phase ph;
        assert_int_equal(st_phase_parse(" Check-up ", &ph), 0);
        assert_int_equal(ph, ST_PHASE_CHECKUP);
        assert_string_equal(st_phase_name(ST_PHASE_CHECKUP), "checkup");
    }
}

/* ---- statistics ---- */

static void test_fit_line(void **state)
{
    /* exact line: slope 0.25, no residual */
    double x[5] = {0, 28, 56, 84, 175}, y[5], slope, se;
    /* residuals +1 -1 0 -1 +1 around y = 2 - 0.5 x on x = 0..4 (they sum
     * to 0 and are orthogonal to x, so the fit is that line): Sxx 10,
     * sum r^2 = 4 -> SE = sqrt(4 / 3 / 10) */
    double x2[5] = {0, 1, 2, 3, 4}, y2[5] = {3, 0.5, 1, -0.5, 1};
    (void)state;
    for (int i = 0; i < 5; i++)
        y[i] = 3 + 0.25 * x[i];
    assert_int_equal(st_fit_line(x, y, 5, &slope, &se), 0);
    assert_float_equal(slope, 0.25, 1e-12);
    assert_float_equal(se, 0, 1e-9);
    assert_int_equal(st_fit_line(x2, y2, 5, &slope, &se), 0);
    assert_float_equal(slope, -0.5, 1e-12);
    assert_float_equal(se, sqrt(4.0 / 3.0 / 10.0), 1e-12);
    assert_int_equal(st_fit_line(x, y, 2, &slope, &se), 0);
    assert_true(isnan(se));
    assert_int_equal(st_fit_line(x, y, 1, &slope, &se), -1);
    x2[1] = x2[0] = 0;
    assert_int_equal(st_fit_line(x2, y2, 2, &slope, &se), -1);
}

static void test_fit_half_life(void **state)
{
    /* rise to a peak on day 2, then halve every 1.5 days */
    double t[6] = {0, 1, 2, 3, 5, 8}, e[6], h;
    size_t used;
    (void)state;
    for (int i = 0; i < 6; i++)
        e[i] = t[i] < 2 ? 3 + t[i] : 6 * pow(2, -(t[i] - 2) / 1.5);
    assert_int_equal(st_fit_half_life(t, e, 6, &h, &used), 0);
    assert_float_equal(h, 1.5, 1e-9);
    assert_int_equal(used, 4);
    /* faded to nothing on day 5: the fit stops before it */
    e[4] = -0.1;
    assert_int_equal(st_fit_half_life(t, e, 6, &h, &used), 0);
    assert_float_equal(h, 1.5, 1e-9);
    assert_int_equal(used, 2);
    /* still rising: no half-life */
    for (int i = 0; i < 6; i++)
        e[i] = 1 + t[i];
    assert_int_equal(st_fit_half_life(t, e, 6, &h, &used), -1);
    assert_int_equal(st_fit_half_life(t, e, 1, &h, &used), -1);
}

/* ---- a measured course's statistics (course_stats.c) ---- */

#define STAT_MAX 128

/* A course of measured rows built from their plan: a photo on day d of
 * phase ph, session se after the treatment on day td, its metrics all 0
 * but the ones the tests set. */
typedef struct stat_course {
    st_course_photo plan[STAT_MAX];
    st_course_result res[STAT_MAX];
    st_course_row row[STAT_MAX];
    size_t n;
} stat_course;

static size_t stat_add(stat_course *c, long d, st_phase ph, int se, long td)
{
    size_t k = c->n++;
    st_course_photo *p = &c->plan[k];
    assert_true(k < STAT_MAX);
    memset(p, 0, sizeof *p);
    memset(&c->res[k], 0, sizeof c->res[k]);
    p->date = 20000 + d, p->has_date = 1;
    p->days_since_baseline = d, p->has_days = 1;
    p->phase = ph, p->session = se, p->is_baseline = ph == ST_PHASE_BASELINE;
    if (td >= 0) {
        p->treatment_date = 20000 + td, p->has_treatment_date = 1;
        p->days_since_treatment = d - td, p->has_treatment_days = 1;
    }
    c->res[k].status = ST_OK;
    c->res[k].registered = 1;
    c->res[k].metrics.pores.search_px = 1000;
    c->row[k].plan = p;
    c->row[k].result = &c->res[k];
    return k;
}

/* The trend is the least-squares line of the rows the summary reads:
 * registered, dated, not post. The truth is the test's own least squares
 * (centred sums) over exactly those rows; both are the same estimator in
 * double precision on values of order 10 over 7 points, so they agree to
 * rounding (1e-12 relative); an exact line has zero error. */
static void test_course_trend(void **state)
{
    static const long day[] = {0, 1, 28, 56, 84, 120, 175};
    static const st_phase ph[] = {
        ST_PHASE_BASELINE, ST_PHASE_POST,    ST_PHASE_PRE,     ST_PHASE_PRE,
        ST_PHASE_PRE,      ST_PHASE_CHECKUP, ST_PHASE_FOLLOWUP};
    static const double wiggle[] = {0.3, 9, -0.2, 0.25, -0.4, 0.1, 0.05};
    stat_course c = {0};
    st_course_trend t;
    st_error err = {0};
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0, b;
    (void)state;
    for (size_t k = 0; k < 7; k++) {
        stat_add(&c, day[k], ph[k], k < 2 ? 1 : (int)k, -1);
        /* pores shrink 0.01 px a day, with wiggles; the post photo is far
         * off (swelling) and must not count */
        c.res[k].metrics.pores.mean_diameter_px =
            6 - 0.01 * (double)day[k] + wiggle[k];
        c.res[k].metrics.redness.a_star_mean = 15 + 0.02 * (double)day[k];
    }
    c.res[4].registered = 0; /* day 84: low confidence, left out */
    c.row[5].result = NULL;  /* day 120: an error row */
    for (size_t k = 0; k < 7; k++)
        if (k != 1 && k != 4 && k != 5) {
            double x = (double)day[k];
            sx += x, sy += c.res[k].metrics.pores.mean_diameter_px, m++;
        }
    for (size_t k = 0; k < 7; k++)
        if (k != 1 && k != 4 && k != 5) {
            double x = (double)day[k] - sx / m;
            sxx += x * x;
            sxy += x * (c.res[k].metrics.pores.mean_diameter_px - sy / m);
        }
    b = sxy / sxx;

    assert_int_equal(st_course_trend_of(c.row, c.n, 0,
                                        ST_METRIC_PORE_MEAN_DIAMETER_PX, &t,
                                        &err),
                     ST_OK);
    assert_true(t.defined);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.latest, 6);
    assert_float_equal(t.slope30, 30 * b, 1e-12 * fabs(30 * b));
    assert_true(t.slope30 < 0);
    assert_float_equal(t.base, 6.3, 1e-12);
    assert_float_equal(t.change, (6 - 1.75 + 0.05) - 6.3, 1e-12);
    assert_float_equal(t.pct_change, 100 * t.change / 6.3, 1e-9);

    /* an exact line: its slope, no error; a* is interval: no percentage */
    assert_int_equal(
        st_course_trend_of(c.row, c.n, 0, ST_METRIC_A_STAR_MEAN, &t, &err),
        ST_OK);
    assert_float_equal(t.slope30, 0.6, 1e-12);
    assert_float_equal(t.se30, 0, 1e-9);
    assert_float_equal(t.change, 0.02 * 175, 1e-12);
    assert_true(isnan(t.pct_change));

    /* no summary: text, no baseline, a baseline that is post */
    assert_int_equal(
        st_course_trend_of(c.row, c.n, 0, ST_METRIC_ITA_CATEGORY, &t, &err),
        ST_OK);
    assert_false(t.defined);
    assert_int_equal(st_course_trend_of(c.row, c.n, SIZE_MAX,
                                        ST_METRIC_A_STAR_MEAN, &t, &err),
                     ST_OK);
    assert_false(t.defined);
    assert_int_equal(
        st_course_trend_of(c.row, c.n, 1, ST_METRIC_A_STAR_MEAN, &t, &err),
        ST_OK);
    assert_false(t.defined);
    assert_int_equal(
        st_course_trend_of(c.row, c.n, 0, ST_METRICS_COUNT, &t, &err),
        ST_ERR_INVALID);
}

/* Recovery: the excess a* of each session's post photos over the photo
 * before its treatment decays by construction with a known half-life
 * (after a day-2 peak); the fit must give it back, over every post photo
 * of the session however many (100 here). */
static void test_course_recovery(void **state)
{
    static stat_course c;
    st_course_session *s = NULL;
    st_error err = {0};
    size_t ns = 0, used;
    double h;
    (void)state;
    memset(&c, 0, sizeof c);
    stat_add(&c, 0, ST_PHASE_BASELINE, 1, 0);
    c.res[0].metrics.redness.a_star_mean = 15;
    for (long d = 1; d <= 5; d++) {
        size_t k;
        if (d == 4)
            continue;
        k = stat_add(&c, d, ST_PHASE_POST, 1, 0);
        c.res[k].metrics.redness.a_star_mean =
            15 + (d < 2 ? 4 : 6 * pow(2, -(double)(d - 2) / 1.2));
    }
    stat_add(&c, 28, ST_PHASE_PRE, 2, 28);
    c.res[c.n - 1].metrics.redness.a_star_mean = 16;
    for (long d = 1; d <= 100; d++) {
        size_t k = stat_add(&c, 28 + d, ST_PHASE_POST, 2, 28);
        c.res[k].metrics.redness.a_star_mean = 16 + 50 * pow(2, -(double)d / 7);
    }
    assert_int_equal(st_course_sessions(c.row, c.n, &s, &ns, &err), ST_OK);
    assert_int_equal(ns, 2);
    assert_int_equal(s[0].session, 1);
    assert_int_equal(s[0].reference, 0);
    assert_int_equal(s[0].n_posts, 4);
    assert_int_equal(s[0].posts[0], 1);
    assert_int_equal(s[0].posts[3], 4);
    assert_int_equal(s[1].session, 2);
    assert_int_equal(s[1].reference, 5);
    assert_int_equal(s[1].n_posts, 100);

    assert_int_equal(st_course_half_life(c.row, &s[0], ST_METRIC_A_STAR_MEAN,
                                         &h, &used, &err),
                     ST_OK);
    assert_float_equal(h, 1.2, 1e-9);
    assert_int_equal(used, 3); /* days 2, 3 and 5 */
    assert_int_equal(st_course_half_life(c.row, &s[1], ST_METRIC_A_STAR_MEAN,
                                         &h, &used, &err),
                     ST_OK);
    assert_float_equal(h, 7, 1e-9);
    assert_int_equal(used, 100);
    /* nothing moved: no half-life, no error */
    assert_int_equal(st_course_half_life(c.row, &s[0], ST_METRIC_PORE_COUNT, &h,
                                         &used, &err),
                     ST_OK);
    assert_true(isnan(h));
    assert_int_equal(used, 0);
    st_course_sessions_free(s, ns);

    /* without a photo before the treatment there is nothing to compare */
    c.res[0].registered = 0;
    assert_int_equal(st_course_sessions(c.row, 5, &s, &ns, &err), ST_OK);
    assert_int_equal(ns, 0);
    assert_null(s);
}

/* ---- manifest reader ---- */

/* Reads text with the CSV reader: each good record's fields joined by
 * '|', records by '/', a bad one as "!LINE". */
static void read_all(const char *text, size_t len, char *out, size_t size)
{
    FILE *f = fmemopen((void *)text, len, "rb");
    st_csv_reader r;
    st_error err = {0};
    int got;
    assert_non_null(f);
    out[0] = '\0';
    st_csv_reader_init(&r, f);
    while ((got = st_csv_read(&r, &err)) != 0) {
        char one[512] = "";
        if (got < 0) {
            snprintf(one, sizeof one, "!%ld/", r.line);
        } else {
            for (int i = 0; i < st_csv_field_count(&r); i++) {
                strncat(one, st_csv_field(&r, i), sizeof one - strlen(one) - 2);
                strcat(one, i + 1 < st_csv_field_count(&r) ? "|" : "/");
            }
        }
        strncat(out, one, size - strlen(out) - 1);
    }
    st_csv_reader_free(&r);
    fclose(f);
}

static void test_csv_reader(void **state)
{
    char out[2048];
    (void)state;
#define CHECK(text, want)                                                      \
    do {                                                                       \
        read_all(text, sizeof text - 1, out, sizeof out);                      \
        assert_string_equal(out, want);                                        \
    } while (0)
    CHECK("a,b,c\n1,2,3\n", "a|b|c/1|2|3/");
    CHECK("a,b\r\n1,2\r\n", "a|b/1|2/");
    CHECK("a,b\r1,2", "a|b/1|2/"); /* old Mac ends, no last EOL */
    CHECK("\xEF\xBB\xBFpath\nx.jpg\n", "path/x.jpg/"); /* BOM */
    CHECK("a\n\n\nb\n", "a/b/");                       /* blank lines skipped */
    CHECK("\"x,y\",\"say \"\"hi\"\"\"\n", "x,y|say \"hi\"/");
    CHECK("\"two\nlines\",z\nnext\n", "two\nlines|z/next/");
    CHECK(",,\n", "||/");           /* empty fields */
    CHECK("ab\"c,d\n", "ab\"c|d/"); /* stray quote kept */
    /* bad records are reported with their line and skipped */
    CHECK("\"ab\"c,d\nok\n", "!1/ok/");
    CHECK("ok\n\"never closed\nstill\n", "ok/!2/");
    CHECK("a\nb\0c\nd\n", "a/!2/d/");
#undef CHECK
}

static void test_csv_reader_limits(void **state)
{
    /* a 1 MB line and a line of 300 fields are refused; the reader goes
     * on, and its buffer never passes the record limit */
    size_t n = 1 << 20;
    char *text = malloc(n + 64), out[256];
    (void)state;
    assert_non_null(text);
    strcpy(text, "path\n");
    memset(text + 5, 'x', n);
    strcpy(text + 5 + n, "\nok\n");
    read_all(text, strlen(text), out, sizeof out);
    assert_string_equal(out, "path/!2/ok/");
    {
        char *p = text;
        for (int i = 0; i < 300; i++)
            p += sprintf(p, "f%d,", i);
        strcpy(p, "end\nok\n");
        read_all(text, strlen(text), out, sizeof out);
        assert_string_equal(out, "!1/ok/");
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_against_timegm),
        cmocka_unit_test(test_date_rules),
        cmocka_unit_test(test_dates_in_names),
        cmocka_unit_test(test_plan_from_dates),
        cmocka_unit_test(test_plan_followup_threshold),
        cmocka_unit_test(test_plan_given),
        cmocka_unit_test(test_plan_sessions_kept),
        cmocka_unit_test(test_capture_times),
        cmocka_unit_test(test_name_hints),
        cmocka_unit_test(test_plan_same_day_order),
        cmocka_unit_test(test_plan_treatment_dates),
        cmocka_unit_test(test_fit_line),
        cmocka_unit_test(test_fit_half_life),
        cmocka_unit_test(test_course_trend),
        cmocka_unit_test(test_course_recovery),
        cmocka_unit_test(test_csv_reader),
        cmocka_unit_test(test_csv_reader_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
