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

#define CAL_SEED 1
#define CAL_SHOW 5 /* highest non-mated searches listed */

static const char usage[] =
    "usage: vigil eval calibrate (--lfw DIR | --dataset DIR) --crowd N --max-false-alerts K\n"
    "                            (--watchlist-size S[,S...] | --watchlist NAME)\n"
    "                            [--images-per-person M] [--seed S] [--bootstrap B] [--holdout DIR]\n"
    "                            [--label-errors FILE]\n"
    "                            [--save] [--export FILE]\n"
    "The threshold at which a watch list of S subjects raises at most K false alerts in N faces of\n"
    "people not on it (alarm: rank-1 score above the threshold), from the data set's non-mated\n"
    "searches, with 95 %% intervals from a bootstrap over the non-mated people (B replicates,\n"
    "default %d). --watchlist takes S from a watch list in the store. A person of the crowd is one\n"
    "face: M images a person (default 1, the first with a face; 0: all) are searched. Images that\n"
    "--label-errors (with --lfw: DIR/known-label-errors.txt) says show a listed person are left\n"
    "out. --holdout DIR: the false-alert rate at the threshold on other people. --save keeps the\n"
    "score summary in the store (deployments are checked against it); --export FILE writes it.\n";

typedef struct cal_size {
    int size;
    vg_calib_result r;
    size_t no_face_gallery_skipped, subjects;
    float *desc;     /* non-mated scores, descending */
    size_t n;
    size_t ho_n, ho_alarms, ho_subjects;
    size_t excluded, ho_excluded;  /* searches of someone listed under another name (label errors) */
    size_t top_img[CAL_SHOW];      /* the highest non-mated searches: image, candidate person, score */
    int top_cand[CAL_SHOW];
    float top_score[CAL_SHOW];
    int n_top;
} cal_size;

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

