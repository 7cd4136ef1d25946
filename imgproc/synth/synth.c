/* skintrack — synthetic treatment courses with known truth.
 *
 *   st_synth_options_init   the default course
 *   st_synth_new            plan the photos, build the scene
 *   st_synth_count / st_synth_photo_at / st_synth_card   the truth
 *   st_synth_render         one photo
 *   st_synth_free           release
 *
 * The scene ("world") is defined in the pixels of a 1200 x 900 baseline.
 * Photo k sees it through a similarity M_k (world px -> photo px at 1200
 * wide) and a zoom f = width / 1200:
 *
 *     x_k = f (m00 x + m01 y + m02),  y_k = f (m10 x + m11 y + m12),
 *     m00 = s cos t, m01 = s sin t, m10 = -s sin t, m11 = s cos t,
 *     (m02, m12) = c + (dx, dy) - A c,  c = ((1200-1)/2, (900-1)/2),
 *
 * pixel centres at integers, y down, t > 0 counter-clockwise on screen.
 * A pixel is the mean of 2 x 2 samples mapped back through M_k^-1 and
 * evaluated in linear light:
 *
 *   reflectance = base colour
 *               x exp(a_k n(x, y) w_c)      1/f^2.5 texture, amplitude a_k
 *               x (1 + l sin(2 pi d / L))   faint lines at 30 degrees
 *               x prod (1 - depth p(r))     pores: soft discs, diameters
 *                                           scaled to the photo's mean
 *   lit         = reflectance x illumination(x, y)   fixed lamp gradient
 *   then, in CIELAB (D65): a* += patch excess (three erythema patches)
 *                                + acute excess (all skin, post photos),
 *                          L*, a*, b* shifted in two pigment spots
 *   grey card   = 0.18 x illumination, replacing the skin under it
 *   photo       = exposure x mean of the samples + sensor noise, sRGB
 *
 * The texture is made by spectral synthesis (R. F. Voss, "Fractals in
 * nature", in The Science of Fractal Images, Springer 1988): white noise
 * shaped by f^(-beta/2) so power falls as f^-beta, made once on a grid
 * larger than any photo and sampled with Catmull-Rom interpolation, so it
 * stays fixed to the skin.
 *
 * The course: treatments every interval_days from the baseline; a pre
 * photo on each treatment day after the first, post photos on the chosen
 * days after each treatment, a followup photo. Pore diameter, texture
 * amplitude and patch redness change linearly with days since the
 * baseline (so their trends are known exactly); the acute excess after a
 * treatment is 0.6 A on day 0, 0.85 A on day 1 and A 2^-((d - 2) / h)
 * from day 2 on (peak A on day 2, half-life h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "skintrack/color.h"
#include "skintrack/date.h"
#include "skintrack/fft.h"
#include "skintrack/synth.h"

enum { WORLD_W = 1200, WORLD_H = 900, N_PORES = 300, MAX_PHOTOS = 512 };

/* Skin base colour, sRGB-encoded 8-bit (214, 164, 140). */
static const double base_srgb8[3] = {214.0, 164.0, 140.0};

#define TEXTURE_BETA 2.5
#define TEXTURE_AMP  0.08 /* baseline std of log reflectance */
static const double texture_weight[3] = {0.85, 1.0, 1.15};
enum { TEX_W = 1600, TEX_H = 1280 };
#define TEX_X0 (-200.0) /* world coordinate of texture sample (0, 0) */
#define TEX_Y0 (-190.0)

#define LINE_ANGLE_DEG 30.0
#define LINE_PERIOD    7.0
#define LINE_AMP       0.012

#define PORE_DIAMETER   6.0 /* baseline mean, world px */
#define PORE_DEPTH      0.36
#define PORE_EDGE_SIGMA 0.6
#define PORE_MIN_DIST   24.0
static const double pore_weight[3] = {0.85, 1.0, 1.05};

#define RED_PATCH_A 8.0 /* baseline patch excess; fades to 1/4 by the end */

typedef struct patch {
    double x, y, sa, sb, angle_deg;
} patch;
static const patch red_patches[3] = {
    {820.0, 330.0, 75.0, 50.0, 20.0},
    {400.0, 560.0, 60.0, 42.0, -35.0},
    {930.0, 650.0, 42.0, 36.0, 0.0},
};

