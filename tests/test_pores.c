/* skintrack tests — pore detection on phantoms of known pores.
 *
 * L* planes: 60 + 1/f^2.5 background texture (SD 1.5 L*) + white noise
 * (SD 0.5 L*) + pores of known number and diameter, as Gaussian dips
 * (diameter 2 sqrt(2) s, where the dip falls to 1/e) or as discs
 * (supersampled edges), 8 L* deep, never overlapping. The count must be
 * within 5% and the mean diameter within 10% (the bars), with
 * default settings.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fftw3.h>

#include "core/core_internal.h"
#include "phantom.h"
#include "measure/measure_internal.h"
#include "testutil.h"

#define M_PI_ 3.14159265358979323846

static uint64_t seed = 2024;

static double urand(void)
{
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    return (double)(seed >> 11) / 9007199254740992.0;
}

typedef struct pore_case {
    int size, count;
    double diameter;
    int disc;
} pore_case;

static st_l_plane *make(const pore_case *c, int *placed)
{
    int n = c->size;
    st_l_plane *p = calloc(1, sizeof *p);
    float *tex = ph_texture(n, n, 2.5, &seed);
    double *cx = malloc((size_t)(c->count + 1) * sizeof *cx);
    double *cy = malloc((size_t)(c->count + 1) * sizeof *cy);
    double gap = 2.5 * c->diameter + 4;
    int k = 0;

    p->width = p->height = n;
    p->L = calloc((size_t)n * n, sizeof(float));
    for (size_t i = 0; i < (size_t)n * n; i++) {
        double u = urand() + 1e-300, v = urand();
        p->L[i] = (float)(60 + 1.5 * tex[i] +
                          0.5 * sqrt(-2 * log(u)) * cos(6.2831853 * v));
    }
    for (int tries = 0; k < c->count && tries < 200000; tries++) {
        double x = c->diameter * 2 + urand() * (n - 4 * c->diameter);
        double y = c->diameter * 2 + urand() * (n - 4 * c->diameter);
        int ok = 1;
        for (int j = 0; j < k && ok; j++)
            ok = hypot(x - cx[j], y - cy[j]) >= gap;
        if (!ok)
            continue;
        cx[k] = x, cy[k] = y, k++;
        {
            double r = c->diameter / 2, s = c->diameter / (2 * sqrt(2.0));
            int x0 = (int)(x - 2 * r - 2), x1 = (int)(x + 2 * r + 2);
            int y0 = (int)(y - 2 * r - 2), y1 = (int)(y + 2 * r + 2);
            for (int yy = y0; yy <= y1; yy++)
                for (int xx = x0; xx <= x1; xx++) {
                    double dip;
                    if (c->disc) {
                        int in = 0;
                        for (int sy = 0; sy < 4; sy++)
                            for (int sx = 0; sx < 4; sx++)
                                in += hypot(xx - 0.375 + sx * 0.25 - x,
                                            yy - 0.375 + sy * 0.25 - y) < r;
                        dip = in / 16.0;
                    } else {
                        double d2 = (xx - x) * (xx - x) + (yy - y) * (yy - y);
                        dip = exp(-d2 / (2 * s * s));
                    }
                    p->L[(size_t)yy * n + xx] -= (float)(8 * dip);
                }
        }
    }
    free(tex);
    free(cx);
    free(cy);
    *placed = k;
    return p;
}

static void run(const pore_case *c)
{
    int placed;
    st_l_plane *p = make(c, &placed);
    st_region *reg;
    st_pores pores;
    st_error err = {0};

    assert_int_equal(placed, c->count);
    assert_int_equal(st_region_full(&reg, c->size, c->size, &err), ST_OK);
    assert_int_equal(st_pores_detect(p, reg, NULL, &pores, &err), ST_OK);
    print_message("%4d %s pores of %4.1f px: found %4d, mean diameter "
                  "%5.2f px, area %.2f%%\n",
                  c->count, c->disc ? "disc    " : "gaussian", c->diameter,
                  pores.count, pores.mean_diameter_px, pores.area_pct);
    if (abs(pores.count - c->count) > 0.05 * c->count)
        fail_msg("count %d, want %d +- 5%%", pores.count, c->count);
    if (fabs(pores.mean_diameter_px - c->diameter) > 0.1 * c->diameter)
        fail_msg("mean diameter %.2f, want %.2f +- 10%%",
                 pores.mean_diameter_px, c->diameter);
    st_pores_clear(&pores);
    st_region_free(reg);
    st_l_plane_free(p);
}

static void test_gaussian_pores(void **state)
{
    static const pore_case cases[] = {
        {768, 50, 16, 0},
        {1024, 500, 8, 0},
        {1024, 2000, 4, 0},
        {1024, 200, 20, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(&cases[i]);
}

static void test_disc_pores(void **state)
{
    static const pore_case cases[] = {
        {768, 50, 16, 1},
        {1024, 500, 8, 1},
        {1024, 2000, 4, 1},
        {1024, 200, 20, 1},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(&cases[i]);
}

/* Threads share out the tiles; the pores found, their order and every
 * value are the same as on one thread (a 1500 x 1100 image: 12 tiles,
 * pores across every seam). */
