/* skintrack tests — colour you can compare across visits: relative colour
 * (--reference-region) on a real photo under changed light.
 *
 * The photo is the NASA astronaut portrait that scikit-image ships (public
 * domain); the test is skipped when it is not installed. A change of light
 * is a 3 x 3 matrix on linear sRGB (exposure: a multiple of the identity;
 * white balance: a diagonal), applied to the decoded photo, re-encoded and
 * clipped to [0, 1] as a camera would.
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

#include "skintrack/skintrack.h"
#include "testutil.h"

#define ASTRONAUT "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"

/* the cheek and the forehead of the portrait (512 x 512) */
static const int cheek[4] = {190, 120, 22, 22};
static const int forehead[4] = {212, 76, 44, 12};

static st_image *astronaut(void)
{
    st_read_options ro;
    st_image *img = NULL;
    st_error err = {0};
    st_read_options_init(&ro);
    if (st_io_read(ASTRONAUT, &ro, &img, NULL, &err) != ST_OK)
        return NULL;
    return img;
}

/* src under the light m (row-major, linear sRGB): a new float image. */
static st_image *relight(const st_image *src, const double m[9])
{
    st_image *out = NULL;
    st_error err = {0};
    assert_int_equal(st_image_new(&out, src->width, src->height, 3, &err),
                     ST_OK);
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++) {
            const float *p = st_image_pixel(src, x, y);
            float *q = st_image_pixel(out, x, y);
            double lin[3];
            for (int c = 0; c < 3; c++)
                lin[c] = st_color_srgb_to_linear(p[c]);
            for (int r = 0; r < 3; r++) {
                double v = m[3 * r] * lin[0] + m[3 * r + 1] * lin[1] +
                           m[3 * r + 2] * lin[2];
                v = st_color_linear_to_srgb(v);
                q[r] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
            }
        }
    return out;
}

static void diag(double m[9], double r, double g, double b)
{
    memset(m, 0, 9 * sizeof *m);
    m[0] = r, m[4] = g, m[8] = b;
}

static void measure_rel(const st_image *img, st_metrics *m)
{
    st_region *reg = NULL, *ref = NULL;
    st_metrics_options opt;
    st_error err = {0};
    assert_int_equal(st_region_rect(&reg, img->width, img->height, cheek[0],
                                    cheek[1], cheek[2], cheek[3], &err),
                     ST_OK);
    assert_int_equal(st_region_rect(&ref, img->width, img->height,
                                    forehead[0], forehead[1], forehead[2],
                                    forehead[3], &err),
                     ST_OK);
    st_metrics_options_init(&opt);
    opt.reference = ref;
    assert_int_equal(st_metrics_measure(img, reg, &opt, m, &err), ST_OK);
    st_region_free(reg);
    st_region_free(ref);
}

/* White balance +-10% and exposure +-20%: the raw colour of the cheek
 * moves (a* by more than 1 under the white-balance change), its
 * difference from the forehead of the same photo stays within 0.5 in
 * every unit. EI_rel and MI_rel cancel a diagonal light exactly (each is a
 * difference of logarithms of channel means, and a gain adds a constant to
 * both); L*_rel and a*_rel to first order: L* + 16 and a* scale with the cube root of an exposure change, so a difference of d
 * moves by about d (cbrt(1.2) - 1) = 0.06 d. */
