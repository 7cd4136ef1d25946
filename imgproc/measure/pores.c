/* skintrack — pore detection by a multi-scale Laplacian of Gaussian.
 *
 *   st_pore_options_init   defaults
 *   st_pores_detect        pores of a region and their summary
 *   st_pores_clear         release the list
 *
 * Pores are small dark blobs. The region's L* is inverted (so pores are
 * bright) and its mean removed (which is also what fills the outside of an
 * irregular region); it is cut into tiles with a margin of the largest
 * kernel's reach (below), each transformed once with FFTW. Each scale
 * sigma then costs one multiplication by the scale-normalised Laplacian
 * of Gaussian,
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
 * Hair strands are painted out first (hair.c: long thin dark lines filled
 * from their sides), so that a hair crossing a pore changes neither its
 * response nor its ring; the filled pixels take no part in the spread.
 *
 * Diameter = 2 sqrt(2) sigma: for a Gaussian pore of standard deviation s
 * the response peaks at sigma = s, and 2 sqrt(2) s is the diameter where
 * it falls to 1/e; for a disc of radius R it peaks near sigma = R / sqrt 2,
 * so 2 sqrt(2) sigma is again its diameter. tests/test_pores.c measures
 * both profiles (figures in docs/metrics.md).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "measure/measure_internal.h"
#include "skintrack/fft.h"
#include "skintrack/pores.h"

#define PER_OCTAVE 4
/* shape test: (trace^2 / det) of the response's Hessian below
 * (r + 1)^2 / r for a curvature ratio r = 3 */
#define CURV_TEST (16.0 / 3.0)
/* darkness test: the disc of 0.35 d at least this share of the response
 * darker than the ring 0.75 d .. d (a Gaussian pore: 1.4, a disc: 2.7) */
#define DARK_SHARE 0.5
/* ring sectors whose contrast is below this share of the brightest's are
 * dark (see darkness) */
#define LINE_SHARE 0.6
/* hair strands are looked for at this share of the smallest pore
 * diameter (hair.c) */
#define HAIR_SIGMA 0.4

void st_pore_options_init(st_pore_options *opt)
{
    opt->px_per_mm = 0;
    opt->px_scale = 1;
    opt->min_diameter = 0;
    opt->max_diameter = 0;
    opt->min_response = ST_PORE_MIN_RESPONSE;
    opt->min_significance = ST_PORE_MIN_SIGNIFICANCE;
    opt->highlight_l = 0;
    opt->jobs = 1;
}

