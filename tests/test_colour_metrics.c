/* skintrack tests — regions, CIELAB planes, white balance, redness, tone.
 *
 * Truth comes from the published formulas, written again here in their
 * CIE "kappa/epsilon" form (CIE 15:2004: epsilon = 216/24389, kappa =
 * 24389/27) rather than the library's (6/29)^3 form, and from images whose
 * CIELAB values are set by construction (Lab -> sRGB in this file).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "color/color_internal.h"
#include "phantom.h"
#include "testutil.h"

static const double white[3] = {0.95047, 1.0, 1.08883};

static double decode(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double encode(double v)
{
    return v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

/* Reference sRGB -> Lab, CIE 15 kappa/epsilon form. */
static void ref_lab(const double rgb[3], double lab[3])
{
    const double eps = 216.0 / 24389.0, kappa = 24389.0 / 27.0;
    double r = decode(rgb[0]), g = decode(rgb[1]), b = decode(rgb[2]);
    double xyz[3] = {0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
                     0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
                     0.0193339 * r + 0.1191920 * g + 0.9503041 * b};
    double f[3];
    for (int i = 0; i < 3; i++) {
        double t = xyz[i] / white[i];
        f[i] = t > eps ? cbrt(t) : (kappa * t + 16) / 116;
    }
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

/* Lab -> sRGB-encoded (inverse of the above; values may leave [0,1]). */
static void lab_to_srgb(const double lab[3], double rgb[3])
{
    const double eps = 216.0 / 24389.0, kappa = 24389.0 / 27.0;
    double fy = (lab[0] + 16) / 116, fx = fy + lab[1] / 500,
           fz = fy - lab[2] / 200, f[3] = {fx, fy, fz}, xyz[3];
    for (int i = 0; i < 3; i++) {
        double t = f[i] * f[i] * f[i];
        xyz[i] = white[i] * (t > eps ? t : (116 * f[i] - 16) / kappa);
    }
    rgb[0] =
        encode(3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2]);
    rgb[1] =
        encode(-0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2]);
    rgb[2] =
        encode(0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2]);
}

static void set_lab(st_image *img, int x, int y, double L, double a, double b)
{
    double lab[3] = {L, a, b}, rgb[3];
    float *p = st_image_pixel(img, x, y);
    lab_to_srgb(lab, rgb);
    for (int c = 0; c < 3; c++)
        p[c] = (float)rgb[c];
}

static st_lab_planes *planes(const st_image *img, const st_region *reg,
                             const double gains[3])
{
    st_lab_planes *p;
    st_error err = {0};
    assert_int_equal(st_lab_planes_new(&p, img, reg, gains, &err), ST_OK);
    return p;
}

/* A grid of 512 sRGB colours: CIELAB planes within 0.01 of CIE 15. */
static void test_lab_grid(void **state)
{
    st_image *img;
    st_region *reg;
    st_lab_planes *lab;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&img, 64, 8, 3, &err), ST_OK);
    for (int i = 0; i < 512; i++) {
        float *p = st_image_pixel(img, i % 64, i / 64);
        p[0] = (float)((i & 7) * 255 / 7) / 255.0f;
        p[1] = (float)(((i >> 3) & 7) * 255 / 7) / 255.0f;
        p[2] = (float)(((i >> 6) & 7) * 255 / 7) / 255.0f;
    }
    assert_int_equal(st_region_full(&reg, 64, 8, &err), ST_OK);
    lab = planes(img, reg, NULL);
    for (int i = 0; i < 512; i++) {
        const float *p = st_image_pixel(img, i % 64, i / 64);
        double rgb[3] = {p[0], p[1], p[2]}, want[3];
        ref_lab(rgb, want);
        assert_float_equal(lab->L[i], want[0], 0.01);
        assert_float_equal(lab->a[i], want[1], 0.01);
        assert_float_equal(lab->b[i], want[2], 0.01);
    }
    st_lab_planes_free(lab);
    st_region_free(reg);
    st_image_free(img);
}

/* The per-pixel path (decode by table with interpolation, cube root by
 * two Halley steps, in float) against CIE 15 in double: 65 536 colours
 * off the 8-bit grid (16-bit and arbitrary float samples, the darkest and
 * brightest included) within 1e-3 in L*, a*, b*, and the region's mean
 * linear RGB within 1e-6. */
