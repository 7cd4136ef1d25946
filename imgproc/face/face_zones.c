/* skintrack — zones of a face and the face's skin, from its landmarks.
 *
 *   st_zone_name              the zones' CSV names
 *   st_face_zone_outline      a zone's polygon
 *   st_face_regions           the face's skin and its zones as regions
 *
 * Geometry. Every length is in d, the distance between the eye centres
 * (means of points 36-41 and 42-47), along the face's own axes: u from
 * the image-left eye to the image-right eye, v = u turned 90 degrees, down
 * the face. So the zones turn and scale with the head, and follow
 * expression because every vertex is tied to nearby landmarks:
 *   forehead  from 0.15 d above the brows (points 18-25) to 0.6 d above;
 *   cheeks    0.3-0.35 d below the eye's corners (36, 39 / 45, 42),
 *             0.15 d outside the nose's base (31 / 35), 0.25 d above the
 *             mouth corner (48 / 54), and inside the jaw (30% of the way
 *             from jaw points 1 and 3 / 15 and 13 towards the eye and the
 *             mouth corner);
 *   nose      the dorsum and tip: 0.1 d either side of the bridge (27)
 *             widening to 0.16 d at the tip (30), ending 0.05 d above it,
 *             over the nostrils;
 *   chin      between 30% and 80% of the way from the lower lip (57) to
 *             the chin (8), 0.3 d either side.
 * The face's outline is the jaw (0-16) closed over the brows 0.65 d above
 * them; from it go the eyes (scaled 1.6 times about their centres, for the
 * lids and lashes), the brows (0.08 d above to 0.12 d below their points),
 * the lips (outer contour 48-59 scaled 1.15 times) and the nostrils (0.15
 * d above to 0.06 d below the nose's base, 31-35).
 *
 * Colour. Inside that geometry, skin is told from hair, beard, glasses and
 * background by a model fitted on this photo alone: the per-channel median
 * and robust spread (1.4826 x the median absolute deviation, at least
 * 3 L*, 2 a*, 2 b*) of CIELAB over the zones' cores (each zone shrunk to
 * half its size about its centroid). A pixel is skin when its distance
 * sqrt(zL^2 + za^2 + zb^2) <= 3.5, where z is the deviation in spreads
 * and a* above the median first loses ST_FACE_RED_ALLOWANCE (20): skin up
 * to 20 a* redder than the face's median (erythema, a treated cheek)
 * stays in, while hair (dark or pale, low chroma), and most backdrops
 * differ in L*, b* or in a* downwards. A reddened follow-up fits its own
 * model, so its region does not shrink. The mask is then closed (radius
 * 0.04 d: pores, spots and small shadows are skin) and opened (0.02 d:
 * specks go), and cut to the geometry again. Transparent pixels (alpha
 * below 0.5) are never skin.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "skintrack/face.h"

static const char *const zone_names[ST_ZONE_COUNT] = {
    "forehead", "cheek_left", "cheek_right", "nose", "chin"};

const char *st_zone_name(int zone)
{
    return zone >= 0 && zone < ST_ZONE_COUNT ? zone_names[zone] : "";
}

/* The face's frame: eye distance d, unit vectors u (across) and v (down). */
typedef struct frame {
    const st_face *f;
    double d, ux, uy, vx, vy;
} frame;

static frame face_frame(const st_face *f)
{
    frame fr = {f, 0, 1, 0, 0, 1};
    double rx = 0, ry = 0, lx = 0, ly = 0, dx, dy;
    for (int i = 0; i < 6; i++) {
        rx += f->x[36 + i] / 6, ry += f->y[36 + i] / 6;
        lx += f->x[42 + i] / 6, ly += f->y[42 + i] / 6;
    }
    dx = lx - rx, dy = ly - ry;
    fr.d = hypot(dx, dy);
    if (fr.d > 0) {
        fr.ux = dx / fr.d, fr.uy = dy / fr.d;
        fr.vx = -fr.uy, fr.vy = fr.ux;
    }
    return fr;
}

