/* skintrack — reading photos: file loading, format detection, defaults.
 *
 *   st_read_options_init   default options
 *   st_io_read             path -> upright sRGB image
 *   st_io_read_memory      bytes -> upright sRGB image
 *   st_io_read_reduced     path -> the image at 1/n, when exactly so
 *   st_io_formats          the table of readable formats
 *   st_io_is_photo_name    whether a name has a readable format's extension
 *   st_io_extension_list   ".jpg .jpeg ..." for messages
 *   st_file_format_name    "jpeg", "png", "heif", "tiff", "raw"
 *   st_color_source_name   "icc", "srgb-chunk", ...
 *
 * The format is told by the file's first bytes, never by its name, so a
 * PNG called .jpg still reads. Formats skintrack does not read are named
 * in the error so the user knows what to convert.
 *
 * One registry (formats[] below) lists each format once: its name, its
 * file-name extensions (what `course` and `report` look for in a folder),
 * how its first bytes are recognised and its decoder. TIFF and the
 * TIFF-based raw formats (DNG, CR2, NEF, ARW, PEF, ...) share a signature;
 * st_tiff_is_raw looks at the first directory to tell them apart, so the
 * raw entry comes before the TIFF one.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/core_internal.h"
#include "io/io_internal.h"

void st_read_options_init(st_read_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_megapixels = ST_DEFAULT_MAX_MEGAPIXELS;
}

static int starts_with(const uint8_t *d, size_t n, const char *magic,
                       size_t len)
{
    return n >= len && memcmp(d, magic, len) == 0;
}

static int is_jpeg(const uint8_t *d, size_t n)
{
    return starts_with(d, n, "\xff\xd8\xff", 3);
}

static int is_png(const uint8_t *d, size_t n)
{
    return starts_with(d, n, "\x89PNG\r\n\x1a\n", 8);
}

static int is_tiff(const uint8_t *d, size_t n)
{
    return starts_with(d, n, "II*\0", 4) || starts_with(d, n, "MM\0*", 4) ||
           starts_with(d, n, "II+\0", 4) || starts_with(d, n, "MM\0+", 4);
}

/* The ISO base media file's major brand ("heic", "avif", "crx "), or 0. */
static int ftyp_brand(const uint8_t *d, size_t n, const char *brand)
{
    return n >= 12 && memcmp(d + 4, "ftyp", 4) == 0 &&
           memcmp(d + 8, brand, 4) == 0;
}

static int is_heif(const uint8_t *d, size_t n)
{
    static const char *const brands[] = {"heic", "heix", "hevc", "hevx",
                                         "heim", "heis", "mif1", "msf1",
                                         "avif", "avis", "mif2"};
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (ftyp_brand(d, n, brands[i]))
            return 1;
    return 0;
}

/* Raw formats with a signature of their own, and TIFF-based ones. */
static int is_raw(const uint8_t *d, size_t n)
{
    return ftyp_brand(d, n, "crx ") ||                       /* Canon CR3 */
           starts_with(d, n, "FUJIFILMCCD-RAW", 15) ||       /* Fujifilm RAF */
           starts_with(d, n, "IIRO", 4) ||                   /* Olympus ORF */
           starts_with(d, n, "IIRS", 4) ||                   /* Olympus ORF */
           starts_with(d, n, "MMOR", 4) ||                   /* Olympus ORF */
           starts_with(d, n, "IIU\0", 4) ||                  /* Panasonic RW2 */
           starts_with(d, n, "\0MRM", 4) ||                  /* Minolta MRW */
           starts_with(d, n, "FOVb", 4) ||                   /* Sigma X3F */
           (n >= 14 && memcmp(d + 6, "HEAPCCDR", 8) == 0) || /* Canon CRW */
           (is_tiff(d, n) && st_tiff_is_raw(d, n));
}

typedef st_status (*decode_fn)(const uint8_t *, size_t, const st_read_options *,
                               uint64_t, st_image **, st_image_info *,
                               st_error *);

