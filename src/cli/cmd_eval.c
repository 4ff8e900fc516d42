/* cmd_eval.c — accuracy on LFW (deep-funnelled), two protocols:
 *
 * `vigil eval verify --lfw DIR`: LFW View 2. pairs.txt holds 10 folds of 300
 * same-person and 300 different-person pairs. For each fold the threshold
 * that maximises accuracy on the other nine is applied to it; the figures are
 * the mean and (population) standard deviation of the ten accuracies, the ROC
 * AUC over all pairs, and the true-accept rate at FAR = 0.1 %. A pair with an
 * image where no face is found scores -1 (a rejection). --flip embeds every
 * face with its mirror (flip augmentation, as `[engine] embed_flip`).
 *
 * `vigil eval search --lfw DIR --watchlist-size N [--seed S]`: the open-set
 * (watch-list) protocol; see the comment above eval_search.
 *
 * Both embed every image they use once (the face nearest the centre, as LFW
 * centres its subject) with a pool of threads; an image that cannot be read
 * stops the run, an image without a face is counted and scored as described.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/eval.h"
#include "cli/eval_stats.h"
#include "match/metrics.h"
#include "match/openset.h"
#include "match/bootstrap.h"
#include "vigil/match.h"

#define EVAL_NAME_MAX 128

typedef struct eval_pair {
    char name_a[EVAL_NAME_MAX], name_b[EVAL_NAME_MAX];
    int num_a, num_b;
    int fold, genuine;
    size_t ia, ib;  /* indices into the unique image list */
} eval_pair;


static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void image_path(char *buf, size_t len, const char *dir, const char *name, int num)
{
    snprintf(buf, len, "%s/images_deepfunneled/%s/%s_%04d.jpg", dir, name, name, num);
}

/* Reads pairs.txt: "FOLDS N" then per fold N genuine and N impostor lines. */
static vg_status read_pairs(const char *path, eval_pair **out, size_t *count, int *folds,
                            vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "cannot open %s", path);
    int nf = 0, per = 0;
    if (fscanf(f, "%d %d", &nf, &per) != 2 || nf < 2 || nf > VG_METRICS_MAX_FOLDS || per < 1 ||
        per > 100000) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "%s: first line must be 'FOLDS PAIRS_PER_CLASS'", path);
    }
    size_t total = (size_t)nf * (size_t)per * 2;
    eval_pair *p = calloc(total, sizeof *p);
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
        eval_pair *q = &p[k];
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

static vg_status index_images(const char *dir, eval_pair *p, size_t n, vg_eval_images *im, vg_err *err)
{
    char **all = calloc(2 * n, sizeof *all);
    if (!all)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        all[2 * i] = strdup(buf);
        image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
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
        image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        char *key = buf;
        char **hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ia = (size_t)(hit - all);
        image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
        hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ib = (size_t)(hit - all);
    }
    return VG_OK;
}


/* The person of each pair's first image as an index 0..*n_subj-1. */
static const eval_pair *pair_base;

static int cmp_pair_name(const void *a, const void *b)
{
    return strcmp(pair_base[*(const size_t *)a].name_a, pair_base[*(const size_t *)b].name_a);
}

static int *pair_subjects(const eval_pair *p, size_t n, int *n_subj)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    int *subj = malloc((n ? n : 1) * sizeof *subj);
    if (!order || !subj) {
        free(order);
        free(subj);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    pair_base = p;
    qsort(order, n, sizeof *order, cmp_pair_name);
    int k = -1;
    for (size_t i = 0; i < n; i++) {
        if (!i || strcmp(p[order[i]].name_a, p[order[i - 1]].name_a))
            k++;
        subj[order[i]] = k;
    }
    *n_subj = k + 1;
    free(order);
    return subj;
}

