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
 * of a kind: the warning says which and why.
 *
 * Scoring variants (eval/eval.h, vg_eval_groups_opts): --enrol K templates
 * a person (--fusion max|mean), --probes-after P (the same probes for every
 * K), --norm probe|both (cohort score normalisation against the first face
 * of each unlabelled person), --match-fmr F (the threshold where the pooled
 * within-group FMR is F, to compare variants at one false-match rate).
 * --cache FILE keeps the embeddings (eval/cache.c) so that each variant is
 * replayed without embedding again. With --record the run (its
 * JSON result without the time taken, the labels file's SHA-256, the model
 * and the command line) is kept in the store for `vigil paperwork`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eval.h"
#include "match/bootstrap.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

#define MIN_SUBJECTS 50 /* people a group needs to conclude */
#define SEED 1

const vg_cli_cmd_def vg_eval_groups_def = {
    "eval groups", "", 0, 0, "error rates per group of a labels file and their differential",
    "False-match and false-non-match rates per group at the threshold (default %.2f), with 95 %%\n"
    "intervals (bootstrap over people), and the differential between groups: the ratio of the\n"
    "highest rate to the lowest with its interval. CSV lines: person,group (the data set's folder\n"
    "name; an optional header 'person,group'). Groups come only from this file. The data set is\n"
    "--lfw DIR (DIR/images_deepfunneled) or --dataset DIR (a folder a person): one of them.\n"
    "Also per group: the front end (images without a face, quality, pose, blur, size, exposure,\n"
    "landmark drift) and the mated and non-mated score distributions; --svg DIR: DET curves.\n"
    "Defaults: M %d, S %d, B %d.\n",
    {{"--lfw", "DIR", "the LFW directory (its images_deepfunneled/)", 0},
     {"--dataset", "DIR", "a data set of a folder a person", 0},
     {"--labels", "CSV", "person,group lines", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--threshold", "T", "the threshold, in (-1, 1)", 0},
     {"--min-subjects", "M", "fewer people in a group are too few to conclude, from 1", 0},
     {"--seed", "S", "the bootstrap's seed, a non-negative integer", 0},
     {"--bootstrap", "B", "bootstrap replicates, 1 to 100000", 0},
     {"--flip", NULL, "embeds each face with its mirror too (flip augmentation)", 0},
     {"--cache", "FILE", "reads the embeddings there, embeds what it lacks and writes them back (one model's)", 0},
     {"--enrol", "K", "a person's template is their first K faces, 1 to 5 (default 1)", 0},
     {"--fusion", "max|mean", "with --enrol K > 1: the highest score over the K, or the mean template", 0},
     {"--probes-after", "P", "mated probes: a person's faces after the first P (default K)", 0},
     {"--norm", "none|probe|both", "cohort score normalisation (the unlabelled people's first faces)", 0},
     {"--cohort-top", "N", "normalise by the mean of the N highest cohort scores, 1 to 256 (default 50)", 0},
     {"--match-fmr", "F", "set the threshold where the pooled within-group FMR is F, in (0, 1)", 0},
     {"--svg", "DIR", "writes groups-det.svg there: each group's DET curve, the threshold marked", 0},
     {"--record", NULL, "keep the run in the store (sealed, audited) for the documents that cite it", 0},
     {0}}};

typedef struct groups_opts {
    const char *dir, *labels, *svg, *cache;
    int flip;
    vg_eval_groups_opts run;
    char dir_buf[4096];
    float threshold;
    long long min_subj, seed, boot;
} groups_opts;

/* -1: go on; otherwise the exit status. */
static int parse(const vg_cli_parsed *p, groups_opts *o)
{
    o->dir = NULL;
    o->labels = vg_cli_val(p, "--labels");
    o->svg = vg_cli_val(p, "--svg");
    o->flip = vg_cli_has(p, "--flip");
    o->threshold = VG_WATCHLIST_THRESHOLD_DEFAULT;
    o->min_subj = MIN_SUBJECTS, o->seed = SEED, o->boot = VG_BOOT_DEFAULT;
    const char *v = vg_cli_val(p, "--threshold");
    if (vg_eval_dataset_val(p, &o->dir, o->dir_buf, sizeof o->dir_buf))
        return VG_EXIT_USAGE;
    if (v && (vg_cli_parse_float(v, &o->threshold) || !(o->threshold > -1 && o->threshold < 1)))
        return vg_cli_usage("--threshold takes a number in (-1, 1), not '%s'", v);
    if (vg_eval_int_val(p, "--min-subjects", 1, 1000000, "a number from 1", &o->min_subj) ||
        vg_eval_int_val(p, "--seed", 0, INT64_MAX, "a non-negative integer", &o->seed) ||
        vg_eval_int_val(p, "--bootstrap", 1, 100000, "a number of replicates from 1 to 100000", &o->boot))
        return VG_EXIT_USAGE;
    if (!o->dir || !o->labels)
        return vg_cli_usage("eval groups needs --lfw DIR or --dataset DIR, and --labels CSV");
    o->cache = vg_cli_val(p, "--cache");
    long long enrol = 1, after = -1, top = 50;
    if (vg_eval_int_val(p, "--enrol", 1, VG_EVAL_ENROL_MAX, "a number of faces from 1 to 5", &enrol) ||
        vg_eval_int_val(p, "--probes-after", 1, 100, "a number of faces from 1 to 100", &after) ||
        vg_eval_int_val(p, "--cohort-top", 1, 256, "a number from 1 to 256", &top))
        return VG_EXIT_USAGE;
    if (after >= 0 && after < enrol)
        return vg_cli_usage("--probes-after %lld is below --enrol %lld: a probe would be one of the template's faces",
                            after, enrol);
    memset(&o->run, 0, sizeof o->run);
    o->run.enrol = (int)enrol;
    o->run.probes_after = after >= 0 ? (int)after : (int)enrol;
    o->run.cohort_top = (int)top;
    const char *fu = vg_cli_val(p, "--fusion"), *no = vg_cli_val(p, "--norm"), *mf = vg_cli_val(p, "--match-fmr");
    if (fu && strcmp(fu, "max") && strcmp(fu, "mean"))
        return vg_cli_usage("--fusion takes max or mean, not '%s'", fu);
    o->run.fusion = fu && !strcmp(fu, "mean") ? VG_EVAL_FUSE_MEAN : VG_EVAL_FUSE_MAX;
    if (no && strcmp(no, "none") && strcmp(no, "probe") && strcmp(no, "both"))
        return vg_cli_usage("--norm takes none, probe or both, not '%s'", no);
    o->run.norm = !no || !strcmp(no, "none") ? VG_EVAL_NORM_NONE : !strcmp(no, "probe") ? VG_EVAL_NORM_PROBE
                                                                                       : VG_EVAL_NORM_BOTH;
    double f = 0;
    char *end = NULL;
    if (mf && (!*mf || (f = strtod(mf, &end), *end) || !(f > 0 && f < 1)))
        return vg_cli_usage("--match-fmr takes a rate in (0, 1), not '%s'", mf);
    if (mf && v)
        return vg_cli_usage("--threshold and --match-fmr both set the threshold: give one of them");
    o->run.match_fmr = f;
    o->run.threshold = o->threshold;
    o->run.seed = (uint64_t)o->seed;
    o->run.reps = (int)o->boot;
    return -1;
}

static json_t *ratio_json(const vg_eval_group *g, const vg_eval_ratio *r)
{
    if (isnan(r->value))
        return json_pack("{s:n,s:n,s:n,s:[n,n],s:b,s:s}", "highest", "lowest", "ratio", "ci95", "significant", 0,
                         "note", "no group has an error of this kind at the threshold");
    json_t *j = json_pack("{s:s,s:s,s:o,s:[o,o],s:b}", "highest", g[r->hi].name, "lowest", g[r->lo].name, "ratio",
                          vg_eval_num_json(r->value), "ci95", vg_eval_num_json(r->ci_lo), vg_eval_num_json(r->ci_hi),
                          "significant", r->ci_lo > 1);
    /* JSON has no infinity: the null ratio says why beside it */
    if (j && isinf(r->value))
        json_object_set_new(j, "note", json_string("the lowest group has no error of this kind at the threshold: "
                                                   "the ratio is unbounded"));
    return j;
}

static void print_ratio(const char *what, const vg_eval_group *g, const vg_eval_ratio *r)
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

/* Warnings: too few people, or too few errors, to conclude. */
static json_t *warnings_of(const groups_opts *o, const vg_eval_groups_result *r)
{
    json_t *warnings = json_array();
    char w[512];
    for (int k = 0; k < r->n_groups; k++) {
        const vg_eval_group *g = &r->g[k];
        if (g->subjects < o->min_subj) {
            snprintf(w, sizeof w, "group %s has %d people, fewer than %lld: too few to conclude (the interval over so "
                     "few people is unreliable, and a handful of them decide its rates)", g->name, g->subjects,
                     o->min_subj);
            json_array_append_new(warnings, json_string(w));
        }
        if (g->false_matches < VG_EVAL_GROUPS_MIN_ERRORS) {
            snprintf(w, sizeof w, "group %s: %lld false matches at threshold %.3f: fewer than %d errors, so its false-"
                     "match rate and any ratio with it cannot be told apart from chance", g->name, g->false_matches,
                     r->threshold, VG_EVAL_GROUPS_MIN_ERRORS);
            json_array_append_new(warnings, json_string(w));
        }
        if (g->misses < VG_EVAL_GROUPS_MIN_ERRORS) {
            snprintf(w, sizeof w, "group %s: %lld false non-matches at threshold %.3f: fewer than %d errors, so its "
                     "false-non-match rate and any ratio with it cannot be told apart from chance", g->name,
                     g->misses, r->threshold, VG_EVAL_GROUPS_MIN_ERRORS);
            json_array_append_new(warnings, json_string(w));
        }
    }
    return warnings;
}

/* The quantiles reported of the score distributions. */
static const double quantiles[] = {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999};
#define N_QUANTILES (sizeof quantiles / sizeof quantiles[0])

/* A score distribution: count, mean and quantiles (to the histogram's bin, 0.0005). */
static json_t *dist_json(const long long *hist, long long n, double sum)
{
    json_t *q = json_object();
    for (size_t i = 0; i < N_QUANTILES; i++) {
        char key[16];
        snprintf(key, sizeof key, "%g", quantiles[i]);
        json_object_set_new(q, key, vg_eval_num_json(vg_eval_hist_quantile(hist, n, quantiles[i])));
    }
    return json_pack("{s:I,s:o,s:o}", "n", (json_int_t)n, "mean", vg_eval_num_json(n ? sum / (double)n : NAN),
                     "quantiles", q);
}

/* Cohort images without a face (they are not the groups' images). */
static size_t cohort_without_face(const vg_eval_groups_result *r)
{
    return r->cohort_images - (size_t)r->cohort;
}

static json_t *result_json(const groups_opts *o, const vg_eval_images *im, const vg_face_pack *pack,
                           const vg_eval_groups_result *r, json_t *warnings, double secs)
{
    json_t *arr = json_array();
    for (int k = 0; k < r->n_groups; k++) {
        const vg_eval_group *g = &r->g[k];
        json_array_append_new(arr, json_pack("{s:s,s:i,s:I,s:I,s:o,s:I,s:I,s:o}", "group", g->name, "subjects",
                                             g->subjects, "mated", (json_int_t)g->mated, "false_non_matches",
                                             (json_int_t)g->misses, "fnmr",
                                             vg_eval_ci_json(g->fnmr, g->fnmr_lo, g->fnmr_hi), "nonmated",
                                             (json_int_t)g->nonmated, "false_matches", (json_int_t)g->false_matches,
                                             "fmr", vg_eval_ci_json(g->fmr, g->fmr_lo, g->fmr_hi)));
        json_t *jg = json_array_get(arr, json_array_size(arr) - 1);
        json_object_set_new(jg, "mated_scores", dist_json(g->hist_mated, g->mated, g->sum_mated));
        json_t *fig = json_object();
        for (int s = 0; s < VG_EVAL_STAGES; s++)
            json_object_set_new(fig, vg_eval_stage_names[s],
                                json_pack("{s:o,s:o}", "mean", vg_eval_num_json(g->stage_mean[s]), "median",
                                          vg_eval_num_json(g->stage_median[s])));
        json_object_set_new(jg, "front_end", json_pack("{s:I,s:I,s:I,s:o}", "images", (json_int_t)g->images,
                                                       "without_face", (json_int_t)g->no_face, "context_pass",
                                                       (json_int_t)g->context_pass, "faces", fig));
        json_object_set_new(jg, "nonmated_scores", dist_json(g->hist_nonmated, g->nonmated, g->sum_nonmated));
    }
    static const char *const fusion[] = {"max", "mean"}, *const norm[] = {"none", "probe", "both"};
    json_t *scoring = json_pack("{s:i,s:i,s:s,s:s,s:i,s:i,s:I,s:o,s:I,s:I,s:o,s:I,s:I,s:o}", "enrol", o->run.enrol,
                                "probes_after", o->run.probes_after, "fusion", fusion[o->run.fusion], "norm",
                                norm[o->run.norm], "cohort_top", o->run.cohort_top, "cohort", r->cohort,
                                "cohort_images", (json_int_t)r->cohort_images, "match_fmr",
                                o->run.match_fmr > 0 ? json_real(o->run.match_fmr) : json_null(), "pooled_mated",
                                (json_int_t)r->mated, "pooled_false_non_matches", (json_int_t)r->misses, "pooled_fnmr",
                                vg_eval_num_json(r->mated ? (double)r->misses / (double)r->mated : NAN),
                                "pooled_nonmated", (json_int_t)r->nonmated, "pooled_false_matches",
                                (json_int_t)r->false_matches, "pooled_fmr",
                                vg_eval_num_json(r->nonmated ? (double)r->false_matches / (double)r->nonmated : NAN));
    return json_pack("{s:s,s:s,s:s,s:f,s:o,s:b,s:I,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:s,s:f}", "protocol",
                                "groups", "dataset", o->dir, "labels", o->labels, "threshold", r->threshold,
                                "scoring", scoring,
                                "flip", o->flip, "seed", (json_int_t)o->seed, "replicates", (int)o->boot, "images",
                                (int)(im->n - r->cohort_images), "images_without_face",
                                (int)(vg_eval_images_without_face(im) - cohort_without_face(r)),
                                "labelled_people_not_in_dataset", r->missing, "unlabelled_people_left_out",
                                r->unlabelled, "groups", arr, "fmr_differential", ratio_json(r->g, &r->fmr_ratio),
                                "fnmr_differential", ratio_json(r->g, &r->fnmr_ratio), "warnings", warnings, "model",
                                vg_face_pack_model_id(pack), "seconds", secs);
}

/* --record: the run into the store, with the labels file's SHA-256 and the
 * command line, for the documents that cite it (vigil paperwork). */
static vg_status record_run(const vg_cli *cli, const groups_opts *o, const vg_face_pack *pack, const json_t *res,
                            int argc, char **argv, int64_t *id, vg_err *err)
{
    vg_eval_run *run = calloc(1, sizeof *run);
    if (!run)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    snprintf(run->kind, sizeof run->kind, "groups");
    snprintf(run->model_id, sizeof run->model_id, "%s", vg_face_pack_model_id(pack));
    snprintf(run->dataset, sizeof run->dataset, "%s", o->dir);
    size_t n = snprintf(run->command, sizeof run->command, "vigil"); /* argv: eval groups ... */
    for (int i = 0; i < argc && n < sizeof run->command; i++)
        n += snprintf(run->command + n, sizeof run->command - n, strpbrk(argv[i], " \t'\"") ? " '%s'" : " %s",
                      argv[i]);
    vg_status st = vg_eval_file_sha256(o->labels, run->labels_sha256, err);
    json_t *copy = json_deep_copy(res);
    json_object_del(copy, "seconds"); /* the run's figures, not its speed */
    if (!st && !(run->result = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS)))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    json_decref(copy);
    vg_store *store = NULL;
    if (!st)
        st = vg_cli_open_store(cli, &store, err);
    if (!st)
        st = vg_store_eval_run_add(store, vg_cli_actor(cli), run, id, err);
    vg_store_close(store);
    free(run->result);
    free(run);
    return st;
}

