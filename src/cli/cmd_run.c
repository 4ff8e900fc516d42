/* cmd_run.c — `vigil run --deployment NAME`: the live engine on the
 * deployment's cameras until SIGINT or SIGTERM (or until every camera has
 * ended). Faces are compared with the watch list only inside the
 * deployment's window and while it has not been ended; outside it the
 * cameras still run, and nothing is compared. Alerts are stored and printed;
 * counters are written at the end; start and stop are audited; the
 * retention job runs at start and every hour ([retention] in the config).
 * The HTTP server (the console, the API, the alert stream, webhooks) runs
 * beside the engine on its own store connection, unless --no-http. A
 * deployment created for another embedder than the pack's is refused (its
 * threshold and calibration were that embedder's): re-embed the watch list
 * and create a new deployment. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/checkpoints.h"
#include "cli/follow.h"
#include "cli/server_start.h"
#include "cli/run_shared.h"
#include "cli/options.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

static const vg_cli_cmd_def def = {
    "run", "", 0, 0, "the live engine on a deployment's cameras, with the console, until SIGINT/SIGTERM",
    "Runs until SIGINT/SIGTERM (or until every camera has ended). Alerts go to stdout\n"
    "(JSON lines with --json), events and statistics to stderr as logfmt lines.\n"
    "On a shared PostgreSQL store: a change to the deployment's watch list made on any node\n"
    "reloads its gallery here at once, and alerts stored by any node reach this node's alert\n"
    "stream at once. Alerts the store cannot take (the database unreachable, its disk full)\n"
    "are held in order and stored once when it takes them again: in the spool FILE (--spool,\n"
    "$VIGIL_SPOOL or [spool] path; best on another filesystem than the database; default\n"
    "./vigil-deployment-ID.spool on PostgreSQL), else in memory; at most [spool] max_alerts\n"
    "(default 10000), losses counted. Counters reach the store every 5 s. SIGHUP reloads the\n"
    "watch list, SIGUSR1 logs statistics; a closed stdout does not stop the run.\n",
    {{"--deployment", "NAME", "the deployment to run", VG_OPT_REQUIRED},
     {"--config", "FILE", "a config file: [engine], [source], [retention], [spool], [infer], [http], [webhook], [audit]", 0},
     {"--listen", "ADDR:PORT", "the console and API (default: [http] listen, else 127.0.0.1:8080; port 0: a free one)",
      0},
     {"--no-http", NULL, "no console and no API", 0},
     {"--spool", "FILE", "the alert spool file ($VIGIL_SPOOL, else [spool] path)", 0},
     {0}}};

/* Counters reach the store this often while the engine runs, so that a
 * killed run loses at most this much of them (docs/storage.md). */
#define COUNTERS_EVERY_S 5.0

typedef struct run_ctx {
    vg_engine *engine;
    vg_store *store;       /* the engine's alert thread's while it runs */
    vg_store *side;        /* a connection of our own for counters and reloads (NULL: none) */
    int64_t deployment_id;
    int64_t watchlist_id;
    char purpose[300];
    vg_counters written;   /* what is already in the store */
    const vg_cli *cli;
    const vg_engine_config *cfg;
    double last_retention; /* monotonic seconds */
    double last_counters;
    int counters_failing;  /* the last write failed (logged once per failure run) */
} run_ctx;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The retention job (alerts past their period, expired subjects), on the
 * given store connection, logged with its counts. */
static void retention(const vg_cli *cli, const vg_engine_config *cfg, vg_store *store)
{
    vg_retention_policy p = {.alert_days = cfg->retention_alert_days,
                             .purge_ended_deployment_lists = cfg->retention_purge_ended};
    vg_retention_result r;
    vg_err err = {{0}};
    vg_log_line l;
    if (vg_store_retention_run(store, vg_cli_actor(cli), &p, 0, &r, &err) == VG_OK) {
        vg_log_start(&l, "retention");
        vg_log_fmt(&l, "alerts_deleted", "%d", r.alerts_deleted);
        vg_log_fmt(&l, "subjects_expired", "%d", r.subjects_expired);
        vg_log_fmt(&l, "templates_deleted", "%d", r.templates_deleted);
        vg_log_fmt(&l, "photos_deleted", "%d", r.photos_deleted);
        vg_log_fmt(&l, "watchlists_purged", "%d", r.watchlists_purged);
    } else {
        vg_log_start(&l, "retention_failed");
        vg_log_str(&l, "reason", err.msg);
    }
    vg_cli_log_line(NULL, l.buf);
}

