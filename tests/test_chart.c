/* skintrack tests — the SVG chart writer: nice axes, where points land,
 * escaping of hostile text, locale independence, missing data.
 */
#define _POSIX_C_SOURCE 200809L
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Is step one of 1, 2, 5 x 10^k? */
static int is_nice(double step)
{
    double e = floor(log10(step)), m = step / pow(10, e);
    return fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9 ||
           fabs(m - 10) < 1e-9;
}

/* The nice step just below s. */
static double smaller_nice(double s)
{
    double e = floor(log10(s) + 1e-9), m = s / pow(10, e);
    if (m > 4.5)
        return 2 * pow(10, e);
    if (m > 1.5)
        return pow(10, e);
    return 5 * pow(10, e - 1);
}

static void test_nice_axis(void **state)
{
    st_chart_axis a;
    uint64_t rng = 7;
    (void)state;

    /* worked by hand: 9.57 / 5 ticks gaps -> 2 (0, 2, ... 10) */
    assert_int_equal(st_chart_nice_axis(0.13, 9.7, 6, &a), 0);
    assert_true(a.lo == 0 && a.hi == 10 && a.step == 2 && a.ticks == 6);
    /* 50 wide: 10 would need 7 ticks (-10 .. 50), so 20 (-20 .. 60) */
    assert_int_equal(st_chart_nice_axis(-3, 47, 6, &a), 0);
    assert_true(a.lo == -20 && a.hi == 60 && a.step == 20 && a.ticks == 5);
    assert_int_equal(st_chart_nice_axis(-3, 47, 7, &a), 0);
    assert_true(a.lo == -10 && a.hi == 50 && a.step == 10 && a.ticks == 7);
    /* a single value is widened by 1 around it */
    assert_int_equal(st_chart_nice_axis(5, 5, 5, &a), 0);
    assert_true(a.lo <= 4 && a.hi >= 6 && a.lo < 5 && a.hi > 5);
    /* ... or by 5% when that is more */
    assert_int_equal(st_chart_nice_axis(1000, 1000, 5, &a), 0);
    assert_true(a.lo <= 950 && a.hi >= 1050);
    assert_int_equal(st_chart_nice_axis(NAN, 1, 5, &a), -1);
    assert_int_equal(st_chart_nice_axis(0, INFINITY, 5, &a), -1);
    assert_int_equal(st_chart_nice_axis(2, 1, 5, &a), -1);

    /* random ranges from 1e-6 to 1e6: covering, at most max ticks, nice,
     * and the next smaller nice step would need too many */
    for (int k = 0; k < 2000; k++) {
        double u, v, lo, hi, s2;
        int max;
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        u = (double)(rng >> 11) / 9007199254740992.0;
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        v = (double)(rng >> 11) / 9007199254740992.0;
        lo = (u - 0.5) * pow(10, (int)(v * 12) - 6);
        hi = lo + v * pow(10, (int)(u * 12) - 6) + 1e-7;
        max = 3 + (int)(u * 8);
        assert_int_equal(st_chart_nice_axis(lo, hi, max, &a), 0);
        assert_true(a.lo <= lo + 1e-12 * fabs(lo) &&
                    a.hi >= hi - 1e-12 * fabs(hi));
        assert_true(a.ticks >= 2 && a.ticks <= max);
        assert_true(is_nice(a.step));
        assert_true(fabs((a.hi - a.lo) / a.step - (a.ticks - 1)) <
                    1e-6 * (1 + fabs(a.lo / a.step)));
        s2 = smaller_nice(a.step);
        assert_true(ceil(hi / s2 - 1e-9) - floor(lo / s2 + 1e-9) + 1 > max);
    }
}

/* The numbers after attr=" for every occurrence of attr in svg. */
static size_t attrs(const char *svg, const char *tag, const char *attr,
                    double *out, size_t max)
{
    size_t n = 0;
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    for (const char *p = svg; (p = strstr(p, tag)) && n < max; p++) {
        const char *end = strchr(p, '>'), *q = strstr(p, key);
        if (q && q < end)
            out[n++] = strtod(q + strlen(key), NULL);
    }
    return n;
}

