/* skintrack — `skintrack info`: what skintrack reads from each photo.
 *
 * One CSV row per file: size after EXIF orientation, channels of the
 * decoded image, bits per sample in the file, the orientation applied, the
 * colour profile used, EXIF DateTimeOriginal, the format, the number of
 * pages (a multi-page TIFF is read from its first) and the camera of a
 * raw file. Every file is decoded in full, so a damaged one is caught here
 * rather than mid-course. --formats lists the formats read instead,
 * --metrics the metrics measured (the registry, metrics.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack info [OPTIONS] IMAGE...\n"
    "       skintrack info --formats | --metrics\n"
    "Decode each photo (JPEG, PNG, HEIC/HEIF/AVIF, TIFF, camera raw) and\n"
    "print one CSV row about it:\n"
    "  file,status,error,width,height,channels,bit_depth,orientation,\n"
    "  icc_profile,datetime_original,format,pages,camera\n"
    "width and height are after EXIF orientation; channels are those of the\n"
    "decoded image (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA); bit_depth is bits\n"
    "per sample in the file; orientation is the EXIF value applied (1 when\n"
    "absent); icc_profile describes the colour profile converted to sRGB\n"
    "(empty: sRGB assumed); datetime_original is EXIF DateTimeOriginal in\n"
    "ISO 8601 local time, with its UTC offset when the file records one;\n"
    "format is jpeg, png, heif, tiff or raw; pages counts the images in a\n"
    "TIFF (the first is read); camera is a raw file's make and model.\n"
    "A file that cannot be read gets status=error and the cause; the others\n"
    "are still listed.\n\n"
    "Options:\n"
    "  -o, --output FILE       write the CSV to FILE atomically (default: "
    "-)\n"
    "      --formats           list the formats read and their file-name\n"
    "                          extensions (CSV: format,name,extensions)\n"
    "      --metrics           list the metrics measured, in column order\n"
    "                          (CSV: metric,unit,type,scale,better,needs,\n"
    "                          title; docs/metrics.md)\n" CLI_READ_HELP
    "  -q, --quiet             do not report failed files on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 all files read, 1 some failed, 2 usage error.\n";

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"formats", no_argument, NULL, 'F'},
    {"metrics", no_argument, NULL, 'M'},
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char header[] =
    "file,status,error,width,height,channels,bit_depth,orientation,"
    "icc_profile,datetime_original,format,pages,camera";

/* Writes the row for one file; returns 0 if it was read. */
static int info_row(st_csv *csv, const char *path, const st_read_options *opt,
                    int quiet)
{
    st_image *img = NULL;
    st_image_info info;
    st_error err = {0};
    st_status s = st_io_read(path, opt, &img, &info, &err);

    st_csv_text(csv, path);
    if (s != ST_OK) {
        if (!quiet)
            cli_error("%s: %s", path, st_error_text(&err));
        st_csv_text(csv, "error");
        st_csv_text(csv, st_error_text(&err));
        for (int i = 0; i < 10; i++)
            st_csv_empty(csv);
        st_csv_end_row(csv);
        return -1;
    }
    st_csv_text(csv, "ok");
    st_csv_empty(csv);
    st_csv_int(csv, img->width);
    st_csv_int(csv, img->height);
    st_csv_int(csv, img->channels);
    st_csv_int(csv, info.bit_depth);
    st_csv_int(csv, info.orientation);
    st_csv_text(csv, info.color_description);
    st_csv_text(csv, info.datetime_original);
    st_csv_text(csv, st_file_format_name(info.format));
    st_csv_int(csv, info.pages);
    st_csv_text(csv, info.camera);
    st_csv_end_row(csv);
    st_image_free(img);
    return 0;
}

/* The format registry as CSV. */
static void list_formats(st_csv *csv)
{
    size_t n;
    const st_format_desc *f = st_io_formats(&n);

    st_csv_header(csv, "format,name,extensions");
    for (size_t i = 0; i < n; i++) {
        st_csv_text(csv, f[i].name);
        st_csv_text(csv, f[i].title);
        st_csv_text(csv, f[i].extensions);
        st_csv_end_row(csv);
    }
}

/* The metric registry as CSV: type number or text, scale ratio or
 * interval, better lower, higher or none, needs "reference" for the _rel
 * metrics. */
static void list_metrics(st_csv *csv)
{
    static const char *const better[] = {"none", "lower", "higher"};
    st_csv_header(csv, "metric,unit,type,scale,better,needs,title");
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        const st_metric_info *m = st_metrics_info(i);
        st_csv_text(csv, m->name);
        st_csv_text(csv, m->unit);
        st_csv_text(csv, m->type == ST_METRIC_TEXT ? "text" : "number");
        st_csv_text(csv, m->type == ST_METRIC_TEXT ? NULL
                         : m->ratio                ? "ratio"
                                                   : "interval");
        st_csv_text(csv, better[m->better]);
        st_csv_text(csv,
                    m->flags & ST_METRIC_NEEDS_REFERENCE ? "reference" : NULL);
        st_csv_text(csv, m->title);
        st_csv_end_row(csv);
    }
}

static int run(int argc, char **argv)
{
    const char *output = "-";
    st_read_options opt;
    st_output *out;
    st_csv csv;
    int quiet = 0, crlf = 0, failed = 0, formats = 0, metrics = 0, c;

    st_read_options_init(&opt);
    optind = 0; /* glibc: full re-initialisation, permutation on */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case 'F': formats = 1; break;
        case 'M': metrics = 1; break;
        case 'h': cli_print_help(&cli_info_command); return CLI_EXIT_OK;
        default:
            if (cli_common_option("info", c, optarg, argv[optind - 1], &opt,
                                  &crlf, NULL, NULL))
                return CLI_EXIT_USAGE;
        }
    }
    if (formats && metrics)
        return cli_usage("info", "--formats or --metrics, not both");
    if (optind >= argc && !formats && !metrics)
        return cli_usage("info", "no image given");
    if (optind < argc && (formats || metrics))
        return cli_usage("info", "%s takes no image",
                         formats ? "--formats" : "--metrics");

    out = cli_output_open(output);
    if (!out)
        return CLI_EXIT_FAILED;
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    if (formats || metrics) {
        if (formats)
            list_formats(&csv);
        else
            list_metrics(&csv);
        return cli_output_commit(out) ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    }
    st_csv_header(&csv, header);
    for (int i = optind; i < argc; i++)
        if (info_row(&csv, argv[i], &opt, quiet))
            failed = 1;
    if (cli_output_commit(out))
        return CLI_EXIT_FAILED;
    return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

const cli_command cli_info_command = {
    "info",
    "decode photos; report size, orientation, colour profile, date, format",
    help,
    run,
};
