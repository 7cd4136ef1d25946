/* skintrack tests — colour profiles and CIELAB.
 *
 * The same colours stored once as sRGB and once converted (by lcms2, in
 * double precision, in the test) into a wide-gamut space with that profile
 * embedded must read back as the same sRGB values: within 1/255 from
 * 16-bit PNGs (the quantisation of 16 bits is 1/65535, so any larger error
 * is the reader's), and within JPEG tolerance from 8-bit JPEGs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lcms2.h>
#include <png.h>
#include <unistd.h>

#include "testutil.h"

/* Skin tones from light to dark, reddened skin, a grey card, and saturated
 * colours near the sRGB gamut boundary (8-bit sRGB). */
static const uint8_t colors[][3] = {
    {240, 208, 190}, {224, 172, 150}, {198, 134, 104}, {160, 105, 80},
    {110, 70, 50},   {70, 45, 35},    {215, 120, 110}, {190, 80, 80},
    {118, 118, 118}, {255, 255, 255}, {0, 0, 0},       {250, 20, 20},
    {20, 230, 40},   {30, 40, 240},   {240, 230, 30},  {40, 220, 230},
};
#define NCOLORS (int)(sizeof colors / sizeof colors[0])
#define P       16 /* patch size in px */

/* Converts the sRGB colours into the space of profile `to` (double). */
static void to_profile(cmsHPROFILE to, double out[][3])
{
    cmsHPROFILE srgb = cmsCreate_sRGBProfile();
    cmsHTRANSFORM t = cmsCreateTransform(srgb, TYPE_RGB_DBL, to, TYPE_RGB_DBL,
                                         INTENT_RELATIVE_COLORIMETRIC, 0);
    assert_non_null(t);
    for (int i = 0; i < NCOLORS; i++) {
        double in[3] = {colors[i][0] / 255.0, colors[i][1] / 255.0,
                        colors[i][2] / 255.0};
        cmsDoTransform(t, in, out[i], 1);
    }
    cmsDeleteTransform(t);
    cmsCloseProfile(srgb);
}

static uint16_t q16(double v)
{
    return (uint16_t)lround((v < 0 ? 0 : v > 1 ? 1 : v) * 65535.0);
}

/* One row of 1 px per colour converted with profile `source` into its
 * space, stored as a 16-bit RGB PNG with profile icc (the same colour space)
 * embedded, read back within tol per channel and delta E*ab within de_max. */
static void check_png_profile_tol(const uint8_t *icc, size_t icc_size,
                                  const char *source, const char *what,
                                  double tol, double de_max)
{
    uint16_t s[NCOLORS * 3];
    double conv[NCOLORS][3];
    tu_png spec = {NCOLORS, 1, PNG_COLOR_TYPE_RGB, 16, 0, s};
    size_t src_size = icc_size;
    uint8_t *src = source ? tu_icc_profile(source, &src_size) : NULL;
    cmsHPROFILE prof =
        cmsOpenProfileFromMem(src ? src : icc, (cmsUInt32Number)src_size);
    st_image_info info;
    st_image *img;
    uint8_t *png;
    size_t size;

    assert_non_null(prof);
    to_profile(prof, conv);
    cmsCloseProfile(prof);
    free(src);
    for (int i = 0; i < NCOLORS; i++)
        for (int c = 0; c < 3; c++)
            s[3 * i + c] = q16(conv[i][c]);
    spec.trns_gray = -1;
    spec.icc = icc;
    spec.icc_size = icc_size;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    assert_true(info.color_description[0] != '\0');
    for (int i = 0; i < NCOLORS; i++) {
        double rgb[3], lab_got[3], lab_want[3], de;
        const float *p = st_image_pixel(img, i, 0);
        for (int c = 0; c < 3; c++) {
            double want = colors[i][c] / 255.0;
            if (fabs(p[c] - want) > tol)
                fail_msg("%s colour %d channel %d: %.5f, want %.5f", what, i, c,
                         p[c], want);
            rgb[c] = p[c];
        }
        st_color_srgb_to_lab(rgb, lab_got);
        for (int c = 0; c < 3; c++)
            rgb[c] = colors[i][c] / 255.0;
        st_color_srgb_to_lab(rgb, lab_want);
        de = sqrt(pow(lab_got[0] - lab_want[0], 2) +
                  pow(lab_got[1] - lab_want[1], 2) +
                  pow(lab_got[2] - lab_want[2], 2));
        if (de > de_max)
            fail_msg("%s colour %d: delta E %.3f", what, i, de);
    }
    st_image_free(img);
    free(png);
}

