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

#include "core/core_internal.h"
#include "measure/measure_internal.h"
#include "skintrack/fft.h"
#include "skintrack/texture.h"

#define SLOPE_BINS 24

/* ---- the taper ----
 *
 * E = the region (inside its bounding box) eroded by a square of radius
 * 3 rb; the taper is E box-filtered three times with radius rb, outside
 * the box counting as 0. The boxes are summed in integers, so the taper
 * is count / (2 rb + 1)^6 exactly, whatever order the sums take: that
 * lets it be computed block by block. A block whose neighbours' E is all
 * ones (3 rb < TB) is 1 throughout; only blocks near the region's edge
 * are summed, each with 3 rb px of E around it. */
#define TB 128

/* E is held one bit a pixel (rows of ebytes(bw) bytes, pixel x in bit
 * x % 8 of byte x / 8): an eighth of a byte plane, which at 12 MP was
 * 12 MB of the peak memory next to the L* plane and the transform. */
static size_t ebytes(int bw)
{
    return ((size_t)bw + 7) / 8;
}

static int ebit(const uint8_t *row, int x)
{
    return row[x >> 3] >> (x & 7) & 1;
}

/* Packs the n 0/1 bytes of v into the bit row o, eight at a time: the
 * multiplication moves byte k's bit (bit 8 k) to bit 56 + k, and no two
 * of its terms meet there. */
static void epack(uint8_t *o, const uint8_t *v, int n)
{
    int j = 0;
    for (; 8 * j + 8 <= n; j++) {
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x |= (uint64_t)v[8 * j + k] << (8 * k);
        o[j] = (uint8_t)((x * 0x0102040810204080u) >> 56);
    }
    if (8 * j < n) {
        o[j] = 0;
        for (int x = 8 * j; x < n; x++)
            o[j] |= (uint8_t)(v[x] << (x & 7));
    }
}

/* The n bits of row into 0/1 bytes v, eight at a time: each byte of the
 * product keeps its own bit, which the addition carries to its top. */
static void eunpack(uint8_t *v, const uint8_t *row, int n)
{
    int j = 0;
    for (; 8 * j + 8 <= n; j++) {
        uint64_t x = (row[j] * 0x0101010101010101u) & 0x8040201008040201u;
        x = ((x + 0x7f7f7f7f7f7f7f7fu) >> 7) & 0x0101010101010101u;
        for (int k = 0; k < 8; k++)
            v[8 * j + k] = (uint8_t)(x >> (8 * k));
    }
    for (int x = 8 * j; x < n; x++)
        v[x] = (uint8_t)ebit(row, x);
}

/* E into e (bh bit rows, see ebytes): along the rows, then down the
 * columns, each by the length of the run of ones; tmp and run hold bw
 * bytes each. */
static void erode(const st_region *reg, int bw, int bh, int R, uint8_t *e,
                  uint8_t *run, uint8_t *tmp)
{
    const int need = 2 * R + 1; /* <= 255 */
    const size_t sb = ebytes(bw);
    for (int y = 0; y < bh; y++) {
        const uint8_t *m =
            reg->mask + (size_t)(y + reg->y0) * reg->width + reg->x0;
        int n = 0;
        /* run[x] = ones starting at x (capped), from the right; in a row
         * of ones that is the distance to the box's edge */
        if (!memchr(m, 0, (size_t)bw))
            for (int x = 0; x < bw; x++)
                run[x] = (uint8_t)(bw - x < 255 ? bw - x : 255);
        else
            for (int x = bw - 1; x >= 0; x--) {
                n = m[x] ? (n < 255 ? n + 1 : 255) : 0;
                run[x] = (uint8_t)n;
            }
        for (int x = 0; x < bw; x++)
            tmp[x] = x >= R && run[x - R] >= need;
        epack(e + (size_t)y * sb, tmp, bw);
    }
    /* columns: run[x] = ones ending at row y; E of row y - R is final
     * then, written over that row, which is no longer read */
    memset(run, 0, (size_t)bw);
    for (int y = 0; y < bh; y++) {
        eunpack(tmp, e + (size_t)y * sb, bw);
        for (int x = 0; x < bw; x++)
            run[x] = tmp[x] ? (uint8_t)(run[x] < 255 ? run[x] + 1 : 255) : 0;
        if (y >= R) {
            for (int x = 0; x < bw; x++)
                tmp[x] = run[x] >= need;
            epack(e + (size_t)(y - R) * sb, tmp, bw);
        }
    }
    for (int y = bh - R > 0 ? bh - R : 0; y < bh; y++)
        memset(e + (size_t)y * sb, 0, sb);
}

