/* skintrack — `skintrack course`: a treatment course per subject and
 * region, every photo registered to the baseline and measured on the skin
 * they all show.
 *
 * Inputs are collected (course_input.c), grouped by subject and region,
 * planned (st_course_plan: order, baseline, phases, sessions, days) and
 * measured (st_course_measure, photos in parallel) one course at a time;
 * each course's rows are written as soon as it is done, so memory holds
 * one course's numbers. Rows come out sorted by subject, region and date,
 * the same for any --jobs.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "course.h"
#include "record.h"
#include "report.h"

static const char help[] =
    "Usage: skintrack course [OPTIONS] DIR|MANIFEST.csv...\n"
    "Track every metric of a treatment course: each photo registered to\n"
    "the course's baseline and measured on the skin that all the photos\n"
    "show, one CSV for all subjects.\n\n"
    "Inputs: a folder is one subject (the folder's name), its subfolders\n"
    "regions, except those named by a date (2026-03-02): visits, dated so;\n"
    "photos are its JPEG, PNG, HEIC/HEIF/AVIF, TIFF and camera raw files\n"
    "(.dng .cr2 .nef .arw ...; by extension, any case; `skintrack info\n"
    "--formats` lists them). A manifest is a CSV\n"
    "with a header naming subject,region,date,session,phase,treatment,path\n"
    "(only path is required; relative paths are relative to the manifest).\n"
    "Dates come from the manifest, else the file name (2026-03-14 or\n"
    "20260314), else EXIF DateTimeOriginal; photos of one day are ordered\n"
    "by capture time (manifest, file name or EXIF), else before/after in\n"
    "their names. Phases (baseline, pre, post, followup, checkup) and\n"
    "sessions are taken from the manifest or worked out from the dates and\n"
    "the treatment dates, if given (docs/course.md).\n\n"
    "Long layout (default), one row per photo and metric:\n"
    "  subject,region,session,date,datetime,days_since_baseline,\n"
    "  days_since_last_treatment,phase,file,status,error,metric,unit,value,\n"
    "  baseline_value,delta,pct_change,align_confidence,overlap_pct,\n"
    "  align_residual_px\n"
    "Wide layout: one row per photo with the alignment and every metric.\n"
    "status is ok, low_confidence (not registered with confidence: measured\n"
    "on its own frame, not the common skin) or error (the cause in error).\n\n";

static const char help_options[] =
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: -)\n"
    "  --layout long|wide      rows per metric (default) or per photo\n"
    "  --summary FILE          per course and metric: baseline, latest,\n"
    "                          change, trend per 30 days with its error\n"
    "  --recovery FILE         per post-treatment photo: redness excess over\n"
    "                          the photo before the treatment, and the\n"
    "                          fitted recovery half-life of each session\n"
    "  --report FILE           also write the HTML report (skintrack report)\n"
    "  --meta FILE             write the run's record as JSON: version,\n"
    "                          command line, effective options\n"
    "  --share                 the report names no file and no folder (for\n"
    "                          the patient)\n"
    "  --overlay DIR           write DIR/NAME-pores.png (pores circled) and\n"
    "                          DIR/NAME-redness.png (a* heat map, 0-30) of\n"
    "                          every photo, on its own pixels\n"
    "  --aligned DIR           write DIR/NAME.jpg: every registered photo\n"
    "                          turned onto the baseline's frame\n"
    "  -j, --jobs N            photos measured in parallel (default: cores)\n"
    "  --shard K/N             only the K-th of N parts of the subjects\n"
    "                          (1 <= K <= N), for cluster job arrays\n"
    "  --post-days N           a photo up to N days after a treatment is\n"
    "                          post (7)\n"
    "  --treatment-dates D,... the treatment days (YYYY-MM-DD): sessions\n"
    "                          count them, other visits are checkup (a\n"
    "                          manifest may mark them: treatment=yes)\n"
    "  --followup-after N      a photo more than N days after the last\n"
    "                          treatment is followup (default: the larger of\n"
    "                          56 and 1.5 x the median treatment interval)\n"
    "  --roi X,Y,W,H           measure this rectangle of the baseline only\n"
    "  --mask MASK.png         measure where MASK (baseline size) is non-zero\n"
    "  --skin-mask auto        measure skin only (baseline's colour rule)\n"
    "  --white-balance MODE    none (default), grayworld, patch:X,Y,W,H (a\n"
    "                          grey card in the baseline's pixels), auto,\n"
    "                          chart or card[:Y] (a target found in each\n"
    "                          photo; docs/calibration.md)\n"
    "  --chart-reference R     classic-2014 (default), classic-2005 or a\n"
    "                          CGATS file\n"
    "  --px-per-mm N           calibration of the baseline: sizes in mm\n"
    "  --reference-region X,Y,W,H|MASK.png  reference skin (baseline's\n"
    "                          pixels): adds the _rel colour metrics\n"
    "  --red-threshold A       a* above which a pixel is red "
    "(20)\n" CLI_ALIGN_HELP CLI_READ_HELP
    "  -q, --quiet             no progress line, no failures on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 every photo ok, 1 some photo low_confidence or error\n"
    "(each still has its rows), 2 usage error.\n";

enum {
    OPT_LAYOUT = CLI_OPT_FIRST_FREE,
    OPT_SUMMARY,
    OPT_RECOVERY,
    OPT_SHARD,
    OPT_POST_DAYS,
    OPT_FOLLOWUP,
    OPT_REPORT,
    OPT_ALIGNED,
    OPT_TREATMENT_DATES,
    OPT_META,
    OPT_SHARE
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"layout", required_argument, NULL, OPT_LAYOUT},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"recovery", required_argument, NULL, OPT_RECOVERY},
    {"report", required_argument, NULL, OPT_REPORT},
    {"jobs", required_argument, NULL, 'j'},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"post-days", required_argument, NULL, OPT_POST_DAYS},
    {"followup-after", required_argument, NULL, OPT_FOLLOWUP},
    {"aligned", required_argument, NULL, OPT_ALIGNED},
    {"treatment-dates", required_argument, NULL, OPT_TREATMENT_DATES},
    {"meta", required_argument, NULL, OPT_META},
    {"share", no_argument, NULL, OPT_SHARE},
    CLI_MEASURE_LONGOPTS,
    CLI_ALIGN_LONGOPTS,
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* ---- the run ---- */

