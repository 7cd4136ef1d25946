/* skintrack — line charts as standalone SVG.
 *
 *   st_chart_nice_axis   ticks of 1, 2 or 5 x 10^k covering a range
 *   st_chart_frame_of    the plot area and axes a chart is drawn with
 *   st_chart_svg         the chart as an <svg> element
 *   st_chart_format_pm   a value with its standard error, to its digits
 *
 * The SVG carries its own presentation attributes (no stylesheet), its
 * text is XML-escaped and its numbers are printed in the C locale, so it
 * reads the same in any browser and any locale.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/chart.h"

#define FONT      "font-family=\"sans-serif\" font-size=\"11\""
#define INK       "#222"
#define GRID      "#e3e3e3"
#define LINE      "#1f5fa8"
#define ACCENT    "#d9480f"
#define MARKER    "#868e96"
#define REFERENCE "#2b8a3e"
#define BAND      "#2b8a3e"
#define BAND_FILL "fill=\"" BAND "\" fill-opacity=\"0.12\""

int st_chart_nice_axis(double lo, double hi, int max_ticks, st_chart_axis *a)
{
    static const double mult[] = {1, 2, 5};
    double span, step = 0;

    memset(a, 0, sizeof *a);
    if (!isfinite(lo) || !isfinite(hi) || lo > hi)
        return -1;
    if (max_ticks < 2)
        max_ticks = 2;
    if (hi - lo <= fmax(fabs(lo), fabs(hi)) * 1e-12) {
        double pad = fmax(1, 0.05 * fabs(lo));
        lo -= pad;
        hi += pad;
    }
    span = hi - lo;
    /* the smallest nice step giving at most max_ticks ticks */
    for (int e = (int)floor(log10(span / (max_ticks - 1))) - 1; !step; e++)
        for (int k = 0; k < 3 && !step; k++) {
            /* counted in steps, not in values: (h - l) / s loses digits
             * when the range is narrow next to its values */
            double s = mult[k] * pow(10, e);
            double l = floor(lo / s + 1e-9), h = ceil(hi / s - 1e-9);
            if (h - l + 1 <= max_ticks) {
                step = s;
                a->lo = l * s;
                a->hi = h * s;
                a->ticks = (int)(h - l) + 1;
            }
        }
    a->step = step;
    return 0;
}

/* ---- a growing text buffer ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_reserve(sbuf *b, size_t more)
{
    size_t cap;
    char *p;
    if (b->failed || b->n + more + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more + 1)
        cap *= 2;
    if (!(p = realloc(b->p, cap))) {
        b->failed = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_printf(sbuf *b, const char *fmt, ...) ST_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = st_vsnprintf_c(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    sb_reserve(b, (size_t)n);
    if (b->failed)
        return;
    va_start(ap, fmt);
    st_vsnprintf_c(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* Text content or attribute value: & < > " ' escaped. */
static void sb_text(sbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_printf(b, "&amp;"); break;
        case '<': sb_printf(b, "&lt;"); break;
        case '>': sb_printf(b, "&gt;"); break;
        case '"': sb_printf(b, "&quot;"); break;
        case '\'': sb_printf(b, "&#39;"); break;
        default: sb_printf(b, "%c", *s);
        }
    }
}

/* ---- layout ---- */

/* Digits after the point that the ticks of a step need. */
static int decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d > 0 ? (d < 10 ? d : 10) : 0;
}

static void tick_text(char *buf, size_t size, double v, double step)
{
    sbuf b = {0};
    if (fabs(v) < step * 1e-6)
        v = 0; /* no "-0" */
    if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 1e-4))
        sb_printf(&b, "%.3g", v);
    else
        sb_printf(&b, "%.*f", decimals(step), v);
    snprintf(buf, size, "%s", b.p && !b.failed ? b.p : "");
    free(b.p);
}

static int finite_range(const st_chart *c, double *xlo, double *xhi,
                        double *ylo, double *yhi)
{
    int any = 0;
    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    for (size_t s = 0; s < c->n_series; s++) {
        const st_chart_series *se = &c->series[s];
        for (size_t i = 0; i < se->n; i++) {
            if (!isfinite(se->x[i]) || !isfinite(se->y[i]))
                continue;
            *xlo = fmin(*xlo, se->x[i]), *xhi = fmax(*xhi, se->x[i]);
            *ylo = fmin(*ylo, se->y[i]), *yhi = fmax(*yhi, se->y[i]);
            any = 1;
        }
    }
    if (!any)
        return -1;
    for (size_t m = 0; m < c->n_markers; m++)
        if (isfinite(c->markers[m].x))
            *xlo = fmin(*xlo, c->markers[m].x),
            *xhi = fmax(*xhi, c->markers[m].x);
    if (c->has_reference && isfinite(c->reference))
        *ylo = fmin(*ylo, c->reference), *yhi = fmax(*yhi, c->reference);
    if (c->has_band && isfinite(c->band_lo) && isfinite(c->band_hi))
        *ylo = fmin(*ylo, fmin(c->band_lo, c->band_hi)),
        *yhi = fmax(*yhi, fmax(c->band_lo, c->band_hi));
    return 0;
}

