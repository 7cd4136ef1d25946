/* skintrack — the sRGB transfer function (IEC 61966-2-1), both ways.
 *
 *   st_color_srgb_to_linear   encoded value -> linear light
 *   st_color_linear_to_srgb   linear light -> encoded value
 *
 * Declared with the colour API (skintrack/color.h) but kept in core: the
 * image type's float conversion and the readers need it, and the colour
 * family builds on core, never the other way. Odd-symmetric, so values a
 * colour correction pushes below 0 keep their sign. */
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
