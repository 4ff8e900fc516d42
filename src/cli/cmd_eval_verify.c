/* cmd_eval_verify.c — `vigil eval verify --lfw DIR`: LFW View 2 accuracy
 * (computed by src/eval/verify.c), printed as text or one JSON line.
 * --flip embeds every face with its mirror (flip augmentation, as
 * `[engine] embed_flip`); --jitter N averages N alignment framings. */
#include <stdlib.h>
#include <string.h>

#include "cli/eval.h"
#include "match/bootstrap.h"

const vg_cli_cmd_def vg_eval_verify_def = {
    "eval verify", "", 0, 0, "LFW View 2: 10-fold accuracy, AUC, TAR at FAR 0.1 %, EER",
    "LFW View 2 (DIR/pairs.txt, or --pairs FILE): 10-fold accuracy with the threshold chosen on\n"
    "the other folds, AUC, TAR at FAR 0.1 %%, and the EER, with 95 %% intervals from a bootstrap\n"
    "over the subjects of the pairs' first images (B replicates, default %d). A pair with an\n"
    "image without a face scores -1. --svg DIR writes the ROC and DET curves there; --flip\n"
    "embeds each face with its mirror; --jitter N averages N alignment framings.\n",
    {{"--lfw", "DIR", "the LFW directory (images_deepfunneled/, pairs.txt)", VG_OPT_REQUIRED},
     {"--pairs", "FILE", "the pairs file (default DIR/pairs.txt)", 0},
     {"--svg", "DIR", "writes verify-roc.svg and verify-det.svg there", 0},
     {"--bootstrap", "B", "bootstrap replicates, 1 to 100000", 0},
     {"--flip", NULL, "embeds each face with its mirror too", 0},
     {"--jitter", "N", "embeds each face aligned in N framings (1 to 5: docs/pipeline.md) and averages", 0},
     {0}}};

typedef struct verify_opts {
    const char *lfw, *pairs, *svg;
    long long boot, jitter;
    int flip;
    char pairs_buf[1024];
} verify_opts;

/* -1: go on; otherwise the exit status. */
static int parse(const vg_cli_parsed *p, verify_opts *o)
{
    *o = (verify_opts){.boot = VG_BOOT_DEFAULT};
    o->lfw = vg_cli_val(p, "--lfw");
    o->pairs = vg_cli_val(p, "--pairs");
    o->svg = vg_cli_val(p, "--svg");
    o->flip = vg_cli_has(p, "--flip");
    if (vg_eval_int_val(p, "--bootstrap", 1, 100000, "a number of replicates from 1 to 100000", &o->boot))
        return VG_EXIT_USAGE;
    o->jitter = 1;
    if (vg_eval_int_val(p, "--jitter", 1, VG_FACE_JITTER_MAX, "a number of framings from 1 to 5", &o->jitter))
        return VG_EXIT_USAGE;
    if (!o->pairs) {
        snprintf(o->pairs_buf, sizeof o->pairs_buf, "%s/pairs.txt", o->lfw);
        o->pairs = o->pairs_buf;
    }
    return -1;
}

static void print_json(const vg_cli *cli, const verify_opts *o, const vg_eval_pairs *pairs,
                       const vg_eval_images *im, const vg_face_pack *pack, const vg_eval_verify_result *r,
                       double secs)
{
    json_t *acc = json_array(), *th = json_array();
    for (int f = 0; f < pairs->folds; f++) {
        json_array_append_new(acc, json_real(r->kf.accuracy[f]));
        json_array_append_new(th, json_real(r->kf.threshold[f]));
    }
    json_t *j = json_pack(
        "{s:s,s:s,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:o,s:o,s:s,s:s,s:f}", "protocol", "lfw-view2",
        "pairs_file", o->pairs, "pairs", (int)pairs->n, "images", (int)im->n, "images_without_face",
        (int)vg_eval_images_without_face(im), "pairs_without_face", (int)r->pairs_without, "accuracy_mean",
        r->kf.mean, "accuracy_std", r->kf.std, "auc", r->auc, "tar_at_far_1e-3", r->tar, "threshold_at_far_1e-3",
        r->far_threshold, "threshold_median", r->kf.threshold_median, "fold_accuracy", acc, "fold_threshold", th,
        "detector", vg_face_pack_detector(pack), "model", vg_face_pack_model_id(pack), "seconds", secs);
    json_object_set_new(j, "bootstrap",
                        json_pack("{s:i,s:s,s:o,s:o,s:o,s:o}", "replicates", r->ci.replicates, "over",
                                  "subjects (the person of a pair's first image)", "eer", vg_eval_ci_obj(&r->ci.eer),
                                  "auc", vg_eval_ci_obj(&r->ci.auc), "tar_at_far_1e-3",
                                  vg_eval_ci_obj(&r->ci.tar_at_far_1e3), "svg",
                                  o->svg ? json_pack("[s,s]", "verify-roc.svg", "verify-det.svg") : json_null()));
    json_object_set_new(j, "embedding",
                        json_pack("{s:s,s:b,s:i}", "landmark_fit", vg_face_fit_name(cli->landmark_fit), "flip",
                                  o->flip, "jitter", (int)o->jitter));
    vg_cli_print_json(j);
}