static void test_scaling(void **state)
{
    const double x[] = {0, 28, 56, 58}, y[] = {10, 20, 15, 12.5};
    const unsigned char marks[] = {ST_CHART_DOT, ST_CHART_DOT, ST_CHART_RING,
                                   ST_CHART_DOT};
    st_chart_series se = {"a*", x, y, marks, NULL, 4, 1};
    st_chart_marker mk[] = {{0, "S1"}, {28, "S2"}};
    st_chart c = {0};
    st_chart_frame f;
    st_error err = {0};
    char *svg;
    size_t len;
    double cx[8], cy[8], ref[4];
    (void)state;

    c.title = "Redness";
    c.x_label = "days since baseline";
    c.y_label = "a* mean (a*)";
    c.series = &se;
    c.n_series = 1;
    c.markers = mk;
    c.n_markers = 2;
    c.has_reference = 1;
    c.reference = 10;
    c.reference_label = "baseline";
    assert_int_equal(st_chart_frame_of(&c, &f), 0);
    /* axes cover the data and are nice */
    assert_true(f.x.lo <= 0 && f.x.hi >= 58 && f.y.lo <= 10 && f.y.hi >= 20);
    assert_true(f.left > 0 && f.top > 0 && f.left + f.width <= 560 &&
                f.top + f.height <= 300);

    assert_int_equal(st_chart_svg(&c, &svg, &len, &err), ST_OK);
    assert_int_equal(strlen(svg), len);
    assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) ==
                0);
    assert_true(strcmp(svg + len - 6, "</svg>") == 0);
    /* 3 dots and 1 ring, where the frame puts them */
    assert_int_equal(count(svg, "class=\"pt dot\""), 3);
    assert_int_equal(count(svg, "class=\"pt ring\""), 1);
    assert_int_equal(attrs(svg, "<circle", "cx", cx, 8), 4);
    assert_int_equal(attrs(svg, "<circle", "cy", cy, 8), 4);
    for (int i = 0; i < 4; i++) {
        double wx = f.left + (x[i] - f.x.lo) / (f.x.hi - f.x.lo) * f.width;
        double wy = f.top + (f.y.hi - y[i]) / (f.y.hi - f.y.lo) * f.height;
        assert_true(fabs(cx[i] - wx) < 0.01 && fabs(cy[i] - wy) < 0.01);
    }
    /* higher value, higher on screen; later day, further right */
    assert_true(cy[1] < cy[2] && cy[2] < cy[3] && cy[3] < cy[0]);
    assert_true(cx[0] < cx[1] && cx[1] < cx[2] && cx[2] < cx[3]);
    /* x = 0 on an axis starting at 0 is the plot's left edge */
    assert_true(f.x.lo == 0 && fabs(cx[0] - f.left) < 0.01);
    /* reference line at the baseline's height, across the plot */
    assert_int_equal(
        attrs(strstr(svg, "class=\"reference\""), "<line", "y1", ref, 1), 1);
    assert_true(fabs(ref[0] - cy[0]) < 0.1);
    /* one line through all four, two session markers, labels, ticks */
    assert_int_equal(count(svg, "<polyline"), 1);
    assert_int_equal(count(svg, "class=\"marker\""), 2);
    assert_non_null(strstr(svg, ">S2</text>"));
    assert_non_null(strstr(svg, ">days since baseline</text>"));
    assert_non_null(strstr(svg, ">a* mean (a*)</text>"));
    {
        const char *yt = strstr(svg, "class=\"y-ticks\"");
        const char *xt = strstr(svg, "class=\"x-ticks\"");
        assert_non_null(yt);
        assert_non_null(xt);
        assert_true(count(yt, "<text") - count(xt, "<text") ==
                    (size_t)f.y.ticks);
    }
    free(svg);
}

static void test_escaping(void **state)
{
    const char *evil = "<&\">'";
    const char *tips[] = {evil, "day 1 & <2>"};
    const double x[] = {1, 2}, y[] = {3, 4};
    st_chart_series se = {evil, x, y, NULL, tips, 2, 1};
    st_chart_marker mk = {1, evil};
    st_chart c = {0};
    st_error err = {0};
    char *svg;
    size_t len, lt = 0, gt = 0;
    (void)state;

    c.title = "subject <b>&\"x\"";
    c.x_label = evil;
    c.y_label = evil;
    c.series = &se;
    c.n_series = 1;
    c.markers = &mk;
    c.n_markers = 1;
    c.has_reference = 1;
    c.reference = 3;
    c.reference_label = evil;
    c.id = "a\"b";
    c.css_class = "chart <x>";
    assert_int_equal(st_chart_svg(&c, &svg, &len, &err), ST_OK);
    assert_null(strstr(svg, "<b>"));
    assert_null(strstr(svg, evil));
    assert_null(strstr(svg, "a\"b"));
    assert_non_null(strstr(svg, "&lt;&amp;&quot;&gt;&#39;"));
    assert_non_null(strstr(svg, "subject &lt;b&gt;&amp;&quot;x&quot;"));
    assert_non_null(strstr(svg, "day 1 &amp; &lt;2&gt;"));
    /* every & starts an entity; < and > pair up as tags */
    for (const char *p = svg; *p; p++) {
        if (*p == '&')
            assert_true(!strncmp(p, "&amp;", 5) || !strncmp(p, "&lt;", 4) ||
                        !strncmp(p, "&gt;", 4) || !strncmp(p, "&quot;", 6) ||
                        !strncmp(p, "&#39;", 5));
        lt += *p == '<';
        gt += *p == '>';
        if (*p == '<')
            assert_true(p[1] == '/' || (p[1] >= 'a' && p[1] <= 'z'));
    }
    assert_int_equal(lt, gt);
    free(svg);
}

