/* skintrack — per-stage wall-clock totals (see timing.h). */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "skintrack/timing.h"

double st_timing_clock(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double st_timing_add(st_timing *t, st_stage s, double t0)
{
    double now = st_timing_clock();
    if (t && s >= 0 && s < ST_STAGE_COUNT)
        t->seconds[s] += now - t0;
    return now;
}

const char *st_stage_name(st_stage s)
{
    static const char *const names[ST_STAGE_COUNT] = {
        "decode", "region", "registration", "warp",
        "colour", "pores",  "texture",      "output"};
    return s >= 0 && s < ST_STAGE_COUNT ? names[s] : "";
}