/* Nothing could be searched: no pores, and no value. */
static void unsearched(st_pores *p)
{
    p->count = 0;
    p->search_px = 0;
    p->mean_diameter_px = p->mean_diameter_mm = NAN;
    p->density_per_mp = p->density_per_cm2 = NAN;
    p->area_pct = NAN;
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

/* ---- tiled multi-scale responses ----
 *
 * The region's bounding box is cut into cores of cw x ch px; each tile is
 * its core with `pad` px of the neighbours' pixels around it (3 sigma of
 * the largest scale), so a tile's convolution equals the whole plane's
 * over the core. Tiles of 256 or 512 px (see st_pores_detect) keep the
 * transforms in cache (several times faster per pixel than one
 * 12-megapixel transform) and the memory at a few megabytes whatever the
 * photo.
 *
 * Scales whose triple (sigma / ratio, sigma, sigma * ratio) is coarse run
 * on a decimated grid: the tile's spectrum is cut to its lowest
 * (1 / 2d) cycles/px and inverse-transformed at 1 / d of the size. That is
 * exact sampling of the band-limited response; the transfer function at
 * the cut is below 0.2% of its peak once sigma / d >= 1.4. The first
 * halving (from full size, where most of the transforms are) takes
 * sigma / d >= DEC_SIGMA0 = 1.4; further ones keep DEC_SIGMA = 2: at
 * 1.4 there, the phantom's 20 px Gaussian pores measured 20.31 px
 * instead of 20.07. */
#define TILE       512
#define TILE0      256 /* full-size tiling (see st_pores_detect) */
#define DEC_SIGMA0 1.4
#define DEC_SIGMA  2.0
#define MAX_LEVEL  3 /* decimation up to 8 */

typedef struct tiler {
    const st_l_plane *lab;
    const st_region *reg;
    const st_pore_options *opt;
    double mean, dmin, dmax, ratio;
    const double *sig;
    int ns, bw, bh, pad, Tw, Th, cw, ch;
    int lmin, lmax; /* the levels this tiling computes */
    int simd;       /* the row loops' instructions: 2 AVX, 1 SSE2, 0 none */
    struct st_pores_probe *probe; /* NULL, or the test hook's copies */
    const uint8_t *strand; /* NULL, or the hair filled (hair.c), box px */
    int level[64];         /* level of the triple centred on each scale */
    float *filt[MAX_LEVEL + 1][64]; /* transfer functions, NULL if unused */
} tiler;

/* Decimated size of the tile on a level. */
static int lw(const tiler *t, int l)
{
    return t->Tw >> l;
}
static int lh(const tiler *t, int l)
{
    return t->Th >> l;
}

/* Transfer function of the scale-normalised LoG at sigma on level l:
 * frequencies of the full tile, the 1 / (Tw Th) of the inverse included.
 * Rows 0 .. H / 2 only: row H - ky, of frequency -fy, is row ky's to the
 * bit (fy enters squared), so half the filter is read per response. */
static float *make_filter(const tiler *t, int l, double sigma)
{
    int W = lw(t, l), H = lh(t, l), kw = W / 2 + 1;
    float *f = malloc((size_t)(H / 2 + 1) * (size_t)kw * sizeof *f);
    double s2 = sigma * sigma, c = 2 * ST_PI * ST_PI * s2;
    double norm = 1.0 / ((double)t->Tw * t->Th);
    if (!f)
        return NULL;
    for (int ky = 0; ky <= H / 2; ky++) {
        double fy = ky / (double)t->Th;
        for (int kx = 0; kx < kw; kx++) {
            double fx = kx / (double)t->Tw, f2 = fx * fx + fy * fy;
            f[(size_t)ky * kw + kx] =
                (float)(s2 * 4 * ST_PI * ST_PI * f2 * exp(-c * f2) * norm);
        }
    }
    return f;
}

/* Per-tile buffers. */
typedef struct tile_buf {
    float *in, *spec, *work, *resp[3], *scratch;
    unsigned *integ; /* (Tw + 1) x (Th + 1) region counts */
    int full;        /* the region covers the tile (in the box) */
} tile_buf;

/* The two row loops that touch every sample of a tile: a spectrum row
 * times a filter row (complex times real), and inverted, mean-free L*.
 * The bodies are written once and compiled twice, for AVX (t->simd == 2,
 * asked once: see has_avx) and for the baseline; each output is the same one
 * IEEE operation on the same inputs either way, so the results are
 * identical (tests/test_pores.c checks it). */
#if defined(__GNUC__) && defined(__SSE2__)
#define ROWS_INLINE static inline __attribute__((always_inline))
#else
#define ROWS_INLINE static inline
#endif
ROWS_INLINE void mul_row_body(float *restrict dst, const float *restrict src,
                              const float *restrict g, int kw)
{
    for (int kx = 0; kx < kw; kx++) {
        dst[2 * kx] = src[2 * kx] * g[kx];
        dst[2 * kx + 1] = src[2 * kx + 1] * g[kx];
    }
}

ROWS_INLINE void fill_row_body(float *restrict dst, const float *restrict L,
                               double mean, int n)
{
    for (int x = 0; x < n; x++)
        dst[x] = (float)(mean - L[x]);
}

#if defined(__GNUC__) && defined(__SSE2__)
__attribute__((target("avx"))) static void
mul_row_avx(float *restrict dst, const float *restrict src,
            const float *restrict g, int kw)
{
    mul_row_body(dst, src, g, kw);
}

__attribute__((target("avx"))) static void
fill_row_avx(float *restrict dst, const float *restrict L, double mean, int n)
{
    fill_row_body(dst, L, mean, n);
}
#endif

static void mul_row(float *restrict dst, const float *restrict src,
                    const float *restrict g, int kw, int simd)
{
#if defined(__GNUC__) && defined(__SSE2__)
    if (simd == 2) {
        mul_row_avx(dst, src, g, kw);
        return;
    }
#endif
    (void)simd;
    mul_row_body(dst, src, g, kw);
}

static void fill_row(float *restrict dst, const float *restrict L, double mean,
                     int n, int simd)
{
#if defined(__GNUC__) && defined(__SSE2__)
    if (simd == 2) {
        fill_row_avx(dst, L, mean, n);
        return;
    }
#endif
    (void)simd;
    fill_row_body(dst, L, mean, n);
}

/* Response of scale i on level l into r: the tile spectrum cut to the
 * level's band, times the filter, inverse-transformed. */
static st_status response(const tiler *t, tile_buf *b, int l, int i, float *r,
                          st_error *err)
{
    int W = lw(t, l), H = lh(t, l), kw = W / 2 + 1, Kw = t->Tw / 2 + 1;
    const float *f = t->filt[l][i];
    for (int ky = 0; ky < H; ky++) {
        int sy = ky <= H / 2 ? ky : ky + (t->Th - H);
        const float *src = b->spec + 2 * (size_t)sy * Kw;
        mul_row(b->work + 2 * (size_t)ky * kw, src,
                f + (size_t)(ky <= H / 2 ? ky : H - ky) * kw, kw, t->simd);
    }
    return st_fft_inverse(W, H, b->work, r, err);
}

/* The samples of row[x0 .. x1) (at most MASK_RUN) at or above thr and
 * larger than their four neighbours in the plane (W samples a row; four
 * of is_max's tests, as it makes them: !(neighbour >= v)), as 16-bit
 * masks: bit j of m[i] is the sample x0 + 16 i + j. Few samples pass,
 * and the scan visits only the set bits. The neighbours of the run are
 * read (the scan stays inside the tile's margin). On x86 whole blocks of
 * 16 are compared eight samples at once with AVX when the processor has
 * it (t->simd 2) or four with SSE2 (1); a last partial block, and other
 * processors (0), go one by one. Every way gives the same masks. */
#define MASK_RUN 256
#if defined(__GNUC__) && defined(__SSE2__)
#define SKIP_X86 1
#include <immintrin.h>
__attribute__((target("avx"))) static unsigned peaks8_avx(const float *p,
                                                          size_t W, __m256 t)
{
    __m256 v = _mm256_loadu_ps(p);
    __m256 a = _mm256_cmp_ps(v, t, _CMP_GE_OQ);
    __m256 l = _mm256_cmp_ps(_mm256_loadu_ps(p - 1), v, _CMP_NGE_UQ);
    __m256 r = _mm256_cmp_ps(_mm256_loadu_ps(p + 1), v, _CMP_NGE_UQ);
    __m256 u = _mm256_cmp_ps(_mm256_loadu_ps(p - W), v, _CMP_NGE_UQ);
    __m256 d = _mm256_cmp_ps(_mm256_loadu_ps(p + W), v, _CMP_NGE_UQ);
    a = _mm256_and_ps(_mm256_and_ps(a, l),
                      _mm256_and_ps(r, _mm256_and_ps(u, d)));
    return (unsigned)_mm256_movemask_ps(a);
}

__attribute__((target("avx"))) static int
masks_avx(const float *row, size_t W, int x0, int x1, float thr, uint16_t *m)
{
    __m256 t = _mm256_set1_ps(thr);
    int i = 0;
    for (int x = x0; x + 16 <= x1; x += 16, i++) {
        unsigned lo = peaks8_avx(row + x, W, t);
        unsigned hi = peaks8_avx(row + x + 8, W, t);
        m[i] = (uint16_t)(lo | hi << 8);
    }
    return i;
}

static unsigned peaks4_sse2(const float *p, size_t W, __m128 t)
{
    __m128 v = _mm_loadu_ps(p);
    __m128 a = _mm_cmpge_ps(v, t);
    __m128 l = _mm_cmpnge_ps(_mm_loadu_ps(p - 1), v);
    __m128 r = _mm_cmpnge_ps(_mm_loadu_ps(p + 1), v);
    __m128 u = _mm_cmpnge_ps(_mm_loadu_ps(p - W), v);
    __m128 d = _mm_cmpnge_ps(_mm_loadu_ps(p + W), v);
    a = _mm_and_ps(_mm_and_ps(a, l), _mm_and_ps(r, _mm_and_ps(u, d)));
    return (unsigned)_mm_movemask_ps(a);
}

static int masks_sse2(const float *row, size_t W, int x0, int x1, float thr,
                      uint16_t *m)
{
    __m128 t = _mm_set1_ps(thr);
    int i = 0;
    for (int x = x0; x + 16 <= x1; x += 16, i++) {
        unsigned b = 0;
        for (int q = 0; q < 4; q++)
            b |= peaks4_sse2(row + x + 4 * q, W, t) << (4 * q);
        m[i] = (uint16_t)b;
    }
    return i;
}
#endif

/* Fills m (see above); returns the number of masks. */
static int row_masks(const float *row, size_t W, int x0, int x1, float thr,
                     int simd, uint16_t *m)
{
    int i = 0, n = (x1 - x0 + 15) / 16;
#ifdef SKIP_X86
    if (simd)
        i = simd == 2 ? masks_avx(row, W, x0, x1, thr, m)
                      : masks_sse2(row, W, x0, x1, thr, m);
#else
    (void)simd;
#endif
    for (; i < n; i++) {
        unsigned b = 0;
        for (int j = 0; j < 16 && x0 + 16 * i + j < x1; j++) {
            const float *p = row + x0 + 16 * i + j;
            b |=
                (unsigned)(p[0] >= thr && !(p[-1] >= p[0]) && !(p[1] >= p[0]) &&
                           !(*(p - W) >= p[0]) && !(p[W] >= p[0]))
                << j;
        }
        m[i] = (uint16_t)b;
    }
    return n;
}

/* The lowest set bit of b (not 0). */
static int lowest_bit(unsigned b)
{
#if defined(__GNUC__)
    return __builtin_ctz(b);
#else
    int j = 0;
    while (!(b >> j & 1))
        j++;
    return j;
#endif
}

/* Whether the row loops may use AVX (asked once, before any thread). */
static int has_avx(void)
{
#ifdef SKIP_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx") != 0;
#else
    return 0;
#endif
}

/* Robust spread of a response plane over the tile's core: 1.4826 times
 * the median of |r| over region samples (all of the core's when the
 * region covers the tile, b->full), every st-th one each way so that
 * some 3 000 are taken (every fourth at full size in a 224 px core): a
 * median to about 2%. The scale-normalised LoG of any
 * image has zero mean, so this is the MAD of the texture's and noise's response
 * at this scale, which pores, a few per cent of the samples, hardly move. */
static double spread(const tiler *t, tile_buf *b, const float *r, int l,
                     int cx0, int cy0, int cx1, int cy1)
{
    int d = 1 << l, W = lw(t, l), st = (t->cw / d + 55) / 56;
    int ox = cx0 - t->pad, oy = cy0 - t->pad;
    size_t n = 0;
    for (int yd = (cy0 - oy + d - 1) / d; oy + yd * d < cy1; yd += st) {
        size_t row = (size_t)(oy + yd * d + t->reg->y0) * t->reg->width +
                     (size_t)t->reg->x0;
        for (int xd = (cx0 - ox + d - 1) / d; ox + xd * d < cx1; xd += st)
            if ((b->full || t->reg->mask[row + (size_t)(ox + xd * d)]) &&
                !(t->strand && t->strand[(size_t)(oy + yd * d) * t->bw +
                                         (size_t)(ox + xd * d)]))
                b->scratch[n++] = fabsf(r[(size_t)yd * W + xd]);
    }
    return n ? 1.4826 * st_select_k_value(b->scratch, n, n / 2) : 0;
}

/* The eighth of the plane (0..7, counter-clockwise from the -x axis's
 * lower side, as floor((atan2(y, x) + pi) / (pi / 4))) that (x, y) lies in. */
static int octant(double x, double y)
{
    /* by y < 0, x < 0, |x| > |y|: no branch */
    static const unsigned char k[8] = {5, 4, 6, 7, 2, 3, 1, 0};
    return k[(y < 0) << 2 | (x < 0) << 1 | (fabs(x) > fabs(y))];
}

/* Sums over the ring and the disc of a pore (see darkness). */
typedef struct ring_sums {
    double in, out, su, sw, sx, sy, sxx, syy; /* disc; ring: moments */
    double sv[8], sux[8], suy[8];             /* per sector: L*, offsets */
    int nin, nout, ns[8];
} ring_sums;

/* Asks for the rows of the window (xi, yi) +- R at once: the window's
 * rows lie a photo's width apart and have usually left the cache since
 * the tile was filled, and the loop below would otherwise wait for each
 * row in turn. */
static void ring_prefetch(const st_l_plane *lab, int xi, int yi, int R)
{
#if defined(__GNUC__)
    for (int dy = -R; dy <= R; dy++) {
        const float *row = lab->L + (size_t)(yi + dy) * lab->width + xi;
        __builtin_prefetch(row - R);
        __builtin_prefetch(row + R);
    }
#else
    (void)lab, (void)xi, (void)yi, (void)R;
#endif
}

/* The sums of one sector held in registers while the ring's pixels stay
 * in it (a row crosses a few sectors): the same additions in the same
 * order as on the arrays, without a store and a load between them. */
typedef struct sector_run {
    int k, n;
    double v, ux, uy;
} sector_run;

/* Puts the run's sums back and takes sector k's (k -1: none). */
static void run_switch(ring_sums *s, sector_run *r, int k)
{
    if (r->k >= 0)
        s->sv[r->k] = r->v, s->sux[r->k] = r->ux, s->suy[r->k] = r->uy,
        s->ns[r->k] = r->n;
    r->k = k;
    if (k >= 0)
        r->v = s->sv[k], r->ux = s->sux[k], r->uy = s->suy[k], r->n = s->ns[k];
}

/* Adds the pixels of the disc r0 and the ring r1..r2 about (x, y). */
static void ring_collect(const st_l_plane *lab, double x, double y, double r0,
                         double r1, double r2, ring_sums *s)
{
    int R = (int)ceil(r2), xi = (int)lround(x), yi = (int)lround(y);
    sector_run run = {-1, 0, 0, 0, 0};
    memset(s, 0, sizeof *s);
    ring_prefetch(lab, xi, yi, R);
    for (int dy = -R; dy <= R; dy++) {
        double uy = yi + dy - y, half = sqrt(fmax(0, r2 * r2 - uy * uy));
        /* the row's pixels within r2, with a pixel to spare either side */
        int xa = (int)floor(x - half) - 1 - xi,
            xb = (int)ceil(x + half) + 1 - xi;
        const float *row = lab->L + (size_t)(yi + dy) * lab->width + xi;
        if (xa < -R)
            xa = -R;
        if (xb > R)
            xb = R;
        for (int dx = xa; dx <= xb; dx++) {
            double ux = xi + dx - x, q = ux * ux + uy * uy, v = row[dx];
            int k;
            if (q <= r0 * r0) {
                s->in += v, s->nin++;
                continue;
            }
            if (q < r1 * r1 || q > r2 * r2)
                continue;
            s->sx += v * ux, s->sy += v * uy, s->su += ux, s->sw += uy;
            s->sxx += ux * ux, s->syy += uy * uy;
            s->out += v, s->nout++;
            if ((k = octant(ux, uy)) != run.k)
                run_switch(s, &run, k);
            run.v += v, run.ux += ux, run.uy += uy, run.n++;
        }
    }
    run_switch(s, &run, -1);
}

/* How much darker a pore at (x, y) is than its surround on the image:
 * the mean L* of the ring r1..r2 minus that of the disc of radius r0
 * (image pixels, all inside the region). *lines is set when the ring
 * says the dark spot lies on lines rather than in skin: of its eight
 * sectors (the ring's own gradient, a least-squares plane, taken off),
 * those whose contrast with the disc is below LINE_SHARE of the
 * brightest sector's are dark; three or more dark sectors (two creases or
 * hairs crossing, a fork) or two opposite ones (a spot on one crease or
 * hair) are lines. A pore deeper than the crease it sits on, or one a
 * hair passes beside (two dark sectors on one side), is kept. One pass:
 * a sector's mean less the plane is its mean L* less the plane at its
 * mean offset. */
static double darkness(const st_l_plane *lab, double x, double y, double r0,
                       double r1, double r2, int *lines)
{
    ring_sums s;
    double in, gx = 0, gy = 0, sec[8], top = -INFINITY;
    int dark[8], nd = 0;
    ring_collect(lab, x, y, r0, r1, r2, &s);
    *lines = 0;
    if (!s.nin || !s.nout)
        return 0;
    { /* the ring's gradient (least squares) */
        double dxx = s.sxx - s.su * s.su / s.nout;
        double dyy = s.syy - s.sw * s.sw / s.nout;
        gx = dxx > 0 ? (s.sx - s.out * s.su / s.nout) / dxx : 0;
        gy = dyy > 0 ? (s.sy - s.out * s.sw / s.nout) / dyy : 0;
    }
    in = s.in / s.nin;
    for (int k = 0; k < 8; k++)
        if (s.ns[k]) {
            sec[k] = (s.sv[k] - gx * s.sux[k] - gy * s.suy[k]) / s.ns[k];
            if (sec[k] > top)
                top = sec[k];
        }
    for (int k = 0; k < 8; k++)
        if (s.ns[k] && sec[k] - in < LINE_SHARE * (top - in))
            dark[nd++] = k;
    if (nd >= 3)
        *lines = 1;
    else if (nd == 2) {
        int gap = abs(dark[1] - dark[0]);
        *lines = gap >= 3 && gap <= 5;
    }
    return s.out / s.nout - in;
}

/* A tile: its origin (ox, oy) and its core [cx0, cx1) x [cy0, cy1), in
 * the box's pixels. */
typedef struct core {
    int ox, oy, cx0, cy0, cx1, cy1;
} core;

/* One centre scale on one level of a tile: its triple of responses, its
 * sigma, spread and threshold. */
typedef struct triple {
    const float *lo, *mid, *hi;
    int i, l, d, W; /* scale, level, decimation, samples a row */
    int m;          /* the region around a maximum, tile px */
    double sm, sp;  /* sigma, spread */
    float thr;      /* the smallest float at or above the threshold */
} triple;

/* The smallest float at or above x: v >= it as a float is v >= x. */
static float float_ceil(double x)
{
    float f = (float)x;
    if ((double)f < x)
        f = nextafterf(f, INFINITY);
    return f;
}

/* The test hook: the core's samples of a level-l response into a plane
 * of the box. */
static void probe_copy(const tiler *t, const core *c, const triple *s,
                       float *dst)
{
    int d = s->d;
    for (int yd = (c->cy0 - c->oy + d - 1) / d; c->oy + yd * d < c->cy1; yd++)
        for (int xd = (c->cx0 - c->ox + d - 1) / d; c->ox + xd * d < c->cx1;
             xd++)
            dst[(size_t)(c->oy + yd * d) * t->bw + (c->ox + xd * d)] =
                s->mid[(size_t)yd * s->W + xd];
}

/* The tile's integral image of region counts, b->integ. */
static void count_tile(const tiler *t, tile_buf *b, const core *c, int xa,
                       int xb)
{
    const st_region *reg = t->reg;
    int Tw = t->Tw, Th = t->Th;
    size_t iw = (size_t)Tw + 1;
    memset(b->integ, 0, iw * sizeof *b->integ);
    for (int y = 0; y < Th; y++) {
        int by = c->oy + y;
        unsigned *ip = b->integ + (size_t)(y + 1) * iw, *iq = ip - iw, acc = 0;
        const uint8_t *mk;
        ip[0] = 0;
        if (by < 0 || by >= t->bh || xa >= xb) {
            memcpy(ip + 1, iq + 1, (size_t)Tw * sizeof *ip);
            continue;
        }
        mk = reg->mask + (size_t)(by + reg->y0) * reg->width +
             (size_t)(reg->x0 + c->ox + xa);
        for (int x = 0; x < xa; x++)
            ip[x + 1] = iq[x + 1];
        for (int x = xa; x < xb; x++) {
            acc += mk[x - xa] != 0;
            ip[x + 1] = acc + iq[x + 1];
        }
        for (int x = xb; x < Tw; x++)
            ip[x + 1] = acc + iq[x + 1];
    }
}

/* Inverted, mean-free L* of the tile into b->in, 0 outside the region.
 * b->full: the region covers all of the tile that lies in the box (then
 * every window the tests look at, which lies in the box, is covered);
 * else b->integ counts the region's pixels (count_tile). */
static void fill_tile(const tiler *t, tile_buf *b, const core *c)
{
    const st_region *reg = t->reg;
    int Tw = t->Tw, Th = t->Th;
    int xa = c->ox < 0 ? -c->ox : 0;
    int xb = c->ox + Tw > t->bw ? t->bw - c->ox : Tw;
    b->full = 1;
    for (int y = 0; y < Th; y++) {
        int by = c->oy + y;
        float *row = b->in + (size_t)y * Tw;
        const float *L;
        const uint8_t *mk;
        size_t j;
        memset(row, 0, (size_t)Tw * sizeof *row);
        if (by < 0 || by >= t->bh || xa >= xb)
            continue;
        j = (size_t)(by + reg->y0) * reg->width +
            (size_t)(reg->x0 + c->ox + xa);
        L = t->lab->L + j;
        mk = reg->mask + j;
        if (!memchr(mk, 0, (size_t)(xb - xa)))
            fill_row(row + xa, L, t->mean, xb - xa, t->simd);
        else {
            b->full = 0;
            for (int x = xa; x < xb; x++)
                row[x] = mk[x - xa] ? (float)(t->mean - L[x - xa]) : 0.0f;
        }
    }
    if (!b->full)
        count_tile(t, b, c, xa, xb);
}

/* Whether the sample p of the triple (value v) is the largest of its
 * 3 x 3 x 3 neighbourhood: its own scale first, which rules out most. */
static int is_max(const triple *s, size_t p, float v)
{
    size_t W = (size_t)s->W;
    const size_t q[9] = {p - W - 1, p - W,     p - W + 1, p - 1,    p,
                         p + 1,     p + W - 1, p + W,     p + W + 1};
    for (int k = 0; k < 9; k++)
        if (k != 4 && s->mid[q[k]] >= v)
            return 0;
    for (int k = 0; k < 9; k++)
        if (s->lo[q[k]] >= v || s->hi[q[k]] >= v)
            return 0;
    return 1;
}

/* Whether the region covers the tile's box [x0, x1) x [y0, y1). */
static int region_all(const tiler *t, const tile_buf *b, int x0, int y0, int x1,
                      int y1)
{
    size_t iw = (size_t)t->Tw + 1;
    const unsigned *g = b->integ;
    if (b->full)
        return 1;
    return g[(size_t)y1 * iw + x1] - g[(size_t)y0 * iw + x1] -
               g[(size_t)y1 * iw + x0] + g[(size_t)y0 * iw + x0] ==
           (unsigned)((x1 - x0) * (y1 - y0));
}

/* The tests of a maximum at the sample (xd, yd) of the triple; a pore that
 * passes them all is added to out. Returns -1 when out of memory. */
static int consider(const tiler *t, const tile_buf *b, const core *c,
                    const triple *s, int xd, int yd, st_pores *out, int *cap)
{
    const float *mid = s->mid;
    size_t W = (size_t)s->W, p = (size_t)yd * W + (size_t)xd;
    int tx = xd * s->d, ty = yd * s->d, bx = c->ox + tx, by = c->oy + ty;
    int m = s->m, lines;
    double v = mid[p], a = s->lo[p], cc = s->hi[p];
    double l0 = mid[p - 1], r0 = mid[p + 1], u0 = mid[p - W], d0 = mid[p + W];
    double ex = l0 - 2 * v + r0, ey = u0 - 2 * v + d0;
    double exy = 0.25 * (mid[p - W - 1] + mid[p + W + 1] - mid[p - W + 1] -
                         mid[p + W - 1]);
    double det = ex * ey - exy * exy, den = a - 2 * v + cc;
    double off, sg, dia, cxp, cyp, dark;
    /* a blob, not a ridge: both principal curvatures of the response
     * negative and within a ratio (Lowe 2004's edge test) */
    if (!(ex < 0 && ey < 0 && det > 0) ||
        (ex + ey) * (ex + ey) >= CURV_TEST * det)
        return 0;
    if (bx - m < 0 || by - m < 0 || bx + m + 1 > t->bw || by + m + 1 > t->bh ||
        tx - m < 0 || ty - m < 0 || tx + m + 1 > t->Tw || ty + m + 1 > t->Th)
        return 0; /* image or tile edge */
    if (!region_all(t, b, tx - m, ty - m, tx + m + 1, ty + m + 1))
        return 0; /* region edge within m */
    /* the scale: a parabola through the three responses in log sigma */
    off = fabs(den) > 1e-12 ? 0.5 * (a - cc) / den : 0;
    off = fmax(-0.5, fmin(0.5, off));
    sg = s->sm * pow(t->ratio, off);
    dia = 2 * sqrt(2.0) * sg;
    if (dia < t->dmin || dia > t->dmax)
        return 0;
    /* sub-sample centre: a parabola along x and y */
    cxp = bx + fmax(-0.5, fmin(0.5, 0.5 * (l0 - r0) / ex)) * s->d + t->reg->x0;
    cyp = by + fmax(-0.5, fmin(0.5, 0.5 * (u0 - d0) / ey)) * s->d + t->reg->y0;
    /* darker than its own surround on the image */
    dark = darkness(t->lab, cxp, cyp, fmax(1, 0.35 * dia), fmax(2, 0.75 * dia),
                    fmax(3, dia), &lines);
    if (!(dark >= DARK_SHARE * v) || lines)
        return 0;
    return push(out, cap,
                (st_pore){(float)cxp, (float)cyp, (float)dia, (float)v,
                          (float)dark,
                          (float)(s->sp > 0 ? v / s->sp : INFINITY)});
}

/* The maxima of one triple over the tile's core. The first and last
 * column and row of the box are never maxima. */
static int scan(const tiler *t, const tile_buf *b, const core *c,
                const triple *s, st_pores *out, int *cap)
{
    int d = s->d, xd0 = (c->cx0 - c->ox) / d;
    int xd1 = (c->cx1 - c->ox + d - 1) / d;
    while (c->ox + xd0 * d < 1)
        xd0++;
    while (xd1 > xd0 && c->ox + (xd1 - 1) * d >= t->bw - 1)
        xd1--;
    for (int yd = (c->cy0 - c->oy) / d; yd * d < c->cy1 - c->oy; yd++) {
        int by = c->oy + yd * d;
        const float *row = s->mid + (size_t)yd * s->W;
        if (by < 1 || by >= t->bh - 1)
            continue;
        for (int x0 = xd0; x0 < xd1; x0 += MASK_RUN) {
            uint16_t m[MASK_RUN / 16];
            int x1 = x0 + MASK_RUN < xd1 ? x0 + MASK_RUN : xd1;
            int n = row_masks(row, (size_t)s->W, x0, x1, s->thr, t->simd, m);
            for (int i = 0; i < n; i++)
                for (unsigned bits = m[i]; bits; bits &= bits - 1) {
                    int xd = x0 + 16 * i + lowest_bit(bits);
                    size_t p = (size_t)yd * s->W + (size_t)xd;
                    if (is_max(s, p, row[xd]) &&
                        consider(t, b, c, s, xd, yd, out, cap))
                        return -1;
                }
        }
    }
    return 0;
}

/* The centre scales on level l: i0 .. i1 - 1 (none if i0 == i1). */
static void level_scales(const tiler *t, int l, int *i0, int *i1)
{
    *i0 = *i1 = 1;
    while (*i0 < t->ns - 1 && t->level[*i0] != l)
        (*i0)++;
    *i1 = *i0;
    while (*i1 < t->ns - 1 && t->level[*i1] == l)
        (*i1)++;
}

/* Pores of level l of a tile whose spectrum is in b->spec. */
static st_status do_level(const tiler *t, tile_buf *b, const core *c, int l,
                          st_pores *out, int *cap, st_error *err)
{
    int i0, i1, have = -1; /* responses in resp[] up to scale have */
    level_scales(t, l, &i0, &i1);
    for (int i = i0; i < i1; i++) {
        triple s;
        st_status st;
        double K = t->opt->min_significance;
        /* the triple i - 1, i, i + 1 on this level */
        for (int k = have < 0 ? i - 1 : have + 1; k <= i + 1; k++)
            if ((st = response(t, b, l, k, b->resp[(k + 3) % 3], err)))
                return st;
        have = i + 1;
        s.lo = b->resp[(i + 2) % 3];
        s.mid = b->resp[i % 3];
        s.hi = b->resp[(i + 1) % 3];
        s.i = i, s.l = l, s.d = 1 << l, s.W = lw(t, l), s.sm = t->sig[i];
        /* the region around the maximum: 3.1 sigma (the ring test reads
         * up to 3.09 sigma around the refined centre, which moves by up
         * to half a sample) */
        s.m = (int)ceil(3.1 * s.sm + 0.5 * s.d) + 1;
        /* a pore stands out from the spread of this scale's responses
         * over the tile, and from the floor */
        s.sp = spread(t, b, s.mid, l, c->cx0, c->cy0, c->cx1, c->cy1);
        s.thr = float_ceil(t->opt->min_response);
        if (float_ceil(K * s.sp) > s.thr)
            s.thr = float_ceil(K * s.sp);
        if (t->probe && t->probe->resp[i]) {
            t->probe->pad[i] = t->pad;
            probe_copy(t, c, &s, t->probe->resp[i]);
        }
        if (scan(t, b, c, &s, out, cap))
            return st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
    }
    return ST_OK;
}

/* Pores of the tile whose core starts at (cx0, cy0) of the bounding box. */
static st_status do_tile(const tiler *t, tile_buf *b, int cx0, int cy0,
                         st_pores *out, int *cap, st_error *err)
{
    core c;
    st_status s;
    c.cx0 = cx0, c.cy0 = cy0, c.ox = cx0 - t->pad, c.oy = cy0 - t->pad;
    c.cx1 = cx0 + t->cw < t->bw ? cx0 + t->cw : t->bw;
    c.cy1 = cy0 + t->ch < t->bh ? cy0 + t->ch : t->bh;
    fill_tile(t, b, &c);
    if ((s = st_fft_forward(t->Tw, t->Th, b->in, b->spec, err)))
        return s;
    for (int l = t->lmin; l <= t->lmax; l++)
        if ((s = do_level(t, b, &c, l, out, cap, err)))
            return s;
    return ST_OK;
}

static int bufs_new(const tiler *t, tile_buf *b)
{
    size_t n = (size_t)t->Tw * t->Th, nc = (size_t)t->Th * (t->Tw / 2 + 1);
    b->in = st_fft_alloc(n);
    b->spec = st_fft_alloc(2 * nc);
    b->work = st_fft_alloc(2 * nc);
    for (int i = 0; i < 3; i++)
        b->resp[i] = st_fft_alloc(n);
    b->scratch = malloc(n * sizeof *b->scratch); /* up to every sample */
    b->integ =
        malloc(((size_t)t->Tw + 1) * ((size_t)t->Th + 1) * sizeof *b->integ);
    return b->in && b->spec && b->work && b->resp[0] && b->resp[1] &&
                   b->resp[2] && b->scratch && b->integ
               ? 0
               : -1;
}

static void bufs_free(tile_buf *b)
{
    st_fft_free(b->in);
    st_fft_free(b->spec);
    st_fft_free(b->work);
    for (int i = 0; i < 3; i++)
        st_fft_free(b->resp[i]);
    free(b->scratch);
    free(b->integ);
}

/* Every tile, on up to jobs threads. Each tile's pores go to a list of
 * its own, joined in tile order, so the result is the same for any number
 * of threads. b is the first set of buffers; the others are made here and
 * handed out under a lock. */
typedef struct tiles_run {
    const tiler *t;
    tile_buf *bufs;
    int *busy, nbuf, nx;
    st_pores *lists;
    st_status *status;
    st_error *errs;
    pthread_mutex_t lock;
} tiles_run;

static void tile_job(void *ctx, size_t i)
{
    tiles_run *r = ctx;
    int k = 0, cap = 0;
    pthread_mutex_lock(&r->lock);
    while (r->busy[k])
        k++;
    r->busy[k] = 1;
    pthread_mutex_unlock(&r->lock);
    r->status[i] = do_tile(
        r->t, &r->bufs[k], (int)(i % (size_t)r->nx) * r->t->cw,
        (int)(i / (size_t)r->nx) * r->t->ch, &r->lists[i], &cap, &r->errs[i]);
    pthread_mutex_lock(&r->lock);
    r->busy[k] = 0;
    pthread_mutex_unlock(&r->lock);
}

static st_status all_tiles(const tiler *t, tile_buf *b, int jobs, st_pores *out,
                           int *cap, st_error *err)
{
    int nx = (t->bw + t->cw - 1) / t->cw, ny = (t->bh + t->ch - 1) / t->ch;
    size_t n = (size_t)nx * (size_t)ny;
    tiles_run r;
    st_status s = ST_OK;

    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n)
        jobs = (int)n;
    if (jobs == 1) { /* straight into out */
        for (int cy = 0; cy < t->bh && s == ST_OK; cy += t->ch)
            for (int cx = 0; cx < t->bw && s == ST_OK; cx += t->cw)
                s = do_tile(t, b, cx, cy, out, cap, err);
        return s;
    }
    memset(&r, 0, sizeof r);
    r.t = t;
    r.nx = nx;
    pthread_mutex_init(&r.lock, NULL);
    r.bufs = calloc((size_t)jobs, sizeof *r.bufs);
    r.busy = calloc((size_t)jobs, sizeof *r.busy);
    r.lists = calloc(n, sizeof *r.lists);
    r.status = calloc(n, sizeof *r.status);
    r.errs = calloc(n, sizeof *r.errs);
    if (!r.bufs || !r.busy || !r.lists || !r.status || !r.errs)
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
    else {
        r.bufs[0] = *b;
        r.nbuf = 1;
        while (r.nbuf < jobs && bufs_new(t, &r.bufs[r.nbuf]) == 0)
            r.nbuf++;
        if (r.nbuf < jobs)
            bufs_free(&r.bufs[r.nbuf]); /* a partial set: run on fewer */
        st_pool_run(r.nbuf, n, tile_job, &r);
        for (size_t i = 0; i < n && s == ST_OK; i++) {
            if (r.status[i]) {
                if (err)
                    *err = r.errs[i];
                s = r.status[i];
                break;
            }
            for (int k = 0; k < r.lists[i].count && s == ST_OK; k++)
                if (push(out, cap, r.lists[i].list[k]))
                    s = st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
        }
        for (int k = 1; k < r.nbuf; k++)
            bufs_free(&r.bufs[k]);
    }
    for (size_t i = 0; r.lists && i < n; i++)
        st_pores_clear(&r.lists[i]);
    free(r.bufs);
    free(r.busy);
    free(r.lists);
    free(r.status);
    free(r.errs);
    pthread_mutex_destroy(&r.lock);
    return s;
}