static int eval_verify(const vg_cli *cli, int argc, char **argv)
{
    const char *lfw = NULL, *pairs = NULL, *svg = NULL;
    long long boot = VG_BOOT_DEFAULT;
    int flip = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--lfw") == 0 && i + 1 < argc)
            lfw = argv[++i];
        else if (strcmp(argv[i], "--flip") == 0)
            flip = 1;
        else if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc)
            pairs = argv[++i];
        else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
            svg = argv[++i];
        else if (strcmp(argv[i], "--bootstrap") == 0 && i + 1 < argc) {
            if (vg_cli_parse_int(argv[++i], 1, 100000, &boot))
                return vg_cli_usage("--bootstrap takes a number of replicates from 1 to 100000, not '%s'", argv[i]);
        } else
            return vg_cli_usage("eval verify: unexpected '%s'", argv[i]);
    }
    if (!lfw)
        return vg_cli_usage("eval verify needs --lfw DIR");
    char pairs_buf[1024];
    if (!pairs) {
        snprintf(pairs_buf, sizeof pairs_buf, "%s/pairs.txt", lfw);
        pairs = pairs_buf;
    }
    vg_err err = {{0}};
    eval_pair *p = NULL;
    size_t n = 0;
    int folds = 0;
    vg_status st = read_pairs(pairs, &p, &n, &folds, &err);
    if (st)
        return vg_cli_fail(st, &err);

    vg_eval_images im = {.flip = flip};
    vg_face_pack *pack = NULL;
    vg_pair_score *scores = NULL;
    double t0 = vg_eval_now();
    st = index_images(lfw, p, n, &im, &err);
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st)
        st = vg_eval_images_alloc(&im, vg_face_pack_dim(pack), &err);
    if (!st && !(scores = calloc(n, sizeof *scores)))
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    if (!st)
        st = vg_eval_embed_all(cli, pack, &im, &err);
    int code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
    } else {
        size_t no_face = vg_eval_images_without_face(&im), pairs_without = 0;
        for (size_t i = 0; i < n; i++) {
            const float *a = im.emb + p[i].ia * (size_t)im.dim, *b = im.emb + p[i].ib * (size_t)im.dim;
            double dot = 0;
            if (im.ok[p[i].ia] && im.ok[p[i].ib]) {
                for (int d = 0; d < im.dim; d++)
                    dot += (double)a[d] * b[d];
            } else {
                dot = -1;
                pairs_without++;
            }
            scores[i] = (vg_pair_score){(float)dot, p[i].genuine, p[i].fold};
        }
        vg_kfold_result kf;
        vg_metrics_kfold(scores, n, folds, &kf);
        double auc = vg_metrics_auc(scores, n);
        double far_t = 0;
        double tar = vg_metrics_tar_at_far(scores, n, 1e-3, &far_t);
        /* the subject of a pair: the person of its first image */
        int n_subj = 0;
        vg_eval_verify_figs vf;
        int *subj = pair_subjects(p, n, &n_subj);
        if (!subj || vg_eval_verify_ci(scores, n, subj, n_subj, (int)boot, 1, &vf)) {
            free(subj);
            code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
            goto verify_out;
        }
        free(subj);
        if (svg && (st = vg_eval_verify_svg(svg, scores, n, &err))) {
            code = vg_cli_fail(st, &err);
            goto verify_out;
        }
        double secs = vg_eval_now() - t0;
        if (cli->json) {
            json_t *acc = json_array(), *th = json_array();
            for (int f = 0; f < folds; f++) {
                json_array_append_new(acc, json_real(kf.accuracy[f]));
                json_array_append_new(th, json_real(kf.threshold[f]));
            }
            json_t *o = json_pack(
                "{s:s,s:s,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:o,s:o,s:s,s:s,s:f}", "protocol",
                "lfw-view2", "pairs_file", pairs, "pairs", (int)n, "images", (int)im.n,
                "images_without_face", (int)no_face, "pairs_without_face", (int)pairs_without,
                "accuracy_mean", kf.mean, "accuracy_std", kf.std, "auc", auc, "tar_at_far_1e-3", tar,
                "threshold_at_far_1e-3", far_t, "threshold_median", kf.threshold_median,
                "fold_accuracy", acc, "fold_threshold", th, "detector", vg_face_pack_detector(pack),
                "model", vg_face_pack_model_id(pack), "seconds", secs);
            json_object_set_new(o, "bootstrap", json_pack("{s:i,s:s,s:o,s:o,s:o,s:o}", "replicates", vf.replicates,
                                                          "over", "subjects (the person of a pair's first image)",
                                                          "eer", vg_eval_ci_obj(&vf.eer), "auc",
                                                          vg_eval_ci_obj(&vf.auc), "tar_at_far_1e-3",
                                                          vg_eval_ci_obj(&vf.tar_at_far_1e3), "svg",
                                                          svg ? json_pack("[s,s]", "verify-roc.svg", "verify-det.svg")
                                                              : json_null()));
            vg_cli_print_json(o);
        } else {
            printf("LFW View 2 (%s): %zu pairs, %d folds, %zu images (%zu without a face, %zu pairs "
                   "scored as rejections)\n",
                   pairs, n, folds, im.n, no_face, pairs_without);
            printf("accuracy   %.2f %% +/- %.2f %% (mean +/- std over folds, threshold from the "
                   "other folds)\n", 100 * kf.mean, 100 * kf.std);
            printf("AUC        %.4f\n", auc);
            printf("TAR        %.2f %% at FAR 0.1 %% (threshold %.3f)\n", 100 * tar, far_t);
            printf("threshold  %.3f (median of the folds' thresholds)\n", kf.threshold_median);
            printf("95 %% intervals, bootstrap over the subjects of the pairs' first images (%d replicates):\n",
                   vf.replicates);
            printf("  EER      %.2f %% (%.2f to %.2f)\n", 100 * vf.eer.v, 100 * vf.eer.lo, 100 * vf.eer.hi);
            printf("  AUC      %.4f (%.4f to %.4f)\n", vf.auc.v, vf.auc.lo, vf.auc.hi);
            printf("  TAR      %.2f %% at FAR 0.1 %% (%.2f to %.2f)\n", 100 * vf.tar_at_far_1e3.v,
                   100 * vf.tar_at_far_1e3.lo, 100 * vf.tar_at_far_1e3.hi);
            if (svg)
                printf("curves     %s/verify-roc.svg, %s/verify-det.svg\n", svg, svg);
            printf("time       %.1f s\n", secs);
        }
    }
