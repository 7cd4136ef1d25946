/* skintrack — the C side of the dlib binding (face_dlib.cpp), for face.c
 * only. Nothing but face_dlib.cpp sees C++: these functions take plain
 * 8-bit grey buffers, catch every C++ exception and report it as a status
 * with a one-line cause in msg (msg_size bytes). */
#ifndef SKINTRACK_FACE_DLIB_H
#define SKINTRACK_FACE_DLIB_H

#include <stddef.h>
#include <stdint.h>

#include "skintrack/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_dlib st_dlib;

/* Loads the 68-point shape predictor at path and makes a frontal face
 * detector. Free with st_dlib_free (takes NULL). */
st_status st_dlib_new(st_dlib **out, const char *path, char *msg,
                      size_t msg_size);
void st_dlib_free(st_dlib *d);

/* The faces in the w x h grey image g (rows w bytes apart) by dlib's HOG
 * frontal detector: *n faces, the largest one's box (left, top, right,
 * bottom, inclusive pixels) in box. Thread-safe. */
st_status st_dlib_detect(st_dlib *d, const uint8_t *g, int w, int h, int *n,
                         long box[4], char *msg, size_t msg_size);

/* The 68 landmarks (iBUG 300-W order) of the face in box on grey image g:
 * xy[2 i], xy[2 i + 1] in g's pixels. Thread-safe. */
st_status st_dlib_shape(const st_dlib *d, const uint8_t *g, int w, int h,
                        const long box[4], double xy[136], char *msg,
                        size_t msg_size);

#ifdef __cplusplus
}
#endif
#endif
