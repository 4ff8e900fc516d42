/* groups.c — the computation of `vigil eval groups`: verification error
 * rates per group of a labels file and the differential between groups, in
 * the terms of ISO/IEC 19795-10 (the protocol is described at the head of
 * src/cli/cmd_eval_groups.c), scored as vg_eval_groups_opts says (a
 * template of one or more faces, cohort score normalisation, a threshold
 * set by a pooled false-match rate: eval.h). Groups come only from the
 * labels file; nothing here infers a demographic attribute. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "match/bootstrap.h"
#include "vigil/match.h"

vg_status vg_eval_groups_read(const char *path, const vg_eval_people *pp, int *group_of, vg_eval_group *g,
                              int *n_groups, int *missing, vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot open the labels file %s", path);
    char line[1024];
    int lineno = 0;
    vg_status st = VG_OK;
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: line too long", path, lineno);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len || (lineno == 1 && strcmp(line, "person,group") == 0))
            continue;
        char *comma = strchr(line, ',');
        if (!comma || comma == line || !comma[1] || strchr(comma + 1, ',') || strlen(comma + 1) > VG_EVAL_GROUP_NAME_MAX) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'person,group' (a group name of 1 to %d bytes)",
                            path, lineno, VG_EVAL_GROUP_NAME_MAX);
            break;
        }
        *comma = '\0';
        int p = vg_eval_people_find(pp, line);
        if (p < 0) {
            (*missing)++;
            continue;
        }
        if (group_of[p] >= 0) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: %s is labelled twice", path, lineno, line);
            break;
        }
        int k = 0;
        while (k < *n_groups && strcmp(g[k].name, comma + 1))
            k++;
        if (k == *n_groups) {
            if (k == VG_EVAL_GROUPS_MAX) {
                st = vg_err_set(err, VG_ERR_LIMIT, "%s:%d: more than %d groups", path, lineno, VG_EVAL_GROUPS_MAX);
                break;
            }
            snprintf(g[k].name, sizeof g[k].name, "%s", comma + 1);
            (*n_groups)++;
        }
        group_of[p] = k;
    }
    fclose(f);
    if (!st && *n_groups < 2)
        st = vg_err_set(err, VG_ERR_INVALID, "%s: people of the data set in %d group(s); at least 2 are needed", path,
                        *n_groups);
    return st;
}

int vg_eval_hist_bin(double score)
{
    int b = (int)floor((score + 1) / 2 * VG_EVAL_HIST_BINS);
    return b < 0 ? 0 : b >= VG_EVAL_HIST_BINS ? VG_EVAL_HIST_BINS - 1 : b;
}

double vg_eval_hist_quantile(const long long *hist, long long n, double q)
{
    if (n <= 0)
        return NAN;
    long long c = 0, want = (long long)ceil(q * (double)n);
    if (want < 1)
        want = 1;
    for (int b = 0; b < VG_EVAL_HIST_BINS; b++)
        if ((c += hist[b]) >= want)
            return -1 + 2.0 * (b + 1) / VG_EVAL_HIST_BINS;
    return 1;
}

static double dotf(const float *a, const float *b, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += (double)a[i] * b[i];
    return s;
}

static void rates(const vg_eval_group *g, const int *members, int n_members, const int *cnt, const long long *miss,
                  const long long *mated, const int (*fm)[2], size_t n_fm, const int *group_of, int gi, double *fmr,
                  double *fnmr)
{
    double s1 = 0, s2 = 0, m = 0, x = 0;
    for (int k = 0; k < n_members; k++) {
        int p = members[k];
        double c = cnt[p];
        s1 += c;
        s2 += c * c;
        m += c * (double)mated[p];
        x += c * (double)miss[p];
    }
    double pairs = (s1 * s1 - s2) / 2, f = 0;
    for (size_t i = 0; i < n_fm; i++)
        if (group_of[fm[i][0]] == gi)
            f += (double)cnt[fm[i][0]] * cnt[fm[i][1]];
    (void)g;
    *fmr = pairs > 0 ? f / pairs : NAN;
    *fnmr = m > 0 ? x / m : NAN;
}

static vg_eval_ratio make_ratio(const vg_eval_group *g, int n, int use_fmr, int reps)
{
    vg_eval_ratio r = {0, 0, NAN, NAN, NAN};
    for (int k = 1; k < n; k++) {
        double v = use_fmr ? g[k].fmr : g[k].fnmr;
        if (v > (use_fmr ? g[r.hi].fmr : g[r.hi].fnmr))
            r.hi = k;
        if (v < (use_fmr ? g[r.lo].fmr : g[r.lo].fnmr))
            r.lo = k;
    }
    if (r.hi == r.lo && n > 1) /* every rate equal: still two groups */
        r.lo = r.hi == 0 ? 1 : 0;
    double hi = use_fmr ? g[r.hi].fmr : g[r.hi].fnmr, lo = use_fmr ? g[r.lo].fmr : g[r.lo].fnmr;
    r.value = lo > 0 ? hi / lo : hi > 0 ? INFINITY : NAN;
    double *v = malloc(((size_t)reps + 1) * sizeof *v);
    if (!v)
        return r;
    for (int b = 0; b < reps; b++) {
        double h = use_fmr ? g[r.hi].rep_fmr[b] : g[r.hi].rep_fnmr[b];
        double l = use_fmr ? g[r.lo].rep_fmr[b] : g[r.lo].rep_fnmr[b];
        v[b] = l > 0 ? h / l : h > 0 ? INFINITY : NAN;
    }
    vg_boot_interval(v, (size_t)reps, 0.95, &r.ci_lo, &r.ci_hi);
    free(v);
    return r;
}

