/* skintrack tests — the metric registry (imgproc/metric_table.c).
 *
 * Truth is the struct itself: each metric's value is written into its
 * st_metrics field by name here, and the registry must read it back
 * through its offset and type; names, flags, scales and captions are
 * checked against what the CSV schema (docs/csv.md) and the report
 * (docs/report.md) promise.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "skintrack/skintrack.h"

/* Every row sits at its id, names are unique and found by name. */
static void test_rows(void **state)
{
    (void)state;
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const st_metric_info *m = st_metrics_info(i);
        assert_non_null(m);
        assert_int_equal(m->id, i);
        assert_non_null(m->name);
        assert_true(m->name[0] != '\0');
        assert_non_null(m->unit);
        /* a text column has no unit, a numeric one has */
        assert_int_equal(m->unit[0] == '\0', m->type == ST_METRIC_TEXT);
        assert_int_equal(st_metrics_find(m->name), i);
        assert_string_equal(st_metrics_name(i), m->name);
        assert_string_equal(st_metrics_unit(i), m->unit);
        /* the value lies inside the struct */
        assert_true(m->offset < sizeof(st_metrics));
        for (int k = 0; k < i; k++)
            assert_true(st_metrics_info(k)->offset != m->offset);
        /* words for people come as a set */
        assert_int_equal(m->title != NULL, m->caption != NULL);
        assert_int_equal(m->caption != NULL, m->better_text != NULL);
        /* a repeatability figure is a positive number, or none at all */
        assert_int_equal(m->repeat_kind == ST_REPEAT_NONE, m->repeat == 0);
        assert_true(m->repeat >= 0);
    }
    assert_null(st_metrics_info(-1));
    assert_null(st_metrics_info(ST_METRICS_COUNT));
    assert_int_equal(st_metrics_find("no_such_metric"), -1);
    assert_int_equal(st_metrics_find(NULL), -1);
    assert_string_equal(st_metrics_name(ST_METRICS_COUNT), "");
}

/* Each field gets its own value; the registry reads exactly that one. */
static void fill(st_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->tone.l_star_mean = 1000 + ST_METRIC_L_STAR_MEAN;
    m->redness.a_star_mean = 1000 + ST_METRIC_A_STAR_MEAN;
    m->redness.a_star_p90 = 1000 + ST_METRIC_A_STAR_P90;
    m->tone.b_star_mean = 1000 + ST_METRIC_B_STAR_MEAN;
    m->redness.erythema_index = 1000 + ST_METRIC_ERYTHEMA_INDEX;
    m->tone.melanin_index = 1000 + ST_METRIC_MELANIN_INDEX;
    m->redness.red_area_pct = 1000 + ST_METRIC_RED_AREA_PCT;
    m->tone.ita_deg = 1000 + ST_METRIC_ITA_DEG;
    m->tone.ita_category = "intermediate";
    m->tone.tone_evenness = 1000 + ST_METRIC_TONE_EVENNESS;
    m->pores.count = 1000 + ST_METRIC_PORE_COUNT;
    m->pores.density_per_cm2 = 1000 + ST_METRIC_PORE_DENSITY_PER_CM2;
    m->pores.density_per_mp = 1000 + ST_METRIC_PORE_DENSITY_PER_MP;
    m->pores.mean_diameter_px = 1000 + ST_METRIC_PORE_MEAN_DIAMETER_PX;
    m->pores.mean_diameter_mm = 1000 + ST_METRIC_PORE_MEAN_DIAMETER_MM;
    m->pores.area_pct = 1000 + ST_METRIC_PORE_AREA_PCT;
    m->pores.search_px = 1000 + ST_METRIC_PORE_SEARCH_PX;
    m->pores.range_resolved = 1000 + ST_METRIC_PORE_RANGE_RESOLVED;
    m->texture.fine_share = 1000 + ST_METRIC_TEXTURE_FINE_SHARE;
    m->texture.medium_share = 1000 + ST_METRIC_TEXTURE_MEDIUM_SHARE;
    m->texture.coarse_share = 1000 + ST_METRIC_TEXTURE_COARSE_SHARE;
    m->texture.spectral_slope = 1000 + ST_METRIC_SPECTRAL_SLOPE;
    m->texture.anisotropy = 1000 + ST_METRIC_ANISOTROPY;
    m->texture.orientation_deg = 1000 + ST_METRIC_ORIENTATION_DEG;
    m->texture.roughness_rms = 1000 + ST_METRIC_ROUGHNESS_RMS;
    m->l_star_rel = 1000 + ST_METRIC_L_STAR_REL;
    m->a_star_rel = 1000 + ST_METRIC_A_STAR_REL;
    m->erythema_index_rel = 1000 + ST_METRIC_ERYTHEMA_INDEX_REL;
    m->melanin_index_rel = 1000 + ST_METRIC_MELANIN_INDEX_REL;
    m->has_reference = 1;
}

