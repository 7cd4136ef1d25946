/* skintrack — colour targets: a ColorChecker Classic 24 or a grey/white
 * card found in the photo, and the correction they give.
 *
 *   st_chart_reference_builtin / _read / _derive   reference values
 *   st_chart_patch_name       patch names
 *   st_color_delta_e2000      CIEDE2000
 *   st_target_find            search and fit
 *
 * References. X-Rite's CIELAB (D50, 2 degrees) values of the ColorChecker
 * Classic, for charts made from November 2014 and before (typed in from
 * X-Rite's published tables; docs/calibration.md). D50 -> D65 by the
 * Bradford transform (Lam 1985; as in CIE 159 and the ICC's v4 spec):
 * XYZ65 = B^-1 diag(B w65 / B w50) B XYZ50. Linear sRGB from XYZ65 by the
 * inverse of the IEC 61966-2-1 matrix.
 *
 * Search (docs/calibration.md has the reasoning):
 *  1. a copy reduced by an integer factor f (long side <= 1400 px) of the
 *     encoded sRGB, box-blurred 3 x 3 against noise;
 *  2. flat regions: each pixel joins its 4-neighbours' region while its
 *     colour stays within TOL of the region's running mean (a patch's
 *     soft edge is a gradual ramp, so the mean, not the neighbour, decides);
 *  3. square candidates: regions of plausible size whose second moments
 *     are those of a filled square (compactness n / (12 sqrt det C) near 1
 *     and eigenvalue ratio near 1);
 *  4. a lattice: for each candidate and each of its nearest similar
 *     neighbours u (with v = u turned 90 degrees, so no mirror), the
 *     candidates whose lattice coordinates are near integers; the 6 x 4 or
 *     4 x 6 window holding most of them wins, and an affine map from cell
 *     to pixel is fitted by least squares to the candidates in it;
 *  5. patch means in linear light on the full image, over the central
 *     square of each cell (0.4 of the pitch), clipped samples counted;
 *  6. orientation: of the two turns the window's shape allows, the one
 *     whose patches best match the reference after per-channel gains
 *     fitted on the neutral row (mean CIE76 difference);
 *  7. the 3 x 3 matrix M minimising sum |M m_i - r_i|^2 over unclipped
 *     patches, m measured and r reference linear sRGB (Finlayson et al.
 *     2015 discuss richer root-polynomial fits; a 3 x 3 matrix is exact for
 *     any linear change of light or camera, which is what changes between
 *     visits).
 * A card is the largest flat, compact, near-neutral region (C* <= 14, L*
 * >= 30, at least 0.2% of the photo); its mean is made a neutral of the
 * given luminance factor.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "skintrack/color.h"
#include "skintrack/target.h"

#define PI           3.14159265358979323846
#define TOL          0.06   /* encoded sRGB, per channel */
#define MAX_SIDE     1400   /* reduced copy's long side at most */
#define CLIP_LEVEL   0.998f /* encoded: a clipped sample */
#define MAX_ORIENT_E 20.0   /* mean CIE76 after gains: above, not a chart */
#define MIN_MATCHES  10     /* lattice cells with a candidate */
#define CARD_SD      0.012  /* a card's largest channel SD (encoded, blurred) */

/* ---- reference values ---- */

static const char *const names[ST_CHART_PATCHES] = {
    "dark skin",    "light skin",   "blue sky",     "foliage",
    "blue flower",  "bluish green", "orange",       "purplish blue",
    "moderate red", "purple",       "yellow green", "orange yellow",
    "blue",         "green",        "red",          "yellow",
    "magenta",      "cyan",         "white 9.5",    "neutral 8",
    "neutral 6.5",  "neutral 5",    "neutral 3.5",  "black 2"};

/* X-Rite, ColorChecker Classic, from November 2014 */
static const double classic_2014[ST_CHART_PATCHES][3] = {
    {37.54, 14.37, 14.92},  {64.66, 19.27, 17.5},   {49.32, -3.82, -22.54},
    {43.46, -12.74, 22.72}, {54.94, 9.61, -24.79},  {70.48, -32.26, -0.37},
    {62.73, 35.83, 56.5},   {39.43, 10.75, -45.17}, {50.57, 48.64, 16.67},
    {30.1, 22.54, -20.87},  {71.77, -24.13, 58.19}, {71.51, 18.24, 67.37},
    {28.37, 15.42, -49.8},  {54.38, -39.72, 32.27}, {42.43, 51.05, 28.62},
    {81.8, 2.67, 80.41},    {50.63, 51.28, -14.12}, {49.57, -29.71, -28.32},
    {95.19, -1.03, 2.93},   {81.29, -0.57, 0.44},   {66.89, -0.75, -0.06},
    {50.76, -0.13, 0.14},   {35.63, -0.46, -0.48},  {20.64, 0.07, -0.46}};

/* X-Rite, ColorChecker Classic, before November 2014 */
static const double classic_2005[ST_CHART_PATCHES][3] = {
    {37.986, 13.555, 14.059},  {65.711, 18.13, 17.81},
    {49.927, -4.88, -21.925},  {43.139, -13.095, 21.905},
    {55.112, 8.844, -25.399},  {70.719, -33.397, -0.199},
    {62.661, 36.067, 57.096},  {40.02, 10.41, -45.964},
    {51.124, 48.239, 16.248},  {30.325, 22.976, -21.587},
    {72.532, -23.709, 57.255}, {71.941, 19.363, 67.857},
    {28.778, 14.179, -50.297}, {55.261, -38.342, 31.37},
    {42.101, 53.378, 28.19},   {81.733, 4.039, 79.819},
    {51.935, 49.986, -14.574}, {51.038, -28.631, -28.638},
    {96.539, -0.425, 1.186},   {81.257, -0.638, -0.335},
    {66.766, -0.734, -0.504},  {50.867, -0.153, -0.27},
    {35.656, -0.421, -1.231},  {20.461, -0.079, -0.973}};

