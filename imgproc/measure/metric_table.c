/* skintrack — the metric registry: one row per metric of st_metrics.
 *
 *   st_metrics_info / _find      a row, by id or by name
 *   st_metrics_name / _unit / _value / _text / _available / _ratio_scale /
 *   _pct_change                  shorthands the CSV writers and the report use
 *   st_metrics_unrotate          frame angles back into the reference frame
 *
 * The rows are in CSV column order, each put at its st_metric_id by a
 * designated initialiser and carrying its id (tests/test_metric_table.c
 * checks every row against the struct it describes). Scales follow
 * docs/csv.md ("Change columns"); captions are the report's
 * (docs/report.md); formulas and citations are in docs/metrics.md. Adding
 * a metric: docs/metrics.md, "The metric registry, and adding a metric".
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "skintrack/metrics.h"

/* a double field of st_metrics: its type and place */
#define NUM(f) ST_METRIC_DOUBLE, offsetof(st_metrics, f)

/* Each row: id, name, unit, type and offset, ratio scale, flags, then the
 * report's words: title, what it means, which way is better (and in
 * words), and the repeatability measured (docs/metrics.md,
 * "Repeatability": a CV in % or an SD; none when not measured). */
static const st_metric_info table[ST_METRICS_COUNT] = {
    [ST_METRIC_L_STAR_MEAN] =
        {ST_METRIC_L_STAR_MEAN, "l_star_mean", "L*", NUM(tone.l_star_mean), 0,
         0, "Lightness",
         "How light the skin looks in the photo (CIELAB L*, 0 black to "
         "100 white). It follows the lighting as much as the skin, so "
         "it is a check that photos are comparable.",
         ST_BETTER_NONE,
         "No better direction: large changes mean the lighting "
         "changed.",
         ST_REPEAT_CV, 0.92},
    [ST_METRIC_A_STAR_MEAN] =
        {ST_METRIC_A_STAR_MEAN, "a_star_mean", "a*", NUM(redness.a_star_mean),
         0, ST_METRIC_ACUTE, "Redness",
         "Average redness of the skin (CIELAB a*). It rises for a few "
         "days after each treatment and should settle back.",
         ST_BETTER_LOWER, "Lower is less red.", ST_REPEAT_CV, 0.78},
    [ST_METRIC_A_STAR_P90] =
        {ST_METRIC_A_STAR_P90, "a_star_p90", "a*", NUM(redness.a_star_p90), 0,
         0, "Redness of the reddest areas",
         "Redness of the reddest tenth of the skin (90th percentile of "
         "a*).",
         ST_BETTER_LOWER, "Lower means fewer or fainter red spots.",
         ST_REPEAT_CV, 0.88},
    [ST_METRIC_B_STAR_MEAN] =
        {ST_METRIC_B_STAR_MEAN, "b_star_mean", "b*", NUM(tone.b_star_mean), 0,
         0, "Yellowness",
         "Average yellowness of the skin (CIELAB b*); follows tan and "
         "pigment.",
         ST_BETTER_NONE, "No better direction by itself.", ST_REPEAT_CV, 0.77},
    [ST_METRIC_ERYTHEMA_INDEX] =
        {ST_METRIC_ERYTHEMA_INDEX, "erythema_index", "camera units",
         NUM(redness.erythema_index), 0, ST_METRIC_ACUTE, "Erythema index",
         "A second measure of redness, from the red and green camera "
         "channels (a log ratio, as skin colour meters use).",
         ST_BETTER_LOWER, "Lower is less red.", ST_REPEAT_CV, 0.03},
    [ST_METRIC_MELANIN_INDEX] =
        {ST_METRIC_MELANIN_INDEX, "melanin_index", "camera units",
         NUM(tone.melanin_index), 0, 0, "Melanin index",
         "Pigmentation, from the red camera channel.", ST_BETTER_LOWER,
         "Lower is lighter pigmentation (an improvement when treating "
         "dark spots).",
         ST_REPEAT_SD, 0.98},
    [ST_METRIC_RED_AREA_PCT] =
        {ST_METRIC_RED_AREA_PCT, "red_area_pct", "%", NUM(redness.red_area_pct),
         1, ST_METRIC_ACUTE, "Red area",
         "Share of the skin that is clearly red (a* above the "
         "threshold).",
         ST_BETTER_LOWER, "Lower is better.", ST_REPEAT_CV, 2.88},
    [ST_METRIC_ITA_DEG] =
        {ST_METRIC_ITA_DEG, "ita_deg", "deg", NUM(tone.ita_deg), 0, 0,
         "Skin tone angle (ITA)",
         "Individual typology angle: overall tone from lightness and "
         "yellowness.",
         ST_BETTER_NONE,
         "Higher is a lighter tone; for tracking, steadiness matters.",
         ST_REPEAT_CV, 1.86},
    [ST_METRIC_ITA_CATEGORY] = {ST_METRIC_ITA_CATEGORY, "ita_category", "",
                                ST_METRIC_TEXT,
                                offsetof(st_metrics, tone.ita_category), 0, 0,
                                NULL, NULL, ST_BETTER_NONE, NULL},
    [ST_METRIC_TONE_EVENNESS] =
        {ST_METRIC_TONE_EVENNESS, "tone_evenness", "L*",
         NUM(tone.tone_evenness), 1, 0, "Tone evenness",
         "How much the lightness varies across the skin (standard "
         "deviation of L*).",
         ST_BETTER_LOWER, "Lower is more even tone.", ST_REPEAT_CV, 0.69},
    [ST_METRIC_PORE_COUNT] =
        {ST_METRIC_PORE_COUNT, "pore_count", "count", ST_METRIC_INT,
         offsetof(st_metrics, pores.count), 1, ST_METRIC_NEEDS_SEARCH, "Pores",
         "Pores detected on the measured skin (the same area in every "
         "photo).",
         ST_BETTER_LOWER, "Fewer is better.", ST_REPEAT_CV, 0.75},
    [ST_METRIC_PORE_DENSITY_PER_CM2] =
        {ST_METRIC_PORE_DENSITY_PER_CM2, "pore_density_per_cm2", "1/cm2",
         NUM(pores.density_per_cm2), 1, 0, "Pore density",
         "Pores per square centimetre (needs --px-per-mm).", ST_BETTER_LOWER,
         "Lower is better."},
    [ST_METRIC_PORE_DENSITY_PER_MP] =
        {ST_METRIC_PORE_DENSITY_PER_MP, "pore_density_per_mp", "1/MP",
         NUM(pores.density_per_mp), 1, 0, "Pore density",
         "Pores per million pixels of the baseline's skin.", ST_BETTER_LOWER,
         "Lower is better."},
    [ST_METRIC_PORE_MEAN_DIAMETER_PX] =
        {ST_METRIC_PORE_MEAN_DIAMETER_PX, "pore_mean_diameter_px", "px",
         NUM(pores.mean_diameter_px), 1, 0, "Pore size",
         "Mean diameter of the detected pores, in the baseline's "
         "pixels.",
         ST_BETTER_LOWER, "Smaller is better.", ST_REPEAT_CV, 0.54},
    [ST_METRIC_PORE_MEAN_DIAMETER_MM] =
        {ST_METRIC_PORE_MEAN_DIAMETER_MM, "pore_mean_diameter_mm", "mm",
         NUM(pores.mean_diameter_mm), 1, 0, "Pore size",
         "Mean diameter of the detected pores (needs --px-per-mm).",
         ST_BETTER_LOWER, "Smaller is better."},
    [ST_METRIC_PORE_AREA_PCT] = {ST_METRIC_PORE_AREA_PCT, "pore_area_pct", "%",
                                 NUM(pores.area_pct), 1, 0, "Pore area",
                                 "Share of the skin that pores cover.",
                                 ST_BETTER_LOWER, "Lower is better.",
                                 ST_REPEAT_CV, 0.54},
    [ST_METRIC_PORE_SEARCH_PX] = {ST_METRIC_PORE_SEARCH_PX, "pore_search_px",
                                  "px", ST_METRIC_SIZE,
                                  offsetof(st_metrics, pores.search_px), 1, 0,
                                  NULL, NULL, ST_BETTER_NONE, NULL},
    [ST_METRIC_PORE_RANGE_RESOLVED] =
        {ST_METRIC_PORE_RANGE_RESOLVED, "pore_range_resolved", "flag",
         ST_METRIC_INT, offsetof(st_metrics, pores.range_resolved), 0, 0, NULL,
         NULL, ST_BETTER_NONE, NULL},
    [ST_METRIC_TEXTURE_FINE_SHARE] =
        {ST_METRIC_TEXTURE_FINE_SHARE, "texture_fine_share", "fraction",
         NUM(texture.fine_share), 1, 0, "Fine texture",
         "Share of the skin's texture at the finest scales (fine lines, "
         "roughness).",
         ST_BETTER_LOWER, "Lower usually means smoother skin.", ST_REPEAT_CV,
         1.28},
    [ST_METRIC_TEXTURE_MEDIUM_SHARE] =
        {ST_METRIC_TEXTURE_MEDIUM_SHARE, "texture_medium_share", "fraction",
         NUM(texture.medium_share), 1, 0, "Medium texture",
         "Share of the texture at medium scales (pores, small "
         "wrinkles).",
         ST_BETTER_LOWER, "Lower usually means smoother skin.", ST_REPEAT_CV,
         0.18},
    [ST_METRIC_TEXTURE_COARSE_SHARE] =
        {ST_METRIC_TEXTURE_COARSE_SHARE, "texture_coarse_share", "fraction",
         NUM(texture.coarse_share), 1, 0, "Coarse texture",
         "Share of the texture at coarse scales (folds, scars, "
         "shadows).",
         ST_BETTER_NONE, "Higher is what smoother fine texture leaves.",
         ST_REPEAT_CV, 0.42},
    [ST_METRIC_SPECTRAL_SLOPE] =
        {ST_METRIC_SPECTRAL_SLOPE, "spectral_slope",
         "log10 power per log10 frequency", NUM(texture.spectral_slope), 0, 0,
         "Texture slope",
         "How fast texture fades from coarse to fine scales (the slope "
         "of its power spectrum).",
         ST_BETTER_LOWER, "More negative is smoother at fine scales.",
         ST_REPEAT_CV, 0.27},
    [ST_METRIC_ANISOTROPY] =
        {ST_METRIC_ANISOTROPY, "anisotropy", "fraction",
         NUM(texture.anisotropy), 1, 0, "Texture direction strength",
         "How strongly the texture runs one way (0 no direction, 1 "
         "parallel lines).",
         ST_BETTER_LOWER, "Lower can mean fewer fine lines.", ST_REPEAT_SD,
         0.0009},
    [ST_METRIC_ORIENTATION_DEG] =
        {ST_METRIC_ORIENTATION_DEG, "orientation_deg", "deg",
         NUM(texture.orientation_deg), 0, ST_METRIC_FRAME_ANGLE,
         "Texture direction",
         "The direction the lines run, in degrees from the horizontal.",
         ST_BETTER_NONE, "No better direction."},
    [ST_METRIC_ROUGHNESS_RMS] =
        {ST_METRIC_ROUGHNESS_RMS, "roughness_rms", "L*",
         NUM(texture.roughness_rms), 1, 0, "Roughness",
         "Size of the lightness ripples at fine and medium scales (RMS "
         "of L* band-passed; the texture map shows them).",
         ST_BETTER_LOWER, "Lower is smoother.", ST_REPEAT_CV, 0.13},
    [ST_METRIC_L_STAR_REL] = {ST_METRIC_L_STAR_REL, "l_star_rel", "L*",
                              NUM(l_star_rel), 0, ST_METRIC_NEEDS_REFERENCE,
                              NULL, NULL, ST_BETTER_NONE, NULL},
    [ST_METRIC_A_STAR_REL] = {ST_METRIC_A_STAR_REL, "a_star_rel", "a*",
                              NUM(a_star_rel), 0, ST_METRIC_NEEDS_REFERENCE,
                              NULL, NULL, ST_BETTER_LOWER, NULL},
    [ST_METRIC_ERYTHEMA_INDEX_REL] = {ST_METRIC_ERYTHEMA_INDEX_REL,
                                      "erythema_index_rel", "camera units",
                                      NUM(erythema_index_rel), 0,
                                      ST_METRIC_NEEDS_REFERENCE, NULL, NULL,
                                      ST_BETTER_LOWER, NULL},
    [ST_METRIC_MELANIN_INDEX_REL] = {ST_METRIC_MELANIN_INDEX_REL,
                                     "melanin_index_rel", "camera units",
                                     NUM(melanin_index_rel), 0,
                                     ST_METRIC_NEEDS_REFERENCE, NULL, NULL,
                                     ST_BETTER_LOWER, NULL},
};