typedef struct spot {
    double x, y, r;
} spot;
static const spot pigment_spots[2] = {{330.0, 300.0, 11.0},
                                      {690.0, 500.0, 8.0}};
#define PIGMENT_DL         (-12.0)
#define PIGMENT_EDGE_SIGMA 2.0
#define PIGMENT_DA_PER_DL  (-0.15)
#define PIGMENT_DB_PER_DL  (-0.35)

#define CARD_X0          140.0
#define CARD_Y0          640.0
#define CARD_SIDE        120.0
#define CARD_REFLECTANCE 0.18

#define NOISE_READ 4e-6
#define NOISE_SHOT 1.5e-4

typedef struct pore {
    double x, y, d0, weight;
} pore;

enum { CELL = 16, CELLS_X = WORLD_W / CELL + 1, CELLS_Y = WORLD_H / CELL + 1 };

typedef struct xform {
    double m[6], inv[6]; /* world <-> photo at 1200 px */
} xform;

struct st_synth {
    st_synth_options opt;
    size_t n;
    st_synth_photo *photo;
    xform *t;
    float *tex;
    pore pores[N_PORES];
    int cell_head[CELLS_Y][CELLS_X];
    int next[N_PORES];
    double base_lin[3];
    double xyz_to_rgb[3][3];
};

/* ---- random numbers -------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double uniform(uint64_t *state)
{
    return ((double)(splitmix64(state) >> 11) + 0.5) *
           (1.0 / 9007199254740992.0);
}

static double gaussian(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);
    return sqrt(-2.0 * log(u)) * cos(2.0 * ST_PI * v);
}

/* The same linear sRGB -> XYZ matrix and white as st_color_srgb_to_lab, so
 * that the a* excess written to the truth file is the one skintrack sees. */
static const double rgb_to_xyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                        {0.2126729, 0.7151522, 0.0721750},
                                        {0.0193339, 0.1191920, 0.9503041}};
static const double white[3] = {0.95047, 1.0, 1.08883};
/* Its inverse, computed from it in double precision (st_synth_new), so
 * that a colour taken to CIELAB and back is the one that went in. */
static void invert3(double out[3][3], const double a[3][3])
{
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3;
            int c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            out[i][j] = (a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]) / det;
        }
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3.0 * d * d) + 4.0 / 29.0;
}

static double lab_finv(double u)
{
    const double d = 6.0 / 29.0;
    return u > d ? u * u * u : 3.0 * d * d * (u - 4.0 / 29.0);
}

static void linear_to_lab(const double rgb[3], double lab[3])
{
    double f[3];
    for (int i = 0; i < 3; i++) {
        double v = rgb_to_xyz[i][0] * rgb[0] + rgb_to_xyz[i][1] * rgb[1] +
                   rgb_to_xyz[i][2] * rgb[2];
        f[i] = lab_f(v / white[i]);
    }
    lab[0] = 116.0 * f[1] - 16.0;
    lab[1] = 500.0 * (f[0] - f[1]);
    lab[2] = 200.0 * (f[1] - f[2]);
}

static void lab_to_linear(const double xyz_to_rgb[3][3], const double lab[3],
                          double rgb[3])
{
    double fy = (lab[0] + 16.0) / 116.0;
    double xyz[3] = {white[0] * lab_finv(fy + lab[1] / 500.0),
                     white[1] * lab_finv(fy),
                     white[2] * lab_finv(fy - lab[2] / 200.0)};
    for (int i = 0; i < 3; i++)
        rgb[i] = xyz_to_rgb[i][0] * xyz[0] + xyz_to_rgb[i][1] * xyz[1] +
                 xyz_to_rgb[i][2] * xyz[2];
}

/* White noise shaped by f^(-beta/2) through the plan cache (fft.c), then
 * scaled to zero mean and unit variance. ST_OK, or the FFT's error. */
