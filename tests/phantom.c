/* skintrack tests — skin-like phantoms (see phantom.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phantom.h"

static double urand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static double nrand(uint64_t *s)
{
    double u = urand(s) + 1e-300, v = urand(s);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

float *ph_texture(int w, int h, double beta, uint64_t *seed)
{
    int W = st_fft_good_size(w), H = st_fft_good_size(h);
    size_t nc = (size_t)H * (size_t)(W / 2 + 1);
    float *re = st_fft_alloc((size_t)W * H), *sp = st_fft_alloc(2 * nc);
    float *out = malloc((size_t)w * h * sizeof *out);
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < (size_t)W * H; i++)
        re[i] = (float)nrand(seed);
    st_fft_forward(W, H, re, sp, NULL);
    for (int ky = 0; ky < H; ky++)
        for (int kx = 0; kx <= W / 2; kx++) {
            double fx = kx / (double)W;
            double fy = (ky <= H / 2 ? ky : ky - H) / (double)H;
            double f = sqrt(fx * fx + fy * fy);
            double g = f > 0 ? pow(f, -beta / 2) : 0;
            size_t i = (size_t)ky * (W / 2 + 1) + kx;
            sp[2 * i] *= (float)g;
            sp[2 * i + 1] *= (float)g;
        }
    st_fft_inverse(W, H, sp, re, NULL);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = re[(size_t)y * W + x];
            sum += v;
            sum2 += v * v;
        }
    {
        double n = (double)w * h, mean = sum / n;
        double sd = sqrt(sum2 / n - mean * mean);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                out[(size_t)y * w + x] =
                    (float)((re[(size_t)y * W + x] - mean) / sd);
    }
    st_fft_free(re);
    st_fft_free(sp);
    return out;
}

static float clip01(double v)
{
    return (float)(v < 0 ? 0 : v > 1 ? 1 : v);
}

/* CIELAB (D65) -> sRGB-encoded, clipped; the inverse of CIE 15's
 * formulas. */
void ph_lab_to_srgb(const double lab[3], float out[3])
{
    static const double white[3] = {0.95047, 1.0, 1.08883};
    double f[3], xyz[3], lin[3];
    f[1] = (lab[0] + 16) / 116;
    f[0] = f[1] + lab[1] / 500;
    f[2] = f[1] - lab[2] / 200;
    for (int i = 0; i < 3; i++) {
        double t = f[i] * f[i] * f[i];
        xyz[i] = white[i] *
                 (t > 216.0 / 24389.0 ? t : (116 * f[i] - 16) * 27.0 / 24389.0);
    }
    lin[0] = 3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2];
    lin[1] = -0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2];
    lin[2] = 0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2];
    for (int c = 0; c < 3; c++)
        out[c] = clip01(st_color_linear_to_srgb(lin[c]));
}

st_image *ph_canvas(int w, int h, uint64_t seed)
{
    return ph_canvas_pores(w, h, seed, 1.0);
}

st_image *ph_canvas_pores(int w, int h, uint64_t seed, double pore_scale)
{
    uint64_t s = seed * 7919 + 1;
    float *tex = ph_texture(w, h, 2.5, &s);
    float *shade = calloc((size_t)w * h, sizeof *shade);
    float *pore = calloc((size_t)w * h, sizeof *pore);
    st_image *img;
    int npores = w * h / 900;

    /* pores: soft dark dips of L* only (their colour is the skin's, so a
     * change of pores alone leaves a* and b* as they were) */
    for (int i = 0; i < npores; i++) {
        double cx = urand(&s) * w, cy = urand(&s) * h;
        double r = (1.5 + 2.5 * urand(&s)) * pore_scale;
        double depth = 8 + 12 * urand(&s);
        int x0 = (int)(cx - 3 * r), x1 = (int)(cx + 3 * r);
        int y0 = (int)(cy - 3 * r), y1 = (int)(cy + 3 * r);
        for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < h; y++)
            for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < w; x++) {
                double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                pore[(size_t)y * w + x] +=
                    (float)(depth * exp(-d2 / (2 * r * r)));
            }
    }
    /* lines: faint, long, thin */
    for (int i = 0; i < 6; i++) {
        double a = urand(&s) * 3.14159, c = cos(a), sn = sin(a);
        double px = urand(&s) * w, py = urand(&s) * h;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double d = fabs((x - px) * sn - (y - py) * c);
                if (d < 3)
                    shade[(size_t)y * w + x] -=
                        (float)(0.06 * exp(-d * d / 1.5));
            }
    }
    st_image_new(&img, w, h, 3, NULL);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            double light = 0.9 + 0.1 * x / w + 0.05 * y / h;
            double v = light * (1 + 0.06 * tex[i] + shade[i]);
            float *p = st_image_pixel(img, x, y);
            p[0] = (float)fmin(1, 0.80 * v);
            p[1] = (float)fmin(1, 0.60 * v);
            p[2] = (float)fmin(1, 0.50 * v);
            if (pore[i] > 0.01) {
                double rgb[3] = {p[0], p[1], p[2]}, lab[3];
                st_color_srgb_to_lab(rgb, lab);
                lab[0] -= pore[i];
                ph_lab_to_srgb(lab, p);
            }
        }
    free(tex);
    free(shade);
    free(pore);
    return img;
}