static void test_rel_invariant_under_light(void **state)
{
    static const double lights[][3] = {
        {1.1, 1, 0.9}, {0.9, 1, 1.1}, {1.2, 1.2, 1.2}, {0.8, 0.8, 0.8}};
    static const char *const rel[] = {"l_star_rel", "a_star_rel",
                                      "erythema_index_rel",
                                      "melanin_index_rel"};
    st_image *img = astronaut();
    st_metrics m0;
    (void)state;
    if (!img)
        skip();
    measure_rel(img, &m0);
    assert_true(m0.has_reference && m0.reference_px == 44 * 12);
    for (size_t k = 0; k < sizeof lights / sizeof lights[0]; k++) {
        double mm[9];
        st_image *lit;
        st_metrics m;
        diag(mm, lights[k][0], lights[k][1], lights[k][2]);
        lit = relight(img, mm);
        measure_rel(lit, &m);
        for (int i = 0; i < ST_METRICS_COUNT; i++)
            for (size_t r = 0; r < sizeof rel / sizeof rel[0]; r++)
                if (strcmp(st_metrics_name(i), rel[r]) == 0) {
                    double d = st_metrics_value(&m, i) -
                               st_metrics_value(&m0, i);
                    print_message("light %zu: %s %+.3f (raw a* %+.3f)\n", k,
                                  rel[r], d,
                                  m.redness.a_star_mean -
                                      m0.redness.a_star_mean);
                    if (!(fabs(d) < 0.5))
                        fail_msg("%s moved %.3f under light %zu", rel[r], d,
                                 k);
                }
        if (k < 2) /* the raw a* does move: the test can fail */
            assert_true(fabs(m.redness.a_star_mean - m0.redness.a_star_mean) >
                        1);
        st_metrics_clear(&m);
        st_image_free(lit);
    }
    st_metrics_clear(&m0);
    st_image_free(img);
}

/* ---- a chart rendered into the photo ---- */

