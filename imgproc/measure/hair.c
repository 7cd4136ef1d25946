/* skintrack — hair strands painted out before the pore search.
 *
 *   st_hair_remove   a copy of an L* plane with its hair strands filled
 *                    from their sides
 *
 * A hair that crosses a pore changes the pore's Laplacian-of-Gaussian
 * response and its ring (pores.c), so the pore is lost. Dermoscopy meets
 * the same problem: DullRazor (Lee et al. 1997, Comput. Biol. Med.
 * 27:533) finds dark hair by grey-level closings with long thin line
 * elements, keeps only thin long shapes and replaces their pixels by an
 * interpolation between the nearest skin on either side of the strand.
 * Here the same three steps are done with the Hessian of L*, which also
 * gives each strand's direction:
 *
 *  1. Line centres. L* is smoothed by a Gaussian of sigma (0.4 of the
 *     smallest pore diameter: 1.2 px by default, hairs 1.5-4 px wide),
 *     row by row, and its Hessian taken by central differences. Across a
 *     dark strand the larger eigenvalue l1 is large and along it the
 *     other, l2, is near 0 (Frangi et al. 1998, MICCAI, LNCS 1496:130); a
 *     round pore has l2 ~ l1 and is no line. A pixel is a line centre when
 *     the extremum of L* across the line lies within the pixel,
 *     t = -(grad . n) / l1 with |t n_x|, |t n_y| <= 0.5 (Steger 1998, IEEE
 *     TPAMI 20:113; this also rejects the side lobes of edges), and the
 *     scale-normalised strength sigma^2 l1 is at least HAIR_WEAK of
 *     HAIR_MIN_L with l2 < HAIR_WEAK_ANISO l1 (weak); it is strong from
 *     HAIR_MIN_L L* with l2 < HAIR_ANISO l1.
 *  2. Strands. Line centres are joined 8-connected; a piece whose bounding
 *     box is at least HAIR_MIN_LEN px long (twice the largest pore) and
 *     at least half of whose centres are strong is a strand (hysteresis,
 *     as in Canny's edges: weak centres carry a strand across a pore or
 *     a bit of texture it crosses). Shorter pieces are texture, crease
 *     bits or pore rims and are left alone.
 *  3. Ends. A strand breaks where it crosses another or a pore (the
 *     centre tests fail there) and fades out at its tip; either would
 *     leave a dark stub that the pore search takes for a pore. Each end
 *     is carried on along its line HAIR_GAP sigma whatever lies there,
 *     then on while the line stays HAIR_TRACE_L L* darker than the skin
 *     on both sides (up to HAIR_TRACE_MAX px).
 *  4. Filling. Across each centre, HAIR_REACH sigma either way along its
 *     normal and one pixel along the strand, L* is replaced by the
 *     straight line between the skin just beyond the strand on either
 *     side (the first pixel along the normal that no strand covers, one
 *     more pixel out); a pixel two centres reach gets the mean of their
 *     fills. Pinholes that the slabs miss on the outside of a bend are
 *     covered, and covered pixels with no usable side (where strands
 *     cross) are filled from their neighbours, a ring at a time.
 *
 * Why these numbers: a strand of L* contrast A and Gaussian profile of sd
 * s gives sigma^2 l1 = A s sigma^2 / (s^2 + sigma^2)^1.5; a hair 25 L*
 * darker than skin, s 0.75-1.5 px, gives 7.5-9.5 L* at sigma 1.2; a crease
 * 3-5 L* deep and 3-6 px wide gives under 2 L*; a step edge 12 L* high
 * gives at most 0.24 x 12 = 2.9 L* and fails the centre test. The fill
 * reaches 3 sigma (3.6 px), where a 1.5 px hair's profile is down to 6%.
 *
 * The pore search (pores.c) then runs on the filled copy and leaves the
 * filled pixels out of its spread of responses (they have none, and would
 * lower it). Cost and effect: docs/metrics.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "measure/measure_internal.h"

#define HAIR_MIN_L      4.0  /* L*, scale-normalised line strength */
#define HAIR_ANISO      0.3  /* l2 / l1 below this: a line, not a blob */
#define HAIR_REACH      3.0  /* sigmas filled either side of a centre */
#define HAIR_MIN_LEN    48.0 /* px: a strand's bounding box, at least */
#define HAIR_WEAK       0.5  /* of HAIR_MIN_L: a weak centre */
#define HAIR_GAP        6.0  /* sigmas a strand end is carried on */
#define HAIR_TRACE_L    3.0  /* L*: a line this much darker goes on */
#define HAIR_TRACE_MAX  96.0 /* px an end is traced at most */
#define HAIR_WEAK_ANISO 0.6  /* l2 / l1 below this: a weak centre */

