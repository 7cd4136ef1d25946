/* skintrack — FFTW behind a small plan cache.
 *
 *   st_fft_good_size            2,3,5,7-smooth size at or above n
 *   st_fft_alloc / st_fft_free  aligned buffers
 *   st_fft_forward / _inverse   2-D real <-> complex, cached plans
 *   st_fft_cleanup              drop the plans
 *
 * FFTW's planner is not thread-safe, its executor is: plans are made under
 * a mutex on scratch arrays and then executed with fftwf_execute_dft_r2c /
 * _c2r on the caller's (equally aligned) arrays. FFTW_ESTIMATE keeps
 * planning to microseconds; a 12-megapixel FFTW_MEASURE plan takes seconds.
 * FFTW_PRESERVE_INPUT is not available for multi-dimensional c2r, so the
 * inverse may overwrite its input (documented in fft.h).
 */
#include <pthread.h>
#include <stdlib.h>

#include <fftw3.h>

#include "core/core_internal.h"
#include "skintrack/fft.h"

struct plan {
    int w, h, inverse; /* inverse: 1, forward: 0, forward in place: 2 */
    fftwf_plan p;
};

/* Plans live until st_fft_cleanup: another thread may be executing any of
 * them, so none is ever evicted (a run uses a handful of sizes). */
static struct plan *plans;
static int nplans, cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int st_fft_good_size(int n)
{
    for (int m = n < 1 ? 1 : n;; m++) {
        int r = m;
        while (r % 2 == 0)
            r /= 2;
        while (r % 3 == 0)
            r /= 3;
        while (r % 5 == 0)
            r /= 5;
        while (r % 7 == 0)
            r /= 7;
        if (r == 1)
            return m;
    }
}

float *st_fft_alloc(size_t count)
{
    float *p = fftwf_alloc_real(count ? count : 1);
    if (p)
        st_mem_huge(p, count * sizeof *p);
    return p;
}

void st_fft_free(void *p)
{
    if (p)
        fftwf_free(p);
}

/* The cached plan for (w, h, inverse), made on first use. */
static fftwf_plan get_plan(int w, int h, int inverse)
{
    fftwf_plan p = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nplans; i++)
        if (plans[i].w == w && plans[i].h == h && plans[i].inverse == inverse) {
            p = plans[i].p;
            break;
        }
    if (!p) {
        size_t nc = (size_t)h * (size_t)(w / 2 + 1) * 2;
        float *r = fftwf_alloc_real((size_t)w * (size_t)h);
        float *c = fftwf_alloc_real(nc);
        if (r && c)
            p = inverse == 1 ? fftwf_plan_dft_c2r_2d(h, w, (fftwf_complex *)c,
                                                     r, FFTW_ESTIMATE)
                : inverse == 2
                    ? fftwf_plan_dft_r2c_2d(h, w, c, (fftwf_complex *)c,
                                            FFTW_ESTIMATE)
                    : fftwf_plan_dft_r2c_2d(h, w, r, (fftwf_complex *)c,
                                            FFTW_ESTIMATE);
        fftwf_free(r);
        fftwf_free(c);
        if (p && nplans == cap) {
            int ncap = cap ? 2 * cap : 16;
            struct plan *np = realloc(plans, (size_t)ncap * sizeof *np);
            if (np) {
                plans = np;
                cap = ncap;
            }
        }
        if (p && nplans < cap) {
            plans[nplans++] = (struct plan){w, h, inverse, p};
        } else if (p) {
            fftwf_destroy_plan(p);
            p = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
    return p;
}

st_status st_fft_forward(int w, int h, float *in, float *out, st_error *err)
{
    fftwf_plan p;
    if (w <= 0 || h <= 0)
        return st_fail(err, ST_ERR_INVALID, "FFT size %dx%d", w, h);
    p = get_plan(w, h, 0);
    if (!p)
        return st_fail(err, ST_ERR_NOMEM, "cannot plan a %dx%d FFT", w, h);
    fftwf_execute_dft_r2c(p, in, (fftwf_complex *)out);
    return ST_OK;
}

st_status st_fft_forward_inplace(int w, int h, float *buf, st_error *err)
{
    fftwf_plan p;
    if (w <= 0 || h <= 0)
        return st_fail(err, ST_ERR_INVALID, "FFT size %dx%d", w, h);
    p = get_plan(w, h, 2);
    if (!p)
        return st_fail(err, ST_ERR_NOMEM, "cannot plan a %dx%d FFT", w, h);
    fftwf_execute_dft_r2c(p, buf, (fftwf_complex *)buf);
    return ST_OK;
}

st_status st_fft_inverse(int w, int h, float *in, float *out, st_error *err)
{
    fftwf_plan p;
    if (w <= 0 || h <= 0)
        return st_fail(err, ST_ERR_INVALID, "FFT size %dx%d", w, h);
    p = get_plan(w, h, 1);
    if (!p)
        return st_fail(err, ST_ERR_NOMEM, "cannot plan a %dx%d FFT", w, h);
    fftwf_execute_dft_c2r(p, (fftwf_complex *)in, out);
    return ST_OK;
}

void st_fft_cleanup(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nplans; i++)
        fftwf_destroy_plan(plans[i].p);
    free(plans);
    plans = NULL;
    nplans = cap = 0;
    fftwf_cleanup();
    pthread_mutex_unlock(&lock);
}