static const double white50[3] = {0.96422, 1.0, 0.82521};
static const double white65[3] = {0.95047, 1.0, 1.08883};
static const double srgb_to_xyz[9] = {0.4124564, 0.3575761, 0.1804375,
                                      0.2126729, 0.7151522, 0.0721750,
                                      0.0193339, 0.1191920, 0.9503041};

const char *st_chart_patch_name(int i)
{
    return i >= 0 && i < ST_CHART_PATCHES ? names[i] : "";
}

const char *st_target_kind_name(st_target_kind kind)
{
    return kind == ST_TARGET_CHART  ? "chart"
           : kind == ST_TARGET_CARD ? "card"
                                    : "none";
}

/* c = a b (3 x 3) */
static void mul3(double c[9], const double a[9], const double b[9])
{
    double t[9];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            t[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] +
                           a[3 * i + 2] * b[6 + j];
    memcpy(c, t, sizeof t);
}

static void apply3(const double m[9], const double v[3], double o[3])
{
    double t[3];
    for (int i = 0; i < 3; i++)
        t[i] = m[3 * i] * v[0] + m[3 * i + 1] * v[1] + m[3 * i + 2] * v[2];
    memcpy(o, t, sizeof t);
}

/* 0, or -1 if a is singular. */
static int inv3(double o[9], const double a[9])
{
    double c[9], d = st_mat3_adjugate(a, c);
    if (!(fabs(d) > 1e-300))
        return -1;
    for (int k = 0; k < 9; k++)
        o[k] = c[k] / d;
    return 0;
}

static double lab_finv(double f)
{
    const double d = 6.0 / 29.0;
    return f > d ? f * f * f : 3 * d * d * (f - 4.0 / 29.0);
}

