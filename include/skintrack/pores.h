/* skintrack — pores: dark blobs found by a multi-scale Laplacian of
 * Gaussian computed with FFTW.
 *
 *   pore_count            detected pores in the region
 *   pore_density_per_cm2  pores per cm^2 of region (needs px_per_mm)
 *   pore_density_per_mp   pores per megapixel of region (always)
 *   pore_mean_diameter_px mean diameter 2 sqrt(2) sigma, px
 *   pore_mean_diameter_mm the same in mm (needs px_per_mm)
 *   pore_area_pct         summed pore disc areas, % of the region
 * Method, threshold and calibration: pores.c and docs/metrics.md.
 */
#ifndef SKINTRACK_PORES_H
#define SKINTRACK_PORES_H

#include "color.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default contrast threshold: the scale-normalised response, in L* units,
 * that a blob must reach (a Gaussian pore reaches half its depth). */
#define ST_PORE_MIN_RESPONSE 1.5
/* The smallest pore diameter, in px, that the detector resolves: the
 * default range starts at 3 px (sigma 1.06 px, 1.4 samples per sigma at
 * the scale below); 10% lower is allowed, so that a photo measured at a
 * slightly smaller scale than its baseline (compare, course) keeps the
 * range. A range that starts below is cut here and
 * st_pores.range_resolved says so. */
#define ST_PORE_MIN_PX 2.7

/* Default significance: the response over the robust spread (1.4826 MAD)
 * of the responses at the same scale around it. */
#define ST_PORE_MIN_SIGNIFICANCE 4.5

typedef struct st_pore {
    float x, y;         /* centre, image pixels */
    float diameter;     /* px */
    float response;     /* scale-normalised LoG response, L* units */
    float depth;        /* L*: ring 0.75..1 d minus disc 0.35 d (mean L*) */
    float significance; /* response / local spread of responses */
} st_pore;

typedef struct st_pore_options {
    double px_per_mm;        /* > 0: this image's px per mm; 0: pixels */
    double px_scale;         /* image px per reference px (0 or 1: the image's
                                own); sizes and densities in px are reported
                                in reference px */
    double min_diameter;     /* px, or mm when calibrated (default 3 px or
                                0.05 mm) */
    double max_diameter;     /* px, or mm when calibrated (default 24 px or
                                0.5 mm) */
    double min_response;     /* floor, L*: default ST_PORE_MIN_RESPONSE */
    double min_significance; /* default ST_PORE_MIN_SIGNIFICANCE */
    double highlight_l;      /* > 0: L* (in the plane's units) from which a
                                pixel is clipped or a highlight and is not
                                searched; 0: only the relative test (pores.c) */
    int jobs;                /* threads over the image's tiles (0 or 1: the
                                caller's); the result does not depend on it */
} st_pore_options;

void st_pore_options_init(st_pore_options *opt);

typedef struct st_pores {
    int count;
    double density_per_cm2; /* per cm2 searched; NaN when uncalibrated */
    double density_per_mp;  /* per MP searched */
    double mean_diameter_px;
    double mean_diameter_mm; /* NaN when uncalibrated */
    double area_pct;         /* of the area searched */
    size_t search_px;        /* pixels searched: the region less highlights,
                                clipped and defocused parts; 0 when nothing
                                could be searched (then every value is NaN) */
    size_t hair_px;          /* pixels of hair strands painted out before
                                the search (pores.c, hair.c) */
    int range_resolved;      /* 1: the whole diameter range is at least
                                ST_PORE_MIN_PX px; 0: it starts below, and only
                                ST_PORE_MIN_PX px and up is searched (nothing
                                when it ends below too) */
    st_pore *list; /* count entries, owned; free with st_pores_clear */
} st_pores;

/* Detects pores in the L* plane of lab over reg. */
st_status st_pores_detect(const st_l_plane *lab, const st_region *reg,
                          const st_pore_options *opt, st_pores *out,
                          st_error *err);

void st_pores_clear(st_pores *p);

#ifdef __cplusplus
}
#endif
#endif
