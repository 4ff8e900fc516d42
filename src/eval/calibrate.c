/* calibrate.c — the computation of `vigil eval calibrate`: for one
 * watch-list size, the threshold that keeps the expected false alerts to
 * K in N faces, from the non-mated score distribution of a
 * folder-per-person data set, with 95 % intervals (bootstrap over
 * subjects; match/calib.h), and the false-alert rate of held-out people at
 * that threshold; with groups, the one threshold that keeps every group's
 * rate under the target. The protocol is described at the head of
 * src/cli/cmd_eval_calibrate.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "match/calib.h"
#include "vigil/match.h"

/* Whether image i of person p shows someone on the gallery, by the label
 * errors: canonical names of the gallery's people in listed_names. */
static int shows_listed(const vg_eval_labels *l, const char *path, const char *person, char **listed_names, int n)
{
    if (!l || !l->n)
        return 0;
    const char *t = vg_eval_labels_truth(l, path, person);
    for (int k = 0; k < n; k++)
        if (strcmp(listed_names[k], t) == 0)
            return 1;
    return 0;
}

static int cmp_float_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x > y ? -1 : x < y;
}

/* Inserts a non-mated search into the list of the highest. */
static void keep_top(vg_eval_cal_size *cs, size_t image, const vg_match *m)
{
    int k = cs->n_top < VG_EVAL_CAL_SHOW ? cs->n_top++ : VG_EVAL_CAL_SHOW;
    while (k > 0 && cs->top_score[k - 1] < m->score) {
        if (k < VG_EVAL_CAL_SHOW)
            cs->top_img[k] = cs->top_img[k - 1], cs->top_cand[k] = cs->top_cand[k - 1],
            cs->top_score[k] = cs->top_score[k - 1];
        k--;
    }
    if (k < VG_EVAL_CAL_SHOW)
        cs->top_img[k] = image, cs->top_cand[k] = (int)m->id, cs->top_score[k] = m->score;
}

/* The held-out people searched against the same gallery: their alarms at
 * the calibrated threshold. */
static vg_status holdout_rate(const vg_eval_people *hp, const vg_eval_images *him, const vg_gallery *gal,
                              int per_person, const vg_eval_labels *labels, char **listed_names, int n_listed,
                              vg_eval_cal_size *cs, vg_err *err)
{
    unsigned char *seen = calloc(hp->n ? hp->n : 1, 1);
    int *hused = calloc(hp->n ? hp->n : 1, sizeof *hused);
    vg_status st = VG_OK;
    if (!seen || !hused)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_match res[1];
    for (size_t i = 0; !st && i < him->n; i++) {
        int p = hp->person_of[i];
        if (!him->ok[i] || (per_person && hused[p] >= per_person) ||
            vg_gallery_search(gal, him->emb + i * (size_t)him->dim, 1, res) < 1)
            continue;
        hused[p]++;
        if (shows_listed(labels, him->paths[i], hp->name[p], listed_names, n_listed)) {
            cs->ho_excluded++;
            continue;
        }
        cs->ho_n++;
        cs->ho_alarms += (double)res[0].score > cs->r.threshold;
        cs->ho_subjects += !seen[p];
        seen[p] = 1;
    }
    free(seen);
    free(hused);
    return st;
}

/* One size: gallery, non-mated scores, calibration, held-out rate. */
vg_status vg_eval_calibrate_size(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_people *hp,
                                 const vg_eval_images *him, uint64_t seed, double target, int replicates,
                                 int per_person, const vg_eval_labels *labels, vg_eval_cal_size *cs, vg_err *err)
{
    int *used = calloc(pp->n, sizeof *used);
    char **listed_names = calloc((size_t)cs->size + 1, sizeof *listed_names);
    int *order = malloc(pp->n * sizeof *order);
    unsigned char *listed = calloc(pp->n, 1);
    int *subj_map = malloc(pp->n * sizeof *subj_map);
    int *subject_of = malloc((im->n ? im->n : 1) * sizeof *subject_of);
    cs->desc = malloc((im->n ? im->n : 1) * sizeof *cs->desc);
    cs->score = malloc((im->n ? im->n : 1) * sizeof *cs->score);
    cs->person = malloc((im->n ? im->n : 1) * sizeof *cs->person);
    vg_gallery *gal = NULL;
    vg_status st = VG_OK;
    if (!order || !listed || !subj_map || !subject_of || !cs->desc || !cs->score || !cs->person || !used ||
        !listed_names) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t p = 0; p < pp->n; p++)
        order[p] = (int)p;
    uint64_t rng = seed;
    vg_eval_shuffle(order, pp->n, &rng);
    if ((st = vg_gallery_new(im->dim, VG_MATCH_KERNEL_AUTO, &gal, err)))
        goto out;
    int got = 0;
    for (size_t k = 0; k < pp->n && got < cs->size; k++) {
        int p = order[k];
        size_t g = pp->first[p];
        if (!im->ok[g]) {
            cs->no_face_gallery_skipped++;
            continue;
        }
        if ((st = vg_gallery_add(gal, p, im->emb + g * (size_t)im->dim, err)))
            goto out;
        listed[p] = 1;
        listed_names[got] = (char *)(labels ? vg_eval_labels_canon(labels, pp->name[p]) : pp->name[p]);
        got++;
    }
    if (got < cs->size) {
        st = vg_err_set(err, VG_ERR_INVALID, "--watchlist-size %d: the data set has only %d people with a face in "
                        "their first image", cs->size, got);
        goto out;
    }
    int n_subj = 0;
    for (size_t p = 0; p < pp->n; p++)
        subj_map[p] = -1;
    vg_match res[1];
    for (size_t i = 0; i < im->n; i++) {
        int p = pp->person_of[i];
        if (listed[p] || !im->ok[i] || (per_person && used[p] >= per_person))
            continue;
        used[p]++;
        if (shows_listed(labels, im->paths[i], pp->name[p], listed_names, got)) {
            cs->excluded++;
            continue;
        }
        if (subj_map[p] < 0)
            subj_map[p] = n_subj++;
        if (vg_gallery_search(gal, im->emb + i * (size_t)im->dim, 1, res) < 1)
            continue;
        subject_of[cs->n] = subj_map[p];
        cs->score[cs->n] = res[0].score;
        cs->person[cs->n] = p;
        cs->desc[cs->n++] = res[0].score;
        keep_top(cs, i, &res[0]);
    }
    cs->subjects = (size_t)n_subj;
    if (!cs->n) {
        st = vg_err_set(err, VG_ERR_INVALID, "watch-list size %d leaves no non-mated search", cs->size);
        goto out;
    }
    uint64_t brng = seed ^ 0x5ca1ab1eULL;
    if (vg_calib_run(cs->desc, subject_of, cs->n, n_subj, target, replicates, 0.95, &brng, &cs->r)) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto out;
    }
    qsort(cs->desc, cs->n, sizeof *cs->desc, cmp_float_desc);
    if (hp)
        st = holdout_rate(hp, him, gal, per_person, labels, listed_names, got, cs, err);
