/* skintrack — converting decoded samples to sRGB with lcms2.
 *
 *   st_cms_from_icc          transform from an embedded ICC profile
 *   st_cms_from_png_chunks   transform from PNG gAMA / cHRM
 *   st_cms_apply_float       convert float rows in place
 *   st_cms_apply_cmyk        convert 8-bit CMYK rows to float RGB
 *   st_cms_free              release
 *
 * Every conversion targets sRGB (lcms2's built-in IEC 61966-2-1 profile)
 * with the relative colorimetric intent and no black-point compensation,
 * so in-gamut colours keep their CIE coordinates. Grey images go to a grey
 * profile with the sRGB tone curve, which keeps them one channel. Each
 * conversion has its own lcms2 context, so messages land in the st_cms that
 * asked and readers on several threads never share state.
 */
#include <stdio.h>
#include <string.h>

#include <lcms2.h>

#include "internal.h"
#include "io_internal.h"

static void log_error(cmsContext ctx, cmsUInt32Number code, const char *text)
{
    st_cms *cms = cmsGetContextUserData(ctx);
    (void)code;
    if (cms && !cms->message[0])
        snprintf(cms->message, sizeof cms->message, "%s", text);
}

static st_status open_context(st_cms *cms, st_error *err)
{
    memset(cms, 0, sizeof *cms);
    cms->context = cmsCreateContext(NULL, cms);
    if (!cms->context)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (lcms2 context)");
    cmsSetLogErrorHandlerTHR(cms->context, log_error);
    return ST_OK;
}

/* The sRGB tone curve as an ICC parametric curve (type 4). */
static cmsToneCurve *srgb_curve(cmsContext ctx)
{
    const cmsFloat64Number p[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055,
                                   1.0 / 12.92, 0.04045};
    return cmsBuildParametricToneCurve(ctx, 4, p);
}

static cmsHPROFILE gray_srgb_profile(cmsContext ctx)
{
    cmsToneCurve *curve = srgb_curve(ctx);
    cmsHPROFILE p;
    if (!curve)
        return NULL;
    p = cmsCreateGrayProfileTHR(ctx, cmsD50_xyY(), curve);
    cmsFreeToneCurve(curve);
    return p;
}

static cmsUInt32Number float_format(int channels)
{
    switch (channels) {
    case 1: return TYPE_GRAY_FLT;
    case 2: return TYPE_GRAYA_FLT;
    case 3: return TYPE_RGB_FLT;
    default: return TYPE_RGBA_FLT;
    }
}

/* Copies a profile text tag into out, control characters as spaces. */
static void describe(cmsHPROFILE p, char *out, size_t size)
{
    cmsUInt32Number n = cmsGetProfileInfoASCII(p, cmsInfoDescription, "en",
                                               "US", out, (cmsUInt32Number)size);
    if (n == 0)
        snprintf(out, size, "unnamed ICC profile");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
}

/* Builds the transform from profile in (taken) to sRGB. */
static st_status make_transform(st_cms *cms, cmsHPROFILE in,
                                cmsUInt32Number in_format,
                                cmsUInt32Number out_format, int gray,
                                st_error *err)
{
    cmsHPROFILE out = gray ? gray_srgb_profile(cms->context)
                           : cmsCreate_sRGBProfileTHR(cms->context);
    cmsUInt32Number flags = cmsFLAGS_COPY_ALPHA;

    if (!out) {
        cmsCloseProfile(in);
        return st_fail(err, ST_ERR_COLOR, "cannot create the sRGB profile");
    }
    cms->transform = cmsCreateTransformTHR(cms->context, in, in_format, out,
                                           out_format,
                                           INTENT_RELATIVE_COLORIMETRIC,
                                           flags);
    cmsCloseProfile(in);
    cmsCloseProfile(out);
    if (!cms->transform)
        return st_fail(err, ST_ERR_COLOR,
                       "embedded colour profile cannot be applied: %s",
                       cms->message[0] ? cms->message : "lcms2 refused it");
    return ST_OK;
}

