/* skintrack — geometric transforms and resampling.
 *
 *   st_transform_identity / _similarity / _params / _apply / _invert /
 *   _compose                 the reference -> moving matrix (see warp.h)
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

#include "internal.h"
#include "skintrack/warp.h"

void st_transform_identity(st_transform *t)
{
    static const double id[6] = {1, 0, 0, 0, 1, 0};
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
}

void st_transform_params(const st_transform *t, double cx, double cy,
                         double *dx, double *dy, double *rotation_deg,
                         double *scale)
{
    const double *m = t->m;
    double det = m[0] * m[4] - m[1] * m[3];
    if (dx)
        *dx = m[0] * cx + m[1] * cy + m[2] - cx;
    if (dy)
        *dy = m[3] * cx + m[4] * cy + m[5] - cy;
    if (rotation_deg)
        *rotation_deg = atan2(m[1] - m[3], m[0] + m[4]) * 180.0 / ST_PI;
    if (scale)
        *scale = det > 0 ? sqrt(det) : NAN;
}

void st_transform_apply(const st_transform *t, double x, double y, double *xo,
                        double *yo)
{
    *xo = t->m[0] * x + t->m[1] * y + t->m[2];
    *yo = t->m[3] * x + t->m[4] * y + t->m[5];
}

int st_transform_invert(const st_transform *t, st_transform *inv)
{
    const double *m = t->m;
    double det = m[0] * m[4] - m[1] * m[3];
    if (!(fabs(det) > 1e-12))
        return -1;
    inv->m[0] = m[4] / det;
    inv->m[1] = -m[1] / det;
    inv->m[3] = -m[3] / det;
    inv->m[4] = m[0] / det;
    inv->m[2] = -(inv->m[0] * m[2] + inv->m[1] * m[5]);
    inv->m[5] = -(inv->m[3] * m[2] + inv->m[4] * m[5]);
    return 0;
}

void st_transform_compose(st_transform *out, const st_transform *a,
                          const st_transform *b)
{
    const double *p = a->m, *q = b->m;
    st_transform r;
    r.m[0] = p[0] * q[0] + p[1] * q[3];
    r.m[1] = p[0] * q[1] + p[1] * q[4];
    r.m[2] = p[0] * q[2] + p[1] * q[5] + p[2];
    r.m[3] = p[3] * q[0] + p[4] * q[3];
    r.m[4] = p[3] * q[1] + p[4] * q[4];
    r.m[5] = p[3] * q[2] + p[4] * q[5] + p[5];
    *out = r;
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
            st_transform_apply(t, x, y, &u, &v);
            if (!(u >= -1e-6 && v >= -1e-6 && u <= src->width - 1 + 1e-6 &&
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
