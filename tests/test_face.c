/* skintrack tests — faces: landmarks, zones, the face's skin.
 *
 * On Debian's public-domain portraits (scikit-image's astronaut, NASA;
 * matplotlib's grace_hopper, US Navy), read at run time (TEST_PKGS has
 * python3-skimage and python3-matplotlib):
 *   - anatomy: brows above eyes above nose tip above mouth above chin, the
 *     subject's left eye on the image's right; forehead above nose above
 *     chin, cheek_right (subject's) left of the nose left of cheek_left;
 *   - +10 and +15 a* painted on the astronaut's left cheek (in CIELAB,
 *     converted back to sRGB by the inverse CIE formulas written here)
 *     keep the zone's area within 10% and raise its mean a* by the
 *     painted amount (within 1; every pixel moved by the amount but a few
 *     that clip at white), so only a change of area could move the mean
 *     otherwise;
 *   - a course whose follow-up has +10 a* on that cheek: its zone keeps
 *     its area and the course's a* rises by what was painted;
 *   - the same face rendered at skin tones from ITA above 55 to below -30
 *     (linear RGB times t^k, k = 1, 1.3, 1.9: melanin absorbs blue most)
 *     keeps its zones (centroids within 5% of the eye distance) and its
 *     skin region (area within 20%);
 *   - a band of hair colour (dark brown, grey) painted across the forehead
 *     is left out of the zone and of the face's skin;
 *   - a photo without a face, a missing model and a file that is not a
 *     model are one-line errors; the environment variable overrides the
 *     default model path.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define ST_PI_TEST 3.14159265358979323846

#define ASTRONAUT "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
#define HOPPER    "/usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg"

static st_face_model *model;

static int setup(void **state)
{
    st_error err = {0};
    (void)state;
    if (st_face_model_load(&model, ST_FACE_MODEL_DEFAULT, &err) != ST_OK) {
        fprintf(stderr, "face model: %s\n", st_error_text(&err));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    st_face_model_free(model);
    return 0;
}

/* The portrait at path as a float image, or NULL (test skipped) if the
 * package that ships it is not installed. */
static st_image *portrait(const char *path)
{
    st_read_options ro;
    st_image *img = NULL;
    st_error err = {0};
    if (access(path, R_OK) != 0)
        return NULL;
    st_read_options_init(&ro);
    assert_int_equal(st_io_read(path, &ro, &img, NULL, &err), ST_OK);
    return img;
}

static double eye_distance(const st_face *f)
{
    double rx = 0, ry = 0, lx = 0, ly = 0;
    for (int i = 0; i < 6; i++) {
        rx += f->x[36 + i] / 6, ry += f->y[36 + i] / 6;
        lx += f->x[42 + i] / 6, ly += f->y[42 + i] / 6;
    }
    return hypot(lx - rx, ly - ry);
}

static double mean_of(const double *v, int a, int b)
{
    double s = 0;
    for (int i = a; i <= b; i++)
        s += v[i];
    return s / (b - a + 1);
}