static void lab_to_xyz(const double lab[3], const double white[3],
                       double xyz[3])
{
    double fy = (lab[0] + 16) / 116;
    xyz[0] = white[0] * lab_finv(fy + lab[1] / 500);
    xyz[1] = white[1] * lab_finv(fy);
    xyz[2] = white[2] * lab_finv(fy - lab[2] / 200);
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

static void xyz_to_lab(const double xyz[3], const double white[3],
                       double lab[3])
{
    double fx = lab_f(xyz[0] / white[0]), fy = lab_f(xyz[1] / white[1]);
    double fz = lab_f(xyz[2] / white[2]);
    lab[0] = 116 * fy - 16;
    lab[1] = 500 * (fx - fy);
    lab[2] = 200 * (fy - fz);
}

/* Bradford D50 -> D65 */
static void bradford(double m[9])
{
    static const double b[9] = {0.8951, 0.2664, -0.1614, -0.7502, 1.7135,
                                0.0367, 0.0389, -0.0685, 1.0296};
    double bi[9], s50[3], s65[3], d[9] = {0};
    inv3(bi, b);
    apply3(b, white50, s50);
    apply3(b, white65, s65);
    for (int k = 0; k < 3; k++)
        d[4 * k] = s65[k] / s50[k];
    mul3(m, d, b);
    mul3(m, bi, m);
}

void st_chart_reference_derive(st_chart_reference *ref)
{
    double br[9], to_rgb[9];
    bradford(br);
    inv3(to_rgb, srgb_to_xyz);
    for (int i = 0; i < ST_CHART_PATCHES; i++) {
        double x50[3], x65[3];
        lab_to_xyz(ref->lab_d50[i], white50, x50);
        apply3(br, x50, x65);
        xyz_to_lab(x65, white65, ref->lab[i]);
        apply3(to_rgb, x65, ref->rgb[i]);
    }
}

st_status st_chart_reference_builtin(st_chart_reference *ref, const char *name,
                                     st_error *err)
{
    const double(*v)[3];
    memset(ref, 0, sizeof *ref);
    if (strcmp(name, "classic-2014") == 0)
        v = classic_2014;
    else if (strcmp(name, "classic-2005") == 0)
        v = classic_2005;
    else
        return st_fail(err, ST_ERR_INVALID,
                       "unknown chart reference '%s' (classic-2014, "
                       "classic-2005 or a CGATS file)",
                       name);
    snprintf(ref->name, sizeof ref->name, "%s", name);
    memcpy(ref->lab_d50, v, sizeof ref->lab_d50);
    st_chart_reference_derive(ref);
    return ST_OK;
}

/* ---- CGATS ---- */

/* The next whitespace-separated token of *p (quotes stripped) into tok;
 * 0 at the end of the line. */
static int token(const char **p, char *tok, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    if (!*s || *s == '\n' || *s == '#')
        return 0;
    if (*s == '"') {
        s++;
        while (*s && *s != '"' && *s != '\n')
            if (n + 1 < cap)
                tok[n++] = *s++;
            else
                s++;
        if (*s == '"')
            s++;
    } else {
        while (*s && !isspace((unsigned char)*s))
            if (n + 1 < cap)
                tok[n++] = *s++;
            else
                s++;
    }
    tok[n] = '\0';
    *p = s;
    return 1;
}

static const char *next_line(const char *s)
{
    const char *e = strchr(s, '\n');
    return e ? e + 1 : s + strlen(s);
}

/* Reads the format and the data of text into ref. */
static st_status parse_cgats(st_chart_reference *ref, const char *text,
                             const char *path, st_error *err)
{
    enum { NCOL = 64 };
    char tok[128];
    int col[6] = {-1, -1, -1, -1, -1, -1}; /* L a b X Y Z */
    static const char *const want[6] = {"LAB_L", "LAB_A", "LAB_B",
                                        "XYZ_X", "XYZ_Y", "XYZ_Z"};
    int ncol = 0, state = 0, rows = 0, lineno = 0;
    for (const char *s = text; *s; s = next_line(s)) {
        const char *p = s;
        lineno++;
        if (!token(&p, tok, sizeof tok))
            continue;
        if (state == 0 && strcmp(tok, "BEGIN_DATA_FORMAT") == 0) {
            state = 1;
            continue;
        }
        if (state == 0 && strcmp(tok, "BEGIN_DATA") == 0) {
            state = 2;
            continue;
        }
        if (state == 1) {
            do {
                if (strcmp(tok, "END_DATA_FORMAT") == 0) {
                    state = 0;
                    break;
                }
                for (int k = 0; k < 6; k++)
                    if (strcmp(tok, want[k]) == 0)
                        col[k] = ncol;
                ncol++;
            } while (token(&p, tok, sizeof tok));
            continue;
        }
        if (state == 2) {
            double v[NCOL];
            int n = 0, lab = col[0] >= 0 && col[1] >= 0 && col[2] >= 0;
            if (strcmp(tok, "END_DATA") == 0)
                break;
            if (!lab && (col[3] < 0 || col[4] < 0 || col[5] < 0))
                break; /* no usable format: reported below */
            if (rows >= ST_CHART_PATCHES)
                return st_fail(err, ST_ERR_FORMAT, "%s: more than %d patches",
                               path, ST_CHART_PATCHES);
            do {
                char *end;
                if (n >= NCOL)
                    break;
                errno = 0;
                v[n] = strtod(tok, &end);
                if (*end || errno)
                    v[n] = NAN; /* a name or an id */
                n++;
            } while (token(&p, tok, sizeof tok));
            for (int k = lab ? 0 : 3; k < (lab ? 3 : 6); k++)
                if (col[k] < 0 || col[k] >= n || !isfinite(v[col[k]]))
                    return st_fail(err, ST_ERR_FORMAT,
                                   "%s: line %d: no number in column %s", path,
                                   lineno, want[k]);
            if (lab) {
                for (int k = 0; k < 3; k++)
                    ref->lab_d50[rows][k] = v[col[k]];
            } else {
                double xyz[3] = {v[col[3]] / 100, v[col[4]] / 100,
                                 v[col[5]] / 100};
                xyz_to_lab(xyz, white50, ref->lab_d50[rows]);
            }
            rows++;
        }
    }
    if ((col[0] < 0 || col[1] < 0 || col[2] < 0) &&
        (col[3] < 0 || col[4] < 0 || col[5] < 0))
        return st_fail(err, ST_ERR_FORMAT,
                       "%s: no LAB_L/LAB_A/LAB_B or XYZ_X/XYZ_Y/XYZ_Z in "
                       "BEGIN_DATA_FORMAT",
                       path);
    if (rows != ST_CHART_PATCHES)
        return st_fail(err, ST_ERR_FORMAT, "%s: %d patches, a Classic has %d",
                       path, rows, ST_CHART_PATCHES);
    return ST_OK;
}

st_status st_chart_reference_read(st_chart_reference *ref, const char *path,
                                  st_error *err)
{
    FILE *f;
    char *text;
    long size;
    st_status s;

    memset(ref, 0, sizeof *ref);
    f = fopen(path, "rb");
    if (!f)
        return st_fail(err, ST_ERR_IO, "%s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return st_fail(err, ST_ERR_IO, "%s: cannot be read", path);
    }
    if (size > (1 << 20)) {
        fclose(f);
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "%s: too large for a chart "
                       "reference (over 1 MB)",
                       path);
    }
    text = malloc((size_t)size + 1);
    if (!text) {
        fclose(f);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    if (fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        return st_fail(err, ST_ERR_IO, "%s: cannot be read", path);
    }
    fclose(f);
    text[size] = '\0';
    s = parse_cgats(ref, text, path, err);
    free(text);
    if (s)
        return s;
    snprintf(ref->name, sizeof ref->name, "%s",
             strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    st_chart_reference_derive(ref);
    return ST_OK;
}

/* ---- CIEDE2000 (Sharma, Wu and Dalal, Color Res. Appl. 30:21, 2005) ---- */

static double deg(double r)
{
    return r * 180.0 / PI;
}

static double rad(double d)
{
    return d * PI / 180.0;
}

double st_color_delta_e2000(const double lab1[3], const double lab2[3])
{
    double L1 = lab1[0], a1 = lab1[1], b1 = lab1[2];
    double L2 = lab2[0], a2 = lab2[1], b2 = lab2[2];
    double C1 = hypot(a1, b1), C2 = hypot(a2, b2), Cm = (C1 + C2) / 2;
    double C7 = pow(Cm, 7), G = 0.5 * (1 - sqrt(C7 / (C7 + pow(25.0, 7))));
    double a1p = (1 + G) * a1, a2p = (1 + G) * a2;
    double C1p = hypot(a1p, b1), C2p = hypot(a2p, b2);
    double h1p = C1p == 0 ? 0 : deg(atan2(b1, a1p));
    double h2p = C2p == 0 ? 0 : deg(atan2(b2, a2p));
    double dLp = L2 - L1, dCp = C2p - C1p, dhp, dHp, Lm, Cmp, hm, T, dth, R_C;
    double S_L, S_C, S_H, R_T;
    if (h1p < 0)
        h1p += 360;
    if (h2p < 0)
        h2p += 360;
    if (C1p * C2p == 0)
        dhp = 0;
    else if (fabs(h2p - h1p) <= 180)
        dhp = h2p - h1p;
    else if (h2p - h1p > 180)
        dhp = h2p - h1p - 360;
    else
        dhp = h2p - h1p + 360;
    dHp = 2 * sqrt(C1p * C2p) * sin(rad(dhp / 2));
    Lm = (L1 + L2) / 2;
    Cmp = (C1p + C2p) / 2;
    if (C1p * C2p == 0)
        hm = h1p + h2p;
    else if (fabs(h1p - h2p) <= 180)
        hm = (h1p + h2p) / 2;
    else if (h1p + h2p < 360)
        hm = (h1p + h2p + 360) / 2;
    else
        hm = (h1p + h2p - 360) / 2;
    T = 1 - 0.17 * cos(rad(hm - 30)) + 0.24 * cos(rad(2 * hm)) +
        0.32 * cos(rad(3 * hm + 6)) - 0.20 * cos(rad(4 * hm - 63));
    dth = 30 * exp(-((hm - 275) / 25) * ((hm - 275) / 25));
    R_C = 2 * sqrt(pow(Cmp, 7) / (pow(Cmp, 7) + pow(25.0, 7)));
    S_L = 1 + 0.015 * (Lm - 50) * (Lm - 50) / sqrt(20 + (Lm - 50) * (Lm - 50));
    S_C = 1 + 0.045 * Cmp;
    S_H = 1 + 0.015 * Cmp * T;
    R_T = -sin(rad(2 * dth)) * R_C;
    return sqrt((dLp / S_L) * (dLp / S_L) + (dCp / S_C) * (dCp / S_C) +
                (dHp / S_H) * (dHp / S_H) + R_T * (dCp / S_C) * (dHp / S_H));
}

/* ---- the search ---- */

void st_target_options_init(st_target_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->card_reflectance = 0.18;
}

typedef struct small {
    int w, h, f;
    float *rgb; /* encoded sRGB, 3 per pixel */
    int *label; /* region of each pixel */
} small;

typedef struct comp {
    int id;
    size_t n;
    double sx, sy, sxx, syy, sxy, rgb[3], rgb2[3];
    int x0, y0, x1, y1;
    double cx, cy, side, compact, elong;
    /* after segment(): rgb is the mean, rgb2 the standard deviation */
} comp;

typedef struct comps {
    comp *v;
    size_t n, cap;
} comps;

/* o[3 x + c] += the sum of the f bytes of channel c under reduced pixel
 * x, / 255; q: a row of 8-bit pixels of ch channels. The integer sums are
 * taken in one pass along the row (any order: they are exact), then added
 * to o as before. */
static void row_sum8(const uint8_t *q, int w, int f, int ch, float *o)
{
    const float k255 = 1.0f / 255.0f;
    unsigned sum[3 * 64];
    for (int x0 = 0; x0 < w; x0 += 64) {
        int n = w - x0 < 64 ? w - x0 : 64;
        const uint8_t *p = q + (size_t)x0 * f * ch;
        memset(sum, 0, sizeof sum);
        for (int x = 0; x < n; x++)
            for (int d = 0; d < f; d++, p += ch)
                sum[3 * x] += p[0], sum[3 * x + 1] += p[1],
                    sum[3 * x + 2] += p[2];
        for (int i = 0; i < 3 * n; i++)
            o[3 * x0 + i] += (float)sum[i] * k255;
    }
}

/* One sample of the 3 x 3 box of plane raw (w x h, 3 per pixel) at
 * (x, y, c), edges repeated; the nine terms added row by row. */
static float box3_at(const float *raw, int w, int h, int x, int y, int c)
{
    float sum = 0;
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int yy = y + dy < 0 ? 0 : y + dy >= h ? h - 1 : y + dy;
            int xx = x + dx < 0 ? 0 : x + dx >= w ? w - 1 : x + dx;
            sum += raw[((size_t)yy * w + xx) * 3 + c];
        }
    return sum;
}

/* out = k x the 3 x 3 box sum of raw. Inside the border the same nine
 * additions in the same order run over whole rows, which the compiler
 * vectorises (each sample keeps its own order: the same result). */
static void box3(const float *raw, int w, int h, float k, float *out)
{
    size_t row = (size_t)w * 3;
    for (int y = 0; y < h; y++) {
        float *o = out + (size_t)y * row;
        if (y == 0 || y == h - 1 || w < 3) {
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    o[3 * x + c] = box3_at(raw, w, h, x, y, c) * k;
            continue;
        }
        {
            const float *a = raw + (size_t)(y - 1) * row;
            const float *b = a + row, *d = b + row;
            for (int c = 0; c < 3; c++) {
                o[c] = box3_at(raw, w, h, 0, y, c) * k;
                o[row - 3 + c] = box3_at(raw, w, h, w - 1, y, c) * k;
            }
            for (size_t i = 3; i < row - 3; i++) {
                float sum = 0;
                sum += a[i - 3], sum += a[i], sum += a[i + 3];
                sum += b[i - 3], sum += b[i], sum += b[i + 3];
                sum += d[i - 3], sum += d[i], sum += d[i + 3];
                o[i] = sum * k;
            }
        }
    }
}

/* The reduced, blurred copy. */
static st_status make_small(const st_image *img, small *s, st_error *err)
{
    int longest = img->width > img->height ? img->width : img->height;
    int f = (longest + MAX_SIDE - 1) / MAX_SIDE, w, h, cc, ch;
    float *raw, *buf;
    if (f < 1)
        f = 1;
    w = img->width / f, h = img->height / f;
    if (w < 8 || h < 8)
        return st_fail(err, ST_ERR_INVALID, "image too small for a target");
    s->w = w, s->h = h, s->f = f;
    /* large buffers (17 MB each at 12 MP): huge-page mappings, a few
     * page faults rather than thousands (docs/performance.md) */
    raw = st_alloc_large((size_t)w * h * 3 * sizeof *raw, 1);
    s->rgb = st_alloc_large((size_t)w * h * 3 * sizeof *s->rgb, 0);
    s->label = st_alloc_large((size_t)w * h * sizeof *s->label, 0);
    buf = malloc((size_t)img->width * 4 * sizeof *buf);
    if (!raw || !s->rgb || !s->label || !buf) {
        st_free_large(raw);
        free(buf);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (target search)");
    }
    cc = st_image_color_channels(img), ch = img->channels;
    for (int y = 0; y < h * f; y++) {
        float *o = raw + (size_t)(y / f) * w * 3;
        if (img->data8 && cc == 3) { /* bytes: sums of f at a time */
            row_sum8(st_image_pixel8(img, 0, y), w, f, ch, o);
            continue;
        }
        {
            const float *p = st_image_row(img, 0, y, w * f, buf);
            for (int x = 0; x < w * f; x++, p += ch)
                for (int c = 0; c < 3; c++)
                    o[(x / f) * 3 + c] += p[cc == 3 ? c : 0];
        }
    }
    box3(raw, w, h, 1.0f / (float)(f * f * 9), s->rgb);
    st_free_large(raw);
    free(buf);
    return ST_OK;
}

static int push(comps *cs, const comp *c)
{
    if (cs->n == cs->cap) {
        size_t cap = cs->cap ? 2 * cs->cap : 256;
        comp *v = realloc(cs->v, cap * sizeof *v);
        if (!v)
            return -1;
        cs->v = v, cs->cap = cap;
    }
    cs->v[cs->n++] = *c;
    return 0;
}

/* Flat regions by growing from each unlabelled pixel; keeps the
 * statistics of regions of min_n pixels or more. */
static st_status segment(small *s, size_t min_n, comps *out, st_error *err)
{
    size_t np = (size_t)s->w * s->h;
    int *queue = malloc(np * sizeof *queue);
    int next = 0;
    if (!queue)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (target search)");
    for (size_t i = 0; i < np; i++)
        s->label[i] = -1;
    for (size_t seed = 0; seed < np; seed++) {
        comp c;
        size_t head = 0, tail = 0;
        double m[3];
        if (s->label[seed] >= 0)
            continue;
        memset(&c, 0, sizeof c);
        c.id = next++;
        c.x0 = s->w, c.y0 = s->h;
        for (int k = 0; k < 3; k++)
            m[k] = s->rgb[seed * 3 + k];
        s->label[seed] = c.id;
        queue[tail++] = (int)seed;
        while (head < tail) {
            int i = queue[head++], x = i % s->w, y = i / s->w;
            const float *p = s->rgb + (size_t)i * 3;
            c.n++;
            c.sx += x, c.sy += y;
            c.sxx += (double)x * x, c.syy += (double)y * y;
            c.sxy += (double)x * y;
            for (int k = 0; k < 3; k++) {
                c.rgb[k] += p[k];
                c.rgb2[k] += (double)p[k] * p[k];
                m[k] = c.rgb[k] / (double)c.n;
            }
            if (x < c.x0)
                c.x0 = x;
            if (x > c.x1)
                c.x1 = x;
            if (y < c.y0)
                c.y0 = y;
            if (y > c.y1)
                c.y1 = y;
            for (int d = 0; d < 4; d++) {
                int xx = x + (d == 0) - (d == 1), yy = y + (d == 2) - (d == 3);
                int j;
                const float *q;
                if (xx < 0 || yy < 0 || xx >= s->w || yy >= s->h)
                    continue;
                j = yy * s->w + xx;
                if (s->label[j] >= 0)
                    continue;
                q = s->rgb + (size_t)j * 3;
                if (fabs(q[0] - m[0]) < TOL && fabs(q[1] - m[1]) < TOL &&
                    fabs(q[2] - m[2]) < TOL) {
                    s->label[j] = c.id;
                    queue[tail++] = j;
                }
            }
        }
        if (c.n >= min_n) {
            double n = (double)c.n, vx, vy, vxy, tr, det, disc;
            c.cx = c.sx / n, c.cy = c.sy / n;
            vx = c.sxx / n - c.cx * c.cx + 1.0 / 12;
            vy = c.syy / n - c.cy * c.cy + 1.0 / 12;
            vxy = c.sxy / n - c.cx * c.cy;
            det = vx * vy - vxy * vxy;
            tr = vx + vy;
            disc = sqrt(fmax(tr * tr / 4 - det, 0));
            c.compact = det > 0 ? n / (12 * sqrt(det)) : 0;
            c.elong =
                tr / 2 - disc > 0 ? (tr / 2 + disc) / (tr / 2 - disc) : 1e9;
            c.side = sqrt(n);
            for (int k = 0; k < 3; k++) {
                c.rgb[k] /= n;
                c.rgb2[k] = sqrt(fmax(c.rgb2[k] / n - c.rgb[k] * c.rgb[k], 0));
            }
            if (push(out, &c)) {
                free(queue);
                return st_fail(err, ST_ERR_NOMEM,
                               "out of memory (target search)");
            }
        }
    }
    free(queue);
    return ST_OK;
}

/* Mean linear R, G, B of the full image over [x0, x1) x [y0, y1), the
 * samples counted and those clipped. */
static size_t box_mean(const st_image *img, int x0, int y0, int x1, int y1,
                       double mean[3], size_t *clipped, float *buf)
{
    int cc = st_image_color_channels(img), ch = img->channels;
    size_t n = 0;
    double sum[3] = {0, 0, 0};
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > img->width)
        x1 = img->width;
    if (y1 > img->height)
        y1 = img->height;
    for (int y = y0; y < y1; y++) {
        const float *p = st_image_row(img, x0, y, x1 - x0, buf);
        for (int x = x0; x < x1; x++, p += ch) {
            int clip = 0;
            for (int c = 0; c < 3; c++) {
                float v = p[cc == 3 ? c : 0];
                clip |= v >= CLIP_LEVEL;
                sum[c] += st_srgb_linear_fast(v);
            }
            *clipped += clip;
            n++;
        }
    }
    for (int c = 0; c < 3; c++)
        mean[c] = n ? sum[c] / (double)n : 0;
    return n;
}

