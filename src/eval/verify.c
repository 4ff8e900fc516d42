/* verify.c — LFW View 2 (`vigil eval verify`): pairs.txt holds 10 folds
 * of 300 same-person and 300 different-person pairs. For each fold the
 * threshold that maximises accuracy on the other nine is applied to it; the
 * figures are the mean and (population) standard deviation of the ten
 * accuracies, the ROC AUC over all pairs, and the true-accept rate at FAR =
 * 0.1 %, with 95 % intervals from a bootstrap over the subjects of the
 * pairs' first images. A pair with an image where no face is found scores
 * -1 (a rejection). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads pairs.txt: "FOLDS N" then per fold N genuine and N impostor lines. */
static vg_status read_pairs(const char *path, vg_eval_pair **out, size_t *count, int *folds, vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot open %s", path);
    int nf = 0, per = 0;
    if (fscanf(f, "%d %d", &nf, &per) != 2 || nf < 2 || nf > VG_METRICS_MAX_FOLDS || per < 1 ||
        per > 100000) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "%s: first line must be 'FOLDS PAIRS_PER_CLASS'", path);
    }
    size_t total = (size_t)nf * (size_t)per * 2;
    vg_eval_pair *p = calloc(total, sizeof *p);
    if (!p) {
        fclose(f);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    char line[512];
    size_t k = 0;
    int lineno = 1;
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    while (k < total && fgets(line, sizeof line, f)) {
        lineno++;
        vg_eval_pair *q = &p[k];
        char extra[8];
        if (sscanf(line, "%127s %d %d %7s", q->name_a, &q->num_a, &q->num_b, extra) == 3) {
            snprintf(q->name_b, sizeof q->name_b, "%s", q->name_a);
            q->genuine = 1;
        } else if (sscanf(line, "%127s %d %127s %d", q->name_a, &q->num_a, q->name_b, &q->num_b) == 4) {
            q->genuine = 0;
        } else {
            continue; /* blank line */
        }
        size_t pos = k % ((size_t)per * 2);
        q->fold = (int)(k / ((size_t)per * 2));
        if ((pos < (size_t)per) != (q->genuine == 1)) {
            fclose(f);
            free(p);
            return vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected a %s pair here", path, lineno,
                              pos < (size_t)per ? "same-person" : "different-person");
        }
        k++;
    }
    fclose(f);
    if (k != total) {
        free(p);
        return vg_err_set(err, VG_ERR_INVALID, "%s: %zu pairs, expected %zu", path, k, total);
    }
    *out = p;
    *count = total;
    *folds = nf;
    return VG_OK;
}

static vg_status index_images(const char *dir, vg_eval_pair *p, size_t n, vg_eval_images *im, vg_err *err)
{
    char **all = calloc(2 * n, sizeof *all);
    if (!all)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        vg_eval_lfw_image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        all[2 * i] = strdup(buf);
        vg_eval_lfw_image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
        all[2 * i + 1] = strdup(buf);
        if (!all[2 * i] || !all[2 * i + 1]) {
            for (size_t j = 0; j <= 2 * i + 1; j++)
                free(all[j]);
            free(all);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
    }
    qsort(all, 2 * n, sizeof *all, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (u && strcmp(all[u - 1], all[i]) == 0)
            free(all[i]);
        else
            all[u++] = all[i];
    }
    im->paths = all;
    im->n = u;
    for (size_t i = 0; i < n; i++) {
        vg_eval_lfw_image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        char *key = buf;
        char **hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ia = (size_t)(hit - all);
        vg_eval_lfw_image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
        hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ib = (size_t)(hit - all);
    }
    return VG_OK;
}

/* The person of each pair's first image as an index 0..*n_subj-1. */
static int *pair_subjects(const vg_eval_pair *p, size_t n, int *n_subj)
{
    vg_eval_named *order = malloc((n ? n : 1) * sizeof *order);
    int *subj = malloc((n ? n : 1) * sizeof *subj);
    if (!order || !subj) {
        free(order);
        free(subj);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (vg_eval_named){p[i].name_a, i};
    qsort(order, n, sizeof *order, vg_eval_cmp_named);
    int k = -1;
    for (size_t i = 0; i < n; i++) {
        if (!i || strcmp(order[i].name, order[i - 1].name))
            k++;
        subj[order[i].index] = k;
    }
    *n_subj = k + 1;
    free(order);
    return subj;
}

vg_status vg_eval_pairs_load(const char *lfw, const char *pairs_path, vg_eval_pairs *pairs, vg_eval_images *im,
                             vg_err *err)
{
    memset(pairs, 0, sizeof *pairs);
    vg_status st = read_pairs(pairs_path, &pairs->p, &pairs->n, &pairs->folds, err);
    if (!st)
        st = index_images(lfw, pairs->p, pairs->n, im, err);
    return st;
}

void vg_eval_pairs_free(vg_eval_pairs *pairs)
{
    free(pairs->p);
    memset(pairs, 0, sizeof *pairs);
}

vg_status vg_eval_verify_run(const vg_eval_pairs *pairs, const vg_eval_images *im, int reps,
                             vg_eval_verify_result *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    const vg_eval_pair *p = pairs->p;
    size_t n = pairs->n;
    if (!(out->scores = calloc(n ? n : 1, sizeof *out->scores)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const float *a = im->emb + p[i].ia * (size_t)im->dim, *b = im->emb + p[i].ib * (size_t)im->dim;
        double dot = 0;
        if (im->ok[p[i].ia] && im->ok[p[i].ib]) {
            for (int d = 0; d < im->dim; d++)
                dot += (double)a[d] * b[d];
        } else {
            dot = -1;
            out->pairs_without++;
        }
        out->scores[i] = (vg_pair_score){(float)dot, p[i].genuine, p[i].fold};
    }
    vg_metrics_kfold(out->scores, n, pairs->folds, &out->kf);
    out->auc = vg_metrics_auc(out->scores, n);
    out->tar = vg_metrics_tar_at_far(out->scores, n, 1e-3, &out->far_threshold);
    int n_subj = 0;
    int *subj = pair_subjects(p, n, &n_subj);
    int bad = !subj || vg_eval_verify_ci(out->scores, n, subj, n_subj, reps, 1, &out->ci);
    free(subj);
    return bad ? vg_err_set(err, VG_ERR_NOMEM, "out of memory") : VG_OK;
}

void vg_eval_verify_result_free(vg_eval_verify_result *r)
{
    free(r->scores);
    memset(r, 0, sizeof *r);
}
