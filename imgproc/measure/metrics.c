/* skintrack — every metric of a photo over a region.
 *
 *   st_metrics_options_init   defaults
 *   st_metrics_measure        white balance, CIELAB, redness, tone, pores,
 *                             texture
 *   st_metrics_clear          release
 *   (the metric registry, st_metrics_name / _value ...: metric_table.c)
 *
 * Colour metrics use the photo's own CIELAB. Pores and texture use L* of
 * the luminance scaled so the region's mean luminance is
 * ST_METRICS_TEXTURE_Y (L* 61.7): the L* contrast of the same skin grows
 * with the cube root of exposure, and sizes, counts and roughness should
 * not.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "color/color_internal.h"
#include "measure/measure_internal.h"
#include "skintrack/metrics.h"
#include "skintrack/target.h"

const char *st_calibration_name(st_calibration c)
{
    static const char *const n[] = {"none", "grayworld", "patch", "chart",
                                    "card"};
    return c >= ST_CAL_NONE && c <= ST_CAL_CARD ? n[c] : "";
}

#define CLIP_LEVEL 0.998f /* encoded: a clipped sample */

/* The shades-of-grey sums of one pixel's linear channels v (clip: one
 * of them is clipped), see scene_light. */
typedef struct light_sums {
    double s[3];
    size_t n, rn, rclip;
} light_sums;

static inline void light_add(light_sums *ls, const float v[3], int clip,
                             int in_region)
{
    if (in_region)
        ls->rn++, ls->rclip += (size_t)clip;
    if (clip)
        return;
    for (int c = 0; c < 3; c++) {
        double v2 = (double)v[c] * (double)v[c];
        ls->s[c] += v2 * v2 * v2;
    }
    ls->n++;
}

/* Every second pixel of every second row of an 8-bit image: the bytes
 * straight through st_srgb_lin8 (the values the float route gives). */
static void light_rows8(const st_image *img, const st_region *reg,
                        light_sums *ls)
{
    int cc = st_image_color_channels(img), ch = img->channels;
    uint8_t clip8 = 255; /* the first byte whose value is CLIP_LEVEL or more */
    while (clip8 > 0 && (float)(clip8 - 1) / 255.0f >= CLIP_LEVEL)
        clip8--;
    for (int y = 0; y < img->height; y += 2) {
        const uint8_t *p = st_image_pixel8(img, 0, y);
        const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width;
        for (int x = 0; x < img->width; x += 2) {
            const uint8_t *q = p + (size_t)x * (size_t)ch;
            uint8_t r = q[0], g = q[cc == 3 ? 1 : 0], b = q[cc == 3 ? 2 : 0];
            float v[3] = {st_srgb_lin8[r], st_srgb_lin8[g], st_srgb_lin8[b]};
            light_add(ls, v, r >= clip8 || g >= clip8 || b >= clip8, m[x]);
        }
    }
}

/* The light of the whole photo by shades of grey (Finlayson and Trezzi
 * 2004: the Minkowski p-norm of each linear channel, p = 6) over every
 * second pixel that has no clipped channel, and the share of region
 * pixels (every second one) with a clipped channel. */
static void scene_light(const st_image *img, const st_region *reg,
                        double light[3], double *skin_clip_pct, float *buf)
{
    int cc = st_image_color_channels(img), ch = img->channels;
    light_sums ls = {{0, 0, 0}, 0, 0, 0};
    double *s = ls.s;
    size_t n, rn, rclip;
    st_color_tables_init();
    if (!img->data)
        light_rows8(img, reg, &ls);
    for (int y = 0; img->data && y < img->height; y += 2) {
        const float *p = st_image_row(img, 0, y, img->width, buf);
        const uint8_t *m = reg->mask + (size_t)y * (size_t)reg->width;
        for (int x = 0; x < img->width; x += 2) {
            const float *q = p + (size_t)x * (size_t)ch;
            int clip = 0;
            float v[3];
            for (int c = 0; c < 3; c++) {
                float e = q[cc == 3 ? c : 0];
                clip |= e >= CLIP_LEVEL;
                v[c] = st_srgb_linear_fast(e);
            }
            light_add(&ls, v, clip, m[x]);
        }
    }
    n = ls.n, rn = ls.rn, rclip = ls.rclip;
    for (int c = 0; c < 3; c++)
        light[c] = n ? pow(s[c] / (double)n, 1.0 / 6) : NAN;
    *skin_clip_pct = rn ? 100.0 * (double)rclip / (double)rn : NAN;
}

