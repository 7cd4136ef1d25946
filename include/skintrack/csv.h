/* skintrack — CSV writer.
 *
 * RFC 4180 output: fields separated by ',', a field quoted when it holds a
 * comma, a double quote, CR or LF, with inner quotes doubled. Records end
 * with LF by default: RFC 4180 names CRLF, but every reader skintrack targets
 * (spreadsheets, R, pandas, Python's csv) accepts LF, and LF keeps shell
 * tools (cut, awk, grep) exact. Set crlf for strict CRLF records. Text fields
 * that begin with
 * '=', '+', '-', '@', TAB or CR are prefixed with a single quote so a
 * spreadsheet shows them instead of running them as formulas (numbers
 * written with st_csv_number are never prefixed). Numbers are written in
 * the C locale whatever the process locale is, with the fewest significant
 * digits that read back to the same double; NaN and infinities are written
 * as an empty field. Text is passed through as bytes (UTF-8 expected).
 */
#ifndef SKINTRACK_CSV_H
#define SKINTRACK_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_csv {
    FILE *stream;
    int column; /* fields written in the current record */
    int crlf;   /* non-zero: end records with CRLF instead of LF */
} st_csv;

/* Starts writing CSV to stream (not owned), LF records. */
void st_csv_init(st_csv *csv, FILE *stream);

/* Writes a text field; NULL writes an empty field. */
void st_csv_text(st_csv *csv, const char *text);

/* Writes a number with round-trip precision; non-finite gives "". */
void st_csv_number(st_csv *csv, double value);

/* Writes an integer field. */
void st_csv_int(st_csv *csv, int64_t value);

/* Writes an empty field. */
void st_csv_empty(st_csv *csv);

/* Ends the current record. */
void st_csv_end_row(st_csv *csv);

/* Writes a header record from a comma-separated list of plain names. */
void st_csv_header(st_csv *csv, const char *names);

/* Formats value like st_csv_number into buf (at least 32 bytes): the
 * shortest "%.Ng" (N = 1..17) that strtod reads back exactly, in the C
 * locale, except that an integer below 1e17 is written in plain digits
 * ("1200", not "1.2e+03"). Zero (also -0) gives "0", non-finite values
 * give "". Returns buf. */
char *st_csv_format_number(char *buf, size_t size, double value);

/* Parses a whole string as a finite double in the C locale, whatever the
 * process locale. Returns 0 on success, -1 if text is not exactly a finite
 * number. */
int st_parse_double(const char *text, double *value);

/* ---- reading (manifests) ----
 *
 * An RFC 4180 reader: fields separated by ',', records ended by LF, CRLF
 * or CR, quoted fields may hold commas, line breaks and doubled quotes. A
 * UTF-8 byte-order mark before the first record is skipped, and so are
 * lines with nothing on them. A bad record (an unclosed quote, text after
 * a closing quote, a NUL byte, more than ST_CSV_MAX_FIELDS fields or
 * ST_CSV_MAX_RECORD bytes) is reported and skipped, so reading can go on:
 * memory stays bounded by the limits whatever the input. */
#define ST_CSV_MAX_RECORD 65536
#define ST_CSV_MAX_FIELDS 256

typedef struct st_csv_reader {
    FILE *stream; /* not owned */
    long line;    /* line number (from 1) where the last record began */
    long next_line;
    char *buf; /* the record's fields, each NUL-terminated */
    size_t len, cap;
    size_t *start; /* offset of each field in buf */
    int fields, fields_cap;
    int started;        /* the byte-order mark has been looked for */
    int back[4], nback; /* bytes read ahead */
} st_csv_reader;

/* Starts reading CSV from stream (not owned). */
void st_csv_reader_init(st_csv_reader *r, FILE *stream);

/* Reads the next record: 1 with its fields (st_csv_field), 0 at the end of
 * the input, -1 for a bad or unreadable record (the cause, with its line,
 * in err; reading may go on after a bad record, not after ST_ERR_IO or
 * ST_ERR_NOMEM). */
int st_csv_read(st_csv_reader *r, st_error *err);

/* Field i of the last record ("" when i is out of range) and the number
 * of fields. */
const char *st_csv_field(const st_csv_reader *r, int i);
int st_csv_field_count(const st_csv_reader *r);

/* Frees the reader's buffers (not the stream). */
void st_csv_reader_free(st_csv_reader *r);

#ifdef __cplusplus
}
#endif
#endif
