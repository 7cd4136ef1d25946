/* skintrack tests — what a picture holds, for shell tests that must tell
 * a rendered page from a blank one.
 *
 *   imgstat FILE   prints: width height luma_sd busy_pct skin_pct
 *
 * luma_sd   standard deviation of luma (0..1) over all pixels
 * busy_pct  % of pixels farther than 0.05 (any channel) from the most
 *           common colour (the page's background)
 * skin_pct  % of pixels with a skin-like colour: R > G > B, R - B > 0.12,
 *           0.25 < R < 0.98 (photos, as opposed to text and charts)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skintrack/skintrack.h"

int main(int argc, char **argv)
{
    st_image *img = NULL;
    st_error err = {0};
    static unsigned hist[1 << 15];
    size_t n, busy = 0, skin = 0, best = 0;
    double s = 0, s2 = 0, bg[3];
    int cc;

    if (argc != 2) {
        fprintf(stderr, "usage: imgstat FILE\n");
        return 2;
    }
    if (st_io_read(argv[1], NULL, &img, NULL, &err)) {
        fprintf(stderr, "imgstat: %s\n", st_error_text(&err));
        return 1;
    }
    n = (size_t)img->width * img->height;
    cc = st_image_color_channels(img);
    for (size_t i = 0; i < n; i++) {
        const float *p = img->data + i * img->channels;
        float r = p[0], g = p[cc >= 3], b = p[cc >= 3 ? 2 : 0];
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        unsigned key = (unsigned)(r * 31.99f) << 10 |
                       (unsigned)(g * 31.99f) << 5 | (unsigned)(b * 31.99f);
        s += y, s2 += y * y;
        hist[key]++;
        skin += r > g && g > b && r - b > 0.12f && r > 0.25f && r < 0.98f;
    }
    for (unsigned k = 0; k < (1u << 15); k++)
        if (hist[k] > hist[best])
            best = k;
    bg[0] = ((best >> 10 & 31) + 0.5) / 32;
    bg[1] = ((best >> 5 & 31) + 0.5) / 32;
    bg[2] = ((best & 31) + 0.5) / 32;
    for (size_t i = 0; i < n; i++) {
        const float *p = img->data + i * img->channels;
        int far = 0;
        for (int c = 0; c < 3; c++)
            far |= fabs(p[cc >= 3 ? c : 0] - bg[c]) > 0.05 + 0.5 / 32;
        busy += far;
    }
    printf("%d %d %.4f %.2f %.2f\n", img->width, img->height,
           sqrt(fmax(0, s2 / n - (s / n) * (s / n))), 100.0 * busy / n,
           100.0 * skin / n);
    st_image_free(img);
    return 0;
}
