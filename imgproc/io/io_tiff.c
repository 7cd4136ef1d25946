/* skintrack — TIFF reading with libtiff.
 *
 *   st_tiff_decode   TIFF bytes -> upright sRGB st_image (first page)
 *   st_tiff_is_raw   whether a TIFF-signature file is camera raw
 *
 * The first page (directory) is read; info->pages says how many the file
 * has. Grey, grey+alpha, RGB, RGBA and CMYK images of 8 or 16 unsigned
 * bits per sample, chunky (interleaved) or one-sample, striped or tiled,
 * with any compression libtiff was built with (none, LZW, Deflate,
 * PackBits, JPEG, ...) are read directly at full precision; a JPEG-in-TIFF
 * stored as YCbCr is handed back by libtiff as RGB. Every other layout
 * libtiff understands (palette, 1/2/4-bit, min-is-white, YCbCr without
 * JPEG, separate planes, LogLuv, ...) goes through libtiff's RGBA reader,
 * which gives 8 bits a sample. Floating-point samples are refused.
 *
 * Colour: the ICC tag (34675) is applied as for JPEG and PNG; CMYK without
 * a profile uses the naive rule R = (1 - C)(1 - K); 16-bit CMYK goes
 * through a profile at 8 bits (lcms2 path for CMYK is 8-bit). Orientation:
 * the TIFF Orientation tag (274, same values as EXIF's). Date: EXIF
 * DateTimeOriginal and OffsetTimeOriginal from the EXIF directory the
 * ExifIFD tag (34665) points to; TIFF's own DateTime tag is the file's
 * change date, not the shutter's, and is not used.
 *
 * Limits: the declared size is checked against the pixel limit before any
 * pixel buffer exists; strips and tiles are bounded by that size (a tile
 * may not be larger than 64 Mpixels), and libtiff's own allocations by
 * TIFFOpenOptionsSetMaxSingleMemAlloc. Errors reach a handler owned by the
 * reader (libtiff 4.5's per-file handlers), so readers on several threads
 * never share a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tiffio.h>

#include "core/core_internal.h"
#include "io/io_internal.h"

#define MAX_TILE_PIXELS   ((uint64_t)64 << 20)
#define MAX_LIBTIFF_ALLOC ((tmsize_t)1 << 30)

struct mem {
    const uint8_t *data;
    uint64_t size, pos;
    char message[200]; /* first libtiff error */
};

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n)
{
    struct mem *m = (struct mem *)h;
    uint64_t left = m->pos < m->size ? m->size - m->pos : 0;
    if (n < 0)
        return -1;
    if ((uint64_t)n > left)
        n = (tmsize_t)left;
    memcpy(buf, m->data + m->pos, (size_t)n);
    m->pos += (uint64_t)n;
    return n;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n)
{
    (void)h, (void)buf, (void)n;
    return -1;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    struct mem *m = (struct mem *)h;
    uint64_t base = whence == SEEK_CUR   ? m->pos
                    : whence == SEEK_END ? m->size
                                         : 0;
    if (off > UINT64_MAX - base)
        return (toff_t)-1;
    m->pos = base + off;
    return m->pos;
}

static int mem_close(thandle_t h)
{
    (void)h;
    return 0;
}

static toff_t mem_size(thandle_t h)
{
    return ((struct mem *)h)->size;
}

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt,
                    va_list ap)
{
    struct mem *m = user;
    (void)tif, (void)module;
    if (!m->message[0])
        vsnprintf(m->message, sizeof m->message, fmt, ap);
    return 1;
}

static int on_warning(TIFF *tif, void *user, const char *module,
                      const char *fmt, va_list ap)
{
    (void)tif, (void)user, (void)module, (void)fmt, (void)ap;
    return 1;
}

struct tdec {
    TIFF *tif;
    struct mem in;
    uint8_t *chunk; /* one strip or one band of tiles */
    uint8_t *tile;
    uint8_t *packed;  /* a row of the samples kept, 8 or 16 bits */
    uint32_t *raster; /* RGBA reader's whole image */
    float *frow;
    st_cms cms;
    st_image *img;
};