typedef struct lattice {
    int found, W, H, matches;
    double p[3], q[3]; /* x = p0 + p1 a + p2 b; y likewise (reduced px) */
    double ux, uy;     /* the lattice's first axis */
} lattice;

static int similar(const comp *a, const comp *b)
{
    double r = a->side / b->side;
    return r > 0.6 && r < 1.67;
}

/* Least squares of the cell -> pixel affine map. */
static int fit_affine(const double *a, const double *b, const double *x,
                      const double *y, int n, double p[3], double q[3])
{
    double A[9] = {0}, bx[3] = {0}, by[3] = {0}, Ai[9];
    for (int i = 0; i < n; i++) {
        double r[3] = {1, a[i], b[i]};
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 3; k++)
                A[3 * j + k] += r[j] * r[k];
            bx[j] += r[j] * x[i];
            by[j] += r[j] * y[i];
        }
    }
    if (inv3(Ai, A))
        return -1;
    apply3(Ai, bx, p);
    apply3(Ai, by, q);
    return 0;
}

/* The best 6 x 4 or 4 x 6 lattice through the square candidates. */
static void find_lattice(const comp *const *cand, int n, lattice *best)
{
    enum { R = 7, G = 2 * R + 1 };
    memset(best, 0, sizeof *best);
    for (int i = 0; i < n; i++) {
        int nb[3] = {-1, -1, -1};
        double nd[3] = {1e300, 1e300, 1e300};
        for (int j = 0; j < n; j++) {
            double d;
            if (j == i || !similar(cand[i], cand[j]))
                continue;
            d = hypot(cand[j]->cx - cand[i]->cx, cand[j]->cy - cand[i]->cy);
            if (d < 1.0 * cand[i]->side || d > 3.0 * cand[i]->side)
                continue;
            for (int k = 0; k < 3; k++)
                if (d < nd[k]) {
                    for (int m = 2; m > k; m--)
                        nd[m] = nd[m - 1], nb[m] = nb[m - 1];
                    nd[k] = d, nb[k] = j;
                    break;
                }
        }
        for (int k = 0; k < 3 && nb[k] >= 0; k++) {
            double ux = cand[nb[k]]->cx - cand[i]->cx;
            double uy = cand[nb[k]]->cy - cand[i]->cy;
            double vx = -uy, vy = ux, det = ux * vy - uy * vx;
            int occ[G][G], who[G][G];
            memset(occ, 0, sizeof occ);
            for (int j = 0; j < n; j++) {
                double dx = cand[j]->cx - cand[i]->cx;
                double dy = cand[j]->cy - cand[i]->cy;
                double a = (dx * vy - dy * vx) / det;
                double b = (ux * dy - uy * dx) / det;
                double ra = floor(a + 0.5), rb = floor(b + 0.5);
                if (!similar(cand[i], cand[j]) || fabs(a - ra) > 0.25 ||
                    fabs(b - rb) > 0.25 || fabs(ra) > R || fabs(rb) > R)
                    continue;
                occ[(int)rb + R][(int)ra + R] = 1;
                who[(int)rb + R][(int)ra + R] = j;
            }
            for (int shape = 0; shape < 2; shape++) {
                int W = shape ? 4 : 6, H = shape ? 6 : 4;
                for (int b0 = 0; b0 + H <= G; b0++)
                    for (int a0 = 0; a0 + W <= G; a0++) {
                        int cnt = 0;
                        double ca[24], cb[24], cx[24], cy[24];
                        for (int bb = 0; bb < H; bb++)
                            for (int aa = 0; aa < W; aa++)
                                if (occ[b0 + bb][a0 + aa]) {
                                    const comp *c = cand[who[b0 + bb][a0 + aa]];
                                    ca[cnt] = aa, cb[cnt] = bb;
                                    cx[cnt] = c->cx, cy[cnt] = c->cy;
                                    cnt++;
                                }
                        if (cnt < MIN_MATCHES || cnt <= best->matches)
                            continue;
                        if (fit_affine(ca, cb, cx, cy, cnt, best->p, best->q))
                            continue;
                        best->found = 1, best->matches = cnt;
                        best->W = W, best->H = H;
                        best->ux = ux, best->uy = uy;
                    }
            }
        }
    }
}

