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
#include <stdlib.h>
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

void st_tone_acc_init(st_tone_acc *t, const st_region *reg)
{
    memset(t, 0, sizeof *t);
    t->reg = reg;
    t->cx = (reg->x0 + reg->x1 - 1) / 2.0;
    t->cy = (reg->y0 + reg->y1 - 1) / 2.0;
    t->sx = fmax(1, (reg->x1 - reg->x0) / 2.0);
    t->sy = fmax(1, (reg->y1 - reg->y0) / 2.0);
    t->step = (int)fmax(1, ceil(sqrt((double)reg->count / 250000.0)));
}

void st_tone_acc_row(st_tone_acc *t, int y, const float *L, const float *B)
{
    const st_region *reg = t->reg;
    const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width + reg->x0;
    const int n = reg->x1 - reg->x0;
    size_t count = 0;
    for (int x = 0; x < n; x++)
        count += m[x] != 0;
    st_tone_acc_row_summed(t, y, L, st_tone_row_sum(L, m, n),
                           B ? st_tone_row_sum(B, m, n) : 0, count);
}

void st_tone_acc_row_summed(st_tone_acc *t, int y, const float *L, double l_sum,
                            double b_sum, size_t count)
{
    const st_region *reg = t->reg;
    const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width + reg->x0;
    const int n = reg->x1 - reg->x0;
    t->l_sum += l_sum;
    t->b_sum += b_sum;
    t->count += count;
    if ((y - reg->y0) % t->step)
        return;
    /* the fit's sample: every step-th pixel of every step-th row */
    for (int x = 0; x < n; x += t->step) {
        double f[6];
        if (!m[x])
            continue;
        basis((x + reg->x0 - t->cx) / t->sx, (y - t->cy) / t->sy, f);
        for (int r = 0; r < 6; r++) {
            t->rhs[r] += f[r] * L[x];
            for (int k = 0; k < 6; k++)
                t->A[r][k] += f[r] * f[k];
        }
    }
}

void st_tone_acc_fit(st_tone_acc *t)
{
    const st_region *reg = t->reg;
    if (st_solve(6, t->A, t->rhs, t->c) != 0)
        memset(t->c, 0, sizeof t->c);
    /* the x coordinate of each column, the same for every row (without
     * the table each pixel is computed by the same division) */
    t->u = malloc((size_t)(reg->x1 - reg->x0) * sizeof *t->u);
    for (int x = 0; t->u && x < reg->x1 - reg->x0; x++)
        t->u[x] = (x + reg->x0 - t->cx) / t->sx;
}

void st_tone_acc_residual_row(st_tone_acc *t, int y, const float *L)
{
    double part[3];
    st_tone_acc_residual_sums(t, y, L, part);
    st_tone_acc_residual_add(t, part);
}

void st_tone_acc_residual_add(st_tone_acc *t, const double part[3])
{
    t->sum += part[0], t->sum2 += part[1], t->n += part[2];
}

void st_tone_acc_residual_sums(const st_tone_acc *t, int y, const float *L,
                               double part[3])
{
    const st_region *reg = t->reg;
    const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width + reg->x0;
    const double *c = t->c;
    /* along a row the surface is p + q x + c3 x^2 */
    double v = (y - t->cy) / t->sy;
    double p = c[0] + c[2] * v + c[5] * v * v, q = c[1] + c[4] * v;
    double rs = 0, rs2 = 0, rn = 0;
    for (int x = 0; x < reg->x1 - reg->x0; x++) {
        double u, r;
        if (!m[x])
            continue;
        u = t->u ? t->u[x] : (x + reg->x0 - t->cx) / t->sx;
        r = L[x] - (p + u * (q + c[3] * u));
        rs += r;
        rs2 += r * r;
        rn++;
    }
    part[0] = rs, part[1] = rs2, part[2] = rn;
}

double st_tone_row_sum(const float *v, const uint8_t *m, int n)
{
    double sum = 0;
    for (int x = 0; x < n; x++)
        if (m[x])
            sum += v[x];
    return sum;
}

void st_tone_acc_end(st_tone_acc *t, const double linear_mean[3], st_tone *out)
{
    double n = t->n;
    free(t->u);
    t->u = NULL;
    out->l_star_mean = t->l_sum / (double)t->count;
    out->b_star_mean = t->b_sum / (double)t->count;
    out->melanin_index =
        linear_mean[0] > 0 ? 100.0 * log10(1.0 / linear_mean[0]) : NAN;
    out->ita_deg =
        atan2(out->l_star_mean - 50.0, out->b_star_mean) * 180.0 / ST_PI;
    out->ita_category = st_tone_ita_category(out->ita_deg);
    out->tone_evenness =
        n < 2 ? NAN : sqrt(fmax(0, (t->sum2 - t->sum * t->sum / n) / (n - 1)));
}

st_status st_tone_measure(const st_lab_planes *lab, const st_region *reg,
                          st_tone *out, st_error *err)
{
    st_tone_acc t;

    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (!reg->count)
        return st_fail(err, ST_ERR_INVALID, "empty region");
    st_tone_acc_init(&t, reg);
    for (int y = reg->y0; y < reg->y1; y++) {
        size_t i = (size_t)y * (size_t)lab->width + (size_t)reg->x0;
        st_tone_acc_row(&t, y, lab->L + i, lab->b + i);
    }
    st_tone_acc_fit(&t);
    for (int y = reg->y0; y < reg->y1; y++)
        st_tone_acc_residual_row(
            &t, y, lab->L + (size_t)y * (size_t)lab->width + reg->x0);
    st_tone_acc_end(&t, lab->linear_mean, out);
    return ST_OK;
}