/* The target modes: the correction from a chart or card in the photo. */
static st_status calibrate(const st_image *img, const st_white_balance *wb,
                           st_metrics *out, st_error *err)
{
    st_target_options to;
    st_target t;
    st_status s;
    st_target_options_init(&to);
    to.want = wb->mode == ST_WB_CHART  ? ST_TARGET_CHART
              : wb->mode == ST_WB_CARD ? ST_TARGET_CARD
                                       : ST_TARGET_NONE;
    to.reference = wb->chart;
    to.card_reflectance = wb->reflectance > 0 ? wb->reflectance : 0.18;
    if ((s = st_target_find(img, &to, &t, err)))
        return s;
    out->target_clipped = t.clipped > 0;
    if (t.kind == ST_TARGET_CARD && t.clipped) {
        if (wb->mode == ST_WB_CARD)
            return st_fail(err, ST_ERR_INVALID,
                           "the grey card is clipped (overexposed): it "
                           "cannot set the white balance");
        return ST_OK; /* auto: not used, and flagged */
    }
    if (t.kind == ST_TARGET_NONE) {
        if (wb->mode == ST_WB_CHART)
            return st_fail(err, ST_ERR_INVALID, "no colour chart found");
        if (wb->mode == ST_WB_CARD)
            return st_fail(err, ST_ERR_INVALID, "no grey or white card found");
        return ST_OK;
    }
    out->calibration = t.kind == ST_TARGET_CHART ? ST_CAL_CHART : ST_CAL_CARD;
    out->calibration_delta_e = t.delta_e;
    memcpy(out->correction, t.correction, sizeof t.correction);
    memcpy(out->light, t.light, sizeof t.light);
    out->light_from_target = 1;
    for (int c = 0; c < 3; c++)
        out->wb_gains[c] = t.correction[4 * c];
    return ST_OK;
}

void st_metrics_options_init(st_metrics_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->white_balance.mode = ST_WB_NONE;
    opt->white_balance.reflectance = 0.18;
    st_pore_options_init(&opt->pores);
}

void st_metrics_clear(st_metrics *m)
{
    if (m)
        st_pores_clear(&m->pores);
}

/* Y of a CIELAB L* (CIE 15 inverse). */
static double l_to_y(double L)
{
    double f = (L + 16) / 116;
    return f > 6.0 / 29 ? f * f * f : (L / (24389.0 / 27));
}

static double y_to_l(double Y)
{
    return Y > 216.0 / 24389 ? 116 * cbrt(Y) - 16 : Y * (24389.0 / 27);
}

/* One row's region sums for the colour sweep: L*, a* and b* of the row
 * (what st_tone_row_sum gives each) and the region's pixel count; and
 * *lum += Y of each region pixel's L* (the luminance behind L*, carried
 * from row to row). Every sum is added one pixel at a time in x order as
 * before, but all in one loop, so their chains of additions overlap
 * instead of running one after the other. */
typedef struct row_sums {
    double l, a, b;
    size_t n;
} row_sums;

static row_sums colour_row_sums(const float *L, const float *A, const float *B,
                                const uint8_t *m, int n, double *lum)
{
    row_sums r = {0, 0, 0, 0};
    double s = *lum;
    for (int x = 0; x < n; x++)
        if (m[x]) {
            r.l += L[x], r.a += A[x], r.b += B[x];
            s += l_to_y(L[x]);
            r.n++;
        }
    *lum = s;
    return r;
}

/* The luminance factor k that takes the region's mean luminance (lsum /
 * count) to ST_METRICS_TEXTURE_Y, and the rescaling of one row of L* by
 * it: pores and texture measured on it do not move when only the
 * exposure does (L* contrast grows with the cube root of exposure).
 * Outside the region L* is 0. */
typedef struct l_scale {
    double k;
    float ck, lo;
} l_scale;

static void l_scale_init(l_scale *ls, double lsum, size_t count)
{
    double k = lsum > 0 ? ST_METRICS_TEXTURE_Y * (double)count / lsum : 1;
    /* L*' = 116 cbrt(k Y) - 16 = cbrt(k) (L* + 16) - 16 where both Y and
     * k Y are above the CIE 15 linear segment; the exact formula
     * elsewhere */
    float lin = (float)y_to_l(216.0 / 24389);
    ls->k = k;
    ls->ck = (float)cbrt(k);
    ls->lo = fmaxf(lin, (float)y_to_l(216.0 / 24389 / k));
}