static void test_lab_fast_path(void **state)
{
    st_image *img;
    st_region *reg;
    st_lab_planes *lab;
    st_error err = {0};
    uint64_t s = 77;
    double mean[3] = {0, 0, 0}, worst = 0;
    const int w = 256, h = 256;
    (void)state;

    assert_int_equal(st_image_new(&img, w, h, 3, &err), ST_OK);
    for (int i = 0; i < w * h; i++) {
        float *p = st_image_pixel(img, i % w, i / w);
        for (int c = 0; c < 3; c++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            p[c] = i % 2 ? (float)((s >> 48) / 65535.0)
                         : (float)((double)(s >> 11) / 9007199254740992.0);
        }
        if (i < 8) /* black, white and the corners of the cube */
            for (int c = 0; c < 3; c++)
                p[c] = (float)((i >> c) & 1);
    }
    assert_int_equal(st_region_full(&reg, w, h, &err), ST_OK);
    lab = planes(img, reg, NULL);
    for (int i = 0; i < w * h; i++) {
        const float *p = st_image_pixel(img, i % w, i / w);
        double rgb[3] = {p[0], p[1], p[2]}, want[3];
        ref_lab(rgb, want);
        for (int c = 0; c < 3; c++) {
            const float *got = c == 0 ? lab->L : c == 1 ? lab->a : lab->b;
            worst = fmax(worst, fabs(got[i] - want[c]));
            mean[c] += decode(rgb[c]) / (w * h);
        }
    }
    print_message("fast CIELAB: worst difference %.2g\n", worst);
    assert_true(worst < 1e-3);
    for (int c = 0; c < 3; c++)
        assert_float_equal(lab->linear_mean[c], mean[c], 1e-6);
    st_lab_planes_free(lab);
    st_region_free(reg);
    st_image_free(img);
}

/* The converter's shortcuts give the numbers of its plain route, bit for
 * bit: an 8-bit image (linear sums in integers of 2^-35: exact, see
 * color.c) against its float twin (byte / 255.0f, sums added as doubles
 * in x order), on 4000-px rows of random bytes with holes in the region;
 * and the cube roots' AVX2 loop against the baseline one. */
static int same_plane(const float *a, const float *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

static void test_lab_rows_exact(void **state)
{
    const int w = 4000, h = 6;
    const size_t n = (size_t)w * h;
    st_image *img8, *img;
    st_region *reg;
    st_lab_planes *p8, *pf, *pa;
    st_error err = {0};
    double gains[3] = {1.1, 1.0, 0.9};
    uint64_t s = 5;
    int was;
    (void)state;

    assert_int_equal(st_image_new_8bit(&img8, w, h, 3, &err), ST_OK);
    assert_int_equal(st_image_new(&img, w, h, 3, &err), ST_OK);
    assert_int_equal(st_region_full(&reg, w, h, &err), ST_OK);
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < 3; c++) {
            uint8_t v;
            s = s * 6364136223846793005u + 1442695040888963407u;
            v = (uint8_t)(s >> 56);
            st_image_pixel8(img8, (int)(i % w), (int)(i / w))[c] = v;
            st_image_pixel(img, (int)(i % w), (int)(i / w))[c] = v / 255.0f;
        }
        reg->mask[i] = (s >> 20) % 7 != 0;
    }
    st_region_update(reg);
    p8 = planes(img8, reg, gains);
    pf = planes(img, reg, gains);
    for (int c = 0; c < 3; c++)
        assert_true(p8->linear_mean[c] == pf->linear_mean[c]);
    assert_true(same_plane(p8->L, pf->L, n) && same_plane(p8->a, pf->a, n) &&
                same_plane(p8->b, pf->b, n));

    was = st_color_set_avx2(0);
    pa = planes(img, reg, gains);
    st_color_set_avx2(was);
    print_message("cube roots with AVX2 checked against the baseline: %s\n",
                  was ? "yes" : "no (not used here)");
    assert_true(same_plane(pa->L, pf->L, n) && same_plane(pa->a, pf->a, n) &&
                same_plane(pa->b, pf->b, n));
    st_lab_planes_free(p8);
    st_lab_planes_free(pf);
    st_lab_planes_free(pa);
    st_region_free(reg);
    st_image_free(img);
    st_image_free(img8);
}