vg_status vg_eval_groups_load(const char *labels_path, vg_eval_people *pp, vg_eval_images *im, int cohort,
                              vg_eval_groups_result *out, vg_err *err)
{
    if (!(out->group_of = malloc((pp->n ? pp->n : 1) * sizeof *out->group_of)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < pp->n; p++)
        out->group_of[p] = -1;
    vg_status st = vg_eval_groups_read(labels_path, pp, out->group_of, out->g, &out->n_groups, &out->missing, err);
    if (st)
        return st;
    /* embed only the labelled people's images (and the cohort's) */
    size_t k = 0;
    for (size_t i = 0; i < im->n; i++) {
        int p = pp->person_of[i];
        int in_cohort = cohort && out->group_of[p] < 0 && i == pp->first[p];
        out->cohort_images += (size_t)in_cohort;
        if (out->group_of[p] >= 0 || in_cohort) {
            char *t = im->paths[k];
            im->paths[k] = im->paths[i];
            im->paths[i] = t;
            pp->person_of[k] = pp->person_of[i];
            k++;
        }
    }
    for (size_t i = k; i < im->n; i++)
        free(im->paths[i]), im->paths[i] = NULL;
    im->n = k;
    for (size_t p = 0; p < pp->n; p++)
        out->unlabelled += out->group_of[p] < 0;
    return VG_OK;
}

double vg_eval_cohort_mean(const float *v, const float *cohort, size_t n, int dim, int top)
{
    if (!n || top < 1)
        return 0;
    double best[256];
    int k = top > 256 ? 256 : top, have = 0;
    for (size_t r = 0; r < n; r++) { /* best[] descending, insertion */
        double s = vg_match_dot(VG_MATCH_KERNEL_AUTO, v, cohort + r * (size_t)dim, dim);
        if (have == k && s <= best[k - 1])
            continue;
        int j = have < k ? have++ : k - 1;
        while (j > 0 && best[j - 1] < s) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = s;
    }
    double sum = 0;
    for (int j = 0; j < have; j++)
        sum += best[j];
    return sum / have;
}

double vg_eval_norm_score(int norm, double raw, double c_probe, double c_template)
{
    switch (norm) {
    case VG_EVAL_NORM_PROBE: return raw - c_probe;
    case VG_EVAL_NORM_BOTH: return raw - (c_probe + c_template) / 2;
    default: return raw;
    }
}

/* The scratch of a run: per person its template (image indices), its
 * mated comparisons and misses, the bootstrap counts; the false matches
 * (pairs of people); the cohort means; every comparison's score. */
typedef struct groups_scratch {
    int *ref, *cnt, *members;
    int (*tpl)[VG_EVAL_ENROL_MAX];
    int *nt;
    float *mean;      /* fusion MEAN: per person the mean template */
    double *c_img;    /* per image: its cohort mean (normalisation) */
    double *c_mean;   /* per person: its mean template's */
    double *mated_sc; /* per image: its mated score (NAN: not a probe) */
    double **nm_sc;   /* per group: its non-mated scores, in pair order */
    long long *mated, *miss;
    int (*fm)[2];
    size_t n_fm, cap_fm;
} groups_scratch;

/* A probe image's score against a person's template. */
static double tpl_score(const vg_eval_images *im, const vg_eval_groups_opts *o, const groups_scratch *x, int probe,
                        int p)
{
    const float *pv = im->emb + (size_t)probe * im->dim;
    double cp = o->norm ? x->c_img[probe] : 0;
    if (o->fusion == VG_EVAL_FUSE_MEAN && x->nt[p] > 1)
        return vg_eval_norm_score(o->norm, dotf(pv, x->mean + (size_t)p * im->dim, im->dim), cp,
                                  o->norm ? x->c_mean[p] : 0);
    double best = -INFINITY;
    for (int t = 0; t < x->nt[p]; t++) {
        int ti = x->tpl[p][t];
        double s = vg_eval_norm_score(o->norm, dotf(pv, im->emb + (size_t)ti * im->dim, im->dim), cp,
                                      o->norm ? x->c_img[ti] : 0);
        if (s > best)
            best = s;
    }
    return best;
}

/* Templates (each person's first o->enrol images with a face), the mean
 * templates and the cohort means. */
static vg_status templates(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_groups_opts *o,
                           groups_scratch *x, vg_eval_groups_result *out, vg_err *err)
{
    int dim = im->dim;
    for (size_t p = 0; p < pp->n; p++)
        x->ref[p] = -1, x->nt[p] = 0;
    for (size_t i = 0; i < im->n; i++) {
        int p = pp->person_of[i];
        if (!im->ok[i])
            continue;
        if (x->ref[p] < 0)
            x->ref[p] = (int)i;
        if (x->nt[p] < o->enrol && out->group_of[p] >= 0)
            x->tpl[p][x->nt[p]++] = (int)i;
    }
    if (o->fusion == VG_EVAL_FUSE_MEAN) {
        if (!(x->mean = calloc(pp->n * (size_t)dim, sizeof *x->mean)))
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        for (size_t p = 0; p < pp->n; p++) {
            float *m = x->mean + p * (size_t)dim;
            for (int t = 0; t < x->nt[p]; t++)
                for (int d = 0; d < dim; d++)
                    m[d] += im->emb[(size_t)x->tpl[p][t] * dim + d];
            if (x->nt[p])
                vg_l2_normalise(m, dim);
        }
    }
    if (!o->norm)
        return VG_OK;
    /* the cohort: the first face of each unlabelled person */
    float *cohort = malloc((pp->n ? pp->n : 1) * (size_t)dim * sizeof *cohort);
    x->c_img = calloc(im->n ? im->n : 1, sizeof *x->c_img);
    x->c_mean = calloc(pp->n ? pp->n : 1, sizeof *x->c_mean);
    if (!cohort || !x->c_img || !x->c_mean) {
        free(cohort);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t nc = 0;
    for (size_t p = 0; p < pp->n; p++)
        if (out->group_of[p] < 0 && x->ref[p] >= 0)
            memcpy(cohort + nc++ * dim, im->emb + (size_t)x->ref[p] * dim, (size_t)dim * sizeof *cohort);
    out->cohort = (int)nc;
    if (nc < (size_t)o->cohort_top) {
        free(cohort);
        return vg_err_set(err, VG_ERR_INVALID, "score normalisation needs a cohort of at least %d faces (the first "
                          "face of each person of the data set without a label); there are %zu", o->cohort_top, nc);
    }
    for (size_t i = 0; i < im->n; i++)
        if (im->ok[i] && out->group_of[pp->person_of[i]] >= 0)
            x->c_img[i] = vg_eval_cohort_mean(im->emb + i * (size_t)dim, cohort, nc, dim, o->cohort_top);
    for (size_t p = 0; x->mean && p < pp->n; p++)
        if (x->nt[p])
            x->c_mean[p] = vg_eval_cohort_mean(x->mean + p * (size_t)dim, cohort, nc, dim, o->cohort_top);
    free(cohort);
    return VG_OK;
}

/* Mated scores: each labelled person's images with a face after the first
 * o->probes_after, against the person's template. */
static void mated_scores(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_groups_opts *o,
                         groups_scratch *x, const vg_eval_groups_result *out)
{
    int *seen = x->cnt; /* scratch: faces seen so far a person */
    for (size_t p = 0; p < pp->n; p++)
        seen[p] = 0;
    for (size_t i = 0; i < im->n; i++) {
        int p = pp->person_of[i];
        x->mated_sc[i] = NAN;
        if (!im->ok[i] || out->group_of[p] < 0 || seen[p]++ < o->probes_after)
            continue;
        x->mated_sc[i] = tpl_score(im, o, x, (int)i, p);
    }
}

/* Group k's members (people with a template) and its non-mated scores: for
 * a < b, b's first face against a's template. */
static vg_status nonmated_scores(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_groups_opts *o,
                                 int k, groups_scratch *x, vg_eval_groups_result *out, vg_err *err)
{
    vg_eval_group *g = &out->g[k];
    int nm = 0;
    for (size_t p = 0; p < pp->n; p++)
        if (out->group_of[p] == k && x->ref[p] >= 0)
            x->members[nm++] = (int)p;
    g->subjects = nm;
    g->nonmated = (long long)nm * (nm - 1) / 2;
    if (!(x->nm_sc[k] = malloc((g->nonmated ? (size_t)g->nonmated : 1) * sizeof(double))))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    size_t j = 0;
    for (int a = 0; a < nm; a++)
        for (int b = a + 1; b < nm; b++)
            x->nm_sc[k][j++] = tpl_score(im, o, x, x->ref[x->members[b]], x->members[a]);
    return VG_OK;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The threshold at which the pooled non-mated rate is at most match_fmr. */
static vg_status fmr_threshold(const vg_eval_groups_opts *o, const groups_scratch *x, vg_eval_groups_result *out,
                               vg_err *err)
{
    size_t n = 0;
    for (int k = 0; k < out->n_groups; k++)
        n += (size_t)out->g[k].nonmated;
    if (!n)
        return vg_err_set(err, VG_ERR_INVALID, "no non-mated comparison to set the threshold by --match-fmr");
    double *all = malloc(n * sizeof *all);
    if (!all)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    size_t j = 0;
    for (int k = 0; k < out->n_groups; k++) {
        memcpy(all + j, x->nm_sc[k], (size_t)out->g[k].nonmated * sizeof *all);
        j += (size_t)out->g[k].nonmated;
    }
    qsort(all, n, sizeof *all, cmp_desc);
    size_t r = (size_t)floor(o->match_fmr * (double)n);
    out->threshold = all[r < n ? r : n - 1];
    free(all);
    return VG_OK;
}

/* At the threshold: each group's misses, false matches (pairs kept for the
 * bootstrap) and histograms. */
static vg_status count_errors(const vg_eval_people *pp, const vg_eval_images *im, int reps, groups_scratch *x,
                              vg_eval_groups_result *out, vg_err *err)
{
    double th = out->threshold;
    for (size_t i = 0; i < im->n; i++) {
        double sc = x->mated_sc[i];
        if (isnan(sc))
            continue;
        int p = pp->person_of[i], k = out->group_of[p];
        x->mated[p]++;
        x->miss[p] += !(sc > th);
        out->g[k].hist_mated[vg_eval_hist_bin(sc)]++;
        out->g[k].sum_mated += sc;
    }
    for (int k = 0; k < out->n_groups; k++) {
        vg_eval_group *g = &out->g[k];
        int nm = 0;
        for (size_t p = 0; p < pp->n; p++)
            if (out->group_of[p] == k) {
                if (x->ref[p] < 0) {
                    out->no_ref++;
                    continue;
                }
                x->members[nm++] = (int)p;
                g->mated += x->mated[p];
                g->misses += x->miss[p];
            }
        size_t j = 0;
        for (int a = 0; a < nm; a++)
            for (int b = a + 1; b < nm; b++) {
                double sc = x->nm_sc[k][j++];
                g->hist_nonmated[vg_eval_hist_bin(sc)]++;
                g->sum_nonmated += sc;
                if (!(sc > th))
                    continue;
                g->false_matches++;
                if (x->n_fm == x->cap_fm) {
                    size_t nc = x->cap_fm ? x->cap_fm * 2 : 1024;
                    int(*q)[2] = realloc(x->fm, nc * sizeof *q);
                    if (!q)
                        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                    x->fm = q;
                    x->cap_fm = nc;
                }
                x->fm[x->n_fm][0] = x->members[a];
                x->fm[x->n_fm][1] = x->members[b];
                x->n_fm++;
            }
        g->fmr = g->nonmated ? (double)g->false_matches / (double)g->nonmated : NAN;
        g->fnmr = g->mated ? (double)g->misses / (double)g->mated : NAN;
        out->mated += g->mated, out->misses += g->misses;
        out->nonmated += g->nonmated, out->false_matches += g->false_matches;
        g->rep_fmr = malloc((size_t)reps * sizeof(double));
        g->rep_fnmr = malloc((size_t)reps * sizeof(double));
        if (!g->rep_fmr || !g->rep_fnmr)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    return VG_OK;
}

/* The bootstrap: one draw over every person with a reference per
 * replicate; then each group's intervals. */
static vg_status bootstrap(const vg_eval_people *pp, uint64_t seed, int reps, groups_scratch *x,
                           vg_eval_groups_result *out, vg_err *err)
{
    uint64_t rng = seed;
    for (int b = 0; b < reps; b++) {
        vg_boot_draw(&rng, (int)pp->n, x->cnt);
        for (size_t p = 0; p < pp->n; p++)
            if (out->group_of[p] < 0 || x->ref[p] < 0)
                x->cnt[p] = 0;
        for (int k = 0; k < out->n_groups; k++) {
            int nm = 0;
            for (size_t p = 0; p < pp->n; p++)
                if (out->group_of[p] == k && x->ref[p] >= 0)
                    x->members[nm++] = (int)p;
            rates(&out->g[k], x->members, nm, x->cnt, x->miss, x->mated, (const int(*)[2])x->fm, x->n_fm,
                  out->group_of, k, &out->g[k].rep_fmr[b], &out->g[k].rep_fnmr[b]);
        }
    }
    double *tmp = malloc(((size_t)reps + 1) * sizeof *tmp);
    if (!tmp)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int k = 0; k < out->n_groups; k++) {
        vg_eval_group *g = &out->g[k];
        memcpy(tmp, g->rep_fmr, (size_t)reps * sizeof *tmp);
        vg_boot_interval(tmp, (size_t)reps, 0.95, &g->fmr_lo, &g->fmr_hi);
        memcpy(tmp, g->rep_fnmr, (size_t)reps * sizeof *tmp);
        vg_boot_interval(tmp, (size_t)reps, 0.95, &g->fnmr_lo, &g->fnmr_hi);
    }
    free(tmp);
    return VG_OK;
}

vg_status vg_eval_groups_run(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_groups_opts *o,
                             vg_eval_groups_result *out, vg_err *err)
{
    if (o->enrol < 1 || o->enrol > VG_EVAL_ENROL_MAX || o->probes_after < o->enrol || o->reps < 1 ||
        (o->norm && (o->cohort_top < 1 || o->cohort_top > 256)) || !(o->match_fmr >= 0 && o->match_fmr < 1))
        return vg_err_set(err, VG_ERR_INVALID, "eval groups: bad scoring options");
    size_t n = pp->n ? pp->n : 1;
    groups_scratch x = {0};
    x.ref = malloc(n * sizeof *x.ref);
    x.cnt = malloc(n * sizeof *x.cnt);
    x.members = malloc(n * sizeof *x.members);
    x.tpl = malloc(n * sizeof *x.tpl);
    x.nt = malloc(n * sizeof *x.nt);
    x.mated = calloc(n, sizeof *x.mated);
    x.miss = calloc(n, sizeof *x.miss);
    x.mated_sc = malloc((im->n ? im->n : 1) * sizeof *x.mated_sc);
    x.nm_sc = calloc(VG_EVAL_GROUPS_MAX, sizeof *x.nm_sc);
    vg_status st = VG_OK;
    if (!x.ref || !x.cnt || !x.members || !x.tpl || !x.nt || !x.mated || !x.miss || !x.mated_sc || !x.nm_sc)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int k = 0; !st && k < out->n_groups; k++)
        if (!(out->g[k].hist_mated = calloc(VG_EVAL_HIST_BINS, sizeof(long long))) ||
            !(out->g[k].hist_nonmated = calloc(VG_EVAL_HIST_BINS, sizeof(long long))))
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if (!st)
        st = templates(pp, im, o, &x, out, err);
    if (!st)
        mated_scores(pp, im, o, &x, out);
    for (int k = 0; !st && k < out->n_groups; k++)
        st = nonmated_scores(pp, im, o, k, &x, out, err);
    out->threshold = o->threshold;
    if (!st && o->match_fmr > 0)
        st = fmr_threshold(o, &x, out, err);
    if (!st)
        st = count_errors(pp, im, o->reps, &x, out, err);
    if (!st)
        st = bootstrap(pp, o->seed, o->reps, &x, out, err);
    if (!st) {
        out->fmr_ratio = make_ratio(out->g, out->n_groups, 1, o->reps);
        out->fnmr_ratio = make_ratio(out->g, out->n_groups, 0, o->reps);
    }
    for (int k = 0; x.nm_sc && k < VG_EVAL_GROUPS_MAX; k++)
        free(x.nm_sc[k]);
    free(x.nm_sc);
    free(x.ref);
    free(x.cnt);
    free(x.members);
    free(x.tpl);
    free(x.nt);
    free(x.mean);
    free(x.c_img);
    free(x.c_mean);
    free(x.mated_sc);
    free(x.mated);
    free(x.miss);
    free(x.fm);
    return st;
}

const char *const vg_eval_stage_names[VG_EVAL_STAGES] = {"quality", "eye_distance_px", "sharpness", "abs_yaw",
                                                          "abs_pitch", "brightness", "landmark_drift"};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double stage_value(const vg_face *f, int s)
{
    switch (s) {
    case 0: return f->quality.score;
    case 1: return f->quality.eye_dist;
    case 2: return f->quality.sharpness;
    case 3: return fabs((double)f->quality.yaw);
    case 4: return fabs((double)f->quality.pitch);
    case 5: return f->quality.brightness;
    default: return f->check.drift;
    }
}

vg_status vg_eval_groups_stages(const vg_eval_people *pp, const vg_eval_images *im, vg_eval_groups_result *out,
                                vg_err *err)
{
    double *v = malloc((im->n ? im->n : 1) * sizeof *v);
    if (!v)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int k = 0; k < out->n_groups; k++) {
        vg_eval_group *g = &out->g[k];
        for (size_t i = 0; i < im->n; i++)
            if (out->group_of[pp->person_of[i]] == k && !(im->skip && im->skip[i])) {
                g->images++;
                g->no_face += !im->ok[i];
                g->context_pass += im->ok[i] && im->face[i].check.context_pass;
            }
        for (int s = 0; s < VG_EVAL_STAGES; s++) {
            size_t n = 0;
            double sum = 0;
            for (size_t i = 0; i < im->n; i++)
                if (im->ok[i] && out->group_of[pp->person_of[i]] == k) {
                    double x = stage_value(&im->face[i], s);
                    if (s == VG_EVAL_STAGES - 1 && x < 0) /* no 68-point model: no drift */
                        continue;
                    v[n++] = x;
                    sum += x;
                }
            qsort(v, n, sizeof *v, cmp_double);
            g->stage_mean[s] = n ? sum / (double)n : NAN;
            g->stage_median[s] = !n ? NAN : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
    }
    free(v);
    return VG_OK;
}

void vg_eval_groups_result_free(vg_eval_groups_result *r)
{
    for (int k = 0; k < VG_EVAL_GROUPS_MAX; k++) {
        free(r->g[k].rep_fmr);
        free(r->g[k].rep_fnmr);
        free(r->g[k].hist_mated);
        free(r->g[k].hist_nonmated);
    }
    free(r->group_of);
    memset(r, 0, sizeof *r);
}
