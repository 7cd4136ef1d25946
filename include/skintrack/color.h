/* skintrack — colour encodings.
 *
 * sRGB transfer curve (IEC 61966-2-1) and CIELAB (CIE 15, D65 white, 2°
 * observer) conversions used by readers, tests and metrics. Inputs outside
 * [0, 1] are extended symmetrically rather than clipped.
 */
#ifndef SKINTRACK_COLOR_H
#define SKINTRACK_COLOR_H

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

#ifdef __cplusplus
}
#endif
#endif
