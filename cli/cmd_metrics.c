/* skintrack — `skintrack metrics`: skin metrics of each photo.
 *
 * One wide CSV row per photo: file, status, error, then every metric
 * (docs/metrics.md) over the region: the whole photo, --roi or --mask.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack metrics [OPTIONS] IMAGE...\n"
    "Measure redness, pigment and tone, pores and texture of each photo and\n"
    "print one CSV row per photo: file,status,error, then l_star_mean,\n"
    "a_star_mean, a_star_p90, b_star_mean, erythema_index, melanin_index,\n"
    "red_area_pct, ita_deg, ita_category, tone_evenness, pore_count,\n"
    "pore_density_per_cm2, pore_density_per_mp, pore_mean_diameter_px,\n"
    "pore_mean_diameter_mm, pore_area_pct, pore_search_px,\n"
    "pore_range_resolved, texture_fine_share, texture_medium_share,\n"
    "texture_coarse_share, spectral_slope, anisotropy, orientation_deg,\n"
    "roughness_rms, l_star_rel, a_star_rel, erythema_index_rel,\n"
    "melanin_index_rel (with --reference-region), region_px, region_cx_px,\n"
    "region_cy_px (the region's centroid), region (the face zone with\n"
    "--regions face, one row per zone; else empty), calibration (none,\n"
    "grayworld, patch, chart, card), calibration_delta_e, target_clipped,\n"
    "skin_clipped_pct, light_r, light_g, light_b (the light: a white's\n"
    "linear R, G, B in the photo). With --regions face, --overlay DIR\n"
    "writes DIR/NAME-zones.png, the zones outlined.\n"
    "Definitions, units and sources: docs/metrics.md, docs/faces.md.\n\n"
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: "
    "-)\n" CLI_MEASURE_HELP CLI_READ_HELP
    "  -j, --jobs N            threads (default: cores); --jobs 1 is the\n"
    "                          leanest in memory; results do not depend on it\n"
    "  --timing                print the time each stage took on stderr (with\n"
    "                          --jobs > 1 the stages of parallel work add up)\n"
    "  -q, --quiet             do not report failed files on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 all photos measured, 1 some failed, 2 usage error.\n";

enum { OPT_TIMING = CLI_OPT_FIRST_FREE };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    CLI_MEASURE_LONGOPTS,
    CLI_READ_LONGOPTS,
    {"timing", no_argument, NULL, OPT_TIMING},
    {"jobs", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct job {
    st_read_options read;
    cli_measure m;
    int quiet;
    st_timing *timing;   /* --timing */
    cli_pore_list pores; /* --pore-list */
} job;

static void header(st_csv *csv)
{
    st_csv_text(csv, "file");
    st_csv_text(csv, "status");
    st_csv_text(csv, "error");
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        st_csv_text(csv, st_metrics_name(i));
    st_csv_text(csv, "region_px");
    st_csv_text(csv, "region_cx_px");
    st_csv_text(csv, "region_cy_px");
    st_csv_text(csv, "region");
    for (int i = 0; i < CLI_CALIB_NCOLUMNS; i++)
        st_csv_text(csv, cli_calib_columns[i]);
    st_csv_end_row(csv);
}

/* The ok row of a photo measured over reg (named zone, or NULL). */
static void ok_row(st_csv *csv, const char *path, const st_metrics *m,
                   const st_region *reg, const char *zone)
{
    double cx, cy;
    st_csv_text(csv, path);
    st_csv_text(csv, "ok");
    st_csv_empty(csv);
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const char *t = st_metrics_text(m, i);
        if (t)
            st_csv_text(csv, t);
        else
            st_csv_number(csv, st_metrics_value(m, i));
    }
    st_csv_int(csv, (int64_t)m->region_px);
    st_region_centroid(reg, &cx, &cy);
    st_csv_number(csv, cx);
    st_csv_number(csv, cy);
    if (zone)
        st_csv_text(csv, zone);
    else
        st_csv_empty(csv);
    cli_calib_fields(csv, m);
    st_csv_end_row(csv);
}

