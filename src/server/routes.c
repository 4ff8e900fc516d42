/* routes.c — the route table (method, path, roles, handler) and the
 * dispatcher: path matching with {id}, then the checks every route gets:
 * a session unless public (401), the CSRF header on state-changing requests
 * (403), the role (403). openapi.c documents this same table. */
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

const vg_route vg_routes[] = {
    {"GET", "/healthz", "public", vg_api_healthz, "liveness"},
    {"GET", "/api/v1/openapi.json", "public", vg_api_openapi, "this document"},
    {"POST", "/api/v1/login", "public", vg_auth_login, "log in: a session cookie and a CSRF token"},
    {"POST", "/api/v1/logout", "any", vg_auth_logout, "end the session"},
    {"GET", "/api/v1/me", "any", vg_auth_me, "who is logged in, with which role"},
    {"GET", "/api/v1/alerts", "operator,auditor", vg_api_alerts,
     "alerts, oldest first: deployment, state, limit, after (paging)"},
    {"GET", "/api/v1/alerts/{id}", "operator,auditor", vg_api_alert, "one alert"},
    {"POST", "/api/v1/alerts/{id}/adjudicate", "operator", vg_api_adjudicate,
     "an officer's decision: outcome confirmed|rejected|no_action, note"},
    {"GET", "/api/v1/alerts/{id}/crop", "operator", vg_api_crop, "the probe face crop (JPEG); audited"},
    {"GET", "/api/v1/watchlists", "operator,auditor,admin", vg_api_watchlists, "watch lists"},
    {"GET", "/api/v1/deployments", "operator,auditor,admin", vg_api_deployments, "deployments"},
    {"GET", "/api/v1/audit", "auditor", vg_api_audit, "the audit chain: since, limit"},
};
const int vg_n_routes = (int)(sizeof vg_routes / sizeof vg_routes[0]);

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

static int role_allowed(const char *roles, const char *role)
{
    if (!strcmp(roles, "any"))
        return 1;
    size_t n = strlen(role);
    for (const char *p = roles; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && !strncmp(p, role, n))
            return 1;
        p += len + (c ? 1 : 0);
    }
    return 0;
}

enum MHD_Result vg_route_dispatch(vg_request *r)
{
    const vg_route *hit = NULL;
    int path_known = 0;
    for (int i = 0; i < vg_n_routes && !hit; i++) {
        int64_t id = 0;
        if (!match(vg_routes[i].path, r->url, &id))
            continue;
        path_known = 1;
        if (!strcmp(vg_routes[i].method, r->method)) {
            hit = &vg_routes[i];
            r->id = id;
        }
    }
    if (!hit)
        return path_known ? vg_http_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", NULL)
                          : vg_http_error(r, MHD_HTTP_NOT_FOUND, "no such endpoint", NULL);
    if (strcmp(hit->roles, "public") != 0) {
        if (!vg_auth_session(r))
            return vg_http_error(r, MHD_HTTP_UNAUTHORIZED, "log in first (no valid session)", NULL);
        if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 && !vg_auth_csrf_ok(r))
            return vg_http_error(r, MHD_HTTP_FORBIDDEN, "missing or wrong X-CSRF-Token header",
                                 "X-CSRF-Token");
        if (!role_allowed(hit->roles, r->session.role))
            return vg_http_error(r, MHD_HTTP_FORBIDDEN, "your role may not do this", NULL);
    }
    return hit->handler(r);
}
