/* skintrack — `skintrack chart`: the colour chart in each photo, patch by
 * patch, corrected and against its reference values (a clinic's check of
 * its set-up).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack chart [OPTIONS] IMAGE...\n"
    "Find a ColorChecker Classic 24 in each photo (any quarter turn, a small\n"
    "tilt, patches from about 15 px), correct the photo with the 3x3 matrix\n"
    "fitted to the chart, and print one CSV row per patch:\n"
    "  file,status,error,chart,patch,name,x_px,y_px,l_star,a_star,b_star,\n"
    "  ref_l_star,ref_a_star,ref_b_star,delta_e00,clipped\n"
    "x_px, y_px: the patch centre in the upright photo; L*a*b* after the\n"
    "correction (D65); ref_*: the reference adapted from D50 to D65 by\n"
    "Bradford; delta_e00: CIEDE2000; clipped: 1 if the patch has clipped\n"
    "pixels (left out of the fit). A photo without a chart is an error row.\n"
    "Method and sources: docs/calibration.md.\n\n"
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: -)\n"
    "  --chart-reference R     classic-2014 (charts from Nov 2014, default),\n"
    "                          classic-2005 (before) or a CGATS "
    "file\n" CLI_READ_HELP
    "  -q, --quiet             do not report failures on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 a chart in every photo, 1 some photo failed, 2 usage "
    "error.\n";

enum { OPT_REF = CLI_OPT_FIRST_FREE };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"chart-reference", required_argument, NULL, OPT_REF},
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const columns[] = {
    "file",       "status",     "error",     "chart",  "patch",  "name",
    "x_px",       "y_px",       "l_star",    "a_star", "b_star", "ref_l_star",
    "ref_a_star", "ref_b_star", "delta_e00", "clipped"};
#define NCOL ((int)(sizeof columns / sizeof columns[0]))

static int one(st_csv *csv, const char *path, const st_read_options *read,
               const st_chart_reference *ref, int quiet)
{
    st_image *img = NULL;
    st_error err = {0};
    st_target_options to;
    st_target t;
    st_status s = st_io_read(path, read, &img, NULL, &err);

    st_target_options_init(&to);
    to.want = ST_TARGET_CHART;
    to.reference = ref;
    if (s == ST_OK)
        s = st_target_find(img, &to, &t, &err);
    if (s == ST_OK && t.kind != ST_TARGET_CHART) {
        s = err.status = ST_ERR_INVALID;
        snprintf(err.message, sizeof err.message, "no colour chart found");
    }
    st_image_free(img);
    if (s != ST_OK) {
        if (!quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        st_csv_text(csv, path);
        st_csv_text(csv, "error");
        st_csv_text(csv, st_error_text(&err));
        for (int k = 3; k < NCOL; k++)
            st_csv_empty(csv);
        st_csv_end_row(csv);
        return -1;
    }
    for (int p = 0; p < ST_CHART_PATCHES; p++) {
        st_csv_text(csv, path);
        st_csv_text(csv, "ok");
        st_csv_empty(csv);
        st_csv_text(csv, ref->name);
        st_csv_int(csv, p + 1);
        st_csv_text(csv, st_chart_patch_name(p));
        st_csv_number(csv, t.centre[p][0]);
        st_csv_number(csv, t.centre[p][1]);
        for (int k = 0; k < 3; k++)
            st_csv_number(csv, t.lab[p][k]);
        for (int k = 0; k < 3; k++)
            st_csv_number(csv, ref->lab[p][k]);
        st_csv_number(csv, t.patch_delta_e[p]);
        st_csv_int(csv, t.patch_clipped[p]);
        st_csv_end_row(csv);
    }
    return 0;
}

static int run(int argc, char **argv)
{
    const char *output = "-";
    st_read_options read;
    st_chart_reference ref;
    st_error err = {0};
    st_output *out;
    st_csv csv;
    int crlf = 0, quiet = 0, failed = 0, c;

    st_read_options_init(&read);
    read.keep_8bit = 1;
    if (st_chart_reference_builtin(&ref, "classic-2014", &err))
        return CLI_EXIT_FAILED;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case OPT_REF:
            if ((strcmp(optarg, "classic-2014") == 0 ||
                         strcmp(optarg, "classic-2005") == 0
                     ? st_chart_reference_builtin(&ref, optarg, &err)
                     : st_chart_reference_read(&ref, optarg, &err)) != ST_OK)
                return cli_usage("chart", "--chart-reference: %s",
                                 st_error_text(&err));
            break;
        case 'h': cli_print_help(&cli_chart_command); return CLI_EXIT_OK;
        default:
            if (cli_common_option("chart", c, optarg, argv[optind - 1], &read,
                                  &crlf, NULL, NULL))
                return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage("chart", "no image given");
    out = cli_output_open(output);
    if (!out)
        return CLI_EXIT_FAILED;
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    for (int k = 0; k < NCOL; k++)
        st_csv_text(&csv, columns[k]);
    st_csv_end_row(&csv);
    for (int i = optind; i < argc; i++)
        if (one(&csv, argv[i], &read, &ref, quiet))
            failed = 1;
    if (cli_output_commit(out))
        return CLI_EXIT_FAILED;
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

const cli_command cli_chart_command = {
    "chart",
    "the colour chart in each photo, patch by patch, against its reference",
    help,
    run,
};
