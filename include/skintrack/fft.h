/* skintrack — FFTW behind a small plan cache.
 *
 * Real-to-complex 2-D transforms in single precision, planned once per size
 * and reused: the pore tiles' sizes from wisdom shipped with the library
 * (measured with FFTW_PATIENT; imgproc/fft_wisdom.h, `make wisdom`), every
 * other size with FFTW_ESTIMATE, so that a size gets the same plan on
 * every run (planning with FFTW_MEASURE at run time costs seconds at photo
 * sizes and may pick another plan next time). A plan is executed on the
 * caller's arrays through FFTW's new-array interface, which is thread-safe,
 * while planning itself is serialised by a mutex. Arrays must come from
 * st_fft_alloc (FFTW's alignment).
 *
 * Layout (FFTW's): a real array of h rows of w floats; its spectrum has h
 * rows of w/2 + 1 complex values (interleaved re, im). The inverse is
 * unnormalised: forward then inverse multiplies by w * h.
 */
#ifndef SKINTRACK_FFT_H
#define SKINTRACK_FFT_H

#include <stddef.h>

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest n' >= n whose prime factors are 2, 3, 5 and 7 (fast for FFTW).
 * n must be positive and at most 2^30. */
int st_fft_good_size(int n);

/* FFTW-aligned memory for count floats; free with st_fft_free. */
float *st_fft_alloc(size_t count);
void st_fft_free(void *p);

/* Forward transform of the h x w real array in into the h x (w/2+1)
 * complex array out (2 * h * (w/2+1) floats). in is left unchanged. */
st_status st_fft_forward(int w, int h, float *in, float *out, st_error *err);

/* The same in place: buf holds h rows of 2 * (w/2+1) floats, the first w
 * of each the real input; on return it is the complex output. Saves the
 * separate input plane (48 MB for a 12-megapixel transform). */
st_status st_fft_forward_inplace(int w, int h, float *buf, st_error *err);

/* Inverse of st_fft_forward (unnormalised); in is overwritten by FFTW. */
st_status st_fft_inverse(int w, int h, float *in, float *out, st_error *err);

/* Releases every cached plan (for leak checkers at exit; optional). */
void st_fft_cleanup(void);

#ifdef __cplusplus
}
#endif
#endif
