/* skintrack — geometric transforms and resampling.
 *
 *   st_transform_identity / _similarity / _params / _apply / _invert /
 *   _compose / _matrix       the reference -> moving homography (warp.h)
 *   st_warp_image            bicubic resampling with a coverage alpha
 *   st_warp_checkerboard     alignment check picture
 *
 * Interpolation: the Keys cubic convolution kernel with a = -0.5 (Keys
 * 1981, IEEE Trans. ASSP 29:1153), exact for quadratics, on the 4 x 4
 * neighbourhood; taps outside the image repeat the edge pixel.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/warp.h"

void st_transform_identity(st_transform *t)
{
    static const double id[8] = {1, 0, 0, 0, 1, 0, 0, 0};
    memcpy(t->m, id, sizeof id);
}

void st_transform_similarity(st_transform *t, double cx, double cy, double dx,
                             double dy, double rotation_deg, double scale)
{
    double a = rotation_deg * ST_PI / 180.0;
    double c = scale * cos(a), s = scale * sin(a);
    t->m[0] = c, t->m[1] = s;
    t->m[3] = -s, t->m[4] = c;
    t->m[2] = cx + dx - c * cx - s * cy;
    t->m[5] = cy + dy + s * cx - c * cy;
    t->m[6] = t->m[7] = 0;
}

void st_transform_params(const st_transform *t, double cx, double cy,
                         double *dx, double *dy, double *rotation_deg,
                         double *scale)
{
    const double *m = t->m;
    double w = m[6] * cx + m[7] * cy + 1;
    double X = (m[0] * cx + m[1] * cy + m[2]) / w;
    double Y = (m[3] * cx + m[4] * cy + m[5]) / w;
    /* Jacobian of the map at c */
    double j00 = (m[0] - m[6] * X) / w, j01 = (m[1] - m[7] * X) / w;
    double j10 = (m[3] - m[6] * Y) / w, j11 = (m[4] - m[7] * Y) / w;
    double det = j00 * j11 - j01 * j10;
    if (dx)
        *dx = X - cx;
    if (dy)
        *dy = Y - cy;
    if (rotation_deg)
        *rotation_deg = atan2(j01 - j10, j00 + j11) * 180.0 / ST_PI;
    if (scale)
        *scale = det > 0 ? 0.5 * hypot(j00 + j11, j01 - j10) : NAN;
}

void st_transform_apply(const st_transform *t, double x, double y, double *xo,
                        double *yo)
{
    double w = t->m[6] * x + t->m[7] * y + 1;
    *xo = (t->m[0] * x + t->m[1] * y + t->m[2]) / w;
    *yo = (t->m[3] * x + t->m[4] * y + t->m[5]) / w;
}

int st_transform_apply_checked(const st_transform *t, double x, double y,
                               double *xo, double *yo)
{
    if (!(t->m[6] * x + t->m[7] * y + 1 > 0))
        return -1;
    st_transform_apply(t, x, y, xo, yo);
    return 0;
}

int st_transform_is_projective(const st_transform *t)
{
    return t->m[6] != 0 || t->m[7] != 0;
}

void st_transform_matrix(const st_transform *t, double h[9])
{
    memcpy(h, t->m, 8 * sizeof *h);
    h[8] = 1;
}

/* h scaled to h22 = 1 into t; -1 if h22 is (nearly) 0 against the rest. */
static int from_matrix(const double h[9], st_transform *t)
{
    double big = 0;
    for (int i = 0; i < 9; i++)
        big = fmax(big, fabs(h[i]));
    if (!(fabs(h[8]) > 1e-12 * big))
        return -1;
    for (int i = 0; i < 8; i++)
        t->m[i] = h[i] / h[8];
    return 0;
}

int st_transform_invert(const st_transform *t, st_transform *inv)
{
    double h[9], a[9], det;
    st_transform_matrix(t, h);
    det = st_mat3_adjugate(h, a);
    if (!(fabs(det) > 1e-12))
        return -1;
    if (!st_transform_is_projective(t)) {
        /* affine: the same arithmetic as ever (a[8] = det) */
        inv->m[0] = h[4] / det;
        inv->m[1] = -h[1] / det;
        inv->m[3] = -h[3] / det;
        inv->m[4] = h[0] / det;
        inv->m[2] = -(inv->m[0] * h[2] + inv->m[1] * h[5]);
        inv->m[5] = -(inv->m[3] * h[2] + inv->m[4] * h[5]);
        inv->m[6] = inv->m[7] = 0;
        return 0;
    }
    return from_matrix(a, inv);
}

