/* skintrack benchmarks — the process's user CPU time and a qsort order
 * for timings, shared by bench_pores and bench_hair. */
#ifndef SKINTRACK_BENCHCPU_H
#define SKINTRACK_BENCHCPU_H

#include <sys/resource.h>

/* User CPU seconds this process has used. */
static inline double user_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec;
}

/* qsort comparison of doubles, ascending. */
static inline int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
