/* skintrack — PNG reading and writing with libpng.
 *
 *   st_png_decode     PNG bytes -> upright sRGB st_image
 *   st_io_write_png   st_image -> 8 or 16-bit PNG file, atomically
 *
 * Every PNG layout is expanded to 1..4 channels of 8 or 16 bits (palette
 * to RGB, tRNS to alpha, 1/2/4-bit grey to 8) and 16-bit samples are read
 * as 16-bit, so nothing is truncated. The declared size is checked against
 * the pixel limit straight after IHDR, before any row buffer exists, so a
 * tiny file that claims a huge image is refused at once. Interlaced images
 * need the whole image in memory for libpng's passes; others are read a
 * row at a time.
 *
 * Colour: iCCP first; else an sRGB chunk; else gAMA and/or cHRM build the
 * matching profile (see io.h). libpng's own gamma handling is not used.
 *
 * libpng errors longjmp to the setjmp in the function that started the
 * work; everything acquired lives in a struct owned by the caller's frame.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "core/core_internal.h"
#include "io/io_internal.h"
#include "skintrack/output.h"

/* Largest ancillary chunk libpng will allocate (iCCP, eXIf, text). */
#define MAX_CHUNK_BYTES (16u << 20)

struct perr {
    st_status status;
    char message[200];
    char iccp_warning[160]; /* libpng drops a bad iCCP with a warning */
    int iccp_mismatch;      /* ... and one for another kind of image */
};

static void on_error(png_structp png, png_const_charp text)
{
    struct perr *e = png_get_error_ptr(png);
    if (e->status == ST_OK) {
        e->status = strstr(text, "exceeds user limit") ? ST_ERR_TOO_LARGE
                                                       : ST_ERR_CORRUPT;
        snprintf(e->message, sizeof e->message, "PNG: %s", text);
    }
    png_longjmp(png, 1);
}

/* Ancillary chunk trouble leaves the pixels good and is ignored, except
 * for the colour profile: dropping it silently would misread the colours. */
static void on_warning(png_structp png, png_const_charp text)
{
    struct perr *e = png_get_error_ptr(png);
    if (!strstr(text, "iCCP"))
        return;
    if (strstr(text, "not permitted"))
        e->iccp_mismatch = 1; /* e.g. an RGB profile on a grey PNG */
    else if (!e->iccp_warning[0])
        snprintf(e->iccp_warning, sizeof e->iccp_warning, "%s", text);
}
struct reader {
    const uint8_t *data;
    size_t size, pos;
};

static void read_bytes(png_structp png, png_bytep out, size_t n)
{
    struct reader *r = png_get_io_ptr(png);
    if (n > r->size - r->pos) {
        struct perr *e = png_get_error_ptr(png);
        e->status = ST_ERR_CORRUPT;
        snprintf(e->message, sizeof e->message, "truncated PNG data");
        png_longjmp(png, 1);
    }
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
}

struct pdec {
    png_structp png;
    png_infop info;
    struct perr err;
    struct reader in;
    png_bytep raw;   /* one row, or the whole image if interlaced */
    png_bytep *rows; /* row pointers into raw (interlaced) */
    uint16_t *row16; /* 16-bit samples in native order */
    float *frow;
    st_image *img;
    st_cms cms;
    int header_only; /* stop after the header and EXIF */
};

static void find_exif(struct pdec *d, st_image_info *info)
{
#ifdef PNG_eXIf_SUPPORTED
    png_uint_32 n = 0;
    png_bytep exif = NULL;
    if (png_get_eXIf_1(d->png, d->info, &n, &exif) && exif && n > 0)
        st_exif_parse(exif, n, info);
#else
    (void)d;
    (void)info;
#endif
}

