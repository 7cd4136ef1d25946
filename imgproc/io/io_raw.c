/* skintrack — camera raw reading with LibRaw (DNG, CR2, CR3, NEF, ARW, RAF,
 * ORF, RW2, PEF and the other formats LibRaw knows).
 *
 *   st_raw_decode   raw bytes -> upright sRGB st_image
 *
 * What is done to the sensor data, in LibRaw's (dcraw's) order:
 *   1. black level subtracted, scaled so the file's white level is 65535
 *      (LibRaw's habit of taking the brightest sample as white when it is
 *      above 75 % of the white level is turned off: adjust_maximum_thr 0);
 *   2. white balance as shot: the multipliers the camera recorded
 *      (use_camera_wb; DNG AsShotNeutral); LibRaw falls back to its daylight
 *      multipliers for the model when the file has none;
 *   3. demosaicing (AHD for Bayer sensors, LibRaw's X-Trans method for
 *      Fujifilm), highlights clipped;
 *   4. the camera's matrix (the file's, e.g. DNG ColorMatrix, or LibRaw's
 *      table for the model) from camera RGB to linear RGB with the sRGB
 *      primaries (output_color 1);
 *   5. no tone curve (gamma 1, slope 1) and no automatic brightening
 *      (no_auto_bright), 16 bits a sample.
 * The result is linear light. st_image holds sRGB-encoded samples, so each
 * 16-bit value v becomes st_color_linear_to_srgb(v / 65535) in a float
 * (through a table with one entry per 16-bit value, so exact in float):
 * nothing is lost, and st_image_linearize() gives v / 65535 back to within
 * float rounding. Values the camera matrix pushes outside the sRGB gamut
 * are clipped to [0, 1] by LibRaw's 16-bit output.
 *
 * Orientation: LibRaw applies the raw's own orientation (from its maker
 * data or EXIF) when it builds the image; ignore_orientation keeps the
 * sensor's. info->orientation reports the applied turn in EXIF terms.
 * Date: LibRaw's capture time (EXIF DateTimeOriginal, or the raw's own
 * date record), a local time without UTC offset. info->camera names the
 * camera.
 *
 * Limits: the raw frame's and the output's declared sizes are checked
 * against the pixel limit after LibRaw has read the header and before it
 * unpacks anything; LibRaw's own memory cap (max_raw_memory_mb) stays on.
 * A TIFF-signature file that LibRaw does not recognise after all is read
 * as TIFF.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libraw/libraw.h>

#include "core/core_internal.h"
#include "io/io_internal.h"
#include "skintrack/color.h"

static st_status raw_fail(st_error *err, int code, const char *what)
{
    st_status s = code == LIBRAW_UNSUFFICIENT_MEMORY ? ST_ERR_NOMEM
                  : code == LIBRAW_TOO_BIG           ? ST_ERR_TOO_LARGE
                  : code == LIBRAW_FILE_UNSUPPORTED  ? ST_ERR_UNSUPPORTED
                                                     : ST_ERR_CORRUPT;
    return st_fail(err, s, "camera raw: %s: %s", what, libraw_strerror(code));
}

/* LibRaw's flip (0, 3 = 180, 5 = 90 anticlockwise, 6 = 90 clockwise) as
 * an EXIF orientation. */
static int exif_orientation(int flip)
{
    switch (flip) {
    case 3: return 3;
    case 5: return 8;
    case 6: return 6;
    default: return 1;
    }
}