/* Linear sRGB -> CIELAB D65. */
static void rgb_lab(const double rgb[3], double lab[3])
{
    double xyz[3];
    apply3(srgb_to_xyz, rgb, xyz);
    xyz_to_lab(xyz, white65, lab);
}

/* The window cell of chart patch p (row r, column c) at quarter turn t,
 * relative to the lattice axes. */
static int cell_of(int p, int t, int W)
{
    int r = p / 6, c = p % 6, a, b;
    switch (t) {
    case 0: a = c, b = r; break;
    case 1: a = 3 - r, b = c; break;
    case 2: a = 5 - c, b = 3 - r; break;
    default: a = r, b = 5 - c; break;
    }
    return b * W + a;
}

/* Mean CIE76 of the patches at turn t after gains fitted on the neutral
 * row. */
static double orient_error(const st_chart_reference *ref, double (*cell)[3],
                           const int *clip, int t, int W)
{
    double num[3] = {0, 0, 0}, den[3] = {0, 0, 0}, g[3], e = 0;
    int n = 0;
    for (int p = 18; p < 24; p++) {
        int k = cell_of(p, t, W);
        if (clip[k])
            continue;
        for (int c = 0; c < 3; c++) {
            num[c] += ref->rgb[p][c] * cell[k][c];
            den[c] += cell[k][c] * cell[k][c];
        }
    }
    for (int c = 0; c < 3; c++) {
        if (!(den[c] > 0))
            return 1e300;
        g[c] = num[c] / den[c];
    }
    for (int p = 0; p < 24; p++) {
        int k = cell_of(p, t, W);
        double v[3], lab[3];
        if (clip[k])
            continue;
        for (int c = 0; c < 3; c++)
            v[c] = g[c] * cell[k][c];
        rgb_lab(v, lab);
        e += sqrt((lab[0] - ref->lab[p][0]) * (lab[0] - ref->lab[p][0]) +
                  (lab[1] - ref->lab[p][1]) * (lab[1] - ref->lab[p][1]) +
                  (lab[2] - ref->lab[p][2]) * (lab[2] - ref->lab[p][2]));
        n++;
    }
    return n ? e / n : 1e300;
}

