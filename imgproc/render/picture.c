/* skintrack — the pictures of a report (include/skintrack/picture.h).
 *
 *   st_frame_of_box / st_frame_xy   display frames over the reference
 *   st_picture_render               resampling through a registration
 *   st_picture_mask                 a region under a frame
 *   st_picture_astar                a* of a rendered picture
 *   st_picture_astar_difference     photo a* minus baseline a*, smoothed
 *   st_picture_diverging            a difference plane in colour
 *   st_picture_texture              the texture band-pass under a frame
 *   st_ramp_diverging               the blue-white-red ramp
 *
 * Pictures are drawn at display size only: a photo is averaged over
 * blocks of about one output pixel (a box filter, so fine skin texture
 * does not alias into the thumbnail) and sampled bilinearly. a* is CIE
 * 1976 L*a*b* (D65) of the picture's sRGB values after the photo's
 * white-balance gains, as the metrics measure it (st_color_linear_to_lab);
 * a difference map is the mean of the per-pixel difference over a 5 x 5
 * box of the pixels both photos show, so a uniform change keeps its value
 * and its sign. The texture picture is st_texture_bandpass, the plane
 * whose RMS roughness_rms reports.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/color.h"
#include "skintrack/picture.h"
#include "skintrack/texture.h"

void st_frame_of_box(st_frame *f, int x0, int y0, int x1, int y1, int side)
{
    int bw = x1 - x0, bh = y1 - y0, big = bw > bh ? bw : bh;
    f->step = big > side ? (double)big / side : 1;
    f->w = (int)ceil(bw / f->step);
    f->h = (int)ceil(bh / f->step);
    f->ox = x0;
    f->oy = y0;
}

void st_frame_xy(const st_frame *f, int u, int v, double *x, double *y)
{
    *x = f->ox + (u + 0.5) * f->step - 0.5;
    *y = f->oy + (v + 0.5) * f->step - 0.5;
}

/* Sample c of pixel (x, y), of a float or an 8-bit photo. */
static float sample(const st_image *img, int x, int y, int c)
{
    return img->data ? st_image_pixel(img, x, y)[c]
                     : st_image_pixel8(img, x, y)[c] / 255.0f;
}

/* RGB of img averaged over k x k blocks (k >= 1). */
static st_status shrink(st_image **out, const st_image *img, int k,
                        st_error *err)
{
    int w = (img->width + k - 1) / k, h = (img->height + k - 1) / k;
    int cc = st_image_color_channels(img);
    st_status s = st_image_new(out, w, h, 3, err);
    if (s)
        return s;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc[3] = {0, 0, 0}, n = 0;
            for (int yy = y * k; yy < (y + 1) * k && yy < img->height; yy++)
                for (int xx = x * k; xx < (x + 1) * k && xx < img->width;
                     xx++) {
                    for (int c = 0; c < 3; c++)
                        acc[c] += sample(img, xx, yy, cc >= 3 ? c : 0);
                    n++;
                }
            for (int c = 0; c < 3; c++)
                st_image_pixel(*out, x, y)[c] = (float)(acc[c] / n);
        }
    return ST_OK;
}

/* Bilinear sample of the colour channels (1 or 3) of img at (x, y) into
 * v, edges clamped; 0 (v untouched) when (x, y) is off the image. */
static int bilinear(const st_image *img, double x, double y, float *v)
{
    int x0 = (int)floor(x), y0 = (int)floor(y);
    double fx = x - x0, fy = y - y0;
    if (x < -0.5 || y < -0.5 || x > img->width - 0.5 || y > img->height - 0.5)
        return 0;
    for (int c = 0; c < st_image_color_channels(img); c++) {
        double acc = 0;
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++) {
                int xx = x0 + i, yy = y0 + j;
                double wgt = (i ? fx : 1 - fx) * (j ? fy : 1 - fy);
                xx = xx < 0 ? 0 : xx >= img->width ? img->width - 1 : xx;
                yy = yy < 0 ? 0 : yy >= img->height ? img->height - 1 : yy;
                acc += wgt * st_image_pixel(img, xx, yy)[c];
            }
        v[c] = (float)acc;
    }
    return 1;
}

