/* skintrack — measurement regions.
 *
 *   st_region_full / _rect / _from_mask   make a region
 *   st_region_new_empty                   a region to fill
 *   st_region_drop_transparent            alpha below 0.5 is outside
 *   st_region_centroid                    mean pixel position
 *   st_region_intersect                   AND of two regions
 *   st_region_update / _in                bounding box and count
 *   st_region_free
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/region.h"

/* A w x h region; its mask zeroed when zero is set (else the caller
 * writes every byte). */
static st_status region_alloc(st_region **out, int w, int h, int zero,
                              st_error *err)
{
    st_region *r;
    size_t n;
    st_status s = st_image_check_size(w, h, 1, 0, NULL, err);
    *out = NULL;
    if (s)
        return s;
    n = (size_t)w * (size_t)h;
    r = calloc(1, sizeof *r);
    if (r)
        r->mask = st_alloc_large(n, zero);
    if (!r || !r->mask) {
        free(r);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (region)");
    }
    r->width = w;
    r->height = h;
    *out = r;
    return ST_OK;
}

static st_status region_new(st_region **out, int w, int h, st_error *err)
{
    return region_alloc(out, w, h, 1, err);
}

void st_region_update_in(st_region *r, int bx0, int by0, int bx1, int by1)
{
    int x0 = r->width, y0 = r->height, x1 = 0, y1 = 0;
    size_t count = 0;
    for (int y = by0; y < by1; y++) {
        const uint8_t *m = r->mask + (size_t)y * (size_t)r->width;
        size_t c = 0;
        int a = bx0, b = bx1;
        for (int x = bx0; x < bx1; x++) /* vectorises */
            c += m[x] != 0;
        if (!c)
            continue;
        while (!m[a]) /* the row's first and last pixel */
            a++;
        while (!m[b - 1])
            b--;
        count += c;
        x0 = a < x0 ? a : x0;
        x1 = b > x1 ? b : x1;
        y0 = y < y0 ? y : y0;
        y1 = y + 1;
    }
    r->count = count;
    if (!count)
        x0 = y0 = x1 = y1 = 0;
    r->x0 = x0, r->y0 = y0, r->x1 = x1, r->y1 = y1;
}

void st_region_update(st_region *r)
{
    st_region_update_in(r, 0, 0, r->width, r->height);
}

st_status st_region_full(st_region **out, int w, int h, st_error *err)
{
    st_status s = region_alloc(out, w, h, 0, err);
    if (s)
        return s;
    memset((*out)->mask, 1, (size_t)w * (size_t)h);
    /* what st_region_update finds in a mask of ones */
    (*out)->count = (size_t)w * (size_t)h;
    (*out)->x0 = (*out)->y0 = 0, (*out)->x1 = w, (*out)->y1 = h;
    return ST_OK;
}

st_status st_region_rect(st_region **out, int w, int h, int x, int y, int rw,
                         int rh, st_error *err)
{
    st_status s;
    if (rw <= 0 || rh <= 0 || x < 0 || y < 0 || x > w - rw || y > h - rh)
        return st_fail(err, ST_ERR_INVALID,
                       "region %d,%d,%d,%d does not lie inside the %dx%d "
                       "image",
                       x, y, rw, rh, w, h);
    s = region_new(out, w, h, err);
    if (s)
        return s;
    for (int j = y; j < y + rh; j++)
        memset((*out)->mask + (size_t)j * (size_t)w + x, 1, (size_t)rw);
    st_region_update(*out);
    return ST_OK;
}

st_status st_region_from_mask(st_region **out, const st_image *mask, int w,
                              int h, st_error *err)
{
    int alpha = st_image_has_alpha(mask);
    float *fr; /* an 8-bit mask's row as floats */
    st_status s;
    if (mask->width != w || mask->height != h)
        return st_fail(err, ST_ERR_INVALID,
                       "mask is %dx%d but the image is %dx%d", mask->width,
                       mask->height, w, h);
    fr = malloc((size_t)w * (size_t)mask->channels * sizeof *fr);
    if (!fr)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (mask)");
    s = region_new(out, w, h, err);
    if (s) {
        free(fr);
        return s;
    }
    for (int y = 0; y < h; y++) {
        const float *row = st_image_row(mask, 0, y, w, fr);
        for (int x = 0; x < w; x++) {
            const float *p = row + (size_t)x * (size_t)mask->channels;
            int on = p[0] > 0.5f / 255 &&
                     (!alpha || p[mask->channels - 1] > 0.5f / 255);
            (*out)->mask[(size_t)y * (size_t)w + x] = (uint8_t)on;
        }
    }
    free(fr);
    st_region_update(*out);
    if ((*out)->count == 0) {
        st_region_free(*out);
        *out = NULL;
        return st_fail(err, ST_ERR_INVALID, "mask selects no pixel");
    }
    return ST_OK;
}

st_status st_region_intersect(st_region *a, const st_region *b, st_error *err)
{
    size_t n = (size_t)a->width * (size_t)a->height;
    if (a->width != b->width || a->height != b->height)
        return st_fail(err, ST_ERR_INVALID, "regions of different sizes");
    for (size_t i = 0; i < n; i++)
        a->mask[i] = (uint8_t)(a->mask[i] && b->mask[i]);
    st_region_update(a);
    return ST_OK;
}

void st_region_free(st_region *r)
{
    if (!r)
        return;
    st_free_large(r->mask);
    free(r);
}

st_status st_region_new_empty(st_region **out, int w, int h, st_error *err)
{
    return region_new(out, w, h, err);
}

st_status st_region_drop_transparent(st_region *r, const st_image *img,
                                     st_error *err)
{
    int c = img->channels;
    float *buf;
    if (!st_image_has_alpha(img))
        return ST_OK;
    if (img->width != r->width || img->height != r->height)
        return st_fail(err, ST_ERR_INVALID, "regions of different sizes");
    buf = malloc((size_t)img->width * (size_t)c * sizeof *buf);
    if (!buf)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (alpha)");
    for (int y = r->y0; y < r->y1; y++) {
        const float *row = st_image_row(img, 0, y, img->width, buf);
        uint8_t *m = r->mask + (size_t)y * (size_t)r->width;
        for (int x = r->x0; x < r->x1; x++)
            if (row[(size_t)x * c + c - 1] < 0.5f)
                m[x] = 0;
    }
    free(buf);
    st_region_update(r);
    return ST_OK;
}

void st_region_centroid(const st_region *r, double *cx, double *cy)
{
    double sx = 0, sy = 0;
    for (int y = r->y0; y < r->y1; y++) {
        const uint8_t *m = r->mask + (size_t)y * (size_t)r->width;
        double n = 0;
        for (int x = r->x0; x < r->x1; x++)
            if (m[x]) {
                sx += x;
                n++;
            }
        sy += n * y;
    }
    *cx = r->count ? sx / (double)r->count : NAN;
    *cy = r->count ? sy / (double)r->count : NAN;
}
