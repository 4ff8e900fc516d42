/* bootstrap.c — resampling subjects with replacement and percentile
 * intervals (see bootstrap.h). */
#include "match/bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t vg_boot_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void vg_boot_draw(uint64_t *state, int n_subjects, int *counts)
{
    if (n_subjects <= 0)
        return;
    memset(counts, 0, (size_t)n_subjects * sizeof *counts);
    for (int k = 0; k < n_subjects; k++)
        counts[vg_boot_next(state) % (uint64_t)n_subjects]++;
}

size_t vg_boot_size(const int *subject_of, size_t n, const int *counts)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += (size_t)counts[subject_of[i]];
    return m;
}

size_t vg_boot_expand(const int *subject_of, size_t n, const int *counts, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (int c = counts[subject_of[i]]; c > 0; c--)
            idx[m++] = i;
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

size_t vg_boot_interval(double *v, size_t n, double level, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[m++] = v[i];
    if (!m) {
        *lo = *hi = NAN;
        return 0;
    }
    qsort(v, m, sizeof *v, cmp_double);
    double a = (1 - level) / 2;
    /* nearest-rank percentiles: the a and 1-a quantiles of m values */
    size_t i_lo = (size_t)floor(a * (double)(m - 1) + 0.5);
    size_t i_hi = (size_t)floor((1 - a) * (double)(m - 1) + 0.5);
    *lo = v[i_lo];
    *hi = v[i_hi];
    return m;
}
