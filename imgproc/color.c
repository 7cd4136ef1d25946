/* skintrack — colour encodings.
 *
 *   st_color_srgb_to_linear   IEC 61966-2-1 decode
 *   st_color_linear_to_srgb   IEC 61966-2-1 encode
 *   st_color_srgb_to_lab      sRGB -> CIELAB (D65, 2°)
 *
 * Constants: IEC 61966-2-1:1999 for the transfer curve and the linear
 * sRGB -> XYZ matrix; CIE 15:2004 for L*a*b* with the D65 white
 * (0.95047, 1, 1.08883). The same constants as scikit-image's rgb2lab, which
 * the tests use as a published cross-check.
 */
#include <math.h>

#include "skintrack/color.h"

double st_color_srgb_to_linear(double c)
{
    double a = fabs(c);
    double v = a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4);
    return c < 0 ? -v : v;
}

double st_color_linear_to_srgb(double v)
{
    double a = fabs(v);
    double c = a <= 0.0031308 ? a * 12.92 : 1.055 * pow(a, 1.0 / 2.4) - 0.055;
    return v < 0 ? -c : c;
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3.0 * d * d) + 4.0 / 29.0;
}

void st_color_srgb_to_lab(const double rgb[3], double lab[3])
{
    double r = st_color_srgb_to_linear(rgb[0]);
    double g = st_color_srgb_to_linear(rgb[1]);
    double b = st_color_srgb_to_linear(rgb[2]);
    double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    double fx = lab_f(x / 0.95047), fy = lab_f(y), fz = lab_f(z / 1.08883);

    lab[0] = 116.0 * fy - 16.0;
    lab[1] = 500.0 * (fx - fy);
    lab[2] = 200.0 * (fy - fz);
}
