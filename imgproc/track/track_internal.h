/* skintrack — the track family's helpers (pairs and courses), shared
 * inside libskintrack only. */
#ifndef SKINTRACK_TRACK_INTERNAL_H
#define SKINTRACK_TRACK_INTERNAL_H

#include "core/core_internal.h"

/* Measuring AFTER registered to BEFORE by a (compare.c): the grey card
 * (ST_WB_PATCH, BEFORE's frame) mapped into AFTER's w x h frame, sizes in
 * BEFORE's pixels (px_scale); and the line orientation turned back by the
 * rotation, once measured. */
struct st_metrics_options;
struct st_metrics;
struct st_align_result;
void st_compare_after_options(struct st_metrics_options *mopt,
                              const struct st_align_result *a, int w, int h);
void st_compare_after_orientation(struct st_metrics *m,
                                  const struct st_align_result *a);

#endif
