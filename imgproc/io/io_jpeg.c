/* skintrack — JPEG reading and writing with libjpeg-turbo.
 *
 *   st_jpeg_decode     JPEG bytes -> upright sRGB st_image
 *   st_io_write_jpeg   st_image -> JPEG file, atomically
 *   st_io_encode_jpeg  st_image -> JPEG in memory
 *
 * libjpeg reports fatal errors through error_exit, which must not return:
 * ours formats the message and longjmps to the setjmp of the function that
 * started the work, which then releases everything it holds. Everything that
 * changes after setjmp lives in a struct owned by the caller's frame, so no
 * local variable is left indeterminate by the jump.
 *
 * libjpeg treats a truncated file or a damaged entropy-coded segment as a
 * warning and fills the rest of the picture with grey. A grey band would
 * be measured as skin, so those warnings are fatal here ("truncated JPEG
 * data"); harmless ones (extra bytes between markers, an unknown JFIF
 * revision) are ignored.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jpeglib.h first: the message codes in jerror.h depend on its version. */
#include <jpeglib.h>

#include <jerror.h>

#include "core/core_internal.h"
#include "io/io_internal.h"
#include "skintrack/output.h"

/* Progressive files with thousands of tiny scans make decoding crawl; no
 * encoder writes more than a few dozen. */
#define MAX_SCANS 1000

struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    st_status status;
    char message[JMSG_LENGTH_MAX + 32];
};

static void on_error(j_common_ptr cinfo)
{
    struct jerr *e = (struct jerr *)cinfo->err;
    char text[JMSG_LENGTH_MAX];

    (*cinfo->err->format_message)(cinfo, text);
    if (e->status == ST_OK) {
        switch (cinfo->err->msg_code) {
        case JERR_NO_IMAGE:
        case JERR_NO_SOI: e->status = ST_ERR_FORMAT; break;
        case JERR_OUT_OF_MEMORY: e->status = ST_ERR_NOMEM; break;
        case JERR_BAD_PRECISION:
        case JERR_NOT_COMPILED: e->status = ST_ERR_UNSUPPORTED; break;
        case JERR_IMAGE_TOO_BIG: e->status = ST_ERR_TOO_LARGE; break;
        case JERR_FILE_WRITE:
        case JERR_FILE_READ: e->status = ST_ERR_IO; break;
        default: e->status = ST_ERR_CORRUPT; break;
        }
        if (cinfo->err->msg_code == JERR_INPUT_EOF)
            snprintf(e->message, sizeof e->message, "truncated JPEG data");
        else
            snprintf(e->message, sizeof e->message, "JPEG: %s", text);
    }
    longjmp(e->jump, 1);
}

static int fatal_warning(int code)
{
    switch (code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_ICC: return 1;
    default: return 0;
    }
}

static void on_message(j_common_ptr cinfo, int level)
{
    struct jerr *e = (struct jerr *)cinfo->err;
    int code = cinfo->err->msg_code;

    if (level != -1 || !fatal_warning(code))
        return; /* trace messages and harmless warnings */
    if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) {
        e->status = ST_ERR_CORRUPT;
        snprintf(e->message, sizeof e->message, "truncated JPEG data");
    } else if (code == JWRN_BOGUS_ICC) {
        e->status = ST_ERR_COLOR;
        snprintf(e->message, sizeof e->message,
                 "embedded ICC profile is damaged (bad APP2 marker); "
                 "--ignore-icc reads the samples as sRGB");
    }
    on_error(cinfo); /* keeps a message set above, else formats one */
}

static void on_progress(j_common_ptr cinfo)
{
    if (cinfo->is_decompressor &&
        ((j_decompress_ptr)cinfo)->input_scan_number > MAX_SCANS) {
        struct jerr *e = (struct jerr *)cinfo->err;
        e->status = ST_ERR_UNSUPPORTED;
        snprintf(e->message, sizeof e->message, "JPEG has more than %d scans",
                 MAX_SCANS);
        longjmp(e->jump, 1);
    }
}

/* Everything the decoder acquires; owned by st_jpeg_decode's frame. */
struct jdec {
    struct jpeg_decompress_struct cinfo;
    struct jerr err;
    struct jpeg_progress_mgr progress;
    JOCTET *icc;
    unsigned int icc_size;
    JSAMPLE *row;
    float *frow;
    st_image *img;
    st_cms cms;
    int header_only; /* stop after the header and EXIF */
};

