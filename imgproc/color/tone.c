/* skintrack — pigmentation and tone metrics.
 *
 *   st_tone_measure        L*, b*, melanin index, ITA, tone evenness
 *   st_tone_ita_category   ITA class
 *
 * Melanin index MI = 100 log10(1 / R) (Dawson et al. 1980; Diffey et al.
 * 1984) on the region's mean linear R; camera units, for tracking. ITA
 * (Chardon et al. 1991) = atan2(L* - 50, b*) in degrees, atan2 so that
 * b* = 0 is defined; classes after Del Bino et al. 2006.
 *
 * Tone evenness: a photo's L* varies with the light as much as with the
 * skin. A quadratic surface c0 + c1 x + c2 y + c3 x^2 + c4 xy + c5 y^2
 * (x, y scaled to [-1, 1] over the region's bounding box) is fitted to L*
 * by least squares, taking at most about 250 000 region pixels on a regular
 * grid, and the standard deviation of what remains over every region pixel
 * is the spread of the skin's own tone: blotches, spots, pigmentation.
 */
#include <math.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "skintrack/tone.h"

const char *st_tone_ita_category(double ita)
{
    if (!isfinite(ita))
        return "";
    if (ita > 55)
        return "very_light";
    if (ita > 41)
        return "light";
    if (ita > 28)
        return "intermediate";
    if (ita > 10)
        return "tan";
    if (ita > -30)
        return "brown";
    return "dark";
}

static void basis(double x, double y, double f[6])
{
    f[0] = 1, f[1] = x, f[2] = y, f[3] = x * x, f[4] = x * y, f[5] = y * y;
}

static double evenness(const st_lab_planes *lab, const st_region *reg)
{
    double A[6][6] = {{0}}, rhs[6] = {0}, c[6] = {0};
    double cx = (reg->x0 + reg->x1 - 1) / 2.0,
           cy = (reg->y0 + reg->y1 - 1) / 2.0;
    double sx = fmax(1, (reg->x1 - reg->x0) / 2.0);
    double sy = fmax(1, (reg->y1 - reg->y0) / 2.0);
    int step = (int)fmax(1, ceil(sqrt((double)reg->count / 250000.0)));
    double sum = 0, sum2 = 0, n = 0;
    int fitted;

    for (int y = reg->y0; y < reg->y1; y += step)
        for (int x = reg->x0; x < reg->x1; x += step) {
            size_t i = (size_t)y * (size_t)lab->width + (size_t)x;
            double f[6];
            if (!reg->mask[i])
                continue;
            basis((x - cx) / sx, (y - cy) / sy, f);
            for (int r = 0; r < 6; r++) {
                rhs[r] += f[r] * lab->L[i];
                for (int k = 0; k < 6; k++)
                    A[r][k] += f[r] * f[k];
            }
        }
    fitted = st_solve(6, A, rhs, c) == 0;
    if (!fitted)
        memset(c, 0, sizeof c);
    /* residuals row by row: along a row the surface is p + q x + c3 x^2 */
    for (int y = reg->y0; y < reg->y1; y++) {
        const float *L = lab->L + (size_t)y * (size_t)lab->width;
        const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width;
        double v = (y - cy) / sy;
        double p = c[0] + c[2] * v + c[5] * v * v, q = c[1] + c[4] * v;
        double rs = 0, rs2 = 0, rn = 0;
        for (int x = reg->x0; x < reg->x1; x++) {
            double u = (x - cx) / sx, r;
            if (!m[x])
                continue;
            r = L[x] - (p + u * (q + c[3] * u));
            rs += r;
            rs2 += r * r;
            rn++;
        }
        sum += rs, sum2 += rs2, n += rn;
    }
    if (n < 2)
        return NAN;
    return sqrt(fmax(0, (sum2 - sum * sum / n) / (n - 1)));
}

double st_tone_row_sum(const float *v, const uint8_t *m, int n)
{
    double sum = 0;
    for (int x = 0; x < n; x++)
        if (m[x])
            sum += v[x];
    return sum;
}

void st_tone_finish(const st_lab_planes *lab, const st_region *reg,
                    double b_sum, st_tone *out)
{
    size_t count = 0;
    double sl = 0;

    for (int y = reg->y0; y < reg->y1; y++) {
        size_t i0 = (size_t)y * (size_t)lab->width;
        double rl = 0;
        for (int x = reg->x0; x < reg->x1; x++)
            if (reg->mask[i0 + x]) {
                rl += lab->L[i0 + x];
                count++;
            }
        sl += rl;
    }
    out->l_star_mean = sl / (double)count;
    out->b_star_mean = b_sum / (double)count;
    out->melanin_index = lab->linear_mean[0] > 0
                             ? 100.0 * log10(1.0 / lab->linear_mean[0])
                             : NAN;
    out->ita_deg =
        atan2(out->l_star_mean - 50.0, out->b_star_mean) * 180.0 / ST_PI;
    out->ita_category = st_tone_ita_category(out->ita_deg);
    out->tone_evenness = evenness(lab, reg);
}

st_status st_tone_measure(const st_lab_planes *lab, const st_region *reg,
                          st_tone *out, st_error *err)
{
    double sb = 0;

    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (!reg->count)
        return st_fail(err, ST_ERR_INVALID, "empty region");
    for (int y = reg->y0; y < reg->y1; y++) {
        size_t i = (size_t)y * (size_t)lab->width + (size_t)reg->x0;
        sb += st_tone_row_sum(lab->b + i, reg->mask + i, reg->x1 - reg->x0);
    }
    st_tone_finish(lab, reg, sb, out);
    return ST_OK;
}
