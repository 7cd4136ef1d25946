/* skintrack — the image type.
 *
 *   st_image_check_size   validate dimensions against limits, no allocation
 *   st_image_new          allocate a zero-filled float image
 *   st_image_new_8bit     allocate a zero-filled 8-bit image
 *   st_image_free         release an image
 *   st_image_row          a row as floats, from either kind of image
 *   st_image_to_float     8-bit -> float, in place
 *   st_image_copy         duplicate an image
 *   st_image_linearize    sRGB-encoded -> linear-light copy
 *   st_image_orient       apply an EXIF orientation
 *
 *   st_orient_put_row     scatter one decoded row to its upright place
 *   st_image_as_float     a float view of an image, converted if need be
 *   st_mem_huge           ask for large pages behind a large buffer
 *   st_alloc_large        a large buffer on large pages
 *   st_free_large         free any buffer, a large one back to the system
 *   st_unmap_large        give a large buffer back, if it is one
 *   st_large_live         bytes held in large buffers now
 *   st_mem_release        give a buffer's pages back, contents no longer read
 *
 * Orientation is applied while rows are decoded (st_orient_put_row), so a
 * reader never holds the stored and the upright image at once;
 * st_image_orient runs the same scatter over an image in memory.
 */
#define _DEFAULT_SOURCE /* madvise, mmap flags, posix_memalign */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core_internal.h"
#include "skintrack/color.h"
#include "skintrack/image.h"

st_status st_image_check_size(int width, int height, int channels,
                              uint64_t max_pixels, size_t *bytes, st_error *err)
{
    size_t n;

    if (width <= 0 || height <= 0)
        return st_fail(err, ST_ERR_INVALID, "image has no pixels (%dx%d)",
                       width, height);
    if (channels < 1 || channels > 4)
        return st_fail(err, ST_ERR_INVALID, "unsupported channel count %d",
                       channels);
    if (width > ST_IMAGE_MAX_SIDE || height > ST_IMAGE_MAX_SIDE)
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "image is %dx%d, a side above the limit of %d px", width,
                       height, ST_IMAGE_MAX_SIDE);
    if (max_pixels && (uint64_t)width * (uint64_t)height > max_pixels)
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "image is %dx%d = %.3g megapixels, above the limit "
                       "of %g",
                       width, height, (double)width * height / 1e6,
                       (double)max_pixels / 1e6);
    if (st_mul_size((size_t)width, (size_t)height, &n) ||
        st_mul_size(n, (size_t)channels, &n) ||
        st_mul_size(n, sizeof(float), &n))
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "image of %dx%dx%d does not fit in memory", width,
                       height, channels);
    if (bytes)
        *bytes = n;
    return ST_OK;
}

void st_mem_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    /* whole 2 MiB pages inside the buffer only: a huge page reaching past
     * its end would hold memory the buffer does not use (peak RSS) */
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~(huge - 1);
    if (p && n >= ST_MEM_HUGE_MIN && b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

void st_mem_release(void *p, size_t n)
{
#ifdef MADV_DONTNEED
    const uintptr_t page = 4096; /* a multiple of it is page-aligned too */
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + n) & ~(page - 1);
    if (p && b > a)
        (void)madvise((void *)a, b - a, MADV_DONTNEED);
#else
    (void)p, (void)n;
#endif
}

/* Large buffers (ST_ALLOC_MAP_MIN, 1 MiB, and more) are anonymous
 * mappings of their own, 2 MiB aligned and rounded up to whole 2 MiB
 * pages, all advised MADV_HUGEPAGE: a photo's planes then fault a few
 * huge pages each, not hundreds of 4 KB pages (a 2 MP align: 8,960 page
 * faults -> 1,870, 388 -> 293 ms CPU; docs/align.md, "Speed"). Freed by
 * st_free_large, they go back to the system at once (munmap) and are
 * never reused by the heap: rounded and advised heap memory, kept by
 * cli/main.c's mallopt and reused by small allocations, came back as
 * whole huge pages and doubled a 20-photo course's peak memory (550 ->
 * 1084 MB). The live mappings are kept in a table so that st_free_large
 * takes any pointer, like free. */
enum { LARGE_SLOTS = 256 };
static const size_t huge_page = (size_t)2 << 20;
static struct large {
    void *p;
    size_t n;
} large[LARGE_SLOTS];
static int large_used; /* slots in use or freed below this */
static size_t large_live;
static pthread_mutex_t large_lock = PTHREAD_MUTEX_INITIALIZER;

/* Records mapping p of n bytes; 0, or -1 when the table is full. */
static int large_add(void *p, size_t n)
{
    int i, r = -1;
    pthread_mutex_lock(&large_lock);
    for (i = 0; i < large_used && large[i].p; i++)
        ;
    if (i < LARGE_SLOTS) {
        large[i].p = p, large[i].n = n;
        large_used += i == large_used;
        large_live += n;
        r = 0;
    }
    pthread_mutex_unlock(&large_lock);
    return r;
}

