/* skintrack — registration of a moving photo to a reference photo.
 *
 *   st_align_options_init   defaults
 *   st_align_estimate       similarity, affine map or homography
 *                           reference -> moving, residual in px
 *   st_align_status_name    "ok" / "low_confidence"
 *   st_align_model_name / _parse
 *   st_align_reduction      the reduced decode registration can use
 *   st_align_to_full        a registration of reduced photos at full size
 *
 * Method (docs/align.md has the reasoning behind each constant)
 *  1. Luminance (Rec. 709 weights on the sRGB-encoded samples) of both
 *     images, box-averaged into a pyramid: the finest level has at most
 *     about 3 megapixels, each coarser one half the size, the coarsest a
 *     side of at most 384 px. The same factor applies to both images, so
 *     their relative scale is kept.
 *  2. Candidate 1: SIFT matches (align_features.c) on the finest level
 *     averaged down to 400 px a side (800 when that gives under 40
 *     inliers), a robust fit of the model (align_fit.c: MSAC, normalised
 *     DLT) and, for --model auto, the choice among similarity, affine map
 *     and homography by GRIC (Torr 1998). Used when it has at least 12
 *     inliers and lies within the rotation and scale bounds.
 *  3. Candidate 2, when there is no feature estimate: rotation and scale
 *     on the coarsest level by the Fourier-Mellin method (Reddy &
 *     Chatterji 1996, IEEE TIP 5:1266): Hann-windowed, mean-free images;
 *     magnitude spectra, which do not depend on translation;
 *     log(1 + |F|) weighted by their high-pass emphasis filter
 *     (1 - cos u cos v)(2 - cos u cos v); resampled to log-polar
 *     coordinates, where rotation and scale become shifts; found by
 *     whitened (phase-only) correlation. The magnitude spectrum cannot tell
 *     theta from theta + 180 degrees, and the strongest correlation peak
 *     is not always the true one: the best peaks, each with both angles,
 *     within +-45 degrees and x1.5 (and the caller's bounds) are each
 *     tried. Translation for each by phase correlation (Kuglin & Hines
 *     1975) of the reference with the moving image rotated and scaled onto
 *     it; the candidate whose correlation peak stands highest above its
 *     surroundings (peak-to-sidelobe ratio) wins.
 *  4. Refinement from the coarsest to the finest level by Gauss-Newton
 *     least squares on the luminance (Lucas & Kanade 1981, forward
 *     additive, with the model's parameters plus a gain and an offset so
 *     exposure and white-balance changes do not pull the geometry), after
 *     a Gaussian blur of sigma 1 px (more on the finer image when the
 *     scale is not 1, so both show the same detail), with Huber weights
 *     (k = 1.345 residual RMS) so local colour changes such as redness
 *     count less; until a step moves the image corners by less than
 *     0.002 px. This is where the sub-pixel accuracy comes from; the
 *     candidates only have to land within a pixel or two.
 *  5. Confidence: the zero-mean normalised cross-correlation of the
 *     band-passed luminance (difference of Gaussians, sigma 1 and 4 px) of
 *     the reference and of the aligned moving image over their overlap, on
 *     the finest pyramid level of at most about a megapixel. Texture that
 *     matches gives a high value; photos of different skin, or of nothing,
 *     give about 0.
 *  6. Residual: local shifts between 64 px reference patches on an 8 x 8
 *     grid and the registered moving image, by whitened phase correlation
 *     on the finest level; their median and 95th percentile in px.
 *  7. Status: low_confidence below the confidence threshold
 *     (ST_ALIGN_MIN_CONFIDENCE, chosen on unrelated and related test
 *     pairs), under 10% overlap, beyond the bounds, with the residual's
 *     95th percentile above its bound (ST_ALIGN_MAX_RESIDUAL_PX), or when
 *     under a quarter of the overlap's patches can be measured; the note
 *     says which.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "register/register_internal.h"
#include "core/core_internal.h"
#include "skintrack/align.h"
#include "skintrack/fft.h"

#define FINE_MAX_PIXELS 3200000.0
/* st_align_reduction: photos from this size up to FINE_MAX_PIXELS, which
 * the pyramid would take at full size, are registered on a decode at 1/2
 * (a 2 MP pair about 11-16% less CPU; the bench pairs' map error against
 * the truth 0.0054 -> 0.0041 px and 0.0044 -> 0.0045 px; docs/align.md,
 * "Speed") */
#define HALF_MIN_PIXELS 1500000.0
#define COARSE_MAX_SIDE 384
#define LP_THETA        256 /* log-polar angles over 180 degrees */
#define LP_RHO          256 /* log-polar radii */
#define CANDIDATES      8
#define MIN_OVERLAP_PCT 10.0
/* Fourier-Mellin's own search range: its false peaks grow with the range
 * searched (a grey card's edges match themselves turned by 180 degrees),
 * so beyond this only a feature estimate, checked by its inliers, is
 * believed */
#define FM_MAX_ROTATION 45.0
#define FM_MAX_SCALE    1.5
/* features: the plane sizes tried, the inlier threshold on them (px), the
 * fewest inliers believed, and the fewest that spare the second try */
#define FEATURE_FAST_SIDE     400
#define FEATURE_MAX_SIDE      800
#define FEATURE_RETRY_INLIERS 40
#define FEATURE_THRESHOLD     2.0
#define FEATURE_MIN_INLIERS   12
/* residual: patch side (px of the finest level), grid, and the least
 * peak-to-sidelobe ratio of a patch with texture to measure */
#define RES_PATCH   64
#define RES_GRID    8
#define RES_MIN_PSR 10.0

typedef struct plane {
    int w, h;
    float *p;
} plane;

/* A w x h plane, zero-filled when zero is non-zero. */
static int plane_alloc(plane *p, int w, int h, int zero)
{
    p->w = w;
    p->h = h;
    p->p = st_alloc_large((size_t)w * (size_t)h * sizeof(float), zero);
    return p->p ? 0 : -1;
}

/* A w x h plane whose samples are not set: for makers that write every
 * one (zeroing fresh memory first costs a pass over it). */
static int plane_new(plane *p, int w, int h)
{
    return plane_alloc(p, w, h, 0);
}

static void plane_free(plane *p)
{
    st_free_large(p->p);
    p->p = NULL;
}

static inline float *row(const plane *p, int y)
{
    return p->p + (size_t)y * (size_t)p->w;
}

/* ---- pyramid ---- */

static float luma(const float *px, int ch)
{
    return ch >= 3 ? 0.2126f * px[0] + 0.7152f * px[1] + 0.0722f * px[2]
                   : px[0];
}

/* Luminance of img averaged over f x f blocks. */
static int luma_plane(const st_image *img, int f, plane *out)
{
    int w = img->width / f, h = img->height / f;
    float inv = 1.0f / (float)(f * f);
    float *buf = NULL; /* an 8-bit image's row as floats */
    if (!img->data &&
        !(buf = malloc((size_t)w * f * (size_t)img->channels * sizeof *buf)))
        return -1;
    if (plane_new(out, w, h)) {
        free(buf);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        float *o = row(out, y);
        memset(o, 0, (size_t)w * sizeof *o);
        for (int j = 0; j < f; j++) {
            const float *s = st_image_row(img, 0, y * f + j, w * f, buf);
            for (int x = 0; x < w; x++)
                for (int i = 0; i < f; i++)
                    o[x] +=
                        luma(s + (size_t)(x * f + i) * (size_t)img->channels,
                             img->channels);
        }
        for (int x = 0; x < w; x++)
            o[x] *= inv;
    }
    free(buf);
    return 0;
}

static int half_plane(const plane *in, plane *out)
{
    if (plane_new(out, in->w / 2, in->h / 2))
        return -1;
    for (int y = 0; y < out->h; y++) {
        const float *a = row(in, 2 * y), *b = row(in, 2 * y + 1);
        float *o = row(out, y);
        for (int x = 0; x < out->w; x++)
            o[x] = 0.25f * (a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1]);
    }
    return 0;
}

