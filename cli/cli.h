/* skintrack — what the subcommands of the program share.
 *
 * The program owns stdout, stderr and the exit status:
 *   0  every input succeeded
 *   1  some inputs failed (each still has a row with status and error)
 *   2  usage error (one line on stderr)
 * Messages start with "skintrack: " and name the file and the cause.
 */
#ifndef SKINTRACK_CLI_H
#define SKINTRACK_CLI_H

#include <stdio.h>

#include "skintrack/skintrack.h"

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

/* A subcommand: its name, a one-line summary, its full help text and its
 * entry point (argv[0] is the command name). */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *help;
    int (*run)(int argc, char **argv);
    const char *help_more; /* printed after help, or NULL (C11 compilers
                              need take no string literal above 4095) */
} cli_command;

extern const cli_command cli_info_command;
extern const cli_command cli_align_command;
extern const cli_command cli_metrics_command;
extern const cli_command cli_compare_command;
extern const cli_command cli_course_command;
extern const cli_command cli_report_command;
extern const cli_command cli_synth_command;
extern const cli_command cli_chart_command;

/* The measured region asked for on the command line. */
typedef struct cli_region {
    int roi[4], has_roi;    /* --roi X,Y,W,H */
    const char *mask_path;  /* --mask MASK.png */
    int skin_auto;          /* --skin-mask auto */
    int skin_face;          /* --skin-mask face */
    int face_zones;         /* --regions face */
    const char *face_model; /* --face-model FILE (NULL: the default) */
    /* the face model, loaded by cli_face_open when a face is asked for;
     * NULL with model_error set if it could not be */
    st_face_model *model;
    st_error model_error;
} cli_region;

/* Long options every photo-reading command shares (getopt_long values),
 * their table entries and their help lines. */
enum {
    CLI_OPT_MAXMP = 256,
    CLI_OPT_NOORIENT,
    CLI_OPT_NOICC,
    CLI_OPT_CRLF,
    /* registration (align, compare) */
    CLI_OPT_MAXROT,
    CLI_OPT_MAXSCALE,
    CLI_OPT_TRANSONLY,
    CLI_OPT_MINCONF,
    CLI_OPT_MODEL,
    CLI_OPT_MAXRES,
    /* measuring (metrics, compare) */
    CLI_OPT_ROI,
    CLI_OPT_MASK,
    CLI_OPT_SKIN,
    CLI_OPT_OVERLAY_DIR,
    CLI_OPT_WB,
    CLI_OPT_PXMM,
    CLI_OPT_RED,
    CLI_OPT_REFREG,
    CLI_OPT_CHARTREF,
    CLI_OPT_REGIONS,
    CLI_OPT_FACE_MODEL,
    CLI_OPT_PORE_LIST,
    CLI_OPT_FIRST_FREE /* commands number their own options from here */
};
#define CLI_READ_LONGOPTS                                                      \
    {"max-megapixels", required_argument, NULL, CLI_OPT_MAXMP},                \
        {"ignore-orientation", no_argument, NULL, CLI_OPT_NOORIENT},           \
        {"ignore-icc", no_argument, NULL, CLI_OPT_NOICC},                      \
    {                                                                          \
        "crlf", no_argument, NULL, CLI_OPT_CRLF                                \
    }
#define CLI_READ_HELP                                                          \
    "  --max-megapixels N      refuse images above N megapixels (120)\n"       \
    "  --ignore-orientation    keep pixels as stored, no EXIF orientation\n"   \
    "  --ignore-icc            take samples as sRGB, no colour profiles\n"     \
    "  --crlf                  end CSV records with CRLF instead of LF\n"

#define CLI_ALIGN_LONGOPTS                                                     \
    {"max-rotation", required_argument, NULL, CLI_OPT_MAXROT},                 \
        {"max-scale", required_argument, NULL, CLI_OPT_MAXSCALE},              \
        {"translation-only", no_argument, NULL, CLI_OPT_TRANSONLY},            \
        {"min-confidence", required_argument, NULL, CLI_OPT_MINCONF},          \
        {"model", required_argument, NULL, CLI_OPT_MODEL},                     \
    {                                                                          \
        "max-residual", required_argument, NULL, CLI_OPT_MAXRES                \
    }