/* One box pass of radius r over a w x h int plane: rows into t, then
 * columns back into a; outside counts as 0. */
static void box_int(int32_t *a, int32_t *t, int w, int h, int r, int32_t *acc)
{
    for (int y = 0; y < h; y++) {
        const int32_t *row = a + (size_t)y * w;
        int32_t *o = t + (size_t)y * w, s = 0;
        for (int x = 0; x < r && x < w; x++)
            s += row[x];
        for (int x = 0; x < w; x++) {
            if (x + r < w)
                s += row[x + r];
            o[x] = s;
            if (x - r >= 0)
                s -= row[x - r];
        }
    }
    memset(acc, 0, (size_t)w * sizeof *acc);
    for (int y = 0; y < r && y < h; y++)
        for (int x = 0; x < w; x++)
            acc[x] += t[(size_t)y * w + x];
    for (int y = 0; y < h; y++) {
        int32_t *o = a + (size_t)y * w;
        if (y + r < h) {
            const int32_t *in = t + (size_t)(y + r) * w;
            for (int x = 0; x < w; x++)
                acc[x] += in[x];
        }
        for (int x = 0; x < w; x++)
            o[x] = acc[x];
        if (y - r >= 0) {
            const int32_t *out = t + (size_t)(y - r) * w;
            for (int x = 0; x < w; x++)
                acc[x] -= out[x];
        }
    }
}

/* Whether bits [x0, x1) of row are all 1 (whole bytes at a time). */
static int all_ones(const uint8_t *row, int x0, int x1)
{
    int x = x0;
    for (; x < x1 && x & 7; x++)
        if (!ebit(row, x))
            return 0;
    for (; x + 8 <= x1; x += 8)
        if (row[x >> 3] != 0xff)
            return 0;
    for (; x < x1; x++)
        if (!ebit(row, x))
            return 0;
    return 1;
}

/* The taper into w (bw x bh, rows ws floats apart) from E; work holds
 * 2 (TB + 6 rb)^2 + TB + 6 rb ints. A block that is 1 throughout is not
 * written: full[by * nbx + bx] says so (nbx = ceil(bw / TB)). */
