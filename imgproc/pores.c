/* skintrack — pore detection by a multi-scale Laplacian of Gaussian.
 *
 *   st_pore_options_init   defaults
 *   st_pores_detect        pores of a region and their summary
 *   st_pores_clear         release the list
 *
 * Pores are small dark blobs. The region's L* is inverted (so pores are
 * bright), its mean removed (which is also what fills the outside of an
 * irregular region), padded by the largest kernel's reach against
 * wrap-around, and transformed once with FFTW. Each scale sigma then costs
 * one multiplication by the scale-normalised Laplacian of Gaussian,
 * -sigma^2 lap G, whose transfer function is sigma^2 (2 pi f)^2
 * exp(-2 pi^2 sigma^2 f^2), and one inverse transform (Lindeberg 1998,
 * Int. J. Comput. Vision 30:79). Scales run geometrically, four per
 * octave, one beyond each end of the diameter range.
 *
 * A pore is a point whose response is the largest of its 3 x 3 x 3
 * neighbourhood in space and scale and at least the contrast threshold
 * (ST_PORE_MIN_RESPONSE = 1.5 L*: a Gaussian pore's scale-normalised
 * response at its own scale is half its depth, so this finds pores about
 * 3 L* darker than their surround and ignores the fine texture between
 * them), lies inside the size range, and has region all around it within
 * 2 sigma (so a region edge is not taken for a pore). Its scale is refined
 * by a parabola through the three responses in log sigma. Of blobs whose
 * centres lie within 0.55 diameters of a stronger one, only the stronger
 * is kept: a flat-bottomed pore also excites small scales along its rim.
 *
 * Diameter = 2 sqrt(2) sigma: for a Gaussian pore of standard deviation s
 * the response peaks at sigma = s, and 2 sqrt(2) s is the diameter where
 * it falls to 1/e; for a disc of radius R it peaks near sigma = R / sqrt 2,
 * so 2 sqrt(2) sigma is again its diameter. tests/test_pores.c measures
 * both profiles (figures in docs/metrics.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "skintrack/fft.h"
#include "skintrack/pores.h"

#define PER_OCTAVE 4

void st_pore_options_init(st_pore_options *opt)
{
    opt->px_per_mm = 0;
    opt->px_scale = 1;
    opt->min_diameter = 0;
    opt->max_diameter = 0;
    opt->min_response = ST_PORE_MIN_RESPONSE;
}

void st_pores_clear(st_pores *p)
{
    if (!p)
        return;
    free(p->list);
    memset(p, 0, sizeof *p);
}

/* Appends a pore, growing the list. */
static int push(st_pores *p, int *cap, st_pore v)
{
    if (p->count == *cap) {
        int n = *cap ? 2 * *cap : 256;
        st_pore *l = realloc(p->list, (size_t)n * sizeof *l);
        if (!l)
            return -1;
        p->list = l;
        *cap = n;
    }
    p->list[p->count++] = v;
    return 0;
}

static int by_response(const void *a, const void *b)
{
    float x = ((const st_pore *)a)->response,
          y = ((const st_pore *)b)->response;
    return (x < y) - (x > y);
}

/* Keeps the strongest of blobs that sit inside one another: a flat-bottomed
 * (disc) pore also excites small scales along its rim, whose maxima lie
 * within the pore's own circle. Greedy by response; a spatial grid of
 * cells dmax wide keeps it linear. */
static int prune(st_pores *p, int w, int h, double dmax)
{
    int gw = (int)(w / dmax) + 1, gh = (int)(h / dmax) + 1, kept = 0;
    int *head = malloc((size_t)gw * gh * sizeof *head);
    int *next = malloc((size_t)(p->count ? p->count : 1) * sizeof *next);
    if (!head || !next) {
        free(head);
        free(next);
        return -1;
    }
    for (int i = 0; i < gw * gh; i++)
        head[i] = -1;
    if (p->count > 1)
        qsort(p->list, (size_t)p->count, sizeof *p->list, by_response);
    for (int i = 0; i < p->count; i++) {
        st_pore c = p->list[i];
        int gx = (int)(c.x / dmax), gy = (int)(c.y / dmax), inside = 0;
        for (int y = gy - 1; y <= gy + 1 && !inside; y++)
            for (int x = gx - 1; x <= gx + 1 && !inside; x++) {
                if (x < 0 || y < 0 || x >= gw || y >= gh)
                    continue;
                for (int k = head[y * gw + x]; k >= 0 && !inside; k = next[k]) {
                    const st_pore *a = &p->list[k];
                    double r = 0.55 * fmax(a->diameter, c.diameter);
                    inside = hypot(a->x - c.x, a->y - c.y) < r;
                }
            }
        if (inside)
            continue;
        p->list[kept] = c;
        next[kept] = head[gy * gw + gx];
        head[gy * gw + gx] = kept;
        kept++;
    }
    p->count = kept;
    free(head);
    free(next);
    return 0;
}

