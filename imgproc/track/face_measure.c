/* skintrack — metrics of a face's zones, of one photo or a pair.
 *
 *   st_face_measure / st_face_result_clear     one photo, every zone
 *   st_face_compare / st_face_compare_clear    before and after by zone
 *
 * Each photo is measured in its own frame over the zones of its own
 * landmarks (see face.h for why); the registration only sets the scale
 * sizes are reported in, as st_compare does.
 */
#include <string.h>

#include "core/core_internal.h"
#include "track/track_internal.h"
#include "skintrack/face.h"

void st_face_result_clear(st_face_result *r)
{
    if (!r)
        return;
    for (int i = 0; i < ST_ZONE_COUNT; i++) {
        st_metrics_clear(&r->metrics[i]);
        st_region_free(r->zones[i]);
        r->zones[i] = NULL;
    }
}

st_status st_face_measure(const st_face_model *m, const st_image *img,
                          const st_metrics_options *opt_in, st_face_result *out,
                          st_error *err)
{
    st_metrics_options opt;
    double t0 = st_timing_clock();
    st_status s;

    memset(out, 0, sizeof *out);
    if (opt_in)
        opt = *opt_in;
    else
        st_metrics_options_init(&opt);
    if ((s = st_face_find(m, img, &out->face, err)) ||
        (s = st_face_regions(&out->face, img, NULL, out->zones, err)))
        return s;
    st_timing_add(opt.timing, ST_STAGE_REGION, t0);
    for (int i = 0; i < ST_ZONE_COUNT; i++) {
        out->status[i] = st_metrics_measure(img, out->zones[i], &opt,
                                            &out->metrics[i], &out->error[i]);
        if (out->status[i] == ST_ERR_NOMEM) { /* not the zone's fault */
            s = st_fail(err, ST_ERR_NOMEM, "%s", st_error_text(&out->error[i]));
            st_face_result_clear(out);
            return s;
        }
    }
    return ST_OK;
}

void st_face_compare_clear(st_face_compare_result *res)
{
    if (!res)
        return;
    st_face_result_clear(&res->before);
    st_face_result_clear(&res->after);
}

st_status st_face_compare(const st_face_model *m, const st_image *before,
                          const st_image *after, const st_align_options *aopt,
                          const st_metrics_options *mopt_in,
                          st_face_compare_result *res, st_error *err)
{
    st_metrics_options mb, ma;
    double t0 = st_timing_clock();
    st_status s;

    memset(res, 0, sizeof *res);
    if (mopt_in)
        mb = *mopt_in;
    else
        st_metrics_options_init(&mb);
    ma = mb;
    if ((s = st_align_estimate(before, after, aopt, &res->align, err)))
        return s;
    st_timing_add(mb.timing, ST_STAGE_REGISTER, t0);
    res->registered = res->align.status == ST_ALIGN_OK;
    if (res->registered)
        st_compare_after_options(&ma, &res->align, after->width, after->height);
    else if (ma.white_balance.mode == ST_WB_PATCH)
        ma.white_balance.mode = ST_WB_NONE; /* card position unknown */
    if ((s = st_face_measure(m, before, &mb, &res->before, err))) {
        res->failed = 1;
        return s;
    }
    if ((s = st_face_measure(m, after, &ma, &res->after, err))) {
        res->failed = 2;
        st_face_result_clear(&res->before);
        return s;
    }
    for (int i = 0; i < ST_ZONE_COUNT && res->registered; i++)
        if (res->after.status[i] == ST_OK)
            st_compare_after_orientation(&res->after.metrics[i], &res->align);
    return ST_OK;
}