static void l_scale_row(const l_scale *ls, float *L, const uint8_t *m, int n)
{
    const float ck = ls->ck, lo = ls->lo;
    size_t slow = 0;
    for (int x = 0; x < n; x++)
        slow += (m[x] != 0) & !(L[x] > lo);
    if (!slow) { /* the usual row: every region pixel on the fast path */
        for (int x = 0; x < n; x++) {
            float v = ck * (L[x] + 16.0f) - 16.0f;
            L[x] = m[x] ? v : 0.0f;
        }
        return;
    }
    for (int x = 0; x < n; x++) {
        float v = L[x];
        if (!m[x])
            L[x] = 0.0f;
        else if (v > ls->lo)
            L[x] = ls->ck * (v + 16.0f) - 16.0f;
        else
            L[x] = (float)y_to_l(ls->k * l_to_y(v));
    }
}

/* Zeroes the w x h plane p outside the box [x0, x1) x [y0, y1), which the
 * caller writes in full: the plane is touched once, not zeroed first. */
static void zero_outside(float *p, int w, int h, int x0, int y0, int x1, int y1)
{
    size_t W = (size_t)w;
    if (y0 >= y1) {
        memset(p, 0, W * (size_t)h * sizeof *p);
        return;
    }
    memset(p, 0, W * (size_t)y0 * sizeof *p);
    for (int y = y0; y < y1; y++) {
        memset(p + (size_t)y * W, 0, (size_t)x0 * sizeof *p);
        memset(p + (size_t)y * W + x1, 0, (size_t)(w - x1) * sizeof *p);
    }
    memset(p + (size_t)y1 * W, 0, W * (size_t)(h - y1) * sizeof *p);
}

/* The colour sweep's state. The first sweep over the rows converts each
 * row (L* into the plane, a* and b* into a ring of RING rows) and then
 * adds it to the sums, in row order; with two or more jobs the
 * conversion runs on a thread of its own, a few rows ahead of the sums
 * (each side does exactly what it did alone, in the same order, so the
 * numbers are the same). The second sweep takes the tone residuals and
 * rescales L*, rows in any order on any thread: each row's residual sums
 * are kept apart and added in row order after. */
#define RING        32
#define SWEEP2_ROWS 64
typedef struct sweep {
    st_lab_rows c;
    const st_region *reg;
    st_red_stream *rs;
    st_tone_acc ta;
    l_scale ls;
    float *L, *A, *B; /* the plane; a* and b* rings of RING rows */
    double (*part)[3];
    double lsum;
    size_t W;
    int bw, jobs;
    pthread_mutex_t lock;
    pthread_cond_t moved;
    int converted, summed; /* rows (from c.y0) */
} sweep;

static void sweep_convert(sweep *w, int k)
{
    size_t i = (size_t)(w->c.y0 + k) * w->W + (size_t)w->c.x0;
    size_t r = (size_t)(k % RING) * (size_t)w->bw;
    st_lab_rows_convert(&w->c, w->c.y0 + k, w->L + i, w->A + r, w->B + r);
}

static void sweep_sum(sweep *w, int k)
{
    int y = w->c.y0 + k;
    size_t i = (size_t)y * w->W + (size_t)w->c.x0;
    size_t r = (size_t)(k % RING) * (size_t)w->bw;
    row_sums s = colour_row_sums(w->L + i, w->A + r, w->B + r, w->reg->mask + i,
                                 w->bw, &w->lsum);
    st_red_stream_row_summed(w->rs, w->A + r, s.a);
    st_tone_acc_row_summed(&w->ta, y, w->L + i, s.l, s.b, s.n);
}

