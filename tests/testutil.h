/* skintrack tests — building test files with libpng and libjpeg directly.
 *
 * Tests write their inputs with the reference libraries themselves (not
 * with skintrack's writers), so a reader bug cannot cancel a writer bug.
 */
#ifndef SKINTRACK_TESTUTIL_H
#define SKINTRACK_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "skintrack/skintrack.h"

/* A fresh temporary folder for this test binary (removed at exit). */
const char *tu_tmpdir(void);

/* tu_tmpdir()/name in a static rotating buffer. */
const char *tu_path(const char *name);

/* Whole file into a malloc'd buffer; NULL on failure. */
uint8_t *tu_read_file(const char *path, size_t *size);
int tu_write_file(const char *path, const void *data, size_t size);

/* A PNG to write with libpng. samples holds width * height * channels
 * values of bit_depth bits (uint16_t when 16, else uint8_t, one sample per
 * element even for 1/2/4-bit; palette images hold indices). */
typedef struct tu_png {
    int width, height;
    int color_type; /* PNG_COLOR_TYPE_* */
    int bit_depth;
    int interlace; /* 0 or 1 (Adam7) */
    const void *samples;
    const uint8_t *palette;
    int palette_size; /* RGB triples */
    const uint8_t *trns;
    int trns_size; /* palette alpha */
    int trns_gray; /* >= 0: grey tRNS value */
    const uint8_t *icc;
    size_t icc_size;
    const uint8_t *exif;
    size_t exif_size; /* bare TIFF block */
    int srgb;         /* write an sRGB chunk */
    double gamma;     /* > 0: write gAMA */
} tu_png;

/* A growing buffer libpng writes into: tu_png_write_to_memory(png, &m)
 * points the write struct png (a png_structp) at m; m.data is malloc'd. */
typedef struct tu_membuf {
    uint8_t *data;
    size_t size, cap;
} tu_membuf;
void tu_png_write_to_memory(void *png, tu_membuf *m);

/* Writes the PNG into memory (malloc'd, *size bytes); NULL on failure. */
uint8_t *tu_png_encode(const tu_png *spec, size_t *size);

/* A JPEG to write with libjpeg: components 1 (grey), 3 (RGB) or 4 (CMYK,
 * written as given, with libjpeg's Adobe marker). */
typedef struct tu_jpeg {
    int width, height, components;
    const uint8_t *samples; /* interleaved */
    int quality;
    int subsample; /* non-zero: 4:2:0, else 4:4:4 */
    int ycck;      /* CMYK stored as YCCK */
    const uint8_t *icc;
    size_t icc_size;
    const uint8_t *exif;
    size_t exif_size; /* with "Exif\0\0" prefix */
} tu_jpeg;

uint8_t *tu_jpeg_encode(const tu_jpeg *spec, size_t *size);

/* An EXIF block: a TIFF structure with Orientation in IFD0 (if
 * orientation > 0) and an Exif IFD with DateTimeOriginal and
 * OffsetTimeOriginal (each if non-NULL). big_endian picks "MM" byte order.
 * with_prefix prepends "Exif\0\0" (JPEG APP1 form). Returns the size. */
size_t tu_exif_build(uint8_t *buf, size_t cap, int orientation,
                     const char *datetime, const char *offset, int big_endian,
                     int with_prefix);

/* An ICC profile in memory made by lcms2: "srgb", "adobe-rgb" (Adobe RGB
 * (1998) primaries, gamma 563/256), "display-p3" (P3 primaries, D65, sRGB
 * curve), "display-p3-clut" (the same sampled into a 33-point CLUT),
 * "p3-matrix-srgb-clut" (P3 matrix/TRC tags plus an A2B0 CLUT of sRGB,
 * which lcms2 prefers) or "gray-gamma1" (linear grey). malloc'd. */
uint8_t *tu_icc_profile(const char *name, size_t *size);

/* Monotonic clock in seconds, and a qsort comparator for doubles (for the
 * benchmarks). */
double tu_now(void);
int tu_cmp_double(const void *a, const void *b);

/* Decodes with st_io_read_memory, default options, failing the test on
 * error. */
st_image *tu_decode(const uint8_t *data, size_t size, st_image_info *info);

/* Where stored pixel (row r, column c) of a w x h image belongs in the
 * upright picture, from the EXIF specification's words for each
 * orientation ("the 0th row is the visual right side, the 0th column the
 * visual top" for 6, ...), independently of the library's formulas. *uw,
 * *uh receive the upright size. */
void tu_exif_upright(int orientation, int w, int h, int r, int c, int *ux,
                     int *uy, int *uw, int *uh);
#endif