static void find_exif(struct jdec *d, st_image_info *info)
{
    for (jpeg_saved_marker_ptr m = d->cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && m->data_length > 6 &&
            memcmp(m->data, "Exif\0\0", 6) == 0) {
            st_exif_parse(m->data, m->data_length, info);
            return;
        }
}

static int has_icc_marker(struct jdec *d)
{
    for (jpeg_saved_marker_ptr m = d->cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 2 && m->data_length >= 12 &&
            memcmp(m->data, "ICC_PROFILE", 12) == 0)
            return 1;
    return 0;
}

/* The colour conversion of the decoded samples: the embedded ICC profile
 * (unless ignored by option), or none. */
static st_status setup_color(struct jdec *d, const st_read_options *opt,
                             st_cms_input cms_in, int out_ch,
                             st_image_info *info, st_error *err)
{
    j_decompress_ptr ci = &d->cinfo;
    st_status s;

    if (opt->ignore_color_profile) {
        /* Not even parsed: a damaged profile must not stop the read. */
        if (has_icc_marker(d)) {
            info->color_source = ST_COLOR_IGNORED;
            snprintf(info->color_description, sizeof info->color_description,
                     "ignored by option");
        }
    } else if (jpeg_read_icc_profile(ci, &d->icc, &d->icc_size) && d->icc) {
        s = st_cms_from_icc(&d->cms, d->icc, d->icc_size, cms_in, out_ch, 8,
                            info, err);
        if (s)
            return s;
    }
    if (cms_in != ST_CMS_GRAY_RGB && !st_cms_active(&d->cms) &&
        info->color_source == ST_COLOR_ICC)
        return st_fail(err, ST_ERR_COLOR, "CMYK profile could not be used");
    return ST_OK;
}

/* Decoded row d->row of n pixels of in_ch samples into floats in d->frow:
 * through the profile, by the naive CMYK rule, or scaled. */
static void row_to_float(struct jdec *d, int in_ch, st_cms_input cms_in, int n)
{
    if (in_ch == 4 && st_cms_active(&d->cms)) {
        st_cms_apply_cmyk(&d->cms, d->row, d->frow, n);
    } else if (st_cms_active(&d->cms)) {
        st_cms_apply(&d->cms, d->row, d->frow, n);
    } else if (in_ch == 4) {
        /* No profile: R = (1 - C)(1 - K), the naive device rule. */
        int inv = cms_in == ST_CMS_CMYK8_INV;
        for (int x = 0; x < n; x++) {
            const JSAMPLE *p = d->row + 4 * x;
            float k = inv ? p[3] / 255.0f : 1.0f - p[3] / 255.0f;
            for (int c = 0; c < 3; c++)
                d->frow[3 * x + c] =
                    (inv ? p[c] / 255.0f : 1.0f - p[c] / 255.0f) * k;
        }
    } else {
        for (int i = 0; i < n * in_ch; i++)
            d->frow[i] = d->row[i] / 255.0f;
    }
}