/* in averaged over k x k blocks (k = 1: a copy). */
static int box_plane(const plane *in, int k, plane *out)
{
    float inv = 1.0f / (float)(k * k);
    if (plane_new(out, in->w / k, in->h / k))
        return -1;
    for (int y = 0; y < out->h; y++) {
        float *o = row(out, y);
        memset(o, 0, (size_t)out->w * sizeof *o);
        for (int j = 0; j < k; j++) {
            const float *a = row(in, y * k + j);
            for (int x = 0; x < out->w; x++)
                for (int i = 0; i < k; i++)
                    o[x] += a[x * k + i];
        }
        for (int x = 0; x < out->w; x++)
            o[x] *= inv;
    }
    return 0;
}

/* t[x] += k s[x] for n samples. */
static void axpy_row(float *restrict t, const float *restrict s, float k, int n)
{
    for (int x = 0; x < n; x++)
        t[x] += k * s[x];
}

/* One row of the separable Gaussian (kernel k of radius r), edges
 * repeated: s -> t, w samples. */
static void blur_row(const float *s, float *t, const float *k, int r, int w)
{
    /* the interior tap by tap over the whole row (vectorises); each sum
     * still runs over the taps in order, as at the edges */
    if (w > 2 * r) {
        for (int x = r; x < w - r; x++)
            t[x] = 0;
        for (int i = 0; i <= 2 * r; i++)
            axpy_row(t + r, s + i, k[i], w - 2 * r);
    }
    for (int x = 0; x < w; x++) {
        float acc = 0;
        if (x >= r && x < w - r)
            continue;
        for (int i = -r; i <= r; i++) {
            int xx = x + i < 0 ? 0 : x + i >= w ? w - 1 : x + i;
            acc += k[i + r] * s[xx];
        }
        t[x] = acc;
    }
}

/* Separable Gaussian blur, edges repeated; out must be allocated. The
 * rows blurred along x are kept in a ring of 2 r + 1 rows, all the column
 * pass needs at a time, rather than in a whole plane. */
static int blur(const plane *in, plane *out, double sigma)
{
    int r = (int)ceil(3 * sigma), w = in->w, h = in->h, n = 2 * r + 1;
    int next = 0; /* the next row to blur along x */
    float *k = malloc((size_t)n * sizeof *k);
    float *ring = malloc((size_t)n * (size_t)w * sizeof *ring);
    double sum = 0;
    if (!k || !ring) {
        free(k);
        free(ring);
        return -1;
    }
    for (int i = -r; i <= r; i++)
        sum += k[i + r] = (float)exp(-0.5 * i * i / (sigma * sigma));
    for (int i = 0; i < n; i++)
        k[i] = (float)(k[i] / sum);
    for (int y = 0; y < h; y++) {
        float *o = row(out, y);
        for (; next <= y + r && next < h; next++)
            blur_row(row(in, next), ring + (size_t)(next % n) * (size_t)w, k, r,
                     w);
        for (int x = 0; x < w; x++)
            o[x] = 0;
        for (int i = -r; i <= r; i++) {
            int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
            axpy_row(o, ring + (size_t)(yy % n) * (size_t)w, k[i + r], w);
        }
    }
    free(k);
    free(ring);
    return 0;
}

/* Bilinear sample; (u, v) must lie in [0, w-1] x [0, h-1] (the cell index
 * is clamped, so a coordinate that float rounding pushed onto the last
 * pixel centre stays inside). */
static inline float bilinear(const plane *p, float u, float v)
{
    int x = (int)u, y = (int)v;
    float fx, fy;
    const float *a, *b;
    x = x > p->w - 2 ? p->w - 2 : x;
    y = y > p->h - 2 ? p->h - 2 : y;
    fx = u - (float)x;
    fy = v - (float)y;
    a = p->p + (size_t)y * (size_t)p->w + x;
    b = a + p->w;
    return (a[0] + fx * (a[1] - a[0])) * (1 - fy) +
           (b[0] + fx * (b[1] - b[0])) * fy;
}

/* bilinear() of p and of its central-difference gradients
 * (p[x+1] - p[x-1]) / 2 and (p[y+1] - p[y-1]) / 2 at once, the gradients
 * from p's 4 x 4 neighbourhood of (u, v) rather than from stored gradient
 * planes (the same values, without two more planes to fill); (u, v) must
 * lie in [1, w-2) x [1, h-2). */
static inline void bilinear_grad(const plane *p, float u, float v, float *oi,
                                 float *ogx, float *ogy)
{
    int x = (int)u, y = (int)v;
    size_t W = (size_t)p->w;
    const float *a, *b;
    float fx, fy;
    x = x > p->w - 3 ? p->w - 3 : x;
    y = y > p->h - 3 ? p->h - 3 : y;
    fx = u - (float)x;
    fy = v - (float)y;
    a = p->p + (size_t)y * W + (size_t)x; /* rows y and y + 1 */
    b = a + W;
#define BL(A0, A1, B0, B1)                                                     \
    (((A0) + fx * ((A1) - (A0))) * (1 - fy) + ((B0) + fx * ((B1) - (B0))) * fy)
    *oi = BL(a[0], a[1], b[0], b[1]);
    *ogx = BL((a[1] - a[-1]) / 2.0f, (a[2] - a[0]) / 2.0f,
              (b[1] - b[-1]) / 2.0f, (b[2] - b[0]) / 2.0f);
    *ogy = BL((b[0] - a[-(ptrdiff_t)W]) * 0.5f,
              (b[1] - a[1 - (ptrdiff_t)W]) * 0.5f, (b[W] - a[0]) * 0.5f,
              (b[W + 1] - a[1]) * 0.5f);
#undef BL
}

/* ---- level <-> full-resolution coordinates ---- */

/* Pixel x of a level with factor f covers full pixels f x .. f x + f - 1,
 * so its centre is at f x + (f - 1) / 2. */
static void to_level(const st_transform *full, int f, st_transform *lvl)
{
    double k = (f - 1) / 2.0;
    st_transform s = {{f, 0, k, 0, f, k}}, si, tmp;
    st_transform_invert(&s, &si);
    st_transform_compose(&tmp, full, &s);
    st_transform_compose(lvl, &si, &tmp);
}

/* The inverse of to_level: a level transform in full-resolution terms. */
static void to_full(const st_transform *lvl, int f, st_transform *full)
{
    double k = (f - 1) / 2.0;
    st_transform s = {{f, 0, k, 0, f, k}}, tmp;
    st_transform_compose(&tmp, &s, lvl);
    st_transform_compose(
        full, &tmp, &(st_transform){{1.0 / f, 0, -k / f, 0, 1.0 / f, -k / f}});
}

/* ---- whitened correlation ---- */

/* Tukey window: flat in the middle, cosine tapers over the outer 12.5%. */
static float tukey(int i, int n)
{
    double t = (i + 0.5) / n, a = 0.125;
    if (t < a)
        return (float)(0.5 - 0.5 * cos(ST_PI * t / a));
    if (t > 1 - a)
        return (float)(0.5 - 0.5 * cos(ST_PI * (1 - t) / a));
    return 1.0f;
}

/* Correlation surface of two W x H real arrays (already windowed) by
 * whitened cross-power a conj(b): corr peaks at t where a(x) ~ b(x - t).
 * a and b are overwritten. */
static st_status whitened_xcorr(int W, int H, float *a, float *b, float *corr,
                                st_error *err)
{
    size_t nc = (size_t)H * (size_t)(W / 2 + 1);
    float *fa = st_fft_alloc(2 * nc), *fb = st_fft_alloc(2 * nc);
    st_status s = ST_OK;
    if (!fa || !fb) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (correlation)");
        goto done;
    }
    if ((s = st_fft_forward(W, H, a, fa, err)) ||
        (s = st_fft_forward(W, H, b, fb, err)))
        goto done;
    for (size_t i = 0; i < nc; i++) {
        float ar = fa[2 * i], ai = fa[2 * i + 1];
        float br = fb[2 * i], bi = fb[2 * i + 1];
        float re = ar * br + ai * bi, im = ai * br - ar * bi; /* a conj(b) */
        float m = sqrtf(re * re + im * im) + 1e-20f;
        fa[2 * i] = re / m;
        fa[2 * i + 1] = im / m;
    }
    s = st_fft_inverse(W, H, fa, corr, err);
