/* skintrack tests — writers for HEIF, TIFF and DNG test files, made with
 * the libraries themselves (libheif's encoder, libtiff), shared by the
 * tests, the fuzz seeds and tests/imgconv.c. Each returns NULL or -1 on
 * failure and prints nothing. */
#ifndef SKINTRACK_TESTFORMATS_H
#define SKINTRACK_TESTFORMATS_H

#include <stddef.h>
#include <stdint.h>

/* An HEIF image for libheif's encoder: 8-bit RGB (channels 3) or RGBA (4)
 * samples, or, with bits 10 or 12, uint16_t samples of that many bits. */
typedef struct tu_heif {
    int width, height, channels, bits;
    const void *samples; /* interleaved, width * channels a row */
    int lossless;        /* lossless coding in RGB (4:4:4, matrix 0) */
    int avif;            /* AV1 instead of HEVC */
    int quality;         /* lossy quality 0..100 (0: 90) */
    int orientation;     /* 1..8: written as irot/imir boxes */
    const uint8_t *exif; /* bare TIFF block, or NULL */
    size_t exif_size;
    const uint8_t *icc; /* ICC profile (prof), or NULL */
    size_t icc_size;
    int primaries; /* nclx colour primaries (H.273), 0: BT.709 (sRGB) */
} tu_heif;

/* Encodes into memory (malloc'd, *size bytes). */
uint8_t *tu_heif_encode(const tu_heif *spec, size_t *size);

/* A TIFF for libtiff's writer: chunky samples, uint8_t or uint16_t. */
typedef struct tu_tiff {
    int width, height, spp, bps;
    int photometric, compression;
    int tile;           /* > 0: square tiles of this side, else strips */
    int rows_per_strip; /* 0: one strip */
    int orientation;    /* 0: no tag */
    int alpha;          /* the last sample is unassociated alpha */
    int pages;          /* extra pages after the first (copies of it) */
    int sampleformat;   /* 0: unsigned (the default) */
    const void *samples;
    const uint8_t *icc;
    size_t icc_size;
} tu_tiff;

/* Writes the file; 0 on success. */
int tu_tiff_write(const char *path, const tu_tiff *spec);

/* A minimal DNG: a 16-bit RGGB CFA image of width x height from linear
 * sRGB (3 floats a pixel, [0, 1]): each site holds round(4095 v) of its
 * colour; white level 4095, black 0; ColorMatrix1 is the XYZ -> linear
 * sRGB matrix of IEC 61966-2-1 under D65 and AsShotNeutral 1 1 1, so the
 * camera's RGB is linear sRGB. Make "Skintrack", Model "Phantom CFA",
 * DateTime datetime ("YYYY:MM:DD HH:MM:SS", may be NULL), Orientation tag
 * if orientation > 0. 0 on success. */
int tu_dng_write(const char *path, int width, int height, const float *linear,
                 int orientation, const char *datetime);

#define TU_DNG_WHITE 4095

#endif
