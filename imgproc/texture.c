/* skintrack — texture metrics from the power spectrum of L*.
 *
 *   st_texture_measure   band shares, spectral slope, anisotropy,
 *                        orientation, roughness
 *
 * Region handling. Only region pixels count. Inside the region's bounding
 * box, L* minus the region mean is multiplied by a taper that is exactly 0
 * at the region's edge and outside it and rises smoothly to 1 inside: the
 * region eroded by 3 rb and blurred by three box passes of radius rb, a C1
 * spline whose leakage falls as f^-6 in power, faster than any skin
 * spectrum (a rougher taper, falling as f^-4, made 1/f^3.5 texture look
 * steeper than it is). Neither what lies outside nor the edge itself shows
 * up as texture; outside the region the signal is the region mean (zero
 * after removal). The taper spans 2 r px with r 6% of the bounding box's
 * shorter side, between 4 and 32 px, and rb = r / 3. Powers are divided by
 * the sum of squared taper weights, so they estimate the variance per
 * frequency of L* over the region (Parseval).
 *
 * Power-spectrum analysis of surface texture and its slope: P(f) ~ f^-beta
 * with beta from a log-log least-squares fit is among the most precise
 * fractal estimators (Fractal Fract. 2024, 8:152); ageing changes skin's
 * spatial spectrum (Bargo & Kollias 2010, Br. J. Dermatol.). The slope is
 * fitted to the radially averaged spectrum in 24 log-spaced bins over the
 * slope band, away from the DC term and the taper's leakage at the low end
 * and from noise and JPEG at the high end.
 *
 * Orientation: a line running at angle phi puts its energy on the
 * frequency axis perpendicular to it. The tensor sum P(k) k k^T / |k|^2
 * over the fine and medium bands has its main eigenvector along that
 * axis; the line direction is perpendicular to it, converted to screen
 * angles (y points down in images).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "skintrack/fft.h"
#include "skintrack/texture.h"

#define SLOPE_BINS 24

/* One separable box blur of radius r, in place; outside the plane counts
 * as 0. Running sums: along each row, then down the columns with one
 * accumulator per column (row order, so memory is read in sequence).
 * tmp holds w * h floats, acc w doubles. */
static void box(float *p, int w, int h, int r, float *tmp, double *acc)
{
    const double inv = 1.0 / (2.0 * r + 1);
    for (int y = 0; y < h; y++) {
        const float *row = p + (size_t)y * w;
        float *t = tmp + (size_t)y * w;
        double a = 0;
        for (int x = -r; x < w; x++) {
            if (x + r < w)
                a += row[x + r];
            if (x - r - 1 >= 0)
                a -= row[x - r - 1];
            if (x >= 0)
                t[x] = (float)(a * inv);
        }
    }
    for (int x = 0; x < w; x++)
        acc[x] = 0;
    for (int y = -r; y < h; y++) {
        if (y + r < h) {
            const float *t = tmp + (size_t)(y + r) * w;
            for (int x = 0; x < w; x++)
                acc[x] += t[x];
        }
        if (y - r - 1 >= 0) {
            const float *t = tmp + (size_t)(y - r - 1) * w;
            for (int x = 0; x < w; x++)
                acc[x] -= t[x];
        }
        if (y >= 0) {
            float *o = p + (size_t)y * w;
            for (int x = 0; x < w; x++)
                o[x] = (float)(acc[x] * inv);
        }
    }
}

/* Frequency bands in cycles per pixel. */
typedef struct bands {
    double fine[2], medium[2], coarse[2], slope[2];
} bands;

