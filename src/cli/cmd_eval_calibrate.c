/* cmd_eval_calibrate.c — `vigil eval calibrate`: the threshold that keeps
 * the expected false alerts of a watch list of S subjects to K in N faces,
 * from the non-mated score distribution of a folder-per-person data set,
 * with 95 % intervals (bootstrap over subjects; match/calib.h).
 *
 * Protocol, for each size S: the people are shuffled (Fisher-Yates driven
 * by splitmix64 from --seed) and the first S whose first image has a face
 * make the gallery, one template each (the first image). The first image
 * with a face of every other person (--images-per-person M: the first M; 0:
 * all) is a non-mated search; its score is the rank-1 score of the gallery
 * (vg_gallery, exact re-ranking). One face a person is the default because a
 * crowd is many people passing once, and because LFW holds up to 530 images
 * of one person: counting them all lets the few people photographed most
 * decide the rate (docs/evaluation.md shows the held-out check failing with
 * every image and passing with one a person). Images without a face are not
 * faces scanned and are only counted. The bootstrap resamples the
 * non-mated people. --holdout DIR searches the people of another data set
 * (identities not used for calibration) against the same gallery and
 * reports their false-alert rate at the chosen threshold.
 *
 * --labels CSV (person,group lines, as `vigil eval groups` reads them)
 * calibrates with groups: each group's non-mated searches (its people's)
 * give the group's own threshold for the target, and the threshold chosen
 * is the highest of them and the pooled one, the single threshold at which
 * every group's false-alert rate and the pooled rate are at most the target
 * (no group gets its own threshold: vigil never decides by a person's
 * group). Each group's rate at it is reported with its Wilson 95 % interval;
 * a group too small to show the target (the interval's upper end above it)
 * is warned about. The saved summary then holds each group's scores and the
 * labels file's SHA-256 (match/calib.h), so deployments are checked for
 * every group and their paperwork says the calibration was made with groups.
 *
 * --save keeps each size's summary (match/calib.h) in the store, for the
 * embedder's model id; --export FILE writes (merges into) the same text as a
 * file, which is how the repository's default calibration is made
 * (scripts/make-calibration). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/eval.h"
#include "match/bootstrap.h"
#include "match/calib.h"
#include "vigil/match.h"
#include "vigil/store.h"


const vg_cli_cmd_def vg_eval_calibrate_def = {
    "eval calibrate", "", 0, 0, "the threshold for at most K false alerts in N faces",
    "The threshold at which a watch list of S subjects raises at most K false alerts in N faces of\n"
    "people not on it (alarm: rank-1 score above the threshold), from the data set's non-mated\n"
    "searches, with 95 %% intervals from a bootstrap over the non-mated people (B replicates,\n"
    "default %d). The data set is --lfw DIR or --dataset DIR (one of them); S comes from\n"
    "--watchlist-size or --watchlist (one of them), which takes S from a watch list in the store.\n"
    "A person of the crowd is one face: M images a person (default 1, the first with a face; 0:\n"
    "all) are searched. Images that --label-errors (with --lfw: DIR/known-label-errors.txt) says\n"
    "show a listed person are left out. --holdout DIR: the false-alert rate at the threshold on\n"
    "other people. --labels CSV (person,group lines): the one threshold at which every group's\n"
    "false-alert rate, not only the pooled one, is at most K/N, with each group's rate. --save keeps\n"
    "the score summary in the store (deployments are checked against it); --export FILE writes it.\n",
    {{"--lfw", "DIR", "the LFW directory (its images_deepfunneled/)", 0},
     {"--dataset", "DIR", "a data set of a folder a person", 0},
     {"--crowd", "N", "the faces seen, from 1", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--max-false-alerts", "K", "the false alerts allowed in them, from 0", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--watchlist-size", "S[,S...]", "the watch list sizes, each from 1", 0},
     {"--watchlist", "NAME", "the size of this watch list", 0},
     {"--images-per-person", "M", "images searched a person of the crowd, 0 for all", 0},
     {"--seed", "S", "the shuffle's seed, a non-negative integer", 0},
     {"--bootstrap", "B", "bootstrap replicates, 0 to 100000", 0},
     {"--holdout", "DIR", "a data set of other people to check the threshold on", 0},
     {"--label-errors", "FILE", "images showing a listed person, left out", 0},
     {"--labels", "CSV", "person,group lines: every group's rate under the target", VG_OPT_CHECKED},
     {"--save", NULL, "keeps the summary in the store", 0},
     {"--export", "FILE", "writes (merges into) the summary as a file", 0},
     {0}}};

static int parse_sizes(const char *s, int *sizes, int *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 1 || v > 1000000 || *n == VG_CALIB_SIZES_MAX || (*end && *end != ','))
            return -1;
        sizes[(*n)++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return *n ? 0 : -1;
}

static vg_status merge_text(const char *old, const char *model, const vg_eval_cal_size *cs, int n,
                             const char *labels_sha, char **out, vg_err *err)
{
    vg_calib c;
    memset(&c, 0, sizeof c);
    vg_status st = VG_OK;
    if (old && (st = vg_calib_parse(old, &c, err)))
        return st;
    if (old && strcmp(c.model, model) != 0) {
        st = vg_err_set(err, VG_ERR_INVALID, "it holds a calibration of model %s, not of %s", c.model, model);
        vg_calib_free(&c);
        return st;
    }
    snprintf(c.model, sizeof c.model, "%s", model);
    /* groups of another labels file no longer go with the sizes: dropped */
    if (labels_sha && strcmp(c.labels_sha256, labels_sha))
        vg_calib_drop_groups(&c, 0);
    for (int i = 0; !st && i < n; i++) {
        st = vg_calib_set(&c, cs[i].size, (long long)cs[i].n, (int)cs[i].subjects, cs[i].desc,
                          vg_calib_keep(cs[i].n), err);
        vg_calib_drop_groups(&c, cs[i].size);
        for (int k = 0; !st && cs[i].groups && k < cs[i].groups->n; k++) {
            const vg_eval_cal_group *g = &cs[i].groups->g[k];
            st = vg_calib_set_group(&c, g->name, cs[i].size, (long long)g->n, (int)g->subjects, g->desc,
                                    vg_calib_keep(g->n), err);
        }
    }
    if (labels_sha)
        snprintf(c.labels_sha256, sizeof c.labels_sha256, "%s", labels_sha);
    else if (!c.n_groups)
        c.labels_sha256[0] = '\0';
    if (!st && !(*out = vg_calib_format(&c)))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_calib_free(&c);
    return st;
}

