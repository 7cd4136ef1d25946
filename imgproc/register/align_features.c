/* skintrack — SIFT correspondences for registration (VLFeat).
 *
 *   st_features_match   keypoints of two planes, matched
 *
 * Keypoints and descriptors are Lowe's SIFT (Lowe 2004, IJCV 60:91) as
 * VLFeat computes them (Vedaldi & Fulkerson 2008): difference-of-Gaussian
 * extrema over 3 levels per octave from the plane's own resolution down,
 * up to four orientations each, a 128-bin descriptor per orientation.
 * Before detection the plane is scaled so that its standard deviation is
 * 0.2: the peak threshold (PEAK_THRESH, on that scale) then means the
 * same for a dark and a bright exposure of the same skin. Descriptors
 * are computed for the OCTAVE_QUOTA >> o keypoints of largest |DoG|
 * response in octave o (o = 0 the finest), and of those descriptors (one
 * per keypoint orientation) the MAX_KEYS of largest response are matched,
 * which bounds the time on busy images.
 *
 * Matching: each reference descriptor's two nearest moving descriptors
 * (Euclidean) from a randomised kd-forest (Muja & Lowe 2009; 4 trees, at
 * most 256 leaf comparisons per query, seeded so the result does not
 * depend on what ran before in the thread), kept when the nearest is
 * clearly nearer than the second (Lowe's ratio test, 0.8).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vl/generic.h>
#include <vl/kdtree.h>
#include <vl/random.h>
#include <vl/sift.h>

#include "register/register_internal.h"

#define PEAK_THRESH  0.004
#define EDGE_THRESH  10.0
#define MAX_KEYS     1500
#define OCTAVE_QUOTA 1200 /* descriptors of octave o: at most this >> o */
#define RATIO        0.8
#define DESC         128

typedef struct keyset {
    int n;
    float *xy;   /* 2 n */
    float *desc; /* DESC n */
} keyset;

typedef struct cand {
    VlSiftKeypoint k;
    float response;
    int row; /* of its descriptor */
} cand;

static int by_response(const void *a, const void *b)
{
    float ra = ((const cand *)a)->response, rb = ((const cand *)b)->response;
    return ra < rb ? 1 : ra > rb ? -1 : 0;
}

static void keyset_free(keyset *k)
{
    free(k->xy);
    free(k->desc);
    memset(k, 0, sizeof *k);
}

/* |DoG| at a keypoint's integer position in the current octave. */
static float dog_response(const VlSiftFilt *f, const VlSiftKeypoint *k)
{
    int w = vl_sift_get_octave_width(f), h = vl_sift_get_octave_height(f);
    int s = k->is - f->s_min;
    if (k->ix < 0 || k->iy < 0 || k->ix >= w || k->iy >= h || s < 0 ||
        s > f->s_max - f->s_min - 1)
        return 0;
    return fabsf(f->dog[(size_t)s * w * h + (size_t)k->iy * w + k->ix]);
}

typedef struct ranked {
    float response;
    int index;
} ranked;

static int by_rank(const void *a, const void *b)
{
    float ra = ((const ranked *)a)->response,
          rb = ((const ranked *)b)->response;
    int ia = ((const ranked *)a)->index, ib = ((const ranked *)b)->index;
    return ra < rb ? 1 : ra > rb ? -1 : ia - ib;
}

/* The octave's keypoints by decreasing response into *ord. */
static int order_keys(const VlSiftFilt *f, const VlSiftKeypoint *keys, int nk,
                      ranked **ord, size_t *cap)
{
    if ((size_t)nk > *cap) {
        ranked *t = realloc(*ord, (size_t)nk * sizeof *t);
        if (!t)
            return -1;
        *ord = t;
        *cap = (size_t)nk;
    }
    for (int i = 0; i < nk; i++) {
        (*ord)[i].response = dog_response(f, &keys[i]);
        (*ord)[i].index = i;
    }
    if (nk > 1)
        qsort(*ord, (size_t)nk, sizeof **ord, by_rank);
    return 0;
}

/* Descriptors found so far, with their keypoints and responses, and the
 * scratch order of the current octave's keypoints. */
typedef struct found {
    cand *c;
    float *desc; /* DESC per entry of c */
    size_t n, cap;
    ranked *ord;
    size_t ord_cap;
} found;

static void found_free(found *fd)
{
    free(fd->c);
    free(fd->desc);
    free(fd->ord);
}