static void size_of(const st_chart *c, int *w, int *h)
{
    *w = c->width > 0 ? c->width : 560;
    *h = c->height > 0 ? c->height : 300;
}

int st_chart_frame_of(const st_chart *c, st_chart_frame *f)
{
    double xlo, xhi, ylo, yhi;
    int w, h;
    size_t widest = 1;

    memset(f, 0, sizeof *f);
    if (finite_range(c, &xlo, &xhi, &ylo, &yhi))
        return -1;
    size_of(c, &w, &h);
    st_chart_nice_axis(ylo, yhi, h / 45 > 3 ? h / 45 : 3, &f->y);
    st_chart_nice_axis(xlo, xhi, w / 75 > 3 ? w / 75 : 3, &f->x);
    for (int t = 0; t < f->y.ticks; t++) {
        char buf[64];
        tick_text(buf, sizeof buf, f->y.lo + t * f->y.step, f->y.step);
        widest = strlen(buf) > widest ? strlen(buf) : widest;
    }
    /* room for the rotated y label, the tick labels (about 6.5 px per
     * character at 11 px) and the title */
    f->left = 22 + 6.5 * (double)widest + 8;
    f->top = c->title ? 30 : 12;
    f->width = w - f->left - 14;
    f->height = h - f->top - 42;
    if (f->width < 10 || f->height < 10) {
        memset(f, 0, sizeof *f);
        return -1;
    }
    return 0;
}

static double px(const st_chart_frame *f, double x)
{
    return f->left + (x - f->x.lo) / (f->x.hi - f->x.lo) * f->width;
}

static double py(const st_chart_frame *f, double y)
{
    return f->top + (f->y.hi - y) / (f->y.hi - f->y.lo) * f->height;
}

/* ---- drawing ---- */

static void draw_axes(sbuf *b, const st_chart *c, const st_chart_frame *f)
{
    double bottom = f->top + f->height, right = f->left + f->width;
    char t[64];

    sb_printf(b, "<g class=\"grid\" stroke=\"" GRID "\" stroke-width=\"1\">");
    for (int i = 0; i < f->y.ticks; i++) {
        double y = py(f, f->y.lo + i * f->y.step);
        sb_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                  f->left, y, right, y);
    }
    sb_printf(b, "</g>");
    sb_printf(b,
              "<g class=\"axes\" stroke=\"" INK "\" stroke-width=\"1\">"
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>",
              f->left, f->top, f->left, bottom, f->left, bottom, right, bottom);
    sb_printf(b, "<g class=\"y-ticks\" " FONT " fill=\"" INK
                 "\" text-anchor=\"end\">");
    for (int i = 0; i < f->y.ticks; i++) {
        double v = f->y.lo + i * f->y.step;
        tick_text(t, sizeof t, v, f->y.step);
        sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", f->left - 5,
                  py(f, v) + 4, t);
    }
    sb_printf(b, "</g><g class=\"x-ticks\" " FONT " fill=\"" INK
                 "\" text-anchor=\"middle\">");
    for (int i = 0; i < f->x.ticks; i++) {
        double v = f->x.lo + i * f->x.step;
        tick_text(t, sizeof t, v, f->x.step);
        sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", px(f, v),
                  bottom + 15, t);
    }
    sb_printf(b, "</g>");
    if (c->x_label) {
        sb_printf(b,
                  "<text class=\"x-label\" x=\"%.1f\" y=\"%.1f\" " FONT
                  " fill=\"" INK "\" text-anchor=\"middle\">",
                  f->left + f->width / 2, bottom + 33);
        sb_text(b, c->x_label);
        sb_printf(b, "</text>");
    }
    if (c->y_label) {
        double cy = f->top + f->height / 2;
        sb_printf(
            b,
            "<text class=\"y-label\" x=\"12\" y=\"%.1f\" " FONT " fill=\"" INK
            "\" text-anchor=\"middle\" transform=\"rotate(-90 12 %.1f)\">",
            cy, cy);
        sb_text(b, c->y_label);
        sb_printf(b, "</text>");
    }
}

