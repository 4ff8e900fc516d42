/* server_internal.h — what the server's files share: the server object, one
 * request's state, the route table's shape, and the helpers of http_io.c and
 * auth.c. */
#ifndef VG_SERVER_INTERNAL_H
#define VG_SERVER_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "server/body.h"
#include "vigil/server.h"

#define VG_SESSION_TTL (12 * 3600)
#define VG_RATE_ADDRS 256
#define VG_RATE_FAILS 5      /* failed logins per address ... */
#define VG_RATE_WINDOW 60    /* ... per this many seconds */
#define VG_RATE_ACCOUNTS 256
#define VG_ACCOUNT_FAILS 10  /* failed logins per account name, from any address ... */
#define VG_ACCOUNT_WINDOW 900 /* ... per this many seconds */

/* The caller of one request: a copy of its session (from the store) or of
 * its API token's name and role. */
typedef struct vg_session {
    int bearer;              /* 1: an API token (Authorization: Bearer), no CSRF */
    char token[65];          /* the cookie's token (hex); "" for a bearer */
    char csrf[65];           /* the hash of the session's CSRF token (hex) */
    char user[VG_STORE_NAME_MAX + 1];
    char role[16];
    int64_t expires;
} vg_session;

typedef struct vg_rate {
    char addr[64];
    int64_t fails[VG_RATE_FAILS]; /* times of the latest failures (a ring) */
    int next;
} vg_rate;

typedef struct vg_account_rate {
    char name[VG_STORE_NAME_MAX + 1];
    int64_t fails[VG_ACCOUNT_FAILS];
    int next;
} vg_account_rate;

typedef struct vg_auth {
    pthread_mutex_t mu;
    vg_rate rate[VG_RATE_ADDRS];
    vg_account_rate accounts[VG_RATE_ACCOUNTS];
} vg_auth;

typedef struct vg_feed vg_feed;
typedef struct vg_webhooks vg_webhooks;

/* conn_guard.c: the open connections and the watchdog that cuts a request
 * head taking longer than deadline_s. */
typedef struct vg_conn vg_conn;
typedef struct vg_conn_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int running, stop;
    double deadline_s;
    vg_conn *head;
    atomic_llong cut;         /* connections cut for a slow head */
} vg_conn_guard;
vg_status vg_conn_guard_start(vg_conn_guard *g, double deadline_s, vg_err *err);
/* After the daemon has stopped (no connection left). */
void vg_conn_guard_stop(vg_conn_guard *g);
/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls: the guard). */
void vg_conn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);
/* The handler has the whole head / the request was answered (the next
 * head of a kept-alive connection starts). */
void vg_conn_guard_head_done(vg_conn_guard *g, struct MHD_Connection *conn);
void vg_conn_guard_request_done(vg_conn_guard *g, struct MHD_Connection *conn);

/* A camera's frame count when last looked at, for its frame rate. */
typedef struct vg_cam_sample {
    double t;
    int64_t frames;
    double fps;
} vg_cam_sample;
typedef struct vg_static vg_static;

struct vg_server {
    struct MHD_Daemon *daemon;
    vg_static *web;           /* the console's files, read at start */
    vg_store *store;
    pthread_mutex_t store_mu;
    vg_auth auth;
    size_t body_max;
    size_t upload_max;        /* bodies of the routes marked upload */
    int secure_cookies;
    int port;
    const vg_face_pack *pack; /* for enrolment uploads; NULL: refused (503) */
    vg_engine *engine;        /* NULL under vigil serve */
    char *tls_cert, *tls_key; /* the PEMs, in memory (NULL: plain HTTP) */
    atomic_int stopping;      /* set by vg_server_stop: streams end */
    vg_feed *feed;              /* the alert feed (feed.c) */
    vg_webhooks *webhooks;      /* NULL without webhook URLs (webhook.c) */
    atomic_llong requests;      /* requests routed, for /metrics */
    atomic_int sse_clients;     /* open alert streams */
    atomic_llong sse_total;     /* alert streams opened */
    pthread_mutex_t cam_mu;
    vg_cam_sample cam_prev[VG_ENGINE_CAMERAS_MAX];
    vg_log_fn log;              /* the config's log callback (NULL: none) */
    void *log_ctx;
    vg_conn_guard guard;        /* the request-head deadline (conn_guard.c) */
    const char *calibration;    /* the default calibration file for /paperwork (NULL: none) */
    int incident_window;        /* seconds, for the console (/api/v1/me) */
};

