/* auth.c — sessions and logins: POST /api/v1/login checks a name and
 * password against the store and opens a session in the store (session.c:
 * a random 32-byte token in an HttpOnly, SameSite=Strict cookie, with a
 * CSRF token returned in the JSON and required on state-changing requests;
 * the store keeps only their hashes, so sessions survive a restart and a
 * copy of the database opens none), with a 12 h expiry. Failed logins are
 * throttled twice: VG_RATE_FAILS per client address per minute, and
 * VG_ACCOUNT_FAILS per account name (whatever the addresses) per
 * VG_ACCOUNT_WINDOW; beyond either, 429 with Retry-After. Logout deletes
 * the session. Machines use API tokens instead (Authorization: Bearer,
 * checked against the store's hashes and expiry; no cookie, so no CSRF). */
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
    r->session.expires = t.expires_at;
    return 1;
}

/* The stored session of a cookie token into *out: 1 found, 0 not. */
static int stored_session(vg_server *srv, const char *tok, vg_session *out)
{
    vg_store_session si;
    vg_err err = {{0}};
    pthread_mutex_lock(&srv->store_mu);
    vg_status st = vg_store_session_check(srv->store, tok, &si, &err);
    pthread_mutex_unlock(&srv->store_mu);
    if (st != VG_OK) {
        if (st != VG_ERR_INVALID) {
            vg_log_line l;
            vg_log_start(&l, "session_check_failed");
            vg_log_str(&l, "reason", err.msg);
            vg_server_log(srv, &l);
        }
        return 0;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->token, sizeof out->token, "%s", tok);
    memcpy(out->csrf, si.csrf_hash, sizeof out->csrf);
    snprintf(out->user, sizeof out->user, "%s", si.user);
    snprintf(out->role, sizeof out->role, "%s", si.role);
    out->expires = si.expires_at;
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
    return stored_session(r->srv, tok, &r->session);
}

int vg_auth_still_valid(vg_server *srv, const vg_session *s, const char *bearer_token)
{
    if (s->bearer) {
        vg_token t;
        vg_err err = {{0}};
        pthread_mutex_lock(&srv->store_mu);
        vg_status st = vg_store_token_check(srv->store, bearer_token, &t, &err);
        pthread_mutex_unlock(&srv->store_mu);
        return st == VG_OK;
    }
    vg_session now;
    int ok = stored_session(srv, s->token, &now);
    sodium_memzero(&now, sizeof now);
    return ok;
}

int vg_auth_csrf_ok(vg_request *r)
{
    const char *h = vg_http_header(r, "X-CSRF-Token");
    vg_store_session si = {0};
    memcpy(si.csrf_hash, r->session.csrf, sizeof si.csrf_hash);
    return h && vg_store_session_csrf_ok(&si, h);
}

/* Seconds until a ring of n failure times (0: none) has fewer than n
 * within window; 0 when it already has. */
static int64_t wait_of(const int64_t *fails, int n, int64_t window, int64_t now)
{
    int recent = 0;
    int64_t oldest = INT64_MAX;
    for (int k = 0; k < n; k++)
        if (fails[k] && fails[k] > now - window) {
            recent++;
            if (fails[k] < oldest)
                oldest = fails[k];
        }
    if (recent < n)
        return 0;
    int64_t w = oldest + window - now;
    return w > 0 ? w : 1;
}

/* Seconds to wait before this address may try again (0: it may now). */
static int64_t addr_wait(vg_auth *a, const char *addr, int64_t now)
{
    int64_t w = 0;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < VG_RATE_ADDRS; i++)
        if (!strcmp(a->rate[i].addr, addr)) {
            w = wait_of(a->rate[i].fails, VG_RATE_FAILS, VG_RATE_WINDOW, now);
            break;
        }
    pthread_mutex_unlock(&a->mu);
    return w;
}

/* Seconds to wait before this account name may be tried again. */
static int64_t account_wait(vg_auth *a, const char *name, int64_t now)
{
    int64_t w = 0;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < VG_RATE_ACCOUNTS; i++)
        if (a->accounts[i].fails[0] && !strcmp(a->accounts[i].name, name)) {
            w = wait_of(a->accounts[i].fails, VG_ACCOUNT_FAILS, VG_ACCOUNT_WINDOW, now);
            break;
        }
    pthread_mutex_unlock(&a->mu);
    return w;
}

static int64_t latest(const int64_t *fails, int n, int next)
{
    return fails[(next + n - 1) % n];
}