typedef struct progress {
    int on;
    struct timespec start;
    size_t photos_total, photos_done; /* over the run */
    size_t course_photos;             /* done in the current course */
    double steps_total, steps_done;   /* over the run, of measured photos */
    double course_steps;
} progress;

typedef struct job {
    st_read_options read;
    cli_measure m;
    st_course_options course;
    st_course_plan_options plan;
    int wide, quiet, crlf;
    unsigned shard_k, shard_n;
    st_csv out, summary, recovery;
    int has_out, has_summary, has_recovery;
    int report_mode; /* `skintrack report`: -o is the report */
    cli_report *rep; /* NULL: no report */
    progress prog;
    int failed;              /* some row is not ok */
    const char *aligned_dir; /* --aligned DIR, or NULL */
    int share;               /* --share: a report naming no file */
    long *treat;             /* --treatment-dates (day numbers) */
    size_t ntreat;
    cli_photo **subject; /* the rows of the current course's subject */
    size_t nsubject;
    cli_photo **who;            /* the course being measured (paths' photos) */
    atomic_int pictures_failed; /* an overlay or aligned photo not written */
    cli_pore_list pores;        /* --pore-list */
} job;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void show_progress(progress *p)
{
    double el = seconds_since(&p->start);
    double f = p->steps_total > 0
                   ? (p->steps_done + p->course_steps) / p->steps_total
                   : 0;
    fprintf(stderr, "\rskintrack course: %zu/%zu photos, %.0f s elapsed",
            p->photos_done + p->course_photos, p->photos_total, el);
    if (f > 0.02 && f < 1)
        fprintf(stderr, ", about %.0f s left ", el * (1 - f) / f);
    else
        fputs("               ", stderr);
    fflush(stderr);
}

static void on_progress(void *ctx, size_t steps_done, size_t steps_total,
                        size_t photos_done)
{
    progress *p = ctx;
    (void)steps_total;
    p->course_steps = (double)steps_done;
    p->course_photos = photos_done;
    show_progress(p);
}

/* --roi/--mask/--skin-mask on the baseline (st_course_region_fn). */
static st_status make_region(void *ctx, const st_image *baseline,
                             st_region **out, st_error *err)
{
    const job *j = ctx;
    if (j->m.region.face_zones && !j->m.region.model) {
        *err = j->m.region.model_error; /* every photo fails with it */
        return err->status ? err->status : ST_ERR_INVALID;
    }
    return cli_make_region(&j->m.region, &j->read, baseline, out, err);
}

/* --reference-region on the baseline (st_course_region_fn). */
static st_status make_reference(void *ctx, const st_image *baseline,
                                st_region **out, st_error *err)
{
    const job *j = ctx;
    return cli_make_reference(&j->m, &j->read, baseline, out, err);
}

/* The photo of a view warped onto the baseline's frame, as DIR/STEM.jpg
 * (registered photos only: the others have no trusted mapping). */