static void check_anatomy(const char *path)
{
    st_image *img = portrait(path);
    st_region *skin, *z[ST_ZONE_COUNT];
    st_error err = {0};
    st_face f;
    double cx[ST_ZONE_COUNT], cy[ST_ZONE_COUNT];
    if (!img)
        skip();
    assert_int_equal(st_face_find(model, img, &f, &err), ST_OK);
    assert_int_equal(f.faces, 1);
    /* landmarks: brows, eyes, nose tip, mouth, chin from top to bottom */
    assert_true(mean_of(f.y, 17, 26) < mean_of(f.y, 36, 47));
    assert_true(mean_of(f.y, 36, 47) < f.y[30]);
    assert_true(f.y[30] < mean_of(f.y, 48, 59));
    assert_true(mean_of(f.y, 48, 59) < f.y[8]);
    /* the subject's left eye is on the image's right */
    assert_true(mean_of(f.x, 42, 47) > mean_of(f.x, 36, 41));
    for (int i = 0; i < ST_FACE_POINTS; i++) {
        /* every landmark near the detector's box */
        double bw = f.box[2] - f.box[0];
        assert_true(f.x[i] > f.box[0] - 0.2 * bw &&
                    f.x[i] < f.box[2] + 0.2 * bw);
        assert_true(f.y[i] > f.box[1] - 0.3 * bw &&
                    f.y[i] < f.box[3] + 0.2 * bw);
    }
    assert_int_equal(st_face_regions(&f, img, &skin, z, &err), ST_OK);
    for (int i = 0; i < ST_ZONE_COUNT; i++) {
        st_region_centroid(z[i], &cx[i], &cy[i]);
        assert_true(z[i]->count >= 64);
        /* a zone is skin of the face */
        for (size_t k = 0; k < (size_t)img->width * img->height; k++)
            assert_true(!z[i]->mask[k] || skin->mask[k]);
    }
    assert_true(cy[ST_ZONE_FOREHEAD] < cy[ST_ZONE_NOSE]);
    assert_true(cy[ST_ZONE_NOSE] < cy[ST_ZONE_CHIN]);
    assert_true(cx[ST_ZONE_CHEEK_RIGHT] < cx[ST_ZONE_NOSE]);
    assert_true(cx[ST_ZONE_NOSE] < cx[ST_ZONE_CHEEK_LEFT]);
    /* cheeks lie between the eyes' and the mouth's heights */
    for (int c = ST_ZONE_CHEEK_LEFT; c <= ST_ZONE_CHEEK_RIGHT; c++) {
        assert_true(cy[c] > mean_of(f.y, 36, 47));
        assert_true(cy[c] < mean_of(f.y, 48, 59));
    }
    st_region_free(skin);
    for (int i = 0; i < ST_ZONE_COUNT; i++)
        st_region_free(z[i]);
    st_image_free(img);
}

static void test_astronaut(void **state)
{
    (void)state;
    check_anatomy(ASTRONAUT);
}

static void test_grace_hopper(void **state)
{
    (void)state;
    check_anatomy(HOPPER);
}

/* ---- CIELAB -> sRGB, the inverse of the CIE 15 formulas (references) */

static double finv(double t)
{
    return t > 6.0 / 29 ? t * t * t
                        : 3 * (6.0 / 29) * (6.0 / 29) * (t - 4.0 / 29);
}

static void lab_to_srgb(const double lab[3], double rgb[3])
{
    static const double M[3][3] = {{0.4124564, 0.3575761, 0.1804375},
                                   {0.2126729, 0.7151522, 0.0721750},
                                   {0.0193339, 0.1191920, 0.9503041}};
    double fy = (lab[0] + 16) / 116, fx = fy + lab[1] / 500,
           fz = fy - lab[2] / 200;
    double xyz[3] = {0.95047 * finv(fx), finv(fy), 1.08883 * finv(fz)};
    /* solve M rgb = xyz by Cramer's rule */
    double det = 0, lin[3];
    for (int i = 0; i < 3; i++)
        det += M[0][i] * (M[1][(i + 1) % 3] * M[2][(i + 2) % 3] -
                          M[1][(i + 2) % 3] * M[2][(i + 1) % 3]);
    for (int c = 0; c < 3; c++) {
        double A[3][3];
        memcpy(A, M, sizeof A);
        for (int r = 0; r < 3; r++)
            A[r][c] = xyz[r];
        lin[c] = 0;
        for (int i = 0; i < 3; i++)
            lin[c] += A[0][i] * (A[1][(i + 1) % 3] * A[2][(i + 2) % 3] -
                                 A[1][(i + 2) % 3] * A[2][(i + 1) % 3]);
        lin[c] /= det;
        rgb[c] = st_color_linear_to_srgb(lin[c]);
    }
}

/* The mean a* of img over r, and its pixel count. */
static double mean_a(const st_image *img, const st_region *r)
{
    double s = 0;
    for (int y = r->y0; y < r->y1; y++)
        for (int x = r->x0; x < r->x1; x++)
            if (r->mask[(size_t)y * r->width + x]) {
                const float *p = st_image_pixel(img, x, y);
                double rgb[3] = {p[0], p[1], p[2]}, lab[3];
                st_color_srgb_to_lab(rgb, lab);
                s += lab[1];
            }
    return s / (double)r->count;
}

/* A copy of img with add a* painted (in CIELAB) over face f's left-cheek
 * polygon grown 1.3 times about its vertices' mean, so the zone's edge is
 * reddened too; *clipped counts channel values cut at 0 or 1. */