done:
    st_fft_free(fa);
    st_fft_free(fb);
    return s;
}

typedef struct peak {
    double x, y; /* signed shift, sub-pixel */
    double value, psr;
} peak;

/* Sub-pixel offset of a peak from three samples (parabola vertex). */
static double parabola(double l, double c, double r)
{
    double d = l - 2 * c + r;
    return fabs(d) > 1e-12 ? 0.5 * (l - r) / d : 0;
}

/* c[y][x] is above its 8 neighbours on the W x H periodic surface c. */
static int local_max(const float *c, int W, int H, int x, int y)
{
    float v = c[(size_t)y * W + x];
    if (x > 0 && y > 0 && x < W - 1 && y < H - 1) {
        const float *u = c + (size_t)(y - 1) * W + x, *m = u + W, *d = m + W;
        return u[-1] < v && u[0] < v && u[1] < v && m[-1] < v && m[1] < v &&
               d[-1] < v && d[0] < v && d[1] < v;
    }
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            int xx = (x + i + W) % W, yy = (y + j + H) % H;
            if ((i || j) && c[(size_t)yy * W + xx] >= v)
                return 0;
        }
    return 1;
}

/* Up to k strongest local maxima of a W x H periodic surface, with their
 * peak-to-sidelobe ratio (peak minus sidelobe mean over sidelobe standard
 * deviation; the sidelobe is everything outside an 11 x 11 window around
 * the peak). Returns the number found. */
static int find_peaks(const float *c, int W, int H, peak *out, int k)
{
    double sum = 0, sum2 = 0;
    int n = 0;
    size_t total = (size_t)W * (size_t)H;

    for (size_t i = 0; i < total; i++) {
        sum += c[i];
        sum2 += (double)c[i] * c[i];
    }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float v = c[(size_t)y * W + x];
            /* no better than the k found so far: not a candidate, maximum
             * or not (the cheap test first) */
            if (n == k && v <= out[k - 1].value)
                continue;
            if (!local_max(c, W, H, x, y))
                continue;
            {
                int pos = n < k ? n++ : k - 1;
                while (pos > 0 && out[pos - 1].value < v) {
                    out[pos] = out[pos - 1];
                    pos--;
                }
                out[pos].value = v;
                out[pos].x = x;
                out[pos].y = y;
            }
        }
    for (int p = 0; p < n; p++) {
        int x = (int)out[p].x, y = (int)out[p].y;
        double s = sum, s2 = sum2;
        size_t m = total;
        for (int j = -5; j <= 5; j++)
            for (int i = -5; i <= 5; i++) {
                double v = c[(size_t)((y + j + H) % H) * W + (x + i + W) % W];
                s -= v;
                s2 -= v * v;
                m--;
            }
        {
            double mean = s / m, var = s2 / m - mean * mean;
            /* a flat sidelobe (identical images): as high as it gets */
            out[p].psr = var > 0 ? (out[p].value - mean) / sqrt(var)
                         : out[p].value > mean ? 1e30
                                               : 0;
        }
        {
            double l = c[(size_t)y * W + (x - 1 + W) % W];
            double r = c[(size_t)y * W + (x + 1) % W];
            double u = c[(size_t)((y - 1 + H) % H) * W + x];
            double d = c[(size_t)((y + 1) % H) * W + x];
            double fx = x + parabola(l, out[p].value, r);
            double fy = y + parabola(u, out[p].value, d);
            out[p].x = fx > W / 2.0 ? fx - W : fx;
            out[p].y = fy > H / 2.0 ? fy - H : fy;
        }
    }
    return n;
}

/* Correlation peak of same-size planes: at t where a(x) ~ b(x - t); wb
 * (may be NULL) weighs b's pixels (0 where b has no data). */
static st_status phase_correlate(const plane *a, const plane *b,
                                 const plane *wb, peak *best, st_error *err)
{
    int W = st_fft_good_size(a->w + a->w / 2);
    int H = st_fft_good_size(a->h + a->h / 2);
    size_t n = (size_t)W * (size_t)H;
    float *ba = st_fft_alloc(n), *bb = st_fft_alloc(n), *corr = st_fft_alloc(n);
    float *wx = malloc((size_t)a->w * sizeof *wx); /* the window along x */
    double ma = 0, mb = 0, wsum = 0;
    st_status s;

    if (!ba || !bb || !corr || !wx) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (correlation)");
        goto done;
    }
    memset(ba, 0, n * sizeof *ba);
    memset(bb, 0, n * sizeof *bb);
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            double w = wb ? row(wb, y)[x] : 1.0;
            ma += row(a, y)[x];
            mb += w * row(b, y)[x];
            wsum += w;
        }
    ma /= (double)a->w * a->h;
    mb = wsum > 0 ? mb / wsum : 0;
    for (int x = 0; x < a->w; x++)
        wx[x] = tukey(x, a->w);
    for (int y = 0; y < a->h; y++) {
        float wy = tukey(y, a->h);
        for (int x = 0; x < a->w; x++) {
            float win = wx[x] * wy;
            float w = wb ? row(wb, y)[x] : 1.0f;
            ba[(size_t)y * W + x] = (float)(row(a, y)[x] - ma) * win;
            bb[(size_t)y * W + x] = (float)(row(b, y)[x] - mb) * win * w;
        }
    }
    s = whitened_xcorr(W, H, ba, bb, corr, err);
    if (s == ST_OK && find_peaks(corr, W, H, best, 1) < 1)
        best->x = best->y = best->psr = 0;
done:
    free(wx);
    st_fft_free(ba);
    st_fft_free(bb);
    st_fft_free(corr);
    return s;
}

/* ---- Fourier-Mellin ---- */

/* Log-polar resampling of the high-pass-weighted log magnitude spectrum of
 * p (N x N FFT) into lp (LP_THETA rows of LP_RHO radii), Hann-windowed
 * along the radius and mean-free. */
static st_status logpolar(const plane *p, int N, double rmin, double dlog,
                          float *lp, st_error *err)
{
    size_t nc = (size_t)N * (size_t)(N / 2 + 1);
    float *buf = st_fft_alloc((size_t)N * N), *spec = st_fft_alloc(2 * nc);
    float *mag = malloc(nc * sizeof *mag);
    double mean = 0;
    st_status s = ST_OK;

    if (!buf || !spec || !mag) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (Fourier-Mellin)");
        goto done;
    }
    memset(buf, 0, (size_t)N * N * sizeof *buf);
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w; x++)
            mean += row(p, y)[x];
    mean /= (double)p->w * p->h;
    for (int y = 0; y < p->h; y++) {
        double wy = 0.5 - 0.5 * cos(2 * ST_PI * (y + 0.5) / p->h);
        for (int x = 0; x < p->w; x++) {
            double wx = 0.5 - 0.5 * cos(2 * ST_PI * (x + 0.5) / p->w);
            buf[(size_t)y * N + x] = (float)((row(p, y)[x] - mean) * wx * wy);
        }
    }
    if ((s = st_fft_forward(N, N, buf, spec, err)))
        goto done;
    for (int ky = 0; ky < N; ky++) {
        double fy = (ky <= N / 2 ? ky : ky - N) / (double)N;
        for (int kx = 0; kx <= N / 2; kx++) {
            size_t i = (size_t)ky * (N / 2 + 1) + kx;
            double c = cos(ST_PI * kx / (double)N) * cos(ST_PI * fy);
            double m = hypot(spec[2 * i], spec[2 * i + 1]);
            mag[i] = (float)(log1p(m) * (1 - c) * (2 - c));
        }
    }
    for (int j = 0; j < LP_THETA; j++) {
        double th = ST_PI * j / LP_THETA, ct = cos(th), sn = sin(th);
        float *o = lp + (size_t)j * LP_RHO;
        for (int i = 0; i < LP_RHO; i++) {
            double r = rmin * exp(i * dlog), kx = r * ct, ky = r * sn;
            int x0, y0;
            double fx, fy, v00, v01, v10, v11;
            if (kx < 0)
                kx = -kx, ky = -ky;
            if (ky < 0)
                ky += N;
            x0 = (int)kx;
            y0 = (int)ky;
            fx = kx - x0;
            fy = ky - y0;
            if (x0 >= N / 2)
                x0 = N / 2 - 1, fx = 1;
            v00 = mag[(size_t)(y0 % N) * (N / 2 + 1) + x0];
            v01 = mag[(size_t)(y0 % N) * (N / 2 + 1) + x0 + 1];
            v10 = mag[(size_t)((y0 + 1) % N) * (N / 2 + 1) + x0];
            v11 = mag[(size_t)((y0 + 1) % N) * (N / 2 + 1) + x0 + 1];
            o[i] = (float)((v00 * (1 - fx) + v01 * fx) * (1 - fy) +
                           (v10 * (1 - fx) + v11 * fx) * fy);
        }
    }
    mean = 0;
    for (size_t i = 0; i < (size_t)LP_THETA * LP_RHO; i++)
        mean += lp[i];
    mean /= (double)LP_THETA * LP_RHO;
    for (int j = 0; j < LP_THETA; j++)
        for (int i = 0; i < LP_RHO; i++) {
            double w = 0.5 - 0.5 * cos(2 * ST_PI * (i + 0.5) / LP_RHO);
            lp[(size_t)j * LP_RHO + i] =
                (float)((lp[(size_t)j * LP_RHO + i] - mean) * w);
        }