static vg_status read_text_file(const char *path, char **text, vg_err *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? VG_ERR_NOT_FOUND : vg_err_set(err, VG_ERR_IO, "cannot read %s", path);
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *g = cap < ((size_t)64 << 20) ? realloc(b, cap * 2 + 1) : NULL;
            if (!g) {
                free(b);
                b = NULL;
                break;
            }
            b = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        return vg_err_set(err, VG_ERR_LIMIT, "%s is too large for a calibration", path);
    b[n] = '\0';
    *text = b;
    return VG_OK;
}

static vg_status export_file(const char *path, const char *model, const vg_eval_cal_size *cs, int n,
                             const char *labels_sha, vg_err *err)
{
    char *old = NULL, *text = NULL;
    vg_status st = read_text_file(path, &old, err);
    if (st == VG_ERR_NOT_FOUND)
        st = VG_OK;
    if (!st && (st = merge_text(old, model, cs, n, labels_sha, &text, err)))
        vg_err_prefix(err, st, "%s", path);
    free(old);
    if (st)
        return st;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f))
        ok = 0;
    free(text);
    if (!ok || rename(tmp, path)) {
        unlink(tmp);
        return vg_err_set(err, VG_ERR_IO, "cannot write %s", path);
    }
    return VG_OK;
}

