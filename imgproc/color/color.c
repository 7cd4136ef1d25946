/* skintrack — colour encodings.
 *
 *   st_color_srgb_to_linear   IEC 61966-2-1 decode
 *   st_color_linear_to_srgb   IEC 61966-2-1 encode
 *   st_color_srgb_to_lab      sRGB -> CIELAB (D65, 2°)
 *   st_color_linear_to_lab    linear sRGB -> CIELAB
 *   st_color_wb_gains         white-balance gains (none, grey world, card)
 *   st_lab_planes_new/_free   CIELAB planes of a region
 *
 * Constants: IEC 61966-2-1:1999 for the transfer curve and the linear
 * sRGB -> XYZ matrix; CIE 15:2004 for L*a*b* with the D65 white
 * (0.95047, 1, 1.08883). The same constants as scikit-image's rgb2lab, which
 * the tests use as a published cross-check.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "skintrack/color.h"

float st_srgb_lut[ST_SRGB_LUT_N + 2];
float st_srgb_lin8[256];
#define lin8 st_srgb_lin8
/* lin8 in units of 2^-35, when every entry is a whole number of them
 * (lin8_fix_ok): lin8[1] is above 2^-12 and all are at most 1, so each
 * float is a multiple of 2^-35 below 2^35 of them. Then a row's sum of up
 * to 2^17 entries, and every partial sum, is exact in a double (under
 * 2^52 units) in any order, and an integer sum gives the same double. */
#define LIN8_FIX_BITS    35
#define LIN8_FIX_MAX_ROW (1 << 17)
static uint64_t lin8_fix[256];
static int lin8_fix_ok;
#if defined(__GNUC__) && defined(__x86_64__)
#define LAB_F_AVX2 1
#endif
static int use_avx2; /* lab_f_rows may use AVX2 */

static void make_tables(void)
{
    for (int i = 0; i <= ST_SRGB_LUT_N; i++)
        st_srgb_lut[i] =
            (float)st_color_srgb_to_linear((double)i / ST_SRGB_LUT_N);
    st_srgb_lut[ST_SRGB_LUT_N + 1] = st_srgb_lut[ST_SRGB_LUT_N];
#ifdef LAB_F_AVX2
    __builtin_cpu_init();
    use_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
    lin8_fix_ok = 1;
    for (int i = 0; i < 256; i++) {
        double v;
        lin8[i] = st_srgb_linear_fast((float)i / 255.0f);
        v = ldexp(lin8[i], LIN8_FIX_BITS);
        lin8_fix[i] = v >= 0 && v <= ldexp(1, LIN8_FIX_BITS) ? (uint64_t)v : 0;
        lin8_fix_ok &= (double)lin8_fix[i] == v;
    }
}

void st_color_tables_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_tables);
}

/* CIE 15 f(t) in float, for the per-pixel paths. */
static inline float lab_f_fast(float t)
{
    const float d3 = (float)(216.0 / 24389.0), k = (float)(24389.0 / 3132.0);
    float c = st_cbrt_fast(t > d3 ? t : d3), l = t * k + 4.0f / 29.0f;
    return t > d3 ? c : l;
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3.0 * d * d) + 4.0 / 29.0;
}

void st_color_srgb_to_lab(const double rgb[3], double lab[3])
{
    double lin[3] = {st_color_srgb_to_linear(rgb[0]),
                     st_color_srgb_to_linear(rgb[1]),
                     st_color_srgb_to_linear(rgb[2])};
    st_color_linear_to_lab(lin, lab);
}

void st_color_linear_to_lab(const double rgb[3], double lab[3])
{
    double r = rgb[0], g = rgb[1], b = rgb[2];
    double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    double fx = lab_f(x / 0.95047), fy = lab_f(y), fz = lab_f(z / 1.08883);

    lab[0] = 116.0 * fy - 16.0;
    lab[1] = 500.0 * (fx - fy);
    lab[2] = 200.0 * (fy - fz);
}

static double luminance(const double rgb[3])
{
    return 0.2126729 * rgb[0] + 0.7151522 * rgb[1] + 0.0721750 * rgb[2];
}