/* A polygon under construction. */
typedef struct poly {
    int n;
    double x[ST_ZONE_MAX_VERTICES * 2], y[ST_ZONE_MAX_VERTICES * 2];
} poly;

/* Adds landmark i moved by a d along u and b d along v; side = -1 mirrors
 * the u offset (the other half of the face). */
static void add(poly *p, const frame *fr, int i, double a, double b)
{
    double x = fr->f->x[i], y = fr->f->y[i];
    p->x[p->n] = x + fr->d * (a * fr->ux + b * fr->vx);
    p->y[p->n] = y + fr->d * (a * fr->uy + b * fr->vy);
    p->n++;
}

/* Adds the point t of the way from landmark i to landmark j, moved by
 * b d along v. */
static void add_lerp(poly *p, const frame *fr, int i, int j, double t, double b)
{
    const st_face *f = fr->f;
    p->x[p->n] = f->x[i] + t * (f->x[j] - f->x[i]) + fr->d * b * fr->vx;
    p->y[p->n] = f->y[i] + t * (f->y[j] - f->y[i]) + fr->d * b * fr->vy;
    p->n++;
}

/* The cheek on the image's left (s = 1: the subject's right, landmarks as
 * numbered) or right (s = -1: mirrored numbering, u offsets flipped). */
static void cheek(poly *p, const frame *fr, int s)
{
    /* image-left landmark -> its mirror */
    int j1 = s > 0 ? 1 : 15, j3 = s > 0 ? 3 : 13;
    int e36 = s > 0 ? 36 : 45, e39 = s > 0 ? 39 : 42;
    int n31 = s > 0 ? 31 : 35, m48 = s > 0 ? 48 : 54;
    add(p, fr, e36, 0, 0.3);
    add(p, fr, e39, 0, 0.35);
    add(p, fr, n31, -0.15 * s, -0.05);
    add(p, fr, m48, -0.1 * s, -0.25);
    add_lerp(p, fr, j3, m48, 0.3, 0);
    add_lerp(p, fr, j1, e36, 0.3, 0.15);
}

static void zone_poly(poly *p, const frame *fr, int zone)
{
    static const int top[4] = {25, 23, 20, 18};
    p->n = 0;
    switch (zone) {
    case ST_ZONE_FOREHEAD:
        for (int i = 18; i <= 25; i++)
            add(p, fr, i, 0, -0.15);
        for (int k = 0; k < 4; k++)
            add(p, fr, top[k], 0, -0.6);
        break;
    case ST_ZONE_CHEEK_RIGHT: cheek(p, fr, 1); break;
    case ST_ZONE_CHEEK_LEFT: cheek(p, fr, -1); break;
    case ST_ZONE_NOSE:
        add(p, fr, 27, -0.1, 0.05);
        add(p, fr, 27, 0.1, 0.05);
        add(p, fr, 30, 0.16, -0.05);
        add(p, fr, 30, -0.16, -0.05);
        break;
    case ST_ZONE_CHIN:
        add_lerp(p, fr, 57, 8, 0.3, 0);
        p->x[0] -= 0.3 * fr->d * fr->ux, p->y[0] -= 0.3 * fr->d * fr->uy;
        add_lerp(p, fr, 57, 8, 0.3, 0);
        p->x[1] += 0.3 * fr->d * fr->ux, p->y[1] += 0.3 * fr->d * fr->uy;
        add_lerp(p, fr, 9, 57, 0.2, 0);
        add_lerp(p, fr, 57, 8, 0.8, 0);
        add_lerp(p, fr, 7, 57, 0.2, 0);
        break;
    default: break;
    }
}

int st_face_zone_outline(const st_face *face, int zone, double *x, double *y,
                         int max)
{
    frame fr = face_frame(face);
    poly p;
    zone_poly(&p, &fr, zone);
    if (p.n > max)
        p.n = max;
    memcpy(x, p.x, (size_t)p.n * sizeof *x);
    memcpy(y, p.y, (size_t)p.n * sizeof *y);
    return p.n;
}

