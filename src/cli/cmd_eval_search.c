/* cmd_eval_search.c — `vigil eval search --lfw DIR --watchlist-size N
 * [--seed S]`: the LFW open-set (watch-list) protocol (computed by
 * src/eval/search.c, whose head describes it), printed as text or one JSON
 * line: raw figures with LFW's labels and cleaned ones with its known label
 * errors, the highest non-mated searches, and the check of the int8 search
 * against the float scan. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eval.h"
#include "match/bootstrap.h"

const vg_cli_cmd_def vg_eval_search_def = {
    "eval search", "", 0, 0, "LFW open-set watch list: rank-1 rate, FNIR at FPIR 1 %, 0.1 % and 1/6000, EER",
    "LFW open-set watch list: N people with 2+ images enrol their first (chosen by a shuffle seeded\n"
    "with S, default %d); their other images are mated searches, every other person's non-mated.\n"
    "Rank-1 rate, FNIR at FPIR 1 %%, 0.1 %% and 1/6000 with each threshold, EER, raw and cleaned of\n"
    "DIR/known-label-errors.txt, with 95 %% intervals from a bootstrap over the people searched (B\n"
    "replicates, default %d). --svg DIR writes the ROC and DET curves there. --flip and --jitter N\n"
    "embed as in `eval verify`.\n",
    {{"--lfw", "DIR", "the LFW directory (images_deepfunneled/, known-label-errors.txt)",
      VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--watchlist-size", "N", "the people enrolled, from 1", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--seed", "S", "the shuffle's seed, a non-negative integer", 0},
     {"--svg", "DIR", "writes search-roc.svg and search-det.svg there", 0},
     {"--bootstrap", "B", "bootstrap replicates, 1 to 100000", 0},
     {"--flip", NULL, "embeds each face with its mirror too", 0},
     {"--jitter", "N", "embeds each face aligned in N framings (1 to 5: docs/pipeline.md) and averages", 0},
     {0}}};

typedef struct search_opts {
    const char *lfw, *svg;
    long long n_list, seed, boot, jitter;
    int flip;
} search_opts;

/* -1: go on; otherwise the exit status. */
static int parse(const vg_cli_parsed *p, search_opts *o)
{
    *o = (search_opts){.n_list = -1, .seed = VG_EVAL_SEARCH_SEED, .boot = VG_BOOT_DEFAULT, .jitter = 1};
    o->flip = vg_cli_has(p, "--flip");
    o->lfw = vg_cli_val(p, "--lfw");
    o->svg = vg_cli_val(p, "--svg");
    if (vg_eval_int_val(p, "--watchlist-size", 1, 1000000, "a number from 1", &o->n_list) ||
        vg_eval_int_val(p, "--bootstrap", 1, 100000, "a number of replicates from 1 to 100000", &o->boot) ||
        vg_eval_int_val(p, "--seed", 0, INT64_MAX, "a non-negative integer", &o->seed) ||
        vg_eval_int_val(p, "--jitter", 1, VG_FACE_JITTER_MAX, "a number of framings from 1 to 5", &o->jitter))
        return VG_EXIT_USAGE;
    if (!o->lfw || o->n_list < 0)
        return vg_cli_usage("eval search needs --lfw DIR and --watchlist-size N");
    return -1;
}

static json_t *points_json(const vg_openset_point *pt)
{
    json_t *a = json_array();
    for (size_t i = 0; i < VG_EVAL_SEARCH_FPIRS; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:o,s:f,s:f,s:f,s:i,s:i,s:i}", "fpir_target", vg_eval_fpir_names[i],
                         "threshold", /* null: -inf, every non-mated search may alarm */
                         isfinite(pt[i].threshold) ? json_real(pt[i].threshold) : json_null(), "fnir",
                         pt[i].fnir, "fpir", pt[i].fpir, "fpir_target_value", pt[i].target_fpir,
                         "nonmated_alarms", (int)pt[i].nonmated_alarms, "mated_misses",
                         (int)pt[i].mated_misses, "nonmated", (int)pt[i].nonmated));
    return a;
}

static void print_points(const vg_openset_point *pt)
{
    for (size_t i = 0; i < VG_EVAL_SEARCH_FPIRS; i++)
        printf("  FPIR %-7s threshold %7.4f   FNIR %6.2f %%   (%zu of %zu non-mated above; %zu of %zu "
               "mated missed)\n",
               vg_eval_fpir_names[i], pt[i].threshold, 100 * pt[i].fnir, pt[i].nonmated_alarms,
               pt[i].nonmated, pt[i].mated_misses, pt[i].mated);
}

