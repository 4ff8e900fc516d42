/* curve.c — ROC/DET points and the equal-error rate (see curve.h). */
#include "match/curve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_asc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

size_t vg_curve_points(const float *pos, size_t np, size_t never, const float *neg, size_t nn, double *fpr,
                       double *fnr, double *thr)
{
    size_t total_pos = np + never;
    if (!total_pos || !nn)
        return 0;
    float *p = malloc((np ? np : 1) * sizeof *p), *q = malloc(nn * sizeof *q);
    if (!p || !q) {
        free(p);
        free(q);
        return 0;
    }
    if (np)
        memcpy(p, pos, np * sizeof *p);
    memcpy(q, neg, nn * sizeof *q);
    qsort(p, np, sizeof *p, cmp_asc);
    qsort(q, nn, sizeof *q, cmp_asc);
    /* i, j: how many positives / negatives are <= t */
    size_t i = 0, j = 0, k = 0;
    while (i < np && isinf(p[i]) && p[i] < 0)
        i++;
    while (j < nn && isinf(q[j]) && q[j] < 0)
        j++;
    double t = -INFINITY;
    for (;;) {
        fpr[k] = (double)(nn - j) / (double)nn;
        fnr[k] = 1.0 - (double)(np - i) / (double)total_pos;
        if (thr)
            thr[k] = t;
        k++;
        if (i >= np && j >= nn)
            break;
        /* the next distinct score */
        float next = i < np && (j >= nn || p[i] <= q[j]) ? p[i] : q[j];
        while (i < np && p[i] <= next)
            i++;
        while (j < nn && q[j] <= next)
            j++;
        t = next;
    }
    free(p);
    free(q);
    return k;
}

double vg_curve_eer(const float *pos, size_t np, size_t never, const float *neg, size_t nn, double *thr)
{
    size_t cap = np + nn + 1;
    double *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b), *t = malloc(cap * sizeof *t);
    double eer = NAN;
    size_t n = a && b && t ? vg_curve_points(pos, np, never, neg, nn, a, b, t) : 0;
    double best = INFINITY;
    for (size_t k = 0; k < n; k++) {
        double d = fabs(a[k] - b[k]);
        if (d < best) {
            best = d;
            eer = (a[k] + b[k]) / 2;
            if (thr)
                *thr = t[k];
        }
    }
    free(a);
    free(b);
    free(t);
    return eer;
}
