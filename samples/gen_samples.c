/* gen_samples — writes skintrack's bundled synthetic treatment course.
 *
 * Usage: gen_samples OUTDIR
 *
 * Writes five JPEG photos (1200x900, quality 92) of one synthetic patch of
 * facial skin into OUTDIR, and OUTDIR-truth.csv beside that folder with the
 * values each photo was built from. Everything is deterministic: one fixed
 * seed drives a splitmix64 generator; rand() is never used.
 *
 * The scene ("world") is defined in the coordinates of the baseline photo
 * (the reference). Photo k sees it through a similarity transform M_k that
 * maps reference pixel coordinates to the photo's pixel coordinates:
 *
 *     x_mov = m00 x + m01 y + m02,   y_mov = m10 x + m11 y + m12,
 *     m00 = s cos(t), m01 = s sin(t), m10 = -s sin(t), m11 = s cos(t),
 *     (m02, m12) = c + (dx, dy) - A c,   c = ((W-1)/2, (H-1)/2),
 *
 * with pixel centres at integers, (0, 0) the centre of the top-left pixel,
 * y pointing down, t > 0 a counter-clockwise turn as seen on screen and
 * (dx, dy) the shift of the image centre. A photo pixel is rendered by
 * mapping 2x2 sub-pixel samples back through M_k^-1 and evaluating the
 * scene there, in linear light:
 *
 *   reflectance = base colour
 *               x exp(a n(x, y) w_c)        1/f^2.5 texture (FFT synthesis)
 *               x (1 + l sin(2 pi d / L))   faint lines at 30 degrees
 *               x prod (1 - depth p(r))     pores: soft discs
 *   lit         = reflectance x illumination(x, y)   fixed lamp gradient
 *   then, in CIELAB (D65): a* += red excess (erythema patches),
 *                          L*, a*, b* shifted in two pigment spots
 *   grey card   = 0.18 x illumination, replacing the skin under it
 *   photo       = exposure x mean of the samples + sensor noise, sRGB-encoded
 *
 * The texture is made by spectral synthesis (R. F. Voss, "Fractals in
 * nature", in The Science of Fractal Images, Springer 1988): white noise
 * whose spectrum is shaped by f^(-beta/2), so power falls as f^-beta.
 * It is made once on a world grid larger than any photo and sampled with
 * Catmull-Rom bicubic interpolation, so it is fixed to the skin like every
 * feature.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fftw3.h>

#include "skintrack/color.h"
#include "skintrack/image.h"
#include "skintrack/io.h"
#include "skintrack/status.h"

#define PI 3.14159265358979323846

enum { IMG_W = 1200, IMG_H = 900, N_PHOTOS = 5, N_PORES = 300 };
enum { JPEG_QUALITY = 92 };
#define MAX_FILE_BYTES (2L * 1024 * 1024)
enum { PATH_BYTES = 4096 }; /* OUTDIR plus the longest name added to it */
#define SEED UINT64_C(0x5EED20260112C0DE)

/* ---- the course ------------------------------------------------------ */

typedef struct photo {
    const char *date;
    int session;
    const char *phase;
    double dx, dy;        /* shift of the image centre, px */
    double rotation_deg;  /* counter-clockwise on screen */
    double scale;         /* > 1: skin looks larger than at baseline */
    double exposure;      /* multiplies linear light */
    double pore_diameter; /* mean pore diameter, reference px */
    double pore_depth;    /* mean fractional darkening at a pore centre */
    double red_da;        /* a* excess at the centre of each red patch */
    double pigment_dl;    /* L* change at the centre of each pigment spot */
} photo;

static const photo course[N_PHOTOS] = {
    {"2026-01-12", 1, "baseline", 0.0, 0.0, 0.0, 1.0, 1.0, 6.0, 0.36, 8.0, -12.0},
    {"2026-02-09", 2, "pre", 18.4, -11.7, 1.6, 1.018, 1.05, 5.7, 0.34, 6.5, -11.4},
    {"2026-03-09", 3, "pre", -24.9, 7.3, -2.3, 0.976, 0.93, 5.4, 0.31, 5.0, -10.8},
    {"2026-04-06", 4, "pre", 9.6, 26.2, 2.8, 1.027, 1.07, 5.1, 0.28, 3.5, -10.2},
    {"2026-07-06", 4, "followup", -29.1, -21.5, -1.1, 0.984, 0.94, 4.8, 0.25, 1.5, -9.5},
};