static int write_aligned(const job *j, const cli_photo *p,
                         const st_course_view *v)
{
    st_image *warped = NULL;
    st_error err = {0};
    char path[4096];
    int rc;
    if (!v->result->registered)
        return 0;
    if (st_warp_image(&warped, v->photo, &v->result->align.transform,
                      v->baseline->width, v->baseline->height, &err)) {
        cli_error("%s: aligned photo: %s", p->path, st_error_text(&err));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s.jpg", j->aligned_dir, p->stem);
    rc = cli_write_image(path, warped, 8);
    st_image_free(warped);
    return rc;
}

/* st_course_view_fn: the report's pictures, --overlay and --aligned. */
static void on_view(void *ctx, const st_course_view *v)
{
    job *j = ctx;
    const cli_photo *p = j->who[v->index];
    if (j->rep)
        cli_report_view(j->rep, v);
    if (j->m.overlay_dir &&
        cli_write_overlays(j->m.overlay_dir, "", p->stem, p->path, v->photo,
                           v->region, &v->result->metrics))
        atomic_store(&j->pictures_failed, 1);
    if (j->aligned_dir && write_aligned(j, p, v))
        atomic_store(&j->pictures_failed, 1);
}

/* Names every photo's pictures (--overlay, --aligned): unique in the run. */
static int name_pictures(cli_photos *list)
{
    const char **paths = malloc((list->n ? list->n : 1) * sizeof *paths);
    char **stems;
    if (!paths) {
        cli_error("out of memory");
        return -1;
    }
    for (size_t k = 0; k < list->n; k++)
        paths[k] = list->v[k].path;
    stems = cli_unique_stems(paths, list->n);
    free(paths);
    if (!stems)
        return -1;
    for (size_t k = 0; k < list->n; k++)
        list->v[k].stem = stems[k];
    free(stems);
    return 0;
}

/* FNV-1a, 64 bits: the shard of a subject depends only on its name. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* ---- rows ---- */

static const char *const lead_cols[] = {"subject",
                                        "region",
                                        "session",
                                        "date",
                                        "datetime",
                                        "days_since_baseline",
                                        "days_since_last_treatment",
                                        "phase",
                                        "file",
                                        "status",
                                        "error"};
#define NLEAD 11

/* The photo's calibration and its light against the baseline's
 * (docs/calibration.md, "Comparability"). */
#define LIGHT_COLUMNS                                                          \
    "calibration,calibration_delta_e,light_exposure,light_wb_red,"             \
    "light_wb_blue,light_a_star_shift,light_flag"
#define NLIGHT 7

static void write_lead(st_csv *c, const cli_photo *p)
{
    char date[24];
    const st_course_photo *q = &p->plan;
    st_csv_text(c, p->subject);
    st_csv_text(c, p->region);
    if (p->planned && q->session >= 0)
        st_csv_int(c, q->session);
    else
        st_csv_empty(c);
    st_csv_text(c, q->has_date ? st_date_format(q->date, date) : NULL);
    st_csv_text(c, cli_datetime(q, date));
    if (p->planned && q->has_days)
        st_csv_int(c, q->days_since_baseline);
    else
        st_csv_empty(c);
    if (p->planned && q->has_treatment_days)
        st_csv_int(c, q->days_since_treatment);
    else
        st_csv_empty(c);
    st_csv_text(c, p->planned ? st_phase_name(q->phase) : NULL);
    st_csv_text(c, p->path);
    st_csv_text(c, cli_row_status(p));
    st_csv_text(c, cli_row_error(p));
}

static void write_header(job *j)
{
    st_csv *c = &j->out;
    for (int i = 0; i < NLEAD; i++)
        st_csv_text(c, lead_cols[i]);
    if (!j->wide) {
        st_csv_header(
            c, "metric,unit,value,baseline_value,delta,pct_change,"
               "align_confidence,overlap_pct,align_residual_px," LIGHT_COLUMNS);
        return;
    }
    for (int i = 0; i < CLI_ALIGN_NCOLUMNS; i++)
        st_csv_text(c, cli_align_columns[i]);
    st_csv_text(c, "common_region_px");
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        st_csv_text(c, st_metrics_name(i));
    st_csv_header(c, LIGHT_COLUMNS);
}

static void write_light(st_csv *c, const cli_photo *p, const cli_photo *base)
{
    st_light_change lc;
    char flags[96];
    const st_metrics *m = &p->res.metrics;
    st_csv_text(c, st_calibration_name(m->calibration));
    st_csv_number(c, m->calibration_delta_e);
    if (!base || !cli_row_ok(base)) {
        for (int k = 0; k < NLIGHT - 2; k++)
            st_csv_empty(c);
        return;
    }
    st_metrics_light_change(m, &base->res.metrics, &lc);
    st_csv_number(c, lc.exposure);
    st_csv_number(c, lc.wb_red);
    st_csv_number(c, lc.wb_blue);
    st_csv_number(c, lc.a_star_shift);
    st_csv_text(c, st_light_flags_text(lc.flags, flags, sizeof flags));
}

static void write_long(st_csv *c, const cli_photo *p, const cli_photo *base)
{
    if (!cli_row_ok(p)) {
        write_lead(c, p);
        for (int k = 0; k < 9 + NLIGHT; k++)
            st_csv_empty(c);
        st_csv_end_row(c);
        return;
    }
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        double v, b;
        if (st_metrics_text(&p->res.metrics, i) ||
            !st_metrics_available(&p->res.metrics, i))
            continue; /* text lives in the wide layout: value stays numeric */
        v = st_metrics_value(&p->res.metrics, i);
        b = base ? st_metrics_value(&base->res.metrics, i) : NAN;
        write_lead(c, p);
        st_csv_text(c, st_metrics_name(i));
        st_csv_text(c, st_metrics_unit(i));
        st_csv_number(c, v);
        st_csv_number(c, b);
        st_csv_number(c, v - b);
        st_csv_number(c, st_metrics_pct_change(i, b, v));
        st_csv_number(c, p->res.align.confidence);
        st_csv_number(c, p->res.align.overlap_pct);
        st_csv_number(c, p->res.align.residual_px);
        write_light(c, p, base);
        st_csv_end_row(c);
    }
}

static void write_wide(st_csv *c, const cli_photo *p, const cli_photo *base)
{
    write_lead(c, p);
    if (!cli_row_ok(p)) {
        for (int k = 0; k < CLI_ALIGN_NCOLUMNS + 1 + ST_METRICS_COUNT + NLIGHT;
             k++)
            st_csv_empty(c);
        st_csv_end_row(c);
        return;
    }
    cli_align_fields(c, &p->res.align);
    if (p->res.registered)
        st_csv_int(c, (int64_t)p->res.common_px);
    else
        st_csv_empty(c);
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const char *text = st_metrics_text(&p->res.metrics, i);
        if (text)
            st_csv_text(c, text);
        else
            st_csv_number(c, st_metrics_value(&p->res.metrics, i));
    }
    write_light(c, p, base);
    st_csv_end_row(c);
}

/* ---- summary ---- */

static const char summary_cols[] =
    "subject,region,metric,unit,n_photos,baseline_date,baseline_value,"
    "latest_date,latest_phase,latest_value,change,pct_change,trend_per_30d,"
    "trend_se_per_30d";

/* The summary rows of a course. 0, or -1 (reported) when out of memory. */
static int write_summary(st_csv *c, cli_photo **rows, size_t n,
                         const cli_photo *base)
{
    size_t ib;
    st_course_row *sr = cli_stat_rows(rows, n, base, &ib);
    st_error err = {0};
    char date[16];
    int rc = 0;
    for (int i = 0; sr && i < ST_METRICS_COUNT; i++) {
        st_course_trend t;
        const cli_photo *latest;
        if (st_course_trend_of(sr, n, ib, i, &t, &err)) {
            rc = -1;
            break;
        }
        if (!t.defined)
            continue;
        latest = t.latest < n ? rows[t.latest] : NULL;
        st_csv_text(c, base->subject);
        st_csv_text(c, base->region);
        st_csv_text(c, st_metrics_name(i));
        st_csv_text(c, st_metrics_unit(i));
        st_csv_int(c, (int64_t)t.n);
        st_csv_text(c, st_date_format(base->plan.date, date));
        st_csv_number(c, t.base);
        st_csv_text(c, latest ? st_date_format(latest->plan.date, date) : NULL);
        st_csv_text(c, latest ? st_phase_name(latest->plan.phase) : NULL);
        st_csv_number(c, t.latest_value);
        st_csv_number(c, t.change);
        st_csv_number(c, t.pct_change);
        st_csv_number(c, t.slope30);
        st_csv_number(c, t.se30);
        st_csv_end_row(c);
    }
    if (!sr || rc)
        cli_error("summary of %s: %s", base ? base->subject : rows[0]->subject,
                  sr ? st_error_text(&err) : "out of memory");
    free(sr);
    return sr && !rc ? 0 : -1;
}

