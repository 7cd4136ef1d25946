/* skintrack — the record of a course or report run: the version, the
 * command line and the effective options (region, white balance,
 * registration model and limits, thresholds, planning), so a study can be
 * re-run and audited. Written as JSON (--meta FILE.json) and into the
 * report; docs/course.md lists the keys.
 */
#ifndef SKINTRACK_CLI_RECORD_H
#define SKINTRACK_CLI_RECORD_H

#include <stdio.h>

#include "cli.h"

/* What a run was asked to do, as its options left it. */
typedef struct cli_run {
    int argc;
    char **argv; /* the subcommand's words: argv[0] is "course"/"report" */
    const st_read_options *read;
    const st_align_options *align;
    const cli_measure *measure;
    const st_course_plan_options *plan;
    const long *treatment_dates;
    size_t n_treatment_dates;
    const char *layout; /* "long"/"wide", or NULL (a report) */
    int jobs;
    unsigned shard_k, shard_n;
    const char *overlay_dir, *aligned_dir; /* or NULL */
    int report, share;                     /* a report is written; --share */
} cli_run;

/* One effective option: key, its value as text, whether it is a JSON
 * number (else a string, or null when value is NULL) and whether it names
 * a file (left out of a shared report). */
typedef struct cli_setting {
    const char *key;
    char value[160];
    int number, has_value, is_path;
} cli_setting;

#define CLI_MAX_SETTINGS 32

/* Fills s (CLI_MAX_SETTINGS entries) with the run's settings; returns how
 * many. */
size_t cli_run_settings(const cli_run *r, cli_setting *s);

/* Writes the record as one JSON object (UTF-8, keys in a fixed order). */
void cli_run_write_json(FILE *f, const cli_run *r);

#endif