/* The error row of a photo (zone NULL) or of one zone of its face. */
static void error_row(st_csv *csv, const char *path, const char *cause,
                      const char *zone)
{
    st_csv_text(csv, path);
    st_csv_text(csv, "error");
    st_csv_text(csv, cause);
    for (int i = 0; i < ST_METRICS_COUNT + 3; i++)
        st_csv_empty(csv);
    if (zone)
        st_csv_text(csv, zone);
    else
        st_csv_empty(csv);
    for (int i = 0; i < CLI_CALIB_NCOLUMNS; i++)
        st_csv_empty(csv);
    st_csv_end_row(csv);
}

/* --overlay with --regions face: DIR/STEM-zones.png, the photo with its
 * zones' outlines. 0, or -1 (reported). */
static int zones_picture(const char *dir, const char *path, const st_image *img,
                         st_region *const *zones)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *dot = strrchr(base, '.');
    int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    char out[4096];
    st_image *pic;
    st_error err = {0};
    int rc;
    if (st_face_draw_zones(&pic, img, zones, 0, &err)) {
        cli_error("%s: overlay: %s", path, st_error_text(&err));
        return -1;
    }
    snprintf(out, sizeof out, "%s/%.*s-zones.png", dir, stem, base);
    rc = cli_write_image(out, pic, 8);
    st_image_free(pic);
    return rc;
}