st_status st_picture_render(st_image **out, const st_image *photo,
                            const st_transform *t, double scale,
                            const st_frame *f, uint8_t *inside, st_error *err)
{
    int k = (int)floor(f->step * scale);
    st_image *src = NULL;
    st_status s;
    k = k > 1 ? k : 1;
    *out = NULL;
    if ((s = shrink(&src, photo, k, err)) ||
        (s = st_image_new(out, f->w, f->h, 3, err))) {
        st_image_free(src);
        return s;
    }
    for (int v = 0; v < f->h; v++)
        for (int u = 0; u < f->w; u++) {
            double x, y, xp, yp;
            float *o = st_image_pixel(*out, u, v);
            int in;
            st_frame_xy(f, u, v, &x, &y);
            /* behind a homography's horizon: not in the photo */
            in = !st_transform_apply_checked(t, x, y, &xp, &yp) &&
                 bilinear(src, (xp + 0.5) / k - 0.5, (yp + 0.5) / k - 0.5, o);
            if (!in)
                o[0] = o[1] = o[2] = 0.35f;
            if (inside)
                inside[(size_t)v * f->w + u] = (uint8_t)in;
        }
    st_image_free(src);
    return ST_OK;
}

st_status st_picture_mask(uint8_t **out, const st_region *reg,
                          const st_frame *f, st_error *err)
{
    uint8_t *m = malloc((size_t)f->w * f->h);
    *out = NULL;
    if (!m)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            double bx, by;
            int ix, iy;
            st_frame_xy(f, x, y, &bx, &by);
            ix = (int)lround(bx), iy = (int)lround(by);
            m[(size_t)y * f->w + x] = ix >= 0 && iy >= 0 && ix < reg->width &&
                                      iy < reg->height &&
                                      reg->mask[(size_t)iy * reg->width + ix];
        }
    *out = m;
    return ST_OK;
}

st_status st_picture_astar(float **out, const st_image *img,
                           const uint8_t *inside, const double gains[3],
                           st_error *err)
{
    size_t n = (size_t)img->width * img->height;
    float *a = malloc(n * sizeof *a);
    *out = NULL;
    if (!a)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const float *p =
            st_image_pixel(img, (int)(i % img->width), (int)(i / img->width));
        double lin[3], lab[3];
        if (!inside[i]) {
            a[i] = NAN;
            continue;
        }
        for (int c = 0; c < 3; c++)
            lin[c] = st_color_srgb_to_linear(p[c]) * gains[c];
        st_color_linear_to_lab(lin, lab);
        a[i] = (float)lab[1];
    }
    *out = a;
    return ST_OK;
}

st_status st_picture_astar_difference(double **out, const float *a,
                                      const float *base, const uint8_t *common,
                                      int w, int h, int radius, st_error *err)
{
    size_t n = (size_t)w * h;
    float *d = malloc((n ? n : 1) * sizeof *d);
    uint8_t *ok = malloc(n ? n : 1);
    double *m = malloc((n ? n : 1) * sizeof *m);
    *out = NULL;
    if (!d || !ok || !m) {
        free(d), free(ok), free(m);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        ok[i] = common[i] && isfinite(a[i]) && isfinite(base[i]);
        d[i] = ok[i] ? a[i] - base[i] : 0;
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double s = 0, c = 0;
            if (!ok[(size_t)y * w + x]) {
                m[(size_t)y * w + x] = NAN;
                continue;
            }
            for (int yy = y - radius; yy <= y + radius; yy++)
                for (int xx = x - radius; xx <= x + radius; xx++)
                    if (xx >= 0 && yy >= 0 && xx < w && yy < h &&
                        ok[(size_t)yy * w + xx])
                        s += d[(size_t)yy * w + xx], c++;
            m[(size_t)y * w + x] = s / c;
        }
    free(d);
    free(ok);
    *out = m;
    return ST_OK;
}

void st_ramp_diverging(double t, float rgb[3])
{
    static const float lo[3] = {33, 102, 172}, mid[3] = {247, 247, 247},
                       hi[3] = {178, 24, 43};
    t = t < -1 ? -1 : t > 1 ? 1 : t;
    for (int c = 0; c < 3; c++)
        rgb[c] = (t < 0 ? mid[c] + (float)-t * (lo[c] - mid[c])
                        : mid[c] + (float)t * (hi[c] - mid[c])) /
                 255.0f;
}

st_status st_picture_diverging(st_image **out, const double *d, int w, int h,
                               double range, st_error *err)
{
    st_status s = st_image_new(out, w, h, 3, err);
    if (s)
        return s;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *o = st_image_pixel(*out, x, y);
            double v = d[(size_t)y * w + x];
            if (isnan(v))
                o[0] = o[1] = o[2] = 0.55f;
            else
                st_ramp_diverging(v / range, o);
        }
    return ST_OK;
}

