/* auth.c — sessions and logins: POST /api/v1/login checks a name and
 * password against the store and opens a session (a random 32-byte token in
 * an HttpOnly, SameSite=Strict cookie, with a CSRF token returned in the
 * JSON and required on state-changing requests), at most VG_RATE_FAILS
 * failed logins per client address per minute (429 beyond), logout, and
 * GET /api/v1/me. Sessions live in a fixed in-memory table with a 12 h
 * expiry. Machines use API tokens instead (Authorization: Bearer, checked
 * against the store's hashes; no cookie, so no CSRF). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "server/server_internal.h"

void vg_auth_init(vg_auth *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
}

void vg_auth_fini(vg_auth *a)
{
    pthread_mutex_destroy(&a->mu);
    sodium_memzero(a->sessions, sizeof a->sessions);
}

static void random_hex(char out[65])
{
    uint8_t b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* An API token in "Authorization: Bearer <token>": 1 valid, -1 not. */
static int bearer(vg_request *r, const char *h)
{
    while (*h == ' ')
        h++;
    vg_token t;
    vg_err err = {{0}};
    pthread_mutex_lock(&r->srv->store_mu);
    vg_status st = vg_store_token_check(r->srv->store, h, &t, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    if (st != VG_OK) {
        if (st != VG_ERR_INVALID) {
            vg_log_line l;
            vg_log_start(&l, "token_check_failed");
            vg_log_str(&l, "reason", err.msg);
            vg_server_log(r->srv, &l);
        }
        return -1;
    }
    r->session.bearer = 1;
    snprintf(r->session.user, sizeof r->session.user, "token:%.*s", (int)(sizeof r->session.user - 7), t.name);
    snprintf(r->session.role, sizeof r->session.role, "%s", t.role);
    r->session.expires = INT64_MAX;
    return 1;
}

int vg_auth_session(vg_request *r)
{
    memset(&r->session, 0, sizeof r->session);
    const char *auth = vg_http_header(r, "Authorization");
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        return bearer(r, auth + 7);
    if (auth)
        return -1;
    const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "vigil_session");
    if (!tok || strlen(tok) != 64)
        return 0;
    int found = 0;
    int64_t now = now_s();
    vg_auth *a = &r->srv->auth;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < VG_SESSIONS_MAX; i++) {
        vg_session *s = &a->sessions[i];
        if (!s->token[0])
            continue;
        if (s->expires <= now) {
            memset(s, 0, sizeof *s);
            continue;
        }
        if (sodium_memcmp(s->token, tok, 64) == 0) {
            r->session = *s;
            found = 1;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return found;
}

int vg_auth_csrf_ok(vg_request *r)
{
    const char *h = vg_http_header(r, "X-CSRF-Token");
    return h && r->session.csrf[0] && strlen(h) == 64 && sodium_memcmp(h, r->session.csrf, 64) == 0;
}

/* 1 when the address has used up its failed attempts in the last minute. */
static int rate_limited(vg_auth *a, const char *addr, int64_t now)
{
    int limited = 0;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < VG_RATE_ADDRS; i++) {
        vg_rate *q = &a->rate[i];
        if (strcmp(q->addr, addr) != 0)
            continue;
        int recent = 0;
        for (int k = 0; k < VG_RATE_FAILS; k++)
            recent += q->fails[k] && q->fails[k] > now - VG_RATE_WINDOW;
        limited = recent >= VG_RATE_FAILS;
        break;
    }
    pthread_mutex_unlock(&a->mu);
    return limited;
}