/* A line centre: box pixel (x, y) and unit normal (nx, ny). */
typedef struct centre {
    int x, y;
    float nx, ny;
    int strong;
} centre;

typedef struct centres {
    centre *c;
    int n, cap;
} centres;

static int add_centre(centres *cs, centre c)
{
    if (cs->n == cs->cap) {
        int m = cs->cap ? 2 * cs->cap : 1024;
        centre *p = realloc(cs->c, (size_t)m * sizeof *p);
        if (!p)
            return -1;
        cs->c = p;
        cs->cap = m;
    }
    cs->c[cs->n++] = c;
    return 0;
}

/* The smoothing of the box, a row at a time: a ring of rows blurred
 * along x (hb) and one of rows blurred along both (vb). Rows beyond the
 * box repeat its edge rows. */
typedef struct smoother {
    const st_l_plane *lab;
    int x0, y0, bw, bh, R, nh;
    float *k;           /* 2 R + 1 taps, sum 1 */
    float *hb, *vb;     /* nh rows, 3 rows of bw */
    float *ext;         /* bw + 2 R: a row and its repeated ends */
    int have_h, have_v; /* rows computed so far */
} smoother;

static void blur_row_x(const smoother *s, int j, float *out)
{
    const float *L = s->lab->L + (size_t)(s->y0 + j) * s->lab->width + s->x0;
    int R = s->R, bw = s->bw;
    /* the row with R copies of its end pixels either side, then one
     * multiply-add pass per tap (loops the compiler vectorises) */
    float *ext = s->ext;
    for (int i = 0; i < R; i++)
        ext[i] = L[0], ext[R + bw + i] = L[bw - 1];
    memcpy(ext + R, L, (size_t)bw * sizeof *L);
    for (int x = 0; x < bw; x++)
        out[x] = s->k[0] * ext[x];
    for (int i = 1; i <= 2 * R; i++) {
        float w = s->k[i];
        const float *e = ext + i;
        for (int x = 0; x < bw; x++)
            out[x] += w * e[x];
    }
}

/* Row j (clamped to the box) of the smoothed plane. */
static const float *smooth_row(smoother *s, int j)
{
    j = j < 0 ? 0 : j >= s->bh ? s->bh - 1 : j;
    while (s->have_v <= j) {
        int v = s->have_v, R = s->R;
        float *out = s->vb + (size_t)(v % 3) * s->bw;
        int top = v + R < s->bh ? v + R : s->bh - 1;
        while (s->have_h <= top) {
            blur_row_x(s, s->have_h,
                       s->hb + (size_t)(s->have_h % s->nh) * s->bw);
            s->have_h++;
        }
        memset(out, 0, (size_t)s->bw * sizeof *out);
        for (int i = -R; i <= R; i++) {
            int r = v + i < 0 ? 0 : v + i >= s->bh ? s->bh - 1 : v + i;
            const float *h = s->hb + (size_t)(r % s->nh) * s->bw;
            float w = s->k[i + R];
            for (int x = 0; x < s->bw; x++)
                out[x] += w * h[x];
        }
        s->have_v++;
    }
    return s->vb + (size_t)(j % 3) * s->bw;
}