static st_status setup_color(struct pdec *d, const st_read_options *opt,
                             int channels, int bits, st_image_info *info,
                             st_error *err)
{
    png_charp name;
    int compression, intent;
    png_bytep profile;
    png_uint_32 plen;
    double gamma = 0, chrm[8];
    int has_chrm;

    if (d->err.iccp_mismatch &&
        !png_get_valid(d->png, d->info, PNG_INFO_iCCP)) {
        info->color_source = ST_COLOR_IGNORED;
        snprintf(info->color_description, sizeof info->color_description,
                 "ignored, does not fit the image: iCCP for another colour "
                 "space");
        return ST_OK;
    }
    if (d->err.iccp_warning[0] && !opt->ignore_color_profile &&
        !png_get_valid(d->png, d->info, PNG_INFO_iCCP))
        return st_fail(err, ST_ERR_COLOR,
                       "embedded ICC profile is damaged (%s); "
                       "--ignore-icc reads the samples as sRGB",
                       d->err.iccp_warning);
    if (png_get_iCCP(d->png, d->info, &name, &compression, &profile, &plen) &&
        profile && plen > 0) {
        if (opt->ignore_color_profile) {
            info->color_source = ST_COLOR_IGNORED;
            snprintf(info->color_description, sizeof info->color_description,
                     "ignored by option");
            return ST_OK;
        }
        return st_cms_from_icc(&d->cms, profile, plen, ST_CMS_GRAY_RGB,
                               channels, bits, info, err);
    }
    if (opt->ignore_color_profile)
        return ST_OK;
    if (png_get_sRGB(d->png, d->info, &intent)) {
        info->color_source = ST_COLOR_SRGB_CHUNK;
        snprintf(info->color_description, sizeof info->color_description,
                 "PNG sRGB chunk");
        return ST_OK;
    }
    has_chrm =
        png_get_cHRM(d->png, d->info, &chrm[0], &chrm[1], &chrm[2], &chrm[3],
                     &chrm[4], &chrm[5], &chrm[6], &chrm[7]) != 0;
    if (!png_get_gAMA(d->png, d->info, &gamma))
        gamma = 0;
    if (gamma <= 0 && !has_chrm)
        return ST_OK;
    return st_cms_from_png_chunks(&d->cms, gamma, has_chrm ? chrm : NULL,
                                  channels, bits, info, err);
}

/* Raw row (8 or 16-bit big-endian samples) -> floats in [0, 1], through
 * the colour conversion when there is one. */
static void row_to_float(st_cms *cms, const png_byte *raw, uint16_t *row16,
                         float *out, int npix, int ch, int bits)
{
    size_t n = (size_t)npix * (size_t)ch;
    if (bits == 16) {
        for (size_t i = 0; i < n; i++)
            row16[i] = (uint16_t)((raw[2 * i] << 8) | raw[2 * i + 1]);
        if (st_cms_active(cms))
            st_cms_apply(cms, row16, out, npix);
        else
            for (size_t i = 0; i < n; i++)
                out[i] = row16[i] / 65535.0f;
    } else if (st_cms_active(cms)) {
        st_cms_apply(cms, raw, out, npix);
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = raw[i] / 255.0f;
    }
}

/* Reads the image data (after png_read_update_info) into d->img, upright
 * for orientation orient: row by row, or whole for an interlaced file. */