/* Sets (value 1) or clears (value 0) the pixels of the w x h mask m whose
 * centres lie inside p (even-odd rule; a centre on a left edge is in). */
static void fill(uint8_t *m, int w, int h, const poly *p, uint8_t value)
{
    double ylo = 1e300, yhi = -1e300, xs[ST_ZONE_MAX_VERTICES * 2];
    for (int i = 0; i < p->n; i++)
        ylo = fmin(ylo, p->y[i]), yhi = fmax(yhi, p->y[i]);
    for (int y = (int)fmax(0, ceil(ylo)); y <= (int)fmin(h - 1, floor(yhi));
         y++) {
        int k = 0;
        for (int i = 0, j = p->n - 1; i < p->n; j = i++) {
            double ya = p->y[j], yb = p->y[i];
            if ((ya <= y && y < yb) || (yb <= y && y < ya))
                xs[k++] = p->x[j] + (y - ya) * (p->x[i] - p->x[j]) / (yb - ya);
        }
        for (int a = 1; a < k; a++) /* insertion sort: k is small */
            for (int b = a; b > 0 && xs[b - 1] > xs[b]; b--) {
                double t = xs[b];
                xs[b] = xs[b - 1], xs[b - 1] = t;
            }
        for (int a = 0; a + 1 < k; a += 2) {
            int x0 = (int)fmax(0, ceil(xs[a]));
            int x1 = (int)fmin(w - 1, ceil(xs[a + 1]) - 1);
            if (x1 >= x0)
                memset(m + (size_t)y * w + x0, value, (size_t)(x1 - x0 + 1));
        }
    }
}

/* Grows box (x0, y0, x1, y1; x1, y1 exclusive) to hold p's pixels, cut
 * to the w x h image. */
static void grow_box(int box[4], const poly *p, int w, int h)
{
    for (int i = 0; i < p->n; i++) {
        int x0 = (int)floor(p->x[i]), y0 = (int)floor(p->y[i]);
        box[0] = x0 < box[0] ? (x0 > 0 ? x0 : 0) : box[0];
        box[1] = y0 < box[1] ? (y0 > 0 ? y0 : 0) : box[1];
        box[2] = x0 + 2 > box[2] ? (x0 + 2 < w ? x0 + 2 : w) : box[2];
        box[3] = y0 + 2 > box[3] ? (y0 + 2 < h ? y0 + 2 : h) : box[3];
    }
}

/* a = a AND b where a may be set (box: all of a's set pixels), with a's
 * bounding box and count: the work of st_region_intersect over the box
 * only (a 12 MP photo's zone is a small part of it). */
static void and_in_box(st_region *a, const st_region *b, const int box[4])
{
    for (int y = box[1]; y < box[3]; y++) {
        uint8_t *m = a->mask + (size_t)y * (size_t)a->width;
        const uint8_t *n = b->mask + (size_t)y * (size_t)a->width;
        for (int x = box[0]; x < box[2]; x++)
            m[x] = (uint8_t)(m[x] && n[x]);
    }
    st_region_update_in(a, box[0], box[1], box[2], box[3]);
}

/* p scaled by k about its vertices' mean. */
static void scale_poly(poly *p, double k)
{
    double cx = 0, cy = 0;
    for (int i = 0; i < p->n; i++)
        cx += p->x[i] / p->n, cy += p->y[i] / p->n;
    for (int i = 0; i < p->n; i++)
        p->x[i] = cx + k * (p->x[i] - cx), p->y[i] = cy + k * (p->y[i] - cy);
}

