/* test_server_auth.c — logins, sessions and request hygiene over real HTTP:
 * a right and a wrong login (the same message for an unknown name and a
 * wrong password), the rate limit (429), the cookie's flags, logout, CSRF,
 * oversize and malformed bodies; and what issue 14 found (raw sockets where
 * libcurl would not send it): request smuggling with two Content-Length
 * headers, %00 in a path or query, cross-site logins (content type,
 * Origin), heads trickling in, too many connections from one address. */
#include "server/server_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads what the server sends until it closes the connection or wait_s
 * passes; *closed 1 when it closed. */
static char *raw_read(int fd, double wait_s, int *closed)
{
    size_t cap = 65536, len = 0;
    char *buf = calloc(1, cap + 1);
    assert_non_null(buf);
    double end = now_mono() + wait_s;
    *closed = 0;
    while (now_mono() < end && len < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0) {
            *closed = 1;
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* Sends req on a new connection and returns all that comes back in wait_s. */
static char *raw_exchange(int port, const char *req, size_t len, double wait_s)
{
    int fd = raw_connect(port);
    if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) { /* closed at once: nothing came back */
        close(fd);
        char *none = calloc(1, 1);
        assert_non_null(none);
        return none;
    }
    int closed;
    char *out = raw_read(fd, wait_s, &closed);
    close(fd);
    return out;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void login_success_and_failure(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session s = login(&x, "olivia");
    resp r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "olivia");
    assert_string_equal(json_string_value(json_object_get(j, "role")), "operator");
    json_decref(j);
    resp_free(&r);

    resp wrong = login_raw(&x, "olivia", "not the password");
    resp unknown = login_raw(&x, "nobody", PASSWORD);
    assert_int_equal(wrong.status, 401);
    assert_int_equal(unknown.status, 401);
    assert_string_equal(wrong.body, unknown.body);
    assert_non_null(strstr(wrong.body, "wrong name or password"));
    assert_null(strstr(wrong.headers, "vigil_session="));
    resp_free(&wrong);
    resp_free(&unknown);

    /* nothing about the password in the audit chain */
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'user.add'"), 3);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE details LIKE '%horse%' "
                                     "OR details LIKE '%argon%'"),
                     0);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM user WHERE pwhash LIKE '$argon2id$%'"), 3);
    srv_stop(&x);
}

static void rate_limit(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    for (int i = 0; i < 5; i++) {
        resp r = login_raw(&x, "olivia", "wrong password");
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    resp r = login_raw(&x, "olivia", PASSWORD); /* even the right one, for a minute */
    assert_int_equal(r.status, 429);
    /* issue 14 point 7: the client is told how long to wait */
    const char *ra = strstr(r.headers, "Retry-After: ");
    assert_non_null(ra);
    long secs = strtol(ra + 13, NULL, 10);
    assert_true(secs >= 1 && secs <= 60);
    resp_free(&r);
    srv_stop(&x);
}

static void cookie_flags_and_logout(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    resp r = login_raw(&x, "aud", PASSWORD);
    assert_int_equal(r.status, 200);
    const char *c = strstr(r.headers, "Set-Cookie: vigil_session=");
    assert_non_null(c);
    const char *eol = strchr(c, '\r');
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)(eol - c), c);
    assert_non_null(strstr(line, "; HttpOnly"));
    assert_non_null(strstr(line, "; SameSite=Strict"));
    assert_non_null(strstr(line, "; Path=/"));
    assert_null(strstr(line, "Secure")); /* no TLS here */
    resp_free(&r);

    session s = login(&x, "aud");
    r = http_post(&x, "/api/v1/logout", &s, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    srv_stop(&x);
}

static void csrf(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t id = srv_alerts(&x, 1);
    session s = login(&x, "olivia");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    const char *body = "{\"outcome\":\"rejected\"}";
    resp r = http_req(&x, "POST", path, &s, NULL, body, strlen(body));
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "X-CSRF-Token"));
    resp_free(&r);
    char bad[65];
    memset(bad, 'a', 64);
    bad[64] = '\0';
    r = http_req(&x, "POST", path, &s, bad, body, strlen(body));
    assert_int_equal(r.status, 403);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM alert WHERE state = 'pending'"), 1);
    r = http_post(&x, path, &s, body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    srv_stop(&x);
}

