/* cmd_deployment.c — `vigil deployment create|list|show|end`: where and when
 * a watch list is used, with which cameras, on whose authority, with which
 * model pack. A deployment records the pack in use at its creation (the
 * embedder's model id and the detector); when no calibration exists for
 * that embedder, the default threshold (measured for the default pack's
 * embedder) is not taken: --threshold must be given. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "match/calib.h"
#include "vigil/store.h"
#include "vigil/video.h"
#include "vigil/watchlist.h"

static const vg_cli_cmd_def create_def = {
    "deployment create", "NAME", 1, 1, "where, when and on whose authority a watch list is used",
    "DATE: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM[:SS]Z. Faces are compared with the\n"
    "watch list only between --from and --until, and never after `end`.\n"
    "The deployment records the model pack in use (--models, --detector): `vigil run` refuses\n"
    "it under another embedder. Without a calibration of that embedder (the store's, or the\n"
    "default file's) the default threshold does not apply: give --threshold.\n",
    {{"--watchlist", "W", "the watch list to match against", VG_OPT_REQUIRED},
     {"--camera", "URL", "cameras: URLs, files or devices FFmpeg reads (at most 64)",
      VG_OPT_REQUIRED | VG_OPT_LIST},
     {"--location", "TEXT", "where the cameras are", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--camera-name", "NAME", "what each camera is called on the console, in the order of --camera "
      "(default camera1, camera2, ...)", VG_OPT_LIST},
     {"--camera-location", "TEXT", "where each camera is, in the order of --camera (default --location)",
      VG_OPT_LIST},
     {"--from", "DATE", "matching starts", VG_OPT_REQUIRED},
     {"--until", "DATE", "matching ends", VG_OPT_REQUIRED},
     {"--authorised-by", "PERSON", "who authorised it", VG_OPT_REQUIRED | VG_OPT_CHECKED},
     {"--signage-confirmed", NULL, "the public is told by signs that facial recognition is in use", 0},
     {"--threshold", "T", "the decision threshold, between 0 and 1 (default: the calibrated one)", 0},
     {"--scene-snapshot", NULL,
      "keep with each alert the frame as the live view shows it (bystanders pixelated, the match boxed); "
      "default off: it shows bystanders", 0},
     {0}}};
static const vg_cli_cmd_def list_def = {"deployment list", "", 0, 0, "every deployment, with its window", NULL,
                                        {{0}}};
static const vg_cli_cmd_def show_def = {"deployment show", "NAME", 1, 1, "one deployment in full", NULL, {{0}}};
static const vg_cli_cmd_def end_def = {
    "deployment end", "NAME", 1, 1, "ends a deployment: no face is compared under it again; audited", NULL, {{0}}};
static const vg_cli_cmd_def *const subs[] = {&create_def, &list_def, &show_def, &end_def};

static int dep_create(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    vg_deployment *d = calloc(1, sizeof *d);
    if (!d)
        return vg_cli_fail(VG_ERR_NOMEM, NULL);
    const char *name = p->pos[0], *list = vg_cli_val(p, "--watchlist"), *loc = vg_cli_val(p, "--location"),
               *from = vg_cli_val(p, "--from"), *until = vg_cli_val(p, "--until"),
               *by = vg_cli_val(p, "--authorised-by"), *thr = vg_cli_val(p, "--threshold");
    int code = VG_EXIT_OK;
    int n_cam = 0;
    const char *const *cams = vg_cli_list(p, "--camera", &n_cam);
    for (int i = 0; i < n_cam && !code; i++) {
        if (d->n_cameras == VG_STORE_CAMERAS_MAX)
            code = vg_cli_usage("at most %d cameras", VG_STORE_CAMERAS_MAX);
        else if (strlen(cams[i]) > VG_STORE_TEXT_MAX)
            code = vg_cli_usage("a camera URL is longer than %d bytes", VG_STORE_TEXT_MAX);
        else
            snprintf(d->cameras[d->n_cameras++], sizeof d->cameras[0], "%s", cams[i]);
    }
    /* each camera's name and place, in the order of the cameras */
    static const char *const per_camera[2] = {"--camera-name", "--camera-location"};
    for (int k = 0; k < 2 && !code; k++) {
        int n = 0;
        const char *const *v = vg_cli_list(p, per_camera[k], &n);
        if (n > n_cam)
            code = vg_cli_usage("%d %s for %d camera%s", n, per_camera[k], n_cam, n_cam == 1 ? "" : "s");
        for (int i = 0; i < n && !code; i++) {
            if (strlen(v[i]) > VG_STORE_NAME_MAX)
                code = vg_cli_usage("%s: \"%s\" is longer than %d bytes", per_camera[k], v[i], VG_STORE_NAME_MAX);
            else
                snprintf(k ? d->camera_locations[i] : d->camera_names[i], sizeof d->camera_names[0], "%s", v[i]);
        }
    }
    d->signage_confirmed = vg_cli_has(p, "--signage-confirmed");
    d->scene_snapshot = vg_cli_has(p, "--scene-snapshot");
    long long t0 = 0, t1 = 0;
    /* the safeguards first, each named: no deployment without an authority or a place */
    if (!code && name && (!by || !*by))
        code = vg_cli_usage("deployment %s refused: no authorisation (--authorised-by PERSON: who authorised it)",
                            name);
    if (!code && name && (!loc || !*loc))
        code = vg_cli_usage("deployment %s refused: no location (--location TEXT: where the cameras are)", name);
    if (!code && (!name || !list || !loc || !from || !until || !by || d->n_cameras == 0))
        code = vg_cli_usage("deployment create needs NAME, --watchlist, --camera, --location, --from, --until "
                            "and --authorised-by");
    if (!code && (vg_cli_parse_time(from, &t0) || vg_cli_parse_time(until, &t1)))
        code = vg_cli_usage("--from and --until take dates (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
    if (!code && thr && (vg_cli_parse_float(thr, &d->threshold) || d->threshold <= 0 || d->threshold >= 1))
        code = vg_cli_usage("--threshold takes a cosine similarity between 0 and 1");
    if (!code && (strlen(name) > VG_STORE_NAME_MAX || strlen(loc) > VG_STORE_TEXT_MAX ||
                  strlen(by) > VG_STORE_NAME_MAX))
        code = vg_cli_usage("a field is too long (names up to %d bytes, the location up to %d)", VG_STORE_NAME_MAX,
                            VG_STORE_TEXT_MAX);
    vg_err err = {{0}};
    vg_watchlist w;
    if (!code) {
        vg_status st = vg_store_watchlist_get(store, list, &w, &err);
        if (st)
            code = vg_cli_fail(st, &err);
    }
    vg_face_pack *pack = NULL;
    if (!code) {
        vg_status st = vg_cli_open_pack(cli, &pack, &err);
        if (st)
            code = vg_cli_fail(st, &err);
    }
    if (!code) {
        snprintf(d->model_id, sizeof d->model_id, "%s", vg_face_pack_model_id(pack));
        snprintf(d->detector, sizeof d->detector, "%s", vg_face_pack_detector(pack));
        /* the default threshold was measured for the default pack's embedder */
        vg_calib c;
        char source[512];
        vg_err cerr = {{0}};
        vg_status st = vg_cli_calibration_for(store, d->model_id, &c, source, sizeof source, &cerr);
        if (st == VG_OK)
            vg_calib_free(&c);
        else if (st != VG_ERR_NOT_FOUND)
            code = vg_cli_fail(st, &cerr);
        else if (!thr)
            code = vg_cli_usage("deployment %s refused: %s. The default threshold (%.2f) is calibrated for the "
                                "default pack's embedder only and is not taken for an embedder without a "
                                "calibration: give --threshold T, and calibrate this embedder (vigil eval calibrate "
                                "... --save) before vigil run, which refuses a threshold whose false-alert rate is "
                                "not calibrated",
                                name, cerr.msg, (double)VG_WATCHLIST_THRESHOLD_DEFAULT);
    }
    vg_face_pack_close(pack);
    if (!code) {
        snprintf(d->name, sizeof d->name, "%s", name);
        snprintf(d->location, sizeof d->location, "%s", loc);
        snprintf(d->authorised_by, sizeof d->authorised_by, "%s", by);
        d->watchlist_id = w.id;
        d->starts_at = t0;
        d->ends_at = t1;
        int64_t id = 0;
        vg_status st = vg_store_deployment_create(store, vg_cli_actor(cli), d, &id, &err);
        if (st) {
            code = vg_cli_fail(st, &err);
        } else if (cli->json) {
            vg_cli_print_json(json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name));
        } else {
            printf("deployment %s created (id %lld): watch list %s, %d camera%s\n", name, (long long)id, list,
                   d->n_cameras, d->n_cameras == 1 ? "" : "s");
            if (!d->signage_confirmed)
                printf("note: signage not confirmed (--signage-confirmed)\n");
            if (d->scene_snapshot)
                printf("note: each alert keeps a scene snapshot (bystanders pixelated as in the live view)\n");
        }
    }
    free(d);
    return code;
}

