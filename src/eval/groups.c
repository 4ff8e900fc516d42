/* groups.c — the computation of `vigil eval groups`: verification error
 * rates per group of a labels file and the differential between groups, in
 * the terms of ISO/IEC 19795-10 (the protocol is described at the head of
 * src/cli/cmd_eval_groups.c). Groups come only from the labels file;
 * nothing here infers a demographic attribute. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "match/bootstrap.h"

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

vg_status vg_eval_groups_load(const char *labels_path, vg_eval_people *pp, vg_eval_images *im,
                              vg_eval_groups_result *out, vg_err *err)
{
    if (!(out->group_of = malloc((pp->n ? pp->n : 1) * sizeof *out->group_of)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < pp->n; p++)
        out->group_of[p] = -1;
    vg_status st = vg_eval_groups_read(labels_path, pp, out->group_of, out->g, &out->n_groups, &out->missing, err);
    if (st)
        return st;
    /* embed only the labelled people's images */
    size_t k = 0;
    for (size_t i = 0; i < im->n; i++) {
        if (out->group_of[pp->person_of[i]] >= 0) {
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

/* The scratch of a run: per person its reference image, its mated
 * comparisons and misses, the bootstrap counts; the false matches (pairs
 * of people). */
typedef struct groups_scratch {
    int *ref, *cnt, *members;
    long long *mated, *miss;
    int (*fm)[2];
    size_t n_fm, cap_fm;
} groups_scratch;

/* References (the first image with a face of each person) and mated
 * comparisons against them (their scores into the person's group's
 * histogram). */
static void mated_comparisons(const vg_eval_people *pp, const vg_eval_images *im, float threshold, groups_scratch *x,
                              vg_eval_groups_result *out)
{
    int dim = im->dim;
    for (size_t p = 0; p < pp->n; p++)
        x->ref[p] = -1;
    for (size_t i = 0; i < im->n; i++) {
        int p = pp->person_of[i];
        if (!im->ok[i])
            continue;
        if (x->ref[p] < 0) {
            x->ref[p] = (int)i;
            continue;
        }
        x->mated[p]++;
        double sc = dotf(im->emb + (size_t)x->ref[p] * dim, im->emb + i * (size_t)dim, dim);
        x->miss[p] += !(sc > threshold);
        int k = out->group_of[p];
        if (k >= 0) {
            out->g[k].hist_mated[vg_eval_hist_bin(sc)]++;
            out->g[k].sum_mated += sc;
        }
    }
}

/* Group k's members, counts and non-mated comparisons (within the group). */
static vg_status group_comparisons(const vg_eval_people *pp, const vg_eval_images *im, float threshold, int k,
                                   int reps, groups_scratch *x, vg_eval_groups_result *out, vg_err *err)
{
    vg_eval_group *g = &out->g[k];
    int dim = im->dim, nm = 0;
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
    g->subjects = nm;
    g->nonmated = (long long)nm * (nm - 1) / 2;
    for (int a = 0; a < nm; a++)
        for (int b = a + 1; b < nm; b++) {
            const float *u = im->emb + (size_t)x->ref[x->members[a]] * dim;
            const float *v = im->emb + (size_t)x->ref[x->members[b]] * dim;
            double sc = dotf(u, v, dim);
            g->hist_nonmated[vg_eval_hist_bin(sc)]++;
            g->sum_nonmated += sc;
            if (!(sc > threshold))
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
    g->rep_fmr = malloc((size_t)reps * sizeof(double));
    g->rep_fnmr = malloc((size_t)reps * sizeof(double));
    if (!g->rep_fmr || !g->rep_fnmr)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
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

vg_status vg_eval_groups_run(const vg_eval_people *pp, const vg_eval_images *im, float threshold, uint64_t seed,
                             int reps, vg_eval_groups_result *out, vg_err *err)
{
    size_t n = pp->n ? pp->n : 1;
    groups_scratch x = {0};
    x.ref = malloc(n * sizeof *x.ref);
    x.cnt = malloc(n * sizeof *x.cnt);
    x.members = malloc(n * sizeof *x.members);
    x.mated = calloc(n, sizeof *x.mated);
    x.miss = calloc(n, sizeof *x.miss);
    vg_status st = VG_OK;
    if (!x.ref || !x.cnt || !x.members || !x.mated || !x.miss)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int k = 0; !st && k < out->n_groups; k++)
        if (!(out->g[k].hist_mated = calloc(VG_EVAL_HIST_BINS, sizeof(long long))) ||
            !(out->g[k].hist_nonmated = calloc(VG_EVAL_HIST_BINS, sizeof(long long))))
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if (!st)
        mated_comparisons(pp, im, threshold, &x, out);
    for (int k = 0; !st && k < out->n_groups; k++)
        st = group_comparisons(pp, im, threshold, k, reps, &x, out, err);
    if (!st)
        st = bootstrap(pp, seed, reps, &x, out, err);
    if (!st) {
        out->fmr_ratio = make_ratio(out->g, out->n_groups, 1, reps);
        out->fnmr_ratio = make_ratio(out->g, out->n_groups, 0, reps);
    }
    free(x.ref);
    free(x.cnt);
    free(x.members);
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
