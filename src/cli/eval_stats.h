/* eval_stats.h — figures of `eval verify` and `eval search` with 95 %
 * bootstrap intervals over subjects, and their ROC/DET charts (eval_stats.c). */
#ifndef VG_CLI_EVAL_STATS_H
#define VG_CLI_EVAL_STATS_H

#include "cli/eval.h"
#include "match/metrics.h"
#include "match/openset.h"

#define VG_EVAL_FPIR_MAX 8

typedef struct vg_eval_ci {
    double v, lo, hi;
} vg_eval_ci;

typedef struct vg_eval_verify_figs {
    vg_eval_ci eer, auc, tar_at_far_1e3;
    int replicates;
} vg_eval_verify_figs;

typedef struct vg_eval_search_figs {
    vg_eval_ci rank1, eer, fnir[VG_EVAL_FPIR_MAX];
    int replicates;
} vg_eval_search_figs;

/* 0 on success, -1 out of memory (or too many FPIR points). */
int vg_eval_verify_ci(const vg_pair_score *s, size_t n, const int *subject_of, int n_subjects, int reps,
                      uint64_t seed, vg_eval_verify_figs *out);
int vg_eval_search_ci(const vg_openset_search *s, size_t n, const int *subject_of, int n_subjects,
                      const double *fpir, int n_fpir, int reps, uint64_t seed, vg_eval_search_figs *out);
json_t *vg_eval_ci_obj(const vg_eval_ci *c);

/* DIR/verify-roc.svg and DIR/verify-det.svg; DIR/search-roc.svg and
 * DIR/search-det.svg. */
vg_status vg_eval_verify_svg(const char *dir, const vg_pair_score *s, size_t n, vg_err *err);
vg_status vg_eval_search_svg(const char *dir, const vg_openset_search *s, size_t n, vg_err *err);

#endif