static void rate_fail(vg_auth *a, const char *addr, const char *name, int64_t now)
{
    pthread_mutex_lock(&a->mu);
    vg_rate *slot = NULL, *oldest = &a->rate[0];
    for (int i = 0; i < VG_RATE_ADDRS && !slot; i++) {
        vg_rate *q = &a->rate[i];
        if (!strcmp(q->addr, addr))
            slot = q;
        if (latest(q->fails, VG_RATE_FAILS, q->next) < latest(oldest->fails, VG_RATE_FAILS, oldest->next))
            oldest = q;
    }
    if (!slot) { /* a free slot or the one idle longest */
        slot = oldest;
        memset(slot, 0, sizeof *slot);
        snprintf(slot->addr, sizeof slot->addr, "%s", addr);
    }
    slot->fails[slot->next] = now;
    slot->next = (slot->next + 1) % VG_RATE_FAILS;

    vg_account_rate *acc = NULL, *aold = &a->accounts[0];
    for (int i = 0; i < VG_RATE_ACCOUNTS && !acc; i++) {
        vg_account_rate *q = &a->accounts[i];
        if (q->fails[0] && !strcmp(q->name, name))
            acc = q;
        if (latest(q->fails, VG_ACCOUNT_FAILS, q->next) < latest(aold->fails, VG_ACCOUNT_FAILS, aold->next))
            aold = q;
    }
    if (!acc) {
        acc = aold;
        memset(acc, 0, sizeof *acc);
        snprintf(acc->name, sizeof acc->name, "%s", name);
    }
    acc->fails[acc->next] = now;
    acc->next = (acc->next + 1) % VG_ACCOUNT_FAILS;
    pthread_mutex_unlock(&a->mu);
}

enum MHD_Result vg_auth_login(vg_request *r)
{
    char addr[64];
    vg_http_client_addr(r, addr, sizeof addr);
    int64_t now = now_s();
    int64_t w = addr_wait(&r->srv->auth, addr, now);
    if (w > 0)
        return vg_http_error_retry(r, w, "too many failed logins from this address; try again later");
    vg_body_login b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_login(r->body, r->body_len, &b, field, msg) != VG_OK) {
        sodium_memzero(&b, sizeof b);
        return vg_http_body_error(r, field, msg);
    }
    /* the same answer whether the name exists or not */
    if ((w = account_wait(&r->srv->auth, b.name, now)) > 0) {
        sodium_memzero(&b, sizeof b);
        return vg_http_error_retry(r, w, "too many failed logins for this account; try again later");
    }
    char role[16];
    vg_err err = {{0}};
    pthread_mutex_lock(&r->srv->store_mu);
    vg_status st = vg_store_user_check(r->srv->store, b.name, b.password, role, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    sodium_memzero(b.password, sizeof b.password);
    if (st == VG_ERR_INVALID) {
        rate_fail(&r->srv->auth, addr, b.name, now);
        return vg_http_error(r, MHD_HTTP_UNAUTHORIZED, "wrong name or password", NULL);
    }
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    vg_session s = {0};
    int64_t expires = 0;
    pthread_mutex_lock(&r->srv->store_mu);
    st = vg_store_session_open(r->srv->store, b.name, role, VG_SESSION_TTL, s.token, s.csrf, &expires, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    snprintf(s.user, sizeof s.user, "%s", b.name);
    snprintf(s.role, sizeof s.role, "%s", role);
    s.expires = expires;

    char cookie[160];
    snprintf(cookie, sizeof cookie, "vigil_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s",
             s.token, VG_SESSION_TTL, r->srv->secure_cookies ? "; Secure" : "");
    enum MHD_Result ret = vg_http_json_cookie(
        r, MHD_HTTP_OK,
        json_pack("{s:s, s:s, s:s, s:I, s:i}", "name", s.user, "role", s.role, "csrf_token", s.csrf,
                  "expires_at", (json_int_t)s.expires, "incident_window", r->srv->incident_window),
        cookie);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(cookie, sizeof cookie);
    return ret;
}

enum MHD_Result vg_auth_logout(vg_request *r)
{
    if (!r->session.bearer && r->session.token[0]) {
        vg_err err = {{0}};
        pthread_mutex_lock(&r->srv->store_mu);
        vg_status st = vg_store_session_close(r->srv->store, r->session.token, &err);
        pthread_mutex_unlock(&r->srv->store_mu);
        if (st != VG_OK)
            return vg_http_store_error(r, st, &err);
    }
    return vg_http_json_cookie(r, MHD_HTTP_OK, json_pack("{s:b}", "logged_out", 1),
                               "vigil_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

enum MHD_Result vg_auth_me(vg_request *r)
{
    return vg_http_json(r, MHD_HTTP_OK,
                        json_pack("{s:s, s:s, s:I, s:i}", "name", r->session.user, "role", r->session.role,
                                  "expires_at", (json_int_t)r->session.expires, "incident_window",
                                  r->srv->incident_window));
}
