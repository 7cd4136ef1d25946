/* skintrack tests — a failure is returned with its cause, never turned
 * into a number.
 *
 * This binary is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
 * and --wrap=mmap,--wrap=posix_memalign (Makefile), so every allocation
 * libskintrack.a makes (mmap: st_alloc_large's large buffers) goes through
 * the counter below (not those FFTW, VLFeat or libpng make inside their
 * shared libraries). A call is run once to count its allocations and keep its
 * result, then again with allocation k failing, for k spread over that
 * count: each run must either fail with ST_ERR_NOMEM and a cause that says
 * so, or succeed with exactly the clean run's result. A success with
 * another result is an out-of-memory turned into a measurement (as align
 * did: its robust fit's out-of-memory came back as low_confidence).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include <cmocka.h>

#include "core/core_internal.h"
#include "phantom.h"
#include "testutil.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
int __real_posix_memalign(void **p, size_t align, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);

/* Allocations counted while armed; fail_at > 0 fails that one. */
static long counted, fail_at;
static int armed;

static int fails_now(void)
{
    if (!armed)
        return 0;
    return ++counted == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return fails_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fails_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fails_now() ? NULL : __real_realloc(p, n);
}

/* The library's mmap calls (its large buffers) count as allocations too;
 * while maps_armed, they are also counted apart and map_fail_at fails,
 * and with heap_too the heap's buffer that st_alloc_large then asks for
 * (posix_memalign) fails as well. */
static long maps, map_fail_at;
static int maps_armed, heap_too, heap_fails_next;

void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
    if (fails_now())
        return MAP_FAILED;
    if (maps_armed && ++maps == map_fail_at) {
        heap_fails_next = heap_too;
        return MAP_FAILED;
    }
    return __real_mmap(a, n, prot, flags, fd, off);
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
    if (fails_now() || heap_fails_next) {
        heap_fails_next = 0;
        return 12; /* ENOMEM */
    }
    return __real_posix_memalign(p, align, n);
}

static void arm(long k)
{
    counted = 0;
    fail_at = k;
    armed = 1;
}

static long disarm(void)
{
    armed = 0;
    return counted;
}

/* At most this many runs with a failure per call: every allocation when
 * there are fewer, else an even spread that includes the first and last
 * and every one of the first 64 (the setup allocations). */
enum { MAX_RUNS = 120 };

static long next_k(long k, long total)
{
    long step = total <= MAX_RUNS ? 1 : (total - 64) / (MAX_RUNS - 64) + 1;
    if (k < 64 || step == 1)
        return k + 1;
    return k + step <= total || k == total ? k + step : total;
}

/* A run with a failed allocation: ST_ERR_NOMEM with a cause that says
 * memory, or ST_OK (then the caller compares the result). */
static int failed_cleanly(st_status s, const st_error *err, long k)
{
    if (s == ST_OK)
        return 0;
    if (s != ST_ERR_NOMEM || !strstr(st_error_text(err), "memory"))
        fail_msg("allocation %ld failed: status %s, cause '%s'", k,
                 st_strerror(s), st_error_text(err));
    return 1;
}

/* ---- registration ---- */

static int same_alignment(const st_align_result *a, const st_align_result *b)
{
    return memcmp(&a->transform, &b->transform, sizeof a->transform) == 0 &&
           a->status == b->status && a->confidence == b->confidence &&
           a->model == b->model && a->inliers == b->inliers;
}

/* A w x h photo of canvas at (200, 200) (*ref) and the same moved by t
 * (*mov). */
static void make_pair(const st_image *canvas, const st_transform *t, int w,
                      int h, st_image **ref, st_image **mov)
{
    assert_non_null(canvas);
    *ref = ph_photo(canvas, NULL, 200, 200, w, h);
    *mov = ph_photo(canvas, t, 200, 200, w, h);
    assert_non_null(*ref);
    assert_non_null(*mov);
}

/* A pair the feature path aligns (turned 8 degrees, 1.1 times larger): an
 * allocation failing anywhere gives out of memory or the same estimate. */