done:
    st_fft_free(buf);
    st_fft_free(spec);
    free(mag);
    return s;
}

typedef struct candidate {
    double rotation_deg, scale;
} candidate;

/* Rotation/scale candidates from the coarsest level. */
static st_status fourier_mellin(const plane *r, const plane *m, candidate *out,
                                int *n, st_error *err)
{
    int side = r->w > r->h ? r->w : r->h;
    int N, W = st_fft_good_size(2 * LP_RHO), H = LP_THETA;
    double rmin = 2.0, rmax, dlog;
    size_t lpn = (size_t)LP_THETA * LP_RHO, cn = (size_t)W * H;
    float *lr = malloc(lpn * sizeof *lr), *lm = malloc(lpn * sizeof *lm);
    float *a = st_fft_alloc(cn), *b = st_fft_alloc(cn), *c = st_fft_alloc(cn);
    peak peaks[CANDIDATES];
    st_status s;
    int np;

    side = m->w > side ? m->w : side;
    side = m->h > side ? m->h : side;
    N = st_fft_good_size(side);
    rmax = 0.45 * N;
    dlog = log(rmax / rmin) / (LP_RHO - 1);
    *n = 0;
    if (!lr || !lm || !a || !b || !c) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (Fourier-Mellin)");
        goto done;
    }
    if ((s = logpolar(r, N, rmin, dlog, lr, err)) ||
        (s = logpolar(m, N, rmin, dlog, lm, err)))
        goto done;
    memset(a, 0, cn * sizeof *a);
    memset(b, 0, cn * sizeof *b);
    for (int j = 0; j < H; j++) {
        memcpy(a + (size_t)j * W, lr + (size_t)j * LP_RHO, LP_RHO * sizeof *a);
        memcpy(b + (size_t)j * W, lm + (size_t)j * LP_RHO, LP_RHO * sizeof *b);
    }
    if ((s = whitened_xcorr(W, H, a, b, c, err)))
        goto done;
    np = find_peaks(c, W, H, peaks, CANDIDATES);
    /* LP_r(theta, rho) ~ LP_m(theta + t_y, rho + t_x): the moving spectrum
     * is the reference's turned by -t_y steps and scaled by exp(t_x dlog);
     * content turns with its spectrum and scales inversely. */
    for (int i = 0; i < np; i++) {
        out[*n].rotation_deg = peaks[i].y * 180.0 / LP_THETA;
        out[*n].scale = exp(peaks[i].x * dlog);
        (*n)++;
    }
done:
    free(lr);
    free(lm);
    st_fft_free(a);
    st_fft_free(b);
    st_fft_free(c);
    return s;
}

/* The similarity about the level centres: reference centre to moving
 * centre, with this rotation and scale. */
static void centred(const plane *r, const plane *m, double rot, double scale,
                    st_transform *t)
{
    double cx = (r->w - 1) / 2.0, cy = (r->h - 1) / 2.0;
    st_transform_similarity(t, cx, cy, (m->w - 1) / 2.0 - cx,
                            (m->h - 1) / 2.0 - cy, rot, scale);
}

/* Moving plane sampled through t onto the reference grid, and a weight
 * plane: 1 inside the moving image, tapering to 0 over 4 px at its edge. */
static int warp_plane(const plane *m, const st_transform *t, int w, int h,
                      plane *out, plane *weight)
{
    /* samples outside m stay 0 */
    if (plane_alloc(out, w, h, 1) || plane_alloc(weight, w, h, 1))
        return -1;
    for (int y = 0; y < h; y++) {
        float *o = row(out, y), *wt = row(weight, y);
        for (int x = 0; x < w; x++) {
            double u, v, e;
            st_transform_apply(t, x, y, &u, &v);
            if (!(u >= 0 && v >= 0 && u < m->w - 1 && v < m->h - 1))
                continue;
            o[x] = bilinear(m, (float)u, (float)v);
            e = fmin(fmin(u, v), fmin(m->w - 1 - u, m->h - 1 - v));
            wt[x] = (float)(e >= 4 ? 1 : 0.5 - 0.5 * cos(ST_PI * e / 4));
        }
    }
    return 0;
}

/* Best initial transform (level coordinates) among the candidates. */
static st_status initial_estimate(const plane *r, const plane *m,
                                  const st_align_options *opt,
                                  st_transform *best, st_error *err)
{
    candidate cand[2 * CANDIDATES + 1];
    int n = 0, nfm = 0;
    double best_psr = -DBL_MAX;
    st_status s;

    if (!opt->translation_only) {
        candidate fm[CANDIDATES];
        s = fourier_mellin(r, m, fm, &nfm, err);
        if (s)
            return s;
        for (int i = 0; i < nfm; i++)
            for (int flip = 0; flip < 2; flip++) {
                double rot = fm[i].rotation_deg + (flip ? 180.0 : 0.0);
                rot = fmod(rot + 540.0, 360.0) - 180.0;
                if (fabs(rot) > fmin(opt->max_rotation_deg, FM_MAX_ROTATION) ||
                    fm[i].scale > fmin(opt->max_scale, FM_MAX_SCALE) ||
                    fm[i].scale < 1.0 / fmin(opt->max_scale, FM_MAX_SCALE))
                    continue;
                cand[n].rotation_deg = rot;
                cand[n++].scale = fm[i].scale;
            }
    }
    cand[n].rotation_deg = 0; /* always worth a try */
    cand[n++].scale = 1;
    for (int i = 0; i < n; i++) {
        st_transform a;
        plane w = {0}, wt = {0};
        peak pk;
        centred(r, m, cand[i].rotation_deg, cand[i].scale, &a);
        if (warp_plane(m, &a, r->w, r->h, &w, &wt)) {
            plane_free(&w);
            plane_free(&wt);
            return st_fail(err, ST_ERR_NOMEM, "out of memory (alignment)");
        }
        s = phase_correlate(r, &w, &wt, &pk, err);
        plane_free(&w);
        plane_free(&wt);
        if (s)
            return s;
        if (pk.psr > best_psr) {
            /* the peak sits at -t for r(x) ~ w(x + t) = m(a(x + t)) */
            st_transform shift = {{1, 0, -pk.x, 0, 1, -pk.y}};
            best_psr = pk.psr;
            st_transform_compose(best, &a, &shift);
        }
    }
    return ST_OK;
}

