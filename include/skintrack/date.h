/* skintrack — calendar dates of photos.
 *
 * A date is a day number: days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970), so the days between two
 * photos are a subtraction, right across month ends and leap days. Only
 * years 1900..2999 are accepted: a photo dated outside them is a clock
 * error, not a date.
 */
#ifndef SKINTRACK_DATE_H
#define SKINTRACK_DATE_H

#ifdef __cplusplus
extern "C" {
#endif

/* The day number of year y, month m (1..12), day d; 0, or -1 if there is
 * no such date (31 April, 29 February 2025) or y is outside 1900..2999. */
int st_date_from_ymd(int y, int m, int d, long *day);

/* The year, month and day of a day number. */
void st_date_to_ymd(long day, int *y, int *m, int *d);

/* "YYYY-MM-DD" of a day number into buf (at least 11 bytes); returns buf. */
char *st_date_format(long day, char *buf);

/* Parses a whole "YYYY-MM-DD", or an ISO 8601 date and time that starts
 * with one ("2026-03-14T10:00:00+01:00", as st_image_info gives EXIF
 * DateTimeOriginal; the date is the local date of the photo). 0, or -1 if
 * text is anything else or no real date. */
int st_date_parse(const char *text, long *day);

/* The first date in a file name: "2026-03-14" or "20260314", standing
 * alone (not part of a longer run of digits; "IMG_20260314_101500.jpg"
 * counts, "123456789" does not) and a real date. 0, or -1 if none. */
int st_date_from_name(const char *name, long *day);

/* The time of day of an ISO 8601 date and time ("2026-03-14T10:15:30",
 * "...T10:15", "...T10:15:30+01:00"; local time as written, the offset
 * ignored) as seconds since midnight. 0, or -1 if text has no valid time. */
int st_time_parse(const char *text, long *seconds);

/* The first date in a file name as st_date_from_name finds it, and the
 * time of day right after it, if any: one of '_', '-', 'T', ' ', '.' then
 * HHMMSS ("IMG_20260314_101500.jpg", "PXL_20260314_101500123.jpg") or
 * HH.MM[.SS] with '.', '-' or ':' ("2026-03-14 10.15.00.jpg",
 * "2026-03-14_10-15.jpg"). 0 with *day and *seconds (since midnight, or -1
 * when the name has no time), or -1 if it has no date. */
int st_date_time_from_name(const char *name, long *day, long *seconds);

#ifdef __cplusplus
}
#endif
#endif
