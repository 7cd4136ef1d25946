/* skintrack fuzzing — the course manifest: CSV reader, columns, dates,
 * sessions, phases, then planning.
 *
 * Each input is written to a manifest file in a private temporary folder
 * and read by cli_course_collect exactly as `skintrack course MANIFEST`
 * reads it (relative photo paths point into that folder, where nothing but
 * the manifest is). The rows that are not errors are planned as one course
 * with st_course_plan. Checked: every row has a subject, region and path;
 * an error row's cause is one line; planning picks exactly one baseline,
 * gives every photo a phase, and counts days from the baseline's date.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "course.h"
#include "fuzz.h"

static char dir[64], manifest[96];

static void cleanup(void)
{
    unlink(manifest);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "%s/skintrack-fuzz-XXXXXX",
             tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror(dir);
        exit(2);
    }
    snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
    atexit(cleanup);
    return 0;
}

static void plan(cli_photos *list)
{
    st_course_photo *pl = calloc(list->n ? list->n : 1, sizeof *pl);
    st_course_plan_options opt;
    st_error err = {0};
    size_t np = 0, b = 0, nbase = 0;

    if (!pl)
        return;
    for (size_t i = 0; i < list->n; i++)
        if (!list->v[i].error)
            pl[np++] = list->v[i].plan;
    st_course_plan_options_init(&opt);
    if (np && st_course_plan(pl, np, &opt, &b, &err) == ST_OK) {
        if (b >= np || !pl[b].is_baseline || pl[b].error)
            fuzz_fail("baseline index %zu of %zu is not the baseline", b, np);
        for (size_t i = 0; i < np; i++) {
            if (pl[i].error)
                continue;
            nbase += pl[i].is_baseline != 0;
            if (pl[i].phase < ST_PHASE_BASELINE ||
                pl[i].phase > ST_PHASE_CHECKUP)
                fuzz_fail("photo %zu left without a phase", i);
            if (pl[i].has_days &&
                (!pl[i].has_date || !pl[b].has_date ||
                 pl[i].days_since_baseline != pl[i].date - pl[b].date))
                fuzz_fail("photo %zu: %ld days since the baseline", i,
                          pl[i].days_since_baseline);
        }
        if (nbase != 1)
            fuzz_fail("%zu baselines", nbase);
    } else if (np) {
        fuzz_fail("planning %zu photos failed: %s", np, st_error_text(&err));
    }
    free(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_photos list = {0};
    st_read_options read;
    FILE *f = fopen(manifest, "wb");

    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(manifest);
        exit(2);
    }
    st_read_options_init(&read);
    if (cli_course_collect(manifest, &read, &list) == 0) {
        for (size_t i = 0; i < list.n; i++) {
            const cli_photo *p = &list.v[i];
            if (!p->subject || !p->region || !p->path)
                fuzz_fail("row %zu lacks a subject, region or path", i);
            if (p->error && (!p->error[0] || strpbrk(p->error, "\r\n")))
                fuzz_fail("row %zu: error \"%s\" is not one line", i, p->error);
        }
        plan(&list);
    }
    cli_photos_free(&list);
    return 0;
}
