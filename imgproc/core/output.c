/* skintrack — atomic output files.
 *
 *   st_output_open        temporary file beside the destination
 *   st_output_stream      where to write
 *   st_output_sync        flush and fsync, so a full disk shows before commit
 *   st_output_temp_path   the temporary file's name
 *   st_output_errno       why writing failed, if it did
 *   st_output_commit      flush, fsync, close, rename into place
 *   st_output_abort       close and remove the temporary file
 *
 * The temporary file is ".NAME.XXXXXX.tmp" in the destination's folder,
 * created with O_EXCL (nothing is overwritten through a planted link) and
 * mode 0666 less the umask, the permissions a plain fopen would give.
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
#include <time.h>
#include <unistd.h>

#include "core/core_internal.h"
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

static void output_free(st_output *o)
{
    free(o->path);
    free(o->temp);
    free(o);
}

/* Creates a new file "DIR/.BASE.XXXXXX.tmp" with a fresh random-looking
 * suffix. open() with O_EXCL never follows or reuses an existing name, and
 * mode 0666 lets the kernel apply the umask, as fopen would (changing the
 * umask to read it would race with other threads). */
static int create_temp(const char *dir, const char *base, char *name,
                       size_t size)
{
    static _Atomic unsigned long counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec t;
        unsigned long x;
        int fd;
        clock_gettime(CLOCK_REALTIME, &t);
        x = (unsigned long)t.tv_nsec ^ ((unsigned long)getpid() << 20) ^
            (++counter * 2654435761ul);
        snprintf(name, size, "%s/.%s.%06lx.tmp", dir, base, x & 0xffffff);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

st_status st_output_open(st_output **out, const char *path, st_error *err)
{
    st_output *o;
    char *dir_copy = NULL, *base_copy = NULL;
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
    o->fd = -1;
    if (strcmp(path, "-") == 0) {
        o->stream = stdout;
        o->is_stdout = 1;
        *out = o;
        return ST_OK;
    }
    o->path = strdup(path);
    dir_copy = strdup(path);
    base_copy = strdup(path);
    n = strlen(path) + 32;
    o->temp = malloc(n);
    if (!o->path || !dir_copy || !base_copy || !o->temp) {
        free(dir_copy);
        free(base_copy);
        output_free(o);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    fd = create_temp(dirname(dir_copy), basename(base_copy), o->temp, n);
    free(dir_copy);
    free(base_copy);
    if (fd < 0) {
        char buf[128];
        st_status s = st_fail(err, ST_ERR_IO,
                              "cannot create a temporary file beside %s: %s",
                              path, st_errno_text(errno, buf, sizeof buf));
        output_free(o);
        return s;
    }
    o->fd = fd;
    o->stream = fopencookie(
        o, "wb",
        (cookie_io_functions_t){NULL, cookie_write, NULL, cookie_close});
    if (!o->stream) {
        close(fd);
        unlink(o->temp);
        output_free(o);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    *out = o;
    return ST_OK;
}

FILE *st_output_stream(st_output *o)
{
    return o->stream;
}

const char *st_output_temp_path(const st_output *o)
{
    return o->temp ? o->temp : "";
}

int st_output_errno(const st_output *o)
{
    return o ? o->write_errno : 0;
}

st_status st_output_fail(const st_output *o, st_error *err, st_status status,
                         const char *path, const char *encoder_message)
{
    char ebuf[128];
    if (st_output_errno(o))
        return st_fail(err, ST_ERR_IO, "cannot write %s: %s", path,
                       st_errno_text(st_output_errno(o), ebuf, sizeof ebuf));
    return st_fail(err, status, "cannot write %s: %s", path, encoder_message);
}

/* Flushes the stream and fsyncs the file (stdout: flushes); 0, or the
 * errno of the first failure. */
static int flush_sync(st_output *o)
{
    if (o->is_stdout)
        return fflush(stdout) != 0 || ferror(stdout) ? (errno ? errno : EIO)
                                                     : 0;
    if (fflush(o->stream) != 0 || ferror(o->stream))
        return o->write_errno ? o->write_errno : EIO;
    if (fsync(o->fd) != 0 && errno != EINVAL)
        return errno;
    return 0;
}

st_status st_output_sync(st_output *o, st_error *err)
{
    char ebuf[128];
    int e;

    if (!o)
        return st_fail(err, ST_ERR_INVALID, "st_output_sync: no output");
    if (!(e = flush_sync(o)))
        return ST_OK;
    if (!o->write_errno)
        o->write_errno = e;
    return st_fail(err, ST_ERR_IO, "cannot write %s: %s",
                   o->is_stdout ? "standard output" : o->path,
                   st_errno_text(e, ebuf, sizeof ebuf));
}

st_status st_output_commit(st_output *o, st_error *err)
{
    char ebuf[128];
    int e;

    if (!o)
        return st_fail(err, ST_ERR_INVALID, "st_output_commit: no output");
    e = flush_sync(o);
    if (o->is_stdout) {
        output_free(o);
        if (e)
            return st_fail(err, ST_ERR_IO, "cannot write standard output: %s",
                           st_errno_text(e, ebuf, sizeof ebuf));
        return ST_OK;
    }
    if (fclose(o->stream) != 0 && !e)
        e = o->write_errno ? o->write_errno : EIO;
    o->stream = NULL;
    if (!e && rename(o->temp, o->path) != 0)
        e = errno;
    if (e) {
        st_status s = st_fail(err, ST_ERR_IO, "cannot write %s: %s", o->path,
                              st_errno_text(e, ebuf, sizeof ebuf));
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