static json_t *dep_json(const vg_deployment *d)
{
    json_t *cams = json_array();
    for (int i = 0; i < d->n_cameras; i++) {
        char red[VG_STORE_TEXT_MAX + 1];
        json_array_append_new(cams, json_string(vg_url_redact(d->cameras[i], red, sizeof red)));
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:I,s:I,s:s,s:b,s:f,s:I,s:I,s:s,s:s,s:b}", "id", (json_int_t)d->id, "name", d->name,
                     "watchlist", d->watchlist, "location", d->location, "cameras", cams, "starts_at",
                     (json_int_t)d->starts_at, "ends_at", (json_int_t)d->ends_at, "authorised_by", d->authorised_by,
                     "signage_confirmed", d->signage_confirmed, "threshold", (double)d->threshold, "created_at",
                     (json_int_t)d->created_at, "ended_at", (json_int_t)d->ended_at, "model", d->model_id,
                     "detector", d->detector, "scene_snapshot", d->scene_snapshot);
}

static void dep_print(const vg_deployment *d)
{
    char a[32], b[32], c[32];
    printf("deployment %s (id %lld)\n  watch list:    %s\n  location:      %s\n  window:        %s to %s\n"
           "  authorised by: %s\n  signage:       %s\n  threshold:     %s\n  ended:         %s\n",
           d->name, (long long)d->id, d->watchlist, d->location, vg_cli_format_time(d->starts_at, a, sizeof a),
           vg_cli_format_time(d->ends_at, b, sizeof b), d->authorised_by,
           d->signage_confirmed ? "confirmed" : "NOT confirmed", d->threshold > 0 ? "set" : "default",
           vg_cli_format_time(d->ended_at, c, sizeof c));
    if (d->threshold > 0)
        printf("  (threshold %.4f)\n", d->threshold);
    printf("  embedder:      %s\n  detector:      %s\n", d->model_id[0] ? d->model_id : "not recorded",
           d->detector[0] ? d->detector : "not recorded");
    printf("  scene:         %s\n", d->scene_snapshot ? "kept with each alert (bystanders pixelated)" : "not kept");
    for (int i = 0; i < d->n_cameras; i++) {
        char red[VG_STORE_TEXT_MAX + 1];
        printf("  camera %d:      %s\n", i + 1, vg_url_redact(d->cameras[i], red, sizeof red));
    }
}