static void oversize_and_malformed(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 4096);
    size_t n = 100000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    resp r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, big, n);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    free(big);

    r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, "{\"name\": \"olivia\",", 18);
    assert_int_equal(r.status, 400);
    json_t *j = resp_json(&r);
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "malformed JSON at line 1"));
    json_decref(j);
    resp_free(&r);

    r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, "{\"name\": 7}", 11);
    assert_int_equal(r.status, 400);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "name");
    json_decref(j);
    resp_free(&r);

    session s = login(&x, "olivia");
    int64_t id = srv_alerts(&x, 1);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    r = http_post(&x, path, &s, "{\"outcome\":\"maybe\"}");
    assert_int_equal(r.status, 400);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "outcome");
    json_decref(j);
    resp_free(&r);
    r = http_post(&x, path, &s, "[1,2]");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    srv_stop(&x);
}

/* issue 14 point 1: two Content-Length headers that differ are refused
 * (RFC 9112 §6.3), before the body is read: the watch list is not created
 * and the request hidden in the body gets no answer of its own. */
static void smuggling_refused(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session s = login(&x, "adam");
    const char *json = "{\"name\":\"smuggled\",\"reason\":\"r\",\"authorised_by\":\"s\"}";
    const char *hidden = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "POST /api/v1/watchlists HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n"
                     "X-CSRF-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Content-Length: %zu\r\n\r\n%s%s",
                     x.port, s.cookie, s.csrf, strlen(json), strlen(json) + strlen(hidden), json, hidden);
    char *out = raw_exchange(x.port, req, (size_t)n, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 400", 12), 0);
    assert_non_null(strstr(out, "Content-Length"));
    assert_int_equal(count_of(out, "HTTP/1.1 "), 1);
    free(out);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM watchlist"), 0);

    /* Content-Length beside chunked Transfer-Encoding: refused as well */
    n = snprintf(req, sizeof req,
                 "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    out = raw_exchange(x.port, req, (size_t)n, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 400", 12), 0);
    assert_int_equal(count_of(out, "HTTP/1.1 "), 1);
    free(out);
    srv_stop(&x);
}

/* issue 14 point 8: %00 in the path or a query argument is refused, not cut short. */
static void encoded_nul_refused(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session s = login(&x, "olivia");
    const char *paths[] = {"/api/v1/alerts%00.json", "/api/v1/alerts?state=pending%00junk", "/healthz%00"};
    for (int i = 0; i < 3; i++) {
        resp r = http_get(&x, paths[i], &s);
        if (r.status != 400)
            fail_msg("%s: %ld %s", paths[i], r.status, r.body);
        assert_non_null(strstr(r.body, "%00"));
        assert_non_null(strstr(r.headers, "X-Content-Type-Options: nosniff"));
        resp_free(&r);
    }
    resp r = http_get(&x, "/api/v1/alerts?state=pending", &s); /* the same without it */
    assert_int_equal(r.status, 200);
    resp_free(&r);
    srv_stop(&x);
}

/* issue 14 point 5: a login (or any state-changing request) from a page on
 * another site: a body that is not application/json (a form or a "simple"
 * fetch) is 415, a foreign Origin 403; the server's own Origin passes. */
