/* skintrack tests — a fault-injection shim for LD_PRELOAD.
 *
 *   SKINTRACK_FAULT="CALL:ERRNO[:BYTES],..." LD_PRELOAD=faultshim.so CMD
 *
 * makes the calls the output code makes fail as a full disk, a read-only
 * folder or a failing device would, without root, a small file system or
 * a real fault:
 *
 *   write:ENOSPC:N   writes to regular files (not stderr) succeed for N
 *                    bytes in all, then fail (a write that crosses the
 *                    limit is cut short first, as the kernel does)
 *   open:EROFS       open() with O_CREAT fails, and so does mkdir()
 *   fsync:EIO        fsync() fails
 *   rename:EIO       rename() fails
 *
 * ERRNO is one of ENOSPC, EDQUOT, EFBIG, EROFS, EACCES, EIO. Reads, and
 * opening existing files for reading, are left alone, so the command reads
 * its photos as usual.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { F_WRITE, F_OPEN, F_FSYNC, F_RENAME, NCALLS };
static const char *const call_names[NCALLS] = {"write", "open", "fsync",
                                               "rename"};
static int fault_errno[NCALLS]; /* 0: no fault */
static long long write_budget;  /* bytes left before writes fail */
static int parsed;

static int errno_of(const char *name, size_t n)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {{"ENOSPC", ENOSPC}, {"EDQUOT", EDQUOT}, {"EFBIG", EFBIG},
                 {"EROFS", EROFS},   {"EACCES", EACCES}, {"EIO", EIO}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, name, n) == 0)
            return names[i].value;
    return EIO;
}

static void parse(void)
{
    const char *s = getenv("SKINTRACK_FAULT");
    parsed = 1;
    while (s && *s) {
        const char *end = strchr(s, ','), *colon = strchr(s, ':');
        if (!end)
            end = s + strlen(s);
        if (colon && colon < end) {
            const char *arg = colon + 1,
                       *c2 = memchr(arg, ':', (size_t)(end - arg));
            for (int k = 0; k < NCALLS; k++)
                if ((size_t)(colon - s) == strlen(call_names[k]) &&
                    memcmp(s, call_names[k], (size_t)(colon - s)) == 0) {
                    fault_errno[k] =
                        errno_of(arg, (size_t)((c2 ? c2 : end) - arg));
                    if (k == F_WRITE)
                        write_budget = c2 ? atoll(c2 + 1) : 0;
                }
        }
        s = *end ? end + 1 : end;
    }
}

static int fault(int k)
{
    if (!parsed)
        parse();
    return fault_errno[k];
}

static void *next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f)
        abort();
    return f;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    struct stat st;
    int e = fault(F_WRITE);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))next("write");
    if (e && fd != 2 && n > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (write_budget <= 0) {
            errno = e;
            return -1;
        }
        if ((long long)n > write_budget)
            n = (size_t)write_budget;
        ssize_t w = real(fd, buf, n);
        if (w > 0)
            write_budget -= w;
        return w;
    }
    return real(fd, buf, n);
}

#define OPEN_WRAPPER(name, ...)                                                \
    {                                                                          \
        static int (*real)();                                                  \
        mode_t mode = 0;                                                       \
        if (flags & (O_CREAT | O_TMPFILE)) {                                   \
            va_list ap;                                                        \
            va_start(ap, flags);                                               \
            mode = (mode_t)va_arg(ap, int);                                    \
            va_end(ap);                                                        \
            if (fault(F_OPEN)) {                                               \
                errno = fault(F_OPEN);                                         \
                return -1;                                                     \
            }                                                                  \
        }                                                                      \
        if (!real)                                                             \
            real = (int (*)())next(name);                                      \
        return real(__VA_ARGS__, flags, mode);                                 \
    }

int open(const char *path, int flags, ...)
    OPEN_WRAPPER("open", path) int open64(const char *path, int flags, ...)
        OPEN_WRAPPER("open64", path) int openat(int dir, const char *path,
                                                int flags, ...)
            OPEN_WRAPPER("openat", dir, path) int openat64(int dir,
                                                           const char *path,
                                                           int flags, ...)
                OPEN_WRAPPER("openat64", dir, path)

                    int mkdir(const char *path, mode_t mode)
{
    static int (*real)(const char *, mode_t);
    if (fault(F_OPEN)) {
        errno = fault(F_OPEN);
        return -1;
    }
    if (!real)
        real = (int (*)(const char *, mode_t))next("mkdir");
    return real(path, mode);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (fault(F_FSYNC)) {
        errno = fault(F_FSYNC);
        return -1;
    }
    if (!real)
        real = (int (*)(int))next("fsync");
    return real(fd);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (fault(F_RENAME)) {
        errno = fault(F_RENAME);
        return -1;
    }
    if (!real)
        real = (int (*)(const char *, const char *))next("rename");
    return real(from, to);
}