static vg_status save_store(const vg_cli *cli, const char *model, const vg_eval_cal_size *cs, int n,
                            const char *labels_sha, vg_err *err)
{
    vg_store *s = NULL;
    vg_status st = vg_cli_open_store(cli, &s, err);
    char *old = NULL, *text = NULL;
    if (!st) {
        st = vg_store_calibration_get(s, model, &old, err);
        if (st == VG_ERR_NOT_FOUND)
            st = VG_OK;
    }
    if (!st)
        st = merge_text(old, model, cs, n, labels_sha, &text, err);
    if (!st)
        st = vg_store_calibration_put(s, vg_cli_actor(cli), model, text, err);
    free(old);
    free(text);
    vg_store_close(s);
    return st;
}

typedef struct cal_opts {
    const char *dir, *holdout, *sizes_s, *wl_name, *export_path, *label_errors, *labels;
    char dir_buf[4096], le_buf[4200];
    long long crowd, k_alerts, seed, boot, per_person;
    int save;
    int sizes[VG_CALIB_SIZES_MAX], n_sizes;
} cal_opts;

/* -1: go on; otherwise the exit status. */
static int parse(const vg_cli_parsed *p, cal_opts *o)
{
    memset(o, 0, sizeof *o);
    o->k_alerts = -1, o->seed = VG_EVAL_CAL_SEED, o->boot = VG_BOOT_DEFAULT, o->per_person = 1;
    o->save = vg_cli_has(p, "--save");
    o->holdout = vg_cli_val(p, "--holdout");
    o->sizes_s = vg_cli_val(p, "--watchlist-size");
    o->wl_name = vg_cli_val(p, "--watchlist");
    o->label_errors = vg_cli_val(p, "--label-errors");
    o->export_path = vg_cli_val(p, "--export");
    o->labels = vg_cli_val(p, "--labels");
    if (vg_eval_dataset_val(p, &o->dir, o->dir_buf, sizeof o->dir_buf) ||
        vg_eval_int_val(p, "--crowd", 1, 1000000000000LL, "a number of faces from 1", &o->crowd) ||
        vg_eval_int_val(p, "--max-false-alerts", 0, 1000000000000LL, "a number from 0", &o->k_alerts) ||
        vg_eval_int_val(p, "--images-per-person", 0, 1000000, "a number from 0 (all)", &o->per_person) ||
        vg_eval_int_val(p, "--seed", 0, INT64_MAX, "a non-negative integer", &o->seed) ||
        vg_eval_int_val(p, "--bootstrap", 0, 100000, "a number of replicates from 0 to 100000", &o->boot))
        return VG_EXIT_USAGE;
    if (!o->dir || !o->crowd || o->k_alerts < 0 || (!o->sizes_s == !o->wl_name))
        return vg_cli_usage("eval calibrate needs --lfw DIR or --dataset DIR, --crowd N, --max-false-alerts K and "
                            "one of --watchlist-size S or --watchlist NAME");
    if (o->k_alerts > o->crowd)
        return vg_cli_usage("--max-false-alerts %lld is more than the crowd of %lld faces", o->k_alerts, o->crowd);
    if (o->sizes_s && parse_sizes(o->sizes_s, o->sizes, &o->n_sizes))
        return vg_cli_usage("--watchlist-size takes up to %d sizes from 1, separated by commas, not '%s'",
                            VG_CALIB_SIZES_MAX, o->sizes_s);
    if (!o->label_errors && strcmp(o->dir, o->dir_buf) == 0) { /* --lfw DIR: DIR/known-label-errors.txt */
        snprintf(o->le_buf, sizeof o->le_buf, "%.*s/known-label-errors.txt",
                 (int)(strlen(o->dir) - strlen("/images_deepfunneled")), o->dir);
        o->label_errors = o->le_buf;
    }
    return -1;
}

/* --watchlist NAME: the one size is the list's number of subjects. */
static int size_of_watchlist(const vg_cli *cli, cal_opts *o)
{
    vg_err err = {{0}};
    vg_store *s = NULL;
    vg_watchlist wl;
    vg_status st = vg_cli_open_store(cli, &s, &err);
    if (!st)
        st = vg_store_watchlist_get(s, o->wl_name, &wl, &err);
    vg_store_close(s);
    if (st)
        return vg_cli_fail(st, &err);
    if (wl.subjects < 1)
        return vg_cli_usage("watch list %s has no subject: give --watchlist-size", o->wl_name);
    o->sizes[0] = wl.subjects;
    o->n_sizes = 1;
    return -1;
}

