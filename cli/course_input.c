/* skintrack — the inputs of `skintrack course`: folders and manifests.
 *
 * A folder is one subject (its name); its subfolders, if any, are regions
 * (photos directly in it are then the region ""), except subfolders named
 * by a date, which are visits: their photos are of the region "" taken
 * that day. A region's own subfolders named by a date are its visits.
 * Photos are the files with the extension of a format the library reads
 * (st_io_is_photo_name: JPEG, PNG, HEIF/HEIC/AVIF, TIFF, camera raw; any
 * case), taken in name order; other files and hidden ones are left alone.
 * A manifest is a CSV file with a
 * header naming its columns (any order, any case): path (required),
 * subject, region, date, session, phase, treatment (yes on the photos of
 * a treatment visit); other columns are ignored.
 * Relative paths are relative to the manifest's folder; a manifest
 * without a subject column is one subject named after its file.
 *
 * Dates, in order of trust: the manifest's date column, a date in the file
 * name, EXIF DateTimeOriginal. A folder photo with none is an error row;
 * a manifest photo with none is placed by its line. Capture times, which
 * order the photos of one day, likewise: the manifest's date column (an
 * ISO date and time), a time after the date in the file name, EXIF (when
 * its date is the photo's).
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "course.h"

void cli_photos_free(cli_photos *list)
{
    for (size_t i = 0; i < list->n; i++) {
        cli_photo *p = &list->v[i];
        free(p->subject);
        free(p->region);
        free(p->path);
        free(p->stem);
        free(p->error);
        st_course_result_clear(&p->res);
    }
    free(list->v);
    memset(list, 0, sizeof *list);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Appends a row; NULL when out of memory (reported). */
static cli_photo *add(cli_photos *list, const char *subject, const char *region,
                      const char *path, long order)
{
    cli_photo *p;
    if (list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 64;
        cli_photo *v = realloc(list->v, cap * sizeof *v);
        if (!v)
            goto nomem;
        list->v = v;
        list->cap = cap;
    }
    p = &list->v[list->n];
    memset(p, 0, sizeof *p);
    p->subject = dup_or_null(subject);
    p->region = dup_or_null(region ? region : "");
    p->path = dup_or_null(path);
    if (!p->subject || !p->region || !p->path) {
        free(p->subject);
        free(p->region);
        free(p->path);
        goto nomem;
    }
    p->plan.order = order;
    p->plan.session = -1;
    list->n++;
    return p;
nomem:
    cli_error("out of memory collecting photos");
    return NULL;
}

/* Sets p's error row cause (printf-style); -1 when out of memory. */
static int set_error(cli_photo *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int set_error(cli_photo *p, const char *fmt, ...)
{
    char buf[ST_ERROR_MESSAGE_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    cli_one_line(buf);
    free(p->error);
    p->error = strdup(buf);
    if (!p->error) {
        cli_error("out of memory");
        return -1;
    }
    return 0;
}

/* The date of p (unless given) from its file name, else its EXIF; its
 * capture time (unless given) from the file name, else EXIF when that is
 * of the same day; the before/after word of its name. For a folder photo
 * (required) a missing date is an error. */
static int find_date(cli_photo *p, const st_read_options *read, int required)
{
    const char *base = strrchr(p->path, '/');
    st_course_photo *q = &p->plan;
    st_image_info info;
    st_error err = {0};
    long day, t;

    base = base ? base + 1 : p->path;
    q->hint = st_course_name_hint(base);
    if (st_date_time_from_name(base, &day, &t) == 0) {
        if (!q->has_date)
            q->date = day, q->has_date = 1;
        if (t >= 0 && !q->has_time && day == q->date)
            q->time = t, q->has_time = 1;
    }
    if (q->has_date && q->has_time)
        return 0;
    if (st_io_read(p->path, read, NULL, &info, &err) != ST_OK)
        return q->has_date ? 0 /* measuring will say why */
                           : set_error(p, "%s", st_error_text(&err));
    if (!q->has_date && st_date_parse(info.datetime_original, &day) == 0) {
        q->date = day;
        q->has_date = 1;
    }
    if (q->has_date && !q->has_time &&
        st_date_parse(info.datetime_original, &day) == 0 && day == q->date &&
        st_time_parse(info.datetime_original, &t) == 0)
        q->time = t, q->has_time = 1;
    if (!q->has_date && required)
        return set_error(p, "no date: none in the file name (YYYY-MM-DD or "
                            "YYYYMMDD) and no EXIF DateTimeOriginal");
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in dir that are photos (dirs 0) or folders (dirs 1),
 * hidden ones left out. NULL with *n 0 and errno set on failure. */
static char **list_dir(const char *dir, int dirs, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d))) {
        struct stat st;
        char path[4096];
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >=
                (int)sizeof path ||
            stat(path, &st) != 0)
            continue;
        if (dirs ? !S_ISDIR(st.st_mode)
                 : S_ISDIR(st.st_mode) || !st_io_is_photo_name(e->d_name))
            continue;
        if (*n == cap) {
            char **w = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof *v);
            if (!w)
                goto nomem;
            v = w;
        }
        if (!(v[*n] = strdup(e->d_name)))
            goto nomem;
        ++*n;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_name);
    errno = 0;
    return v;
