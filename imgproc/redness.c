/* skintrack — redness metrics.
 *
 *   st_redness_measure   a* mean and 90th percentile, erythema index,
 *                        red area
 *
 * a* tracks erythema in reflectance and photographic studies (Wagner et
 * al. 2002, Pigment Cell Res.; Logger et al. 2020, Skin Res. Technol.
 * 26:804). The erythema index EI = 100 log10(R / G) comes from reflectance
 * spectrophotometry (Dawson et al. 1980; Diffey et al. 1984); from camera
 * RGB it is linear in haemoglobin but in camera-dependent units (Yamamoto
 * et al. 2008, Skin Res. Technol. 14:26), so it is reported for tracking,
 * not as a meter reading. It is taken from the region's mean linear R and
 * G, which noise and dark pores bias far less than a mean of per-pixel
 * logarithms.
 *
 * The percentile comes from a histogram of a* in 0.01 steps over
 * [-160, 160), interpolated inside its bin.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "skintrack/redness.h"

#define HMIN  (-160.0)
#define HSTEP 0.01
#define HBINS 32000

st_status st_redness_measure(const st_lab_planes *lab, const st_region *reg,
                             double threshold, st_redness *out, st_error *err)
{
    size_t n = (size_t)lab->width * (size_t)lab->height, count = 0, red = 0;
    unsigned *hist;
    double sum = 0;

    if (reg->width != lab->width || reg->height != lab->height)
        return st_fail(err, ST_ERR_INVALID, "region and image sizes differ");
    if (!reg->count)
        return st_fail(err, ST_ERR_INVALID, "empty region");
    if (threshold <= 0)
        threshold = ST_RED_A_STAR_THRESHOLD;
    hist = calloc(HBINS, sizeof *hist);
    if (!hist)
        return st_fail(err, ST_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double a;
        int bin;
        if (!reg->mask[i])
            continue;
        a = lab->a[i];
        sum += a;
        count++;
        red += a > threshold;
        bin = (int)floor((a - HMIN) / HSTEP);
        hist[bin < 0 ? 0 : bin >= HBINS ? HBINS - 1 : bin]++;
    }
    out->a_star_mean = sum / (double)count;
    out->red_area_pct = 100.0 * (double)red / (double)count;
    {
        double want = 0.9 * (double)count, seen = 0;
        out->a_star_p90 = NAN;
        for (int b = 0; b < HBINS; b++) {
            if (seen + hist[b] >= want && hist[b]) {
                double f = (want - seen) / hist[b];
                out->a_star_p90 = HMIN + (b + f) * HSTEP;
                break;
            }
            seen += hist[b];
        }
    }
    free(hist);
    out->erythema_index =
        lab->linear_mean[0] > 0 && lab->linear_mean[1] > 0
            ? 100.0 * log10(lab->linear_mean[0] / lab->linear_mean[1])
            : NAN;
    return ST_OK;
}
