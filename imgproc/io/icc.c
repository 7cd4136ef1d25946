/* skintrack — converting decoded samples to sRGB with lcms2.
 *
 *   st_cms_from_icc          conversion from an embedded ICC profile
 *   st_cms_from_png_chunks   conversion from PNG gAMA / cHRM
 *   st_cms_from_primaries    conversion from H.273 primaries and transfer
 *   st_cms_apply             convert a row of 8/16-bit grey/RGB(+alpha)
 *   st_cms_apply_cmyk        convert a row of 8-bit CMYK
 *   st_cms_free              release
 *
 * Every conversion targets sRGB with the relative colorimetric intent and
 * no black-point compensation, so in-gamut colours keep their CIE
 * coordinates; grey images go to grey with the sRGB tone curve and stay
 * one channel. Results are clipped to [0, 1] (the sRGB gamut).
 *
 * Matrix/TRC profiles (what cameras and phones embed: sRGB, Display P3,
 * Adobe RGB, ProPhoto, and what PNG gAMA/cHRM describe) take a fast exact
 * path: the profile's tone curves, evaluated by lcms2 once per possible
 * sample value into a table, give linear light; its D50-adapted colorant
 * matrix followed by the inverse of lcms2's own sRGB colorant matrix gives
 * linear sRGB; a finely sampled table of the sRGB curve (8192 steps,
 * interpolation error below 5e-6) encodes it. That is the same arithmetic
 * as lcms2's unoptimised float transform, at a fraction of its cost.
 * Profiles built on lookup tables, and CMYK, go through lcms2's float
 * transform, which is exact and slower.
 *
 * Each conversion has its own lcms2 context, so messages land in the
 * st_cms that asked and readers on several threads never share state.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>

#include "core/core_internal.h"
#include "io/io_internal.h"
#include "skintrack/color.h"

#define ENCODE_STEPS 8192

static void log_error(cmsContext ctx, cmsUInt32Number code, const char *text)
{
    st_cms *cms = cmsGetContextUserData(ctx);
    (void)code;
    if (cms && !cms->message[0])
        snprintf(cms->message, sizeof cms->message, "%s", text);
}

static st_status open_context(st_cms *cms, int channels, int bits,
                              st_error *err)
{
    memset(cms, 0, sizeof *cms);
    cms->channels = channels;
    cms->bits = bits;
    cms->context = cmsCreateContext(NULL, cms);
    if (!cms->context)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (lcms2 context)");
    cmsSetLogErrorHandlerTHR(cms->context, log_error);
    return ST_OK;
}

/* The sRGB tone curve as an ICC parametric curve (type 4). */
static cmsToneCurve *srgb_curve(cmsContext ctx)
{
    const cmsFloat64Number p[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92,
                                   0.04045};
    return cmsBuildParametricToneCurve(ctx, 4, p);
}

/* Copies a profile's description into out, control characters as spaces. */
static void describe(cmsHPROFILE p, char *out, size_t size)
{
    cmsUInt32Number n = cmsGetProfileInfoASCII(
        p, cmsInfoDescription, "en", "US", out, (cmsUInt32Number)size);
    if (n == 0)
        snprintf(out, size, "unnamed ICC profile");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
}

/* ---- fast path: matrix/TRC profiles ---- */

static int invert3(const double m[9], double inv[9])
{
    double det = m[0] * (m[4] * m[8] - m[5] * m[7]) -
                 m[1] * (m[3] * m[8] - m[5] * m[6]) +
                 m[2] * (m[3] * m[7] - m[4] * m[6]);
    if (fabs(det) < 1e-12)
        return -1;
    inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
    inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
    inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
    return 0;
}

/* Columns: red, green and blue colorants (D50 PCS XYZ). */
static int colorant_matrix(cmsHPROFILE p, double m[9])
{
    const cmsTagSignature tags[3] = {
        cmsSigRedColorantTag, cmsSigGreenColorantTag, cmsSigBlueColorantTag};
    for (int c = 0; c < 3; c++) {
        const cmsCIEXYZ *xyz = cmsReadTag(p, tags[c]);
        if (!xyz)
            return -1;
        m[c] = xyz->X, m[3 + c] = xyz->Y, m[6 + c] = xyz->Z;
    }
    return 0;
}

