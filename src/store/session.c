/* session.c — the console's login sessions, kept in the store so that a
 * restart of the server logs no one out. A session is two random 32-byte
 * tokens (hex): the cookie's and the CSRF token. Neither is stored: the
 * table holds their BLAKE2b hashes (libsodium crypto_generichash), so a
 * copy of the database opens no session. A session is looked up by its
 * cookie's hash; it ends at its expiry, at logout (the row is deleted) or
 * when an admin ends every session of a user (audited: session.revoke). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/sql.h"
#include "store/validate.h"

static void hash_hex(const char *text, char out[65])
{
    uint8_t d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)text, strlen(text), NULL, 0);
    sodium_bin2hex(out, 65, d, sizeof d);
}

static void random_hex(char out[65])
{
    uint8_t b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

static vg_status supported(const vg_store *s, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "store is NULL");
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    return VG_OK;
}

static int well_formed(const char *token)
{
    return token && strlen(token) == 64 && strspn(token, "0123456789abcdef") == 64;
}

vg_status vg_store_session_open(vg_store *s, const char *user, const char *role, int64_t ttl_s,
                                char token[65], char csrf[65], int64_t *expires, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("user", user, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (!role || !token || !csrf || !expires || ttl_s <= 0)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_session_open: bad argument");
    char t[65], c[65], th[65], ch[65];
    random_hex(t);
    random_hex(c);
    hash_hex(t, th);
    hash_hex(c, ch);
    int64_t now = vg_store_now(s);
    if ((st = vg_store_begin(s, err)) != VG_OK)
        goto out;
    vg_sql q;
    /* expired sessions go as new ones come */
    st = vg_sql_prepare(&q, s, "DELETE FROM session WHERE expires_at <= ?1", "deleting expired sessions", err);
    if (st == VG_OK) {
        vg_sql_i64(&q, 1, now);
        st = vg_sql_run(&q, err);
        vg_sql_finish(&q);
    }
    if (st == VG_OK)
        st = vg_sql_prepare_insert(&q, s,
                                   "INSERT INTO session (hash, csrf_hash, user_name, role, created_at, expires_at) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   "opening a session", err);
    if (st == VG_OK) {
        vg_sql_text(&q, 1, th);
        vg_sql_text(&q, 2, ch);
        vg_sql_text(&q, 3, user);
        vg_sql_text(&q, 4, role);
        vg_sql_i64(&q, 5, now);
        vg_sql_i64(&q, 6, now + ttl_s);
        st = vg_sql_run(&q, err);
        vg_sql_finish(&q);
    }
    st = vg_store_end(s, st, err);
    if (st == VG_OK) {
        memcpy(token, t, 65);
        memcpy(csrf, c, 65);
        *expires = now + ttl_s;
    }
out:
    sodium_memzero(t, sizeof t);
    sodium_memzero(c, sizeof c);
    return st;
}

vg_status vg_store_session_check(vg_store *s, const char *token, vg_store_session *out, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st != VG_OK)
        return st;
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_session_check: NULL argument");
    memset(out, 0, sizeof *out);
    if (!well_formed(token))
        return vg_err_set(err, VG_ERR_INVALID, "no such session");
    char th[65];
    hash_hex(token, th);
    vg_sql q;
    st = vg_sql_prepare(&q, s,
                        "SELECT id, csrf_hash, user_name, role, created_at, expires_at FROM session "
                        "WHERE hash = ?1 AND expires_at > ?2",
                        "reading a session", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, th);
    vg_sql_i64(&q, 2, vg_store_now(s));
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        out->id = vg_sql_col_i64(&q, 0);
        vg_sql_col_copy(&q, 1, out->csrf_hash, sizeof out->csrf_hash);
        vg_sql_col_copy(&q, 2, out->user, sizeof out->user);
        vg_sql_col_copy(&q, 3, out->role, sizeof out->role);
        out->created_at = vg_sql_col_i64(&q, 4);
        out->expires_at = vg_sql_col_i64(&q, 5);
    } else if (st == VG_OK) {
        st = vg_err_set(err, VG_ERR_INVALID, "no such session");
    }
    vg_sql_finish(&q);
    return st;
}

int vg_store_session_csrf_ok(const vg_store_session *si, const char *csrf)
{
    if (!si || !si->csrf_hash[0] || !well_formed(csrf))
        return 0;
    char ch[65];
    hash_hex(csrf, ch);
    return sodium_memcmp(ch, si->csrf_hash, 64) == 0;
}

vg_status vg_store_session_close(vg_store *s, const char *token, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st != VG_OK)
        return st;
    if (!well_formed(token))
        return vg_err_set(err, VG_ERR_INVALID, "no such session");
    char th[65];
    hash_hex(token, th);
    vg_sql q;
    st = vg_sql_prepare(&q, s, "DELETE FROM session WHERE hash = ?1", "closing a session", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, th);
    st = vg_sql_run(&q, err);
    vg_sql_finish(&q);
    return st;
}

vg_status vg_store_session_revoke_user(vg_store *s, const char *actor, const char *user, int *n, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("user", user, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    vg_sql q;
    int64_t ended = 0;
    st = vg_sql_prepare(&q, s, "DELETE FROM session WHERE user_name = ?1", "ending a user's sessions", err);
    if (st == VG_OK) {
        vg_sql_text(&q, 1, user);
        if ((st = vg_sql_run(&q, err)) == VG_OK)
            ended = vg_sql_changes(&q);
        vg_sql_finish(&q);
    }
    if (st == VG_OK) {
        char object[VG_STORE_NAME_MAX + 8];
        snprintf(object, sizeof object, "user:%s", user);
        st = vg_audit_append_json_tx(s, actor, "session.revoke", object, json_pack("{s:I}", "sessions", (json_int_t)ended),
                                     err);
    }
    st = vg_store_end(s, st, err);
    if (st == VG_OK && n)
        *n = (int)ended;
    return st;
}
