/* skintrack — before/after comparison on the same skin.
 *
 *   st_compare         register AFTER to BEFORE, measure both on the
 *                      shared region (see compare.h)
 *   st_compare_clip_region    cut a region to what a registered photo shows
 *   st_compare_measure_after  measure a registered photo on a region
 *   st_compare_after_options / _orientation   what measuring a registered
 *                      AFTER changes (internal.h)
 *   st_compare_clear   release
 *
 * The shared region is BEFORE's region less every pixel whose image in
 * AFTER lies within 2 px of AFTER's border; AFTER's region holds each of
 * its pixels whose pre-image (nearest BEFORE pixel) is in the shared
 * region.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/core_internal.h"
#include "track/track_internal.h"
#include "skintrack/compare.h"

void st_compare_clear(st_compare_result *res)
{
    if (!res)
        return;
    st_metrics_clear(&res->before);
    st_metrics_clear(&res->after);
    st_region_free(res->before_region);
    st_region_free(res->after_region);
    res->before_region = res->after_region = NULL;
}

/* The card in AFTER's frame: the box of the mapped card corners, shrunk by
 * 15% of its size on every side so it stays on the card. */
static st_white_balance map_patch(const st_white_balance *wb,
                                  const st_transform *t, int w, int h)
{
    st_white_balance m = *wb;
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (int i = 0; i < 4; i++) {
        double u, v;
        if (st_transform_apply_checked(t, wb->x + (i & 1 ? wb->w - 1 : 0),
                                       wb->y + (i & 2 ? wb->h - 1 : 0), &u,
                                       &v)) {
            m.w = m.h = 0; /* behind the horizon: off the photo */
            return m;
        }
        x0 = fmin(x0, u), x1 = fmax(x1, u), y0 = fmin(y0, v), y1 = fmax(y1, v);
    }
    {
        double mx = 0.15 * (x1 - x0), my = 0.15 * (y1 - y0);
        m.x = (int)ceil(x0 + mx);
        m.y = (int)ceil(y0 + my);
        m.w = (int)floor(x1 - mx) - m.x + 1;
        m.h = (int)floor(y1 - my) - m.y + 1;
    }
    if (m.x < 0 || m.y < 0 || m.w < 1 || m.h < 1 || m.x + m.w > w ||
        m.y + m.h > h)
        m.w = m.h = 0; /* off the photo: st_color_wb_gains will say so */
    return m;
}

void st_compare_after_options(st_metrics_options *mopt,
                              const st_align_result *a, int w, int h)
{
    if (mopt->white_balance.mode == ST_WB_PATCH)
        mopt->white_balance =
            map_patch(&mopt->white_balance, &a->transform, w, h);
    mopt->px_scale = a->scale;
}

void st_compare_after_orientation(st_metrics *m, const st_align_result *a)
{
    st_metrics_unrotate(m, a->rotation_deg); /* the registry's frame angles */
}

/* Whether t is affine: its last row is (0, 0, 1), so the homography's
 * q = k6 x + k7 y + 1 is exactly 1 and dividing by it changes nothing
 * (the loops below then skip the two divisions: the same numbers). */
static int is_affine(const st_transform *t)
{
    return t->m[6] == 0 && t->m[7] == 0;
}

void st_compare_clip_region(st_region *reg, const st_transform *t, int w, int h)
{
    const double *k = t->m;
    int affine = is_affine(t);
    for (int y = reg->y0; y < reg->y1; y++) {
        uint8_t *m = reg->mask + (size_t)y * reg->width;
        for (int x = reg->x0; x < reg->x1; x++) {
            double u, v, q = 1;
            if (!m[x])
                continue;
            u = k[0] * x + k[1] * y + k[2];
            v = k[3] * x + k[4] * y + k[5];
            if (!affine) { /* the full homography */
                q = k[6] * x + k[7] * y + 1;
                u /= q, v /= q;
            }
            if (!(q > 0 && u >= 2 && v >= 2 && u <= w - 3 && v <= h - 3))
                m[x] = 0;
        }
    }
    st_region_update(reg);
}