static void test_threads_same_result(void **state)
{
    pore_case c = {1500, 900, 8, 0};
    int placed;
    st_l_plane *p = make(&c, &placed);
    st_region *reg;
    st_pores one, many;
    st_pore_options opt;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_full(&reg, 1500, 1500, &err), ST_OK);
    for (int y = 1100; y < 1500; y++)
        memset(reg->mask + (size_t)y * 1500, 0, 1500);
    st_region_update(reg);
    st_pore_options_init(&opt);
    assert_int_equal(st_pores_detect(p, reg, &opt, &one, &err), ST_OK);
    opt.jobs = 3;
    assert_int_equal(st_pores_detect(p, reg, &opt, &many, &err), ST_OK);
    print_message("threads: %d pores on one thread, %d on three\n", one.count,
                  many.count);
    assert_true(one.count > 400);
    assert_int_equal(one.count, many.count);
    assert_memory_equal(one.list, many.list,
                        (size_t)one.count * sizeof *one.list);
    st_pores_clear(&one);
    st_pores_clear(&many);
    st_region_free(reg);
    st_l_plane_free(p);
}

/* The vectorised row loops (spectrum times filter and tile fill with
 * AVX, threshold masks with AVX or SSE2) against the plain ones: the same
 * pores to the last bit, and the same responses on a full-size and a
 * decimated level. The region leaves out a band, so tiles both fully and
 * partly covered are filled. */
static void test_simd_same_result(void **state)
{
    enum { N = 1500 };
    pore_case c = {N, 900, 8, 0};
    int placed, scales[2] = {2, 9};
    st_l_plane *p = make(&c, &placed);
    st_region *reg;
    st_pores pores[2];
    struct st_pores_probe probe[2];
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_full(&reg, N, N, &err), ST_OK);
    for (int y = 1100; y < 1300; y++)
        memset(reg->mask + (size_t)y * N, 0, N);
    st_region_update(reg);
    for (int k = 0; k < 2; k++) {
        memset(&probe[k], 0, sizeof probe[k]);
        probe[k].no_simd = k;
        for (int j = 0; j < 2; j++)
            assert_non_null(probe[k].resp[scales[j]] =
                                calloc((size_t)N * N, sizeof(float)));
        assert_int_equal(
            st_pores_detect_probe(p, reg, NULL, &pores[k], &probe[k], &err),
            ST_OK);
    }
    print_message("vectorised and plain loops: %d and %d pores\n",
                  pores[0].count, pores[1].count);
    assert_true(pores[0].count > 400);
    assert_int_equal(pores[0].count, pores[1].count);
    assert_memory_equal(pores[0].list, pores[1].list,
                        (size_t)pores[0].count * sizeof *pores[0].list);
    assert_int_equal(probe[0].level[scales[0]], 0);
    assert_int_equal(probe[0].level[scales[1]], 1);
    for (int j = 0; j < 2; j++) {
        assert_memory_equal(probe[0].resp[scales[j]], probe[1].resp[scales[j]],
                            (size_t)N * N * sizeof(float));
        for (int k = 0; k < 2; k++)
            free(probe[k].resp[scales[j]]);
    }
    for (int k = 0; k < 2; k++)
        st_pores_clear(&pores[k]);
    st_region_free(reg);
    st_l_plane_free(p);
}

/* Skin texture and noise without pores, measured on a disc region whose
 * outside is black: next to no pores, none on the region's edge. */
static void test_no_false_pores(void **state)
{
    pore_case c = {1024, 0, 8, 0};
    int placed;
    st_l_plane *p = make(&c, &placed);
    st_region *reg;
    st_pores pores;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_full(&reg, 1024, 1024, &err), ST_OK);
    for (int y = 0; y < 1024; y++)
        for (int x = 0; x < 1024; x++)
            if (hypot(x - 500.0, y - 520.0) >= 420) {
                reg->mask[(size_t)y * 1024 + x] = 0;
                p->L[(size_t)y * 1024 + x] = 0;
            }
    st_region_update(reg);
    assert_int_equal(st_pores_detect(p, reg, NULL, &pores, &err), ST_OK);
    print_message("no pores: found %d\n", pores.count);
    assert_true(pores.count <= 3);
    st_pores_clear(&pores);
    st_region_free(reg);
    st_l_plane_free(p);
}

/* ---- phantom families with per-pore truth ----
 *
 * A photo is built from an L* plane of known content and converted to sRGB
 * (a skin colour, a* 12, b* 16), then put through what a camera does to
 * it: a side-lighting gradient (linear light times 0.65 .. 1.25 across the
 * frame), 8-bit noise, a JPEG round trip through the library's own
 * writer. The L* plane holds:
 *   texture   1/f^beta (zero mean, the given L* standard deviation)
 *   creases   long shallow dark lines (3-5 L*, 3-6 px wide), gently bent
 *   hairs     long thin strands of L* 30-40 over the skin (1.5-3 px wide,
 *             bent); a pore whose centre a hair hides is not counted
 *   pores     Gaussian dips (diameter 2 sqrt(2) s, where the dip falls to
 *             1/e), discs (supersampled edges) or elliptical Gaussian dips
 *             (axes 1.3 s and s / 1.3, any orientation; diameter from the
 *             geometric mean), 3-24 px log-uniform, 6-12 L* deep, never
 *             touching one another (centres at least d1 + d2 + 3 apart)
 * Each detected pore is matched to the nearest unmatched true pore within
 * max(2 px, d / 2) (pairs taken in order of distance); precision =
 * matched / detected, recall = matched / placed. */