static st_status make_texture(st_synth *sc, uint64_t *rng, st_error *err)
{
    const int nx = TEX_W, ny = TEX_H, nh = TEX_W / 2 + 1;
    const size_t n_px = (size_t)nx * (size_t)ny;
    float *f = st_fft_alloc(n_px);
    float *spec = st_fft_alloc((size_t)ny * (size_t)nh * 2);
    double sum = 0.0, sum2 = 0.0, mean, sd;
    st_status st;
    if (!f || !spec) {
        st = st_fail(err, ST_ERR_NOMEM, "out of memory for the texture");
        goto cleanup;
    }
    for (size_t i = 0; i < n_px; i++)
        f[i] = (float)gaussian(rng);
    if ((st = st_fft_forward(nx, ny, f, spec, err)))
        goto cleanup;
    for (int j = 0; j < ny; j++) {
        double fy = (double)(j <= ny / 2 ? j : j - ny) / ny;
        for (int i = 0; i < nh; i++) {
            double fx = (double)i / nx, fr = sqrt(fx * fx + fy * fy);
            float g = fr > 0.0 ? (float)pow(fr, -TEXTURE_BETA / 2.0) : 0.0f;
            spec[2 * ((size_t)j * nh + i)] *= g;
            spec[2 * ((size_t)j * nh + i) + 1] *= g;
        }
    }
    if ((st = st_fft_inverse(nx, ny, spec, f, err)))
        goto cleanup;
    for (size_t i = 0; i < n_px; i++) {
        sum += f[i];
        sum2 += (double)f[i] * f[i];
    }
    mean = sum / (double)n_px;
    sd = sqrt(sum2 / (double)n_px - mean * mean);
    for (size_t i = 0; i < n_px; i++)
        f[i] = (float)((f[i] - mean) / sd);
    sc->tex = f;
    f = NULL;
cleanup:
    st_fft_free(spec);
    st_fft_free(f);
    return st;
}

static double catmull_rom(double p0, double p1, double p2, double p3, double t)
{
    return p1 + 0.5 * t *
                    (p2 - p0 +
                     t * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 +
                          t * (3.0 * (p1 - p2) + p3 - p0)));
}

static double texture_at(const st_synth *sc, double x, double y)
{
    double gx = x - TEX_X0, gy = y - TEX_Y0;
    int ix = (int)floor(gx), iy = (int)floor(gy);
    double tx = gx - ix, ty = gy - iy;
    double col[4];
    for (int j = 0; j < 4; j++) {
        const float *row = sc->tex + (size_t)(iy - 1 + j) * TEX_W;
        col[j] =
            catmull_rom(row[ix - 1], row[ix], row[ix + 1], row[ix + 2], tx);
    }
    return catmull_rom(col[0], col[1], col[2], col[3], ty);
}

/* ---- geometry -------------------------------------------------------- */

static void make_xform(xform *t, const st_synth_photo *p)
{
    const double cx = (WORLD_W - 1) / 2.0, cy = (WORLD_H - 1) / 2.0;
    double th = p->rotation_deg * ST_PI / 180.0, det;
    double a = p->scale * cos(th), b = p->scale * sin(th);
    double *m = t->m, *v = t->inv;
    m[0] = a;
    m[1] = b;
    m[3] = -b;
    m[4] = a;
    m[2] = cx + p->dx - (m[0] * cx + m[1] * cy);
    m[5] = cy + p->dy - (m[3] * cx + m[4] * cy);
    det = m[0] * m[4] - m[1] * m[3];
    v[0] = m[4] / det;
    v[1] = -m[1] / det;
    v[3] = -m[3] / det;
    v[4] = m[0] / det;
    v[2] = -(v[0] * m[2] + v[1] * m[5]);
    v[5] = -(v[3] * m[2] + v[4] * m[5]);
}

static void apply(const double m[6], double x, double y, double *ox, double *oy)
{
    *ox = m[0] * x + m[1] * y + m[2];
    *oy = m[3] * x + m[4] * y + m[5];
}

/* World point (x, y) lands at least margin px inside photos 0..n-1. */
static int visible(const xform *t, size_t n, double x, double y, double margin)
{
    for (size_t k = 0; k < n; k++) {
        double u, v;
        apply(t[k].m, x, y, &u, &v);
        if (u < margin || u > WORLD_W - 1 - margin || v < margin ||
            v > WORLD_H - 1 - margin)
            return 0;
    }
    return 1;
}

