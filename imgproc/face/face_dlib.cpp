// skintrack — dlib behind a C interface (see face_dlib.h).
//
//   st_dlib_new / _free   load the shape predictor, make the detector
//   st_dlib_detect        HOG frontal face detector, largest face
//   st_dlib_shape         the 68 landmarks of a face
//
// dlib's frontal face detector is a HOG + linear SVM sliding-window
// detector (Dalal & Triggs 2005) over an image pyramid; the landmarks come
// from an ensemble of regression trees (Kazemi & Sullivan 2014, CVPR)
// trained on iBUG 300-W. Every C++ exception (a corrupt model file, no
// memory) stops here and becomes a status with its message.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/serialize.h>

#include "face/face_dlib.h"

struct st_dlib {
    dlib::frontal_face_detector detector;
    dlib::shape_predictor predictor;
    std::mutex lock; // the detector keeps scratch space between calls
};

static void say(char *msg, size_t size, const char *what, const char *cause)
{
    if (msg && size)
        std::snprintf(msg, size, "%s: %s", what, cause);
}

// The first line of an exception's text (dlib's can span several).
static const char *first_line(const std::exception &e, char *buf, size_t size)
{
    std::snprintf(buf, size, "%s", e.what());
    buf[std::strcspn(buf, "\r\n")] = '\0';
    return buf;
}

static void to_array(dlib::array2d<unsigned char> &a, const uint8_t *g, int w,
                     int h)
{
    a.set_size(h, w);
    for (int y = 0; y < h; y++)
        std::memcpy(&a[y][0], g + (size_t)y * (size_t)w, (size_t)w);
}

extern "C" st_status st_dlib_new(st_dlib **out, const char *path, char *msg,
                                 size_t msg_size)
{
    char line[200];
    *out = nullptr;
    st_dlib *d = nullptr;
    try {
        d = new st_dlib;
        d->detector = dlib::get_frontal_face_detector();
        dlib::deserialize(path) >> d->predictor;
        if (d->predictor.num_parts() != 68) {
            std::snprintf(line, sizeof line,
                          "%lu landmarks, not the 68 of iBUG 300-W",
                          (unsigned long)d->predictor.num_parts());
            say(msg, msg_size, "face model", line);
            delete d;
            return ST_ERR_FORMAT;
        }
    } catch (const std::bad_alloc &) {
        delete d;
        say(msg, msg_size, "face model", "out of memory");
        return ST_ERR_NOMEM;
    } catch (const dlib::serialization_error &e) {
        delete d;
        say(msg, msg_size, "face model", first_line(e, line, sizeof line));
        return ST_ERR_FORMAT;
    } catch (const std::exception &e) {
        delete d;
        say(msg, msg_size, "face model", first_line(e, line, sizeof line));
        return ST_ERR_IO;
    } catch (...) {
        delete d;
        say(msg, msg_size, "face model", "unknown error in dlib");
        return ST_ERR_IO;
    }
    *out = d;
    return ST_OK;
}

extern "C" void st_dlib_free(st_dlib *d)
{
    delete d;
}

extern "C" st_status st_dlib_detect(st_dlib *d, const uint8_t *g, int w, int h,
                                    int *n, long box[4], char *msg,
                                    size_t msg_size)
{
    char line[200];
    *n = 0;
    try {
        dlib::array2d<unsigned char> a;
        to_array(a, g, w, h);
        std::vector<dlib::rectangle> faces;
        {
            std::lock_guard<std::mutex> hold(d->lock);
            faces = d->detector(a);
        }
        *n = (int)faces.size();
        if (faces.empty())
            return ST_OK;
        auto big = std::max_element(
            faces.begin(), faces.end(),
            [](const dlib::rectangle &p, const dlib::rectangle &q) {
                return p.area() < q.area();
            });
        box[0] = big->left(), box[1] = big->top();
        box[2] = big->right(), box[3] = big->bottom();
    } catch (const std::bad_alloc &) {
        say(msg, msg_size, "face detection", "out of memory");
        return ST_ERR_NOMEM;
    } catch (const std::exception &e) {
        say(msg, msg_size, "face detection", first_line(e, line, sizeof line));
        return ST_ERR_INVALID;
    } catch (...) {
        say(msg, msg_size, "face detection", "unknown error in dlib");
        return ST_ERR_INVALID;
    }
    return ST_OK;
}

extern "C" st_status st_dlib_shape(const st_dlib *d, const uint8_t *g, int w,
                                   int h, const long box[4], double xy[136],
                                   char *msg, size_t msg_size)
{
    char line[200];
    try {
        dlib::array2d<unsigned char> a;
        to_array(a, g, w, h);
        dlib::full_object_detection s =
            d->predictor(a, dlib::rectangle(box[0], box[1], box[2], box[3]));
        if (s.num_parts() != 68) {
            say(msg, msg_size, "face landmarks", "not 68 points");
            return ST_ERR_INVALID;
        }
        for (unsigned long i = 0; i < 68; i++) {
            xy[2 * i] = (double)s.part(i).x();
            xy[2 * i + 1] = (double)s.part(i).y();
        }
    } catch (const std::bad_alloc &) {
        say(msg, msg_size, "face landmarks", "out of memory");
        return ST_ERR_NOMEM;
    } catch (const std::exception &e) {
        say(msg, msg_size, "face landmarks", first_line(e, line, sizeof line));
        return ST_ERR_INVALID;
    } catch (...) {
        say(msg, msg_size, "face landmarks", "unknown error in dlib");
        return ST_ERR_INVALID;
    }
    return ST_OK;
}