/* server.c: hands a line built with vigil/log.h to the log callback. */
void vg_server_log(const vg_server *srv, const vg_log_line *l);

/* One request: its body as it arrives, then what the router found. */
typedef struct vg_request {
    vg_server *srv;
    int started;              /* the head was checked (the handler's first call) */
    int nul_in_uri;           /* the raw request target holds %00 */
    struct MHD_Connection *conn;
    const char *method, *url;
    char *body;
    size_t body_len, body_cap;
    size_t body_limit;        /* body_max, or upload_max for an upload route */
    int too_big;
    int64_t id;               /* the {id} of the path, if any */
    vg_session session;       /* a copy of the caller's session (user "" when none) */
} vg_request;

typedef enum MHD_Result (*vg_handler)(vg_request *r);

/* Who may call a route: the bits of a route's roles. Routes name them, so a
 * misspelt role does not compile. VG_ROLE_PUBLIC needs no session;
 * VG_ROLE_ANY takes any session with a known role. */
typedef enum vg_role {
    VG_ROLE_OPERATOR = 1 << 0,
    VG_ROLE_AUDITOR = 1 << 1,
    VG_ROLE_ADMIN = 1 << 2,
    VG_ROLE_PUBLIC = 1 << 3,
    VG_ROLE_ANY = 1 << 4,
} vg_role;
#define VG_ROLES_NAMED (VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN)

typedef struct vg_route {
    const char *method;
    const char *path;         /* segments; "{id}" matches a positive decimal id */
    unsigned roles;           /* vg_role bits: VG_ROLE_PUBLIC, VG_ROLE_ANY, or named roles */
    vg_handler handler;
    const char *summary;
    int upload;               /* 1: the body may be up to upload_max */
    const char *example;      /* a request body that this route accepts (OpenAPI example) */
} vg_route;

extern const vg_route vg_routes[];
extern const int vg_n_routes;

/* routes.c: the media type of a route whose answer streams until the
 * client leaves (text/event-stream, multipart/x-mixed-replace), from the
 * table of streams in routes.c; NULL for an ordinary answer. The OpenAPI
 * document marks such routes "x-vigil-stream". */
const char *vg_route_stream_type(const vg_route *rt);
/* routes.c: finds the route and runs it (with auth checks). */
enum MHD_Result vg_route_dispatch(vg_request *r);
/* routes.c: the bit of a role's name as the store holds it ("operator",
 * "auditor", "admin"); 0 for any other string. */
vg_role vg_route_role_of(const char *name);
/* routes.c: the name of one bit ("public" and "any" included), or NULL. */
const char *vg_route_role_name(vg_role bit);
/* routes.c: 1 when a caller of role (one named bit; 0 = unknown) may call a
 * route with these roles. */
int vg_route_allows(unsigned roles, vg_role role);
/* The route for method and url, or NULL (no auth checks). */
const vg_route *vg_route_find(const char *method, const char *url, int64_t *id);

/* http_io.c */
int vg_http_body_append(vg_request *r, const char *data, size_t size);
enum MHD_Result vg_http_json(vg_request *r, unsigned status, json_t *body);
enum MHD_Result vg_http_json_cookie(vg_request *r, unsigned status, json_t *body, const char *cookie);
/* Appends item (stolen) to arr and returns arr; when item is NULL (json_pack
 * refused a value: text that is not UTF-8) or arr is NULL, frees both and
 * returns NULL, so the response built from it becomes a 500, never a list
 * with a record silently left out. */
