/* skintrack — line charts as standalone SVG, for reports.
 *
 * A chart plots one or more series of (x, y) points against linear axes
 * with "nice" ticks (steps of 1, 2 or 5 times a power of ten) that cover
 * the data, optional vertical markers (treatment sessions), an optional
 * horizontal reference line (the baseline value) and an optional
 * horizontal band (the metric's repeatability around the baseline: what
 * photos of unchanged skin scatter by). The axes cover the band, so a
 * chart never zooms into noise smaller than it. Every piece of text is
 * XML-escaped, every number is written in the C locale, and the SVG needs
 * no stylesheet, script or font: it can be inlined into HTML or saved as
 * an .svg file as it is.
 *
 * Layout: the plot area is the rectangle st_chart_frame reports; x grows
 * to the right and y upwards, so a value v is drawn at
 *   px = frame.left + (x - frame.x.lo) / (frame.x.hi - frame.x.lo) *
 * frame.width py = frame.top + (frame.y.hi - y) / (frame.y.hi - frame.y.lo) *
 * frame.height
 */
#ifndef SKINTRACK_CHART_H
#define SKINTRACK_CHART_H

#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A linear axis: ticks at lo, lo + step, ... hi (hi - lo is a whole
 * number of steps, ticks of them + 1). */
typedef struct st_chart_axis {
    double lo, hi, step;
    int ticks;
} st_chart_axis;

/* Nice ticks for data in [lo, hi] with at most max_ticks (>= 2) ticks:
 * the smallest step of 1, 2 or 5 x 10^k that needs no more, lo and hi
 * rounded out to it. A range of zero width is widened to show the value
 * (by 1, or 5% of it if larger). 0, or -1 if lo or hi is not finite or
 * lo > hi. */
int st_chart_nice_axis(double lo, double hi, int max_ticks, st_chart_axis *a);

typedef enum st_chart_mark {
    ST_CHART_DOT = 0, /* filled circle */
    ST_CHART_RING,    /* hollow circle, in the accent colour */
    ST_CHART_CROSS    /* an x, in grey: a point to be read with care */
} st_chart_mark;

typedef struct st_chart_series {
    const char *name;            /* legend text (NULL: no legend entry) */
    const double *x, *y;         /* n points; non-finite ones are skipped
                                    and break the line */
    const unsigned char *marks;  /* n st_chart_mark values, or NULL (dots) */
    const char *const *tooltips; /* n texts shown on hover, or NULL */
    size_t n;
    int line; /* join consecutive points */
} st_chart_series;

/* A vertical line across the plot at x, labelled at the top. */
typedef struct st_chart_marker {
    double x;
    const char *label;
} st_chart_marker;

typedef struct st_chart {
    int width, height; /* of the whole SVG, px (0: 560 x 300) */
    const char *title; /* above the plot (may be NULL) */
    const char *x_label, *y_label;
    const st_chart_series *series;
    size_t n_series;
    const st_chart_marker *markers;
    size_t n_markers;
    int has_reference; /* a horizontal line at y = reference */
    double reference;
    const char *reference_label;
    int has_band; /* a shaded band band_lo <= y <= band_hi */
    double band_lo, band_hi;
    const char *band_label; /* legend text of the band (may be NULL) */
    const char *id;         /* id attribute of the <svg> (may be NULL) */
    const char *css_class;  /* class attribute (NULL: "chart") */
} st_chart;

/* A value and its standard error for people: the error to 2 significant
 * digits and the value to the same decimal place ("0.0123 ± 0.0045",
 * "-2.6e-05 ± 2.2e-05" when the larger of the two is below 1e-4 or of
 * 1e6 or more;
 * "12.0 ± 3.4"). An error that is not finite or not positive gives the
 * value to 4 significant digits alone. Writes buf (size bytes). */
char *st_chart_format_pm(double value, double se, char *buf, size_t size);

/* Where the plot area lies and what its axes span. */
typedef struct st_chart_frame {
    double left, top, width, height; /* px */
    st_chart_axis x, y;
} st_chart_frame;

/* The frame c would be drawn with: axes that cover every finite point,
 * marker and the reference. -1 (and an empty frame) if there is nothing
 * finite to draw. */
int st_chart_frame_of(const st_chart *c, st_chart_frame *f);

/* Writes c as an <svg> element into *svg (malloc'd, NUL-terminated, *len
 * bytes without the NUL; the caller frees). A chart with no finite point
 * is drawn as an empty frame saying "no data". */
st_status st_chart_svg(const st_chart *c, char **svg, size_t *len,
                       st_error *err);

#ifdef __cplusplus
}
#endif
#endif