/* Adds what the engine counted since the last call to the store, in a
 * transaction of its own, through `store` (the side connection while the
 * engine runs, the engine's own once it has stopped). */
static void flush_counters(run_ctx *r, vg_store *store)
{
    if (!store)
        return;
    vg_counters now, delta;
    vg_engine_counters(r->engine, &now);
    delta.frames_in = now.frames_in - r->written.frames_in;
    delta.frames_processed = now.frames_processed - r->written.frames_processed;
    delta.frames_dropped = now.frames_dropped - r->written.frames_dropped;
    delta.faces = now.faces - r->written.faces;
    delta.tracks = now.tracks - r->written.tracks;
    delta.embeddings = now.embeddings - r->written.embeddings;
    delta.comparisons = now.comparisons - r->written.comparisons;
    delta.alerts = now.alerts - r->written.alerts;
    delta.reconnects = now.reconnects - r->written.reconnects;
    r->last_counters = mono_s();
    if (!memcmp(&now, &r->written, sizeof now))
        return;
    vg_err err = {{0}};
    if (vg_store_counters_add(store, r->deployment_id, "all", &delta, &err) == VG_OK) {
        r->written = now;
        r->counters_failing = 0;
    } else if (!r->counters_failing) {
        r->counters_failing = 1;
        char line[VG_ERR_MSG_MAX + 96];
        snprintf(line, sizeof line, "event=counters_not_written action=retry reason=\"%s\"", err.msg);
        vg_cli_log_line(NULL, line);
    }
}

/* SIGHUP: the watch list again from the store (an audited read, as at the
 * start), swapped in while the engine runs. */
static void reload_watchlist(run_ctx *r)
{
    vg_err err = {{0}};
    vg_watch_gallery *g = NULL;
    vg_status st = r->side ? vg_watch_gallery_load(r->side, vg_cli_actor(r->cli), r->purpose, r->watchlist_id,
                                                   vg_face_pack_model_id(vg_engine_pack(r->engine)), 0, &g, &err)
                           : vg_err_set(&err, VG_ERR_IO, "no store connection to reload from");
    char line[VG_ERR_MSG_MAX + 160];
    if (st != VG_OK) {
        snprintf(line, sizeof line, "event=gallery_reload_failed why=SIGHUP action=keep_current reason=\"%s\"",
                 err.msg);
    } else {
        snprintf(line, sizeof line, "event=gallery_reloaded why=SIGHUP watchlist=%lld subjects=%d templates=%d",
                 (long long)r->watchlist_id, vg_watch_gallery_subjects(g), vg_watch_gallery_templates(g));
        vg_engine_gallery_set(r->engine, g);
    }
    vg_cli_log_line(NULL, line);
}

/* While the engine runs: counters every COUNTERS_EVERY_S (and after each
 * statistics line, so that the store is never behind the log), the
 * watch list on SIGHUP, and the retention job every retention_every_hours
 * (on a connection of its own: the engine's alert thread owns the run's). */
static void tick(void *arg, vg_cli_tick_event ev)
{
    run_ctx *r = arg;
    if (ev == VG_CLI_TICK_RELOAD)
        reload_watchlist(r);
    if (ev == VG_CLI_TICK_STATS || mono_s() - r->last_counters >= COUNTERS_EVERY_S)
        flush_counters(r, r->side);
    double every = (r->cfg->retention_every_hours > 0 ? r->cfg->retention_every_hours : 1.0) * 3600.0;
    if (mono_s() - r->last_retention < every)
        return;
    r->last_retention = mono_s();
    vg_store *own = NULL;
    vg_err err = {{0}};
    if (vg_cli_open_store(r->cli, &own, &err) != VG_OK) {
        vg_cli_log_line(NULL, "event=retention_failed reason=\"cannot open the store\"");
        return;
    }
    retention(r->cli, r->cfg, own);
    vg_store_close(own);
}

