/* skintrack — synthetic treatment courses with known truth.
 *
 * A patch of facial skin (1/f texture, faint lines, pores, erythema
 * patches, two pigment spots, an 18% grey card) photographed over a
 * course: pores shrink and texture smooths steadily with time, the
 * erythema patches fade, redness spikes after every treatment and fades
 * with a set half-life, and every photo is a little misaligned (shift,
 * turn, scale) and lit a little differently. Everything is drawn from one
 * seed, so a course is the same on every machine; the truth of each photo
 * is returned with it, for checking the whole chain (docs/course.md).
 */
#ifndef SKINTRACK_SYNTH_H
#define SKINTRACK_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "course.h"
#include "image.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ST_SYNTH_MAX_POST_DAYS 16

typedef struct st_synth_options {
    uint64_t seed;
    int width;         /* photo width, px; height is 3/4 of it (1200) */
    long start_date;   /* day number of the baseline (2026-01-12) */
    int sessions;      /* treatments, the first on the baseline day (3) */
    int interval_days; /* between treatments (28) */
    int post_days[ST_SYNTH_MAX_POST_DAYS]; /* a post photo this many days
                                              after each treatment (1 2 3 5)*/
    int n_post_days;
    int followup_days;     /* followup photo after the last treatment (90;
                              0: none) */
    double half_life_days; /* of the acute a* excess after its peak (1.2) */
    double acute_a_star;   /* peak (day 2) acute a* excess (6) */
    double pore_change;    /* fractional change of pore diameter from the
                              baseline to the last photo (-0.2) */
    double texture_change; /* same for the texture amplitude (-0.25) */
    double misalign;       /* scale of the random misalignment: up to 30 px
                              (at 1200 px), 3 degrees, 3% (1) */
    double lighting;       /* exposure within 1 +- lighting (0.06) */
    /* Photos given as they are (NULL: planned from the fields above, which
     * are then ignored but for seed and width): n_photos of them, each
     * with date, session, phase, post_day, dx, dy, rotation_deg, scale,
     * exposure, pore_diameter, pore_depth, texture_amplitude,
     * red_patch_a_star, acute_a_star, pigment_l_star and half_life_days
     * set; m is computed. Photo 0 is the baseline when its shift and turn
     * are 0 and its scale 1. Copied by st_synth_new. */
    const struct st_synth_photo *photos;
    size_t n_photos;
} st_synth_options;

void st_synth_options_init(st_synth_options *opt);

/* The truth of one photo. Sizes and positions are in baseline pixels. */
typedef struct st_synth_photo {
    long date;
    int session;
    st_phase phase;
    int post_day; /* days after the treatment (post), else -1 */
    double dx, dy, rotation_deg, scale; /* about the image centre */
    double m[6];              /* baseline px -> photo px (st_transform order) */
    double exposure;          /* multiplies linear light */
    double pore_diameter;     /* mean, baseline px */
    double pore_depth;        /* mean fraction of green light a pore takes
                                 at its centre (red 0.85, blue 1.05 times) */
    double texture_amplitude; /* std of log reflectance of the texture */
    double red_patch_a_star;  /* a* excess at the erythema patch centres */
    double acute_a_star;      /* a* excess over all skin (post photos) */
    double half_life_days;    /* of that excess (post photos), else NaN */
    double pigment_l_star;    /* L* change at the pigment spot centres
                                 (a* -0.15 and b* -0.35 times it) */
} st_synth_photo;

typedef struct st_synth st_synth;

/* Plans a course and builds its scene. Free with st_synth_free. */
st_status st_synth_new(st_synth **out, const st_synth_options *opt,
                       st_error *err);

size_t st_synth_count(const st_synth *s);
const st_synth_photo *st_synth_photo_at(const st_synth *s, size_t k);

/* The grey card in baseline pixels, x, y, w, h: its inner 70%, clear of
 * the skin colour that JPEG's chroma blur brings into its border. */
void st_synth_card(const st_synth *s, int rect[4]);

/* Renders photo k (sRGB, 3 channels). Safe to call from several threads
 * at once. */
st_status st_synth_render(const st_synth *s, size_t k, st_image **out,
                          st_error *err);

void st_synth_free(st_synth *s);

#ifdef __cplusplus
}
#endif
#endif
