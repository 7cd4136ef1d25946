/* skintrack — `skintrack compare`: before and after on the same skin.
 *
 * Registers AFTER to BEFORE, measures both on the region (given in
 * BEFORE's frame) cut to what both show, and prints the change: long rows
 * (one per metric) by default, one wide row with --layout wide.
 */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack compare [OPTIONS] BEFORE AFTER\n"
    "Register AFTER to BEFORE, measure both on the same skin (the region, in\n"
    "BEFORE's frame, cut to what AFTER also shows) and print the change.\n"
    "Long layout (default), one row per metric:\n"
    "  before_file,after_file,status,error,metric,unit,before,after,delta,\n"
    "  pct_change,align_confidence,overlap_pct,align_dx_px,align_dy_px,\n"
    "  align_rotation_deg,align_scale,calibration_before,calibration_after,\n"
    "  light_flag (docs/calibration.md)\n"
    "Wide layout: one row with the alignment, then METRIC_before,\n"
    "METRIC_after, METRIC_delta, METRIC_pct_change for every metric.\n"
    "pct_change is given for ratio-scale metrics only (counts, areas, sizes,\n"
    "shares, roughness); for L*, a*, b*, ITA, angles, slopes and the indices\n"
    "read delta. The long layout leaves out ita_category (text).\n"
    "With --regions face, rows for every face zone (forehead, cheek_left,\n"
    "cheek_right, nose, chin), each photo measured on the zones of its own\n"
    "landmarks, and the columns region, before_region_px, after_region_px,\n"
    "before_region_cx_px, before_region_cy_px, after_region_cx_px,\n"
    "after_region_cy_px after the light columns (docs/faces.md).\n"
    "Sizes are in BEFORE's pixels. status is ok, low_confidence (the photos\n"
    "could not be registered with confidence: each is measured on its own,\n"
    "and the change is not of the same skin) or error.\n"
    "Metrics: docs/metrics.md; registration: docs/align.md.\n\n";

/* the options, apart: C11 compilers need only take 4095-character strings */
static const char help_options[] =
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: -)\n"
    "  --layout long|wide      rows per metric (default) or one "
    "row\n" CLI_MEASURE_HELP CLI_ALIGN_HELP CLI_READ_HELP
    "  (--roi, --mask, --skin-mask and the card are in BEFORE's pixels;\n"
    "  --overlay names files before-NAME-... and after-NAME-..., each\n"
    "  picture in its own photo's frame)\n"
    "  -j, --jobs N            threads (default: cores); --jobs 1 is the\n"
    "                          leanest in memory; results do not depend on it\n"
    "  --timing                print the time each stage took on stderr (with\n"
    "                          --jobs > 1 the stages of parallel work add up)\n"
    "  -q, --quiet             do not report failures on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 compared (ok), 1 low_confidence or error, 2 usage error.\n";

enum { OPT_LAYOUT = CLI_OPT_FIRST_FREE, OPT_TIMING };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"layout", required_argument, NULL, OPT_LAYOUT},
    {"timing", no_argument, NULL, OPT_TIMING},
    {"jobs", required_argument, NULL, 'j'},
    CLI_MEASURE_LONGOPTS,
    CLI_ALIGN_LONGOPTS,
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define NALIGN CLI_ALIGN_NCOLUMNS

typedef struct job {
    const char *before, *after;
    st_read_options read;
    st_align_options align;
    cli_measure m;
    int wide, quiet;
    st_timing *timing;   /* --timing */
    cli_pore_list pores; /* --pore-list */
} job;

/* --regions face: the zone columns at the end of each row. */
#define NZONE 7
static const char *const zone_columns[NZONE] = {"region",
                                                "before_region_px",
                                                "after_region_px",
                                                "before_region_cx_px",
                                                "before_region_cy_px",
                                                "after_region_cx_px",
                                                "after_region_cy_px"};

static void header(st_csv *csv, int wide, int zones)
{
    const char *lead[] = {"before_file", "after_file", "status", "error"};
    for (int i = 0; i < 4; i++)
        st_csv_text(csv, lead[i]);
    if (!wide) {
        const char *cols[] = {"metric", "unit",  "before",
                              "after",  "delta", "pct_change"};
        for (int i = 0; i < 6; i++)
            st_csv_text(csv, cols[i]);
    }
    for (int i = 0; i < NALIGN; i++)
        st_csv_text(csv, cli_align_columns[i]);
    if (wide) {
        static const char *const suffix[] = {"before", "after", "delta",
                                             "pct_change"};
        for (int i = 0; i < ST_METRICS_COUNT; i++)
            for (int k = 0; k < 4; k++) {
                char name[64];
                snprintf(name, sizeof name, "%s_%s", st_metrics_name(i),
                         suffix[k]);
                st_csv_text(csv, name);
            }
    }
    st_csv_text(csv, "calibration_before");
    st_csv_text(csv, "calibration_after");
    st_csv_text(csv, "light_flag");
    for (int i = 0; zones && i < NZONE; i++)
        st_csv_text(csv, zone_columns[i]);
    st_csv_end_row(csv);
}

