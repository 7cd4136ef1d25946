/* skintrack — fitting a transform to point correspondences.
 *
 *   st_fit_dof      parameters of a model
 *   st_fit_ls       least squares: similarity, affine, homography
 *   st_fit_robust   MSAC with local optimisation
 *   st_fit_select   GRIC model selection
 *   st_fit_error2   squared transfer error
 *
 * Least squares. The similarity x' = a x + b y + tx, y' = -b x + a y + ty
 * and the affine map have closed forms on centred coordinates. The
 * homography is estimated by the normalised direct linear transform
 * (Hartley 1997, IEEE TPAMI 19:580; Hartley & Zisserman 2004, alg. 4.2):
 * both point sets are moved to their centroid and scaled to a mean
 * distance of sqrt 2, the eight entries (h22 = 1) solve the linear
 * equations in the least-squares sense, and Gauss-Newton on the transfer
 * error in the moving image (the "geometric" error, H&Z 4.2.2) then
 * removes the algebraic fit's bias, all in the normalised coordinates.
 *
 * Robust fit: MSAC (Torr & Zisserman 2000, CVIU 78:138) -- random minimal
 * samples (2, 3 or 4 matches), each scored by sum min(e^2, thr^2) over all
 * matches, which unlike RANSAC's inlier count prefers the tighter of two
 * fits with the same inliers. Samples whose points are nearly collinear,
 * or whose homography turns the image over (a mirror) or puts a corner of
 * the reference behind its horizon, are skipped: a photo of the same skin
 * is never seen from behind. Each new best sample is refined by least
 * squares on its inliers and rescored (LO-RANSAC, Chum, Matas & Kittler
 * 2003, DAGM). The number of samples adapts to the inlier share eps found
 * so far, N = log(1 - 0.999) / log(1 - eps^s), between MIN_SAMPLES and
 * MAX_SAMPLES. The random generator is seeded with a constant, so the
 * same input gives the same answer.
 *
 * Model selection: GRIC, Torr's geometric robust information criterion
 * (Torr 1998, Phil. Trans. R. Soc. A 356:1321):
 *     GRIC = sum_i rho(e_i^2 / sigma^2) + lambda1 d n + lambda2 k,
 *     rho(x) = min(x, lambda3 (r - d)),
 * with r = 4 (a match is two points of two coordinates), d = 2 (every
 * model here is a map of the plane), k the number of parameters (4, 6,
 * 8), lambda1 = log r, lambda2 = log(r n), lambda3 = 2. d n is the same
 * for all three models, so the choice weighs the robust residual against
 * k log(4 n): a model with two more parameters must lower the sum of
 * squared normalised residuals by about 2 log(4 n) (18 for 500 matches)
 * to be chosen. sigma is the inliers' localisation noise, estimated once
 * from the homography's residuals (the largest model) with its degrees of
 * freedom, sigma^2 = sum e^2 / (2 n - 8), so all three are judged on one
 * scale.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "register/register_internal.h"

#define MIN_SAMPLES 64
#define MAX_SAMPLES 3000

int st_fit_dof(st_align_model model)
{
    return model == ST_ALIGN_HOMOGRAPHY ? 8 : model == ST_ALIGN_AFFINE ? 6 : 4;
}

double st_fit_error2(const st_transform *t, const st_fmatch *m)
{
    double u, v;
    if (st_transform_apply_checked(t, m->x0, m->y0, &u, &v))
        return INFINITY;
    return (u - m->x1) * (u - m->x1) + (v - m->y1) * (v - m->y1);
}

/* Centroids and mean distances from them of the kept matches' two sides. */
typedef struct frame {
    double cx0, cy0, s0, cx1, cy1, s1;
    int n;
} frame;

static int make_frame(const st_fmatch *m, int n, const unsigned char *keep,
                      frame *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < n; i++)
        if (!keep || keep[i]) {
            f->cx0 += m[i].x0, f->cy0 += m[i].y0;
            f->cx1 += m[i].x1, f->cy1 += m[i].y1;
            f->n++;
        }
    if (f->n == 0)
        return -1;
    f->cx0 /= f->n, f->cy0 /= f->n, f->cx1 /= f->n, f->cy1 /= f->n;
    for (int i = 0; i < n; i++)
        if (!keep || keep[i]) {
            f->s0 += hypot(m[i].x0 - f->cx0, m[i].y0 - f->cy0);
            f->s1 += hypot(m[i].x1 - f->cx1, m[i].y1 - f->cy1);
        }
    f->s0 /= f->n, f->s1 /= f->n;
    return f->s0 > 1e-9 && f->s1 > 1e-9 ? 0 : -1;
}