out:
    free(used);
    free(listed_names);
    vg_gallery_free(gal);
    free(order);
    free(listed);
    free(subj_map);
    free(subject_of);
    return st;
}

vg_status vg_eval_skip_beyond(const vg_eval_people *pp, vg_eval_images *im, int m, vg_err *err)
{
    if (!(im->skip = calloc(im->n ? im->n : 1, 1)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < pp->n; p++)
        for (int k = m; k < pp->count[p]; k++)
            im->skip[pp->first[p] + (size_t)k] = 1;
    return VG_OK;
}

/* The (floor(target * n) + 1)-th highest of n descending scores (-inf:
 * fewer scores than that), as match/calib.c chooses the pooled one. */
static double own_threshold(const float *desc, size_t n, double target)
{
    double a = floor(target * (double)n + 1e-9);
    return a < (double)n ? (double)desc[(size_t)a] : -INFINITY;
}

vg_status vg_eval_calibrate_groups(vg_eval_cal_size *cs, const int *group_of, const vg_eval_group *names,
                                   int n_groups, double target, vg_err *err)
{
    vg_eval_cal_groups *gs = calloc(1, sizeof *gs);
    if (!gs)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    cs->groups = gs;
    gs->n = n_groups;
    for (int k = 0; k < n_groups; k++) {
        vg_eval_cal_group *g = &gs->g[k];
        snprintf(g->name, sizeof g->name, "%s", names[k].name);
        if (!(g->desc = malloc((cs->n ? cs->n : 1) * sizeof *g->desc)))
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    /* the searches of each group (one person's searches are together: people are in image order) */
    int last = -1;
    for (size_t i = 0; i < cs->n; i++) {
        int k = group_of[cs->person[i]];
        if (k < 0) {
            gs->unlabelled++;
            continue;
        }
        gs->g[k].desc[gs->g[k].n++] = cs->score[i];
        gs->g[k].subjects += cs->person[i] != last;
        last = cs->person[i];
    }
    gs->threshold = cs->r.threshold;
    gs->decided_by = -1;
    for (int k = 0; k < n_groups; k++) {
        vg_eval_cal_group *g = &gs->g[k];
        if (!g->n)
            return vg_err_set(err, VG_ERR_INVALID, "group %s has no non-mated search at watch-list size %d: it "
                              "cannot be calibrated", g->name, cs->size);
        qsort(g->desc, g->n, sizeof *g->desc, cmp_float_desc);
        g->own_threshold = own_threshold(g->desc, g->n, target);
        if (g->own_threshold > gs->threshold)
            gs->threshold = g->own_threshold, gs->decided_by = k;
    }
    for (int k = 0; k < n_groups; k++) {
        vg_eval_cal_group *g = &gs->g[k];
        g->alarms = vg_calib_alarms(g->desc, g->n, gs->threshold);
        g->rate = (double)g->alarms / (double)g->n;
        vg_calib_wilson((double)g->alarms, (double)g->n, &g->rate_lo, &g->rate_hi);
    }
    gs->pooled_alarms = vg_calib_alarms(cs->desc, cs->n, gs->threshold);
    gs->pooled_rate = (double)gs->pooled_alarms / (double)cs->n;
    vg_calib_wilson((double)gs->pooled_alarms, (double)cs->n, &gs->pooled_lo, &gs->pooled_hi);
    return VG_OK;
}

void vg_eval_cal_size_free(vg_eval_cal_size *cs)
{
    free(cs->desc);
    free(cs->score);
    free(cs->person);
    if (cs->groups)
        for (int k = 0; k < cs->groups->n; k++)
            free(cs->groups->g[k].desc);
    free(cs->groups);
    cs->desc = cs->score = NULL;
    cs->person = NULL;
    cs->groups = NULL;
}
