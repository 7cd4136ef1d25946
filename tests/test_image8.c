/* skintrack tests — 8-bit images (st_read_options.keep_8bit).
 *
 * An 8-bit image stands for byte / 255.0f. Read with keep_8bit, a plain
 * 8-bit JPEG must give exactly the samples the float reader gives, in
 * every EXIF orientation; a file whose colours need converting (CMYK, an
 * ICC profile) still comes back as floats. Everything measured from an
 * 8-bit photo (registration, CIELAB, every metric, the skin mask, the
 * written files) must be bit for bit what the float photo gives: the
 * 8-bit form saves memory, never changes a number.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static uint64_t seed = 77;

static unsigned rnd(void)
{
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(seed >> 33);
}

/* Reads data both ways: *f as floats, *b with keep_8bit. */
static void read_both(const uint8_t *data, size_t size, st_image **f,
                      st_image **b)
{
    st_read_options opt;
    st_error err = {0};
    st_read_options_init(&opt);
    assert_int_equal(opt.keep_8bit, 0);
    assert_int_equal(st_io_read_memory(data, size, &opt, f, NULL, &err), ST_OK);
    opt.keep_8bit = 1;
    assert_int_equal(st_io_read_memory(data, size, &opt, b, NULL, &err), ST_OK);
}

/* Every sample of b (8-bit) is byte / 255.0f = the float sample of f. */
static void same_samples(const st_image *f, const st_image *b)
{
    float *buf = malloc((size_t)b->width * (size_t)b->channels * sizeof *buf);
    assert_non_null(f->data);
    assert_null(f->data8);
    assert_non_null(b->data8);
    assert_null(b->data);
    assert_int_equal(f->width, b->width);
    assert_int_equal(f->height, b->height);
    assert_int_equal(f->channels, b->channels);
    for (int y = 0; y < f->height; y++) {
        const float *r = st_image_row(b, 0, y, b->width, buf);
        const uint8_t *q = st_image_pixel8(b, 0, y);
        const float *p = st_image_pixel(f, 0, y);
        assert_ptr_equal(r, buf);
        for (int i = 0; i < f->width * f->channels; i++) {
            if (p[i] != q[i] / 255.0f || r[i] != p[i])
                fail_msg("(%d, %d) sample %d: float %.9g, byte %d",
                         i / f->channels, y, i % f->channels, p[i], q[i]);
        }
    }
    free(buf);
}

static void test_jpeg_same_samples(void **state)
{
    enum { W = 37, H = 23 };
    uint8_t px[W * H * 3], exif[256];
    (void)state;
    for (int i = 0; i < W * H * 3; i++)
        px[i] = (uint8_t)rnd();
    for (int comps = 1; comps <= 3; comps += 2)
        for (int o = 1; o <= 8; o++) {
            tu_jpeg spec = {W, H, comps, px, 90, o & 1, 0, NULL, 0, exif, 0};
            st_image *f, *b;
            size_t size;
            uint8_t *jpg;
            spec.exif_size =
                tu_exif_build(exif, sizeof exif, o, NULL, NULL, o & 2, 1);
            jpg = tu_jpeg_encode(&spec, &size);
            assert_non_null(jpg);
            read_both(jpg, size, &f, &b);
            same_samples(f, b);
            if (o >= 5)
                assert_int_equal(b->width, H);
            st_image_free(f);
            st_image_free(b);
            free(jpg);
        }
}

/* CMYK and profiled JPEGs are converted in float: keep_8bit gives floats. */
static void test_converted_stay_float(void **state)
{
    enum { W = 16, H = 16 };
    uint8_t px[W * H * 4];
    size_t isize, size;
    uint8_t *icc = tu_icc_profile("display-p3", &isize), *jpg;
    st_image *f, *b;
    (void)state;
    for (int i = 0; i < W * H * 4; i++)
        px[i] = (uint8_t)rnd();
    {
        tu_jpeg spec = {W, H, 4, px, 95, 0, 0, NULL, 0, NULL, 0};
        jpg = tu_jpeg_encode(&spec, &size);
        read_both(jpg, size, &f, &b);
        assert_non_null(b->data);
        assert_null(b->data8);
        assert_memory_equal(f->data, b->data,
                            (size_t)W * H * 3 * sizeof(float));
        st_image_free(f);
        st_image_free(b);
        free(jpg);
    }
    {
        tu_jpeg spec = {W, H, 3, px, 95, 0, 0, icc, isize, NULL, 0};
        assert_non_null(icc);
        jpg = tu_jpeg_encode(&spec, &size);
        read_both(jpg, size, &f, &b);
        assert_non_null(b->data);
        assert_null(b->data8);
        st_image_free(f);
        st_image_free(b);
        free(jpg);
    }
    free(icc);
}

/* new_8bit, copy, orient, linearize and to_float keep or give the values
 * an 8-bit image stands for. */
