/* rfc4180 — a strict RFC 4180 checker for skintrack's CSV tests.
 *
 *   rfc4180 FILE              check; print "RECORDS FIELDS" (header counted)
 *   rfc4180 FILE COLUMN       check; print COLUMN of every data record
 *
 * Written apart from skintrack's own reader (imgproc/core/csv_read.c), and
 * stricter: a field is either plain (no '"', ',', CR or LF in it) or
 * wholly quoted with inner quotes doubled; every record has as many fields
 * as the header; every record, the last included, ends with the same line
 * break (LF or CRLF); the text is valid UTF-8 with no NUL. Any breach is
 * reported with its record number and exit status 1. Printed values have
 * LF and CR shown as \n and \r so each stays on one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *text;
static size_t len, pos;
static long record = 1;

static void die(const char *what)
{
    fprintf(stderr, "rfc4180: record %ld: %s\n", record, what);
    exit(1);
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80         ? 0
                   : (c >> 5) == 6  ? 1
                   : (c >> 4) == 14 ? 2
                   : (c >> 3) == 30 ? 3
                                    : 9;
        if (k == 9 || i + k >= n + (k == 0))
            return k == 0;
        if (c == 0)
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k + 1;
    }
    return 1;
}

/* Reads one field into buf; returns 1 if the record goes on (','), 0 at
 * its end. */
static int read_field(char *buf, size_t size, const char *eol)
{
    size_t n = 0;
    if (pos < len && text[pos] == '"') {
        pos++;
        for (;;) {
            if (pos >= len)
                die("a quoted field is not closed");
            if (text[pos] == '"') {
                if (pos + 1 < len && text[pos + 1] == '"') {
                    pos += 2;
                    if (n + 1 < size)
                        buf[n++] = '"';
                    continue;
                }
                pos++;
                break;
            }
            if (n + 1 < size)
                buf[n++] = text[pos];
            pos++;
        }
    } else {
        while (pos < len && text[pos] != ',' && text[pos] != '\r' &&
               text[pos] != '\n') {
            if (text[pos] == '"')
                die("a quote inside a plain field");
            if (n + 1 < size)
                buf[n++] = text[pos];
            pos++;
        }
    }
    buf[n] = '\0';
    if (pos < len && text[pos] == ',') {
        pos++;
        return 1;
    }
    if (len - pos < strlen(eol) || memcmp(text + pos, eol, strlen(eol)))
        die(pos >= len ? "the last record has no line break"
                       : "text after a field, or a mixed line break");
    pos += strlen(eol);
    return 0;
}

static void print_escaped(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '\r')
            fputs("\\r", stdout);
        else
            putchar(*s);
    }
    putchar('\n');
}

int main(int argc, char **argv)
{
    static char field[1 << 16];
    const char *eol;
    FILE *f;
    long cap = 1 << 20, header = 0, want = -1, col = 0;

    if (argc < 2 || argc > 3) {
        fputs("usage: rfc4180 FILE [COLUMN]\n", stderr);
        return 2;
    }
    if (!(f = fopen(argv[1], "rb"))) {
        perror(argv[1]);
        return 1;
    }
    text = malloc((size_t)cap);
    while (text &&
           (len += fread(text + len, 1, (size_t)cap - len, f)) == (size_t)cap)
        text = realloc(text, (size_t)(cap *= 2));
    fclose(f);
    if (!text)
        return 1;
    if (len == 0)
        die("empty file");
    if (memchr(text, '\0', len) || !valid_utf8((unsigned char *)text, len))
        die("not UTF-8 text");
    {
        char *lf = memchr(text, '\n', len);
        if (!lf)
            die("no line break");
        eol = lf > text && lf[-1] == '\r' ? "\r\n" : "\n";
    }
    while (pos < len) {
        long n = 0;
        int more;
        do {
            more = read_field(field, sizeof field, eol);
            if (record == 1 && argc == 3 && strcmp(field, argv[2]) == 0)
                want = n;
            else if (record > 1 && n == want)
                print_escaped(field);
            n++;
        } while (more);
        if (record == 1) {
            header = n;
            if (argc == 3 && want < 0)
                die("no such column");
        } else if (n != header) {
            die("a different number of fields from the header");
        }
        record++;
        col = n;
    }
    if (argc == 2)
        printf("%ld %ld\n", record - 1, col);
    free(text);
    return 0;
}