/* The length of mapping p, now forgotten; 0 if p is not one. */
static size_t large_take(void *p)
{
    size_t n = 0;
    pthread_mutex_lock(&large_lock);
    for (int i = 0; i < large_used; i++)
        if (large[i].p == p) {
            n = large[i].n;
            large[i].p = NULL;
            large_live -= n;
            while (large_used > 0 && !large[large_used - 1].p)
                large_used--;
            break;
        }
    pthread_mutex_unlock(&large_lock);
    return n;
}

/* n bytes (a multiple of huge_page) of fresh zeroed memory, 2 MB aligned
 * and advised; NULL when the system has none. */
static void *map_large(size_t n)
{
    size_t len = n + huge_page, head;
    char *b = mmap(NULL, len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t a;
    if (b == MAP_FAILED)
        return NULL;
    a = ((uintptr_t)b + huge_page - 1) & ~(uintptr_t)(huge_page - 1);
    head = (size_t)(a - (uintptr_t)b);
    if (head)
        munmap(b, head);
    munmap((char *)a + n, huge_page - head);
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)a, n, MADV_HUGEPAGE); /* advice: may fail */
#endif
    if (large_add((void *)a, n)) {
        munmap((void *)a, n);
        return NULL;
    }
    return (void *)a;
}

void *st_alloc_large(size_t n, int zero)
{
    void *p = NULL;
    size_t m;
    if (n < ST_ALLOC_MAP_MIN)
        return zero ? calloc(1, n ? n : 1) : malloc(n ? n : 1);
    m = (n + huge_page - 1) & ~(huge_page - 1);
    if (ST_LARGE_MAPS && m >= n && (p = map_large(m)))
        return p; /* zero-filled by the kernel */
    /* no mapping (the table full, the system refused one, or an
     * AddressSanitizer build): the heap */
    if (posix_memalign(&p, huge_page, n))
        return NULL;
    st_mem_huge(p, n); /* before the first touch */
    if (zero)
        memset(p, 0, n);
    return p;
}

int st_unmap_large(void *p)
{
    size_t n;
    if (!p || ((uintptr_t)p & (huge_page - 1)))
        return 0;
    if (!(n = large_take(p)))
        return 0;
    munmap(p, n);
    return 1;
}

void st_free_large(void *p)
{
    if (!st_unmap_large(p))
        free(p);
}

size_t st_large_live(void)
{
    size_t n;
    pthread_mutex_lock(&large_lock);
    n = large_live;
    pthread_mutex_unlock(&large_lock);
    return n;
}

/* A zero-filled image of samples `size` bytes each (float or byte). */
static st_status image_new(st_image **out, int width, int height, int channels,
                           size_t size, st_error *err)
{
    st_image *img;
    size_t bytes = 0;
    void *data;
    st_status s;

    if (!out)
        return st_fail(err, ST_ERR_INVALID, "st_image_new: out is NULL");
    *out = NULL;
    s = st_image_check_size(width, height, channels, 0, &bytes, err);
    if (s)
        return s;
    bytes = bytes / sizeof(float) * size;
    img = calloc(1, sizeof *img);
    if (!img)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    data = st_alloc_large(bytes, 1);
    if (!data) {
        free(img);
        return st_fail(err, ST_ERR_NOMEM,
                       "out of memory for a %dx%dx%d image (%zu bytes)", width,
                       height, channels, bytes);
    }
    if (size == 1)
        img->data8 = data;
    else
        img->data = data;
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->stride = (size_t)width * (size_t)channels;
    *out = img;
    return ST_OK;
}

st_status st_image_new(st_image **out, int width, int height, int channels,
                       st_error *err)
{
    return image_new(out, width, height, channels, sizeof(float), err);
}

st_status st_image_new_8bit(st_image **out, int width, int height, int channels,
                            st_error *err)
{
    return image_new(out, width, height, channels, 1, err);
}

void st_image_free(st_image *img)
{
    if (!img)
        return;
    st_free_large(img->data);
    st_free_large(img->data8);
    free(img);
}

/* byte / 255.0f for every byte: what the readers store in a float image. */
static float unit[256];
static pthread_once_t unit_once = PTHREAD_ONCE_INIT;

static void unit_init(void)
{
    for (int i = 0; i < 256; i++)
        unit[i] = (float)i / 255.0f;
}

const float *st_image_row(const st_image *img, int x, int y, int n, float *buf)
{
    const uint8_t *p;
    size_t m = (size_t)n * (size_t)img->channels;
    if (img->data)
        return st_image_pixel(img, x, y);
    pthread_once(&unit_once, unit_init);
    p = st_image_pixel8(img, x, y);
    for (size_t i = 0; i < m; i++)
        buf[i] = unit[p[i]];
    return buf;
}

/* A new float image holding img's values, of either kind. */
static st_status float_copy(st_image **out, const st_image *img, st_error *err)
{
    st_status s =
        st_image_new(out, img->width, img->height, img->channels, err);
    if (s)
        return s;
    for (int y = 0; y < img->height; y++) {
        const float *r =
            st_image_row(img, 0, y, img->width, st_image_pixel(*out, 0, y));
        if (r != st_image_pixel(*out, 0, y)) /* a float image */
            memcpy(st_image_pixel(*out, 0, y), r,
                   (size_t)img->width * (size_t)img->channels * sizeof *r);
    }
    return ST_OK;
}