static st_image *redden_cheek(const st_image *img, const st_face *f, double add,
                              int *clipped)
{
    st_image *red;
    st_error err = {0};
    double x[ST_ZONE_MAX_VERTICES], y[ST_ZONE_MAX_VERTICES], mx = 0, my = 0;
    int n =
        st_face_zone_outline(f, ST_ZONE_CHEEK_LEFT, x, y, ST_ZONE_MAX_VERTICES);
    assert_true(n >= 3);
    assert_int_equal(st_image_copy(&red, img, &err), ST_OK);
    *clipped = 0;
    for (int i = 0; i < n; i++)
        mx += x[i] / n, my += y[i] / n;
    for (int py = 0; py < img->height; py++)
        for (int px = 0; px < img->width; px++) {
            float *p = st_image_pixel(red, px, py);
            double rgb[3] = {p[0], p[1], p[2]}, lab[3];
            int in = 0; /* even-odd test */
            for (int i = 0, j = n - 1; i < n; j = i++) {
                double xi = mx + 1.3 * (x[i] - mx), yi = my + 1.3 * (y[i] - my);
                double xj = mx + 1.3 * (x[j] - mx), yj = my + 1.3 * (y[j] - my);
                if ((yi > py) != (yj > py) &&
                    px < xj + (py - yj) * (xi - xj) / (yi - yj))
                    in = !in;
            }
            if (!in)
                continue;
            st_color_srgb_to_lab(rgb, lab);
            lab[1] += add;
            lab_to_srgb(lab, rgb);
            for (int k = 0; k < 3; k++) {
                *clipped += rgb[k] < 0 || rgb[k] > 1;
                p[k] = (float)rgb[k];
            }
        }
    return red;
}

static void check_red_cheek(double add)
{
    st_image *img = portrait(ASTRONAUT), *red;
    st_region *z0[ST_ZONE_COUNT], *z1[ST_ZONE_COUNT];
    st_error err = {0};
    st_face f, g;
    const int c = ST_ZONE_CHEEK_LEFT;
    double a0, a1, painted;
    int clipped;
    if (!img)
        skip();
    assert_int_equal(st_face_find(model, img, &f, &err), ST_OK);
    assert_int_equal(st_face_regions(&f, img, NULL, z0, &err), ST_OK);
    red = redden_cheek(img, &f, add, &clipped);
    /* the brightest pixels clip at white: the truth is what was painted,
     * measured on the pixels themselves, and must be near the amount */
    printf("  %d channel values clipped\n", clipped);
    assert_int_equal(st_face_find(model, red, &g, &err), ST_OK);
    assert_int_equal(st_face_regions(&g, red, NULL, z1, &err), ST_OK);
    a0 = mean_a(img, z0[c]);
    a1 = mean_a(red, z1[c]);
    printf("  +%.0f a*: cheek_left %zu -> %zu px, a* %.2f -> %.2f\n", add,
           z0[c]->count, z1[c]->count, a0, a1);
    assert_true(fabs((double)z1[c]->count - (double)z0[c]->count) <=
                0.10 * (double)z0[c]->count);
    painted = mean_a(red, z1[c]) - mean_a(img, z1[c]);
    assert_true(fabs(a1 - a0 - painted) < 1.0);
    assert_true(fabs(painted - add) < 0.1 * add);
    for (int i = 0; i < ST_ZONE_COUNT; i++) {
        st_region_free(z0[i]);
        st_region_free(z1[i]);
    }
    st_image_free(red);
    st_image_free(img);
}

/* A course: the baseline, then a follow-up whose left cheek is 10 a*
 * redder (both written as 8-bit PNG). Each is measured on its own zones:
 * the follow-up's cheek keeps its area within 10% and its a_star_mean
 * rises by what was painted (measured on the files read back). */