/* --regions face: a row per zone of the photo's face. */
static int measure_face(st_csv *csv, job *j, const char *path)
{
    st_image *img = NULL;
    st_face_result r;
    st_error err = {0};
    double t0 = st_timing_clock();
    st_status s = st_io_read(path, &j->read, &img, NULL, &err);

    t0 = st_timing_add(j->timing, ST_STAGE_DECODE, t0);
    if (s == ST_OK && !j->m.region.model) {
        err = j->m.region.model_error;
        s = err.status;
    }
    if (s == ST_OK)
        s = st_face_measure(j->m.region.model, img, &j->m.metrics, &r, &err);
    t0 = st_timing_clock();
    if (s != ST_OK) {
        if (!j->quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        error_row(csv, path, st_error_text(&err), NULL);
    } else {
        for (int z = 0; z < ST_ZONE_COUNT; z++) {
            if (r.status[z] == ST_OK) {
                ok_row(csv, path, &r.metrics[z], r.zones[z], st_zone_name(z));
                continue;
            }
            if (!j->quiet)
                cli_error("%s: %s: %s", path, st_zone_name(z),
                          st_error_text(&r.error[z]));
            error_row(csv, path, st_error_text(&r.error[z]), st_zone_name(z));
            s = r.status[z];
        }
        if (j->m.overlay_dir &&
            zones_picture(j->m.overlay_dir, path, img, r.zones))
            s = ST_ERR_IO;
        st_face_result_clear(&r);
    }
    st_timing_add(j->timing, ST_STAGE_OUTPUT, t0);
    st_image_free(img);
    return s == ST_OK ? 0 : -1;
}

static int measure_one(st_csv *csv, job *j, const char *path, const char *stem)
{
    st_image *img = NULL;
    st_region *reg = NULL, *ref = NULL;
    st_metrics_options mopt = j->m.metrics;
    st_metrics m;
    st_error err = {0};
    double t0 = st_timing_clock();
    st_status s = st_io_read(path, &j->read, &img, NULL, &err);

    t0 = st_timing_add(j->timing, ST_STAGE_DECODE, t0);
    if (s == ST_OK)
        s = cli_make_region(&j->m.region, &j->read, img, &reg, &err);
    t0 = st_timing_add(j->timing, ST_STAGE_REGION, t0);
    if (s == ST_OK)
        s = cli_make_reference(&j->m, &j->read, img, &ref, &err);
    mopt.reference = ref;
    if (s == ST_OK)
        s = st_metrics_measure(img, reg, &mopt, &m, &err);
    t0 = st_timing_clock();
    if (s != ST_OK) {
        if (!j->quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        error_row(csv, path, st_error_text(&err), NULL);
    } else {
        ok_row(csv, path, &m, reg, j->m.region.skin_face ? "face_skin" : NULL);
        cli_pore_list_add(&j->pores, path, &m.pores, j->m.metrics.px_per_mm,
                          NULL, 1);
        if (j->m.overlay_dir &&
            cli_write_overlays(j->m.overlay_dir, "", stem, path, img, reg, &m))
            s = ST_ERR_IO;
        st_metrics_clear(&m);
    }
    st_timing_add(j->timing, ST_STAGE_OUTPUT, t0);
    st_region_free(reg);
    st_region_free(ref);
    st_image_free(img);
    return s == ST_OK ? 0 : -1;
}

static int run(int argc, char **argv)
{
    const char *output = "-";
    job j = {0};
    st_output *out;
    st_csv csv;
    st_timing timing = {{0}};
    int crlf = 0, failed = 0, c;
    char **stems = NULL;
    double t0;

    st_read_options_init(&j.read);
    j.read.keep_8bit = 1; /* a quarter of the memory; same values */
    st_metrics_options_init(&j.m.metrics);
    j.m.metrics.pores.jobs = cli_default_jobs();
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': j.quiet = 1; break;
        case 'j':
            if (cli_parse_jobs("metrics", optarg, &j.m.metrics.pores.jobs))
                return CLI_EXIT_USAGE;
            break;
        case OPT_TIMING: j.timing = j.m.metrics.timing = &timing; break;
        case 'h': cli_print_help(&cli_metrics_command); return CLI_EXIT_OK;
        default:
            if (cli_common_option("metrics", c, optarg, argv[optind - 1],
                                  &j.read, &crlf, NULL, &j.m))
                return CLI_EXIT_USAGE;
        }
    }
    if (j.m.region.has_roi && j.m.region.mask_path)
        return cli_usage("metrics", "--roi and --mask cannot be combined");
    cli_measure_finish(&j.m);
    if (optind >= argc)
        return cli_usage("metrics", "no image given");
    if (j.m.region.face_zones && (j.m.region.has_roi || j.m.region.mask_path ||
                                  j.m.region.skin_auto || j.m.region.skin_face))
        return cli_usage("metrics", "--regions face makes its own regions: "
                                    "no --roi, --mask or --skin-mask with "
                                    "it");
    if (j.m.region.face_zones && j.m.has_reference)
        return cli_usage("metrics", "--reference-region does not combine "
                                    "with --regions face");

    if (j.m.overlay_dir &&
        !(stems = cli_unique_stems((const char *const *)argv + optind,
                                   (size_t)(argc - optind))))
        return CLI_EXIT_FAILED;
    out = cli_output_open(output);
    if (!out) {
        cli_free_names(stems, (size_t)(argc - optind));
        return CLI_EXIT_FAILED;
    }
    cli_face_open(&j.m.region);
    if (j.m.pore_list && cli_pore_list_open(&j.pores, j.m.pore_list, 0, crlf)) {
        cli_output_abort(out);
        cli_free_names(stems, (size_t)(argc - optind));
        cli_face_close(&j.m.region);
        return CLI_EXIT_FAILED;
    }
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    header(&csv);
    for (int i = optind; i < argc; i++)
        if (j.m.region.face_zones
                ? measure_face(&csv, &j, argv[i])
                : measure_one(&csv, &j, argv[i],
                              stems ? stems[i - optind] : NULL))
            failed = 1;
    cli_free_names(stems, (size_t)(argc - optind));
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
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

const cli_command cli_metrics_command = {
    "metrics",
    "redness, pigment and tone, pores, texture of each photo",
    help,
    run,
};