/* ---- acute recovery ---- */

static const char recovery_cols[] =
    "subject,region,session,treatment_date,metric,unit,reference_file,"
    "reference_date,reference_value,day,file,value,excess,half_life_days,"
    "fit_points";

/* The rows of session s for metric i (ST_METRIC_ACUTE). */
static int write_session(st_csv *c, cli_photo **rows, const st_course_row *sr,
                         const st_course_session *s, int i, st_error *err)
{
    const cli_photo *ref = rows[s->reference];
    double rv = st_metrics_value(&ref->res.metrics, i), h;
    char date[16], rdate[16];
    size_t used;
    if (st_course_half_life(sr, s, i, &h, &used, err))
        return -1;
    for (size_t k = 0; k < s->n_posts; k++) {
        const cli_photo *p = rows[s->posts[k]];
        double v = st_metrics_value(&p->res.metrics, i);
        st_csv_text(c, p->subject);
        st_csv_text(c, p->region);
        st_csv_int(c, p->plan.session);
        st_csv_text(c, st_date_format(p->plan.treatment_date, date));
        st_csv_text(c, st_metrics_name(i));
        st_csv_text(c, st_metrics_unit(i));
        st_csv_text(c, ref->path);
        st_csv_text(c, st_date_format(ref->plan.date, rdate));
        st_csv_number(c, rv);
        st_csv_int(c, p->plan.days_since_treatment);
        st_csv_text(c, p->path);
        st_csv_number(c, v);
        st_csv_number(c, v - rv);
        st_csv_number(c, h);
        if (isfinite(h))
            st_csv_int(c, (int64_t)used);
        else
            st_csv_empty(c);
        st_csv_end_row(c);
    }
    return 0;
}

/* The recovery rows of a course: per session, per acute metric (registry
 * order), per post photo. 0, or -1 (reported) when out of memory. */
static int write_recovery(st_csv *c, cli_photo **rows, size_t n)
{
    size_t ib, ns = 0;
    st_course_row *sr = cli_stat_rows(rows, n, NULL, &ib);
    st_course_session *s = NULL;
    st_error err = {0};
    int rc = -1;
    if (!sr) {
        cli_error("recovery of %s: out of memory", rows[0]->subject);
        return -1;
    }
    if (st_course_sessions(sr, n, &s, &ns, &err) == ST_OK) {
        rc = 0;
        for (size_t k = 0; k < ns && !rc; k++)
            for (int i = 0; i < ST_METRICS_COUNT && !rc; i++)
                if (st_metrics_info(i)->flags & ST_METRIC_ACUTE)
                    rc = write_session(c, rows, sr, &s[k], i, &err);
    }
    if (rc)
        cli_error("recovery of %s: %s", rows[0]->subject, st_error_text(&err));
    st_course_sessions_free(s, ns);
    free(sr);
    return rc;
}

/* ---- one course ---- */

/* Dated rows first, by date, then in planning order (which orders one
 * day's photos by time or before/after), then the caller's order. */
static int by_date_rows(const void *pa, const void *pb)
{
    const cli_photo *a = *(cli_photo *const *)pa, *b = *(cli_photo *const *)pb;
    size_t ra = a->planned ? a->rank : SIZE_MAX;
    size_t rb = b->planned ? b->rank : SIZE_MAX;
    if (a->plan.has_date != b->plan.has_date)
        return a->plan.has_date ? -1 : 1;
    if (a->plan.has_date && a->plan.date != b->plan.date)
        return a->plan.date < b->plan.date ? -1 : 1;
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return (a->plan.order > b->plan.order) - (a->plan.order < b->plan.order);
}

static int by_order_rows(const void *pa, const void *pb)
{
    const cli_photo *a = *(cli_photo *const *)pa, *b = *(cli_photo *const *)pb;
    return (a->plan.order > b->plan.order) - (a->plan.order < b->plan.order);
}

/* The treatment days of the current course: --treatment-dates and the
 * dates of its subject's photos a manifest marks as treatment visits (a
 * treatment is of the person, so of every region). NULL with *nt 0 when
 * there are none; -1 when out of memory. */
static int course_treatments(const job *j, long **t, size_t *nt)
{
    size_t m = j->ntreat;
    *t = NULL;
    *nt = 0;
    for (size_t k = 0; k < j->nsubject; k++)
        m += j->subject[k]->treated && j->subject[k]->plan.has_date;
    if (!m)
        return 0;
    if (!(*t = malloc(m * sizeof **t)))
        return -1;
    for (size_t k = 0; k < j->ntreat; k++)
        (*t)[(*nt)++] = j->treat[k];
    for (size_t k = 0; k < j->nsubject; k++)
        if (j->subject[k]->treated && j->subject[k]->plan.has_date)
            (*t)[(*nt)++] = j->subject[k]->plan.date;
    return 0;
}

/* Plans and measures the course rows[0..n) (one subject and region). */
static int measure_course(job *j, cli_photo **rows, size_t n)
{
    st_course_photo *pl = malloc(n * sizeof *pl);
    const char **paths = malloc(n * sizeof *paths);
    cli_photo **who = malloc(n * sizeof *who);
    st_course_result *res = calloc(n, sizeof *res);
    size_t np = 0, m = 0, b = 0, mb = n, nt = 0;
    st_course_plan_options popt = j->plan;
    long *treat = NULL;
    st_error err = {0};
    int rc = -1;

    if (!pl || !paths || !who || !res || course_treatments(j, &treat, &nt))
        goto done;
    popt.treatments = treat;
    popt.n_treatments = nt;
    for (size_t k = 0; k < n; k++)
        if (!rows[k]->error) {
            pl[np] = rows[k]->plan;
            pl[np++].user = rows[k];
        }
    if (np && st_course_plan(pl, np, &popt, &b, &err))
        goto done;
    for (size_t k = 0; k < np; k++) {
        cli_photo *p = pl[k].user;
        p->plan = pl[k];
        p->planned = 1;
        p->rank = k;
        if (pl[k].error && !(p->error = strdup(pl[k].error)))
            goto done;
        if (p->error)
            continue;
        if (k == b)
            mb = m;
        paths[m] = p->path;
        who[m++] = p;
    }
    if (m && mb < m) {
        j->who = who;
        if (j->rep && cli_report_attach(j->rep, who, m, &j->course.metrics))
            goto done;
        /* a course that failed as a whole has that cause in every row
         * too: the rows are written (status=error) and the command exits
         * 1; without rows it stops here */
        if (st_course_measure(paths, m, mb, &j->course, res, &err) &&
            res[mb].status == ST_OK)
            goto done;
        for (size_t k = 0; k < m; k++) {
            who[k]->res = res[k];
            who[k]->measured = 1;
        }
    }
    rc = 0;
done:
    if (rc)
        cli_error("%s", err.status ? st_error_text(&err) : "out of memory");
    free(treat);
    free(pl);
    free(paths);
    free(who);
    free(res);
    return rc;
}