/* ---- the scene (reference-pixel coordinates) ------------------------- */

/* Skin base colour, sRGB-encoded 8-bit (214, 164, 140). */
static const double base_srgb8[3] = {214.0, 164.0, 140.0};

#define TEXTURE_BETA 2.5
#define TEXTURE_AMP 0.08 /* std of log reflectance from the texture */
static const double texture_weight[3] = {0.85, 1.0, 1.15};
enum { TEX_W = 1600, TEX_H = 1280 };
#define TEX_X0 (-200.0) /* world coordinate of texture sample (0, 0) */
#define TEX_Y0 (-190.0)

#define LINE_ANGLE_DEG 30.0 /* lines run 30 deg counter-clockwise from +x */
#define LINE_PERIOD 7.0     /* px */
#define LINE_AMP 0.012

#define PORE_EDGE_SIGMA 0.6 /* px, blur of the disc edge */
#define PORE_MIN_DIST 24.0
static const double pore_weight[3] = {0.85, 1.0, 1.05};

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
static const spot pigment_spots[2] = {{330.0, 300.0, 11.0}, {690.0, 500.0, 8.0}};
#define PIGMENT_EDGE_SIGMA 2.0
#define PIGMENT_DA_PER_DL (-0.15) /* a* and b* rise as L* falls */
#define PIGMENT_DB_PER_DL (-0.35)

#define CARD_X0 140.0
#define CARD_Y0 640.0
#define CARD_SIDE 120.0
#define CARD_REFLECTANCE 0.18

/* Sensor noise in linear light: variance = read + shot * value. */
#define NOISE_READ 4e-6
#define NOISE_SHOT 1.5e-4

typedef struct pore {
    double x, y;
    double d0;     /* diameter at baseline, px */
    double weight; /* darkness relative to the photo's mean depth */
} pore;

enum { CELL = 16, CELLS_X = IMG_W / CELL + 1, CELLS_Y = IMG_H / CELL + 1 };

typedef struct scene {
    float *tex; /* TEX_W x TEX_H, zero mean, unit variance */
    pore pores[N_PORES];
    int cell_head[CELLS_Y][CELLS_X]; /* first pore in a cell, -1 if none */
    int next[N_PORES];               /* next pore in the same cell */
    double base_lin[3];
} scene;