verify_out:
    vg_eval_images_free(&im);
    free(scores);
    free(p);
    vg_face_pack_close(pack);
    return code;
}

/* ---- eval search: the open-set (watch-list) protocol ---------------------
 *
 * From lfw-names.txt ("Name count", one person a line): the people with two
 * or more images are shuffled (Fisher-Yates driven by splitmix64 from --seed,
 * default EVAL_SEARCH_SEED; index = rng % (i + 1)) and the first N of them
 * form the watch list. Each enrols its first image (the gallery holds N
 * templates); its other images are mated searches. Every image of every
 * other person (including those with one image) is a non-mated search.
 *
 * Each search is the top EVAL_SEARCH_K of the gallery (vg_gallery, exact
 * cosine). The metrics are those of match/openset.h (ISO/IEC 19795-1, NIST
 * FRVT 1:N): an alarm is a rank-1 score above the threshold t; a mated search
 * is a miss at t unless its enrolled mate is returned at rank 1 with a score
 * above t; the threshold for FPIR f is the (floor(f * non-mated) + 1)-th
 * highest non-mated rank-1 score. A search image with no face has no
 * candidate: mated, a miss; non-mated, no alarm (both counted). An enrolment
 * image with no face leaves its person off the gallery, and that person's
 * mated searches are all misses (counted as enrolment failures).
 *
 * Cleaned figures apply known-label-errors.txt ("alias A B": one person filed
 * under two names; "misfiled DIR/FILE.jpg PERSON": the image shows PERSON).
 * Each image gets a true identity (its folder's person, or the named PERSON
 * for a misfiled image, with aliases merged). Then a non-mated search whose
 * true identity is enrolled is excluded (it is really mated), and a mated
 * search whose true identity differs from that of its enrolment image is
 * excluded (it is not really mated with it); in the cleaned set a search is a
 * hit when the rank-1 template has the search's true identity. Raw figures
 * use the labels as LFW files them.
 */
#define EVAL_SEARCH_SEED 1
#define EVAL_SEARCH_K 5
#define EVAL_SEARCH_SHOW 10 /* highest-scoring non-mated searches listed */

typedef struct lfw_person {
    char name[EVAL_NAME_MAX];
    int count;     /* images */
    size_t first;  /* index of its first image in the image list */
    int enrolled;
    int root;      /* union-find parent over aliases */
} lfw_person;

enum { ROLE_GALLERY = 0, ROLE_MATED, ROLE_NONMATED };

typedef struct search_set {
    lfw_person *people;
    size_t np;
    int *by_name;      /* person indices sorted by name */
    int *person_of;    /* image -> person */
    int *truth;        /* image -> true identity (a root person index) */
    unsigned char *role;
    size_t label_entries;  /* lines of known-label-errors.txt applied */
} search_set;

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static vg_status read_names(const char *path, search_set *ss, vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "cannot open %s", path);
    size_t cap = 0;
    char line[512];
    int lineno = 0;
    vg_status st = VG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        lfw_person p = {.count = 0};
        char extra[8];
        int got = sscanf(line, "%127s %d %7s", p.name, &p.count, extra);
        if (got <= 0)
            continue; /* blank */
        if (got != 2 || p.count < 1 || p.count > 100000 || strchr(p.name, '/')) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'NAME COUNT'", path, lineno);
            break;
        }
        if (ss->np == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            lfw_person *np = realloc(ss->people, nc * sizeof *np);
            if (!np) {
                st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                break;
            }
            ss->people = np;
            cap = nc;
        }
        p.root = (int)ss->np;
        ss->people[ss->np++] = p;
    }
    fclose(f);
    if (!st && !ss->np)
        st = vg_err_set(err, VG_ERR_INVALID, "%s lists no people", path);
    return st;
}

static const lfw_person *sort_base;

static int cmp_person_name(const void *a, const void *b)
{
    return strcmp(sort_base[*(const int *)a].name, sort_base[*(const int *)b].name);
}