/* Waits until *v (under w->lock) satisfies v >= want. */
static void sweep_wait(sweep *w, const int *v, int want)
{
    pthread_mutex_lock(&w->lock);
    while (*v < want)
        pthread_cond_wait(&w->moved, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

static void sweep_post(sweep *w, int *v, int value)
{
    pthread_mutex_lock(&w->lock);
    *v = value;
    pthread_cond_broadcast(&w->moved);
    pthread_mutex_unlock(&w->lock);
}

static void *convert_thread(void *arg)
{
    sweep *w = arg;
    for (int k = 0; k < w->c.y1 - w->c.y0; k++) {
        sweep_wait(w, &w->summed, k - RING + 1); /* its ring row is free */
        sweep_convert(w, k);
        sweep_post(w, &w->converted, k + 1);
    }
    return NULL;
}

static void sweep1(sweep *w)
{
    int n = w->c.y1 - w->c.y0;
    pthread_t th;
    if (w->jobs >= 2 && pthread_create(&th, NULL, convert_thread, w) == 0) {
        for (int k = 0; k < n; k++) {
            sweep_wait(w, &w->converted, k + 1);
            sweep_sum(w, k);
            sweep_post(w, &w->summed, k + 1);
        }
        pthread_join(th, NULL);
        return;
    }
    for (int k = 0; k < n; k++) {
        sweep_convert(w, k);
        sweep_sum(w, k);
    }
}

static void sweep2_rows(void *ctx, size_t b)
{
    sweep *w = ctx;
    int y0 = w->c.y0 + (int)b * SWEEP2_ROWS;
    int y1 = y0 + SWEEP2_ROWS < w->c.y1 ? y0 + SWEEP2_ROWS : w->c.y1;
    for (int y = y0; y < y1; y++) {
        size_t i = (size_t)y * w->W + (size_t)w->c.x0;
        st_tone_acc_residual_sums(&w->ta, y, w->L + i, w->part[y - w->c.y0]);
        l_scale_row(&w->ls, w->L + i, w->reg->mask + i, w->bw);
    }
}

static void sweep2(sweep *w)
{
    int n = w->c.y1 - w->c.y0;
    st_pool_run(w->jobs, ((size_t)n + SWEEP2_ROWS - 1) / SWEEP2_ROWS,
                sweep2_rows, w);
    for (int k = 0; k < n; k++)
        st_tone_acc_residual_add(&w->ta, w->part[k]);
}

/* CIELAB, redness, tone and the luminance in one sweep over the rows: a*
 * and b* of a row go straight to the redness stream and the tone sums, so
 * only the L* plane is made (an st_l_plane); then one more
 * over L* for the tone's residuals, which rescales each row after reading
 * it (l_scale). The same numbers, bit for bit, as st_lab_planes_new,
 * st_redness_measure and st_tone_measure and then rescaling the plane,
 * for any jobs. *k: the luminance factor. */
static st_status colour(const st_image *img, const st_region *reg,
                        const double corr[9], double red_threshold, int jobs,
                        st_l_plane **out, st_redness *red, st_tone *tone,
                        double *k, st_error *err)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    st_l_plane *lab = NULL;
    sweep w;
    st_status s;

    *out = NULL;
    memset(&w, 0, sizeof w);
    if ((s = st_lab_rows_init(&w.c, img, reg, corr, err)))
        return s;
    if ((s = st_red_stream_new(&w.rs, reg, red_threshold, err)))
        goto done;
    w.reg = reg, w.W = (size_t)img->width, w.jobs = jobs;
    w.bw = w.c.x1 - w.c.x0;
    lab = calloc(1, sizeof *lab);
    w.A = malloc((size_t)RING * (size_t)w.bw * sizeof *w.A);
    w.B = malloc((size_t)RING * (size_t)w.bw * sizeof *w.B);
    w.part = malloc((size_t)(w.c.y1 - w.c.y0 + 1) * sizeof *w.part);
    if (lab)
        lab->L = st_alloc_large(n * sizeof *lab->L, 0);
    if (!lab || !lab->L || !w.A || !w.B || !w.part) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (CIELAB planes)");
        goto done;
    }
    lab->width = img->width, lab->height = img->height;
    w.L = lab->L;
    zero_outside(lab->L, img->width, img->height, w.c.x0, w.c.y0, w.c.x1,
                 w.c.y1);
    st_tone_acc_init(&w.ta, reg);
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.moved, NULL);
    sweep1(&w);
    pthread_cond_destroy(&w.moved);
    pthread_mutex_destroy(&w.lock);
    st_lab_rows_means(&w.c, lab->linear_mean);
    st_red_stream_end(w.rs, lab->linear_mean, red);
    st_tone_acc_fit(&w.ta);
    l_scale_init(&w.ls, w.lsum, reg->count);
    sweep2(&w);
    st_tone_acc_end(&w.ta, lab->linear_mean, tone);
    *k = w.ls.k;
    *out = lab;
    lab = NULL;