static int fit_similarity(const st_fmatch *m, int n, const unsigned char *keep,
                          const frame *f, st_transform *t)
{
    double sxx = 0, sa = 0, sb = 0, a, b;
    for (int i = 0; i < n; i++)
        if (!keep || keep[i]) {
            double x = m[i].x0 - f->cx0, y = m[i].y0 - f->cy0;
            double u = m[i].x1 - f->cx1, v = m[i].y1 - f->cy1;
            sxx += x * x + y * y;
            sa += x * u + y * v;
            sb += u * y - x * v;
        }
    if (!(sxx > 0))
        return -1;
    a = sa / sxx, b = sb / sxx;
    memset(t, 0, sizeof *t);
    t->m[0] = a, t->m[1] = b, t->m[3] = -b, t->m[4] = a;
    t->m[2] = f->cx1 - a * f->cx0 - b * f->cy0;
    t->m[5] = f->cy1 + b * f->cx0 - a * f->cy0;
    return 0;
}

static int fit_affine(const st_fmatch *m, int n, const unsigned char *keep,
                      const frame *f, st_transform *t)
{
    double sxx = 0, sxy = 0, syy = 0, sxu = 0, syu = 0, sxv = 0, syv = 0, det;
    for (int i = 0; i < n; i++)
        if (!keep || keep[i]) {
            double x = m[i].x0 - f->cx0, y = m[i].y0 - f->cy0;
            double u = m[i].x1 - f->cx1, v = m[i].y1 - f->cy1;
            sxx += x * x, sxy += x * y, syy += y * y;
            sxu += x * u, syu += y * u, sxv += x * v, syv += y * v;
        }
    det = sxx * syy - sxy * sxy;
    if (!(det > 1e-12 * (sxx * syy)) || f->n < 3)
        return -1;
    memset(t, 0, sizeof *t);
    t->m[0] = (syy * sxu - sxy * syu) / det;
    t->m[1] = (sxx * syu - sxy * sxu) / det;
    t->m[3] = (syy * sxv - sxy * syv) / det;
    t->m[4] = (sxx * syv - sxy * sxv) / det;
    t->m[2] = f->cx1 - t->m[0] * f->cx0 - t->m[1] * f->cy0;
    t->m[5] = f->cy1 - t->m[3] * f->cx0 - t->m[4] * f->cy0;
    return 0;
}

/* Gauss-Newton steps on the transfer error of normalised matches
 * (p: x0 y0 x1 y1 per match) for the 8 entries h. */
static void homography_gn(const double *p, int n, double h[8], int iters)
{
    for (int it = 0; it < iters; it++) {
        double A[64] = {0}, b[8] = {0}, d[8];
        for (int i = 0; i < n; i++) {
            const double *q = p + 4 * i;
            double x = q[0], y = q[1];
            double w = h[6] * x + h[7] * y + 1;
            double u = (h[0] * x + h[1] * y + h[2]) / w;
            double v = (h[3] * x + h[4] * y + h[5]) / w;
            double Ju[8] = {x / w, y / w, 1 / w,      0,
                            0,     0,     -x * u / w, -y * u / w};
            double Jv[8] = {0,     0,     0,          x / w,
                            y / w, 1 / w, -x * v / w, -y * v / w};
            double eu = q[2] - u, ev = q[3] - v;
            for (int r = 0; r < 8; r++) {
                b[r] += Ju[r] * eu + Jv[r] * ev;
                for (int c = r; c < 8; c++)
                    A[r * 8 + c] += Ju[r] * Ju[c] + Jv[r] * Jv[c];
            }
        }
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < r; c++)
                A[r * 8 + c] = A[c * 8 + r];
        if (st_solve_n(8, A, b, d))
            return;
        for (int r = 0; r < 8; r++)
            h[r] += d[r];
    }
}