static void test_course_red_followup(void **state)
{
    st_image *img = portrait(HOPPER), *red, *rb[2];
    const char *paths[2] = {tu_path("base.png"), tu_path("follow.png")};
    st_course_options opt;
    st_course_result res[2];
    st_read_options ro;
    st_error err = {0};
    st_face f;
    const int c = ST_ZONE_CHEEK_LEFT;
    double rise, painted;
    size_t n0, n1;
    int clipped;
    (void)state;
    if (!img)
        skip();
    assert_int_equal(st_face_find(model, img, &f, &err), ST_OK);
    red = redden_cheek(img, &f, 10, &clipped);
    assert_int_equal(st_io_write_png(paths[0], img, 8, &err), ST_OK);
    assert_int_equal(st_io_write_png(paths[1], red, 8, &err), ST_OK);
    st_course_options_init(&opt);
    opt.face = model;
    assert_int_equal(st_course_measure(paths, 2, 0, &opt, res, &err), ST_OK);
    assert_int_equal(res[0].status, ST_OK);
    assert_int_equal(res[1].status, ST_OK);
    assert_int_equal(res[1].face->status[c], ST_OK);
    n0 = res[0].face->zones[c]->count, n1 = res[1].face->zones[c]->count;
    rise = res[1].face->metrics[c].redness.a_star_mean -
           res[0].face->metrics[c].redness.a_star_mean;
    st_read_options_init(&ro);
    assert_int_equal(st_io_read(paths[0], &ro, &rb[0], NULL, &err), ST_OK);
    assert_int_equal(st_io_read(paths[1], &ro, &rb[1], NULL, &err), ST_OK);
    assert_int_equal(st_image_to_float(rb[0], &err), ST_OK);
    assert_int_equal(st_image_to_float(rb[1], &err), ST_OK);
    painted = mean_a(rb[1], res[1].face->zones[c]) -
              mean_a(rb[0], res[1].face->zones[c]);
    printf("  course: cheek_left %zu -> %zu px, a* rise %.2f (painted %.2f)\n",
           n0, n1, rise, painted);
    assert_true(fabs((double)n1 - (double)n0) <= 0.10 * (double)n0);
    assert_true(fabs(rise - painted) < 1.0);
    assert_true(painted > 8);
    for (int i = 0; i < 2; i++) {
        st_course_result_clear(&res[i]);
        st_image_free(rb[i]);
    }
    st_image_free(red);
    st_image_free(img);
}

static void test_red_cheek_10(void **state)
{
    (void)state;
    check_red_cheek(10);
}

static void test_red_cheek_15(void **state)
{
    (void)state;
    check_red_cheek(15);
}

/* ITA of the face's skin in img (Chardon 1991), from mean L* and b*. */
static double ita(const st_image *img, const st_region *r)
{
    double L = 0, b = 0;
    for (int y = r->y0; y < r->y1; y++)
        for (int x = r->x0; x < r->x1; x++)
            if (r->mask[(size_t)y * r->width + x]) {
                const float *p = st_image_pixel(img, x, y);
                double rgb[3] = {p[0], p[1], p[2]}, lab[3];
                st_color_srgb_to_lab(rgb, lab);
                L += lab[0], b += lab[2];
            }
    L /= (double)r->count, b /= (double)r->count;
    return atan2(L - 50, b) * 180 / ST_PI_TEST;
}