static st_status tiff_fail(struct tdec *d, st_error *err, const char *what)
{
    return st_fail(err, ST_ERR_CORRUPT, "TIFF: %s%s%s", what,
                   d->in.message[0] ? ": " : "", d->in.message);
}

/* What the first directory holds. */
struct layout {
    uint32_t w, h;
    uint16_t spp, bps, photometric, planar, compression, format, orient;
    uint16_t inkset;
    int alpha;  /* the first extra sample is alpha */
    int out_ch; /* channels of the image returned */
    int direct; /* read by the direct path (else the RGBA reader) */
};

/* Returns whether the EXIF directory was visited (the first page must then
 * be made current again). */
static int read_exif_date(struct tdec *d, st_image_info *info)
{
    toff_t off = 0;
    char *dto = NULL, *offset = NULL;
    char dto_copy[64] = "", off_copy[16] = "";

    if (!TIFFGetField(d->tif, TIFFTAG_EXIFIFD, &off) || off == 0)
        return 0;
    if (TIFFReadEXIFDirectory(d->tif, off)) {
        info->has_exif = 1;
        if (TIFFGetField(d->tif, EXIFTAG_DATETIMEORIGINAL, &dto) && dto)
            snprintf(dto_copy, sizeof dto_copy, "%s", dto);
        if (TIFFGetField(d->tif, EXIFTAG_OFFSETTIMEORIGINAL, &offset) && offset)
            snprintf(off_copy, sizeof off_copy, "%s", offset);
        st_exif_set_datetime(info, dto_copy[0] ? dto_copy : NULL,
                             off_copy[0] ? off_copy : NULL);
    }
    d->in.message[0] = '\0'; /* a damaged EXIF directory is not fatal */
    return 1;
}

static st_status read_layout(struct tdec *d, struct layout *L,
                             st_image_info *info, st_error *err)
{
    uint16_t nextra = 0, *extra = NULL;

    memset(L, 0, sizeof *L);
    if (!TIFFGetField(d->tif, TIFFTAG_IMAGEWIDTH, &L->w) ||
        !TIFFGetField(d->tif, TIFFTAG_IMAGELENGTH, &L->h))
        return tiff_fail(d, err, "no image size");
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_SAMPLESPERPIXEL, &L->spp);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_BITSPERSAMPLE, &L->bps);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_PLANARCONFIG, &L->planar);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_COMPRESSION, &L->compression);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_SAMPLEFORMAT, &L->format);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_ORIENTATION, &L->orient);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_INKSET, &L->inkset);
    TIFFGetFieldDefaulted(d->tif, TIFFTAG_EXTRASAMPLES, &nextra, &extra);
    if (!TIFFGetField(d->tif, TIFFTAG_PHOTOMETRIC, &L->photometric))
        L->photometric = L->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    if (L->orient < 1 || L->orient > 8)
        L->orient = 1;
    L->alpha = nextra > 0 && extra &&
               (extra[0] == EXTRASAMPLE_ASSOCALPHA ||
                extra[0] == EXTRASAMPLE_UNASSALPHA);
    info->stored_width = (int)L->w;
    info->stored_height = (int)L->h;
    info->file_channels = L->spp;
    info->bit_depth = L->bps;

    if (L->format == SAMPLEFORMAT_IEEEFP || L->format == SAMPLEFORMAT_INT)
        return st_fail(err, ST_ERR_UNSUPPORTED,
                       "TIFF with %s samples (only unsigned integers are read)",
                       L->format == SAMPLEFORMAT_IEEEFP ? "floating-point"
                                                        : "signed");
    if (L->compression == COMPRESSION_JPEG &&
        L->photometric == PHOTOMETRIC_YCBCR) {
        /* libtiff's JPEG codec hands the samples back as RGB */
        TIFFSetField(d->tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        L->photometric = PHOTOMETRIC_RGB;
    }
    L->direct = (L->bps == 8 || L->bps == 16) && L->spp <= 8 &&
                (L->planar == PLANARCONFIG_CONTIG || L->spp == 1);
    if (L->photometric == PHOTOMETRIC_MINISBLACK && L->spp >= 1)
        L->out_ch = 1 + (L->spp >= 2 && L->alpha);
    else if (L->photometric == PHOTOMETRIC_RGB && L->spp >= 3)
        L->out_ch = 3 + (L->spp >= 4 && L->alpha);
    else if (L->photometric == PHOTOMETRIC_SEPARATED && L->spp >= 4 &&
             L->inkset == INKSET_CMYK)
        L->out_ch = 3;
    else
        L->direct = 0;
    return ST_OK;
}