static int fit_homography(const st_fmatch *m, int n, const unsigned char *keep,
                          const frame *f, st_transform *t)
{
    double A[64] = {0}, b[8] = {0}, h[8];
    double k0 = sqrt(2.0) / f->s0, k1 = sqrt(2.0) / f->s1;
    double *p;
    int j = 0;
    if (f->n < 4)
        return -1;
    if (!(p = malloc((size_t)f->n * 4 * sizeof *p)))
        return -2;
    for (int i = 0; i < n; i++)
        if (!keep || keep[i]) {
            double *q = p + 4 * j++;
            double x, y, u, v;
            q[0] = x = (m[i].x0 - f->cx0) * k0;
            q[1] = y = (m[i].y0 - f->cy0) * k0;
            q[2] = u = (m[i].x1 - f->cx1) * k1;
            q[3] = v = (m[i].y1 - f->cy1) * k1;
            {
                double r1[8] = {x, y, 1, 0, 0, 0, -x * u, -y * u};
                double r2[8] = {0, 0, 0, x, y, 1, -x * v, -y * v};
                for (int r = 0; r < 8; r++) {
                    b[r] += r1[r] * u + r2[r] * v;
                    for (int c = r; c < 8; c++)
                        A[r * 8 + c] += r1[r] * r1[c] + r2[r] * r2[c];
                }
            }
        }
    for (int r = 0; r < 8; r++)
        for (int c = 0; c < r; c++)
            A[r * 8 + c] = A[c * 8 + r];
    if (st_solve_n(8, A, b, h)) {
        free(p);
        return -1;
    }
    if (f->n > 4)
        homography_gn(p, f->n, h, 4);
    free(p);
    {
        /* H = T1^-1 Hn T0 */
        st_transform hn = {{h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]}};
        st_transform t0 = {{k0, 0, -k0 * f->cx0, 0, k0, -k0 * f->cy0}};
        st_transform t1i = {{1 / k1, 0, f->cx1, 0, 1 / k1, f->cy1}};
        st_transform tmp;
        st_transform_compose(&tmp, &hn, &t0);
        st_transform_compose(t, &t1i, &tmp);
    }
    return isfinite(t->m[0] + t->m[1] + t->m[2] + t->m[3] + t->m[4] + t->m[5] +
                    t->m[6] + t->m[7])
               ? 0
               : -1;
}

int st_fit_ls(st_align_model model, const st_fmatch *m, int n,
              const unsigned char *keep, st_transform *t)
{
    frame f;
    if (make_frame(m, n, keep, &f))
        return -1;
    switch (model) {
    case ST_ALIGN_HOMOGRAPHY: return fit_homography(m, n, keep, &f, t);
    case ST_ALIGN_AFFINE: return fit_affine(m, n, keep, &f, t);
    default: return fit_similarity(m, n, keep, &f, t);
    }
}