static void check_png_profile(const uint8_t *icc, size_t icc_size,
                              const char *what)
{
    check_png_profile_tol(icc, icc_size, NULL, what, 1.0 / 255.0, 0.5);
}

static void test_png_adobe_rgb(void **state)
{
    size_t n;
    uint8_t *icc = tu_icc_profile("adobe-rgb", &n);
    (void)state;
    check_png_profile(icc, n, "Adobe RGB");
    free(icc);
}

static void test_png_display_p3(void **state)
{
    size_t n;
    uint8_t *icc = tu_icc_profile("display-p3", &n);
    (void)state;
    check_png_profile(icc, n, "Display P3");
    free(icc);
}

/* A lookup-table profile takes lcms2's general path. The CLUT itself
 * interpolates a gamma curve over 33 grid points, which near black errs by
 * a few sRGB levels; the bound is that interpolation's, not the reader's. */
static void test_png_clut_profile(void **state)
{
    size_t n;
    uint8_t *icc = tu_icc_profile("display-p3-clut", &n);
    (void)state;
    assert_non_null(icc);
    check_png_profile_tol(icc, n, "display-p3", "Display P3 CLUT", 4.0 / 255.0,
                          1.5);
    free(icc);
}

/* Real-world profiles from Debian's icc-profiles-free / colord-data. */
static void test_png_installed_profiles(void **state)
{
    static const char *const files[] = {
        "/usr/share/color/icc/colord/AdobeRGB1998.icc",
        "/usr/share/color/icc/compatibleWithAdobeRGB1998.icc",
        "/usr/share/color/icc/colord/ProPhotoRGB.icc",
    };
    int found = 0;
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *icc = tu_read_file(files[i], &n);
        if (!icc)
            continue;
        found++;
        check_png_profile(icc, n, files[i]);
        free(icc);
    }
    if (!found)
        skip();
}

/* 8-bit JPEG in Adobe RGB, flat patches, compared at patch centres.
 * Skin tones (the first nine colours) must come back within 3/255 per
 * channel: JPEG's couple of levels plus half a level of 8-bit Adobe RGB.
 * Saturated colours cannot be held to that: one 8-bit Adobe RGB level
 * moves the dark red channel of a cyan by about 6 sRGB levels (the slope
 * of the Adobe RGB -> sRGB mapping there), so they are held to a colour
 * difference instead: delta E*ab within 2.5, about two Adobe RGB levels. */
