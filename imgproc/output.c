/* skintrack — atomic output files.
 *
 *   st_output_open        temporary file beside the destination
 *   st_output_stream      where to write
 *   st_output_temp_path   the temporary file's name
 *   st_output_commit      flush, fsync, close, rename into place
 *   st_output_abort       close and remove the temporary file
 *
 * The temporary file is ".NAME.XXXXXX.tmp" in the destination's folder,
 * made with mkstemps (O_EXCL, so nothing is overwritten through a
 * planted link) and given the permissions a plain fopen would give
 * (0666 less the umask) before it is renamed.
 *
 * The stream is a stdio cookie stream over the file descriptor: stdio
 * forgets why a buffered write failed (a later flush may even succeed), so
 * the write function keeps the first errno and commit reports that cause
 * ("No space left on device") rather than a bare I/O error.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "skintrack/output.h"

struct st_output {
    FILE *stream;
    int is_stdout;
    int fd;
    int write_errno; /* first failure of write(2), 0 if none */
    char *path;
    char *temp;
};

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
    st_output *o = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!o->write_errno)
                o->write_errno = w < 0 ? errno : EIO;
            return -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int cookie_close(void *cookie)
{
    st_output *o = cookie;
    int r = close(o->fd);
    if (r != 0 && !o->write_errno)
        o->write_errno = errno;
    o->fd = -1;
    return r;
}

static mode_t file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

st_status st_output_open(st_output **out, const char *path, st_error *err)
{
    st_output *o;
    char *dir_copy = NULL, *base_copy = NULL;
    const char *dir, *base;
    size_t n;
    int fd;

    if (!out)
        return st_fail(err, ST_ERR_INVALID, "st_output_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return st_fail(err, ST_ERR_INVALID, "empty output path");
    o = calloc(1, sizeof *o);
    if (!o)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        o->stream = stdout;
        o->is_stdout = 1;
        *out = o;
        return ST_OK;
    }
    o->path = strdup(path);
    dir_copy = strdup(path);
    base_copy = strdup(path);
    if (!o->path || !dir_copy || !base_copy)
        goto nomem;
    dir = dirname(dir_copy);
    base = basename(base_copy);
    n = strlen(dir) + strlen(base) + 16;
    o->temp = malloc(n);
    if (!o->temp)
        goto nomem;
    snprintf(o->temp, n, "%s/.%s.XXXXXX.tmp", dir, base);
    fd = mkstemps(o->temp, 4);
    if (fd < 0) {
        int e = errno;
        free(dir_copy);
        free(base_copy);
        free(o->temp);
        free(o->path);
        free(o);
        return st_fail(err, ST_ERR_IO, "cannot create a file in %s: %s", path,
                       strerror(e));
    }
    free(dir_copy);
    free(base_copy);
    dir_copy = base_copy = NULL;
    (void)fchmod(fd, file_mode());
    o->fd = fd;
    o->stream = fopencookie(
        o, "wb",
        (cookie_io_functions_t){NULL, cookie_write, NULL, cookie_close});
    if (!o->stream) {
        close(fd);
        unlink(o->temp);
        goto nomem;
    }
    *out = o;
    return ST_OK;

nomem:
    free(dir_copy);
    free(base_copy);
    free(o->temp);
    free(o->path);
    free(o);
    return st_fail(err, ST_ERR_NOMEM, "out of memory");
}

FILE *st_output_stream(st_output *o)
{
    return o->stream;
}

const char *st_output_temp_path(const st_output *o)
{
    return o->temp ? o->temp : "";
}

static void output_free(st_output *o)
{
    free(o->path);
    free(o->temp);
    free(o);
}

st_status st_output_commit(st_output *o, st_error *err)
{
    int e = 0;

    if (!o)
        return st_fail(err, ST_ERR_INVALID, "st_output_commit: no output");
    if (o->is_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            e = errno ? errno : EIO;
        output_free(o);
        if (e)
            return st_fail(err, ST_ERR_IO, "cannot write standard output: %s",
                           strerror(e));
        return ST_OK;
    }
    if (fflush(o->stream) != 0 || ferror(o->stream))
        e = o->write_errno ? o->write_errno : EIO;
    if (!e && fsync(o->fd) != 0 && errno != EINVAL)
        e = errno;
    if (fclose(o->stream) != 0 && !e)
        e = o->write_errno ? o->write_errno : EIO;
    o->stream = NULL;
    if (!e && rename(o->temp, o->path) != 0)
        e = errno;
    if (e) {
        st_status s = st_fail(err, ST_ERR_IO, "cannot write %s: %s", o->path,
                              strerror(e));
        unlink(o->temp);
        output_free(o);
        return s;
    }
    output_free(o);
    return ST_OK;
}

void st_output_abort(st_output *o)
{
    if (!o)
        return;
    if (!o->is_stdout) {
        if (o->stream)
            fclose(o->stream);
        unlink(o->temp);
    }
    output_free(o);
}
