/* token.c — API tokens for machines: made from 32 random bytes (libsodium),
 * shown once, kept only as their SHA-256 (hex), checked in constant time by
 * looking the hash up, revoked but never deleted (the audit chain names
 * them). A token expires (90 days by default) and can be renewed. Creation and revocation are audited, never with the token. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the api_token table ---- */

/* hash: hex SHA-256 of the token. A valid token of the same name is
 * VG_ERR_INVALID. */
static vg_status vg_db_token_insert(vg_store *s, const char *name, const char *role,
                                    const char *hash, const char *created_by, int64_t created_at,
                                    int64_t expires_at, int64_t *id, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO api_token (name, role, hash, created_by, "
                                         "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                         "adding an API token", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, name);
    vg_sql_text(&q, 2, role);
    vg_sql_text(&q, 3, hash);
    vg_sql_text(&q, 4, created_by);
    vg_sql_i64(&q, 5, created_at);
    vg_sql_i64(&q, 6, expires_at);
    if ((st = vg_sql_run(&q, err)) == VG_OK)
        *id = vg_sql_last_id(&q);
    else if (q.fail == VG_SQL_UNIQUE)
        st = vg_err_set(err, VG_ERR_EXISTS, "a valid API token named \"%s\" already exists",
                        name);
    vg_sql_finish(&q);
    return st;
}

#define TOKEN_COLS "SELECT id, name, role, created_by, created_at, revoked_at, revoked_by, expires_at "

static vg_status read_token(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_token *t = elem;
    memset(t, 0, sizeof *t);
    t->id = vg_sql_col_i64(q, 0);
    vg_sql_col_copy(q, 1, t->name, sizeof t->name);
    vg_sql_col_copy(q, 2, t->role, sizeof t->role);
    vg_sql_col_copy(q, 3, t->created_by, sizeof t->created_by);
    t->created_at = vg_sql_col_i64(q, 4);
    t->revoked_at = vg_sql_col_i64(q, 5);
    vg_sql_col_copy(q, 6, t->revoked_by, sizeof t->revoked_by);
    t->expires_at = vg_sql_col_i64(q, 7);
    return VG_OK;
}

/* One token: by hash (hash not NULL), else by name (the valid token of that
 * name) or id; VG_ERR_NOT_FOUND when none. */
static vg_status one_token(vg_store *s, const char *hash, const char *name, int64_t id,
                           vg_token *out, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  hash   ? TOKEN_COLS "FROM api_token WHERE hash = ?1"
                                  : name ? TOKEN_COLS "FROM api_token WHERE name = ?1 "
                                                      "AND revoked_at = 0"
                                         : TOKEN_COLS "FROM api_token WHERE id = ?1",
                                  "reading an API token", err);
    if (st != VG_OK)
        return st;
    if (hash || name)
        vg_sql_text(&q, 1, hash ? hash : name);
    else
        vg_sql_i64(&q, 1, id);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row)
        st = read_token(NULL, &q, out, err);
    else if (st == VG_OK)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no such API token (%s)",
                        hash ? "by hash" : name ? name : "id");
    vg_sql_finish(&q);
    return st;
}

static vg_status vg_db_token_find(vg_store *s, const char *hash, vg_token *out, vg_err *err)
{
    return one_token(s, hash, NULL, 0, out, err);
}

/* By id when name is NULL, else the valid token of that name. */
static vg_status vg_db_token_get(vg_store *s, int64_t id, const char *name, vg_token *out,
                                 vg_err *err)
{
    return one_token(s, NULL, name, id, out, err);
}

static vg_status vg_db_token_list(vg_store *s, vg_token **out, int *n, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, TOKEN_COLS "FROM api_token ORDER BY id",
                                  "listing API tokens", err);
    if (st != VG_OK)
        return st;
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_token), read_token, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}

static vg_status vg_db_token_revoke(vg_store *s, int64_t id, const char *by, int64_t at,
                                    vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "UPDATE api_token SET revoked_at = ?2, revoked_by = ?3 "
                                  "WHERE id = ?1 AND revoked_at = 0",
                                  "revoking an API token", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_i64(&q, 2, at);
    vg_sql_text(&q, 3, by);
    if ((st = vg_sql_run(&q, err)) == VG_OK && vg_sql_changes(&q) != 1)
        st = vg_err_set(err, VG_ERR_INVALID, "API token %lld is unknown or already revoked",
                        (long long)id);
    vg_sql_finish(&q);
    return st;
}


#define PREFIX "vgt_"

static vg_status supported(const vg_store *s, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "store is NULL");
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    return VG_OK;
}

static void hash_hex(const char *token, char out[65])
{
    uint8_t d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, d, sizeof d);
}

static int known_role(const char *r)
{
    return r && (!strcmp(r, "admin") || !strcmp(r, "operator") || !strcmp(r, "auditor"));
}

vg_status vg_store_token_create(vg_store *s, const char *actor, const char *name, const char *role,
                                char token_out[VG_STORE_TOKEN_LEN + 1], int64_t *id, vg_err *err)
{
    return vg_store_token_create_ttl(s, actor, name, role, VG_STORE_TOKEN_TTL_DEFAULT, token_out, id, err);
}

