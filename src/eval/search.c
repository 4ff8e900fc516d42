/* search.c — the LFW open-set (watch-list) protocol of `vigil eval search`.
 *
 * From lfw-names.txt ("Name count", one person a line): the people with two
 * or more images are shuffled (vg_eval_shuffle from the seed) and the first
 * N of them form the watch list. Each enrols its first image (the gallery
 * holds N templates); its other images are mated searches. Every image of
 * every other person (including those with one image) is a non-mated
 * search.
 *
 * Each search is the top VG_EVAL_SEARCH_K of the gallery (vg_gallery, exact
 * cosine). The metrics are those of match/openset.h (ISO/IEC 19795-1, NIST
 * FRVT 1:N): an alarm is a rank-1 score above the threshold t; a mated
 * search is a miss at t unless its enrolled mate is returned at rank 1 with
 * a score above t; the threshold for FPIR f is the (floor(f * non-mated) +
 * 1)-th highest non-mated rank-1 score. A search image with no face has no
 * candidate: mated, a miss; non-mated, no alarm (both counted). An
 * enrolment image with no face leaves its person off the gallery, and that
 * person's mated searches are all misses (counted as enrolment failures).
 *
 * Cleaned figures apply known-label-errors.txt (labels.c: aliases and
 * misfiled images). Each image gets a true identity (its folder's person,
 * or the person a misfiled image shows, with aliases merged). Then a
 * non-mated search whose true identity is enrolled is excluded (it is
 * really mated), and a mated search whose true identity differs from that
 * of its enrolment image is excluded (it is not really mated with it); in
 * the cleaned set a search is a hit when the rank-1 template has the
 * search's true identity. Raw figures use the labels as LFW files them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "vigil/match.h"

const double vg_eval_fpir_targets[VG_EVAL_SEARCH_FPIRS] = {1e-2, 1e-3, 1.0 / 6000};
const char *const vg_eval_fpir_names[VG_EVAL_SEARCH_FPIRS] = {"1 %", "0.1 %", "1/6000"};

static vg_status read_names(const char *path, vg_eval_search_set *ss, vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot open %s", path);
    size_t cap = 0;
    char line[512];
    int lineno = 0;
    vg_status st = VG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        vg_eval_lfw_person p = {.count = 0};
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
            vg_eval_lfw_person *np = realloc(ss->people, nc * sizeof *np);
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

static int find_person(const vg_eval_search_set *ss, const char *name)
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

/* Each person's identity under the alias rule (labels.c): the lowest
 * index of the people whose names have the same canonical name. */
static vg_status merge_aliases(vg_eval_search_set *ss, const vg_eval_labels *l, vg_err *err)
{
    vg_eval_named *v = malloc(ss->np * sizeof *v);
    if (!v)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < ss->np; p++)
        v[p] = (vg_eval_named){vg_eval_labels_canon(l, ss->people[p].name), p};
    qsort(v, ss->np, sizeof *v, vg_eval_cmp_named);
    for (size_t k = 0; k < ss->np; k++)
        ss->people[v[k].index].root =
            k && !strcmp(v[k].name, v[k - 1].name) ? ss->people[v[k - 1].index].root : (int)v[k].index;
    free(v);
    return VG_OK;
}

/* Applies the label errors: aliases merge identities, a misfiled image
 * gets the identity it shows. Entries naming people or images absent from
 * lfw-names.txt are skipped (a subset of LFW); those applied are counted. */
