/* skintrack tests — skin-like phantoms with a known transform.
 *
 * A canvas of synthetic skin: isotropic 1/f^beta texture (beta = 2.5,
 * made with FFTW), dark round pores of 1.5-4 px radius, a few faint lines
 * like fine wrinkles, and a gentle illumination gradient, in a skin
 * colour. Nothing periodic, nothing a correlation could lock onto
 * falsely. Photos are cut from it: the reference at an integer offset
 * (exact canvas pixels), the moving photo through a known transform with
 * bicubic interpolation, so the truth is known to machine precision.
 */
#ifndef SKINTRACK_PHANTOM_H
#define SKINTRACK_PHANTOM_H

#include <stdint.h>

#include "skintrack/skintrack.h"

/* Isotropic 1/f^beta texture, w x h floats (malloc'd) of zero mean and
 * unit standard deviation, from the generator state *seed. */
float *ph_texture(int w, int h, double beta, uint64_t *seed);

/* CIELAB (D65) -> sRGB-encoded [0, 1], clipped (CIE 15 inverted). */
void ph_lab_to_srgb(const double lab[3], float out[3]);

/* A w x h RGB canvas from seed. */
st_image *ph_canvas(int w, int h, uint64_t seed);

/* The same canvas with every pore's radius times pore_scale (same places,
 * same texture). */
st_image *ph_canvas_pores(int w, int h, uint64_t seed, double pore_scale);

/* Raises CIELAB a* of every pixel by delta (L*, b* kept), in place. */
void ph_shift_a_star(st_image *img, double delta);

/* A w x h photo of the canvas: pixel (x, y) shows canvas point
 * (ox, oy) + inverse(t)(x, y) when t maps reference -> this photo, or
 * canvas (ox + x, oy + y) when t is NULL. */
st_image *ph_photo(const st_image *canvas, const st_transform *t, double ox,
                   double oy, int w, int h);

/* Photo changes, in place: exposure (linear light times e), a white
 * balance change (linear R, G, B times wb), a redness patch (linear R up
 * and G down by `red` fraction in a soft disc of radius rad at cx, cy),
 * Gaussian noise of standard deviation sd (sRGB-encoded units). */
void ph_expose(st_image *img, double e, const double wb[3]);
void ph_redden(st_image *img, double cx, double cy, double rad, double red);
void ph_noise(st_image *img, double sd, uint64_t seed);

/* Round trip through a JPEG file of this quality (path in the test's
 * temporary folder); returns the decoded image and frees img. */
st_image *ph_jpeg(st_image *img, int quality, const char *path);

/* RMS over the reference pixels that the true transform maps inside the
 * moving w x h frame of |est(x) - truth(x)|, on a grid of step 4. */
double ph_rms_error(const st_transform *est, const st_transform *truth,
                    int ref_w, int ref_h, int mov_w, int mov_h);

#endif