/* Room for one more descriptor; 0, or -1 when out of memory. */
static int found_grow(found *fd)
{
    size_t ncap;
    cand *t;
    float *d;
    if (fd->n < fd->cap)
        return 0;
    ncap = fd->cap ? 2 * fd->cap : 1024;
    t = realloc(fd->c, ncap * sizeof *t);
    if (t)
        fd->c = t;
    d = realloc(fd->desc, ncap * DESC * sizeof *d);
    if (d)
        fd->desc = d;
    if (!t || !d)
        return -1;
    fd->cap = ncap;
    return 0;
}

/* The current octave's (the noct-th) keypoints: the quota of strongest,
 * each with its descriptors (one per orientation), appended to fd. 0, or
 * -1 when out of memory. */
static int octave_descriptors(VlSiftFilt *f, int noct, found *fd)
{
    const VlSiftKeypoint *keys;
    int nk;
    vl_sift_detect(f);
    keys = vl_sift_get_keypoints(f);
    nk = vl_sift_get_nkeypoints(f);
    /* the octave's strongest OCTAVE_QUOTA >> octave keypoints */
    if (order_keys(f, keys, nk, &fd->ord, &fd->ord_cap))
        return -1;
    if (nk > (OCTAVE_QUOTA >> noct))
        nk = OCTAVE_QUOTA >> noct;
    for (int j = 0; j < nk; j++) {
        int i = fd->ord[j].index;
        double ang[4];
        int na = vl_sift_calc_keypoint_orientations(f, ang, &keys[i]);
        for (int a = 0; a < na; a++) {
            float *d;
            if (found_grow(fd))
                return -1;
            d = fd->desc + fd->n * DESC;
            memset(d, 0, DESC * sizeof *d);
            vl_sift_calc_keypoint_descriptor(f, d, &keys[i], ang[a]);
            fd->c[fd->n].k = keys[i];
            fd->c[fd->n].response = fd->ord[j].response;
            fd->c[fd->n].row = (int)fd->n;
            fd->n++;
        }
    }
    return 0;
}

/* p (n samples) scaled to a standard deviation of 0.2 about 0.5 into img
 * (p unchanged when flat). */
