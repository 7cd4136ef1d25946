/* skintrack benchmark — aligning a photo pair, end to end.
 *
 * Makes a 12-megapixel (4032 x 3024) and a 2-megapixel (1600 x 1200)
 * pair of skin-phantom JPEGs (quality 92) with a known similarity
 * transform, then runs `skintrack align REF MOV` on each pair (one warm-up,
 * then 5 timed runs): median / min / max wall time and the peak RSS of the
 * process, plus, in this process, the split between decoding the two
 * JPEGs and registration, and the RMS error against the truth.
 *
 *   bench_align PATH/TO/skintrack
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

/* Runs the program once; returns wall seconds, *rss_kb the child's peak. */
static double run_cli(const char *prog, const char *ref, const char *mov,
                      long *rss_kb)
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
    return tu_now() - t0;
}

static void bench_pair(const char *prog, int w, int h, const char *name)
{
    char ref_path[600], mov_path[600];
    st_image *canvas = ph_canvas(w + w / 3, h + h / 3, 11), *ref, *mov;
    st_transform truth;
    double t[RUNS], t_dec, t_al;
    long rss = 0, rss_max = 0;
    st_align_result r;

    snprintf(ref_path, sizeof ref_path, "%s", tu_path("ref.jpg"));
    snprintf(mov_path, sizeof mov_path, "%s", tu_path("mov.jpg"));
    st_transform_similarity(&truth, (w - 1) / 2.0, (h - 1) / 2.0, 0.04 * w,
                            -0.03 * h, 4.0, 1.04);
    ref = ph_photo(canvas, NULL, w / 6.0, h / 6.0, w, h);
    mov = ph_photo(canvas, &truth, w / 6.0, h / 6.0, w, h);
    ph_noise(mov, 0.01, 3);
    st_io_write_jpeg(ref_path, ref, 92, NULL);
    st_io_write_jpeg(mov_path, mov, 92, NULL);
    st_image_free(canvas);
    st_image_free(ref);
    st_image_free(mov);

    for (int i = -1; i < RUNS; i++) {
        double s = run_cli(prog, ref_path, mov_path, &rss);
        if (i >= 0)
            t[i] = s;
        rss_max = rss > rss_max ? rss : rss_max;
    }
    qsort(t, RUNS, sizeof t[0], tu_cmp_double);

    /* stages in this process */
    {
        double t0 = tu_now();
        st_io_read(ref_path, NULL, &ref, NULL, NULL);
        st_io_read(mov_path, NULL, &mov, NULL, NULL);
        t_dec = tu_now() - t0;
        t0 = tu_now();
        st_align_estimate(ref, mov, NULL, &r, NULL);
        t_al = tu_now() - t0;
        st_image_free(ref);
        st_image_free(mov);
    }
    printf("%-22s median %6.0f ms  min %6.0f  max %6.0f  peak RSS %4ld MB"
           "  | decode %4.0f ms, register %4.0f ms, rms %.4f px\n",
           name, t[RUNS / 2] * 1e3, t[0] * 1e3, t[RUNS - 1] * 1e3,
           rss_max / 1024, t_dec * 1e3, t_al * 1e3,
           ph_rms_error(&r.transform, &truth, w, h, w, h));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_align PATH/TO/skintrack\n");
        return 2;
    }
    printf("skintrack %s align, JPEG q92 pairs, rotation 4 deg, scale 1.04, "
           "%d runs after a warm-up\n",
           st_version(), RUNS);
    bench_pair(argv[1], 1600, 1200, "2 MP (1600x1200)");
    bench_pair(argv[1], 4032, 3024, "12 MP (4032x3024)");
    return 0;
}
