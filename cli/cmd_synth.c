/* skintrack — `skintrack synth`: a synthetic course with known truth, to
 * check the whole chain on one's own machine (docs/course.md).
 *
 * Writes DIR/YYYY-MM-DD.jpg for every photo and DIR/truth.csv with what
 * each photo was made from; `skintrack course DIR` then reads the folder
 * as one subject (named after DIR) and leaves truth.csv alone.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "Usage: skintrack synth [OPTIONS] --out DIR\n"
    "Write a synthetic treatment course with known truth: JPEG photos named\n"
    "by date in DIR and DIR/truth.csv. Pores shrink and texture smooths\n"
    "steadily, erythema patches fade, redness spikes after each treatment\n"
    "and fades with a set half-life, and each photo is a little misaligned\n"
    "and differently lit. The same options give the same files.\n\n"
    "Options:\n"
    "  --out DIR             folder to write (made if missing)\n"
    "  --seed N              random seed (default fixed)\n"
    "  --width W             photo width in px, height 3/4 of it (1200)\n"
    "  --start YYYY-MM-DD    baseline date (2026-01-12)\n"
    "  --sessions N          treatments, the first on the baseline day (3)\n"
    "  --interval DAYS       days between treatments (28)\n"
    "  --post-days LIST      post photos this many days after each\n"
    "                        treatment, e.g. 1,2,3,5 (default), or none\n"
    "  --followup DAYS       followup photo this long after the last\n"
    "                        treatment (90; 0: none)\n"
    "  --half-life DAYS      of the acute redness after its day-2 peak (1.2)\n"
    "  --acute A             peak acute a* excess (6)\n"
    "  --pore-change F       pore diameter change over the course (-0.2)\n"
    "  --misalign X          misalignment scale, 0 none, 1 up to 30 px,\n"
    "                        3 deg, 3% (1)\n"
    "  --lighting X          exposure varies within 1 +- X (0.06)\n"
    "  -j, --jobs N          photos rendered in parallel (default: cores)\n"
    "  -q, --quiet           do not list the files written\n"
    "  -h, --help            show this help\n\n"
    "truth.csv: file,date,days_since_baseline,session,phase,post_day,dx_px,\n"
    "dy_px,rotation_deg,scale,m00..m12 (baseline px -> photo "
    "px),exposure,pore_diameter_px,\n"
    "texture_amplitude,red_patch_a_star,acute_a_star,half_life_days and the\n"
    "grey card card_x,card_y,card_w,card_h (baseline px; use it with\n"
    "--white-balance patch:X,Y,W,H).\n";

enum {
    OPT_OUT = 256,
    OPT_SEED,
    OPT_WIDTH,
    OPT_START,
    OPT_SESSIONS,
    OPT_INTERVAL,
    OPT_POST,
    OPT_FOLLOWUP,
    OPT_HALF,
    OPT_ACUTE,
    OPT_PORE,
    OPT_MISALIGN,
    OPT_LIGHTING
};

static const struct option longopts[] = {
    {"out", required_argument, NULL, OPT_OUT},
    {"seed", required_argument, NULL, OPT_SEED},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"start", required_argument, NULL, OPT_START},
    {"sessions", required_argument, NULL, OPT_SESSIONS},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"post-days", required_argument, NULL, OPT_POST},
    {"followup", required_argument, NULL, OPT_FOLLOWUP},
    {"half-life", required_argument, NULL, OPT_HALF},
    {"acute", required_argument, NULL, OPT_ACUTE},
    {"pore-change", required_argument, NULL, OPT_PORE},
    {"misalign", required_argument, NULL, OPT_MISALIGN},
    {"lighting", required_argument, NULL, OPT_LIGHTING},
    {"jobs", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return -1;
    memcpy(path, dir, n + 1);
    for (char *p = path + 1;; p++) {
        char keep;
        if (*p != '/' && *p != '\0')
            continue;
        keep = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = keep;
        if (!keep)
            return 0;
    }
}

static int parse_post_days(const char *text, st_synth_options *o)
{
    const char *s = text;
    o->n_post_days = 0;
    if (strcmp(text, "none") == 0)
        return 0;
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 365 ||
            o->n_post_days == ST_SYNTH_MAX_POST_DAYS)
            return -1;
        o->post_days[o->n_post_days++] = (int)v;
        if (*end == ',' && end[1])
            end++;
        else if (*end)
            return -1;
        s = end;
    }
    return o->n_post_days ? 0 : -1;
}

typedef struct render_job {
    const st_synth *synth;
    const char *dir;
    pthread_mutex_t lock;
    size_t next;
    int failed, quiet;
} render_job;

static void *render_worker(void *arg)
{
    render_job *r = arg;
    for (;;) {
        const st_synth_photo *p;
        char path[4200], date[16];
        st_image *img = NULL;
        st_error err = {0};
        size_t k;
        pthread_mutex_lock(&r->lock);
        k = r->failed ? st_synth_count(r->synth) : r->next++;
        pthread_mutex_unlock(&r->lock);
        if (k >= st_synth_count(r->synth))
            return NULL;
        p = st_synth_photo_at(r->synth, k);
        snprintf(path, sizeof path, "%s/%s.jpg", r->dir,
                 st_date_format(p->date, date));
        if (st_synth_render(r->synth, k, &img, &err) ||
            st_io_write_jpeg(path, img, 92, &err)) {
            cli_error("%s: %s", path, st_error_text(&err));
            pthread_mutex_lock(&r->lock);
            r->failed = 1;
            pthread_mutex_unlock(&r->lock);
        } else if (!r->quiet) {
            printf("%s\n", path);
        }
        st_image_free(img);
    }
}

static int write_truth(const char *dir, const st_synth *s)
{
    char path[4200], date[16];
    int card[4], rc;
    st_output *o;
    st_csv csv;
    snprintf(path, sizeof path, "%s/truth.csv", dir);
    if (!(o = cli_output_open(path)))
        return -1;
    st_csv_init(&csv, st_output_stream(o));
    st_csv_header(&csv,
                  "file,date,days_since_baseline,session,phase,post_day,dx_px,"
                  "dy_px,rotation_deg,"
                  "scale,m00,m01,m02,m10,m11,m12,exposure,pore_diameter_px,"
                  "texture_amplitude,red_patch_a_star,acute_a_star,"
                  "half_life_days,card_x,card_y,card_w,card_h");
    st_synth_card(s, card);
    for (size_t k = 0; k < st_synth_count(s); k++) {
        const st_synth_photo *p = st_synth_photo_at(s, k);
        char name[32];
        double v[] = {p->dx,
                      p->dy,
                      p->rotation_deg,
                      p->scale,
                      p->m[0],
                      p->m[1],
                      p->m[2],
                      p->m[3],
                      p->m[4],
                      p->m[5],
                      p->exposure,
                      p->pore_diameter,
                      p->texture_amplitude,
                      p->red_patch_a_star,
                      p->acute_a_star,
                      p->half_life_days};
        snprintf(name, sizeof name, "%s.jpg", st_date_format(p->date, date));
        st_csv_text(&csv, name);
        st_csv_text(&csv, date);
        st_csv_int(&csv, p->date - st_synth_photo_at(s, 0)->date);
        st_csv_int(&csv, p->session);
        st_csv_text(&csv, st_phase_name(p->phase));
        if (p->post_day >= 0)
            st_csv_int(&csv, p->post_day);
        else
            st_csv_empty(&csv);
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            st_csv_number(&csv, v[i]);
        for (int i = 0; i < 4; i++)
            st_csv_int(&csv, card[i]);
        st_csv_end_row(&csv);
    }
    if ((rc = cli_output_commit(o)) == 0)
        printf("%s\n", path);
    return rc;
}

/* A whole-number option c (--jobs, --width, --sessions, --interval,
 * --followup) into o or *jobs; 0, or the usage exit code. */
