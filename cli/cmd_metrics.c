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
    "pore_mean_diameter_mm, pore_area_pct, texture_fine_share,\n"
    "texture_medium_share, texture_coarse_share, spectral_slope,\n"
    "anisotropy, orientation_deg, roughness_rms, l_star_rel, a_star_rel,\n"
    "erythema_index_rel, melanin_index_rel (with --reference-region),\n"
    "region_px, calibration (none, grayworld, patch, chart, card),\n"
    "calibration_delta_e, target_clipped, skin_clipped_pct, light_r,\n"
    "light_g, light_b (the light: a white's linear R, G, B in the photo).\n"
    "Definitions, units and sources: docs/metrics.md.\n\n"
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
    st_timing *timing; /* --timing */
} job;

static void header(st_csv *csv)
{
    st_csv_text(csv, "file");
    st_csv_text(csv, "status");
    st_csv_text(csv, "error");
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        st_csv_text(csv, st_metrics_name(i));
    st_csv_text(csv, "region_px");
    for (int i = 0; i < CLI_CALIB_NCOLUMNS; i++)
        st_csv_text(csv, cli_calib_columns[i]);
    st_csv_end_row(csv);
}

static int measure_one(st_csv *csv, const job *j, const char *path)
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
    st_csv_text(csv, path);
    if (s != ST_OK) {
        if (!j->quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        st_csv_text(csv, "error");
        st_csv_text(csv, st_error_text(&err));
        for (int i = 0; i <= ST_METRICS_COUNT + CLI_CALIB_NCOLUMNS; i++)
            st_csv_empty(csv);
    } else {
        st_csv_text(csv, "ok");
        st_csv_empty(csv);
        for (int i = 0; i < ST_METRICS_COUNT; i++) {
            const char *t = st_metrics_text(&m, i);
            if (t)
                st_csv_text(csv, t);
            else
                st_csv_number(csv, st_metrics_value(&m, i));
        }
        st_csv_int(csv, (int64_t)m.region_px);
        cli_calib_fields(csv, &m);
        if (j->m.overlay_dir && cli_write_overlays(j->m.overlay_dir, "", path,
                                                   img, reg, &m, &j->m.metrics))
            s = ST_ERR_IO;
        st_metrics_clear(&m);
    }
    st_csv_end_row(csv);
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

    out = cli_output_open(output);
    if (!out)
        return CLI_EXIT_FAILED;
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    header(&csv);
    for (int i = optind; i < argc; i++)
        if (measure_one(&csv, &j, argv[i]))
            failed = 1;
    t0 = st_timing_clock();
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