static void print_text(const groups_opts *o, const vg_eval_images *im, const vg_eval_groups_result *r,
                       json_t *warnings, double secs)
{
    printf("groups from %s on %s: threshold %.3f, %zu images (%zu without a face), %d labelled people not in the "
           "data set, %d unlabelled people left out, %d without a reference image; %lld bootstrap replicates\n",
           o->labels, o->dir, r->threshold, im->n - r->cohort_images,
           vg_eval_images_without_face(im) - cohort_without_face(r), r->missing, r->unlabelled, r->no_ref, o->boot);
    static const char *const norm[] = {"none", "probe", "both"};
    printf("scoring: template of %d face(s)%s, probes after %d faces, normalisation %s", o->run.enrol,
           o->run.enrol == 1 ? "" : o->run.fusion == VG_EVAL_FUSE_MEAN ? " (mean)" : " (max)", o->run.probes_after,
           norm[o->run.norm]);
    if (o->run.norm)
        printf(" (the mean of the %d highest of %d cohort faces)", o->run.cohort_top, r->cohort);
    if (o->run.match_fmr > 0)
        printf("; threshold set at pooled FMR %g", o->run.match_fmr);
    printf("\npooled: FNMR %.4f (%lld of %lld)  FMR %.3g (%lld of %lld)\n",
           r->mated ? (double)r->misses / (double)r->mated : NAN, r->misses, r->mated,
           r->nonmated ? (double)r->false_matches / (double)r->nonmated : NAN, r->false_matches, r->nonmated);
    for (int k = 0; k < r->n_groups; k++) {
        const vg_eval_group *g = &r->g[k];
        printf("  %-12s %5d people  FNMR %.4f (95 %% CI %.4f to %.4f; %lld of %lld)  FMR %.3g (95 %% CI %.3g to "
               "%.3g; %lld of %lld)\n", g->name, g->subjects, g->fnmr, g->fnmr_lo, g->fnmr_hi, g->misses, g->mated,
               g->fmr, g->fmr_lo, g->fmr_hi, g->false_matches, g->nonmated);
    }
    print_ratio("FMR ", r->g, &r->fmr_ratio);
    print_ratio("FNMR", r->g, &r->fnmr_ratio);
    printf("front end (images without a face; found by the context pass; median of the faces found):\n");
    for (int k = 0; k < r->n_groups; k++) {
        const vg_eval_group *g = &r->g[k];
        printf("  %-12s %lld of %lld without a face (%.2f %%), %lld by the context pass;", g->name, g->no_face,
               g->images, g->images ? 100.0 * (double)g->no_face / (double)g->images : 0.0, g->context_pass);
        for (int s = 0; s < VG_EVAL_STAGES; s++)
            printf(" %s %.3g", vg_eval_stage_names[s], g->stage_median[s]);
        printf("\n");
    }
    printf("scores (mean; quantiles");
    for (size_t i = 0; i < N_QUANTILES; i++)
        printf(" %g", quantiles[i]);
    printf("):\n");
    for (int k = 0; k < r->n_groups; k++)
        for (int m = 0; m < 2; m++) {
            const vg_eval_group *g = &r->g[k];
            const long long *h = m ? g->hist_nonmated : g->hist_mated;
            long long n = m ? g->nonmated : g->mated;
            printf("  %-12s %-9s %.4f;", m ? "" : g->name, m ? "non-mated" : "mated",
                   n ? (m ? g->sum_nonmated : g->sum_mated) / (double)n : NAN);
            for (size_t i = 0; i < N_QUANTILES; i++)
                printf(" %.4f", vg_eval_hist_quantile(h, n, quantiles[i]));
            printf("\n");
        }
    if (o->svg)
        printf("curves    %s/groups-det.svg\n", o->svg);
    for (size_t i = 0; i < json_array_size(warnings); i++)
        printf("warning: %s\n", json_string_value(json_array_get(warnings, i)));
    json_decref(warnings);
    printf("time      %.1f s\n", secs);
}