/* Every feature is in every photo 0..n-1, and every photo pixel maps
 * inside the texture grid (with room for the bicubic taps). */
static int layout_ok(const xform *t, size_t n)
{
    const double cs[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int i = 0; i < 4; i++)
        if (!visible(t, n, CARD_X0 + cs[i][0] * CARD_SIDE,
                     CARD_Y0 + cs[i][1] * CARD_SIDE, 5.0))
            return 0;
    for (int i = 0; i < 3; i++) {
        const patch *q = &red_patches[i];
        double r = q->sa > q->sb ? q->sa : q->sb;
        if (!visible(t, n, q->x - r, q->y - r, 0.0) ||
            !visible(t, n, q->x + r, q->y + r, 0.0))
            return 0;
    }
    for (int i = 0; i < 2; i++)
        if (!visible(t, n, pigment_spots[i].x, pigment_spots[i].y,
                     pigment_spots[i].r + 10.0))
            return 0;
    for (size_t k = 0; k < n; k++)
        for (int i = 0; i < 4; i++) {
            double x, y;
            apply(t[k].inv, -1.0 + cs[i][0] * (WORLD_W + 1),
                  -1.0 + cs[i][1] * (WORLD_H + 1), &x, &y);
            if (x - TEX_X0 < 2.0 || x - TEX_X0 > TEX_W - 3.0 ||
                y - TEX_Y0 < 2.0 || y - TEX_Y0 > TEX_H - 3.0)
                return 0;
        }
    return 1;
}

/* ---- features -------------------------------------------------------- */

static int in_card(double x, double y, double margin)
{
    return x >= CARD_X0 - margin && x < CARD_X0 + CARD_SIDE + margin &&
           y >= CARD_Y0 - margin && y < CARD_Y0 + CARD_SIDE + margin;
}

static int near_pigment(double x, double y, double margin)
{
    for (int i = 0; i < 2; i++)
        if (hypot(x - pigment_spots[i].x, y - pigment_spots[i].y) <
            pigment_spots[i].r + margin)
            return 1;
    return 0;
}

/* Dart throwing: uniform positions at least PORE_MIN_DIST apart, inside
 * the region every photo sees, off the card and the pigment spots; the
 * baseline mean diameter is then exactly PORE_DIAMETER. */
static int place_pores(st_synth *sc, uint64_t *rng)
{
    int n = 0;
    double sum = 0.0, k;
    for (long tries = 0; n < N_PORES && tries < 1000000; tries++) {
        double x = uniform(rng) * (WORLD_W - 1),
               y = uniform(rng) * (WORLD_H - 1);
        int clash = 0;
        if (!visible(sc->t, sc->n, x, y, 10.0) || in_card(x, y, 15.0) ||
            near_pigment(x, y, 12.0))
            continue;
        for (int i = 0; i < n && !clash; i++)
            clash =
                hypot(x - sc->pores[i].x, y - sc->pores[i].y) < PORE_MIN_DIST;
        if (clash)
            continue;
        sc->pores[n].x = x;
        sc->pores[n].y = y;
        sc->pores[n].d0 = 4.2 + 3.6 * uniform(rng);
        sc->pores[n].weight = 0.8 + 0.4 * uniform(rng);
        sum += sc->pores[n].d0;
        n++;
    }
    if (n < N_PORES)
        return 0;
    k = PORE_DIAMETER * n / sum;
    for (int i = 0; i < n; i++)
        sc->pores[i].d0 *= k;
    for (int j = 0; j < CELLS_Y; j++)
        for (int i = 0; i < CELLS_X; i++)
            sc->cell_head[j][i] = -1;
    for (int i = 0; i < n; i++) {
        int cx = (int)(sc->pores[i].x / CELL),
            cy = (int)(sc->pores[i].y / CELL);
        sc->next[i] = sc->cell_head[cy][cx];
        sc->cell_head[cy][cx] = i;
    }
    return 1;
}

