/* server_fixtures.h — what the server tests share: a real server on
 * 127.0.0.1 (a free port) over a fresh SQLite store in a mkdtemp directory
 * with one user per role, and a small libcurl client that returns the
 * status, body and headers of one request. */
#ifndef VG_SERVER_FIXTURES_H
#define VG_SERVER_FIXTURES_H

#include "store/store_fixtures.h"

#include <curl/curl.h>
#include <jansson.h>

#include "vigil/server.h"

#define PASSWORD "correct horse battery"

typedef struct srv_fx {
    fx f;
    vg_server *srv;
    int port;
} srv_fx;

typedef struct resp {
    long status;
    char *body;
    size_t len;
    char *headers;
    size_t hlen;
} resp;

typedef struct session {
    char cookie[128];   /* "vigil_session=..." */
    char csrf[80];
} session;

/* Starts the server with cfg (listen, users and store filled in here) over
 * a store whose clock is now (0: real time). */
static inline void srv_start_at(srv_fx *x, vg_server_config cfg, int64_t now)
{
    fx_init(&x->f, now);
    vg_err err = {{0}};
    static const char *const users[][2] = {{"olivia", "operator"}, {"adam", "admin"}, {"aud", "auditor"}};
    for (int i = 0; i < 3; i++) {
        vg_status st = vg_store_user_add(x->f.s, ACTOR, users[i][0], users[i][1], PASSWORD, &err);
        if (st)
            fprintf(stderr, "user_add: %s\n", err.msg);
        assert_int_equal(st, VG_OK);
    }
    cfg.listen = "127.0.0.1:0";
    vg_status st = vg_server_start(&cfg, x->f.s, &x->srv, &err);
    if (st)
        fprintf(stderr, "server_start: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    x->port = vg_server_port(x->srv);
    assert_true(x->port > 0);
}

static inline void srv_start_cfg(srv_fx *x, vg_server_config cfg)
{
    srv_start_at(x, cfg, T0);
}

static inline void srv_start(srv_fx *x, size_t body_max)
{
    vg_server_config cfg = {.body_max = body_max};
    srv_start_cfg(x, cfg);
}

/* Another connection to the server's database, as another process would
 * have (the server's own is the server's while it runs). */
static inline vg_store *srv_writer(srv_fx *x)
{
    return fx_open_at(x->f.db, NULL, T0);
}

static inline void srv_stop(srv_fx *x)
{
    vg_server_stop(x->srv);
    fx_done(&x->f);
}

static size_t grow(resp *r, char **buf, size_t *len, const char *p, size_t n)
{
    (void)r;
    char *b = realloc(*buf, *len + n + 1);
    assert_non_null(b);
    memcpy(b + *len, p, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
    return n;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    return grow(r, &r->body, &r->len, p, sz * n);
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    return grow(r, &r->headers, &r->hlen, p, sz * n);
}

/* One request; body NULL for none. cookie/csrf may be NULL. */
static inline resp http_req(srv_fx *x, const char *method, const char *path, const session *s,
                            const char *csrf, const char *body, size_t body_len)
{
    resp r = {0};
    r.body = calloc(1, 1);
    r.headers = calloc(1, 1);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", x->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    struct curl_slist *h = NULL;
    char line[200];
    if (csrf) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", csrf);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Expect:");
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (s)
        curl_easy_setopt(c, CURLOPT_COOKIE, s->cookie);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(rc));
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static size_t first_bytes(char *p, size_t sz, size_t n, void *ud)
{
    resp *r = ud;
    grow(r, &r->body, &r->len, p, sz * n);
    return 0; /* enough: ends the transfer (CURLE_WRITE_ERROR) */
}

/* A GET of a streaming endpoint: the status, headers and the first bytes
 * of the body, then the connection is dropped. */
static inline resp http_peek(srv_fx *x, const char *path, const session *s)
{
    resp r = {0};
    r.body = calloc(1, 1);
    r.headers = calloc(1, 1);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", x->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, first_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (s)
        curl_easy_setopt(c, CURLOPT_COOKIE, s->cookie);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR)
        fprintf(stderr, "GET %s: %s\n", path, curl_easy_strerror(rc));
    assert_true(rc == CURLE_OK || rc == CURLE_WRITE_ERROR);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    return r;
}

static inline resp http_get(srv_fx *x, const char *path, const session *s)
{
    return http_req(x, "GET", path, s, NULL, NULL, 0);
}

/* POST with the session's CSRF token. */
static inline resp http_post(srv_fx *x, const char *path, const session *s, const char *body)
{
    return http_req(x, "POST", path, s, s ? s->csrf : NULL, body, body ? strlen(body) : 0);
}

static inline void resp_free(resp *r)
{
    free(r->body);
    free(r->headers);
}

static inline json_t *resp_json(const resp *r)
{
    json_error_t je;
    json_t *j = json_loads(r->body, 0, &je);
    if (!j)
        fprintf(stderr, "not JSON (%s): %s\n", je.text, r->body);
    assert_non_null(j);
    return j;
}

static inline resp login_raw(srv_fx *x, const char *name, const char *password)
{
    json_t *b = json_pack("{s:s, s:s}", "name", name, "password", password);
    char *t = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    resp r = http_req(x, "POST", "/api/v1/login", NULL, NULL, t, strlen(t));
    free(t);
    return r;
}

static inline session login(srv_fx *x, const char *name)
{
    resp r = login_raw(x, name, PASSWORD);
    if (r.status != 200)
        fprintf(stderr, "login %s: %ld %s\n", name, r.status, r.body);
    assert_int_equal(r.status, 200);
    session s = {0};
    const char *c = strstr(r.headers, "vigil_session=");
    assert_non_null(c);
    snprintf(s.cookie, sizeof s.cookie, "%.78s", c); /* name= plus 64 hex */
    json_t *j = resp_json(&r);
    snprintf(s.csrf, sizeof s.csrf, "%s", json_string_value(json_object_get(j, "csrf_token")));
    assert_int_equal(strlen(s.csrf), 64);
    json_decref(j);
    resp_free(&r);
    return s;
}

/* A watch list with one subject, a deployment and n alerts; returns the
 * first alert id (the others follow). */
static inline int64_t srv_alerts(srv_fx *x, int n)
{
    vg_store *w = srv_writer(x);
    int64_t wl = fx_watchlist(w, "wanted", 0, 0);
    int64_t sub = fx_enrol(w, wl, "A. Person", 1, 1);
    int64_t dep = fx_deployment(w, "high-street", wl, 1);
    int64_t first = 0;
    for (int i = 0; i < n; i++) {
        char uid[32];
        snprintf(uid, sizeof uid, "uid-%d", i);
        vg_alert a = fx_alert(dep, sub, uid);
        uint8_t *jpeg = fx_jpeg((uint64_t)i, 500);
        int64_t id = 0;
        vg_err err = {{0}};
        vg_status st = vg_store_alert_add(w, "engine", &a, jpeg, 500, &id, &err);
        if (st)
            fprintf(stderr, "alert_add: %s\n", err.msg);
        assert_int_equal(st, VG_OK);
        free(jpeg);
        if (!first)
            first = id;
    }
    vg_store_close(w);
    return first;
}

#endif
