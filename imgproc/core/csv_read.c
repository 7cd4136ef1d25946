/* skintrack — CSV reader (RFC 4180) for manifests.
 *
 *   st_csv_reader_init   start on a stream
 *   st_csv_read          next record, or a bad record reported and skipped
 *   st_csv_field         field i of the record
 *   st_csv_field_count   fields in the record
 *   st_csv_reader_free   release buffers
 *
 * A small state machine over bytes: outside quotes ',' ends a field and
 * LF, CR or CRLF end the record; a field that starts with '"' runs to the
 * next '"' not doubled. An unquoted field keeps a stray '"' as a
 * character, as spreadsheets do. Once a record breaks a rule the rest of
 * it is read (still honouring quotes, so a quoted line break does not
 * start a new record) and thrown away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/csv.h"

void st_csv_reader_init(st_csv_reader *r, FILE *stream)
{
    memset(r, 0, sizeof *r);
    r->stream = stream;
    r->next_line = 1;
}

void st_csv_reader_free(st_csv_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->start);
    r->buf = NULL;
    r->start = NULL;
    r->len = r->cap = 0;
    r->fields = r->fields_cap = 0;
}

const char *st_csv_field(const st_csv_reader *r, int i)
{
    return i >= 0 && i < r->fields ? r->buf + r->start[i] : "";
}

int st_csv_field_count(const st_csv_reader *r)
{
    return r->fields;
}

/* Appends byte c; -1 when the record would pass the limit. */
static int put(st_csv_reader *r, char c)
{
    if (r->len + 1 > ST_CSV_MAX_RECORD)
        return -1;
    if (r->len + 1 > r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *b = realloc(r->buf, cap);
        if (!b)
            return -2;
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return 0;
}

/* Starts a new field at the current end of buf. */
static int new_field(st_csv_reader *r)
{
    if (r->fields == ST_CSV_MAX_FIELDS)
        return -1;
    if (r->fields == r->fields_cap) {
        int cap = r->fields_cap ? 2 * r->fields_cap : 16;
        size_t *s = realloc(r->start, (size_t)cap * sizeof *s);
        if (!s)
            return -2;
        r->start = s;
        r->fields_cap = cap;
    }
    r->start[r->fields++] = r->len;
    return 0;
}

/* One byte of input, from the push-back first. */
static int get(st_csv_reader *r)
{
    return r->nback ? r->back[--r->nback] : getc(r->stream);
}

/* Reads one byte, counting lines; CR, LF and CRLF all give '\n'. */
static int next(st_csv_reader *r)
{
    int c = get(r);
    if (c == '\n')
        r->next_line++;
    else if (c == '\r') {
        int d = get(r);
        if (d != '\n' && d != EOF)
            r->back[r->nback++] = d;
        r->next_line++;
        c = '\n';
    }
    return c;
}

/* Skips a UTF-8 byte-order mark at the very start. */
static void skip_bom(st_csv_reader *r)
{
    static const int bom[3] = {0xEF, 0xBB, 0xBF};
    int b[3], n = 0;
    while (n < 3 && (b[n] = getc(r->stream)) == bom[n])
        n++;
    if (n == 3)
        return;
    if (n < 3 && b[n] != EOF)
        n++; /* the byte that differed */
    while (n > 0)
        r->back[r->nback++] = b[--n];
}

enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

/* The quoting state after byte c, for a record being skipped. */
static int skip_state(int state, int c)
{
    switch (state) {
    case FIELD_START:
        return c == '"' ? QUOTED : c == ',' ? FIELD_START : UNQUOTED;
    case QUOTED: return c == '"' ? QUOTE_IN_QUOTED : QUOTED;
    case QUOTE_IN_QUOTED:
        return c == '"' ? QUOTED : c == ',' ? FIELD_START : UNQUOTED;
    default: return c == ',' ? FIELD_START : UNQUOTED;
    }
}

/* Takes byte c of a record in quoting state *state: stores it, ends a
 * field, or names what is wrong in *bad. 0, or put's -1 (too long) or -2
 * (out of memory). */
static int step(st_csv_reader *r, int *state, int c, const char **bad)
{
    int rc = 0;
    switch (*state) {
    case FIELD_START:
    case UNQUOTED:
        if (c == '"' && *state == FIELD_START) {
            *state = QUOTED;
        } else if (c == ',') {
            rc = put(r, '\0');
            if (!rc) {
                rc = new_field(r);
                if (rc == -1)
                    *bad = "more than 256 fields";
            }
            *state = FIELD_START;
        } else {
            rc = put(r, (char)c);
            *state = UNQUOTED;
        }
        break;
    case QUOTED:
        if (c == '"')
            *state = QUOTE_IN_QUOTED;
        else
            rc = put(r, (char)c);
        break;
    case QUOTE_IN_QUOTED:
        if (c == '"') {
            rc = put(r, '"');
            *state = QUOTED;
        } else if (c == ',') {
            rc = put(r, '\0');
            if (!rc && (rc = new_field(r)) == -1)
                *bad = "more than 256 fields";
            *state = FIELD_START;
        } else {
            *bad = "text after a closing quote";
            *state = UNQUOTED;
        }
        break;
    }
    return rc;
}

int st_csv_read(st_csv_reader *r, st_error *err)
{
    const char *bad = NULL;
    int state = FIELD_START, c, rc;

    if (!r->started) {
        r->started = 1;
        skip_bom(r);
    }
    /* blank lines are not records */
    do {
        r->line = r->next_line;
        c = next(r);
    } while (c == '\n');
    if (c == EOF) {
        r->fields = 0;
        if (ferror(r->stream)) {
            char ebuf[128];
            st_fail(err, ST_ERR_IO, "line %ld: read error: %s", r->line,
                    st_errno_text(errno, ebuf, sizeof ebuf));
            return -1;
        }
        return 0;
    }
    r->len = 0;
    r->fields = 0;
    if (new_field(r) == -2)
        goto nomem;
    for (;; c = next(r)) {
        if (c == EOF || (c == '\n' && state != QUOTED)) {
            if (state == QUOTED && !bad)
                bad = "a quoted field is not closed";
            break;
        }
        if (bad) { /* skipping the rest of a bad record */
            state = skip_state(state, c);
            continue;
        }
        if (c == '\0') {
            bad = "a NUL byte";
            state = UNQUOTED;
            continue;
        }
        rc = step(r, &state, c, &bad);
        if (rc == -2)
            goto nomem;
        if (rc == -1 && !bad)
            bad = "the record is longer than 65536 bytes";
    }
    if (!bad) {
        rc = put(r, '\0');
        if (rc == -2)
            goto nomem;
        if (rc == -1)
            bad = "the record is longer than 65536 bytes";
    }
    if (bad) {
        r->fields = 0;
        st_fail(err, ST_ERR_CORRUPT, "line %ld: %s", r->line, bad);
        return -1;
    }
    return 1;
nomem:
    r->fields = 0;
    st_fail(err, ST_ERR_NOMEM, "line %ld: out of memory", r->line);
    return -1;
}