enum { SH_GAUSS = 1, SH_DISC = 2, SH_ELLIPSE = 4, SH_ALL = 7 };

typedef struct family {
    const char *name;
    int size;            /* px, square */
    double tex_sd, beta; /* texture: L* standard deviation, exponent */
    int creases, hairs;  /* how many */
    double noise;        /* 8-bit units, 0: none */
    int jpeg;            /* quality, 0: none */
    int sidelight;       /* 1: linear light 0.65 .. 1.25 across */
    int shapes;          /* SH_* */
    int pores;           /* how many to place (0: pore-free skin) */
    int full_bar;        /* 1: the bars; 0: precision only (recall
                            below the bar, see docs/metrics.md) */
    double dmin, dmax;   /* px */
    uint64_t seed;
    double blur;  /* > 0: the right half defocused (Gaussian, px) */
    double glare; /* > 0: a clipped white disc of this radius at
                     (n / 4, n / 2) */
} family;

typedef struct truth_pore {
    double x, y, d;
} truth_pore;

static double frand(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* A gently bent line through a random point at a random angle (a sine
 * of one period across the frame), Gaussian across (sd width / 2): a
 * crease lowers L* by depth * profile (shading adds), a hair covers the
 * skin (L* moves towards hair_l by the profile: hair occludes, so where
 * two hairs cross it is no darker). cover (may be NULL) keeps the
 * largest profile of any hair. */
static void draw_line(float *L, float *cover, int n, uint64_t *s, double depth,
                      double width, double hair_l)
{
    double a = frand(s) * M_PI_, c = cos(a), sn = sin(a);
    double px = frand(s) * n, py = frand(s) * n, bend = 4 + 10 * frand(s);
    double w2 = width * width / 4;
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            double along = (x - px) * c + (y - py) * sn;
            double across = -(x - px) * sn + (y - py) * c -
                            bend * sin(2 * M_PI_ * along / n);
            size_t i = (size_t)y * n + x;
            double k;
            if (fabs(across) >= 3 * width)
                continue;
            k = exp(-across * across / (2 * w2));
            if (hair_l > 0) {
                L[i] = (float)(L[i] + k * (hair_l - L[i]));
                if (cover && k > cover[i])
                    cover[i] = (float)k;
            } else {
                L[i] -= (float)(depth * k);
            }
        }
}

static void draw_pore(float *L, int n, int shape, double x, double y, double d,
                      double depth, double angle)
{
    double s = d / (2 * sqrt(2.0)), r = d / 2, reach = 1.5 * d + 3;
    double s1 = s * 1.3, s2 = s / 1.3, c = cos(angle), sn = sin(angle);
    for (int yy = (int)(y - reach); yy <= (int)(y + reach); yy++)
        for (int xx = (int)(x - reach); xx <= (int)(x + reach); xx++) {
            double dip = 0, dx = xx - x, dy = yy - y;
            if (xx < 0 || yy < 0 || xx >= n || yy >= n)
                continue;
            if (shape == SH_DISC) {
                int in = 0;
                for (int sy = 0; sy < 4; sy++)
                    for (int sx = 0; sx < 4; sx++)
                        in += hypot(dx - 0.375 + sx * 0.25,
                                    dy - 0.375 + sy * 0.25) < r;
                dip = in / 16.0;
            } else if (shape == SH_ELLIPSE) {
                double u = dx * c + dy * sn, v = -dx * sn + dy * c;
                dip = exp(-u * u / (2 * s1 * s1) - v * v / (2 * s2 * s2));
            } else {
                dip = exp(-(dx * dx + dy * dy) / (2 * s * s));
            }
            L[(size_t)yy * n + xx] -= (float)(depth * dip);
        }
}

/* Defocus of the right half of L (x >= n / 2): a Gaussian of sd px, by
 * rows then columns, from the whole plane (clamped at its edges). */
static void blur_right(float *L, int n, double sd)
{
    int R = (int)ceil(3 * sd);
    double *k = malloc((size_t)(2 * R + 1) * sizeof *k), ks = 0;
    float *tmp = malloc((size_t)n * n * sizeof *tmp);
    for (int i = -R; i <= R; i++)
        ks += k[i + R] = exp(-i * i / (2 * sd * sd));
    for (int pass = 0; pass < 2; pass++) {
        memcpy(tmp, L, (size_t)n * n * sizeof *tmp);
        for (int y = 0; y < n; y++)
            for (int x = n / 2; x < n; x++) {
                double v = 0;
                for (int i = -R; i <= R; i++) {
                    int xx = pass ? x : x + i, yy = pass ? y + i : y;
                    xx = xx < 0 ? 0 : xx >= n ? n - 1 : xx;
                    yy = yy < 0 ? 0 : yy >= n ? n - 1 : yy;
                    v += k[i + R] * tmp[(size_t)yy * n + xx];
                }
                L[(size_t)y * n + x] = (float)(v / ks);
            }
    }
    free(k);
    free(tmp);
}