/* The part of decoding that libjpeg may jump out of. */
static st_status decode(struct jdec *d, const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image_info *info, st_error *err)
{
    j_decompress_ptr ci = &d->cinfo;
    int in_ch, out_ch, w, h, orient, keep8;
    st_cms_input cms_in = ST_CMS_GRAY_RGB;
    st_status s;

    jpeg_create_decompress(ci);
    d->progress.progress_monitor = on_progress;
    ci->progress = &d->progress;
    jpeg_mem_src(ci, data, (unsigned long)size);
    jpeg_save_markers(ci, JPEG_APP0 + 1, 0xffff);
    jpeg_save_markers(ci, JPEG_APP0 + 2, 0xffff);
    jpeg_read_header(ci, TRUE);

    info->format = ST_FORMAT_JPEG;
    info->stored_width = (int)ci->image_width;
    info->stored_height = (int)ci->image_height;
    info->bit_depth = ci->data_precision;
    info->file_channels = ci->num_components;
    s = st_image_check_size(info->stored_width, info->stored_height, 1,
                            max_pixels, NULL, err);
    if (s)
        return s;

    switch (ci->jpeg_color_space) {
    case JCS_GRAYSCALE: ci->out_color_space = JCS_GRAYSCALE; break;
    case JCS_YCbCr:
    case JCS_RGB: ci->out_color_space = JCS_RGB; break;
    case JCS_CMYK:
    case JCS_YCCK:
        ci->out_color_space = JCS_CMYK;
        cms_in = ci->saw_Adobe_marker ? ST_CMS_CMYK8_INV : ST_CMS_CMYK8;
        break;
    default:
        return st_fail(err, ST_ERR_UNSUPPORTED,
                       "JPEG colour space with %d components is not "
                       "supported",
                       ci->num_components);
    }
    in_ch = ci->out_color_space == JCS_GRAYSCALE ? 1
            : ci->out_color_space == JCS_CMYK    ? 4
                                                 : 3;
    out_ch = in_ch == 1 ? 1 : 3;

    find_exif(d, info);
    orient = opt->ignore_orientation ? 1 : info->orientation;
    info->orientation = orient;
    if (d->header_only) {
        st_oriented_size(orient, info->stored_width, info->stored_height,
                         &info->width, &info->height);
        return ST_OK;
    }

    s = setup_color(d, opt, cms_in, out_ch, info, err);
    if (s)
        return s;
    if (opt->scale_denom == 2 || opt->scale_denom == 4 ||
        opt->scale_denom == 8) {
        ci->scale_num = 1;
        ci->scale_denom = (unsigned)opt->scale_denom;
    }
    jpeg_start_decompress(ci);
    if ((int)ci->output_components != in_ch)
        return st_fail(err, ST_ERR_UNSUPPORTED,
                       "JPEG decoder gave %d components, expected %d",
                       ci->output_components, in_ch);
    st_oriented_size(orient, (int)ci->output_width, (int)ci->output_height, &w,
                     &h);
    keep8 = opt->keep_8bit && in_ch == out_ch && !st_cms_active(&d->cms);
    s = keep8 ? st_image_new_8bit(&d->img, w, h, out_ch, err)
              : st_image_new(&d->img, w, h, out_ch, err);
    if (s)
        return s;
    d->row = malloc((size_t)ci->output_width * (size_t)in_ch);
    d->frow = malloc((size_t)ci->output_width * (size_t)out_ch * sizeof(float));
    if (!d->row || !d->frow)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");

    while (ci->output_scanline < ci->output_height) {
        int sy = (int)ci->output_scanline;
        int n = (int)ci->output_width;
        JSAMPROW rows[1] = {d->row};

        jpeg_read_scanlines(ci, rows, 1);
        if (keep8) {
            st_orient_put_row(d->img, orient, n, (int)ci->output_height, sy,
                              d->row);
            continue;
        }
        row_to_float(d, in_ch, cms_in, n);
        st_orient_put_row(d->img, orient, n, (int)ci->output_height, sy,
                          d->frow);
    }
    jpeg_finish_decompress(ci);
    /* the full size, also when decoded reduced */
    st_oriented_size(orient, info->stored_width, info->stored_height,
                     &info->width, &info->height);
    return ST_OK;
}

st_status st_jpeg_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err)
{
    struct jdec *d = calloc(1, sizeof *d);
    st_status s;

    if (out)
        *out = NULL;
    if (!d)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    d->header_only = out == NULL;
    d->cinfo.err = jpeg_std_error(&d->err.pub);
    d->err.pub.error_exit = on_error;
    d->err.pub.emit_message = on_message;
    if (setjmp(d->err.jump)) {
        s = st_fail(err, d->err.status ? d->err.status : ST_ERR_CORRUPT, "%s",
                    d->err.message);
    } else {
        s = decode(d, data, size, opt, max_pixels, info, err);
    }
    jpeg_destroy_decompress(&d->cinfo);
    st_cms_free(&d->cms);
    free(d->icc);
    free(d->row);
    free(d->frow);
    if (s == ST_OK && out)
        *out = d->img;
    else
        st_image_free(d->img);
    free(d);
    return s;
}

/* ---- writing ---- */

struct jenc {
    struct jpeg_compress_struct cinfo;
    struct jerr err;
    JSAMPLE *row;
    float *frow;        /* an 8-bit image's row as floats */
    unsigned char *mem; /* in-memory destination (f == NULL) */
    unsigned long mem_size;
};

