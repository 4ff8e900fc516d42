/* routes.c — the route table (method, path, roles, handler) and the
 * dispatcher: path matching with {id}, then the checks every route gets:
 * on state-changing requests an Origin, when sent, that is this server's
 * (403) and a body declared application/json (415); a session or an API token unless public (401), the CSRF header on
 * state-changing requests made with a session cookie (403), the role (403).
 * A route's roles are bits of vg_role (a misspelt role does not compile);
 * the caller's role, a name from the store, is turned into its bit here.
 * Routes marked upload take bodies up to upload_max instead of body_max. openapi.c documents this same table.
 * The console's files (static.c) are looked up first, outside /api/. */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

#define EX_WATCHLIST                                                                                  \
    "{\"name\":\"example list\",\"reason\":\"wanted on warrant\",\"authorised_by\":\"Supt. Example\"}"
/* an 8x8 grey PNG: decodes, has no face (the gate's 422) */
#define EX_PHOTO "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAAAAADhZOFXAAAADklEQVR4nGNogAIGyhgAgIQgAQ2AJGEAAAAASUVORK5CYII="
#define EX_SUBJECT                                                                                    \
    "{\"name\":\"A. Example\",\"reason\":\"warrant 123\",\"category\":\"wanted\",\"source\":\"custody " \
    "photo\",\"photo\":\"" EX_PHOTO "\"}"