static int parse_whole(int c, const char *arg, st_synth_options *o, int *jobs)
{
    double v;
    static const struct {
        int opt;
        const char *name;
        double lo, hi;
    } lim[] = {{'j', "--jobs", 1, 64},
               {OPT_WIDTH, "--width", 64, 16384},
               {OPT_SESSIONS, "--sessions", 1, 50},
               {OPT_INTERVAL, "--interval", 2, 3650},
               {OPT_FOLLOWUP, "--followup", 0, 3650}};
    int i = 0;
    while (lim[i].opt != c)
        i++;
    if (cli_parse_number("synth", lim[i].name, arg, lim[i].lo, lim[i].hi, &v))
        return CLI_EXIT_USAGE;
    if (v != floor(v))
        return cli_usage("synth", "%s wants a whole number", lim[i].name);
    if (c == 'j')
        *jobs = (int)v;
    else if (c == OPT_WIDTH)
        o->width = (int)v;
    else if (c == OPT_SESSIONS)
        o->sessions = (int)v;
    else if (c == OPT_INTERVAL)
        o->interval_days = (int)v;
    else
        o->followup_days = (int)v;
    return 0;
}

/* Reads the options into o, *quiet, *dir and *jobs; -1 to go on, else the
 * exit code (0 after --help). */
