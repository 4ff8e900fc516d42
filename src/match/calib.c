/* calib.c — calibration of a watch-list threshold from non-mated scores with
 * bootstrap intervals, and the stored summary's text (see calib.h). */
#include "match/calib.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/bootstrap.h"

/* A score with its index: the sort's context travels in the array. */
typedef struct scored {
    float score;
    size_t index;
} scored;

/* Highest score first; equal scores in index order. */
static int cmp_scored_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The indices of the scores, highest score first. */
static size_t *order_desc(const float *score, size_t n)
{
    scored *v = malloc(n * sizeof *v);
    size_t *order = malloc(n * sizeof *order);
    if (v && order) {
        for (size_t i = 0; i < n; i++)
            v[i] = (scored){score[i], i};
        qsort(v, n, sizeof *v, cmp_scored_desc);
        for (size_t i = 0; i < n; i++)
            order[i] = v[i].index;
    } else {
        free(order);
        order = NULL;
    }
    free(v);
    return order;
}

size_t vg_calib_alarms(const float *score, size_t n, double t)
{
    size_t a = 0;
    for (size_t i = 0; i < n; i++)
        a += (double)score[i] > t;
    return a;
}

/* The (floor(target * total) + 1)-th highest score, each sorted score
 * weighted by its subject's count; -inf when the weights never get there. */
static double weighted_threshold(const float *score, const size_t *order, size_t n, const int *subject_of,
                                 const int *counts, double target, double total)
{
    double a = floor(target * total + 1e-9), c = 0;
    for (size_t j = 0; j < n; j++) {
        c += counts[subject_of[order[j]]];
        if (c > a)
            return score[order[j]];
    }
    return -INFINITY;
}

int vg_calib_run(const float *score, const int *subject_of, size_t n, int n_subjects, double target,
                 int replicates, double level, uint64_t *rng, vg_calib_result *out)
{
    *out = (vg_calib_result){.target = target, .nonmated = n, .replicates = replicates};
    if (!n || n_subjects < 1 || !(target >= 0 && target <= 1) || replicates < 0)
        return -1;
    size_t *order = order_desc(score, n);
    int *ones = malloc((size_t)n_subjects * sizeof *ones);
    int *ca = malloc((size_t)n_subjects * sizeof *ca), *cb = malloc((size_t)n_subjects * sizeof *cb);
    double *th = malloc(((size_t)replicates + 1) * sizeof *th), *rate = malloc(((size_t)replicates + 1) * sizeof *rate);
    if (!order || !ones || !ca || !cb || !th || !rate) {
        free(order), free(ones), free(ca), free(cb), free(th), free(rate);
        return -1;
    }
    for (int s = 0; s < n_subjects; s++)
        ones[s] = 1;
    out->threshold = weighted_threshold(score, order, n, subject_of, ones, target, (double)n);
    out->alarms = vg_calib_alarms(score, n, out->threshold);
    out->rate = (double)out->alarms / (double)n;
    for (int b = 0; b < replicates; b++) {
        vg_boot_draw(rng, n_subjects, ca);
        vg_boot_draw(rng, n_subjects, cb);
        double na = (double)vg_boot_size(subject_of, n, ca), nb = (double)vg_boot_size(subject_of, n, cb);
        double t = weighted_threshold(score, order, n, subject_of, ca, target, na);
        double alarms = 0;
        for (size_t j = 0; j < n && (double)score[order[j]] > t; j++)
            alarms += cb[subject_of[order[j]]];
        th[b] = t;
        rate[b] = nb > 0 ? alarms / nb : NAN;
    }
    if (replicates > 0) {
        vg_boot_interval(th, (size_t)replicates, level, &out->threshold_lo, &out->threshold_hi);
        vg_boot_interval(rate, (size_t)replicates, level, &out->rate_lo, &out->rate_hi);
    } else {
        out->threshold_lo = out->threshold_hi = out->rate_lo = out->rate_hi = NAN;
    }
    free(order), free(ones), free(ca), free(cb), free(th), free(rate);
    return 0;
}

/* ---- summary text ---- */

size_t vg_calib_keep(size_t n)
{
    size_t k = (size_t)ceil((double)n * 0.01);
    if (k < 200)
        k = 200;
    return k < n ? k : n;
}

void vg_calib_free(vg_calib *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->e[i].top);
    c->n = 0;
    for (int i = 0; i < c->n_groups; i++)
        free(c->g[i].top);
    free(c->g);
    c->g = NULL;
    c->n_groups = 0;
}

