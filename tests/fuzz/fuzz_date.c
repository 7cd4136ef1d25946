/* skintrack fuzzing — the date parsers on arbitrary text.
 *
 * The input (up to its first NUL) goes to st_date_parse (manifest dates,
 * EXIF DateTimeOriginal) and st_date_from_name (file names). Checked: a
 * date either parser accepts is a real date of 1900..2999 whose
 * "YYYY-MM-DD" form parses back to the same day; for st_date_parse that
 * form is where the text starts; day numbers and year/month/day convert
 * both ways.
 */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "fuzz.h"
#include "skintrack/skintrack.h"

static void check_day(long day, const char *text, int prefix)
{
    char buf[16];
    long again;
    int y, m, d;

    st_date_to_ymd(day, &y, &m, &d);
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31)
        fuzz_fail("day %ld is %d-%d-%d", day, y, m, d);
    if (st_date_from_ymd(y, m, d, &again) || again != day)
        fuzz_fail("day %ld -> %d-%d-%d does not come back", day, y, m, d);
    st_date_format(day, buf);
    if (strlen(buf) != 10 || st_date_parse(buf, &again) || again != day)
        fuzz_fail("day %ld formats as \"%s\", which does not parse back", day,
                  buf);
    if (prefix && strncmp(text, buf, 10) != 0)
        fuzz_fail("\"%.40s\" parsed as %s", text, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    long day;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (st_date_parse(text, &day) == 0)
        check_day(day, text, 1);
    if (st_date_from_name(text, &day) == 0)
        check_day(day, text, 0);
    free(text);
    return 0;
}
