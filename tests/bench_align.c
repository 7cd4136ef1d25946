/* skintrack benchmark — aligning a photo pair, end to end.
 *
 * Makes 12-megapixel (4032 x 3024) and 2-megapixel (1600 x 1200) pairs
 * of skin-phantom JPEGs (quality 92) with a known similarity transform,
 * and with that similarity after a 4% keystone (a homography, as a
 * handheld phone tilted by a few degrees makes), then runs `skintrack
 * align REF MOV` on each pair (one warm-up, then 5 timed runs): median /
 * min / max wall time, the median and least user + system CPU time, the
 * same of user CPU time alone, the peak RSS of the process and the RMS
 * error against the truth of the map it prints (from a reduced decode
 * for the 12 MP pairs, docs/align.md), plus, in this process, the CPU
 * time of decoding the two JPEGs at full size and of registration, the
 * model chosen and the RMS error against the truth. On
 * a shared machine the CPU times are the figures to read, the least of
 * them the steadiest.
 *
 *   bench_align PATH/TO/skintrack [DIR]
 *
 * With DIR, the pairs are also kept there (2mp_ref.jpg, 2mp_mov.jpg,
 * 2mp_ks_ref.jpg, ... 12mp_ks_mov.jpg) for A/B runs of two builds.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "phantom.h"
#include "testutil.h"

#define RUNS 5

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Runs the program once; returns wall seconds, *rss_kb the child's peak,
 * *cpu its user + system CPU seconds (the figure that holds on a loaded
 * machine), *user the user part alone. */
static double run_cli(const char *prog, const char *ref, const char *mov,
                      long *rss_kb, double *cpu, double *user)
{
    double t0 = tu_now();
    pid_t pid;
    fflush(stdout);
    pid = fork();
    int status;
    struct rusage ru;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(prog, prog, "align", ref, mov, (char *)NULL);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s align failed\n", prog);
        exit(1);
    }
    *rss_kb = ru.ru_maxrss;
    *user = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
    *cpu =
        *user + (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return tu_now() - t0;
}

/* The map of the row `skintrack align REF MOV` prints (h00..h21, columns
 * 14-21), into *t; 0, or -1 when there is no such row. */
static int cli_map(const char *prog, const char *ref, const char *mov,
                   st_transform *t)
{
    char cmd[2000], line[4096], *f;
    FILE *p;
    int col = 0, got = 0;
    snprintf(cmd, sizeof cmd, "'%s' align '%s' '%s'", prog, ref, mov);
    if (!(p = popen(cmd, "r")))
        return -1;
    if (fgets(line, sizeof line, p) && fgets(line, sizeof line, p))
        for (f = line; f; f = strchr(f, ','), f = f ? f + 1 : f, col++)
            if (col >= 13 && col < 21) { /* (empty fields count) */
                t->m[col - 13] = strtod(f, NULL);
                got++;
            }
    pclose(p);
    return got == 8 ? 0 : -1;
}

static const char *keep_dir;

/* Copies SRC to keep_dir/TAG_SUFFIX when a folder was given. */
static void keep(const char *src, const char *tag, const char *suffix)
{
    char dst[700];
    size_t n;
    uint8_t *buf;
    FILE *f;
    if (!keep_dir)
        return;
    snprintf(dst, sizeof dst, "%s/%s_%s", keep_dir, tag, suffix);
    buf = tu_read_file(src, &n);
    f = fopen(dst, "wb");
    if (!buf || !f || fwrite(buf, 1, n, f) != n)
        fprintf(stderr, "bench: cannot keep %s\n", dst);
    if (f)
        fclose(f);
    free(buf);
}