const vg_route vg_routes[] = {
    {"GET", "/healthz", VG_ROLE_PUBLIC, vg_api_healthz, "liveness", 0, NULL},
    {"GET", "/api/v1/openapi.json", VG_ROLE_PUBLIC, vg_api_openapi, "this document", 0, NULL},
    {"POST", "/api/v1/login", VG_ROLE_PUBLIC, vg_auth_login,
     "log in: name, password; a session cookie and a CSRF token",
     0, NULL},
    {"POST", "/api/v1/logout", VG_ROLE_ANY, vg_auth_logout, "end the session", 0, NULL},
    {"GET", "/api/v1/me", VG_ROLE_ANY, vg_auth_me, "who is logged in, with which role, and the console's incident window (seconds)", 0, NULL},
    {"GET", "/api/v1/alerts", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR, vg_api_alerts,
     "alerts, oldest first: deployment, state, limit, after (paging)", 0, NULL},
    {"GET", "/api/v1/alerts/stream", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR, vg_api_stream,
     "new alerts and adjudications as Server-Sent Events; resumes after Last-Event-ID or ?after=", 0, NULL},
    {"GET", "/api/v1/alerts/{id}", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR, vg_api_alert, "one alert", 0, NULL},
    {"POST", "/api/v1/alerts/{id}/adjudicate", VG_ROLE_OPERATOR, vg_api_adjudicate,
     "an officer's decision: outcome confirmed|rejected|no_action, note", 0,
     "{\"outcome\":\"no_action\",\"note\":\"walk\"}"},
    {"GET", "/api/v1/alerts/{id}/crop", VG_ROLE_OPERATOR, vg_api_crop, "the probe face crop (JPEG); audited", 0, NULL},
    {"GET", "/api/v1/alerts/{id}/scene", VG_ROLE_OPERATOR, vg_api_scene,
     "the scene snapshot (JPEG: bystanders pixelated, the match boxed) where the deployment keeps one; audited", 0,
     NULL},
    {"GET", "/api/v1/watchlists", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_watchlists,
     "watch lists", 0, NULL},
    {"POST", "/api/v1/watchlists", VG_ROLE_ADMIN, vg_api_watchlist_create,
     "create a watch list: name, reason, authorised_by, expires_at?, max_size?", 0, EX_WATCHLIST},
    {"GET", "/api/v1/watchlists/{id}/subjects", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_subjects,
     "the subjects of a watch list (no photos)", 0, NULL},
    {"POST", "/api/v1/watchlists/{id}/subjects", VG_ROLE_ADMIN, vg_api_subject_create,
     "enrol a subject from base64 JPEG/PNG photos through the quality gate, keeping those that pass "
     "(422 with its reasons when none does); each photo reported with its box, every quality factor "
     "and the face crop; name, reason, category, source, photo or photos, expires_at?, under_18?, "
     "justification?, dob?, face?, allow_duplicate?, accept_low_quality? (a supervisor's written "
     "justification for a face below the quality limits), supervisor?",
     1, EX_SUBJECT},
    {"POST", "/api/v1/watchlists/{id}/reembed", VG_ROLE_ADMIN, vg_api_watchlist_reembed,
     "make every template of the list again from its enrolment photos with this server's pack, in one "
     "audited transaction (all or nothing: 422 naming the subject and photo that fails)",
     0, NULL},
    {"DELETE", "/api/v1/subjects/{id}", VG_ROLE_ADMIN, vg_api_subject_remove,
     "remove a subject with its templates and photos", 0, NULL},
    {"GET", "/api/v1/subjects/{id}/photo", VG_ROLE_OPERATOR | VG_ROLE_ADMIN, vg_api_subject_photo,
     "the subject's first enrolled photo (JPEG); audited", 0, NULL},
    {"GET", "/api/v1/subjects/{id}/face", VG_ROLE_OPERATOR | VG_ROLE_ADMIN, vg_api_subject_face,
     "the face of the subject's first enrolled photo, upright with a margin, 256x320 JPEG (the whole photo "
     "when it was enrolled before the face's place was kept); audited", 0, NULL},
    {"GET", "/api/v1/deployments", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_deployments,
     "deployments", 0, NULL},
    {"GET", "/api/v1/deployments/{id}/report", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_report,
     "the transparency report (counts only) with a timeline: bucket (seconds, default 3600)", 0, NULL},
    {"GET", "/api/v1/deployments/{id}/paperwork", VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_paperwork,
     "a deployment document (as vigil paperwork): kind dpia|eia|watchlist-criteria|authorisation|review, "
     "format html|md|json (default html), version (a stored one, made again); audited",
     0, NULL},
    {"GET", "/api/v1/users", VG_ROLE_ADMIN, vg_api_users, "users (never a password hash)", 0, NULL},
    {"POST", "/api/v1/users", VG_ROLE_ADMIN, vg_api_user_create, "add a user: name, role, password", 0,
     "{\"name\":\"example-user\",\"role\":\"operator\",\"password\":\"a long passphrase\"}"},
    {"GET", "/api/v1/tokens", VG_ROLE_ADMIN, vg_api_tokens, "API tokens (never the token)", 0, NULL},
    {"POST", "/api/v1/tokens", VG_ROLE_ADMIN, vg_api_token_create,
     "a new API token: name, role; the token is shown once, used as Authorization: Bearer", 0,
     "{\"name\":\"example-bot\",\"role\":\"auditor\"}"},
    {"DELETE", "/api/v1/tokens/{id}", VG_ROLE_ADMIN, vg_api_token_revoke, "revoke an API token", 0, NULL},
    {"POST", "/api/v1/tokens/{id}/renew", VG_ROLE_ADMIN, vg_api_token_renew,
     "renew an API token: valid 90 days from now (tokens expire; revoked ones cannot be renewed)", 0, NULL},
    {"POST", "/api/v1/users/{id}/logout", VG_ROLE_ADMIN, vg_api_user_logout,
     "end every console session of a user (audited)", 0, NULL},
    {"GET", "/api/v1/cameras/{id}/live.mjpeg", VG_ROLE_OPERATOR, vg_api_live,
     "a camera's live view: multipart/x-mixed-replace JPEG frames, about 5 a second, every face "
     "that is not a current match blurred; 404 unknown camera, 503 without a running engine",
     0, NULL},
    {"GET", "/api/v1/cameras/marks", VG_ROLE_OPERATOR, vg_api_live_marks,
     "the live views' labels as Server-Sent Events, one \"marks\" event per view frame of any camera: "
     "camera, seq, and for each matched face shown on it (never any other face) its box as fractions of "
     "the frame, track, subject_id, name, alert_id and the alert's state; seq 0 with no mark once a camera "
     "gave no frame for a second",
     0, NULL},
    {"GET", "/api/v1/audit", VG_ROLE_AUDITOR, vg_api_audit, "the audit chain: since, limit", 0, NULL},
    {"GET", "/api/v1/audit/verify", VG_ROLE_AUDITOR, vg_api_audit_verify,
     "the whole audit chain checked: intact, entries; else bad_seq (the first entry edited, removed or "
     "reordered) and reason",
     0, NULL},
    {"GET", "/api/v1/cameras", VG_ROLE_OPERATOR | VG_ROLE_AUDITOR | VG_ROLE_ADMIN, vg_api_cameras,
     "the engine's cameras: state, frame rate, counters", 0, NULL},
    {"GET", "/metrics", VG_ROLE_ADMIN | VG_ROLE_AUDITOR, vg_api_metrics,
     "Prometheus text: engine and server counters", 0, NULL},
};
const int vg_n_routes = (int)(sizeof vg_routes / sizeof vg_routes[0]);