/* --cache FILE: the embeddings the file holds (refused when another model,
 * detector or flip setting made it, or when it is damaged: then the file is
 * left as it is), the rest embedded and the file written back with them. */
static vg_status embed_cached(const vg_cli *cli, const groups_opts *o, vg_face_pack **pack, vg_eval_images *im,
                              size_t *from_cache, vg_err *err)
{
    vg_status st = vg_cli_open_pack(cli, pack, err);
    if (!st)
        st = vg_eval_images_alloc(im, vg_face_pack_dim(*pack), err);
    if (st)
        return st;
    const char *model = vg_face_pack_model_id(*pack), *det = vg_face_pack_detector(*pack);
    vg_eval_cache c;
    int found = 0;
    if ((st = vg_eval_cache_read(o->cache, model, det, o->flip, im->dim, &c, &found, err)))
        return st;
    unsigned char *have = calloc(im->n ? im->n : 1, 1);
    vg_eval_images sub = {0};
    if (!have) {
        vg_eval_cache_free(&c);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    *from_cache = vg_eval_cache_apply(&c, o->dir, im, have);
    sub.n = im->n - *from_cache;
    sub.flip = im->flip;
    sub.paths = malloc((sub.n ? sub.n : 1) * sizeof *sub.paths); /* borrowed from im */
    sub.face = calloc(sub.n ? sub.n : 1, sizeof *sub.face);
    if (!sub.paths || !sub.face)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0, j = 0; !st && i < im->n; i++)
        if (!have[i])
            sub.paths[j++] = im->paths[i];
    if (!st && sub.n)
        st = vg_eval_images_alloc(&sub, im->dim, err);
    if (!st && !cli->json)
        fprintf(stderr, "%zu images from the cache %s, embedding %zu with %d threads...\n", *from_cache, o->cache,
                sub.n, vg_cli_threads(cli));
    if (!st && sub.n)
        st = vg_eval_cli_embed(cli, *pack, &sub, err);
    for (size_t i = 0, j = 0; !st && i < im->n; i++)
        if (!have[i]) {
            im->ok[i] = sub.ok[j];
            memcpy(im->emb + i * (size_t)im->dim, sub.emb + j * (size_t)im->dim, (size_t)im->dim * sizeof(float));
            if (im->face)
                im->face[i] = sub.face[j];
            j++;
        }
    if (!st && (sub.n || !found))
        st = vg_eval_cache_write(o->cache, found ? &c : NULL, o->dir, im, model, det, o->flip, err);
    free(sub.paths);
    sub.paths = NULL;
    sub.n = 0;
    vg_eval_images_free(&sub);
    free(have);
    vg_eval_cache_free(&c);
    return st;
}