/* The L* plane of a family (malloc'd) and its true pores (*truth,
 * malloc'd); with skin and cover not NULL, also the plane before the
 * hairs were laid over it and the hairs' largest profile at each pixel
 * (both malloc'd). */
static float *family_plane(const family *f, truth_pore **truth, int *ntruth,
                           float **skin, float **cover_out)
{
    int n = f->size, k = 0;
    uint64_t s = f->seed;
    float *tex = ph_texture(n, n, f->beta, &s);
    float *L = malloc((size_t)n * n * sizeof *L);
    truth_pore *t = malloc((size_t)(f->pores + 1) * sizeof *t);

    for (size_t i = 0; i < (size_t)n * n; i++)
        L[i] = (float)(62 + f->tex_sd * tex[i]);
    for (int i = 0; i < f->creases; i++)
        draw_line(L, NULL, n, &s, 3 + 2 * frand(&s), 3 + 3 * frand(&s), 0);
    for (int tries = 0; k < f->pores && tries < 100000; tries++) {
        double d = f->dmin * pow(f->dmax / f->dmin, frand(&s));
        double x = 2 * d + frand(&s) * (n - 4 * d);
        double y = 2 * d + frand(&s) * (n - 4 * d);
        int ok = 1, shape;
        for (int j = 0; j < k && ok; j++)
            ok = hypot(x - t[j].x, y - t[j].y) >= d + t[j].d + 3;
        if (!ok)
            continue;
        do
            shape = 1 << (int)(frand(&s) * 3);
        while (!(shape & f->shapes));
        draw_pore(L, n, shape, x, y, d, 6 + 6 * frand(&s), frand(&s) * M_PI_);
        t[k++] = (truth_pore){x, y, d};
    }
    if (skin) {
        *skin = malloc((size_t)n * n * sizeof **skin);
        memcpy(*skin, L, (size_t)n * n * sizeof *L);
    }
    {
        /* hairs cover pores: one whose centre a hair hides (profile above
         * 0.5) is no longer there to find */
        float *cover = calloc((size_t)n * n, sizeof *cover);
        int kept = 0;
        for (int i = 0; i < f->hairs; i++)
            draw_line(L, cover, n, &s, 0, 1.5 + 1.5 * frand(&s),
                      30 + 10 * frand(&s));
        for (int j = 0; j < k; j++)
            if (cover[(size_t)lround(t[j].y) * n + lround(t[j].x)] <= 0.5)
                t[kept++] = t[j];
        k = kept;
        if (cover_out)
            *cover_out = cover;
        else
            free(cover);
    }
    free(tex);
    *truth = t;
    *ntruth = k;
    return L;
}

/* The photo of a family and its true pores (*truth, malloc'd). */
static st_image *family_photo(const family *f, truth_pore **truth, int *ntruth)
{
    int n = f->size;
    float *L = family_plane(f, truth, ntruth, NULL, NULL);
    st_image *img;

    if (f->blur > 0)
        blur_right(L, n, f->blur);
    st_image_new(&img, n, n, 3, NULL);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            double lab[3] = {L[(size_t)y * n + x], 12, 16};
            float *p = st_image_pixel(img, x, y);
            ph_lab_to_srgb(lab, p);
            if (hypot(x - n / 4.0, y - n / 2.0) < f->glare)
                p[0] = p[1] = p[2] = 1;
            if (f->sidelight) {
                double g = 0.65 + 0.6 * x / (n - 1.0);
                for (int c = 0; c < 3; c++)
                    p[c] =
                        (float)fmin(1, st_color_linear_to_srgb(
                                           st_color_srgb_to_linear(p[c]) * g));
            }
        }
    if (f->noise > 0)
        ph_noise(img, f->noise / 255, f->seed + 1);
    if (f->noise > 0 || f->jpeg) /* 8-bit samples */
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                float *p = st_image_pixel(img, x, y);
                for (int c = 0; c < 3; c++)
                    p[c] = roundf(p[c] * 255) / 255;
            }
    if (f->jpeg) {
        char path[4096];
        snprintf(path, sizeof path, "%s/family.jpg", tu_tmpdir());
        img = ph_jpeg(img, f->jpeg, path);
    }
    free(L);
    return img;
}

typedef struct pr_result {
    int placed, found, matched;
    double precision, recall, d_true, d_found, search_pct;
} pr_result;

typedef struct pair {
    double dist;
    int t, p;
} pair;

static int by_dist(const void *a, const void *b)
{
    double x = ((const pair *)a)->dist, y = ((const pair *)b)->dist;
    return (x > y) - (x < y);
}

