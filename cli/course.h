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

/* ---- rows after measuring (course_row.c) ---- */

/* "YYYY-MM-DDTHH:MM:SS" of a photo's date and capture time into buf (20
 * bytes at least), or NULL when either is unknown. */
const char *cli_datetime(const st_course_photo *q, char *buf);

/* Measured without error (ok or low_confidence). */
int cli_row_ok(const cli_photo *p);
/* "ok", "low_confidence" or "error", and the cause of an error (NULL). */
const char *cli_row_status(const cli_photo *p);
const char *cli_row_error(const cli_photo *p);

/* The course rows[0..n) as the library's statistics read them
 * (st_course_trend_of, st_course_sessions), in the same order, and in
 * *ibase the index of base (SIZE_MAX when base is NULL or not in rows).
 * malloc'd (the caller frees), or NULL when out of memory. */
st_course_row *cli_stat_rows(cli_photo *const *rows, size_t n,
                             const cli_photo *base, size_t *ibase);

#endif