static void test_values(void **state)
{
    st_metrics m;
    (void)state;
    fill(&m);
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        if (i == ST_METRIC_ITA_CATEGORY) {
            assert_string_equal(st_metrics_text(&m, i), "intermediate");
            assert_true(isnan(st_metrics_value(&m, i)));
            continue;
        }
        assert_null(st_metrics_text(&m, i));
        if (st_metrics_value(&m, i) != 1000 + i)
            fail_msg("%s reads %g, its field holds %d", st_metrics_name(i),
                     st_metrics_value(&m, i), 1000 + i);
        assert_true(st_metrics_available(&m, i));
    }
    assert_true(isnan(st_metrics_value(&m, -1)));
    assert_true(isnan(st_metrics_value(&m, ST_METRICS_COUNT)));
}

/* Flags: nothing searched makes the pore count unknown (not 0); the _rel
 * metrics are absent without a reference; frame angles turn back. */
static void test_flags(void **state)
{
    st_metrics m;
    int rel = 0;
    (void)state;
    fill(&m);
    m.pores.search_px = 0;
    assert_true(isnan(st_metrics_value(&m, ST_METRIC_PORE_COUNT)));
    assert_float_equal(st_metrics_value(&m, ST_METRIC_PORE_AREA_PCT),
                       1000 + ST_METRIC_PORE_AREA_PCT, 0);
    m.has_reference = 0;
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        int needs =
            (st_metrics_info(i)->flags & ST_METRIC_NEEDS_REFERENCE) != 0;
        rel += needs;
        assert_int_equal(st_metrics_available(&m, i), !needs);
        /* the _rel columns are exactly the ones that need a reference */
        assert_int_equal(needs, strstr(st_metrics_name(i), "_rel") != NULL);
    }
    assert_int_equal(rel, 4);

    m.texture.orientation_deg = 10;
    st_metrics_unrotate(&m, 30); /* 10 - 30 = -20 = 160 modulo 180 */
    assert_float_equal(m.texture.orientation_deg, 160, 1e-12);
    st_metrics_unrotate(&m, -200); /* 160 + 200 = 360 = 0 */
    assert_float_equal(m.texture.orientation_deg, 0, 1e-12);
    assert_float_equal(m.tone.ita_deg, 1000 + ST_METRIC_ITA_DEG, 0);

    /* the recovery table follows the acute redness metrics */
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        assert_int_equal((st_metrics_info(i)->flags & ST_METRIC_ACUTE) != 0,
                         i == ST_METRIC_A_STAR_MEAN ||
                             i == ST_METRIC_ERYTHEMA_INDEX ||
                             i == ST_METRIC_RED_AREA_PCT);
}

/* pct_change only on ratio scales, 100 (after - before) / before. */
static void test_scales(void **state)
{
    (void)state;
    assert_float_equal(st_metrics_pct_change(ST_METRIC_PORE_COUNT, 200, 150),
                       -25, 1e-12);
    assert_true(isnan(st_metrics_pct_change(ST_METRIC_PORE_COUNT, 0, 1)));
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const st_metric_info *m = st_metrics_info(i);
        /* CIELAB coordinates, angles, log indices and text have no true
         * zero (docs/csv.md) */
        int interval =
            m->type == ST_METRIC_TEXT || !strcmp(m->unit, "L*") ||
            !strcmp(m->unit, "a*") || !strcmp(m->unit, "b*") ||
            !strcmp(m->unit, "deg") || !strcmp(m->unit, "camera units") ||
            !strcmp(m->unit, "flag") || i == ST_METRIC_SPECTRAL_SLOPE;
        /* spreads of L* are on a ratio scale */
        if (i == ST_METRIC_TONE_EVENNESS || i == ST_METRIC_ROUGHNESS_RMS)
            interval = 0;
        if (m->ratio == interval)
            fail_msg("%s: ratio %d", m->name, m->ratio);
        assert_int_equal(st_metrics_ratio_scale(i), m->ratio);
        if (!m->ratio)
            assert_true(isnan(st_metrics_pct_change(i, 10, 11)));
        else
            assert_float_equal(st_metrics_pct_change(i, 10, 11), 10, 1e-12);
    }
}

/* Which way is better agrees with the words the report prints. */
static void test_better(void **state)
{
    static const char *const lower[] = {"Lower", "Fewer", "Smaller",
                                        "More negative"};
    (void)state;
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const st_metric_info *m = st_metrics_info(i);
        int says_lower = 0;
        if (!m->better_text)
            continue;
        for (size_t k = 0; k < sizeof lower / sizeof lower[0]; k++)
            says_lower |= !strncmp(m->better_text, lower[k], strlen(lower[k]));
        if (says_lower != (m->better == ST_BETTER_LOWER))
            fail_msg("%s: better %d but \"%s\"", m->name, (int)m->better,
                     m->better_text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),   cmocka_unit_test(test_values),
        cmocka_unit_test(test_flags),  cmocka_unit_test(test_scales),
        cmocka_unit_test(test_better),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