static void bench_pair(const char *prog, int w, int h, const char *name,
                       const char *tag, double keystone)
{
    char ref_path[600], mov_path[600];
    st_image *canvas = ph_canvas(w + w / 3, h + h / 3, 11), *ref, *mov;
    st_transform truth, cli_t;
    double t[RUNS], c[RUNS], u[RUNS], t_dec, t_al;
    long rss = 0, rss_max = 0;
    st_align_result r;

    snprintf(ref_path, sizeof ref_path, "%s", tu_path("ref.jpg"));
    snprintf(mov_path, sizeof mov_path, "%s", tu_path("mov.jpg"));
    st_transform_similarity(&truth, (w - 1) / 2.0, (h - 1) / 2.0, 0.04 * w,
                            -0.03 * h, 4.0, 1.04);
    if (keystone != 0) {
        /* the far side of the frame keystone x smaller than the near one,
         * about the centre: w = 1 + k (x - cx) / w_px */
        double cx = (w - 1) / 2.0;
        st_transform p = {{1, 0, 0, 0, 1, 0, keystone / w, 0}};
        st_transform c1 = {{1, 0, -cx, 0, 1, 0}}, c2 = {{1, 0, cx, 0, 1, 0}};
        st_transform_compose(&p, &p, &c1);
        st_transform_compose(&p, &c2, &p);
        st_transform_compose(&truth, &truth, &p);
    }
    ref = ph_photo(canvas, NULL, w / 6.0, h / 6.0, w, h);
    mov = ph_photo(canvas, &truth, w / 6.0, h / 6.0, w, h);
    ph_noise(mov, 0.01, 3);
    st_io_write_jpeg(ref_path, ref, 92, NULL);
    st_io_write_jpeg(mov_path, mov, 92, NULL);
    keep(ref_path, tag, "ref.jpg");
    keep(mov_path, tag, "mov.jpg");
    st_image_free(canvas);
    st_image_free(ref);
    st_image_free(mov);

    for (int i = -1; i < RUNS; i++) {
        double cpu, user,
            s = run_cli(prog, ref_path, mov_path, &rss, &cpu, &user);
        if (i >= 0)
            t[i] = s, c[i] = cpu, u[i] = user;
        rss_max = rss > rss_max ? rss : rss_max;
    }
    qsort(t, RUNS, sizeof t[0], tu_cmp_double);
    qsort(c, RUNS, sizeof c[0], tu_cmp_double);
    qsort(u, RUNS, sizeof u[0], tu_cmp_double);

    if (cli_map(prog, ref_path, mov_path, &cli_t)) {
        fprintf(stderr, "bench: no row from %s align\n", prog);
        exit(1);
    }
    /* stages in this process */
    {
        double t0 = cpu_now();
        st_io_read(ref_path, NULL, &ref, NULL, NULL);
        st_io_read(mov_path, NULL, &mov, NULL, NULL);
        t_dec = cpu_now() - t0;
        t0 = cpu_now();
        st_align_estimate(ref, mov, NULL, &r, NULL);
        t_al = cpu_now() - t0;
        st_image_free(ref);
        st_image_free(mov);
    }
    printf("%-30s wall median %5.0f ms (min %5.0f, max %5.0f), CPU median "
           "%5.0f ms (min %5.0f), user CPU median %5.0f ms (min %5.0f), "
           "peak RSS %4ld MB, map rms %.4f px | CPU: decode %4.0f ms, "
           "register %4.0f ms; %s, rms %.4f px, residual p95 %.3f px\n",
           name, t[RUNS / 2] * 1e3, t[0] * 1e3, t[RUNS - 1] * 1e3,
           c[RUNS / 2] * 1e3, c[0] * 1e3, u[RUNS / 2] * 1e3, u[0] * 1e3,
           rss_max / 1024, ph_rms_error(&cli_t, &truth, w, h, w, h),
           t_dec * 1e3, t_al * 1e3, st_align_model_name(r.model),
           ph_rms_error(&r.transform, &truth, w, h, w, h), r.residual_p95_px);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_align PATH/TO/skintrack [DIR]\n");
        return 2;
    }
    keep_dir = argc > 2 ? argv[2] : NULL;
    printf("skintrack %s align, JPEG q92 pairs, rotation 4 deg, scale 1.04, "
           "%d runs after a warm-up\n",
           st_version(), RUNS);
    bench_pair(argv[1], 1600, 1200, "2 MP (1600x1200)", "2mp", 0);
    bench_pair(argv[1], 1600, 1200, "2 MP, 4% keystone", "2mp_ks", 0.04);
    bench_pair(argv[1], 4032, 3024, "12 MP (4032x3024)", "12mp", 0);
    bench_pair(argv[1], 4032, 3024, "12 MP, 4% keystone", "12mp_ks", 0.04);
    return 0;
}
