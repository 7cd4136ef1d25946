/* skintrack — faces: 68 landmarks, zones and the face's skin.
 *
 * A face model (dlib's 68-point shape predictor, Debian's libdlib-data)
 * is loaded once and used for any number of photos. st_face_find finds
 * the largest frontal face of a photo and its 68 landmarks (iBUG 300-W
 * numbering, 0-based: 0-16 jaw, 17-21 and 22-26 brows, 27-35 nose, 36-41
 * and 42-47 eyes, 48-67 lips; points 0, 17, 36 lie on the image's left,
 * the subject's right, in an unmirrored photo). st_face_zones turns them
 * into the measured zones and the face's skin (docs/faces.md).
 */
#ifndef SKINTRACK_FACE_H
#define SKINTRACK_FACE_H

#include "align.h"
#include "image.h"
#include "metrics.h"
#include "region.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ST_FACE_POINTS 68
/* Where Debian's libdlib-data installs the model, and the environment
 * variable that overrides it. */
#define ST_FACE_MODEL_DEFAULT                                                  \
    "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
#define ST_FACE_MODEL_ENV "SKINTRACK_FACE_MODEL"

typedef struct st_face_model st_face_model;

/* The model file to use: path if non-NULL, else $SKINTRACK_FACE_MODEL if
 * set and non-empty, else ST_FACE_MODEL_DEFAULT. */
const char *st_face_model_path(const char *path);

/* Loads the model at st_face_model_path(path) (about 0.5 s: load once).
 * ST_ERR_IO if the file cannot be opened, ST_ERR_FORMAT if it is not a
 * 68-point shape predictor. Free with st_face_model_free (takes NULL). */
st_status st_face_model_load(st_face_model **out, const char *path,
                             st_error *err);
void st_face_model_free(st_face_model *m);

typedef struct st_face {
    double x[ST_FACE_POINTS], y[ST_FACE_POINTS]; /* photo pixels */
    double box[4]; /* the detector's box: left, top, right, bottom */
    int faces;     /* how many faces were found (the largest is this one) */
} st_face;

/* The largest frontal face of img (upright) and its landmarks. Detection
 * runs on a copy reduced to ST_FACE_DETECT_SIDE px on its long side
 * (twice that if none is found there), the landmarks on the face cropped
 * to ST_FACE_SHAPE_SIDE px wide, mapped back to img's pixels. A photo
 * with no face is ST_ERR_INVALID ("no face found"). Thread-safe. */
#define ST_FACE_DETECT_SIDE 800
#define ST_FACE_SHAPE_SIDE  400
st_status st_face_find(const st_face_model *m, const st_image *img,
                       st_face *out, st_error *err);

/* ---- zones (face_zones.c) ---- */

typedef enum st_zone {
    ST_ZONE_FOREHEAD,
    ST_ZONE_CHEEK_LEFT,  /* the subject's own left: the image's right */
    ST_ZONE_CHEEK_RIGHT, /* the subject's right: the image's left */
    ST_ZONE_NOSE,
    ST_ZONE_CHIN,
    ST_ZONE_COUNT
} st_zone;

/* "forehead", "cheek_left", "cheek_right", "nose", "chin"; "" if out of
 * range. */
const char *st_zone_name(int zone);

/* The outline of zone on face: n <= max vertices into x, y (photo
 * pixels, in order round the polygon); returns n (0 for a bad zone). */
#define ST_ZONE_MAX_VERTICES 16
int st_face_zone_outline(const st_face *face, int zone, double *x, double *y,
                         int max);

/* The face's skin and its zones on img (w x h = img's size):
 *   *skin: the face outline (jaw, and a forehead up to 0.7 eye distances
 *          above the brows) less eyes, brows, lips and nostrils, kept
 *          where the colour is skin's by a model fitted on this photo's
 *          zone cores (docs/faces.md); a* up to ST_FACE_RED_ALLOWANCE above
 *          the cores' mean stays in;
 *   zones[z]: zone z's outline AND *skin.
 * Transparent pixels (alpha below 0.5) are outside all of them. skin or
 * zones may be NULL when not wanted; the caller frees what it gets. A
 * zone left with fewer than 64 px is ST_ERR_INVALID (the face is too
 * small or too much of it is not skin). */
#define ST_FACE_RED_ALLOWANCE 20.0
st_status st_face_regions(const st_face *face, const st_image *img,
                          st_region **skin, st_region *zones[ST_ZONE_COUNT],
                          st_error *err);

/* A picture of img with each zone's outline drawn in its own colour
 * (forehead yellow, cheek_left cyan, cheek_right magenta, nose green, chin
 * orange), shrunk by whole k x k blocks so its long side is at most
 * max_side px (0: full size): an RGB float image (st_image_free). zones[z]
 * may be NULL (not drawn). */
st_status st_face_draw_zones(st_image **out, const st_image *img,
                             st_region *const zones[ST_ZONE_COUNT],
                             int max_side, st_error *err);

/* The colour st_face_draw_zones gives zone z: 8-bit sRGB. */
void st_zone_colour(int zone, unsigned char rgb[3]);

/* ---- measuring by zone (face_measure.c) ---- */

typedef struct st_face_result {
    st_face face;
    st_region *zones[ST_ZONE_COUNT];   /* owned */
    st_metrics metrics[ST_ZONE_COUNT]; /* owned; valid where status is OK */
    st_status status[ST_ZONE_COUNT];   /* a zone that could not be measured
                                          (too small for texture, ...) */
    st_error error[ST_ZONE_COUNT];
} st_face_result;

/* Finds img's face, its zones, and measures every zone (opt may be NULL;
 * the face and zones count as ST_STAGE_REGION in opt->timing). Fails if
 * the face or its zones cannot be found; a zone that cannot be measured
 * has its own status and error and the others are still measured. On
 * failure out holds nothing to free; else st_face_result_clear releases
 * it. */
st_status st_face_measure(const st_face_model *m, const st_image *img,
                          const st_metrics_options *opt, st_face_result *out,
                          st_error *err);
void st_face_result_clear(st_face_result *r);

typedef struct st_face_compare_result {
    st_align_result align; /* AFTER registered to BEFORE */
    int registered;        /* trusted: sizes in BEFORE's pixels */
    int failed;            /* on failure: 1 BEFORE, 2 AFTER (0: other) */
    st_face_result before, after;
} st_face_compare_result;

/* Before and after by zone: AFTER is registered to BEFORE (for the
 * alignment columns and the scale), and each photo is measured on its
 * own pixels, in its own frame, over the zones of its own landmarks: a
 * zone follows the face through pose and expression, which one global
 * transform cannot. When the registration is trusted, AFTER's sizes,
 * densities and bands are in BEFORE's pixels, its line orientation is
 * turned back by the rotation and a grey card is mapped, as in
 * st_compare; when not, each is measured as it is (no card in AFTER).
 * Release with st_face_compare_clear. */
st_status st_face_compare(const st_face_model *m, const st_image *before,
                          const st_image *after, const st_align_options *aopt,
                          const st_metrics_options *mopt,
                          st_face_compare_result *res, st_error *err);
void st_face_compare_clear(st_face_compare_result *res);

#ifdef __cplusplus
}
#endif
#endif
