/* skintrack — measuring a treatment course.
 *
 *   st_course_options_init   defaults
 *   st_course_measure        register to the baseline, common region,
 *                            measure every photo there
 *   st_course_result_clear   release
 *
 * Two passes over the photos, each on a thread pool: (1) decode, register
 * to the baseline and cut the common region to what the photo shows, then
 * free the pixels; (2) decode again and measure. Decoding twice keeps
 * memory at the baseline plus one photo per worker whatever the length of
 * the course, and the common region is only known once every photo is
 * registered. Cutting the region is an AND, so the order in which workers
 * finish does not matter: the result is the same for any number of
 * threads.
 *
 * Pass 1 need not see the full photo: registration works on a pyramid
 * whose finest level has at most about 3.2 megapixels (align.c), a
 * box average of the photo by an integer factor f. Where f is a multiple
 * of 2, 4 or 8 (N, the largest), a JPEG is decoded for pass 1 at 1/N by
 * libjpeg's DCT scaling, which skips most of the decoder's work, and the
 * registration of the reduced photos (whose own factor is then f / N, the
 * same level scale) is taken back to full resolution: the map by
 * conjugation with the reduction (pixel j of the reduced photo is centred
 * on N j + (N - 1) / 2), the residual times N, checked against the
 * residual bound in full-resolution px. A photo that is not a JPEG of
 * exactly N times the reduced size (or whose baseline is not) is decoded
 * at full size as before. So every JPEG is decoded in full once.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "register/register_internal.h"
#include "track/track_internal.h"
#include "skintrack/compare.h"
#include "skintrack/course.h"

void st_course_options_init(st_course_options *opt)
{
    memset(opt, 0, sizeof *opt);
    st_read_options_init(&opt->read);
    st_align_options_init(&opt->align);
    st_metrics_options_init(&opt->metrics);
    opt->jobs = 1;
}

void st_course_result_clear(st_course_result *res)
{
    if (!res)
        return;
    st_metrics_clear(&res->metrics);
    if (res->face) {
        st_face_result_clear(res->face);
        free(res->face);
        res->face = NULL;
    }
}

typedef struct run {
    const char *const *paths;
    size_t n, b;
    const st_course_options *opt;
    st_course_result *res;
    st_image *base;
    st_image *base_small; /* the baseline at 1/reduce, or NULL */
    int reduce;           /* pass 1's reduction, 1 (none), 2, 4 or 8 */
    st_region *common;    /* baseline frame */
    st_region *reference; /* baseline frame, or NULL */
    pthread_mutex_t lock;
    size_t steps, photos;
} run;

static void step_done(run *r, int photo_finished)
{
    pthread_mutex_lock(&r->lock);
    r->steps++;
    r->photos += photo_finished != 0;
    if (r->opt->progress)
        r->opt->progress(r->opt->progress_ctx, r->steps, 2 * r->n - 1,
                         r->photos);
    pthread_mutex_unlock(&r->lock);
}

static void fail(st_course_result *res, const st_error *err)
{
    res->status = err->status ? err->status : ST_ERR_INVALID;
    res->error = *err;
}

/* Face mode: photo img (i) on the zones of its own landmarks; AFTER's
 * options as st_compare's when registered. */
static st_status measure_face(const run *r, size_t i, const st_image *img,
                              st_course_result *res, st_error *err)
{
    st_metrics_options mopt = r->opt->metrics;
    int after = i != r->b && res->registered;
    st_status s;
    if (after)
        st_compare_after_options(&mopt, &res->align, img->width, img->height);
    else if (i != r->b && mopt.white_balance.mode == ST_WB_PATCH)
        mopt.white_balance.mode = ST_WB_NONE; /* card position unknown */
    /* held by pointer: a course of many photos keeps every record */
    if (!(res->face = calloc(1, sizeof *res->face)))
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    s = st_face_measure(r->opt->face, img, &mopt, res->face, err);
    if (s != ST_OK) {
        free(res->face);
        res->face = NULL;
    }
    for (int z = 0; s == ST_OK && after && z < ST_ZONE_COUNT; z++)
        if (res->face->status[z] == ST_OK)
            st_compare_after_orientation(&res->face->metrics[z], &res->align);
    return s;
}