static st_status setup_color(struct tdec *d, const struct layout *L,
                             const st_read_options *opt, st_image_info *info,
                             st_error *err)
{
    uint32_t n = 0;
    void *icc = NULL;
    int cmyk = L->photometric == PHOTOMETRIC_SEPARATED;

    if (!TIFFGetField(d->tif, TIFFTAG_ICCPROFILE, &n, &icc) || !icc || !n)
        return ST_OK;
    if (opt->ignore_color_profile) {
        info->color_source = ST_COLOR_IGNORED;
        snprintf(info->color_description, sizeof info->color_description,
                 "ignored by option");
        return ST_OK;
    }
    return st_cms_from_icc(&d->cms, icc, n,
                           cmyk ? ST_CMS_CMYK8 : ST_CMS_GRAY_RGB,
                           cmyk ? 3 : L->out_ch, cmyk ? 8 : L->bps, info, err);
}

/* One stored row (spp samples a pixel, native order) -> floats. */
static void convert_row(struct tdec *d, const struct layout *L,
                        const uint8_t *src, int w)
{
    int ch = L->out_ch, cmyk = L->photometric == PHOTOMETRIC_SEPARATED;
    int keep = cmyk ? 4 : ch;
    const uint16_t *s16 = (const uint16_t *)(const void *)src;
    uint16_t *p16 = (uint16_t *)(void *)d->packed;

    for (int x = 0; x < w; x++)
        for (int c = 0; c < keep; c++) {
            size_t i = (size_t)x * L->spp + (size_t)c;
            size_t o = (size_t)x * (size_t)keep + (size_t)c;
            if (L->bps == 16 && !(cmyk && st_cms_active(&d->cms)))
                p16[o] = s16[i];
            else if (L->bps == 16)
                d->packed[o] = (uint8_t)((s16[i] + 128u) / 257u);
            else
                d->packed[o] = src[i];
        }
    if (cmyk && st_cms_active(&d->cms)) {
        st_cms_apply_cmyk(&d->cms, d->packed, d->frow, w);
    } else if (cmyk) {
        float max = L->bps == 16 ? 65535.0f : 255.0f;
        for (int x = 0; x < w; x++) {
            float v[4];
            for (int c = 0; c < 4; c++)
                v[c] = (L->bps == 16 ? p16[4 * x + c] : d->packed[4 * x + c]) /
                       max;
            for (int c = 0; c < 3; c++)
                d->frow[3 * x + c] = (1.0f - v[c]) * (1.0f - v[3]);
        }
    } else if (st_cms_active(&d->cms)) {
        st_cms_apply(&d->cms, d->packed, d->frow, w);
    } else {
        size_t n = (size_t)w * (size_t)ch;
        for (size_t i = 0; i < n; i++)
            d->frow[i] =
                L->bps == 16 ? p16[i] / 65535.0f : d->packed[i] / 255.0f;
    }
}

