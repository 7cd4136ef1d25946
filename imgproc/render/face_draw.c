/* skintrack — a face's zones drawn on its photo.
 *
 *   st_face_draw_zones   the photo, shrunk, with the zones' outlines
 *   st_zone_colour       each zone's colour
 *
 * The photo is shrunk by whole k x k blocks (block means of the sRGB
 * samples). A block belongs to a zone when at least half its pixels do;
 * the outline is the zone's blocks that touch a block outside it, and
 * their outer neighbours (2 px wide at the drawn size).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/face.h"

static const unsigned char colours[ST_ZONE_COUNT][3] = {
    {255, 221, 0},  /* forehead: yellow */
    {0, 220, 255},  /* cheek_left: cyan */
    {255, 0, 200},  /* cheek_right: magenta */
    {40, 220, 40},  /* nose: green */
    {255, 128, 0}}; /* chin: orange */

void st_zone_colour(int zone, unsigned char rgb[3])
{
    static const unsigned char grey[3] = {128, 128, 128};
    memcpy(rgb, zone >= 0 && zone < ST_ZONE_COUNT ? colours[zone] : grey, 3);
}

/* The block means of img into out (k x k blocks); -1 out of memory. */
static int shrink_into(st_image *out, const st_image *img, int k, float *buf)
{
    int cc = st_image_color_channels(img), c = img->channels;
    double *acc = calloc((size_t)out->width * 4, sizeof *acc);
    if (!acc)
        return -1;
    for (int v = 0; v < out->height; v++) {
        memset(acc, 0, (size_t)out->width * 4 * sizeof *acc);
        for (int y = v * k; y < (v + 1) * k && y < img->height; y++) {
            const float *row = st_image_row(img, 0, y, img->width, buf);
            for (int x = 0; x < img->width; x++) {
                double *a = acc + (size_t)(x / k) * 4;
                for (int i = 0; i < 3; i++)
                    a[i] += row[(size_t)x * c + (cc == 3 ? i : 0)];
                a[3] += 1;
            }
        }
        for (int u = 0; u < out->width; u++) {
            const double *a = acc + (size_t)u * 4;
            for (int i = 0; i < 3; i++)
                st_image_pixel(out, u, v)[i] =
                    a[3] > 0 ? (float)(a[i] / a[3]) : 0.0f;
        }
    }
    free(acc);
    return 0;
}

/* 1 where at least half of block (u, v) is in r; -1 out of memory. */
static int blocks_of(uint8_t *m, const st_region *r, int k, int w, int h)
{
    int *n = calloc((size_t)w * h, sizeof *n);
    if (!n)
        return -1;
    for (int y = r->y0; y < r->y1; y++)
        for (int x = r->x0; x < r->x1; x++)
            if (r->mask[(size_t)y * r->width + x])
                n[(size_t)(y / k) * w + x / k]++;
    for (size_t i = 0; i < (size_t)w * h; i++)
        m[i] = (uint8_t)(2 * n[i] >= k * k);
    free(n);
    return 0;
}

st_status st_face_draw_zones(st_image **out, const st_image *img,
                             st_region *const zones[ST_ZONE_COUNT],
                             int max_side, st_error *err)
{
    int big = img->width > img->height ? img->width : img->height;
    int k =
        max_side > 0 && big > max_side ? (big + max_side - 1) / max_side : 1;
    int w = (img->width + k - 1) / k, h = (img->height + k - 1) / k;
    float *buf =
        malloc((size_t)img->width * (size_t)img->channels * sizeof *buf);
    uint8_t *m = malloc((size_t)w * h);
    st_image *pic = NULL;
    st_status s;

    *out = NULL;
    if (!buf || !m) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (zone picture)");
        goto done;
    }
    if ((s = st_image_new(&pic, w, h, 3, err)))
        goto done;
    if (shrink_into(pic, img, k, buf)) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (zone picture)");
        goto done;
    }
    for (int z = 0; z < ST_ZONE_COUNT; z++) {
        if (!zones[z])
            continue;
        if (blocks_of(m, zones[z], k, w, h)) {
            s = st_fail(err, ST_ERR_NOMEM, "out of memory (zone picture)");
            goto done;
        }
        for (int v = 0; v < h; v++) /* inner edge: in, a neighbour out */
            for (int u = 0; u < w; u++) {
                size_t i = (size_t)v * w + u;
                if (m[i] && (u == 0 || v == 0 || u == w - 1 || v == h - 1 ||
                             !m[i - 1] || !m[i + 1] || !m[i - w] || !m[i + w]))
                    m[i] = 2;
            }
        for (int v = 0; v < h; v++) /* the edge and its outer neighbours */
            for (int u = 0; u < w; u++) {
                size_t i = (size_t)v * w + u;
                int draw =
                    m[i] == 2 || (!m[i] && ((u > 0 && m[i - 1] == 2) ||
                                            (u < w - 1 && m[i + 1] == 2) ||
                                            (v > 0 && m[i - w] == 2) ||
                                            (v < h - 1 && m[i + w] == 2)));
                for (int c = 0; draw && c < 3; c++)
                    st_image_pixel(pic, u, v)[c] = colours[z][c] / 255.0f;
            }
    }
    *out = pic;
    pic = NULL;
done:
    st_image_free(pic);
    free(buf);
    free(m);
    return s;
}