static void test_image_functions(void **state)
{
    enum { W = 5, H = 3 };
    st_image *b, *c, *o, *l, *fo;
    st_error err = {0};
    (void)state;
    assert_int_equal(st_image_new_8bit(&b, W, H, 3, &err), ST_OK);
    assert_null(b->data);
    assert_int_equal(b->stride, W * 3);
    for (int i = 0; i < W * H * 3; i++)
        b->data8[i] = (uint8_t)(i * 17);
    assert_int_equal(st_image_copy(&c, b, &err), ST_OK);
    assert_non_null(c->data8);
    assert_memory_equal(c->data8, b->data8, W * H * 3);
    assert_int_equal(st_image_linearize(&l, b, &err), ST_OK);
    assert_non_null(l->data);
    assert_float_equal(l->data[4], st_color_srgb_to_linear(4 * 17 / 255.0f),
                       1e-6);
    /* orientation 6 of the 8-bit image = orientation 6 of its floats */
    assert_int_equal(st_image_orient(&o, b, 6, &err), ST_OK);
    assert_non_null(o->data8);
    assert_int_equal(o->width, H);
    assert_int_equal(st_image_to_float(c, &err), ST_OK);
    assert_null(c->data8);
    for (int i = 0; i < W * H * 3; i++)
        assert_true(c->data[i] == (float)(i * 17 % 256) / 255.0f);
    assert_int_equal(st_image_orient(&fo, c, 6, &err), ST_OK);
    assert_int_equal(st_image_to_float(o, &err), ST_OK);
    assert_memory_equal(o->data, fo->data, W * H * 3 * sizeof(float));
    assert_int_equal(st_image_to_float(o, &err), ST_OK); /* no-op */
    st_image_free(b);
    st_image_free(c);
    st_image_free(l);
    st_image_free(o);
    st_image_free(fo);
}

/* Two photos of the synthetic course as JPEGs, read both ways. */
static void course_pair(st_image *f[2], st_image *b[2])
{
    st_synth_options so;
    st_synth *syn;
    st_error err = {0};
    st_synth_options_init(&so);
    so.width = 640;
    assert_int_equal(st_synth_new(&syn, &so, &err), ST_OK);
    for (int k = 0; k < 2; k++) {
        st_image *img;
        unsigned char *jpg;
        size_t size;
        assert_int_equal(st_synth_render(syn, (size_t)(k ? 4 : 0), &img, &err),
                         ST_OK);
        assert_int_equal(st_io_encode_jpeg(img, 92, &jpg, &size, &err), ST_OK);
        read_both(jpg, size, &f[k], &b[k]);
        same_samples(f[k], b[k]);
        st_image_free(img);
        free(jpg);
    }
    st_synth_free(syn);
}

/* Every metric column equal, bit for bit (or both unavailable). */
static void same_metrics(const st_metrics *x, const st_metrics *y)
{
    for (int i = 0; i < ST_METRICS_COUNT; i++) {
        double u = st_metrics_value(x, i), v = st_metrics_value(y, i);
        if (!(u == v || (isnan(u) && isnan(v))))
            fail_msg("%s: float photo %.17g, 8-bit photo %.17g",
                     st_metrics_name(i), u, v);
    }
}

/* compare, the skin mask and the encoders: the same, bit for bit. */
static void test_measures_identical(void **state)
{
    st_image *f[2], *b[2];
    st_compare_result rf, rb;
    st_region *sf, *sb;
    st_metrics_options mo;
    st_error err = {0};
    unsigned char *jf, *jb;
    size_t nf, nb;
    (void)state;

    course_pair(f, b);
    st_metrics_options_init(&mo);
    assert_int_equal(st_compare(f[0], f[1], NULL, NULL, &mo, &rf, &err), ST_OK);
    assert_int_equal(st_compare(b[0], b[1], NULL, NULL, &mo, &rb, &err), ST_OK);
    assert_true(rf.registered);
    assert_memory_equal(rf.align.transform.m, rb.align.transform.m,
                        sizeof rf.align.transform.m);
    assert_true(rf.align.confidence == rb.align.confidence);
    same_metrics(&rf.before, &rb.before);
    same_metrics(&rf.after, &rb.after);
    assert_true(rf.before.pores.count > 0);

    assert_int_equal(st_skin_region(&sf, f[0], &err), ST_OK);
    assert_int_equal(st_skin_region(&sb, b[0], &err), ST_OK);
    assert_int_equal(sf->count, sb->count);
    assert_memory_equal(sf->mask, sb->mask,
                        (size_t)f[0]->width * (size_t)f[0]->height);

    assert_int_equal(st_io_encode_jpeg(f[1], 90, &jf, &nf, &err), ST_OK);
    assert_int_equal(st_io_encode_jpeg(b[1], 90, &jb, &nb, &err), ST_OK);
    assert_int_equal(nf, nb);
    assert_memory_equal(jf, jb, nf);

    st_compare_clear(&rf);
    st_compare_clear(&rb);
    st_region_free(sf);
    st_region_free(sb);
    free(jf);
    free(jb);
    for (int k = 0; k < 2; k++) {
        st_image_free(f[k]);
        st_image_free(b[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jpeg_same_samples),
        cmocka_unit_test(test_converted_stay_float),
        cmocka_unit_test(test_image_functions),
        cmocka_unit_test(test_measures_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