static const char *image_rel(const char *path)
{ /* "…/images_deepfunneled/Name/Name_0001.jpg" -> "Name/Name_0001.jpg" */
    const char *s = strrchr(path, '/');
    if (!s || s == path)
        return path;
    const char *t = s - 1;
    while (t > path && *t != '/')
        t--;
    return *t == '/' ? t + 1 : t;
}

static json_t *figs_json(const vg_eval_search_figs *f)
{
    json_t *pts = json_array();
    for (size_t i = 0; i < VG_EVAL_SEARCH_FPIRS; i++) {
        json_t *o = vg_eval_ci_obj(&f->fnir[i]);
        json_object_set_new(o, "fpir_target", json_string(vg_eval_fpir_names[i]));
        json_array_append_new(pts, o);
    }
    return json_pack("{s:o,s:o,s:o}", "rank1", vg_eval_ci_obj(&f->rank1), "eer", vg_eval_ci_obj(&f->eer), "fnir",
                     pts);
}

static void print_ci(const char *what, const vg_eval_search_figs *f, const char *svg)
{
    printf("95 %% intervals, %s (bootstrap over the people searched, %d replicates):\n", what, f->replicates);
    printf("  rank-1  %.2f %% (%.2f to %.2f)   EER (FPIR = FNIR) %.2f %% (%.2f to %.2f)\n", 100 * f->rank1.v,
           100 * f->rank1.lo, 100 * f->rank1.hi, 100 * f->eer.v, 100 * f->eer.lo, 100 * f->eer.hi);
    for (size_t i = 0; i < VG_EVAL_SEARCH_FPIRS; i++)
        printf("  FNIR at FPIR %-7s %6.2f %% (%.2f to %.2f)\n", vg_eval_fpir_names[i], 100 * f->fnir[i].v,
               100 * f->fnir[i].lo, 100 * f->fnir[i].hi);
    if (svg)
        printf("curves    %s/search-roc.svg, %s/search-det.svg\n", svg, svg);
}

/* What the report shows, beside the result. */
typedef struct search_run {
    const vg_cli *cli;
    const search_opts *o;
    const vg_eval_search_set *ss;
    const vg_eval_images *im;
    const vg_face_pack *pack;
    const vg_eval_search_result *r;
    double secs;
} search_run;

static void print_json(const search_run *x)
{
    const vg_eval_search_result *r = x->r;
    const vg_eval_search_set *ss = x->ss;
    json_t *top = json_array();
    for (size_t j = 0; j < r->n_top; j++) {
        const vg_eval_search_row *w = &r->top[j];
        json_array_append_new(top, json_pack("{s:s,s:s?,s:f,s:b}", "image", image_rel(x->im->paths[w->image]),
                                             "candidate", w->top_person >= 0 ? ss->people[w->top_person].name : NULL,
                                             "score", (double)w->top_score, "excluded_when_cleaned", w->excluded));
    }
    json_t *cleaned = json_null();
    if (ss->have_labels)
        cleaned = json_pack("{s:i,s:i,s:i,s:i,s:i,s:f,s:o}", "label_error_entries_applied", (int)ss->label_entries,
                            "excluded_mated", (int)r->excl_mated, "excluded_nonmated", (int)r->excl_nonmated, "mated",
                            (int)vg_openset_count(r->clean, r->clean_n, 1), "nonmated",
                            (int)vg_openset_count(r->clean, r->clean_n, 0), "rank1", r->rank1_clean, "points",
                            points_json(r->clean_pts));
    json_t *o = json_pack(
        "{s:s,s:i,s:I,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:o,s:o,s:o,s:i,s:s,s:s,s:f}", "protocol",
        "lfw-open-set", "watchlist_size", (int)x->o->n_list, "seed", (json_int_t)x->o->seed, "k", VG_EVAL_SEARCH_K,
        "images", (int)x->im->n, "images_without_face", (int)vg_eval_images_without_face(x->im),
        "enrolment_failures", (int)r->enrol_failed, "mated_searches", (int)r->n_mated, "nonmated_searches",
        (int)r->n_nonmated, "mated_without_face", (int)r->mated_no_face, "nonmated_without_face",
        (int)r->nonmated_no_face, "rank1", r->rank1, "rank5", r->rank5, "raw",
        json_pack("{s:o}", "points", points_json(r->raw_pts)), "cleaned", cleaned, "highest_nonmated", top,
        "searches_differing_from_float_scan", (int)r->search_differs, "detector", vg_face_pack_detector(x->pack),
        "model", vg_face_pack_model_id(x->pack), "seconds", x->secs);
    const char *svg = x->o->svg;
    json_object_set_new(o, "bootstrap",
                        json_pack("{s:i,s:s,s:o,s:o,s:o}", "replicates", r->ci_raw.replicates, "over",
                                  "subjects (the person searched)", "raw", figs_json(&r->ci_raw), "cleaned",
                                  ss->have_labels ? figs_json(&r->ci_clean) : json_null(), "svg",
                                  svg ? json_pack("[s,s]", "search-roc.svg", "search-det.svg") : json_null()));
    json_object_set_new(o, "embedding",
                        json_pack("{s:s,s:b,s:i}", "landmark_fit", vg_face_fit_name(x->cli->landmark_fit), "flip",
                                  x->o->flip, "jitter", (int)x->o->jitter));
    vg_cli_print_json(o);
}