void st_transform_compose(st_transform *out, const st_transform *a,
                          const st_transform *b)
{
    double p[9], q[9], r[9];
    st_transform res;
    st_transform_matrix(a, p);
    st_transform_matrix(b, q);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            r[3 * i + j] = p[3 * i] * q[j] + p[3 * i + 1] * q[3 + j] +
                           p[3 * i + 2] * q[6 + j];
    if (from_matrix(r, &res))
        memcpy(res.m, r, sizeof res.m); /* h22 = 0: see warp.h */
    *out = res;
}

/* Keys kernel weights for fractional offset f in [0, 1). */
static void keys_weights(double f, double w[4])
{
    double f2 = f * f, f3 = f2 * f;
    w[0] = (-f3 + 2 * f2 - f) * 0.5;
    w[1] = (3 * f3 - 5 * f2 + 2) * 0.5;
    w[2] = (-3 * f3 + 4 * f2 + f) * 0.5;
    w[3] = (f3 - f2) * 0.5;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

st_status st_warp_image(st_image **out, const st_image *src_in,
                        const st_transform *t, int width, int height,
                        st_error *err)
{
    int cc = st_image_color_channels(src_in), sa = st_image_has_alpha(src_in);
    int oc = cc + 1;
    const st_image *src;
    st_image *copy;
    st_status s = st_image_as_float(src_in, &src, &copy, err);
    if (!s)
        s = st_image_new(out, width, height, oc, err);
    if (s) {
        st_image_free(copy);
        return s;
    }
    for (int y = 0; y < height; y++) {
        float *d = st_image_pixel(*out, 0, y);
        for (int x = 0; x < width; x++, d += oc) {
            double u, v, wx[4], wy[4], acc[5] = {0};
            int iu, iv;
            if (st_transform_apply_checked(t, x, y, &u, &v) ||
                !(u >= -1e-6 && v >= -1e-6 && u <= src->width - 1 + 1e-6 &&
                  v <= src->height - 1 + 1e-6))
                continue; /* transparent black */
            iu = (int)floor(u);
            iv = (int)floor(v);
            keys_weights(u - iu, wx);
            keys_weights(v - iv, wy);
            for (int j = 0; j < 4; j++) {
                int yy = clampi(iv - 1 + j, 0, src->height - 1);
                for (int i = 0; i < 4; i++) {
                    int xx = clampi(iu - 1 + i, 0, src->width - 1);
                    const float *p = st_image_pixel(src, xx, yy);
                    double w = wx[i] * wy[j];
                    for (int c = 0; c < src->channels; c++)
                        acc[c] += w * p[c];
                }
            }
            for (int c = 0; c < cc; c++)
                d[c] = (float)(acc[c] < 0 ? 0 : acc[c] > 1 ? 1 : acc[c]);
            d[cc] = sa ? (float)(acc[cc] < 0   ? 0
                                 : acc[cc] > 1 ? 1
                                               : acc[cc])
                       : 1.0f;
        }
    }
    st_image_free(copy);
    return ST_OK;
}

st_status st_warp_checkerboard(st_image **out, const st_image *ref_in,
                               const st_image *aligned_in, int tile,
                               st_error *err)
{
    int ac = aligned_in->channels;
    const st_image *ref, *aligned;
    st_image *c1 = NULL, *c2 = NULL;
    st_status s;

    if (tile < 1 || ref_in->width != aligned_in->width ||
        ref_in->height != aligned_in->height)
        return st_fail(err, ST_ERR_INVALID,
                       "checkerboard: images of different sizes");
    if (!(s = st_image_as_float(ref_in, &ref, &c1, err)) &&
        !(s = st_image_as_float(aligned_in, &aligned, &c2, err)))
        s = st_image_new(out, ref->width, ref->height, 3, err);
    if (s) {
        st_image_free(c1);
        st_image_free(c2);
        return s;
    }
    for (int y = 0; y < ref->height; y++)
        for (int x = 0; x < ref->width; x++) {
            const float *r = st_image_pixel(ref, x, y);
            const float *a = st_image_pixel(aligned, x, y);
            float *d = st_image_pixel(*out, x, y);
            float alpha = st_image_has_alpha(aligned) ? a[ac - 1] : 1.0f;
            int use_aligned = ((x / tile) + (y / tile)) % 2 == 1;
            for (int c = 0; c < 3; c++) {
                float rv = ref->channels >= 3 ? r[c] : r[0];
                float av = ac >= 3 ? a[c] : a[0];
                if (alpha < 0.5f)
                    d[c] = 0.5f * rv;
                else
                    d[c] = use_aligned ? av : rv;
            }
        }
    st_image_free(c1);
    st_image_free(c2);
    return ST_OK;
}
