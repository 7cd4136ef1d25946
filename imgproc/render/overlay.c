/* skintrack — pictures that show what was measured (see overlay.h).
 *
 *   st_overlay_pores     pores circled on the photo
 *   st_overlay_redness   a* heat map with a ticked colour bar
 */
#include <math.h>
#include <stdlib.h>

#include "core/core_internal.h"
#include "skintrack/overlay.h"

static void put(st_image *img, int x, int y, float r, float g, float b)
{
    float *p;
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return;
    p = st_image_pixel(img, x, y);
    p[0] = r, p[1] = g, p[2] = b;
}

st_status st_overlay_pores(st_image **out, const st_image *img,
                           const st_region *reg, const st_pores *pores,
                           st_error *err)
{
    int cc = st_image_color_channels(img);
    float *fr = NULL; /* an 8-bit image's row as floats */
    st_status s;
    if (!img->data &&
        !(fr = malloc((size_t)img->width * (size_t)img->channels * sizeof *fr)))
        return st_fail(err, ST_ERR_NOMEM, "out of memory (pore overlay)");
    if ((s = st_image_new(out, img->width, img->height, 3, err))) {
        free(fr);
        return s;
    }
    for (int y = 0; y < img->height; y++) {
        const float *row = st_image_row(img, 0, y, img->width, fr);
        for (int x = 0; x < img->width; x++) {
            const float *p = row + (size_t)x * (size_t)img->channels;
            float k = reg->mask[(size_t)y * img->width + x] ? 1.0f : 0.5f;
            float *d = st_image_pixel(*out, x, y);
            for (int c = 0; c < 3; c++)
                d[c] = k * p[cc == 3 ? c : 0];
        }
    }
    free(fr);
    for (int i = 0; i < pores->count; i++) {
        const st_pore *p = &pores->list[i];
        double r = p->diameter / 2 + 1;
        int steps = (int)(2 * ST_PI * r * 2) + 8;
        for (int k = 0; k < steps; k++) {
            double a = 2 * ST_PI * k / steps;
            put(*out, (int)lround(p->x + r * cos(a)),
                (int)lround(p->y + r * sin(a)), 0.0f, 1.0f, 1.0f);
        }
    }
    return ST_OK;
}

/* Colour of t in [0, 1]: dark blue, blue, green, yellow, red. */
static void ramp(double t, float rgb[3])
{
    static const float stops[5][3] = {{0.05f, 0.05f, 0.35f},
                                      {0.10f, 0.35f, 0.90f},
                                      {0.10f, 0.75f, 0.30f},
                                      {0.95f, 0.90f, 0.10f},
                                      {0.90f, 0.10f, 0.05f}};
    double u = fmin(1, fmax(0, t)) * 4;
    int i = u >= 4 ? 3 : (int)u;
    double f = u - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (float)(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
}

st_status st_overlay_redness(st_image **out, const st_lab_planes *lab,
                             const st_region *reg, double lo, double hi,
                             st_error *err)
{
    int w = lab->width, h = lab->height, bar = h >= 100 ? h / 40 + 4 : 0;
    st_status s;
    if (!(hi > lo))
        lo = 0, hi = 30;
    s = st_image_new(out, w, h, 3, err);
    if (s)
        return s;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float *d = st_image_pixel(*out, x, y);
            if (y >= h - bar) { /* colour bar, ticks every 5 a* */
                double a = lo + (hi - lo) * x / (w - 1.0);
                double prev = lo + (hi - lo) * (x - 1) / (w - 1.0);
                ramp((a - lo) / (hi - lo), d);
                if (x > 0 && floor(a / 5) != floor(prev / 5) && y < h - bar / 2)
                    d[0] = d[1] = d[2] = 0;
            } else if (reg->mask[i]) {
                ramp((lab->a[i] - lo) / (hi - lo), d);
            } else {
                d[0] = d[1] = d[2] = 0.5f;
            }
        }
    return ST_OK;
}