/* The face's outline less eyes, brows, lips and nostrils, into m. */
static void geometry(uint8_t *m, int w, int h, const frame *fr)
{
    poly p = {0};
    for (int i = 0; i <= 16; i++)
        add(&p, fr, i, 0, 0);
    add(&p, fr, 26, 0, -0.65);
    add(&p, fr, 24, 0, -0.65);
    add(&p, fr, 19, 0, -0.65);
    add(&p, fr, 17, 0, -0.65);
    fill(m, w, h, &p, 1);
    for (int e = 36; e <= 42; e += 6) { /* eyes */
        p.n = 0;
        for (int i = e; i < e + 6; i++)
            add(&p, fr, i, 0, 0);
        scale_poly(&p, 1.6);
        fill(m, w, h, &p, 0);
    }
    for (int b = 17; b <= 22; b += 5) { /* brows */
        p.n = 0;
        for (int i = b; i < b + 5; i++)
            add(&p, fr, i, 0, -0.08);
        for (int i = b + 4; i >= b; i--)
            add(&p, fr, i, 0, 0.12);
        fill(m, w, h, &p, 0);
    }
    p.n = 0; /* lips */
    for (int i = 48; i <= 59; i++)
        add(&p, fr, i, 0, 0);
    scale_poly(&p, 1.15);
    fill(m, w, h, &p, 0);
    p.n = 0; /* nostrils */
    add(&p, fr, 31, -0.1, -0.15);
    add(&p, fr, 35, 0.1, -0.15);
    add(&p, fr, 35, 0.1, 0.06);
    add(&p, fr, 31, -0.1, 0.06);
    fill(m, w, h, &p, 0);
}

/* The median of v[0..n), n >= 1 (mean of the middle two for even n). */
static double median(float *v, size_t n)
{
    double hi = st_select_k(v, n, n / 2), lo;
    if (n % 2)
        return hi;
    lo = v[0]; /* the largest of the lower half (st_select_k left it below) */
    for (size_t i = 1; i < n / 2; i++)
        lo = v[i] > lo ? v[i] : lo;
    return 0.5 * (lo + hi);
}

/* Median and robust spread (1.4826 MAD, at least floor) of v[0..n);
 * v is reordered. */
