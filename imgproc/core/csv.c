/* skintrack — CSV writer (RFC 4180) and locale-independent numbers.
 *
 *   st_csv_init / _text / _number / _int / _empty / _end_row / _header
 *   st_csv_format_number   shortest round-trip "%g" in the C locale
 *   st_parse_double        strict strtod in the C locale
 *
 * Numbers: printf and strtod follow LC_NUMERIC, so under a German locale a
 * host program would get "0,5". Both are run under a thread-local C locale
 * (POSIX uselocale), which leaves the rest of the process untouched and is
 * safe from several threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/csv.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Switches this thread to the C locale; returns the previous one, or 0 when
 * no C locale object could be made (then the process locale is used, which
 * is "C" unless the host program called setlocale). */
static locale_t enter_c_locale(void)
{
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void leave_c_locale(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

int st_vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap)
{
    locale_t old = enter_c_locale();
    int n = vsnprintf(buf, size, fmt, ap);
    leave_c_locale(old);
    return n;
}

char *st_csv_format_number(char *buf, size_t size, double value)
{
    locale_t old;

    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (!isfinite(value))
        return buf;
    if (value == 0.0) { /* also folds -0 into 0 */
        snprintf(buf, size, "0");
        return buf;
    }
    old = enter_c_locale();
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    /* %g writes 1200 as 1.2e+03: an integer below 1e17 reads better, and
     * no longer, as plain digits (it is exact, having round-tripped). */
    {
        const char *e = strchr(buf, 'e');
        if (e && e[1] == '+' && atoi(e + 2) < 17)
            snprintf(buf, size, "%.0f", value);
    }
    leave_c_locale(old);
    return buf;
}

int st_parse_double(const char *text, double *value)
{
    char *end;
    double v;
    locale_t old;

    if (!text || !*text)
        return -1;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
            return -1;
    old = enter_c_locale();
    v = strtod(text, &end);
    leave_c_locale(old);
    /* Overflow gives infinity and is refused; underflow (ERANGE with a
     * subnormal or zero result) is the nearest double and accepted. */
    if (*end || end == text || !isfinite(v))
        return -1;
    *value = v;
    return 0;
}

void st_csv_init(st_csv *csv, FILE *stream)
{
    csv->stream = stream;
    csv->column = 0;
    csv->crlf = 0;
}

static void separator(st_csv *csv)
{
    if (csv->column++ > 0)
        fputc(',', csv->stream);
}

static int is_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
           c == '\r';
}

void st_csv_text(st_csv *csv, const char *text)
{
    int quote;

    separator(csv);
    if (!text || !*text)
        return;
    quote = strpbrk(text, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', csv->stream);
    if (is_formula_start(text[0]))
        fputc('\'', csv->stream);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', csv->stream);
        fputc(*p, csv->stream);
    }
    if (quote)
        fputc('"', csv->stream);
}

void st_csv_number(st_csv *csv, double value)
{
    char buf[40];
    separator(csv);
    fputs(st_csv_format_number(buf, sizeof buf, value), csv->stream);
}

void st_csv_int(st_csv *csv, int64_t value)
{
    separator(csv);
    fprintf(csv->stream, "%lld", (long long)value);
}

void st_csv_empty(st_csv *csv)
{
    separator(csv);
}

void st_csv_end_row(st_csv *csv)
{
    fputs(csv->crlf ? "\r\n" : "\n", csv->stream);
    csv->column = 0;
}

void st_csv_header(st_csv *csv, const char *names)
{
    const char *p = names;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        separator(csv);
        fwrite(p, 1, n, csv->stream);
        p += n;
        if (*p == ',')
            p++;
    }
    st_csv_end_row(csv);
}
