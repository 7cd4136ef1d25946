/* skintrack — reading photos: file loading, format detection, defaults.
 *
 *   st_read_options_init   default options
 *   st_io_read             path -> upright sRGB image
 *   st_io_read_memory      bytes -> upright sRGB image
 *   st_file_format_name    "jpeg", "png"
 *   st_color_source_name   "icc", "srgb-chunk", ...
 *
 * The format is told by the file's first bytes, never by its name, so a
 * PNG called .jpg still reads. Formats skintrack does not read are named
 * in the error so the user knows what to convert.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "io_internal.h"

void st_read_options_init(st_read_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_megapixels = ST_DEFAULT_MAX_MEGAPIXELS;
}

const char *st_file_format_name(st_file_format format)
{
    switch (format) {
    case ST_FORMAT_JPEG: return "jpeg";
    case ST_FORMAT_PNG: return "png";
    default: return "unknown";
    }
}

const char *st_color_source_name(st_color_source source)
{
    switch (source) {
    case ST_COLOR_ICC: return "icc";
    case ST_COLOR_SRGB_CHUNK: return "srgb-chunk";
    case ST_COLOR_GAMA_CHRM: return "gama-chrm";
    case ST_COLOR_IGNORED: return "ignored";
    default: return "assumed-srgb";
    }
}

static int starts_with(const uint8_t *d, size_t n, const char *magic,
                       size_t len)
{
    return n >= len && memcmp(d, magic, len) == 0;
}

/* A one-line cause for bytes that are neither JPEG nor PNG. */
static st_status unknown_format(const uint8_t *d, size_t n, st_error *err)
{
    const char *what = NULL;

    if (n == 0)
        return st_fail(err, ST_ERR_FORMAT, "empty file");
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0)
        what = memcmp(d + 8, "avif", 4) == 0 ? "AVIF" : "HEIF/HEIC";
    else if (starts_with(d, n, "GIF8", 4))
        what = "GIF";
    else if (starts_with(d, n, "BM", 2))
        what = "BMP";
    else if (starts_with(d, n, "II*\0", 4) || starts_with(d, n, "MM\0*", 4))
        what = "TIFF (or camera raw)";
    else if (n >= 12 && starts_with(d, n, "RIFF", 4) &&
             memcmp(d + 8, "WEBP", 4) == 0)
        what = "WebP";
    if (what)
        return st_fail(err, ST_ERR_FORMAT,
                       "%s images are not supported; convert to JPEG or PNG",
                       what);
    return st_fail(err, ST_ERR_FORMAT, "not a JPEG or PNG file");
}

st_status st_io_read_memory(const void *data, size_t size,
                            const st_read_options *opt, st_image **out,
                            st_image_info *info, st_error *err)
{
    static const uint8_t jpeg_magic[3] = {0xff, 0xd8, 0xff};
    static const uint8_t png_magic[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    st_read_options defaults;
    st_image_info scratch;
    const uint8_t *d = data;
    uint64_t max_pixels;

    if (out)
        *out = NULL;
    if (!data && size)
        return st_fail(err, ST_ERR_INVALID, "st_io_read_memory: no data");
    if (!opt) {
        st_read_options_init(&defaults);
        opt = &defaults;
    }
    if (!(opt->max_megapixels >= 0) || opt->max_megapixels > 1e7)
        return st_fail(err, ST_ERR_INVALID, "invalid pixel limit %g MP",
                       opt->max_megapixels);
    /* Any positive limit allows at least one pixel; 0 means no limit. */
    max_pixels = (uint64_t)ceil(opt->max_megapixels * 1e6);
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    info->orientation = 1;

    if (size >= 3 && memcmp(d, jpeg_magic, 3) == 0)
        return st_jpeg_decode(d, size, opt, max_pixels, out, info, err);
    if (size >= 8 && memcmp(d, png_magic, 8) == 0)
        return st_png_decode(d, size, opt, max_pixels, out, info, err);
    return unknown_format(d, size, err);
}

/* Loads a whole regular file into memory. */
static st_status load_file(const char *path, uint8_t **data, size_t *size,
                           st_error *err)
{
    char ebuf[128];
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf;
    size_t n;

    *data = NULL;
    *size = 0;
    if (!f)
        return st_fail(err, ST_ERR_IO, "cannot open: %s",
                       st_errno_text(errno, ebuf, sizeof ebuf));
    if (fstat(fileno(f), &st) != 0) {
        int e = errno;
        fclose(f);
        return st_fail(err, ST_ERR_IO, "%s",
                       st_errno_text(e, ebuf, sizeof ebuf));
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(f);
        return st_fail(err, ST_ERR_IO, "%s",
                       S_ISDIR(st.st_mode) ? "is a directory"
                                           : "not a regular file");
    }
    if ((uint64_t)st.st_size > ST_IO_MAX_FILE_BYTES) {
        fclose(f);
        return st_fail(
            err, ST_ERR_TOO_LARGE, "file is %.0f MB, above the %.0f MB limit",
            (double)st.st_size / 1e6, (double)ST_IO_MAX_FILE_BYTES / 1e6);
    }
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (!buf) {
        fclose(f);
        return st_fail(err, ST_ERR_NOMEM, "out of memory reading the file");
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        return st_fail(err, ST_ERR_IO, "read error: %s",
                       st_errno_text(e, ebuf, sizeof ebuf));
    }
    fclose(f);
    *data = buf;
    *size = n;
    return ST_OK;
}

st_status st_io_read(const char *path, const st_read_options *opt,
                     st_image **out, st_image_info *info, st_error *err)
{
    uint8_t *data;
    size_t size;
    st_status s;

    if (out)
        *out = NULL;
    if (!path)
        return st_fail(err, ST_ERR_INVALID, "st_io_read: path is NULL");
    s = load_file(path, &data, &size, err);
    if (s)
        return s;
    s = st_io_read_memory(data, size, opt, out, info, err);
    free(data);
    return s;
}