/* The line centres of box row y (rows u, m, d: smoothed y - 1, y, y + 1)
 * into cs. l1 is a row of scratch. */
static int row_centres(const st_region *reg, int x0, int y0, int y,
                       const float *u, const float *m, const float *d, int bw,
                       double sigma, float *l1, centres *cs)
{
    float s2 = (float)(sigma * sigma), tmin = (float)HAIR_MIN_L;
    float tw = (float)HAIR_WEAK * tmin / s2, kw = (float)HAIR_WEAK_ANISO;
    const uint8_t *mk = reg->mask + (size_t)(y0 + y) * reg->width + x0;
    /* the larger eigenvalue, scale-normalised, and the line test; most
     * pixels fail it (a loop the compiler can vectorise) */
    for (int x = 1; x < bw - 1; x++) {
        float a = m[x - 1] - 2 * m[x] + m[x + 1];
        float c = u[x] - 2 * m[x] + d[x];
        float b = 0.25f * (d[x + 1] - d[x - 1] - u[x + 1] + u[x - 1]);
        /* eigenvalues mean +- r, r^2 = h^2 + b^2; the tests compare
         * squares, no root: l1 = mean + r >= t (r >= t - mean) and
         * l2 < k l1 ((1 - k) mean < (1 + k) r) */
        float h = 0.5f * (a - c), mean = 0.5f * (a + c), r2 = h * h + b * b;
        float gap = tw - mean, lhs = (1 - kw) * mean;
        int big = gap <= 0 || r2 >= gap * gap;
        int line = lhs < 0 || lhs * lhs < (1 + kw) * (1 + kw) * r2;
        l1[x] = big && line ? 1.0f : 0.0f;
    }
    for (int x = 1; x < bw - 1; x++) {
        float a, c, b, e, nx, ny, nn, gn, t;
        if (!(l1[x] > 0) || !mk[x])
            continue;
        a = m[x - 1] - 2 * m[x] + m[x + 1];
        c = u[x] - 2 * m[x] + d[x];
        b = 0.25f * (d[x + 1] - d[x - 1] - u[x + 1] + u[x - 1]);
        e = 0.5f * (a + c) + sqrtf(0.25f * (a - c) * (a - c) + b * b);
        /* eigenvector of e: (b, e - a) or (e - c, b), the longer */
        if (fabsf(e - a) > fabsf(e - c))
            nx = b, ny = e - a;
        else
            nx = e - c, ny = b;
        nn = sqrtf(nx * nx + ny * ny);
        if (!(nn > 0))
            continue;
        nx /= nn, ny /= nn;
        gn = 0.5f * ((m[x + 1] - m[x - 1]) * nx + (d[x] - u[x]) * ny);
        t = -gn / e;
        if (fabsf(t * nx) > 0.5f || fabsf(t * ny) > 0.5f)
            continue;
        if (add_centre(cs, (centre){x, y, nx, ny,
                                    s2 * e >= tmin &&
                                        (a + c - e) < (float)HAIR_ANISO * e}))
            return -1;
    }
    return 0;
}