/* Mean linear R, G, B of img over reg (NULL: everywhere) or a rectangle. */
static size_t linear_mean(const st_image *img, const st_region *reg, int x0,
                          int y0, int x1, int y1, double mean[3])
{
    int cc = st_image_color_channels(img), ch = img->channels;
    size_t n = 0;
    st_color_tables_init();
    mean[0] = mean[1] = mean[2] = 0;
    for (int y = y0; y < y1; y++) {
        const uint8_t *m =
            reg ? reg->mask + (size_t)y * (size_t)reg->width : NULL;
        double row[3] = {0, 0, 0}; /* per row: float sums stay exact enough */
        for (int xs = x0; xs < x1; xs += 256) { /* 256 px at a time */
            float buf[256 * 4];
            int xe = x1 - xs < 256 ? x1 : xs + 256;
            const float *p = st_image_row(img, xs, y, xe - xs, buf);
            for (int x = xs; x < xe; x++, p += ch) {
                if (m && !m[x])
                    continue;
                for (int c = 0; c < 3; c++)
                    row[c] += st_srgb_linear_fast(p[cc == 3 ? c : 0]);
                n++;
            }
        }
        for (int c = 0; c < 3; c++)
            mean[c] += row[c];
    }
    for (int c = 0; c < 3 && n; c++)
        mean[c] /= (double)n;
    return n;
}

st_status st_color_wb_gains(const st_image *img, const st_region *reg,
                            const st_white_balance *wb, double gains[3],
                            st_error *err)
{
    double mean[3], target;
    gains[0] = gains[1] = gains[2] = 1;
    if (!wb || (wb->mode != ST_WB_PATCH && wb->mode != ST_WB_GRAYWORLD))
        return ST_OK;
    if (wb->mode == ST_WB_PATCH) {
        if (wb->w <= 0 || wb->h <= 0 || wb->x < 0 || wb->y < 0 ||
            wb->x > img->width - wb->w || wb->y > img->height - wb->h)
            return st_fail(err, ST_ERR_INVALID,
                           "white-balance patch %d,%d,%d,%d does not lie "
                           "inside the %dx%d image",
                           wb->x, wb->y, wb->w, wb->h, img->width, img->height);
        linear_mean(img, NULL, wb->x, wb->y, wb->x + wb->w, wb->y + wb->h,
                    mean);
        target = wb->reflectance > 0 ? wb->reflectance : 0.18;
    } else {
        if (!linear_mean(img, reg, 0, 0, img->width, img->height, mean))
            return st_fail(err, ST_ERR_INVALID, "empty region");
        target = luminance(mean);
    }
    for (int c = 0; c < 3; c++) {
        if (!(mean[c] > 1e-6))
            return st_fail(err, ST_ERR_INVALID,
                           "white balance: the %s has no %s light",
                           wb->mode == ST_WB_PATCH ? "patch" : "region",
                           c == 0   ? "red"
                           : c == 1 ? "green"
                                    : "blue");
        gains[c] = target / mean[c];
    }
    return ST_OK;
}

void st_l_plane_free(st_l_plane *p)
{
    if (!p)
        return;
    st_free_large(p->L);
    free(p);
}

st_l_plane st_lab_planes_l(st_lab_planes *p)
{
    st_l_plane v;
    v.width = p->width;
    v.height = p->height;
    v.L = p->L;
    memcpy(v.linear_mean, p->linear_mean, sizeof v.linear_mean);
    return v;
}

void st_lab_planes_free(st_lab_planes *p)
{
    if (!p)
        return;
    free(p->L);
    free(p->a);
    free(p->b);
    free(p);
}

/* The row converter behind st_lab_planes_new and the metrics' streaming
 * colour pass: CIELAB of a region's box, row by row, with the linear
 * means of the region. */
void st_color_diag(double m[9], const double gains[3])
{
    for (int k = 0; k < 9; k++)
        m[k] = k % 4 ? 0 : gains ? gains[k / 4] : 1;
}

st_status st_lab_rows_init(st_lab_rows *c, const st_image *img,
                           const st_region *reg, const double corr[9],
                           st_error *err)
{
    /* linear sRGB -> XYZ over the white, rows X, Y, Z */
    static const double xyz[9] = {
        0.4124564 / 0.95047, 0.3575761 / 0.95047, 0.1804375 / 0.95047,
        0.2126729,           0.7151522,           0.0721750,
        0.0193339 / 1.08883, 0.1191920 / 1.08883, 0.9503041 / 1.08883};
    int cc = st_image_color_channels(img);
    size_t bw;

    memset(c, 0, sizeof *c);
    if (reg && (reg->width != img->width || reg->height != img->height))
        return st_fail(err, ST_ERR_INVALID,
                       "region is %dx%d but the image is %dx%d", reg->width,
                       reg->height, img->width, img->height);
    if (corr)
        memcpy(c->corr, corr, sizeof c->corr);
    else
        st_color_diag(c->corr, NULL);
    st_color_tables_init();
    c->img = img, c->reg = reg;
    c->x0 = reg ? reg->x0 : 0, c->x1 = reg ? reg->x1 : img->width;
    c->y0 = reg ? reg->y0 : 0, c->y1 = reg ? reg->y1 : img->height;
    /* the XYZ matrix times the correction, in float; with a diagonal
     * correction each entry is (float)xyz * (float)gain, as it always was
     * (the other terms add exact zeros) */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            float v = 0.0f;
            for (int k = 0; k < 3; k++)
                v += (float)xyz[3 * i + k] * (float)c->corr[3 * k + j];
            c->m[3 * i + j] = v;
        }
    c->o1 = cc == 3 ? 1 : 0, c->o2 = cc == 3 ? 2 : 0;
    bw = (size_t)(c->x1 - c->x0 > 0 ? c->x1 - c->x0 : 1);
    c->buf = malloc(3 * bw * sizeof *c->buf);
    if (!c->buf)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (CIELAB planes)");
    return ST_OK;
}