/* Multiplies rgb by the darkening of every pore near (x, y). */
static void apply_pores(const st_synth *sc, const st_synth_photo *p, double x,
                        double y, double rgb[3])
{
    int cx = (int)floor(x / CELL), cy = (int)floor(y / CELL);
    double size = p->pore_diameter / (PORE_DIAMETER * sc->opt.width / WORLD_W);
    double depth = p->pore_depth;
    for (int j = cy - 1; j <= cy + 1; j++) {
        if (j < 0 || j >= CELLS_Y)
            continue;
        for (int i = cx - 1; i <= cx + 1; i++) {
            if (i < 0 || i >= CELLS_X)
                continue;
            for (int q = sc->cell_head[j][i]; q >= 0; q = sc->next[q]) {
                const pore *o = &sc->pores[q];
                double r = hypot(x - o->x, y - o->y), rad = 0.5 * o->d0 * size;
                double cover, dark;
                if (r > rad + 5.0 * PORE_EDGE_SIGMA)
                    continue;
                cover = 0.5 * erfc((r - rad) / (sqrt(2.0) * PORE_EDGE_SIGMA));
                dark = depth * o->weight * cover;
                for (int c = 0; c < 3; c++)
                    rgb[c] *= 1.0 - dark * pore_weight[c];
            }
        }
    }
}

/* Smooth lamp from the right and a little from above; 1 at the centre. */
static double illumination(double x, double y)
{
    double u = (x - (WORLD_W - 1) / 2.0) / (WORLD_W / 2.0);
    double v = (y - (WORLD_H - 1) / 2.0) / (WORLD_H / 2.0);
    return 1.0 + 0.10 * u - 0.03 * v - 0.04 * (u * u + v * v);
}

/* Erythema weight at (x, y): 1 at each patch centre, an irregular ellipse. */
static double redness_weight(double x, double y, double n)
{
    double w = 0.0;
    for (int i = 0; i < 3; i++) {
        const patch *q = &red_patches[i];
        double a = q->angle_deg * ST_PI / 180.0, dx = x - q->x, dy = y - q->y;
        double u = cos(a) * dx - sin(a) * dy, v = sin(a) * dx + cos(a) * dy;
        double d2 = (u * u) / (q->sa * q->sa) + (v * v) / (q->sb * q->sb);
        if (d2 > 30.0)
            continue;
        w += exp(-0.5 * d2 * exp(0.35 * n));
    }
    return w;
}

/* Pigment weight at (x, y): 1 at each spot centre, soft edged. */
static double pigment_weight(double x, double y, double n)
{
    double w = 0.0;
    for (int i = 0; i < 2; i++) {
        const spot *s = &pigment_spots[i];
        double r = hypot(x - s->x, y - s->y), rad, k;
        if (r > s->r * 1.3 + 6.0 * PIGMENT_EDGE_SIGMA)
            continue;
        rad = s->r * (1.0 + 0.08 * n);
        k = sqrt(2.0) * PIGMENT_EDGE_SIGMA;
        w += erfc((r - rad) / k) / erfc(-rad / k);
    }
    return w;
}

/* Linear-light colour of the scene at world point (x, y) in photo p,
 * before exposure and noise. */
static void scene_at(const st_synth *sc, const st_synth_photo *p, double x,
                     double y, double rgb[3])
{
    double illum = illumination(x, y), n, la, d, lines, red, pig, dl, lab[3];
    if (in_card(x, y, 0.0)) {
        for (int c = 0; c < 3; c++)
            rgb[c] = CARD_REFLECTANCE * illum;
        return;
    }
    n = texture_at(sc, x, y);
    la = LINE_ANGLE_DEG * ST_PI / 180.0;
    d = x * sin(la) + y * cos(la); /* distance across the lines */
    lines = 1.0 + LINE_AMP * sin(2.0 * ST_PI * d / LINE_PERIOD);
    for (int c = 0; c < 3; c++)
        rgb[c] = sc->base_lin[c] *
                 exp(p->texture_amplitude * n * texture_weight[c]) * lines;
    apply_pores(sc, p, x, y, rgb);
    for (int c = 0; c < 3; c++)
        rgb[c] *= illum;
    red = redness_weight(x, y, n);
    pig = pigment_weight(x, y, n);
    if (red < 1e-6 && pig < 1e-6 && p->acute_a_star == 0)
        return;
    linear_to_lab(rgb, lab);
    dl = p->pigment_l_star * pig;
    lab[0] += dl;
    lab[1] +=
        p->red_patch_a_star * red + p->acute_a_star + PIGMENT_DA_PER_DL * dl;
    lab[2] += PIGMENT_DB_PER_DL * dl;
    lab_to_linear(sc->xyz_to_rgb, lab, rgb);
}