/* The data, its embeddings and the held-out people's. */
typedef struct cal_data {
    vg_eval_labels *labels; /* NULL without a label-errors file */
    vg_eval_people pp, hp;
    vg_eval_images im, him;
    vg_face_pack *pack;
    size_t to_embed;
    int *group_of;          /* with --labels: person -> group, -1 unlabelled */
    vg_eval_group *groups;  /* their names */
    int n_groups, labels_missing, unlabelled;
    char labels_sha[65];
} cal_data;

static vg_status load(const vg_cli *cli, const cal_opts *o, cal_data *d, vg_err *err)
{
    vg_status st = VG_OK;
    if (o->label_errors) {
        int found = 0;
        if (!(d->labels = malloc(sizeof *d->labels))) /* 100 KB: not on the stack */
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        st = vg_eval_labels_load(o->label_errors, d->labels, &found, err);
        if (!found)
            free(d->labels), d->labels = NULL;
    }
    if (!st)
        st = vg_eval_people_load(o->dir, &d->pp, &d->im, err);
    if (!st && o->labels) {
        d->group_of = malloc((d->pp.n ? d->pp.n : 1) * sizeof *d->group_of);
        d->groups = calloc(VG_EVAL_GROUPS_MAX, sizeof *d->groups);
        if (!d->group_of || !d->groups)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        for (size_t p = 0; p < d->pp.n; p++)
            d->group_of[p] = -1;
        st = vg_eval_groups_read(o->labels, &d->pp, d->group_of, d->groups, &d->n_groups, &d->labels_missing, err);
        if (!st)
            st = vg_eval_file_sha256(o->labels, d->labels_sha, err);
        for (size_t p = 0; !st && p < d->pp.n; p++)
            d->unlabelled += d->group_of[p] < 0;
    }
    if (!st && o->holdout && (st = vg_eval_people_load(o->holdout, &d->hp, &d->him, err)))
        vg_err_prefix(err, st, "--holdout");
    for (size_t p = 0; !st && o->holdout && p < d->hp.n; p++)
        if (vg_eval_people_find(&d->pp, d->hp.name[p]) >= 0)
            st = vg_err_set(err, VG_ERR_INVALID, "%s is in both the data set and --holdout: held-out people must "
                            "be others", d->hp.name[p]);
    if (!st)
        st = vg_cli_open_pack(cli, &d->pack, err);
    if (!st)
        st = vg_eval_images_alloc(&d->im, vg_face_pack_dim(d->pack), err);
    if (!st && o->holdout)
        st = vg_eval_images_alloc(&d->him, vg_face_pack_dim(d->pack), err);
    /* with M images a person, only each person's first M + 2 are embedded (two spares for images
     * without a face; a person whose spares all lack a face is searched fewer times) */
    int spare = (int)o->per_person + 2;
    if (!st && o->per_person && (st = vg_eval_skip_beyond(&d->pp, &d->im, spare, err)) == VG_OK && o->holdout)
        st = vg_eval_skip_beyond(&d->hp, &d->him, spare, err);
    for (size_t i = 0; !st && i < d->im.n + d->him.n; i++)
        d->to_embed += i < d->im.n ? !(d->im.skip && d->im.skip[i]) : !(d->him.skip && d->him.skip[i - d->im.n]);
    if (!st && !cli->json)
        fprintf(stderr, "embedding %zu images with %d threads...\n", d->to_embed, vg_cli_threads(cli));
    if (!st)
        st = vg_eval_cli_embed(cli, d->pack, &d->im, err);
    if (!st && o->holdout)
        st = vg_eval_cli_embed(cli, d->pack, &d->him, err);
    return st;
}