done:
    st_l_plane_free(lab);
    st_red_stream_free(w.rs);
    st_lab_rows_free(&w.c);
    free(w.A);
    free(w.B);
    free(w.part);
    return s;
}

/* Mean L* and a* of reg's pixels and its mean linear R, G, B under
 * linear-light gains, rows of reg's box at a time (no planes). */
static st_status lab_mean(const st_image *img, const st_region *reg,
                          const double corr[9], double *L, double *a,
                          double lin[3], st_error *err)
{
    st_lab_rows c;
    float *rl = NULL, *ra = NULL, *rb = NULL;
    double sl = 0, sa = 0;
    size_t w;
    st_status s;

    if ((s = st_lab_rows_init(&c, img, reg, corr, err)))
        return s;
    w = (size_t)(c.x1 - c.x0);
    rl = malloc(w * sizeof *rl), ra = malloc(w * sizeof *ra);
    rb = malloc(w * sizeof *rb);
    if (!rl || !ra || !rb) {
        s = st_fail(err, ST_ERR_NOMEM, "out of memory (reference region)");
        goto done;
    }
    for (int y = c.y0; y < c.y1; y++) {
        double tl = 0, ta = 0; /* 0 outside the mask */
        st_lab_rows_convert(&c, y, rl, ra, rb);
        for (size_t k = 0; k < w; k++)
            tl += rl[k], ta += ra[k];
        sl += tl, sa += ta;
    }
    st_lab_rows_means(&c, lin);
    *L = sl / (double)reg->count;
    *a = sa / (double)reg->count;
done:
    st_lab_rows_free(&c);
    free(rl);
    free(ra);
    free(rb);
    return s;
}

/* The _rel metrics (docs/metrics.md, "Relative colour"). EI_rel and
 * MI_rel: the region's index minus the reference's, both from mean linear
 * R, G (any channel gain cancels). L*_rel and a*_rel: the photo is first
 * adapted to the reference (von Kries: per-channel gains that take the
 * reference's mean linear R, G, B to a grey of Y = ST_REL_Y), then the
 * reference's mean L*, a* is subtracted from the region's. A change of
 * exposure or white balance (a diagonal in linear sRGB) changes nothing. */
#define ST_REL_Y 0.18
static st_status relative(const st_image *img, const st_region *reg,
                          const st_region *ref, const double corr[9],
                          st_metrics *out, st_error *err)
{
    double lin[3], adapt[9], L, a, Lr, ar, tmp[3];
    st_status s;

    out->has_reference = 1;
    out->l_star_rel = out->a_star_rel = NAN;
    out->erythema_index_rel = out->melanin_index_rel = NAN;
    out->reference_px = ref->count;
    if (!ref->count)
        return ST_OK;
    if ((s = lab_mean(img, ref, corr, &Lr, &ar, lin, err)))
        return s;
    if (lin[0] > 0 && lin[1] > 0)
        out->erythema_index_rel =
            out->redness.erythema_index - 100.0 * log10(lin[0] / lin[1]);
    if (lin[0] > 0)
        out->melanin_index_rel =
            out->tone.melanin_index - 100.0 * log10(1.0 / lin[0]);
    if (!(lin[0] > 0 && lin[1] > 0 && lin[2] > 0))
        return ST_OK;
    for (int k = 0; k < 9; k++) /* diag(ST_REL_Y / lin) corr */
        adapt[k] = corr[k] * ST_REL_Y / lin[k / 3];
    if ((s = lab_mean(img, ref, adapt, &Lr, &ar, tmp, err)) ||
        (s = lab_mean(img, reg, adapt, &L, &a, tmp, err)))
        return s;
    out->l_star_rel = L - Lr;
    out->a_star_rel = a - ar;
    return ST_OK;
}

/* The texture of a photo, on a thread of its own while the pores use the
 * others: both only read the normalised L*, so the numbers are the same
 * as one after the other. */
typedef struct texture_job {
    st_l_plane *lab;
    int last; /* no one reads lab after: st_texture_measure_last */
    const st_region *reg;
    double px_per_mm, px_scale, seconds;
    st_texture *out;
    st_error err;
    st_status s;
} texture_job;