/* ---- the course ------------------------------------------------------ */

void st_synth_options_init(st_synth_options *opt)
{
    static const int post[4] = {1, 2, 3, 5};
    memset(opt, 0, sizeof *opt);
    opt->seed = UINT64_C(0x5EED20260112C0DE);
    opt->width = WORLD_W;
    st_date_from_ymd(2026, 1, 12, &opt->start_date);
    opt->sessions = 3;
    opt->interval_days = 28;
    memcpy(opt->post_days, post, sizeof post);
    opt->n_post_days = 4;
    opt->followup_days = 90;
    opt->half_life_days = 1.2;
    opt->acute_a_star = 6.0;
    opt->pore_change = -0.2;
    opt->texture_change = -0.25;
    opt->misalign = 1.0;
    opt->lighting = 0.06;
}

/* Acute a* excess d days after a treatment (see the top of the file). */
static double acute(const st_synth_options *o, int d)
{
    if (d <= 0)
        return 0.6 * o->acute_a_star;
    if (d == 1)
        return 0.85 * o->acute_a_star;
    return o->acute_a_star * pow(2.0, -(d - 2) / o->half_life_days);
}

static void add_photo(st_synth *s, long day, int session, st_phase phase,
                      int post_day)
{
    st_synth_photo *p = &s->photo[s->n++];
    memset(p, 0, sizeof *p);
    p->date = s->opt.start_date + day;
    p->session = session;
    p->phase = phase;
    p->post_day = post_day;
    p->acute_a_star = post_day >= 0 ? acute(&s->opt, post_day) : 0.0;
    p->half_life_days = post_day >= 0 ? s->opt.half_life_days : NAN;
}

/* The photos' dates and phases, then their truth values. */
static void plan(st_synth *s)
{
    const st_synth_options *o = &s->opt;
    long last = (long)(o->sessions - 1) * o->interval_days, end;
    for (int k = 1; k <= o->sessions; k++) {
        long t = (long)(k - 1) * o->interval_days;
        add_photo(s, t, k, k == 1 ? ST_PHASE_BASELINE : ST_PHASE_PRE, -1);
        for (int i = 0; i < o->n_post_days; i++)
            add_photo(s, t + o->post_days[i], k, ST_PHASE_POST,
                      o->post_days[i]);
    }
    if (o->followup_days > 0)
        add_photo(s, last + o->followup_days, o->sessions, ST_PHASE_FOLLOWUP,
                  -1);
    end = s->photo[s->n - 1].date - o->start_date;
    for (size_t k = 0; k < s->n; k++) {
        st_synth_photo *p = &s->photo[k];
        double f = end > 0 ? (double)(p->date - o->start_date) / end : 0.0;
        double zoom = o->width / (double)WORLD_W;
        p->pore_diameter = PORE_DIAMETER * zoom * (1.0 + o->pore_change * f);
        p->texture_amplitude = TEXTURE_AMP * (1.0 + o->texture_change * f);
        p->red_patch_a_star = RED_PATCH_A * (1.0 - 0.75 * f);
        p->pore_depth = PORE_DEPTH;
        p->pigment_l_star = PIGMENT_DL;
        p->scale = 1.0;
        p->exposure = 1.0;
    }
}

/* Draws each photo's misalignment and exposure until the layout fits. */
static int misalign(st_synth *s, uint64_t *rng)
{
    const st_synth_options *o = &s->opt;
    for (int attempt = 0; attempt < 200; attempt++) {
        for (size_t k = 1; k < s->n; k++) {
            st_synth_photo *p = &s->photo[k];
            p->dx = 30.0 * o->misalign * (2 * uniform(rng) - 1);
            p->dy = 30.0 * o->misalign * (2 * uniform(rng) - 1);
            p->rotation_deg = 3.0 * o->misalign * (2 * uniform(rng) - 1);
            p->scale = 1.0 + 0.03 * o->misalign * (2 * uniform(rng) - 1);
            p->exposure = 1.0 + o->lighting * (2 * uniform(rng) - 1);
        }
        for (size_t k = 0; k < s->n; k++)
            make_xform(&s->t[k], &s->photo[k]);
        if (layout_ok(s->t, s->n))
            return 1;
    }
    return 0;
}