static void normalise(const float *p, size_t n, float *img)
{
    double mean = 0, var = 0, k;
    for (size_t i = 0; i < n; i++)
        mean += p[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += (p[i] - mean) * (p[i] - mean);
    k = var > 0 ? 0.2 / sqrt(var / (double)n) : 1;
    for (size_t i = 0; i < n; i++)
        img[i] = (float)((p[i] - mean) * k + 0.5);
}

/* The scale-space buffers of a SIFT filter (VLFeat's vl_sift_new sizes
 * them for its first octave: temp one level, octave s_max - s_min + 1,
 * dog s_max - s_min, grad twice that). *n: their sizes in floats. */
static void sift_sizes(const VlSiftFilt *f, size_t n[4])
{
    int o = f->o_min;
    size_t w = (size_t)(o < 0 ? f->width << -o : f->width >> o);
    size_t h = (size_t)(o < 0 ? f->height << -o : f->height >> o);
    size_t nel = w * h, lev = (size_t)(f->s_max - f->s_min);
    n[0] = nel, n[1] = nel * (lev + 1), n[2] = nel * lev, n[3] = 2 * nel * lev;
}

/* Deletes a SIFT filter whose scale-space buffers are our own. */
static void sift_delete(VlSiftFilt *f)
{
    if (!f)
        return;
    st_free_large(f->temp), st_free_large(f->octave);
    st_free_large(f->dog), st_free_large(f->grad);
    f->temp = f->octave = f->dog = f->grad = NULL;
    vl_sift_delete(f);
}

/* vl_sift_new with its four scale-space buffers (42 MB for a 400 x 300
 * plane, whose first octave is 800 x 600) replaced, before anything
 * touches them, by st_alloc_large's, which fault in 2 MB pages rather
 * than 4 KB (about 2,000 of a 2 MP align's 4,800 page faults). VLFeat allocates
 * them only there and frees them only in vl_sift_delete; sift_delete
 * gives them back. NULL when out of memory. */
static VlSiftFilt *sift_new(int w, int h)
{
    VlSiftFilt *f = vl_sift_new(w, h, -1, 3, 0);
    float *b[4];
    size_t n[4];
    if (!f)
        return NULL;
    sift_sizes(f, n);
    for (int i = 0; i < 4; i++)
        b[i] = st_alloc_large(n[i] * sizeof(float), 0);
    vl_free(f->temp), vl_free(f->octave), vl_free(f->dog), vl_free(f->grad);
    f->temp = b[0], f->octave = b[1], f->dog = b[2], f->grad = b[3];
    if (!b[0] || !b[1] || !b[2] || !b[3]) {
        sift_delete(f);
        return NULL;
    }
    return f;
}

/* A SIFT filter for w x h planes: *f itself when it was made for that
 * size, else a new one in its place; NULL when out of memory. */
static VlSiftFilt *filter_for(VlSiftFilt **f, int w, int h)
{
    if (*f && ((*f)->width != w || (*f)->height != h)) {
        sift_delete(*f);
        *f = NULL;
    }
    if (!*f && (*f = sift_new(w, h))) {
        vl_sift_set_peak_thresh(*f, PEAK_THRESH);
        vl_sift_set_edge_thresh(*f, EDGE_THRESH);
    }
    if (*f) /* the gradients it holds are of the last plane's octaves */
        (*f)->grad_o = (*f)->o_min - 1;
    return *f;
}

/* Keypoints of all octaves in one pass over the scale space, each with
 * its descriptors (one per orientation) and response; then the MAX_KEYS
 * strongest keypoints' descriptors are kept. *sf: the SIFT filter, reused
 * when the last plane had the same size (its buffers are half the
 * memory touched here). */
static int detect(const float *p, int w, int h, VlSiftFilt **sf, keyset *out)
{
    size_t n = (size_t)w * h, nk_kept;
    float *img = malloc(n * sizeof *img);
    VlSiftFilt *f = NULL;
    found fd = {0};
    int rc = -1, noct = 0;

    memset(out, 0, sizeof *out);
    if (!img)
        return -1;
    normalise(p, n, img);
    if (!(f = filter_for(sf, w, h)))
        goto done;
    for (int o = vl_sift_process_first_octave(f, img); o == VL_ERR_OK;
         o = vl_sift_process_next_octave(f))
        if (octave_descriptors(f, noct++, &fd))
            goto done;
    if (fd.n == 0) {
        rc = 0;
        goto done;
    }
    qsort(fd.c, fd.n, sizeof *fd.c, by_response);
    nk_kept = fd.n < MAX_KEYS ? fd.n : MAX_KEYS;
    out->xy = malloc(nk_kept * 2 * sizeof *out->xy);
    out->desc = malloc(nk_kept * DESC * sizeof *out->desc);
    if (!out->xy || !out->desc)
        goto done;
    for (size_t i = 0; i < nk_kept; i++) {
        memcpy(out->desc + i * DESC, fd.desc + (size_t)fd.c[i].row * DESC,
               DESC * sizeof *fd.desc);
        out->xy[2 * i] = fd.c[i].k.x;
        out->xy[2 * i + 1] = fd.c[i].k.y;
    }
    out->n = (int)nk_kept;
    rc = 0;
done:
    if (rc)
        keyset_free(out);
    found_free(&fd);
    free(img);
    return rc;
}

int st_features_match(const float *ref, int rw, int rh, const float *mov,
                      int mw, int mh, st_fmatch **out, int *n)
{
    keyset a = {0}, b = {0};
    VlKDForest *forest = NULL;
    VlSiftFilt *sf = NULL;
    int rc = -1;

    *out = NULL;
    *n = 0;
    if (detect(ref, rw, rh, &sf, &a) || detect(mov, mw, mh, &sf, &b))
        goto done;
    if (a.n < 4 || b.n < 4) {
        rc = 0;
        goto done;
    }
    if (!(*out = malloc((size_t)a.n * sizeof **out)))
        goto done;
    vl_rand_seed(vl_get_rand(), 21);
    forest = vl_kdforest_new(VL_TYPE_FLOAT, DESC, 4, VlDistanceL2);
    if (!forest)
        goto done;
    vl_kdforest_build(forest, (vl_size)b.n, b.desc);
    vl_kdforest_set_max_num_comparisons(forest, 256);
    for (int i = 0; i < a.n; i++) {
        VlKDForestNeighbor nb[2];
        if (vl_kdforest_query(forest, nb, 2, a.desc + (size_t)i * DESC) < 2)
            continue;
        /* squared distances */
        if (!(nb[0].distance < RATIO * RATIO * nb[1].distance))
            continue;
        (*out)[*n].x0 = a.xy[2 * i];
        (*out)[*n].y0 = a.xy[2 * i + 1];
        (*out)[*n].x1 = b.xy[2 * nb[0].index];
        (*out)[*n].y1 = b.xy[2 * nb[0].index + 1];
        (*n)++;
    }
    rc = 0;
done:
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    if (forest)
        vl_kdforest_delete(forest);
    sift_delete(sf);
    keyset_free(&a);
    keyset_free(&b);
    return rc;
}