/* ---- Gauss-Newton refinement ---- */

typedef struct level {
    plane r, m; /* blurred luminance */
} level;

/* Largest corner displacement between two transforms over a w x h frame. */
static double corner_change(const st_transform *a, const st_transform *b, int w,
                            int h)
{
    double worst = 0;
    for (int i = 0; i < 4; i++) {
        double x = i & 1 ? w - 1 : 0, y = i & 2 ? h - 1 : 0, xa, ya, xb, yb;
        st_transform_apply(a, x, y, &xa, &ya);
        st_transform_apply(b, x, y, &xb, &yb);
        worst = fmax(worst, hypot(xa - xb, ya - yb));
    }
    return worst;
}

/* Adds w J J' to the upper triangle of the normal matrix A (n unknowns,
 * rows lda apart) and -w J e to b. Called with constant n and lda, so
 * that it unrolls; each sum still takes its terms in the same order. */
static inline void normal_add(double *A, int lda, double *b, const double *J,
                              double w, double e, int n)
{
    for (int i = 0; i < n; i++) {
        double wj = w * J[i];
        b[i] -= wj * e;
        for (int j = i; j < n; j++)
            A[i * lda + j] += wj * J[j];
    }
}

/* Refines t (level coordinates) on one level; returns iterations used. */
static int refine(const level *L, st_transform *t, int translation_only,
                  int max_iter, double tol, double samples, double *gain,
                  double *bias)
{
    int n = translation_only ? 4 : 6, it;
    int stride = (int)fmax(1, ceil(sqrt((double)L->r.w * L->r.h / samples)));
    double sigma = -1;
    const float umax = (float)L->m.w - 2.001f, vmax = (float)L->m.h - 2.001f;

    for (it = 0; it < max_iter; it++) {
        double A[6][6] = {{0}}, b[6] = {0}, d[6] = {0}, sse = 0, cnt = 0;
        double a = t->m[0], bb = t->m[1], tx = t->m[2], ty = t->m[5];
        double k = sigma > 0 ? 1.345 * sigma : DBL_MAX;
        st_transform next = *t;

        for (int y = 0; y < L->r.h; y += stride) {
            const float *rr = row(&L->r, y);
            for (int x = 0; x < L->r.w; x += stride) {
                float u = (float)(a * x + bb * y + tx);
                float v = (float)(-bb * x + a * y + ty);
                double I, Gx, Gy, e, w, J[6];
                if (!(u >= 1 && v >= 1 && u < umax && v < vmax))
                    continue;
                {
                    float fi, fgx, fgy;
                    bilinear_grad(&L->m, u, v, &fi, &fgx, &fgy);
                    I = fi;
                    Gx = fgx * *gain;
                    Gy = fgy * *gain;
                }
                e = *gain * I + *bias - rr[x];
                w = fabs(e) <= k ? 1.0 : k / fabs(e);
                if (translation_only) {
                    J[0] = Gx, J[1] = Gy, J[2] = I, J[3] = 1;
                    normal_add(&A[0][0], 6, b, J, w, e, 4);
                } else {
                    J[0] = Gx * x + Gy * y;
                    J[1] = Gx * y - Gy * x;
                    J[2] = Gx, J[3] = Gy, J[4] = I, J[5] = 1;
                    normal_add(&A[0][0], 6, b, J, w, e, 6);
                }
                sse += e * e;
                cnt++;
            }
        }
        if (cnt < 16)
            break;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                A[i][j] = A[j][i];
        if (st_solve(n, A, b, d))
            break;
        sigma = sqrt(sse / cnt);
        if (translation_only) {
            next.m[2] += d[0];
            next.m[5] += d[1];
            *gain += d[2];
            *bias += d[3];
        } else {
            next.m[0] = next.m[4] = a + d[0];
            next.m[1] = bb + d[1];
            next.m[3] = -(bb + d[1]);
            next.m[2] = tx + d[2];
            next.m[5] = ty + d[3];
            *gain += d[4];
            *bias += d[5];
        }
        if (!isfinite(next.m[0] + next.m[1] + next.m[2] + next.m[5]))
            break;
        {
            double change = corner_change(&next, t, L->r.w, L->r.h);
            *t = next;
            if (change < tol)
                return it + 1;
        }
    }
    return it;
}

/* Refines t (level coordinates) as an affine map or a homography, with
 * gain and offset, like refine(): forward-additive Gauss-Newton on the
 * matrix entries, Huber weights. The normal matrix is scaled to a unit
 * diagonal before solving (Jacobi preconditioning), as the entries that
 * multiply x y (about 1e6 at a megapixel) and those that multiply 1 differ
 * by that much. Returns the iterations used. */
static int refine_general(const level *L, st_transform *t, int projective,
                          int max_iter, double tol, double samples,
                          double *gain, double *bias)
{
    int np = projective ? 8 : 6, n = np + 2, it;
    int stride = (int)fmax(1, ceil(sqrt((double)L->r.w * L->r.h / samples)));
    double sigma = -1;
    const double umax = L->m.w - 2.001, vmax = L->m.h - 2.001;

    for (it = 0; it < max_iter; it++) {
        double A[100] = {0}, b[10] = {0}, d[10], D[10], sse = 0, cnt = 0;
        double k = sigma > 0 ? 1.345 * sigma : DBL_MAX;
        const double *m = t->m;
        st_transform next = *t;

        for (int y = 0; y < L->r.h; y += stride) {
            const float *rr = row(&L->r, y);
            for (int x = 0; x < L->r.w; x += stride) {
                double w = m[6] * x + m[7] * y + 1, u, v, I, Gx, Gy, e, wt;
                double J[10];
                float fi, fgx, fgy;
                if (!(w > 0))
                    continue;
                u = (m[0] * x + m[1] * y + m[2]) / w;
                v = (m[3] * x + m[4] * y + m[5]) / w;
                if (!(u >= 1 && v >= 1 && u < umax && v < vmax))
                    continue;
                bilinear_grad(&L->m, (float)u, (float)v, &fi, &fgx, &fgy);
                I = fi;
                Gx = fgx * *gain / w;
                Gy = fgy * *gain / w;
                e = *gain * I + *bias - rr[x];
                wt = fabs(e) <= k ? 1.0 : k / fabs(e);
                J[0] = Gx * x, J[1] = Gx * y, J[2] = Gx;
                J[3] = Gy * x, J[4] = Gy * y, J[5] = Gy;
                if (projective) {
                    J[6] = -(Gx * u + Gy * v) * x;
                    J[7] = -(Gx * u + Gy * v) * y;
                }
                J[np] = I, J[np + 1] = 1;
                if (projective)
                    normal_add(A, 10, b, J, wt, e, 10);
                else
                    normal_add(A, 8, b, J, wt, e, 8);
                sse += e * e;
                cnt++;
            }
        }
        if (cnt < 4 * n)
            break;
        for (int i = 0; i < n; i++) {
            D[i] = A[i * n + i] > 0 ? 1 / sqrt(A[i * n + i]) : 1;
            for (int j = 0; j < i; j++)
                A[i * n + j] = A[j * n + i];
        }
        for (int i = 0; i < n; i++) {
            b[i] *= D[i];
            for (int j = 0; j < n; j++)
                A[i * n + j] *= D[i] * D[j];
        }
        if (st_solve_n(n, A, b, d))
            break;
        sigma = sqrt(sse / cnt);
        for (int i = 0; i < np; i++)
            next.m[i] += d[i] * D[i];
        *gain += d[np] * D[np];
        *bias += d[np + 1] * D[np + 1];
        {
            double sum = 0, change;
            for (int i = 0; i < 8; i++)
                sum += next.m[i];
            if (!isfinite(sum))
                break;
            change = corner_change(&next, t, L->r.w, L->r.h);
            *t = next;
            if (change < tol)
                return it + 1;
        }
    }
    return it;
}

/* ---- confidence and overlap ---- */

