/* skintrack — `skintrack align`: register a moving photo to a reference.
 *
 * Prints one CSV row: the transform (normative homography reference ->
 * moving, plus the shift, rotation and scale of the similarity closest to
 * it at the reference centre), the model, the confidence, the overlap and
 * the residual misregistration in pixels. -o writes the moving photo resampled
 * into the reference frame, --overlay a checkerboard of the two.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack align [OPTIONS] REFERENCE MOVING\n"
    "Find the map (similarity, affine or homography) that takes REFERENCE\n"
    "onto MOVING and print one CSV row:\n"
    "  reference,moving,status,error,align_dx_px,align_dy_px,\n"
    "  align_rotation_deg,align_scale,align_confidence,overlap_pct,\n"
    "  align_residual_px,align_residual_p95_px,align_model,\n"
    "  h00,h01,h02,h10,h11,h12,h20,h21,h22\n"
    "The homography maps reference pixel coordinates to moving ones:\n"
    "w = h20 x + h21 y + h22, x_mov = (h00 x + h01 y + h02) / w,\n"
    "y_mov = (h10 x + h11 y + h12) / w (h22 = 1; h20 = h21 = 0 for the\n"
    "similarity and affine models), pixel centres at integers, (0,0) the\n"
    "top-left pixel, upright full-size images. dx, dy, rotation, scale: the\n"
    "similarity closest to the map at the reference centre (dx, dy: where\n"
    "the centre lands in MOVING, minus the centre; rotation: degrees,\n"
    "counter-clockwise on screen positive; scale: moving px per reference\n"
    "px). residual: median and 95th percentile of the local misregistration\n"
    "left, in reference px. status is ok, low_confidence (do not trust the\n"
    "numbers; error says why: confidence below the threshold, under 10%\n"
    "overlap, residual above --max-residual, or an estimate beyond\n"
    "--max-scale / --max-rotation) or error.\n\n"
    "Options:\n"
    "  -o, --output FILE       write MOVING resampled into the reference "
    "frame\n"
    "                          (.png with alpha = overlap, or .jpg)\n"
    "  --overlay FILE          write a checkerboard of REFERENCE and the "
    "aligned\n"
    "                          MOVING (.png or .jpg) to judge the alignment\n"
    "  --csv FILE              write the CSV to FILE atomically (default: "
    "-)\n" CLI_ALIGN_HELP CLI_READ_HELP
    "  -q, --quiet             do not report failures on stderr\n"
    "  -h, --help              show this help\n\n"
    "Exit status: 0 aligned (ok), 1 low_confidence or error, 2 usage error.\n";

enum { OPT_OVERLAY = CLI_OPT_FIRST_FREE, OPT_CSV };

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"overlay", required_argument, NULL, OPT_OVERLAY},
    {"csv", required_argument, NULL, OPT_CSV},
    CLI_ALIGN_LONGOPTS,
    CLI_READ_LONGOPTS,
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char header[] =
    "reference,moving,status,error,align_dx_px,align_dy_px,"
    "align_rotation_deg,align_scale,align_confidence,overlap_pct,"
    "align_residual_px,align_residual_p95_px,align_model,"
    "h00,h01,h02,h10,h11,h12,h20,h21,h22";

typedef struct job {
    const char *ref_path, *mov_path, *aligned_path, *overlay_path;
    st_read_options read;
    st_align_options align;
    int quiet;
} job;

static void error_row(st_csv *csv, const job *j, const char *cause)
{
    st_csv_text(csv, j->ref_path);
    st_csv_text(csv, j->mov_path);
    st_csv_text(csv, "error");
    st_csv_text(csv, cause);
    for (int i = 0; i < 18; i++)
        st_csv_empty(csv);
    st_csv_end_row(csv);
}

static void result_row(st_csv *csv, const job *j, const st_align_result *r)
{
    double h[9];
    st_csv_text(csv, j->ref_path);
    st_csv_text(csv, j->mov_path);
    st_csv_text(csv, st_align_status_name(r->status));
    st_csv_text(csv, r->status == ST_ALIGN_OK ? NULL : r->note);
    st_csv_number(csv, r->dx);
    st_csv_number(csv, r->dy);
    st_csv_number(csv, r->rotation_deg);
    st_csv_number(csv, r->scale);
    st_csv_number(csv, r->confidence);
    st_csv_number(csv, r->overlap_pct);
    st_csv_number(csv, r->residual_px);
    st_csv_number(csv, r->residual_p95_px);
    st_csv_text(csv, st_align_model_name(r->model));
    st_transform_matrix(&r->transform, h);
    for (int i = 0; i < 9; i++)
        st_csv_number(csv, h[i]);
    st_csv_end_row(csv);
}

/* The pictures asked for; 0 or -1 (reported). */
static int write_pictures(const job *j, const st_image *ref,
                          const st_image *mov, const st_image_info *mov_info,
                          const st_align_result *r)
{
    st_image *aligned = NULL, *check = NULL;
    st_error err = {0};
    int rc = 0;

    if (!j->aligned_path && !j->overlay_path)
        return 0;
    if (st_warp_image(&aligned, mov, &r->transform, ref->width, ref->height,
                      &err)) {
        cli_error("%s: %s", j->mov_path, st_error_text(&err));
        return -1;
    }
    if (j->aligned_path &&
        cli_write_image(j->aligned_path, aligned, mov_info->bit_depth))
        rc = -1;
    if (j->overlay_path) {
        if (st_warp_checkerboard(&check, ref, aligned, 64, &err)) {
            cli_error("%s", st_error_text(&err));
            rc = -1;
        } else if (cli_write_image(j->overlay_path, check, 8)) {
            rc = -1;
        }
    }
    st_image_free(aligned);
    st_image_free(check);
    return rc;
}

