/* skintrack — status codes and error details.
 *
 * Every fallible function in libskintrack returns an st_status and, when the
 * caller passes a non-NULL st_error, fills it with a one-line cause written
 * where the failure was detected ("truncated JPEG data", "image is 20000x20000
 * = 400.0 megapixels, above the limit of 120.0"). The cause never names the
 * input file: the caller knows which file it asked for and prefixes it.
 *
 * The library never prints and never exits.
 */
#ifndef SKINTRACK_STATUS_H
#define SKINTRACK_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum st_status {
    ST_OK = 0,
    ST_ERR_INVALID,     /* bad argument from the caller */
    ST_ERR_NOMEM,       /* allocation failed */
    ST_ERR_IO,          /* file could not be opened, read or written */
    ST_ERR_FORMAT,      /* not a file format skintrack reads */
    ST_ERR_CORRUPT,     /* damaged or truncated data */
    ST_ERR_UNSUPPORTED, /* valid file, feature skintrack does not handle */
    ST_ERR_TOO_LARGE,   /* above a size or pixel limit */
    ST_ERR_COLOR        /* colour profile could not be used */
} st_status;

#define ST_ERROR_MESSAGE_MAX 256

/* Detail of the last failure of a call. Zero-initialise or st_error_clear()
 * before use; a function that succeeds leaves it untouched. */
typedef struct st_error {
    st_status status;
    char message[ST_ERROR_MESSAGE_MAX];
} st_error;

/* A short, static, English description of a status code. Never NULL. */
const char *st_strerror(st_status status);

/* Resets err to ST_OK with an empty message. err may be NULL. */
void st_error_clear(st_error *err);

/* The most specific text for err: its message if set, else st_strerror of
 * its status. Never NULL; err may be NULL ("unknown error"). */
const char *st_error_text(const st_error *err);

#ifdef __cplusplus
}
#endif
#endif