#define CLI_ALIGN_HELP                                                         \
    "  --max-rotation DEG      largest rotation to consider (180: any)\n"      \
    "  --max-scale S           scale within 1/S .. S (3)\n"                    \
    "  --translation-only      register by a shift only\n"                     \
    "  --min-confidence C      threshold for a trusted registration (0.2)\n"   \
    "  --model M               similarity, affine, homography or auto\n"       \
    "                          (default: chosen by evidence)\n"                \
    "  --max-residual PX       largest trusted 95th percentile of the local\n" \
    "                          misregistration, full-size px (1.5)\n"

#define CLI_MEASURE_LONGOPTS                                                   \
    {"roi", required_argument, NULL, CLI_OPT_ROI},                             \
        {"mask", required_argument, NULL, CLI_OPT_MASK},                       \
        {"skin-mask", required_argument, NULL, CLI_OPT_SKIN},                  \
        {"overlay", required_argument, NULL, CLI_OPT_OVERLAY_DIR},             \
        {"white-balance", required_argument, NULL, CLI_OPT_WB},                \
        {"px-per-mm", required_argument, NULL, CLI_OPT_PXMM},                  \
        {"reference-region", required_argument, NULL, CLI_OPT_REFREG},         \
        {"chart-reference", required_argument, NULL, CLI_OPT_CHARTREF},        \
        {"regions", required_argument, NULL, CLI_OPT_REGIONS},                 \
        {"face-model", required_argument, NULL, CLI_OPT_FACE_MODEL},           \
        {"pore-list", required_argument, NULL, CLI_OPT_PORE_LIST},             \
    {                                                                          \
        "red-threshold", required_argument, NULL, CLI_OPT_RED                  \
    }
#define CLI_MEASURE_HELP                                                       \
    "  --roi X,Y,W,H           measure this rectangle only\n"                  \
    "  --mask MASK.png         measure where MASK is non-zero (same size)\n"   \
    "  --skin-mask auto        measure skin only (colour rule: no hair, "      \
    "eyes,\n"                                                                  \
    "                          background); combines with --roi or --mask\n"   \
    "  --skin-mask face        measure the face's skin: landmarks less "       \
    "eyes,\n"                                                                  \
    "                          brows, lips, nostrils, by the photo's own "     \
    "skin\n"                                                                   \
    "                          colour (keeps red skin; docs/faces.md)\n"       \
    "  --regions face          one row per face zone: forehead, cheek_left,\n" \
    "                          cheek_right, nose, chin (subject's sides)\n"    \
    "  --face-model FILE       dlib 68-point model (default: "                 \
    "$SKINTRACK_FACE_\n"                                                       \
    "                          MODEL, else " ST_FACE_MODEL_DEFAULT ")\n"       \
    "  --white-balance MODE    none (default), grayworld, patch:X,Y,W,H (a\n"  \
    "                          grey card there, scaled to 18% grey), auto\n"   \
    "                          (a colour chart, else a card, found in each\n"  \
    "                          photo), chart, card or card:Y (must be "        \
    "found;\n"                                                                 \
    "                          Y: the card's luminance factor, 0.18)\n"        \
    "  --chart-reference R     classic-2014 (default), classic-2005 or a\n"    \
    "                          CGATS file of the chart's 24 Lab values\n"      \
    "  --px-per-mm N           calibration: sizes and bands in mm\n"           \
    "  --reference-region X,Y,W,H|MASK.png  reference skin in the same "       \
    "photo:\n"                                                                 \
    "                          adds l_star_rel, a_star_rel,\n"                 \
    "                          erythema_index_rel, melanin_index_rel\n"        \
    "  --red-threshold A       a* above which a pixel is red, 0.1..128 (20)\n" \
    "  --overlay DIR           write DIR/NAME-pores.png (pores circled) and\n" \
    "                          DIR/NAME-redness.png (a* heat map, 0-30)\n"     \
    "  --pore-list FILE        write every pore found, one CSV row each\n"     \
    "                          (position, diameter, depth, significance)\n"