static void warn_row(const job *j, const cli_photo *p)
{
    if (j->quiet)
        return;
    if (j->prog.on)
        fputc('\n', stderr);
    if (!cli_row_ok(p))
        cli_error("%s: %s", p->path, cli_row_error(p));
    else if (!p->res.registered)
        cli_error("%s: registration to the baseline has low confidence "
                  "(%s); measured on its own frame",
                  p->path, p->res.align.note);
}

static int write_course(job *j, cli_photo **rows, size_t n,
                        const cli_photo *base, int z);
static int report_zones(job *j, const cli_photo *base);

static int run_course(job *j, cli_photo **rows, size_t n)
{
    const cli_photo *base = NULL;
    int all_dated = 1;

    j->prog.course_steps = 0;
    j->prog.course_photos = 0;
    if (measure_course(j, rows, n)) {
        if (j->rep)
            cli_report_drop(j->rep);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        if (rows[k]->planned && !rows[k]->error)
            all_dated &= rows[k]->plan.has_date;
        if (rows[k]->planned && rows[k]->plan.is_baseline &&
            cli_row_ok(rows[k]))
            base = rows[k];
    }
    qsort(rows, n, sizeof *rows, all_dated ? by_date_rows : by_order_rows);
    if (!j->m.region.face_zones)
        return write_course(j, rows, n, base, -1);
    if (j->rep && base && report_zones(j, base))
        return -1;
    for (int z = 0; z < ST_ZONE_COUNT; z++)
        if (write_course(j, rows, n, base, z))
            return -1;
    return 0;
}

/* --regions face in a report: the baseline with its zones outlined. */
static int report_zones(job *j, const cli_photo *base)
{
    st_image *img;
    st_error err = {0};
    int rc;
    if (!base->res.face)
        return 0; /* the baseline failed: its error row says why */
    if (st_io_read(base->path, &j->read, &img, NULL, &err)) {
        cli_error("%s: %s", base->path, st_error_text(&err));
        return -1;
    }
    rc = cli_report_zones(j->rep, base, img);
    st_image_free(img);
    return rc;
}

/* --regions face: puts zone z's result of each photo where the writers
 * read it (res.metrics, res.status, region "REGION/zone", or "zone"), or
 * (z < 0) takes it back out, so a course is written once per zone. */
static int zone_swap(cli_photo **rows, size_t n, int z, st_course_result *keep,
                     char **region)
{
    for (size_t k = 0; k < n; k++) {
        cli_photo *p = rows[k];
        if (z < 0) {
            free(p->region);
            p->region = region[k];
            p->res = keep[k];
            continue;
        }
        keep[k] = p->res;
        region[k] = p->region;
        p->region = malloc(strlen(region[k]) + 16);
        if (!p->region) {
            p->region = region[k];
            for (size_t i = 0; i < k; i++)
                zone_swap(rows + i, 1, -1, keep + i, region + i);
            return -1;
        }
        sprintf(p->region, "%s%s%s", region[k], *region[k] ? "/" : "",
                st_zone_name(z));
        if (p->measured && p->res.status == ST_OK) {
            p->res.metrics = p->res.face->metrics[z];
            p->res.status = p->res.face->status[z];
            p->res.error = p->res.face->error[z];
        }
    }
    return 0;
}

/* Writes the course's rows (zone z of each photo's face; -1: the region). */
static int write_course(job *j, cli_photo **rows, size_t n,
                        const cli_photo *base, int z)
{
    st_course_result *keep = NULL;
    char **region = NULL;
    int rc = 0;
    if (z >= 0) {
        keep = malloc(n * sizeof *keep);
        region = malloc(n * sizeof *region);
        if (!keep || !region || zone_swap(rows, n, z, keep, region)) {
            free(keep);
            free(region);
            cli_error("out of memory");
            return -1;
        }
    }
    if (base && !cli_row_ok(base))
        base = NULL; /* the baseline's zone could not be measured */
    for (size_t k = 0; k < n; k++) {
        const cli_photo *p = rows[k];
        /* a photo's own failure or registration once, a zone's each time */
        if ((!cli_row_ok(p) || !p->res.registered) &&
            (z <= 0 || (keep && keep[k].status == ST_OK && p->measured &&
                        p->res.status != ST_OK))) {
            j->failed = 1;
            warn_row(j, p);
        }
        if (cli_row_ok(p)) {
            /* its pores in the baseline's frame too */
            st_transform inv;
            int reg_ok = p->res.registered &&
                         !st_transform_invert(&p->res.align.transform, &inv);
            double sc = p->res.registered ? p->res.align.scale : 1;
            cli_pore_list_add(&j->pores, p->path, &p->res.metrics.pores,
                              j->m.metrics.px_per_mm * sc,
                              reg_ok && !p->plan.is_baseline ? &inv : NULL,
                              p->plan.is_baseline);
        }
        if (!j->has_out)
            continue;
        if (j->wide)
            write_wide(&j->out, p, base);
        else
            write_long(&j->out, p, base);
    }
    if (j->rep && cli_report_course(j->rep, rows, n, base))
        rc = -1;
    if (rc == 0 && j->has_summary && write_summary(&j->summary, rows, n, base))
        rc = -1;
    if (rc == 0 && j->has_recovery && write_recovery(&j->recovery, rows, n))
        rc = -1;
    if (z >= 0)
        zone_swap(rows, n, -1, keep, region);
    free(keep);
    free(region);
    if (z < 0 || z == ST_ZONE_COUNT - 1)
        for (size_t k = 0; k < n; k++)
            st_course_result_clear(&rows[k]->res);
    return rc;
}