/* A deterministic standard normal (xorshift64 and Box-Muller). */
static double gauss(uint64_t *st)
{
    double u1, u2;
    *st ^= *st << 13, *st ^= *st >> 7, *st ^= *st << 17;
    u1 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    *st ^= *st << 13, *st ^= *st >> 7, *st ^= *st << 17;
    u2 = ((double)(*st >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* The scene: the portrait enlarged twice (linear light, 1024 x 1024),
 * three floats per pixel, at 0.7 of its exposure so that a brighter light
 * does not clip the face. */
static double *scene_new(const st_image *photo)
{
    int w = 2 * photo->width, h = 2 * photo->height;
    double *sc = malloc((size_t)w * h * 3 * sizeof *sc);
    assert_non_null(sc);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const float *p = st_image_pixel(photo, x / 2, y / 2);
            for (int c = 0; c < 3; c++)
                sc[((size_t)y * w + x) * 3 + c] =
                    0.7 * st_color_srgb_to_linear(p[c]);
        }
    return sc;
}

/* Chart geometry: patches of side s with gaps of s / 4 and a frame of
 * s / 2, centred at (cx, cy), turned by deg + 90 turn degrees clockwise.
 * Where chart point (u, v) (upright, origin at its top left) is for image
 * point (x, y), and back. */
typedef struct chart_geo {
    double s, cx, cy, ang; /* radians, clockwise on screen */
} chart_geo;

#define CW(g) (6 * (g)->s + 5 * (g)->s / 4 + (g)->s)
#define CH(g) (4 * (g)->s + 3 * (g)->s / 4 + (g)->s)

static void to_chart(const chart_geo *g, double x, double y, double *u,
                     double *v)
{
    double dx = x - g->cx, dy = y - g->cy, c = cos(g->ang), s = sin(g->ang);
    *u = c * dx + s * dy + CW(g) / 2;
    *v = -s * dx + c * dy + CH(g) / 2;
}

static void from_chart(const chart_geo *g, double u, double v, double *x,
                       double *y)
{
    double du = u - CW(g) / 2, dv = v - CH(g) / 2, c = cos(g->ang),
           s = sin(g->ang);
    *x = g->cx + c * du - s * dv;
    *y = g->cy + s * du + c * dv;
}

/* -1 outside the chart, 24 on the frame, else the patch. */
static int chart_at(const chart_geo *g, double u, double v)
{
    double s = g->s, pitch = 1.25 * s, m = s / 2;
    int c, r;
    if (u < 0 || v < 0 || u >= CW(g) || v >= CH(g))
        return -1;
    c = (int)floor((u - m) / pitch), r = (int)floor((v - m) / pitch);
    if (c < 0 || r < 0 || c > 5 || r > 3 || u - m - c * pitch >= s ||
        v - m - r * pitch >= s)
        return 24;
    return r * 6 + c;
}

/* Paints the chart (reference linear sRGB, clipped to [0, 1]; the frame
 * near black) into the scene, 4 x 4 samples per pixel. */
static void paint_chart(double *sc, int w, int h, const chart_geo *g,
                        const st_chart_reference *ref)
{
    double r = 0.5 * hypot(CW(g), CH(g)) + 2;
    for (int y = (int)(g->cy - r); y <= (int)(g->cy + r); y++)
        for (int x = (int)(g->cx - r); x <= (int)(g->cx + r); x++) {
            double acc[3] = {0, 0, 0};
            int in = 0;
            if (x < 0 || y < 0 || x >= w || y >= h)
                continue;
            for (int k = 0; k < 16; k++) {
                double u, v, *o = sc + ((size_t)y * w + x) * 3;
                int p;
                to_chart(g, x - 0.375 + 0.25 * (k % 4),
                         y - 0.375 + 0.25 * (k / 4), &u, &v);
                p = chart_at(g, u, v);
                for (int c = 0; c < 3; c++) {
                    double val = p < 0    ? o[c]
                                 : p == 24 ? 0.012
                                           : fmin(fmax(ref->rgb[p][c], 0), 1);
                    acc[c] += val / 16;
                }
                in |= p >= 0;
            }
            if (in)
                memcpy(sc + ((size_t)y * w + x) * 3, acc, sizeof acc);
        }
}

/* The photo of the scene under light m: blurred (Gaussian, sigma 1 px),
 * lit, encoded, noise of sd 0.008 added, clipped, 8-bit. */
static st_image *photograph(const double *sc, int w, int h, const double m[9],
                            uint64_t seed)
{
    static const double k[5] = {0.054, 0.244, 0.403, 0.244, 0.054};
    double *t = malloc((size_t)w * h * 3 * sizeof *t);
    st_image *img = NULL;
    st_error err = {0};
    assert_non_null(t);
    assert_int_equal(st_image_new(&img, w, h, 3, &err), ST_OK);
    for (int y = 0; y < h; y++) /* rows */
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int d = -2; d <= 2; d++) {
                    int xx = x + d < 0 ? 0 : x + d >= w ? w - 1 : x + d;
                    a += k[d + 2] * sc[((size_t)y * w + xx) * 3 + c];
                }
                t[((size_t)y * w + x) * 3 + c] = a;
            }
    for (int y = 0; y < h; y++) /* columns, light, encoding, noise */
        for (int x = 0; x < w; x++) {
            double v[3], o[3];
            float *q = st_image_pixel(img, x, y);
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int d = -2; d <= 2; d++) {
                    int yy = y + d < 0 ? 0 : y + d >= h ? h - 1 : y + d;
                    a += k[d + 2] * t[((size_t)yy * w + x) * 3 + c];
                }
                v[c] = a;
            }
            for (int r = 0; r < 3; r++) {
                o[r] = m[3 * r] * v[0] + m[3 * r + 1] * v[1] +
                       m[3 * r + 2] * v[2];
                o[r] = st_color_linear_to_srgb(fmax(o[r], 0)) +
                       0.008 * gauss(&seed);
                o[r] = o[r] < 0 ? 0 : o[r] > 1 ? 1 : o[r];
                q[r] = (float)(floor(o[r] * 255 + 0.5) / 255);
            }
        }
    free(t);
    return img;
}

static const double identity[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};

/* Found at every quarter turn, tilted 4 degrees, with patches of 15 to
 * 80 px: the right turn, every patch centre within a tenth of the pitch of
 * where it was painted, and the corrected patches within a mean CIEDE2000
 * of 2.5 of the reference (the chart's cyan lies outside sRGB and is
 * painted clipped). */