/* Row y of map_region's mask (o, w pixels) for an affine inv: each
 * pixel's nearest pixel of reg, as there. */
static void map_row_affine(const st_region *reg, const double *k, int y, int w,
                           uint8_t *o)
{
    const double rw = reg->width - 0.5, rh = reg->height - 0.5;
    const double k1y = k[1] * y, k4y = k[4] * y;
    for (int x = 0; x < w; x++) {
        double u = k[0] * x + k1y + k[2], v = k[3] * x + k4y + k[5];
        int in = u > -0.5 && v > -0.5 && u < rw && v < rh;
        o[x] = in && reg->mask[(size_t)(long)(v + 0.5) * reg->width +
                               (size_t)(long)(u + 0.5)];
    }
}

/* reg (BEFORE's frame) in AFTER's w x h frame: each AFTER pixel whose
 * nearest BEFORE pixel under inv (AFTER -> BEFORE) is in reg. */
static st_status map_region(const st_region *reg, const st_transform *inv,
                            int w, int h, st_region **out, st_error *err)
{
    st_region *ra;
    st_status s = st_region_full(&ra, w, h, err);
    *out = NULL;
    if (s)
        return s;
    for (int y = 0; y < h; y++) {
        const double *k = inv->m;
        uint8_t *o = ra->mask + (size_t)y * w;
        if (is_affine(inv)) {
            map_row_affine(reg, k, y, w, o);
            continue;
        }
        for (int x = 0; x < w; x++) {
            /* nearest pixel, halves away from zero as lround did; the
             * full homography (q = 1 for an affine map) */
            double q = k[6] * x + k[7] * y + 1;
            double u = (k[0] * x + k[1] * y + k[2]) / q;
            double v = (k[3] * x + k[4] * y + k[5]) / q;
            int in = q > 0 && u > -0.5 && v > -0.5 && u < reg->width - 0.5 &&
                     v < reg->height - 0.5;
            o[x] = in && reg->mask[(size_t)(long)(v + 0.5) * reg->width +
                                   (size_t)(long)(u + 0.5)];
        }
    }
    st_region_update(ra);
    *out = ra;
    return ST_OK;
}

st_status st_compare_measure_after(const st_image *after, const st_region *reg,
                                   const st_align_result *a,
                                   const st_metrics_options *mopt_in,
                                   st_metrics *out, st_region **after_region,
                                   st_error *err)
{
    st_metrics_options mopt = *mopt_in;
    st_region *ra = NULL, *rref = NULL;
    st_transform inv;
    st_status s;
    double t0;

    memset(out, 0, sizeof *out);
    if (after_region)
        *after_region = NULL;
    if (st_transform_invert(&a->transform, &inv))
        return st_fail(err, ST_ERR_INVALID, "the registration is singular");
    t0 = st_timing_clock();
    if ((s = map_region(reg, &inv, after->width, after->height, &ra, err)))
        return s;
    if (mopt.reference && (s = map_region(mopt.reference, &inv, after->width,
                                          after->height, &rref, err))) {
        st_region_free(ra);
        return s;
    }
    mopt.reference = rref;
    st_timing_add(mopt.timing, ST_STAGE_WARP, t0);
    st_compare_after_options(&mopt, a, after->width, after->height);
    s = st_metrics_measure(after, ra, &mopt, out, err);
    if (s == ST_OK)
        st_compare_after_orientation(out, a);
    if (s == ST_OK && after_region)
        *after_region = ra;
    else
        st_region_free(ra);
    st_region_free(rref);
    return s;
}

/* With two or more threads: BEFORE measured on a thread of its own while
 * the caller measures AFTER, the threads split between them; the stage
 * times of both are added. */