st_image *ph_photo(const st_image *canvas, const st_transform *t, double ox,
                   double oy, int w, int h)
{
    st_transform inv, shift = {{1, 0, ox, 0, 1, oy}}, map;
    st_image *warped, *rgb;
    if (t) {
        st_transform_invert(t, &inv);
        st_transform_compose(&map, &shift, &inv);
    } else {
        map = shift;
    }
    st_warp_image(&warped, canvas, &map, w, h, NULL);
    st_image_new(&rgb, w, h, 3, NULL);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memcpy(st_image_pixel(rgb, x, y), st_image_pixel(warped, x, y),
                   3 * sizeof(float));
    st_image_free(warped);
    return rgb;
}

static float clip(double v)
{
    return (float)(v < 0 ? 0 : v > 1 ? 1 : v);
}

void ph_expose(st_image *img, double e, const double wb[3])
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            float *p = st_image_pixel(img, x, y);
            for (int c = 0; c < 3; c++)
                p[c] = clip(st_color_linear_to_srgb(
                    st_color_srgb_to_linear(p[c]) * e * (wb ? wb[c] : 1)));
        }
}

void ph_redden(st_image *img, double cx, double cy, double rad, double red)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            double k = red * exp(-d2 / (2 * rad * rad));
            float *p = st_image_pixel(img, x, y);
            if (k < 1e-4)
                continue;
            p[0] = clip(st_color_linear_to_srgb(st_color_srgb_to_linear(p[0]) *
                                                (1 + k)));
            p[1] = clip(st_color_linear_to_srgb(st_color_srgb_to_linear(p[1]) *
                                                (1 - k)));
        }
}

void ph_noise(st_image *img, double sd, uint64_t seed)
{
    uint64_t s = seed;
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            float *p = st_image_pixel(img, x, y);
            for (int c = 0; c < 3; c++)
                p[c] = clip(p[c] + sd * nrand(&s));
        }
}

st_image *ph_jpeg(st_image *img, int quality, const char *path)
{
    st_image *out = NULL;
    st_io_write_jpeg(path, img, quality, NULL);
    st_io_read(path, NULL, &out, NULL, NULL);
    st_image_free(img);
    return out;
}

double ph_rms_error(const st_transform *est, const st_transform *truth,
                    int ref_w, int ref_h, int mov_w, int mov_h)
{
    double sum = 0;
    long n = 0;
    for (int y = 0; y < ref_h; y += 4)
        for (int x = 0; x < ref_w; x += 4) {
            double ut, vt, ue, ve;
            st_transform_apply(truth, x, y, &ut, &vt);
            if (ut < 0 || vt < 0 || ut > mov_w - 1 || vt > mov_h - 1)
                continue;
            st_transform_apply(est, x, y, &ue, &ve);
            sum += (ue - ut) * (ue - ut) + (ve - vt) * (ve - vt);
            n++;
        }
    return n ? sqrt(sum / n) : INFINITY;
}

void ph_shift_a_star(st_image *img, double delta)
{
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            float *p = st_image_pixel(img, x, y);
            double rgb[3] = {p[0], p[1], p[2]}, lab[3];
            st_color_srgb_to_lab(rgb, lab);
            lab[1] += delta;
            ph_lab_to_srgb(lab, p);
        }
}