static const st_format_desc descs[] = {
    {ST_FORMAT_JPEG, "jpeg", "JPEG", ".jpg .jpeg .jpe"},
    {ST_FORMAT_PNG, "png", "PNG", ".png"},
    {ST_FORMAT_HEIF, "heif", "HEIF/HEIC/AVIF", ".heic .heif .hif .avif"},
    {ST_FORMAT_RAW, "raw", "camera raw",
     ".dng .cr2 .cr3 .crw .nef .nrw .arw .srf .sr2 .raf .orf .rw2 .rwl .pef "
     ".srw .3fr .iiq .erf .mrw .kdc .dcr .mef .mos .x3f"},
    {ST_FORMAT_TIFF, "tiff", "TIFF", ".tif .tiff"},
};

/* In the order the probes run (descs[] order). */
static const struct format {
    int (*probe)(const uint8_t *, size_t);
    decode_fn decode;
} formats[] = {
    {is_jpeg, st_jpeg_decode}, {is_png, st_png_decode},
    {is_heif, st_heif_decode}, {is_raw, st_raw_decode},
    {is_tiff, st_tiff_decode},
};

#define NFORMATS (sizeof descs / sizeof descs[0])
_Static_assert(sizeof formats / sizeof formats[0] == NFORMATS,
               "one reader per format");

const st_format_desc *st_io_formats(size_t *count)
{
    if (count)
        *count = NFORMATS;
    return descs;
}

int st_io_is_photo_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    for (size_t i = 0; i < NFORMATS; i++) {
        const char *e = descs[i].extensions;
        while (*e) {
            size_t len = strcspn(e, " ");
            if (n > len && strncasecmp(name + n - len, e, len) == 0)
                return 1;
            e += len;
            e += strspn(e, " ");
        }
    }
    return 0;
}

size_t st_io_extension_list(char *buf, size_t size)
{
    size_t len = 0;
    for (size_t i = 0; i < NFORMATS; i++) {
        int n = snprintf(buf + (len < size ? len : size),
                         len < size ? size - len : 0, "%s%s", i ? " " : "",
                         descs[i].extensions);
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}

const char *st_file_format_name(st_file_format format)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (descs[i].format == format)
            return descs[i].name;
    return "unknown";
}

const char *st_color_source_name(st_color_source source)
{
    switch (source) {
    case ST_COLOR_ICC: return "icc";
    case ST_COLOR_SRGB_CHUNK: return "srgb-chunk";
    case ST_COLOR_GAMA_CHRM: return "gama-chrm";
    case ST_COLOR_NCLX: return "nclx";
    case ST_COLOR_CAMERA: return "camera-matrix";
    case ST_COLOR_IGNORED: return "ignored";
    default: return "assumed-srgb";
    }
}

/* A one-line cause for bytes that no reader recognises. */
static st_status unknown_format(const uint8_t *d, size_t n, st_error *err)
{
    const char *what = NULL;

    if (n == 0)
        return st_fail(err, ST_ERR_FORMAT, "empty file");
    if (n >= 12 && memcmp(d + 4, "ftyp", 4) == 0)
        what = "this ISO media (ftyp) brand";
    else if (starts_with(d, n, "GIF8", 4))
        what = "GIF";
    else if (starts_with(d, n, "BM", 2))
        what = "BMP";
    else if (n >= 12 && starts_with(d, n, "RIFF", 4) &&
             memcmp(d + 8, "WEBP", 4) == 0)
        what = "WebP";
    if (what)
        return st_fail(err, ST_ERR_FORMAT,
                       "%s images are not supported; convert to JPEG, PNG "
                       "or TIFF",
                       what);
    return st_fail(err, ST_ERR_FORMAT,
                   "not a photo skintrack reads "
                   "(JPEG/PNG/HEIF/HEIC/AVIF/TIFF/camera raw)");
}

st_status st_io_read_memory(const void *data, size_t size,
                            const st_read_options *opt, st_image **out,
                            st_image_info *info, st_error *err)
{
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

    info->pages = 1;

    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].probe(d, size))
            return formats[i].decode(d, size, opt, max_pixels, out, info, err);
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

st_status st_io_read_reduced(const char *path, const st_read_options *opt,
                             int n, st_image **out, int *w, int *h,
                             st_error *err)
{
    st_read_options o;
    st_image_info info;
    st_status s;
    if (opt)
        o = *opt;
    else
        st_read_options_init(&o);
    o.scale_denom = n;
    if ((s = st_io_read(path, &o, out, &info, err)))
        return s;
    *w = info.width, *h = info.height;
    if ((*out)->width * n != info.width || (*out)->height * n != info.height) {
        st_image_free(*out);
        *out = NULL;
    }
    return ST_OK;
}