static uint32_t next_rand(uint32_t *s)
{
    /* xorshift32 (Marsaglia 2003) */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static double cross(double ax, double ay, double bx, double by, double cx,
                    double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* A sample whose points are too close to a line (either side) to fix the
 * model, or whose map turns a triangle over. */
static int degenerate(const st_fmatch *m, const int *idx, int s)
{
    if (s == 2)
        return hypot(m[idx[0]].x0 - m[idx[1]].x0, m[idx[0]].y0 - m[idx[1]].y0) <
                   4 ||
               hypot(m[idx[0]].x1 - m[idx[1]].x1, m[idx[0]].y1 - m[idx[1]].y1) <
                   1;
    for (int a = 0; a < s; a++)
        for (int b = a + 1; b < s; b++)
            for (int c = b + 1; c < s; c++) {
                const st_fmatch *p = &m[idx[a]], *q = &m[idx[b]],
                                *r = &m[idx[c]];
                double c0 = cross(p->x0, p->y0, q->x0, q->y0, r->x0, r->y0);
                double c1 = cross(p->x1, p->y1, q->x1, q->y1, r->x1, r->y1);
                if (fabs(c0) < 16 || fabs(c1) < 1 || (c0 > 0) != (c1 > 0))
                    return 1;
            }
    return 0;
}

/* The model keeps every corner of the reference in front of the horizon
 * and does not mirror. */
static int plausible(const st_transform *t, int w, int h)
{
    const double *m = t->m;
    for (int i = 0; i < 4; i++) {
        double x = i & 1 ? w - 1 : 0, y = i & 2 ? h - 1 : 0;
        if (!(m[6] * x + m[7] * y + 1 > 0))
            return 0;
    }
    return m[0] * m[4] - m[1] * m[3] > 0;
}

static double score(const st_transform *t, const st_fmatch *m, int n,
                    double thr2, unsigned char *keep, int *ninl)
{
    double s = 0;
    *ninl = 0;
    for (int i = 0; i < n; i++) {
        double e = st_fit_error2(t, &m[i]);
        int in = e < thr2;
        if (keep)
            keep[i] = (unsigned char)in;
        *ninl += in;
        s += in ? e : thr2;
    }
    return s;
}

int st_fit_robust(st_align_model model, const st_fmatch *m, int n, double thr,
                  int ref_w, int ref_h, st_transform *t, unsigned char *keep)
{
    int s = model == ST_ALIGN_HOMOGRAPHY ? 4 : model == ST_ALIGN_AFFINE ? 3 : 2;
    double thr2 = thr * thr, best = DBL_MAX;
    long need = MAX_SAMPLES;
    uint32_t seed = 0x2545F491u;
    int best_inl = 0, ninl, rc = 0;
    unsigned char *tmp;
    st_transform cand;

    if (n < s + 2)
        return 0;
    if (!(tmp = malloc((size_t)n)))
        return -1;
    for (long it = 0; it < need && it < MAX_SAMPLES; it++) {
        int idx[4];
        double sc;
        for (int i = 0; i < s; i++) {
            int again;
            do {
                idx[i] = (int)(next_rand(&seed) % (uint32_t)n);
                again = 0;
                for (int j = 0; j < i; j++)
                    again |= idx[j] == idx[i];
            } while (again);
        }
        if (degenerate(m, idx, s))
            continue;
        memset(tmp, 0, (size_t)n);
        for (int i = 0; i < s; i++)
            tmp[idx[i]] = 1;
        if ((rc = st_fit_ls(model, m, n, tmp, &cand)) == -2)
            break;
        if (rc || !plausible(&cand, ref_w, ref_h))
            continue;
        sc = score(&cand, m, n, thr2, tmp, &ninl);
        if (sc >= best)
            continue;
        /* local optimisation: least squares on this sample's inliers */
        {
            st_transform lo;
            if (ninl >= s + 2 && !(rc = st_fit_ls(model, m, n, tmp, &lo)) &&
                plausible(&lo, ref_w, ref_h)) {
                int nlo;
                double slo = score(&lo, m, n, thr2, NULL, &nlo);
                if (slo < sc)
                    cand = lo, sc = slo, ninl = nlo;
            }
        }
        if (rc == -2)
            break;
        if (sc < best) {
            double eps = (double)ninl / n, p = pow(eps, s);
            best = sc;
            best_inl = ninl;
            *t = cand;
            need = p >= 1   ? MIN_SAMPLES
                   : p <= 0 ? MAX_SAMPLES
                            : (long)fmin(MAX_SAMPLES,
                                         fmax(MIN_SAMPLES,
                                              ceil(log(0.001) / log1p(-p))));
        }
    }
    if (rc == -2) {
        free(tmp);
        return -1;
    }
    if (best_inl >= s + 2)
        for (int round = 0; round < 2; round++) {
            st_transform ls;
            score(t, m, n, thr2, keep, &ninl);
            if (ninl < s + 2 || (rc = st_fit_ls(model, m, n, keep, &ls)) ||
                !plausible(&ls, ref_w, ref_h))
                break;
            *t = ls;
        }
    else
        best_inl = 0;
    if (best_inl)
        score(t, m, n, thr2, keep, &best_inl);
    free(tmp);
    return rc == -2 ? -1 : best_inl;
}

st_align_model st_fit_select(const st_fmatch *m, int n,
                             const unsigned char *keep, double gric[3])
{
    static const st_align_model models[3] = {
        ST_ALIGN_SIMILARITY, ST_ALIGN_AFFINE, ST_ALIGN_HOMOGRAPHY};
    st_transform t[3];
    double sse = 0, sigma2, best = DBL_MAX, g[3];
    int ni = 0, ok[3];
    st_align_model choice = ST_ALIGN_SIMILARITY;

    for (int i = 0; i < n; i++)
        ni += keep[i] != 0;
    for (int k = 0; k < 3; k++) {
        int rc = st_fit_ls(models[k], m, n, keep, &t[k]);
        if (rc == -2)
            return ST_ALIGN_AUTO; /* out of memory */
        ok[k] = rc == 0;
    }
    if (ni <= 8 || !ok[2])
        return ST_ALIGN_SIMILARITY;
    for (int i = 0; i < n; i++)
        if (keep[i])
            sse += st_fit_error2(&t[2], &m[i]);
    sigma2 = fmax(sse / (2.0 * ni - 8), 1e-6);
    for (int k = 0; k < 3; k++) {
        double sum = 0;
        g[k] = INFINITY;
        if (!ok[k])
            continue;
        for (int i = 0; i < n; i++)
            if (keep[i])
                sum += fmin(st_fit_error2(&t[k], &m[i]) / sigma2, 2.0 * 2);
        g[k] = sum + log(4.0) * 2 * ni + log(4.0 * ni) * st_fit_dof(models[k]);
        if (g[k] < best)
            best = g[k], choice = models[k];
    }
    if (gric)
        memcpy(gric, g, sizeof g);
    return choice;
}