/* The truth in photo pixels at the chosen width: the zoom conjugates the
 * world transform, so only the translation scales. */
static void truth_in_pixels(st_synth *s)
{
    double zoom = s->opt.width / (double)WORLD_W;
    double cx = (s->opt.width - 1) / 2.0, cy = (s->opt.width * 3 / 4 - 1) / 2.0;
    for (size_t k = 0; k < s->n; k++) {
        st_synth_photo *p = &s->photo[k];
        memcpy(p->m, s->t[k].m, sizeof p->m);
        p->m[2] *= zoom;
        p->m[5] *= zoom;
        /* the shift of this photo's own centre */
        p->dx = p->m[0] * cx + p->m[1] * cy + p->m[2] - cx;
        p->dy = p->m[3] * cx + p->m[4] * cy + p->m[5] - cy;
    }
}

/* The options of a planned course are in range. */
static st_status check_plan(const st_synth_options *o, st_error *err)
{
    if (o->sessions < 1 || o->sessions > 50 || o->interval_days < 1 ||
        o->n_post_days < 0 || o->n_post_days > ST_SYNTH_MAX_POST_DAYS ||
        o->followup_days < 0 || !(o->half_life_days > 0) ||
        !(o->misalign >= 0 && o->misalign <= 2) ||
        !(o->lighting >= 0 && o->lighting < 0.5) ||
        !(o->pore_change > -0.9 && o->pore_change < 2) ||
        !(o->texture_change > -1 && o->texture_change < 2))
        return st_fail(err, ST_ERR_INVALID,
                       "synthetic course options out of range");
    for (int i = 0; i < o->n_post_days; i++)
        if (o->post_days[i] < 1 || o->post_days[i] >= o->interval_days ||
            (i > 0 && o->post_days[i] <= o->post_days[i - 1]))
            return st_fail(err, ST_ERR_INVALID,
                           "post days must rise, from 1 to less than the "
                           "interval");
    return ST_OK;
}

/* Photos given by the caller (o->photos) are taken as they are. */
static st_status check_given(const st_synth_options *o, st_error *err)
{
    if (o->n_photos < 1 || o->n_photos > MAX_PHOTOS)
        return st_fail(err, ST_ERR_INVALID, "%zu photos is not in 1..%d",
                       o->n_photos, MAX_PHOTOS);
    for (size_t k = 0; k < o->n_photos; k++) {
        const st_synth_photo *p = &o->photos[k];
        if (!(p->scale > 0.5 && p->scale < 2) ||
            !(p->exposure > 0 && p->exposure < 4) || !(p->pore_diameter > 0) ||
            !(p->pore_depth >= 0 && p->pore_depth < 1) ||
            !(p->texture_amplitude >= 0 && p->texture_amplitude < 1) ||
            !isfinite(p->dx + p->dy + p->rotation_deg + p->red_patch_a_star +
                      p->acute_a_star + p->pigment_l_star))
            return st_fail(err, ST_ERR_INVALID,
                           "synthetic photo %zu: values out of range", k);
    }
    return ST_OK;
}

/* The photos: planned (with their misalignment drawn from rng) or given. */
static st_status lay_out(st_synth *s, uint64_t *rng, st_error *err)
{
    const st_synth_options *o = &s->opt;
    if (!o->photos) {
        plan(s);
        if (!misalign(s, rng))
            return st_fail(err, ST_ERR_INVALID,
                           "no misalignment of the course keeps every "
                           "feature in every photo");
        return ST_OK;
    }
    memcpy(s->photo, o->photos, o->n_photos * sizeof *s->photo);
    s->n = o->n_photos;
    s->opt.photos = NULL; /* the caller's array may go */
    for (size_t k = 0; k < s->n; k++)
        make_xform(&s->t[k], &s->photo[k]);
    if (!layout_ok(s->t, s->n))
        return st_fail(err, ST_ERR_INVALID,
                       "a feature of the scene falls outside a photo");
    return ST_OK;
}