/* ---- the command ---- */

/* Warns about each subject of rows[0..n) (sorted by subject and region)
 * whose every region holds a single photo: each would be its own
 * baseline, so nothing is compared (the usual cause: visit folders not
 * named by date). */
static void warn_single_photos(cli_photo **rows, size_t n)
{
    for (size_t k = 0, e; k < n; k = e) {
        int single = 1;
        size_t regions = 0;
        for (e = k; e < n && !strcmp(rows[e]->subject, rows[k]->subject); e++) {
            if (e == k || strcmp(rows[e]->region, rows[e - 1]->region))
                regions++;
            else
                single = 0;
        }
        if (single && !(e - k == 1 && rows[k]->error))
            cli_error("warning: %s: %s a single photo, so nothing is "
                      "compared with a baseline; if its subfolders are "
                      "visits, name them by date (2026-03-02) or use a "
                      "manifest",
                      rows[k]->subject,
                      regions == 1 ? "its one course has" : "every region has");
    }
}

static int cmp_rows(const void *pa, const void *pb)
{
    const cli_photo *a = *(cli_photo *const *)pa, *b = *(cli_photo *const *)pb;
    int c = strcmp(a->subject, b->subject);
    if (!c)
        c = strcmp(a->region, b->region);
    return c ? c : (a < b ? -1 : a > b);
}

/* Opens an extra output (summary, recovery) and writes its header. */
static st_output *open_extra(const char *path, st_csv *csv, int crlf,
                             const char *cols)
{
    st_output *o = cli_output_open(path);
    if (!o)
        return NULL;
    st_csv_init(csv, st_output_stream(o));
    csv->crlf = crlf;
    st_csv_header(csv, cols);
    return o;
}

/* --treatment-dates: YYYY-MM-DD[,YYYY-MM-DD...] into *t (appended: the
 * option may be given more than once). 0, or -1 (reported). */
static int parse_dates(const char *cmd, const char *text, long **t, size_t *n)
{
    size_t m = 1;
    long *v;
    for (const char *s = text; *s; s++)
        m += *s == ',';
    if (!(v = realloc(*t, (*n + m) * sizeof *v))) {
        cli_error("out of memory");
        return -1;
    }
    *t = v;
    for (const char *s = text;; s++) {
        char date[16];
        size_t len = strcspn(s, ",");
        if (len >= sizeof date ||
            (memcpy(date, s, len), date[len] = '\0', len != 10) ||
            st_date_parse(date, &v[*n])) {
            char quoted[44];
            cli_clip(text, quoted, sizeof quoted);
            cli_usage(cmd,
                      "--treatment-dates wants real dates YYYY-MM-DD separated "
                      "by commas, not '%s'",
                      quoted);
            return -1;
        }
        ++*n;
        s += len;
        if (!*s)
            return 0;
    }
}

/* The options that do not go together, once all are read. 0, or
 * CLI_EXIT_USAGE (reported). */
static int check_options(job *j, const char *cmd, int argc, const char *output,
                         const char *report)
{
    if (j->m.region.has_roi && j->m.region.mask_path)
        return cli_usage(cmd, "--roi and --mask cannot be combined");
    if (j->m.region.face_zones &&
        (j->m.region.has_roi || j->m.region.mask_path ||
         j->m.region.skin_auto || j->m.region.skin_face))
        return cli_usage(cmd, "--regions face makes its own regions: no "
                              "--roi, --mask or --skin-mask with it");
    if (j->m.region.face_zones && j->m.has_reference)
        return cli_usage(cmd, "--reference-region does not combine with "
                              "--regions face");
    if (j->plan.followup_days && j->plan.followup_days <= j->plan.post_days)
        return cli_usage(cmd, "--followup-after must be more than "
                              "--post-days");
    cli_measure_finish(&j->m);
    if (j->share && !j->report_mode && !report)
        return cli_usage(cmd, "--share is for the report (skintrack report, "
                              "or course --report FILE)");
    if (optind >= argc)
        return cli_usage(cmd, "needs at least one folder or manifest");
    if (j->report_mode && !strcmp(output, "-") && isatty(STDOUT_FILENO))
        return cli_usage(cmd, "the report is a whole HTML page: write it "
                              "with -o REPORT.html (or redirect stdout)");
    return 0;
}