static void cal_data_free(cal_data *d)
{
    free(d->labels);
    free(d->group_of);
    free(d->groups);
    vg_eval_images_free(&d->im);
    vg_eval_images_free(&d->him);
    vg_eval_people_free(&d->pp);
    vg_eval_people_free(&d->hp);
    vg_face_pack_close(d->pack);
}

/* A group too small to show the target: even with no search above the
 * threshold, the Wilson interval's upper end of 0 in its n is above it. */
static int too_small(const vg_eval_cal_group *g, double target)
{
    double lo, hi;
    vg_calib_wilson(0, (double)g->n, &lo, &hi);
    return hi > target;
}

static json_t *groups_json(const cal_opts *o, const cal_data *d, const vg_eval_cal_size *c)
{
    const vg_eval_cal_groups *gs = c->groups;
    double target = (double)o->k_alerts / (double)o->crowd;
    json_t *arr = json_array();
    for (int k = 0; k < gs->n; k++) {
        const vg_eval_cal_group *g = &gs->g[k];
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:o,s:I,s:o,s:b}", "group", g->name, "nonmated",
                                             (json_int_t)g->n, "subjects", (json_int_t)g->subjects,
                                             "own_threshold", vg_eval_num_json(g->own_threshold), "alarms",
                                             (json_int_t)g->alarms, "false_alert_rate",
                                             vg_eval_ci_json(g->rate, g->rate_lo, g->rate_hi), "too_few_to_show_target",
                                             too_small(g, target)));
    }
    return json_pack("{s:s,s:s,s:o,s:s?,s:o,s:I,s:o,s:I,s:s,s:o}", "labels", o->labels, "labels_sha256",
                     d->labels_sha, "threshold", vg_eval_num_json(gs->threshold), "decided_by",
                     gs->decided_by < 0 ? NULL : gs->g[gs->decided_by].name, "pooled_threshold",
                     vg_eval_num_json(c->r.threshold), "alarms", (json_int_t)gs->pooled_alarms, "false_alert_rate",
                     vg_eval_ci_json(gs->pooled_rate, gs->pooled_lo, gs->pooled_hi), "unlabelled_nonmated",
                     (json_int_t)gs->unlabelled, "interval", "Wilson 95 %", "groups", arr);
}

static json_t *size_json(const cal_opts *o, const cal_data *d, const vg_eval_cal_size *c)
{
    double crowd = (double)o->crowd;
    json_t *j = json_pack("{s:i,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:i}", "watchlist_size", c->size, "threshold",
                          vg_eval_num_json(c->r.threshold), "threshold_ci95",
                          json_pack("[o,o]", vg_eval_num_json(c->r.threshold_lo), vg_eval_num_json(c->r.threshold_hi)),
                          "nonmated", (json_int_t)c->n, "nonmated_subjects", (json_int_t)c->subjects, "alarms",
                          (json_int_t)c->r.alarms, "false_alert_rate",
                          vg_eval_ci_json(c->r.rate, c->r.rate_lo, c->r.rate_hi), "expected_false_alerts",
                          vg_eval_ci_json(c->r.rate * crowd, c->r.rate_lo * crowd, c->r.rate_hi * crowd),
                          "gallery_people_skipped_without_face", (int)c->no_face_gallery_skipped);
    json_object_set_new(j, "excluded_label_errors", json_integer((json_int_t)c->excluded));
    json_t *top = json_array();
    for (int k = 0; k < c->n_top; k++)
        json_array_append_new(top, json_pack("{s:s,s:s,s:f}", "image", d->im.paths[c->top_img[k]], "candidate",
                                             d->pp.name[c->top_cand[k]], "score", (double)c->top_score[k]));
    json_object_set_new(j, "highest_nonmated", top);
    if (c->groups)
        json_object_set_new(j, "with_groups", groups_json(o, d, c));
    if (o->holdout)
        json_object_set_new(j, "holdout",
                            json_pack("{s:I,s:I,s:I,s:I,s:f}", "nonmated", (json_int_t)c->ho_n,
                                      "excluded_label_errors", (json_int_t)c->ho_excluded, "subjects",
                                      (json_int_t)c->ho_subjects, "alarms", (json_int_t)c->ho_alarms,
                                      "false_alert_rate", c->ho_n ? (double)c->ho_alarms / (double)c->ho_n : 0.0));
    return j;
}

