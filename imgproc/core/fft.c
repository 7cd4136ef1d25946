/* skintrack — FFTW behind a small plan cache.
 *
 *   st_fft_good_size            2,3,5,7-smooth size at or above n
 *   st_fft_alloc / st_fft_free  aligned buffers
 *   st_fft_forward / _inverse   2-D real <-> complex, cached plans
 *   st_fft_cleanup              drop the plans
 *   st_fft_measure_wisdom       wisdom for given sizes (the generator's)
 *
 * FFTW's planner is not thread-safe, its executor is: plans are made under
 * a mutex on scratch arrays and then executed with fftwf_execute_dft_r2c /
 * _c2r on the caller's (equally aligned) arrays.
 *
 * Plans: the sizes the pore tiles use (fft_wisdom.h, made by `make wisdom`
 * with FFTW_PATIENT on the build machine) come from the shipped wisdom,
 * FFTW_WISDOM_ONLY: the same plan every run, 1.3-1.5 times faster than an
 * estimated one. Every other size, and every size when the wisdom does not
 * apply (another FFTW version, a processor without the instructions it
 * names), is planned with FFTW_ESTIMATE, also the same every run: a plan
 * measured at run time (FFTW_MEASURE) could differ from run to run in the
 * last bits, and pore detection is a threshold. A 12-megapixel
 * FFTW_MEASURE plan would also take seconds.
 * FFTW_PRESERVE_INPUT is not available for multi-dimensional c2r, so the
 * inverse may overwrite its input (documented in fft.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "core/core_internal.h"
#include "core/fft_wisdom.h"
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
static int wisdom_read; /* the shipped wisdom imported (under lock) */

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

/* A plan for (w, h, inverse) on the scratch arrays r (w h floats) and c
 * (h (w/2 + 1) complex), with the planner flags given. */
static fftwf_plan plan_on(int w, int h, int inverse, float *r, float *c,
                          unsigned flags)
{
    if (inverse == 1)
        return fftwf_plan_dft_c2r_2d(h, w, (fftwf_complex *)c, r, flags);
    if (inverse == 2)
        return fftwf_plan_dft_r2c_2d(h, w, c, (fftwf_complex *)c, flags);
    return fftwf_plan_dft_r2c_2d(h, w, r, (fftwf_complex *)c, flags);
}

/* Imports the shipped wisdom (its lines joined). Called under lock. */
static void read_wisdom(void)
{
    size_t n = 1, at = 0;
    char *s;
    wisdom_read = 1;
    for (int i = 0; st_fft_wisdom[i]; i++)
        n += strlen(st_fft_wisdom[i]);
    if (n == 1 || !(s = malloc(n)))
        return; /* no wisdom: every plan is estimated */
    for (int i = 0; st_fft_wisdom[i]; i++) {
        size_t k = strlen(st_fft_wisdom[i]);
        memcpy(s + at, st_fft_wisdom[i], k);
        at += k;
    }
    s[at] = 0;
    fftwf_import_wisdom_from_string(s);
    free(s);
}

/* A new plan for (w, h, inverse): from the shipped wisdom, else estimated
 * (see the top of this file). Called under lock. */
static fftwf_plan new_plan(int w, int h, int inverse)
{
    size_t nc = (size_t)h * (size_t)(w / 2 + 1) * 2;
    float *r = fftwf_alloc_real((size_t)w * (size_t)h);
    float *c = fftwf_alloc_real(nc);
    fftwf_plan p = NULL;
    if (!wisdom_read)
        read_wisdom();
    if (r && c) {
        p = plan_on(w, h, inverse, r, c, FFTW_PATIENT | FFTW_WISDOM_ONLY);
        if (!p)
            p = plan_on(w, h, inverse, r, c, FFTW_ESTIMATE);
    }
    fftwf_free(r);
    fftwf_free(c);
    return p;
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
        p = new_plan(w, h, inverse);
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
    wisdom_read = 0;
    pthread_mutex_unlock(&lock);
}

char *st_fft_measure_wisdom(const int (*sizes)[3], int n)
{
    char *s = NULL, *out = NULL;
    pthread_mutex_lock(&lock);
    fftwf_forget_wisdom();
    for (int i = 0; i < n; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        float *r = fftwf_alloc_real((size_t)w * (size_t)h);
        float *c = fftwf_alloc_real((size_t)h * (size_t)(w / 2 + 1) * 2);
        fftwf_plan p =
            r && c ? plan_on(w, h, sizes[i][2], r, c, FFTW_PATIENT) : NULL;
        if (p)
            fftwf_destroy_plan(p);
        fftwf_free(r);
        fftwf_free(c);
    }
    s = fftwf_export_wisdom_to_string();
    if (s && (out = malloc(strlen(s) + 1)))
        strcpy(out, s);
    free(s); /* FFTW allocates it with malloc */
    fftwf_forget_wisdom();
    wisdom_read = 0; /* import the shipped wisdom again on the next plan */
    pthread_mutex_unlock(&lock);
    return out;
}