/* How each photo was calibrated and the light flags of AFTER (ma) against
 * BEFORE (mb) (docs/calibration.md). */
static void light_fields(st_csv *csv, const st_metrics *mb,
                         const st_metrics *ma)
{
    st_light_change lc;
    char flags[96];
    st_metrics_light_change(ma, mb, &lc);
    st_csv_text(csv, st_calibration_name(mb->calibration));
    st_csv_text(csv, st_calibration_name(ma->calibration));
    st_csv_text(csv, st_light_flags_text(lc.flags, flags, sizeof flags));
}

static void lead(st_csv *csv, const job *j, const char *status,
                 const char *error)
{
    st_csv_text(csv, j->before);
    st_csv_text(csv, j->after);
    st_csv_text(csv, status);
    st_csv_text(csv, error);
}

/* before, after, delta, pct_change of metric i. */
static void values(st_csv *csv, const st_metrics *mb, const st_metrics *ma,
                   int i)
{
    const char *tb = st_metrics_text(mb, i);
    if (tb) {
        st_csv_text(csv, tb);
        st_csv_text(csv, st_metrics_text(ma, i));
        st_csv_empty(csv);
        st_csv_empty(csv);
        return;
    }
    {
        double b = st_metrics_value(mb, i);
        double a = st_metrics_value(ma, i);
        st_csv_number(csv, b);
        st_csv_number(csv, a);
        st_csv_number(csv, a - b);
        st_csv_number(csv, st_metrics_pct_change(i, b, a));
    }
}

/* The zone columns: its name, pixel counts and centroids (zb, za NULL:
 * empty). */
static void zone_fields(st_csv *csv, const char *zone, const st_region *zb,
                        const st_region *za)
{
    double c[4];
    st_csv_text(csv, zone);
    if (!zb || !za) {
        for (int i = 1; i < NZONE; i++)
            st_csv_empty(csv);
        return;
    }
    st_csv_int(csv, (int64_t)zb->count);
    st_csv_int(csv, (int64_t)za->count);
    st_region_centroid(zb, &c[0], &c[1]);
    st_region_centroid(za, &c[2], &c[3]);
    for (int i = 0; i < 4; i++)
        st_csv_number(csv, c[i]);
}

/* The rows of one result: metrics mb and ma, and with zone non-NULL the
 * zone columns. */
static void write_rows(st_csv *csv, const job *j, const char *status,
                       const st_align_result *al, const st_metrics *mb,
                       const st_metrics *ma, const char *zone,
                       const st_region *zb, const st_region *za)
{
    if (j->wide) {
        lead(csv, j, status, NULL);
        cli_align_fields(csv, al);
        for (int i = 0; i < ST_METRICS_COUNT; i++)
            values(csv, mb, ma, i);
        light_fields(csv, mb, ma);
        if (zone)
            zone_fields(csv, zone, zb, za);
        st_csv_end_row(csv);
        return;
    }
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        if (st_metrics_text(mb, i) || !st_metrics_available(mb, i))
            continue; /* text lives in the wide layout: value stays numeric */
        lead(csv, j, status, NULL);
        st_csv_text(csv, st_metrics_name(i));
        st_csv_text(csv, st_metrics_unit(i));
        values(csv, mb, ma, i);
        cli_align_fields(csv, al);
        light_fields(csv, mb, ma);
        if (zone)
            zone_fields(csv, zone, zb, za);
        st_csv_end_row(csv);
    }
}

static void write_result(st_csv *csv, const job *j, const st_compare_result *r)
{
    write_rows(csv, j, st_align_status_name(r->align.status), &r->align,
               &r->before, &r->after, NULL, NULL, NULL);
}

/* An error row (zone: its name with --regions face, else NULL). */
static void write_error(st_csv *csv, const job *j, const char *cause,
                        const char *zone)
{
    lead(csv, j, "error", cause);
    for (int i = 0;
         i < (j->wide ? NALIGN + 4 * ST_METRICS_COUNT : 6 + NALIGN) + 3; i++)
        st_csv_empty(csv);
    if (j->m.region.face_zones)
        zone_fields(csv, zone ? zone : "", NULL, NULL);
    st_csv_end_row(csv);
}

/* Reads BEFORE and AFTER; with two or more jobs AFTER is read on a thread
 * of its own meanwhile. Returns the file that failed (BEFORE first, as
 * when read one after the other; *err its cause) or NULL. */
