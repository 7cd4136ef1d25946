/* skintrack fuzzing — a plain driver for the harnesses.
 *
 *   fuzz_NAME FILE|DIR...
 *
 * Runs the harness once on every file named, and on every regular file in
 * every folder named (in name order, not recursing). Each input sits in a
 * buffer of exactly its size, so the sanitizers see a read past its end.
 * A harness that prints by design (fuzz_options: usage errors) says so
 * with fuzz_quiet, and its stderr goes to /dev/null unless FUZZ_VERBOSE is
 * set; fuzz_fail() and AddressSanitizer reports still reach stderr (a
 * UBSan report may not: rerun with FUZZ_VERBOSE=1 to see it). Prints how
 * many inputs ran; exit status 0, or 2 if a path cannot be read. A crash
 * ends the process as it would under libFuzzer.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* In the sanitizer runtimes when linked in (make check-asan). */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));
/* A harness whose chatter should be hidden defines it (fuzz.h). */
extern const int fuzz_quiet __attribute__((weak));
/* A harness that needs set-up defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static FILE *out; /* the real stderr, for our own messages */
int fuzz_report_fd = 2;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    size_t n;

    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(out, "replay: %s: %s\n", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (!buf) {
        fclose(f);
        fprintf(out, "replay: %s: out of memory\n", path);
        return -1;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    if (n != (size_t)st.st_size) {
        free(buf);
        fprintf(out, "replay: %s: short read\n", path);
        return -1;
    }
    /* an empty input as a zero-size buffer, as libFuzzer gives it */
    LLVMFuzzerTestOneInput(n ? buf : NULL, n);
    free(buf);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir in name order; returns how many ran, or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    long ran = 0;

    if (!d) {
        fprintf(out, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **v = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *v);
            if (!v)
                abort();
            names = v;
        }
        if (!(names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2)))
            abort();
        sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]))
                ran = -1;
            else if (ran >= 0)
                ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    int keep = dup(2), quiet = open("/dev/null", O_WRONLY), failed = 0;
    long total = 0;

    out = keep >= 0 ? fdopen(keep, "w") : stderr;
    if (!out)
        out = stderr;
    setvbuf(out, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(out, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (&fuzz_quiet && fuzz_quiet && !getenv("FUZZ_VERBOSE") && keep >= 0 &&
        quiet >= 0) {
        if (__sanitizer_set_report_fd)
            __sanitizer_set_report_fd((void *)(intptr_t)keep);
        fflush(stderr);
        dup2(quiet, 2);
        fuzz_report_fd = keep;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long ran;
        if (stat(argv[i], &st) != 0) {
            fprintf(out, "replay: %s: %s\n", argv[i], strerror(errno));
            failed = 1;
            continue;
        }
        ran = S_ISDIR(st.st_mode) ? run_dir(argv[i])
                                  : (run_file(argv[i]) ? -1 : 1);
        if (ran < 0)
            failed = 1;
        else
            total += ran;
    }
    printf("%s: %ld inputs replayed\n", argv[0], total);
    return failed ? 2 : 0;
}
