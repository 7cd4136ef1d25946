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
    "anisotropy, orientation_deg, roughness_rms, region_px.\n"
    "Definitions, units and sources: docs/metrics.md.\n\n"
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: -)\n"
    "  --roi X,Y,W,H           measure this rectangle only\n"
    "  --mask MASK.png         measure where MASK is non-zero (same size)\n"
    "  --skin-mask auto        measure skin only (colour rule: no hair, eyes,\n"
    "                          background); combines with --roi or --mask\n"
    "  --white-balance MODE    none (default), grayworld, or patch:X,Y,W,H\n"
    "                          (a grey card, scaled to 18% neutral grey)\n"
    "  --px-per-mm N           calibration: sizes in mm, bands in mm\n"
    "  --red-threshold A       a* above which a pixel is red "
    "(20)\n" CLI_READ_HELP
    "  -q, --quiet             do not report failed files on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 all photos measured, 1 some failed, 2 usage error.\n";

enum {
    OPT_ROI = CLI_OPT_FIRST_FREE,
    OPT_MASK,
    OPT_SKIN,
    OPT_WB,
    OPT_PXMM,
    OPT_RED,
    OPT_OVERLAY
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"roi", required_argument, NULL, OPT_ROI},
    {"mask", required_argument, NULL, OPT_MASK},
    {"overlay", required_argument, NULL, OPT_OVERLAY},
    {"skin-mask", required_argument, NULL, OPT_SKIN},
    {"white-balance", required_argument, NULL, OPT_WB},
    {"px-per-mm", required_argument, NULL, OPT_PXMM},
    {"red-threshold", required_argument, NULL, OPT_RED},
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct job {
    st_read_options read;
    st_metrics_options metrics;
    cli_region region;
    const char *overlay_dir;
    int quiet;
} job;

static void header(st_csv *csv)
{
    st_csv_text(csv, "file");
    st_csv_text(csv, "status");
    st_csv_text(csv, "error");
    for (int i = 0; i < ST_METRICS_COUNT; i++)
        st_csv_text(csv, st_metrics_name(i));
    st_csv_text(csv, "region_px");
    st_csv_end_row(csv);
}

static int measure_one(st_csv *csv, const job *j, const char *path)
{
    st_image *img = NULL;
    st_region *reg = NULL;
    st_metrics m;
    st_error err = {0};
    st_status s = st_io_read(path, &j->read, &img, NULL, &err);

    if (s == ST_OK)
        s = cli_make_region(&j->region, &j->read, img, &reg, &err);
    if (s == ST_OK)
        s = st_metrics_measure(img, reg, &j->metrics, &m, &err);
    st_csv_text(csv, path);
    if (s != ST_OK) {
        if (!j->quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        st_csv_text(csv, "error");
        st_csv_text(csv, st_error_text(&err));
        for (int i = 0; i <= ST_METRICS_COUNT; i++)
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
        if (j->overlay_dir && cli_write_overlays(j->overlay_dir, "", path, img,
                                                 reg, &m, &j->metrics))
            s = ST_ERR_IO;
        st_metrics_clear(&m);
    }
    st_csv_end_row(csv);
    st_region_free(reg);
    st_image_free(img);
    return s == ST_OK ? 0 : -1;
}

static int run(int argc, char **argv)
{
    const char *output = "-";
    job j = {0};
    st_output *out;
    st_csv csv;
    int crlf = 0, failed = 0, c;

    st_read_options_init(&j.read);
    st_metrics_options_init(&j.metrics);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': j.quiet = 1; break;
        case 'h': cli_print_help(&cli_metrics_command); return CLI_EXIT_OK;
        case OPT_ROI:
            if (cli_parse_rect("metrics", "--roi", optarg, j.region.roi))
                return CLI_EXIT_USAGE;
            j.region.has_roi = 1;
            break;
        case OPT_MASK: j.region.mask_path = optarg; break;
        case OPT_OVERLAY: j.overlay_dir = optarg; break;
        case OPT_SKIN:
            if (cli_parse_skin_mask("metrics", optarg, &j.region))
                return CLI_EXIT_USAGE;
            break;
        case OPT_WB:
            if (cli_parse_white_balance("metrics", optarg,
                                        &j.metrics.white_balance))
                return CLI_EXIT_USAGE;
            break;
        case OPT_PXMM:
            if (cli_parse_number("metrics", "--px-per-mm", optarg, 0.01, 1e5,
                                 &j.metrics.px_per_mm))
                return CLI_EXIT_USAGE;
            break;
        case OPT_RED:
            if (cli_parse_number("metrics", "--red-threshold", optarg, -128,
                                 128, &j.metrics.red_threshold))
                return CLI_EXIT_USAGE;
            break;
        default: {
            int r = cli_read_option("metrics", c, optarg, &j.read, &crlf);
            if (r < 0)
                return CLI_EXIT_USAGE;
            if (r == 0)
                return cli_bad_option("metrics", c, argv[optind - 1]);
        }
        }
    }
    if (j.region.has_roi && j.region.mask_path)
        return cli_usage("metrics", "--roi and --mask cannot be combined");
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
    if (cli_output_commit(out))
        return CLI_EXIT_FAILED;
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

const cli_command cli_metrics_command = {
    "metrics",
    "redness, pigment and tone, pores, texture of each photo",
    help,
    run,
};