void st_lab_rows_free(st_lab_rows *c)
{
    free(c->buf);
    c->buf = NULL;
}

/* L*, a*, b* from the rows of f(X), f(Y), f(Z); 0 where m is 0. Each
 * output is its own branch-free loop, so all three vectorise. */
static void lab_out_masked(float *restrict L, float *restrict A,
                           float *restrict B, const float *restrict fx,
                           const float *restrict fy, const float *restrict fz,
                           const uint8_t *restrict m, int n)
{
    for (int k = 0; k < n; k++) {
        float v = 116.0f * fy[k] - 16.0f;
        L[k] = m[k] ? v : 0.0f;
    }
    for (int k = 0; k < n; k++) {
        float v = 500.0f * (fx[k] - fy[k]);
        A[k] = m[k] ? v : 0.0f;
    }
    for (int k = 0; k < n; k++) {
        float v = 200.0f * (fy[k] - fz[k]);
        B[k] = m[k] ? v : 0.0f;
    }
}

/* lab_f_fast of v[0 .. n), in place. On x86-64 processors with AVX2 the
 * same loop is compiled for 8-wide vectors as well (no FMA: every
 * operation and its rounding is the same, so are the numbers). */
#ifdef LAB_F_AVX2
__attribute__((target("avx2"))) static void lab_f_rows_avx2(float *v, int n)
{
    for (int k = 0; k < n; k++)
        v[k] = lab_f_fast(v[k]);
}
#endif

int st_color_set_avx2(int on)
{
    int was;
    st_color_tables_init();
    was = use_avx2;
#ifdef LAB_F_AVX2
    use_avx2 = on && __builtin_cpu_supports("avx2");
#else
    (void)on;
#endif
    return was;
}

static void lab_f_rows(float *v, int n)
{
#ifdef LAB_F_AVX2
    if (use_avx2) {
        lab_f_rows_avx2(v, n);
        return;
    }
#endif
    for (int k = 0; k < n; k++)
        v[k] = lab_f_fast(v[k]);
}

/* The first loop of st_lab_rows_convert for an 8-bit row of n pixels
 * (q, ch bytes apart; m the mask or NULL) when lin8_fix_ok: XYZ into
 * bx, by, bz and the linear sums in integers (the same doubles, see
 * lin8_fix), so no chain of double additions holds the loop up. */
static void rows8_xyz(const st_lab_rows *c, const uint8_t *q, int ch,
                      const uint8_t *m, int n, float *bx, float *by, float *bz,
                      double sum[3], size_t *count)
{
    const int o1 = c->o1, o2 = c->o2;
    const float xr = c->m[0], xg = c->m[1], xb = c->m[2];
    const float yr = c->m[3], yg = c->m[4], yb = c->m[5];
    const float zr = c->m[6], zg = c->m[7], zb = c->m[8];
    uint64_t ir = 0, ig = 0, ib = 0;
    size_t cnt = 0;
    for (int k = 0; k < n; k++) {
        const uint8_t *p = q + (size_t)k * (size_t)ch;
        float r, g, b;
        if (m && !m[k]) {
            bx[k] = by[k] = bz[k] = 0;
            continue;
        }
        r = lin8[p[0]], g = lin8[p[o1]], b = lin8[p[o2]];
        ir += lin8_fix[p[0]], ig += lin8_fix[p[o1]], ib += lin8_fix[p[o2]];
        bx[k] = xr * r + xg * g + xb * b;
        by[k] = yr * r + yg * g + yb * b;
        bz[k] = zr * r + zg * g + zb * b;
        cnt++;
    }
    sum[0] = ldexp((double)ir, -LIN8_FIX_BITS);
    sum[1] = ldexp((double)ig, -LIN8_FIX_BITS);
    sum[2] = ldexp((double)ib, -LIN8_FIX_BITS);
    *count += cnt;
}

/* The first loop of st_lab_rows_convert in general (float rows, or
 * 8-bit ones without lin8_fix): the same outputs as rows8_xyz, the sums
 * added in x order. */