int vg_cmd_deployment(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("deployment", subs, 4, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = VG_EXIT_OK;
    if (k == 0) {
        code = dep_create(cli, store, &p);
    } else if (k == 1) {
        vg_deployment *d = NULL;
        int n = 0;
        st = vg_store_deployment_list(store, &d, &n, &err);
        if (st)
            code = vg_cli_fail(st, &err);
        for (int i = 0; i < n; i++) {
            char a[32], b[32];
            if (cli->json)
                code |= vg_cli_print_json(dep_json(&d[i]));
            else
                printf("%-20s %-16s %s .. %s  %s%s%s\n", d[i].name, d[i].watchlist,
                       vg_cli_format_time(d[i].starts_at, a, sizeof a), vg_cli_format_time(d[i].ends_at, b, sizeof b),
                       d[i].location, d[i].scene_snapshot ? "  (scene snapshots)" : "",
                       d[i].ended_at ? "  (ended)" : "");
        }
        free(d);
    } else if (k == 2) {
        vg_deployment *d = calloc(1, sizeof *d);
        st = d ? vg_store_deployment_get(store, p.pos[0], d, &err) : VG_ERR_NOMEM;
        if (st)
            code = vg_cli_fail(st, &err);
        else if (cli->json)
            vg_cli_print_json(dep_json(d));
        else
            dep_print(d);
        free(d);
    } else {
        st = vg_store_deployment_end(store, vg_cli_actor(cli), p.pos[0], &err);
        if (st)
            code = vg_cli_fail(st, &err);
        else
            printf("deployment %s ended: no face will be compared under it again\n", p.pos[0]);
    }
    vg_store_close(store);
    return code;
}