/* M minimising sum |M m - r|^2 over the unclipped patches. */
static int fit_matrix(const st_target *t, const st_chart_reference *ref,
                      double M[9])
{
    double A[9] = {0}, B[9] = {0}, Ai[9];
    int n = 0;
    for (int p = 0; p < 24; p++) {
        if (t->patch_clipped[p])
            continue;
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) {
                A[3 * j + k] += t->measured[p][j] * t->measured[p][k];
                B[3 * j + k] += t->measured[p][j] * ref->rgb[p][k];
            }
        n++;
    }
    if (n < 6 || inv3(Ai, A))
        return -1;
    /* M^T = A^-1 B */
    {
        double Mt[9];
        mul3(Mt, Ai, B);
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                M[3 * j + k] = Mt[3 * k + j];
    }
    return 0;
}

static st_status find_chart(const st_image *img, const small *s,
                            const comps *cs, const st_chart_reference *ref,
                            st_target *out, float *buf, st_error *err)
{
    const comp **cand = malloc(cs->n * sizeof *cand);
    int n = 0, best_t = -1, W, H;
    double cell[24][3], best_e = 1e300, pitch, h;
    int clip[24];
    lattice L;
    size_t max_n = (size_t)s->w * s->h / 40;

    if (!cand)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (target search)");
    for (size_t i = 0; i < cs->n; i++) {
        const comp *c = &cs->v[i];
        if (c->n <= max_n && c->compact > 0.8 && c->compact < 1.2 &&
            c->elong < 1.6)
            cand[n++] = c;
    }
    find_lattice(cand, n, &L);
    free(cand);
    if (!L.found)
        return ST_OK;
    W = L.W, H = L.H;
    pitch = sqrt(fabs(L.p[1] * L.q[2] - L.p[2] * L.q[1])) * s->f;
    h = 0.2 * pitch;
    if (h < 1)
        h = 1;
    for (int b = 0; b < H; b++)
        for (int a = 0; a < W; a++) {
            double x = (L.p[0] + L.p[1] * a + L.p[2] * b + 0.5) * s->f - 0.5;
            double y = (L.q[0] + L.q[1] * a + L.q[2] * b + 0.5) * s->f - 0.5;
            size_t clipped = 0, cnt;
            int k = b * W + a;
            cnt = box_mean(img, (int)floor(x - h + 0.5),
                           (int)floor(y - h + 0.5), (int)floor(x + h + 0.5) + 1,
                           (int)floor(y + h + 0.5) + 1, cell[k], &clipped, buf);
            if (!cnt)
                return ST_OK; /* a cell off the photo: not a whole chart */
            clip[k] = clipped * 50 > cnt; /* over 2% */
        }
    for (int t = 0; t < 4; t++) {
        double e;
        if ((t % 2 == 0) != (W == 6))
            continue;
        e = orient_error(ref, cell, clip, t, W);
        if (e < best_e)
            best_e = e, best_t = t;
    }
    if (best_t < 0 || !(best_e < MAX_ORIENT_E))
        return ST_OK;
    for (int p = 0; p < 24; p++) {
        int k = cell_of(p, best_t, W), a = k % W, b = k / W;
        memcpy(out->measured[p], cell[k], sizeof cell[k]);
        out->patch_clipped[p] = clip[k];
        out->clipped += clip[k];
        out->centre[p][0] =
            (L.p[0] + L.p[1] * a + L.p[2] * b + 0.5) * s->f - 0.5;
        out->centre[p][1] =
            (L.q[0] + L.q[1] * a + L.q[2] * b + 0.5) * s->f - 0.5;
    }
    if (fit_matrix(out, ref, out->correction))
        return ST_OK;
    {
        double inv[9], one[3] = {1, 1, 1}, sum = 0;
        int used = 0, q;
        if (inv3(inv, out->correction))
            return ST_OK;
        apply3(inv, one, out->light);
        for (int p = 0; p < 24; p++) {
            double v[3];
            apply3(out->correction, out->measured[p], v);
            rgb_lab(v, out->lab[p]);
            out->patch_delta_e[p] =
                st_color_delta_e2000(out->lab[p], ref->lab[p]);
            if (!out->patch_clipped[p])
                sum += out->patch_delta_e[p], used++;
        }
        out->delta_e = sum / used;
        out->pitch_px = pitch;
        q = (int)floor(atan2(L.uy, L.ux) / (PI / 2) + 0.5);
        out->turn = ((best_t + q) % 4 + 4) % 4;
    }
    out->kind = ST_TARGET_CHART;
    return ST_OK;
}

