/* cmd_replay.c — `vigil replay VIDEO --watchlist W`: a file through the same
 * pipeline as the live engine, as fast as it goes, every frame (none
 * dropped), alerts printed as they come; exits at the end of the file. No
 * alert is stored (there is no deployment); the watch list read and a summary
 * of the replay (counts only) are audited. */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_shared.h"
#include "cli/options.h"
#include "vigil/store.h"

static const vg_cli_cmd_def def = {
    "replay", "VIDEO", 1, 1, "a file through the live pipeline, as fast as it goes; exits at its end",
    "Every frame is processed (none dropped). Alerts go to stdout (JSON lines with --json),\n"
    "events and statistics to stderr. No alert is stored; the watch list read is audited.\n",
    {{"--watchlist", "NAME", "the watch list to match against", VG_OPT_REQUIRED},
     {"--threshold", "T", "the decision threshold, between 0 and 1 (default: the config's, else 0.54)", 0},
     {"--config", "FILE", "a config file: [engine], [source]", 0},
     {"--realtime", NULL, "at the video's own pace instead of as fast as it goes", 0},
     {0}}};

int vg_cmd_replay(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    const char *video = p.pos[0], *list = vg_cli_val(&p, "--watchlist"), *thr = vg_cli_val(&p, "--threshold"),
               *config = vg_cli_val(&p, "--config");
    int realtime = vg_cli_has(&p, "--realtime");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int min_face = cli->min_face > 0 ? (int)cli->min_face : 0;
    vg_err err = {{0}};
    vg_status st = VG_OK;
    if (config && (st = vg_engine_config_load(config, &cfg, &min_face, &err)))
        return vg_cli_fail_config(st, &err);
    if (thr && (vg_cli_parse_float(thr, &cfg.threshold) || cfg.threshold <= 0 || cfg.threshold >= 1))
        return vg_cli_usage("--threshold takes a cosine similarity between 0 and 1");
    if (strlen(video) > VG_STORE_TEXT_MAX)
        return vg_cli_usage("the video path is too long");
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", video);
    char copy[VG_STORE_TEXT_MAX + 1];
    snprintf(copy, sizeof copy, "%s", video);
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "%s", basename(copy));
    cfg.mode = VG_SOURCE_ALL;
    cfg.realtime = realtime;
    cfg.match_enabled = 1;
    cfg.workers = cli->threads;
    cfg.log = vg_cli_log_line;

    vg_store *store = NULL;
    vg_face_pack *pack = NULL;
    vg_watch_gallery *g = NULL;
    vg_engine *e = NULL;
    vg_watchlist w;
    char purpose[300];
    snprintf(purpose, sizeof purpose, "replay %s", cfg.cameras[0].name);
    vg_cli pc = *cli;
    pc.min_face = (float)min_face;
    if (cfg.infer_provider[0])
        pc.provider = cfg.infer_provider;
    if (cfg.landmark_fit[0])
        pc.landmark_fit = vg_face_fit_parse(cfg.landmark_fit);
    st = vg_cli_open_store(cli, &store, &err);
    if (!st)
        st = vg_store_watchlist_get(store, list, &w, &err);
    if (!st)
        st = vg_cli_open_pack(&pc, &pack, &err);
    if (!st)
        st = vg_watch_gallery_load(store, vg_cli_actor(cli), purpose, w.id, vg_face_pack_model_id(pack), 0, &g, &err);
    vg_cli_block_signals();
    if (!st)
        st = vg_engine_start(&cfg, pack, g, store, vg_cli_actor(cli), &e, &err);
    int code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
    } else {
        vg_engine_subscribe(e, vg_cli_print_alert, (void *)cli);
        int interrupted = vg_cli_wait_engine(e, 10.0, NULL, NULL);
        vg_engine_stop(e);
        vg_cli_log_stats(e);
        json_t *summary = vg_cli_summary_json(e);
        json_object_set_new(summary, "watchlist", json_string(w.name));
        json_object_set_new(summary, "video", json_string(cfg.cameras[0].name));
        json_object_set_new(summary, "interrupted", json_boolean(interrupted));
        char *details = json_dumps(summary, JSON_COMPACT | JSON_PRESERVE_ORDER);
        char object[VG_STORE_NAME_MAX + 16];
        snprintf(object, sizeof object, "watchlist:%s", w.name);
        if (details && vg_store_audit_append(store, vg_cli_actor(cli), "replay", object, details, &err) != VG_OK)
            code = vg_cli_fail(VG_ERR_IO, &err);
        free(details);
        if (cli->json) {
            vg_cli_print_json(summary);
        } else {
            json_int_t alerts = json_integer_value(json_object_get(summary, "alerts"));
            fprintf(stderr, "replay of %s: %lld frames, %lld faces, %lld tracks, %lld alerts\n",
                    cfg.cameras[0].name, (long long)json_integer_value(json_object_get(summary, "frames_processed")),
                    (long long)json_integer_value(json_object_get(summary, "faces")),
                    (long long)json_integer_value(json_object_get(summary, "tracks")), (long long)alerts);
            json_decref(summary);
        }
    }
    vg_engine_free(e);
    vg_watch_gallery_free(g);
    vg_face_pack_close(pack);
    vg_store_close(store);
    return code;
}
