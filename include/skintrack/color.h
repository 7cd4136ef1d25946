/* skintrack — colour encodings.
 *
 * sRGB transfer curve (IEC 61966-2-1) and CIELAB (CIE 15, D65 white, 2°
 * observer) conversions used by readers, tests and metrics. Inputs outside
 * [0, 1] are extended symmetrically rather than clipped.
 */
#ifndef SKINTRACK_COLOR_H
#define SKINTRACK_COLOR_H

#include "image.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sRGB-encoded value -> linear light: c <= 0.04045 ? c / 12.92
 * : ((c + 0.055) / 1.055)^2.4. */
double st_color_srgb_to_linear(double c);

/* Linear light -> sRGB-encoded value (inverse of the above). */
double st_color_linear_to_srgb(double v);

/* sRGB-encoded R, G, B in [0, 1] -> CIELAB L*, a*, b* (D65, 2°):
 * linear sRGB -> XYZ with the IEC 61966-2-1 matrix, white
 * (0.95047, 1.0, 1.08883), f(t) = cbrt(t) above (6/29)^3, else
 * t / (3 (6/29)^2) + 4/29. lab receives three values. */
void st_color_srgb_to_lab(const double rgb[3], double lab[3]);

/* The same from linear-light R, G, B. */
void st_color_linear_to_lab(const double rgb[3], double lab[3]);

/* ---- white balance ---- */

typedef enum st_wb_mode {
    ST_WB_NONE = 0,  /* photos as they are */
    ST_WB_GRAYWORLD, /* the region's mean colour is taken as neutral */
    ST_WB_PATCH,     /* a grey or white card in the frame */
    ST_WB_AUTO,      /* a colour chart, else a card, found in each photo
                        (target.h); none found: the photo as it is */
    ST_WB_CHART,     /* a colour chart must be found */
    ST_WB_CARD       /* a grey or white card must be found */
} st_wb_mode;

struct st_chart_reference;

typedef struct st_white_balance {
    st_wb_mode mode;
    int x, y, w, h;     /* ST_WB_PATCH: the card, in image pixels */
    double reflectance; /* ST_WB_PATCH, ST_WB_CARD, a card in ST_WB_AUTO:
                           the card's luminance factor; the card is scaled
                           to this neutral grey (default 0.18), which also
                           cancels exposure changes */
    const struct st_chart_reference *chart; /* chart modes: the reference
                                               (NULL: classic-2014) */
} st_white_balance;

/* Linear-light gains for R, G, B that the white balance asks for (1, 1, 1
 * for ST_WB_NONE and for the target modes, which st_metrics_measure
 * resolves). Grey world: each channel's region mean is scaled to the
 * region's mean luminance Y (Rec. 709), so brightness is kept. Patch: each
 * channel's mean over the card is scaled to `reflectance`. Fails for a card
 * outside the image or one that is black in some channel. */
st_status st_color_wb_gains(const st_image *img, const st_region *reg,
                            const st_white_balance *wb, double gains[3],
                            st_error *err);

/* ---- CIELAB planes ---- */

/* L*, a*, b* of every region pixel of an image after linear-light gains,
 * in three planes of the image's size (0 outside the region), and the
 * region's mean linear R, G, B. Grey images have a* = b* = 0. */
typedef struct st_lab_planes {
    int width, height;
    float *L, *a, *b;
    double linear_mean[3];
} st_lab_planes;

/* gains may be NULL (1, 1, 1). Free with st_lab_planes_free. */
st_status st_lab_planes_new(st_lab_planes **out, const st_image *img,
                            const st_region *reg, const double gains[3],
                            st_error *err);

/* The same after a 3 x 3 correction of linear R, G, B (row-major, applied
 * as corr * rgb; st_metrics.correction). */
st_status st_lab_planes_new_corrected(st_lab_planes **out, const st_image *img,
                                      const st_region *reg,
                                      const double corr[9], st_error *err);
void st_lab_planes_free(st_lab_planes *p);

/* The L* plane alone (0 outside the region) and the region's mean linear
 * R, G, B: all that pore detection and texture read. st_metrics_measure
 * makes only this, sending a* and b* row by row to redness and tone, so
 * no st_lab_planes is ever left half made. */
typedef struct st_l_plane {
    int width, height;
    float *L;
    double linear_mean[3];
} st_l_plane;

/* Frees a plane made by the library (L and the struct). */
void st_l_plane_free(st_l_plane *p);

/* A view of full planes as an L* plane: the view shares p->L (do not
 * free it; it lives as long as p). */
st_l_plane st_lab_planes_l(st_lab_planes *p);

#ifdef __cplusplus
}
#endif
#endif