static void test_locale(void **state)
{
    const double x[] = {0, 1, 2}, y[] = {0.25, 0.5, 0.75};
    st_chart_series se = {NULL, x, y, NULL, NULL, 3, 1};
    st_chart c = {0};
    st_error err = {0};
    char *svg, buf[16];
    size_t len;
    (void)state;

    if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
        skip();
        return;
    }
    snprintf(buf, sizeof buf, "%.1f", 0.5);
    assert_string_equal(buf, "0,5"); /* the locale is really active */
    c.series = &se;
    c.n_series = 1;
    assert_int_equal(st_chart_svg(&c, &svg, &len, &err), ST_OK);
    setlocale(LC_ALL, "C");
    assert_non_null(strstr(svg, ">0.5</text>"));
    assert_null(strstr(svg, ">0,5</text>"));
    /* attribute values: digits, '.', '-', spaces and (in points) commas
     * between pairs, never "d,d" inside one number of cx/cy */
    assert_null(strstr(svg, "cx=\"0,"));
    free(svg);
}

static void test_gaps_and_no_data(void **state)
{
    const double x[] = {0, 1, 2, 3, 4}, y[] = {1, 2, NAN, 4, 5};
    const double none[] = {NAN, NAN};
    st_chart_series se = {NULL, x, y, NULL, NULL, 5, 1};
    st_chart_series empty = {NULL, x, none, NULL, NULL, 2, 1};
    st_chart c = {0};
    st_chart_frame f;
    st_error err = {0};
    char *svg;
    size_t len;
    (void)state;

    c.series = &se;
    c.n_series = 1;
    assert_int_equal(st_chart_svg(&c, &svg, &len, &err), ST_OK);
    assert_int_equal(count(svg, "<polyline"), 2); /* broken at the NaN */
    assert_int_equal(count(svg, "<circle"), 4);
    free(svg);

    c.series = &empty;
    assert_int_equal(st_chart_frame_of(&c, &f), -1);
    assert_int_equal(st_chart_svg(&c, &svg, &len, &err), ST_OK);
    assert_non_null(strstr(svg, ">no data</text>"));
    assert_int_equal(count(svg, "<circle"), 0);
    free(svg);
}

/* ---- repeatability bands ---- */

/* Points that scatter by 0.6% around 10 and a band of 10 +- 0.25: the y
 * axis covers the band, so the scatter fills a small part of the plot,
 * and the band is drawn where the frame's formula puts its edges. */
static void test_band(void **state)
{
    static const double x[4] = {0, 28, 56, 90},
                        y[4] = {10.0, 10.06, 9.98, 10.03};
    st_chart_series se = {NULL, x, y, NULL, NULL, 4, 1};
    st_chart c = {0};
    st_chart_frame f;
    char *svg = NULL;
    const char *g;
    double bx, by, bw, bh;
    (void)state;
    c.series = &se;
    c.n_series = 1;
    assert_int_equal(st_chart_frame_of(&c, &f), 0);
    assert_true(f.y.hi - f.y.lo < 0.2); /* without the band: zoomed in */
    c.has_band = 1;
    c.band_lo = 9.75;
    c.band_hi = 10.25;
    c.band_label = "repeatability";
    assert_int_equal(st_chart_frame_of(&c, &f), 0);
    assert_true(f.y.lo <= 9.75 && f.y.hi >= 10.25);
    assert_true((10.06 - 9.98) / (f.y.hi - f.y.lo) < 0.2);
    assert_int_equal(st_chart_svg(&c, &svg, NULL, NULL), ST_OK);
    g = strstr(svg, "<g class=\"band\"><rect ");
    assert_non_null(g);
    assert_int_equal(sscanf(g,
                            "<g class=\"band\"><rect x=\"%lf\" y=\"%lf\" "
                            "width=\"%lf\" height=\"%lf\"",
                            &bx, &by, &bw, &bh),
                     4);
    assert_true(fabs(bx - f.left) < 0.06 && fabs(bw - f.width) < 0.06);
    assert_true(fabs(by - (f.top + (f.y.hi - 10.25) / (f.y.hi - f.y.lo) *
                                       f.height)) < 0.006);
    assert_true(fabs(bh - 0.5 / (f.y.hi - f.y.lo) * f.height) < 0.006);
    assert_non_null(strstr(svg, ">repeatability</text>"));
    /* the band is drawn before (under) the points */
    assert_true(g < strstr(svg, "class=\"pt dot\""));
    free(svg);
}