/* a* raised by exactly 3 over a skin phantom is measured as +3 (0.1). */
static void test_a_star_shift(void **state)
{
    st_image *skin = ph_canvas(256, 192, 5), *red;
    st_region *reg;
    st_lab_planes *l0, *l1;
    st_redness r0, r1;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_copy(&red, skin, &err), ST_OK);
    for (int y = 0; y < 192; y++)
        for (int x = 0; x < 256; x++) {
            const float *p = st_image_pixel(skin, x, y);
            double rgb[3] = {p[0], p[1], p[2]}, lab[3];
            ref_lab(rgb, lab);
            set_lab(red, x, y, lab[0], lab[1] + 3, lab[2]);
        }
    assert_int_equal(st_region_full(&reg, 256, 192, &err), ST_OK);
    l0 = planes(skin, reg, NULL);
    l1 = planes(red, reg, NULL);
    assert_int_equal(st_redness_measure(l0, reg, 0, &r0, &err), ST_OK);
    assert_int_equal(st_redness_measure(l1, reg, 0, &r1, &err), ST_OK);
    print_message("a* %.3f -> %.3f, p90 %.3f -> %.3f, EI %.2f -> %.2f\n",
                  r0.a_star_mean, r1.a_star_mean, r0.a_star_p90, r1.a_star_p90,
                  r0.erythema_index, r1.erythema_index);
    assert_float_equal(r1.a_star_mean - r0.a_star_mean, 3.0, 0.1);
    assert_float_equal(r1.a_star_p90 - r0.a_star_p90, 3.0, 0.1);
    assert_true(r1.erythema_index > r0.erythema_index);
    st_lab_planes_free(l0);
    st_lab_planes_free(l1);
    st_region_free(reg);
    st_image_free(skin);
    st_image_free(red);
}

/* st_metrics_measure makes CIELAB, redness and tone in one pass over the
 * rows without the a* and b* planes; its numbers must be those of the
 * planes, bit for bit: a region with holes whose box leaves a margin on
 * every side (the red count runs on the box only), red blotches above the
 * threshold, grey-world gains, float and 8-bit images, one job and two
 * (the rows converted on a thread of their own). */
static void same_double(double a, double b)
{
    assert_true((isnan(a) && isnan(b)) || a == b);
}

static void test_metrics_colour_one_pass(void **state)
{
    st_image *img = ph_canvas(240, 180, 11), *img8;
    st_region *reg;
    st_error err = {0};
    (void)state;

    for (int y = 0; y < 180; y++)
        for (int x = 0; x < 240; x++) {
            double dx = x - 120, dy = y - 80;
            if (dx * dx + dy * dy < 30 * 30 || (x / 20 + y / 20) % 5 == 0) {
                const float *p = st_image_pixel(img, x, y);
                double rgb[3] = {p[0], p[1], p[2]}, lab[3];
                ref_lab(rgb, lab);
                set_lab(img, x, y, lab[0], lab[1] + 45, lab[2] + 5);
            }
        }
    assert_int_equal(st_image_new_8bit(&img8, 240, 180, 3, &err), ST_OK);
    for (int y = 0; y < 180; y++)
        for (int x = 0; x < 240; x++)
            for (int c = 0; c < 3; c++) {
                float v = st_image_pixel(img, x, y)[c];
                st_image_pixel8(img8, x, y)[c] =
                    (uint8_t)lrintf(255.0f * fminf(fmaxf(v, 0.0f), 1.0f));
            }
    assert_int_equal(st_region_rect(&reg, 240, 180, 7, 5, 220, 160, &err),
                     ST_OK);
    for (int y = 0; y < 180; y++) /* two holes, and a cut corner */
        for (int x = 0; x < 240; x++)
            if ((x - 60) * (x - 60) + (y - 100) * (y - 100) < 36 ||
                (x - 170) * (x - 170) + (y - 120) * (y - 120) < 64 ||
                x + y < 40)
                reg->mask[(size_t)y * 240 + x] = 0;
    st_region_update(reg);
    assert_true(reg->x0 > 0 && reg->y0 > 0 && reg->x1 < 240 && reg->y1 < 180);

    for (int k = 0; k < 4; k++) { /* float, 8-bit; one job, then two */
        const st_image *im = k & 1 ? img8 : img;
        st_metrics_options opt;
        st_metrics m;
        st_lab_planes *lab;
        st_redness r;
        st_tone t;
        st_metrics_options_init(&opt);
        opt.white_balance.mode = ST_WB_GRAYWORLD;
        opt.pores.jobs = 1 + k / 2;
        assert_int_equal(st_metrics_measure(im, reg, &opt, &m, &err), ST_OK);
        assert_true(m.wb_gains[0] != 1.0);
        lab = planes(im, reg, m.wb_gains);
        assert_int_equal(st_redness_measure(lab, reg, 0, &r, &err), ST_OK);
        assert_int_equal(st_tone_measure(lab, reg, &t, &err), ST_OK);

        assert_true(r.red_area_pct > 5 && r.red_area_pct < 60);
        same_double(m.redness.a_star_mean, r.a_star_mean);
        same_double(m.redness.a_star_p90, r.a_star_p90);
        /* grey world makes the mean R equal the mean G: EI would be 0
         * whatever the skin, so it is refused */
        assert_float_equal(r.erythema_index, 0, 1e-3);
        assert_true(isnan(m.redness.erythema_index));
        same_double(m.redness.red_area_pct, r.red_area_pct);
        same_double(m.tone.l_star_mean, t.l_star_mean);
        same_double(m.tone.b_star_mean, t.b_star_mean);
        same_double(m.tone.melanin_index, t.melanin_index);
        same_double(m.tone.ita_deg, t.ita_deg);
        same_double(m.tone.tone_evenness, t.tone_evenness);
        st_lab_planes_free(lab);
        st_metrics_clear(&m);
    }
    st_region_free(reg);
    st_image_free(img);
    st_image_free(img8);
}