static void *texture_thread(void *arg)
{
    texture_job *j = arg;
    double t0 = st_timing_clock();
    j->s = j->last ? st_texture_measure_last(j->lab, j->reg, j->px_per_mm,
                                             j->px_scale, j->out, &j->err)
                   : st_texture_measure(j->lab, j->reg, j->px_per_mm,
                                        j->px_scale, j->out, &j->err);
    j->seconds = st_timing_clock() - t0;
    return NULL;
}

/* Pores, then texture; with two or more jobs the texture runs beside the
 * pores (a thread of its own; the pores keep their jobs). A pore failure
 * is reported before a texture one, as in the sequential order. */
static st_status pores_and_texture(st_l_plane *lab, const st_region *reg,
                                   const st_metrics_options *opt,
                                   st_metrics *out, st_error *err)
{
    texture_job j;
    pthread_t th;
    int threaded = 0;
    double t0 = st_timing_clock();
    st_status s;

    memset(&j, 0, sizeof j);
    j.lab = lab, j.reg = reg, j.out = &out->texture;
    j.px_per_mm = opt->px_per_mm * opt->px_scale, j.px_scale = opt->px_scale;
    if (opt->pores.jobs >= 2)
        threaded = pthread_create(&th, NULL, texture_thread, &j) == 0;
    s = st_pores_detect(lab, reg, &opt->pores, &out->pores, err);
    st_timing_add(opt->timing, ST_STAGE_PORES, t0);
    if (threaded)
        pthread_join(th, NULL);
    else if (s == ST_OK) {
        j.last = 1; /* after the pores: the texture reads L* last */
        texture_thread(&j);
    }
    if (s)
        return s;
    if (opt->timing)
        opt->timing->seconds[ST_STAGE_TEXTURE] += j.seconds;
    if (j.s && err)
        *err = j.err;
    return j.s;
}

st_status st_metrics_measure(const st_image *img, const st_region *reg,
                             const st_metrics_options *opt_in, st_metrics *out,
                             st_error *err)
{
    st_metrics_options opt;
    st_region *full = NULL;
    st_l_plane *lab = NULL;
    double gains[3], t0, k = 1;
    st_status s;

    memset(out, 0, sizeof *out);
    if (opt_in)
        opt = *opt_in;
    else
        st_metrics_options_init(&opt);
    if (!(opt.px_scale > 0))
        opt.px_scale = 1;
    opt.pores.px_per_mm = opt.px_per_mm * opt.px_scale;
    opt.pores.px_scale = opt.px_scale;
    if (!reg) {
        s = st_region_full(&full, img->width, img->height, err);
        if (s)
            return s;
        reg = full;
    }
    t0 = st_timing_clock();
    if ((s = st_color_wb_gains(img, reg, &opt.white_balance, gains, err)))
        goto done;
    memcpy(out->wb_gains, gains, sizeof gains);
    st_color_diag(out->correction, gains);
    out->calibration_delta_e = NAN;
    out->l_star_rel = out->a_star_rel = NAN;
    out->erythema_index_rel = out->melanin_index_rel = NAN;
    {
        float *buf = malloc((size_t)img->width * 4 * sizeof *buf);
        if (!buf) {
            s = st_fail(err, ST_ERR_NOMEM, "out of memory");
            goto done;
        }
        scene_light(img, reg, out->light, &out->skin_clipped_pct, buf);
        free(buf);
    }
    switch (opt.white_balance.mode) {
    case ST_WB_GRAYWORLD: out->calibration = ST_CAL_GRAYWORLD; break;
    case ST_WB_PATCH:
        out->calibration = ST_CAL_PATCH;
        out->light_from_target = 1;
        for (int c = 0; c < 3; c++)
            out->light[c] = 1.0 / gains[c];
        break;
    case ST_WB_AUTO:
    case ST_WB_CHART:
    case ST_WB_CARD:
        if ((s = calibrate(img, &opt.white_balance, out, err)))
            goto done;
        break;
    default: break;
    }
    if ((s = colour(img, reg, out->correction, opt.red_threshold,
                    opt.pores.jobs, &lab, &out->redness, &out->tone, &k, err)))
        goto done;
    memcpy(out->linear_mean, lab->linear_mean, sizeof out->linear_mean);
    /* grey world sets the region's mean R to its mean G: EI = 100
     * log10(R / G) is 0 by construction, whatever the skin */
    if (opt.reference &&
        (s = relative(img, reg, opt.reference, out->correction, out, err)))
        goto done;
    if (opt.white_balance.mode == ST_WB_GRAYWORLD)
        out->redness.erythema_index = NAN; /* (its _rel stays: the gains
                                              cancel in the difference) */
    /* pores and texture read only the normalised L* (colour rescaled it
     * in place); photo L* ST_METRICS_CLIP_L and above is clipped or a
     * highlight: the pores leave it out (in the normalised plane's units) */
    opt.pores.highlight_l = y_to_l(k * l_to_y(ST_METRICS_CLIP_L));
    st_timing_add(opt.timing, ST_STAGE_COLOUR, t0);
    s = pores_and_texture(lab, reg, &opt, out, err);
done:
    if (s)
        st_metrics_clear(out);
    out->region_px = reg->count;
    st_l_plane_free(lab);
    st_region_free(full);
    return s;
}

