/* skintrack tests — a colour chart or a card painted into a real photo
 * (chartscene.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chartscene.h"

int cs_scene_init(cs_scene *sc, const st_image *photo, int k, double exposure)
{
    sc->w = k * photo->width, sc->h = k * photo->height;
    sc->rgb = malloc((size_t)sc->w * sc->h * 3 * sizeof *sc->rgb);
    if (!sc->rgb)
        return -1;
    for (int y = 0; y < photo->height; y++)
        for (int x = 0; x < photo->width; x++) {
            float buf[4];
            const float *p = st_image_row(photo, x, y, 1, buf);
            float v[3];
            for (int c = 0; c < 3; c++)
                v[c] = (float)(exposure * st_color_srgb_to_linear(p[c]));
            for (int dy = 0; dy < k; dy++)
                for (int dx = 0; dx < k; dx++)
                    memcpy(sc->rgb +
                               ((size_t)(k * y + dy) * sc->w + k * x + dx) * 3,
                           v, sizeof v);
        }
    return 0;
}

void cs_scene_free(cs_scene *sc)
{
    free(sc->rgb);
    sc->rgb = NULL;
}

#define CW(g) (6 * (g)->s + 5 * (g)->s / 4 + (g)->s)
#define CH(g) (4 * (g)->s + 3 * (g)->s / 4 + (g)->s)

static void to_chart(const cs_chart *g, double x, double y, double *u,
                     double *v)
{
    double dx = x - g->cx, dy = y - g->cy, c = cos(g->ang), s = sin(g->ang);
    *u = c * dx + s * dy + CW(g) / 2;
    *v = -s * dx + c * dy + CH(g) / 2;
}

void cs_chart_centre(const cs_chart *g, int p, double *x, double *y)
{
    double u = g->s + 1.25 * g->s * (p % 6), v = g->s + 1.25 * g->s * (p / 6);
    double du = u - CW(g) / 2, dv = v - CH(g) / 2, c = cos(g->ang),
           s = sin(g->ang);
    *x = g->cx + c * du - s * dv;
    *y = g->cy + s * du + c * dv;
}

/* -1 outside the chart, 24 on the frame, else the patch. */
static int chart_at(const cs_chart *g, double u, double v)
{
    double s = g->s, pitch = 1.25 * s, m = s / 2;
    int c, r;
    if (u < 0 || v < 0 || u >= CW(g) || v >= CH(g))
        return -1;
    c = (int)floor((u - m) / pitch), r = (int)floor((v - m) / pitch);
    if (c < 0 || r < 0 || c > 5 || r > 3 || u - m - c * pitch >= s ||
        v - m - r * pitch >= s)
        return 24;
    return r * 6 + c;
}

void cs_paint_chart(cs_scene *sc, const cs_chart *g,
                    const st_chart_reference *ref)
{
    double r = 0.5 * hypot(CW(g), CH(g)) + 2;
    for (int y = (int)(g->cy - r); y <= (int)(g->cy + r); y++)
        for (int x = (int)(g->cx - r); x <= (int)(g->cx + r); x++) {
            double acc[3] = {0, 0, 0};
            float *o;
            int in = 0;
            if (x < 0 || y < 0 || x >= sc->w || y >= sc->h)
                continue;
            o = sc->rgb + ((size_t)y * sc->w + x) * 3;
            for (int k = 0; k < 16; k++) {
                double u, v;
                int p;
                to_chart(g, x - 0.375 + 0.25 * (k % 4),
                         y - 0.375 + 0.25 * (k / 4), &u, &v);
                p = chart_at(g, u, v);
                for (int c = 0; c < 3; c++)
                    acc[c] += (p < 0     ? o[c]
                               : p == 24 ? 0.012
                                         : fmin(fmax(ref->rgb[p][c], 0), 1)) /
                              16;
                in |= p >= 0;
            }
            if (in)
                for (int c = 0; c < 3; c++)
                    o[c] = (float)acc[c];
        }
}

void cs_paint_card(cs_scene *sc, int x0, int y0, int w, int h, double refl)
{
    for (int y = y0; y < y0 + h && y < sc->h; y++)
        for (int x = x0; x < x0 + w && x < sc->w; x++)
            for (int c = 0; c < 3; c++)
                sc->rgb[((size_t)y * sc->w + x) * 3 + c] = (float)refl;
}

static double gauss(uint64_t *st)
{
    double u1, u2;
    *st ^= *st << 13, *st ^= *st >> 7, *st ^= *st << 17;
    u1 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    *st ^= *st << 13, *st ^= *st >> 7, *st ^= *st << 17;
    u2 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

st_image *cs_photograph(const cs_scene *sc, const double m[9], uint64_t seed)
{
    static const float k[5] = {0.054f, 0.244f, 0.403f, 0.244f, 0.054f};
    int w = sc->w, h = sc->h;
    float *t = malloc((size_t)w * h * 3 * sizeof *t);
    st_image *img = NULL;
    st_error err = {0};
    if (!t || st_image_new_8bit(&img, w, h, 3, &err) != ST_OK) {
        free(t);
        return NULL;
    }
    seed |= 1;
    for (int y = 0; y < h; y++) /* rows */
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                float a = 0;
                for (int d = -2; d <= 2; d++) {
                    int xx = x + d < 0 ? 0 : x + d >= w ? w - 1 : x + d;
                    a += k[d + 2] * sc->rgb[((size_t)y * w + xx) * 3 + c];
                }
                t[((size_t)y * w + x) * 3 + c] = a;
            }
    for (int y = 0; y < h; y++) /* columns, light, encoding, noise */
        for (int x = 0; x < w; x++) {
            double v[3];
            uint8_t *q = st_image_pixel8(img, x, y);
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int d = -2; d <= 2; d++) {
                    int yy = y + d < 0 ? 0 : y + d >= h ? h - 1 : y + d;
                    a += k[d + 2] * t[((size_t)yy * w + x) * 3 + c];
                }
                v[c] = a;
            }
            for (int r = 0; r < 3; r++) {
                double o =
                    m[3 * r] * v[0] + m[3 * r + 1] * v[1] + m[3 * r + 2] * v[2];
                o = st_color_linear_to_srgb(fmax(o, 0)) + 0.008 * gauss(&seed);
                o = o < 0 ? 0 : o > 1 ? 1 : o;
                q[r] = (uint8_t)floor(o * 255 + 0.5);
            }
        }
    free(t);
    return img;
}