/* The confidence into *ncc; 0, or -1 when out of memory. */
static int band_ncc(const level *L, const st_transform *t, double *ncc)
{
    plane rb = {0}, mb = {0};
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
    int stride = (int)fmax(1, ceil(sqrt((double)L->r.w * L->r.h / 6e5)));
    int rc = -1;

    *ncc = 0;
    if (plane_new(&rb, L->r.w, L->r.h) || plane_new(&mb, L->m.w, L->m.h) ||
        blur(&L->r, &rb, sqrt(15.0)) || blur(&L->m, &mb, sqrt(15.0)))
        goto done;
    for (int y = 0; y < L->r.h; y += stride)
        for (int x = 0; x < L->r.w; x += stride) {
            double u, v, a, b;
            if (st_transform_apply_checked(t, x, y, &u, &v) ||
                !(u >= 0 && v >= 0 && u < L->m.w - 1 && v < L->m.h - 1))
                continue;
            a = row(&L->r, y)[x] - row(&rb, y)[x];
            b = bilinear(&L->m, (float)u, (float)v) -
                bilinear(&mb, (float)u, (float)v);
            sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
            n++;
        }
    if (n > 16) {
        double va = saa - sa * sa / n, vb = sbb - sb * sb / n;
        if (va > 0 && vb > 0)
            *ncc = (sab - sa * sb / n) / sqrt(va * vb);
    }
    rc = 0;
done:
    plane_free(&rb);
    plane_free(&mb);
    return rc;
}

double st_align_overlap(const st_transform *t, int w, int h, int mw, int mh)
{
    double in = 0, all = 0;
    int step = w * h > 1000000 ? 4 : 1;
    for (int y = 0; y < h; y += step)
        for (int x = 0; x < w; x += step) {
            double u, v;
            all++;
            if (!st_transform_apply_checked(t, x, y, &u, &v) && u >= -0.5 &&
                v >= -0.5 && u <= mw - 0.5 && v <= mh - 0.5)
                in++;
        }
    return all > 0 ? 100.0 * in / all : 0;
}

/* ---- driver ---- */

void st_align_options_init(st_align_options *opt)
{
    opt->max_rotation_deg = 180;
    opt->max_scale = 3;
    opt->translation_only = 0;
    opt->min_confidence = ST_ALIGN_MIN_CONFIDENCE;
    opt->model = ST_ALIGN_AUTO;
    opt->max_residual_px = ST_ALIGN_MAX_RESIDUAL_PX;
    opt->no_features = 0;
}

static const char *const model_names[] = {"auto", "similarity", "affine",
                                          "homography"};

const char *st_align_model_name(st_align_model model)
{
    return (unsigned)model < 4 ? model_names[model] : "auto";
}

int st_align_model_parse(const char *name, st_align_model *model)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, model_names[i]) == 0) {
            *model = (st_align_model)i;
            return 0;
        }
    return -1;
}

const char *st_align_status_name(st_align_status status)
{
    return status == ST_ALIGN_OK ? "ok" : "low_confidence";
}

static void free_levels(plane *pr, plane *pm, int n)
{
    for (int i = 0; i < n; i++) {
        plane_free(&pr[i]);
        plane_free(&pm[i]);
    }
}

static void free_level(level *L)
{
    plane_free(&L->r);
    plane_free(&L->m);
}

/* The blur of each image that brings both to one resolution when the
 * moving photo shows the skin at scale s (moving px per reference px):
 * sigma 1 px, times 1/s for the reference when the moving is smaller and
 * times s for the moving when it is larger, so that neither holds detail
 * the other cannot show (the finer one's extra texture would only add
 * noise to the fit). */
static void matched_blur(double s, double *sr, double *sm)
{
    s = isfinite(s) && s > 0 ? s : 1;
    *sr = s < 1 ? 1 / s : 1;
    *sm = s > 1 ? s : 1;
}

/* Blurred planes for refinement on one pyramid level. */
static int make_level(const plane *r, const plane *m, double scale, level *L)
{
    double sr, sm;
    matched_blur(scale, &sr, &sm);
    memset(L, 0, sizeof *L);
    if (plane_new(&L->r, r->w, r->h) || plane_new(&L->m, m->w, m->h) ||
        blur(r, &L->r, sr) || blur(m, &L->m, sm))
        return -1;
    return 0;
}

/* ---- residual in pixels ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The patch (x0, y0, RES_PATCH square) of the reference level maps inside
 * the moving level under t (level coordinates). A homography in front of
 * its horizon maps the square to a convex quadrilateral, so its corners
 * decide. */
static int patch_inside(const plane *m, const st_transform *t, int x0, int y0)
{
    for (int i = 0; i < 4; i++) {
        double u, v;
        if (st_transform_apply_checked(t, x0 + (i & 1 ? RES_PATCH - 1 : 0),
                                       y0 + (i & 2 ? RES_PATCH - 1 : 0), &u,
                                       &v) ||
            !(u >= 0 && v >= 0 && u < m->w - 1 && v < m->h - 1))
            return 0;
    }
    return 1;
}

/* Local shifts between reference patches and the moving image resampled
 * through t (level coordinates, level factor f) on a RES_GRID square grid;
 * their median and 95th percentile in full-resolution px into res. */
static st_status residual(const plane *r, const plane *m, const st_transform *t,
                          int f, double scale, st_align_result *res,
                          st_error *err)
{
    double shift[RES_GRID * RES_GRID], sr, sm;
    plane a = {0}, b = {0}, ab = {0}, bb = {0}, mb = {0};
    const plane *ms = m;
    st_status s = ST_OK;
    int n = 0;

    /* the blur of the refinement (1 px, resolutions matched): whitened
     * correlation weighs every frequency alike, and the finest ones hold
     * mostly noise and JPEG blocks */
    matched_blur(scale, &sr, &sm);
    if (sm > 1) {
        if (plane_new(&mb, m->w, m->h) || blur(m, &mb, sm)) {
            s = st_fail(err, ST_ERR_NOMEM,
                        "out of memory (alignment residual)");
            goto done;
        }
        ms = &mb;
    }

    res->residual_px = res->residual_p95_px = NAN;
    res->residual_patches = res->residual_tried = 0;
    if (r->w < RES_PATCH || r->h < RES_PATCH)
        return ST_OK;
    if (plane_new(&a, RES_PATCH, RES_PATCH) ||
        plane_new(&ab, RES_PATCH, RES_PATCH) ||
        plane_new(&b, RES_PATCH, RES_PATCH) ||
        plane_new(&bb, RES_PATCH, RES_PATCH)) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (alignment residual)");
        goto done;
    }
    for (int gy = 0; gy < RES_GRID; gy++)
        for (int gx = 0; gx < RES_GRID; gx++) {
            int x0 = (int)((gx + 0.5) * r->w / RES_GRID) - RES_PATCH / 2;
            int y0 = (int)((gy + 0.5) * r->h / RES_GRID) - RES_PATCH / 2;
            peak pk;
            if (x0 < 0 || y0 < 0 || x0 + RES_PATCH > r->w ||
                y0 + RES_PATCH > r->h || !patch_inside(m, t, x0, y0))
                continue;
            for (int y = 0; y < RES_PATCH; y++)
                for (int x = 0; x < RES_PATCH; x++) {
                    double u, v;
                    st_transform_apply(t, x0 + x, y0 + y, &u, &v);
                    row(&a, y)[x] = row(r, y0 + y)[x0 + x];
                    row(&b, y)[x] = bilinear(ms, (float)u, (float)v);
                }
            if (blur(&a, &ab, sr) || (sm <= 1 && blur(&b, &bb, 1.0))) {
                s = st_fail(err, ST_ERR_NOMEM,
                            "out of memory (alignment residual)");
                goto done;
            }
            if ((s = phase_correlate(&ab, sm <= 1 ? &bb : &b, NULL, &pk, err)))
                goto done;
            res->residual_tried++;
            if (pk.psr >= RES_MIN_PSR)
                shift[n++] = hypot(pk.x, pk.y) * f;
        }
    res->residual_patches = n;
    if (n >= 4) {
        qsort(shift, (size_t)n, sizeof *shift, cmp_double);
        res->residual_px =
            n % 2 ? shift[n / 2] : 0.5 * (shift[n / 2 - 1] + shift[n / 2]);
        res->residual_p95_px = shift[(int)ceil(0.95 * n) - 1];
    }