/* ---- comparability ---- */

static int target_corrected(st_calibration c)
{
    return c == ST_CAL_PATCH || c == ST_CAL_CHART || c == ST_CAL_CARD;
}

/* L* and a* of the linear colour rgb under the gains g. */
static void lab_under(const double rgb[3], const double g[3], double lab[3])
{
    double v[3] = {rgb[0] * g[0], rgb[1] * g[1], rgb[2] * g[2]};
    st_color_linear_to_lab(v, lab);
}

void st_metrics_light_change(const st_metrics *photo, const st_metrics *base,
                             st_light_change *out)
{
    double r[3], one[3] = {1, 1, 1}, exp3[3], wb3[3], lab0[3], lab[3];
    int both_target, differ;
    memset(out, 0, sizeof *out);
    for (int c = 0; c < 3; c++)
        r[c] = photo->light[c] / base->light[c];
    out->exposure = r[1];
    out->wb_red = r[0] / r[1];
    out->wb_blue = r[2] / r[1];
    out->a_star_shift = out->l_star_shift = NAN;
    if (photo->target_clipped || base->target_clipped)
        out->flags |= ST_LIGHT_TARGET_CLIPPED;
    if (photo->skin_clipped_pct > 1 || base->skin_clipped_pct > 1)
        out->flags |= ST_LIGHT_SKIN_CLIPPED;
    both_target = target_corrected(photo->calibration) &&
                  target_corrected(base->calibration);
    differ = photo->calibration != base->calibration && !both_target;
    if (differ) {
        out->flags |= ST_LIGHT_CALIBRATION;
        return;
    }
    if (both_target || !(r[0] > 0 && r[1] > 0 && r[2] > 0)) {
        out->a_star_shift = out->l_star_shift = both_target ? 0 : NAN;
        return;
    }
    /* what is left in the numbers: grey world removes the white balance
     * but keeps brightness; none removes nothing */
    for (int c = 0; c < 3; c++) {
        exp3[c] = r[1];
        wb3[c] = photo->calibration == ST_CAL_GRAYWORLD ? 1 : r[c] / r[1];
    }
    lab_under(base->linear_mean, one, lab0);
    {
        double all[3] = {exp3[0] * wb3[0], exp3[1] * wb3[1], exp3[2] * wb3[2]};
        lab_under(base->linear_mean, all, lab);
        out->a_star_shift = lab[1] - lab0[1];
        out->l_star_shift = lab[0] - lab0[0];
    }
    lab_under(base->linear_mean, exp3, lab);
    if (fabs(lab[1] - lab0[1]) > 1 || fabs(lab[0] - lab0[0]) > 3)
        out->flags |= ST_LIGHT_EXPOSURE;
    lab_under(base->linear_mean, wb3, lab);
    if (fabs(lab[1] - lab0[1]) > 1)
        out->flags |= ST_LIGHT_WHITE_BALANCE;
}

const char *st_light_flags_text(int flags, char *buf, size_t cap)
{
    static const char *const names[] = {"exposure", "white_balance",
                                        "target_clipped", "skin_clipped",
                                        "calibration"};
    size_t n = 0;
    if (cap)
        buf[0] = '\0';
    for (int k = 0; k < 5; k++)
        if (flags & (1 << k)) {
            int w = snprintf(buf + n, n < cap ? cap - n : 0, "%s%s",
                             n ? ";" : "", names[k]);
            if (w > 0)
                n += (size_t)w;
        }
    return buf;
}