/* With no picture to write, registers on both photos decoded at 1/n
 * (st_align_reduction of the reference's size): the pyramid registration
 * works on is then made from the reduced decode. Returns 1 when done (*r
 * set, or *bad and *err on failure), 0 to decode at full size instead
 * (not JPEGs of exactly n times the reduced size, no reduction for the
 * size, or a reference whose header cannot be read: the full read says
 * why). */
static int align_reduced(const job *j, st_align_result *r, const char **bad,
                         st_error *err)
{
    st_image *ref = NULL, *mov = NULL;
    st_image_info info;
    st_align_options ao = j->align;
    st_error ignore = {0};
    int n, w, h, mw, mh, done = 0;

    if (j->aligned_path || j->overlay_path ||
        st_io_read(j->ref_path, &j->read, NULL, &info, &ignore) ||
        (n = st_align_reduction(info.width, info.height)) < 2)
        return 0;
    if (st_io_read_reduced(j->ref_path, &j->read, n, &ref, &w, &h, err)) {
        *bad = j->ref_path;
        return 1;
    }
    if (ref &&
        st_io_read_reduced(j->mov_path, &j->read, n, &mov, &mw, &mh, err)) {
        *bad = j->mov_path;
        done = 1;
    } else if (ref && mov) {
        ao.max_residual_px = INFINITY; /* checked at full resolution */
        if (st_align_estimate(ref, mov, &ao, r, err))
            *bad = j->mov_path;
        else
            st_align_to_full(r, n, w, h, mw, mh, j->align.max_residual_px);
        done = 1;
    }
    st_image_free(ref);
    st_image_free(mov);
    return done;
}

/* Reads, aligns, writes the row and pictures; returns the exit status. */
static int align_pair(st_csv *csv, const job *j)
{
    st_image *ref = NULL, *mov = NULL;
    st_image_info ref_info, mov_info;
    st_align_result r;
    st_error err = {0};
    int status = CLI_EXIT_FAILED, reduced;
    const char *bad = NULL;

    if ((reduced = align_reduced(j, &r, &bad, &err)))
        ;
    else if (st_io_read(j->ref_path, &j->read, &ref, &ref_info, &err) != ST_OK)
        bad = j->ref_path;
    else if (st_io_read(j->mov_path, &j->read, &mov, &mov_info, &err) != ST_OK)
        bad = j->mov_path;
    else if (st_align_estimate(ref, mov, &j->align, &r, &err) != ST_OK)
        bad = j->mov_path;
    if (bad) {
        if (!j->quiet)
            cli_error("%s: %s", bad, st_error_text(&err));
        error_row(csv, j, st_error_text(&err));
        goto done;
    }
    result_row(csv, j, &r);
    if (r.status != ST_ALIGN_OK && !j->quiet)
        cli_error("%s: alignment to %s has low confidence: %s", j->mov_path,
                  j->ref_path, r.note);
    status = r.status == ST_ALIGN_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    if (!reduced && write_pictures(j, ref, mov, &mov_info, &r))
        status = CLI_EXIT_FAILED;
done:
    st_image_free(ref);
    st_image_free(mov);
    return status;
}

static int run(int argc, char **argv)
{
    const char *csv_path = "-";
    job j = {0};
    st_output *out;
    st_csv csv;
    int crlf = 0, c, status;

    st_read_options_init(&j.read);
    j.read.keep_8bit = 1; /* a quarter of the memory; same values */
    st_align_options_init(&j.align);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': j.aligned_path = optarg; break;
        case 'q': j.quiet = 1; break;
        case 'h': cli_print_help(&cli_align_command); return CLI_EXIT_OK;
        case OPT_OVERLAY: j.overlay_path = optarg; break;
        case OPT_CSV: csv_path = optarg; break;
        default:
            if (cli_common_option("align", c, optarg, argv[optind - 1], &j.read,
                                  &crlf, &j.align, NULL))
                return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 2)
        return cli_usage("align",
                         "needs a REFERENCE and a MOVING image, got %d",
                         argc - optind);
    j.ref_path = argv[optind];
    j.mov_path = argv[optind + 1];
    if ((j.aligned_path &&
         cli_check_image_path("align", "-o", j.aligned_path)) ||
        (j.overlay_path &&
         cli_check_image_path("align", "--overlay", j.overlay_path)))
        return CLI_EXIT_USAGE;

    out = cli_output_open(csv_path);
    if (!out)
        return CLI_EXIT_FAILED;
    st_csv_init(&csv, st_output_stream(out));
    csv.crlf = crlf;
    st_csv_header(&csv, header);
    status = align_pair(&csv, &j);
    if (cli_output_commit(out))
        return CLI_EXIT_FAILED;
    return status;
}

const cli_command cli_align_command = {
    "align",
    "register a photo to a reference; homography, residual px, confidence",
    help,
    run,
};
