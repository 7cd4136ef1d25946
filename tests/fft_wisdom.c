/* skintrack — writes imgproc/core/fft_wisdom.h: FFTW wisdom for the pore tiles.
 *
 *   fft_wisdom OUT.h
 *
 * Plans, with FFTW_PATIENT, the transforms the pore stage runs on photos
 * larger than one tile (imgproc/pores.c: 256 px tiles at full size, 512 px
 * tiles whose spectrum is inverse-transformed at 1/2, 1/4 and 1/8 of the
 * size) and writes the wisdom as a C string. fft.c plans these sizes from
 * it (FFTW_WISDOM_ONLY), so every run uses the same plans; run by
 * `make wisdom` (seconds to minutes; an idle machine measures best).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core_internal.h"

int main(int argc, char **argv)
{
    static const int sizes[][3] = {
        {256, 256, 0}, {256, 256, 1}, {512, 512, 0}, {128, 128, 1}, {64, 64, 1},
    };
    char *w;
    FILE *f;
    if (argc != 2) {
        fputs("usage: fft_wisdom OUT.h\n", stderr);
        return 2;
    }
    w = st_fft_measure_wisdom(sizes, (int)(sizeof sizes / sizeof *sizes));
    if (!w) {
        fputs("fft_wisdom: FFTW made no wisdom\n", stderr);
        return 1;
    }
    if (!(f = fopen(argv[1], "w"))) {
        fprintf(stderr, "fft_wisdom: cannot write %s\n", argv[1]);
        free(w);
        return 1;
    }
    fputs("/* skintrack — shipped FFTW wisdom (see fft.c); written by "
          "make wisdom\n * (tests/fft_wisdom.c), FFTW_PATIENT; one line "
          "a string (C11 compilers\n * need not take strings over 4 095 "
          "bytes). */\n"
          "static const char *const st_fft_wisdom[] = {\n",
          f);
    for (const char *p = w; *p;) {
        fputs("    \"", f);
        for (; *p && *p != '\n'; p++)
            if (*p == '"' || *p == '\\')
                fprintf(f, "\\%c", *p);
            else
                fputc(*p, f);
        fputs(*p == '\n' ? "\\n\",\n" : "\",\n", f);
        if (*p == '\n')
            p++;
    }
    fputs("    NULL,\n};\n", f);
    free(w);
    if (fclose(f)) {
        fprintf(stderr, "fft_wisdom: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