/* What the measuring options ask for. */
typedef struct cli_measure {
    st_chart_reference chart_ref; /* --chart-reference, if has_chart_ref */
    int has_chart_ref;
    cli_region region;
    cli_region reference; /* --reference-region (no skin mask) */
    int has_reference;
    st_metrics_options metrics;
    const char *overlay_dir;
    const char *pore_list; /* --pore-list FILE, or NULL */
} cli_measure;

/* Handles an option c (with its argument) that is not the command's own:
 * the reading options always, the registration options if align is
 * non-NULL, the measuring options if measure is non-NULL. word is the
 * command-line word it came from (argv[optind - 1]). Returns 0 if it was
 * handled, else reports the usage error (unknown option, missing or bad
 * value) and returns CLI_EXIT_USAGE. */
int cli_common_option(const char *command, int c, const char *arg,
                      const char *word, st_read_options *read, int *crlf,
                      st_align_options *align, cli_measure *measure);

/* Reports getopt_long's ':' (missing value) or '?' (unknown option) for
 * the word arg; returns CLI_EXIT_USAGE. */
int cli_bad_option(const char *command, int c, const char *arg);

/* The registration columns of a CSV row: their names, and their values
 * from a (NULL: empty fields). */
#define CLI_ALIGN_NCOLUMNS 18
extern const char *const cli_align_columns[CLI_ALIGN_NCOLUMNS];
void cli_align_fields(st_csv *csv, const st_align_result *a);

/* Writes img to path as PNG (.png, 8 or 16 bits) or JPEG (.jpg, .jpeg,
 * quality 92) by its extension, atomically; 0 or -1 (reported). */
int cli_write_image(const char *path, const st_image *img, int bit_depth);

/* "skintrack: " + message + newline on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --shard K/N: whole numbers, 1 <= K <= N <= 1000000; 0, or -1 (not
 * reported). */
int cli_parse_shard(const char *text, unsigned *k, unsigned *n);

/* Replaces control characters (newlines, tabs, escapes) in s with '?', so
 * a message quoting a file name or a field stays one line. */
void cli_one_line(char *s);

/* Copies s into out (size bytes), cut with "..." at a UTF-8 character
 * boundary if it does not fit: for quoting user text in a message. */
void cli_clip(const char *s, char *out, size_t size);

/* The default of --jobs: the online cores (1..64). */
int cli_default_jobs(void);

/* --jobs N: a whole number 1..256 into *jobs; else a usage error (returns
 * CLI_EXIT_USAGE). */
int cli_parse_jobs(const char *command, const char *text, int *jobs);

/* --timing: one line on stderr, "skintrack: timing (s): decode 0.141 ...
 * total 1.020", every stage of t in order. */
void cli_print_timing(const st_timing *t);

/* A usage error of command: prints "skintrack COMMAND: message" and a hint
 * to --help on one line, returns CLI_EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a finite number in [lo, hi] (C locale). 0 on success; on failure
 * reports the usage error for option and returns -1. */
int cli_parse_number(const char *command, const char *option, const char *text,
                     double lo, double hi, double *value);

/* Parses "X,Y,W,H" (four integers, W and H positive) into r. 0 on success;
 * on failure reports the usage error for option and returns -1. */
int cli_parse_rect(const char *command, const char *option, const char *text,
                   int r[4]);

/* The region for img: --roi, --mask (read with read) or the whole photo,
 * intersected with the automatic skin mask when asked for. */
st_status cli_make_region(const cli_region *r, const st_read_options *read,
                          const st_image *img, st_region **reg, st_error *err);

/* Loads the face model into r->model if --regions face or --skin-mask
 * face asked for it; a failure is kept in r->model_error, and every photo
 * then fails with it. */
void cli_face_open(cli_region *r);
void cli_face_close(cli_region *r);

/* Parses --skin-mask's value (auto, face or none) into r; 0, or -1
 * (reported). */
int cli_parse_skin_mask(const char *command, const char *text, cli_region *r);

/* Points m's white balance at its own --chart-reference (call once the
 * options are parsed and m will not move). */