/* Matches detections to truth (see above). */
static int match(const truth_pore *t, int nt, const st_pores *p)
{
    int np = p->count, npair = 0, cap = 64, m = 0;
    pair *pairs = malloc((size_t)cap * sizeof *pairs);
    char *tu = calloc((size_t)nt + 1, 1), *pu = calloc((size_t)np + 1, 1);
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < np; j++) {
            double dist = hypot(t[i].x - p->list[j].x, t[i].y - p->list[j].y);
            if (dist > fmax(2, t[i].d / 2))
                continue;
            if (npair == cap)
                pairs = realloc(pairs, (size_t)(cap *= 2) * sizeof *pairs);
            pairs[npair++] = (pair){dist, i, j};
        }
    qsort(pairs, (size_t)npair, sizeof *pairs, by_dist);
    for (int i = 0; i < npair; i++)
        if (!tu[pairs[i].t] && !pu[pairs[i].p]) {
            tu[pairs[i].t] = pu[pairs[i].p] = 1;
            m++;
        }
    free(pairs);
    free(tu);
    free(pu);
    return m;
}

/* Runs a family through st_metrics_measure with default settings. */
static pr_result run_family(const family *f, st_pores *keep)
{
    truth_pore *t;
    int nt;
    st_image *img = family_photo(f, &t, &nt);
    st_metrics m;
    st_error err = {0};
    pr_result r = {0};
    double sum = 0;

    assert_int_equal(st_metrics_measure(img, NULL, NULL, &m, &err), ST_OK);
    r.placed = nt;
    r.found = m.pores.count;
    r.matched = match(t, nt, &m.pores);
    r.precision = r.found ? (double)r.matched / r.found : 1;
    r.recall = nt ? (double)r.matched / nt : 1;
    for (int i = 0; i < nt; i++)
        sum += t[i].d;
    r.d_true = nt ? sum / nt : NAN;
    r.d_found = m.pores.mean_diameter_px;
    r.search_pct = 100.0 * m.pores.search_px / (double)m.region_px;
    print_message("| %-34s | %4d | %4d | %4d | %.3f | %.3f | %5.2f | %5.2f | "
                  "%5.1f |\n",
                  f->name, r.placed, r.found, r.matched, r.precision, r.recall,
                  r.d_true, r.d_found, r.search_pct);
    if (keep) {
        *keep = m.pores;
        m.pores.list = NULL;
    }
    st_metrics_clear(&m);
    st_image_free(img);
    free(t);
    return r;
}

static const family families[] = {
    {"flat 0.5 L*, beta 3.0", 512, 0.5, 3.0, 0, 0, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 11},
    {"texture 1 L*, beta 2.6", 512, 1, 2.6, 0, 0, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 12},
    {"texture 2 L*, beta 2.2", 512, 2, 2.2, 0, 0, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 13},
    {"texture 4 L*, beta 2.2", 512, 4, 2.2, 0, 0, 0, 0, 0, SH_ALL, 120, 0, 3,
     24, 14},
    {"texture 4 L*, beta 3.0", 512, 4, 3.0, 0, 0, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 15},
    {"creases (2 L*, beta 2.6)", 512, 2, 2.6, 6, 0, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 16},
    {"hairs (2 L*, beta 2.6)", 512, 2, 2.6, 0, 5, 0, 0, 0, SH_ALL, 120, 1, 3,
     24, 17},
    {"noise sd 2.5 (2 L*, beta 2.6)", 512, 2, 2.6, 0, 0, 2.5, 0, 0, SH_ALL, 120,
     1, 3, 24, 18},
    {"JPEG q85 (2 L*, beta 2.6)", 512, 2, 2.6, 0, 0, 0, 85, 0, SH_ALL, 120, 1,
     3, 24, 19},
    {"side light (2 L*, beta 2.6)", 512, 2, 2.6, 0, 0, 0, 0, 1, SH_ALL, 120, 1,
     3, 24, 20},
    {"Gaussian pores 3-24 px", 512, 2, 2.6, 0, 0, 0, 0, 0, SH_GAUSS, 120, 1, 3,
     24, 21},
    {"disc pores 3-24 px", 512, 2, 2.6, 0, 0, 0, 0, 0, SH_DISC, 120, 1, 3, 24,
     22},
    {"elliptical pores 3-24 px", 512, 2, 2.6, 0, 0, 0, 0, 0, SH_ELLIPSE, 120, 1,
     3, 24, 23},
    {"small pores 3-6 px (2 L*)", 512, 2, 2.6, 0, 0, 0, 0, 0, SH_ALL, 300, 1, 3,
     6, 24},
    {"everything (4 L*, 2.2, noise, q85)", 512, 4, 2.2, 6, 5, 2.5, 85, 1,
     SH_ALL, 120, 0, 3, 24, 25},
};

/* Every family at default settings: precision >= 0.90, recall >= 0.85,
 * mean diameter within 10% of the placed pores' (the bars). Two
 * families reach the precision bar only: the strongest texture at the
 * flattest spectrum (4 L*, exponent 2.2: its fine-scale texture is as
 * strong as a 6 L* pore), and all of the hardest conditions at once
 * (that texture, creases, hairs, noise, JPEG and side light). Their
 * recall is printed, and the docs give it. Hairs are painted out before
 * the search (hair.c) and that family keeps the full bars. */