static int find_person(const search_set *ss, const char *name)
{
    size_t lo = 0, hi = ss->np;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ss->people[ss->by_name[mid]].name, name);
        if (c == 0)
            return ss->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int find_root(search_set *ss, int p)
{
    while (ss->people[p].root != p)
        p = ss->people[p].root = ss->people[ss->people[p].root].root;
    return p;
}

/* Applies known-label-errors.txt; entries naming people or images absent from
 * lfw-names.txt are skipped (a subset of LFW). A missing file: *found = 0. */
static vg_status read_label_errors(const char *path, search_set *ss, int *found, vg_err *err)
{
    FILE *f = fopen(path, "r");
    *found = f != NULL;
    if (!f)
        return VG_OK;
    char line[1024], kind[32], a[512], b[EVAL_NAME_MAX];
    int lineno = 0;
    vg_status st = VG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        int got = sscanf(line, "%31s %511s %127s", kind, a, b);
        if (got <= 0)
            continue;
        if (got == 3 && strcmp(kind, "alias") == 0) {
            int pa = find_person(ss, a), pb = find_person(ss, b);
            if (pa < 0 || pb < 0)
                continue;
            int ra = find_root(ss, pa), rb = find_root(ss, pb);
            if (ra != rb) /* the lower index becomes the root */
                ss->people[ra > rb ? ra : rb].root = ra < rb ? ra : rb;
            ss->label_entries++;
        } else if (got == 3 && strcmp(kind, "misfiled") == 0) {
            /* a = FOLDER/FOLDER_NNNN.jpg */
            char *slash = strchr(a, '/');
            char *us = strrchr(a, '_');
            int num = 0;
            if (!slash || !us || us < slash || sscanf(us + 1, "%d", &num) != 1) {
                st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'misfiled NAME/NAME_NNNN.jpg PERSON'",
                                path, lineno);
                break;
            }
            *slash = '\0';
            int pf = find_person(ss, a), pt = find_person(ss, b);
            if (pf < 0 || pt < 0 || num < 1 || num > ss->people[pf].count)
                continue;
            ss->truth[ss->people[pf].first + (size_t)num - 1] = -1 - pt; /* resolved below */
            ss->label_entries++;
        } else {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'alias A B' or 'misfiled IMAGE PERSON'",
                            path, lineno);
            break;
        }
    }
    fclose(f);
    return st;
}

/* Reads the people and builds the image list, roles and true identities. */
static vg_status build_search_set(const char *lfw, long long n_list, uint64_t seed, search_set *ss,
                                  vg_eval_images *im, int *have_labels, vg_err *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw-names.txt", lfw);
    vg_status st = read_names(path, ss, err);
    if (st)
        return st;
    size_t total = 0, eligible = 0;
    for (size_t p = 0; p < ss->np; p++) {
        ss->people[p].first = total;
        total += (size_t)ss->people[p].count;
        eligible += ss->people[p].count >= 2;
    }
    if ((size_t)n_list > eligible)
        return vg_err_set(err, VG_ERR_INVALID,
                          "--watchlist-size %lld is more than the %zu people with two or more images",
                          n_list, eligible);
    ss->by_name = malloc(ss->np * sizeof *ss->by_name);
    int *pool = malloc(eligible * sizeof *pool);
    ss->person_of = malloc(total * sizeof *ss->person_of);
    ss->truth = malloc(total * sizeof *ss->truth);
    ss->role = malloc(total);
    im->paths = calloc(total, sizeof *im->paths);
    if (!ss->by_name || !pool || !ss->person_of || !ss->truth || !ss->role || !im->paths) {
        free(pool);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t p = 0; p < ss->np; p++) {
        ss->by_name[p] = (int)p;
        if (ss->people[p].count >= 2)
            pool[k++] = (int)p;
    }
    sort_base = ss->people;
    qsort(ss->by_name, ss->np, sizeof *ss->by_name, cmp_person_name);
    for (size_t i = 1; i < ss->np; i++)
        if (strcmp(ss->people[ss->by_name[i - 1]].name, ss->people[ss->by_name[i]].name) == 0) {
            free(pool);
            return vg_err_set(err, VG_ERR_INVALID, "lfw-names.txt lists %s twice",
                              ss->people[ss->by_name[i]].name);
        }
    uint64_t rng = seed;
    for (size_t i = eligible; i > 1; i--) {
        size_t j = (size_t)(splitmix64(&rng) % i);
        int t = pool[i - 1];
        pool[i - 1] = pool[j];
        pool[j] = t;
    }
    for (long long i = 0; i < n_list; i++)
        ss->people[pool[i]].enrolled = 1;
    free(pool);

    im->n = total;
    for (size_t p = 0; p < ss->np; p++) {
        const lfw_person *q = &ss->people[p];
        for (int num = 1; num <= q->count; num++) {
            size_t i = q->first + (size_t)num - 1;
            image_path(path, sizeof path, lfw, q->name, num);
            if (!(im->paths[i] = strdup(path)))
                return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            ss->person_of[i] = (int)p;
            ss->truth[i] = 0;
            ss->role[i] = !q->enrolled ? ROLE_NONMATED : num == 1 ? ROLE_GALLERY : ROLE_MATED;
        }
    }
    snprintf(path, sizeof path, "%s/known-label-errors.txt", lfw);
    st = read_label_errors(path, ss, have_labels, err);
    if (st)
        return st;
    for (size_t i = 0; i < total; i++) /* -1 - p marks a misfiled image showing p */
        ss->truth[i] = find_root(ss, ss->truth[i] < 0 ? -1 - ss->truth[i] : ss->person_of[i]);
    return VG_OK;
}