static int fill_curve_lut(cmsHPROFILE p, cmsTagSignature tag, float *lut, int n)
{
    const cmsToneCurve *curve = cmsReadTag(p, tag);
    if (!curve)
        return -1;
    for (int i = 0; i < n; i++)
        lut[i] = cmsEvalToneCurveFloat(curve, (cmsFloat32Number)i /
                                                  (cmsFloat32Number)(n - 1));
    return 0;
}

/* Sets up the table-and-matrix conversion; -1 if the profile is not a
 * plain matrix/TRC one (then lcms2's transform is used). */
static int setup_fast(st_cms *cms, cmsHPROFILE in, int gray)
{
    int n = 1 << cms->bits;
    int ncurves = gray ? 1 : 3;
    const cmsTagSignature trc[3] = {cmsSigRedTRCTag, cmsSigGreenTRCTag,
                                    cmsSigBlueTRCTag};

    /* lcms2 prefers any device-to-PCS table (D2B1, A2B1, then A2B0) over
     * matrix and curves; a grey TRC over a Lab PCS is an L* curve. */
    if (!cmsIsMatrixShaper(in) || cmsIsTag(in, cmsSigAToB0Tag) ||
        cmsIsTag(in, cmsSigAToB1Tag) || cmsIsTag(in, cmsSigDToB0Tag) ||
        cmsIsTag(in, cmsSigDToB1Tag) ||
        (gray && cmsGetPCS(in) != cmsSigXYZData))
        return -1;
    if (!gray) {
        double m_in[9], m_srgb[9], inv[9];
        cmsHPROFILE srgb = cmsCreate_sRGBProfileTHR(cms->context);
        int bad = !srgb || colorant_matrix(in, m_in) ||
                  colorant_matrix(srgb, m_srgb) || invert3(m_srgb, inv);
        if (srgb)
            cmsCloseProfile(srgb);
        if (bad)
            return -1;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                cms->matrix[3 * r + c] = (float)(inv[3 * r] * m_in[c] +
                                                 inv[3 * r + 1] * m_in[3 + c] +
                                                 inv[3 * r + 2] * m_in[6 + c]);
    }
    cms->lut = malloc((size_t)ncurves * (size_t)n * sizeof(float));
    cms->encode = malloc((ENCODE_STEPS + 2) * sizeof(float));
    if (!cms->lut || !cms->encode)
        return -1;
    for (int c = 0; c < ncurves; c++)
        if (fill_curve_lut(in, gray ? cmsSigGrayTRCTag : trc[c],
                           cms->lut + (size_t)c * (size_t)n, n))
            return -1;
    for (int i = 0; i <= ENCODE_STEPS; i++)
        cms->encode[i] =
            (float)st_color_linear_to_srgb((double)i / ENCODE_STEPS);
    cms->encode[ENCODE_STEPS + 1] = cms->encode[ENCODE_STEPS];
    return 0;
}

static inline float encode(const float *table, float v)
{
    float t, f;
    int i;
    if (!(v > 0.0f))
        return 0.0f;
    if (v >= 1.0f)
        return 1.0f;
    t = v * ENCODE_STEPS;
    i = (int)t;
    f = t - (float)i;
    return table[i] + f * (table[i + 1] - table[i]);
}

/* ---- set-up ---- */

/* Finishes a conversion from profile `in` (taken): the fast path if the
 * profile allows, else an lcms2 float transform. */