typedef struct after_read {
    const char *path;
    const st_read_options *read;
    st_image *img;
    st_error err;
    st_status s;
} after_read;

static void *read_after(void *arg)
{
    after_read *r = arg;
    r->s = st_io_read(r->path, r->read, &r->img, NULL, &r->err);
    return NULL;
}

static const char *read_pair(const job *j, st_image **b, st_image **a,
                             st_error *err)
{
    after_read r = {j->after, &j->read, NULL, {0}, ST_OK};
    pthread_t th;
    int threaded = j->m.metrics.pores.jobs >= 2 &&
                   pthread_create(&th, NULL, read_after, &r) == 0;
    st_status sb = st_io_read(j->before, &j->read, b, NULL, err);
    if (threaded)
        pthread_join(th, NULL);
    else if (sb == ST_OK)
        read_after(&r);
    *a = r.img;
    if (sb != ST_OK)
        return j->before;
    if (r.s != ST_OK) {
        *err = r.err;
        return j->after;
    }
    return NULL;
}

/* --regions face: each photo on the zones of its own face. */
static int compare_face(st_csv *csv, job *j)
{
    st_image *b = NULL, *a = NULL;
    st_face_compare_result r;
    st_error err = {0};
    const char *bad = NULL;
    int status = CLI_EXIT_FAILED;
    double t0 = st_timing_clock();

    if ((bad = read_pair(j, &b, &a, &err)) != NULL) {
        /* bad names the file that could not be read */
    } else if (!j->m.region.model) {
        err = j->m.region.model_error;
        bad = j->before;
    } else if ((t0 = st_timing_add(j->timing, ST_STAGE_DECODE, t0)),
               st_face_compare(j->m.region.model, b, a, &j->align,
                               &j->m.metrics, &r, &err) != ST_OK)
        bad = r.failed == 1 ? j->before : j->after;
    t0 = st_timing_clock();
    if (bad) {
        if (!j->quiet)
            cli_error("%s: %s", bad, st_error_text(&err));
        write_error(csv, j, st_error_text(&err), NULL);
        goto done;
    }
    status = r.registered ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    if (!r.registered && !j->quiet)
        cli_error("%s: registration to %s has low confidence (%.3f); sizes "
                  "are each photo's own pixels",
                  j->after, j->before, r.align.confidence);
    for (int z = 0; z < ST_ZONE_COUNT; z++) {
        const st_error *e = r.before.status[z]  ? &r.before.error[z]
                            : r.after.status[z] ? &r.after.error[z]
                                                : NULL;
        if (e) {
            if (!j->quiet)
                cli_error("%s: %s: %s",
                          r.before.status[z] ? j->before : j->after,
                          st_zone_name(z), st_error_text(e));
            write_error(csv, j, st_error_text(e), st_zone_name(z));
            status = CLI_EXIT_FAILED;
            continue;
        }
        write_rows(csv, j, st_align_status_name(r.align.status), &r.align,
                   &r.before.metrics[z], &r.after.metrics[z], st_zone_name(z),
                   r.before.zones[z], r.after.zones[z]);
    }
    st_face_compare_clear(&r);
done:
    st_timing_add(j->timing, ST_STAGE_OUTPUT, t0);
    st_image_free(b);
    st_image_free(a);
    return status;
}

static int compare(st_csv *csv, job *j)
{
    st_image *b = NULL, *a = NULL;
    st_region *reg = NULL, *ref = NULL;
    st_metrics_options mopt = j->m.metrics;
    st_compare_result r;
    st_error err = {0};
    const char *bad = NULL;
    int status = CLI_EXIT_FAILED;
    double t0 = st_timing_clock();

    if ((bad = read_pair(j, &b, &a, &err)) != NULL) {
        /* bad names the file that could not be read */
    } else if ((t0 = st_timing_add(j->timing, ST_STAGE_DECODE, t0)),
               cli_make_region(&j->m.region, &j->read, b, &reg, &err) != ST_OK)
        bad = j->before;
    else if (cli_make_reference(&j->m, &j->read, b, &ref, &err) != ST_OK)
        bad = j->before;
    else if ((t0 = st_timing_add(j->timing, ST_STAGE_REGION, t0)),
             (mopt.reference = ref),
             st_compare(b, a, reg, &j->align, &mopt, &r, &err) != ST_OK)
        bad = j->after;
    t0 = st_timing_clock();
    if (bad) {
        if (!j->quiet)
            cli_error("%s: %s", bad, st_error_text(&err));
        write_error(csv, j, st_error_text(&err), NULL);
        goto done;
    }
    write_result(csv, j, &r);
    if (r.align.status != ST_ALIGN_OK && !j->quiet)
        cli_error("%s: registration to %s has low confidence (%s); each "
                  "photo was measured on its own",
                  j->after, j->before, r.align.note);
    status = r.align.status == ST_ALIGN_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    {
        /* the after photo's pores in the before photo's frame */
        st_transform inv;
        int reg_ok =
            r.registered && !st_transform_invert(&r.align.transform, &inv);
        double k = r.registered ? r.align.scale : 1;
        cli_pore_list_add(&j->pores, j->before, &r.before.pores,
                          j->m.metrics.px_per_mm, NULL, 1);
        cli_pore_list_add(&j->pores, j->after, &r.after.pores,
                          j->m.metrics.px_per_mm * k, reg_ok ? &inv : NULL, 0);
    }
    if (j->m.overlay_dir) {
        const char *paths[2] = {j->before, j->after};
        char **stem = cli_unique_stems(paths, 2);
        if (!stem ||
            cli_write_overlays(j->m.overlay_dir, "before-", stem[0], j->before,
                               b, r.before_region, &r.before) ||
            cli_write_overlays(j->m.overlay_dir, "after-", stem[1], j->after, a,
                               r.after_region, &r.after))
            status = CLI_EXIT_FAILED;
        cli_free_names(stem, 2);
    }
    st_compare_clear(&r);
done:
    st_timing_add(j->timing, ST_STAGE_OUTPUT, t0);
    st_region_free(reg);
    st_region_free(ref);
    st_image_free(b);
    st_image_free(a);
    return status;
}