static void make_bands(double px_per_mm, double k, int side, bands *b)
{
    double lo_limit = 2.0 / side; /* at least two periods in the box */
    if (px_per_mm > 0) {
        /* periods in mm -> cycles per px = 1 / (period_mm * px_per_mm) */
        b->fine[0] = 1 / (0.25 * px_per_mm),
        b->fine[1] = 1 / (0.05 * px_per_mm);
        b->medium[0] = 1 / (1.0 * px_per_mm), b->medium[1] = b->fine[0];
        b->coarse[0] = 1 / (4.0 * px_per_mm), b->coarse[1] = b->medium[0];
        b->slope[0] = 1 / (2.0 * px_per_mm),
        b->slope[1] = 1 / (0.1 * px_per_mm);
    } else {
        /* periods in reference px, k image px each */
        b->fine[0] = 1 / (8.0 * k), b->fine[1] = 1 / (4.0 * k);
        b->medium[0] = 1 / (32.0 * k), b->medium[1] = b->fine[0];
        b->coarse[0] = 1 / (128.0 * k), b->coarse[1] = b->medium[0];
        b->slope[0] = 1 / (64.0 * k), b->slope[1] = 1 / (4.0 * k);
    }
    /* periods under 4 image px belong to the camera (noise, demosaicing,
     * JPEG) more than to the skin: no band reaches past 1/4 cycle/px */
    for (double *v = &b->fine[0]; v <= &b->slope[1]; v++)
        *v = fmin(fmax(*v, lo_limit), 0.25);
}

static int in(const double band[2], double f)
{
    return f >= band[0] && f < band[1];
}

/* The region's L*, mean removed and tapered, and its spectrum. */
typedef struct spectrum {
    int bw, bh;   /* the region's bounding box */
    int W, H;     /* the transform's size (padded) */
    float *spec;  /* H x (W / 2 + 1) complex */
    double wsum2; /* sum of the squared taper */
} spectrum;

static void spectrum_free(spectrum *sp)
{
    st_fft_free(sp->spec);
}

static st_status transform(const st_lab_planes *lab, const st_region *reg,
                           spectrum *sp, st_error *err)
{
    int bw = reg->x1 - reg->x0, bh = reg->y1 - reg->y0;
    int W, H, r, rb;
    size_t nc;
    float *w = NULL, *tmp = NULL, *spec = NULL;
    double mean = 0, wsum2 = 0, *acc = NULL;
    st_status s = ST_OK;

    memset(sp, 0, sizeof *sp);
    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (bw < 16 || bh < 16)
        return st_fail(err, ST_ERR_INVALID,
                       "region too small for texture (%dx%d, need 16x16)", bw,
                       bh);
    W = st_fft_good_size(bw);
    H = st_fft_good_size(bh);
    nc = (size_t)H * (size_t)(W / 2 + 1);
    w = malloc((size_t)bw * bh * sizeof *w);
    tmp = malloc((size_t)bw * bh * sizeof *tmp);
    acc = malloc((size_t)bw * sizeof *acc);
    if (!w || !tmp || !acc) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (texture)");
        goto done;
    }

    /* taper: the region eroded by 3 rb, then blurred by three box passes
     * of radius rb (a C1 quadratic spline of support 3 rb): 1 deep inside,
     * exactly 0 at the region's edge and outside */
    r = (int)fmin(32, fmax(4, 0.06 * (bw < bh ? bw : bh)));
    rb = r / 3 > 1 ? r / 3 : 1;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++)
            w[(size_t)y * bw + x] =
                reg->mask[(size_t)(y + reg->y0) * reg->width + x + reg->x0];
    box(w, bw, bh, 3 * rb, tmp, acc);
    for (size_t i = 0; i < (size_t)bw * bh; i++)
        w[i] = w[i] > 0.9999f ? 1.0f : 0.0f;
    for (int pass = 0; pass < 3; pass++)
        box(w, bw, bh, rb, tmp, acc);
    free(tmp);
    tmp = NULL;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            size_t j = (size_t)(y + reg->y0) * reg->width + x + reg->x0;
            if (!reg->mask[j])
                w[(size_t)y * bw + x] = 0;
            else
                mean += lab->L[j];
        }
    mean /= (double)reg->count;

    /* the tapered signal, transformed in place (rows of 2 (W/2+1)) */
    spec = st_fft_alloc(2 * nc);
    if (!spec) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (texture)");
        goto done;
    }
    {
        size_t ws = 2 * (size_t)(W / 2 + 1);
        for (int y = 0; y < H; y++) {
            float *o = spec + (size_t)y * ws;
            if (y >= bh) {
                memset(o, 0, ws * sizeof *o);
                continue;
            }
            for (int x = 0; x < bw; x++) {
                size_t i = (size_t)y * bw + x;
                size_t j = (size_t)(y + reg->y0) * reg->width + x + reg->x0;
                o[x] = w[i] ? (float)((lab->L[j] - mean) * w[i]) : 0.0f;
                wsum2 += (double)w[i] * w[i];
            }
            memset(o + bw, 0, (ws - (size_t)bw) * sizeof *o);
        }
    }
    free(w);
    w = NULL;
    if (!(wsum2 > 0)) {
        s = st_fail(err, ST_ERR_INVALID, "region too thin for texture");
        goto done;
    }
    s = st_fft_forward_inplace(W, H, spec, err);