/* Every line centre of the region's box, in raster order. */
static st_status find_centres(const st_l_plane *lab, const st_region *reg,
                              double sigma, centres *cs, st_error *err)
{
    smoother s;
    float *l1 = NULL;
    double ks = 0;
    st_status st = ST_OK;
    memset(&s, 0, sizeof s);
    s.lab = lab, s.x0 = reg->x0, s.y0 = reg->y0;
    s.bw = reg->x1 - reg->x0, s.bh = reg->y1 - reg->y0;
    s.R = (int)ceil(3 * sigma);
    s.nh = 2 * s.R + 2;
    s.k = malloc((size_t)(2 * s.R + 1) * sizeof *s.k);
    s.hb = malloc((size_t)s.nh * s.bw * sizeof *s.hb);
    s.vb = malloc((size_t)3 * s.bw * sizeof *s.vb);
    s.ext = malloc((size_t)(s.bw + 2 * s.R) * sizeof *s.ext);
    l1 = calloc((size_t)s.bw, sizeof *l1);
    if (!s.k || !s.hb || !s.vb || !s.ext || !l1) {
        st = st_fail(err, ST_ERR_NOMEM, "out of memory (hair)");
        goto done;
    }
    for (int i = -s.R; i <= s.R; i++)
        ks += exp(-i * i / (2 * sigma * sigma));
    for (int i = -s.R; i <= s.R; i++)
        s.k[i + s.R] = (float)(exp(-i * i / (2 * sigma * sigma)) / ks);
    for (int y = 1; y < s.bh - 1; y++) {
        const float *u, *m, *d;
        u = smooth_row(&s, y - 1);
        m = smooth_row(&s, y);
        d = smooth_row(&s, y + 1);
        if (row_centres(reg, s.x0, s.y0, y, u, m, d, s.bw, sigma, l1, cs)) {
            st = st_fail(err, ST_ERR_NOMEM, "out of memory (hair)");
            goto done;
        }
    }
done:
    free(s.k);
    free(s.hb);
    free(s.vb);
    free(s.ext);
    free(l1);
    return st;
}