/* One size: gallery, non-mated scores, calibration, held-out rate. */
static vg_status calibrate_size(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_people *hp,
                                const vg_eval_images *him, uint64_t seed, double target, int replicates,
                                int per_person, const vg_eval_labels *labels, cal_size *cs, vg_err *err)
{
    int *used = calloc(pp->n, sizeof *used);
    char **listed_names = calloc((size_t)cs->size + 1, sizeof *listed_names);
    int *order = malloc(pp->n * sizeof *order);
    unsigned char *listed = calloc(pp->n, 1);
    int *subj_map = malloc(pp->n * sizeof *subj_map);
    int *subject_of = malloc((im->n ? im->n : 1) * sizeof *subject_of);
    cs->desc = malloc((im->n ? im->n : 1) * sizeof *cs->desc);
    vg_gallery *gal = NULL;
    vg_status st = VG_OK;
    if (!order || !listed || !subj_map || !subject_of || !cs->desc || !used || !listed_names) {
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
        cs->desc[cs->n++] = res[0].score;
        int k = cs->n_top < CAL_SHOW ? cs->n_top++ : CAL_SHOW; /* insertion into the top list */
        while (k > 0 && cs->top_score[k - 1] < res[0].score) {
            if (k < CAL_SHOW)
                cs->top_img[k] = cs->top_img[k - 1], cs->top_cand[k] = cs->top_cand[k - 1],
                cs->top_score[k] = cs->top_score[k - 1];
            k--;
        }
        if (k < CAL_SHOW)
            cs->top_img[k] = i, cs->top_cand[k] = (int)res[0].id, cs->top_score[k] = res[0].score;
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
    if (hp) {
        unsigned char *seen = calloc(hp->n ? hp->n : 1, 1);
        int *hused = calloc(hp->n ? hp->n : 1, sizeof *hused);
        if (!seen || !hused) {
            free(seen);
            free(hused);
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < him->n; i++) {
            int p = hp->person_of[i];
            if (!him->ok[i] || (per_person && hused[p] >= per_person) ||
                vg_gallery_search(gal, him->emb + i * (size_t)him->dim, 1, res) < 1)
                continue;
            hused[p]++;
            if (shows_listed(labels, him->paths[i], hp->name[p], listed_names, got)) {
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
    }
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

/* Marks every image past a person's first m as not to embed. */
static vg_status skip_beyond(const vg_eval_people *pp, vg_eval_images *im, int m, vg_err *err)
{
    if (!(im->skip = calloc(im->n ? im->n : 1, 1)))
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; p < pp->n; p++)
        for (int k = m; k < pp->count[p]; k++)
            im->skip[pp->first[p] + (size_t)k] = 1;
    return VG_OK;
}

/* Merges the sizes into the calibration text `old` (NULL: none) for model. */
static vg_status merge_text(const char *old, const char *model, const cal_size *cs, int n, char **out, vg_err *err)
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
    for (int i = 0; !st && i < n; i++)
        st = vg_calib_set(&c, cs[i].size, (long long)cs[i].n, (int)cs[i].subjects, cs[i].desc,
                          vg_calib_keep(cs[i].n), err);
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

static vg_status export_file(const char *path, const char *model, const cal_size *cs, int n, vg_err *err)
{
    char *old = NULL, *text = NULL;
    vg_status st = read_text_file(path, &old, err);
    if (st == VG_ERR_NOT_FOUND)
        st = VG_OK;
    if (!st && (st = merge_text(old, model, cs, n, &text, err)))
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

static vg_status save_store(const vg_cli *cli, const char *model, const cal_size *cs, int n, vg_err *err)
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
        st = merge_text(old, model, cs, n, &text, err);
    if (!st)
        st = vg_store_calibration_put(s, vg_cli_actor(cli), model, text, err);
    free(old);
    free(text);
    vg_store_close(s);
    return st;
}

int vg_eval_calibrate(const vg_cli *cli, int argc, char **argv)
{
    if (vg_cli_wants_help(argc, argv)) {
        printf(usage, VG_BOOT_DEFAULT);
        return VG_EXIT_OK;
    }
    const char *dir = NULL, *holdout = NULL, *sizes_s = NULL, *wl_name = NULL, *export_path = NULL, *v = NULL;
    const char *label_errors = NULL;
    char dir_buf[4096];
    long long crowd = 0, k_alerts = -1, seed = CAL_SEED, boot = VG_BOOT_DEFAULT, per_person = 1;
    int save = 0;
    for (int i = 2; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--save") == 0) {
            save = 1;
        } else if ((r = vg_eval_dataset_opt(argc, argv, &i, &dir, dir_buf, sizeof dir_buf))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if ((r = vg_cli_opt(argc, argv, &i, "--holdout", &holdout)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--watchlist-size", &sizes_s)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--watchlist", &wl_name)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--label-errors", &label_errors)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--export", &export_path))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if ((r = vg_cli_opt(argc, argv, &i, "--crowd", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 1, 1000000000000LL, &crowd))
                return vg_cli_usage("--crowd takes a number of faces from 1, not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--max-false-alerts", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 0, 1000000000000LL, &k_alerts))
                return vg_cli_usage("--max-false-alerts takes a number from 0, not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--images-per-person", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 0, 1000000, &per_person))
                return vg_cli_usage("--images-per-person takes a number from 0 (all), not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--seed", &v))) {
            if (r < 0)
                return VG_EXIT_USAGE;
            if (vg_cli_parse_int(v, 0, INT64_MAX, &seed))
                return vg_cli_usage("--seed takes a non-negative integer, not '%s'", v);
        } else if ((r = vg_cli_opt(argc, argv, &i, "--bootstrap", &v))) {
            if (r < 0 || vg_cli_parse_int(v, 0, 100000, &boot))
                return vg_cli_usage("--bootstrap takes a number of replicates from 0 to 100000, not '%s'",
                                    r < 0 ? "" : v);
        } else {
            return vg_cli_usage("eval calibrate: unexpected '%s'", argv[i]);
        }
    }
    if (!dir || !crowd || k_alerts < 0 || (!sizes_s == !wl_name))
        return vg_cli_usage("eval calibrate needs --lfw DIR or --dataset DIR, --crowd N, --max-false-alerts K and "
                            "one of --watchlist-size S or --watchlist NAME");
    if (k_alerts > crowd)
        return vg_cli_usage("--max-false-alerts %lld is more than the crowd of %lld faces", k_alerts, crowd);
    int sizes[VG_CALIB_SIZES_MAX], n_sizes = 0;
    if (sizes_s && parse_sizes(sizes_s, sizes, &n_sizes))
        return vg_cli_usage("--watchlist-size takes up to %d sizes from 1, separated by commas, not '%s'",
                            VG_CALIB_SIZES_MAX, sizes_s);
    vg_err err = {{0}};
    vg_status st = VG_OK;
    if (wl_name) {
        vg_store *s = NULL;
        vg_watchlist wl;
        st = vg_cli_open_store(cli, &s, &err);
        if (!st)
            st = vg_store_watchlist_get(s, wl_name, &wl, &err);
        vg_store_close(s);
        if (st)
            return vg_cli_fail(st, &err);
        if (wl.subjects < 1)
            return vg_cli_usage("watch list %s has no subject: give --watchlist-size", wl_name);
        sizes[0] = wl.subjects;
        n_sizes = 1;
    }
    double target = (double)k_alerts / (double)crowd;
    double t0 = vg_eval_now();
    vg_eval_people pp = {0}, hp = {0};
    vg_eval_images im = {0}, him = {0};
    vg_face_pack *pack = NULL;
    cal_size cs[VG_CALIB_SIZES_MAX];
    memset(cs, 0, sizeof cs);
    int code = VG_EXIT_OK;
    static vg_eval_labels labels; /* 100 KB: not on the stack */
    int have_labels = 0;
    char le_buf[4200];
    if (!label_errors && strcmp(dir, dir_buf) == 0) { /* --lfw DIR: DIR/known-label-errors.txt */
        snprintf(le_buf, sizeof le_buf, "%.*s/known-label-errors.txt", (int)(strlen(dir) - strlen("/images_deepfunneled")),
                 dir);
        label_errors = le_buf;
    }
    st = label_errors ? vg_eval_labels_load(label_errors, &labels, &have_labels, &err) : VG_OK;
    if (!st)
        st = vg_eval_people_load(dir, &pp, &im, &err);
    if (!st && holdout && (st = vg_eval_people_load(holdout, &hp, &him, &err)))
        vg_err_prefix(&err, st, "--holdout");
    for (size_t p = 0; !st && holdout && p < hp.n; p++)
        if (vg_eval_people_find(&pp, hp.name[p]) >= 0)
            st = vg_err_set(&err, VG_ERR_INVALID, "%s is in both the data set and --holdout: held-out people must "
                            "be others", hp.name[p]);
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st)
        st = vg_eval_images_alloc(&im, vg_face_pack_dim(pack), &err);
    if (!st && holdout)
        st = vg_eval_images_alloc(&him, vg_face_pack_dim(pack), &err);
    /* with M images a person, only each person's first M + 2 are embedded (two spares for images
     * without a face; a person whose spares all lack a face is searched fewer times) */
    if (!st && per_person && (st = skip_beyond(&pp, &im, (int)per_person + 2, &err)) == VG_OK && holdout)
        st = skip_beyond(&hp, &him, (int)per_person + 2, &err);
    size_t to_embed = 0;
    for (size_t i = 0; !st && i < im.n + him.n; i++)
        to_embed += i < im.n ? !(im.skip && im.skip[i]) : !(him.skip && him.skip[i - im.n]);
    if (!st && !cli->json)
        fprintf(stderr, "embedding %zu images with %d threads...\n", to_embed, vg_cli_threads(cli));
    if (!st)
        st = vg_eval_embed_all(cli, pack, &im, &err);
    if (!st && holdout)
        st = vg_eval_embed_all(cli, pack, &him, &err);
    for (int i = 0; !st && i < n_sizes; i++) {
        cs[i].size = sizes[i];
        st = calibrate_size(&pp, &im, holdout ? &hp : NULL, &him, (uint64_t)seed, target, (int)boot, (int)per_person,
                            have_labels ? &labels : NULL, &cs[i], &err);
    }
    const char *model = pack ? vg_face_pack_model_id(pack) : "";
    if (!st && save)
        st = save_store(cli, model, cs, n_sizes, &err);
    if (!st && export_path)
        st = export_file(export_path, model, cs, n_sizes, &err);
    if (st) {
        code = vg_cli_fail(st, &err);
        goto out;
    }
    double secs = vg_eval_now() - t0;
    size_t no_face = vg_eval_images_without_face(&im);
    if (cli->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n_sizes; i++) {
            const cal_size *c = &cs[i];
            json_t *o = json_pack("{s:i,s:o,s:o,s:I,s:I,s:I,s:o,s:o,s:i}", "watchlist_size", c->size, "threshold",
                                  vg_eval_num_json(c->r.threshold), "threshold_ci95",
                                  json_pack("[o,o]", vg_eval_num_json(c->r.threshold_lo),
                                            vg_eval_num_json(c->r.threshold_hi)),
                                  "nonmated", (json_int_t)c->n, "nonmated_subjects", (json_int_t)c->subjects,
                                  "alarms", (json_int_t)c->r.alarms, "false_alert_rate",
                                  vg_eval_ci_json(c->r.rate, c->r.rate_lo, c->r.rate_hi), "expected_false_alerts",
                                  vg_eval_ci_json(c->r.rate * (double)crowd, c->r.rate_lo * (double)crowd,
                                                  c->r.rate_hi * (double)crowd),
                                  "gallery_people_skipped_without_face", (int)c->no_face_gallery_skipped);
            json_object_set_new(o, "excluded_label_errors", json_integer((json_int_t)c->excluded));
            json_t *top = json_array();
            for (int k = 0; k < c->n_top; k++)
                json_array_append_new(top, json_pack("{s:s,s:s,s:f}", "image", im.paths[c->top_img[k]], "candidate",
                                                     pp.name[c->top_cand[k]], "score", (double)c->top_score[k]));
            json_object_set_new(o, "highest_nonmated", top);
            if (holdout)
                json_object_set_new(o, "holdout",
                                    json_pack("{s:I,s:I,s:I,s:I,s:f}", "nonmated", (json_int_t)c->ho_n, "excluded_label_errors",
                                              (json_int_t)c->ho_excluded, "subjects",
                                              (json_int_t)c->ho_subjects, "alarms", (json_int_t)c->ho_alarms,
                                              "false_alert_rate",
                                              c->ho_n ? (double)c->ho_alarms / (double)c->ho_n : 0.0));
            json_array_append_new(arr, o);
        }
        vg_cli_print_json(json_pack("{s:s,s:s,s:s?,s:I,s:I,s:I,s:f,s:I,s:i,s:i,s:i,s:i,s:o,s:b,s:s?,s:s,s:f}",
                                    "protocol", "calibration", "dataset", dir, "label_errors",
                                    have_labels ? label_errors : NULL, "images_per_person", (json_int_t)per_person,
                                    "crowd", (json_int_t)crowd, "max_false_alerts",
                                    (json_int_t)k_alerts, "target_rate", target, "seed", (json_int_t)seed,
                                    "replicates", (int)boot, "images", (int)im.n, "images_without_face",
                                    (int)no_face, "images_embedded", (int)to_embed, "sizes", arr, "saved", save, "exported", export_path, "model",
                                    model, "seconds", secs));
    } else {
        printf("calibration: at most %lld false alerts in %lld faces (rate %.3g), data set %s: %zu people, "
               "%zu images (%zu without a face), %lld image(s) a person (0: all), seed %lld, %lld bootstrap "
               "replicates over people; label errors: %s\n",
               k_alerts, crowd, target, dir, pp.n, im.n, no_face, per_person, seed, boot,
               have_labels ? label_errors : "none");
        for (int i = 0; i < n_sizes; i++) {
            const cal_size *c = &cs[i];
            printf("watch list of %d: threshold %.4f (95 %% CI %.4f to %.4f) from %zu non-mated searches of %zu "
                   "people (%zu more excluded: label errors show a listed person)\n", c->size, c->r.threshold,
                   c->r.threshold_lo, c->r.threshold_hi, c->n, c->subjects, c->excluded);
            printf("  measured: %zu above it (rate %.3g); expected false alerts in %lld faces: %.2f (95 %% "
                   "prediction interval %.2f to %.2f)\n", c->r.alarms, c->r.rate, crowd, c->r.rate * (double)crowd,
                   c->r.rate_lo * (double)crowd, c->r.rate_hi * (double)crowd);
            for (int k = 0; k < c->n_top; k++)
                printf("  %-18s %.4f  %s -> %s\n", k ? "" : "highest non-mated:", (double)c->top_score[k],
                       im.paths[c->top_img[k]], pp.name[c->top_cand[k]]);
            if (holdout)
                printf("  held out (%s): %zu of %zu searches of %zu other people above it: rate %.3g, %.2f in %lld "
                       "faces\n", holdout, c->ho_alarms, c->ho_n, c->ho_subjects,
                       c->ho_n ? (double)c->ho_alarms / (double)c->ho_n : 0.0,
                       c->ho_n ? (double)c->ho_alarms / (double)c->ho_n * (double)crowd : 0.0, crowd);
        }
        if (save)
            printf("saved in the store for model %s\n", model);
        if (export_path)
            printf("written to %s\n", export_path);
        printf("time      %.1f s\n", secs);
    }
out:
    for (int i = 0; i < VG_CALIB_SIZES_MAX; i++)
        free(cs[i].desc);
    vg_eval_images_free(&im);
    vg_eval_images_free(&him);
    vg_eval_people_free(&pp);
    vg_eval_people_free(&hp);
    vg_face_pack_close(pack);
    return code;
}
