/* skintrack — the largest face of a photo and its 68 landmarks.
 *
 *   st_face_model_path / _load / _free   the dlib shape predictor
 *   st_face_find                          detect, then landmarks
 *
 * dlib (face_dlib.cpp) sees only 8-bit grey buffers made here. Detection
 * (HOG frontal detector) runs on a copy whose long side is
 * ST_FACE_DETECT_SIDE px: a 12 MP photo's face is hundreds of pixels wide
 * there, well above the detector's 80 px window, and the sliding window
 * costs in proportion to the pixels. The landmarks (regression trees,
 * which read a few hundred pixels per tree) run on the face's box with a
 * 25% margin, resampled so the box is at most ST_FACE_SHAPE_SIDE px wide,
 * and are mapped back to the photo's pixels. Grey is the BT.601 luma of
 * the sRGB-encoded samples, each output pixel the mean of the photo
 * pixels its footprint covers (an area average, so no aliasing).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/face_dlib.h"
#include "core/core_internal.h"
#include "skintrack/face.h"

struct st_face_model {
    st_dlib *dlib;
};

const char *st_face_model_path(const char *path)
{
    const char *env;
    if (path)
        return path;
    env = getenv(ST_FACE_MODEL_ENV);
    return env && *env ? env : ST_FACE_MODEL_DEFAULT;
}

st_status st_face_model_load(st_face_model **out, const char *path_in,
                             st_error *err)
{
    const char *path = st_face_model_path(path_in);
    char msg[ST_ERROR_MESSAGE_MAX - 32], ebuf[128];
    st_face_model *m;
    FILE *f;
    st_status s;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return st_fail(err, ST_ERR_IO, "face model %s: %s", path,
                       st_errno_text(errno, ebuf, sizeof ebuf));
    fclose(f);
    m = calloc(1, sizeof *m);
    if (!m)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (face model)");
    s = st_dlib_new(&m->dlib, path, msg, sizeof msg);
    if (s) {
        free(m);
        return st_fail(err, s, "%s (%s)", msg, path);
    }
    *out = m;
    return ST_OK;
}

void st_face_model_free(st_face_model *m)
{
    if (!m)
        return;
    st_dlib_free(m->dlib);
    free(m);
}

/* The luma (0..255) of n pixels of row y from column x. */
static void luma_row(const st_image *img, int x, int y, int n, float *buf,
                     float *out)
{
    const float *p = st_image_row(img, x, y, n, buf);
    int c = img->channels;
    if (c >= 3)
        for (int i = 0; i < n; i++, p += c)
            out[i] = 255.0f * (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]);
    else
        for (int i = 0; i < n; i++, p += c)
            out[i] = 255.0f * p[0];
}

/* The part [x0, x0 + ow f) x [y0, y0 + oh f) of img, as an ow x oh grey
 * image of area means (each output pixel the photo pixels between its
 * edges; at least one). Pixels off the photo are 0. NULL on no memory. */
static uint8_t *grey(const st_image *img, double x0, double y0, double f,
                     int ow, int oh)
{
    int w = img->width, h = img->height;
    int sx0 = (int)fmax(0, floor(x0)), sx1 = (int)fmin(w, ceil(x0 + ow * f));
    int sw = sx1 - sx0;
    uint8_t *g = calloc((size_t)ow * (size_t)oh, 1);
    float *buf = malloc((size_t)(sw > 0 ? sw : 1) * 4 * sizeof *buf);
    float *row = malloc((size_t)(sw > 0 ? sw : 1) * sizeof *row);
    double *acc = malloc((size_t)(sw > 0 ? sw : 1) * sizeof *acc);
    if (!g || !buf || !row || !acc) {
        free(g);
        g = NULL;
        goto done;
    }
    for (int j = 0; j < oh && sw > 0; j++) {
        int ya = (int)floor(y0 + j * f), yb = (int)floor(y0 + (j + 1) * f);
        int rows = 0;
        yb = yb > ya ? yb : ya + 1;
        ya = ya < 0 ? 0 : ya;
        yb = yb > h ? h : yb;
        memset(acc, 0, (size_t)sw * sizeof *acc);
        for (int y = ya; y < yb; y++, rows++) {
            luma_row(img, sx0, y, sw, buf, row);
            for (int i = 0; i < sw; i++)
                acc[i] += row[i];
        }
        if (!rows)
            continue;
        for (int i = 0; i < ow; i++) {
            int xa = (int)floor(x0 + i * f), xb = (int)floor(x0 + (i + 1) * f);
            double sum = 0;
            xb = xb > xa ? xb : xa + 1;
            xa = xa < sx0 ? sx0 : xa;
            xb = xb > sx1 ? sx1 : xb;
            if (xb <= xa)
                continue;
            for (int x = xa; x < xb; x++)
                sum += acc[x - sx0];
            sum /= (double)rows * (xb - xa);
            g[(size_t)j * ow + i] = (uint8_t)(sum < 0     ? 0
                                              : sum > 255 ? 255
                                                          : sum + 0.5);
        }
    }
done:
    free(buf);
    free(row);
    free(acc);
    return g;
}

