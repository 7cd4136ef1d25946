/* skintrack tests — registration accuracy and honesty.
 *
 * Each case cuts a 1600 x 1200 (1.9 megapixel) reference and a moving photo
 * from the same skin phantom (tests/phantom.c) through a known similarity
 * transform, changes the moving photo as a later visit would (exposure,
 * white balance, redness, noise, JPEG quality 80, another crop), and
 * requires the RMS endpoint error of the estimated map over the overlap to
 * be at most 0.1 px, the bar (a rotation error of 0.01 degrees
 * alone moves the image corners by 0.17 px). Unrelated pairs must come out
 * low_confidence.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phantom.h"
#include "testutil.h"

#define RW         1600
#define RH         1200
#define OX         500
#define OY         500
#define MAX_RMS_PX 0.1

static st_image *canvas, *canvas2;

static int make_canvases(void **state)
{
    (void)state;
    canvas = ph_canvas(2600, 2200, 1);
    canvas2 = ph_canvas(2600, 2200, 2);
    return canvas && canvas2 ? 0 : -1;
}

static int free_canvases(void **state)
{
    (void)state;
    st_image_free(canvas);
    st_image_free(canvas2);
    st_fft_cleanup();
    return 0;
}

typedef struct change {
    double rot, scale, dx, dy; /* truth, about the reference centre */
    double exposure;           /* 1: none */
    int white_balance;         /* R x1.06, B x0.92 */
    double red;                /* redness patches: R up, G down by this */
    double noise;              /* standard deviation, sRGB units */
    int jpeg;                  /* quality of a JPEG round trip, 0: none */
    int mw, mh;                /* moving size, 0: as the reference */
    int translation_only;
} change;

static st_align_result run_case(const change *c, double *rms)
{
    int mw = c->mw ? c->mw : RW, mh = c->mh ? c->mh : RH;
    const double wb[3] = {1.06, 1.0, 0.92};
    st_transform truth;
    st_image *ref, *mov;
    st_align_options opt;
    st_align_result r;
    st_error err = {0};

    st_transform_similarity(&truth, (RW - 1) / 2.0, (RH - 1) / 2.0, c->dx,
                            c->dy, c->rot, c->scale);
    ref = ph_photo(canvas, NULL, OX, OY, RW, RH);
    mov = ph_photo(canvas, &truth, OX, OY, mw, mh);
    if (c->exposure != 1 || c->white_balance)
        ph_expose(mov, c->exposure, c->white_balance ? wb : NULL);
    if (c->red > 0) {
        /* the a* the patches add at their centre, so the case is the
         * 5-10 a* of inflamed skin it claims to be */
        double before[3], after[3], lb[3], la[3];
        for (int k = 0; k < 3; k++)
            before[k] = st_image_pixel(mov, mw * 35 / 100, mh * 40 / 100)[k];
        ph_redden(mov, mw * 0.35, mh * 0.4, 160, c->red);
        ph_redden(mov, mw * 0.7, mh * 0.65, 110, c->red);
        for (int k = 0; k < 3; k++)
            after[k] = st_image_pixel(mov, mw * 35 / 100, mh * 40 / 100)[k];
        st_color_srgb_to_lab(before, lb);
        st_color_srgb_to_lab(after, la);
        if (!(la[1] - lb[1] >= 5 && la[1] - lb[1] <= 10))
            fail_msg("redness patch adds %.2f a*, not 5-10", la[1] - lb[1]);
    }
    if (c->noise > 0)
        ph_noise(mov, c->noise, 99);
    if (c->jpeg) {
        ref = ph_jpeg(ref, c->jpeg, tu_path("ref.jpg"));
        mov = ph_jpeg(mov, c->jpeg, tu_path("mov.jpg"));
    }
    st_align_options_init(&opt);
    opt.translation_only = c->translation_only;
    assert_int_equal(st_align_estimate(ref, mov, &opt, &r, &err), ST_OK);
    *rms = ph_rms_error(&r.transform, &truth, RW, RH, mw, mh);
    print_message("rot %6.2f scale %.3f shift %6.1f,%6.1f: rms %.4f px, "
                  "confidence %.3f, overlap %.0f%%, %s, %s from %s, "
                  "residual %.3f / %.3f px\n",
                  c->rot, c->scale, c->dx, c->dy, *rms, r.confidence,
                  r.overlap_pct, st_align_status_name(r.status),
                  st_align_model_name(r.model), r.candidate, r.residual_px,
                  r.residual_p95_px);
    st_image_free(ref);
    st_image_free(mov);
    return r;
}