json_t *vg_json_push(json_t *arr, json_t *item);
enum MHD_Result vg_http_error(vg_request *r, unsigned status, const char *msg, const char *field);
/* Cache-Control: no-store, nosniff and a CSP of nothing: what every answer carries. */
void vg_http_common_headers(struct MHD_Response *resp);
/* Queues resp (adding Strict-Transport-Security under TLS) and releases it. */
enum MHD_Result vg_http_queue(vg_request *r, unsigned status, struct MHD_Response *resp);
enum MHD_Result vg_http_bytes(vg_request *r, unsigned status, const char *type, void *data, size_t len);
/* 429 with Retry-After: seconds. */
enum MHD_Result vg_http_error_retry(vg_request *r, int64_t seconds, const char *msg);
enum MHD_Result vg_http_store_error(vg_request *r, vg_status st, const vg_err *err);
/* 400 for a body that a vg_body_parse_* refused (field "" is left out). */
enum MHD_Result vg_http_body_error(vg_request *r, const char *field, const char *msg);
const char *vg_http_arg(vg_request *r, const char *name);
const char *vg_http_header(vg_request *r, const char *name);
void vg_http_client_addr(vg_request *r, char *buf, size_t cap);

/* head_check.c: 1 when a raw request target holds %00. */
int vg_head_nul_in_target(const char *raw);
/* Why the head of r is refused (400, connection closed), or NULL. */
const char *vg_head_refusal(vg_request *r);
/* Why a state-changing request looks sent from another site (a foreign
 * Origin: 403; a body not declared application/json: 415, into *status),
 * or NULL. */
const char *vg_head_cross_site(vg_request *r, unsigned *status);

/* auth.c */
void vg_auth_init(vg_auth *a);
void vg_auth_fini(vg_auth *a);
/* Who is calling: an API token (Authorization: Bearer) or the session
 * cookie. 1 and r->session filled when valid; 0 with neither; -1 for an
 * Authorization header that is not a valid token. */
int vg_auth_session(vg_request *r);
/* 1 while a session copied at the start of a stream is still valid: its
 * cookie session not logged out nor expired, or (bearer) the token text
 * still a valid API token. */
int vg_auth_still_valid(vg_server *srv, const vg_session *s, const char *bearer_token);
/* 1 when the request carries the session's CSRF token. */
int vg_auth_csrf_ok(vg_request *r);
enum MHD_Result vg_auth_login(vg_request *r);
enum MHD_Result vg_auth_logout(vg_request *r);
enum MHD_Result vg_auth_me(vg_request *r);

/* api.c: the handlers */
enum MHD_Result vg_api_healthz(vg_request *r);
enum MHD_Result vg_api_alerts(vg_request *r);
enum MHD_Result vg_api_alert(vg_request *r);
enum MHD_Result vg_api_adjudicate(vg_request *r);
enum MHD_Result vg_api_crop(vg_request *r);
enum MHD_Result vg_api_scene(vg_request *r);
enum MHD_Result vg_api_watchlists(vg_request *r);
enum MHD_Result vg_api_deployments(vg_request *r);
enum MHD_Result vg_api_audit(vg_request *r);
enum MHD_Result vg_api_audit_verify(vg_request *r);
/* api_watchlists.c */
enum MHD_Result vg_api_watchlist_create(vg_request *r);
enum MHD_Result vg_api_subjects(vg_request *r);
enum MHD_Result vg_api_subject_create(vg_request *r);
/* POST /api/v1/watchlists/{id}/reembed (admin): vg_watchlist_reembed with
 * the server's pack; 422 naming the subject and photo when one fails. */
enum MHD_Result vg_api_watchlist_reembed(vg_request *r);
enum MHD_Result vg_api_subject_remove(vg_request *r);
enum MHD_Result vg_api_subject_photo(vg_request *r);
enum MHD_Result vg_api_subject_face(vg_request *r);
/* api_users.c */
enum MHD_Result vg_api_users(vg_request *r);
enum MHD_Result vg_api_user_create(vg_request *r);
enum MHD_Result vg_api_tokens(vg_request *r);
enum MHD_Result vg_api_token_create(vg_request *r);
enum MHD_Result vg_api_token_revoke(vg_request *r);
enum MHD_Result vg_api_token_renew(vg_request *r);
enum MHD_Result vg_api_user_logout(vg_request *r);
/* api_report.c */
enum MHD_Result vg_api_report(vg_request *r);
/* api_paperwork.c */
enum MHD_Result vg_api_paperwork(vg_request *r);
/* reload.c: after a watch-list change, the engine's gallery rebuilt from
 * the store (under the store mutex, which the caller holds); VG_OK when
 * there is no engine or the change was to another list. */