static st_status finish(st_cms *cms, cmsHPROFILE in, st_cms_input input,
                        st_error *err)
{
    int gray = input == ST_CMS_GRAY_RGB && cms->channels <= 2;
    cmsHPROFILE out;
    cmsUInt32Number in_fmt, out_fmt;

    if (input == ST_CMS_GRAY_RGB && setup_fast(cms, in, gray) == 0) {
        cms->fast = 1;
        cmsCloseProfile(in);
        return ST_OK;
    }
    free(cms->lut);
    free(cms->encode);
    cms->lut = cms->encode = NULL;

    if (gray) {
        cmsToneCurve *curve = srgb_curve(cms->context);
        out = curve ? cmsCreateGrayProfileTHR(cms->context, cmsD50_xyY(), curve)
                    : NULL;
        if (curve)
            cmsFreeToneCurve(curve);
        in_fmt = cms->bits == 16 ? TYPE_GRAY_16 : TYPE_GRAY_8;
        out_fmt = TYPE_GRAY_FLT;
    } else {
        out = cmsCreate_sRGBProfileTHR(cms->context);
        out_fmt = TYPE_RGB_FLT;
        if (input == ST_CMS_CMYK8)
            in_fmt = TYPE_CMYK_8;
        else if (input == ST_CMS_CMYK8_INV)
            in_fmt = TYPE_CMYK_8_REV;
        else
            in_fmt = cms->bits == 16 ? TYPE_RGB_16 : TYPE_RGB_8;
    }
    if (input == ST_CMS_GRAY_RGB && (cms->channels == 2 || cms->channels == 4))
        in_fmt |= EXTRA_SH(1); /* alpha: skipped by lcms2, copied by us */
    if (!out) {
        cmsCloseProfile(in);
        return st_fail(err, ST_ERR_COLOR, "cannot create the sRGB profile");
    }
    cms->transform =
        cmsCreateTransformTHR(cms->context, in, in_fmt, out, out_fmt,
                              INTENT_RELATIVE_COLORIMETRIC, 0);
    cmsCloseProfile(in);
    cmsCloseProfile(out);
    if (!cms->transform)
        return st_fail(err, ST_ERR_COLOR,
                       "embedded colour profile cannot be applied: %s",
                       cms->message[0] ? cms->message : "lcms2 refused it");
    return ST_OK;
}

st_status st_cms_from_icc(st_cms *cms, const uint8_t *icc, size_t size,
                          st_cms_input input, int channels, int bits,
                          st_image_info *info, st_error *err)
{
    cmsHPROFILE in;
    cmsColorSpaceSignature space, want;
    st_status s;

    if (size > ST_ICC_MAX_BYTES)
        return st_fail(err, ST_ERR_TOO_LARGE,
                       "embedded ICC profile is %.1f MB, above the %.0f MB "
                       "limit; --ignore-icc reads the samples as sRGB",
                       (double)size / 1e6, (double)ST_ICC_MAX_BYTES / 1e6);
    if ((s = open_context(cms, channels, bits, err)))
        return s;
    in = cmsOpenProfileFromMemTHR(cms->context, icc, (cmsUInt32Number)size);
    if (!in)
        return st_fail(err, ST_ERR_COLOR,
                       "embedded ICC profile is damaged (%s); "
                       "--ignore-icc reads the samples as sRGB",
                       cms->message[0] ? cms->message : "unreadable");
    describe(in, info->color_description, sizeof info->color_description);
    space = cmsGetColorSpace(in);
    want = input != ST_CMS_GRAY_RGB ? cmsSigCmykData
           : channels <= 2          ? cmsSigGrayData
                                    : cmsSigRgbData;
    if (space != want) {
        /* A profile for another kind of image: not applicable. */
        char name[ST_DESCRIPTION_MAX];
        snprintf(name, sizeof name, "%s", info->color_description);
        snprintf(info->color_description, sizeof info->color_description,
                 "ignored, does not fit the image: %.90s", name);
        cmsCloseProfile(in);
        info->color_source = ST_COLOR_IGNORED;
        return ST_OK;
    }
    info->color_source = ST_COLOR_ICC;
    return finish(cms, in, input, err);
}

/* A profile from a tone curve (taken) and primaries (NULL: sRGB's), grey
 * when the image has one colour channel; NULL on failure. */