/* Checks the counts and copies the k scores (descending, finite). */
static vg_status copy_scores(int size, long long nonmated, int subjects, const float *desc, size_t k, float **top,
                             vg_err *err)
{
    if (size < 1 || nonmated < 1 || subjects < 1 || (long long)k > nonmated)
        return vg_err_set(err, VG_ERR_INVALID, "calibration of size %d: bad counts", size);
    for (size_t i = 0; i < k; i++)
        if (!isfinite(desc[i]) || (i && desc[i] > desc[i - 1]))
            return vg_err_set(err, VG_ERR_INVALID, "calibration of size %d: scores must be finite and descending",
                              size);
    if (!(*top = malloc((k ? k : 1) * sizeof **top)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if (k)
        memcpy(*top, desc, k * sizeof **top);
    return VG_OK;
}

vg_status vg_calib_set_group(vg_calib *c, const char *group, int size, long long nonmated, int subjects,
                             const float *desc, size_t k, vg_err *err)
{
    size_t len = strlen(group);
    if (!len || len > VG_CALIB_GROUP_NAME_MAX || strpbrk(group, " \t\n\r"))
        return vg_err_set(err, VG_ERR_INVALID, "calibration group '%.64s': 1 to %d bytes without space", group,
                          VG_CALIB_GROUP_NAME_MAX);
    float *top = NULL;
    vg_status st = copy_scores(size, nonmated, subjects, desc, k, &top, err);
    if (st)
        return st;
    int i = 0;
    while (i < c->n_groups && (c->g[i].size < size || (c->g[i].size == size && strcmp(c->g[i].group, group) < 0)))
        i++;
    if (i < c->n_groups && c->g[i].size == size && !strcmp(c->g[i].group, group)) {
        free(c->g[i].top);
    } else {
        int same = 0;
        for (int j = 0; j < c->n_groups; j++)
            same += c->g[j].size == size;
        vg_calib_entry *g = same < VG_CALIB_GROUPS_MAX ? realloc(c->g, (size_t)(c->n_groups + 1) * sizeof *g) : NULL;
        if (!g) {
            free(top);
            return same < VG_CALIB_GROUPS_MAX
                       ? vg_err_set(err, VG_ERR_NOMEM, "out of memory")
                       : vg_err_set(err, VG_ERR_LIMIT, "at most %d groups a watch-list size", VG_CALIB_GROUPS_MAX);
        }
        c->g = g;
        memmove(&c->g[i + 1], &c->g[i], (size_t)(c->n_groups - i) * sizeof c->g[0]);
        c->n_groups++;
    }
    c->g[i] = (vg_calib_entry){.size = size, .nonmated = nonmated, .subjects = subjects, .k = k, .top = top};
    snprintf(c->g[i].group, sizeof c->g[i].group, "%s", group);
    return VG_OK;
}

void vg_calib_drop_groups(vg_calib *c, int size)
{
    int k = 0;
    for (int i = 0; i < c->n_groups; i++) {
        if (!size || c->g[i].size == size)
            free(c->g[i].top);
        else
            c->g[k++] = c->g[i];
    }
    c->n_groups = k;
}

vg_status vg_calib_set(vg_calib *c, int size, long long nonmated, int subjects, const float *desc, size_t k,
                       vg_err *err)
{
    float *top = NULL;
    vg_status st = copy_scores(size, nonmated, subjects, desc, k, &top, err);
    if (st)
        return st;
    int i = 0;
    while (i < c->n && c->e[i].size < size)
        i++;
    if (i < c->n && c->e[i].size == size) {
        free(c->e[i].top);
    } else {
        if (c->n == VG_CALIB_SIZES_MAX) {
            free(top);
            return vg_err_set(err, VG_ERR_LIMIT, "at most %d calibrated watch-list sizes", VG_CALIB_SIZES_MAX);
        }
        memmove(&c->e[i + 1], &c->e[i], (size_t)(c->n - i) * sizeof c->e[0]);
        c->n++;
    }
    c->e[i] = (vg_calib_entry){.size = size, .nonmated = nonmated, .subjects = subjects, .k = k, .top = top};
    return VG_OK;
}

static char *format_entry(char *p, char *s, size_t cap, const vg_calib_entry *e)
{
    if (e->group[0])
        p += snprintf(p, cap - (size_t)(p - s), "group %s ", e->group);
    p += snprintf(p, cap - (size_t)(p - s), "size %d nonmated %lld subjects %d scores %zu", e->size, e->nonmated,
                  e->subjects, e->k);
    for (size_t j = 0; j < e->k; j++)
        p += snprintf(p, cap - (size_t)(p - s), " %.6f", (double)e->top[j]);
    p += snprintf(p, cap - (size_t)(p - s), "\n");
    return p;
}

char *vg_calib_format(const vg_calib *c)
{
    size_t cap = 256 + strlen(c->model);
    for (int i = 0; i < c->n; i++)
        cap += 96 + c->e[i].k * 16;
    for (int i = 0; i < c->n_groups; i++)
        cap += 192 + c->g[i].k * 16;
    char *s = malloc(cap), *p = s;
    if (!s)
        return NULL;
    p += snprintf(p, cap, "vigil-calibration 1\nmodel %s\n", c->model);
    if (c->labels_sha256[0])
        p += snprintf(p, cap - (size_t)(p - s), "groups %s\n", c->labels_sha256);
    for (int i = 0; i < c->n; i++)
        p = format_entry(p, s, cap, &c->e[i]);
    for (int i = 0; c->labels_sha256[0] && i < c->n_groups; i++)
        p = format_entry(p, s, cap, &c->g[i]);
    return s;
}

/* strtoll/strtod that must consume a token followed by space or end. */
static int next_ll(const char **p, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(*p, &end, 10);
    if (errno || end == *p || (*end && *end != ' ' && *end != '\n'))
        return -1;
    *p = end;
    return 0;
}

static int next_word(const char **p, const char *w)
{
    while (**p == ' ')
        (*p)++;
    size_t n = strlen(w);
    if (strncmp(*p, w, n) || ((*p)[n] != ' '))
        return -1;
    *p += n;
    return 0;
}

static vg_status parse_entry(const char *line, int lineno, vg_calib *c, vg_err *err)
{
    const char *p = line;
    char group[VG_CALIB_GROUP_NAME_MAX + 1] = "";
    if (!strncmp(p, "group ", 6)) {
        p += 6;
        size_t n = strcspn(p, " \n");
        if (!c->labels_sha256[0] || !n || n > VG_CALIB_GROUP_NAME_MAX || p[n] != ' ')
            return vg_err_set(err, VG_ERR_INVALID, "calibration line %d: expected 'group NAME size S ...' after a "
                              "'groups SHA256' line", lineno);
        memcpy(group, p, n);
        group[n] = '\0';
        p += n;
    }
    long long size, nm, subj, k;
    if (next_word(&p, "size") || next_ll(&p, &size) || next_word(&p, "nonmated") || next_ll(&p, &nm) ||
        next_word(&p, "subjects") || next_ll(&p, &subj) || next_word(&p, "scores") || next_ll(&p, &k) ||
        size < 1 || size > 100000000 || nm < 1 || subj < 1 || subj > 100000000 || k < 0 || k > nm ||
        k > 10000000)
        return vg_err_set(err, VG_ERR_INVALID,
                          "calibration line %d: expected 'size S nonmated N subjects P scores K s1 ... sK'", lineno);
    float *v = malloc((size_t)(k ? k : 1) * sizeof *v);
    if (!v)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (long long j = 0; j < k; j++) {
        char *end;
        errno = 0;
        double d = strtod(p, &end);
        if (errno || end == p || (*end && *end != ' ' && *end != '\n') || !isfinite(d) || d < -1.5 || d > 1.5) {
            free(v);
            return vg_err_set(err, VG_ERR_INVALID, "calibration line %d: score %lld is not a number in [-1.5, 1.5]",
                              lineno, j + 1);
        }
        v[j] = (float)d;
        p = end;
    }
    while (*p == ' ')
        p++;
    vg_status st = VG_OK;
    if (*p && *p != '\n')
        st = vg_err_set(err, VG_ERR_INVALID, "calibration line %d: more than %lld scores", lineno, k);
    for (int i = 0; !st && !group[0] && i < c->n; i++)
        if (c->e[i].size == size)
            st = vg_err_set(err, VG_ERR_INVALID, "calibration line %d: size %lld given twice", lineno, size);
    for (int i = 0; !st && group[0] && i < c->n_groups; i++)
        if (c->g[i].size == size && !strcmp(c->g[i].group, group))
            st = vg_err_set(err, VG_ERR_INVALID, "calibration line %d: group %s of size %lld given twice", lineno,
                            group, size);
    if (!st) {
        st = group[0] ? vg_calib_set_group(c, group, (int)size, nm, (int)subj, v, (size_t)k, err)
                      : vg_calib_set(c, (int)size, nm, (int)subj, v, (size_t)k, err);
        if (st)
            vg_err_prefix(err, st, "calibration line %d", lineno);
    }
    free(v);
    return st;
}

vg_status vg_calib_parse(const char *text, vg_calib *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    int lineno = 0;
    vg_status st = VG_OK;
    while (*p && !st) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (lineno == 1) {
            if (len != 19 || strncmp(p, "vigil-calibration 1", 19))
                st = vg_err_set(err, VG_ERR_INVALID, "not a vigil calibration (first line must be "
                                                     "'vigil-calibration 1')");
        } else if (lineno == 2) {
            if (len < 7 || strncmp(p, "model ", 6) || len - 6 > VG_CALIB_MODEL_MAX || memchr(p + 6, ' ', len - 6))
                st = vg_err_set(err, VG_ERR_INVALID, "calibration line 2: expected 'model MODEL_ID'");
            else
                memcpy(out->model, p + 6, len - 6), out->model[len - 6] = '\0';
        } else if (lineno == 3 && !strncmp(p, "groups ", 7)) {
            if (len != 7 + 64 || strspn(p + 7, "0123456789abcdef") != 64)
                st = vg_err_set(err, VG_ERR_INVALID, "calibration line 3: expected 'groups SHA256' (64 hex digits)");
            else
                memcpy(out->labels_sha256, p + 7, 64), out->labels_sha256[64] = '\0';
        } else if (len) {
            st = parse_entry(p, lineno, out, err);
        }
        p += len + (nl != NULL);
    }
    if (!st && lineno < 2)
        st = vg_err_set(err, VG_ERR_INVALID, "calibration: no model line");
    for (int i = 0; !st && i < out->n_groups; i++) {
        int pooled = 0;
        for (int j = 0; j < out->n; j++)
            pooled |= out->e[j].size == out->g[i].size;
        if (!pooled)
            st = vg_err_set(err, VG_ERR_INVALID, "calibration: group %s of size %d without the size's pooled line",
                            out->g[i].group, out->g[i].size);
    }
    if (st)
        vg_calib_free(out);
    return st;
}

/* The lookup of one entry at t. */
static void entry_rate(const vg_calib_entry *e, double t, vg_calib_lookup *out)
{
    out->size = e->size;
    out->nonmated = e->nonmated;
    out->alarms = (long long)vg_calib_alarms(e->top, e->k, t);
    /* every score above t is kept unless t is below the lowest kept one */
    out->at_least = (long long)e->k < e->nonmated && (!e->k || t < (double)e->top[e->k - 1]);
    out->rate = (double)out->alarms / (double)e->nonmated;
}

vg_status vg_calib_rate(const vg_calib *c, int list_size, double t, vg_calib_lookup *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    const vg_calib_entry *e = NULL;
    for (int i = 0; i < c->n && !e; i++)
        if (c->e[i].size >= list_size)
            e = &c->e[i];
    if (!e) {
        if (!c->n)
            return vg_err_set(err, VG_ERR_NOT_FOUND, "the calibration of %s holds no watch-list size", c->model);
        return vg_err_set(err, VG_ERR_NOT_FOUND,
                          "no calibration for a watch list of %d subjects (the largest calibrated is %d)", list_size,
                          c->e[c->n - 1].size);
    }
    entry_rate(e, t, out);
    return VG_OK;
}

int vg_calib_rate_groups(const vg_calib *c, int size, double t, vg_calib_lookup *out, const char **names, int max)
{
    int n = 0;
    for (int i = 0; i < c->n_groups && n < max; i++)
        if (c->g[i].size == size) {
            entry_rate(&c->g[i], t, &out[n]);
            names[n++] = c->g[i].group;
        }
    return n;
}

void vg_calib_wilson(double k, double n, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0, *hi = 1;
        return;
    }
    const double z = 1.959963984540054;
    double p = k / n, z2 = z * z;
    double c = (p + z2 / (2 * n)) / (1 + z2 / n);
    double h = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    *lo = c - h < 0 ? 0 : c - h;
    *hi = c + h > 1 ? 1 : c + h;
}