done:
    plane_free(&a);
    plane_free(&ab);
    plane_free(&b);
    plane_free(&bb);
    plane_free(&mb);
    return s;
}

/* ---- feature candidate ---- */

void st_align_note(st_align_result *res, const char *fmt, ...)
{
    size_t len = strlen(res->note);
    va_list ap;
    if (len + 3 >= sizeof res->note)
        return;
    if (len) {
        strcpy(res->note + len, "; ");
        len += 2;
    }
    va_start(ap, fmt);
    st_vsnprintf_c(res->note + len, sizeof res->note - len, fmt, ap);
    va_end(ap);
}

/* Rotation and scale of t at the reference centre within the options'
 * bounds; otherwise a note naming the bound and the value that would
 * admit the estimate. */
static int within_bounds(const st_transform *full, const st_image *ref,
                         const st_align_options *opt, const char *what,
                         st_align_result *res)
{
    double rot, scale, big;
    st_transform_params(full, (ref->width - 1) / 2.0, (ref->height - 1) / 2.0,
                        NULL, NULL, &rot, &scale);
    if (!isfinite(scale))
        return 0;
    big = scale >= 1 ? scale : 1 / scale;
    if (big > opt->max_scale * 1.05) {
        st_align_note(
            res,
            "%s found scale %.3f, beyond --max-scale %g (--max-scale %.1f "
            "would admit it)",
            what, scale, opt->max_scale, ceil(big * 1.1 * 10) / 10);
        return 0;
    }
    if (fabs(rot) > opt->max_rotation_deg + 1) {
        st_align_note(res,
                      "%s found rotation %.1f deg, beyond --max-rotation %g "
                      "(--max-rotation %.0f would admit it)",
                      what, rot, opt->max_rotation_deg,
                      fmin(180, ceil(fabs(rot) + 5)));
        return 0;
    }
    return 1;
}

/* The feature estimate (full-resolution transform) from pyramid level lf
 * with factor f; 1 when found within the bounds, 0 when not, -1 when out
 * of memory. The model is opt's, or for AUTO the GRIC choice. */
static int feature_estimate(const plane *r, const plane *m, int f,
                            const st_image *ref, const st_align_options *opt,
                            st_transform *full, st_align_model *model,
                            st_align_result *res)
{
    st_fmatch *mt = NULL;
    unsigned char *keep = NULL;
    st_align_model fit =
        opt->model == ST_ALIGN_AUTO ? ST_ALIGN_HOMOGRAPHY : opt->model;
    st_transform t;
    int n, rc = 0;

    if (st_features_match(r->p, r->w, r->h, m->p, m->w, m->h, &mt, &n))
        return -1;
    res->matches = n;
    if (n < FEATURE_MIN_INLIERS)
        goto done;
    if (!(keep = malloc((size_t)n))) {
        rc = -1;
        goto done;
    }
    res->inliers =
        st_fit_robust(fit, mt, n, FEATURE_THRESHOLD, r->w, r->h, &t, keep);
    if (res->inliers < 0) { /* out of memory */
        res->inliers = 0;
        rc = -1;
        goto done;
    }
    if (res->inliers < FEATURE_MIN_INLIERS) {
        res->inliers = 0;
        goto done;
    }
    *model = fit;
    if (opt->model == ST_ALIGN_AUTO) {
        st_transform sel;
        int ls = -1;
        *model = st_fit_select(mt, n, keep, NULL);
        if (*model != ST_ALIGN_AUTO && *model != fit)
            ls = st_fit_ls(*model, mt, n, keep, &sel);
        if (*model == ST_ALIGN_AUTO || ls == -2) {
            rc = -1; /* out of memory */
            goto done;
        }
        if (!ls)
            t = sel;
        else
            *model = fit;
    }
    to_full(&t, f, full);
    rc = within_bounds(full, ref, opt, "feature matching", res);
done:
    free(mt);
    free(keep);
    return rc;
}

/* The scale of t at the reference centre. */
static double scale_of(const st_transform *t, const st_image *ref)
{
    double s;
    st_transform_params(t, (ref->width - 1) / 2.0, (ref->height - 1) / 2.0,
                        NULL, NULL, NULL, &s);
    return s;
}

/* Candidate 1: SIFT matches on the finest level (factor f0) averaged down
 * to at most FEATURE_FAST_SIDE px a side, or FEATURE_MAX_SIDE when that
 * gives fewer than FEATURE_RETRY_INLIERS inliers. As feature_estimate. */
static int feature_candidate(const plane *r0, const plane *m0, int f0,
                             const st_image *ref, const st_align_options *opt,
                             st_transform *full, st_align_model *model,
                             st_align_result *res)
{
    int found = 0;
    for (int side = FEATURE_FAST_SIDE;; side = FEATURE_MAX_SIDE) {
        int k = 1;
        plane fr = {0}, fm = {0};
        while (fmax(fmax(r0->w, r0->h), fmax(m0->w, m0->h)) / k > side)
            k++;
        res->note[0] = 0;
        res->matches = res->inliers = 0;
        if (box_plane(r0, k, &fr) || box_plane(m0, k, &fm))
            found = -1;
        else
            found =
                feature_estimate(&fr, &fm, f0 * k, ref, opt, full, model, res);
        plane_free(&fr);
        plane_free(&fm);
        if (found < 0 || (found && res->inliers >= FEATURE_RETRY_INLIERS) ||
            k == 1 || side == FEATURE_MAX_SIDE)
            return found;
    }
}

/* The status from the measures in res, and the note saying why when it
 * is low_confidence. */
static void judge(st_align_result *res, const st_align_options *opt,
                  const st_image *ref)
{
    double s = res->scale;
    res->status = ST_ALIGN_OK;
    if (!(res->confidence >= opt->min_confidence)) {
        res->status = ST_ALIGN_LOW_CONFIDENCE;
        st_align_note(res, "confidence %.3f below %g", res->confidence,
                      opt->min_confidence);
    }
    if (!(res->overlap_pct >= MIN_OVERLAP_PCT)) {
        res->status = ST_ALIGN_LOW_CONFIDENCE;
        st_align_note(res, "overlap %.1f%% below %g%%", res->overlap_pct,
                      MIN_OVERLAP_PCT);
    }
    if (!(isfinite(s) && s <= opt->max_scale * 1.05 &&
          s >= 1 / (opt->max_scale * 1.05) &&
          fabs(res->rotation_deg) <= opt->max_rotation_deg + 1)) {
        res->status = ST_ALIGN_LOW_CONFIDENCE;
        if (!isfinite(s))
            st_align_note(res, "the refined map turns the image over");
        else
            within_bounds(&res->transform, ref, opt, "refinement", res);
    }
    if (res->residual_tried >= 4 &&
        res->residual_patches < res->residual_tried / 4.0) {
        res->status = ST_ALIGN_LOW_CONFIDENCE;
        st_align_note(
            res,
            "only %d of %d patches in the overlap match (the residual "
            "needs a quarter)",
            res->residual_patches, res->residual_tried);
    }
    if (res->residual_p95_px > opt->max_residual_px) {
        res->status = ST_ALIGN_LOW_CONFIDENCE;
        st_align_note(res, "residual p95 %.2f px above %g px",
                      res->residual_p95_px, opt->max_residual_px);
    }
    if (res->status == ST_ALIGN_OK)
        res->note[0] = 0; /* a bound a rejected candidate ran into */
}

int st_align_fine_factor(double pixels)
{
    int f = 1;
    while (pixels / ((double)f * f) > FINE_MAX_PIXELS)
        f++;
    return f;
}