static int root(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* Labels the pieces of 8-connected centres (cs in raster order): parent
 * is a union-find forest over the centres. */
static void join_pieces(const centres *cs, int *parent)
{
    int prev = 0, prev_end = 0, row0 = 0;
    for (int i = 0; i < cs->n; i++) {
        const centre *c = &cs->c[i];
        parent[i] = i;
        if (i > 0 && cs->c[i - 1].y != c->y) { /* a new row */
            if (cs->c[i - 1].y == c->y - 1)
                prev = row0, prev_end = i;
            else
                prev = prev_end = i;
            row0 = i;
        }
        if (i > row0 && cs->c[i - 1].x == c->x - 1)
            parent[i] = root(parent, i - 1);
        while (prev < prev_end && cs->c[prev].x < c->x - 1)
            prev++;
        for (int j = prev; j < prev_end && cs->c[j].x <= c->x + 1; j++) {
            int a = root(parent, j), b = root(parent, i);
            if (a != b)
                parent[b] = a;
        }
    }
}

/* Keeps, in place, the centres of strands: pieces at least HAIR_MIN_LEN
 * px long (bounding box) of which at least half the centres are strong.
 * -1 when out of memory. */
static int keep_strands(centres *cs)
{
    int n = cs->n, kept = 0;
    size_t m = (size_t)(n ? n : 1);
    int *parent = malloc(m * sizeof *parent);
    int *box = malloc(m * 4 * sizeof *box); /* x0 y0 x1 y1 of each root */
    int *strong = calloc(m, sizeof *strong);
    if (!parent || !box || !strong) {
        free(parent);
        free(box);
        free(strong);
        return -1;
    }
    join_pieces(cs, parent);
    for (int i = 0; i < n; i++) {
        int *b = box + 4 * i;
        b[0] = b[2] = cs->c[i].x, b[1] = b[3] = cs->c[i].y;
    }
    for (int i = 0; i < n; i++) {
        int r = root(parent, i), *b = box + 4 * r;
        const centre *c = &cs->c[i];
        b[0] = c->x < b[0] ? c->x : b[0], b[2] = c->x > b[2] ? c->x : b[2];
        b[1] = c->y < b[1] ? c->y : b[1], b[3] = c->y > b[3] ? c->y : b[3];
        strong[r] += c->strong ? 1 : -1;
    }
    for (int i = 0; i < n; i++) {
        int r = root(parent, i);
        const int *b = box + 4 * r;
        if (strong[r] >= 0 &&
            fmax(b[2] - b[0], b[3] - b[1]) + 1 >= HAIR_MIN_LEN)
            cs->c[kept++] = cs->c[i];
    }
    cs->n = kept;
    free(parent);
    free(box);
    free(strong);
    return 0;
}

/* Box map of the pixels strands cover: MARK set on each, the low bits
 * count the fills that reach it (up to COUNT). */
#define MARK  0x80u
#define COUNT 0x7fu

/* Where a strand ends: the plane and how far an end is carried. */
typedef struct tracer {
    const float *L; /* the plane at the box's origin */
    int stride, bw, bh;
    double r;        /* the fill's reach across */
    int bridge, max; /* px carried unconditionally, at most */
} tracer;

/* L* at box point (x, y), nearest pixel; NaN outside the box. */
static float at_px(const tracer *tr, double x, double y)
{
    int ix = (int)lround(x), iy = (int)lround(y);
    if (ix < 0 || iy < 0 || ix >= tr->bw || iy >= tr->bh)
        return NAN;
    return tr->L[(size_t)iy * tr->stride + ix];
}

/* How much darker than the skin on both sides (r + 1 and r + 2 px out
 * along the normal, the darker side's mean) the line through (x, y) is;
 * NaN when a sample is outside the box. */
static double contrast(const tracer *tr, double x, double y, double nx,
                       double ny)
{
    double a = 0.5 * (at_px(tr, x - (tr->r + 1) * nx, y - (tr->r + 1) * ny) +
                      at_px(tr, x - (tr->r + 2) * nx, y - (tr->r + 2) * ny));
    double b = 0.5 * (at_px(tr, x + (tr->r + 1) * nx, y + (tr->r + 1) * ny) +
                      at_px(tr, x + (tr->r + 2) * nx, y + (tr->r + 2) * ny));
    return fmin(a, b) - at_px(tr, x, y);
}

/* Carries the end c along the unit tangent (tx, ty): tr->bridge px
 * whatever lies there (across a crossing or a pore), then on while the
 * line goes on, at least HAIR_TRACE_L L* darker than the skin on both
 * sides (the step re-centred on the darkest of three pixels across, so a
 * bent line is followed), so that no dark stub is left where a strand
 * fades out. Centres added to cs. */
static int carry(centres *cs, const tracer *tr, centre c, double tx, double ty)
{
    double x = c.x, y = c.y;
    for (int k = 1; k <= tr->max; k++) {
        double px = x + tx, py = y + ty;
        centre e = c;
        if (k > tr->bridge) {
            double best = INFINITY, q = 0;
            for (int j = -1; j <= 1; j++) {
                double v = at_px(tr, px + j * c.nx, py + j * c.ny);
                if (v < best)
                    best = v, q = j;
            }
            px += q * c.nx, py += q * c.ny;
            if (!(contrast(tr, px, py, c.nx, c.ny) >= HAIR_TRACE_L))
                break;
        }
        e.x = (int)lround(px), e.y = (int)lround(py);
        if (e.x < 0 || e.y < 0 || e.x >= tr->bw || e.y >= tr->bh)
            break;
        if (add_centre(cs, e))
            return -1;
        x = px, y = py;
    }
    return 0;
}

/* Strands break where they cross one another or a pore (the centre
 * tests fail there) and fade out at their ends, which would leave dark
 * stubs. Each strand end (a centre with at most one neighbouring centre)
 * is carried on along its line, away from its neighbour (carry). at is a
 * zeroed box map, left zeroed. */
static int extend_ends(centres *cs, const tracer *tr, uint8_t *at)
{
    int n = cs->n, bad = 0, bw = tr->bw, bh = tr->bh;
    for (int i = 0; i < n; i++)
        at[(size_t)cs->c[i].y * bw + cs->c[i].x] = 1;
    for (int i = 0; i < n && !bad; i++) {
        centre c = cs->c[i];
        int nb = 0, sx = 0, sy = 0;
        double tx = -c.ny, ty = c.nx;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int x = c.x + dx, y = c.y + dy;
                if ((dx || dy) && x >= 0 && y >= 0 && x < bw && y < bh &&
                    at[(size_t)y * bw + x])
                    nb++, sx += dx, sy += dy;
            }
        if (nb > 1)
            continue;
        for (int dir = -1; dir <= 1 && !bad; dir += 2)
            /* away from the neighbour; both ways when there is none */
            if (!nb || dir * (tx * sx + ty * sy) <= 0)
                bad = carry(cs, tr, c, dir * tx, dir * ty);
    }
    for (int i = 0; i < n; i++)
        at[(size_t)cs->c[i].y * bw + cs->c[i].x] = 0;
    return bad ? -1 : 0;
}

