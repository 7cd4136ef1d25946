/* skintrack tests — writes a photo with a colour chart or a grey card
 * painted in (tests/chartscene.h), for the shell tests and the benchmark.
 *
 *   chartimg PHOTO OUT.png K [chart S CX CY DEG] [card X Y W H REFL]
 *            [light M00 M01 ... M22] [seed N]
 *
 * PHOTO enlarged K times at 0.7 of its exposure; a chart of patch side S
 * centred at CX, CY turned DEG degrees clockwise (reference classic-2014);
 * a card; the light (3 x 3 on linear sRGB, default identity).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chartscene.h"

int main(int argc, char **argv)
{
    double m[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    st_read_options ro;
    st_chart_reference ref;
    st_image *photo = NULL, *img;
    st_error err = {0};
    cs_scene sc;
    unsigned long long seed = 1;
    int i, k;

    if (argc < 4) {
        fprintf(stderr, "usage: chartimg PHOTO OUT.png K [chart S CX CY DEG] "
                        "[card X Y W H REFL] [light M00 .. M22] [seed N]\n");
        return 2;
    }
    st_read_options_init(&ro);
    k = atoi(argv[3]);
    if (st_io_read(argv[1], &ro, &photo, NULL, &err) ||
        st_chart_reference_builtin(&ref, "classic-2014", &err) || k < 1 ||
        cs_scene_init(&sc, photo, k, 0.7)) {
        fprintf(stderr, "chartimg: %s\n", st_error_text(&err));
        st_image_free(photo);
        return 1;
    }
    st_image_free(photo);
    for (i = 4; i < argc; i++) {
        if (strcmp(argv[i], "chart") == 0 && i + 4 < argc) {
            cs_chart g = {atof(argv[i + 1]), atof(argv[i + 2]),
                          atof(argv[i + 3]),
                          atof(argv[i + 4]) * 3.14159265358979 / 180};
            cs_paint_chart(&sc, &g, &ref);
            i += 4;
        } else if (strcmp(argv[i], "card") == 0 && i + 5 < argc) {
            cs_paint_card(&sc, atoi(argv[i + 1]), atoi(argv[i + 2]),
                          atoi(argv[i + 3]), atoi(argv[i + 4]),
                          atof(argv[i + 5]));
            i += 5;
        } else if (strcmp(argv[i], "light") == 0 && i + 9 < argc) {
            for (int j = 0; j < 9; j++)
                m[j] = atof(argv[i + 1 + j]);
            i += 9;
        } else if (strcmp(argv[i], "seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "chartimg: bad argument '%s'\n", argv[i]);
            cs_scene_free(&sc);
            return 2;
        }
    }
    img = cs_photograph(&sc, m, seed);
    cs_scene_free(&sc);
    if (!img || st_io_write_png(argv[2], img, 8, &err)) {
        fprintf(stderr, "chartimg: %s\n",
                img ? st_error_text(&err) : "no memory");
        st_image_free(img);
        return 1;
    }
    st_image_free(img);
    return 0;
}
