/* skintrack — how much a metric moves between photos of unchanged skin.
 *
 * The figures are the ones measured and published in docs/metrics.md
 * ("Repeatability"): one skin phantom photographed 10 times with a
 * different shift, turn, noise, exposure (within 3%) and JPEG each time,
 * every photo compared with the first (tests/test_compare.c). Most are a
 * coefficient of variation (CV, % of the value); two (melanin_index,
 * anisotropy) are a standard deviation in the metric's unit. A metric
 * without a measured figure has none here: callers draw no band rather
 * than invent one. tests/test_chart.c checks this table against the
 * document, so neither can change alone.
 *
 * The repeatability coefficient (Bland and Altman 1986, Lancet i:307;
 * also BS 5497-1, ISO 5725) is 1.96 x sqrt(2) x SD: two photos of the same
 * unchanged skin differ by less than it 95 times in 100. Real photo
 * sessions vary more than the phantom's (light, pose, camera), so it is a
 * lower bound of the noise: a change inside it is not a change.
 */
#ifndef SKINTRACK_REPEAT_H
#define SKINTRACK_REPEAT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum st_repeat_kind {
    ST_REPEAT_NONE = 0, /* no measured figure */
    ST_REPEAT_CV,       /* value: CV in % of the metric's value */
    ST_REPEAT_SD        /* value: SD in the metric's unit */
} st_repeat_kind;

/* The measured figure of the metric named name (metrics.h names);
 * ST_REPEAT_NONE (and *value 0) when there is none. */
st_repeat_kind st_repeat_figure(const char *name, double *value);

/* 1.96 x sqrt(2) = 2.772 */
#define ST_REPEAT_COEFFICIENT 2.7718585822512662

/* The repeatability coefficient of the metric at value (its SD times
 * ST_REPEAT_COEFFICIENT, the SD from the CV at |value| when the figure is
 * a CV): 0 with *rc, or -1 when there is no figure or value is not finite. */
int st_repeat_coefficient(const char *name, double value, double *rc);

#ifdef __cplusplus
}
#endif
#endif