static int run(int argc, char **argv)
{
    const char *output = "-";
    job j = {0};
    st_output *out;
    st_csv csv;
    st_timing timing = {{0}};
    int crlf = 0, c, status;
    double t0;

    st_read_options_init(&j.read);
    j.read.keep_8bit = 1; /* a quarter of the memory; same values */
    st_metrics_options_init(&j.m.metrics);
    j.m.metrics.pores.jobs = cli_default_jobs();
    st_align_options_init(&j.align);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': j.quiet = 1; break;
        case 'j':
            if (cli_parse_jobs("compare", optarg, &j.m.metrics.pores.jobs))
                return CLI_EXIT_USAGE;
            break;
        case 'h': cli_print_help(&cli_compare_command); return CLI_EXIT_OK;
        case OPT_LAYOUT:
            if (strcmp(optarg, "long") && strcmp(optarg, "wide"))
                return cli_usage(
                    "compare", "--layout wants long or wide, not '%s'", optarg);
            j.wide = strcmp(optarg, "wide") == 0;
            break;
        case OPT_TIMING: j.timing = j.m.metrics.timing = &timing; break;
        default:
            if (cli_common_option("compare", c, optarg, argv[optind - 1],
                                  &j.read, &crlf, &j.align, &j.m))
                return CLI_EXIT_USAGE;
        }
    }
    if (j.m.region.has_roi && j.m.region.mask_path)
        return cli_usage("compare", "--roi and --mask cannot be combined");
    cli_measure_finish(&j.m);
    if (argc - optind != 2)
        return cli_usage("compare", "needs BEFORE and AFTER, got %d image%s",
                         argc - optind, argc - optind == 1 ? "" : "s");
    j.before = argv[optind];
    j.after = argv[optind + 1];

    if (j.m.region.face_zones &&
        (j.m.region.has_roi || j.m.region.mask_path || j.m.region.skin_auto ||
         j.m.region.skin_face || j.m.overlay_dir))
        return cli_usage("compare", "--regions face makes its own regions: "
                                    "no --roi, --mask, --skin-mask or "
                                    "--overlay with it");
    if (j.m.region.face_zones && j.m.has_reference)
        return cli_usage("compare", "--reference-region does not combine "
                                    "with --regions face");

    out = cli_output_open(output);
    if (!out)
        return CLI_EXIT_FAILED;
    if (j.m.pore_list && cli_pore_list_open(&j.pores, j.m.pore_list, 1, crlf)) {
        cli_output_abort(out);
        return CLI_EXIT_FAILED;
    }
    cli_face_open(&j.m.region);
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    header(&csv, j.wide, j.m.region.face_zones);
    status = (j.m.region.face_zones ? compare_face : compare)(&csv, &j);
    cli_face_close(&j.m.region);
    t0 = st_timing_clock();
    if (cli_pore_list_close(&j.pores, 0)) {
        cli_output_abort(out);
        return CLI_EXIT_FAILED;
    }
    if (cli_output_commit(out))
        return CLI_EXIT_FAILED;
    if (j.timing) {
        st_timing_add(j.timing, ST_STAGE_OUTPUT, t0);
        cli_print_timing(j.timing);
    }
    return status;
}

const cli_command cli_compare_command = {
    "compare",
    "register AFTER to BEFORE, measure both on the same skin, the change",
    help,
    run,
    help_options,
};