static void print_json(const cal_opts *o, const cal_data *d, const vg_eval_cal_size *cs, double secs)
{
    json_t *arr = json_array();
    for (int i = 0; i < o->n_sizes; i++)
        json_array_append_new(arr, size_json(o, d, &cs[i]));
    double target = (double)o->k_alerts / (double)o->crowd;
    vg_cli_print_json(json_pack("{s:s,s:s,s:s?,s:I,s:I,s:I,s:f,s:I,s:i,s:i,s:i,s:i,s:o,s:b,s:s?,s:s,s:f}",
                                "protocol", "calibration", "dataset", o->dir, "label_errors",
                                d->labels ? o->label_errors : NULL, "images_per_person", (json_int_t)o->per_person,
                                "crowd", (json_int_t)o->crowd, "max_false_alerts", (json_int_t)o->k_alerts,
                                "target_rate", target, "seed", (json_int_t)o->seed, "replicates", (int)o->boot,
                                "images", (int)d->im.n, "images_without_face",
                                (int)vg_eval_images_without_face(&d->im), "images_embedded", (int)d->to_embed,
                                "sizes", arr, "saved", o->save, "exported", o->export_path, "model",
                                vg_face_pack_model_id(d->pack), "seconds", secs));

}

static void print_groups(const cal_opts *o, const cal_data *d, const vg_eval_cal_size *c)
{
    const vg_eval_cal_groups *gs = c->groups;
    double target = (double)o->k_alerts / (double)o->crowd;
    printf("  with groups from %s (SHA-256 %.12s...; %d labelled people not in the data set, %d unlabelled, "
           "searched in the pooled rate only: %zu searches):\n", o->labels, d->labels_sha, d->labels_missing,
           d->unlabelled, gs->unlabelled);
    printf("  threshold for every group: %.4f (%s); pooled: %zu of %zu above it, rate %.3g (Wilson 95 %% %.3g to "
           "%.3g)\n", gs->threshold, gs->decided_by < 0 ? "the pooled threshold already keeps every group under "
           "the target" : "raised from the pooled threshold by the group below", gs->pooled_alarms, c->n,
           gs->pooled_rate, gs->pooled_lo, gs->pooled_hi);
    for (int k = 0; k < gs->n; k++) {
        const vg_eval_cal_group *g = &gs->g[k];
        printf("    %-12s %6zu searches of %6zu people  own threshold %.4f%s  at %.4f: %zu above, rate %.3g "
               "(Wilson 95 %% %.3g to %.3g)\n", g->name, g->n, g->subjects, g->own_threshold,
               k == gs->decided_by ? " (the highest)" : "", gs->threshold, g->alarms, g->rate, g->rate_lo,
               g->rate_hi);
    }
    for (int k = 0; k < gs->n; k++)
        if (too_small(&gs->g[k], target))
            printf("  warning: group %s: %zu searches are too few to show a rate of %.3g (with none above the "
                   "threshold, the interval's upper end would still be above it): its measured rate is under the "
                   "target, its true rate is not shown to be; more of its people are needed\n", gs->g[k].name,
                   gs->g[k].n, target);
}