int vg_cmd_run(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    const char *name = vg_cli_val(&p, "--deployment"), *config = vg_cli_val(&p, "--config"),
               *listen = vg_cli_val(&p, "--listen"), *spool = vg_cli_val(&p, "--spool");
    if (!spool)
        spool = getenv("VIGIL_SPOOL");
    int no_http = vg_cli_has(&p, "--no-http");
    if (no_http && listen)
        return vg_cli_usage("run: --listen and --no-http contradict each other");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int min_face = cli->min_face > 0 ? (int)cli->min_face : 0;
    vg_err err = {{0}};
    vg_status st = VG_OK;
    vg_server_settings *http_set = calloc(1, sizeof *http_set);
    if (!http_set)
        return vg_cli_fail(VG_ERR_NOMEM, NULL);
    if (config && ((st = vg_engine_config_load_shared(config, vg_server_config_sections, &cfg, &min_face, &err)) ||
                   (st = vg_server_settings_load(config, http_set, &err)))) {
        free(http_set);
        return vg_cli_fail_config(st, &err);
    }
    vg_cli_http http = {0};
    vg_cli_checkpoints *checkpoints = NULL;

    vg_store *store = NULL;
    vg_face_pack *pack = NULL;
    vg_watch_gallery *g = NULL;
    vg_engine *e = NULL;
    vg_deployment *d = calloc(1, sizeof *d);
    if (!d)
        return vg_cli_fail(VG_ERR_NOMEM, NULL);
    vg_cli pc = *cli;
    pc.min_face = (float)min_face;
    if (cfg.infer_provider[0])
        pc.provider = cfg.infer_provider;
    if (cfg.landmark_fit[0])
        pc.landmark_fit = vg_face_fit_parse(cfg.landmark_fit);
    char purpose[300];
    snprintf(purpose, sizeof purpose, "deployment %s", name);
    st = vg_cli_open_store(cli, &store, &err);
    if (!st)
        st = vg_store_deployment_get(store, name, d, &err);
    if (!st && d->ended_at)
        st = vg_err_set(&err, VG_ERR_INVALID, "deployment %s was ended; create a new one", name);
    vg_watchlist wl;
    if (!st)
        st = vg_store_watchlist_get(store, d->watchlist, &wl, &err);
    long long now0 = (long long)time(NULL);
    if (!st && wl.expires_at && wl.expires_at <= now0) {
        char when[32];
        st = vg_err_set(&err, VG_ERR_INVALID, "watch list %s expired on %s UTC: a deployment cannot run with it",
                        wl.name, vg_cli_format_time(wl.expires_at, when, sizeof when));
    }
    if (!st)
        st = vg_cli_open_pack(&pc, &pack, &err);
    /* the deployment's threshold and calibration were for the embedder it was created with */
    int refused = 0; /* a refusal of the deployment itself (audited), not a failure to open something */
    if (!st && d->model_id[0] && strcmp(d->model_id, vg_face_pack_model_id(pack)) != 0)
        refused = 1, st = vg_err_set(&err, VG_ERR_INVALID,
                        "deployment %s was created for the embedder %s, but the pack in use has %s: its threshold "
                        "and calibration do not apply. Re-embed the watch list with this pack (vigil watchlist "
                        "reembed %s) and create a new deployment, or run with the pack it was created for",
                        name, d->model_id, vg_face_pack_model_id(pack), d->watchlist);
    if (!st && d->detector[0] && strcmp(d->detector, vg_face_pack_detector(pack)) != 0) {
        vg_log_line l;
        vg_log_start(&l, "detector_differs");
        vg_log_str(&l, "deployment_detector", d->detector);
        vg_log_str(&l, "detector", vg_face_pack_detector(pack));
        vg_cli_log_line(NULL, l.buf);
    }
    if (!st)
        st = vg_watch_gallery_load(store, vg_cli_actor(cli), purpose, d->watchlist_id, vg_face_pack_model_id(pack),
                                   0, &g, &err);
    /* the threshold the engine will use: the config's, else the deployment's, else the default */
    double threshold = cfg.threshold > 0 ? cfg.threshold : d->threshold > 0 ? d->threshold
                                                                            : VG_WATCHLIST_THRESHOLD_DEFAULT;
    char calib[512] = "";
    if (!st && (st = vg_cli_check_false_alerts(store, name, vg_face_pack_model_id(pack), vg_watch_gallery_subjects(g),
                                               threshold, cfg.false_alert_ceiling, calib, sizeof calib, &err)) ==
                   VG_ERR_INVALID)
        refused = 1;
    int code = VG_EXIT_OK;
    if (st && refused) {
        /* the post-deployment review lists every refusal: the reason into the chain */
        char object[VG_STORE_NAME_MAX + 16];
        snprintf(object, sizeof object, "deployment:%s", name);
        json_t *why = json_pack("{s:s}", "reason", err.msg);
        char *details = why ? json_dumps(why, JSON_COMPACT) : NULL;
        vg_err aerr = {{0}};
        if (!details || vg_store_audit_append(store, vg_cli_actor(cli), "deployment.refuse", object, details, &aerr))
            fprintf(stderr, "vigil: the refusal could not be audited: %s\n", details ? aerr.msg : "out of memory");
        free(details);
        json_decref(why);
    }
    if (st) {
        code = vg_cli_fail(st, &err);
        goto done;
    }
    char line[600];
    snprintf(line, sizeof line, "event=calibration %s", calib);
    vg_cli_log_line(NULL, line);
    cfg.n_cameras = d->n_cameras;
    for (int i = 0; i < d->n_cameras; i++) {
        /* the name the deployment gave it: on the console, its alerts and logs */
        if (d->camera_names[i][0])
            snprintf(cfg.cameras[i].name, sizeof cfg.cameras[i].name, "%s", d->camera_names[i]);
        else
            snprintf(cfg.cameras[i].name, sizeof cfg.cameras[i].name, "camera%d", i + 1);
        snprintf(cfg.cameras[i].url, sizeof cfg.cameras[i].url, "%s", d->cameras[i]);
    }
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.match_enabled = 1;
    cfg.window_start = d->starts_at;
    cfg.window_end = d->ends_at;
    cfg.deployment_id = d->id;
    cfg.scene_snapshot = d->scene_snapshot; /* issue 15: default off */
    /* the spool: for a store on another machine (a file store is here, or not at all) */
    int shared = vg_cli_store_shared(cli);
    if (spool && *spool)
        snprintf(cfg.spool_path, sizeof cfg.spool_path, "%s", spool);
    else if (shared && !cfg.spool_path[0]) /* [spool] path of the config, else this */
        snprintf(cfg.spool_path, sizeof cfg.spool_path, "vigil-deployment-%lld.spool", (long long)d->id);
    if (d->threshold > 0 && cfg.threshold <= 0)
        cfg.threshold = d->threshold;
    if (cli->threads > 0)
        cfg.workers = cli->threads;
    cfg.log = vg_cli_log_line;
    long long now = (long long)time(NULL);
    int in_window = now >= d->starts_at && now < d->ends_at;
    char details[640];
    snprintf(details, sizeof details,
             "{\"cameras\":%d,\"starts_at\":%lld,\"ends_at\":%lld,\"in_window\":%s,\"subjects\":%d,\"templates\":%d,"
             "\"quarantined\":%d,\"watchlist_version\":\"%s\",\"model\":\"%s\",\"calibrated_with_groups\":%s}",
             d->n_cameras, (long long)d->starts_at, (long long)d->ends_at, in_window ? "true" : "false",
             vg_watch_gallery_subjects(g), vg_watch_gallery_templates(g), vg_watch_gallery_quarantined(g),
             vg_watch_gallery_version(g), vg_face_pack_model_id(pack), strstr(calib, " groups=none") ? "false" : "true");
    if (vg_watch_gallery_quarantined(g) > 0) {
        snprintf(line, sizeof line,
                 "event=subjects_quarantined count=%d note=\"not matched until an admin releases them (vigil "
                 "subject list %s)\"",
                 vg_watch_gallery_quarantined(g), d->watchlist);
        vg_cli_log_line(NULL, line);
    }
    char object[VG_STORE_NAME_MAX + 16];
    snprintf(object, sizeof object, "deployment:%s", name);
    /* a previous run that has a start and no stop was killed or crashed: say so, in the log and the audit */
    vg_deployment_runs runs;
    if (vg_store_deployment_runs(store, name, &runs, &err) == VG_OK && runs.last_open) {
        char prev[160], when[32];
        snprintf(prev, sizeof prev, "{\"started_at\":%lld,\"started_seq\":%lld}", (long long)runs.last_started_at,
                 (long long)runs.last_start_seq);
        snprintf(line, sizeof line, "event=previous_run_unclean started_at=%s note=\"no stop entry: killed or "
                                    "crashed; its counters are those written until then\"",
                 vg_cli_format_time(runs.last_started_at, when, sizeof when));
        vg_cli_log_line(NULL, line);
        if ((st = vg_store_audit_append(store, vg_cli_actor(cli), "deployment.unclean_stop", object, prev, &err))) {
            code = vg_cli_fail(st, &err);
            goto done;
        }
    }
    st = vg_store_audit_append(store, vg_cli_actor(cli), "deployment.start", object, details, &err);
    if (st) {
        code = vg_cli_fail(st, &err);
        goto done;
    }
    /* from here on, every way out writes the counters and a stop entry */
    if (!in_window)
        vg_cli_log_line(NULL, "event=outside_window matching=off note=\"cameras run, no face is compared\"");
    retention(cli, &cfg, store);
    vg_cli_block_signals();
    run_ctx rc = {.store = store, .deployment_id = d->id, .watchlist_id = d->watchlist_id, .cli = cli,
                  .cfg = &cfg, .last_retention = mono_s(), .last_counters = mono_s()};
    snprintf(rc.purpose, sizeof rc.purpose, "%s: reload on SIGHUP", purpose);
    const char *stop_reason = "stopped";
    /* [audit] checkpoint_interval: the chain's head signed now, every
     * interval, and at the end, after the stop entry */
    if ((st = vg_cli_checkpoints_start(cli, http_set, &checkpoints, &err))) {
        code = vg_cli_fail(st, &err);
        stop_reason = "the audit checkpoints did not start";
        goto stop;
    }
    st = vg_engine_start(&cfg, pack, g, store, vg_cli_actor(cli), &e, &err);
    if (st) {
        code = vg_cli_fail(st, &err);
        stop_reason = "the engine did not start";
        goto stop;
    }
    rc.engine = e;
    vg_engine_subscribe(e, vg_cli_print_alert, (void *)cli);
    if (!no_http && (st = vg_cli_http_start(cli, http_set, listen, e, NULL, &http, &err))) {
        vg_engine_stop(e);
        code = vg_cli_fail(st, &err);
        stop_reason = "the HTTP server did not start";
        goto stop;
    }
    {
        vg_err serr = {{0}};
        if (vg_cli_open_store(cli, &rc.side, &serr) != VG_OK) {
            char sline[VG_ERR_MSG_MAX + 96];
            snprintf(sline, sizeof sline, "event=counters_at_stop_only reason=\"%s\"", serr.msg);
            vg_cli_log_line(NULL, sline);
        }
    }
    vg_cli_follow *follow = NULL;
    if (shared) {
        vg_err ferr = {{0}};
        char fline[VG_ERR_MSG_MAX + 64];
        if (vg_cli_follow_start(cli, store, e, d->watchlist_id, name, http.srv ? vg_cli_http_alerts_changed : NULL,
                                &http, &follow, &ferr) == VG_OK)
            snprintf(fline, sizeof fline, "event=following_changes watchlist=%lld", (long long)d->watchlist_id);
        else
            snprintf(fline, sizeof fline, "event=not_following_changes reason=\"%s\"", ferr.msg);
        vg_cli_log_line(NULL, fline);
    }
    vg_cli_wait_engine(e, 10.0, tick, &rc);
    vg_cli_follow_stop(follow);
    vg_engine_stop(e); /* before the server, which is subscribed to its alerts */
    vg_cli_http_stop(&http);
    vg_cli_log_stats(e);
stop:
    vg_store_close(rc.side);
    rc.side = NULL;
    if (e)
        flush_counters(&rc, store);
    {
        json_t *summary = e ? vg_cli_summary_json(e) : json_pack("{s:s,s:s}", "type", "summary", "error", stop_reason);
        char *sum = summary ? json_dumps(summary, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        vg_err aerr = {{0}};
        if (sum && vg_store_audit_append(store, vg_cli_actor(cli), "deployment.stop", object, sum, &aerr) != VG_OK &&
            code == VG_EXIT_OK)
            code = vg_cli_fail(VG_ERR_IO, &aerr);
        free(sum);
        if (cli->json && e)
            vg_cli_print_json(summary);
        else
            json_decref(summary);
    }
done:
    vg_cli_checkpoints_stop(checkpoints);
    vg_cli_http_stop(&http);
    free(http_set);
    vg_engine_free(e);
    vg_watch_gallery_free(g);
    vg_face_pack_close(pack);
    vg_store_close(store);
    free(d);
    return code;
}
