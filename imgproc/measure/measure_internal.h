/* skintrack — the measure family's private functions: the pores' test
 * hook (pores.c, tests/test_pores.c), the texture of a plane's last
 * reader (texture.c). */
#ifndef SKINTRACK_PORES_INTERNAL_H
#define SKINTRACK_PORES_INTERNAL_H

#include "skintrack/pores.h"
#include "skintrack/texture.h"

/* Test hook of the pores (pores.c): st_pores_detect that also copies
 * each centre scale's response, as the tiles computed it, into resp[i]
 * (bw x bh floats over the search region's box, written at the samples
 * of the scale's level only) for the scales i = 1 .. *ns - 2 whose
 * resp[i] is not NULL; sig[i] gets its sigma, level[i] its decimation
 * (samples every 2^level px), pad[i] the margin of the tiles it was
 * computed on (px), box_* the search box in the image. */
struct st_pores_probe {
    float *resp[64];
    double sig[64];
    int level[64], pad[64], ns, box_x0, box_y0, box_w, box_h;
    int no_simd; /* in: plain row loops, no AVX or SSE2 (which must match) */
};
st_status st_pores_detect_probe(const st_l_plane *lab, const st_region *reg,
                                const st_pore_options *opt, st_pores *out,
                                struct st_pores_probe *probe, st_error *err);

/* Hair strands (hair.c): finds long thin dark lines in the region's box at
 * the line scale sigma (px) and fills them from their sides in a copy of
 * lab (*out, free with st_l_plane_free). *strand: the pixels filled, a
 * byte each over the region's bounding box (row-major, nonzero = filled; free
 * with st_free_large()). Both NULL when there is no strand (nothing was
 * copied). *filled: region pixels filled. */
st_status st_hair_remove(const st_l_plane *lab, const st_region *reg,
                         double sigma, st_l_plane **out, uint8_t **strand,
                         size_t *filled, st_error *err);

/* st_texture_measure for the last reader of lab (texture.c): the rows of
 * L* are given back to the system (st_mem_release) as the transform is
 * filled from them, so the plane and the transform are not both held in
 * full; lab->L must not be read again (its memory stays allocated: free
 * it as usual). The same results. */
st_status st_texture_measure_last(st_l_plane *lab, const st_region *reg,
                                  double px_per_mm, double px_scale,
                                  st_texture *out, st_error *err);

#endif