/* Ten stripes of known a*: mean, 90th percentile, red area, and the
 * indices from known linear R and G. */
static void test_redness_by_construction(void **state)
{
    st_image *img;
    st_region *reg;
    st_lab_planes *lab;
    st_redness r;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&img, 100, 20, 3, &err), ST_OK);
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 100; x++)
            set_lab(img, x, y, 60, 8 + 2 * (x / 10), 15); /* a* 8..26 */
    assert_int_equal(st_region_full(&reg, 100, 20, &err), ST_OK);
    lab = planes(img, reg, NULL);
    assert_int_equal(st_redness_measure(lab, reg, 0, &r, &err), ST_OK);
    assert_float_equal(r.a_star_mean, 17.0, 0.01);
    /* 10% of pixels at each of 8,10,..,26: the 90th percentile sits at the
     * top of the 24 stripe */
    assert_float_equal(r.a_star_p90, 24.0, 0.02);
    /* red area smooths a* over about 2 px, which spreads each stripe
     * edge symmetrically: a threshold half-way between two stripes still
     * splits them exactly */
    assert_int_equal(st_redness_measure(lab, reg, 21, &r, &err), ST_OK);
    assert_float_equal(r.red_area_pct, 30.0, 1e-9); /* 22, 24, 26 > 21 */
    assert_int_equal(st_redness_measure(lab, reg, 25, &r, &err), ST_OK);
    assert_float_equal(r.red_area_pct, 10.0, 1e-9);
    st_lab_planes_free(lab);
    {
        /* a region inside the image (the red count runs on its box):
         * columns 5..94, of which 70..94 (a* 22, 24, 26) are above 21 */
        st_region *in;
        assert_int_equal(st_region_rect(&in, 100, 20, 5, 3, 90, 14, &err),
                         ST_OK);
        lab = planes(img, in, NULL);
        assert_int_equal(st_redness_measure(lab, in, 21, &r, &err), ST_OK);
        assert_float_equal(r.red_area_pct, 100.0 * 25 / 90, 1e-9);
        st_lab_planes_free(lab);
        st_region_free(in);
    }

    /* uniform linear R = 0.5, G = 0.25: EI = 100 log10 2, MI = 100 log10 2 */
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 100; x++) {
            float *p = st_image_pixel(img, x, y);
            p[0] = (float)encode(0.5);
            p[1] = (float)encode(0.25);
            p[2] = (float)encode(0.2);
        }
    lab = planes(img, reg, NULL);
    assert_int_equal(st_redness_measure(lab, reg, 0, &r, &err), ST_OK);
    assert_float_equal(r.erythema_index, 100 * log10(2.0), 1e-4);
    {
        st_tone t;
        assert_int_equal(st_tone_measure(lab, reg, &t, &err), ST_OK);
        assert_float_equal(t.melanin_index, 100 * log10(2.0), 1e-4);
    }
    st_lab_planes_free(lab);
    st_region_free(reg);
    st_image_free(img);
}

/* Tone: L* = smooth light + a +-2 checker of the skin's own: evenness 2,
 * whatever the gradient; ITA and its classes. */