static void rows_xyz(const st_lab_rows *c, const float *px, const uint8_t *q,
                     int ch, const uint8_t *m, int n, float *bx, float *by,
                     float *bz, double sum[3], size_t *count)
{
    const int o1 = c->o1, o2 = c->o2;
    const float xr = c->m[0], xg = c->m[1], xb = c->m[2];
    const float yr = c->m[3], yg = c->m[4], yb = c->m[5];
    const float zr = c->m[6], zg = c->m[7], zb = c->m[8];
    double sr = 0, sg = 0, sb = 0;
    size_t cnt = 0;
    for (int k = 0; k < n; k++) {
        float r, g, b;
        size_t j = (size_t)k * (size_t)ch;
        if (m && !m[k]) {
            bx[k] = by[k] = bz[k] = 0;
            continue;
        }
        if (q) {
            r = lin8[q[j]], g = lin8[q[j + o1]], b = lin8[q[j + o2]];
        } else {
            r = st_srgb_linear_fast(px[j]);
            g = st_srgb_linear_fast(px[j + o1]);
            b = st_srgb_linear_fast(px[j + o2]);
        }
        sr += r, sg += g, sb += b;
        bx[k] = xr * r + xg * g + xb * b;
        by[k] = yr * r + yg * g + yb * b;
        bz[k] = zr * r + zg * g + zb * b;
        cnt++;
    }
    sum[0] = sr, sum[1] = sg, sum[2] = sb;
    *count += cnt;
}

void st_lab_rows_convert(st_lab_rows *c, int y, float *L, float *A, float *B)
{
    const st_image *img = c->img;
    const int ch = img->channels, x0 = c->x0, nx = c->x1 - x0;
    size_t i0 = (size_t)y * (size_t)img->width;
    /* one of px (float) and q (8-bit) */
    const float *px = img->data ? st_image_pixel(img, x0, y) : NULL;
    const uint8_t *q = img->data ? NULL : st_image_pixel8(img, x0, y);
    const uint8_t *m = c->reg ? c->reg->mask + i0 + x0 : NULL;
    float *bx = c->buf, *by = c->buf + nx, *bz = by + nx;
    double sum[3];
    /* decode by table and the matrix (scalar: table reads) */
    if (q && lin8_fix_ok && nx <= LIN8_FIX_MAX_ROW)
        rows8_xyz(c, q, ch, m, nx, bx, by, bz, sum, &c->count);
    else
        rows_xyz(c, px, q, ch, m, nx, bx, by, bz, sum, &c->count);
    /* CIE 15 f() on all three rows at once (vectorises) */
    lab_f_rows(c->buf, 3 * nx);
    if (m)
        lab_out_masked(L, A, B, bx, by, bz, m, nx);
    else
        for (int k = 0; k < nx; k++) {
            L[k] = 116.0f * by[k] - 16.0f;
            A[k] = 500.0f * (bx[k] - by[k]);
            B[k] = 200.0f * (by[k] - bz[k]);
        }
    for (int k = 0; k < 3; k++)
        c->lin[k] += sum[0] * c->corr[3 * k] + sum[1] * c->corr[3 * k + 1] +
                     sum[2] * c->corr[3 * k + 2];
}

void st_lab_rows_means(const st_lab_rows *c, double mean[3])
{
    for (int k = 0; k < 3; k++)
        mean[k] = c->count ? c->lin[k] / (double)c->count : 0;
}

st_status st_lab_planes_new(st_lab_planes **out, const st_image *img,
                            const st_region *reg, const double gains[3],
                            st_error *err)
{
    double corr[9];
    st_color_diag(corr, gains);
    return st_lab_planes_new_corrected(out, img, reg, corr, err);
}

st_status st_lab_planes_new_corrected(st_lab_planes **out, const st_image *img,
                                      const st_region *reg,
                                      const double corr[9], st_error *err)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    st_lab_rows c;
    st_lab_planes *p;
    st_status s;

    *out = NULL;
    if ((s = st_lab_rows_init(&c, img, reg, corr, err)))
        return s;
    p = calloc(1, sizeof *p);
    if (p) {
        p->L = calloc(n, sizeof *p->L);
        p->a = calloc(n, sizeof *p->a);
        p->b = calloc(n, sizeof *p->b);
    }
    if (!p || !p->L || !p->a || !p->b) {
        st_lab_planes_free(p);
        st_lab_rows_free(&c);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (CIELAB planes)");
    }
    p->width = img->width;
    p->height = img->height;
    for (int y = c.y0; y < c.y1; y++) {
        size_t i = (size_t)y * (size_t)img->width + (size_t)c.x0;
        st_lab_rows_convert(&c, y, p->L + i, p->a + i, p->b + i);
    }
    st_lab_rows_means(&c, p->linear_mean);
    st_lab_rows_free(&c);
    *out = p;
    return ST_OK;
}