static void test_skin_tones(void **state)
{
    /* t = 1.3 lightens (clipped where it would pass white), the rest darken;
     * the astronaut's own skin is ITA 57 */
    static const double ts[] = {1.3, 1.0, 0.45, 0.2, 0.1};
    st_image *img = portrait(ASTRONAUT);
    st_region *skin0, *z0[ST_ZONE_COUNT];
    st_error err = {0};
    st_face f0;
    double d, lo = 1e9, hi = -1e9, moved = 0, area = 0;
    (void)state;
    if (!img)
        skip();
    assert_int_equal(st_face_find(model, img, &f0, &err), ST_OK);
    assert_int_equal(st_face_regions(&f0, img, &skin0, z0, &err), ST_OK);
    d = eye_distance(&f0);
    for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++) {
        static const double e[3] = {1.0, 1.3, 1.9};
        st_image *t;
        st_region *skin, *z[ST_ZONE_COUNT];
        st_face f;
        double it;
        assert_int_equal(st_image_copy(&t, img, &err), ST_OK);
        for (int y = 0; y < t->height; y++)
            for (int x = 0; x < t->width; x++) {
                float *p = st_image_pixel(t, x, y);
                for (int c = 0; c < 3; c++) {
                    double v = st_color_srgb_to_linear(p[c]) * pow(ts[k], e[c]);
                    p[c] = (float)st_color_linear_to_srgb(v > 1 ? 1 : v);
                }
            }
        assert_int_equal(st_face_find(model, t, &f, &err), ST_OK);
        assert_int_equal(st_face_regions(&f, t, &skin, z, &err), ST_OK);
        it = ita(t, skin);
        lo = fmin(lo, it), hi = fmax(hi, it);
        printf("  tone t=%.2f: ITA %.1f deg, skin %zu px (baseline %zu)\n",
               ts[k], it, skin->count, skin0->count);
        area = fmax(area, fabs((double)skin->count - (double)skin0->count) /
                              (double)skin0->count);
        for (int i = 0; i < ST_ZONE_COUNT; i++) {
            double ax, ay, bx, by;
            st_region_centroid(z0[i], &ax, &ay);
            st_region_centroid(z[i], &bx, &by);
            printf("    %s %zu px, centroid moved %.2f px\n", st_zone_name(i),
                   z[i]->count, hypot(bx - ax, by - ay));
            moved = fmax(moved, hypot(bx - ax, by - ay));
            st_region_free(z[i]);
        }
        st_region_free(skin);
        st_image_free(t);
    }
    printf("  eye distance %.1f px\n", d);
    assert_true(area <= 0.20);
    assert_true(moved < 0.05 * d);
    /* the range asked for: from above 55 (very light) to below -30 (dark) */
    assert_true(hi > 55);
    assert_true(lo < -30);
    st_region_free(skin0);
    for (int i = 0; i < ST_ZONE_COUNT; i++)
        st_region_free(z0[i]);
    st_image_free(img);
}

/* Hair over the forehead: a band of hair colour painted across the
 * forehead zone's middle (dark brown L* 25, a* 5, b* 10; grey L* 60, a* 1,
 * b* 4) is left out of the zone and of the face's skin, while the zone
 * keeps the skin above and below it. */
static void check_hair(double L, double A, double B)
{
    st_image *img = portrait(HOPPER), *t;
    st_region *skin, *z[ST_ZONE_COUNT];
    st_error err = {0};
    st_face f;
    double x[ST_ZONE_MAX_VERTICES], y[ST_ZONE_MAX_VERTICES], y0 = 1e9,
                                                             y1 = -1e9;
    size_t band = 0, in_zone = 0, in_skin = 0;
    int n;
    if (!img)
        skip();
    assert_int_equal(st_face_find(model, img, &f, &err), ST_OK);
    n = st_face_zone_outline(&f, ST_ZONE_FOREHEAD, x, y, ST_ZONE_MAX_VERTICES);
    for (int i = 0; i < n; i++)
        y0 = fmin(y0, y[i]), y1 = fmax(y1, y[i]);
    assert_int_equal(st_image_copy(&t, img, &err), ST_OK);
    {
        double lab[3] = {L, A, B}, rgb[3];
        int ya = (int)(y0 + 0.35 * (y1 - y0)),
            yb = (int)(y0 + 0.65 * (y1 - y0));
        lab_to_srgb(lab, rgb);
        for (int py = ya; py < yb; py++)
            for (int px = 0; px < t->width; px++)
                for (int c = 0; c < 3; c++)
                    st_image_pixel(t, px, py)[c] = (float)rgb[c];
        assert_int_equal(st_face_find(model, t, &f, &err), ST_OK);
        assert_int_equal(st_face_regions(&f, t, &skin, z, &err), ST_OK);
        for (int py = ya; py < yb; py++)
            for (int px = 0; px < t->width; px++) {
                size_t i = (size_t)py * t->width + px;
                band++;
                in_zone += z[ST_ZONE_FOREHEAD]->mask[i] != 0;
                in_skin += skin->mask[i] != 0;
            }
    }
    printf("  hair L*%.0f a*%.0f b*%.0f: %zu of %zu band px in the skin, %zu "
           "in the forehead (%zu px left)\n",
           L, A, B, in_skin, band, in_zone, z[ST_ZONE_FOREHEAD]->count);
    assert_int_equal(in_zone, 0);
    assert_true(in_skin == 0);
    assert_true(z[ST_ZONE_FOREHEAD]->count >= 64);
    st_region_free(skin);
    for (int i = 0; i < ST_ZONE_COUNT; i++)
        st_region_free(z[i]);
    st_image_free(t);
    st_image_free(img);
}

