/* skintrack — measure skin in before/after photos of a treatment course.
 *
 * Umbrella header: includes every public module. Link with
 * `pkg-config --libs skintrack`.
 */
#ifndef SKINTRACK_SKINTRACK_H
#define SKINTRACK_SKINTRACK_H

#define ST_VERSION_MAJOR  0
#define ST_VERSION_MINOR  1
#define ST_VERSION_PATCH  0
#define ST_VERSION_STRING "0.1.0"

#include <stddef.h>

#include "align.h"
#include "chart.h"
#include "color.h"
#include "compare.h"
#include "course.h"
#include "csv.h"
#include "date.h"
#include "face.h"
#include "synth.h"
#include "target.h"
#include "fft.h"
#include "image.h"
#include "io.h"
#include "metrics.h"
#include "output.h"
#include "overlay.h"
#include "picture.h"
#include "pores.h"
#include "redness.h"
#include "region.h"
#include "repeat.h"
#include "skin.h"
#include "status.h"
#include "texture.h"
#include "timing.h"
#include "tone.h"
#include "warp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version string, e.g. "0.1.0". */
const char *st_version(void);

/* Versions of the libraries skintrack runs on, one line such as
 * "libjpeg-turbo 2.1.5, libpng 1.6.39, lcms2 2.14, fftw-3.3.10", into buf.
 * Returns buf. */
char *st_version_libraries(char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