/* The box while strands are filled. */
typedef struct fill_ctx {
    int bw, bh, stride;
    uint8_t *map;   /* box: MARK and fill counts */
    const float *L; /* the plane at the box's origin */
    float *out;     /* the copy, at the box's origin */
} fill_ctx;

/* The first pixel beyond the strand from c along dir (+1/-1) times the
 * normal, one more pixel out: its L*, or NaN outside the box or when
 * strands cover 3 r + 2 px that way. */
static float side(const fill_ctx *f, const centre *c, double r, int dir)
{
    for (double t = r; t <= 3 * r + 2; t += 0.5) {
        int x = (int)lround(c->x + dir * (t + 1) * c->nx);
        int y = (int)lround(c->y + dir * (t + 1) * c->ny);
        if (x < 0 || y < 0 || x >= f->bw || y >= f->bh)
            return NAN;
        if (!(f->map[(size_t)y * f->bw + x] & MARK))
            return f->L[(size_t)y * f->stride + x];
    }
    return NAN;
}

/* The x range [*xa, *xb] of row dy (relative to the centre) where
 * |u| <= r and |v| <= 1, u = dx nx + dy ny and v = -dx ny + dy nx. */
static void slab_row(const centre *c, double r, int dy, int R, int *xa, int *xb)
{
    double lo = -R - 0.5, hi = R + 0.5;
    double k[2][3] = {{c->nx, dy * c->ny, r}, {-c->ny, dy * c->nx, 1}};
    for (int q = 0; q < 2; q++) {
        /* |a dx + b| <= e */
        double a = k[q][0], b = k[q][1], e = k[q][2];
        if (fabs(a) < 1e-9) {
            if (fabs(b) > e)
                lo = 1, hi = 0;
            continue;
        }
        {
            double x1 = (-e - b) / a, x2 = (e - b) / a;
            if (x1 > x2) {
                double tmp = x1;
                x1 = x2, x2 = tmp;
            }
            lo = fmax(lo, x1), hi = fmin(hi, x2);
        }
    }
    *xa = (int)ceil(lo - 1e-9), *xb = (int)floor(hi + 1e-9);
}

/* The slab of box pixels that centre c covers: within r of it across
 * the strand and within one pixel along it (neighbouring centres, at most
 * sqrt 2 apart, overlap, so a strand leaves no gap). Marks them (fill 0)
 * or puts on each the straight line from L* a on the -normal side
 * (offset -r - 1) to b on the other (fill 1; a pixel reached twice sums,
 * divided by its count later). */
static void across(fill_ctx *f, const centre *c, double r, int fill, float a,
                   float b)
{
    int R = (int)ceil(r);
    for (int dy = -R; dy <= R; dy++) {
        int y = c->y + dy, xa, xb;
        if (y < 0 || y >= f->bh)
            continue;
        slab_row(c, r, dy, R, &xa, &xb);
        for (int dx = xa < -c->x ? -c->x : xa; dx <= xb && c->x + dx < f->bw;
             dx++) {
            size_t i = (size_t)y * f->bw + c->x + dx;
            double u = dx * c->nx + dy * c->ny;
            float v = (float)(a + (u + r + 1) / (2 * r + 2) * (b - a));
            unsigned n = f->map[i] & COUNT;
            if (!fill) {
                f->map[i] |= MARK;
                continue;
            }
            if (n == COUNT)
                continue;
            f->out[(size_t)y * f->stride + c->x + dx] =
                n ? f->out[(size_t)y * f->stride + c->x + dx] + v : v;
            f->map[i] = (uint8_t)(MARK | (n + 1));
        }
    }
}

