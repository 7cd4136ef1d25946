/* skintrack — the photos of a `skintrack course` run and where they came
 * from (folders and manifests), shared by its input and output halves. */
#ifndef SKINTRACK_CLI_COURSE_H
#define SKINTRACK_CLI_COURSE_H

#include <stddef.h>

#include "skintrack/skintrack.h"

/* One row-to-be: a photo, or an input that failed before it was one (an
 * unreadable manifest, a bad manifest line, an empty folder). */
typedef struct cli_photo {
    char *subject, *region, *path; /* owned; region may be "" */
    char *stem;  /* owned: a name for its pictures, unique in the run (or
                    NULL: none asked for) */
    char *error; /* owned; non-NULL: an error row */
    st_course_photo plan; /* dates and given phase in, plan out */
    int treated;          /* a manifest marks it a treatment visit */
    int planned;          /* plan outputs are valid */
    size_t rank;          /* place in the plan's order, if planned */
    st_course_result res; /* when planned and measured */
    int measured;
    struct cli_pictures *pic; /* a report's pictures (report.c) */
} cli_photo;

typedef struct cli_photos {
    cli_photo *v;
    size_t n, cap;
} cli_photos;

/* Adds the photos of input (a folder, or any other path: a manifest) to
 * list: every problem with an input becomes an error row. read is used for
 * EXIF dates. Returns 0, or -1 when out of memory (reported). */
int cli_course_collect(const char *input, const st_read_options *read,
                       cli_photos *list);

void cli_photos_free(cli_photos *list);

/* ---- rows after measuring (cmd_course.c) ---- */

/* "YYYY-MM-DDTHH:MM:SS" of a photo's date and capture time into buf (20
 * bytes at least), or NULL when either is unknown. */
const char *cli_datetime(const st_course_photo *q, char *buf);

/* Measured without error (ok or low_confidence). */
int cli_row_ok(const cli_photo *p);
/* "ok", "low_confidence" or "error", and the cause of an error (NULL). */
const char *cli_row_status(const cli_photo *p);
const char *cli_row_error(const cli_photo *p);

/* The summary of one metric over a course: the registered, dated, non-post
 * photos (n of them), the baseline's and the latest one's value, the
 * change and the least-squares trend per 30 days with its standard error
 * (NaN when it cannot be fitted). */
typedef struct cli_trend {
    size_t n;
    const cli_photo *latest; /* NULL when only the baseline is there */
    double base, latest_value, change, pct_change, slope30, se30;
} cli_trend;

/* 0 with *t, or -1 for a text metric or a baseline that was not measured.
 * x and y are scratch space for n values each. */
int cli_course_trend(cli_photo *const *rows, size_t n, const cli_photo *base,
                     int metric, double *x, double *y, cli_trend *t);

#endif
