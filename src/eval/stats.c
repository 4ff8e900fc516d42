/* stats.c — the summary figures of `eval verify` and `eval search` with
 * 95 % intervals from the bootstrap over subjects (match/bootstrap.h). A
 * verification pair belongs to the subject of its first image; a search to
 * the subject searched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "match/bootstrap.h"
#include "match/curve.h"

static void ci_from(double *v, int b, vg_eval_ci *c)
{
    vg_boot_interval(v, (size_t)b, 0.95, &c->lo, &c->hi);
}

/* Grows the scratch of one bootstrap replicate to m entries: indices, the
 * resampled items (item bytes each) and the two score buffers. On failure
 * the buffers that did grow are kept (the caller frees them all) and -1 is
 * returned. */
static int grow(size_t m, size_t **idx, void **items, size_t item, float **pos, float **neg)
{
    size_t *i2 = realloc(*idx, m * sizeof **idx);
    if (!i2)
        return -1;
    *idx = i2;
    void *r2 = realloc(*items, m * item);
    if (!r2)
        return -1;
    *items = r2;
    float *p2 = realloc(*pos, m * sizeof **pos);
    if (!p2)
        return -1;
    *pos = p2;
    float *n2 = realloc(*neg, m * sizeof **neg);
    if (!n2)
        return -1;
    *neg = n2;
    return 0;
}

void vg_eval_split_pairs(const vg_pair_score *s, size_t n, float *pos, size_t *np, float *neg, size_t *nn)
{
    *np = *nn = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].genuine)
            pos[(*np)++] = s[i].score;
        else
            neg[(*nn)++] = s[i].score;
    }
}

void vg_eval_split_searches(const vg_openset_search *s, size_t n, float *pos, size_t *np, size_t *never, float *neg,
                            size_t *nn)
{
    *np = *never = *nn = 0;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].mated)
            neg[(*nn)++] = s[i].top_score;
        else if (s[i].mate_rank == 1)
            pos[(*np)++] = s[i].top_score;
        else
            (*never)++;
    }
}

/* EER, AUC and TAR at FAR 1e-3 of pairs (pos/neg scratch of n floats). */
static void verify_figs(const vg_pair_score *s, size_t n, float *pos, float *neg, double *eer, double *auc,
                        double *tar)
{
    size_t np, nn;
    vg_eval_split_pairs(s, n, pos, &np, neg, &nn);
    *eer = vg_curve_eer(pos, np, 0, neg, nn, NULL);
    *auc = vg_metrics_auc(s, n);
    *tar = vg_metrics_tar_at_far(s, n, 1e-3, NULL);
}

int vg_eval_verify_ci(const vg_pair_score *s, size_t n, const int *subject_of, int n_subjects, int reps,
                      uint64_t seed, vg_eval_verify_figs *out)
{
    memset(out, 0, sizeof *out);
    float *pos = malloc(n * 4 * sizeof *pos), *neg = malloc(n * 4 * sizeof *neg);
    int *cnt = malloc((size_t)n_subjects * sizeof *cnt);
    size_t *idx = NULL;
    vg_pair_score *r = NULL;
    double *e = malloc(((size_t)reps + 1) * 3 * sizeof *e);
    int rc = -1;
    if (!pos || !neg || !cnt || !e)
        goto out;
    verify_figs(s, n, pos, neg, &out->eer.v, &out->auc.v, &out->tar_at_far_1e3.v);
    uint64_t rng = seed;
    size_t cap = 0;
    for (int b = 0; b < reps; b++) {
        vg_boot_draw(&rng, n_subjects, cnt);
        size_t m = vg_boot_size(subject_of, n, cnt);
        if (m > cap) {
            void *items = r;
            int bad = grow(m, &idx, &items, sizeof *r, &pos, &neg);
            r = items;
            if (bad)
                goto out;
            cap = m;
        }
        vg_boot_expand(subject_of, n, cnt, idx);
        for (size_t k = 0; k < m; k++)
            r[k] = s[idx[k]];
        verify_figs(r, m, pos, neg, &e[b], &e[reps + b], &e[2 * reps + b]);
    }
    ci_from(e, reps, &out->eer);
    ci_from(e + reps, reps, &out->auc);
    ci_from(e + 2 * reps, reps, &out->tar_at_far_1e3);
    out->replicates = reps;
    rc = 0;
out:
    free(pos);
    free(neg);
    free(cnt);
    free(idx);
    free(r);
    free(e);
    return rc;
}

/* rank-1, FNIR at each FPIR and the EER of searches (pos/neg scratch). */
static void search_figs(const vg_openset_search *s, size_t n, const double *fpir, int n_fpir, float *pos, float *neg,
                        double *rank1, double *fnir, double *eer)
{
    size_t np, never, nn;
    vg_eval_split_searches(s, n, pos, &np, &never, neg, &nn);
    *rank1 = vg_openset_rank_rate(s, n, 1);
    for (int k = 0; k < n_fpir; k++) {
        vg_openset_point pt;
        fnir[k] = vg_openset_at_fpir(s, n, fpir[k], &pt) == 0 ? pt.fnir : NAN;
    }
    *eer = vg_curve_eer(pos, np, never, neg, nn, NULL);
}

int vg_eval_search_ci(const vg_openset_search *s, size_t n, const int *subject_of, int n_subjects,
                      const double *fpir, int n_fpir, int reps, uint64_t seed, vg_eval_search_figs *out)
{
    memset(out, 0, sizeof *out);
    if (n_fpir > VG_EVAL_FPIR_MAX)
        return -1;
    int cols = 2 + n_fpir;
    float *pos = malloc((n ? n : 1) * sizeof *pos), *neg = malloc((n ? n : 1) * sizeof *neg);
    int *cnt = malloc((size_t)(n_subjects ? n_subjects : 1) * sizeof *cnt);
    size_t *idx = NULL;
    vg_openset_search *r = NULL;
    double *e = malloc(((size_t)reps + 1) * (size_t)cols * sizeof *e);
    double fn[VG_EVAL_FPIR_MAX];
    int rc = -1;
    if (!pos || !neg || !cnt || !e)
        goto out;
    search_figs(s, n, fpir, n_fpir, pos, neg, &out->rank1.v, fn, &out->eer.v);
    for (int k = 0; k < n_fpir; k++)
        out->fnir[k].v = fn[k];
    uint64_t rng = seed;
    size_t cap = 0;
    for (int b = 0; b < reps; b++) {
        vg_boot_draw(&rng, n_subjects, cnt);
        size_t m = vg_boot_size(subject_of, n, cnt);
        if (m > cap) {
            void *items = r;
            int bad = grow(m, &idx, &items, sizeof *r, &pos, &neg);
            r = items;
            if (bad)
                goto out;
            cap = m;
        }
        vg_boot_expand(subject_of, n, cnt, idx);
        for (size_t k = 0; k < m; k++)
            r[k] = s[idx[k]];
        search_figs(r, m, fpir, n_fpir, pos, neg, &e[b], fn, &e[reps + b]);
        for (int k = 0; k < n_fpir; k++)
            e[(size_t)(2 + k) * (size_t)reps + (size_t)b] = fn[k];
    }
    ci_from(e, reps, &out->rank1);
    ci_from(e + reps, reps, &out->eer);
    for (int k = 0; k < n_fpir; k++)
        ci_from(e + (size_t)(2 + k) * (size_t)reps, reps, &out->fnir[k]);
    out->replicates = reps;
    rc = 0;
out:
    free(pos);
    free(neg);
    free(cnt);
    free(idx);
    free(r);
    free(e);
    return rc;
}
