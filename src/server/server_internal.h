/* server_internal.h — what the server's files share: the server object, one
 * request's state, the route table's shape, and the helpers of http.c and
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

#define VG_SESSIONS_MAX 256
#define VG_SESSION_TTL (12 * 3600)
#define VG_RATE_ADDRS 256
#define VG_RATE_FAILS 5      /* failed logins per address ... */
#define VG_RATE_WINDOW 60    /* ... per this many seconds */

typedef struct vg_session {
    int bearer;              /* 1: an API token (Authorization: Bearer), no CSRF */
    char token[65];          /* 32 random bytes, hex; "" when the slot is free */
    char csrf[65];
    char user[VG_STORE_NAME_MAX + 1];
    char role[16];
    int64_t expires;
} vg_session;

typedef struct vg_rate {
    char addr[64];
    int64_t fails[VG_RATE_FAILS]; /* times of the latest failures (a ring) */
    int next;
} vg_rate;

typedef struct vg_auth {
    pthread_mutex_t mu;
    vg_session sessions[VG_SESSIONS_MAX];
    vg_rate rate[VG_RATE_ADDRS];
} vg_auth;

struct vg_server {
    struct MHD_Daemon *daemon;
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
};

/* One request: its body as it arrives, then what the router found. */
typedef struct vg_request {
    vg_server *srv;
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

typedef struct vg_route {
    const char *method;
    const char *path;         /* segments; "{id}" matches a positive decimal id */
    const char *roles;        /* "public", "any" (a session), or roles separated by commas */
    vg_handler handler;
    const char *summary;
    int upload;               /* 1: the body may be up to upload_max */
    const char *example;      /* a request body that this route accepts (OpenAPI example) */
} vg_route;

extern const vg_route vg_routes[];
extern const int vg_n_routes;

/* routes.c: finds the route and runs it (with auth checks). */
enum MHD_Result vg_route_dispatch(vg_request *r);
/* The route for method and url, or NULL (no auth checks). */
const vg_route *vg_route_find(const char *method, const char *url, int64_t *id);

/* http.c */
int vg_http_body_append(vg_request *r, const char *data, size_t size);
enum MHD_Result vg_http_json(vg_request *r, unsigned status, json_t *body);
enum MHD_Result vg_http_json_cookie(vg_request *r, unsigned status, json_t *body, const char *cookie);
enum MHD_Result vg_http_error(vg_request *r, unsigned status, const char *msg, const char *field);
/* Cache-Control: no-store, nosniff and a CSP of nothing: what every answer carries. */
void vg_http_common_headers(struct MHD_Response *resp);
enum MHD_Result vg_http_bytes(vg_request *r, unsigned status, const char *type, void *data, size_t len);
enum MHD_Result vg_http_store_error(vg_request *r, vg_status st, const vg_err *err);
/* 400 for a body that a vg_body_parse_* refused (field "" is left out). */
enum MHD_Result vg_http_body_error(vg_request *r, const char *field, const char *msg);
const char *vg_http_arg(vg_request *r, const char *name);
const char *vg_http_header(vg_request *r, const char *name);
void vg_http_client_addr(vg_request *r, char *buf, size_t cap);

/* auth.c */
void vg_auth_init(vg_auth *a);
void vg_auth_fini(vg_auth *a);
/* Who is calling: an API token (Authorization: Bearer) or the session
 * cookie. 1 and r->session filled when valid; 0 with neither; -1 for an
 * Authorization header that is not a valid token. */
int vg_auth_session(vg_request *r);
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
enum MHD_Result vg_api_watchlists(vg_request *r);
enum MHD_Result vg_api_deployments(vg_request *r);
enum MHD_Result vg_api_audit(vg_request *r);
/* api_watchlists.c */
enum MHD_Result vg_api_watchlist_create(vg_request *r);
enum MHD_Result vg_api_subjects(vg_request *r);
enum MHD_Result vg_api_subject_create(vg_request *r);
enum MHD_Result vg_api_subject_remove(vg_request *r);
enum MHD_Result vg_api_subject_photo(vg_request *r);
/* api_users.c */
enum MHD_Result vg_api_users(vg_request *r);
enum MHD_Result vg_api_user_create(vg_request *r);
enum MHD_Result vg_api_tokens(vg_request *r);
enum MHD_Result vg_api_token_create(vg_request *r);
enum MHD_Result vg_api_token_revoke(vg_request *r);
/* api_report.c */
enum MHD_Result vg_api_report(vg_request *r);
/* reload.c: after a watch-list change, the engine's gallery rebuilt from
 * the store (under the store mutex, which the caller holds); VG_OK when
 * there is no engine or the change was to another list. */
vg_status vg_server_gallery_reload(vg_server *srv, int64_t watchlist_id, const char *actor, vg_err *err);
/* live.c: a camera's live view as MJPEG */
enum MHD_Result vg_api_live(vg_request *r);
/* openapi.c */
enum MHD_Result vg_api_openapi(vg_request *r);

#endif