static void test_format_pm(void **state)
{
    static const struct {
        double v, se;
        const char *want;
    } cases[] = {
        {-2.6e-05, 2.2e-05, "-2.6e-05 ± 2.2e-05"},
        {0.01234, 0.00456, "0.0123 ± 0.0046"},
        {12.0, 3.4, "12.0 ± 3.4"},
        {1234.7, 56, "1235 ± 56"},
        {0.5, 0.00002, "0.500000 ± 0.000020"},
        {100, 9.96, "100 ± 10"},
        {-0.001, 0.2, "0.00 ± 0.20"},
        {3.1e6, 2e5, "3.10e+06 ± 0.20e+06"},
        {1.5, NAN, "1.5"},
        {1.5, 0, "1.5"},
        {NAN, 1, "–"},
    };
    char buf[64];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st_chart_format_pm(cases[i].v, cases[i].se, buf, sizeof buf);
        if (strcmp(buf, cases[i].want))
            fail_msg("%g +- %g: got '%s', want '%s'", cases[i].v, cases[i].se,
                     buf, cases[i].want);
    }
}

/* The repeatability figures are docs/metrics.md's: every CV of its table
 * and the two SDs under it, and nothing else. */
static void test_repeat_matches_docs(void **state)
{
    const char *dir = getenv("ST_SOURCE_DIR");
    char path[4096], line[1024];
    FILE *f;
    int in_table = 0, found = 0;
    double v, rc;
    (void)state;
    snprintf(path, sizeof path, "%s/docs/metrics.md", dir ? dir : ".");
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run from the source tree or set "
                 "ST_SOURCE_DIR)",
                 path);
    while (fgets(line, sizeof line, f)) {
        char a[64], b[64];
        double x, y;
        const char *p;
        if (strncmp(line, "### Repeatability", 17) == 0)
            in_table = 1;
        else if (strncmp(line, "### ", 4) == 0)
            in_table = 0;
        if (!in_table)
            continue;
        if (sscanf(line, "| %63s | %lf%% | %63s | %lf%% |", a, &x, b, &y) ==
            4) {
            assert_int_equal(st_repeat_figure(a, &v), ST_REPEAT_CV);
            assert_true(v == x);
            assert_int_equal(st_repeat_figure(b, &v), ST_REPEAT_CV);
            assert_true(v == y);
            found += 2;
        }
        if ((p = strstr(line, "observed SD is ")) &&
            sscanf(p, "observed SD is %lf", &x) == 1) {
            assert_int_equal(st_repeat_figure("melanin_index", &v),
                             ST_REPEAT_SD);
            assert_true(v == x);
            found++;
        }
        if ((p = strstr(line, "anisotropy SD is ")) &&
            sscanf(p, "anisotropy SD is %lf", &x) == 1) {
            assert_int_equal(st_repeat_figure("anisotropy", &v), ST_REPEAT_SD);
            assert_true(v == x);
            found++;
        }
    }
    fclose(f);
    assert_int_equal(found, 18);
    /* and no metric has a figure the document does not give */
    for (int i = 0, with = 0; i < ST_METRICS_COUNT; i++) {
        with += st_repeat_figure(st_metrics_name(i), &v) != ST_REPEAT_NONE;
        if (i == ST_METRICS_COUNT - 1)
            assert_int_equal(with, 18);
    }
    assert_int_equal(st_repeat_figure("orientation_deg", &v), ST_REPEAT_NONE);
    assert_int_equal(st_repeat_coefficient("pore_density_per_mp", 5, &rc), -1);
    /* 1.96 sqrt(2) SD, the SD from the CV at the value */
    assert_int_equal(st_repeat_coefficient("a_star_mean", -10, &rc), 0);
    assert_true(fabs(rc - 1.96 * sqrt(2) * 0.0078 * 10) < 1e-12);
    assert_int_equal(st_repeat_coefficient("melanin_index", 40, &rc), 0);
    assert_true(fabs(rc - 1.96 * sqrt(2) * 0.98) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_axis),
        cmocka_unit_test(test_scaling),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_locale),
        cmocka_unit_test(test_gaps_and_no_data),
        cmocka_unit_test(test_band),
        cmocka_unit_test(test_format_pm),
        cmocka_unit_test(test_repeat_matches_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