static void test_chart_found_any_turn_and_size(void **state)
{
    static const double sizes[] = {15, 24, 40, 80};
    st_image *photo = astronaut();
    st_chart_reference ref;
    st_error err = {0};
    (void)state;
    if (!photo)
        skip();
    assert_int_equal(st_chart_reference_builtin(&ref, "classic-2014", &err),
                     ST_OK);
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int turn = 0; turn < 4; turn++) {
            double *sc = scene_new(photo);
            chart_geo g = {sizes[si], 700, 760,
                           (4 + 90 * turn) * 3.14159265358979 / 180};
            st_image *img;
            st_target t;
            double worst = 0;
            if (sizes[si] >= 80)
                g.cx = 660, g.cy = 740;
            paint_chart(sc, 1024, 1024, &g, &ref);
            img = photograph(sc, 1024, 1024, identity, 7 + turn);
            assert_int_equal(st_target_find(img, NULL, &t, &err), ST_OK);
            print_message("patch %.0f px, turn %d: %s, turn %d, pitch %.1f, "
                          "mean dE00 %.2f, clipped %d\n",
                          sizes[si], turn, st_target_kind_name(t.kind), t.turn,
                          t.pitch_px, t.delta_e, t.clipped);
            assert_int_equal(t.kind, ST_TARGET_CHART);
            assert_int_equal(t.turn, turn);
            for (int p = 0; p < 24; p++) {
                double x, y;
                from_chart(&g, g.s / 2 + 1.25 * g.s * (p % 6) + g.s / 2,
                           g.s / 2 + 1.25 * g.s * (p / 6) + g.s / 2, &x, &y);
                worst = fmax(worst, hypot(t.centre[p][0] - x,
                                          t.centre[p][1] - y));
            }
            if (!(worst < 0.125 * g.s))
                fail_msg("a patch centre is %.2f px off (pitch %.1f)", worst,
                         1.25 * g.s);
            assert_true(t.delta_e < 2.5);
            st_image_free(img);
            free(sc);
        }
    st_image_free(photo);
}

/* The cheek of the enlarged portrait, measured with a white balance mode:
 * its mean L*, a*, b*. */
static void cheek_lab(const st_image *img, st_wb_mode mode, double lab[3],
                      st_metrics *keep)
{
    st_region *reg = NULL;
    st_metrics_options opt;
    st_metrics m;
    st_error err = {0};
    assert_int_equal(st_region_rect(&reg, img->width, img->height, 380, 240,
                                    44, 44, &err),
                     ST_OK);
    st_metrics_options_init(&opt);
    opt.white_balance.mode = mode;
    if (st_metrics_measure(img, reg, &opt, &m, &err) != ST_OK)
        fail_msg("%s", st_error_text(&err));
    lab[0] = m.tone.l_star_mean, lab[1] = m.redness.a_star_mean;
    lab[2] = m.tone.b_star_mean;
    if (keep)
        *keep = m;
    else
        st_metrics_clear(&m);
    st_region_free(reg);
}

/* img through a JPEG of quality q (libjpeg, 4:2:0) and back. */
static st_image *jpeg_round_trip(const st_image *img, int q)
{
    size_t n = (size_t)img->width * img->height * 3, size;
    uint8_t *px = malloc(n), *jpg;
    tu_jpeg spec = {0};
    st_image *out;
    assert_non_null(px);
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < 3; c++)
                px[((size_t)y * img->width + x) * 3 + c] = (uint8_t)floor(
                    st_image_pixel(img, x, y)[c] * 255 + 0.5);
    spec.width = img->width, spec.height = img->height, spec.components = 3;
    spec.samples = px, spec.quality = q, spec.subsample = 1;
    jpg = tu_jpeg_encode(&spec, &size);
    assert_non_null(jpg);
    out = tu_decode(jpg, size, NULL);
    free(px);
    free(jpg);
    return out;
}

