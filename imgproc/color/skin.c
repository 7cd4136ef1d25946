/* skintrack — automatic skin mask (see skin.h).
 *
 *   st_skin_region   colour rule, closing, opening, large parts only
 *
 * Morphology on a binary mask by box sums: a pixel of the dilation by r is
 * set when any pixel of its (2r+1)^2 box is, of the erosion when all are;
 * both come from one running-sum box filter, so each costs O(pixels).
 * Connected parts (4-neighbour) are labelled with an explicit stack.
 */
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "skintrack/skin.h"

#define CLOSE_R 12
#define OPEN_R  4

/* Box sum of m (0/1 bytes) with radius r into out (counts). */
static void box_count(const uint8_t *m, int w, int h, int r, int *tmp, int *out)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *row = m + (size_t)y * w;
        int *t = tmp + (size_t)y * w, acc = 0;
        for (int x = -r; x < w; x++) {
            if (x + r < w)
                acc += row[x + r];
            if (x - r - 1 >= 0)
                acc -= row[x - r - 1];
            if (x >= 0)
                t[x] = acc;
        }
    }
    for (int x = 0; x < w; x++) {
        int acc = 0;
        for (int y = -r; y < h; y++) {
            if (y + r < h)
                acc += tmp[(size_t)(y + r) * w + x];
            if (y - r - 1 >= 0)
                acc -= tmp[(size_t)(y - r - 1) * w + x];
            if (y >= 0)
                out[(size_t)y * w + x] = acc;
        }
    }
}

void st_mask_morph(uint8_t *m, int w, int h, int r, int erode, int *tmp,
                   int *cnt)
{
    int full = (2 * r + 1) * (2 * r + 1);
    box_count(m, w, h, r, tmp, cnt);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        /* the box is cut at the image edge: count what lies inside */
        int y = (int)(i / (size_t)w), x = (int)(i % (size_t)w);
        int bx = (x + r < w - 1 ? x + r : w - 1) - (x - r > 0 ? x - r : 0) + 1;
        int by = (y + r < h - 1 ? y + r : h - 1) - (y - r > 0 ? y - r : 0) + 1;
        (void)full;
        m[i] = (uint8_t)(erode ? cnt[i] == bx * by : cnt[i] > 0);
    }
}

/* Keeps 4-connected parts of at least min_px pixels. */
static int keep_large(uint8_t *m, int w, int h, size_t min_px)
{
    size_t n = (size_t)w * h;
    int *label = calloc(n, sizeof *label);
    size_t *stack = malloc(n * sizeof *stack), *sizes = NULL;
    int nl = 0, cap = 0;
    if (!label || !stack) {
        free(label);
        free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t top = 0, count = 0;
        if (!m[i] || label[i])
            continue;
        if (nl == cap) {
            size_t *ns;
            cap = cap ? 2 * cap : 64;
            ns = realloc(sizes, (size_t)cap * sizeof *ns);
            if (!ns) {
                free(label);
                free(stack);
                free(sizes);
                return -1;
            }
            sizes = ns;
        }
        nl++;
        label[i] = nl;
        stack[top++] = i;
        while (top) {
            size_t p = stack[--top];
            int x = (int)(p % (size_t)w), y = (int)(p / (size_t)w);
            size_t nb[4];
            int k = 0;
            count++;
            if (x > 0)
                nb[k++] = p - 1;
            if (x < w - 1)
                nb[k++] = p + 1;
            if (y > 0)
                nb[k++] = p - (size_t)w;
            if (y < h - 1)
                nb[k++] = p + (size_t)w;
            for (int j = 0; j < k; j++)
                if (m[nb[j]] && !label[nb[j]]) {
                    label[nb[j]] = nl;
                    stack[top++] = nb[j];
                }
        }
        sizes[nl - 1] = count;
    }
    for (size_t i = 0; i < n; i++)
        if (m[i] && sizes[label[i] - 1] < min_px)
            m[i] = 0;
    free(label);
    free(stack);
    free(sizes);
    return 0;
}

st_status st_skin_region(st_region **out, const st_image *img, st_error *err)
{
    int w = img->width, h = img->height, cc = st_image_color_channels(img);
    int *tmp = NULL, *cnt = NULL;
    float *fr = NULL; /* an 8-bit image's row as floats */
    st_region *r;
    st_status s = st_region_full(&r, w, h, err);

    *out = NULL;
    if (s)
        return s;
    tmp = malloc((size_t)w * h * sizeof *tmp);
    cnt = malloc((size_t)w * h * sizeof *cnt);
    if (!img->data)
        fr = malloc((size_t)w * (size_t)img->channels * sizeof *fr);
    if (!tmp || !cnt || (!img->data && !fr)) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (skin mask)");
        goto done;
    }
    for (int y = 0; y < h; y++) {
        const float *row = st_image_row(img, 0, y, w, fr);
        for (int x = 0; x < w; x++) {
            const float *p = row + (size_t)x * (size_t)img->channels;
            double R = 255 * p[0], G = 255 * p[cc == 3 ? 1 : 0],
                   B = 255 * p[cc == 3 ? 2 : 0];
            /* BT.601 full-range YCbCr, as in JPEG */
            double Y = 0.299 * R + 0.587 * G + 0.114 * B;
            double Cb = 128 - 0.168736 * R - 0.331264 * G + 0.5 * B;
            double Cr = 128 + 0.5 * R - 0.418688 * G - 0.081312 * B;
            r->mask[(size_t)y * w + x] =
                (uint8_t)(Y >= 40 && Y <= 250 && Cb >= 77 && Cb <= 127 &&
                          Cr >= 133 && Cr <= 173);
        }
    }
    st_mask_morph(r->mask, w, h, CLOSE_R, 0, tmp, cnt); /* closing */
    st_mask_morph(r->mask, w, h, CLOSE_R, 1, tmp, cnt);
    st_mask_morph(r->mask, w, h, OPEN_R, 1, tmp, cnt); /* opening */
    st_mask_morph(r->mask, w, h, OPEN_R, 0, tmp, cnt);
    if (keep_large(r->mask, w, h, (size_t)(0.02 * w * h))) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (skin mask)");
        goto done;
    }
    st_region_update(r);
    if (!r->count)
        s = st_fail(err, ST_ERR_INVALID, "no skin found by the skin mask");
done:
    free(tmp);
    free(cnt);
    free(fr);
    if (s) {
        st_region_free(r);
        return s;
    }
    *out = r;
    return ST_OK;
}
