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
} cli_command;

extern const cli_command cli_info_command;
extern const cli_command cli_align_command;
extern const cli_command cli_metrics_command;
extern const cli_command cli_compare_command;

/* Long options every photo-reading command shares (getopt_long values),
 * their table entries and their help lines. */
enum {
    CLI_OPT_MAXMP = 256,
    CLI_OPT_NOORIENT,
    CLI_OPT_NOICC,
    CLI_OPT_CRLF,
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

/* Handles one of the shared options c (with optarg) for command: returns
 * 1 if c was one of them, 0 if not, -1 on a usage error (reported). */
int cli_read_option(const char *command, int c, const char *arg,
                    st_read_options *opt, int *crlf);

/* Reports getopt_long's ':' (missing value) or '?' (unknown option) for
 * the word arg; returns CLI_EXIT_USAGE. */
int cli_bad_option(const char *command, int c, const char *arg);

/* Writes img to path as PNG (.png, 8 or 16 bits) or JPEG (.jpg, .jpeg,
 * quality 92) by its extension, atomically; 0 or -1 (reported). */
int cli_write_image(const char *path, const st_image *img, int bit_depth);

/* "skintrack: " + message + newline on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

/* The measured region asked for on the command line. */
typedef struct cli_region {
    int roi[4], has_roi;   /* --roi X,Y,W,H */
    const char *mask_path; /* --mask MASK.png */
    int skin_auto;         /* --skin-mask auto */
} cli_region;

/* The region for img: --roi, --mask (read with read) or the whole photo,
 * intersected with the automatic skin mask when asked for. */
st_status cli_make_region(const cli_region *r, const st_read_options *read,
                          const st_image *img, st_region **reg, st_error *err);

/* Parses --skin-mask's value (auto or none) into r; 0, or -1 (reported). */
int cli_parse_skin_mask(const char *command, const char *text, cli_region *r);

/* Parses none | grayworld | patch:X,Y,W,H into wb; 0, or -1 (reported). */
int cli_parse_white_balance(const char *command, const char *text,
                            st_white_balance *wb);

/* Writes DIR/PREFIXSTEM-pores.png and DIR/PREFIXSTEM-redness.png for the
 * photo at path (STEM: its file name without extension), measured over reg
 * with m's pores and the white balance of opt. 0, or -1 (reported). */
int cli_write_overlays(const char *dir, const char *prefix, const char *path,
                       const st_image *img, const st_region *reg,
                       const st_metrics *m, const st_metrics_options *opt);

/* Opens the command's main output (path, or "-" for stdout) atomically and
 * arranges that SIGINT/SIGTERM remove its temporary file. NULL on failure
 * (already reported). */
st_output *cli_output_open(const char *path);

/* Commits the output opened by cli_output_open; 0 on success, else
 * reports the error and returns -1. */
int cli_output_commit(st_output *o);

/* Abandons it (temporary file removed). */
void cli_output_abort(st_output *o);

/* Prints the command's help text to stdout. */
void cli_print_help(const cli_command *cmd);

#endif