/* The band under everything else, with its legend entry at the top left
 * of the plot. */
static void draw_band(sbuf *b, const st_chart *c, const st_chart_frame *f)
{
    double y0, y1;
    if (!c->has_band || !isfinite(c->band_lo) || !isfinite(c->band_hi))
        return;
    y0 = py(f, fmax(c->band_lo, c->band_hi));
    y1 = py(f, fmin(c->band_lo, c->band_hi));
    sb_printf(b,
              "<g class=\"band\"><rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" "
              "height=\"%.2f\" " BAND_FILL "/>",
              f->left, y0, f->width, y1 - y0);
    if (c->band_label) {
        sb_printf(
            b,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"8\" " BAND_FILL
            "/><text x=\"%.1f\" y=\"%.1f\" " FONT " fill=\"" INK "\">",
            f->left + 6, f->top + 4, f->left + 20, f->top + 11);
        sb_text(b, c->band_label);
        sb_printf(b, "</text>");
    }
    sb_printf(b, "</g>");
}

static void draw_markers(sbuf *b, const st_chart *c, const st_chart_frame *f)
{
    for (size_t m = 0; m < c->n_markers; m++) {
        double x;
        if (!isfinite(c->markers[m].x))
            continue;
        x = px(f, c->markers[m].x);
        sb_printf(b,
                  "<g class=\"marker\"><line x1=\"%.1f\" y1=\"%.1f\" "
                  "x2=\"%.1f\" y2=\"%.1f\" stroke=\"" MARKER
                  "\" stroke-dasharray=\"4 3\"/>",
                  x, f->top, x, f->top + f->height);
        if (c->markers[m].label) {
            sb_printf(b,
                      "<text x=\"%.1f\" y=\"%.1f\" " FONT " fill=\"" MARKER
                      "\" text-anchor=\"start\">",
                      x + 3, f->top + 11);
            sb_text(b, c->markers[m].label);
            sb_printf(b, "</text>");
        }
        sb_printf(b, "</g>");
    }
    if (c->has_reference && isfinite(c->reference)) {
        double y = py(f, c->reference);
        sb_printf(b,
                  "<g class=\"reference\"><line x1=\"%.1f\" y1=\"%.1f\" "
                  "x2=\"%.1f\" y2=\"%.1f\" stroke=\"" REFERENCE
                  "\" stroke-dasharray=\"6 3\"/>",
                  f->left, y, f->left + f->width, y);
        if (c->reference_label) {
            sb_printf(b,
                      "<text x=\"%.1f\" y=\"%.1f\" " FONT " fill=\"" REFERENCE
                      "\" text-anchor=\"end\">",
                      f->left + f->width - 3, y - 4);
            sb_text(b, c->reference_label);
            sb_printf(b, "</text>");
        }
        sb_printf(b, "</g>");
    }
}

static void draw_series(sbuf *b, const st_chart_series *se,
                        const st_chart_frame *f)
{
    int open = 0;
    sb_printf(b, "<g class=\"series\">");
    if (se->line) {
        /* one polyline per run of finite points */
        for (size_t i = 0; i < se->n; i++) {
            int ok = isfinite(se->x[i]) && isfinite(se->y[i]);
            if (ok && !open) {
                sb_printf(b, "<polyline fill=\"none\" stroke=\"" LINE
                             "\" stroke-width=\"1.5\" points=\"");
                open = 1;
            } else if (!ok && open) {
                sb_printf(b, "\"/>");
                open = 0;
            }
            if (ok)
                sb_printf(b, "%.2f,%.2f ", px(f, se->x[i]), py(f, se->y[i]));
        }
        if (open)
            sb_printf(b, "\"/>");
    }
    for (size_t i = 0; i < se->n; i++) {
        double x, y;
        int mark = se->marks ? se->marks[i] : ST_CHART_DOT;
        if (!isfinite(se->x[i]) || !isfinite(se->y[i]))
            continue;
        x = px(f, se->x[i]);
        y = py(f, se->y[i]);
        if (mark == ST_CHART_CROSS)
            sb_printf(b,
                      "<path class=\"pt cross\" d=\"M%.2f %.2fl7 7m0 -7l-7 "
                      "7\" stroke=\"" MARKER "\" stroke-width=\"1.5\">",
                      x - 3.5, y - 3.5);
        else if (mark == ST_CHART_RING)
            sb_printf(b,
                      "<circle class=\"pt ring\" cx=\"%.2f\" cy=\"%.2f\" "
                      "r=\"3.5\" fill=\"#fff\" stroke=\"" ACCENT
                      "\" stroke-width=\"1.5\">",
                      x, y);
        else
            sb_printf(b,
                      "<circle class=\"pt dot\" cx=\"%.2f\" cy=\"%.2f\" "
                      "r=\"3.5\" fill=\"" LINE "\">",
                      x, y);
        if (se->tooltips && se->tooltips[i]) {
            sb_printf(b, "<title>");
            sb_text(b, se->tooltips[i]);
            sb_printf(b, "</title>");
        }
        sb_printf(b, mark == ST_CHART_CROSS ? "</path>" : "</circle>");
    }
    sb_printf(b, "</g>");
}

