/* cmd_eval_groups.c — `vigil eval groups --labels CSV`: verification error
 * rates per group and the differential between groups, in the terms of
 * ISO/IEC 19795-10, on a folder-per-person data set.
 *
 * Groups come only from the labels file (person,group lines); vigil never
 * infers a demographic attribute. People of the data set without a label
 * are left out, labelled people absent from it are counted.
 *
 * Per person: the reference is the first image with a face; each other
 * image with a face is a mated comparison, a false non-match when its score
 * is not above the threshold (alarm rule: score > threshold). Non-mated
 * comparisons are between the references of two people of the same group
 * (demographic differentials are measured within a group: impostors of
 * another group would mix two effects), a false match when the score is
 * above the threshold. Per group: FMR, FNMR and their 95 % intervals
 * (bootstrap over the people; a replicate draws from all labelled people and
 * each group keeps its own members' draws). The differential of each rate is
 * the ratio of the group with the highest rate to the group with the lowest
 * (groups fixed from the full data): its interval is that of the same ratio
 * in each replicate, so it can fall below 1, and an interval above 1 is a
 * differential the data supports. A group is too small to conclude when it
 * has fewer than --min-subjects people (default 50) or fewer than 10 errors
 * of a kind: the warning says which and why. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eval.h"
#include "match/bootstrap.h"
#include "vigil/watchlist.h"

#define GROUPS_MAX 32
#define GROUP_NAME_MAX 64
#define MIN_ERRORS 10

static const char usage[] =
    "usage: vigil eval groups (--lfw DIR | --dataset DIR) --labels CSV [--threshold T]\n"
    "                         [--min-subjects M] [--seed S] [--bootstrap B]\n"
    "False-match and false-non-match rates per group at the threshold (default %.2f), with 95 %%\n"
    "intervals (bootstrap over people), and the differential between groups: the ratio of the\n"
    "highest rate to the lowest with its interval. CSV lines: person,group (the data set's folder\n"
    "name; an optional header 'person,group'). Groups come only from this file.\n";

typedef struct group_stat {
    char name[GROUP_NAME_MAX + 1];
    int subjects;
    long long mated, misses;
    long long nonmated, false_matches;
    double fmr, fnmr, fmr_lo, fmr_hi, fnmr_lo, fnmr_hi;
    double *rep_fmr, *rep_fnmr;
} group_stat;

typedef struct ratio {
    int hi, lo;  /* groups */
    double value, ci_lo, ci_hi;
} ratio;