nomem:
    closedir(d);
    for (size_t i = 0; i < *n; i++)
        free(v[i]);
    free(v);
    *n = 0;
    errno = ENOMEM;
    return NULL;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* dir + "/" + name, without doubling a trailing slash. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    char *s = malloc(n + strlen(name) + 2);
    if (s)
        sprintf(s, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
    return s;
}

/* The photos of folder dir, as subject/region; when visit is non-NULL,
 * all taken on day *visit (a visit folder). */
static int add_folder_photos(cli_photos *list, const char *dir,
                             const char *subject, const char *region,
                             const long *visit, const st_read_options *read,
                             long *order)
{
    size_t n;
    char **names = list_dir(dir, 0, &n);
    int rc = 0;
    if (!names && errno == ENOMEM) {
        cli_error("out of memory listing %s", dir);
        return -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *path = join(dir, names[i]);
        cli_photo *p =
            path ? add(list, subject, region, path, (*order)++) : NULL;
        if (p && visit)
            p->plan.date = *visit, p->plan.has_date = 1;
        rc = p ? find_date(p, read, 1) : -1;
        free(path);
    }
    free_names(names, n);
    return rc;
}

/* The last component of path, without trailing slashes, into buf. */
static const char *base_name(const char *path, char *buf, size_t size)
{
    size_t n = strlen(path);
    const char *s;
    while (n > 1 && path[n - 1] == '/')
        n--;
    s = path + n;
    while (s > path && s[-1] != '/')
        s--;
    snprintf(buf, size, "%.*s", (int)(path + n - s), s);
    return buf;
}

/* The photos of a subject's subfolder sub: a visit (a date in its name),
 * or a region, whose own subfolders may be its visits. */
static int add_subfolder(cli_photos *list, const char *dir, const char *sub,
                         const char *subject, const st_read_options *read,
                         long *order)
{
    char *path = join(dir, sub), **visits = NULL;
    size_t nv = 0;
    long day;
    int rc;
    if (!path)
        return -1;
    if (st_date_from_name(sub, &day) == 0) {
        rc = add_folder_photos(list, path, subject, "", &day, read, order);
        free(path);
        return rc;
    }
    rc = add_folder_photos(list, path, subject, sub, NULL, read, order);
    visits = list_dir(path, 1, &nv);
    if (!visits && errno == ENOMEM)
        rc = -1;
    for (size_t i = 0; i < nv && rc == 0; i++) {
        char *vpath;
        if (st_date_from_name(visits[i], &day))
            continue; /* only visits go one level deeper */
        vpath = join(path, visits[i]);
        rc = vpath ? add_folder_photos(list, vpath, subject, sub, &day, read,
                                       order)
                   : -1;
        free(vpath);
    }
    free_names(visits, nv);
    free(path);
    return rc;
}