st_status st_image_to_float(st_image *img, st_error *err)
{
    st_image *f;
    st_status s;
    if (img->data)
        return ST_OK;
    if ((s = float_copy(&f, img, err)))
        return s;
    st_free_large(img->data8);
    img->data8 = NULL;
    img->data = f->data;
    img->stride = f->stride;
    free(f);
    return ST_OK;
}

st_status st_image_as_float(const st_image *img, const st_image **view,
                            st_image **copy, st_error *err)
{
    st_status s;
    *copy = NULL;
    *view = img;
    if (img->data)
        return ST_OK;
    if ((s = float_copy(copy, img, err)))
        return s;
    *view = *copy;
    return ST_OK;
}

st_status st_image_copy(st_image **out, const st_image *src, st_error *err)
{
    size_t row = (size_t)src->width * (size_t)src->channels;
    st_status s = src->data ? st_image_new(out, src->width, src->height,
                                           src->channels, err)
                            : st_image_new_8bit(out, src->width, src->height,
                                                src->channels, err);
    if (s)
        return s;
    for (int y = 0; y < src->height; y++)
        if (src->data)
            memcpy(st_image_pixel(*out, 0, y), st_image_pixel(src, 0, y),
                   row * sizeof(float));
        else
            memcpy(st_image_pixel8(*out, 0, y), st_image_pixel8(src, 0, y),
                   row);
    return ST_OK;
}

st_status st_image_linearize(st_image **out, const st_image *src, st_error *err)
{
    int cc = st_image_color_channels(src);
    st_status s = float_copy(out, src, err);
    if (s)
        return s;
    for (int y = 0; y < src->height; y++) {
        float *p = st_image_pixel(*out, 0, y);
        for (int x = 0; x < src->width; x++, p += src->channels)
            for (int c = 0; c < cc; c++)
                p[c] = (float)st_color_srgb_to_linear(p[c]);
    }
    return ST_OK;
}

/* Upright coordinates of stored pixel (sx, sy); sw, sh are the stored
 * width and height. Derived from where each EXIF value puts the stored
 * first row and column (see st_orientation). */
static inline void upright_coord(int orientation, int sx, int sy, int sw,
                                 int sh, int *x, int *y)
{
    switch (orientation) {
    case ST_ORIENT_FLIP_H:
        *x = sw - 1 - sx;
        *y = sy;
        break;
    case ST_ORIENT_ROT_180:
        *x = sw - 1 - sx;
        *y = sh - 1 - sy;
        break;
    case ST_ORIENT_FLIP_V:
        *x = sx;
        *y = sh - 1 - sy;
        break;
    case ST_ORIENT_TRANSPOSE:
        *x = sy;
        *y = sx;
        break;
    case ST_ORIENT_ROT_90_CW:
        *x = sh - 1 - sy;
        *y = sx;
        break;
    case ST_ORIENT_TRANSVERSE:
        *x = sh - 1 - sy;
        *y = sw - 1 - sx;
        break;
    case ST_ORIENT_ROT_270_CW:
        *x = sy;
        *y = sw - 1 - sx;
        break;
    default:
        *x = sx;
        *y = sy;
        break;
    }
}

void st_orient_put_row(st_image *dst, int orientation, int stored_width,
                       int stored_height, int sy, const void *row)
{
    size_t nc = (size_t)dst->channels,
           px = nc * (dst->data ? sizeof(float) : 1);
    uint8_t *base = dst->data ? (uint8_t *)dst->data : dst->data8;
    const uint8_t *r = row;

    if (orientation < 2 || orientation > 8) {
        memcpy(base + (size_t)sy * dst->stride / nc * px, r,
               (size_t)stored_width * px);
        return;
    }
    for (int sx = 0; sx < stored_width; sx++) {
        int x, y;
        upright_coord(orientation, sx, sy, stored_width, stored_height, &x, &y);
        memcpy(base + ((size_t)y * dst->stride / nc + (size_t)x) * px,
               r + (size_t)sx * px, px);
    }
}

st_status st_image_orient(st_image **out, const st_image *src, int orientation,
                          st_error *err)
{
    int w, h;
    st_status s;

    if (!out)
        return st_fail(err, ST_ERR_INVALID, "st_image_orient: out is NULL");
    *out = NULL;
    if (orientation < 1 || orientation > 8)
        return st_fail(err, ST_ERR_INVALID, "invalid EXIF orientation %d",
                       orientation);
    st_oriented_size(orientation, src->width, src->height, &w, &h);
    s = src->data ? st_image_new(out, w, h, src->channels, err)
                  : st_image_new_8bit(out, w, h, src->channels, err);
    if (s)
        return s;
    for (int sy = 0; sy < src->height; sy++)
        st_orient_put_row(*out, orientation, src->width, src->height, sy,
                          src->data ? (const void *)st_image_pixel(src, 0, sy)
                                    : st_image_pixel8(src, 0, sy));
    return ST_OK;
}
