/* skintrack — helpers shared by the subcommands.
 *
 *   cli_error, cli_usage       messages on stderr
 *   cli_parse_number           strict numeric options
 *   cli_output_open/_commit/_abort   atomic main output with signal cleanup
 *   cli_print_help             per-command help
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cli.h"

void cli_one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

void cli_clip(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    if (n < size) {
        memcpy(out, s, n + 1);
        return;
    }
    n = size >= 4 ? size - 4 : 0;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--; /* do not cut a UTF-8 character in two */
    memcpy(out, s, n);
    memcpy(out + n, "...", size >= 4 ? 4 : 0);
    if (size < 4 && size)
        out[0] = '\0';
}

/* Prints prefix and the formatted message on stderr as one line. */
static void one_line_message(const char *prefix, const char *suffix,
                             const char *fmt, va_list ap)
{
    char buf[8192];
    vsnprintf(buf, sizeof buf, fmt, ap);
    cli_one_line(buf);
    fprintf(stderr, "%s%s%s\n", prefix, buf, suffix);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    one_line_message("skintrack: ", "", fmt, ap);
    va_end(ap);
}

int cli_default_jobs(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (cores > 64 ? 64 : (int)cores) : 1;
}

int cli_parse_jobs(const char *command, const char *text, int *jobs)
{
    double v;
    if (cli_parse_number(command, "--jobs", text, 1, 256, &v))
        return CLI_EXIT_USAGE;
    if (v != floor(v))
        return cli_usage(command, "--jobs wants a whole number, not '%s'",
                         text);
    *jobs = (int)v;
    return 0;
}

void cli_print_timing(const st_timing *t)
{
    double total = 0;
    fputs("skintrack: timing (s):", stderr);
    for (int i = 0; i < ST_STAGE_COUNT; i++) {
        fprintf(stderr, " %s %.3f", st_stage_name((st_stage)i), t->seconds[i]);
        total += t->seconds[i];
    }
    fprintf(stderr, " total %.3f\n", total);
}