static vg_status apply_labels(const char *path, vg_eval_search_set *ss, const vg_eval_labels *l, vg_err *err)
{
    for (int k = 0; k < l->n; k++) {
        const vg_eval_label *e = &l->e[k];
        if (!e->misfiled) {
            ss->label_entries += find_person(ss, e->a) >= 0 && find_person(ss, e->b) >= 0;
            continue;
        }
        /* a = FOLDER/FOLDER_NNNN.jpg */
        char a[sizeof e->a];
        snprintf(a, sizeof a, "%s", e->a);
        char *slash = strchr(a, '/'), *us = strrchr(a, '_');
        int num = 0;
        if (!slash || !us || us < slash || sscanf(us + 1, "%d", &num) != 1)
            return vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'misfiled NAME/NAME_NNNN.jpg PERSON'", path,
                              e->line);
        *slash = '\0';
        int pf = find_person(ss, a), pt = find_person(ss, e->b);
        if (pf < 0 || pt < 0 || num < 1 || num > ss->people[pf].count)
            continue;
        ss->truth[ss->people[pf].first + (size_t)num - 1] = -1 - pt; /* resolved by the caller */
        ss->label_entries++;
    }
    return merge_aliases(ss, l, err);
}

/* Sorts the people by name (refusing a name listed twice) and picks the
 * watch list. */
static vg_status pick_watchlist(vg_eval_search_set *ss, long long n_list, uint64_t seed, size_t eligible,
                                vg_err *err)
{
    vg_eval_named *v = malloc(ss->np * sizeof *v);
    int *pool = malloc((eligible ? eligible : 1) * sizeof *pool);
    vg_status st = VG_OK;
    if (!v || !pool) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto out;
    }
    size_t k = 0;
    for (size_t p = 0; p < ss->np; p++) {
        v[p] = (vg_eval_named){ss->people[p].name, p};
        if (ss->people[p].count >= 2)
            pool[k++] = (int)p;
    }
    qsort(v, ss->np, sizeof *v, vg_eval_cmp_named);
    for (size_t i = 0; i < ss->np; i++) {
        ss->by_name[i] = (int)v[i].index;
        if (i && strcmp(v[i - 1].name, v[i].name) == 0) {
            st = vg_err_set(err, VG_ERR_INVALID, "lfw-names.txt lists %s twice", v[i].name);
            goto out;
        }
    }
    uint64_t rng = seed;
    vg_eval_shuffle(pool, eligible, &rng);
    for (long long i = 0; i < n_list; i++)
        ss->people[pool[i]].enrolled = 1;
out:
    free(v);
    free(pool);
    return st;
}

vg_status vg_eval_search_load(const char *lfw, long long n_list, uint64_t seed, vg_eval_search_set *ss,
                              vg_eval_images *im, vg_err *err)
{
    memset(ss, 0, sizeof *ss);
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
                          "--watchlist-size %lld is more than the %zu people with two or more images", n_list,
                          eligible);
    ss->by_name = malloc(ss->np * sizeof *ss->by_name);
    ss->person_of = malloc(total * sizeof *ss->person_of);
    ss->truth = malloc(total * sizeof *ss->truth);
    ss->role = malloc(total);
    im->paths = calloc(total, sizeof *im->paths);
    if (!ss->by_name || !ss->person_of || !ss->truth || !ss->role || !im->paths)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if ((st = pick_watchlist(ss, n_list, seed, eligible, err)))
        return st;
    im->n = total;
    for (size_t p = 0; p < ss->np; p++) {
        const vg_eval_lfw_person *q = &ss->people[p];
        for (int num = 1; num <= q->count; num++) {
            size_t i = q->first + (size_t)num - 1;
            vg_eval_lfw_image_path(path, sizeof path, lfw, q->name, num);
            if (!(im->paths[i] = strdup(path)))
                return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            ss->person_of[i] = (int)p;
            ss->truth[i] = 0;
            ss->role[i] = !q->enrolled ? VG_EVAL_ROLE_NONMATED : num == 1 ? VG_EVAL_ROLE_GALLERY : VG_EVAL_ROLE_MATED;
        }
    }
    snprintf(path, sizeof path, "%s/known-label-errors.txt", lfw);
    vg_eval_labels *labels = malloc(sizeof *labels); /* 100 KB: not on the stack */
    if (!labels)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    st = vg_eval_labels_load(path, labels, &ss->have_labels, err);
    if (!st)
        st = apply_labels(path, ss, labels, err);
    free(labels);
    if (st)
        return st;
    for (size_t i = 0; i < total; i++) /* -1 - p marks a misfiled image showing p */
        ss->truth[i] = ss->people[ss->truth[i] < 0 ? -1 - ss->truth[i] : ss->person_of[i]].root;
    return VG_OK;
}