done:
    free(tmp);
    free(acc);
    free(w);
    if (s) {
        st_fft_free(spec);
        return s;
    }
    *sp = (spectrum){bw, bh, W, H, spec, wsum2};
    return ST_OK;
}

/* Frequency of coefficient (kx, ky) of a W x H transform, cycles/px. */
static void frequency(int W, int H, int kx, int ky, double *fx, double *fy)
{
    *fy = (ky <= H / 2 ? ky : ky - H) / (double)H;
    *fx = kx / (double)W;
}

st_status st_texture_bandpass(const st_lab_planes *lab, const st_region *reg,
                              double px_per_mm, double px_scale, float **out,
                              st_error *err)
{
    spectrum sp;
    bands b;
    float *sig = NULL, *plane = NULL;
    st_status s;

    *out = NULL;
    if ((s = transform(lab, reg, &sp, err)))
        return s;
    make_bands(px_per_mm, px_scale > 0 ? px_scale : 1,
               sp.bw < sp.bh ? sp.bw : sp.bh, &b);
    sig = st_fft_alloc((size_t)sp.W * sp.H);
    plane = calloc((size_t)lab->width * lab->height, sizeof *plane);
    if (!sig || !plane) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (texture)");
        goto done;
    }
    for (int ky = 0; ky < sp.H; ky++)
        for (int kx = 0; kx <= sp.W / 2; kx++) {
            size_t i = (size_t)ky * (sp.W / 2 + 1) + kx;
            double fx, fy, f;
            frequency(sp.W, sp.H, kx, ky, &fx, &fy);
            f = hypot(fx, fy);
            if (!(f > 0 && (in(b.fine, f) || in(b.medium, f))))
                sp.spec[2 * i] = sp.spec[2 * i + 1] = 0;
        }
    if ((s = st_fft_inverse(sp.W, sp.H, sp.spec, sig, err)))
        goto done;
    {
        double k = 1.0 / ((double)sp.W * sp.H);
        for (int y = 0; y < sp.bh; y++)
            for (int x = 0; x < sp.bw; x++) {
                size_t j = (size_t)(y + reg->y0) * reg->width + x + reg->x0;
                if (reg->mask[j])
                    plane[j] = (float)(sig[(size_t)y * sp.W + x] * k);
            }
    }
    *out = plane;
    plane = NULL;
done:
    free(plane);
    st_fft_free(sig);
    spectrum_free(&sp);
    return s;
}