static void test_hair_dark(void **state)
{
    (void)state;
    check_hair(25, 5, 10);
}

static void test_hair_grey(void **state)
{
    (void)state;
    check_hair(60, 1, 4);
}

static void test_no_face(void **state)
{
    st_image *img;
    st_error err = {0};
    st_face f;
    (void)state;
    /* a smooth gradient: no face anywhere */
    assert_int_equal(st_image_new(&img, 640, 480, 3, &err), ST_OK);
    for (int y = 0; y < 480; y++)
        for (int x = 0; x < 640; x++) {
            float *p = st_image_pixel(img, x, y);
            p[0] = p[1] = p[2] = (float)(0.2 + 0.6 * x / 640.0);
        }
    assert_int_equal(st_face_find(model, img, &f, &err), ST_ERR_INVALID);
    assert_string_equal(st_error_text(&err), "no face found");
    st_image_free(img);
}

static void test_model_errors(void **state)
{
    st_face_model *m = (st_face_model *)1;
    st_error err = {0};
    const char *bad = tu_path("not-a-model.dat");
    (void)state;
    assert_int_equal(st_face_model_load(&m, "/nonexistent/face.dat", &err),
                     ST_ERR_IO);
    assert_null(m);
    assert_non_null(strstr(st_error_text(&err), "/nonexistent/face.dat"));
    assert_null(strchr(st_error_text(&err), '\n'));
    /* a file that is no model: dlib's exception becomes a status */
    assert_int_equal(tu_write_file(bad, "not a shape predictor\n", 22), 0);
    st_error_clear(&err);
    assert_int_equal(st_face_model_load(&m, bad, &err), ST_ERR_FORMAT);
    assert_null(m);
    assert_non_null(strstr(st_error_text(&err), "not-a-model.dat"));
    assert_null(strchr(st_error_text(&err), '\n'));
    /* the override: argument, then environment, then the default */
    assert_int_equal(setenv(ST_FACE_MODEL_ENV, bad, 1), 0);
    assert_string_equal(st_face_model_path(NULL), bad);
    assert_string_equal(st_face_model_path("x.dat"), "x.dat");
    assert_int_equal(st_face_model_load(&m, NULL, &err), ST_ERR_FORMAT);
    assert_int_equal(unsetenv(ST_FACE_MODEL_ENV), 0);
    assert_string_equal(st_face_model_path(NULL), ST_FACE_MODEL_DEFAULT);
}

static void test_transparent_and_centroid(void **state)
{
    st_image *img;
    st_region *r;
    st_error err = {0};
    double cx, cy;
    (void)state;
    /* RGBA 40 x 30: alpha 0 on columns 0-19, 1 on 20-39 */
    assert_int_equal(st_image_new(&img, 40, 30, 4, &err), ST_OK);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            st_image_pixel(img, x, y)[3] = x < 20 ? 0.0f : 1.0f;
    assert_int_equal(st_region_full(&r, 40, 30, &err), ST_OK);
    assert_int_equal(st_region_drop_transparent(r, img, &err), ST_OK);
    assert_int_equal(r->count, 20 * 30);
    assert_int_equal(r->x0, 20);
    st_region_centroid(r, &cx, &cy);
    assert_true(fabs(cx - 29.5) < 1e-9); /* mean of 20..39 */
    assert_true(fabs(cy - 14.5) < 1e-9); /* mean of 0..29 */
    st_region_free(r);
    st_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_errors),
        cmocka_unit_test(test_transparent_and_centroid),
        cmocka_unit_test(test_no_face),
        cmocka_unit_test(test_astronaut),
        cmocka_unit_test(test_grace_hopper),
        cmocka_unit_test(test_red_cheek_10),
        cmocka_unit_test(test_red_cheek_15),
        cmocka_unit_test(test_course_red_followup),
        cmocka_unit_test(test_skin_tones),
        cmocka_unit_test(test_hair_dark),
        cmocka_unit_test(test_hair_grey),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