typedef struct xform {
    double m[6];   /* reference -> photo: m00 m01 m02 m10 m11 m12 */
    double inv[6]; /* photo -> reference */
} xform;

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
    return ((double)(splitmix64(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double gaussian(uint64_t *state)
{
    double u = uniform(state), v = uniform(state);
    return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

/* ---- colour ---------------------------------------------------------- */

/* The same linear sRGB -> XYZ matrix and white as st_color_srgb_to_lab, so
 * that the a* excess written to the truth file is the one skintrack sees. */
static const double rgb_to_xyz[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                        {0.2126729, 0.7151522, 0.0721750},
                                        {0.0193339, 0.1191920, 0.9503041}};
static const double white[3] = {0.95047, 1.0, 1.08883};
static double xyz_to_rgb[3][3];

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

static void lab_to_linear(const double lab[3], double rgb[3])
{
    double fy = (lab[0] + 16.0) / 116.0;
    double xyz[3] = {white[0] * lab_finv(fy + lab[1] / 500.0), white[1] * lab_finv(fy),
                     white[2] * lab_finv(fy - lab[2] / 200.0)};
    for (int i = 0; i < 3; i++)
        rgb[i] = xyz_to_rgb[i][0] * xyz[0] + xyz_to_rgb[i][1] * xyz[1] +
                 xyz_to_rgb[i][2] * xyz[2];
}

/* ---- geometry -------------------------------------------------------- */

static void make_xform(xform *t, const photo *p)
{
    const double cx = (IMG_W - 1) / 2.0, cy = (IMG_H - 1) / 2.0;
    double th = p->rotation_deg * PI / 180.0;
    double a = p->scale * cos(th), b = p->scale * sin(th);
    double *m = t->m;
    m[0] = a;
    m[1] = b;
    m[3] = -b;
    m[4] = a;
    m[2] = cx + p->dx - (m[0] * cx + m[1] * cy);
    m[5] = cy + p->dy - (m[3] * cx + m[4] * cy);
    double det = m[0] * m[4] - m[1] * m[3];
    double *v = t->inv;
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

/* Whether reference point (x, y) lands at least margin px inside every photo. */
static int visible_everywhere(const xform *t, double x, double y, double margin)
{
    for (int k = 0; k < N_PHOTOS; k++) {
        double u, v;
        apply(t[k].m, x, y, &u, &v);
        if (u < margin || u > IMG_W - 1 - margin || v < margin || v > IMG_H - 1 - margin)
            return 0;
    }
    return 1;
}

/* ---- texture --------------------------------------------------------- */

static int make_texture(scene *sc, uint64_t *rng)
{
    const int nx = TEX_W, ny = TEX_H, nh = TEX_W / 2 + 1;
    float *f = fftwf_alloc_real((size_t)nx * (size_t)ny);
    fftwf_complex *spec = fftwf_alloc_complex((size_t)ny * (size_t)nh);
    fftwf_plan fwd = NULL, back = NULL;
    int ok = 0;
    if (!f || !spec)
        goto cleanup;
    fwd = fftwf_plan_dft_r2c_2d(ny, nx, f, spec, FFTW_ESTIMATE);
    back = fftwf_plan_dft_c2r_2d(ny, nx, spec, f, FFTW_ESTIMATE);
    if (!fwd || !back)
        goto cleanup;

    for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++)
        f[i] = (float)gaussian(rng);
    fftwf_execute(fwd);
    for (int j = 0; j < ny; j++) {
        double fy = (double)(j <= ny / 2 ? j : j - ny) / ny;
        for (int i = 0; i < nh; i++) {
            double fx = (double)i / nx, fr = sqrt(fx * fx + fy * fy);
            float g = fr > 0.0 ? (float)pow(fr, -TEXTURE_BETA / 2.0) : 0.0f;
            spec[(size_t)j * nh + i][0] *= g;
            spec[(size_t)j * nh + i][1] *= g;
        }
    }
    fftwf_execute(back);

    double sum = 0.0, sum2 = 0.0, n = (double)nx * ny;
    for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++) {
        sum += f[i];
        sum2 += (double)f[i] * f[i];
    }
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
    for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++)
        f[i] = (float)((f[i] - mean) / sd);
    sc->tex = f;
    f = NULL;
    ok = 1;
cleanup:
    if (fwd)
        fftwf_destroy_plan(fwd);
    if (back)
        fftwf_destroy_plan(back);
    fftwf_free(spec);
    fftwf_free(f);
    return ok;
}

static double catmull_rom(double p0, double p1, double p2, double p3, double t)
{
    return p1 + 0.5 * t *
                    (p2 - p0 +
                     t * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + t * (3.0 * (p1 - p2) + p3 - p0)));
}

static double texture_at(const scene *sc, double x, double y)
{
    double gx = x - TEX_X0, gy = y - TEX_Y0;
    int ix = (int)floor(gx), iy = (int)floor(gy);
    double tx = gx - ix, ty = gy - iy;
    double col[4];
    for (int j = 0; j < 4; j++) {
        const float *row = sc->tex + (size_t)(iy - 1 + j) * TEX_W;
        col[j] = catmull_rom(row[ix - 1], row[ix], row[ix + 1], row[ix + 2], tx);
    }
    return catmull_rom(col[0], col[1], col[2], col[3], ty);
}

/* ---- features -------------------------------------------------------- */

static int in_card(double x, double y, double margin)
{
    return x >= CARD_X0 - margin && x < CARD_X0 + CARD_SIDE + margin &&
           y >= CARD_Y0 - margin && y < CARD_Y0 + CARD_SIDE + margin;
}

static int near_pigment(double x, double y, double margin)
{
    for (int i = 0; i < 2; i++) {
        double r = pigment_spots[i].r + margin;
        if (hypot(x - pigment_spots[i].x, y - pigment_spots[i].y) < r)
            return 1;
    }
    return 0;
}

/* Dart throwing: uniform positions at least PORE_MIN_DIST apart, inside the
 * region every photo sees, off the grey card and the pigment spots. */
static int place_pores(scene *sc, const xform *t, uint64_t *rng)
{
    int n = 0;
    for (long tries = 0; n < N_PORES && tries < 1000000; tries++) {
        double x = uniform(rng) * (IMG_W - 1), y = uniform(rng) * (IMG_H - 1);
        if (!visible_everywhere(t, x, y, 10.0) || in_card(x, y, 15.0) ||
            near_pigment(x, y, 12.0))
            continue;
        int clash = 0;
        for (int i = 0; i < n && !clash; i++)
            clash = hypot(x - sc->pores[i].x, y - sc->pores[i].y) < PORE_MIN_DIST;
        if (clash)
            continue;
        sc->pores[n].x = x;
        sc->pores[n].y = y;
        sc->pores[n].d0 = 4.2 + 3.6 * uniform(rng);
        sc->pores[n].weight = 0.8 + 0.4 * uniform(rng);
        n++;
    }
    if (n < N_PORES)
        return 0;
    /* Make the baseline mean diameter exactly course[0].pore_diameter. */
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        sum += sc->pores[i].d0;
    double k = course[0].pore_diameter * n / sum;
    for (int i = 0; i < n; i++)
        sc->pores[i].d0 *= k;

    for (int j = 0; j < CELLS_Y; j++)
        for (int i = 0; i < CELLS_X; i++)
            sc->cell_head[j][i] = -1;
    for (int i = 0; i < n; i++) {
        int cx = (int)(sc->pores[i].x / CELL), cy = (int)(sc->pores[i].y / CELL);
        sc->next[i] = sc->cell_head[cy][cx];
        sc->cell_head[cy][cx] = i;
    }
    return 1;
}

/* Multiplies rgb by the darkening of every pore near (x, y). */
static void apply_pores(const scene *sc, const photo *p, double x, double y,
                        double rgb[3])
{
    int cx = (int)floor(x / CELL), cy = (int)floor(y / CELL);
    double size = p->pore_diameter / course[0].pore_diameter;
    for (int j = cy - 1; j <= cy + 1; j++) {
        if (j < 0 || j >= CELLS_Y)
            continue;
        for (int i = cx - 1; i <= cx + 1; i++) {
            if (i < 0 || i >= CELLS_X)
                continue;
            for (int q = sc->cell_head[j][i]; q >= 0; q = sc->next[q]) {
                const pore *o = &sc->pores[q];
                double r = hypot(x - o->x, y - o->y), rad = 0.5 * o->d0 * size;
                if (r > rad + 5.0 * PORE_EDGE_SIGMA)
                    continue;
                double cover = 0.5 * erfc((r - rad) / (sqrt(2.0) * PORE_EDGE_SIGMA));
                double dark = p->pore_depth * o->weight * cover;
                for (int c = 0; c < 3; c++)
                    rgb[c] *= 1.0 - dark * pore_weight[c];
            }
        }
    }
}

/* Smooth lamp from the right and a little from above; 1 at the centre. */
static double illumination(double x, double y)
{
    double u = (x - (IMG_W - 1) / 2.0) / (IMG_W / 2.0);
    double v = (y - (IMG_H - 1) / 2.0) / (IMG_H / 2.0);
    return 1.0 + 0.10 * u - 0.03 * v - 0.04 * (u * u + v * v);
}

/* Erythema weight at (x, y): 1 at each patch centre, an irregular ellipse. */
static double redness_weight(double x, double y, double n)
{
    double w = 0.0;
    for (int i = 0; i < 3; i++) {
        const patch *q = &red_patches[i];
        double a = q->angle_deg * PI / 180.0, dx = x - q->x, dy = y - q->y;
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
        double r = hypot(x - s->x, y - s->y);
        if (r > s->r * 1.3 + 6.0 * PIGMENT_EDGE_SIGMA)
            continue;
        double rad = s->r * (1.0 + 0.08 * n), k = sqrt(2.0) * PIGMENT_EDGE_SIGMA;
        w += erfc((r - rad) / k) / erfc(-rad / k);
    }
    return w;
}

/* Linear-light colour of the scene at reference point (x, y) in photo p,
 * before exposure and noise. */
static void scene_at(const scene *sc, const photo *p, double x, double y, double rgb[3])
{
    double illum = illumination(x, y);
    if (in_card(x, y, 0.0)) {
        for (int c = 0; c < 3; c++)
            rgb[c] = CARD_REFLECTANCE * illum;
        return;
    }
    double n = texture_at(sc, x, y);
    double la = LINE_ANGLE_DEG * PI / 180.0;
    double d = x * sin(la) + y * cos(la); /* distance across the lines */
    double lines = 1.0 + LINE_AMP * sin(2.0 * PI * d / LINE_PERIOD);
    for (int c = 0; c < 3; c++)
        rgb[c] = sc->base_lin[c] * exp(TEXTURE_AMP * n * texture_weight[c]) * lines;
    apply_pores(sc, p, x, y, rgb);
    for (int c = 0; c < 3; c++)
        rgb[c] *= illum;

    double red = redness_weight(x, y, n), pig = pigment_weight(x, y, n);
    if (red < 1e-6 && pig < 1e-6)
        return;
    double lab[3];
    linear_to_lab(rgb, lab);
    double dl = p->pigment_dl * pig;
    lab[0] += dl;
    lab[1] += p->red_da * red + PIGMENT_DA_PER_DL * dl;
    lab[2] += PIGMENT_DB_PER_DL * dl;
    lab_to_linear(lab, rgb);
}

/* ---- rendering ------------------------------------------------------- */

static st_status render(const scene *sc, int k, const xform *t, st_image **out,
                        st_error *err)
{
    const photo *p = &course[k];
    st_status s = st_image_new(out, IMG_W, IMG_H, 3, err);
    if (s != ST_OK)
        return s;
    uint64_t rng = SEED ^ (UINT64_C(0xD1B54A32D192ED03) * (uint64_t)(k + 1));
    static const double off[2] = {-0.25, 0.25};
    for (int y = 0; y < IMG_H; y++) {
        for (int x = 0; x < IMG_W; x++) {
            double acc[3] = {0.0, 0.0, 0.0};
            for (int j = 0; j < 2; j++)
                for (int i = 0; i < 2; i++) {
                    double wx, wy, rgb[3];
                    apply(t->inv, x + off[i], y + off[j], &wx, &wy);
                    scene_at(sc, p, wx, wy, rgb);
                    for (int c = 0; c < 3; c++)
                        acc[c] += 0.25 * rgb[c];
                }
            float *px = st_image_pixel(*out, x, y);
            for (int c = 0; c < 3; c++) {
                double v = acc[c] * p->exposure;
                v += sqrt(NOISE_READ + NOISE_SHOT * (v > 0.0 ? v : 0.0)) * gaussian(&rng);
                v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
                px[c] = (float)st_color_linear_to_srgb(v);
            }
        }
    }
    return ST_OK;
}

/* ---- checks and output ----------------------------------------------- */

/* Every feature must lie where all photos see it, and every photo pixel
 * must map inside the texture grid (with room for the bicubic taps). */
static int check_layout(const xform *t)
{
    const double cs[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int i = 0; i < 4; i++)
        if (!visible_everywhere(t, CARD_X0 + cs[i][0] * CARD_SIDE,
                                CARD_Y0 + cs[i][1] * CARD_SIDE, 5.0))
            return 0;
    for (int i = 0; i < 3; i++) {
        const patch *q = &red_patches[i];
        double r = q->sa > q->sb ? q->sa : q->sb;
        if (!visible_everywhere(t, q->x - r, q->y - r, 0.0) ||
            !visible_everywhere(t, q->x + r, q->y + r, 0.0))
            return 0;
    }
    for (int i = 0; i < 2; i++)
        if (!visible_everywhere(t, pigment_spots[i].x, pigment_spots[i].y,
                                pigment_spots[i].r + 10.0))
            return 0;
    for (int k = 0; k < N_PHOTOS; k++)
        for (int i = 0; i < 4; i++) {
            double x, y;
            apply(t[k].inv, -1.0 + cs[i][0] * (IMG_W + 1), -1.0 + cs[i][1] * (IMG_H + 1),
                  &x, &y);
            if (x - TEX_X0 < 2.0 || x - TEX_X0 > TEX_W - 3.0 || y - TEX_Y0 < 2.0 ||
                y - TEX_Y0 > TEX_H - 3.0)
                return 0;
        }
    return 1;
}

/* Shortest decimal that reads back as the same double; -0 prints as 0. */
static void fmt_num(char *buf, size_t n, double v)
{
    if (v == 0.0)
        v = 0.0;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int write_truth(const char *path, const char *folder, const xform *t)
{
    char tmp[PATH_BYTES + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return 0;
    fputs("file,date,session,phase,dx_px,dy_px,rotation_deg,scale,m00,m01,m02,"
          "m10,m11,m12,exposure,pore_count,pore_diameter_px,"
          "red_patch_a_star_delta,texture_beta\n",
          f);
    for (int k = 0; k < N_PHOTOS; k++) {
        const photo *p = &course[k];
        double v[] = {p->dx, p->dy, p->rotation_deg, p->scale, t[k].m[0], t[k].m[1],
                      t[k].m[2], t[k].m[3], t[k].m[4], t[k].m[5], p->exposure};
        fprintf(f, "%s/%s.jpg,%s,%d,%s", folder, p->date, p->date, p->session, p->phase);
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            char num[40];
            fmt_num(num, sizeof num, v[i]);
            fprintf(f, ",%s", num);
        }
        char d[40], a[40], b[40];
        fmt_num(d, sizeof d, p->pore_diameter);
        fmt_num(a, sizeof a, p->red_da);
        fmt_num(b, sizeof b, TEXTURE_BETA);
        fprintf(f, ",%d,%s,%s,%s\n", N_PORES, d, a, b);
    }
    int ok = !ferror(f);
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return 0;
    }
    return 1;
}

/* mkdir -p: creates path and its missing parents. */
static int make_dirs(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char keep = *p;
        *p = '\0';
        int ok = mkdir(path, 0777) == 0 || errno == EEXIST;
        *p = keep;
        if (!ok)
            return 0;
        if (keep == '\0')
            return 1;
    }
}

