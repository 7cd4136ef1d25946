/* skintrack — the two EXIF facts skintrack needs, read with libexif.
 *
 *   st_exif_parse          orientation and DateTimeOriginal from an EXIF block
 *   st_exif_set_datetime   the same date from tag values read elsewhere
 *
 * Orientation is TIFF tag 0x0112 (SHORT, 1..8) in IFD0. DateTimeOriginal is
 * tag 0x9003 (ASCII "YYYY:MM:DD HH:MM:SS") in the Exif IFD, the moment the
 * shutter fired, in the camera's local time; OffsetTimeOriginal (0x9011,
 * "+HH:MM", EXIF 2.31) gives that local time's offset from UTC when the
 * camera recorded it. A value that does not have this exact form, or names an
 * impossible date, is treated as absent: a wrong date would misplace a
 * photo in its course, a missing one is reported.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>

#include "io/io_internal.h"

static const uint8_t exif_header[6] = {'E', 'x', 'i', 'f', 0, 0};

static int read_orientation(ExifData *ed)
{
    ExifEntry *e =
        exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    int v;

    if (!e || e->format != EXIF_FORMAT_SHORT || e->components < 1 || !e->data ||
        e->size < 2)
        return 1;
    v = exif_get_short(e->data, exif_data_get_byte_order(ed));
    return v >= 1 && v <= 8 ? v : 1;
}

/* The ASCII value of tag in ifd, copied into buf; 0 if absent. */
static int read_ascii(ExifData *ed, ExifIfd ifd, ExifTag tag, char *buf,
                      size_t size)
{
    ExifEntry *e = exif_content_get_entry(ed->ifd[ifd], tag);
    size_t n;

    if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || e->size == 0)
        return 0;
    n = e->size < size - 1 ? e->size : size - 1;
    memcpy(buf, e->data, n);
    buf[n] = '\0';
    return 1;
}

static int digits(const char *s, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *value = v;
    return 1;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* "YYYY:MM:DD HH:MM:SS" -> "YYYY-MM-DDTHH:MM:SS"; 0 if malformed. */
static int format_datetime(const char *s, char *out, size_t size)
{
    int y, mo, d, h, mi, se;

    if (strlen(s) < 19 || s[4] != ':' || s[7] != ':' || s[10] != ' ' ||
        s[13] != ':' || s[16] != ':')
        return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &se))
        return 0;
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || se > 60)
        return 0;
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d", y % 10000, mo % 100,
             d % 100, h % 100, mi % 100, se % 100);
    return 1;
}

/* "+HH:MM" or "-HH:MM" appended to out when valid. */
static void append_offset(const char *s, char *out, size_t size)
{
    int h, m;
    size_t len = strlen(out);

    if (strlen(s) < 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
        !digits(s + 1, 2, &h) || !digits(s + 4, 2, &m) || h > 14 || m > 59)
        return;
    snprintf(out + len, size - len, "%c%02d:%02d", s[0], h % 100, m % 100);
}

void st_exif_set_datetime(st_image_info *info, const char *datetime,
                          const char *offset)
{
    info->datetime_original[0] = '\0';
    if (datetime &&
        format_datetime(datetime, info->datetime_original,
                        sizeof info->datetime_original) &&
        offset)
        append_offset(offset, info->datetime_original,
                      sizeof info->datetime_original);
}

void st_exif_parse(const uint8_t *data, size_t size, st_image_info *info)
{
    ExifData *ed;
    char raw[64], offset[16];

    if (!data || size < 8 || size > ST_EXIF_MAX_BYTES)
        return;
    ed = exif_data_new();
    if (!ed)
        return;
    /* Read what is there; do not let libexif add or "fix" tags. */
    exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_unset_option(ed, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    if (memcmp(data, exif_header, sizeof exif_header) == 0) {
        exif_data_load_data(ed, data, (unsigned)size);
    } else {
        /* A bare TIFF structure (PNG eXIf): libexif wants the prefix. */
        uint8_t *buf = malloc(size + sizeof exif_header);
        if (!buf) {
            exif_data_unref(ed);
            return;
        }
        memcpy(buf, exif_header, sizeof exif_header);
        memcpy(buf + sizeof exif_header, data, size);
        exif_data_load_data(ed, buf, (unsigned)(size + sizeof exif_header));
        free(buf);
    }
    info->has_exif =
        ed->ifd[EXIF_IFD_0]->count > 0 || ed->ifd[EXIF_IFD_EXIF]->count > 0;
    info->orientation = read_orientation(ed);
    st_exif_set_datetime(
        info,
        read_ascii(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, raw,
                   sizeof raw)
            ? raw
            : NULL,
        read_ascii(ed, EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL, offset,
                   sizeof offset)
            ? offset
            : NULL);
    exif_data_unref(ed);
}