static int parse_options(int argc, char **argv, job *j, const char **output,
                         const char **summary, const char **recovery,
                         const char **report, const char **meta)
{
    const char *cmd = j->report_mode ? "report" : "course";
    double v;
    int c;

    st_read_options_init(&j->read);
    j->read.keep_8bit = 1; /* a quarter of the memory; same values */
    st_metrics_options_init(&j->m.metrics);
    st_course_options_init(&j->course);
    st_course_plan_options_init(&j->plan);
    j->course.jobs = cli_default_jobs();
    j->shard_k = j->shard_n = 1;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': *output = optarg; break;
        case 'q': j->quiet = 1; break;
        case 'h':
            cli_print_help(j->report_mode ? &cli_report_command
                                          : &cli_course_command);
            return -1;
        case OPT_REPORT:
            if (j->report_mode)
                return cli_usage(cmd, "the report goes to -o FILE");
            *report = optarg;
            break;
        case OPT_SUMMARY: *summary = optarg; break;
        case OPT_META: *meta = optarg; break;
        case OPT_SHARE: j->share = 1; break;
        case OPT_TREATMENT_DATES:
            if (parse_dates(cmd, optarg, &j->treat, &j->ntreat))
                return CLI_EXIT_USAGE;
            break;
        case OPT_ALIGNED:
            if (cli_check_dir(cmd, "--aligned", optarg))
                return CLI_EXIT_USAGE;
            j->aligned_dir = optarg;
            break;
        case OPT_RECOVERY: *recovery = optarg; break;
        case OPT_LAYOUT:
            if (j->report_mode)
                return cli_usage(cmd, "--layout is for course's CSV; report "
                                      "writes HTML");
            if (strcmp(optarg, "long") && strcmp(optarg, "wide"))
                return cli_usage(cmd, "--layout wants long or wide, not '%s'",
                                 optarg);
            j->wide = strcmp(optarg, "wide") == 0;
            break;
        case 'j':
            if (cli_parse_jobs(cmd, optarg, &j->course.jobs))
                return CLI_EXIT_USAGE;
            break;
        case OPT_SHARD:
            if (cli_parse_shard(optarg, &j->shard_k, &j->shard_n))
                return cli_usage(cmd,
                                 "--shard wants K/N with 1 <= K <= N, not "
                                 "'%s'",
                                 optarg);
            break;
        case OPT_POST_DAYS:
        case OPT_FOLLOWUP:
            if (cli_parse_number(cmd,
                                 c == OPT_POST_DAYS ? "--post-days"
                                                    : "--followup-after",
                                 optarg, c == OPT_POST_DAYS ? 0 : 1, 3650, &v))
                return CLI_EXIT_USAGE;
            if (v != floor(v))
                return cli_usage(cmd, "%s wants a whole number of days",
                                 c == OPT_POST_DAYS ? "--post-days"
                                                    : "--followup-after");
            if (c == OPT_POST_DAYS)
                j->plan.post_days = (int)v;
            else
                j->plan.followup_days = (int)v;
            break;
        default:
            if (cli_common_option(cmd, c, optarg, argv[optind - 1], &j->read,
                                  &j->crlf, &j->course.align, &j->m))
                return CLI_EXIT_USAGE;
        }
    }
    if ((c = check_options(j, cmd, argc, *output, *report)))
        return c;
    j->course.read = j->read;
    j->course.metrics = j->m.metrics;
    return 0;
}

/* The files a run writes: paths from the options, outputs once open. */
typedef struct run_files {
    const char *output, *summary, *recovery, *report, *meta;
    st_output *out, *sout, *rout, *mout;
} run_files;

/* The callbacks of st_course_measure and the progress line. */
static void setup_job(job *j)
{
    j->course.region = make_region;
    j->course.region_ctx = j;
    if (j->m.has_reference) {
        j->course.reference = make_reference;
        j->course.reference_ctx = j;
    }
    atomic_init(&j->pictures_failed, 0);
    j->prog.on = !j->quiet && isatty(STDERR_FILENO);
    if (j->prog.on) {
        j->course.progress = on_progress;
        j->course.progress_ctx = &j->prog;
        clock_gettime(CLOCK_MONOTONIC, &j->prog.start);
    }
}

/* The photos of the inputs argv[first..argc), sorted by subject and
 * region, this shard's in *rows[0..*nrows). 0, or -1 (reported). */
static int collect_rows(job *j, int first, int argc, char **argv,
                        cli_photos *list, cli_photo ***rows, size_t *nrows)
{
    cli_photo **r;
    size_t m = 0;
    for (int i = first; i < argc; i++)
        if (cli_course_collect(argv[i], &j->read, list))
            return -1;
    if ((j->m.overlay_dir || j->aligned_dir) && name_pictures(list))
        return -1;
    if (!(r = malloc((list->n ? list->n : 1) * sizeof *r))) {
        cli_error("out of memory");
        return -1;
    }
    *rows = r;
    for (size_t k = 0; k < list->n; k++)
        r[k] = &list->v[k];
    if (list->n)
        qsort(r, list->n, sizeof *r, cmp_rows);
    /* this shard's rows to the front, in order */
    for (size_t k = 0; k < list->n; k++)
        if (name_hash(r[k]->subject) % j->shard_n == j->shard_k - 1)
            r[m++] = r[k];
    *nrows = m;
    if (!j->quiet)
        warn_single_photos(r, m);
    j->prog.photos_total = m;
    j->prog.steps_total = 2.0 * (double)m;
    return 0;
}

/* The run's record (--meta, the report's "how it was made"). */
static cli_run make_record(job *j, int argc, char **argv, int has_report)
{
    return (cli_run){argc,
                     argv,
                     &j->read,
                     &j->course.align,
                     &j->m,
                     &j->plan,
                     j->treat,
                     j->ntreat,
                     j->report_mode ? NULL
                     : j->wide      ? "wide"
                                    : "long",
                     j->course.jobs,
                     j->shard_k,
                     j->shard_n,
                     j->m.overlay_dir,
                     j->aligned_dir,
                     has_report,
                     j->share};
}

/* Opens every output of the run (record: the run's, outliving it). 0, or
 * -1 (reported). */
static int open_outputs(job *j, run_files *fl, const cli_run *record)
{
    if (!j->report_mode) {
        if (!(fl->out = cli_output_open(fl->output)))
            return -1;
        st_csv_init(&j->out, st_output_stream(fl->out));
        j->out.crlf = j->crlf;
        j->has_out = 1;
        write_header(j);
    }
    if (fl->report && !(j->rep = cli_report_open(fl->report, j->share)))
        return -1;
    if (j->rep)
        cli_report_set_run(j->rep, record);
    if (fl->meta) {
        if (!(fl->mout = cli_output_open(fl->meta)))
            return -1;
        cli_run_write_json(st_output_stream(fl->mout), record);
    }
    if (j->rep || j->m.overlay_dir || j->aligned_dir) {
        j->course.view = on_view;
        j->course.view_ctx = j;
    }
    cli_face_open(&j->m.region);
    j->course.face = j->m.region.face_zones ? j->m.region.model : NULL;
    if (fl->summary && !(fl->sout = open_extra(fl->summary, &j->summary,
                                               j->crlf, summary_cols)))
        return -1;
    if (fl->recovery && !(fl->rout = open_extra(fl->recovery, &j->recovery,
                                                j->crlf, recovery_cols)))
        return -1;
    if (j->m.pore_list &&
        cli_pore_list_open(&j->pores, j->m.pore_list, 1, j->crlf))
        return -1;
    return 0;
}