/* Reads person,group lines into group_of[person] (-1: unlabelled). */
static vg_status read_labels(const char *path, const vg_eval_people *pp, int *group_of, group_stat *g, int *n_groups,
                             int *missing, vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "cannot open the labels file %s", path);
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
        if (!comma || comma == line || !comma[1] || strchr(comma + 1, ',') || strlen(comma + 1) > GROUP_NAME_MAX) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'person,group' (a group name of 1 to %d bytes)",
                            path, lineno, GROUP_NAME_MAX);
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
            if (k == GROUPS_MAX) {
                st = vg_err_set(err, VG_ERR_LIMIT, "%s:%d: more than %d groups", path, lineno, GROUPS_MAX);
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

static double dotf(const float *a, const float *b, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += (double)a[i] * b[i];
    return s;
}

static void rates(const group_stat *g, const int *members, int n_members, const int *cnt, const long long *miss,
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

static ratio make_ratio(const group_stat *g, int n, int use_fmr, int reps)
{
    ratio r = {0, 0, NAN, NAN, NAN};
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

static json_t *ratio_json(const group_stat *g, const ratio *r)
{
    if (isnan(r->value))
        return json_pack("{s:n,s:n,s:n,s:[n,n],s:b,s:s}", "highest", "lowest", "ratio", "ci95", "significant", 0,
                         "note", "no group has an error of this kind at the threshold");
    return json_pack("{s:s,s:s,s:o,s:[o,o],s:b}", "highest", g[r->hi].name, "lowest", g[r->lo].name, "ratio",
                     vg_eval_num_json(r->value), "ci95", vg_eval_num_json(r->ci_lo), vg_eval_num_json(r->ci_hi),
                     "significant", r->ci_lo > 1);
}

static void print_ratio(const char *what, const group_stat *g, const ratio *r)
{
    if (isnan(r->value)) {
        printf("%s differential: undefined, no group has an error of this kind at the threshold\n", what);
        return;
    }
    printf("%s differential (max/min): %s / %s = %.3g (95 %% CI %.3g to %.3g): %s\n", what, g[r->hi].name,
           g[r->lo].name, r->value, r->ci_lo, r->ci_hi,
           r->ci_lo > 1 ? "a differential the data supports"
                        : "no significant differential (the interval includes 1)");
}

int vg_eval_groups(const vg_cli *cli, int argc, char **argv)
{
    if (vg_cli_wants_help(argc, argv)) {
        printf(usage, (double)VG_WATCHLIST_THRESHOLD_DEFAULT);
        return VG_EXIT_OK;
    }
    const char *dir = NULL, *labels = NULL, *v = NULL;
    char dir_buf[4096];
    float threshold = VG_WATCHLIST_THRESHOLD_DEFAULT;
    long long min_subj = 50, seed = 1, boot = VG_BOOT_DEFAULT;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = vg_eval_dataset_opt(argc, argv, &i, &dir, dir_buf, sizeof dir_buf)) ||
            (r = vg_cli_opt(argc, argv, &i, "--labels", &labels))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if ((r = vg_cli_opt(argc, argv, &i, "--threshold", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_float(v, &threshold) || !(threshold > -1 && threshold < 1))
                return vg_cli_usage("--threshold takes a number in (-1, 1), not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--min-subjects", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 1, 1000000, &min_subj))
                return vg_cli_usage("--min-subjects takes a number from 1, not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--seed", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 0, INT64_MAX, &seed))
                return vg_cli_usage("--seed takes a non-negative integer, not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--bootstrap", &v))) {
            if (r < 0 || vg_cli_parse_int(v, 1, 100000, &boot))
                return vg_cli_usage("--bootstrap takes a number of replicates from 1 to 100000, not '%s'",
                                    r < 0 ? "" : v);
        } else {
            return vg_cli_usage("eval groups: unexpected '%s'", argv[i]);
        }
    }
    if (!dir || !labels)
        return vg_cli_usage("eval groups needs --lfw DIR or --dataset DIR, and --labels CSV");
    double t0 = vg_eval_now();
    vg_err err = {{0}};
    vg_eval_people pp = {0};
    vg_eval_images im = {0};
    vg_face_pack *pack = NULL;
    group_stat g[GROUPS_MAX];
    memset(g, 0, sizeof g);
    int n_groups = 0, missing = 0, code = VG_EXIT_OK, unlabelled = 0, no_ref = 0;
    int *group_of = NULL, *ref = NULL, *cnt = NULL, *members = NULL;
    long long *mated = NULL, *miss = NULL;
    int(*fm)[2] = NULL;
    size_t n_fm = 0, cap_fm = 0;
    vg_status st = vg_eval_people_load(dir, &pp, &im, &err);
    if (!st) {
        group_of = malloc(pp.n * sizeof *group_of);
        ref = malloc(pp.n * sizeof *ref);
        cnt = malloc(pp.n * sizeof *cnt);
        members = malloc(pp.n * sizeof *members);
        mated = calloc(pp.n, sizeof *mated);
        miss = calloc(pp.n, sizeof *miss);
        if (!group_of || !ref || !cnt || !members || !mated || !miss)
            st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
        for (size_t p = 0; !st && p < pp.n; p++)
            group_of[p] = -1;
    }
    if (!st)
        st = read_labels(labels, &pp, group_of, g, &n_groups, &missing, &err);
    if (!st) { /* embed only the labelled people's images */
        size_t k = 0;
        for (size_t i = 0; i < im.n; i++) {
            if (group_of[pp.person_of[i]] >= 0) {
                char *t = im.paths[k];
                im.paths[k] = im.paths[i];
                im.paths[i] = t;
                pp.person_of[k] = pp.person_of[i];
                k++;
            }
        }
        for (size_t i = k; i < im.n; i++)
            free(im.paths[i]), im.paths[i] = NULL;
        im.n = k;
        for (size_t p = 0; p < pp.n; p++)
            unlabelled += group_of[p] < 0;
    }
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st)
        st = vg_eval_images_alloc(&im, vg_face_pack_dim(pack), &err);
    if (!st && !cli->json)
        fprintf(stderr, "embedding %zu images with %d threads...\n", im.n, vg_cli_threads(cli));
    if (!st)
        st = vg_eval_embed_all(cli, pack, &im, &err);
    if (st) {
        code = vg_cli_fail(st, &err);
        goto out;
    }
    int dim = im.dim;
    for (size_t p = 0; p < pp.n; p++)
        ref[p] = -1;
    for (size_t i = 0; i < im.n; i++) { /* references: first image with a face */
        int p = pp.person_of[i];
        if (!im.ok[i])
            continue;
        if (ref[p] < 0) {
            ref[p] = (int)i;
            continue;
        }
        mated[p]++;
        miss[p] += !(dotf(im.emb + (size_t)ref[p] * dim, im.emb + i * (size_t)dim, dim) > threshold);
    }
    for (int k = 0; k < n_groups; k++) {
        int nm = 0;
        for (size_t p = 0; p < pp.n; p++)
            if (group_of[p] == k) {
                if (ref[p] < 0) {
                    no_ref++;
                    continue;
                }
                members[nm++] = (int)p;
                g[k].mated += mated[p];
                g[k].misses += miss[p];
            }
        g[k].subjects = nm;
        g[k].nonmated = (long long)nm * (nm - 1) / 2;
        for (int a = 0; a < nm; a++)
            for (int b = a + 1; b < nm; b++) {
                const float *x = im.emb + (size_t)ref[members[a]] * dim, *y = im.emb + (size_t)ref[members[b]] * dim;
                if (!(dotf(x, y, dim) > threshold))
                    continue;
                g[k].false_matches++;
                if (n_fm == cap_fm) {
                    size_t nc = cap_fm ? cap_fm * 2 : 1024;
                    int(*q)[2] = realloc(fm, nc * sizeof *q);
                    if (!q) {
                        code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
                        goto out;
                    }
                    fm = q;
                    cap_fm = nc;
                }
                fm[n_fm][0] = members[a];
                fm[n_fm][1] = members[b];
                n_fm++;
            }
        g[k].fmr = g[k].nonmated ? (double)g[k].false_matches / (double)g[k].nonmated : NAN;
        g[k].fnmr = g[k].mated ? (double)g[k].misses / (double)g[k].mated : NAN;
        g[k].rep_fmr = malloc((size_t)boot * sizeof(double));
        g[k].rep_fnmr = malloc((size_t)boot * sizeof(double));
        if (!g[k].rep_fmr || !g[k].rep_fnmr) {
            code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
            goto out;
        }
    }
    /* the bootstrap: one draw over every person with a reference per replicate */
    int n_people = (int)pp.n;
    uint64_t rng = (uint64_t)seed;
    for (int b = 0; b < boot; b++) {
        vg_boot_draw(&rng, n_people, cnt);
        for (size_t p = 0; p < pp.n; p++)
            if (group_of[p] < 0 || ref[p] < 0)
                cnt[p] = 0;
        for (int k = 0; k < n_groups; k++) {
            int nm = 0;
            for (size_t p = 0; p < pp.n; p++)
                if (group_of[p] == k && ref[p] >= 0)
                    members[nm++] = (int)p;
            rates(&g[k], members, nm, cnt, miss, mated, (const int(*)[2])fm, n_fm, group_of, k, &g[k].rep_fmr[b],
                  &g[k].rep_fnmr[b]);
        }
    }
    for (int k = 0; k < n_groups; k++) {
        double *tmp = malloc((size_t)boot * sizeof *tmp);
        if (!tmp) {
            code = vg_cli_fail(vg_err_set(&err, VG_ERR_NOMEM, "out of memory"), &err);
            goto out;
        }
        memcpy(tmp, g[k].rep_fmr, (size_t)boot * sizeof *tmp);
        vg_boot_interval(tmp, (size_t)boot, 0.95, &g[k].fmr_lo, &g[k].fmr_hi);
        memcpy(tmp, g[k].rep_fnmr, (size_t)boot * sizeof *tmp);
        vg_boot_interval(tmp, (size_t)boot, 0.95, &g[k].fnmr_lo, &g[k].fnmr_hi);
        free(tmp);
    }
    ratio rf = make_ratio(g, n_groups, 1, (int)boot), rn = make_ratio(g, n_groups, 0, (int)boot);
    /* warnings: too few people, or too few errors, to conclude */
    json_t *warnings = json_array();
    char w[512];
    for (int k = 0; k < n_groups; k++) {
        if (g[k].subjects < min_subj) {
            snprintf(w, sizeof w, "group %s has %d people, fewer than %lld: too few to conclude (the interval over so "
                     "few people is unreliable, and a handful of them decide its rates)", g[k].name, g[k].subjects,
                     min_subj);
            json_array_append_new(warnings, json_string(w));
        }
        if (g[k].false_matches < MIN_ERRORS) {
            snprintf(w, sizeof w, "group %s: %lld false matches at threshold %.3f: fewer than %d errors, so its false-"
                     "match rate and any ratio with it cannot be told apart from chance", g[k].name, g[k].false_matches,
                     (double)threshold, MIN_ERRORS);
            json_array_append_new(warnings, json_string(w));
        }
        if (g[k].misses < MIN_ERRORS) {
            snprintf(w, sizeof w, "group %s: %lld false non-matches at threshold %.3f: fewer than %d errors, so its "
                     "false-non-match rate and any ratio with it cannot be told apart from chance", g[k].name,
                     g[k].misses, (double)threshold, MIN_ERRORS);
            json_array_append_new(warnings, json_string(w));
        }
    }
    double secs = vg_eval_now() - t0;
    if (cli->json) {
        json_t *arr = json_array();
        for (int k = 0; k < n_groups; k++)
            json_array_append_new(arr, json_pack("{s:s,s:i,s:I,s:I,s:o,s:I,s:I,s:o}", "group", g[k].name, "subjects",
                                                 g[k].subjects, "mated", (json_int_t)g[k].mated, "false_non_matches",
                                                 (json_int_t)g[k].misses, "fnmr",
                                                 vg_eval_ci_json(g[k].fnmr, g[k].fnmr_lo, g[k].fnmr_hi), "nonmated",
                                                 (json_int_t)g[k].nonmated, "false_matches",
                                                 (json_int_t)g[k].false_matches, "fmr",
                                                 vg_eval_ci_json(g[k].fmr, g[k].fmr_lo, g[k].fmr_hi)));
        vg_cli_print_json(json_pack("{s:s,s:s,s:s,s:f,s:I,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:s,s:f}", "protocol",
                                    "groups", "dataset", dir, "labels", labels, "threshold", (double)threshold,
                                    "seed", (json_int_t)seed, "replicates", (int)boot, "images", (int)im.n,
                                    "images_without_face", (int)vg_eval_images_without_face(&im),
                                    "labelled_people_not_in_dataset", missing, "unlabelled_people_left_out",
                                    unlabelled, "groups", arr, "fmr_differential", ratio_json(g, &rf),
                                    "fnmr_differential", ratio_json(g, &rn), "warnings", warnings, "model",
                                    vg_face_pack_model_id(pack), "seconds", secs));
    } else {
        printf("groups from %s on %s: threshold %.3f, %zu images (%zu without a face), %d labelled people not in the "
               "data set, %d unlabelled people left out, %d without a reference image; %lld bootstrap replicates\n",
               labels, dir, (double)threshold, im.n, vg_eval_images_without_face(&im), missing, unlabelled, no_ref,
               boot);
        for (int k = 0; k < n_groups; k++)
            printf("  %-12s %5d people  FNMR %.4f (95 %% CI %.4f to %.4f; %lld of %lld)  FMR %.3g (95 %% CI %.3g to "
                   "%.3g; %lld of %lld)\n", g[k].name, g[k].subjects, g[k].fnmr, g[k].fnmr_lo, g[k].fnmr_hi,
                   g[k].misses, g[k].mated, g[k].fmr, g[k].fmr_lo, g[k].fmr_hi, g[k].false_matches, g[k].nonmated);
        print_ratio("FMR ", g, &rf);
        print_ratio("FNMR", g, &rn);
        for (size_t i = 0; i < json_array_size(warnings); i++)
            printf("warning: %s\n", json_string_value(json_array_get(warnings, i)));
        json_decref(warnings);
        printf("time      %.1f s\n", secs);
    }
out:
    for (int k = 0; k < GROUPS_MAX; k++) {
        free(g[k].rep_fmr);
        free(g[k].rep_fnmr);
    }
    free(fm);
    free(group_of);
    free(ref);
    free(cnt);
    free(members);
    free(mated);
    free(miss);
    vg_eval_images_free(&im);
    vg_eval_people_free(&pp);
    vg_face_pack_close(pack);
    return code;
}