static int add_folder(cli_photos *list, const char *dir,
                      const st_read_options *read)
{
    char subject[1024], real[4096];
    size_t nsub, before = list->n;
    char **subs;
    long order = 0;
    int rc;

    base_name(dir, subject, sizeof subject);
    if ((!strcmp(subject, ".") || !strcmp(subject, "..")) &&
        realpath(dir, real))
        base_name(real, subject, sizeof subject);
    subs = list_dir(dir, 1, &nsub);
    if (!subs && errno) {
        int e = errno;
        cli_photo *p = add(list, subject, "", dir, 0);
        if (!p)
            return -1;
        return set_error(p, "cannot list the folder: %s", strerror(e));
    }
    rc = add_folder_photos(list, dir, subject, "", NULL, read, &order);
    for (size_t i = 0; i < nsub && rc == 0; i++)
        rc = add_subfolder(list, dir, subs[i], subject, read, &order);
    free_names(subs, nsub);
    if (rc == 0 && list->n == before) {
        cli_photo *p = add(list, subject, "", dir, 0);
        char types[512];
        st_io_extension_list(types, sizeof types);
        rc = p ? set_error(p, "no photos in the folder (looked for %s)", types)
               : -1;
    }
    return rc;
}

/* ---- manifests ---- */

enum {
    COL_PATH,
    COL_SUBJECT,
    COL_REGION,
    COL_DATE,
    COL_SESSION,
    COL_PHASE,
    COL_TREATMENT,
    NCOLS
};
static const char *const col_names[NCOLS] = {
    "path", "subject", "region", "date", "session", "phase", "treatment"};

/* The columns of the header record; -1 and a cause if unusable. */
static int read_header(const st_csv_reader *r, int col[NCOLS], char *why,
                       size_t size)
{
    for (int k = 0; k < NCOLS; k++)
        col[k] = -1;
    for (int i = 0; i < st_csv_field_count(r); i++) {
        char name[32];
        const char *f = st_csv_field(r, i);
        size_t n = 0;
        while (*f == ' ' || *f == '\t')
            f++;
        while (*f && *f != ' ' && *f != '\t' && n + 1 < sizeof name)
            name[n++] = (char)tolower((unsigned char)*f++);
        name[n] = '\0';
        for (int k = 0; k < NCOLS; k++)
            if (strcmp(name, col_names[k]) == 0) {
                if (col[k] >= 0) {
                    snprintf(why, size, "the header names %s twice",
                             col_names[k]);
                    return -1;
                }
                col[k] = i;
            }
    }
    if (col[COL_PATH] < 0) {
        snprintf(why, size,
                 "the header has no path column (wanted: "
                 "subject,region,date,session,phase,treatment,path)");
        return -1;
    }
    return 0;
}

/* Field k of the record, or "" if the manifest has no such column. */
static const char *field(const st_csv_reader *r, const int col[NCOLS], int k)
{
    return col[k] >= 0 ? st_csv_field(r, col[k]) : "";
}

/* A session number: digits only, 0..9999. */
static int parse_session(const char *s, int *v)
{
    long n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || (n = 10 * n + (*s - '0')) > 9999)
            return -1;
    }
    *v = (int)n;
    return 0;
}

/* A treatment mark: yes, y, true, 1, x (a treatment visit) or no, n,
 * false, 0, "" (not); any case. 0 with *v, or -1. */
static int parse_mark(const char *s, int *v)
{
    static const char *const yes[] = {"yes", "y", "true", "1", "x"};
    static const char *const no[] = {"no", "n", "false", "0", ""};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *v = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *v = 0, 0;
    }
    return -1;
}

