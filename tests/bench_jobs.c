/* skintrack benchmark — the jobs users wait for, end to end.
 *
 *   bench_jobs PATH/TO/skintrack DIR
 *
 * Makes its inputs in DIR with `skintrack synth` (kept between runs; the
 * same options give the same files): a 4032 x 3024 and a 1600 x 1200
 * before/after pair (baseline and a 90-day follow-up, each follow-up
 * moved by a known similarity transform, truth.csv) and a 20-photo
 * 4032 x 3024 course (5 sessions, photos 1, 2 and 3 days after each).
 * Then runs each job once to warm the page cache and the given number of
 * times more, and prints one line per job: median, min and max wall time,
 * the median CPU time (user + system of the child, which other work on a
 * shared machine moves far less than the wall time) and the largest peak
 * RSS of the process (getrusage of the child). For `compare` and
 * `metrics` it also prints the median of each stage of `--timing` (wall
 * seconds per stage, summed over the photos). Last comes the table of
 * issue 25's targets: each job's median wall time and peak RSS against
 * its target, "met" or "MISSED".
 *
 * Wall times are taken on whatever else the machine is doing: run it on
 * an idle machine and quote the median; the CPU column says how loaded
 * the machine was (wall well above CPU / jobs means waiting for a core).
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define MAX_RUNS 16

static const char *prog, *dir;

/* Runs prog with args (NULL-terminated), stdout to /dev/null and stderr
 * to err_path (or /dev/null); exits the benchmark if it fails. Returns
 * the wall seconds, *rss_kb the child's peak RSS and *cpu its user +
 * system CPU seconds. */