/* The direct path: strips or bands of tiles into d->chunk, then rows. */
static st_status read_direct(struct tdec *d, const struct layout *L, int orient,
                             st_error *err)
{
    size_t px = (size_t)L->spp * (L->bps / 8u);
    size_t rowbytes = (size_t)L->w * px;
    uint32_t band, tw = 0, th = 0;
    int tiled = TIFFIsTiled(d->tif);

    if (tiled) {
        if (!TIFFGetField(d->tif, TIFFTAG_TILEWIDTH, &tw) ||
            !TIFFGetField(d->tif, TIFFTAG_TILELENGTH, &th) || tw == 0 ||
            th == 0 || (uint64_t)tw * th > MAX_TILE_PIXELS)
            return tiff_fail(d, err, "bad tile size");
        band = th;
        d->tile = malloc((size_t)tw * th * px);
        if (!d->tile)
            return st_fail(err, ST_ERR_NOMEM, "out of memory");
    } else {
        TIFFGetFieldDefaulted(d->tif, TIFFTAG_ROWSPERSTRIP, &band);
        if (band == 0 || band > L->h)
            band = L->h;
    }
    /* band * rowbytes: at most the whole image, or one tile's height */
    d->chunk = malloc((size_t)band * rowbytes);
    d->packed = malloc((size_t)L->w * 4 * sizeof(uint16_t));
    d->frow = malloc((size_t)L->w * 4 * sizeof(float));
    if (!d->chunk || !d->packed || !d->frow)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");

    for (uint32_t y0 = 0; y0 < L->h; y0 += band) {
        uint32_t rows = L->h - y0 < band ? L->h - y0 : band;
        if (tiled) {
            for (uint32_t x0 = 0; x0 < L->w; x0 += tw) {
                uint32_t cols = L->w - x0 < tw ? L->w - x0 : tw;
                if (TIFFReadTile(d->tif, d->tile, x0, y0, 0, 0) < 0)
                    return tiff_fail(d, err, "cannot read a tile");
                for (uint32_t r = 0; r < rows; r++)
                    memcpy(d->chunk + r * rowbytes + x0 * px,
                           d->tile + (size_t)r * tw * px, cols * px);
            }
        } else if (TIFFReadEncodedStrip(d->tif, TIFFComputeStrip(d->tif, y0, 0),
                                        d->chunk,
                                        (tmsize_t)(rows * rowbytes)) < 0) {
            return tiff_fail(d, err, "cannot read a strip");
        }
        for (uint32_t r = 0; r < rows; r++) {
            convert_row(d, L, d->chunk + r * rowbytes, (int)L->w);
            st_orient_put_row(d->img, orient, (int)L->w, (int)L->h,
                              (int)(y0 + r), d->frow);
        }
    }
    return ST_OK;
}

/* Everything else: libtiff's RGBA reader, 8 bits, rows as stored. */
static st_status read_rgba(struct tdec *d, const struct layout *L, int orient,
                           int ch, st_error *err)
{
    TIFFRGBAImage rgba;
    char emsg[1024] = "";
    int ok;

    if (!TIFFRGBAImageOK(d->tif, emsg))
        return st_fail(err, ST_ERR_UNSUPPORTED, "TIFF layout not supported: %s",
                       emsg);
    d->raster = malloc((size_t)L->w * L->h * sizeof *d->raster);
    d->frow = malloc((size_t)L->w * 4 * sizeof(float));
    if (!d->raster || !d->frow)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    if (!TIFFRGBAImageBegin(&rgba, d->tif, 0, emsg))
        return st_fail(err, ST_ERR_CORRUPT, "TIFF: %s", emsg);
    rgba.req_orientation = rgba.orientation; /* rows as stored */
    ok = TIFFRGBAImageGet(&rgba, d->raster, L->w, L->h);
    TIFFRGBAImageEnd(&rgba);
    if (!ok)
        return tiff_fail(d, err, "cannot read the image");
    for (uint32_t y = 0; y < L->h; y++) {
        const uint32_t *p = d->raster + (size_t)y * L->w;
        for (uint32_t x = 0; x < L->w; x++) {
            float *o = d->frow + (size_t)x * (size_t)ch;
            o[0] = TIFFGetR(p[x]) / 255.0f;
            o[1] = TIFFGetG(p[x]) / 255.0f;
            o[2] = TIFFGetB(p[x]) / 255.0f;
            if (ch == 4)
                o[3] = TIFFGetA(p[x]) / 255.0f;
        }
        st_orient_put_row(d->img, orient, (int)L->w, (int)L->h, (int)y,
                          d->frow);
    }
    return ST_OK;
}

