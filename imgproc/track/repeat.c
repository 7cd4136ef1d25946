/* skintrack — repeatability of the metrics (repeat.h).
 *
 *   st_repeat_figure        the measured CV or SD of a metric
 *   st_repeat_coefficient   1.96 sqrt(2) SD at a value
 *
 * The table is docs/metrics.md's "Repeatability" table and the SDs given
 * under it, figure for figure; tests/test_chart.c reads the document and
 * fails if the two differ. pore_density_per_cm2/_per_mp,
 * pore_mean_diameter_mm and orientation_deg were not measured there, so
 * they have no figure.
 */
#include <math.h>
#include <string.h>

#include "skintrack/repeat.h"

static const struct {
    const char *name;
    st_repeat_kind kind;
    double value;
} figures[] = {
    {"l_star_mean", ST_REPEAT_CV, 0.92},
    {"a_star_mean", ST_REPEAT_CV, 0.78},
    {"a_star_p90", ST_REPEAT_CV, 0.88},
    {"b_star_mean", ST_REPEAT_CV, 0.77},
    {"erythema_index", ST_REPEAT_CV, 0.03},
    {"ita_deg", ST_REPEAT_CV, 1.86},
    {"tone_evenness", ST_REPEAT_CV, 0.69},
    {"red_area_pct", ST_REPEAT_CV, 2.88},
    {"pore_count", ST_REPEAT_CV, 0.75},
    {"pore_mean_diameter_px", ST_REPEAT_CV, 0.54},
    {"pore_area_pct", ST_REPEAT_CV, 0.54},
    {"texture_fine_share", ST_REPEAT_CV, 1.28},
    {"texture_medium_share", ST_REPEAT_CV, 0.18},
    {"texture_coarse_share", ST_REPEAT_CV, 0.42},
    {"spectral_slope", ST_REPEAT_CV, 0.27},
    {"roughness_rms", ST_REPEAT_CV, 0.13},
    {"melanin_index", ST_REPEAT_SD, 0.98},
    {"anisotropy", ST_REPEAT_SD, 0.0009},
};

st_repeat_kind st_repeat_figure(const char *name, double *value)
{
    *value = 0;
    for (size_t i = 0; name && i < sizeof figures / sizeof figures[0]; i++)
        if (strcmp(figures[i].name, name) == 0) {
            *value = figures[i].value;
            return figures[i].kind;
        }
    return ST_REPEAT_NONE;
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