static void search_set_free(search_set *ss)
{
    free(ss->people);
    free(ss->by_name);
    free(ss->person_of);
    free(ss->truth);
    free(ss->role);
}

/* One search's outcome kept for the report: which image, the rank-1 person. */
typedef struct search_row {
    size_t image;
    int top_person;   /* -1: no candidate */
    float top_score;
    int excluded;     /* by the cleaning */
} search_row;

static const search_row *row_base;

static int cmp_row_score_desc(const void *a, const void *b)
{
    float x = row_base[*(const size_t *)a].top_score, y = row_base[*(const size_t *)b].top_score;
    return x > y ? -1 : x < y;
}

static const double fpir_targets[] = {1e-2, 1e-3, 1.0 / 6000};
static const char *const fpir_names[] = {"1 %", "0.1 %", "1/6000"};
#define N_FPIR (sizeof fpir_targets / sizeof fpir_targets[0])

static json_t *points_json(const vg_openset_point *pt)
{
    json_t *a = json_array();
    for (size_t i = 0; i < N_FPIR; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:o,s:f,s:f,s:f,s:i,s:i,s:i}", "fpir_target", fpir_names[i],
                         "threshold", /* null: -inf, every non-mated search may alarm */
                         isfinite(pt[i].threshold) ? json_real(pt[i].threshold) : json_null(), "fnir",
                         pt[i].fnir, "fpir", pt[i].fpir, "fpir_target_value", pt[i].target_fpir,
                         "nonmated_alarms", (int)pt[i].nonmated_alarms, "mated_misses",
                         (int)pt[i].mated_misses, "nonmated", (int)pt[i].nonmated));
    return a;
}

static void print_points(const vg_openset_point *pt)
{
    for (size_t i = 0; i < N_FPIR; i++)
        printf("  FPIR %-7s threshold %7.4f   FNIR %6.2f %%   (%zu of %zu non-mated above; %zu of %zu "
               "mated missed)\n",
               fpir_names[i], pt[i].threshold, 100 * pt[i].fnir, pt[i].nonmated_alarms,
               pt[i].nonmated, pt[i].mated_misses, pt[i].mated);
}

static const char *image_rel(const char *path)
{ /* "…/images_deepfunneled/Name/Name_0001.jpg" -> "Name/Name_0001.jpg" */
    const char *s = strrchr(path, '/');
    if (!s || s == path)
        return path;
    const char *t = s - 1;
    while (t > path && *t != '/')
        t--;
    return *t == '/' ? t + 1 : t;
}

static json_t *figs_json(const vg_eval_search_figs *f)
{
    json_t *pts = json_array();
    for (size_t i = 0; i < N_FPIR; i++) {
        json_t *o = vg_eval_ci_obj(&f->fnir[i]);
        json_object_set_new(o, "fpir_target", json_string(fpir_names[i]));
        json_array_append_new(pts, o);
    }
    return json_pack("{s:o,s:o,s:o}", "rank1", vg_eval_ci_obj(&f->rank1), "eer", vg_eval_ci_obj(&f->eer), "fnir",
                     pts);
}

static void print_ci(const char *what, const vg_eval_search_figs *f, const char *svg)
{
    printf("95 %% intervals, %s (bootstrap over the people searched, %d replicates):\n", what, f->replicates);
    printf("  rank-1  %.2f %% (%.2f to %.2f)   EER (FPIR = FNIR) %.2f %% (%.2f to %.2f)\n", 100 * f->rank1.v,
           100 * f->rank1.lo, 100 * f->rank1.hi, 100 * f->eer.v, 100 * f->eer.lo, 100 * f->eer.hi);
    for (size_t i = 0; i < N_FPIR; i++)
        printf("  FNIR at FPIR %-7s %6.2f %% (%.2f to %.2f)\n", fpir_names[i], 100 * f->fnir[i].v,
               100 * f->fnir[i].lo, 100 * f->fnir[i].hi);
    if (svg)
        printf("curves    %s/search-roc.svg, %s/search-det.svg\n", svg, svg);
}