/* A tile side for n px of box: one tile when it fits, else TILE; a
 * multiple of 2^MAX_LEVEL with small prime factors. */
static int tile_side(int n, int pad, int tile)
{
    int step = 1 << MAX_LEVEL, need = n + 2 * pad;
    if (need <= tile)
        tile = need;
    return step * st_fft_good_size((tile + step - 1) / step);
}

/* Margin (reach px, rounded up to a multiple of 2^MAX_LEVEL), tile sides
 * (from `tile`, doubled while under 4 margins) and cores of a tiling. */
static void tiling(tiler *t, int reach, int tile)
{
    int step = 1 << MAX_LEVEL;
    t->pad = (reach + step - 1) / step * step;
    while (tile < 4 * t->pad)
        tile *= 2;
    t->Tw = tile_side(t->bw, t->pad, tile);
    t->Th = tile_side(t->bh, t->pad, tile);
    t->cw = t->Tw - 2 * t->pad;
    t->ch = t->Th - 2 * t->pad;
}

/* ---- where pores can be seen ----
 *
 * The search leaves out, from the region:
 *  - highlights and clipped pixels: L* at or above opt->highlight_l (the
 *    caller's clipping level in this plane's units) or more than
 *    HIGHLIGHT_ABOVE L* above the region's mean (specular reflection);
 *    next to one, the 3 sigma rule keeps pores away from its edge;
 *  - defocused parts: the photo is cut into SHARP_BLOCK px blocks; a
 *    block's sharpness is the median |3 x 3 Laplacian| of L* (the finest
 *    band: what defocus removes first, the noise what it leaves; the
 *    median, so that a hair or a few pores do not make a block sharp),
 *    and a
 *    block whose sharpness is below SHARP_SHARE of the sharpest decile of
 *    blocks (the 90th percentile) is left out. A photo blurred all over
 *    has nothing sharper to be compared with and is searched all over. */