static st_status decode(struct tdec *d, const st_read_options *opt,
                        uint64_t max_pixels, int header_only,
                        st_image_info *info, st_error *err)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    struct layout L;
    int orient, ch, w, h;
    st_status s;

    if (!o)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (libtiff)");
    TIFFOpenOptionsSetErrorHandlerExtR(o, on_error, &d->in);
    TIFFOpenOptionsSetWarningHandlerExtR(o, on_warning, &d->in);
    TIFFOpenOptionsSetMaxSingleMemAlloc(o, MAX_LIBTIFF_ALLOC);
    d->tif =
        TIFFClientOpenExt("image", "rm", (thandle_t)&d->in, mem_read, mem_write,
                          mem_seek, mem_close, mem_size, NULL, NULL, o);
    TIFFOpenOptionsFree(o);
    if (!d->tif)
        return tiff_fail(d, err, "cannot read the header");
    info->format = ST_FORMAT_TIFF;
    if (read_exif_date(d, info) && !TIFFSetDirectory(d->tif, 0))
        return tiff_fail(d, err, "cannot return to the first page");
    s = read_layout(d, &L, info, err);
    if (s)
        return s;
    orient = opt->ignore_orientation ? 1 : L.orient;
    info->orientation = orient;
    st_oriented_size(orient, (int)L.w, (int)L.h, &w, &h);
    info->width = w;
    info->height = h;
    s = st_image_check_size((int)(L.w > INT32_MAX ? 0 : L.w),
                            (int)(L.h > INT32_MAX ? 0 : L.h), 1, max_pixels,
                            NULL, err);
    if (s)
        return s;
    {
        tdir_t pages = TIFFNumberOfDirectories(d->tif);
        info->pages = pages > 0 ? (int)pages : 1;
        d->in.message[0] = '\0';
    }
    if (header_only)
        return ST_OK;

    if (L.direct) {
        s = setup_color(d, &L, opt, info, err);
        if (s)
            return s;
        ch = L.out_ch;
    } else {
        ch = L.alpha ? 4 : 3;
    }
    s = st_image_new(&d->img, w, h, ch, err);
    if (s)
        return s;
    if (L.direct)
        return read_direct(d, &L, orient, err);
    return read_rgba(d, &L, orient, ch, err);
}

st_status st_tiff_decode(const uint8_t *data, size_t size,
                         const st_read_options *opt, uint64_t max_pixels,
                         st_image **out, st_image_info *info, st_error *err)
{
    struct tdec *d = calloc(1, sizeof *d);
    st_status s;

    if (out)
        *out = NULL;
    if (!d)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    d->in.data = data;
    d->in.size = size;
    s = decode(d, opt, max_pixels, out == NULL, info, err);
    if (d->tif)
        TIFFClose(d->tif);
    st_cms_free(&d->cms);
    free(d->chunk);
    free(d->tile);
    free(d->packed);
    free(d->raster);
    free(d->frow);
    if (s == ST_OK && out)
        *out = d->img;
    else
        st_image_free(d->img);
    free(d);
    return s;
}

/* ---- telling camera raw from pictures ---- */

static uint32_t get16(const uint8_t *p, int le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8
              : (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

static uint32_t get32(const uint8_t *p, int le)
{
    return le ? get16(p, 1) | get16(p + 2, 1) << 16
              : get16(p, 0) << 16 | get16(p + 2, 0);
}

int st_tiff_is_raw(const uint8_t *d, size_t n)
{
    int le, make = 0, subifds = 0, reduced = 0;
    uint32_t off, count;

    if (n < 16 || d[2] == 43 || d[3] == 43) /* BigTIFF: not a raw layout */
        return 0;
    le = d[0] == 'I';
    if (d[8] == 'C' && d[9] == 'R') /* Canon CR2 */
        return 1;
    off = get32(d + 4, le);
    if (off < 8 || off > n - 2)
        return 0;
    count = get16(d + off, le);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = d + off + 2 + 12u * i;
        uint32_t tag, value;
        if ((size_t)(e - d) > n - 12)
            break;
        tag = get16(e, le);
        value = get16(e + 2, le) == 3 ? get16(e + 8, le) : get32(e + 8, le);
        switch (tag) {
        case 50706: return 1;                 /* DNGVersion */
        case 254: reduced = value & 1; break; /* NewSubfileType */
        case 259: /* Compression: codecs only raw files use (Sony, Epson,
                     Samsung, Nikon, Kodak, Pentax) */
            if (value == 32767 || value == 32769 || value == 32770 ||
                value == 34713 || value == 65000 || value == 65535)
                return 1;
            break;
        case 262: /* Photometric: CFA or LinearRaw */
            if (value == 32803 || value == 34892)
                return 1;
            break;
        case 271: make = 1; break;
        case 330: subifds = 1; break;
        default: break;
        }
    }
    return make && (subifds || reduced);
}