/* The same scene (portrait and chart) under other lights and cameras:
 * exposure, white balance, lights and cameras that mix channels, JPEG.
 * Corrected by the chart, the cheek's colour stays within CIEDE2000 1 of
 * its colour under the first light (a 3 x 3 matrix undoes any linear
 * change exactly; what is left is noise, 8-bit and JPEG rounding, and a
 * clipped white patch left out of the fit). Uncorrected it moves by more
 * (the test can fail). */
static void test_chart_corrects_light(void **state)
{
    static const struct {
        const char *what;
        double m[9];
        int jpeg;
    } lights[] = {
        {"exposure x0.6", {0.6, 0, 0, 0, 0.6, 0, 0, 0, 0.6}, 0},
        {"exposure x1.3 (white clips)", {1.3, 0, 0, 0, 1.3, 0, 0, 0, 1.3}, 0},
        {"warm white balance", {1.15, 0, 0, 0, 1, 0, 0, 0, 0.8}, 0},
        {"cool white balance", {0.85, 0, 0, 0, 1, 0, 0, 0, 1.2}, 0},
        {"light mixing channels",
         {0.95, 0.1, 0, 0.05, 0.9, 0.05, 0, 0.12, 0.8},
         0},
        {"another camera",
         {0.99, -0.09, 0.045, -0.045, 0.945, 0, 0.018, -0.072, 0.9},
         0},
        {"warm, JPEG q 85", {1.15, 0, 0, 0, 1, 0, 0, 0, 0.8}, 85},
    };
    st_image *photo = astronaut(), *first;
    st_chart_reference ref;
    st_error err = {0};
    chart_geo g = {40, 700, 760, 3 * 3.14159265358979 / 180};
    double *sc, lab0[3], raw0[3];
    st_metrics m0;
    (void)state;
    if (!photo)
        skip();
    assert_int_equal(st_chart_reference_builtin(&ref, "classic-2014", &err),
                     ST_OK);
    sc = scene_new(photo);
    paint_chart(sc, 1024, 1024, &g, &ref);
    first = photograph(sc, 1024, 1024, identity, 1);
    cheek_lab(first, ST_WB_CHART, lab0, &m0);
    cheek_lab(first, ST_WB_NONE, raw0, NULL);
    assert_int_equal(m0.calibration, ST_CAL_CHART);
    for (size_t k = 0; k < sizeof lights / sizeof lights[0]; k++) {
        st_image *img = photograph(sc, 1024, 1024, lights[k].m, 2 + k);
        double lab[3], raw[3], de, de_raw;
        st_metrics m;
        if (lights[k].jpeg) {
            st_image *j = jpeg_round_trip(img, lights[k].jpeg);
            st_image_free(img);
            img = j;
        }
        cheek_lab(img, ST_WB_CHART, lab, &m);
        cheek_lab(img, ST_WB_NONE, raw, NULL);
        de = st_color_delta_e2000(lab0, lab);
        de_raw = st_color_delta_e2000(raw0, raw);
        print_message("%-28s cheek dE00 %.2f corrected, %.2f raw; chart dE00 "
                      "%.2f, clipped patches %d, skin clipped %.1f%%\n",
                      lights[k].what, de, de_raw, m.calibration_delta_e,
                      m.target_clipped, m.skin_clipped_pct);
        assert_int_equal(m.calibration, ST_CAL_CHART);
        assert_true(m.skin_clipped_pct < 0.5); /* the scene leaves room */
        if (!(de < 1))
            fail_msg("%s: the corrected cheek moved by dE00 %.2f",
                     lights[k].what, de);
        if (!(de_raw > 2 * de))
            fail_msg("%s: raw %.2f, corrected %.2f", lights[k].what, de_raw,
                     de);
        st_metrics_clear(&m);
        st_image_free(img);
    }
    st_metrics_clear(&m0);
    st_image_free(first);
    free(sc);
    st_image_free(photo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rel_invariant_under_light),
        cmocka_unit_test(test_chart_found_any_turn_and_size),
        cmocka_unit_test(test_chart_corrects_light),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