void vg_eval_search_set_free(vg_eval_search_set *ss)
{
    free(ss->people);
    free(ss->by_name);
    free(ss->person_of);
    free(ss->truth);
    free(ss->role);
    memset(ss, 0, sizeof *ss);
}

/* A non-mated row's score with its index, sorted by score, highest first
 * (ties: the earlier search first). */
typedef struct scored {
    float score;
    size_t row;
} scored;

static int cmp_scored_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Whether the int8 search returned exactly what the float scan does. */
static int same_as_float_scan(const vg_gallery *gal, const float *probe, const vg_match *res, int k)
{
    vg_match ref[VG_EVAL_SEARCH_K];
    int kr = vg_gallery_search_float(gal, probe, VG_EVAL_SEARCH_K, ref);
    int same = kr == k;
    for (int j = 0; same && j < k; j++)
        same = ref[j].id == res[j].id && memcmp(&ref[j].score, &res[j].score, sizeof(float)) == 0;
    return same;
}

/* The scratch of one run: the searches' subjects and rows. */
typedef struct search_scratch {
    int *raw_subj, *clean_subj;
    vg_eval_search_row *rows;
    unsigned char *listed;  /* true identities on the watch list */
} search_scratch;

/* Runs every search of the set against the gallery. */
static void run_searches(const vg_eval_search_set *ss, const vg_eval_images *im, const vg_gallery *gal,
                         search_scratch *x, vg_eval_search_result *out)
{
    vg_match res[VG_EVAL_SEARCH_K];
    size_t s = 0;
    for (size_t i = 0; i < im->n; i++) {
        if (ss->role[i] == VG_EVAL_ROLE_GALLERY)
            continue;
        int mated = ss->role[i] == VG_EVAL_ROLE_MATED, person = ss->person_of[i], truth = ss->truth[i];
        int k = 0;
        if (im->ok[i]) {
            const float *probe = im->emb + i * (size_t)im->dim;
            k = vg_gallery_search(gal, probe, VG_EVAL_SEARCH_K, res);
            /* real-data check of the int8 search: the float scan's result exactly */
            out->search_differs += !same_as_float_scan(gal, probe, res, k);
        }
        vg_openset_search r = {k ? res[0].score : -INFINITY, 0, mated};
        vg_openset_search c = r;
        for (int j = 0; j < k; j++) {
            int tp = (int)res[j].id;
            if (mated && tp == person && !r.mate_rank)
                r.mate_rank = j + 1;
            if (ss->truth[ss->people[tp].first] == truth && !c.mate_rank)
                c.mate_rank = j + 1;
        }
        int excluded;
        if (mated) {
            out->mated_no_face += !im->ok[i];
            excluded = truth != ss->truth[ss->people[person].first];
            c.mated = 1;
        } else {
            out->nonmated_no_face += !im->ok[i];
            excluded = x->listed[truth];
            c.mate_rank = 0;
        }
        if (!mated)
            r.mate_rank = 0;
        x->raw_subj[s] = person;
        out->raw[s] = r;
        x->rows[s] = (vg_eval_search_row){i, k ? (int)res[0].id : -1, r.top_score, excluded};
        if (excluded)
            mated ? out->excl_mated++ : out->excl_nonmated++;
        else
            x->clean_subj[out->clean_n] = person, out->clean[out->clean_n++] = c;
        s++;
    }
}