static void print_text(const search_run *x)
{
    const vg_eval_search_result *r = x->r;
    const vg_eval_search_set *ss = x->ss;
    printf("LFW open-set watch list: %lld people enrolled (first image each, seed %lld), %zu images "
           "(%zu without a face; %zu enrolment failures)\n",
           x->o->n_list, x->o->seed, x->im->n, vg_eval_images_without_face(x->im), r->enrol_failed);
    printf("searches  %zu mated (%zu without a face: misses), %zu non-mated (%zu without a face: "
           "no alarm)\n", r->n_mated, r->mated_no_face, r->n_nonmated, r->nonmated_no_face);
    printf("embedding landmark fit %s, flip %s, %lld framing%s\n", vg_face_fit_name(x->cli->landmark_fit),
           x->o->flip ? "on" : "off", x->o->jitter, x->o->jitter > 1 ? "s" : "");
    printf("rank-1    %.2f %%   rank-5 %.2f %%\n", 100 * r->rank1, 100 * r->rank5);
    printf("raw (LFW's labels; alarm = rank-1 score above the threshold):\n");
    print_points(r->raw_pts);
    if (ss->have_labels) {
        printf("cleaned (known-label-errors.txt, %zu entries apply: %zu mated and %zu non-mated "
               "searches excluded; rank-1 %.2f %%):\n",
               ss->label_entries, r->excl_mated, r->excl_nonmated, 100 * r->rank1_clean);
        print_points(r->clean_pts);
    } else {
        printf("cleaned: not computed (no %s/known-label-errors.txt)\n", x->o->lfw);
    }
    printf("highest non-mated searches:\n");
    for (size_t j = 0; j < r->n_top; j++) {
        const vg_eval_search_row *w = &r->top[j];
        printf("  %7.4f  %s -> %s%s\n", w->top_score, image_rel(x->im->paths[w->image]),
               w->top_person >= 0 ? ss->people[w->top_person].name : "(none)",
               w->excluded ? "  [label error: excluded when cleaned]" : "");
    }
    printf("check     vg_gallery_search (int8 + exact re-ranking from 512 templates) differs "
           "from the float scan in %zu of %zu searches\n",
           r->search_differs, r->ns - r->mated_no_face - r->nonmated_no_face);
    print_ci("raw", &r->ci_raw, x->o->svg);
    if (ss->have_labels)
        print_ci("cleaned", &r->ci_clean, NULL);
    printf("time      %.1f s\n", x->secs);
}

int vg_eval_search(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_cmd_def def;
    char text[1024];
    vg_cli_parsed p;
    int code = vg_eval_parse(&vg_eval_search_def, &def, text, sizeof text, argc, argv, &p, VG_EVAL_SEARCH_SEED,
                             VG_BOOT_DEFAULT);
    if (code >= 0)
        return code;
    search_opts o;
    if ((code = parse(&p, &o)) >= 0)
        return code;
    vg_err err = {{0}};
    vg_eval_search_set ss = {0};
    vg_eval_images im = {0};
    vg_face_pack *pack = NULL;
    vg_eval_search_result r = {0};
    double t0 = vg_eval_now();
    vg_status st = vg_eval_search_load(o.lfw, o.n_list, (uint64_t)o.seed, &ss, &im, &err);
    im.flip = o.flip;
    im.jitter = (int)o.jitter;
    if (!st)
        st = vg_eval_cli_open_embed(cli, &pack, &im, 1, &err);
    if (!st)
        st = vg_eval_search_run(&ss, &im, (int)o.boot, &r, &err);
    if (!st && o.svg)
        st = vg_eval_search_svg(o.svg, r.raw, r.ns, &err);
    code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
    } else {
        search_run x = {cli, &o, &ss, &im, pack, &r, vg_eval_now() - t0};
        if (cli->json)
            print_json(&x);
        else
            print_text(&x);
    }
    vg_eval_search_result_free(&r);
    vg_eval_images_free(&im);
    vg_eval_search_set_free(&ss);
    vg_face_pack_close(pack);
    return code;
}