static void test_families(void **state)
{
    int bad = 0;
    (void)state;
    print_message("| family | placed | found | matched | precision | recall "
                  "| d true | d found | searched %% |\n");
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        const family *f = &families[i];
        pr_result r = run_family(f, NULL);
        if (r.precision < 0.90 ||
            (f->full_bar &&
             (r.recall < 0.85 || fabs(r.d_found / r.d_true - 1) > 0.10))) {
            print_message("  ^ below the bar\n");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Hair strands (hair.c) on L* planes whose skin before the hairs is
 * known. Where a hair covers the skin (its profile above 0.5), the filled
 * plane must give back at least 90% of what the hair took: the mean of
 * |filled - skin| at most a tenth of the mean of |haired - skin| (22-32
 * L* there). The fill is a straight line across at most 2 x 3.6 + 2 px
 * of skin, so the texture and pores under it are lost but not the level.
 * Planes without hairs (texture up to 4 L* at the flattest spectrum,
 * creases, pores of every shape and size) have no strand at all. */
static void test_hair_strands(void **state)
{
    static const family hairy[] = {
        {"hairs", 512, 2, 2.6, 0, 5, 0, 0, 0, SH_ALL, 120, 1, 3, 24, 17},
        {"hairs, creases, 4 L*", 512, 4, 2.2, 6, 5, 0, 0, 0, SH_ALL, 120, 1, 3,
         24, 25},
        {"ten hairs, no pores", 1024, 4, 2.2, 12, 10, 0, 0, 0, SH_ALL, 0, 1, 3,
         24, 31},
    };
    static const int bare[] = {3, 4, 5, 10, 11, 12, 13};
    st_error err = {0};
    (void)state;
    for (size_t fi = 0; fi < sizeof hairy / sizeof *hairy; fi++) {
        const family *f = &hairy[fi];
        int n = f->size, nt;
        truth_pore *t;
        float *skin, *cover, *L = family_plane(f, &t, &nt, &skin, &cover);
        st_l_plane lab = {n, n, L, {0}}, *clean = NULL;
        st_region *reg;
        uint8_t *strand = NULL;
        size_t filled = 0, nc = 0;
        double before = 0, after = 0;
        assert_int_equal(st_region_full(&reg, n, n, &err), ST_OK);
        assert_int_equal(
            st_hair_remove(&lab, reg, 1.2, &clean, &strand, &filled, &err),
            ST_OK);
        assert_non_null(clean);
        for (size_t i = 0; i < (size_t)n * n; i++)
            if (cover[i] > 0.5) {
                before += fabs(L[i] - skin[i]);
                after += fabs(clean->L[i] - skin[i]);
                nc++;
            }
        print_message("%s: %zu px filled; under the hairs (%zu px) |L - "
                      "skin| %.2f L* before, %.2f after\n",
                      f->name, filled, nc, before / nc, after / nc);
        assert_true(after <= 0.1 * before);
        st_l_plane_free(clean);
        st_free_large(strand);
        st_region_free(reg);
        free(L);
        free(skin);
        free(cover);
        free(t);
    }
    for (size_t k = 0; k < sizeof bare / sizeof *bare; k++) {
        const family *f = &families[bare[k]];
        int n = f->size, nt;
        truth_pore *t;
        float *L = family_plane(f, &t, &nt, NULL, NULL);
        st_l_plane lab = {n, n, L, {0}}, *clean = NULL;
        st_region *reg;
        uint8_t *strand = NULL;
        size_t filled = 0;
        assert_int_equal(st_region_full(&reg, n, n, &err), ST_OK);
        assert_int_equal(
            st_hair_remove(&lab, reg, 1.2, &clean, &strand, &filled, &err),
            ST_OK);
        print_message("%s: %zu px taken for hair\n", f->name, filled);
        assert_null(clean);
        assert_int_equal(filled, 0);
        st_region_free(reg);
        free(L);
        free(t);
    }
}

/* Pore-free textured skin with creases, hairs, noise and JPEG: at most 20
 * pores per megapixel. */
static void test_pore_free_skin(void **state)
{
    static const family f[] = {
        {"pore-free 4 L*, beta 2.2, creases, hairs", 1024, 4, 2.2, 12, 10, 2.5,
         85, 1, SH_ALL, 0, 1, 3, 24, 31},
        {"pore-free 3 L*, beta 2.6, creases", 1024, 3, 2.6, 12, 0, 0, 0, 0,
         SH_ALL, 0, 1, 3, 24, 32},
    };
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        pr_result r = run_family(&f[i], NULL);
        double per_mp = r.found / (f[i].size * (double)f[i].size / 1e6);
        print_message("  %.1f pores per MP\n", per_mp);
        assert_true(per_mp <= 20);
    }
}

/* Only where pores can be seen: the right half of the photo defocused
 * (Gaussian, sd 5 px: a 6 L* pore of 3-24 px keeps too little contrast
 * at the finest band) and a clipped white glare of radius 40 px in the
 * left half. The searched area is the sharp half less the glare: 50% -
 * 1.9% = 48.1% of the photo, minus at most the 3 x 3 Laplacian's one-pixel
 * edge; no pore is found in the defocused half (its 64 px blocks start at
 * x = 256 exactly); the sharp half, away from the glare and the blur's
 * border, keeps the bars. */
static void test_search_area(void **state)
{
    family f = {"defocused right half, glare",
                512,
                2,
                2.6,
                0,
                0,
                1.0,
                0,
                0,
                SH_ALL,
                160,
                1,
                3,
                24,
                41,
                5,
                40};
    truth_pore *t;
    int nt, kept = 0, in_blur = 0;
    st_image *img = family_photo(&f, &t, &nt);
    st_metrics m;
    st_error err = {0};
    double pct;
    (void)state;

    assert_int_equal(st_metrics_measure(img, NULL, NULL, &m, &err), ST_OK);
    pct = 100.0 * m.pores.search_px / (double)m.region_px;
    print_message("searched %.1f%% of the photo (want 47-48.2)\n", pct);
    assert_true(pct > 47 && pct < 48.2);
    for (int i = 0; i < m.pores.count; i++)
        in_blur += m.pores.list[i].x >= 256;
    assert_int_equal(in_blur, 0);
    /* the truth that can be seen: sharp half, clear of the glare and of
     * the blur's border by a pore's own 3 sigma reach plus 2 px */
    for (int i = 0; i < nt; i++) {
        double reach = 3 * t[i].d / (2 * sqrt(2.0)) + 2;
        if (t[i].x + reach < 256 &&
            hypot(t[i].x - 128, t[i].y - 256) > 40 + reach)
            t[kept++] = t[i];
    }
    {
        int matched = match(t, kept, &m.pores);
        int far = 0; /* detections in the same zone */
        for (int i = 0; i < m.pores.count; i++) {
            const st_pore *q = &m.pores.list[i];
            double reach = 3 * q->diameter / (2 * sqrt(2.0)) + 2;
            far += q->x + reach < 256 &&
                   hypot(q->x - 128, q->y - 256) > 40 + reach;
        }
        print_message("sharp half: %d placed, %d found, %d matched\n", kept,
                      far, matched);
        assert_true(matched >= 0.85 * kept);
        assert_true(matched >= 0.90 * far);
    }
    st_metrics_clear(&m);
    st_image_free(img);
    free(t);
}

/* The fast path against a slow reference: every centre scale's response
 * as the tiles compute it (256 px tiles at full size, 512 px on the
 * decimated levels, spectra cut to the level's band, single precision)
 * equals the scale-normalised LoG of the whole plane in double precision
 * (one transform of the zero-padded plane, FFTW double). The tiles leave
 * out the kernel beyond their margin: at the smallest scales the transfer
 * function still holds a few per cent of its peak at the Nyquist
 * frequency, so the discrete kernel's tails fall only as 1 / r^2. The
 * error bound is that: twice the kernel's absolute mass beyond the
 * margin (computed here from the same kernel) times the plane's largest
 * magnitude, plus, on a decimated level, the filter above the level's
 * band (below 0.2% of its peak, pores.c: 0.2% of the largest response),
 * plus single precision (1e-5 of it). */
static void test_reference_responses(void **state)
{
    enum { W = 700, H = 530 };
    pore_case c = {W, 300, 8, 0};
    st_l_plane *p;
    st_region *reg;
    struct st_pores_probe probe;
    st_pores pores;
    st_error err = {0};
    int placed, PW = W + 2 * 64, PH = H + 2 * 64, kw = PW / 2 + 1;
    double mean = 0, pmax = 0, *plane, *back;
    fftw_complex *spec, *work;
    fftw_plan fwd, inv;
    (void)state;

    /* the phantom of make(), cut to W x H */
    c.size = W;
    p = make(&c, &placed);
    p->height = H;
    assert_int_equal(st_region_full(&reg, W, H, &err), ST_OK);
    memset(&probe, 0, sizeof probe);
    for (int i = 1; i < 63; i++) {
        probe.resp[i] = malloc((size_t)W * H * sizeof(float));
        for (size_t k = 0; k < (size_t)W * H; k++)
            probe.resp[i][k] = NAN;
    }
    assert_int_equal(st_pores_detect_probe(p, reg, NULL, &pores, &probe, &err),
                     ST_OK);
    print_message("searched %zu of %d px\n", pores.search_px, W * H);
    assert_int_equal(probe.box_w, W); /* all searched: nothing left out */
    assert_int_equal(probe.box_h, H);

    plane = fftw_alloc_real((size_t)PW * PH);
    back = fftw_alloc_real((size_t)PW * PH);
    spec = fftw_alloc_complex((size_t)PH * kw);
    work = fftw_alloc_complex((size_t)PH * kw);
    fwd = fftw_plan_dft_r2c_2d(PH, PW, plane, spec, FFTW_ESTIMATE);
    inv = fftw_plan_dft_c2r_2d(PH, PW, work, back, FFTW_ESTIMATE);
    for (size_t k = 0; k < (size_t)W * H; k++)
        mean += p->L[k];
    mean /= (double)W * H;
    memset(plane, 0, (size_t)PW * PH * sizeof *plane);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            plane[(size_t)(y + 64) * PW + x + 64] =
                mean - p->L[(size_t)y * W + x];
    for (size_t k = 0; k < (size_t)PW * PH; k++)
        pmax = fmax(pmax, fabs(plane[k]));
    fftw_execute(fwd);
    for (int i = 1; i < probe.ns - 1; i++) {
        double sg = probe.sig[i], s2 = sg * sg, emax = 0, rmax = 0;
        double tail = 0, bound;
        int d = 1 << probe.level[i], n = 0, m = probe.pad[i];
        /* the kernel (the filter's inverse transform) and its mass beyond
         * the margin */
        for (int pass = 0; pass < 2; pass++) {
            for (int ky = 0; ky < PH; ky++) {
                double fy = (ky <= PH / 2 ? ky : ky - PH) / (double)PH;
                for (int kx = 0; kx < kw; kx++) {
                    double fx = kx / (double)PW, f2 = fx * fx + fy * fy;
                    double g = s2 * 4 * M_PI_ * M_PI_ * f2 *
                               exp(-2 * M_PI_ * M_PI_ * s2 * f2) /
                               ((double)PW * PH);
                    size_t q = (size_t)ky * kw + kx;
                    work[q][0] = pass ? spec[q][0] * g : g;
                    work[q][1] = pass ? spec[q][1] * g : 0;
                }
            }
            if (pass)
                break;
            fftw_execute(inv);
            for (int y = 0; y < PH; y++)
                for (int x = 0; x < PW; x++) {
                    int ax = x <= PW / 2 ? x : PW - x;
                    int ay = y <= PH / 2 ? y : PH - y;
                    if (ax > m || ay > m)
                        tail += fabs(back[(size_t)y * PW + x]);
                }
        }
        fftw_execute(inv);
        for (int y = 0; y < H; y += d)
            for (int x = 0; x < W; x += d) {
                double r = back[(size_t)(y + 64) * PW + x + 64];
                float v = probe.resp[i][(size_t)y * W + x];
                rmax = fmax(rmax, fabs(r));
                if (v != v)
                    continue;
                emax = fmax(emax, fabs(v - r));
                n++;
            }
        bound = 2 * tail * pmax + (d > 1 ? 2e-3 : 0) * rmax + 1e-5 * rmax;
        print_message("sigma %5.2f (every %d px, margin %d px): %6d samples, "
                      "largest response %.3f L*, largest error %.2e "
                      "(bound %.2e)\n",
                      sg, d, m, n, rmax, emax, bound);
        /* every sample of the core grid was computed */
        assert_int_equal(n, ((W + d - 1) / d) * ((H + d - 1) / d));
        assert_true(emax <= bound);
    }
    fftw_destroy_plan(fwd);
    fftw_destroy_plan(inv);
    fftw_free(plane);
    fftw_free(back);
    fftw_free(spec);
    fftw_free(work);
    for (int i = 1; i < 63; i++)
        free(probe.resp[i]);
    st_pores_clear(&pores);
    st_region_free(reg);
    p->height = W;
    st_l_plane_free(p);
}

static int by_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The library's selection (select.c) against a sort: the k-th smallest
 * of arrays with repeats, negatives, both zeros and one element, and the
 * array partitioned about it; the value-only form gives the same value. */
static void test_select(void **state)
{
    static const size_t sizes[] = {1, 2, 3, 7, 64, 1000, 3136, 5000};
    uint64_t r = 7;
    (void)state;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int kind = 0; kind < 4; kind++) {
            size_t n = sizes[si];
            float *v = malloc(n * sizeof *v), *sorted = malloc(n * sizeof *v);
            float *w = malloc(n * sizeof *v);
            assert_non_null(v);
            assert_non_null(sorted);
            assert_non_null(w);
            for (size_t i = 0; i < n; i++) {
                r = r * 6364136223846793005u + 1442695040888963407u;
                double u = (double)(r >> 11) / 9007199254740992.0;
                v[i] = kind == 0   ? (float)u                /* distinct */
                       : kind == 1 ? (float)floor(u * 5)     /* repeats */
                       : kind == 2 ? (float)(u - 0.5) * 1e6f /* signs */
                                   : (i % 2 ? 0.0f : -0.0f); /* zeros */
            }
            memcpy(sorted, v, n * sizeof *v);
            qsort(sorted, n, sizeof *sorted, by_float);
            for (size_t k = 0; k < n; k += n / 7 + 1) {
                float x;
                memcpy(w, v, n * sizeof *v); /* the value-only form */
                assert_true(st_select_k_value(w, n, k) == sorted[k]);
                x = st_select_k(v, n, k);
                assert_true(x == sorted[k]);
                for (size_t i = 0; i < n; i++)
                    assert_true(i < k ? v[i] <= x : i > k ? v[i] >= x : 1);
            }
            free(v);
            free(sorted);
            free(w);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_gaussian_pores),
        cmocka_unit_test(test_disc_pores),
        cmocka_unit_test(test_no_false_pores),
        cmocka_unit_test(test_threads_same_result),
        cmocka_unit_test(test_simd_same_result),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_pore_free_skin),
        cmocka_unit_test(test_hair_strands),
        cmocka_unit_test(test_search_area),
        cmocka_unit_test(test_reference_responses),
    };
    return cmocka_run_group_tests_name("pores", tests, NULL, NULL);
}