/* Registers photo i to the baseline: on the reduced decode when there is
 * one, else at full size; *w, *h: the photo's full size. */
static st_status register_photo(const run *r, size_t i, st_align_result *a,
                                int *w, int *h, st_error *err)
{
    st_align_options ao = r->opt->align;
    st_image *img = NULL;
    st_status s = ST_OK;

    if (r->base_small &&
        (s = st_io_read_reduced(r->paths[i], &r->opt->read, r->reduce, &img, w,
                                h, err)) == ST_OK &&
        img) {
        ao.max_residual_px = INFINITY; /* checked at full resolution */
        s = st_align_estimate(r->base_small, img, &ao, a, err);
        if (s == ST_OK)
            st_align_to_full(a, r->reduce, r->base->width, r->base->height, *w,
                             *h, r->opt->align.max_residual_px);
    } else if (s == ST_OK && (s = st_io_read(r->paths[i], &r->opt->read, &img,
                                             NULL, err)) == ST_OK) {
        *w = img->width, *h = img->height;
        s = st_align_estimate(r->base, img, &ao, a, err);
    }
    st_image_free(img);
    return s;
}

/* Pass 1, task k: photo k (skipping the baseline). */
static void register_one(void *ctx, size_t k)
{
    run *r = ctx;
    size_t i = k < r->b ? k : k + 1;
    st_course_result *res = &r->res[i];
    st_error err = {0};
    int w, h;

    if (register_photo(r, i, &res->align, &w, &h, &err)) {
        fail(res, &err);
    } else if (res->align.status == ST_ALIGN_OK) {
        res->registered = 1;
        pthread_mutex_lock(&r->lock);
        st_compare_clip_region(r->common, &res->align.transform, w, h);
        pthread_mutex_unlock(&r->lock);
    }
    step_done(r, res->status != ST_OK);
}

/* Pass 2, task i: measure photo i. */
static void measure_one(void *ctx, size_t i)
{
    run *r = ctx;
    st_course_result *res = &r->res[i];
    st_metrics_options mopt = r->opt->metrics;
    st_image *img = NULL;
    st_region *own = NULL;
    st_error err = {0};
    st_status s;

    if (res->status != ST_OK) {
        step_done(r, 0); /* the photo was counted when it failed */
        return;
    }
    res->common_px = r->common->count;
    if (r->opt->face) {
        if (i == r->b)
            s = measure_face(r, i, r->base, res, &err);
        else if ((s = st_io_read(r->paths[i], &r->opt->read, &img, NULL,
                                 &err)) == ST_OK)
            s = measure_face(r, i, img, res, &err);
        if (s)
            fail(res, &err);
        st_image_free(img);
        step_done(r, 1);
        return;
    }
    mopt.reference = r->reference;
    if (i == r->b) {
        s = st_metrics_measure(r->base, r->common, &mopt, &res->metrics, &err);
    } else if ((s = st_io_read(r->paths[i], &r->opt->read, &img, NULL, &err)) !=
               ST_OK) {
        /* changed since pass 1? reported as it is now */
    } else if (res->registered) {
        s = st_compare_measure_after(img, r->common, &res->align, &mopt,
                                     &res->metrics, r->opt->view ? &own : NULL,
                                     &err);
    } else {
        /* not trusted: measured on its own whole frame, no card */
        if (mopt.white_balance.mode == ST_WB_PATCH)
            mopt.white_balance.mode = ST_WB_NONE;
        mopt.reference = NULL;
        if ((s = st_region_full(&own, img->width, img->height, &err)) == ST_OK)
            s = st_metrics_measure(img, own, &mopt, &res->metrics, &err);
    }
    if (s) {
        fail(res, &err);
    } else if (r->opt->view) {
        st_course_view v = {i,         i == r->b ? r->base : img,   r->base,
                            r->common, i == r->b ? r->common : own, res};
        r->opt->view(r->opt->view_ctx, &v);
    }
    st_region_free(own);
    st_image_free(img);
    step_done(r, 1);
}