static void taper(const uint8_t *e, int bw, int bh, int rb, float *w, size_t ws,
                  int32_t *work, uint8_t *full_blocks)
{
    const int R = 3 * rb, side = TB + 2 * R;
    const double k6 = pow(2.0 * rb + 1, 6);
    int nbx = (bw + TB - 1) / TB, nby = (bh + TB - 1) / TB;
    int32_t *a = work, *t = a + (size_t)side * side,
            *acc = t + (size_t)side * side;
    for (int by = 0; by < nby; by++)
        for (int bx = 0; bx < nbx; bx++) {
            int x0 = bx * TB, y0 = by * TB;
            int x1 = x0 + TB < bw ? x0 + TB : bw,
                y1 = y0 + TB < bh ? y0 + TB : bh;
            /* E around the block, clipped to the box */
            int ex0 = x0 - R > 0 ? x0 - R : 0, ey0 = y0 - R > 0 ? y0 - R : 0;
            int ex1 = x1 + R < bw ? x1 + R : bw,
                ey1 = y1 + R < bh ? y1 + R : bh;
            int ew = ex1 - ex0, eh = ey1 - ey0, full;
            full = ex0 == x0 - R && ey0 == y0 - R && ex1 == x1 + R &&
                   ey1 == y1 + R;
            for (int y = ey0; y < ey1 && full; y++)
                full = all_ones(e + (size_t)y * ebytes(bw), ex0, ex1);
            full_blocks[by * nbx + bx] = (uint8_t)full;
            if (full)
                continue;
            for (int y = 0; y < eh; y++)
                for (int x = 0; x < ew; x++)
                    a[(size_t)y * ew + x] =
                        ebit(e + (size_t)(y + ey0) * ebytes(bw), x + ex0);
            for (int pass = 0; pass < 3; pass++)
                box_int(a, t, ew, eh, rb, acc);
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                    w[(size_t)y * ws + x] =
                        (float)(a[(size_t)(y - ey0) * ew + x - ex0] / k6);
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

/* *s += 1, n times: at once where that is exact, i.e. where *s and
 * *s + n lie in one binade at or above 1 (every partial sum is then a
 * double); else one at a time, as the sum always was. */
static void add_ones(double *s, int n)
{
    int e0, e1;
    double t = *s + n;
    frexp(*s, &e0);
    frexp(t, &e1);
    if (*s >= 1 && e0 == e1) {
        *s = t;
        return;
    }
    for (int k = 0; k < n; k++)
        *s += 1.0;
}

/* One row of a block: o holds the taper (or, full, is 1 throughout and
 * not read); o becomes (L - mean) times the taper, 0 outside the region;
 * the squared taper is added to *wsum2 pixel by pixel in x order. */
static void fill(float *restrict o, const float *restrict L, const uint8_t *m,
                 int n, double mean, int full, double *wsum2)
{
    if (full) { /* inside the eroded region: m is 1, the taper 1 */
        for (int x = 0; x < n; x++)
            o[x] = (float)(L[x] - mean);
        add_ones(wsum2, n);
        return;
    }
    for (int x = 0; x < n; x++) {
        float wi = m[x] ? o[x] : 0.0f;
        o[x] = wi ? (float)((L[x] - mean) * wi) : 0.0f;
        *wsum2 += (double)wi * wi;
    }
}

/* Gives back L*'s rows up to box row y (and all before the box) whole
 * pages at a time: the transform's fill reads each row once. */
static void release_rows(const st_l_plane *lab, const st_region *reg, int y)
{
    size_t end = (size_t)(y + 1 + reg->y0) * (size_t)lab->width;
    st_mem_release(lab->L, end * sizeof *lab->L);
}

/* The tapered, mean-free L* of the region's box, transformed; release:
 * L*'s rows are given back (st_mem_release) as they are used. */
static st_status transform(const st_l_plane *lab, const st_region *reg,
                           int release, spectrum *sp, st_error *err)
{
    int bw = reg->x1 - reg->x0, bh = reg->y1 - reg->y0;
    int W, H, r, rb;
    size_t nc, ws;
    float *spec = NULL;
    uint8_t *e = NULL, *run = NULL, *full = NULL;
    int32_t *work = NULL;
    double mean = 0, wsum2 = 0;
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
    ws = 2 * (size_t)(W / 2 + 1);
    /* taper: the region eroded by 3 rb, then blurred by three box passes
     * of radius rb (a C1 quadratic spline of support 3 rb): 1 deep inside,
     * exactly 0 at the region's edge and outside */
    r = (int)fmin(32, fmax(4, 0.06 * (bw < bh ? bw : bh)));
    rb = r / 3 > 1 ? r / 3 : 1;
    {
        size_t side = (size_t)TB + 6 * (size_t)rb;
        e = malloc(ebytes(bw) * (size_t)bh);
        run = malloc(2 * (size_t)bw); /* run, and erode's tmp */
        work = malloc((2 * side * side + side) * sizeof *work);
        full = malloc((size_t)((bw + TB - 1) / TB) * ((bh + TB - 1) / TB));
        spec = st_fft_alloc(2 * nc);
    }
    if (!e || !run || !work || !full || !spec) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (texture)");
        goto done;
    }
    /* the taper goes straight into the transform's rows (2 (W/2+1)
     * floats each), and the tapered signal is made over it there */
    erode(reg, bw, bh, 3 * rb, e, run, run + bw);
    taper(e, bw, bh, rb, spec, ws, work, full);
    free(e), free(run), free(work);
    e = run = NULL, work = NULL;
    for (int y = 0; y < bh; y++) {
        const uint8_t *m = reg->mask + (size_t)(y + reg->y0) * reg->width;
        const float *L = lab->L + (size_t)(y + reg->y0) * reg->width;
        for (int x = reg->x0; x < reg->x1; x++)
            if (m[x])
                mean += L[x];
    }
    mean /= (double)reg->count;
    for (int y = 0; y < H; y++) {
        float *o = spec + (size_t)y * ws;
        const uint8_t *m;
        const float *L;
        if (y >= bh) {
            memset(o, 0, ws * sizeof *o);
            continue;
        }
        m = reg->mask + (size_t)(y + reg->y0) * reg->width + reg->x0;
        L = lab->L + (size_t)(y + reg->y0) * reg->width + reg->x0;
        for (int x0 = 0, bx = 0; x0 < bw; x0 += TB, bx++) {
            int n = bw - x0 < TB ? bw - x0 : TB;
            fill(o + x0, L + x0, m + x0, n, mean,
                 full[(y / TB) * ((bw + TB - 1) / TB) + bx], &wsum2);
        }
        memset(o + bw, 0, (ws - (size_t)bw) * sizeof *o);
        if (release && (y % 64 == 63 || y == bh - 1))
            release_rows(lab, reg, y);
    }
    if (!(wsum2 > 0)) {
        s = st_fail(err, ST_ERR_INVALID, "region too thin for texture");
        goto done;
    }
    s = st_fft_forward_inplace(W, H, spec, err);
done:
    free(e);
    free(run);
    free(work);
    free(full);
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

st_status st_texture_bandpass(const st_l_plane *lab, const st_region *reg,
                              double px_per_mm, double px_scale, float **out,
                              st_error *err)
{
    spectrum sp;
    bands b;
    float *sig = NULL, *plane = NULL;
    st_status s;

    *out = NULL;
    if ((s = transform(lab, reg, 0, &sp, err)))
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

/* The sums over the spectrum that the texture figures come from. */
typedef struct tex_sums {
    double e_fine, e_med, e_coarse;
    double txx, txy, tyy, rough;
    double bin_p[SLOPE_BINS], bin_n[SLOPE_BINS], bin_lf[SLOPE_BINS];
} tex_sums;

/* Band energies, the orientation tensor, the roughness and the slope's
 * log-frequency bins over the spectrum sp. */
static void accumulate(const spectrum *sp, const bands *b, tex_sums *a)
{
    /* every band ends at or below 1/4 cycle/px (make_bands): only
     * coefficients with |fx|, |fy| <= 1/4 can count */
    double norm = 1.0 / ((double)sp->W * sp->H * sp->wsum2);
    double lf0 = log10(b->slope[0]), lf1 = log10(b->slope[1]);
    double ftop =
        fmax(fmax(b->fine[1], b->medium[1]), fmax(b->coarse[1], b->slope[1]));
    int kxmax = (int)fmin(sp->W / 2, ceil(ftop * sp->W));
    for (int ky = 0; ky < sp->H; ky++) {
        double fy = (ky <= sp->H / 2 ? ky : ky - sp->H) / (double)sp->H;
        if (fabs(fy) > ftop)
            continue;
        for (int kx = 0; kx <= kxmax; kx++) {
            size_t i = (size_t)ky * (sp->W / 2 + 1) + kx;
            double fx = kx / (double)sp->W, f2 = fx * fx + fy * fy, f, p;
            double mult =
                (kx == 0 || (sp->W % 2 == 0 && kx == sp->W / 2)) ? 1 : 2;
            int fine, med;
            if (f2 == 0 || f2 >= ftop * ftop)
                continue;
            f = sqrt(f2);
            p = ((double)sp->spec[2 * i] * sp->spec[2 * i] +
                 (double)sp->spec[2 * i + 1] * sp->spec[2 * i + 1]) *
                norm;
            fine = in(b->fine, f);
            med = !fine && in(b->medium, f);
            if (fine)
                a->e_fine += mult * p;
            else if (med)
                a->e_med += mult * p;
            else if (in(b->coarse, f))
                a->e_coarse += mult * p;
            if (fine || med) {
                double q = mult * p / f2;
                a->txx += q * fx * fx;
                a->txy += q * fx * fy;
                a->tyy += q * fy * fy;
                a->rough += mult * p;
            }
            if (f >= b->slope[0] && f < b->slope[1]) {
                double lf = log10(f);
                int k = (int)((lf - lf0) / (lf1 - lf0) * SLOPE_BINS);
                if (k >= 0 && k < SLOPE_BINS) {
                    a->bin_p[k] += p;
                    a->bin_lf[k] += lf;
                    a->bin_n[k]++;
                }
            }
        }
    }
}

/* The texture figures from the sums. */
static void finish(const tex_sums *a, st_texture *out)
{
    {
        double total = a->e_fine + a->e_med + a->e_coarse;
        out->fine_share = total > 0 ? a->e_fine / total : NAN;
        out->medium_share = total > 0 ? a->e_med / total : NAN;
        out->coarse_share = total > 0 ? a->e_coarse / total : NAN;
    }
    out->roughness_rms = sqrt(a->rough);
    {
        /* eigen-decomposition of the 2 x 2 tensor */
        double tr = a->txx + a->tyy, det = a->txx * a->tyy - a->txy * a->txy;
        double disc = sqrt(fmax(0, tr * tr / 4 - det));
        double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
        double psi =
            0.5 * atan2(2 * a->txy, a->txx - a->tyy); /* main axis, (fx,fy) */
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
            if (a->bin_n[k] < 1 || a->bin_p[k] <= 0)
                continue;
            x = a->bin_lf[k] / a->bin_n[k];
            y = log10(a->bin_p[k] / a->bin_n[k]);
            sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
        }
        out->spectral_slope = n >= 3 && (n * sxx - sx * sx) > 0
                                  ? (n * sxy - sx * sy) / (n * sxx - sx * sx)
                                  : NAN;
    }
}

static st_status measure(const st_l_plane *lab, const st_region *reg,
                         int release, double px_per_mm, double px_scale,
                         st_texture *out, st_error *err)
{
    spectrum sp;
    tex_sums sums;
    bands b;
    st_status s;

    memset(out, 0, sizeof *out);
    memset(&sums, 0, sizeof sums);
    if ((s = transform(lab, reg, release, &sp, err)))
        return s;
    make_bands(px_per_mm, px_scale > 0 ? px_scale : 1,
               sp.bw < sp.bh ? sp.bw : sp.bh, &b);
    accumulate(&sp, &b, &sums);
    finish(&sums, out);
    spectrum_free(&sp);
    return ST_OK;
}

st_status st_texture_measure(const st_l_plane *lab, const st_region *reg,
                             double px_per_mm, double px_scale, st_texture *out,
                             st_error *err)
{
    return measure(lab, reg, 0, px_per_mm, px_scale, out, err);
}

st_status st_texture_measure_last(st_l_plane *lab, const st_region *reg,
                                  double px_per_mm, double px_scale,
                                  st_texture *out, st_error *err)
{
    return measure(lab, reg, 1, px_per_mm, px_scale, out, err);
}