static cmsHPROFILE curve_profile(st_cms *cms, cmsToneCurve *curve,
                                 const double chrm[8])
{
    cmsHPROFILE in;

    if (!curve)
        return NULL;
    if (cms->channels <= 2) {
        in = cmsCreateGrayProfileTHR(cms->context, cmsD50_xyY(), curve);
    } else {
        cmsCIExyY white = {0.3127, 0.3290, 1.0};
        cmsCIExyYTRIPLE prim = {
            {0.64, 0.33, 1.0}, {0.30, 0.60, 1.0}, {0.15, 0.06, 1.0}};
        cmsToneCurve *curves[3] = {curve, curve, curve};
        if (chrm) {
            white.x = chrm[0], white.y = chrm[1];
            prim.Red.x = chrm[2], prim.Red.y = chrm[3];
            prim.Green.x = chrm[4], prim.Green.y = chrm[5];
            prim.Blue.x = chrm[6], prim.Blue.y = chrm[7];
        }
        in = cmsCreateRGBProfileTHR(cms->context, &white, &prim, curves);
    }
    cmsFreeToneCurve(curve);
    return in;
}

st_status st_cms_from_png_chunks(st_cms *cms, double gamma,
                                 const double chrm[8], int channels, int bits,
                                 st_image_info *info, st_error *err)
{
    cmsHPROFILE in;
    st_status s = open_context(cms, channels, bits, err);

    if (s)
        return s;
    if (gamma > 0 && (gamma < 0.01 || gamma > 100))
        return st_fail(err, ST_ERR_COLOR, "implausible PNG gAMA %g", gamma);
    /* gAMA is the encoding exponent: stored = linear^gamma. */
    in = curve_profile(cms,
                       gamma > 0 ? cmsBuildGamma(cms->context, 1.0 / gamma)
                                 : srgb_curve(cms->context),
                       chrm);
    if (!in)
        return st_fail(err, ST_ERR_COLOR,
                       "PNG cHRM/gAMA chunks describe no usable colour space");
    if (gamma > 0 && chrm)
        snprintf(info->color_description, sizeof info->color_description,
                 "PNG gAMA %.5f and cHRM", gamma);
    else if (gamma > 0)
        snprintf(info->color_description, sizeof info->color_description,
                 "PNG gAMA %.5f", gamma);
    else
        snprintf(info->color_description, sizeof info->color_description,
                 "PNG cHRM");
    info->color_source = ST_COLOR_GAMA_CHRM;
    return finish(cms, in, ST_CMS_GRAY_RGB, err);
}

/* The decoding curve (stored value -> linear) of an H.273 transfer code;
 * NULL for one skintrack does not convert. */
static cmsToneCurve *h273_curve(cmsContext ctx, int transfer)
{
    /* BT.709 (and BT.601, BT.2020) OETF V = 1.099 L^0.45 - 0.099 above
     * L = 0.018, 4.5 L below; inverted as ICC parametric type 4:
     * L = ((V + 0.099) / 1.099)^(1 / 0.45) for V >= 0.081, V / 4.5 below. */
    const cmsFloat64Number bt709[5] = {1.0 / 0.45, 1.0 / 1.099, 0.099 / 1.099,
                                       1.0 / 4.5, 0.081};
    switch (transfer) {
    case 1:
    case 6:
    case 14:
    case 15: return cmsBuildParametricToneCurve(ctx, 4, bt709);
    case 4: return cmsBuildGamma(ctx, 2.2);
    case 5: return cmsBuildGamma(ctx, 2.8);
    case 8: return cmsBuildGamma(ctx, 1.0);
    case 2:
    case 13: return srgb_curve(ctx);
    default: return NULL;
    }
}