#define HIGHLIGHT_ABOVE 20.0
#define SHARP_BLOCK     64
#define SHARP_SHARE     0.3
#define SHARP_NOISE     0.5

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sharpness of the block at (x0, y0) (SHARP_BLOCK px square, clipped to
 * the region's box): the detail of the band just above the finest, the
 * 3 x 3 Laplacian of the 2 x 2-binned L*, less what the noise puts in it.
 * White noise puts a quarter of its finest-band power there (binning
 * halves its sd; the Laplacian's gain is the same), and the finest band
 * (the Laplacian at full size) of a photo is mostly noise, so the detail
 * is sqrt(max(0, b^2 - f^2 / 4)) with b and f the medians of |Laplacian|
 * on the binned and the full-size plane (medians: a hair or a few pores
 * do not make a block sharp). *noise gets f / 2, the noise's share of b.
 * NaN when fewer than a quarter of the block's pixels are measured.
 * lap: scratch of SHARP_BLOCK^2 floats. */
/* Whether the region covers [x0 - 1, x1 + 1) x [y0 - 1, y1 + 1), all
 * inside the image: then block_sharpness needs no test per pixel. */
static int block_covered(const st_region *reg, int x0, int y0, int x1, int y1)
{
    int w = reg->width;
    if (x0 < 1 || y0 < 1 || x1 + 1 > w || y1 + 1 > reg->height)
        return 0;
    for (int y = y0 - 1; y < y1 + 1; y++)
        if (memchr(reg->mask + (size_t)y * w + x0 - 1, 0,
                   (size_t)(x1 - x0 + 2)))
            return 0;
    return 1;
}

/* |3 x 3 Laplacian| of L* at every other pixel each way of the block
 * [x0, x1) x [y0, y1) whose five pixels are in the region, into lap;
 * returns how many. cover: block_covered said so (the same values, no
 * tests). */
static long fine_lap(const st_l_plane *lab, const st_region *reg, int x0,
                     int y0, int x1, int y1, int cover, float *lap)
{
    int w = reg->width;
    long n = 0;
    for (int y = y0 > 0 ? y0 : 1; y < y1 && y < reg->height - 1; y += 2) {
        const float *row = lab->L + (size_t)y * w;
        const uint8_t *m = reg->mask + (size_t)y * w;
        for (int x = x0 > 0 ? x0 : 1; x < x1 && x < w - 1; x += 2)
            if (cover || (m[x] && m[x - 1] && m[x + 1] && m[x - w] && m[x + w]))
                lap[n++] = fabsf(4.0f * row[x] - row[x - 1] - row[x + 1] -
                                 row[x - w] - row[x + w]);
    }
    return n;
}

/* The block's 2 x 2 bins of L*, NaN where a pixel is outside the region
 * or the block; cover as in fine_lap. */
static void bin_block(const st_l_plane *lab, const st_region *reg, int x0,
                      int y0, int x1, int y1, int cover,
                      float bin[SHARP_BLOCK / 2][SHARP_BLOCK / 2])
{
    int w = reg->width;
    for (int j = 0; j < SHARP_BLOCK / 2; j++)
        for (int i = 0; i < SHARP_BLOCK / 2; i++) {
            int x = x0 + 2 * i, y = y0 + 2 * j;
            size_t k = (size_t)y * w + x;
            bin[j][i] =
                x + 1 < x1 && y + 1 < y1 &&
                        (cover || (reg->mask[k] && reg->mask[k + 1] &&
                                   reg->mask[k + w] && reg->mask[k + w + 1]))
                    ? 0.25f * (lab->L[k] + lab->L[k + 1] + lab->L[k + w] +
                               lab->L[k + w + 1])
                    : NAN;
        }
}

static double block_sharpness(const st_l_plane *lab, const st_region *reg,
                              int x0, int y0, float *lap, double *noise)
{
    int x1 = x0 + SHARP_BLOCK, y1 = y0 + SHARP_BLOCK, cover;
    float bin[SHARP_BLOCK / 2][SHARP_BLOCK / 2];
    long n, nb = 0;
    double f, b;
    if (x1 > reg->x1)
        x1 = reg->x1;
    if (y1 > reg->y1)
        y1 = reg->y1;
    cover = block_covered(reg, x0, y0, x1, y1);
    /* full size, every other pixel each way */
    n = fine_lap(lab, reg, x0, y0, x1, y1, cover, lap);
    if (n < SHARP_BLOCK * SHARP_BLOCK / 16)
        return NAN;
    f = st_select_k_value(lap, (size_t)n, (size_t)n / 2);
    bin_block(lab, reg, x0, y0, x1, y1, cover, bin);
    for (int j = 1; j < SHARP_BLOCK / 2 - 1; j++)
        for (int i = 1; i < SHARP_BLOCK / 2 - 1; i++) {
            float v = 4.0f * bin[j][i] - bin[j][i - 1] - bin[j][i + 1] -
                      bin[j - 1][i] - bin[j + 1][i];
            if (v == v)
                lap[nb++] = fabsf(v);
        }
    if (nb < SHARP_BLOCK * SHARP_BLOCK / 16)
        return NAN;
    b = st_select_k_value(lap, (size_t)nb, (size_t)nb / 2);
    *noise = f / 2;
    return sqrt(fmax(0, b * b - f * f / 4));
}

/* The search region (a copy of reg less what is left out; see above). */
static st_status search_region(const st_l_plane *lab, const st_region *reg,
                               const st_pore_options *opt, double mean,
                               st_region **out, st_error *err)
{
    int w = reg->width, h = reg->height;
    int bx0 = reg->x0, by0 = reg->y0;
    int nbx = (reg->x1 - bx0 + SHARP_BLOCK - 1) / SHARP_BLOCK;
    int nby = (reg->y1 - by0 + SHARP_BLOCK - 1) / SHARP_BLOCK;
    size_t nb = (size_t)nbx * (size_t)nby, nvalid = 0;
    double hi = mean + HIGHLIGHT_ABOVE, *rms = NULL, *sorted = NULL;
    double *noise = NULL;
    float *lap = NULL;
    st_region *r = NULL;
    st_status s;

    *out = NULL;
    if (opt->highlight_l > 0 && opt->highlight_l < hi)
        hi = opt->highlight_l;
    if ((s = st_region_new_empty(&r, w, h, err)))
        return s;
    rms = calloc(nb + 1, sizeof *rms);
    sorted = malloc((nb + 1) * sizeof *sorted);
    noise = malloc((nb + 1) * sizeof *noise);
    lap = malloc(SHARP_BLOCK * SHARP_BLOCK * sizeof *lap);
    if (!rms || !sorted || !noise || !lap) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (pore search)");
        goto done;
    }
    /* the region (all inside its box) less highlights and clipped pixels;
     * a float is >= hi exactly when it is >= the smallest float >= hi,
     * a comparison of floats that vectorises */
    for (int y = reg->y0; y < reg->y1; y++) {
        size_t i0 = (size_t)y * w;
        const uint8_t *m = reg->mask + i0;
        const float *L = lab->L + i0;
        uint8_t *o = r->mask + i0;
        float hf = float_ceil(hi);
        for (int x = reg->x0; x < reg->x1; x++)
            o[x] = (uint8_t)((m[x] != 0) & !(L[x] >= hf));
    }
    for (int j = 0; j < nby; j++)
        for (int i = 0; i < nbx; i++) {
            double v =
                block_sharpness(lab, reg, bx0 + i * SHARP_BLOCK,
                                by0 + j * SHARP_BLOCK, lap, &noise[nvalid]);
            rms[(size_t)j * nbx + i] = v;
            if (v == v)
                sorted[nvalid++] = v;
        }
    if (nvalid) {
        double ref, nref;
        qsort(sorted, nvalid, sizeof *sorted, by_double);
        qsort(noise, nvalid, sizeof *noise, by_double);
        ref = sorted[(size_t)(0.9 * (double)(nvalid - 1) + 0.5)];
        nref = noise[nvalid / 2];
        if (ref < SHARP_NOISE * nref)
            ref = 0; /* no detail above the noise anywhere: search all */
        for (int j = 0; j < nby; j++)
            for (int i = 0; i < nbx; i++) {
                double v = rms[(size_t)j * nbx + i];
                if (!(v < SHARP_SHARE * ref))
                    continue; /* sharp, or too few pixels to tell */
                for (int y = by0 + j * SHARP_BLOCK;
                     y < by0 + (j + 1) * SHARP_BLOCK && y < reg->y1; y++)
                    memset(r->mask + (size_t)y * w + bx0 + i * SHARP_BLOCK, 0,
                           (size_t)(bx0 + (i + 1) * SHARP_BLOCK <= reg->x1
                                        ? SHARP_BLOCK
                                        : reg->x1 - bx0 - i * SHARP_BLOCK));
            }
    }
    st_region_update_in(r, reg->x0, reg->y0, reg->x1, reg->y1);
    *out = r;
    r = NULL;
done:
    st_region_free(r);
    free(rms);
    free(sorted);
    free(noise);
    free(lap);
    return s;
}

/* The options with defaults for what is unset. */
static void options_of(const st_pore_options *in, st_pore_options *opt)
{
    if (in)
        *opt = *in;
    else
        st_pore_options_init(opt);
    if (opt->min_response <= 0)
        opt->min_response = ST_PORE_MIN_RESPONSE;
    if (!(opt->min_significance > 0))
        opt->min_significance = ST_PORE_MIN_SIGNIFICANCE;
    if (!(opt->px_scale > 0))
        opt->px_scale = 1;
}

/* The diameter range in image px, cut at what the photo resolves: from
 * ST_PORE_MIN_PX px (below, out->range_resolved says so). *none when
 * nothing is left to search. */
static st_status diameter_range(const st_pore_options *opt, st_pores *out,
                                double *dmin, double *dmax, int *none,
                                st_error *err)
{
    double k = opt->px_per_mm > 0 ? opt->px_per_mm : opt->px_scale;
    *dmin = (opt->min_diameter > 0 ? opt->min_diameter
             : opt->px_per_mm > 0  ? 0.05
                                   : 3) *
            k;
    *dmax = (opt->max_diameter > 0 ? opt->max_diameter
             : opt->px_per_mm > 0  ? 0.5
                                   : 24) *
            k;
    if (!(*dmax >= *dmin))
        return st_fail(err, ST_ERR_INVALID,
                       "pore size range %.3g..%.3g px is empty", *dmin, *dmax);
    out->range_resolved = *dmin >= ST_PORE_MIN_PX * (1 - 1e-9);
    *none = *dmax < ST_PORE_MIN_PX;
    *dmin = fmax(*dmin, ST_PORE_MIN_PX);
    return ST_OK;
}

/* Mean L* over the region: each row summed in four interleaved partial
 * sums (independent additions, so they overlap), the rows in order. */
static double region_mean(const st_l_plane *lab, const st_region *reg)
{
    double mean = 0;
    for (int y = reg->y0; y < reg->y1; y++) {
        size_t j = (size_t)y * reg->width;
        const float *L = lab->L + j;
        const uint8_t *m = reg->mask + j;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int x = reg->x0;
        for (; x + 4 <= reg->x1; x += 4) {
            s0 += m[x] ? (double)L[x] : 0.0;
            s1 += m[x + 1] ? (double)L[x + 1] : 0.0;
            s2 += m[x + 2] ? (double)L[x + 2] : 0.0;
            s3 += m[x + 3] ? (double)L[x + 3] : 0.0;
        }
        for (; x < reg->x1; x++)
            s0 += m[x] ? (double)L[x] : 0.0;
        mean += (s0 + s1) + (s2 + s3);
    }
    return mean / (double)reg->count;
}

/* Each triple on the coarsest level where its smallest sigma keeps
 * DEC_SIGMA0 or DEC_SIGMA samples and the tile stays at least 16 samples
 * wide; and the test hook's record of them. */
static void assign_levels(tiler *t, struct st_pores_probe *probe)
{
    for (int i = 1; i < t->ns - 1; i++) {
        int l = 0;
        while (l < MAX_LEVEL &&
               t->sig[i - 1] / (2 << l) >= (l ? DEC_SIGMA : DEC_SIGMA0) &&
               (t->Tw >> (l + 1)) >= 16 && (t->Th >> (l + 1)) >= 16)
            l++;
        t->level[i] = l;
    }
    t->probe = probe;
    if (probe) {
        probe->ns = t->ns;
        probe->box_x0 = t->reg->x0, probe->box_y0 = t->reg->y0;
        probe->box_w = t->bw, probe->box_h = t->bh;
        for (int i = 0; i < t->ns; i++)
            probe->sig[i] = t->sig[i], probe->level[i] = t->level[i];
    }
}

/* The transfer functions a tiling uses; whether it has any scale. -1 when
 * out of memory. */
static int make_filters(tiler *t)
{
    int any = 0;
    for (int i = 1; i < t->ns - 1; i++) {
        int l = t->level[i];
        if (l < t->lmin || l > t->lmax)
            continue;
        any = 1;
        for (int k = i - 1; k <= i + 1; k++)
            if (!t->filt[l][k] &&
                !(t->filt[l][k] = make_filter(t, l, t->sig[k])))
                return -1;
    }
    return any;
}

/* Runs the two tilings (see st_pores_detect_probe) into out. */
static st_status run_tilings(tiler *t0, tiler *t, int jobs, st_pores *out,
                             st_error *err)
{
    tile_buf b = {0};
    int cap = 0;
    st_status s = ST_OK;
    for (int pass = 0; pass < 2 && s == ST_OK; pass++) {
        tiler *tp = pass ? t : t0;
        int any = make_filters(tp);
        if (any < 0)
            goto nomem;
        if (!any)
            continue;
        bufs_free(&b);
        memset(&b, 0, sizeof b);
        if (bufs_new(tp, &b))
            goto nomem;
        s = all_tiles(tp, &b, jobs, out, &cap, err);
    }
    bufs_free(&b);
    return s;
nomem:
    bufs_free(&b);
    return st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
}

/* Count, sizes, densities and area share of the pores over the area
 * searched. */
static void summarise(st_pores *out, const st_region *reg,
                      const st_pore_options *opt)
{
    double area = (double)reg->count, dsum = 0, asum = 0, k = opt->px_scale;
    for (int i = 0; i < out->count; i++) {
        double d = out->list[i].diameter;
        dsum += d;
        asum += ST_PI * d * d / 4;
    }
    out->mean_diameter_px = out->count ? dsum / out->count / k : NAN;
    out->area_pct = 100.0 * asum / area;
    out->density_per_mp = out->count / (area / (k * k) / 1e6);
    if (opt->px_per_mm > 0) {
        double cm2 = area / (opt->px_per_mm * opt->px_per_mm) / 100.0;
        out->density_per_cm2 = out->count / cm2;
        out->mean_diameter_mm = out->mean_diameter_px * k / opt->px_per_mm;
    } else {
        out->density_per_cm2 = NAN;
        out->mean_diameter_mm = NAN;
    }
}

/* Full size and the decimated levels run as two tilings: full size (most
 * of the transforms) needs a margin of only 3 sigma of its own largest
 * scale, so it takes smaller tiles (TILE0, faster per pixel) with a
 * smaller share of margin; the decimated levels keep the margin of the
 * largest scale. t is set up; t0 becomes the full-size tiling. */
static void split_tilings(tiler *t, tiler *t0)
{
    int top = -1; /* largest scale full size computes */
    *t0 = *t;
    t->lmin = 1, t->lmax = MAX_LEVEL;
    t0->lmin = t0->lmax = 0;
    for (int i = 1; i < t->ns - 1; i++)
        if (t->level[i] == 0)
            top = i + 1;
    if (top >= 0)
        tiling(t0, (int)ceil(3 * t->sig[top]), TILE0);
    else
        t0->lmax = -1;
}

st_status st_pores_detect(const st_l_plane *lab, const st_region *reg,
                          const st_pore_options *opt_in, st_pores *out,
                          st_error *err)
{
    return st_pores_detect_probe(lab, reg, opt_in, out, NULL, err);
}

st_status st_pores_detect_probe(const st_l_plane *lab, const st_region *reg,
                                const st_pore_options *opt_in, st_pores *out,
                                struct st_pores_probe *probe, st_error *err)
{
    st_pore_options opt;
    double dmin, dmax, smin, mean, ratio = pow(2.0, 1.0 / PER_OCTAVE);
    double sig[64];
    int ns, none = 0;
    tiler t, t0;
    st_region *search = NULL;
    st_l_plane *clean = NULL;
    uint8_t *strand = NULL;
    st_status s;

    memset(out, 0, sizeof *out);
    memset(&t, 0, sizeof t);
    memset(&t0, 0, sizeof t0);
    options_of(opt_in, &opt);
    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (!reg->count)
        return st_fail(err, ST_ERR_INVALID, "empty region");
    if ((s = diameter_range(&opt, out, &dmin, &dmax, &none, err)))
        return s;
    if (none) {
        unsearched(out);
        return ST_OK;
    }
    smin = dmin / (2 * sqrt(2.0)) / ratio;
    ns = (int)ceil(log(dmax / dmin) / log(ratio)) + 3;
    if (ns > 64 || !(3 * smin * pow(ratio, ns - 1) < 4096))
        return st_fail(err, ST_ERR_INVALID,
                       "pore size range %.3g..%.3g px is too wide", dmin, dmax);
    for (int i = 0; i < ns; i++)
        sig[i] = smin * pow(ratio, i);

    mean = region_mean(lab, reg);
    if ((s = search_region(lab, reg, &opt, mean, &search, err)))
        return s;
    out->search_px = search->count;
    if (!search->count) {
        unsearched(out);
        goto done;
    }
    /* the search's mean; the same sum when nothing was left out */
    if (search->count != reg->count || search->x0 != reg->x0 ||
        search->x1 != reg->x1 || search->y0 != reg->y0 || search->y1 != reg->y1)
        mean = region_mean(lab, search);
    reg = search;
    /* hair strands painted out first (hair.c); the mean of what is
     * searched then */
    if ((s = st_hair_remove(lab, reg, HAIR_SIGMA * dmin, &clean, &strand,
                            &out->hair_px, err)))
        goto done;
    t.strand = strand;
    if (clean) {
        lab = clean;
        mean = region_mean(lab, reg);
    }
    t.lab = lab, t.reg = reg, t.opt = &opt, t.mean = mean;
    t.dmin = dmin, t.dmax = dmax, t.ratio = ratio, t.sig = sig, t.ns = ns;
    t.bw = reg->x1 - reg->x0, t.bh = reg->y1 - reg->y0;
    t.simd = probe && probe->no_simd ? 0 : has_avx() ? 2 : 1;
    tiling(&t, (int)ceil(3 * sig[ns - 1]), TILE);
    assign_levels(&t, probe);
    split_tilings(&t, &t0);
    if ((s = run_tilings(&t0, &t, opt.jobs, out, err)))
        goto done;
    if (prune(out, t.bw + reg->x0, t.bh + reg->y0, dmax)) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (pores)");
        goto done;
    }
    summarise(out, reg, &opt);
done:
    for (int l = 0; l <= MAX_LEVEL; l++)
        for (int i = 0; i < 64; i++) {
            free(t.filt[l][i]);
            free(t0.filt[l][i]);
        }
    st_region_free(search);
    st_l_plane_free(clean);
    st_free_large(strand);
    if (s != ST_OK)
        st_pores_clear(out);
    return s;
}
