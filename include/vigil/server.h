/* server.h — vigil's HTTP API: a libmicrohttpd daemon serving JSON under
 * /api/v1 to logged-in users with roles (admin, operator, auditor).
 *
 * The server borrows an open store and uses it under its own mutex from its
 * worker threads: while the server runs, the caller must not use that store.
 * Sessions live in memory only (a restart logs everyone out).
 */
#ifndef VIGIL_SERVER_H
#define VIGIL_SERVER_H

#include <stddef.h>
#include "vigil/status.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_server vg_server;

typedef struct vg_server_config {
    const char *listen;   /* "IPv4:PORT"; NULL: "127.0.0.1:8080"; port 0: any free port */
    size_t body_max;      /* bytes of a request body; 0: 64 KiB; larger is answered 413 */
    int secure_cookies;   /* 1 under TLS: the session cookie gets "; Secure" */
} vg_server_config;

/* Starts listening (a polling thread and a pool of 2 workers). A bad listen
 * address is VG_ERR_INVALID; a port that cannot be bound VG_ERR_IO. */
vg_status vg_server_start(const vg_server_config *cfg, vg_store *store, vg_server **out, vg_err *err);
/* The port actually bound (useful with port 0). */
int vg_server_port(const vg_server *srv);
/* Stops the daemon (waiting for requests in progress) and frees it; the
 * store stays open. NULL is fine. */
void vg_server_stop(vg_server *srv);

#ifdef __cplusplus
}
#endif
#endif