/* The routes whose answers stream (by path), with their media types. */
static const struct {
    const char *path, *type;
} streams[] = {
    {"/api/v1/alerts/stream", "text/event-stream"},
    {"/api/v1/cameras/{id}/live.mjpeg", "multipart/x-mixed-replace; boundary=vigilframe"},
    {"/api/v1/cameras/marks", "text/event-stream"},
};

const char *vg_route_stream_type(const vg_route *rt)
{
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        if (!strcmp(rt->path, streams[i].path))
            return streams[i].type;
    return NULL;
}

/* 1 when url matches pattern; the {id} segment's value into *id. */
static int match(const char *pattern, const char *url, int64_t *id)
{
    while (*pattern && *url) {
        if (!strncmp(pattern, "{id}", 4)) {
            if (*url < '1' || *url > '9')
                return 0;
            char *end;
            long long v = strtoll(url, &end, 10);
            if (end - url > 18)
                return 0;
            *id = v;
            url = end;
            pattern += 4;
            continue;
        }
        if (*pattern != *url)
            return 0;
        pattern++;
        url++;
    }
    return !*pattern && !*url;
}

static const struct {
    vg_role bit;
    const char *name;
} role_names[] = {{VG_ROLE_OPERATOR, "operator"}, {VG_ROLE_AUDITOR, "auditor"}, {VG_ROLE_ADMIN, "admin"}};

vg_role vg_route_role_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof role_names / sizeof role_names[0]; i++)
        if (!strcmp(name, role_names[i].name))
            return role_names[i].bit;
    return 0;
}

const char *vg_route_role_name(vg_role bit)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (role_names[i].bit == bit)
            return role_names[i].name;
    return bit == VG_ROLE_PUBLIC ? "public" : bit == VG_ROLE_ANY ? "any" : NULL;
}

int vg_route_allows(unsigned roles, vg_role role)
{
    if (roles & VG_ROLE_PUBLIC)
        return 1;
    if (!(role & VG_ROLES_NAMED) || (role & (role - 1)))
        return 0; /* no role, or not exactly one named role */
    return (roles & VG_ROLE_ANY) || (roles & role);
}

/* The route; *path_known 1 when the path exists with another method. */
static const vg_route *find(const char *method, const char *url, int64_t *id, int *path_known)
{
    *path_known = 0;
    for (int i = 0; i < vg_n_routes; i++) {
        int64_t v = 0;
        if (!match(vg_routes[i].path, url, &v))
            continue;
        *path_known = 1;
        if (!strcmp(vg_routes[i].method, method)) {
            *id = v;
            return &vg_routes[i];
        }
    }
    return NULL;
}

const vg_route *vg_route_find(const char *method, const char *url, int64_t *id)
{
    int known;
    return method && url ? find(method, url, id, &known) : NULL;
}

enum MHD_Result vg_route_dispatch(vg_request *r)
{
    atomic_fetch_add(&r->srv->requests, 1);
    enum MHD_Result ret;
    if (strncmp(r->url, "/api/", 5) != 0 && vg_static_serve(r, &ret))
        return ret;
    int path_known = 0;
    const vg_route *hit = find(r->method, r->url, &r->id, &path_known);
    if (!hit)
        return path_known ? vg_http_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", NULL)
                          : vg_http_error(r, MHD_HTTP_NOT_FOUND, "no such endpoint", NULL);
    unsigned status = 0;
    const char *cross = vg_head_cross_site(r, &status);
    if (cross)
        return vg_http_error(r, status, cross, status == MHD_HTTP_FORBIDDEN ? "Origin" : "Content-Type");
    if (!(hit->roles & VG_ROLE_PUBLIC)) {
        int who = vg_auth_session(r);
        if (who < 0)
            return vg_http_error(r, MHD_HTTP_UNAUTHORIZED, "unknown or revoked API token", "Authorization");
        if (!who)
            return vg_http_error(r, MHD_HTTP_UNAUTHORIZED, "log in first (no valid session)", NULL);
        /* a bearer token is not sent by browsers on their own: no CSRF */
        if (!r->session.bearer && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
            !vg_auth_csrf_ok(r))
            return vg_http_error(r, MHD_HTTP_FORBIDDEN, "missing or wrong X-CSRF-Token header",
                                 "X-CSRF-Token");
        if (!vg_route_allows(hit->roles, vg_route_role_of(r->session.role)))
            return vg_http_error(r, MHD_HTTP_FORBIDDEN, "your role may not do this", NULL);
    }
    return hit->handler(r);
}