/* The crop of the photo (and of reg) around frame f seen through t, with
 * margin photo px: [*cx0, *cx0 + w) x ...; NULL when under 32 px a side. */
static st_status texture_crop(const st_image *ph, const st_region *reg,
                              const st_transform *t, const st_frame *f,
                              double margin, st_image **crop, st_region **creg,
                              int *cx0, int *cy0, st_error *err)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    int cx1, cy1, cw, ch, cc = st_image_color_channels(ph);
    st_status s;
    *crop = NULL;
    *creg = NULL;
    for (int k = 0; k < 4; k++) {
        double x = f->ox + (k & 1 ? f->w * f->step : 0) - 0.5, xs, ys;
        double y = f->oy + (k & 2 ? f->h * f->step : 0) - 0.5;
        st_transform_apply(t, x, y, &xs, &ys);
        x0 = fmin(x0, xs), x1 = fmax(x1, xs);
        y0 = fmin(y0, ys), y1 = fmax(y1, ys);
    }
    *cx0 = (int)fmax(0, floor(x0 - margin));
    *cy0 = (int)fmax(0, floor(y0 - margin));
    cx1 = (int)fmin(ph->width, ceil(x1 + margin));
    cy1 = (int)fmin(ph->height, ceil(y1 + margin));
    cw = cx1 - *cx0, ch = cy1 - *cy0;
    if (cw < 32 || ch < 32)
        return ST_OK;
    if ((s = st_image_new(crop, cw, ch, 3, err)) ||
        (s = st_region_full(creg, cw, ch, err))) {
        st_image_free(*crop);
        *crop = NULL;
        return s;
    }
    for (int y = 0; y < ch; y++)
        for (int x = 0; x < cw; x++) {
            float *o = st_image_pixel(*crop, x, y);
            for (int c = 0; c < 3; c++)
                o[c] = sample(ph, x + *cx0, y + *cy0, cc >= 3 ? c : 0);
            (*creg)->mask[(size_t)y * cw + x] =
                reg->mask[(size_t)(y + *cy0) * ph->width + x + *cx0];
        }
    st_region_update(*creg);
    return ST_OK;
}

/* The band-passed plane bp of the crop (cw x ch at cx0, cy0; reg its
 * region) sampled under frame f through t into grey out. */
static void texture_sample(st_image *out, const float *bp, const st_region *reg,
                           int cx0, int cy0, const st_transform *t,
                           const st_frame *f, double range)
{
    int cw = reg->width, ch = reg->height;
    st_image plane = {cw, ch, 1, (size_t)cw, (float *)bp}; /* a view of bp */
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            double bx, by, px, py, g = 0.18;
            int ix, iy;
            st_frame_xy(f, x, y, &bx, &by);
            st_transform_apply(t, bx, by, &px, &py);
            ix = (int)lround(px) - cx0;
            iy = (int)lround(py) - cy0;
            if (ix >= 0 && iy >= 0 && ix < cw && iy < ch &&
                reg->mask[(size_t)iy * cw + ix]) {
                float acc = 0;
                bilinear(&plane, px - cx0, py - cy0, &acc);
                g = 0.5 + 0.5 * acc / range;
                g = g < 0 ? 0 : g > 1 ? 1 : g;
            }
            st_image_pixel(out, x, y)[0] = (float)g;
        }
}

st_status st_picture_texture(st_image **out, const st_image *photo,
                             const st_region *reg, const double gains[3],
                             const st_transform *t, double scale,
                             double px_per_mm, const st_frame *f, double range,
                             st_error *err)
{
    st_image *crop = NULL;
    st_region *creg = NULL;
    st_lab_planes *lab = NULL;
    st_l_plane lv;
    float *bp = NULL;
    int cx0, cy0;
    st_status s;

    *out = NULL;
    s = texture_crop(photo, reg, t, f, 40 * scale, &crop, &creg, &cx0, &cy0,
                     err);
    if (s || !crop || creg->count == 0)
        goto done;
    if ((s = st_lab_planes_new(&lab, crop, creg, gains, err)))
        goto done;
    lv = st_lab_planes_l(lab);
    if ((s = st_texture_bandpass(&lv, creg, px_per_mm * scale, scale, &bp,
                                 err)) ||
        (s = st_image_new(out, f->w, f->h, 1, err)))
        goto done;
    texture_sample(*out, bp, creg, cx0, cy0, t, f, range);
done:
    free(bp);
    st_lab_planes_free(lab);
    st_region_free(creg);
    st_image_free(crop);
    return s;
}