static void print_text(const vg_cli *cli, const verify_opts *o, const vg_eval_pairs *pairs,
                       const vg_eval_images *im, const vg_eval_verify_result *r, double secs)
{
    const vg_eval_verify_figs *vf = &r->ci;
    printf("LFW View 2 (%s): %zu pairs, %d folds, %zu images (%zu without a face, %zu pairs "
           "scored as rejections)\n",
           o->pairs, pairs->n, pairs->folds, im->n, vg_eval_images_without_face(im), r->pairs_without);
    printf("embedding  landmark fit %s, flip %s, %lld framing%s\n", vg_face_fit_name(cli->landmark_fit),
           o->flip ? "on" : "off", o->jitter, o->jitter > 1 ? "s" : "");
    printf("accuracy   %.2f %% +/- %.2f %% (mean +/- std over folds, threshold from the "
           "other folds)\n", 100 * r->kf.mean, 100 * r->kf.std);
    printf("AUC        %.4f\n", r->auc);
    printf("TAR        %.2f %% at FAR 0.1 %% (threshold %.3f)\n", 100 * r->tar, r->far_threshold);
    printf("threshold  %.3f (median of the folds' thresholds)\n", r->kf.threshold_median);
    printf("95 %% intervals, bootstrap over the subjects of the pairs' first images (%d replicates):\n",
           vf->replicates);
    printf("  EER      %.2f %% (%.2f to %.2f)\n", 100 * vf->eer.v, 100 * vf->eer.lo, 100 * vf->eer.hi);
    printf("  AUC      %.4f (%.4f to %.4f)\n", vf->auc.v, vf->auc.lo, vf->auc.hi);
    printf("  TAR      %.2f %% at FAR 0.1 %% (%.2f to %.2f)\n", 100 * vf->tar_at_far_1e3.v,
           100 * vf->tar_at_far_1e3.lo, 100 * vf->tar_at_far_1e3.hi);
    if (o->svg)
        printf("curves     %s/verify-roc.svg, %s/verify-det.svg\n", o->svg, o->svg);
    printf("time       %.1f s\n", secs);
}

int vg_eval_verify(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_cmd_def def;
    char text[1024];
    vg_cli_parsed p;
    int code = vg_eval_parse(&vg_eval_verify_def, &def, text, sizeof text, argc, argv, &p, VG_BOOT_DEFAULT);
    if (code >= 0)
        return code;
    verify_opts o;
    if ((code = parse(&p, &o)) >= 0)
        return code;
    vg_err err = {{0}};
    vg_eval_pairs pairs = {0};
    vg_eval_images im = {.flip = o.flip, .jitter = (int)o.jitter};
    vg_face_pack *pack = NULL;
    vg_eval_verify_result r = {0};
    double t0 = vg_eval_now();
    vg_status st = vg_eval_pairs_load(o.lfw, o.pairs, &pairs, &im, &err);
    if (!st)
        st = vg_eval_cli_open_embed(cli, &pack, &im, 0, &err);
    if (!st)
        st = vg_eval_verify_run(&pairs, &im, (int)o.boot, &r, &err);
    if (!st && o.svg)
        st = vg_eval_verify_svg(o.svg, r.scores, pairs.n, &err);
    code = VG_EXIT_OK;
    if (st)
        code = vg_cli_fail(st, &err);
    else if (cli->json)
        print_json(cli, &o, &pairs, &im, pack, &r, vg_eval_now() - t0);
    else
        print_text(cli, &o, &pairs, &im, &r, vg_eval_now() - t0);
    vg_eval_verify_result_free(&r);
    vg_eval_images_free(&im);
    vg_eval_pairs_free(&pairs);
    vg_face_pack_close(pack);
    return code;
}
