/* skintrack tests — a colour chart or a grey card painted into a real
 * photo, then photographed under a chosen light.
 *
 * The scene is linear sRGB (floats): a photo enlarged k times by pixel
 * replication and scaled by an exposure. A chart is painted from the
 * reference's linear sRGB values (clipped to [0, 1]: the Classic's cyan lies
 * outside sRGB) with 4 x 4 samples per pixel, on a near-black frame. The
 * photograph blurs the scene (Gaussian, sigma 1 px), applies the light (a
 * 3 x 3 matrix on linear sRGB), encodes sRGB, adds noise of sd 0.008,
 * clips and rounds to 8 bits.
 */
#ifndef SKINTRACK_CHARTSCENE_H
#define SKINTRACK_CHARTSCENE_H

#include <stdint.h>

#include "skintrack/skintrack.h"

typedef struct cs_scene {
    int w, h;
    float *rgb; /* w * h * 3 */
} cs_scene;

/* photo enlarged k times, times exposure; 0, or -1 (no memory). */
int cs_scene_init(cs_scene *sc, const st_image *photo, int k, double exposure);
void cs_scene_free(cs_scene *sc);

/* A chart with patches of side s (gaps s / 4, frame s / 2) centred at
 * (cx, cy), turned clockwise by ang radians. */
typedef struct cs_chart {
    double s, cx, cy, ang;
} cs_chart;

/* The centre of patch p (0..23) in the image. */
void cs_chart_centre(const cs_chart *g, int p, double *x, double *y);
void cs_paint_chart(cs_scene *sc, const cs_chart *g,
                    const st_chart_reference *ref);

/* A uniform neutral card of luminance factor y over a rectangle. */
void cs_paint_card(cs_scene *sc, int x, int y, int w, int h, double refl);

/* The photograph under light m (row-major); an 8-bit image, or NULL. */
st_image *cs_photograph(const cs_scene *sc, const double m[9], uint64_t seed);

#endif