st_status st_cms_from_primaries(st_cms *cms, const double chrm[8], int transfer,
                                int channels, int bits, st_image_info *info,
                                st_error *err)
{
    cmsToneCurve *curve;
    cmsHPROFILE in;
    st_status s = open_context(cms, channels, bits, err);

    if (s)
        return s;
    for (int i = 0; i < 8; i++)
        if (!(chrm[i] > 0.0 && chrm[i] < 1.0))
            return st_fail(err, ST_ERR_COLOR,
                           "nclx primaries out of range (%g)", chrm[i]);
    curve = h273_curve(cms->context, transfer);
    if (!curve)
        return st_fail(err, ST_ERR_UNSUPPORTED,
                       "nclx transfer characteristics %d (HDR or unusual "
                       "curve) are not supported",
                       transfer);
    in = curve_profile(cms, curve, chrm);
    if (!in)
        return st_fail(err, ST_ERR_COLOR,
                       "nclx primaries describe no usable colour space");
    snprintf(info->color_description, sizeof info->color_description,
             "nclx primaries R %.3f,%.3f G %.3f,%.3f B %.3f,%.3f, transfer %d",
             chrm[2], chrm[3], chrm[4], chrm[5], chrm[6], chrm[7], transfer);
    info->color_source = ST_COLOR_NCLX;
    return finish(cms, in, ST_CMS_GRAY_RGB, err);
}

/* ---- conversion ---- */

static float clip01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

/* Sample i of the row as an index into the tables. */
static inline unsigned sample(const void *in, int bits, size_t i)
{
    return bits == 16 ? ((const uint16_t *)in)[i] : ((const uint8_t *)in)[i];
}

void st_cms_apply(st_cms *cms, const void *in, float *out, int npix)
{
    int ch = cms->channels, bits = cms->bits;
    int cc = ch >= 3 ? 3 : 1, alpha = ch == 2 || ch == 4;
    float amax = bits == 16 ? 65535.0f : 255.0f;
    size_t n = (size_t)1 << bits;

    if (cms->fast && cc == 1) {
        for (int x = 0; x < npix; x++) {
            size_t i = (size_t)x * (size_t)ch;
            out[i] = encode(cms->encode, cms->lut[sample(in, bits, i)]);
            if (alpha)
                out[i + 1] = (float)sample(in, bits, i + 1) / amax;
        }
    } else if (cms->fast) {
        const float *m = cms->matrix;
        for (int x = 0; x < npix; x++) {
            size_t i = (size_t)x * (size_t)ch;
            float r = cms->lut[sample(in, bits, i)];
            float g = cms->lut[n + sample(in, bits, i + 1)];
            float b = cms->lut[2 * n + sample(in, bits, i + 2)];
            out[i] = encode(cms->encode, m[0] * r + m[1] * g + m[2] * b);
            out[i + 1] = encode(cms->encode, m[3] * r + m[4] * g + m[5] * b);
            out[i + 2] = encode(cms->encode, m[6] * r + m[7] * g + m[8] * b);
            if (alpha)
                out[i + 3] = (float)sample(in, bits, i + 3) / amax;
        }
    } else {
        /* lcms2 writes cc floats a pixel; spread them out for alpha. */
        cmsDoTransform(cms->transform, in, out, (cmsUInt32Number)npix);
        if (alpha)
            for (int x = npix - 1; x >= 0; x--) {
                size_t i = (size_t)x * (size_t)ch;
                for (int c = cc - 1; c >= 0; c--)
                    out[i + (size_t)c] =
                        out[(size_t)x * (size_t)cc + (size_t)c];
                out[i + (size_t)cc] =
                    (float)sample(in, bits, i + (size_t)cc) / amax;
            }
        for (size_t i = 0; i < (size_t)npix * (size_t)ch; i++)
            out[i] = clip01(out[i]);
    }
}

void st_cms_apply_cmyk(st_cms *cms, const uint8_t *in, float *out, int npix)
{
    cmsDoTransform(cms->transform, in, out, (cmsUInt32Number)npix);
    for (size_t i = 0; i < (size_t)npix * 3; i++)
        out[i] = clip01(out[i]);
}

void st_cms_free(st_cms *cms)
{
    if (!cms)
        return;
    if (cms->transform)
        cmsDeleteTransform(cms->transform);
    if (cms->context)
        cmsDeleteContext(cms->context);
    free(cms->lut);
    free(cms->encode);
    memset(cms, 0, sizeof *cms);
}
