/* skintrack — a course's rows after measuring: status, error, capture
 * time, and the rows as the library's course statistics read them. Shared
 * by the CSV writers (cmd_course.c) and the report (report.c).
 */
#include <stdint.h>
#include <stdlib.h>

#include "course.h"

const char *cli_datetime(const st_course_photo *q, char *buf)
{
    int t, h, m, s;
    if (!q->has_date || !q->has_time || q->time < 0 || q->time >= 86400)
        return NULL;
    t = (int)q->time;
    h = t / 3600, m = t / 60 % 60, s = t % 60;
    st_date_format(q->date, buf);
    buf[10] = 'T';
    buf[11] = (char)('0' + h / 10), buf[12] = (char)('0' + h % 10);
    buf[13] = ':';
    buf[14] = (char)('0' + m / 10), buf[15] = (char)('0' + m % 10);
    buf[16] = ':';
    buf[17] = (char)('0' + s / 10), buf[18] = (char)('0' + s % 10);
    buf[19] = '\0';
    return buf;
}

const char *cli_row_status(const cli_photo *p)
{
    if (p->error || !p->measured || p->res.status != ST_OK)
        return "error";
    return p->res.registered ? "ok" : "low_confidence";
}

const char *cli_row_error(const cli_photo *p)
{
    if (p->error)
        return p->error;
    if (p->measured && p->res.status != ST_OK)
        return st_error_text(&p->res.error);
    return NULL;
}

int cli_row_ok(const cli_photo *p)
{
    return !p->error && p->measured && p->res.status == ST_OK;
}

st_course_row *cli_stat_rows(cli_photo *const *rows, size_t n,
                             const cli_photo *base, size_t *ibase)
{
    st_course_row *v = malloc((n ? n : 1) * sizeof *v);
    *ibase = SIZE_MAX;
    if (!v)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        v[k].plan = rows[k]->planned ? &rows[k]->plan : NULL;
        v[k].result = cli_row_ok(rows[k]) ? &rows[k]->res : NULL;
        if (rows[k] == base)
            *ibase = k;
    }
    return v;
}