vg_status vg_server_gallery_reload(vg_server *srv, int64_t watchlist_id, const char *actor, vg_err *err);
/* live_mjpeg.c: a camera's live view as MJPEG */
enum MHD_Result vg_api_live(vg_request *r);
enum MHD_Result vg_api_live_marks(vg_request *r);
enum MHD_Result vg_api_cameras(vg_request *r);
enum MHD_Result vg_api_metrics(vg_request *r);
/* alert_json.c: the alert as the API shows it (list, one, stream, webhooks). */
json_t *vg_api_alert_json(const vg_alert_detail *d);
/* alert_sse.c: GET /api/v1/alerts/stream (Server-Sent Events). */
enum MHD_Result vg_api_stream(vg_request *r);

/* feed.c — the server's alert feed: one thread following the store's
 * alerts in id order, a bounded ring of recent events (new alerts and
 * adjudication updates) as SSE text, and cursors that read it. */
#define VG_FEED_RING 1024
#define VG_FEED_PAGE 200

vg_status vg_feed_start(vg_server *srv, vg_feed **out, vg_err *err);
/* Wakes the feed thread now (an alert was stored). Any thread. */
void vg_feed_kick(vg_feed *f);
/* Ends the feed: readers waiting in vg_feed_next return -1 at once, the
 * thread is joined. vg_feed_free afterwards, once no reader is left. */
void vg_feed_shutdown(vg_feed *f);
void vg_feed_free(vg_feed *f);
/* An "update" event with the alert's current JSON (after adjudication). */
void vg_feed_publish_update(vg_feed *f, const vg_alert_detail *d);
/* The largest alert id in the store now (through the feed's connection). */
vg_status vg_feed_last_stored(vg_feed *f, int64_t *id, vg_err *err);
/* Events published so far (alerts, updates), for /metrics. */
void vg_feed_counts(vg_feed *f, int64_t *alerts, int64_t *updates, int64_t *last_id);

/* A reader's place in the feed: alerts with ids up to `after` were sent;
 * when live, pos is the next ring event to read. */
typedef struct vg_feed_cursor {
    int64_t after;
    uint64_t pos;
    int live;
} vg_feed_cursor;

/* The next events for the cursor as SSE text (malloc'd, into *out): first
 * from the store while the cursor is behind the ring, then from the ring.
 * Waits up to wait_s seconds; returns 1 with text, 0 when nothing came, -1
 * when the feed is shutting down. */
int vg_feed_next(vg_feed *f, vg_feed_cursor *c, double wait_s, char **out);

/* webhook.c — outgoing webhooks: each new alert POSTed as JSON to every
 * URL by one thread per URL, signed with HMAC-SHA-256, retried with capped
 * exponential backoff from a bounded queue (the oldest is dropped when it
 * is full): a dead receiver never holds up the feed or the engine. */
vg_status vg_webhooks_start(const char *const *urls, int n, const char *secret, vg_log_fn log, void *log_ctx,
                            vg_webhooks **out, vg_err *err);
/* Queues an alert for every URL (copies json). Never blocks on the network. */
void vg_webhooks_post(vg_webhooks *w, int64_t id, const char *json);
void vg_webhooks_stop(vg_webhooks *w);
typedef struct vg_webhook_counts {
    int64_t delivered, attempts_failed, dropped, queued;
} vg_webhook_counts;
void vg_webhooks_counts(vg_webhooks *w, vg_webhook_counts *out);

/* static.c: the console's files from the fixed table. dir NULL: the
 * compiled-in default (the source tree's web/). */
vg_status vg_static_load(const char *dir, vg_static **out, vg_err *err);
void vg_static_free(vg_static *s);
/* 1 when r->url is one of the console's paths (then *ret is the answer). */
int vg_static_serve(vg_request *r, enum MHD_Result *ret);
/* openapi.c */
enum MHD_Result vg_api_openapi(vg_request *r);
/* openapi.c: what the document says of a route beyond the table
 * (operationId, status, parameters, schemas); NULL when it says nothing. */
const void *vg_api_openapi_doc(const char *method, const char *path);

#endif
