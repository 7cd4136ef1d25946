/* skintrack — the record of a run (record.h).
 *
 *   cli_run_settings    the effective options as key / value pairs
 *   cli_run_write_json  version, command line and settings as JSON
 *
 * Every value is the one the run used, defaults filled in, numbers with
 * 17 significant digits (they read back to the same double), so a run can
 * be repeated from its record alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "record.h"

static cli_setting *put(cli_setting *s, size_t *n, const char *key, int number,
                        const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds key = printf(fmt, ...) (fmt NULL: null). */
static cli_setting *put(cli_setting *s, size_t *n, const char *key, int number,
                        const char *fmt, ...)
{
    cli_setting *e = &s[*n];
    if (*n >= CLI_MAX_SETTINGS)
        return NULL;
    memset(e, 0, sizeof *e);
    e->key = key;
    e->number = number;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->value, sizeof e->value, fmt, ap);
        va_end(ap);
        e->has_value = 1;
    }
    ++*n;
    return e;
}

/* The shortest %g that reads back to the same double (15 digits are
 * enough for most: 0.2, not 0.20000000000000001). */
static const char *num(double v, char *buf)
{
    for (int d = 15; d <= 17; d++) {
        snprintf(buf, 32, "%.*g", d, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static const char *wb_name(const st_white_balance *wb, char *buf, size_t size)
{
    char nb[32];
    switch (wb->mode) {
    case ST_WB_GRAYWORLD: return "grayworld";
    case ST_WB_PATCH:
        snprintf(buf, size, "patch:%d,%d,%d,%d", wb->x, wb->y, wb->w, wb->h);
        return buf;
    case ST_WB_AUTO: return "auto";
    case ST_WB_CHART: return "chart";
    case ST_WB_CARD:
        snprintf(buf, size, "card:%s", num(wb->reflectance, nb));
        return buf;
    default: return "none";
    }
}

size_t cli_run_settings(const cli_run *r, cli_setting *s)
{
    const cli_measure *m = r->measure;
    const cli_region *g = &m->region;
    const st_metrics_options *mo = &m->metrics;
    char buf[64], nb[32];
    size_t n = 0;
    cli_setting *e;

    if (g->has_roi)
        put(s, &n, "region", 0, "roi %d,%d,%d,%d (baseline px)", g->roi[0],
            g->roi[1], g->roi[2], g->roi[3]);
    else if (g->mask_path) {
        if ((e = put(s, &n, "region", 0, "mask %s", g->mask_path)))
            e->is_path = 1;
    } else
        put(s, &n, "region", 0, "whole baseline");
    put(s, &n, "skin_mask", 0, "%s",
        g->skin_auto   ? "auto"
        : g->skin_face ? "face"
                       : "none");
    put(s, &n, "white_balance", 0, "%s",
        wb_name(&mo->white_balance, buf, sizeof buf));
    if (mo->white_balance.mode == ST_WB_AUTO ||
        mo->white_balance.mode == ST_WB_CHART) {
        if ((e = put(s, &n, "chart_reference", 0, "%s",
                     m->has_chart_ref ? m->chart_ref.name : "classic-2014")))
            e->is_path = m->has_chart_ref &&
                         strcmp(m->chart_ref.name, "classic-2014") != 0 &&
                         strcmp(m->chart_ref.name, "classic-2005") != 0;
    }
    if (m->has_reference && m->reference.has_roi)
        put(s, &n, "reference_region", 0, "roi %d,%d,%d,%d (baseline px)",
            m->reference.roi[0], m->reference.roi[1], m->reference.roi[2],
            m->reference.roi[3]);
    else if (m->has_reference) {
        if ((e = put(s, &n, "reference_region", 0, "mask %s",
                     m->reference.mask_path)))
            e->is_path = 1;
    }
    if (mo->px_per_mm > 0)
        put(s, &n, "px_per_mm", 1, "%s", num(mo->px_per_mm, nb));
    else
        put(s, &n, "px_per_mm", 0, NULL);
    put(s, &n, "red_threshold_a_star", 1, "%s",
        num(mo->red_threshold > 0 ? mo->red_threshold : ST_RED_A_STAR_THRESHOLD,
            nb));
    put(s, &n, "pore_min_response", 1, "%s", num(mo->pores.min_response, nb));
    put(s, &n, "registration_model", 0, "%s",
        r->align->translation_only ? "translation"
                                   : st_align_model_name(r->align->model));
    put(s, &n, "max_residual_px", 1, "%s", num(r->align->max_residual_px, nb));
    put(s, &n, "max_rotation_deg", 1, "%s",
        num(r->align->max_rotation_deg, nb));
    put(s, &n, "max_scale", 1, "%s", num(r->align->max_scale, nb));
    put(s, &n, "min_confidence", 1, "%s", num(r->align->min_confidence, nb));
    put(s, &n, "max_megapixels", 1, "%s", num(r->read->max_megapixels, nb));
    put(s, &n, "exif_orientation", 0, "%s",
        r->read->ignore_orientation ? "ignored" : "applied");
    put(s, &n, "icc_profile", 0, "%s",
        r->read->ignore_color_profile ? "ignored" : "applied");
    put(s, &n, "post_days", 1, "%d", r->plan->post_days);
    if (r->plan->followup_days > 0)
        put(s, &n, "followup_after_days", 1, "%d", r->plan->followup_days);
    else
        put(s, &n, "followup_after_days", 0,
            "auto: max(56, 1.5 x median treatment interval)");
    if ((e = put(s, &n, "treatment_dates", 0, NULL))) {
        size_t len = 0;
        for (size_t k = 0;
             k < r->n_treatment_dates && len + 12 < sizeof e->value; k++) {
            if (k)
                e->value[len++] = ',';
            st_date_format(r->treatment_dates[k], e->value + len);
            len += 10;
        }
        e->has_value = r->n_treatment_dates > 0;
    }
    if (r->layout)
        put(s, &n, "layout", 0, "%s", r->layout);
    put(s, &n, "jobs", 1, "%d", r->jobs);
    put(s, &n, "shard", 0, "%u/%u", r->shard_k, r->shard_n);
    if (r->report)
        put(s, &n, "share", 0, "%s", r->share ? "yes" : "no");
    if (r->overlay_dir &&
        (e = put(s, &n, "overlay_dir", 0, "%s", r->overlay_dir)))
        e->is_path = 1;
    if (r->aligned_dir &&
        (e = put(s, &n, "aligned_dir", 0, "%s", r->aligned_dir)))
        e->is_path = 1;
    return n;
}

/* s as a JSON string. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void cli_run_write_json(FILE *f, const cli_run *r)
{
    cli_setting s[CLI_MAX_SETTINGS];
    size_t n = cli_run_settings(r, s);

    fputs("{\n  \"skintrack_version\": ", f);
    json_string(f, st_version());
    fputs(",\n  \"command\": ", f);
    json_string(f, r->argc > 0 ? r->argv[0] : "");
    fputs(",\n  \"command_line\": [\"skintrack\"", f);
    for (int i = 0; i < r->argc; i++) {
        fputs(", ", f);
        json_string(f, r->argv[i]);
    }
    fputs("],\n  \"options\": {", f);
    for (size_t k = 0; k < n; k++) {
        fputs(k ? ",\n    " : "\n    ", f);
        json_string(f, s[k].key);
        fputs(": ", f);
        if (!s[k].has_value)
            fputs("null", f);
        else if (s[k].number)
            fputs(s[k].value, f);
        else
            json_string(f, s[k].value);
    }
    fputs("\n  }\n}\n", f);
}