void cli_measure_finish(cli_measure *m);

/* The calibration columns of a photo (after region_px in metrics, at the
 * end of course rows): calibration, calibration_delta_e, target_clipped,
 * skin_clipped_pct, light_r, light_g, light_b. */
#define CLI_CALIB_NCOLUMNS 7
extern const char *const cli_calib_columns[CLI_CALIB_NCOLUMNS];
void cli_calib_fields(st_csv *csv, const st_metrics *m);

/* The --reference-region of m on img into *out (NULL without one). */
st_status cli_make_reference(const cli_measure *m, const st_read_options *read,
                             const st_image *img, st_region **out,
                             st_error *err);

/* Parses none | grayworld | patch:X,Y,W,H into wb; 0, or -1 (reported). */
int cli_parse_white_balance(const char *command, const char *text,
                            st_white_balance *wb);

/* Writes DIR/PREFIXSTEM-pores.png and DIR/PREFIXSTEM-redness.png of the
 * photo at path (for messages), measured over reg with m's pores and white
 * balance gains. 0, or -1 (reported). */
int cli_write_overlays(const char *dir, const char *prefix, const char *stem,
                       const char *path, const st_image *img,
                       const st_region *reg, const st_metrics *m);

/* File-name stems for the pictures of paths[0..n), unique among them: the
 * file name without its extension, with as many of its parent folders as
 * it takes (joined by '_') to differ from the others' ("a/base.jpg" and
 * "b/base.jpg" give a_base and b_base); names still equal (the same file
 * twice) get -2, -3, ... in order. NULL when out of memory (reported);
 * free with cli_free_names(v, n). */
char **cli_unique_stems(const char *const *paths, size_t n);
void cli_free_names(char **v, size_t n);

/* Usage errors before any work: 0 if path names an image type that
 * cli_write_image writes (.png, .jpg, .jpeg), if path is a folder; else
 * the usage message (naming option) and -1. */
int cli_check_image_path(const char *command, const char *option,
                         const char *path);
int cli_check_dir(const char *command, const char *option, const char *path);

/* --pore-list: one CSV row per pore (docs/csv.md), written atomically.
 * Columns file, x_px, y_px (in the upright photo's pixels), diameter_px,
 * diameter_mm, depth (L*), significance, and with baseline set
 * baseline_x_px, baseline_y_px (the position in the baseline's frame). */
typedef struct cli_pore_list {
    st_output *out;
    st_csv csv;
    int baseline;
} cli_pore_list;

/* Opens path and writes the header; 0, or -1 (reported). */
int cli_pore_list_open(cli_pore_list *l, const char *path, int baseline,
                       int crlf);

/* The rows of the pores p of the photo file. px_per_mm: the photo's own
 * px per mm (0: uncalibrated, diameter_mm empty); to_base: its pixels to
 * the baseline's, or NULL: the photo is the baseline if is_base, else its
 * position there is unknown (empty: not registered). No-op if l->out is
 * NULL. */
void cli_pore_list_add(cli_pore_list *l, const char *file, const st_pores *p,
                       double px_per_mm, const st_transform *to_base,
                       int is_base);

/* Commits (0, or -1 reported) or, with failed set, abandons the file. */
int cli_pore_list_close(cli_pore_list *l, int failed);

/* Opens the command's main output (path, or "-" for stdout) atomically and
 * arranges that SIGINT/SIGTERM remove its temporary file. NULL on failure
 * (already reported). */
st_output *cli_output_open(const char *path);

/* Commits the output opened by cli_output_open; 0 on success, else
 * reports the error and returns -1. */
int cli_output_commit(st_output *o);

/* Abandons it (temporary file removed). */
void cli_output_abort(st_output *o);

/* Commits the outputs v[0..n) (NULL entries skipped) as a group: all are
 * flushed and synced first, and only if every one succeeded are they
 * renamed into place, so a full disk leaves every previous file as it was.
 * Every entry is committed or aborted and set to NULL; 0, or -1 (reported). */
int cli_outputs_commit(st_output **v, size_t n);

/* Prints the command's help text to stdout. */
void cli_print_help(const cli_command *cmd);

#endif
