/* skintrack — the HTML report of a course run (`skintrack report`,
 * `skintrack course --report`).
 *
 * While a course is measured, the view callback draws each photo's
 * pictures (registered thumbnail, its a* for the redness map, a detail
 * crop with its pores and its texture band-pass; the imaging is the
 * library's, picture.h) at display size and the report keeps them; when
 * the course is done its section is written: pictures, charts, summary
 * table and flags. The index of all
 * courses goes at the top, so sections are kept in a temporary file until
 * the report is committed. The report is one HTML file with everything
 * inlined (docs/report.md).
 */
#ifndef SKINTRACK_CLI_REPORT_H
#define SKINTRACK_CLI_REPORT_H

#include "course.h"

typedef struct cli_report cli_report;

/* Opens the report at path ("-": stdout) atomically; share leaves out
 * every file path and folder name (subjects are numbered). NULL after a
 * message when it cannot. */
cli_report *cli_report_open(const char *path, int share);

struct cli_run;

/* Records the run (its options) for the report's "how it was made"
 * section; run must outlive the report. */
void cli_report_set_run(cli_report *r, const struct cli_run *run);

/* Prepares the report for a course about to be measured: who[i] (i < n)
 * is the photo of paths[i] given to st_course_measure; mopt are its
 * measuring options. The report keeps the pictures of the course until
 * cli_report_course or cli_report_drop. 0, or -1 when out of memory (not
 * reported). */
int cli_report_attach(cli_report *r, cli_photo **who, size_t n,
                      const st_metrics_options *mopt);

/* Draws a measured photo's pictures (from the course's view callback, on
 * any worker; calls for different photos may run at once). */
void cli_report_view(cli_report *r, const st_course_view *v);

/* Writes the section of a measured course (rows in date order, base its
 * baseline or NULL) and frees the photos' pictures. 0, or -1 (reported). */
int cli_report_course(cli_report *r, cli_photo **rows, size_t n,
                      const cli_photo *base);

/* --regions face: a figure of the baseline photo (decoded, upright) with
 * the zones of base->res.face outlined, before the course's zone
 * sections. 0, or -1 (reported). */
int cli_report_zones(cli_report *r, const cli_photo *base,
                     const st_image *photo);

/* Writes the index and the sections into the report's output and frees r;
 * returns that output, still to be committed (cli_outputs_commit), or NULL
 * after a message. */
st_output *cli_report_finish(cli_report *r);

/* Discards the report (and frees it). */
void cli_report_abort(cli_report *r);

/* Frees the pictures of the course attached (a course that was not
 * reported). */
void cli_report_drop(cli_report *r);

#endif