static void draw_legend(sbuf *b, const st_chart *c, int w)
{
    double x = w - 14;
    /* right-aligned entries, last first */
    for (size_t s = c->n_series; s-- > 0;) {
        const st_chart_series *se = &c->series[s];
        if (!se->name)
            continue;
        sb_printf(b,
                  "<g class=\"legend\"><text x=\"%.1f\" y=\"16\" " FONT
                  " fill=\"" INK "\" text-anchor=\"end\">",
                  x);
        sb_text(b, se->name);
        sb_printf(b, "</text></g>");
        x -= 6.5 * (double)strlen(se->name) + 20;
    }
}

st_status st_chart_svg(const st_chart *c, char **svg, size_t *len,
                       st_error *err)
{
    sbuf b = {0};
    st_chart_frame f;
    int w, h, have = st_chart_frame_of(c, &f) == 0;

    *svg = NULL;
    if (len)
        *len = 0;
    size_of(c, &w, &h);
    sb_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"");
    sb_text(&b, c->css_class ? c->css_class : "chart");
    sb_printf(&b, "\"");
    if (c->id) {
        sb_printf(&b, " id=\"");
        sb_text(&b, c->id);
        sb_printf(&b, "\"");
    }
    sb_printf(&b,
              " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
              "role=\"img\" aria-label=\"",
              w, h, w, h);
    sb_text(&b, c->title ? c->title : "chart");
    sb_printf(&b, "\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", w, h);
    if (c->title) {
        sb_printf(&b, "<title>");
        sb_text(&b, c->title);
        sb_printf(&b, "</title><text class=\"title\" x=\"10\" y=\"16\" "
                      "font-family=\"sans-serif\" font-size=\"13\" "
                      "font-weight=\"bold\" fill=\"" INK "\">");
        sb_text(&b, c->title);
        sb_printf(&b, "</text>");
    }
    if (have) {
        draw_axes(&b, c, &f);
        draw_band(&b, c, &f);
        draw_markers(&b, c, &f);
        for (size_t s = 0; s < c->n_series; s++)
            draw_series(&b, &c->series[s], &f);
        draw_legend(&b, c, w);
    } else {
        sb_printf(&b,
                  "<text class=\"no-data\" x=\"%d\" y=\"%d\" " FONT
                  " fill=\"" MARKER "\" text-anchor=\"middle\">no data</text>",
                  w / 2, h / 2);
    }
    sb_printf(&b, "</svg>");
    if (b.failed) {
        free(b.p);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (chart)");
    }
    *svg = b.p;
    if (len)
        *len = b.n;
    return ST_OK;
}

char *st_chart_format_pm(double value, double se, char *buf, size_t size)
{
    double e, mag;
    int d;
    if (!isfinite(value)) {
        snprintf(buf, size, "–");
        return buf;
    }
    if (!isfinite(se) || !(se > 0)) {
        snprintf(buf, size, "%.4g", value == 0 ? 0.0 : value);
        return buf;
    }
    /* the decimal place of the error's second significant digit */
    e = floor(log10(se));
    if (round(se / pow(10, e - 1)) >= 100)
        e += 1; /* 9.96 rounds to 10 */
    mag = fmax(fabs(value), se);
    if (mag < 1e-4 || mag >= 1e6) {
        /* both in the exponent of the larger, the error to 2 digits */
        int ex = (int)floor(log10(mag));
        double scale = pow(10, ex);
        d = ex - (int)e + 1;
        d = d < 1 ? 1 : d > 15 ? 15 : d;
        snprintf(buf, size, "%.*fe%+03d ± %.*fe%+03d", d, value / scale, ex, d,
                 se / scale, ex);
        return buf;
    }
    d = 1 - (int)e;
    d = d < 0 ? 0 : d;
    {
        double v = value;
        double q = pow(10, d);
        if (round(fabs(v) * q) == 0)
            v = 0; /* no "-0.00" */
        snprintf(buf, size, "%.*f ± %.*f", d, v, d, se);
    }
    return buf;
}