static void test_tone_by_construction(void **state)
{
    st_image *img;
    st_region *reg;
    st_lab_planes *lab;
    st_tone t;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&img, 120, 90, 3, &err), ST_OK);
    for (int y = 0; y < 90; y++)
        for (int x = 0; x < 120; x++) {
            double u = x / 119.0, v = y / 89.0;
            double light = 55 + 12 * u - 6 * v + 8 * u * u - 5 * u * v;
            double own = ((x / 3 + y / 3) % 2) ? 2 : -2;
            set_lab(img, x, y, light + own, 12, 16);
        }
    assert_int_equal(st_region_full(&reg, 120, 90, &err), ST_OK);
    lab = planes(img, reg, NULL);
    assert_int_equal(st_tone_measure(lab, reg, &t, &err), ST_OK);
    print_message("L* %.3f b* %.3f ITA %.3f %s evenness %.4f\n", t.l_star_mean,
                  t.b_star_mean, t.ita_deg, t.ita_category, t.tone_evenness);
    assert_float_equal(t.b_star_mean, 16, 0.01);
    assert_float_equal(t.tone_evenness, 2.0, 0.03);
    assert_float_equal(t.ita_deg,
                       atan2(t.l_star_mean - 50, t.b_star_mean) * 180 /
                           3.14159265358979,
                       1e-9);
    assert_string_equal(st_tone_ita_category(60), "very_light");
    assert_string_equal(st_tone_ita_category(50), "light");
    assert_string_equal(st_tone_ita_category(30), "intermediate");
    assert_string_equal(st_tone_ita_category(20), "tan");
    assert_string_equal(st_tone_ita_category(0), "brown");
    assert_string_equal(st_tone_ita_category(-45), "dark");
    st_lab_planes_free(lab);
    st_region_free(reg);
    st_image_free(img);
}

/* White balance: a cast removed by grey world; a card scaled to 18% grey
 * cancels an exposure change. */
static void test_white_balance(void **state)
{
    st_image *img;
    st_region *reg;
    st_white_balance wb = {ST_WB_PATCH, 0, 0, 10, 10, 0.18};
    double g[3], cast[3] = {1.1, 1.0, 0.8};
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&img, 40, 30, 3, &err), ST_OK);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++) {
            float *p = st_image_pixel(img, x, y);
            double base = x < 10 && y < 10 ? 0.36 : 0.3 + 0.004 * x;
            for (int c = 0; c < 3; c++)
                p[c] = (float)encode(base * 1.2 * cast[c]);
        }
    assert_int_equal(st_region_full(&reg, 40, 30, &err), ST_OK);
    assert_int_equal(st_color_wb_gains(img, reg, &wb, g, &err), ST_OK);
    for (int c = 0; c < 3; c++)
        assert_float_equal(g[c], 0.18 / (0.36 * 1.2 * cast[c]), 1e-4);
    wb.mode = ST_WB_GRAYWORLD;
    assert_int_equal(st_color_wb_gains(img, reg, &wb, g, &err), ST_OK);
    assert_float_equal(g[0] * cast[0], g[1] * cast[1], 1e-4);
    assert_float_equal(g[2] * cast[2], g[1] * cast[1], 1e-4);
    wb.mode = ST_WB_PATCH;
    wb.x = 35;
    assert_int_equal(st_color_wb_gains(img, reg, &wb, g, &err), ST_ERR_INVALID);
    st_region_free(reg);
    st_image_free(img);
}

/* st_region_update against a pixel-by-pixel count and box, on scattered
 * masks: empty, one pixel at a corner, sparse and dense random ones. */
static void region_box_by_pixel(void)
{
    enum { W = 77, H = 45 };
    uint64_t r = 3;
    st_region *g;
    assert_int_equal(st_region_rect(&g, W, H, 0, 0, W, H, NULL), ST_OK);
    for (int kind = 0; kind < 4; kind++) {
        int x0 = W, y0 = H, x1 = 0, y1 = 0;
        size_t n = 0;
        for (int i = 0; i < W * H; i++) {
            r = r * 6364136223846793005u + 1442695040888963407u;
            g->mask[i] = (uint8_t)(kind == 1   ? i == W * H - 1
                                   : kind == 2 ? (r >> 60) == 0
                                   : kind == 3 ? (r >> 62) != 0
                                               : 0);
            if (g->mask[i]) {
                n++;
                x0 = i % W < x0 ? i % W : x0;
                x1 = i % W + 1 > x1 ? i % W + 1 : x1;
                y0 = i / W < y0 ? i / W : y0;
                y1 = i / W + 1;
            }
        }
        st_region_update(g);
        assert_int_equal(g->count, n);
        if (n) {
            assert_int_equal(g->x0, x0);
            assert_int_equal(g->y0, y0);
            assert_int_equal(g->x1, x1);
            assert_int_equal(g->y1, y1);
        } else
            assert_int_equal(g->x1, 0);
    }
    st_region_free(g);
}

