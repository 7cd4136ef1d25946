/* skintrack tests — the image type: size checks, orientation, linear light.
 */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core_internal.h"
#include "testutil.h"

static void test_check_size(void **state)
{
    st_error err = {0};
    size_t bytes = 0;
    (void)state;

    assert_int_equal(
        st_image_check_size(4032, 3024, 3, 120000000, &bytes, &err), ST_OK);
    assert_int_equal(bytes, (size_t)4032 * 3024 * 3 * sizeof(float));
    assert_int_equal(st_image_check_size(0, 10, 3, 0, NULL, &err),
                     ST_ERR_INVALID);
    assert_int_equal(st_image_check_size(10, -1, 3, 0, NULL, &err),
                     ST_ERR_INVALID);
    assert_int_equal(st_image_check_size(10, 10, 5, 0, NULL, &err),
                     ST_ERR_INVALID);
    assert_int_equal(
        st_image_check_size(ST_IMAGE_MAX_SIDE + 1, 1, 1, 0, NULL, &err),
        ST_ERR_TOO_LARGE);
    /* 11000 x 11000 = 121 MP: just above the default limit */
    st_error_clear(&err);
    assert_int_equal(
        st_image_check_size(11000, 11000, 3, 120000000, NULL, &err),
        ST_ERR_TOO_LARGE);
    assert_non_null(strstr(err.message, "megapixels"));
    /* the largest sides multiply past 2^32 floats without wrapping */
    if (sizeof(size_t) == 8)
        assert_int_equal(st_image_check_size(ST_IMAGE_MAX_SIDE,
                                             ST_IMAGE_MAX_SIDE, 4, 0, &bytes,
                                             &err),
                         ST_OK);
    assert_int_equal(bytes, (size_t)ST_IMAGE_MAX_SIDE * ST_IMAGE_MAX_SIDE * 4 *
                                sizeof(float));
}

/* st_image_orient moves every pixel where the EXIF spec says. */
static void test_orient(void **state)
{
    enum { W = 4, H = 3, C = 2 };
    st_image *src, *dst;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&src, W, H, C, &err), ST_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            st_image_pixel(src, x, y)[0] = (float)(y * W + x);
            st_image_pixel(src, x, y)[1] = (float)(100 + y * W + x);
        }
    for (int o = 1; o <= 8; o++) {
        assert_int_equal(st_image_orient(&dst, src, o, &err), ST_OK);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int ux, uy, uw, uh;
                tu_exif_upright(o, W, H, y, x, &ux, &uy, &uw, &uh);
                assert_int_equal(dst->width, uw);
                assert_int_equal(dst->height, uh);
                assert_float_equal(st_image_pixel(dst, ux, uy)[0], y * W + x,
                                   0);
                assert_float_equal(st_image_pixel(dst, ux, uy)[1],
                                   100 + y * W + x, 0);
            }
        st_image_free(dst);
    }
    assert_int_equal(st_image_orient(&dst, src, 9, &err), ST_ERR_INVALID);
    assert_null(dst);
    st_image_free(src);
    st_image_free(NULL);
}

/* Linear light from the IEC 61966-2-1 curve; alpha untouched. */
static void test_linearize(void **state)
{
    st_image *img, *lin;
    st_error err = {0};
    (void)state;

    assert_int_equal(st_image_new(&img, 2, 1, 4, &err), ST_OK);
    for (int i = 0; i < 8; i++)
        img->data[i] = (float)i / 7.0f;
    assert_int_equal(st_image_linearize(&lin, img, &err), ST_OK);
    for (int i = 0; i < 8; i++) {
        double c = img->data[i];
        double want = i % 4 == 3     ? c
                      : c <= 0.04045 ? c / 12.92
                                     : pow((c + 0.055) / 1.055, 2.4);
        assert_float_equal(lin->data[i], want, 1e-6);
    }
    st_image_free(img);
    st_image_free(lin);
}

/* Buffers of ST_ALLOC_MAP_MIN bytes and more are mappings of their own in
 * whole 2 MiB pages, zero-filled, 2 MiB aligned, and all given back by
 * st_free_large (also through st_image_free and st_region_free, also
 * when st_image_to_float moves an image's samples); st_free_large frees
 * heap buffers too, a 2 MiB-aligned one included; and when the table of
 * mappings is full the heap serves the rest. */
static void test_large_buffers(void **state)
{
    enum { W = 2400, H = 1800, MANY = 300 };
    const size_t mib2 = (size_t)2 << 20, n8 = (size_t)W * H;
    size_t live0 = st_large_live(), zeros = 0;
    st_image *img;
    st_region *reg;
    st_error err = {0};
    void *p, **many;
    (void)state;
    if (!ST_LARGE_MAPS) /* an AddressSanitizer build: all on the heap */
        skip();
    assert_true(n8 >= ST_ALLOC_MAP_MIN); /* 4.32 MB */
    assert_int_equal(st_image_new_8bit(&img, W, H, 1, &err), ST_OK);
    assert_int_equal((uintptr_t)img->data8 % mib2, 0);
    assert_int_equal(st_large_live() - live0, 3 * mib2); /* 6 MiB */
    for (size_t i = 0; i < n8; i++) {
        zeros += img->data8[i] == 0;
        img->data8[i] = (uint8_t)(i % 251);
    }
    assert_int_equal(zeros, n8);
    assert_int_equal(st_image_to_float(img, &err), ST_OK);
    assert_null(img->data8);
    /* the float samples (17.28 MB: 9 pages) replace the bytes' mapping */
    assert_int_equal(st_large_live() - live0, 9 * mib2);
    for (size_t i = 0; i < n8; i += 9973)
        assert_float_equal(img->data[i], (float)(i % 251) / 255.0f, 0);
    assert_int_equal(st_region_new_empty(&reg, W, H, &err), ST_OK);
    assert_int_equal(st_large_live() - live0, 12 * mib2);
    zeros = 0;
    for (size_t i = 0; i < n8; i++)
        zeros += reg->mask[i] == 0;
    assert_int_equal(zeros, n8);
    st_region_free(reg);
    st_image_free(img);
    assert_int_equal(st_large_live(), live0);

    /* below the threshold, and a heap buffer on a 2 MiB boundary */
    p = st_alloc_large(ST_ALLOC_MAP_MIN - 1, 1);
    assert_non_null(p);
    assert_int_equal(st_unmap_large(p), 0);
    st_free_large(p);
    assert_int_equal(posix_memalign(&p, mib2, 64), 0);
    assert_int_equal(st_unmap_large(p), 0);
    st_free_large(p);
    st_free_large(NULL);
    assert_int_equal(st_large_live(), live0);

    /* more buffers than the table holds (none touched: no memory used) */
    many = calloc(MANY, sizeof *many);
    assert_non_null(many);
    for (int i = 0; i < MANY; i++)
        assert_non_null(many[i] = st_alloc_large(ST_ALLOC_MAP_MIN, 0));
    assert_true(st_large_live() - live0 > 0);
    assert_true(st_large_live() - live0 < MANY * mib2); /* not all mapped */
    for (int i = 0; i < MANY; i++)
        st_free_large(many[MANY - 1 - i]);
    free(many);
    assert_int_equal(st_large_live(), live0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_size),
        cmocka_unit_test(test_orient),
        cmocka_unit_test(test_linearize),
        cmocka_unit_test(test_large_buffers),
    };
    return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