static void expect_aligned(const change *c)
{
    double rms;
    st_align_result r = run_case(c, &rms);
    assert_int_equal(r.status, ST_ALIGN_OK);
    if (!(rms <= MAX_RMS_PX))
        fail_msg("RMS endpoint error %.4f px > %.2f", rms, MAX_RMS_PX);
}

/* Geometry alone, from nothing to the largest asked for. */
static void test_geometry(void **state)
{
    static const change cases[] = {
        {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        {0.05, 1.0005, 0.3, -0.2, 1, 0, 0, 0, 0, 0, 0, 0},
        {20, 1.25, 100, 50, 1, 0, 0, 0, 0, 0, 0, 0},
        {-20, 0.8, -240, 100, 1, 0, 0, 0, 0, 0, 0, 0},
        {-12, 1.15, 240, -180, 1, 0, 0, 0, 0, 0, 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_aligned(&cases[i]);
}

/* What changes between visits must not pull the estimate. */
static void test_photo_changes(void **state)
{
    static const change cases[] = {
        /* exposure down, white balance */
        {7, 1.05, 60, -40, 0.8, 1, 0, 0, 0, 0, 0, 0},
        /* exposure up */
        {-4, 0.96, -80, 30, 1.2, 0, 0, 0, 0, 0, 0, 0},
        /* redness patches (a* +5 to +10, checked in run_case) and noise */
        {10, 1.1, 150, -80, 1, 0, 0.1, 0.02, 0, 0, 0, 0},
        /* redness patches alone, stronger */
        {-6, 0.97, -90, 60, 1, 0, 0.12, 0, 0, 0, 0, 0},
        /* JPEG quality 80 on both, noise */
        {-5, 0.95, 60, 40, 1, 0, 0, 0.01, 80, 0, 0, 0},
        /* a different crop: about 60% overlap */
        {3, 1.03, 200, 120, 1, 0, 0, 0, 0, 1300, 1000, 0},
        /* everything at once */
        {-15, 1.2, -100, -60, 0.85, 1, 0.08, 0.015, 80, 1400, 1100, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_aligned(&cases[i]);
}

static void test_translation_only(void **state)
{
    change c = {0, 1, 37.3, -21.7, 1.1, 1, 0, 0.01, 0, 0, 0, 1};
    double rms;
    st_align_result r;
    (void)state;
    r = run_case(&c, &rms);
    assert_int_equal(r.status, ST_ALIGN_OK);
    assert_float_equal(r.rotation_deg, 0, 1e-9);
    assert_float_equal(r.scale, 1, 1e-9);
    assert_true(rms <= MAX_RMS_PX);
}

/* Photos that do not show the same skin: never a false "ok". */
static void test_unrelated(void **state)
{
    st_image *ref = ph_photo(canvas, NULL, OX, OY, RW, RH);
    st_image *other = ph_photo(canvas2, NULL, OX, OY, RW, RH);
    st_image *flat, *noise;
    st_transform t;
    st_align_result r;
    st_error err = {0};
    (void)state;

    st_transform_similarity(&t, 800, 600, 40, 30, 8, 1.1);
    assert_int_equal(st_align_estimate(ref, other, NULL, &r, &err), ST_OK);
    print_message("other skin: confidence %.3f\n", r.confidence);
    assert_int_equal(r.status, ST_ALIGN_LOW_CONFIDENCE);

    st_image_free(other);
    other = ph_photo(canvas2, &t, 900, 800, 1400, 1000);
    assert_int_equal(st_align_estimate(ref, other, NULL, &r, &err), ST_OK);
    print_message("other skin, turned: confidence %.3f\n", r.confidence);
    assert_int_equal(r.status, ST_ALIGN_LOW_CONFIDENCE);

    assert_int_equal(st_image_new(&flat, 800, 600, 3, &err), ST_OK);
    for (size_t i = 0; i < (size_t)800 * 600 * 3; i++)
        flat->data[i] = 0.5f;
    assert_int_equal(st_align_estimate(ref, flat, NULL, &r, &err), ST_OK);
    print_message("flat grey: confidence %.3f\n", r.confidence);
    assert_int_equal(r.status, ST_ALIGN_LOW_CONFIDENCE);

    assert_int_equal(st_image_copy(&noise, flat, &err), ST_OK);
    ph_noise(noise, 0.1, 7);
    assert_int_equal(st_align_estimate(ref, noise, NULL, &r, &err), ST_OK);
    print_message("noise: confidence %.3f\n", r.confidence);
    assert_int_equal(r.status, ST_ALIGN_LOW_CONFIDENCE);

    st_image_free(ref);
    st_image_free(other);
    st_image_free(flat);
    st_image_free(noise);
}

/* A photo whose two parts moved differently (as skin does when a face
 * changes expression): no single map fits both, and the residual must say
 * so in pixels. The right 40% of the moving photo is shifted 4 px further
 * than the rest. A smooth map cannot follow the 4 px jump at the seam, so
 * on one side of it the patches are at least 2 px off; the grid has 8
 * columns, so the column on that side next to the seam is 1/8 (> 5%) of
 * the patches, and the 95th percentile must exceed the 1.5 px bound: the
 * result is low_confidence with a note naming the residual. */
static void test_residual_sees_deformation(void **state)
{
    st_image *ref = ph_photo(canvas, NULL, OX, OY, RW, RH), *mov, *part;
    st_transform t1, t2;
    st_align_result r;
    st_error err = {0};
    int x0 = RW * 3 / 5;
    (void)state;

    st_transform_similarity(&t1, (RW - 1) / 2.0, (RH - 1) / 2.0, 20, 10, 3,
                            1.02);
    st_transform_similarity(&t2, (RW - 1) / 2.0, (RH - 1) / 2.0, 24, 10, 3,
                            1.02);
    mov = ph_photo(canvas, &t1, OX, OY, RW, RH);
    part = ph_photo(canvas, &t2, OX, OY, RW, RH);
    for (int y = 0; y < RH; y++)
        for (int x = x0; x < RW; x++)
            for (int c = 0; c < 3; c++)
                st_image_pixel(mov, x, y)[c] = st_image_pixel(part, x, y)[c];
    assert_int_equal(st_align_estimate(ref, mov, NULL, &r, &err), ST_OK);
    print_message("two-part photo: residual %.3f / %.3f px (%d patches), "
                  "confidence %.3f, %s: %s\n",
                  r.residual_px, r.residual_p95_px, r.residual_patches,
                  r.confidence, st_align_status_name(r.status), r.note);
    assert_true(r.residual_p95_px > ST_ALIGN_MAX_RESIDUAL_PX);
    assert_int_equal(r.status, ST_ALIGN_LOW_CONFIDENCE);
    assert_non_null(strstr(r.note, "residual"));
    st_image_free(ref);
    st_image_free(mov);
    st_image_free(part);
}

/* Tiny images are refused with an error rather than guessed at. */
static void test_too_small(void **state)
{
    st_image *a, *b;
    st_align_result r;
    st_error err = {0};
    (void)state;
    assert_int_equal(st_image_new(&a, 12, 40, 3, &err), ST_OK);
    assert_int_equal(st_image_new(&b, 40, 40, 3, &err), ST_OK);
    assert_int_equal(st_align_estimate(a, b, NULL, &r, &err), ST_ERR_INVALID);
    st_image_free(a);
    st_image_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_photo_changes),
        cmocka_unit_test(test_translation_only),
        cmocka_unit_test(test_unrelated),
        cmocka_unit_test(test_residual_sees_deformation),
        cmocka_unit_test(test_too_small),
    };
    return cmocka_run_group_tests_name("align", tests, make_canvases,
                                       free_canvases);
}