static double run(char *const args[], const char *err_path, long *rss_kb,
                  double *cpu)
{
    double t0 = tu_now();
    struct rusage ru;
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    if (pid == 0) {
        int out = open("/dev/null", O_WRONLY);
        int err = open(err_path ? err_path : "/dev/null",
                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        execv(args[0], args);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) > 1) {
        fprintf(stderr, "bench: %s %s failed (status %d)\n", args[0], args[1],
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        exit(1);
    }
    *rss_kb = ru.ru_maxrss;
    *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    return tu_now() - t0;
}

/* DIR/name made by `skintrack synth OPTS` unless it is there already. */
static void make_input(const char *name, char *const opts[])
{
    char out[1024], truth[1100];
    char *args[32];
    int n = 0;
    long rss;
    double cpu;
    struct stat st;

    snprintf(out, sizeof out, "%s/%s", dir, name);
    snprintf(truth, sizeof truth, "%s/truth.csv", out);
    if (stat(truth, &st) == 0)
        return;
    printf("making %s ...\n", out);
    args[n++] = (char *)prog;
    args[n++] = "synth";
    args[n++] = "--out";
    args[n++] = out;
    args[n++] = "--quiet";
    while (*opts && n < 30)
        args[n++] = *opts++;
    args[n] = NULL;
    run(args, NULL, &rss, &cpu);
}

/* The stage times of one run's "--timing" line into st[k][i]. */
static void read_timing(const char *label, const char *err_path,
                        double st[][MAX_RUNS], int i)
{
    /* "skintrack: timing (s): decode 0.141 region ... total X" */
    FILE *f = fopen(err_path, "r");
    char line[1024], *p;
    int got = 0;
    while (f && fgets(line, sizeof line, f))
        if ((p = strstr(line, "timing (s):"))) {
            p += strlen("timing (s):");
            for (int k = 0; k < ST_STAGE_COUNT; k++) {
                char name[32];
                int used;
                if (sscanf(p, " %31s %lf%n", name, &st[k][i], &used) != 2)
                    break;
                p += used;
                got++;
            }
        }
    if (f)
        fclose(f);
    if (got != ST_STAGE_COUNT) {
        fprintf(stderr, "bench: no --timing line from %s\n", label);
        exit(1);
    }
}

/* What a job measured: median wall and CPU seconds, peak RSS in MB. */
typedef struct figures {
    double wall, cpu;
    long peak_mb;
} figures;

/* One job: a warm-up and `runs` timed runs; with timing, the median of
 * each --timing stage as well. */
static figures job(const char *label, char *const args[], int runs, int timing)
{
    double t[MAX_RUNS], c[MAX_RUNS], stage[ST_STAGE_COUNT][MAX_RUNS];
    long rss, peak = 0;
    char err_path[1100];
    figures f;

    snprintf(err_path, sizeof err_path, "%s/stderr.txt", dir);
    for (int i = -1; i < runs; i++) {
        double cpu, s = run(args, err_path, &rss, &cpu);
        peak = rss > peak ? rss : peak;
        if (i < 0)
            continue;
        t[i] = s, c[i] = cpu;
        if (timing)
            read_timing(label, err_path, stage, i);
    }
    qsort(t, (size_t)runs, sizeof t[0], tu_cmp_double);
    qsort(c, (size_t)runs, sizeof c[0], tu_cmp_double);
    f = (figures){t[runs / 2], c[runs / 2], peak / 1024};
    printf("%-36s %2d runs  median %6.3f s  min %6.3f  max %6.3f  "
           "CPU %6.3f s  peak RSS %5ld MB\n",
           label, runs, f.wall, t[0], t[runs - 1], f.cpu, f.peak_mb);
    if (timing) {
        printf("%-36s stages (median s):", "");
        for (int k = 0; k < ST_STAGE_COUNT; k++) {
            qsort(stage[k], (size_t)runs, sizeof stage[k][0], tu_cmp_double);
            printf(" %s %.3f", st_stage_name((st_stage)k), stage[k][runs / 2]);
        }
        printf("\n");
    }
    return f;
}

/* One row of the target table; mb 0: no memory target. */
static void target(const char *label, figures f, double s, long mb)
{
    char want[48];
    int met = f.wall <= s && (!mb || f.peak_mb <= mb);
    if (mb)
        snprintf(want, sizeof want, "<= %.1f s, <= %ld MB", s, mb);
    else
        snprintf(want, sizeof want, "<= %.1f s", s);
    printf("| %-34s | %6.3f s | %6.3f s | %5ld MB | %-20s | %-6s |\n", label,
           f.wall, f.cpu, f.peak_mb, want, met ? "met" : "MISSED");
}

static char *path(const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        exit(1);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

int main(int argc, char **argv)
{
    static char *pair_opts[] = {"--sessions", "1",  "--post-days", "none",
                                "--width",    NULL, NULL};
    static char *course_opts[] = {"--width",    "4032",        "--sessions",
                                  "5",          "--post-days", "1,2,3",
                                  "--followup", "0",           NULL};
    char *b12, *a12, *b2, *a2, *course;
    figures f_pair, f_pair1, f_metrics, f_course;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_jobs PATH/TO/skintrack DIR\n");
        return 2;
    }
    prog = argv[1];
    dir = argv[2];
    if (mkdir(dir, 0755) && access(dir, W_OK)) {
        perror(dir);
        return 1;
    }
    pair_opts[5] = "4032";
    make_input("pair-12mp", pair_opts);
    pair_opts[5] = "1600";
    make_input("pair-2mp", pair_opts);
    make_input("course-12mp", course_opts);
    b12 = path("pair-12mp/2026-01-12.jpg");
    a12 = path("pair-12mp/2026-04-12.jpg");
    b2 = path("pair-2mp/2026-01-12.jpg");
    a2 = path("pair-2mp/2026-04-12.jpg");
    course = path("course-12mp");

    printf("skintrack %s, %ld online cores; default jobs unless --jobs\n",
           st_version(), sysconf(_SC_NPROCESSORS_ONLN));
    {
        char *a[] = {(char *)prog, "compare", "--timing", b12, a12, NULL};
        f_pair = job("compare 4032x3024 pair, default jobs", a, 5, 1);
    }
    {
        char *a[] = {(char *)prog, "compare", "--jobs", "1",
                     "--timing",   b12,       a12,      NULL};
        f_pair1 = job("compare 4032x3024 pair, --jobs 1", a, 5, 1);
    }
    {
        char *a[] = {(char *)prog, "compare", "--jobs", "1",
                     "--timing",   b2,        a2,       NULL};
        job("compare 1600x1200 pair, --jobs 1", a, 5, 1);
    }
    {
        char *a[] = {(char *)prog, "metrics", "--timing", b12, NULL};
        f_metrics = job("metrics 4032x3024 photo, default jobs", a, 5, 1);
    }
    {
        char *a[] = {(char *)prog, "metrics", "--jobs", "1", b12, NULL};
        job("metrics 4032x3024 photo, --jobs 1", a, 5, 0);
    }
    {
        char *a[] = {(char *)prog, "course", "--jobs", "2", course, NULL};
        f_course = job("course 20 x 4032x3024, --jobs 2", a, 3, 0);
    }
    printf("\nissue 25 targets (median wall time, median CPU time, peak "
           "RSS)\n");
    printf("| %-34s | %-8s | %-8s | %-8s | %-20s | %-6s |\n", "job", "wall",
           "CPU", "peak RSS", "target", "");
    target("compare 12 MP pair, default jobs", f_pair, 1.0, 350);
    target("compare 12 MP pair, --jobs 1", f_pair1, 1.7, 0);
    target("metrics one 12 MP photo, default", f_metrics, 0.5, 0);
    target("course 20 x 12 MP, --jobs 2", f_course, 8.0, 500);
    free(b12), free(a12), free(b2), free(a2), free(course);
    return 0;
}