static void test_jpeg_adobe_rgb(void **state)
{
    uint8_t s[NCOLORS * P * P * 3], *jpg, *icc;
    double conv[NCOLORS][3];
    size_t size, icc_size;
    st_image_info info;
    st_image *img;
    cmsHPROFILE prof;
    (void)state;

    icc = tu_icc_profile("adobe-rgb", &icc_size);
    prof = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    to_profile(prof, conv);
    cmsCloseProfile(prof);
    for (int y = 0; y < P; y++)
        for (int x = 0; x < NCOLORS * P; x++)
            for (int c = 0; c < 3; c++) {
                double v = conv[x / P][c];
                v = v < 0 ? 0 : v > 1 ? 1 : v;
                s[((size_t)y * NCOLORS * P + (size_t)x) * 3 + (size_t)c] =
                    (uint8_t)lround(v * 255);
            }
    {
        tu_jpeg spec = {NCOLORS * P, P,   3,        s,    100, 0,
                        0,           icc, icc_size, NULL, 0};
        jpg = tu_jpeg_encode(&spec, &size);
    }
    img = tu_decode(jpg, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    for (int i = 0; i < NCOLORS; i++) {
        const float *p = st_image_pixel(img, i * P + P / 2, P / 2);
        double got[3] = {p[0], p[1], p[2]}, want[3], lg[3], lw[3];
        for (int c = 0; c < 3; c++) {
            want[c] = colors[i][c] / 255.0;
            if (i < 9 && fabs(got[c] - want[c]) > 3.0 / 255.0)
                fail_msg("colour %d channel %d: %.1f/255, want %d", i, c,
                         got[c] * 255, colors[i][c]);
        }
        st_color_srgb_to_lab(got, lg);
        st_color_srgb_to_lab(want, lw);
        if (hypot(hypot(lg[0] - lw[0], lg[1] - lw[1]), lg[2] - lw[2]) > 2.5)
            fail_msg("colour %d: delta E %.2f", i,
                     hypot(hypot(lg[0] - lw[0], lg[1] - lw[1]), lg[2] - lw[2]));
    }
    st_image_free(img);
    free(jpg);
    free(icc);
}

/* A linear grey profile: stored v means linear light v, so it reads as the
 * sRGB encoding of v. */
static void test_gray_profile(void **state)
{
    uint16_t s[64];
    size_t n, size;
    uint8_t *icc = tu_icc_profile("gray-gamma1", &n), *png;
    tu_png spec = {64, 1, PNG_COLOR_TYPE_GRAY, 16, 0, s};
    st_image_info info;
    st_image *img;
    (void)state;

    for (int i = 0; i < 64; i++)
        s[i] = (uint16_t)(i * 1040);
    spec.trns_gray = -1;
    spec.icc = icc;
    spec.icc_size = n;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    assert_int_equal(img->channels, 1);
    for (int i = 0; i < 64; i++)
        assert_float_equal(st_image_pixel(img, i, 0)[0],
                           st_color_linear_to_srgb(s[i] / 65535.0), 1e-3);
    st_image_free(img);
    free(png);
    free(icc);
}

/* An RGB profile on a grey JPEG does not fit: ignored, samples kept. */
static void test_mismatched_profile(void **state)
{
    uint8_t s[16 * 16], *jpg, *icc;
    size_t size, n;
    st_image_info info;
    st_image *img;
    (void)state;

    memset(s, 100, sizeof s);
    icc = tu_icc_profile("adobe-rgb", &n);
    {
        tu_jpeg spec = {16, 16, 1, s, 100, 0, 0, icc, n, NULL, 0};
        jpg = tu_jpeg_encode(&spec, &size);
    }
    img = tu_decode(jpg, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_IGNORED);
    assert_non_null(strstr(info.color_description, "ignored"));
    assert_float_equal(st_image_pixel(img, 8, 8)[0], 100 / 255.0, 1.0 / 255);
    st_image_free(img);
    free(jpg);
    free(icc);
}

/* Differential test against lcms2 itself: random 16-bit samples in a PNG
 * with the profile embedded must read as lcms2's own float transform of
 * them to sRGB (relative colorimetric, clipped), within 1e-4 (the reader's
 * sRGB encoding table errs by under 5e-6; lcms2's own float arithmetic a
 * little more). */
static void differential(const uint8_t *icc, size_t icc_size, const char *what)
{
    enum { N = 512 };
    cmsHPROFILE in = cmsOpenProfileFromMem(icc, (cmsUInt32Number)icc_size);
    int gray = cmsGetColorSpace(in) == cmsSigGrayData;
    int ch = gray ? 1 : 3;
    cmsHPROFILE out;
    cmsHTRANSFORM t;
    uint16_t s[N * 3];
    double want[N * 3];
    tu_png spec = {N,  1, gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                   16, 0, s};
    st_image_info info;
    st_image *img;
    uint8_t *png;
    size_t size;
    uint64_t r = 12345;

    if (gray) {
        const double sp[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92,
                              0.04045};
        cmsToneCurve *c = cmsBuildParametricToneCurve(NULL, 4, sp);
        out = cmsCreateGrayProfile(cmsD50_xyY(), c);
        cmsFreeToneCurve(c);
    } else {
        out = cmsCreate_sRGBProfile();
    }
    t = cmsCreateTransform(in, gray ? TYPE_GRAY_16 : TYPE_RGB_16, out,
                           gray ? TYPE_GRAY_DBL : TYPE_RGB_DBL,
                           INTENT_RELATIVE_COLORIMETRIC, 0);
    assert_non_null(t);
    for (int i = 0; i < N * ch; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        s[i] = (uint16_t)(r >> 48);
    }
    s[0] = 0, s[ch] = 65535; /* black and white ends */
    cmsDoTransform(t, s, want, N);
    cmsDeleteTransform(t);
    cmsCloseProfile(in);
    cmsCloseProfile(out);
    spec.trns_gray = -1;
    spec.icc = icc;
    spec.icc_size = icc_size;
    png = tu_png_encode(&spec, &size);
    img = tu_decode(png, size, &info);
    assert_int_equal(info.color_source, ST_COLOR_ICC);
    for (int i = 0; i < N * ch; i++) {
        double w = want[i] < 0 ? 0 : want[i] > 1 ? 1 : want[i];
        double got = img->data[i];
        if (fabs(got - w) > 1e-4)
            fail_msg("%s: sample %d (%u): %.6f, lcms2 %.6f", what, i, s[i], got,
                     w);
    }
    st_image_free(img);
    free(png);
}

static void test_lcms2_differential(void **state)
{
    static const char *const generated[] = {"srgb", "adobe-rgb", "display-p3",
                                            "p3-matrix-srgb-clut",
                                            "gray-gamma1"};
    static const char *const files[] = {
        "/usr/share/color/icc/Gray-CIE_L.icc",
        "/usr/share/color/icc/Gray.icc",
        "/usr/share/color/icc/sRGB.icc",
        "/usr/share/color/icc/colord/AdobeRGB1998.icc",
        "/usr/share/color/icc/colord/ProPhotoRGB.icc",
        "/usr/share/color/icc/colord/WideGamutRGB.icc",
        "/usr/share/color/icc/colord/Rec709.icc",
    };
    (void)state;
    for (size_t i = 0; i < sizeof generated / sizeof generated[0]; i++) {
        size_t n;
        uint8_t *icc = tu_icc_profile(generated[i], &n);
        assert_non_null(icc);
        differential(icc, n, generated[i]);
        free(icc);
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        uint8_t *icc = tu_read_file(files[i], &n);
        if (!icc)
            continue; /* package not installed: the generated ones remain */
        differential(icc, n, files[i]);
        free(icc);
    }
}

/* st_color_srgb_to_lab against published CIELAB (D65) values of the sRGB
 * primaries and white (e.g. B. Lindbloom's calculator; scikit-image's
 * rgb2lab gives the same), and the sRGB curve at known points. */
static void test_lab_reference(void **state)
{
    static const double cases[][6] = {
        {1, 0, 0, 53.2408, 80.0925, 67.2032},
        {0, 1, 0, 87.7347, -86.1827, 83.1793},
        {0, 0, 1, 32.2970, 79.1875, -107.8602},
        {1, 1, 1, 100.0, 0.0, 0.0},
        {0, 0, 0, 0.0, 0.0, 0.0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double lab[3];
        st_color_srgb_to_lab(cases[i], lab);
        for (int c = 0; c < 3; c++)
            if (fabs(lab[c] - cases[i][3 + c]) > 0.01)
                fail_msg("case %zu channel %d: %.4f, want %.4f", i, c, lab[c],
                         cases[i][3 + c]);
    }
    assert_float_equal(st_color_srgb_to_linear(0.5), 0.2140411, 1e-6);
    assert_float_equal(st_color_srgb_to_linear(0.04045), 0.04045 / 12.92, 1e-9);
    assert_float_equal(st_color_linear_to_srgb(st_color_srgb_to_linear(0.3)),
                       0.3, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_adobe_rgb),
        cmocka_unit_test(test_png_display_p3),
        cmocka_unit_test(test_png_installed_profiles),
        cmocka_unit_test(test_png_clut_profile),
        cmocka_unit_test(test_lcms2_differential),
        cmocka_unit_test(test_jpeg_adobe_rgb),
        cmocka_unit_test(test_gray_profile),
        cmocka_unit_test(test_mismatched_profile),
        cmocka_unit_test(test_lab_reference),
    };
    return cmocka_run_group_tests_name("icc", tests, NULL, NULL);
}