static int eval_search(const vg_cli *cli, int argc, char **argv)
{
    const char *lfw = NULL, *svg = NULL;
    long long n_list = -1, seed = EVAL_SEARCH_SEED, boot = VG_BOOT_DEFAULT;
    int *raw_subj = NULL, *clean_subj = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--lfw") == 0 && i + 1 < argc) {
            lfw = argv[++i];
        } else if (strcmp(argv[i], "--watchlist-size") == 0 && i + 1 < argc) {
            if (vg_cli_parse_int(argv[++i], 1, 1000000, &n_list))
                return vg_cli_usage("--watchlist-size takes a number from 1, not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc) {
            svg = argv[++i];
        } else if (strcmp(argv[i], "--bootstrap") == 0 && i + 1 < argc) {
            if (vg_cli_parse_int(argv[++i], 1, 100000, &boot))
                return vg_cli_usage("--bootstrap takes a number of replicates from 1 to 100000, not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (vg_cli_parse_int(argv[++i], 0, INT64_MAX, &seed))
                return vg_cli_usage("--seed takes a non-negative integer, not '%s'", argv[i]);
        } else {
            return vg_cli_usage("eval search: unexpected '%s'", argv[i]);
        }
    }
    if (!lfw || n_list < 0)
        return vg_cli_usage("eval search needs --lfw DIR and --watchlist-size N");

    vg_err err = {{0}};
    search_set ss = {0};
    vg_eval_images im = {0};
    vg_face_pack *pack = NULL;
    vg_gallery *gal = NULL;
    vg_openset_search *raw = NULL, *clean = NULL;
    search_row *rows = NULL;
    size_t *order = NULL;
    int have_labels = 0, code = VG_EXIT_OK;
    double t0 = vg_eval_now();
    vg_status st = build_search_set(lfw, n_list, (uint64_t)seed, &ss, &im, &have_labels, &err);
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st)
        st = vg_eval_images_alloc(&im, vg_face_pack_dim(pack), &err);
    if (!st && !cli->json)
        fprintf(stderr, "embedding %zu images with %d threads...\n", im.n, vg_cli_threads(cli));
    if (!st)
        st = vg_eval_embed_all(cli, pack, &im, &err);
    if (!st)
        st = vg_gallery_new(im.dim, VG_MATCH_KERNEL_AUTO, &gal, &err);
    size_t enrol_failed = 0;
    for (size_t p = 0; !st && p < ss.np; p++) {
        if (!ss.people[p].enrolled)
            continue;
        size_t g = ss.people[p].first;
        if (!im.ok[g])
            enrol_failed++;
        else
            st = vg_gallery_add(gal, (int64_t)p, im.emb + g * (size_t)im.dim, &err);
    }
    size_t ns = 0;
    if (!st) {
        for (size_t i = 0; i < im.n; i++)
            ns += ss.role[i] != ROLE_GALLERY;
        raw = calloc(ns ? ns : 1, sizeof *raw);
        clean = calloc(ns ? ns : 1, sizeof *clean);
        rows = calloc(ns ? ns : 1, sizeof *rows);
        order = calloc(ns ? ns : 1, sizeof *order);
        raw_subj = calloc(ns ? ns : 1, sizeof *raw_subj);
        clean_subj = calloc(ns ? ns : 1, sizeof *clean_subj);
        if (!raw || !clean || !rows || !order || !raw_subj || !clean_subj)
            st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    }
    if (st) {
        code = vg_cli_fail(st, &err);
        goto out;
    }

    /* true identities on the watch list (of the enrolment images) */
    unsigned char *listed = calloc(ss.np, 1);
    if (!listed) {
        err = (vg_err){{0}};
        code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
        goto out;
    }
    for (size_t p = 0; p < ss.np; p++)
        if (ss.people[p].enrolled)
            listed[ss.truth[ss.people[p].first]] = 1;

    size_t s = 0, mated_no_face = 0, nonmated_no_face = 0, clean_n = 0;
    size_t excl_mated = 0, excl_nonmated = 0, search_differs = 0;
    vg_match res[EVAL_SEARCH_K];
    for (size_t i = 0; i < im.n; i++) {
        if (ss.role[i] == ROLE_GALLERY)
            continue;
        int mated = ss.role[i] == ROLE_MATED, person = ss.person_of[i], truth = ss.truth[i];
        int k = 0;
        if (im.ok[i]) {
            const float *probe = im.emb + i * (size_t)im.dim;
            k = vg_gallery_search(gal, probe, EVAL_SEARCH_K, res);
            /* real-data check of the int8 search: the float scan's result exactly */
            vg_match ref[EVAL_SEARCH_K];
            int kr = vg_gallery_search_float(gal, probe, EVAL_SEARCH_K, ref);
            int same = kr == k;
            for (int j = 0; same && j < k; j++)
                same = ref[j].id == res[j].id && memcmp(&ref[j].score, &res[j].score, sizeof(float)) == 0;
            search_differs += !same;
        }
        vg_openset_search r = {k ? res[0].score : -INFINITY, 0, mated};
        vg_openset_search c = r;
        for (int j = 0; j < k; j++) {
            int tp = (int)res[j].id;
            if (mated && tp == person && !r.mate_rank)
                r.mate_rank = j + 1;
            if (ss.truth[ss.people[tp].first] == truth && !c.mate_rank)
                c.mate_rank = j + 1;
        }
        int excluded;
        if (mated) {
            mated_no_face += !im.ok[i];
            excluded = truth != ss.truth[ss.people[person].first];
            c.mated = 1;
        } else {
            nonmated_no_face += !im.ok[i];
            excluded = listed[truth];
            c.mate_rank = 0;
        }
        if (!mated)
            r.mate_rank = 0;
        raw_subj[s] = person;
        raw[s] = r;
        rows[s] = (search_row){i, k ? (int)res[0].id : -1, r.top_score, excluded};
        if (excluded)
            mated ? excl_mated++ : excl_nonmated++;
        else
            clean_subj[clean_n] = person, clean[clean_n++] = c;
        s++;
    }
    free(listed);

    vg_openset_point pr[N_FPIR], pc[N_FPIR];
    for (size_t j = 0; j < N_FPIR; j++) {
        vg_openset_at_fpir(raw, ns, fpir_targets[j], &pr[j]);
        vg_openset_at_fpir(clean, clean_n, fpir_targets[j], &pc[j]);
    }
    size_t n_mated = vg_openset_count(raw, ns, 1), n_nonmated = ns - n_mated;
    double rank1 = vg_openset_rank_rate(raw, ns, 1), rank5 = vg_openset_rank_rate(raw, ns, 5);
    double rank1_c = vg_openset_rank_rate(clean, clean_n, 1);
    size_t n_show = 0;
    for (size_t i = 0; i < ns; i++)
        if (!raw[i].mated)
            order[n_show++] = i;
    row_base = rows;
    qsort(order, n_show, sizeof *order, cmp_row_score_desc);
    if (n_show > EVAL_SEARCH_SHOW)
        n_show = EVAL_SEARCH_SHOW;
    size_t no_face = vg_eval_images_without_face(&im);
    vg_eval_search_figs fr, fc;
    if (vg_eval_search_ci(raw, ns, raw_subj, (int)ss.np, fpir_targets, (int)N_FPIR, (int)boot, 1, &fr) ||
        vg_eval_search_ci(clean, clean_n, clean_subj, (int)ss.np, fpir_targets, (int)N_FPIR, (int)boot, 1, &fc)) {
        code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
        goto out;
    }
    if (svg && (st = vg_eval_search_svg(svg, raw, ns, &err))) {
        code = vg_cli_fail(st, &err);
        goto out;
    }
    double secs = vg_eval_now() - t0;

    if (cli->json) {
        json_t *top = json_array();
        for (size_t j = 0; j < n_show; j++) {
            const search_row *w = &rows[order[j]];
            json_array_append_new(top, json_pack("{s:s,s:s?,s:f,s:b}", "image", image_rel(im.paths[w->image]),
                                                 "candidate", w->top_person >= 0 ? ss.people[w->top_person].name : NULL,
                                                 "score", (double)w->top_score, "excluded_when_cleaned", w->excluded));
        }
        json_t *cleaned = json_null();
        if (have_labels)
            cleaned = json_pack("{s:i,s:i,s:i,s:i,s:i,s:f,s:o}", "label_error_entries_applied",
                                (int)ss.label_entries, "excluded_mated", (int)excl_mated, "excluded_nonmated",
                                (int)excl_nonmated, "mated", (int)vg_openset_count(clean, clean_n, 1),
                                "nonmated", (int)vg_openset_count(clean, clean_n, 0), "rank1", rank1_c,
                                "points", points_json(pc));
        json_t *o = json_pack(
            "{s:s,s:i,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:o,s:o,s:o,s:i,s:s,s:s,s:f}", "protocol",
            "lfw-open-set", "watchlist_size", (int)n_list, "seed", (json_int_t)seed, "k", EVAL_SEARCH_K,
            "images", (int)im.n, "images_without_face", (int)no_face, "enrolment_failures", (int)enrol_failed,
            "mated_searches", (int)n_mated, "nonmated_searches", (int)n_nonmated, "mated_without_face",
            (int)mated_no_face, "nonmated_without_face", (int)nonmated_no_face, "rank1", rank1, "rank5",
            rank5, "raw", json_pack("{s:o}", "points", points_json(pr)), "cleaned", cleaned,
            "highest_nonmated", top, "searches_differing_from_float_scan", (int)search_differs, "detector", vg_face_pack_detector(pack), "model",
            vg_face_pack_model_id(pack), "seconds", secs);
        json_object_set_new(o, "bootstrap", json_pack("{s:i,s:s,s:o,s:o,s:o}", "replicates", fr.replicates, "over",
                                                      "subjects (the person searched)", "raw", figs_json(&fr),
                                                      "cleaned", have_labels ? figs_json(&fc) : json_null(), "svg",
                                                      svg ? json_pack("[s,s]", "search-roc.svg", "search-det.svg")
                                                          : json_null()));
        vg_cli_print_json(o);
    } else {
        printf("LFW open-set watch list: %lld people enrolled (first image each, seed %lld), %zu images "
               "(%zu without a face; %zu enrolment failures)\n",
               n_list, seed, im.n, no_face, enrol_failed);
        printf("searches  %zu mated (%zu without a face: misses), %zu non-mated (%zu without a face: "
               "no alarm)\n", n_mated, mated_no_face, n_nonmated, nonmated_no_face);
        printf("rank-1    %.2f %%   rank-5 %.2f %%\n", 100 * rank1, 100 * rank5);
        printf("raw (LFW's labels; alarm = rank-1 score above the threshold):\n");
        print_points(pr);
        if (have_labels) {
            printf("cleaned (known-label-errors.txt, %zu entries apply: %zu mated and %zu non-mated "
                   "searches excluded; rank-1 %.2f %%):\n",
                   ss.label_entries, excl_mated, excl_nonmated, 100 * rank1_c);
            print_points(pc);
        } else {
            printf("cleaned: not computed (no %s/known-label-errors.txt)\n", lfw);
        }
        printf("highest non-mated searches:\n");
        for (size_t j = 0; j < n_show; j++) {
            const search_row *w = &rows[order[j]];
            printf("  %7.4f  %s -> %s%s\n", w->top_score, image_rel(im.paths[w->image]),
                   w->top_person >= 0 ? ss.people[w->top_person].name : "(none)",
                   w->excluded ? "  [label error: excluded when cleaned]" : "");
        }
        printf("check     vg_gallery_search (int8 + exact re-ranking from 512 templates) differs "
               "from the float scan in %zu of %zu searches\n",
               search_differs, ns - mated_no_face - nonmated_no_face);
        print_ci("raw", &fr, svg);
        if (have_labels)
            print_ci("cleaned", &fc, NULL);
        printf("time      %.1f s\n", secs);
    }