int st_align_reduction(int width, int height)
{
    double px = (double)width * (double)height;
    int f = st_align_fine_factor(px);
    if (f == 1) /* registered at full size, or from 1.5 MP on at half */
        return px >= HALF_MIN_PIXELS ? 2 : 1;
    for (int n = 8; n > 1; n /= 2)
        if (f % n == 0)
            return n;
    return 1;
}

void st_align_to_full(st_align_result *a, int n, int w, int h, int mw, int mh,
                      double max_residual_px)
{
    double k = (n - 1) / 2.0;
    st_transform up = {{n, 0, k, 0, n, k}}, down, tmp;
    st_transform_invert(&up, &down);
    st_transform_compose(&tmp, &a->transform, &down);
    st_transform_compose(&a->transform, &up, &tmp);
    st_transform_params(&a->transform, (w - 1) / 2.0, (h - 1) / 2.0, &a->dx,
                        &a->dy, &a->rotation_deg, &a->scale);
    a->overlap_pct = st_align_overlap(&a->transform, w, h, mw, mh);
    a->residual_px *= n;
    a->residual_p95_px *= n;
    if (a->residual_p95_px > max_residual_px) {
        if (a->status == ST_ALIGN_OK)
            a->note[0] = 0;
        a->status = ST_ALIGN_LOW_CONFIDENCE;
        st_align_note(a, "residual p95 %.2f px above %g px", a->residual_p95_px,
                      max_residual_px);
    }
}

#define MAX_LEVELS 12

/* The luminance pyramids of both images into pr, pm (*nlev levels): the
 * finest level, averaged over *f0 x *f0 blocks, under FINE_MAX_PIXELS,
 * each next one half the size, the coarsest with a side of at most
 * COARSE_MAX_SIDE (or the last with a side of 64 px or more). 0, or -1
 * when out of memory (the levels made so far stay in pr, pm). */
static int pyramid(const st_image *ref, const st_image *mov, plane *pr,
                   plane *pm, int *f0, int *nlev)
{
    double big = fmax((double)ref->width * ref->height,
                      (double)mov->width * mov->height);
    int n = 1;
    *f0 = 1;
    *f0 = st_align_fine_factor(big);
    *nlev = 1;
    if (luma_plane(ref, *f0, &pr[0]) || luma_plane(mov, *f0, &pm[0]))
        return -1;
    while (n < MAX_LEVELS &&
           fmax(fmax(pr[n - 1].w, pr[n - 1].h),
                fmax(pm[n - 1].w, pm[n - 1].h)) > COARSE_MAX_SIDE &&
           fmin(fmin(pr[n - 1].w, pr[n - 1].h),
                fmin(pm[n - 1].w, pm[n - 1].h)) >= 64) {
        if (half_plane(&pr[n - 1], &pr[n]) || half_plane(&pm[n - 1], &pm[n]))
            return -1;
        *nlev = ++n;
    }
    return 0;
}

/* Refines *full (the full-resolution transform) from the coarsest of the
 * nlev levels to the finest (factor f0) with the model's Gauss-Newton,
 * gain and offset starting at 1 and 0. Returns the iterations used, or
 * -1 when out of memory. */
static int refine_levels(const plane *pr, const plane *pm, int nlev, int f0,
                         const st_image *ref, st_align_model model,
                         int translation_only, st_transform *full)
{
    double gain = 1, bias = 0;
    int iters = 0;
    for (int l = nlev - 1; l >= 0; l--) {
        int f = f0 << l, maxit = l == nlev - 1 ? 40 : 15;
        double tol = l == 0 ? 0.002 : 0.01;
        /* the general models' finest iterations cost twice the
         * similarity's per sample: half the samples (docs/align.md) */
        double samples = l > 0                          ? 1.5e5
                         : model == ST_ALIGN_SIMILARITY ? 6e5
                                                        : 3e5;
        st_transform t;
        level L;
        to_level(full, f, &t);
        if (make_level(&pr[l], &pm[l], scale_of(full, ref), &L)) {
            free_level(&L);
            return -1;
        }
        if (model == ST_ALIGN_SIMILARITY)
            iters += refine(&L, &t, translation_only, maxit, tol, samples,
                            &gain, &bias);
        else
            iters += refine_general(&L, &t, model == ST_ALIGN_HOMOGRAPHY, maxit,
                                    tol, samples, &gain, &bias);
        to_full(&t, f, full);
        free_level(&L);
    }
    return iters;
}

/* The confidence of *full on the finest level of at most about a
 * megapixel: the band-pass there still holds pore-scale texture, at a
 * quarter of the cost. 0, or -1 when out of memory. */
static int confidence(const plane *pr, const plane *pm, int nlev, int f0,
                      const st_image *ref, const st_transform *full,
                      double *out)
{
    int lc = 0;
    st_transform t;
    level L;
    while (lc < nlev - 1 && (double)pr[lc].w * pr[lc].h > 1.2e6)
        lc++;
    to_level(full, f0 << lc, &t);
    if (make_level(&pr[lc], &pm[lc], scale_of(full, ref), &L)) {
        free_level(&L);
        return -1;
    }
    if (band_ncc(&L, &t, out)) {
        free_level(&L);
        return -1;
    }
    free_level(&L);
    return 0;
}

st_status st_align_estimate(const st_image *ref, const st_image *mov,
                            const st_align_options *opt, st_align_result *res,
                            st_error *err)
{
    st_align_options defaults;
    plane pr[MAX_LEVELS] = {{0}}, pm[MAX_LEVELS] = {{0}};
    st_transform t, full;
    int f0 = 1, nlev = 1, iters = 0, found = 0;
    st_align_model model = ST_ALIGN_SIMILARITY;
    st_status s = ST_OK;

    if (!ref || !mov || !res)
        return st_fail(err, ST_ERR_INVALID, "st_align_estimate: NULL argument");
    if (!opt) {
        st_align_options_init(&defaults);
        opt = &defaults;
    }
    if (ref->width < 16 || ref->height < 16 || mov->width < 16 ||
        mov->height < 16)
        return st_fail(err, ST_ERR_INVALID,
                       "images must be at least 16x16 px to align");
    memset(res, 0, sizeof *res);
    res->candidate = "none";

    if (pyramid(ref, mov, pr, pm, &f0, &nlev))
        goto nomem;

    /* candidate 1: SIFT matches */
    if (!opt->translation_only && !opt->no_features) {
        found =
            feature_candidate(&pr[0], &pm[0], f0, ref, opt, &full, &model, res);
        if (found < 0)
            goto nomem;
        if (found)
            res->candidate = "features";
    }
    /* candidate 2: Fourier-Mellin and phase correlation on the top level */
    if (!found) {
        s = initial_estimate(&pr[nlev - 1], &pm[nlev - 1], opt, &t, err);
        if (s)
            goto done;
        to_full(&t, f0 << (nlev - 1), &full);
        res->candidate = "fourier-mellin";
        model = opt->translation_only || opt->model == ST_ALIGN_AUTO
                    ? ST_ALIGN_SIMILARITY
                    : opt->model;
    }

    /* refinement, coarse to fine */
    if ((iters = refine_levels(pr, pm, nlev, f0, ref, model,
                               opt->translation_only, &full)) < 0 ||
        confidence(pr, pm, nlev, f0, ref, &full, &res->confidence))
        goto nomem;
    /* residual on the finest level */
    to_level(&full, f0, &t);
    if ((s = residual(&pr[0], &pm[0], &t, f0, scale_of(&full, ref), res, err)))
        goto done;

    res->transform = full;
    res->model = model;
    st_transform_params(&full, (ref->width - 1) / 2.0, (ref->height - 1) / 2.0,
                        &res->dx, &res->dy, &res->rotation_deg, &res->scale);
    res->overlap_pct = st_align_overlap(&full, ref->width, ref->height,
                                        mov->width, mov->height);
    res->iterations = iters;
    judge(res, opt, ref);
    goto done;

nomem:
    s = st_fail(err, ST_ERR_NOMEM, "out of memory (alignment)");
done:
    free_levels(pr, pm, MAX_LEVELS);
    return s;
}