static st_status read_pixels(struct pdec *d, int orient, png_uint_32 sw,
                             png_uint_32 sh, int ch, int bits, size_t rowbytes,
                             int passes, st_error *err)
{
    int w, h;
    size_t n;
    st_status s;

    st_oriented_size(orient, (int)sw, (int)sh, &w, &h);
    s = st_image_new(&d->img, w, h, ch, err);
    if (s)
        return s;
    d->frow = malloc((size_t)sw * (size_t)ch * sizeof(float));
    d->row16 = malloc((size_t)sw * (size_t)ch * sizeof(uint16_t));
    if (!d->frow || !d->row16)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    if (passes > 1) {
        if (st_mul_size(rowbytes, sh, &n))
            return st_fail(err, ST_ERR_TOO_LARGE, "interlaced PNG too large");
        d->raw = malloc(n);
        d->rows = malloc((size_t)sh * sizeof *d->rows);
        if (!d->raw || !d->rows)
            return st_fail(err, ST_ERR_NOMEM,
                           "out of memory for an interlaced PNG");
        for (png_uint_32 y = 0; y < sh; y++)
            d->rows[y] = d->raw + (size_t)y * rowbytes;
        png_read_image(d->png, d->rows);
    } else {
        d->raw = malloc(rowbytes);
        if (!d->raw)
            return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    for (png_uint_32 y = 0; y < sh; y++) {
        png_bytep raw = d->raw;
        if (passes > 1)
            raw = d->rows[y];
        else
            png_read_row(d->png, raw, NULL);
        row_to_float(&d->cms, raw, d->row16, d->frow, (int)sw, ch, bits);
        st_orient_put_row(d->img, orient, (int)sw, (int)sh, (int)y, d->frow);
    }
    return ST_OK;
}

static st_status decode(struct pdec *d, const st_read_options *opt,
                        uint64_t max_pixels, st_image_info *info, st_error *err)
{
    png_uint_32 sw, sh;
    int bits, ctype, interlace, ch, orient, passes;
    size_t rowbytes;
    st_status s;

    /* Sizes are judged by st_image_check_size, so the error says why. */
    png_set_user_limits(d->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_chunk_malloc_max(d->png, MAX_CHUNK_BYTES);
    png_set_chunk_cache_max(d->png, 1000);
    png_set_read_fn(d->png, &d->in, read_bytes);
    png_read_info(d->png, d->info);
    png_get_IHDR(d->png, d->info, &sw, &sh, &bits, &ctype, &interlace, NULL,
                 NULL);
    info->format = ST_FORMAT_PNG;
    info->stored_width = (int)sw;
    info->stored_height = (int)sh;
    info->bit_depth = bits;
    info->file_channels = png_get_channels(d->png, d->info);
    s = st_image_check_size((int)sw, (int)sh, 1, max_pixels, NULL, err);
    if (s)
        return s;

    if (ctype == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(d->png);
    if (ctype == PNG_COLOR_TYPE_GRAY && bits < 8)
        png_set_expand_gray_1_2_4_to_8(d->png);
    if (png_get_valid(d->png, d->info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(d->png);
    passes = png_set_interlace_handling(d->png);
    png_read_update_info(d->png, d->info);
    ch = png_get_channels(d->png, d->info);
    bits = png_get_bit_depth(d->png, d->info);
    rowbytes = png_get_rowbytes(d->png, d->info);
    if (ch < 1 || ch > 4 || (bits != 8 && bits != 16))
        return st_fail(err, ST_ERR_UNSUPPORTED,
                       "PNG layout with %d channels of %d bits", ch, bits);

    find_exif(d, info);
    orient = opt->ignore_orientation ? 1 : info->orientation;
    info->orientation = orient;
    if (d->header_only) {
        st_oriented_size(orient, (int)sw, (int)sh, &info->width, &info->height);
        return ST_OK;
    }
    s = setup_color(d, opt, ch, bits, info, err);
    if (s)
        return s;

    s = read_pixels(d, orient, sw, sh, ch, bits, rowbytes, passes, err);
    if (s)
        return s;
    png_read_end(d->png, d->info);

    /* An eXIf chunk after the image data is seen only now. */
    if (!info->has_exif) {
        find_exif(d, info);
        if (opt->ignore_orientation) {
            info->orientation = 1;
        } else if (info->orientation > 1) {
            st_image *upright;
            s = st_image_orient(&upright, d->img, info->orientation, err);
            if (s)
                return s;
            st_image_free(d->img);
            d->img = upright;
        }
    }
    info->width = d->img->width;
    info->height = d->img->height;
    return ST_OK;
}

st_status st_png_decode(const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image **out, st_image_info *info, st_error *err)
{
    struct pdec *d = calloc(1, sizeof *d);
    st_status s;

    if (out)
        *out = NULL;
    if (!d)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    d->header_only = out == NULL;
    d->in.data = data;
    d->in.size = size;
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d->err, on_error,
                                    on_warning);
    if (d->png)
        d->info = png_create_info_struct(d->png);
    if (!d->png || !d->info) {
        png_destroy_read_struct(&d->png, &d->info, NULL);
        free(d);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (libpng)");
    }
    if (setjmp(png_jmpbuf(d->png)))
        s = st_fail(err, d->err.status ? d->err.status : ST_ERR_CORRUPT, "%s",
                    d->err.message);
    else
        s = decode(d, opt, max_pixels, info, err);
    png_destroy_read_struct(&d->png, &d->info, NULL);
    st_cms_free(&d->cms);
    free(d->raw);
    free(d->rows);
    free(d->row16);
    free(d->frow);
    if (s == ST_OK && out)
        *out = d->img;
    else
        st_image_free(d->img);
    free(d);
    return s;
}

/* ---- writing ---- */

struct penc {
    png_structp png;
    png_infop info;
    struct perr err;
    png_bytep row;
    float *frow; /* an 8-bit image's row as floats */
};

static st_status encode(struct penc *e, FILE *f, const st_image *img, int bits)
{
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY,
                                 PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                 PNG_COLOR_TYPE_RGBA};
    size_t n = (size_t)img->width * (size_t)img->channels;
    float scale = bits == 16 ? 65535.0f : 255.0f;

    png_init_io(e->png, f);
    png_set_IHDR(e->png, e->info, (png_uint_32)img->width,
                 (png_uint_32)img->height, bits, types[img->channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_sRGB_gAMA_and_cHRM(e->png, e->info, PNG_sRGB_INTENT_PERCEPTUAL);
    png_write_info(e->png, e->info);
    e->row = malloc(n * (size_t)(bits / 8));
    if (img->data8)
        e->frow = malloc(n * sizeof *e->frow);
    if (!e->row || (img->data8 && !e->frow)) {
        e->err.status = ST_ERR_NOMEM;
        snprintf(e->err.message, sizeof e->err.message, "out of memory");
        return ST_ERR_NOMEM;
    }
    for (int y = 0; y < img->height; y++) {
        const float *p = st_image_row(img, 0, y, img->width, e->frow);
        for (size_t i = 0; i < n; i++) {
            float v = p[i] < 0.0f ? 0.0f : p[i] > 1.0f ? 1.0f : p[i];
            unsigned q = (unsigned)(v * scale + 0.5f);
            if (bits == 16) {
                e->row[2 * i] = (png_byte)(q >> 8);
                e->row[2 * i + 1] = (png_byte)(q & 0xff);
            } else {
                e->row[i] = (png_byte)q;
            }
        }
        png_write_row(e->png, e->row);
    }
    png_write_end(e->png, e->info);
    return ST_OK;
}

st_status st_io_write_png(const char *path, const st_image *img, int bit_depth,
                          st_error *err)
{
    struct penc *e;
    st_output *o;
    st_status s;

    if (!path || !img || (bit_depth != 8 && bit_depth != 16) ||
        img->channels < 1 || img->channels > 4)
        return st_fail(err, ST_ERR_INVALID,
                       "st_io_write_png: bad arguments (bit depth %d)",
                       bit_depth);
    s = st_output_open(&o, path, err);
    if (s)
        return s;
    e = calloc(1, sizeof *e);
    if (e)
        e->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e->err,
                                         on_error, on_warning);
    if (e && e->png)
        e->info = png_create_info_struct(e->png);
    if (!e || !e->png || !e->info) {
        if (e)
            png_destroy_write_struct(&e->png, &e->info);
        free(e);
        st_output_abort(o);
        return st_fail(err, ST_ERR_NOMEM, "out of memory (libpng)");
    }
    if (setjmp(png_jmpbuf(e->png)))
        s = st_output_fail(o, err, ST_ERR_IO, path, e->err.message);
    else if ((s = encode(e, st_output_stream(o), img, bit_depth)) != ST_OK)
        st_output_fail(o, err, s, path, e->err.message);
    png_destroy_write_struct(&e->png, &e->info);
    free(e->row);
    free(e->frow);
    free(e);
    if (s) {
        st_output_abort(o);
        return s;
    }
    return st_output_commit(o, err);
}