/* The highest-scoring non-mated searches, best first. */
static vg_status keep_top(const search_scratch *x, vg_eval_search_result *out, vg_err *err)
{
    scored *v = malloc((out->ns ? out->ns : 1) * sizeof *v);
    if (!v)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < out->ns; i++)
        if (!out->raw[i].mated)
            v[n++] = (scored){x->rows[i].top_score, i};
    qsort(v, n, sizeof *v, cmp_scored_desc);
    out->n_top = n < VG_EVAL_SEARCH_SHOW ? n : VG_EVAL_SEARCH_SHOW;
    for (size_t j = 0; j < out->n_top; j++)
        out->top[j] = x->rows[v[j].row];
    free(v);
    return VG_OK;
}

/* The gallery: the first image of each enrolled person with a face. */
static vg_status enrol(const vg_eval_search_set *ss, const vg_eval_images *im, vg_gallery **gal,
                       vg_eval_search_result *out, vg_err *err)
{
    vg_status st = vg_gallery_new(im->dim, VG_MATCH_KERNEL_AUTO, gal, err);
    for (size_t p = 0; !st && p < ss->np; p++) {
        if (!ss->people[p].enrolled)
            continue;
        size_t g = ss->people[p].first;
        if (!im->ok[g])
            out->enrol_failed++;
        else
            st = vg_gallery_add(*gal, (int64_t)p, im->emb + g * (size_t)im->dim, err);
    }
    return st;
}

vg_status vg_eval_search_run(const vg_eval_search_set *ss, const vg_eval_images *im, int reps,
                             vg_eval_search_result *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    vg_gallery *gal = NULL;
    search_scratch x = {0};
    vg_status st = enrol(ss, im, &gal, out, err);
    if (st)
        goto out;
    for (size_t i = 0; i < im->n; i++)
        out->ns += ss->role[i] != VG_EVAL_ROLE_GALLERY;
    size_t m = out->ns ? out->ns : 1;
    out->raw = calloc(m, sizeof *out->raw);
    out->clean = calloc(m, sizeof *out->clean);
    x.rows = calloc(m, sizeof *x.rows);
    x.raw_subj = calloc(m, sizeof *x.raw_subj);
    x.clean_subj = calloc(m, sizeof *x.clean_subj);
    x.listed = calloc(ss->np, 1);
    if (!out->raw || !out->clean || !x.rows || !x.raw_subj || !x.clean_subj || !x.listed) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t p = 0; p < ss->np; p++)
        if (ss->people[p].enrolled)
            x.listed[ss->truth[ss->people[p].first]] = 1;
    run_searches(ss, im, gal, &x, out);
    for (size_t j = 0; j < VG_EVAL_SEARCH_FPIRS; j++) {
        vg_openset_at_fpir(out->raw, out->ns, vg_eval_fpir_targets[j], &out->raw_pts[j]);
        vg_openset_at_fpir(out->clean, out->clean_n, vg_eval_fpir_targets[j], &out->clean_pts[j]);
    }
    out->n_mated = vg_openset_count(out->raw, out->ns, 1);
    out->n_nonmated = out->ns - out->n_mated;
    out->rank1 = vg_openset_rank_rate(out->raw, out->ns, 1);
    out->rank5 = vg_openset_rank_rate(out->raw, out->ns, 5);
    out->rank1_clean = vg_openset_rank_rate(out->clean, out->clean_n, 1);
    if ((st = keep_top(&x, out, err)))
        goto out;
    if (vg_eval_search_ci(out->raw, out->ns, x.raw_subj, (int)ss->np, vg_eval_fpir_targets, VG_EVAL_SEARCH_FPIRS,
                          reps, 1, &out->ci_raw) ||
        vg_eval_search_ci(out->clean, out->clean_n, x.clean_subj, (int)ss->np, vg_eval_fpir_targets,
                          VG_EVAL_SEARCH_FPIRS, reps, 1, &out->ci_clean))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
out:
    free(x.rows);
    free(x.raw_subj);
    free(x.clean_subj);
    free(x.listed);
    vg_gallery_free(gal);
    return st;
}

void vg_eval_search_result_free(vg_eval_search_result *r)
{
    free(r->raw);
    free(r->clean);
    memset(r, 0, sizeof *r);
}