static void test_regions(void **state)
{
    st_region *a, *b;
    st_image *mask;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_region_rect(&a, 50, 40, 10, 5, 20, 30, &err), ST_OK);
    assert_int_equal(a->count, 600);
    assert_int_equal(a->x0, 10);
    assert_int_equal(a->y1, 35);
    assert_int_equal(st_region_rect(&b, 50, 40, 40, 5, 20, 30, &err),
                     ST_ERR_INVALID);
    assert_int_equal(st_image_new(&mask, 50, 40, 1, &err), ST_OK);
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 25; x++)
            st_image_pixel(mask, x, y)[0] = 1.0f / 255;
    assert_int_equal(st_region_from_mask(&b, mask, 50, 40, &err), ST_OK);
    assert_int_equal(b->count, 25 * 40);
    assert_int_equal(st_region_intersect(a, b, &err), ST_OK);
    assert_int_equal(a->count, 15 * 30);
    assert_int_equal(a->x1, 25);
    st_region_free(a);
    st_region_free(b);
    assert_int_equal(st_region_from_mask(&b, mask, 40, 40, &err),
                     ST_ERR_INVALID);
    st_image_free(mask);
    region_box_by_pixel();
}

/* Skin mask scene: 0 skin, 1 hair band, 2 eye white, 3 iris,
 * 4 blue background. */
static int kind_at(int x, int y)
{
    double ex = (x - 180) / 50.0, ey = (y - 200) / 22.0;
    if (x >= 330)
        return 4;
    if (y < 60)
        return 1;
    if (ex * ex + ey * ey < 1)
        return hypot(x - 180, y - 200) < 16 ? 3 : 2;
    return 0;
}

/* Far (14 px) from any border between skin and the rest: the closing may
 * round those borders by up to its radius. */
static int interior(int x, int y)
{
    int skin = kind_at(x, y) == 0;
    for (int d = -14; d <= 14; d += 7)
        for (int e = -14; e <= 14; e += 7)
            if ((kind_at(x + d, y + e) == 0) != skin)
                return 0;
    return 1;
}

/* The skin phantom (pores and all) with hair, an eye inside the skin and a
 * background: the mask must keep the skin and leave the rest out. */
static void test_skin_mask(void **state)
{
    static const float colours[5][3] = {{0, 0, 0},
                                        {0.16f, 0.12f, 0.10f},
                                        {0.94f, 0.94f, 0.92f},
                                        {0.24f, 0.16f, 0.12f},
                                        {0.24f, 0.43f, 0.70f}};
    enum { W = 480, H = 360 };
    st_image *img = ph_canvas(W, H, 9);
    st_region *r;
    st_error err = {0};
    long skin_px = 0, skin_in = 0, other_px = 0, other_in = 0;
    (void)state;

    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int k = kind_at(x, y);
            if (k)
                memcpy(st_image_pixel(img, x, y), colours[k],
                       sizeof colours[k]);
        }
    assert_int_equal(st_skin_region(&r, img, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int in = r->mask[(size_t)y * W + x];
            if (!interior(x, y))
                continue;
            if (kind_at(x, y) == 0)
                skin_px++, skin_in += in;
            else
                other_px++, other_in += in;
        }
    print_message("skin kept %.2f%%, other kept %.2f%%\n",
                  100.0 * skin_in / skin_px, 100.0 * other_in / other_px);
    assert_true(skin_in >= 0.99 * skin_px);
    assert_true(other_in <= 0.01 * other_px);
    st_region_free(r);
    st_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_grid),
        cmocka_unit_test(test_lab_fast_path),
        cmocka_unit_test(test_lab_rows_exact),
        cmocka_unit_test(test_a_star_shift),
        cmocka_unit_test(test_redness_by_construction),
        cmocka_unit_test(test_metrics_colour_one_pass),
        cmocka_unit_test(test_tone_by_construction),
        cmocka_unit_test(test_white_balance),
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_skin_mask),
    };
    return cmocka_run_group_tests_name("colour metrics", tests, NULL, NULL);
}
