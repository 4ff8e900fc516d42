/* server.h — vigil's HTTP API: a libmicrohttpd daemon serving JSON under
 * /api/v1 to logged-in users with roles (admin, operator, auditor).
 *
 * The server borrows an open store and uses it under its own mutex from its
 * worker threads: while the server runs, the caller must not use that store.
 * Sessions live in the store as hashes of their tokens (a restart logs no
 * one out); so do API tokens (Authorization: Bearer), which expire.
 *
 * Alerts: the server follows the store's alerts (its own feed thread, woken
 * by the engine when there is one, else polling every 250 ms, so alerts
 * written by another process appear too), streams them to
 * GET /api/v1/alerts/stream (Server-Sent Events) and POSTs them to the
 * configured webhooks. When it shares a database with a running engine,
 * give the server its own vg_store (a second connection to the same file).
 */
#ifndef VIGIL_SERVER_H
#define VIGIL_SERVER_H

#include "vigil/api.h"

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
     * store as other processes write them). Borrowed; must outlive the
     * server, and be stopped (vg_engine_stop) before vg_server_stop: the
     * server subscribes to its alerts and cannot unsubscribe. */
    vg_engine *engine;
    /* The model pack for enrolment uploads; NULL: the engine's, and without
     * an engine uploads are refused (503). With an engine, an enrolment or
     * removal on its deployment's watch list reloads its gallery. */
    const vg_face_pack *pack;
    const char *web_dir;  /* the console's files; NULL: the compiled-in default */
    /* The default calibration file for the deployment documents
     * (/paperwork) when the store has none for a model; NULL: none.
     * Borrowed for the server's life. */
    const char *calibration;
    /* Outgoing webhooks: each alert is POSTed as JSON to every URL, signed
     * with HMAC-SHA-256 under the secret (X-Vigil-Signature). */
    int n_webhooks;
    const char *webhooks[8];
    const char *webhook_secret;
    /* logfmt event lines (vigil/log.h): webhook failures, alert feed read
     * errors, internal errors of requests, ... NULL: none. The server
     * itself never prints. Called from the server's threads. */
    vg_log_fn log;
    void *log_ctx;
    /* Seconds a client has to send a whole request head (request line and
     * headers), however steadily it trickles in; 0: 10. */
    double head_timeout_s;
    /* Connections open at once from one address; 0: 64. More are refused
     * at once (the socket is closed). */
    unsigned per_address_max;
    /* Seconds within which alerts for one subject on one deployment are one
     * incident on the console (one card; [console] incident_window); 0:
     * 600. The console reads it from /api/v1/me. */
    int incident_window;
} vg_server_config;

/* The server's part of a vigil config file (settings.c): [http] listen,
 * tls_cert, tls_key, body_max, upload_max; [webhook] url (one line per URL,
 * at most 8), secret_file; [audit] checkpoint_interval, checkpoint_file,
 * checkpoint_syslog, sign_key; [console] incident_window (seconds,
 * 60..86400). */
#define VG_SERVER_PATH_MAX 1024
#define VG_SERVER_WEBHOOKS_MAX 8
typedef struct vg_server_settings {
    char listen[64];
    char tls_cert[VG_SERVER_PATH_MAX], tls_key[VG_SERVER_PATH_MAX];
    size_t body_max, upload_max;
    int n_webhooks;
    char webhooks[VG_SERVER_WEBHOOKS_MAX][2048];
    char secret_file[VG_SERVER_PATH_MAX];
    /* [audit]: a signed checkpoint of the audit chain's head (as `vigil
     * audit checkpoint` makes) at the start, every checkpoint_interval
     * seconds and at the stop of `vigil serve` and `vigil run` (0: none),
     * exported to checkpoint_file and/or checkpoint_syslog
     * ("udp://HOST:PORT"), signed with the key file sign_key ("": as the
     * command: $VIGIL_SIGN_KEY, else the database's path + ".sign.key"). */
    int checkpoint_interval;
    char checkpoint_file[VG_SERVER_PATH_MAX];
    char checkpoint_syslog[256];
    char sign_key[VG_SERVER_PATH_MAX];
    int incident_window; /* 0: not set */
} vg_server_settings;

/* The sections vg_server_settings_load reads (NULL-terminated), for the
 * engine's loader to skip (vg_engine_config_load_shared). */
extern const char *const vg_server_config_sections[];

/* Reads [http], [webhook] and [audit] from an INI file over *s; other sections are
 * skipped (the engine's loader checks them). An unknown key, a bad value,
 * more than 8 URLs, a URL that is not http(s)://, or URLs without a
 * secret_file are VG_ERR_INVALID naming the file, line and key; nothing is
 * changed then. */
VG_API vg_status vg_server_settings_load(const char *path, vg_server_settings *s, vg_err *err);
/* The same for text in memory (len bytes), named `name` in messages. */
VG_API vg_status vg_server_settings_load_text(const char *name, const char *text, size_t len, vg_server_settings *s,
                                       vg_err *err);
/* Points cfg's fields at the settings' (which must outlive cfg). */
VG_API void vg_server_settings_apply(const vg_server_settings *s, vg_server_config *cfg);
/* Reads a webhook secret from a file: the whole file without its trailing
 * newline, 1 to cap-1 bytes. A file readable or writable by group or
 * others is refused (VG_ERR_INVALID: chmod 600), as is an empty one. */
VG_API vg_status vg_server_secret_read(const char *path, char *buf, size_t cap, vg_err *err);

/* Starts listening (a thread per connection, at most 1000). A bad listen
 * address, a webhook URL that is not http(s):// or webhooks without a
 * secret are VG_ERR_INVALID; a port that cannot be bound VG_ERR_IO. */
VG_API vg_status vg_server_start(const vg_server_config *cfg, vg_store *store, vg_server **out, vg_err *err);
/* The port actually bound (useful with port 0). */
VG_API int vg_server_port(const vg_server *srv);
/* Tells the server that the store holds a new alert (another node stored
 * it: a change notification): its alert feed reads the store at once
 * rather than at its next poll. Any thread; NULL is fine. */
VG_API void vg_server_alerts_changed(vg_server *srv);
/* Stops the daemon (alert streams end cleanly, requests in progress are
 * waited for, webhook deliveries still queued are abandoned) and frees it;
 * the store stays open. NULL is fine. */
VG_API void vg_server_stop(vg_server *srv);

#ifdef __cplusplus
}
#endif
#endif
