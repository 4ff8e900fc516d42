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
 * of a kind: the warning says which and why. With --record the run (its
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
     {"--svg", "DIR", "writes groups-det.svg there: each group's DET curve, the threshold marked", 0},
     {"--record", NULL, "keep the run in the store (sealed, audited) for the documents that cite it", 0},
     {0}}};

typedef struct groups_opts {
    const char *dir, *labels, *svg;
    int flip;
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
    return -1;
}

static json_t *ratio_json(const vg_eval_group *g, const vg_eval_ratio *r)
{
    if (isnan(r->value))
        return json_pack("{s:n,s:n,s:n,s:[n,n],s:b,s:s}", "highest", "lowest", "ratio", "ci95", "significant", 0,
                         "note", "no group has an error of this kind at the threshold");
    return json_pack("{s:s,s:s,s:o,s:[o,o],s:b}", "highest", g[r->hi].name, "lowest", g[r->lo].name, "ratio",
                     vg_eval_num_json(r->value), "ci95", vg_eval_num_json(r->ci_lo), vg_eval_num_json(r->ci_hi),
                     "significant", r->ci_lo > 1);
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
                     (double)o->threshold, VG_EVAL_GROUPS_MIN_ERRORS);
            json_array_append_new(warnings, json_string(w));
        }
        if (g->misses < VG_EVAL_GROUPS_MIN_ERRORS) {
            snprintf(w, sizeof w, "group %s: %lld false non-matches at threshold %.3f: fewer than %d errors, so its "
                     "false-non-match rate and any ratio with it cannot be told apart from chance", g->name,
                     g->misses, (double)o->threshold, VG_EVAL_GROUPS_MIN_ERRORS);
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
    return json_pack("{s:s,s:s,s:s,s:f,s:b,s:I,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:o,s:o,s:s,s:f}", "protocol",
                                "groups", "dataset", o->dir, "labels", o->labels, "threshold", (double)o->threshold,
                                "flip", o->flip, "seed", (json_int_t)o->seed, "replicates", (int)o->boot, "images", (int)im->n,
                                "images_without_face", (int)vg_eval_images_without_face(im),
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
           o->labels, o->dir, (double)o->threshold, im->n, vg_eval_images_without_face(im), r->missing,
           r->unlabelled, r->no_ref, o->boot);
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
        st = vg_eval_groups_load(o.labels, &pp, &im, &r, &err);
    im.flip = o.flip;
    if (!st && !(im.face = calloc(im.n ? im.n : 1, sizeof *im.face)))
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    if (!st)
        st = vg_eval_cli_open_embed(cli, &pack, &im, 1, &err);
    if (!st)
        st = vg_eval_groups_run(&pp, &im, o.threshold, (uint64_t)o.seed, (int)o.boot, &r, &err);
    if (!st)
        st = vg_eval_groups_stages(&pp, &im, &r, &err);
    if (!st && o.svg)
        st = vg_eval_groups_svg(o.svg, &r, (double)o.threshold, &err);
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