typedef struct before_job {
    const st_image *img;
    const st_region *reg;
    st_metrics_options opt;
    st_metrics *out;
    st_timing timing;
    st_error err;
    st_status s;
} before_job;

static void *before_thread(void *arg)
{
    before_job *j = arg;
    j->s = st_metrics_measure(j->img, j->reg, &j->opt, j->out, &j->err);
    return NULL;
}

/* Returns 0 with *s set when the thread ran, -1 if none could start (the
 * caller then measures one after the other). */
static int measure_both(const st_image *before, const st_image *after,
                        const st_region *rb, const st_metrics_options *mopt,
                        st_compare_result *res, st_status *s, st_error *err)
{
    before_job j;
    st_metrics_options ma = *mopt;
    pthread_t th;

    memset(&j, 0, sizeof j);
    j.img = before, j.reg = rb, j.opt = *mopt, j.out = &res->before;
    j.opt.pores.jobs = mopt->pores.jobs / 2;
    j.opt.timing = mopt->timing ? &j.timing : NULL;
    ma.pores.jobs = mopt->pores.jobs - j.opt.pores.jobs;
    if (pthread_create(&th, NULL, before_thread, &j))
        return -1;
    *s = st_compare_measure_after(after, rb, &res->align, &ma, &res->after,
                                  &res->after_region, err);
    pthread_join(th, NULL);
    if (mopt->timing)
        for (int i = 0; i < ST_STAGE_COUNT; i++)
            mopt->timing->seconds[i] += j.timing.seconds[i];
    if (j.s) {
        if (err)
            *err = j.err;
        *s = j.s;
    }
    return 0;
}

st_status st_compare(const st_image *before, const st_image *after,
                     const st_region *region, const st_align_options *aopt,
                     const st_metrics_options *mopt_in, st_compare_result *res,
                     st_error *err)
{
    st_metrics_options mopt;
    st_region *rb = NULL;
    st_status s;
    double t0;

    memset(res, 0, sizeof *res);
    if (mopt_in)
        mopt = *mopt_in;
    else
        st_metrics_options_init(&mopt);
    t0 = st_timing_clock();
    s = st_align_estimate(before, after, aopt, &res->align, err);
    if (s)
        return s;
    t0 = st_timing_add(mopt.timing, ST_STAGE_REGISTER, t0);
    if ((s = st_region_full(&rb, before->width, before->height, err)))
        return s;
    if (region && (s = st_region_intersect(rb, region, err)))
        goto done;

    if (res->align.status != ST_ALIGN_OK) {
        /* not trusted: each on its own */
        if ((s = st_metrics_measure(before, rb, &mopt, &res->before, err)))
            goto done;
        if (mopt.white_balance.mode == ST_WB_PATCH)
            mopt.white_balance.mode = ST_WB_NONE; /* card position unknown */
        mopt.reference = NULL;                    /* and the reference's */
        if ((s = st_region_full(&res->after_region, after->width, after->height,
                                err)))
            goto done;
        s = st_metrics_measure(after, res->after_region, &mopt, &res->after,
                               err);
        goto done;
    }

    st_compare_clip_region(rb, &res->align.transform, after->width,
                           after->height);
    st_timing_add(mopt.timing, ST_STAGE_WARP, t0);
    if (!rb->count) {
        s = st_fail(err, ST_ERR_INVALID,
                    "the region is not in the after photo at all");
        goto done;
    }
    res->registered = 1;
    if (mopt.pores.jobs >= 2 &&
        measure_both(before, after, rb, &mopt, res, &s, err) == 0)
        goto done;
    if ((s = st_metrics_measure(before, rb, &mopt, &res->before, err)))
        goto done;
    s = st_compare_measure_after(after, rb, &res->align, &mopt, &res->after,
                                 &res->after_region, err);
done:
    res->before_region = rb;
    if (s)
        st_compare_clear(res);
    return s;
}
