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
    char *error;                   /* owned; non-NULL: an error row */
    st_course_photo plan;          /* dates and given phase in, plan out */
    int planned;                   /* plan outputs are valid */
    st_course_result res;          /* when planned and measured */
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

#endif
