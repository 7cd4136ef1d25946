/* skintrack — versions of skintrack and of the libraries under it.
 *
 *   st_version             "0.1.0"
 *   st_version_libraries   runtime versions of libjpeg-turbo, libpng,
 *                          lcms2 and FFTW, for reproducibility records
 */
#include <stdio.h>

#include <fftw3.h>
#include <jpeglib.h>
#include <lcms2.h>
#include <png.h>

#include "skintrack/skintrack.h"

const char *st_version(void)
{
    return ST_VERSION_STRING;
}

char *st_version_libraries(char *buf, size_t size)
{
    int lcms = cmsGetEncodedCMMversion();
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    int jt = LIBJPEG_TURBO_VERSION_NUMBER;
#else
    int jt = 0;
#endif
    snprintf(buf, size, "libjpeg-turbo %d.%d.%d, libpng %s, lcms2 %d.%d, %s",
             jt / 1000000, jt / 1000 % 1000, jt % 1000,
             png_get_libpng_ver(NULL), lcms / 1000, lcms / 10 % 100,
             fftwf_version);
    return buf;
}