static void describe(libraw_data_t *lr, st_image_info *info)
{
    const char *make = lr->idata.make, *model = lr->idata.model;
    struct tm tm;
    time_t t = lr->other.timestamp;

    snprintf(info->camera, sizeof info->camera, "%.31s%s%.31s", make,
             make[0] && model[0] ? " " : "", model);
    for (char *c = info->camera; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    info->datetime_original[0] = '\0';
    if (t > 0 && localtime_r(&t, &tm)) {
        char raw[32];
        snprintf(raw, sizeof raw, "%04d:%02d:%02d %02d:%02d:%02d",
                 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
                 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
                 tm.tm_sec % 100);
        st_exif_set_datetime(info, raw, NULL);
    }
}

static st_status to_image(const libraw_processed_image_t *m, st_image **out,
                          st_error *err)
{
    int w = m->width, h = m->height, ch = m->colors;
    const uint16_t *p = (const uint16_t *)(const void *)m->data;
    float *lut;
    st_status s;

    if (m->type != LIBRAW_IMAGE_BITMAP || m->bits != 16 ||
        (ch != 1 && ch != 3) ||
        (size_t)m->data_size < (size_t)w * (size_t)h * (size_t)ch * 2)
        return st_fail(err, ST_ERR_CORRUPT,
                       "camera raw: unexpected output from LibRaw");
    s = st_image_new(out, w, h, ch, err);
    if (s)
        return s;
    lut = malloc(65536 * sizeof *lut);
    if (!lut) {
        st_image_free(*out);
        *out = NULL;
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    }
    for (int v = 0; v < 65536; v++)
        lut[v] = (float)st_color_linear_to_srgb(v / 65535.0);
    for (int y = 0; y < h; y++) {
        float *row = st_image_pixel(*out, 0, y);
        const uint16_t *src = p + (size_t)y * (size_t)w * (size_t)ch;
        for (size_t i = 0; i < (size_t)w * (size_t)ch; i++)
            row[i] = lut[src[i]];
    }
    free(lut);
    return ST_OK;
}

static st_status decode(libraw_data_t *lr, const st_read_options *opt,
                        uint64_t max_pixels, st_image **out,
                        st_image_info *info, st_error *err)
{
    libraw_processed_image_t *mem = NULL;
    int code;
    st_status s;

    info->format = ST_FORMAT_RAW;
    info->stored_width = lr->sizes.width;
    info->stored_height = lr->sizes.height;
    info->bit_depth = 16;
    info->file_channels = lr->idata.colors;
    describe(lr, info);
    /* The frame LibRaw unpacks, then the picture it makes. */
    s = st_image_check_size(lr->sizes.raw_width, lr->sizes.raw_height, 1,
                            max_pixels, NULL, err);
    if (!s)
        s = st_image_check_size(lr->sizes.width, lr->sizes.height, 1,
                                max_pixels, NULL, err);
    if (s)
        return s;

    lr->params.output_color = 1; /* sRGB primaries */
    lr->params.gamm[0] = 1.0;    /* linear: power 1 ... */
    lr->params.gamm[1] = 1.0;    /* ... and toe slope 1 */
    lr->params.no_auto_bright = 1;
    lr->params.output_bps = 16;
    lr->params.use_camera_wb = 1;
    lr->params.highlight = 0; /* clip */
    /* The file's white level, always: by default LibRaw replaces it by the
     * brightest sample when that is above 75 % of it, which would make a
     * photo's brightness depend on what is in it. */
    lr->params.adjust_maximum_thr = 0.0f;
    if (opt->ignore_orientation)
        lr->params.user_flip = 0;
    info->orientation =
        opt->ignore_orientation ? 1 : exif_orientation(lr->sizes.flip);
    if (!out) {
        /* sizes as the image will be: after half-size/aspect and the turn
         * (LibRaw swaps iwidth and iheight itself) */
        code = libraw_adjust_sizes_info_only(lr);
        if (code != LIBRAW_SUCCESS)
            return raw_fail(err, code, "cannot read the header");
        info->width = lr->sizes.iwidth;
        info->height = lr->sizes.iheight;
        return ST_OK;
    }

    code = libraw_unpack(lr);
    if (code != LIBRAW_SUCCESS)
        return raw_fail(err, code, "cannot unpack the sensor data");
    code = libraw_dcraw_process(lr);
    if (code != LIBRAW_SUCCESS)
        return raw_fail(err, code, "cannot process the sensor data");
    mem = libraw_dcraw_make_mem_image(lr, &code);
    if (!mem)
        return raw_fail(err, code, "cannot build the image");
    s = to_image(mem, out, err);
    libraw_dcraw_clear_mem(mem);
    if (s)
        return s;
    info->width = (*out)->width;
    info->height = (*out)->height;
    info->color_source = ST_COLOR_CAMERA;
    snprintf(info->color_description, sizeof info->color_description,
             "camera matrix to linear sRGB, white balance as shot");
    return ST_OK;
}

st_status st_raw_decode(const uint8_t *data, size_t size,
                        const st_read_options *opt, uint64_t max_pixels,
                        st_image **out, st_image_info *info, st_error *err)
{
    libraw_data_t *lr;
    int code;
    st_status s;

    if (out)
        *out = NULL;
    lr = libraw_init(0);
    if (!lr)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (LibRaw)");
    /* LibRaw reads the buffer and never writes to it. */
    code = libraw_open_buffer(lr, (void *)(uintptr_t)data, size);
    if (code == LIBRAW_FILE_UNSUPPORTED && size >= 4 &&
        (memcmp(data, "II*", 3) == 0 || memcmp(data, "MM\0*", 4) == 0)) {
        libraw_close(lr);
        return st_tiff_decode(data, size, opt, max_pixels, out, info, err);
    }
    if (code != LIBRAW_SUCCESS)
        s = raw_fail(err, code, "cannot read the file");
    else
        s = decode(lr, opt, max_pixels, out, info, err);
    libraw_close(lr);
    if (s && out) {
        st_image_free(*out);
        *out = NULL;
    }
    return s;
}
