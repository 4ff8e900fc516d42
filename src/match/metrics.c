/* metrics.c — k-fold verification accuracy, ROC AUC and TAR at FAR over
 * labelled scores (the LFW View 2 protocol and its usual summary figures). */
#include "match/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
    return cmp_float(&((const vg_pair_score *)a)->score, &((const vg_pair_score *)b)->score);
}

double vg_metrics_accuracy(const vg_pair_score *p, size_t n, double t, int fold)
{
    size_t right = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        if (fold >= 0 && p[i].fold != fold)
            continue;
        total++;
        right += (p[i].score >= t) == (p[i].genuine != 0);
    }
    return total ? (double)right / (double)total : 0;
}

double vg_metrics_best_threshold(const vg_pair_score *p, size_t n, int skip_fold)
{
    /* the used scores with their labels, sorted; sweep the threshold upwards */
    vg_pair_score *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return 0;
    size_t m = 0, genuine = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].fold != skip_fold) {
            s[m++] = p[i];
            genuine += p[i].genuine != 0;
        }
    qsort(s, m, sizeof *s, cmp_pair);
    /* threshold below everything: all accepted -> right = genuine */
    size_t right = genuine, best_right = genuine;
    double best = m ? (double)s[0].score - 1e-6 : 0;
    for (size_t i = 0; i < m; i++) {
        /* moving the threshold above s[i] rejects it */
        right += s[i].genuine ? -1 : 1;
        if (i + 1 < m && s[i + 1].score == s[i].score)
            continue;
        if (right > best_right) {
            best_right = right;
            best = i + 1 < m ? ((double)s[i].score + s[i + 1].score) / 2 : (double)s[i].score + 1e-6;
        }
    }
    free(s);
    return best;
}

int vg_metrics_kfold(const vg_pair_score *p, size_t n, int folds, vg_kfold_result *out)
{
    if (folds < 2 || folds > VG_METRICS_MAX_FOLDS)
        return -1;
    memset(out, 0, sizeof *out);
    out->folds = folds;
    for (int f = 0; f < folds; f++) {
        size_t in_fold = 0;
        for (size_t i = 0; i < n; i++)
            in_fold += p[i].fold == f;
        if (!in_fold)
            return -1;
        out->threshold[f] = vg_metrics_best_threshold(p, n, f);
        out->accuracy[f] = vg_metrics_accuracy(p, n, out->threshold[f], f);
        out->mean += out->accuracy[f];
    }
    out->mean /= folds;
    double var = 0;
    for (int f = 0; f < folds; f++)
        var += (out->accuracy[f] - out->mean) * (out->accuracy[f] - out->mean);
    out->std = sqrt(var / folds);
    float th[VG_METRICS_MAX_FOLDS];
    for (int f = 0; f < folds; f++)
        th[f] = (float)out->threshold[f];
    qsort(th, (size_t)folds, sizeof th[0], cmp_float);
    out->threshold_median = folds % 2 ? th[folds / 2] : ((double)th[folds / 2 - 1] + th[folds / 2]) / 2;
    return 0;
}

static size_t split(const vg_pair_score *p, size_t n, float **gen, float **imp, size_t *ng)
{
    *ng = 0;
    for (size_t i = 0; i < n; i++)
        *ng += p[i].genuine != 0;
    *gen = malloc((*ng ? *ng : 1) * sizeof(float));
    *imp = malloc((n - *ng ? n - *ng : 1) * sizeof(float));
    if (!*gen || !*imp) {
        free(*gen);
        free(*imp);
        *gen = *imp = NULL;
        return 0;
    }
    size_t a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].genuine)
            (*gen)[a++] = p[i].score;
        else
            (*imp)[b++] = p[i].score;
    }
    qsort(*gen, a, sizeof(float), cmp_float);
    qsort(*imp, b, sizeof(float), cmp_float);
    return b;
}

double vg_metrics_auc(const vg_pair_score *p, size_t n)
{
    float *gen, *imp;
    size_t ng;
    size_t ni = split(p, n, &gen, &imp, &ng);
    if (!gen || !ng || !ni) {
        free(gen);
        free(imp);
        return 0;
    }
    /* for each genuine score, impostors below it (+ half the ties) */
    double sum = 0;
    size_t lo = 0, hi = 0;
    for (size_t i = 0; i < ng; i++) {
        while (lo < ni && imp[lo] < gen[i])
            lo++;
        if (hi < lo)
            hi = lo;
        while (hi < ni && imp[hi] <= gen[i])
            hi++;
        sum += (double)lo + 0.5 * (double)(hi - lo);
    }
    free(gen);
    free(imp);
    return sum / ((double)ng * (double)ni);
}

double vg_metrics_tar_at_far(const vg_pair_score *p, size_t n, double far, double *threshold)
{
    float *gen, *imp;
    size_t ng;
    size_t ni = split(p, n, &gen, &imp, &ng);
    if (!gen || !ng || !ni) {
        free(gen);
        free(imp);
        return 0;
    }
    /* accept when score > t; at most floor(far * ni) impostors may pass */
    size_t allowed = (size_t)floor(far * (double)ni);
    double t = allowed >= ni ? (double)imp[0] - 1e-6 : (double)imp[ni - 1 - allowed];
    size_t acc = 0;
    for (size_t i = 0; i < ng; i++)
        acc += gen[i] > t;
    if (threshold)
        *threshold = t;
    free(gen);
    free(imp);
    return (double)acc / (double)ng;
}