st_status st_cms_from_icc(st_cms *cms, const uint8_t *icc, size_t size,
                          st_cms_input input, int channels,
                          st_image_info *info, st_error *err)
{
    cmsHPROFILE in;
    cmsColorSpaceSignature space;
    cmsUInt32Number in_format, out_format;
    int gray = channels <= 2 && input == ST_CMS_FLOAT;
    st_status s = open_context(cms, err);

    if (s)
        return s;
    cms->channels = channels;
    in = cmsOpenProfileFromMemTHR(cms->context, icc, (cmsUInt32Number)size);
    if (!in)
        return st_fail(err, ST_ERR_COLOR,
                       "embedded ICC profile is damaged (%s); "
                       "--ignore-icc reads the samples as sRGB",
                       cms->message[0] ? cms->message : "unreadable");
    describe(in, info->color_description, sizeof info->color_description);
    space = cmsGetColorSpace(in);
    if ((input != ST_CMS_FLOAT && space != cmsSigCmykData) ||
        (input == ST_CMS_FLOAT && gray && space != cmsSigGrayData) ||
        (input == ST_CMS_FLOAT && !gray && space != cmsSigRgbData)) {
        /* Profile for another kind of image: not applicable. */
        char name[ST_DESCRIPTION_MAX];
        snprintf(name, sizeof name, "%s", info->color_description);
        snprintf(info->color_description, sizeof info->color_description,
                 "ignored, does not fit the image: %.90s", name);
        cmsCloseProfile(in);
        info->color_source = ST_COLOR_IGNORED;
        return ST_OK;
    }
    if (input == ST_CMS_FLOAT) {
        in_format = out_format = float_format(channels);
    } else {
        in_format = input == ST_CMS_CMYK8_INV ? TYPE_CMYK_8_REV : TYPE_CMYK_8;
        out_format = TYPE_RGB_FLT;
    }
    info->color_source = ST_COLOR_ICC;
    return make_transform(cms, in, in_format, out_format, gray, err);
}

st_status st_cms_from_png_chunks(st_cms *cms, double gamma,
                                 const double chrm[8], int channels,
                                 st_image_info *info, st_error *err)
{
    cmsToneCurve *curve;
    cmsHPROFILE in;
    int gray = channels <= 2;
    st_status s = open_context(cms, err);

    if (s)
        return s;
    cms->channels = channels;
    if (gamma > 0 && (gamma < 0.01 || gamma > 100))
        return st_fail(err, ST_ERR_COLOR, "implausible PNG gAMA %g", gamma);
    /* gAMA is the encoding exponent: stored = linear^gamma. */
    curve = gamma > 0 ? cmsBuildGamma(cms->context, 1.0 / gamma)
                      : srgb_curve(cms->context);
    if (!curve)
        return st_fail(err, ST_ERR_NOMEM, "out of memory (tone curve)");
    if (gray) {
        in = cmsCreateGrayProfileTHR(cms->context, cmsD50_xyY(), curve);
    } else {
        cmsCIExyY white = {0.3127, 0.3290, 1.0};
        cmsCIExyYTRIPLE prim = {{0.64, 0.33, 1.0}, {0.30, 0.60, 1.0},
                                {0.15, 0.06, 1.0}};
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
    return make_transform(cms, in, float_format(channels),
                          float_format(channels), gray, err);
}

static float clip01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

void st_cms_apply_float(st_cms *cms, float *row, int npix)
{
    size_t n = (size_t)npix * (size_t)cms->channels;
    if (!cms->transform)
        return;
    cmsDoTransform(cms->transform, row, row, (cmsUInt32Number)npix);
    for (size_t i = 0; i < n; i++)
        row[i] = clip01(row[i]);
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
    cms->transform = NULL;
    cms->context = NULL;
}
