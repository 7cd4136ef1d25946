/* skintrack fuzzing — the photo reader on arbitrary bytes.
 *
 * Every input goes through st_io_read_memory twice: header only (what
 * `course` does for EXIF dates) and a full decode, which covers JPEG and
 * PNG, HEIF/AVIF, TIFF and camera raw decoding, EXIF orientation and
 * dates, and ICC, nclx and PNG colour chunks.
 * The limit is 0.25 megapixels so that large but valid images cost little;
 * the refusal paths are the same at any limit. Checked: a result is either
 * an image or an error, never both or neither; an error has a status and a
 * message; an image has the size the header reported, 1..4 channels and
 * finite samples; info fields are in range and NUL-terminated.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "skintrack/skintrack.h"

static void check_info(const st_image_info *info)
{
    if (info->orientation < 1 || info->orientation > 8)
        fuzz_fail("orientation %d", info->orientation);
    if (!memchr(info->color_description, 0, sizeof info->color_description) ||
        !memchr(info->datetime_original, 0, sizeof info->datetime_original) ||
        !memchr(info->camera, 0, sizeof info->camera))
        fuzz_fail("info string not terminated");
    if (info->pages < 1)
        fuzz_fail("%d pages", info->pages);
}

static void check_error(st_status s, const st_error *err)
{
    if (err->status != s || !err->message[0] ||
        !memchr(err->message, 0, sizeof err->message))
        fuzz_fail("status %d with error %d \"%.60s\"", (int)s, (int)err->status,
                  err->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    st_read_options opt;
    st_image_info head, info;
    st_image *img = (st_image *)&opt;
    st_error err = {0};
    st_status s, sh;

    st_read_options_init(&opt);
    opt.max_megapixels = 0.25;

    sh = st_io_read_memory(data, size, &opt, NULL, &head, &err);
    if (sh)
        check_error(sh, &err);
    else
        check_info(&head);

    memset(&err, 0, sizeof err);
    s = st_io_read_memory(data, size, &opt, &img, &info, &err);
    if (s) {
        check_error(s, &err);
        if (img)
            fuzz_fail("an error and an image");
        return 0;
    }
    if (!img)
        fuzz_fail("no error and no image");
    check_info(&info);
    if (sh == ST_OK && (head.width != info.width || head.height != info.height))
        fuzz_fail("header says %dx%d, image is %dx%d", head.width, head.height,
                  info.width, info.height);
    if (img->width != info.width || img->height != info.height ||
        img->width < 1 || img->height < 1 ||
        (double)img->width * img->height > 2.5e5)
        fuzz_fail("image %dx%d, info %dx%d", img->width, img->height,
                  info.width, info.height);
    if (img->channels < 1 || img->channels > 4)
        fuzz_fail("%d channels", img->channels);
    for (int y = 0; y < img->height; y++) {
        const float *row = img->data + (size_t)y * img->stride;
        for (int i = 0; i < img->width * img->channels; i++)
            if (!isfinite(row[i]))
                fuzz_fail("sample %d of row %d is not finite", i, y);
    }
    st_image_free(img);
    return 0;
}