/* Every course of rows[0..nrows) (sorted by subject and region). 0, or
 * -1 (reported). */
static int run_courses(job *j, cli_photo **rows, size_t nrows)
{
    for (size_t k = 0, se = 0; k < nrows;) {
        size_t e = k + 1;
        while (e < nrows && !strcmp(rows[e]->subject, rows[k]->subject) &&
               !strcmp(rows[e]->region, rows[k]->region))
            e++;
        if (k >= se) { /* a new subject */
            for (se = k + 1;
                 se < nrows && !strcmp(rows[se]->subject, rows[k]->subject);
                 se++)
                ;
            j->subject = rows + k;
            j->nsubject = se - k;
        }
        if (run_course(j, rows + k, e - k))
            return -1;
        j->prog.photos_done += e - k;
        j->prog.steps_done += 2.0 * (double)(e - k);
        j->prog.course_steps = 0;
        j->prog.course_photos = 0;
        if (j->prog.on)
            show_progress(&j->prog);
        k = e;
    }
    if (j->prog.on)
        fputc('\n', stderr);
    return 0;
}

/* Commits every output together, so a full disk leaves every previous
 * file; a report that could not be finished keeps the others back too.
 * Returns the exit status. */
static int commit_outputs(job *j, run_files *fl)
{
    int rc = j->failed || atomic_load(&j->pictures_failed) ? CLI_EXIT_FAILED
                                                           : CLI_EXIT_OK;
    st_output *v[6] = {fl->out,  fl->sout,     fl->rout,
                       fl->mout, j->pores.out, NULL};
    if (j->rep && !(v[5] = cli_report_finish(j->rep))) {
        for (int i = 0; i < 5; i++)
            if (v[i])
                cli_output_abort(v[i]);
        rc = CLI_EXIT_FAILED;
    } else if (cli_outputs_commit(v, 6)) {
        rc = CLI_EXIT_FAILED;
    }
    j->rep = NULL;
    j->pores.out = NULL;
    fl->mout = fl->rout = fl->sout = fl->out = NULL;
    return rc;
}

/* Discards what was not committed. */
static void abort_outputs(job *j, run_files *fl)
{
    cli_face_close(&j->m.region);
    if (j->rep)
        cli_report_abort(j->rep);
    if (fl->mout)
        cli_output_abort(fl->mout);
    if (fl->rout)
        cli_output_abort(fl->rout);
    if (fl->sout)
        cli_output_abort(fl->sout);
    if (fl->out)
        cli_output_abort(fl->out);
    cli_pore_list_close(&j->pores, 1);
}

static int run_mode(int argc, char **argv, int report_mode)
{
    run_files fl = {"-", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    cli_run record;
    cli_photos list = {0};
    cli_photo **rows = NULL;
    size_t nrows = 0;
    job j;
    int rc;

    memset(&j, 0, sizeof j);
    j.report_mode = report_mode;
    rc = parse_options(argc, argv, &j, &fl.output, &fl.summary, &fl.recovery,
                       &fl.report, &fl.meta);
    if (rc) {
        free(j.treat);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    setup_job(&j);
    j.has_summary = fl.summary != NULL;
    j.has_recovery = fl.recovery != NULL;
    if (report_mode)
        fl.report = fl.output;
    record = make_record(&j, argc, argv, fl.report != NULL);
    rc = CLI_EXIT_FAILED;
    if (collect_rows(&j, optind, argc, argv, &list, &rows, &nrows) == 0 &&
        open_outputs(&j, &fl, &record) == 0 &&
        run_courses(&j, rows, nrows) == 0)
        rc = commit_outputs(&j, &fl);
    abort_outputs(&j, &fl);
    free(rows);
    free(j.treat);
    cli_photos_free(&list);
    return rc;
}

static int run(int argc, char **argv)
{
    return run_mode(argc, argv, 0);
}

static int run_report(int argc, char **argv)
{
    return run_mode(argc, argv, 1);
}

const cli_command cli_course_command = {
    "course",
    "a treatment course per subject: every photo registered to the "
    "baseline, tracked",
    help,
    run,
    help_options,
};

static const char report_help[] =
    "Usage: skintrack report [OPTIONS] DIR|MANIFEST.csv... -o REPORT.html\n"
    "Measure treatment courses as `skintrack course` does and write one\n"
    "self-contained HTML file (no network, everything inlined) to show and\n"
    "check them: for every subject and region the photos registered to the\n"
    "baseline with a before/after slider, maps (redness against the\n"
    "baseline, pores circled, texture), a chart of every metric against\n"
    "days since baseline with the treatment sessions marked, the summary\n"
    "table and flags for photos to read with care. Inputs and options are\n"
    "those of course (skintrack course --help), except --layout; the\n"
    "numbers are the same as course's CSV for the same options.\n\n"
    "Options:\n"
    "  -o, --output FILE       write the report to FILE atomically (default:\n"
    "                          -)\n"
    "  --share                 name no file and no folder: subjects are\n"
    "                          numbered (a copy for the patient)\n"
    "  --summary FILE, --recovery FILE, --meta FILE, -j N, --shard K/N,\n"
    "  --post-days N, --treatment-dates D,..., --overlay DIR, --aligned DIR,\n"
    "  --followup-after N, --roi, --mask, --skin-mask, --white-balance,\n"
    "  --px-per-mm, --red-threshold, registration and reading options:\n"
    "                          as for course\n"
    "  -q, --quiet             no progress line, no failures on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 every photo ok, 1 some photo low_confidence or error\n"
    "(each is flagged in the report), 2 usage error.\n";

const cli_command cli_report_command = {
    "report",
    "an HTML report of treatment courses: photos, maps and charts",
    report_help,
    run_report,
};