static st_status encode(struct jenc *e, FILE *f, const st_image *img,
                        int quality)
{
    j_compress_ptr ci = &e->cinfo;
    int gray = st_image_color_channels(img) == 1;
    int alpha = st_image_has_alpha(img);
    int oc = gray ? 1 : 3;

    jpeg_create_compress(ci);
    if (f)
        jpeg_stdio_dest(ci, f);
    else
        jpeg_mem_dest(ci, &e->mem, &e->mem_size);
    ci->image_width = (JDIMENSION)img->width;
    ci->image_height = (JDIMENSION)img->height;
    ci->input_components = oc;
    ci->in_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(ci);
    jpeg_set_quality(ci, quality, TRUE);
    if (!gray && quality >= 90)
        ci->comp_info[0].h_samp_factor = ci->comp_info[0].v_samp_factor = 1;
    ci->optimize_coding = TRUE;
    e->row = malloc((size_t)img->width * (size_t)oc);
    if (img->data8)
        e->frow = malloc((size_t)img->width * (size_t)img->channels *
                         sizeof *e->frow);
    if (!e->row || (img->data8 && !e->frow)) {
        e->err.status = ST_ERR_NOMEM;
        snprintf(e->err.message, sizeof e->err.message, "out of memory");
        return ST_ERR_NOMEM;
    }
    jpeg_start_compress(ci, TRUE);
    for (int y = 0; y < img->height; y++) {
        const float *p = st_image_row(img, 0, y, img->width, e->frow);
        JSAMPROW rows[1] = {e->row};
        for (int x = 0; x < img->width; x++, p += img->channels) {
            float a = alpha ? p[img->channels - 1] : 1.0f;
            a = a < 0.0f ? 0.0f : a > 1.0f ? 1.0f : a;
            for (int c = 0; c < oc; c++) {
                float v = p[c] * a + (1.0f - a); /* over white */
                v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
                e->row[x * oc + c] = (JSAMPLE)(v * 255.0f + 0.5f);
            }
        }
        jpeg_write_scanlines(ci, rows, 1);
    }
    jpeg_finish_compress(ci);
    return ST_OK;
}

static st_status check_jpeg_args(const st_image *img, int quality,
                                 st_error *err)
{
    if (!img || quality < 1 || quality > 100)
        return st_fail(err, ST_ERR_INVALID,
                       "JPEG encoder: bad arguments (quality %d)", quality);
    if (img->width > JPEG_MAX_DIMENSION || img->height > JPEG_MAX_DIMENSION)
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "%dx%d is too large for JPEG (at most %d px a side)",
                       img->width, img->height, (int)JPEG_MAX_DIMENSION);
    return ST_OK;
}

st_status st_io_encode_jpeg(const st_image *img, int quality,
                            unsigned char **data, size_t *size, st_error *err)
{
    struct jenc *e;
    st_status s;

    *data = NULL;
    *size = 0;
    if ((s = check_jpeg_args(img, quality, err)))
        return s;
    if (!(e = calloc(1, sizeof *e)))
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    e->cinfo.err = jpeg_std_error(&e->err.pub);
    e->err.pub.error_exit = on_error;
    if (setjmp(e->err.jump))
        s = st_fail(err, e->err.status ? e->err.status : ST_ERR_IO,
                    "cannot encode JPEG: %s", e->err.message);
    else if ((s = encode(e, NULL, img, quality)) != ST_OK)
        st_fail(err, s, "cannot encode JPEG: %s", e->err.message);
    jpeg_destroy_compress(&e->cinfo);
    free(e->row);
    free(e->frow);
    if (s == ST_OK && e->mem) {
        /* libjpeg's buffer is malloc'd; hand over a copy of exact size so
         * the caller frees with free() whatever libjpeg used */
        if ((*data = malloc(e->mem_size ? e->mem_size : 1))) {
            memcpy(*data, e->mem, e->mem_size);
            *size = e->mem_size;
        } else {
            s = st_fail(err, ST_ERR_NOMEM, "out of memory");
        }
    }
    free(e->mem);
    free(e);
    return s;
}

st_status st_io_write_jpeg(const char *path, const st_image *img, int quality,
                           st_error *err)
{
    struct jenc *e;
    st_output *o;
    st_status s;

    if (!path)
        return st_fail(err, ST_ERR_INVALID, "st_io_write_jpeg: no path");
    if ((s = check_jpeg_args(img, quality, err)))
        return s;
    s = st_output_open(&o, path, err);
    if (s)
        return s;
    e = calloc(1, sizeof *e);
    if (!e) {
        st_output_abort(o);
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    e->cinfo.err = jpeg_std_error(&e->err.pub);
    e->err.pub.error_exit = on_error;
    if (setjmp(e->err.jump))
        s = st_output_fail(o, err, e->err.status ? e->err.status : ST_ERR_IO,
                           path, e->err.message);
    else if ((s = encode(e, st_output_stream(o), img, quality)) != ST_OK)
        st_output_fail(o, err, s, path, e->err.message);
    jpeg_destroy_compress(&e->cinfo);
    free(e->row);
    free(e->frow);
    free(e);
    if (s) {
        st_output_abort(o);
        return s;
    }
    return st_output_commit(o, err);
}
