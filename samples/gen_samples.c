/* gen_samples — writes skintrack's bundled sample course (samples/README.md).
 *
 * Usage: gen_samples OUTDIR
 *
 * Five JPEG photos (1200x900, quality 92) of one synthetic patch of skin in
 * OUTDIR, and OUTDIR-truth.csv beside that folder. The scene and its
 * rendering are the library's (st_synth, imgproc/synth.c); this program
 * only names the five photos (their dates, misalignment, exposure, pore
 * size and depth, redness and pigment) and writes the files. The same
 * seed as `skintrack synth` drives the texture, the pores and the noise,
 * so the output is the same on every run. make test regenerates the
 * course and compares it with samples/demo-patient byte for byte.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "skintrack/csv.h"
#include "skintrack/date.h"
#include "skintrack/fft.h"
#include "skintrack/io.h"
#include "skintrack/output.h"
#include "skintrack/synth.h"

enum { N_PHOTOS = 5, N_PORES = 300, JPEG_QUALITY = 92, PATH_BYTES = 4096 };
#define MAX_FILE_BYTES (2L * 1024 * 1024)
#define TEXTURE_BETA   2.5  /* imgproc/synth.c's, for the truth file */
#define TEXTURE_AMP    0.08 /* the same in every photo */

/* The course: each photo before that day's treatment; the follow-up three
 * months after session 4. */
static const struct sample {
    const char *date;
    int session;
    st_phase phase;
    double dx, dy, rotation_deg, scale, exposure;                 /* camera */
    double pore_diameter, pore_depth, red_a_star, pigment_l_star; /* skin */
} course[N_PHOTOS] = {
    {"2026-01-12", 1, ST_PHASE_BASELINE, 0.0, 0.0, 0.0, 1.0, 1.0, 6.0, 0.36,
     8.0, -12.0},
    {"2026-02-09", 2, ST_PHASE_PRE, 18.4, -11.7, 1.6, 1.018, 1.05, 5.7, 0.34,
     6.5, -11.4},
    {"2026-03-09", 3, ST_PHASE_PRE, -24.9, 7.3, -2.3, 0.976, 0.93, 5.4, 0.31,
     5.0, -10.8},
    {"2026-04-06", 4, ST_PHASE_PRE, 9.6, 26.2, 2.8, 1.027, 1.07, 5.1, 0.28, 3.5,
     -10.2},
    {"2026-07-06", 4, ST_PHASE_FOLLOWUP, -29.1, -21.5, -1.1, 0.984, 0.94, 4.8,
     0.25, 1.5, -9.5},
};

static int fail(const char *what, const st_error *err)
{
    fprintf(stderr, "gen_samples: %s: %s\n", what, st_error_text(err));
    return 1;
}

/* The course in st_synth's terms. */
static int make_course(st_synth **out, st_error *err)
{
    st_synth_photo ph[N_PHOTOS];
    st_synth_options opt;
    memset(ph, 0, sizeof ph);
    for (int k = 0; k < N_PHOTOS; k++) {
        const struct sample *c = &course[k];
        if (st_date_parse(c->date, &ph[k].date))
            return 1;
        ph[k].session = c->session;
        ph[k].phase = c->phase;
        ph[k].post_day = -1;
        ph[k].dx = c->dx;
        ph[k].dy = c->dy;
        ph[k].rotation_deg = c->rotation_deg;
        ph[k].scale = c->scale;
        ph[k].exposure = c->exposure;
        ph[k].pore_diameter = c->pore_diameter;
        ph[k].pore_depth = c->pore_depth;
        ph[k].texture_amplitude = TEXTURE_AMP;
        ph[k].red_patch_a_star = c->red_a_star;
        ph[k].pigment_l_star = c->pigment_l_star;
    }
    st_synth_options_init(&opt); /* its seed and width 1200 */
    opt.photos = ph;
    opt.n_photos = N_PHOTOS;
    return st_synth_new(out, &opt, err) != ST_OK;
}

/* OUTDIR-truth.csv (samples/README.md), written atomically. */
static int write_truth(const char *path, const char *folder, const st_synth *s,
                       st_error *err)
{
    st_output *o;
    st_csv csv;
    if (st_output_open(&o, path, err))
        return 1;
    st_csv_init(&csv, st_output_stream(o));
    st_csv_header(&csv, "file,date,session,phase,dx_px,dy_px,rotation_deg,"
                        "scale,m00,m01,m02,m10,m11,m12,exposure,pore_count,"
                        "pore_diameter_px,red_patch_a_star_delta,"
                        "texture_beta");
    for (int k = 0; k < N_PHOTOS; k++) {
        const struct sample *c = &course[k];
        const double *m = st_synth_photo_at(s, (size_t)k)->m;
        const double v[] = {
            c->dx, c->dy, c->rotation_deg, c->scale, m[0], m[1], m[2], m[3],
            m[4],  m[5],  c->exposure};
        char file[PATH_BYTES];
        snprintf(file, sizeof file, "%s/%s.jpg", folder, c->date);
        st_csv_text(&csv, file);
        st_csv_text(&csv, c->date);
        st_csv_int(&csv, c->session);
        st_csv_text(&csv, st_phase_name(c->phase));
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            st_csv_number(&csv, v[i]);
        st_csv_int(&csv, N_PORES);
        st_csv_number(&csv, c->pore_diameter);
        st_csv_number(&csv, c->red_a_star);
        st_csv_number(&csv, TEXTURE_BETA);
        st_csv_end_row(&csv);
    }
    return st_output_commit(o, err) != ST_OK;
}

/* Renders photo k to dir/DATE.jpg; it must stay under 2 MB. */
static int write_photo(const st_synth *s, int k, const char *dir)
{
    char path[PATH_BYTES];
    st_image *img = NULL;
    st_error err = {0};
    struct stat sb;
    int bad;
    snprintf(path, sizeof path, "%s/%s.jpg", dir, course[k].date);
    bad = st_synth_render(s, (size_t)k, &img, &err) ||
          st_io_write_jpeg(path, img, JPEG_QUALITY, &err);
    st_image_free(img);
    if (bad)
        return fail(path, &err);
    if (stat(path, &sb) != 0 || sb.st_size >= MAX_FILE_BYTES) {
        fprintf(stderr, "gen_samples: %s: missing or not under 2 MB\n", path);
        return 1;
    }
    printf("%s  %lld bytes\n", path, (long long)sb.st_size);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[PATH_BYTES - 64], truth[PATH_BYTES];
    const char *folder;
    st_synth *s = NULL;
    st_error err = {0};
    int status = 0;

    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        puts("usage: gen_samples OUTDIR\nWrites the sample course (five "
             "1200x900 JPEG photos) into OUTDIR\n(its parent must exist) and "
             "its known truth into OUTDIR-truth.csv beside it.");
        return 0;
    }
    if (argc != 2 || !argv[1][0] || strlen(argv[1]) >= sizeof dir) {
        fputs("usage: gen_samples OUTDIR\n", stderr);
        return 2;
    }
    strcpy(dir, argv[1]);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    folder = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_samples: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (make_course(&s, &err))
        return fail("the sample course", &err);
    for (int k = 0; k < N_PHOTOS && !status; k++)
        status = write_photo(s, k, dir);
    snprintf(truth, sizeof truth, "%s-truth.csv", dir);
    if (!status && write_truth(truth, folder, s, &err))
        status = fail(truth, &err);
    else if (!status)
        printf("%s\n", truth);
    st_synth_free(s);
    st_fft_cleanup();
    return status;
}