/* Covered pixels that no fill reached (where strands cross, the sides
 * of one lie on the other) are filled from their filled or uncovered
 * region neighbours, a ring at a time, each the mean of its known
 * 4-neighbours. Such a pixel's count becomes 1. */
static int patch_holes(fill_ctx *f, const st_region *reg, size_t *hole,
                       size_t n)
{
    static const int d[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
    const size_t top = (size_t)1 << (8 * sizeof(size_t) - 1);
    const uint8_t *mk = reg->mask + (size_t)reg->y0 * reg->width + reg->x0;
    for (int pass = 0; pass < 64 && n; pass++) {
        size_t left = 0;
        for (size_t k = 0; k < n; k++) {
            size_t i = hole[k];
            int x = (int)(i % (size_t)f->bw), y = (int)(i / (size_t)f->bw);
            float s = 0;
            int c = 0;
            for (int q = 0; q < 4; q++) {
                int xx = x + d[q][0], yy = y + d[q][1];
                size_t ii = (size_t)yy * f->bw + xx;
                size_t j = (size_t)yy * f->stride + xx;
                if (xx < 0 || yy < 0 || xx >= f->bw || yy >= f->bh ||
                    f->map[ii] == MARK || !mk[j])
                    continue;
                s += f->out[j], c++;
            }
            if (c)
                f->out[(size_t)y * f->stride + x] = s / c;
            hole[k] = c ? i | top : i;
        }
        /* the pixels filled in this pass become known for the next */
        for (size_t k = 0; k < n; k++)
            if (hole[k] & top)
                f->map[hole[k] & ~top] = MARK | 1;
            else
                hole[left++] = hole[k];
        n = left;
    }
    return 0;
}

/* Divides the sums of pixels reached twice or more, counts the region
 * pixels covered, and patches those no fill reached. */
static int finish(fill_ctx *f, const st_region *reg, size_t *filled)
{
    const uint8_t *mk = reg->mask + (size_t)reg->y0 * reg->width + reg->x0;
    size_t n = 0, cap = 0, *hole = NULL;
    int bad;
    *filled = 0;
    for (int y = 0; y < f->bh; y++) {
        uint8_t *m = f->map + (size_t)y * f->bw;
        for (int x = 0; x < f->bw; x++) {
            unsigned c = m[x] & COUNT;
            uint64_t eight;
            if (x + 8 <= f->bw && (memcpy(&eight, m + x, 8), !eight)) {
                x += 7; /* most of the box: eight empty pixels at once */
                continue;
            }
            if (!m[x])
                continue;
            *filled += mk[(size_t)y * f->stride + x] != 0;
            if (c > 1)
                f->out[(size_t)y * f->stride + x] /= (float)c;
            if (c)
                continue;
            if (n == cap) {
                size_t *q =
                    realloc(hole, (cap = cap ? 2 * cap : 256) * sizeof *hole);
                if (!q) {
                    free(hole);
                    return -1;
                }
                hole = q;
            }
            hole[n++] = (size_t)y * f->bw + x;
        }
    }
    bad = n ? patch_holes(f, reg, hole, n) : 0;
    free(hole);
    return bad;
}

/* Where a strand bends, its slabs can miss a pixel on the outer side;
 * left as it was, it would be a dark dot in the fill. Every uncovered
 * pixel with at least three of its four neighbours covered is covered
 * too (one pass, over the marks as they were). */
static void close_pinholes(fill_ctx *f)
{
    for (int y = 1; y < f->bh - 1; y++) {
        uint8_t *m = f->map + (size_t)y * f->bw;
        for (int x = 1; x < f->bw - 1; x++) {
            uint64_t eight;
            if (x + 8 <= f->bw && (memcpy(&eight, m + x, 8), !eight)) {
                x += 7;
                continue;
            }
            if (!m[x] && ((m[x - 1] & MARK) != 0) + ((m[x + 1] & MARK) != 0) +
                                 ((m[x - f->bw] & MARK) != 0) +
                                 ((m[x + f->bw] & MARK) != 0) >=
                             3)
                m[x] = 0x40; /* set apart until the pass is done */
        }
    }
    for (size_t i = 0; i < (size_t)f->bw * f->bh; i++)
        if (f->map[i] == 0x40)
            f->map[i] = MARK;
}

/* Fills the strands of cs in a copy of lab (*out) over the box; map is
 * the zeroed box map (it gets the marks). */
static st_status fill(const st_l_plane *lab, const st_region *reg,
                      const centres *cs, double r, uint8_t *map,
                      st_l_plane **out, size_t *filled, st_error *err)
{
    fill_ctx f;
    int w = lab->width, h = lab->height;
    st_l_plane *p = calloc(1, sizeof *p);
    if (p) {
        *p = *lab;
        p->L = st_alloc_large((size_t)w * h * sizeof *p->L, 0);
    }
    if (!p || !p->L) {
        st_l_plane_free(p);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (hair)");
    }
    memcpy(p->L, lab->L, (size_t)w * h * sizeof *p->L);
    f.bw = reg->x1 - reg->x0, f.bh = reg->y1 - reg->y0, f.stride = w;
    f.map = map;
    f.L = lab->L + (size_t)reg->y0 * w + reg->x0;
    f.out = p->L + (size_t)reg->y0 * w + reg->x0;
    for (int i = 0; i < cs->n; i++)
        across(&f, &cs->c[i], r, 0, 0, 0);
    close_pinholes(&f);
    for (int i = 0; i < cs->n; i++) {
        float a = side(&f, &cs->c[i], r, -1), b = side(&f, &cs->c[i], r, 1);
        if (a == a && b == b)
            across(&f, &cs->c[i], r, 1, a, b);
    }
    if (finish(&f, reg, filled)) {
        st_l_plane_free(p);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (hair)");
    }
    *out = p;
    return ST_OK;
}

st_status st_hair_remove(const st_l_plane *lab, const st_region *reg,
                         double sigma, st_l_plane **out, uint8_t **strand,
                         size_t *filled, st_error *err)
{
    int bw = reg->x1 - reg->x0, bh = reg->y1 - reg->y0;
    centres cs = {0};
    tracer tr;
    uint8_t *map = NULL;
    st_status st;
    *out = NULL;
    *strand = NULL;
    *filled = 0;
    if (bw < 3 || bh < 3)
        return ST_OK;
    if ((st = find_centres(lab, reg, sigma, &cs, err)))
        goto done;
    if (keep_strands(&cs))
        goto nomem;

    if (!cs.n)
        goto done;
    /* large pages, zeroed at once: a few faults instead of thousands */
    tr.L = lab->L + (size_t)reg->y0 * lab->width + reg->x0;
    tr.stride = lab->width, tr.bw = bw, tr.bh = bh;
    tr.r = HAIR_REACH * sigma;
    tr.bridge = (int)ceil(HAIR_GAP * sigma);
    tr.max = (int)ceil(HAIR_TRACE_MAX);
    if (!(map = st_alloc_large((size_t)bw * bh, 1)) ||
        extend_ends(&cs, &tr, map))
        goto nomem;
    if ((st = fill(lab, reg, &cs, HAIR_REACH * sigma, map, out, filled, err)))
        goto done;
    *strand = map;
    map = NULL;
    goto done;
nomem:
    st = st_fail(err, ST_ERR_NOMEM, "out of memory (hair)");
done:
    st_free_large(map);
    free(cs.c);
    return st;
}
