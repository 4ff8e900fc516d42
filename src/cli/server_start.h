/* server_start.h — the HTTP server as `vigil run` and `vigil serve` start it
 * (server_start.c). */
#ifndef VG_CLI_SERVER_START_H
#define VG_CLI_SERVER_START_H

#include "cli/cli.h"
#include "vigil/server.h"

typedef struct vg_cli_http {
    vg_store *store;          /* the server's own connection */
    vg_server *srv;
    char secret[1024];        /* the webhook secret, wiped at stop */
    char calibration[4096];   /* the default calibration file's path, for /paperwork */
} vg_cli_http;

/* Opens the server's own store connection, reads the webhook secret named
 * by the settings, and starts the server on listen (NULL: the settings',
 * else 127.0.0.1:8080) with the engine (NULL under serve) and the pack for
 * uploads (NULL: the engine's, or none). Then prints the console's URL (a
 * {"event":"listening",...} line with --json) and logs event=warning when no
 * user can log in. */
vg_status vg_cli_http_start(const vg_cli *cli, const vg_server_settings *set, const char *listen,
                            vg_engine *engine, const vg_face_pack *pack, vg_cli_http *h, vg_err *err);
/* The on_alert hook of vg_cli_follow_start (ctx: the vg_cli_http): wakes
 * the server's alert feed. */
void vg_cli_http_alerts_changed(void *ctx, int64_t alert_id);
/* Stops the server (the engine, if any, stopped first) and closes its store. */
void vg_cli_http_stop(vg_cli_http *h);

#endif