/* Detects on the whole photo reduced so its long side is side px (not
 * enlarged): *n faces, the largest one's box in photo pixels. */
static st_status detect(const st_face_model *m, const st_image *img, int side,
                        int *n, double box[4], st_error *err)
{
    int w = img->width, h = img->height, lw = w > h ? w : h;
    double f = lw > side ? (double)lw / side : 1;
    int ow = (int)(w / f), oh = (int)(h / f);
    char msg[ST_ERROR_MESSAGE_MAX];
    long b[4];
    uint8_t *g;
    st_status s;

    ow = ow < 1 ? 1 : ow, oh = oh < 1 ? 1 : oh;
    g = grey(img, 0, 0, f, ow, oh);
    if (!g)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (face detection)");
    s = st_dlib_detect(m->dlib, g, ow, oh, n, b, msg, sizeof msg);
    free(g);
    if (s)
        return st_fail(err, s, "%s", msg);
    for (int i = 0; i < 4 && *n; i++)
        box[i] = (b[i] + (i >= 2)) * f; /* inclusive -> edges */
    return ST_OK;
}

st_status st_face_find(const st_face_model *m, const st_image *img,
                       st_face *out, st_error *err)
{
    char msg[ST_ERROR_MESSAGE_MAX];
    double box[4], xy[136], bw, bh, f, x0, y0;
    long b[4];
    int n = 0, ow, oh, lw = img->width > img->height ? img->width : img->height;
    uint8_t *g;
    st_status s;

    memset(out, 0, sizeof *out);
    s = detect(m, img, ST_FACE_DETECT_SIDE, &n, box, err);
    if (s == ST_OK && !n && lw > ST_FACE_DETECT_SIDE)
        s = detect(m, img, 2 * ST_FACE_DETECT_SIDE, &n, box, err);
    if (s)
        return s;
    if (!n)
        return st_fail(err, ST_ERR_INVALID, "no face found");
    bw = box[2] - box[0], bh = box[3] - box[1];
    f = bw > ST_FACE_SHAPE_SIDE ? bw / ST_FACE_SHAPE_SIDE : 1;
    x0 = box[0] - 0.25 * bw, y0 = box[1] - 0.25 * bh;
    ow = (int)ceil(1.5 * bw / f), oh = (int)ceil(1.5 * bh / f);
    g = grey(img, x0, y0, f, ow, oh);
    if (!g)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (face landmarks)");
    b[0] = lround(0.25 * bw / f), b[1] = lround(0.25 * bh / f);
    b[2] = lround(1.25 * bw / f) - 1, b[3] = lround(1.25 * bh / f) - 1;
    s = st_dlib_shape(m->dlib, g, ow, oh, b, xy, msg, sizeof msg);
    free(g);
    if (s)
        return st_fail(err, s, "%s", msg);
    for (int i = 0; i < ST_FACE_POINTS; i++) {
        /* the centre of crop pixel (u, v) is photo x0 + (u + 0.5) f */
        out->x[i] = x0 + (xy[2 * i] + 0.5) * f - 0.5;
        out->y[i] = y0 + (xy[2 * i + 1] + 0.5) * f - 0.5;
    }
    memcpy(out->box, box, sizeof box);
    out->faces = n;
    return ST_OK;
}