/* The share of c's oriented bounding rectangle (along its principal
 * axes) that c fills: near 1 for a card at any angle, less for a blob. */
static double rect_fill(const small *s, const comp *c)
{
    double n = (double)c->n, vx = c->sxx / n - c->cx * c->cx,
           vy = c->syy / n - c->cy * c->cy, vxy = c->sxy / n - c->cx * c->cy;
    double th = 0.5 * atan2(2 * vxy, vx - vy), co = cos(th), si = sin(th);
    double u0 = 1e300, u1 = -1e300, v0 = 1e300, v1 = -1e300;
    for (int y = c->y0; y <= c->y1; y++)
        for (int x = c->x0; x <= c->x1; x++) {
            double u, v;
            if (s->label[(size_t)y * s->w + x] != c->id)
                continue;
            u = co * (x - c->cx) + si * (y - c->cy);
            v = -si * (x - c->cx) + co * (y - c->cy);
            u0 = fmin(u0, u), u1 = fmax(u1, u);
            v0 = fmin(v0, v), v1 = fmax(v1, v);
        }
    return n / ((u1 - u0 + 1) * (v1 - v0 + 1));
}

static st_status find_card(const st_image *img, const small *s, const comps *cs,
                           double reflectance, st_target *out, float *buf)
{
    const comp *best = NULL;
    size_t min_n = (size_t)s->w * s->h / 500;
    double sum[3] = {0, 0, 0};
    size_t n = 0, clipped = 0;
    if (min_n < 100)
        min_n = 100;
    for (size_t i = 0; i < cs->n; i++) {
        const comp *c = &cs->v[i];
        double lin[3], lab[3];
        if (c->n < min_n || c->compact < 0.85 || c->compact > 1.15 ||
            c->elong > 9 || (best && c->n <= best->n))
            continue;
        for (int k = 0; k < 3; k++)
            lin[k] = st_color_srgb_to_linear(c->rgb[k]);
        rgb_lab(lin, lab);
        if (lab[0] < 30 || hypot(lab[1], lab[2]) > 14)
            continue;
        if (fmax(c->rgb2[0], fmax(c->rgb2[1], c->rgb2[2])) > CARD_SD ||
            rect_fill(s, c) < 0.85)
            continue;
        best = c;
    }
    if (!best)
        return ST_OK;
    /* the region's inner pixels (all 8 neighbours in it), on the full
     * image */
    for (int y = best->y0 + 1; y < best->y1; y++)
        for (int x = best->x0 + 1; x < best->x1; x++) {
            int in = 1;
            double m[3];
            for (int dy = -1; dy <= 1 && in; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    if (s->label[(size_t)(y + dy) * s->w + x + dx] != best->id)
                        in = 0;
            if (!in)
                continue;
            {
                size_t cnt = box_mean(img, x * s->f, y * s->f, (x + 1) * s->f,
                                      (y + 1) * s->f, m, &clipped, buf);
                for (int k = 0; k < 3; k++)
                    sum[k] += m[k] * (double)cnt;
                n += cnt;
            }
        }
    if (!n)
        return ST_OK;
    out->kind = ST_TARGET_CARD;
    out->clipped = clipped * 200 > n; /* over 0.5% */
    for (int k = 0; k < 3; k++) {
        out->card_rgb[k] = sum[k] / (double)n;
        if (!(out->card_rgb[k] > 1e-6)) {
            out->kind = ST_TARGET_NONE;
            return ST_OK;
        }
        out->correction[4 * k] = reflectance / out->card_rgb[k];
        out->light[k] = out->card_rgb[k] / reflectance;
    }
    out->card_x = best->x0 * s->f, out->card_y = best->y0 * s->f;
    out->card_w = (best->x1 - best->x0 + 1) * s->f;
    out->card_h = (best->y1 - best->y0 + 1) * s->f;
    return ST_OK;
}

st_status st_target_find(const st_image *img, const st_target_options *opt_in,
                         st_target *out, st_error *err)
{
    st_target_options opt;
    st_chart_reference ref;
    small s = {0};
    comps cs = {0};
    float *buf = NULL;
    st_status st;

    memset(out, 0, sizeof *out);
    out->delta_e = NAN;
    st_color_diag(out->correction, NULL);
    out->light[0] = out->light[1] = out->light[2] = 1;
    if (opt_in)
        opt = *opt_in;
    else
        st_target_options_init(&opt);
    if (!(opt.card_reflectance > 0))
        opt.card_reflectance = 0.18;
    if (opt.reference)
        ref = *opt.reference;
    else if ((st = st_chart_reference_builtin(&ref, "classic-2014", err)))
        return st;
    st_color_tables_init();
    if ((st = make_small(img, &s, err)))
        goto done;
    buf = malloc((size_t)img->width * 4 * sizeof *buf);
    if (!buf) {
        st = st_fail(err, ST_ERR_NOMEM, "out of memory (target search)");
        goto done;
    }
    if ((st = segment(&s, 12, &cs, err)))
        goto done;
    if (opt.want != ST_TARGET_CARD &&
        (st = find_chart(img, &s, &cs, &ref, out, buf, err)))
        goto done;
    if (out->kind == ST_TARGET_NONE && opt.want != ST_TARGET_CHART) {
        st_target keep = *out;
        st = find_card(img, &s, &cs, opt.card_reflectance, out, buf);
        if (out->kind == ST_TARGET_NONE)
            *out = keep;
    }
    if (out->kind == ST_TARGET_NONE) {
        /* nothing found: an identity, whatever the search filled in */
        memset(out, 0, sizeof *out);
        out->delta_e = NAN;
        st_color_diag(out->correction, NULL);
        out->light[0] = out->light[1] = out->light[2] = 1;
    }
done:
    st_free_large(s.rgb);
    st_free_large(s.label);
    free(cs.v);
    free(buf);
    return st;
}
