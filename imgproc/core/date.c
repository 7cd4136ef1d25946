/* skintrack — calendar dates.
 *
 *   st_date_from_ymd    year, month, day -> day number
 *   st_date_to_ymd      day number -> year, month, day
 *   st_date_format      day number -> "YYYY-MM-DD"
 *   st_date_parse       "YYYY-MM-DD[THH:MM...]" -> day number
 *   st_date_from_name   first date in a file name -> day number
 *   st_time_parse       the time of day of an ISO date and time
 *   st_date_time_from_name  a file name's date and the time after it
 *
 * Day numbers count from 1970-01-01. The conversion shifts the year to
 * start on 1 March, so the leap day is the last day of its year; then a
 * 400-year cycle holds exactly 146097 days and the day of the shifted year
 * of a month is (153 m' + 2) / 5 for m' = 0 (March) .. 11 (February). The
 * month lengths enter only through that formula and the leap rule
 * (divisible by 4, except centuries not divisible by 400).
 */
#include <string.h>

#include "skintrack/date.h"

enum { YEAR_MIN = 1900, YEAR_MAX = 2999 };

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int st_date_from_ymd(int y, int m, int d, long *day)
{
    long yy, era, yoe, doy, doe;
    if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > month_days(y, m))
        return -1;
    yy = m <= 2 ? y - 1 : y; /* years start on 1 March */
    era = yy / 400;          /* yy >= 1899: no negative division */
    yoe = yy - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468; /* 719468: 0000-03-01 to 1970 */
    return 0;
}

void st_date_to_ymd(long day, int *y, int *m, int *d)
{
    long z = day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

char *st_date_format(long day, char *buf)
{
    int y, m, d;
    st_date_to_ymd(day, &y, &m, &d);
    /* y is 1900..2999 for any day st_date_from_ymd made */
    buf[0] = (char)('0' + (y / 1000) % 10);
    buf[1] = (char)('0' + (y / 100) % 10);
    buf[2] = (char)('0' + (y / 10) % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return buf;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* n digits at s as a number, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = 10 * v + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" at s (exactly those 10 characters). */
static int dashed(const char *s, long *day)
{
    int y = digits(s, 4), m, d;
    if (y < 0 || s[4] != '-' || (m = digits(s + 5, 2)) < 0 || s[7] != '-' ||
        (d = digits(s + 8, 2)) < 0)
        return -1;
    return st_date_from_ymd(y, m, d, day);
}

int st_date_parse(const char *text, long *day)
{
    if (!text || strlen(text) < 10 || dashed(text, day))
        return -1;
    if (text[10] == '\0')
        return 0;
    /* a time must follow: THH:MM */
    if (text[10] != 'T' || digits(text + 11, 2) < 0 || text[13] != ':' ||
        digits(text + 14, 2) < 0)
        return -1;
    return 0;
}

/* The first date in name (see date.h); 0 with *end the index just past
 * it, or -1. */
static int name_date(const char *name, long *day, size_t *end)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++) {
        size_t run = 0;
        if (!is_digit(name[i]) || (i > 0 && is_digit(name[i - 1])))
            continue;
        while (i + run < n && is_digit(name[i + run]))
            run++;
        if (run == 4 && i + 10 <= n &&
            !(i + 10 < n && is_digit(name[i + 10])) &&
            dashed(name + i, day) == 0) {
            *end = i + 10;
            return 0;
        }
        if (run == 8 &&
            st_date_from_ymd(digits(name + i, 4), digits(name + i + 4, 2),
                             digits(name + i + 6, 2), day) == 0) {
            *end = i + 8;
            return 0;
        }
    }
    return -1;
}

int st_date_from_name(const char *name, long *day)
{
    size_t end;
    return name_date(name, day, &end);
}

/* Seconds since midnight of hours h, minutes m, seconds s, or -1. */
static long hms(int h, int m, int s)
{
    if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
        return -1;
    return 3600L * h + 60L * m + s;
}

int st_time_parse(const char *text, long *seconds)
{
    long day, t;
    int s = 0;
    if (st_date_parse(text, &day) || text[10] != 'T')
        return -1;
    /* st_date_parse checked THH:MM */
    if (text[16] == ':' && (s = digits(text + 17, 2)) < 0)
        return -1;
    t = hms(digits(text + 11, 2), digits(text + 14, 2), s);
    if (t < 0)
        return -1;
    *seconds = t;
    return 0;
}

/* A time at s: HHMMSS (6 digits, then no digit or more digits: fractions
 * of a second, as in PXL_20260314_101500123), or HH.MM[.SS] with '.', '-'
 * or ':' between. */
static long name_time(const char *s)
{
    int h = digits(s, 2), m, sec = 0;
    char sep;
    if (h < 0)
        return -1;
    sep = s[2]; /* s[0], s[1] are digits: s[2] is in the string */
    if (digits(s + 2, 4) >= 0)
        return hms(h, digits(s + 2, 2), digits(s + 4, 2));
    if ((sep != '.' && sep != '-' && sep != ':') ||
        (m = digits(s + 3, 2)) < 0 || is_digit(s[5]))
        return -1;
    if (s[5] == sep && is_digit(s[6]) &&
        ((sec = digits(s + 6, 2)) < 0 || is_digit(s[8])))
        return -1;
    return hms(h, m, sec);
}

int st_date_time_from_name(const char *name, long *day, long *seconds)
{
    size_t end;
    char c;
    if (name_date(name, day, &end))
        return -1;
    *seconds = -1;
    c = name[end];
    if (c == '_' || c == '-' || c == 'T' || c == ' ' || c == '.') {
        long t = name_time(name + end + 1);
        if (t >= 0)
            *seconds = t;
    }
    return 0;
}
