/* server.h — vigil's HTTP API: a libmicrohttpd daemon serving JSON under
 * /api/v1 to logged-in users with roles (admin, operator, auditor).
 *
 * The server borrows an open store and uses it under its own mutex from its
 * worker threads: while the server runs, the caller must not use that store.
 * Sessions live in memory only (a restart logs everyone out); API tokens
 * (Authorization: Bearer) live in the store.
 */
#ifndef VIGIL_SERVER_H
#define VIGIL_SERVER_H

#include <stddef.h>
#include "vigil/status.h"
#include "vigil/engine.h"
#include "vigil/face.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_server vg_server;

typedef struct vg_server_config {
    const char *listen;   /* "IPv4:PORT"; NULL: "127.0.0.1:8080"; port 0: any free port */
    size_t body_max;      /* bytes of a request body; 0: 64 KiB; larger is answered 413 */
    int secure_cookies;   /* 1 under TLS: the session cookie gets "; Secure" */
    /* HTTPS when both are set (PEM files, read at start: a missing or
     * non-PEM file, or a key that is not the certificate's, is an error
     * naming it); cookies then get "; Secure". Only one set is an error. */
    const char *tls_cert, *tls_key;
    size_t upload_max;    /* bytes of a photo upload body; 0: 8 MiB; larger is answered 413 */
    /* The running engine (vigil run) for cameras, live views and instant
     * alert delivery; NULL under vigil serve (alerts are then read from the
     * store as other processes write them). Borrowed; must outlive the server. */
    vg_engine *engine;
    /* The model pack for enrolment uploads; NULL: the engine's, and without
     * an engine uploads are refused (503). With an engine, an enrolment or
     * removal on its deployment's watch list reloads its gallery. */
    const vg_face_pack *pack;
    const char *web_dir;  /* the console's files; NULL: the compiled-in default */
    /* Outgoing webhooks: each alert is POSTed as JSON to every URL, signed
     * with HMAC-SHA-256 under the secret (X-Vigil-Signature). */
    int n_webhooks;
    const char *webhooks[8];
    const char *webhook_secret;
} vg_server_config;

/* Starts listening (a thread per connection, at most 1000). A bad listen
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
