/* openset.c — FNIR at FPIR, thresholds and rank-k rates for watch-list
 * (open-set 1:N) searches; the definitions are in openset.h. */
#include "match/openset.h"

#include <math.h>
#include <stdlib.h>

static int cmp_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x > y ? -1 : x < y;
}

size_t vg_openset_count(const vg_openset_search *s, size_t n, int mated)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (s[i].mated != 0) == (mated != 0);
    return c;
}

static int is_hit(const vg_openset_search *x, double t)
{
    return x->mate_rank == 1 && (double)x->top_score > t;
}

double vg_openset_fpir(const vg_openset_search *s, size_t n, double t)
{
    size_t nm = 0, alarms = 0;
    for (size_t i = 0; i < n; i++)
        if (!s[i].mated) {
            nm++;
            alarms += (double)s[i].top_score > t;
        }
    return nm ? (double)alarms / (double)nm : 0;
}

double vg_openset_fnir(const vg_openset_search *s, size_t n, double t)
{
    size_t m = 0, misses = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].mated) {
            m++;
            misses += !is_hit(&s[i], t);
        }
    return m ? (double)misses / (double)m : 0;
}

double vg_openset_threshold_at_fpir(const vg_openset_search *s, size_t n, double fpir)
{
    size_t nm = vg_openset_count(s, n, 0);
    if (!nm || !(fpir >= 0))
        return -INFINITY;
    /* the small epsilon keeps 1/6000 * 6000 from flooring to 0 */
    double a = floor(fpir * (double)nm + 1e-9);
    if (a >= (double)nm)
        return -INFINITY;
    float *v = malloc(nm * sizeof *v);
    if (!v)
        return NAN;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!s[i].mated)
            v[k++] = s[i].top_score;
    qsort(v, nm, sizeof *v, cmp_desc);
    double t = v[(size_t)a];
    free(v);
    return t;
}

int vg_openset_at_fpir(const vg_openset_search *s, size_t n, double fpir, vg_openset_point *out)
{
    *out = (vg_openset_point){.target_fpir = fpir};
    out->mated = vg_openset_count(s, n, 1);
    out->nonmated = n - out->mated;
    if (!(fpir >= 0 && fpir <= 1) || !out->mated || !out->nonmated)
        return -1;
    double t = vg_openset_threshold_at_fpir(s, n, fpir);
    if (isnan(t))
        return -1;
    out->threshold = t;
    for (size_t i = 0; i < n; i++) {
        if (s[i].mated)
            out->mated_misses += !is_hit(&s[i], t);
        else
            out->nonmated_alarms += (double)s[i].top_score > t;
    }
    out->fpir = (double)out->nonmated_alarms / (double)out->nonmated;
    out->fnir = (double)out->mated_misses / (double)out->mated;
    return 0;
}

double vg_openset_rank_rate(const vg_openset_search *s, size_t n, int k)
{
    size_t m = 0, found = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].mated) {
            m++;
            found += s[i].mate_rank >= 1 && s[i].mate_rank <= k;
        }
    return m ? (double)found / (double)m : 0;
}