vg_status vg_store_token_create_ttl(vg_store *s, const char *actor, const char *name, const char *role,
                                    int64_t ttl_s, char token_out[VG_STORE_TOKEN_LEN + 1], int64_t *id,
                                    vg_err *err)
{
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_account_name("token name", name, err);
    if (st != VG_OK)
        return st;
    if (!known_role(role))
        return vg_err_set(err, VG_ERR_INVALID, "role \"%s\" is not one of admin, operator, auditor",
                          role ? role : "");
    if (!token_out || !id)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_token_create: NULL argument");
    if (ttl_s <= 0 || ttl_s > VG_STORE_TOKEN_TTL_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "a token's lifetime must be from 1 s to %d days",
                          (int)(VG_STORE_TOKEN_TTL_MAX / 86400));
    uint8_t raw[32];
    char tok[VG_STORE_TOKEN_LEN + 1], hash[65];
    randombytes_buf(raw, sizeof raw);
    memcpy(tok, PREFIX, 4);
    sodium_bin2hex(tok + 4, sizeof tok - 4, raw, sizeof raw);
    hash_hex(tok, hash);
    sodium_memzero(raw, sizeof raw);
    if ((st = vg_store_begin(s, err)) != VG_OK) {
        sodium_memzero(tok, sizeof tok);
        return st;
    }
    int64_t now = vg_store_now(s);
    st = vg_db_token_insert(s, name, role, hash, actor, now, now + ttl_s, id, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "token:%lld", (long long)*id);
        st = vg_audit_append_json_tx(s, actor, "token.create", object,
                                     json_pack("{s:s, s:s, s:I}", "name", name, "role", role, "expires_at",
                                               (json_int_t)(now + ttl_s)),
                                     err);
    }
    st = vg_store_end(s, st, err);
    if (st == VG_OK)
        memcpy(token_out, tok, sizeof tok);
    sodium_memzero(tok, sizeof tok);
    return st;
}

vg_status vg_store_token_check(vg_store *s, const char *token, vg_token *out, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st != VG_OK)
        return st;
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_token_check: NULL argument");
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != VG_STORE_TOKEN_LEN || strncmp(token, PREFIX, 4))
        return vg_err_set(err, VG_ERR_INVALID, "unknown, revoked or expired API token");
    char hash[65];
    hash_hex(token, hash);
    vg_err e2 = {{0}};
    st = vg_db_token_find(s, hash, out, &e2);
    if (st == VG_ERR_NOT_FOUND || (st == VG_OK && (out->revoked_at || out->expires_at <= vg_store_now(s)))) {
        memset(out, 0, sizeof *out);
        return vg_err_set(err, VG_ERR_INVALID, "unknown, revoked or expired API token");
    }
    if (st != VG_OK && err)
        *err = e2;
    return st;
}

vg_status vg_store_token_list(vg_store *s, vg_token **out, int *n, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st != VG_OK)
        return st;
    if (!out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_token_list: NULL argument");
    *out = NULL;
    *n = 0;
    return vg_db_token_list(s, out, n, err);
}

vg_status vg_store_token_revoke(vg_store *s, const char *actor, int64_t id, const char *name, vg_err *err)
{
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    vg_token t;
    st = vg_db_token_get(s, id, name, &t, err);
    if (st == VG_OK && t.revoked_at)
        st = vg_err_set(err, VG_ERR_INVALID, "API token %lld (%s) was already revoked", (long long)t.id, t.name);
    if (st == VG_OK)
        st = vg_db_token_revoke(s, t.id, actor, vg_store_now(s), err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "token:%lld", (long long)t.id);
        st = vg_audit_append_json_tx(s, actor, "token.revoke", object,
                                     json_pack("{s:s, s:s}", "name", t.name, "role", t.role), err);
    }
    return vg_store_end(s, st, err);
}

vg_status vg_store_token_renew(vg_store *s, const char *actor, int64_t id, int64_t ttl_s, int64_t *expires,
                               vg_err *err)
{
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (ttl_s <= 0 || ttl_s > VG_STORE_TOKEN_TTL_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "a token's lifetime must be from 1 s to %d days",
                          (int)(VG_STORE_TOKEN_TTL_MAX / 86400));
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    vg_token t;
    int64_t now = vg_store_now(s), until = now + ttl_s;
    st = vg_db_token_get(s, id, NULL, &t, err);
    if (st == VG_OK && t.revoked_at)
        st = vg_err_set(err, VG_ERR_INVALID, "API token %lld (%s) was revoked: make a new one", (long long)t.id,
                        t.name);
    vg_sql q;
    if (st == VG_OK && (st = vg_sql_prepare(&q, s, "UPDATE api_token SET expires_at = ?2 WHERE id = ?1",
                                            "renewing an API token", err)) == VG_OK) {
        vg_sql_i64(&q, 1, t.id);
        vg_sql_i64(&q, 2, until);
        st = vg_sql_run(&q, err);
        vg_sql_finish(&q);
    }
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "token:%lld", (long long)t.id);
        st = vg_audit_append_json_tx(s, actor, "token.renew", object,
                                     json_pack("{s:s, s:I}", "name", t.name, "expires_at", (json_int_t)until), err);
    }
    st = vg_store_end(s, st, err);
    if (st == VG_OK && expires)
        *expires = until;
    return st;
}