static int usage(FILE *to, int status)
{
    fputs("usage: gen_samples OUTDIR\n"
          "Writes the synthetic sample course (five 1200x900 JPEG photos) into\n"
          "OUTDIR and its known truth into OUTDIR-truth.csv beside it.\n",
          to);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return usage(stdout, 0);
    if (argc != 2 || argv[1][0] == '\0')
        return usage(stderr, 2);

    /* OUTDIR without trailing slashes; its last component names the photos
     * in the truth file, which goes beside the folder. */
    char dir[PATH_BYTES - 32];
    if (strlen(argv[1]) >= sizeof dir) {
        fprintf(stderr, "gen_samples: %s: path too long\n", argv[1]);
        return 1;
    }
    strcpy(dir, argv[1]);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
        dir[n - 1] = '\0';
    const char *slash = strrchr(dir, '/');
    const char *folder = slash ? slash + 1 : dir;
    if (!make_dirs(dir)) {
        fprintf(stderr, "gen_samples: %s: %s\n", dir, strerror(errno));
        return 1;
    }

    invert3(xyz_to_rgb, rgb_to_xyz);
    xform t[N_PHOTOS];
    for (int k = 0; k < N_PHOTOS; k++)
        make_xform(&t[k], &course[k]);
    if (!check_layout(t)) {
        fputs("gen_samples: a feature falls outside the region every photo sees\n",
              stderr);
        return 1;
    }

    static scene sc;
    for (int c = 0; c < 3; c++)
        sc.base_lin[c] = st_color_srgb_to_linear(base_srgb8[c] / 255.0);
    uint64_t rng = SEED;
    if (!make_texture(&sc, &rng)) {
        fputs("gen_samples: out of memory making the texture\n", stderr);
        return 1;
    }
    int status = 1;
    if (!place_pores(&sc, t, &rng)) {
        fputs("gen_samples: could not place the pores\n", stderr);
        goto cleanup;
    }

    for (int k = 0; k < N_PHOTOS; k++) {
        char path[PATH_BYTES];
        snprintf(path, sizeof path, "%s/%s.jpg", dir, course[k].date);
        st_error err;
        st_error_clear(&err);
        st_image *img = NULL;
        st_status s = render(&sc, k, &t[k], &img, &err);
        if (s == ST_OK)
            s = st_io_write_jpeg(path, img, JPEG_QUALITY, &err);
        st_image_free(img);
        if (s != ST_OK) {
            fprintf(stderr, "gen_samples: %s: %s\n", path, st_error_text(&err));
            goto cleanup;
        }
        struct stat sb;
        if (stat(path, &sb) != 0 || sb.st_size >= MAX_FILE_BYTES) {
            fprintf(stderr, "gen_samples: %s: missing or not under 2 MB\n", path);
            goto cleanup;
        }
        printf("%s  %lld bytes\n", path, (long long)sb.st_size);
    }

    char truth[PATH_BYTES];
    snprintf(truth, sizeof truth, "%s-truth.csv", dir);
    if (!write_truth(truth, folder, t)) {
        fprintf(stderr, "gen_samples: %s: cannot write\n", truth);
        goto cleanup;
    }
    printf("%s\n", truth);
    status = 0;
cleanup:
    fftwf_free(sc.tex);
    fftwf_cleanup();
    return status;
}