st_status st_synth_new(st_synth **out, const st_synth_options *opt_in,
                       st_error *err)
{
    st_synth_options opt;
    st_synth *s;
    uint64_t rng;
    size_t max;
    st_status st;

    *out = NULL;
    if (opt_in)
        opt = *opt_in;
    else
        st_synth_options_init(&opt);
    if (opt.width < 64 || opt.width > 16384)
        return st_fail(err, ST_ERR_INVALID, "width %d is not in 64..16384",
                       opt.width);
    if ((st = opt.photos ? check_given(&opt, err) : check_plan(&opt, err)))
        return st;
    max = opt.photos ? opt.n_photos
                     : (size_t)opt.sessions * (size_t)(1 + opt.n_post_days) + 1;
    s = calloc(1, sizeof *s);
    if (!s)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    s->opt = opt;
    s->photo = calloc(max, sizeof *s->photo);
    s->t = calloc(max, sizeof *s->t);
    if (!s->photo || !s->t) {
        st_synth_free(s);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    for (int c = 0; c < 3; c++)
        s->base_lin[c] = st_color_srgb_to_linear(base_srgb8[c] / 255.0);
    invert3(s->xyz_to_rgb, rgb_to_xyz);
    rng = opt.seed;
    if ((st = lay_out(s, &rng, err)) || (st = make_texture(s, &rng, err))) {
        st_synth_free(s);
        return st;
    }
    if (!place_pores(s, &rng)) {
        st_synth_free(s);
        return st_fail(err, ST_ERR_INVALID,
                       "no room for %d pores in what every photo sees",
                       N_PORES);
    }
    truth_in_pixels(s);
    *out = s;
    return ST_OK;
}

size_t st_synth_count(const st_synth *s)
{
    return s->n;
}

const st_synth_photo *st_synth_photo_at(const st_synth *s, size_t k)
{
    return k < s->n ? &s->photo[k] : NULL;
}

void st_synth_card(const st_synth *s, int rect[4])
{
    /* 15% in from every edge: JPEG's chroma blur bleeds skin colour into
     * the card's border, and a white balance read there would be tinted */
    double zoom = s->opt.width / (double)WORLD_W, m = 0.15 * CARD_SIDE;
    rect[0] = (int)ceil((CARD_X0 + m) * zoom);
    rect[1] = (int)ceil((CARD_Y0 + m) * zoom);
    rect[2] = (int)floor((CARD_SIDE - 2 * m) * zoom);
    rect[3] = (int)floor((CARD_SIDE - 2 * m) * zoom);
}

void st_synth_free(st_synth *s)
{
    if (!s)
        return;
    free(s->photo);
    free(s->t);
    st_fft_free(s->tex);
    free(s);
}

st_status st_synth_render(const st_synth *s, size_t k, st_image **out,
                          st_error *err)
{
    static const double off[2] = {-0.25, 0.25};
    const st_synth_photo *p = st_synth_photo_at(s, k);
    double zoom = s->opt.width / (double)WORLD_W;
    int w = s->opt.width, h = s->opt.width * 3 / 4;
    uint64_t rng;
    st_status st;

    *out = NULL;
    if (!p)
        return st_fail(err, ST_ERR_INVALID, "no photo %zu", k);
    if ((st = st_image_new(out, w, h, 3, err)))
        return st;
    rng = s->opt.seed ^ (UINT64_C(0xD1B54A32D192ED03) * (uint64_t)(k + 1));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double acc[3] = {0.0, 0.0, 0.0};
            float *px = st_image_pixel(*out, x, y);
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    double wx, wy, rgb[3];
                    apply(s->t[k].inv, (x + off[i]) / zoom, (y + off[j]) / zoom,
                          &wx, &wy);
                    scene_at(s, p, wx, wy, rgb);
                    for (int c = 0; c < 3; c++)
                        acc[c] += 0.25 * rgb[c];
                }
            for (int c = 0; c < 3; c++) {
                double v = acc[c] * p->exposure;
                v += sqrt(NOISE_READ + NOISE_SHOT * (v > 0.0 ? v : 0.0)) *
                     gaussian(&rng);
                v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
                px[c] = (float)st_color_linear_to_srgb(v);
            }
        }
    return ST_OK;
}