static void robust(float *v, size_t n, double floor_, double *med,
                   double *spread)
{
    *med = median(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = fabsf(v[i] - (float)*med);
    *spread = fmax(floor_, 1.4826 * median(v, n));
}

typedef struct lab_box {
    int x0, y0, w, h;
    float *L, *A, *B; /* w x h each, the geometry's box: L*, and a*, b*
                         per 100 L* */
} lab_box;

/* L*, and a* and b* per 100 L*, of the photo over the region's box (0
 * outside the region). */
static st_status lab_of(lab_box *lb, const st_image *img, const st_region *g,
                        st_error *err)
{
    st_lab_rows c;
    size_t n;
    st_status s;
    memset(lb, 0, sizeof *lb);
    if ((s = st_lab_rows_init(&c, img, g, NULL, err)))
        return s;
    lb->x0 = c.x0, lb->y0 = c.y0, lb->w = c.x1 - c.x0, lb->h = c.y1 - c.y0;
    n = (size_t)lb->w * (size_t)lb->h;
    lb->L = malloc(n * sizeof *lb->L);
    lb->A = malloc(n * sizeof *lb->A);
    lb->B = malloc(n * sizeof *lb->B);
    if (!lb->L || !lb->A || !lb->B)
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (face colour)");
    for (int y = 0; !s && y < lb->h; y++) {
        size_t o = (size_t)y * lb->w;
        st_lab_rows_convert(&c, lb->y0 + y, lb->L + o, lb->A + o, lb->B + o);
        for (int x = 0; x < lb->w; x++) { /* chroma per unit lightness */
            float k = 100.0f / fmaxf(lb->L[o + x], 1.0f);
            lb->A[o + x] *= k, lb->B[o + x] *= k;
        }
    }
    st_lab_rows_free(&c);
    return s;
}

static void lab_box_free(lab_box *lb)
{
    free(lb->L);
    free(lb->A);
    free(lb->B);
}

/* Squared distance of box pixel i from the model (a* above the median
 * less the red allowance). */
static double dist2(const lab_box *lb, size_t i, const double med[3],
                    const double sp[3])
{
    double zl = (lb->L[i] - med[0]) / sp[0], zb = (lb->B[i] - med[2]) / sp[2];
    double da = lb->A[i] - med[1], za;
    double allow = 100 * ST_FACE_RED_ALLOWANCE / fmax(med[0], 1);
    if (da > 0)
        da = da > allow ? da - allow : 0;
    za = da / sp[1];
    return zl * zl + za * za + zb * zb;
}

#define SKIN_D2       12.25 /* 3.5 spreads */
#define SKIN_D2_LOOSE 36.0  /* 6 spreads: what a closing may fill */

/* The colour model's median and spread of L*, a*, b* over the cores:
 * once over all of them, then again over the core pixels the first model
 * calls skin (a beard, a shadow or a strand of hair in a core does not
 * pull the model). */
static st_status fit(const lab_box *lb, const uint8_t *core, int w,
                     double med[3], double spread[3], st_error *err)
{
    size_t n = 0;
    static const double floors[3] = {12, 4, 4};
    const float *ch[3] = {lb->L, lb->A, lb->B};
    float *v;
    for (int y = 0; y < lb->h; y++)
        for (int x = 0; x < lb->w; x++)
            n += core[(size_t)(lb->y0 + y) * w + lb->x0 + x] != 0;
    if (n < 64)
        return st_fail(err, ST_ERR_INVALID,
                       "the face is too small to measure (%zu px of zone "
                       "cores)",
                       n);
    v = malloc(n * sizeof *v);
    if (!v)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (face colour)");
    for (int pass = 0; pass < 2; pass++) {
        double m[3], sp[3];
        for (int c = 0; c < 3; c++) {
            size_t k = 0;
            for (int y = 0; y < lb->h; y++)
                for (int x = 0; x < lb->w; x++) {
                    size_t i = (size_t)y * lb->w + x;
                    if (core[(size_t)(lb->y0 + y) * w + lb->x0 + x] &&
                        (!pass || dist2(lb, i, med, spread) <= SKIN_D2))
                        v[k++] = ch[c][i];
                }
            if (k < 64) /* the first model keeps too little: stay with it */
                goto done;
            robust(v, k, floors[c], &m[c], &sp[c]);
        }
        memcpy(med, m, sizeof m);
        memcpy(spread, sp, sizeof sp);
    }
done:
    free(v);
    return ST_OK;
}

/* Keeps in m (the geometry) the pixels of the box whose colour is the
 * model's, closes and opens the result, and cuts it to the geometry. */
static st_status colour_cut(uint8_t *m, int w, const lab_box *lb,
                            const double med[3], const double sp[3], double d,
                            st_error *err)
{
    size_t n = (size_t)lb->w * lb->h;
    uint8_t *sub = malloc(n), *geo = malloc(n);
    int *tmp = malloc(n * sizeof *tmp), *cnt = malloc(n * sizeof *cnt);
    int rc = (int)lround(0.04 * d), ro = (int)lround(0.02 * d);
    if (!sub || !geo || !tmp || !cnt) {
        free(sub), free(geo), free(tmp), free(cnt);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (face skin)");
    }
    for (int y = 0; y < lb->h; y++)
        for (int x = 0; x < lb->w; x++) {
            size_t i = (size_t)y * lb->w + x;
            geo[i] = m[(size_t)(lb->y0 + y) * w + lb->x0 + x];
            sub[i] = (uint8_t)(geo[i] && dist2(lb, i, med, sp) <= SKIN_D2);
        }
    if (ro > 0) {
        st_mask_morph(sub, lb->w, lb->h, ro, 1, tmp, cnt);
        st_mask_morph(sub, lb->w, lb->h, ro, 0, tmp, cnt);
    }
    if (rc > 0) {
        st_mask_morph(sub, lb->w, lb->h, rc, 0, tmp, cnt);
        st_mask_morph(sub, lb->w, lb->h, rc, 1, tmp, cnt);
    }
    for (int y = 0; y < lb->h; y++)
        for (int x = 0; x < lb->w; x++) {
            size_t i = (size_t)y * lb->w + x;
            m[(size_t)(lb->y0 + y) * w + lb->x0 + x] =
                (uint8_t)(sub[i] && geo[i] &&
                          dist2(lb, i, med, sp) <= SKIN_D2_LOOSE);
        }
    free(sub), free(geo), free(tmp), free(cnt);
    return ST_OK;
}

st_status st_face_regions(const st_face *face, const st_image *img,
                          st_region **skin_out,
                          st_region *zones_out[ST_ZONE_COUNT], st_error *err)
{
    int w = img->width, h = img->height;
    frame fr = face_frame(face);
    st_region *skin = NULL, *core = NULL, *z[ST_ZONE_COUNT] = {0};
    lab_box lb = {0};
    double med[3] = {0}, sp[3] = {1, 1, 1};
    int box[4]; /* the zone cores' */
    st_status s;

    if (skin_out)
        *skin_out = NULL;
    for (int i = 0; zones_out && i < ST_ZONE_COUNT; i++)
        zones_out[i] = NULL;
    if (!(fr.d >= 8))
        return st_fail(err, ST_ERR_INVALID,
                       "the face is too small to measure (eyes %.1f px "
                       "apart)",
                       fr.d);
    if ((s = st_region_new_empty(&skin, w, h, err)) ||
        (s = st_region_new_empty(&core, w, h, err)))
        goto done;
    geometry(skin->mask, w, h, &fr);
    st_region_update(skin);
    if ((s = st_region_drop_transparent(skin, img, err)))
        goto done;
    if (!skin->count) {
        s = st_fail(err, ST_ERR_INVALID, "the face lies outside the photo");
        goto done;
    }
    box[0] = w, box[1] = h, box[2] = box[3] = 0;
    for (int zi = ST_ZONE_FOREHEAD + 1; zi < ST_ZONE_COUNT; zi++) {
        poly p; /* not the forehead: a fringe may cover it */
        zone_poly(&p, &fr, zi);
        scale_poly(&p, 0.5);
        fill(core->mask, w, h, &p, 1);
        grow_box(box, &p, w, h);
    }
    and_in_box(core, skin, box);
    if ((s = lab_of(&lb, img, skin, err)) ||
        (s = fit(&lb, core->mask, w, med, sp, err)) ||
        (s = colour_cut(skin->mask, w, &lb, med, sp, fr.d, err)))
        goto done;
    {
        /* the colour cut only clears pixels of the box */
        int sb[4] = {skin->x0, skin->y0, skin->x1, skin->y1};
        and_in_box(skin, skin, sb);
    }
    for (int zi = 0; zones_out && zi < ST_ZONE_COUNT; zi++) {
        poly p;
        int zb[4] = {w, h, 0, 0};
        if ((s = st_region_new_empty(&z[zi], w, h, err)))
            goto done;
        zone_poly(&p, &fr, zi);
        fill(z[zi]->mask, w, h, &p, 1);
        grow_box(zb, &p, w, h);
        and_in_box(z[zi], skin, zb);
        if (z[zi]->count < 64) {
            s = st_fail(err, ST_ERR_INVALID,
                        "zone %s holds %zu px of skin (the face is too "
                        "small, or hidden)",
                        zone_names[zi], z[zi]->count);
            goto done;
        }
    }
done:
    lab_box_free(&lb);
    st_region_free(core);
    if (s) {
        st_region_free(skin);
        for (int i = 0; i < ST_ZONE_COUNT; i++)
            st_region_free(z[i]);
        return s;
    }
    for (int i = 0; i < ST_ZONE_COUNT; i++) {
        if (zones_out)
            zones_out[i] = z[i];
    }
    if (skin_out)
        *skin_out = skin;
    else
        st_region_free(skin);
    return ST_OK;
}