static void print_text(const cal_opts *o, const cal_data *d, const vg_eval_cal_size *cs, double secs)
{
    long long crowd = o->crowd;
    printf("calibration: at most %lld false alerts in %lld faces (rate %.3g), data set %s: %zu people, "
           "%zu images (%zu without a face), %lld image(s) a person (0: all), seed %lld, %lld bootstrap "
           "replicates over people; label errors: %s\n",
           o->k_alerts, crowd, (double)o->k_alerts / (double)crowd, o->dir, d->pp.n, d->im.n,
           vg_eval_images_without_face(&d->im), o->per_person, o->seed, o->boot,
           d->labels ? o->label_errors : "none");
    for (int i = 0; i < o->n_sizes; i++) {
        const vg_eval_cal_size *c = &cs[i];
        printf("watch list of %d: threshold %.4f (95 %% CI %.4f to %.4f) from %zu non-mated searches of %zu "
               "people (%zu more excluded: label errors show a listed person)\n", c->size, c->r.threshold,
               c->r.threshold_lo, c->r.threshold_hi, c->n, c->subjects, c->excluded);
        printf("  measured: %zu above it (rate %.3g); expected false alerts in %lld faces: %.2f (95 %% "
               "prediction interval %.2f to %.2f)\n", c->r.alarms, c->r.rate, crowd, c->r.rate * (double)crowd,
               c->r.rate_lo * (double)crowd, c->r.rate_hi * (double)crowd);
        for (int k = 0; k < c->n_top; k++)
            printf("  %-18s %.4f  %s -> %s\n", k ? "" : "highest non-mated:", (double)c->top_score[k],
                   d->im.paths[c->top_img[k]], d->pp.name[c->top_cand[k]]);
        if (c->groups)
            print_groups(o, d, c);
        if (o->holdout)
            printf("  held out (%s): %zu of %zu searches of %zu other people above it: rate %.3g, %.2f in %lld "
                   "faces\n", o->holdout, c->ho_alarms, c->ho_n, c->ho_subjects,
                   c->ho_n ? (double)c->ho_alarms / (double)c->ho_n : 0.0,
                   c->ho_n ? (double)c->ho_alarms / (double)c->ho_n * (double)crowd : 0.0, crowd);
    }
    if (o->save)
        printf("saved in the store for model %s\n", vg_face_pack_model_id(d->pack));
    if (o->export_path)
        printf("written to %s\n", o->export_path);
    printf("time      %.1f s\n", secs);
}

int vg_eval_calibrate(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_cmd_def def;
    char text[2048];
    vg_cli_parsed p;
    int code = vg_eval_parse(&vg_eval_calibrate_def, &def, text, sizeof text, argc, argv, &p, VG_BOOT_DEFAULT);
    if (code >= 0)
        return code;
    cal_opts o;
    code = parse(&p, &o);
    if (code < 0 && o.wl_name)
        code = size_of_watchlist(cli, &o);
    if (code >= 0)
        return code;
    double t0 = vg_eval_now();
    vg_err err = {{0}};
    cal_data d = {0};
    vg_eval_cal_size cs[VG_CALIB_SIZES_MAX];
    memset(cs, 0, sizeof cs);
    double target = (double)o.k_alerts / (double)o.crowd;
    vg_status st = load(cli, &o, &d, &err);
    for (int i = 0; !st && i < o.n_sizes; i++) {
        cs[i].size = o.sizes[i];
        st = vg_eval_calibrate_size(&d.pp, &d.im, o.holdout ? &d.hp : NULL, &d.him, (uint64_t)o.seed, target,
                                    (int)o.boot, (int)o.per_person, d.labels, &cs[i], &err);
        if (!st && o.labels)
            st = vg_eval_calibrate_groups(&cs[i], d.group_of, d.groups, d.n_groups, target, &err);
    }
    const char *labels_sha = o.labels ? d.labels_sha : NULL;
    const char *model = d.pack ? vg_face_pack_model_id(d.pack) : "";
    if (!st && o.save)
        st = save_store(cli, model, cs, o.n_sizes, labels_sha, &err);
    if (!st && o.export_path)
        st = export_file(o.export_path, model, cs, o.n_sizes, labels_sha, &err);
    code = VG_EXIT_OK;
    if (st)
        code = vg_cli_fail(st, &err);
    else if (cli->json)
        print_json(&o, &d, cs, vg_eval_now() - t0);
    else
        print_text(&o, &d, cs, vg_eval_now() - t0);
    for (int i = 0; i < VG_CALIB_SIZES_MAX; i++)
        vg_eval_cal_size_free(&cs[i]);
    cal_data_free(&d);
    return code;
}