static void test_align_out_of_memory(void **state)
{
    st_image *canvas = ph_canvas(900, 800, 7), *ref, *mov;
    st_transform truth;
    st_align_result clean, r;
    st_error err = {0};
    long total, runs = 0, nomem = 0;
    (void)state;
    st_transform_similarity(&truth, 159.5, 119.5, 9, -5, 8, 1.1);
    make_pair(canvas, &truth, 320, 240, &ref, &mov);
    /* once to fill the FFT plan cache, once to count */
    assert_int_equal(st_align_estimate(ref, mov, NULL, &clean, &err), ST_OK);
    arm(0);
    assert_int_equal(st_align_estimate(ref, mov, NULL, &clean, &err), ST_OK);
    total = disarm();
    assert_int_equal(clean.status, ST_ALIGN_OK);
    assert_string_equal(clean.candidate, "features");
    assert_true(clean.inliers > 0);
    for (long k = 1; k <= total; k = next_k(k, total)) {
        st_status s;
        st_error_clear(&err);
        arm(k);
        s = st_align_estimate(ref, mov, NULL, &r, &err);
        disarm();
        runs++;
        if (failed_cleanly(s, &err, k)) {
            nomem++;
            continue;
        }
        if (!same_alignment(&r, &clean))
            fail_msg("allocation %ld of %ld failed, yet align returned OK "
                     "with %s, confidence %.3f (clean: %s, %.3f)",
                     k, total, st_align_status_name(r.status), r.confidence,
                     st_align_status_name(clean.status), clean.confidence);
    }
    print_message("align: %ld allocations, %ld runs with one failing, %ld "
                  "out of memory\n",
                  total, runs, nomem);
    assert_true(nomem > 0);
    st_image_free(ref);
    st_image_free(mov);
    st_image_free(canvas);
}

/* Large-buffer mapping k of an align run fails (heap_too: and so does the
 * heap's buffer asked for in its place): ST_OK with the clean estimate,
 * or ST_ERR_NOMEM; 1 for the latter. Every mapping is given back. */
static int large_fails(const st_image *ref, const st_image *mov,
                       const st_align_result *clean, long k, int heap_too_)
{
    st_align_result r;
    st_error err = {0};
    size_t live0 = st_large_live();
    st_status s;
    maps = 0, map_fail_at = k, maps_armed = 1, heap_too = heap_too_;
    s = st_align_estimate(ref, mov, NULL, &r, &err);
    maps_armed = 0, heap_too = heap_fails_next = 0;
    assert_int_equal(st_large_live(), live0);
    if (failed_cleanly(s, &err, k))
        return 1;
    if (!same_alignment(&r, clean))
        fail_msg("large buffer %ld failed%s, yet align returned OK with %s "
                 "(clean: %s)",
                 k, heap_too_ ? " (heap too)" : "",
                 st_align_status_name(r.status),
                 st_align_status_name(clean->status));
    return 0;
}

/* A 1280 x 960 pair, whose photos and finest planes are large buffers
 * (st_alloc_large's own mappings): a mapping that fails is taken from the
 * heap instead, with the same estimate; when the heap fails too, out of
 * memory or the same estimate. Every mapping is given back. */
static void test_align_large_out_of_memory(void **state)
{
    st_image *canvas, *ref, *mov;
    st_transform truth;
    st_align_result clean;
    st_error err = {0};
    size_t live0;
    long total, nomem = 0;
    (void)state;
    if (!ST_LARGE_MAPS) /* an AddressSanitizer build: no mappings */
        skip();
    canvas = ph_canvas(1700, 1400, 11);
    st_transform_similarity(&truth, 639.5, 479.5, 14, -9, 6, 1.05);
    make_pair(canvas, &truth, 1280, 960, &ref, &mov);
    live0 = st_large_live();
    assert_true(live0 >= 2 * (size_t)1280 * 960 * 3 * sizeof(float));
    maps = 0, map_fail_at = 0, maps_armed = 1;
    assert_int_equal(st_align_estimate(ref, mov, NULL, &clean, &err), ST_OK);
    maps_armed = 0, total = maps;
    assert_int_equal(clean.status, ST_ALIGN_OK);
    assert_true(total > 0);
    assert_int_equal(st_large_live(), live0);
    for (long k = 1; k <= total; k++) {
        assert_int_equal(large_fails(ref, mov, &clean, k, 0), 0);
        nomem += large_fails(ref, mov, &clean, k, 1);
    }
    print_message("align 1280 x 960: %ld large buffers, %ld out of memory "
                  "when the heap fails too\n",
                  total, nomem);
    assert_true(nomem > 0);
    st_image_free(ref);
    st_image_free(mov);
    st_image_free(canvas);
    assert_int_equal(st_large_live(), 0);
}

/* ---- a course ---- */

/* A baseline that cannot be read fails the course: st_course_measure
 * returns that failure with the file in its cause (it returned ST_OK),
 * and every photo's result is an error. */
