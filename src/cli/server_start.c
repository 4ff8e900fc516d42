/* server_start.c — starting and stopping the HTTP server for `vigil run` (beside
 * the engine) and `vigil serve` (alone): its own store connection (SQLite
 * in WAL mode lets it read while the engine's connection writes), the
 * settings of the config file's [http] and [webhook] sections, the
 * webhook secret from its 0600 file, the console URL printed, and a
 * warning when nobody could log in; the server logs through the log line
 * writer of live.c. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/server_start.h"
#include "cli/run_shared.h"
#include "vigil/store.h"

vg_status vg_cli_http_start(const vg_cli *cli, const vg_server_settings *set, const char *listen,
                            vg_engine *engine, const vg_face_pack *pack, vg_cli_http *h, vg_err *err)
{
    memset(h, 0, sizeof *h);
    vg_server_config cfg = {0};
    vg_server_settings_apply(set, &cfg);
    if (listen)
        cfg.listen = listen;
    cfg.engine = engine;
    cfg.pack = pack;
    cfg.calibration = vg_cli_default_calibration(h->calibration, sizeof h->calibration);
    cfg.log = vg_cli_log_line;
    vg_status st = VG_OK;
    if (set->n_webhooks) {
        st = vg_server_secret_read(set->secret_file, h->secret, sizeof h->secret, err);
        cfg.webhook_secret = h->secret;
    }
    if (st == VG_OK)
        st = vg_cli_open_store(cli, &h->store, err);
    int no_user = 0;
    if (st == VG_OK) { /* asked before the server's threads use the store */
        vg_user *users = NULL;
        int n = 0;
        vg_err e2 = {{0}};
        no_user = vg_store_user_list(h->store, &users, &n, &e2) == VG_OK && n == 0;
        free(users);
    }
    if (st == VG_OK)
        st = vg_server_start(&cfg, h->store, &h->srv, err);
    if (st != VG_OK) {
        vg_cli_http_stop(h);
        return st;
    }
    const char *addr = cfg.listen ? cfg.listen : "127.0.0.1:8080";
    const char *colon = strrchr(addr, ':');
    const char *scheme = cfg.tls_cert && cfg.tls_key ? "https" : "http";
    char url[128];
    snprintf(url, sizeof url, "%s://%.*s:%d/", scheme, (int)(colon - addr), addr, vg_server_port(h->srv));
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s, s:s, s:s#, s:i, s:s}", "event", "listening", "url", url, "host", addr,
                                    (int)(colon - addr), "port", vg_server_port(h->srv), "scheme", scheme));
    else
        printf("vigil: console %s (Ctrl-C stops)\n", url);
    fflush(stdout);
    if (no_user) {
        vg_log_line l;
        vg_log_start(&l, "warning");
        vg_log_str(&l, "reason", "the database has no user, so nobody can log in to the console: "
                                 "add one with `vigil user add NAME --role operator`");
        vg_cli_log_line(NULL, l.buf);
    }
    return VG_OK;
}

void vg_cli_http_stop(vg_cli_http *h)
{
    vg_server_stop(h->srv);
    h->srv = NULL;
    vg_store_close(h->store);
    h->store = NULL;
    sodium_memzero(h->secret, sizeof h->secret);
}

void vg_cli_http_alerts_changed(void *ctx, int64_t alert_id)
{
    (void)alert_id;
    vg_cli_http *h = ctx;
    vg_server_alerts_changed(h->srv);
}