st_status st_pores_detect(const st_lab_planes *lab, const st_region *reg,
                          const st_pore_options *opt_in, st_pores *out,
                          st_error *err)
{
    st_pore_options opt;
    int bw = reg->x1 - reg->x0, bh = reg->y1 - reg->y0, W, H, ns, cap = 0;
    double dmin, dmax, smin, ratio = pow(2.0, 1.0 / PER_OCTAVE), mean = 0;
    double *sig = NULL;
    size_t nc, n;
    float *in = NULL, *spec = NULL, *work = NULL, *resp[3] = {NULL};
    unsigned *integ = NULL;
    st_status s = ST_OK;

    memset(out, 0, sizeof *out);
    if (opt_in)
        opt = *opt_in;
    else
        st_pore_options_init(&opt);
    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (!reg->count)
        return st_fail(err, ST_ERR_INVALID, "empty region");
    if (opt.min_response <= 0)
        opt.min_response = ST_PORE_MIN_RESPONSE;
    if (!(opt.px_scale > 0))
        opt.px_scale = 1;
    {
        double k = opt.px_per_mm > 0 ? opt.px_per_mm : opt.px_scale;
        dmin = (opt.min_diameter > 0 ? opt.min_diameter
                : opt.px_per_mm > 0  ? 0.05
                                     : 3) *
               k;
        dmax = (opt.max_diameter > 0 ? opt.max_diameter
                : opt.px_per_mm > 0  ? 0.5
                                     : 24) *
               k;
        dmin = fmax(dmin, 2.0);
        if (dmax < dmin)
            return st_fail(err, ST_ERR_INVALID,
                           "pore size range %.3g..%.3g px is empty", dmin,
                           dmax);
    }
    smin = dmin / (2 * sqrt(2.0)) / ratio;
    ns = (int)ceil(log(dmax / dmin) / log(ratio)) + 3;
    {
        int pad = (int)ceil(3 * smin * pow(ratio, ns - 1));
        W = st_fft_good_size(bw + 2 * pad);
        H = st_fft_good_size(bh + 2 * pad);
    }
    n = (size_t)W * (size_t)H;
    nc = (size_t)H * (size_t)(W / 2 + 1);
    sig = malloc((size_t)ns * sizeof *sig);
    in = st_fft_alloc(n);
    spec = st_fft_alloc(2 * nc);
    work = st_fft_alloc(2 * nc);
    for (int i = 0; i < 3; i++)
        resp[i] = st_fft_alloc(n);
    integ = calloc((size_t)(bw + 1) * (bh + 1), sizeof *integ);
    if (!sig || !in || !spec || !work || !resp[0] || !resp[1] || !resp[2] ||
        !integ) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
        goto done;
    }
    for (int i = 0; i < ns; i++)
        sig[i] = smin * pow(ratio, i);

    /* inverted, mean-free L* of the region, outside = 0; integral image of
     * the mask for the "region all around" test */
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            size_t j = (size_t)(y + reg->y0) * reg->width + x + reg->x0;
            if (reg->mask[j])
                mean += lab->L[j];
        }
    mean /= (double)reg->count;
    memset(in, 0, n * sizeof *in);
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            size_t j = (size_t)(y + reg->y0) * reg->width + x + reg->x0;
            unsigned m = reg->mask[j] ? 1 : 0;
            if (m)
                in[(size_t)y * W + x] = (float)(mean - lab->L[j]);
            integ[(size_t)(y + 1) * (bw + 1) + x + 1] =
                m + integ[(size_t)y * (bw + 1) + x + 1] +
                integ[(size_t)(y + 1) * (bw + 1) + x] -
                integ[(size_t)y * (bw + 1) + x];
        }
    if ((s = st_fft_forward(W, H, in, spec, err)))
        goto done;

    /* scales in order; keep three responses for the 3 x 3 x 3 test */
    for (int i = 0; i < ns; i++) {
        double s2 = sig[i] * sig[i], c = 2 * ST_PI * ST_PI * s2;
        float *r = resp[i % 3];
        for (int ky = 0; ky < H; ky++) {
            double fy = (ky <= H / 2 ? ky : ky - H) / (double)H;
            for (int kx = 0; kx <= W / 2; kx++) {
                size_t q = (size_t)ky * (W / 2 + 1) + kx;
                double fx = kx / (double)W, f2 = fx * fx + fy * fy;
                double g =
                    s2 * 4 * ST_PI * ST_PI * f2 * exp(-c * f2) / (double)n;
                work[2 * q] = (float)(spec[2 * q] * g);
                work[2 * q + 1] = (float)(spec[2 * q + 1] * g);
            }
        }
        if ((s = st_fft_inverse(W, H, work, r, err)))
            goto done;
        if (i < 2)
            continue;
        /* the middle scale i - 1 against its neighbours */
        {
            const float *lo = resp[(i - 2) % 3], *mid = resp[(i - 1) % 3],
                        *hi = resp[i % 3];
            double sm = sig[i - 1];
            int m = (int)ceil(2 * sm);
            for (int y = 1; y < bh - 1; y++)
                for (int x = 1; x < bw - 1; x++) {
                    size_t p = (size_t)y * W + x;
                    float v = mid[p];
                    int is_max = v >= opt.min_response;
                    for (int dy = -1; dy <= 1 && is_max; dy++)
                        for (int dx = -1; dx <= 1; dx++) {
                            size_t q = p + (size_t)((long)dy * W + dx);
                            if (lo[q] >= v || hi[q] >= v ||
                                ((dx || dy) && mid[q] >= v)) {
                                is_max = 0;
                                break;
                            }
                        }
                    if (!is_max)
                        continue;
                    {
                        int x0 = x - m, y0 = y - m, x1 = x + m + 1,
                            y1 = y + m + 1;
                        double a = lo[p], b = v, cc = hi[p];
                        double den = a - 2 * b + cc, off, sg, d;
                        if (x0 < 0 || y0 < 0 || x1 > bw || y1 > bh)
                            continue;
                        if (integ[(size_t)y1 * (bw + 1) + x1] -
                                integ[(size_t)y0 * (bw + 1) + x1] -
                                integ[(size_t)y1 * (bw + 1) + x0] +
                                integ[(size_t)y0 * (bw + 1) + x0] !=
                            (unsigned)((x1 - x0) * (y1 - y0)))
                            continue; /* region edge within 2 sigma */
                        off = fabs(den) > 1e-12 ? 0.5 * (a - cc) / den : 0;
                        off = fmax(-0.5, fmin(0.5, off));
                        sg = sm * pow(ratio, off);
                        d = 2 * sqrt(2.0) * sg;
                        if (d < dmin || d > dmax)
                            continue;
                        if (push(out, &cap,
                                 (st_pore){(float)(x + reg->x0),
                                           (float)(y + reg->y0), (float)d,
                                           v})) {
                            s = st_fail(err, ST_ERR_NOMEM,
                                        "out of memory (pores)");
                            goto done;
                        }
                    }
                }
        }
    }

    if (prune(out, bw + reg->x0, bh + reg->y0, dmax)) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
        goto done;
    }
    {
        double area = (double)reg->count, dsum = 0, asum = 0;
        for (int i = 0; i < out->count; i++) {
            double d = out->list[i].diameter;
            dsum += d;
            asum += ST_PI * d * d / 4;
        }
        double k = opt.px_scale;
        out->mean_diameter_px = out->count ? dsum / out->count / k : NAN;
        out->area_pct = 100.0 * asum / area;
        out->density_per_mp = out->count / (area / (k * k) / 1e6);
        if (opt.px_per_mm > 0) {
            double cm2 = area / (opt.px_per_mm * opt.px_per_mm) / 100.0;
            out->density_per_cm2 = out->count / cm2;
            out->mean_diameter_mm = out->mean_diameter_px * k / opt.px_per_mm;
        } else {
            out->density_per_cm2 = NAN;
            out->mean_diameter_mm = NAN;
        }
    }
done:
    free(sig);
    st_fft_free(in);
    st_fft_free(spec);
    st_fft_free(work);
    for (int i = 0; i < 3; i++)
        st_fft_free(resp[i]);
    free(integ);
    if (s != ST_OK)
        st_pores_clear(out);
    return s;
}
