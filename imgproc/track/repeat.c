/* skintrack — repeatability of the metrics (repeat.h).
 *
 *   st_repeat_figure        the measured CV or SD of a metric
 *   st_repeat_coefficient   1.96 sqrt(2) SD at a value
 *
 * The figures are the metric registry's repeat column
 * (imgproc/metric_table.c): docs/metrics.md's "Repeatability" table and
 * the SDs given under it, figure for figure; tests/test_chart.c reads the
 * document and fails if the two differ. pore_density_per_cm2/_per_mp,
 * pore_mean_diameter_mm and orientation_deg were not measured there, so
 * they have no figure.
 */
#include <math.h>
#include <string.h>

#include "skintrack/metrics.h"
#include "skintrack/repeat.h"

st_repeat_kind st_repeat_figure(const char *name, double *value)
{
    const st_metric_info *m = st_metrics_info(st_metrics_find(name));
    *value = m ? m->repeat : 0;
    return m ? m->repeat_kind : ST_REPEAT_NONE;
}

int st_repeat_coefficient(const char *name, double value, double *rc)
{
    double f;
    st_repeat_kind k = st_repeat_figure(name, &f);
    if (k == ST_REPEAT_NONE || !isfinite(value))
        return -1;
    *rc =
        ST_REPEAT_COEFFICIENT * (k == ST_REPEAT_CV ? f / 100 * fabs(value) : f);
    return 0;
}
