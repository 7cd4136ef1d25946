/* skintrack — where the time goes: per-stage wall-clock totals.
 *
 * A caller that wants to know passes an st_timing (zeroed) through
 * st_metrics_options.timing; the library adds the seconds each stage
 * takes. The CLI's --timing flag prints them. One st_timing per thread:
 * nothing here is locked.
 */
#ifndef SKINTRACK_TIMING_H
#define SKINTRACK_TIMING_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum st_stage {
    ST_STAGE_DECODE,   /* reading and decoding files */
    ST_STAGE_REGION,   /* skin mask, --roi, --mask */
    ST_STAGE_REGISTER, /* registration */
    ST_STAGE_WARP,     /* mapping regions between the photos' frames */
    ST_STAGE_COLOUR,   /* white balance, CIELAB, redness, tone */
    ST_STAGE_PORES,    /* pore detection */
    ST_STAGE_TEXTURE,  /* texture spectrum */
    ST_STAGE_OUTPUT,   /* CSV and pictures */
    ST_STAGE_COUNT
} st_stage;

typedef struct st_timing {
    double seconds[ST_STAGE_COUNT];
} st_timing;

/* Monotonic clock, seconds. */
double st_timing_clock(void);

/* Adds the time since t0 (from st_timing_clock) to stage s and returns the
 * clock now; does nothing but read the clock when t is NULL. */
double st_timing_add(st_timing *t, st_stage s, double t0);

/* "decode", "region", "registration", "warp", "colour", "pores", "texture",
 * "output". */
const char *st_stage_name(st_stage s);

#ifdef __cplusplus
}
#endif
#endif
