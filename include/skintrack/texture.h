/* skintrack — texture metrics from the power spectrum of L*.
 *
 * The region's L* (mean removed) is tapered smoothly to zero inside the
 * region's edge, transformed with FFTW, and its power spectrum summarised:
 *   texture_fine_share, _medium_share, _coarse_share
 *                    shares of the spectral energy in three bands of
 *                    spatial period (sum to 1): fine 4-8 px, medium 8-32
 *                    px, coarse 32-128 px; calibrated (px_per_mm > 0):
 *                    fine 0.05-0.25 mm, medium 0.25-1 mm, coarse 1-4 mm
 *                    (clipped to periods of at least 4 image px, below
 *                    which the camera's noise, demosaicing and JPEG
 *                    dominate, and to what the region holds)
 *   spectral_slope   slope of log10 power against log10 frequency of the
 *                    radially averaged spectrum over periods 4-64 px
 *                    (calibrated: 0.1-2 mm): -beta for 1/f^beta texture
 *   anisotropy       (l1 - l2) / (l1 + l2) of the spectral orientation
 *                    tensor over the fine and medium bands: 0 isotropic,
 *                    towards 1 when all energy runs one way
 *   orientation_deg  direction the lines run, counter-clockwise from the
 *                    image x axis as seen on screen, in [0, 180)
 *   roughness_rms    RMS of L* band-passed to the fine and medium bands,
 *                    in L* units
 * Details and sources: docs/metrics.md.
 */
#ifndef SKINTRACK_TEXTURE_H
#define SKINTRACK_TEXTURE_H

#include "color.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_texture {
    double fine_share, medium_share, coarse_share;
    double spectral_slope;
    double anisotropy;
    double orientation_deg;
    double roughness_rms;
} st_texture;

/* Measures the L* plane of lab over reg. px_per_mm > 0 (this image's
 * pixels per mm) puts the bands in millimetres; 0 keeps them in reference
 * pixels, px_scale image pixels each (1 for a photo measured in its own
 * terms; a photo registered to a reference passes its scale, so its bands
 * cover the same skin). */
st_status st_texture_measure(const st_l_plane *lab, const st_region *reg,
                             double px_per_mm, double px_scale, st_texture *out,
                             st_error *err);

/* The picture behind roughness_rms: L* over reg, mean removed and tapered
 * to 0 at the region's edge as for st_texture_measure, band-passed to the
 * fine and medium bands. *out (malloc'd, the caller frees) is a plane of
 * lab's size, 0 outside the region; inside the taper it is the texture
 * whose RMS roughness_rms reports (Parseval), in L* units. */
st_status st_texture_bandpass(const st_l_plane *lab, const st_region *reg,
                              double px_per_mm, double px_scale, float **out,
                              st_error *err);

#ifdef __cplusplus
}
#endif
#endif