st_status st_texture_measure(const st_lab_planes *lab, const st_region *reg,
                             double px_per_mm, double px_scale, st_texture *out,
                             st_error *err)
{
    spectrum sp;
    int W, H;
    float *spec;
    double wsum2, e_fine = 0, e_med = 0, e_coarse = 0;
    double txx = 0, txy = 0, tyy = 0, rough = 0;
    double bin_p[SLOPE_BINS] = {0}, bin_n[SLOPE_BINS] = {0};
    double bin_lf[SLOPE_BINS] = {0};
    bands b;
    st_status s;

    memset(out, 0, sizeof *out);
    if ((s = transform(lab, reg, &sp, err)))
        return s;
    W = sp.W, H = sp.H, spec = sp.spec, wsum2 = sp.wsum2;
    make_bands(px_per_mm, px_scale > 0 ? px_scale : 1,
               sp.bw < sp.bh ? sp.bw : sp.bh, &b);
    {
        /* every band ends at or below 1/4 cycle/px (make_bands): only
         * coefficients with |fx|, |fy| <= 1/4 can count */
        double norm = 1.0 / ((double)W * H * wsum2);
        double lf0 = log10(b.slope[0]), lf1 = log10(b.slope[1]);
        double ftop =
            fmax(fmax(b.fine[1], b.medium[1]), fmax(b.coarse[1], b.slope[1]));
        int kxmax = (int)fmin(W / 2, ceil(ftop * W));
        for (int ky = 0; ky < H; ky++) {
            double fy = (ky <= H / 2 ? ky : ky - H) / (double)H;
            if (fabs(fy) > ftop)
                continue;
            for (int kx = 0; kx <= kxmax; kx++) {
                size_t i = (size_t)ky * (W / 2 + 1) + kx;
                double fx = kx / (double)W, f2 = fx * fx + fy * fy, f, p;
                double mult = (kx == 0 || (W % 2 == 0 && kx == W / 2)) ? 1 : 2;
                int fine, med;
                if (f2 == 0 || f2 >= ftop * ftop)
                    continue;
                f = sqrt(f2);
                p = ((double)spec[2 * i] * spec[2 * i] +
                     (double)spec[2 * i + 1] * spec[2 * i + 1]) *
                    norm;
                fine = in(b.fine, f);
                med = !fine && in(b.medium, f);
                if (fine)
                    e_fine += mult * p;
                else if (med)
                    e_med += mult * p;
                else if (in(b.coarse, f))
                    e_coarse += mult * p;
                if (fine || med) {
                    double q = mult * p / f2;
                    txx += q * fx * fx;
                    txy += q * fx * fy;
                    tyy += q * fy * fy;
                    rough += mult * p;
                }
                if (f >= b.slope[0] && f < b.slope[1]) {
                    double lf = log10(f);
                    int k = (int)((lf - lf0) / (lf1 - lf0) * SLOPE_BINS);
                    if (k >= 0 && k < SLOPE_BINS) {
                        bin_p[k] += p;
                        bin_lf[k] += lf;
                        bin_n[k]++;
                    }
                }
            }
        }
    }
    {
        double total = e_fine + e_med + e_coarse;
        out->fine_share = total > 0 ? e_fine / total : NAN;
        out->medium_share = total > 0 ? e_med / total : NAN;
        out->coarse_share = total > 0 ? e_coarse / total : NAN;
    }
    out->roughness_rms = sqrt(rough);
    {
        /* eigen-decomposition of the 2 x 2 tensor */
        double tr = txx + tyy, det = txx * tyy - txy * txy;
        double disc = sqrt(fmax(0, tr * tr / 4 - det));
        double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
        double psi = 0.5 * atan2(2 * txy, txx - tyy); /* main axis, (fx,fy) */
        double phi = 90.0 - psi * 180.0 / ST_PI;      /* line, screen CCW */
        out->anisotropy = tr > 0 ? (l1 - l2) / (l1 + l2) : NAN;
        phi = fmod(phi, 180.0);
        out->orientation_deg = phi < 0 ? phi + 180.0 : phi;
    }
    {
        /* least squares of log10 P against log10 f over non-empty bins */
        double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
        for (int k = 0; k < SLOPE_BINS; k++) {
            double x, y;
            if (bin_n[k] < 1 || bin_p[k] <= 0)
                continue;
            x = bin_lf[k] / bin_n[k];
            y = log10(bin_p[k] / bin_n[k]);
            sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
        }
        out->spectral_slope = n >= 3 && (n * sxx - sx * sx) > 0
                                  ? (n * sxy - sx * sy) / (n * sxx - sx * sx)
                                  : NAN;
    }
    spectrum_free(&sp);
    return ST_OK;
}