out:
    free(raw_subj);
    free(clean_subj);
    free(raw);
    free(clean);
    free(rows);
    free(order);
    vg_gallery_free(gal);
    vg_eval_images_free(&im);
    search_set_free(&ss);
    vg_face_pack_close(pack);
    return code;
}

int vg_cmd_eval(const vg_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        printf("usage: vigil eval verify --lfw DIR [--pairs FILE] [--svg DIR] [--bootstrap B] [--flip]\n"
               "       vigil eval search --lfw DIR --watchlist-size N [--seed S] [--svg DIR] [--bootstrap B]\n"
               "       vigil eval calibrate (--lfw DIR | --dataset DIR) --crowd N --max-false-alerts K\n"
               "                            (--watchlist-size S[,S...] | --watchlist NAME) [--holdout DIR]\n"
               "                            [--save] [--export FILE]\n"
               "       vigil eval groups (--lfw DIR | --dataset DIR) --labels CSV [--threshold T]\n\n"
               "  verify     LFW View 2: 10-fold accuracy, AUC, TAR at FAR 0.1 %%, EER\n"
               "  search     LFW open-set watch list: N people with 2+ images enrol their first\n"
               "             (chosen by a shuffle seeded with S, default %d); their other images\n"
               "             are mated searches, every other person's non-mated. Rank-1 rate,\n"
               "             FNIR at FPIR 1 %%, 0.1 %% and 1/6000 with each threshold, EER, raw and\n"
               "             cleaned of known-label-errors.txt\n"
               "  calibrate  the threshold for at most K false alerts in N faces (see --help)\n"
               "  groups     error rates per group of a labels file and their differential\n"
               "verify and search: 95 %% intervals from a bootstrap over subjects (B replicates,\n"
               "default %d); --svg DIR writes the ROC and DET curves there.\n", EVAL_SEARCH_SEED, VG_BOOT_DEFAULT);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    if (strcmp(argv[1], "verify") == 0)
        return eval_verify(cli, argc, argv);
    if (strcmp(argv[1], "search") == 0)
        return eval_search(cli, argc, argv);
    if (strcmp(argv[1], "calibrate") == 0)
        return vg_eval_calibrate(cli, argc, argv);
    if (strcmp(argv[1], "groups") == 0)
        return vg_eval_groups(cli, argc, argv);
    return vg_cli_usage("unknown eval command '%s'", argv[1]);
}