static void test_course_baseline_fails(void **state)
{
    st_image *canvas = ph_canvas(300, 260, 3), *img;
    const char *paths[2];
    char p0[512], p1[512];
    st_course_options opt;
    st_course_result res[2];
    st_error err = {0};
    st_status s;
    (void)state;
    img = ph_photo(canvas, NULL, 20, 20, 240, 200);
    snprintf(p0, sizeof p0, "%s", tu_path("missing.png"));
    snprintf(p1, sizeof p1, "%s", tu_path("photo.png"));
    assert_int_equal(st_io_write_png(p1, img, 8, &err), ST_OK);
    paths[0] = p0;
    paths[1] = p1;
    st_course_options_init(&opt);
    opt.jobs = 1;
    s = st_course_measure(paths, 2, 0, &opt, res, &err);
    print_message("course: %s: %s\n", st_strerror(s), st_error_text(&err));
    assert_int_equal(s, ST_ERR_IO);
    assert_non_null(strstr(st_error_text(&err), p0));
    /* the baseline's row holds the cause (its file is the row's), the
     * other photo's names the baseline */
    assert_int_equal(res[0].status, ST_ERR_IO);
    assert_int_equal(res[1].status, ST_ERR_IO);
    assert_non_null(strstr(st_error_text(&res[1].error), p0));
    for (int i = 0; i < 2; i++)
        st_course_result_clear(&res[i]);
    /* a readable baseline: ST_OK and two measured photos */
    paths[0] = p1;
    assert_int_equal(st_course_measure(paths, 2, 0, &opt, res, &err), ST_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(res[i].status, ST_OK);
        st_course_result_clear(&res[i]);
    }
    st_image_free(img);
    st_image_free(canvas);
}

/* Photo i of a run with an allocation failing: an error that says
 * memory, or the clean run's numbers exactly (when the other photo was
 * measured too). */
static void same_or_nomem(const st_course_result *r, const st_course_result *c,
                          int i, long k, int other_ok)
{
    if (r->status != ST_OK) {
        if (r->status != ST_ERR_NOMEM ||
            !strstr(st_error_text(&r->error), "memory"))
            fail_msg("allocation %ld failed: photo %d %s: '%s'", k, i,
                     st_strerror(r->status), st_error_text(&r->error));
        return;
    }
    /* a photo that failed cuts no skin from the common region, so the
     * other's numbers may change, rightly */
    if (!other_ok)
        return;
    if (r->registered != c->registered || !same_alignment(&r->align, &c->align))
        fail_msg("allocation %ld failed, yet photo %d registered "
                 "differently (confidence %.3f, clean %.3f)",
                 k, i, r->align.confidence, c->align.confidence);
    for (int m = 0; m < ST_METRICS_COUNT; m++) {
        double a = st_metrics_value(&r->metrics, m);
        double b = st_metrics_value(&c->metrics, m);
        if (!(a == b || (isnan(a) && isnan(b))))
            fail_msg("allocation %ld failed, yet photo %d has %s %g "
                     "(clean %g)",
                     k, i, st_metrics_name(m), a, b);
    }
}

/* A course of two photos (the second turned 5 degrees, shifted): an
 * allocation failing anywhere in reading, registering or measuring gives
 * out of memory (for the course or the photo) or the same numbers. */
static void test_course_out_of_memory(void **state)
{
    st_image *canvas = ph_canvas(800, 700, 5), *img[2];
    st_transform t;
    const char *paths[2];
    char p[2][512];
    st_course_options opt;
    st_course_result clean[2], r[2];
    st_error err = {0};
    long total, runs = 0, nomem = 0;
    (void)state;
    st_transform_similarity(&t, 119.5, 89.5, 6, 4, 5, 1.04);
    img[0] = ph_photo(canvas, NULL, 200, 200, 240, 180);
    img[1] = ph_photo(canvas, &t, 200, 200, 240, 180);
    for (int i = 0; i < 2; i++) {
        snprintf(p[i], sizeof p[i], "%s", tu_path(i ? "b.png" : "a.png"));
        assert_int_equal(st_io_write_png(p[i], img[i], 8, &err), ST_OK);
        paths[i] = p[i];
    }
    st_course_options_init(&opt);
    opt.jobs = 1;
    assert_int_equal(st_course_measure(paths, 2, 0, &opt, clean, &err), ST_OK);
    for (int i = 0; i < 2; i++)
        st_course_result_clear(&clean[i]);
    arm(0);
    assert_int_equal(st_course_measure(paths, 2, 0, &opt, clean, &err), ST_OK);
    total = disarm();
    assert_int_equal(clean[1].status, ST_OK);
    assert_true(clean[1].registered);
    for (long k = 1; k <= total; k = next_k(k, total)) {
        st_status s;
        arm(k);
        s = st_course_measure(paths, 2, 0, &opt, r, &err);
        disarm();
        runs++;
        if (failed_cleanly(s, &err, k))
            nomem++;
        else
            for (int i = 0; i < 2; i++)
                same_or_nomem(&r[i], &clean[i], i, k, r[!i].status == ST_OK);
        for (int i = 0; i < 2; i++)
            st_course_result_clear(&r[i]);
    }
    print_message("course: %ld allocations, %ld runs with one failing, %ld "
                  "out of memory for the course\n",
                  total, runs, nomem);
    for (int i = 0; i < 2; i++) {
        st_course_result_clear(&clean[i]);
        st_image_free(img[i]);
    }
    st_image_free(canvas);
}

static int cleanup(void **state)
{
    (void)state;
    st_fft_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_align_out_of_memory),
        cmocka_unit_test(test_align_large_out_of_memory),
        cmocka_unit_test(test_course_baseline_fails),
        cmocka_unit_test(test_course_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