const st_metric_info *st_metrics_info(int i)
{
    return i >= 0 && i < ST_METRICS_COUNT ? &table[i] : NULL;
}

int st_metrics_find(const char *name)
{
    for (int i = 0; name && i < ST_METRICS_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

const char *st_metrics_name(int i)
{
    return i >= 0 && i < ST_METRICS_COUNT ? table[i].name : "";
}

const char *st_metrics_unit(int i)
{
    return i >= 0 && i < ST_METRICS_COUNT ? table[i].unit : "";
}

int st_metrics_available(const st_metrics *m, int i)
{
    return i >= 0 && i < ST_METRICS_COUNT &&
           (!(table[i].flags & ST_METRIC_NEEDS_REFERENCE) || m->has_reference);
}

int st_metrics_ratio_scale(int i)
{
    return i >= 0 && i < ST_METRICS_COUNT && table[i].ratio;
}

double st_metrics_pct_change(int i, double before, double after)
{
    if (!st_metrics_ratio_scale(i) || !(before > 0))
        return NAN;
    return 100.0 * (after - before) / before;
}

const char *st_metrics_text(const st_metrics *m, int i)
{
    if (i < 0 || i >= ST_METRICS_COUNT || table[i].type != ST_METRIC_TEXT)
        return NULL;
    return *(const char *const *)((const char *)m + table[i].offset);
}

double st_metrics_value(const st_metrics *m, int i)
{
    const char *at;
    if (i < 0 || i >= ST_METRICS_COUNT)
        return NAN;
    if ((table[i].flags & ST_METRIC_NEEDS_SEARCH) && !m->pores.search_px)
        return NAN;
    at = (const char *)m + table[i].offset;
    switch (table[i].type) {
    case ST_METRIC_DOUBLE: return *(const double *)at;
    case ST_METRIC_INT: return *(const int *)at;
    case ST_METRIC_SIZE: return (double)*(const size_t *)at;
    default: return NAN;
    }
}

void st_metrics_unrotate(st_metrics *m, double rotation_deg)
{
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        if ((table[i].flags & ST_METRIC_FRAME_ANGLE) &&
            table[i].type == ST_METRIC_DOUBLE) {
            double *v = (double *)((char *)m + table[i].offset);
            double o = fmod(*v - rotation_deg, 180.0);
            *v = o < 0 ? o + 180.0 : o;
        }
}
