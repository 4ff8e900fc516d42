/* metrics.h — verification accuracy from labelled similarity scores: k-fold
 * accuracy with the threshold chosen on the other folds, ROC AUC, and the
 * true-accept rate at a false-accept rate. Pure functions over arrays. */
#ifndef VG_MATCH_METRICS_H
#define VG_MATCH_METRICS_H

#include <stddef.h>

typedef struct vg_pair_score {
    float score;
    int genuine;  /* 1: same person */
    int fold;     /* 0..folds-1 */
} vg_pair_score;

#define VG_METRICS_MAX_FOLDS 64

typedef struct vg_kfold_result {
    int folds;
    double accuracy[VG_METRICS_MAX_FOLDS];   /* per test fold */
    double threshold[VG_METRICS_MAX_FOLDS];  /* chosen on the other folds */
    double mean, std;                        /* of accuracy (population std) */
    double threshold_median;
} vg_kfold_result;

/* The threshold that maximises accuracy (accept when score >= t) over the
 * pairs for which use(fold) holds, as the midpoint between neighbouring
 * scores; ties broken towards the smaller threshold. */
double vg_metrics_best_threshold(const vg_pair_score *p, size_t n, int skip_fold);

/* Accuracy at threshold t over pairs of one fold (fold < 0: all). */
double vg_metrics_accuracy(const vg_pair_score *p, size_t n, double t, int fold);

/* k-fold: for each fold, threshold from the others, accuracy on it.
 * Returns -1 if folds is out of range or a fold is empty. */
int vg_metrics_kfold(const vg_pair_score *p, size_t n, int folds, vg_kfold_result *out);

/* Area under the ROC curve (ties count half). */
double vg_metrics_auc(const vg_pair_score *p, size_t n);

/* True-accept rate at the threshold where at most far * impostors are
 * accepted (accept when score > threshold); *threshold receives it. */
double vg_metrics_tar_at_far(const vg_pair_score *p, size_t n, double far, double *threshold);

#endif