static void rate_fail(vg_auth *a, const char *addr, int64_t now)
{
    pthread_mutex_lock(&a->mu);
    vg_rate *slot = NULL, *oldest = &a->rate[0];
    for (int i = 0; i < VG_RATE_ADDRS && !slot; i++) {
        vg_rate *q = &a->rate[i];
        if (!strcmp(q->addr, addr))
            slot = q;
        int64_t last = q->fails[(q->next + VG_RATE_FAILS - 1) % VG_RATE_FAILS];
        int64_t olast = oldest->fails[(oldest->next + VG_RATE_FAILS - 1) % VG_RATE_FAILS];
        if (last < olast)
            oldest = q;
    }
    if (!slot) { /* a free slot or the one idle longest */
        slot = oldest;
        memset(slot, 0, sizeof *slot);
        snprintf(slot->addr, sizeof slot->addr, "%s", addr);
    }
    slot->fails[slot->next] = now;
    slot->next = (slot->next + 1) % VG_RATE_FAILS;
    pthread_mutex_unlock(&a->mu);
}

enum MHD_Result vg_auth_login(vg_request *r)
{
    char addr[64];
    vg_http_client_addr(r, addr, sizeof addr);
    int64_t now = now_s();
    if (rate_limited(&r->srv->auth, addr, now))
        return vg_http_error(r, 429, "too many failed logins from this address; try again in a minute",
                             NULL);
    vg_body_login b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_login(r->body, r->body_len, &b, field, msg) != VG_OK) {
        sodium_memzero(&b, sizeof b);
        return vg_http_body_error(r, field, msg);
    }
    char role[16];
    vg_err err = {{0}};
    pthread_mutex_lock(&r->srv->store_mu);
    vg_status st = vg_store_user_check(r->srv->store, b.name, b.password, role, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    sodium_memzero(b.password, sizeof b.password);
    if (st == VG_ERR_INVALID) {
        rate_fail(&r->srv->auth, addr, now);
        return vg_http_error(r, MHD_HTTP_UNAUTHORIZED, "wrong name or password", NULL);
    }
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    vg_session s = {0};
    random_hex(s.token);
    random_hex(s.csrf);
    snprintf(s.user, sizeof s.user, "%s", b.name);
    snprintf(s.role, sizeof s.role, "%s", role);
    s.expires = now + VG_SESSION_TTL;

    vg_auth *a = &r->srv->auth;
    pthread_mutex_lock(&a->mu);
    vg_session *slot = &a->sessions[0];
    for (int i = 0; i < VG_SESSIONS_MAX; i++) {
        vg_session *q = &a->sessions[i];
        if (!q->token[0] || q->expires <= now) {
            slot = q;
            break;
        }
        if (q->expires < slot->expires)
            slot = q; /* full: the session closest to expiry makes room */
    }
    *slot = s;
    pthread_mutex_unlock(&a->mu);

    char cookie[160];
    snprintf(cookie, sizeof cookie, "vigil_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
             s.token, VG_SESSION_TTL, r->srv->secure_cookies ? "; Secure" : "");
    enum MHD_Result ret = vg_http_json_cookie(
        r, MHD_HTTP_OK,
        json_pack("{s:s, s:s, s:s, s:I}", "name", s.user, "role", s.role, "csrf_token", s.csrf,
                  "expires_at", (json_int_t)s.expires),
        cookie);
    sodium_memzero(&s, sizeof s);
    return ret;
}

enum MHD_Result vg_auth_logout(vg_request *r)
{
    vg_auth *a = &r->srv->auth;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < VG_SESSIONS_MAX; i++)
        if (a->sessions[i].token[0] && !strcmp(a->sessions[i].token, r->session.token))
            memset(&a->sessions[i], 0, sizeof a->sessions[i]);
    pthread_mutex_unlock(&a->mu);
    return vg_http_json_cookie(r, MHD_HTTP_OK, json_pack("{s:b}", "logged_out", 1),
                               "vigil_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

enum MHD_Result vg_auth_me(vg_request *r)
{
    return vg_http_json(r, MHD_HTTP_OK,
                        json_pack("{s:s, s:s, s:I}", "name", r->session.user, "role", r->session.role,
                                  "expires_at", (json_int_t)r->session.expires));
}
