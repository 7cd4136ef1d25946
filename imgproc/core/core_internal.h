/* skintrack — the core family's helpers, shared inside libskintrack only:
 * status and messages, locale-proof formatting, small solves, the thread
 * pool, size arithmetic, atomic-output errors, oriented row writes. Every
 * other family may use them; core uses no other family. */
#ifndef SKINTRACK_CORE_INTERNAL_H
#define SKINTRACK_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "skintrack/image.h"
#include "skintrack/status.h"

#if defined(__GNUC__)
#define ST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ST_PRINTF(a, b)
#endif

/* Records status and a printf-style cause in err (may be NULL) and returns
 * status, so a failure is one line: `return st_fail(err, ST_ERR_IO, ...)`. */
st_status st_fail(st_error *err, st_status status, const char *fmt, ...)
    ST_PRINTF(3, 4);

#define ST_PI 3.14159265358979323846

/* vsnprintf in the C locale (a decimal point, no grouping) whatever the
 * process's locale; thread-safe (csv.c). */
int st_vsnprintf_c(char *buf, size_t size, const char *fmt, va_list ap);

/* Thread-safe strerror: the text for errno value e, in buf. */
const char *st_errno_text(int e, char *buf, size_t size);

/* Solve the n x n system A x = b by Gaussian elimination with partial
 * pivoting; A and b are destroyed (linalg.c). -1 if a pivot is not above
 * 1e-30 (st_solve; n <= 6, A as rows of 6) or 1e-300 (st_solve_n; A row by
 * row), or the solution is not finite. */
int st_solve(int n, double A[6][6], double b[6], double x[6]);
int st_solve_n(int n, double *A, double *b, double *x);

/* The adjugate c of the 3 x 3 matrix a (row-major); returns det(a), so
 * a^-1 = c / det when det is far enough from 0 for the caller. */
double st_mat3_adjugate(const double a[9], double c[9]);

/* Runs fn(ctx, i) for every i in [0, n), on up to jobs threads that take
 * the next i as they finish; returns when all are done. With jobs <= 1,
 * or if no thread can be started, the calling thread does the work. */
void st_pool_run(int jobs, size_t n, void (*fn)(void *ctx, size_t i),
                 void *ctx);

/* The k-th smallest (k < n) of v[0..n), which holds no NaN; v is
 * reordered so that none before v[k] is larger and none after it smaller
 * (select.c: a radix selection). */
float st_select_k(float *v, size_t n, size_t k);
/* The same value, faster; v's contents are then undefined (a median of
 * scratch samples). */
float st_select_k_value(float *v, size_t n, size_t k);

/* FFTW wisdom, FFTW_PATIENT, for the transforms sizes[i] = {w, h, kind}
 * (kind 0: forward, 1: inverse, 2: forward in place), laid out as fft.c
 * plans them; a malloc'd string (free), or NULL. For the generator of
 * fft_wisdom.h (tests/fft_wisdom.c); forgets any wisdom held before. */
char *st_fft_measure_wisdom(const int (*sizes)[3], int n);

/* A float view of img for code that reads pixels at random: *view is img
 * itself when it holds floats; for an 8-bit image *copy (freed by the
 * caller with st_image_free; NULL otherwise) is a float copy and *view
 * points to it. */
st_status st_image_as_float(const st_image *img, const st_image **view,
                            st_image **copy, st_error *err);

/* st_mem_huge (image.c): asks the kernel to back the buffer p of n bytes
 * with transparent huge pages (madvise MADV_HUGEPAGE; where THP is set to
 * "madvise", a common default, nothing else gets them): a 12 MP plane
 * then costs tens of page faults instead of tens of thousands, and fewer
 * TLB misses. Only for buffers of ST_MEM_HUGE_MIN bytes and more; a
 * failure is ignored (it is advice). Contents and results are unchanged. */
#define ST_MEM_HUGE_MIN ((size_t)4 << 20)
void st_mem_huge(void *p, size_t n);
/* st_alloc_large: malloc (zero: calloc) for n bytes; from ST_ALLOC_MAP_MIN
 * bytes on, an anonymous mapping of its own, n rounded up to whole 2 MiB
 * pages, 2 MiB-aligned and advised by st_mem_huge (zero-filled, whatever
 * zero says). NULL when out of memory. Free with st_free_large. */
#define ST_ALLOC_MAP_MIN ((size_t)1 << 20)
/* ST_LARGE_MAPS: 0 in AddressSanitizer builds, where large buffers stay on
 * the heap (st_mem_huge advice only) so that it still checks them. */
#if defined(__SANITIZE_ADDRESS__)
#define ST_LARGE_MAPS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ST_LARGE_MAPS 0
#endif
#endif
#ifndef ST_LARGE_MAPS
#define ST_LARGE_MAPS 1
#endif
void *st_alloc_large(size_t n, int zero);
/* st_free_large: frees any buffer from malloc, calloc or st_alloc_large;
 * a large one's pages go back to the system at once (munmap), never to
 * the heap. NULL is accepted. */
void st_free_large(void *p);
/* st_unmap_large: if p is a buffer of st_alloc_large's own mappings,
 * unmaps it and returns 1; else does nothing and returns 0 (for buffers
 * that may come from another allocator, as st_fft_free's). */
int st_unmap_large(void *p);
/* st_large_live: bytes held now in st_alloc_large's mappings (tests check
 * that a call gives back all it took). */
size_t st_large_live(void);
/* st_mem_release: gives the whole pages inside p[0 .. n) back to the
 * system (MADV_DONTNEED) while the buffer stays allocated: for a buffer
 * that is still owned but will not be read again before it is freed
 * (the pages read as zeros if touched again). Peak RSS only. */
void st_mem_release(void *p, size_t n);

/* a * b into *out; returns 0, or -1 if it overflows size_t. */
static inline int st_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return -1;
    *out = a * b;
    return 0;
}

/* ---- orientation-aware destination for decoded rows (image.c) ---- */

/* Stored row sy (stored_width pixels of dst->channels samples, floats or
 * bytes as dst holds) is written to where the EXIF orientation puts it in
 * the upright image dst, whose size must already be the upright size. */
void st_orient_put_row(st_image *dst, int orientation, int stored_width,
                       int stored_height, int sy, const void *row);

/* Upright size for a stored size and orientation. */
static inline void st_oriented_size(int orientation, int sw, int sh, int *w,
                                    int *h)
{
    int swap = orientation >= 5 && orientation <= 8;
    *w = swap ? sh : sw;
    *h = swap ? sw : sh;
}

/* The error for an encoder (libpng, libjpeg) that failed writing to o at
 * path: the errno of the failed write when there was one ("No space left
 * on device"), else the encoder's own message, with status. */
struct st_output;
st_status st_output_fail(const struct st_output *o, st_error *err,
                         st_status status, const char *path,
                         const char *encoder_message);

#endif
