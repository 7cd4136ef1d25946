/* skintrack benchmark — the colour-target search on a 12 MP photo.
 *
 *   bench_target [PHOTO]   (default: scikit-image's astronaut portrait)
 *
 * The portrait enlarged 7 times (3584 x 3584, 12.8 MP, 8-bit) with a
 * ColorChecker of 120 px patches painted in (tests/chartscene.h); prints
 * the user CPU time of st_target_find (best of 5) and what it found, and
 * the same on the photo without the chart (the search that finds nothing
 * reads the whole photo too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "chartscene.h"

static double user_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
}

static double best_of(const st_image *img, int runs, st_target *t)
{
    double best = 1e300;
    st_error err = {0};
    for (int r = 0; r < runs; r++) {
        double t0 = user_cpu();
        if (st_target_find(img, NULL, t, &err) != ST_OK) {
            fprintf(stderr, "bench_target: %s\n", st_error_text(&err));
            exit(1);
        }
        t0 = user_cpu() - t0;
        if (t0 < best)
            best = t0;
    }
    return best;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
                                : "/usr/lib/python3/dist-packages/skimage/"
                                  "data/astronaut.png";
    static const double id[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    st_read_options ro;
    st_chart_reference ref;
    st_image *photo = NULL, *with, *without;
    st_error err = {0};
    cs_scene sc;
    cs_chart g = {120, 2600, 2800, 0.05};
    st_target t;
    double s;

    st_read_options_init(&ro);
    if (st_io_read(path, &ro, &photo, NULL, &err) ||
        st_chart_reference_builtin(&ref, "classic-2014", &err) ||
        cs_scene_init(&sc, photo, 7, 0.7)) {
        fprintf(stderr, "bench_target: %s\n", st_error_text(&err));
        return 1;
    }
    without = cs_photograph(&sc, id, 1);
    cs_paint_chart(&sc, &g, &ref);
    with = cs_photograph(&sc, id, 2);
    cs_scene_free(&sc);
    if (!with || !without)
        return 1;
    s = best_of(with, 5, &t);
    printf("target search, %dx%d (%.1f MP) 8-bit, chart of 120 px patches: "
           "%.3f s user CPU (best of 5); found %s, mean dE00 %.2f\n",
           with->width, with->height, with->width * (double)with->height / 1e6,
           s, st_target_kind_name(t.kind), t.delta_e);
    s = best_of(without, 5, &t);
    printf("target search, same photo without a chart: %.3f s user CPU; "
           "found %s\n",
           s, st_target_kind_name(t.kind));
    st_image_free(photo);
    st_image_free(with);
    st_image_free(without);
    return 0;
}