static void identity(st_align_result *a)
{
    memset(a, 0, sizeof *a);
    st_transform_identity(&a->transform);
    a->scale = 1;
    a->confidence = 1;
    a->overlap_pct = 100;
    a->model = ST_ALIGN_SIMILARITY;
    a->candidate = "none";
    a->status = ST_ALIGN_OK;
}

/* Every photo of the course fails with "baseline PATH: cause". */
static void fail_all(run *r, const st_error *cause)
{
    for (size_t i = 0; i < r->n; i++) {
        st_course_result *res = &r->res[i];
        res->status = cause->status ? cause->status : ST_ERR_INVALID;
        if (i == r->b)
            res->error = *cause;
        else
            st_fail(&res->error, res->status, "baseline %s: %s", r->paths[r->b],
                    st_error_text(cause));
    }
}

st_status st_course_measure(const char *const *paths, size_t n, size_t baseline,
                            const st_course_options *opt, st_course_result *res,
                            st_error *err)
{
    run r = {.paths = paths, .n = n, .b = baseline, .opt = opt, .res = res};
    st_region *reg = NULL;
    st_error cause = {0};
    st_status s;
    int failed = 1;

    if (n == 0 || baseline >= n)
        return st_fail(err, ST_ERR_INVALID, "no baseline in the course");
    memset(res, 0, n * sizeof *res);
    pthread_mutex_init(&r.lock, NULL);
    identity(&res[baseline].align);
    res[baseline].registered = 1;

    s = st_io_read(paths[baseline], &opt->read, &r.base, NULL, &cause);
    if (s == ST_OK)
        s = st_region_full(&r.common, r.base->width, r.base->height, &cause);
    if (s == ST_OK && opt->region &&
        (s = opt->region(opt->region_ctx, r.base, &reg, &cause)) == ST_OK)
        s = st_region_intersect(r.common, reg, &cause);
    if (s == ST_OK && opt->reference)
        s = opt->reference(opt->reference_ctx, r.base, &r.reference, &cause);
    if (s == ST_OK && n > 1 &&
        (r.reduce = st_align_reduction(r.base->width, r.base->height)) > 1) {
        /* failing here, pass 1 decodes at full size */
        st_error ignore = {0};
        int w, h;
        if (st_io_read_reduced(paths[baseline], &opt->read, r.reduce,
                               &r.base_small, &w, &h, &ignore))
            r.base_small = NULL;
    }
    if (s) {
        fail_all(&r, &cause);
        goto done;
    }
    st_pool_run(opt->jobs, n - 1, register_one, &r);
    st_image_free(r.base_small);
    r.base_small = NULL;
    if (r.common->count == 0) {
        st_fail(&cause, ST_ERR_INVALID,
                "no skin of the region is in every registered photo");
        fail_all(&r, &cause);
        goto done;
    }
    st_pool_run(opt->jobs, n, measure_one, &r);
    /* the baseline's own measurement failing fails the course */
    if (res[baseline].status != ST_OK) {
        cause = res[baseline].error;
        for (size_t i = 0; i < n; i++)
            st_course_result_clear(&res[i]);
        fail_all(&r, &cause);
        goto done;
    }
    failed = 0;
done:
    st_region_free(reg);
    st_region_free(r.common);
    st_region_free(r.reference);
    st_image_free(r.base);
    st_image_free(r.base_small);
    pthread_mutex_destroy(&r.lock);
    if (!failed)
        return ST_OK;
    return st_fail(err, cause.status ? cause.status : ST_ERR_INVALID,
                   "baseline %s: %s", paths[baseline], st_error_text(&cause));
}