static int parse_options(int argc, char **argv, st_synth_options *o, int *quiet,
                         const char **dir, int *jobs)
{
    int c;
    double v;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:qh", longopts, NULL)) != -1) {
        const char *name = argv[optind - 1];
        switch (c) {
        case 'h': cli_print_help(&cli_synth_command); return CLI_EXIT_OK;
        case 'q': *quiet = 1; break;
        case OPT_OUT: *dir = optarg; break;
        case OPT_START:
            if (st_date_parse(optarg, &o->start_date))
                return cli_usage("synth", "--start wants YYYY-MM-DD, not '%s'",
                                 optarg);
            break;
        case OPT_POST:
            if (parse_post_days(optarg, o))
                return cli_usage("synth",
                                 "--post-days wants days like 1,2,3,5 or "
                                 "none, not '%s'",
                                 optarg);
            break;
        case OPT_SEED:
            if (cli_parse_number("synth", "--seed", optarg, 0, 9e15, &v))
                return CLI_EXIT_USAGE;
            o->seed = (uint64_t)v;
            break;
        case 'j':
        case OPT_WIDTH:
        case OPT_SESSIONS:
        case OPT_INTERVAL:
        case OPT_FOLLOWUP:
            if (parse_whole(c, optarg, o, jobs))
                return CLI_EXIT_USAGE;
            break;
        case OPT_HALF:
            if (cli_parse_number("synth", "--half-life", optarg, 0.05, 100,
                                 &o->half_life_days))
                return CLI_EXIT_USAGE;
            break;
        case OPT_ACUTE:
            if (cli_parse_number("synth", "--acute", optarg, 0, 40,
                                 &o->acute_a_star))
                return CLI_EXIT_USAGE;
            break;
        case OPT_PORE:
            if (cli_parse_number("synth", "--pore-change", optarg, -0.8, 1,
                                 &o->pore_change))
                return CLI_EXIT_USAGE;
            break;
        case OPT_MISALIGN:
            if (cli_parse_number("synth", "--misalign", optarg, 0, 2,
                                 &o->misalign))
                return CLI_EXIT_USAGE;
            break;
        case OPT_LIGHTING:
            if (cli_parse_number("synth", "--lighting", optarg, 0, 0.3,
                                 &o->lighting))
                return CLI_EXIT_USAGE;
            break;
        default: return cli_bad_option("synth", c, name);
        }
    }
    if (optind < argc)
        return cli_usage("synth", "unexpected argument '%s'", argv[optind]);
    if (!*dir || !**dir)
        return cli_usage("synth", "needs --out DIR");
    return -1;
}

static int run(int argc, char **argv)
{
    st_synth_options o;
    render_job r = {0};
    st_synth *s = NULL;
    st_error err = {0};
    const char *dir = NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = cores > 0 ? (cores > 64 ? 64 : (int)cores) : 1, started = 0;
    int rc;
    pthread_t threads[64];

    st_synth_options_init(&o);
    if ((rc = parse_options(argc, argv, &o, &r.quiet, &dir, &jobs)) >= 0)
        return rc;
    if (st_synth_new(&s, &o, &err)) {
        if (err.status == ST_ERR_INVALID)
            return cli_usage("synth", "%s", st_error_text(&err));
        cli_error("%s", st_error_text(&err));
        return CLI_EXIT_FAILED;
    }
    if (make_dirs(dir)) {
        cli_error("%s: cannot make the folder: %s", dir, strerror(errno));
        st_synth_free(s);
        return CLI_EXIT_FAILED;
    }
    r.synth = s;
    r.dir = dir;
    pthread_mutex_init(&r.lock, NULL);
    while (started < jobs - 1 &&
           pthread_create(&threads[started], NULL, render_worker, &r) == 0)
        started++;
    render_worker(&r);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&r.lock);
    if (!r.failed && write_truth(dir, s))
        r.failed = 1;
    st_synth_free(s);
    return r.failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

const cli_command cli_synth_command = {
    "synth",
    "write a synthetic treatment course with known truth",
    help,
    run,
};
