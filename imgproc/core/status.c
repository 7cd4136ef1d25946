/* skintrack — status codes and error details.
 *
 *   st_strerror       static text of a status
 *   st_error_clear    reset an st_error
 *   st_error_text     best text of an st_error
 *   st_fail           record a failure (internal)
 *   st_errno_text     thread-safe strerror (internal)
 */
#define _POSIX_C_SOURCE 200809L /* the XSI strerror_r */
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/skintrack.h"

const char *st_strerror(st_status status)
{
    switch (status) {
    case ST_OK: return "success";
    case ST_ERR_INVALID: return "invalid argument";
    case ST_ERR_NOMEM: return "out of memory";
    case ST_ERR_IO: return "input/output error";
    case ST_ERR_FORMAT: return "unrecognised file format";
    case ST_ERR_CORRUPT: return "corrupt or truncated data";
    case ST_ERR_UNSUPPORTED: return "unsupported feature";
    case ST_ERR_TOO_LARGE: return "too large";
    case ST_ERR_COLOR: return "colour profile error";
    }
    return "unknown error";
}

void st_error_clear(st_error *err)
{
    if (!err)
        return;
    err->status = ST_OK;
    err->message[0] = '\0';
}

const char *st_error_text(const st_error *err)
{
    if (!err)
        return "unknown error";
    if (err->message[0])
        return err->message;
    return st_strerror(err->status);
}

st_status st_fail(st_error *err, st_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        /* One line: library messages (libheif's end in a newline) may
         * carry control characters. */
        for (char *c = err->message; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
        for (size_t n = strlen(err->message);
             n > 0 && err->message[n - 1] == ' '; n--)
            err->message[n - 1] = '\0';
    }
    return status;
}

const char *st_errno_text(int e, char *buf, size_t size)
{
    if (strerror_r(e, buf, size) != 0)
        snprintf(buf, size, "error %d", e);
    return buf;
}