int cli_usage(const char *command, const char *fmt, ...)
{
    char prefix[64], suffix[64];
    va_list ap;
    snprintf(prefix, sizeof prefix, "skintrack %s: ", command);
    snprintf(suffix, sizeof suffix, " (see 'skintrack %s --help')", command);
    va_start(ap, fmt);
    one_line_message(prefix, suffix, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_parse_number(const char *command, const char *option, const char *text,
                     double lo, double hi, double *value)
{
    double v;
    if (st_parse_double(text, &v) != 0) {
        cli_usage(command, "%s wants a number, not '%s'", option, text);
        return -1;
    }
    if (v < lo || v > hi) {
        cli_usage(command, "%s must be between %g and %g, not %s", option, lo,
                  hi, text);
        return -1;
    }
    *value = v;
    return 0;
}

int cli_parse_rect(const char *command, const char *option, const char *text,
                   int r[4])
{
    const char *p = text;
    int v4[4];
    for (int i = 0; i < 4; i++) {
        char *end;
        long v;
        if (!isdigit((unsigned char)*p)) /* no sign, no space */
            goto bad;
        errno = 0;
        v = strtol(p, &end, 10);
        if (errno || v > 1000000 || end == p)
            goto bad;
        v4[i] = (int)v;
        p = end;
        if (i < 3 && *p++ != ',')
            goto bad;
    }
    if (*p || v4[2] <= 0 || v4[3] <= 0)
        goto bad;
    memcpy(r, v4, sizeof v4); /* r is untouched by a refused value */
    return 0;
bad:
    cli_usage(command,
              "%s wants X,Y,W,H (whole pixels, W and H above 0), "
              "not '%s'",
              option, text);
    return -1;
}

int cli_parse_shard(const char *text, unsigned *k, unsigned *n)
{
    char *end;
    unsigned long a, b;
    if (*text < '0' || *text > '9')
        return -1;
    a = strtoul(text, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return -1;
    b = strtoul(end + 1, &end, 10);
    if (*end || a < 1 || b < 1 || a > b || b > 1000000)
        return -1;
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

/* The temporary files a signal must remove: copies of their names, so they
 * stay valid while an output is committed and freed. A command has at
 * most a few outputs open at once. */
enum { MAX_PENDING = 8 };
static char pending_temp[MAX_PENDING][4096];
static volatile sig_atomic_t pending[MAX_PENDING];
static const int watched[3] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[3];
static int installed;

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending_temp[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Installs the handlers (once); signals the shell told us to ignore
 * (nohup, background jobs) stay ignored. */
static void install_handlers(void)
{
    if (installed)
        return;
    for (int i = 0; i < 3; i++) {
        struct sigaction sa;
        sigaction(watched[i], NULL, &saved[i]);
        if (saved[i].sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(watched[i], &sa, NULL);
    }
    installed = 1;
}

/* Removes the temporary file temp if the run is killed. */
static void watch_add(const char *temp)
{
    if (!temp || !*temp || strlen(temp) >= sizeof pending_temp[0])
        return;
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            memcpy(pending_temp[i], temp, strlen(temp) + 1);
            pending[i] = 1;
            install_handlers();
            return;
        }
}

/* Stops watching temp; with none left, the original dispositions return. */
static void watch_remove(const char *temp)
{
    int left = 0;
    for (int i = 0; i < MAX_PENDING; i++) {
        if (pending[i] && temp && strcmp(pending_temp[i], temp) == 0)
            pending[i] = 0;
        left |= pending[i];
    }
    if (left || !installed)
        return;
    for (int i = 0; i < 3; i++)
        sigaction(watched[i], &saved[i], NULL);
    installed = 0;
}

st_output *cli_output_open(const char *path)
{
    st_output *o;
    st_error err = {0};
    sigset_t block, old;
    st_status s;

    /* A signal between creating the temporary file and watching it would
     * leave the file behind: it waits until the name is recorded. */
    sigemptyset(&block);
    for (int i = 0; i < 3; i++)
        sigaddset(&block, watched[i]);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    s = st_output_open(&o, path, &err);
    if (s == ST_OK)
        watch_add(st_output_temp_path(o));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (s != ST_OK) {
        cli_error("%s", st_error_text(&err));
        return NULL;
    }
    return o;
}

int cli_output_commit(st_output *o)
{
    st_error err = {0};
    char temp[4096];
    st_status s;
    snprintf(temp, sizeof temp, "%s",
             st_output_temp_path(o) ? st_output_temp_path(o) : "");
    s = st_output_commit(o, &err);
    watch_remove(temp);
    if (s != ST_OK) {
        cli_error("%s", st_error_text(&err));
        return -1;
    }
    return 0;
}

int cli_outputs_commit(st_output **v, size_t n)
{
    st_error err = {0};
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (v[i] && st_output_sync(v[i], &err) != ST_OK) {
            cli_error("%s", st_error_text(&err));
            rc = -1;
        }
    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        if (rc)
            cli_output_abort(v[i]);
        else if (cli_output_commit(v[i]))
            rc = -1;
        v[i] = NULL;
    }
    return rc;
}

void cli_output_abort(st_output *o)
{
    char temp[4096];
    snprintf(temp, sizeof temp, "%s",
             st_output_temp_path(o) ? st_output_temp_path(o) : "");
    st_output_abort(o);
    watch_remove(temp);
}

int cli_pore_list_open(cli_pore_list *l, const char *path, int baseline,
                       int crlf)
{
    static const char *const cols[] = {
        "file",  "x_px",         "y_px",          "diameter_px",  "diameter_mm",
        "depth", "significance", "baseline_x_px", "baseline_y_px"};
    memset(l, 0, sizeof *l);
    if (!(l->out = cli_output_open(path)))
        return -1;
    l->baseline = baseline;
    st_csv_init(&l->csv, st_output_stream(l->out));
    l->csv.crlf = crlf;
    for (int i = 0; i < (baseline ? 9 : 7); i++)
        st_csv_text(&l->csv, cols[i]);
    st_csv_end_row(&l->csv);
    return 0;
}

void cli_pore_list_add(cli_pore_list *l, const char *file, const st_pores *p,
                       double px_per_mm, const st_transform *to_base,
                       int is_base)
{
    if (!l->out)
        return;
    for (int i = 0; i < p->count; i++) {
        const st_pore *q = &p->list[i];
        st_csv_text(&l->csv, file);
        st_csv_number(&l->csv, q->x);
        st_csv_number(&l->csv, q->y);
        st_csv_number(&l->csv, q->diameter);
        st_csv_number(&l->csv, px_per_mm > 0 ? q->diameter / px_per_mm : NAN);
        st_csv_number(&l->csv, q->depth);
        st_csv_number(&l->csv, q->significance);
        if (l->baseline) {
            double bx = is_base || to_base ? q->x : NAN,
                   by = bx == bx ? q->y : NAN;
            if (to_base)
                st_transform_apply(to_base, q->x, q->y, &bx, &by);
            st_csv_number(&l->csv, bx);
            st_csv_number(&l->csv, by);
        }
        st_csv_end_row(&l->csv);
    }
}

int cli_pore_list_close(cli_pore_list *l, int failed)
{
    int r = 0;
    if (!l->out)
        return 0;
    if (failed)
        cli_output_abort(l->out);
    else
        r = cli_output_commit(l->out);
    l->out = NULL;
    return r;
}

void cli_print_help(const cli_command *cmd)
{
    fputs(cmd->help, stdout);
    if (cmd->help_more)
        fputs(cmd->help_more, stdout);
}

static int align_option(const char *command, int c, const char *arg,
                        st_align_options *a)
{
    switch (c) {
    case CLI_OPT_MAXROT:
        return cli_parse_number(command, "--max-rotation", arg, 0, 180,
                                &a->max_rotation_deg)
                   ? -1
                   : 1;
    case CLI_OPT_MAXSCALE:
        return cli_parse_number(command, "--max-scale", arg, 1, 10,
                                &a->max_scale)
                   ? -1
                   : 1;
    case CLI_OPT_TRANSONLY: a->translation_only = 1; return 1;
    case CLI_OPT_MINCONF:
        return cli_parse_number(command, "--min-confidence", arg, -1, 1,
                                &a->min_confidence)
                   ? -1
                   : 1;
    case CLI_OPT_MODEL:
        if (st_align_model_parse(arg, &a->model) == 0)
            return 1;
        cli_usage(command,
                  "--model: '%s' is not similarity, affine, homography or "
                  "auto",
                  arg);
        return -1;
    case CLI_OPT_MAXRES:
        return cli_parse_number(command, "--max-residual", arg, 0, 1000,
                                &a->max_residual_px)
                   ? -1
                   : 1;
    default: return 0;
    }
}

/* --reference-region X,Y,W,H | MASK.png: 1, or -1 (reported). */
static int parse_reference(const char *command, const char *arg, cli_measure *m)
{
    memset(&m->reference, 0, sizeof m->reference);
    m->has_reference = 1;
    if (strncmp(arg, "face:", 5) == 0) {
        cli_usage(command,
                  "--reference-region %s: a face zone cannot be "
                  "the reference (give X,Y,W,H or a mask)",
                  arg);
        return -1;
    }
    if (arg[0] && strchr("0123456789", arg[0]) && strchr(arg, ',')) {
        if (cli_parse_rect(command, "--reference-region", arg,
                           m->reference.roi))
            return -1;
        m->reference.has_roi = 1;
    } else {
        m->reference.mask_path = arg;
    }
    return 1;
}

static int measure_option(const char *command, int c, const char *arg,
                          cli_measure *m)
{
    switch (c) {
    case CLI_OPT_ROI:
        if (cli_parse_rect(command, "--roi", arg, m->region.roi))
            return -1;
        m->region.has_roi = 1;
        return 1;
    case CLI_OPT_MASK: m->region.mask_path = arg; return 1;
    case CLI_OPT_SKIN:
        return cli_parse_skin_mask(command, arg, &m->region) ? -1 : 1;
    case CLI_OPT_OVERLAY_DIR:
        if (cli_check_dir(command, "--overlay", arg))
            return -1;
        m->overlay_dir = arg;
        return 1;
    case CLI_OPT_REGIONS:
        if (strcmp(arg, "face") && strcmp(arg, "none")) {
            cli_usage(command, "--regions wants face or none, not '%s'", arg);
            return -1;
        }
        m->region.face_zones = strcmp(arg, "face") == 0;
        return 1;
    case CLI_OPT_FACE_MODEL: m->region.face_model = arg; return 1;
    case CLI_OPT_PORE_LIST: m->pore_list = arg; return 1;
    case CLI_OPT_WB:
        return cli_parse_white_balance(command, arg, &m->metrics.white_balance)
                   ? -1
                   : 1;
    case CLI_OPT_REFREG: return parse_reference(command, arg, m);
    case CLI_OPT_CHARTREF: {
        st_error err = {0};
        st_status st =
            strcmp(arg, "classic-2014") == 0 || strcmp(arg, "classic-2005") == 0
                ? st_chart_reference_builtin(&m->chart_ref, arg, &err)
                : st_chart_reference_read(&m->chart_ref, arg, &err);
        if (st) {
            cli_usage(command, "--chart-reference: %s", st_error_text(&err));
            return -1;
        }
        m->has_chart_ref = 1;
        return 1;
    }
    case CLI_OPT_PXMM:
        return cli_parse_number(command, "--px-per-mm", arg, 0.01, 1e5,
                                &m->metrics.px_per_mm)
                   ? -1
                   : 1;
    case CLI_OPT_RED:
        /* 0 or less would silently mean the library's default */
        return cli_parse_number(command, "--red-threshold", arg, 0.1, 128,
                                &m->metrics.red_threshold)
                   ? -1
                   : 1;
    default: return 0;
    }
}

/* 1 handled, 0 not one of the shared options, -1 bad value (reported). */
static int shared_option(const char *command, int c, const char *arg,
                         st_read_options *read, int *crlf,
                         st_align_options *align, cli_measure *measure)
{
    int r;
    switch (c) {
    case CLI_OPT_MAXMP:
        return cli_parse_number(command, "--max-megapixels", arg, 1e-6, 1e6,
                                &read->max_megapixels)
                   ? -1
                   : 1;
    case CLI_OPT_NOORIENT: read->ignore_orientation = 1; return 1;
    case CLI_OPT_NOICC: read->ignore_color_profile = 1; return 1;
    case CLI_OPT_CRLF: *crlf = 1; return 1;
    default: break;
    }
    if (align && (r = align_option(command, c, arg, align)) != 0)
        return r;
    if (measure && (r = measure_option(command, c, arg, measure)) != 0)
        return r;
    return 0;
}

int cli_common_option(const char *command, int c, const char *arg,
                      const char *word, st_read_options *read, int *crlf,
                      st_align_options *align, cli_measure *measure)
{
    int r = shared_option(command, c, arg, read, crlf, align, measure);
    if (r > 0)
        return 0;
    if (r == 0)
        return cli_bad_option(command, c, word);
    return CLI_EXIT_USAGE;
}

int cli_bad_option(const char *command, int c, const char *arg)
{
    if (c == ':')
        return cli_usage(command, "%s needs a value", arg);
    if (strncmp(arg, "--", 2) == 0 || !optopt)
        return cli_usage(command, "unknown option '%s'", arg);
    return cli_usage(command, "unknown option '-%c'", optopt);
}

/* Case-insensitive test of path's extension. */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++) {
        char c = path[n - e + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

/* The registration's columns: quality, the similarity at the reference
 * centre, the residual, the model and the normative homography h00..h22. */
const char *const cli_align_columns[CLI_ALIGN_NCOLUMNS] = {
    "align_confidence",
    "overlap_pct",
    "align_dx_px",
    "align_dy_px",
    "align_rotation_deg",
    "align_scale",
    "align_residual_px",
    "align_residual_p95_px",
    "align_model",
    "h00",
    "h01",
    "h02",
    "h10",
    "h11",
    "h12",
    "h20",
    "h21",
    "h22"};

void cli_align_fields(st_csv *csv, const st_align_result *a)
{
    double h[9];
    if (!a) {
        for (int i = 0; i < CLI_ALIGN_NCOLUMNS; i++)
            st_csv_empty(csv);
        return;
    }
    st_csv_number(csv, a->confidence);
    st_csv_number(csv, a->overlap_pct);
    st_csv_number(csv, a->dx);
    st_csv_number(csv, a->dy);
    st_csv_number(csv, a->rotation_deg);
    st_csv_number(csv, a->scale);
    st_csv_number(csv, a->residual_px);
    st_csv_number(csv, a->residual_p95_px);
    st_csv_text(csv, st_align_model_name(a->model));
    st_transform_matrix(&a->transform, h);
    for (int i = 0; i < 9; i++)
        st_csv_number(csv, h[i]);
}

/* The image types cli_write_image writes, by file name. */
enum { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG };

static int image_type(const char *path)
{
    if (has_ext(path, ".png"))
        return IMAGE_PNG;
    if (has_ext(path, ".jpg") || has_ext(path, ".jpeg"))
        return IMAGE_JPEG;
    return IMAGE_UNKNOWN;
}

int cli_check_image_path(const char *command, const char *option,
                         const char *path)
{
    if (image_type(path) != IMAGE_UNKNOWN)
        return 0;
    cli_usage(command, "%s %s: unknown image type (use .png, .jpg or .jpeg)",
              option, path);
    return -1;
}

int cli_check_dir(const char *command, const char *option, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_usage(command, "%s %s: %s", option, path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_usage(command, "%s %s: not a folder", option, path);
        return -1;
    }
    return 0;
}

int cli_write_image(const char *path, const st_image *img, int bit_depth)
{
    st_error err = {0};
    st_status s;
    int type = image_type(path);
    if (type == IMAGE_PNG)
        s = st_io_write_png(path, img, bit_depth == 16 ? 16 : 8, &err);
    else if (type == IMAGE_JPEG)
        s = st_io_write_jpeg(path, img, 92, &err);
    else {
        cli_error("%s: unknown image type (use .png, .jpg or .jpeg)", path);
        return -1;
    }
    if (s != ST_OK) {
        cli_error("%s", st_error_text(&err));
        return -1;
    }
    return 0;
}

/* Records a usage-independent failure of the region in err. */
static st_status region_fail(st_error *err, const char *message)
{
    err->status = ST_ERR_INVALID;
    snprintf(err->message, sizeof err->message, "%s", message);
    return ST_ERR_INVALID;
}

static st_status base_region(const cli_region *r, const st_read_options *read,
                             const st_image *img, st_region **reg,
                             st_error *err)
{
    if (r->has_roi)
        return st_region_rect(reg, img->width, img->height, r->roi[0],
                              r->roi[1], r->roi[2], r->roi[3], err);
    if (r->mask_path) {
        st_image *mask;
        st_status s = st_io_read(r->mask_path, read, &mask, NULL, err);
        if (s == ST_OK) {
            s = st_region_from_mask(reg, mask, img->width, img->height, err);
            st_image_free(mask);
        }
        return s;
    }
    return st_region_full(reg, img->width, img->height, err);
}

void cli_measure_finish(cli_measure *m)
{
    m->metrics.white_balance.chart = m->has_chart_ref ? &m->chart_ref : NULL;
}

const char *const cli_calib_columns[CLI_CALIB_NCOLUMNS] = {
    "calibration",    "calibration_delta_e",
    "target_clipped", "skin_clipped_pct",
    "light_r",        "light_g",
    "light_b"};

void cli_calib_fields(st_csv *csv, const st_metrics *m)
{
    st_csv_text(csv, st_calibration_name(m->calibration));
    st_csv_number(csv, m->calibration_delta_e);
    st_csv_int(csv, m->target_clipped);
    st_csv_number(csv, m->skin_clipped_pct);
    for (int c = 0; c < 3; c++)
        st_csv_number(csv, m->light[c]);
}

st_status cli_make_reference(const cli_measure *m, const st_read_options *read,
                             const st_image *img, st_region **out,
                             st_error *err)
{
    *out = NULL;
    if (!m->has_reference)
        return ST_OK;
    return base_region(&m->reference, read, img, out, err);
}

/* The face's skin of img (--skin-mask face). */
static st_status face_skin(const cli_region *r, const st_image *img,
                           st_region **skin, st_error *err)
{
    st_face face;
    st_status s;
    if (!r->model) {
        *err = r->model_error;
        return err->status ? err->status : ST_ERR_INVALID;
    }
    s = st_face_find(r->model, img, &face, err);
    return s ? s : st_face_regions(&face, img, skin, NULL, err);
}

st_status cli_make_region(const cli_region *r, const st_read_options *read,
                          const st_image *img, st_region **reg, st_error *err)
{
    st_region *skin;
    st_status s = base_region(r, read, img, reg, err);
    if (s == ST_OK) /* transparent pixels are outside every region */
        s = st_region_drop_transparent(*reg, img, err);
    if (s == ST_OK && !(*reg)->count)
        s = region_fail(err, "the region holds only transparent pixels");
    if (s || (!r->skin_auto && !r->skin_face)) {
        if (s) {
            st_region_free(*reg);
            *reg = NULL;
        }
        return s;
    }
    s = r->skin_face ? face_skin(r, img, &skin, err)
                     : st_skin_region(&skin, img, err);
    if (s == ST_OK) {
        s = st_region_intersect(*reg, skin, err);
        st_region_free(skin);
    }
    if (s == ST_OK && (*reg)->count == 0) {
        s = err->status = ST_ERR_INVALID;
        snprintf(err->message, sizeof err->message,
                 "the region holds no skin by the skin mask");
    }
    if (s) {
        st_region_free(*reg);
        *reg = NULL;
    }
    return s;
}

void cli_face_open(cli_region *r)
{
    st_error_clear(&r->model_error);
    if (r->model || (!r->face_zones && !r->skin_face))
        return;
    st_face_model_load(&r->model, r->face_model, &r->model_error);
}

void cli_face_close(cli_region *r)
{
    st_face_model_free(r->model);
    r->model = NULL;
}

int cli_parse_skin_mask(const char *command, const char *text, cli_region *r)
{
    r->skin_auto = r->skin_face = 0;
    if (strcmp(text, "auto") == 0)
        r->skin_auto = 1;
    else if (strcmp(text, "face") == 0)
        r->skin_face = 1;
    else if (strcmp(text, "none") != 0) {
        cli_usage(command, "--skin-mask wants auto, face or none, not '%s'",
                  text);
        return -1;
    }
    return 0;
}

int cli_parse_white_balance(const char *command, const char *text,
                            st_white_balance *wb)
{
    int r[4];
    if (strcmp(text, "none") == 0) {
        wb->mode = ST_WB_NONE;
    } else if (strcmp(text, "grayworld") == 0) {
        wb->mode = ST_WB_GRAYWORLD;
    } else if (strcmp(text, "auto") == 0) {
        wb->mode = ST_WB_AUTO;
    } else if (strcmp(text, "chart") == 0) {
        wb->mode = ST_WB_CHART;
    } else if (strcmp(text, "card") == 0) {
        wb->mode = ST_WB_CARD;
    } else if (strncmp(text, "card:", 5) == 0) {
        double y;
        if (cli_parse_number(command, "--white-balance card:", text + 5, 0.01,
                             1, &y))
            return -1;
        wb->mode = ST_WB_CARD;
        wb->reflectance = y;
    } else if (strncmp(text, "patch:", 6) == 0) {
        if (cli_parse_rect(command, "--white-balance patch:", text + 6, r))
            return -1;
        wb->mode = ST_WB_PATCH;
        wb->x = r[0], wb->y = r[1], wb->w = r[2], wb->h = r[3];
    } else {
        cli_usage(command,
                  "--white-balance wants none, grayworld, patch:X,Y,W,H, "
                  "auto, chart, card or card:Y, not '%s'",
                  text);
        return -1;
    }
    return 0;
}

int cli_write_overlays(const char *dir, const char *prefix, const char *stem,
                       const char *path, const st_image *img,
                       const st_region *reg, const st_metrics *m)
{
    char out[4096];
    st_image *pic = NULL;
    st_lab_planes *lab = NULL;
    st_error err = {0};
    int rc = -1;

    if (st_overlay_pores(&pic, img, reg, &m->pores, &err) != ST_OK)
        goto fail;
    snprintf(out, sizeof out, "%s/%s%s-pores.png", dir, prefix, stem);
    if (cli_write_image(out, pic, 8))
        goto done;
    st_image_free(pic);
    pic = NULL;
    if (st_lab_planes_new_corrected(&lab, img, reg, m->correction, &err) ||
        st_overlay_redness(&pic, lab, reg, 0, 30, &err))
        goto fail;
    snprintf(out, sizeof out, "%s/%s%s-redness.png", dir, prefix, stem);
    if (cli_write_image(out, pic, 8))
        goto done;
    rc = 0;
    goto done;
fail:
    cli_error("%s: overlay: %s", path, st_error_text(&err));
done:
    st_image_free(pic);
    st_lab_planes_free(lab);
    return rc;
}

/* The stem of path with its last `up` parent folders: "a/b/c.jpg" with
 * up 1 is "b_c"; fewer when the path has fewer. */
static char *stem_of(const char *path, int up, int *more)
{
    const char *end = path + strlen(path), *base, *dot, *start;
    char *s;
    size_t n;
    while (end > path + 1 && end[-1] == '/')
        end--;
    base = end;
    while (base > path && base[-1] != '/')
        base--;
    dot = NULL;
    for (const char *q = base; q < end; q++)
        if (*q == '.' && q != base)
            dot = q;
    start = base;
    for (int k = 0; k < up && start > path; k++) {
        start--; /* the '/' */
        while (start > path && start[-1] == '/')
            start--;
        while (start > path && start[-1] != '/')
            start--;
    }
    *more = start > path;
    n = (size_t)((dot ? dot : end) - start);
    if (!(s = malloc(n + 16)))
        return NULL;
    memcpy(s, start, n);
    s[n] = '\0';
    for (char *q = s; *q; q++)
        if (*q == '/')
            *q = '_';
    return s;
}

void cli_free_names(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

char **cli_unique_stems(const char *const *paths, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    int *up = calloc(n ? n : 1, sizeof *up);
    int *more = calloc(n ? n : 1, sizeof *more);
    int changed = 1;
    if (!v || !up || !more)
        goto nomem;
    while (changed) {
        changed = 0;
        for (size_t i = 0; i < n; i++) {
            free(v[i]);
            if (!(v[i] = stem_of(paths[i], up[i], &more[i])))
                goto nomem;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n; k++)
                if (k != i && more[i] && !strcmp(v[i], v[k]) &&
                    strcmp(paths[i], paths[k])) {
                    up[i]++;
                    changed = 1;
                    break;
                }
    }
    /* still equal (the same file twice, or a_b/c against a/b_c): the
     * second gets -2, the third -3 */
    for (size_t i = 0; i < n; i++) {
        up[i] = 1;
        for (size_t k = 0; k < i; k++)
            up[i] += !strcmp(v[i], v[k]);
    }
    for (size_t i = 0; i < n; i++)
        if (up[i] > 1)
            sprintf(v[i] + strlen(v[i]), "-%d", up[i]);
    free(up);
    free(more);
    return v;
nomem:
    cli_free_names(v, n);
    free(up);
    free(more);
    cli_error("out of memory naming the pictures");
    return NULL;
}