static void cross_site_refused(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    char body[128];
    snprintf(body, sizeof body, "{\"name\":\"olivia\",\"password\":\"%s\"}", PASSWORD);
    const char *types[] = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                           "application/jsonp"};
    char req[1024];
    for (int i = 0; i < 4; i++) {
        int n = snprintf(req, sizeof req,
                         "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         x.port, types[i], strlen(body), body);
        char *out = raw_exchange(x.port, req, (size_t)n, 2.0);
        if (strncmp(out, "HTTP/1.1 415", 12) != 0)
            fail_msg("%s: %.200s", types[i], out);
        assert_null(strstr(out, "vigil_session="));
        free(out);
    }
    const char *origins[] = {"http://evil.example", "null", "http://127.0.0.1:1"};
    for (int i = 0; i < 3; i++) {
        int n = snprintf(req, sizeof req,
                         "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         x.port, origins[i], strlen(body), body);
        char *out = raw_exchange(x.port, req, (size_t)n, 2.0);
        if (strncmp(out, "HTTP/1.1 403", 12) != 0)
            fail_msg("Origin %s: %.200s", origins[i], out);
        assert_null(strstr(out, "vigil_session="));
        free(out);
    }
    int n = snprintf(req, sizeof req,
                     "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n"
                     "Content-Type: application/json; charset=utf-8\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     x.port, x.port, strlen(body), body);
    char *out = raw_exchange(x.port, req, (size_t)n, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
    free(out);
    srv_stop(&x);
}

/* issue 14 point 4: a head trickling in one line at a time is cut at the
 * deadline (1 s here), and one address holds at most per_address_max
 * connections. */
static void slow_head_and_per_address_cap(void **state)
{
    (void)state;
    srv_fx x;
    vg_server_config cfg = {.head_timeout_s = 1.0, .per_address_max = 4};
    srv_start_cfg(&x, cfg);
    int fd = raw_connect(x.port);
    const char *first = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    assert_true(send(fd, first, strlen(first), MSG_NOSIGNAL) > 0);
    double t0 = now_mono();
    int closed = 0;
    for (int i = 0; i < 12 && !closed; i++) { /* a header every 0.25 s: never idle */
        char *got = raw_read(fd, 0.25, &closed);
        assert_string_equal(got, ""); /* no answer: the head never ends */
        free(got);
        if (!closed && send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0)
            closed = 1;
    }
    double took = now_mono() - t0;
    close(fd);
    if (!closed)
        fail_msg("a head trickling in for %.1f s was not cut", took);
    assert_true(took >= 0.9 && took < 2.5);

    /* a whole head in time is served as before */
    char *out = raw_exchange(x.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 61,
                             2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
    free(out);

    int held[4];
    for (int i = 0; i < 4; i++)
        held[i] = raw_connect(x.port);
    nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
    out = raw_exchange(x.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 61, 0.8);
    assert_string_equal(out, ""); /* the fifth from this address: closed unanswered */
    free(out);
    for (int i = 0; i < 4; i++)
        close(held[i]);
    nanosleep(&(struct timespec){0, 200 * 1000000L}, NULL);
    out = raw_exchange(x.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 61, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
    free(out);
    srv_stop(&x);
}

/* A login sent from another loopback address (127.0.0.0/8 is all this
 * machine's): the client address the server sees is from. */
static resp login_from(srv_fx *x, const char *from, const char *name, const char *password)
{
    resp r = {0};
    r.body = calloc(1, 1);
    r.headers = calloc(1, 1);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[128], body[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/login", x->port);
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, password);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_INTERFACE, from);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

/* issue 14 point 7: 10 failures for one account from 10 addresses, then
 * the right password from an 11th: 429 with Retry-After (the per-address
 * limit alone let it in); another account is not affected. */
static void per_account_throttle(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    char from[32];
    for (int i = 0; i < 10; i++) {
        snprintf(from, sizeof from, "127.0.0.%d", 10 + i);
        resp r = login_from(&x, from, "olivia", "guess number one");
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    resp r = login_from(&x, "127.0.0.30", "olivia", PASSWORD);
    assert_int_equal(r.status, 429);
    assert_null(strstr(r.headers, "vigil_session="));
    const char *ra = strstr(r.headers, "Retry-After: ");
    assert_non_null(ra);
    long secs = strtol(ra + 13, NULL, 10);
    assert_true(secs > 60 && secs <= 900);
    resp_free(&r);
    r = login_from(&x, "127.0.0.30", "aud", PASSWORD);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    srv_stop(&x);
}

/* issue 14 point 9: sessions are kept in the store, hashed: a restart logs
 * no one out (the cookie and CSRF token still work), the database holds
 * neither token, logout ends the session for good, and an admin can end
 * every session of a user (audited). */
static void sessions_survive_restart(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session s = login(&x, "olivia"), s2 = login(&x, "olivia"), adm = login(&x, "adam");
    vg_server_stop(x.srv);
    fx_reopen(&x.f, T0 + 3600); /* a new process, an hour later */
    vg_server_config cfg = {.listen = "127.0.0.1:0"};
    vg_err err = {{0}};
    assert_int_equal(vg_server_start(&cfg, x.f.s, &x.srv, &err), VG_OK);
    x.port = vg_server_port(x.srv);
    resp r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"olivia\""));
    resp_free(&r);
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM session WHERE hash = '%s' OR csrf_hash = '%s'", s.cookie + 14, s.csrf);
    assert_int_equal(raw_int(x.f.db, q), 0);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM session"), 3);
    r = http_post(&x, "/api/v1/logout", &s, NULL); /* the CSRF token survived too */
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    r = http_get(&x, "/api/v1/me", &s2);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    long long uid = raw_int(x.f.db, "SELECT id FROM user WHERE name = 'olivia'");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%lld/logout", uid);
    r = http_post(&x, path, &s2, NULL); /* admins only */
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_post(&x, path, &adm, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"sessions_ended\":1"));
    resp_free(&r);
    r = http_get(&x, "/api/v1/me", &s2);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'session.revoke' AND actor = 'adam'"),
                     1);
    srv_stop(&x);
}

/* issue 14 point 8: API tokens expire (90 days by default) and an admin
 * renews them. */
static void tokens_expire_and_renew(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adm = login(&x, "adam");
    resp r = http_post(&x, "/api/v1/tokens", &adm, "{\"name\":\"scraper\",\"role\":\"auditor\"}");
    assert_int_equal(r.status, 201);
    json_t *j = resp_json(&r);
    char tok[VG_STORE_TOKEN_LEN + 1];
    snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(j, "token")));
    long long id = json_integer_value(json_object_get(j, "id"));
    assert_int_equal(json_integer_value(json_object_get(j, "expires_at")), T0 + 90LL * 86400);
    json_decref(j);
    resp_free(&r);

    vg_server_stop(x.srv);
    fx_reopen(&x.f, T0 + 91LL * 86400); /* 91 days on */
    vg_server_config cfg = {.listen = "127.0.0.1:0"};
    vg_err err = {{0}};
    assert_int_equal(vg_server_start(&cfg, x.f.s, &x.srv, &err), VG_OK);
    x.port = vg_server_port(x.srv);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    char req[512];
    int n = snprintf(req, sizeof req, "GET /api/v1/audit HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\nConnection: close\r\n\r\n",
                     auth);
    char *out = raw_exchange(x.port, req, (size_t)n, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 401", 12), 0);
    free(out);
    adm = login(&x, "adam"); /* the old session expired too (12 h) */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld/renew", id);
    r = http_post(&x, path, &adm, NULL);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "expires_at")), T0 + 181LL * 86400);
    json_decref(j);
    resp_free(&r);
    out = raw_exchange(x.port, req, (size_t)n, 2.0);
    assert_int_equal(strncmp(out, "HTTP/1.1 200", 12), 0);
    free(out);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'token.renew'"), 1);
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_success_and_failure),
        cmocka_unit_test(rate_limit),
        cmocka_unit_test(cookie_flags_and_logout),
        cmocka_unit_test(csrf),
        cmocka_unit_test(oversize_and_malformed),
        cmocka_unit_test(smuggling_refused),
        cmocka_unit_test(encoded_nul_refused),
        cmocka_unit_test(cross_site_refused),
        cmocka_unit_test(slow_head_and_per_address_cap),
        cmocka_unit_test(per_account_throttle),
        cmocka_unit_test(sessions_survive_restart),
        cmocka_unit_test(tokens_expire_and_renew),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