int vg_eval_groups(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_cmd_def def;
    char text[1024];
    vg_cli_parsed p;
    int code = vg_eval_parse(&vg_eval_groups_def, &def, text, sizeof text, argc, argv, &p,
                             (double)VG_WATCHLIST_THRESHOLD_DEFAULT, MIN_SUBJECTS, SEED, VG_BOOT_DEFAULT);
    if (code >= 0)
        return code;
    groups_opts o;
    if ((code = parse(&p, &o)) >= 0)
        return code;
    double t0 = vg_eval_now();
    vg_err err = {{0}};
    vg_eval_people pp = {0};
    vg_eval_images im = {0};
    vg_face_pack *pack = NULL;
    vg_eval_groups_result r;
    memset(&r, 0, sizeof r);
    vg_status st = vg_eval_people_load(o.dir, &pp, &im, &err);
    if (!st)
        st = vg_eval_groups_load(o.labels, &pp, &im, o.run.norm != VG_EVAL_NORM_NONE, &r, &err);
    im.flip = o.flip;
    if (!st && !(im.face = calloc(im.n ? im.n : 1, sizeof *im.face)))
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    size_t from_cache = 0;
    if (!st && !o.cache)
        st = vg_eval_cli_open_embed(cli, &pack, &im, 1, &err);
    else if (!st)
        st = embed_cached(cli, &o, &pack, &im, &from_cache, &err);
    if (!st)
        st = vg_eval_groups_run(&pp, &im, &o.run, &r, &err);
    if (!st)
        st = vg_eval_groups_stages(&pp, &im, &r, &err);
    if (!st && o.svg)
        st = vg_eval_groups_svg(o.svg, &r, r.threshold, &err);
    code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
    } else {
        json_t *warnings = warnings_of(&o, &r);
        json_t *res = result_json(&o, &im, pack, &r, json_incref(warnings), vg_eval_now() - t0);
        int64_t id = 0;
        if (vg_cli_has(&p, "--record") && (st = record_run(cli, &o, pack, res, argc, argv, &id, &err)))
            code = vg_cli_fail(st, &err);
        if (!st && cli->json) {
            if (id)
                json_object_set_new(res, "recorded_run", json_integer(id));
            vg_cli_print_json(json_incref(res));
            json_decref(warnings);
        } else if (!st) {
            print_text(&o, &im, &r, json_incref(warnings), vg_eval_now() - t0);
            if (id)
                printf("recorded as evaluation run %lld\n", (long long)id);
            json_decref(warnings);
        } else
            json_decref(warnings);
        json_decref(res);
    }
    vg_eval_groups_result_free(&r);
    vg_eval_images_free(&im);
    vg_eval_people_free(&pp);
    vg_face_pack_close(pack);
    return code;
}