/* One manifest record as a photo row (errors become the row's cause). */
static int add_record(cli_photos *list, const st_csv_reader *r,
                      const int col[NCOLS], const char *dir, const char *stem,
                      const st_read_options *read)
{
    const char *path = field(r, col, COL_PATH);
    const char *subject = field(r, col, COL_SUBJECT);
    const char *date = field(r, col, COL_DATE);
    const char *session = field(r, col, COL_SESSION);
    const char *phase = field(r, col, COL_PHASE);
    const char *treated = field(r, col, COL_TREATMENT);
    char *full = NULL;
    cli_photo *p;
    char quoted[44];
    long day;

    if (path[0] && path[0] != '/' && dir)
        full = join(dir, path);
    p = add(list, subject[0] ? subject : stem, field(r, col, COL_REGION),
            full ? full : path, r->line);
    free(full);
    if (!p)
        return -1;
    if (!path[0])
        return set_error(p, "line %ld: no path", r->line);
    if (phase[0] && st_phase_parse(phase, &p->plan.phase))
        return set_error(p,
                         "line %ld: phase '%s' is not baseline, pre, "
                         "post or followup",
                         r->line,
                         (cli_clip(phase, quoted, sizeof quoted), quoted));
    if (parse_mark(treated, &p->treated))
        return set_error(p,
                         "line %ld: treatment '%s' is not yes or no (1, 0, "
                         "x or empty)",
                         r->line,
                         (cli_clip(treated, quoted, sizeof quoted), quoted));
    if (session[0] && parse_session(session, &p->plan.session))
        return set_error(p, "line %ld: session '%s' is not a number 0..9999",
                         r->line,
                         (cli_clip(session, quoted, sizeof quoted), quoted));
    if (date[0]) {
        if (st_date_parse(date, &day))
            return set_error(p,
                             "line %ld: date '%s' is not a real "
                             "YYYY-MM-DD date",
                             r->line,
                             (cli_clip(date, quoted, sizeof quoted), quoted));
        p->plan.date = day;
        p->plan.has_date = 1;
        if (st_time_parse(date, &p->plan.time) == 0)
            p->plan.has_time = 1;
    }
    if (find_date(p, read, 0))
        return -1;
    if (p->treated && !p->plan.has_date && !p->error)
        return set_error(p,
                         "line %ld: a treatment visit without a date "
                         "(none in the manifest, the file name or EXIF)",
                         r->line);
    return 0;
}

static int add_manifest(cli_photos *list, const char *path,
                        const st_read_options *read)
{
    char stem[1024], why[160], *dir = NULL, *slash;
    FILE *f = fopen(path, "rb");
    st_csv_reader r;
    st_error err = {0};
    int col[NCOLS], got, rc = 0;
    cli_photo *p;

    base_name(path, stem, sizeof stem);
    if ((slash = strrchr(stem, '.')) && slash != stem)
        *slash = '\0';
    if (!f) {
        int e = errno;
        if (!(p = add(list, stem, "", path, 0)))
            return -1;
        return set_error(p, "cannot open the manifest: %s", strerror(e));
    }
    if ((slash = strrchr(path, '/'))) {
        dir = strndup(path, (size_t)(slash - path) + (slash == path));
        if (!dir) {
            fclose(f);
            cli_error("out of memory");
            return -1;
        }
    }
    st_csv_reader_init(&r, f);
    got = st_csv_read(&r, &err);
    if (got <= 0 || read_header(&r, col, why, sizeof why)) {
        if (got == 0)
            snprintf(why, sizeof why, "the manifest is empty");
        else if (got < 0)
            snprintf(why, sizeof why, "header: %s", st_error_text(&err));
        rc = (p = add(list, stem, "", path, 0)) ? set_error(p, "%s", why) : -1;
        goto done;
    }
    while (rc == 0 && (got = st_csv_read(&r, &err)) != 0) {
        if (got < 0) {
            char where[64];
            snprintf(where, sizeof where, "%s:%ld", path, r.line);
            p = add(list, stem, "", where, r.line);
            rc = p ? set_error(p, "%s", st_error_text(&err)) : -1;
            if (err.status == ST_ERR_IO || err.status == ST_ERR_NOMEM)
                break;
            continue;
        }
        rc = add_record(list, &r, col, dir, stem, read);
    }
done:
    st_csv_reader_free(&r);
    free(dir);
    fclose(f);
    return rc;
}

int cli_course_collect(const char *input, const st_read_options *read,
                       cli_photos *list)
{
    struct stat st;
    cli_photo *p;
    char name[1024];
    int e = stat(input, &st) == 0 ? 0 : errno;
    if (!e && S_ISDIR(st.st_mode))
        return add_folder(list, input, read);
    if (!e && !st_io_is_photo_name(input))
        return add_manifest(list, input, read);
    /* neither: say what was expected */
    if (!(p = add(list, base_name(input, name, sizeof name), "", input, 0)))
        return -1;
    if (e == ENOENT || e == ENOTDIR)
        return set_error(p, "no such folder or manifest");
    if (e)
        return set_error(p, "cannot open: %s", strerror(e));
    return set_error(p, "a photo, not a folder or a manifest: give the "
                        "folder that holds the course's photos");
}
