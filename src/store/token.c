/* token.c — API tokens for machines: made from 32 random bytes (libsodium),
 * shown once, kept only as their SHA-256 (hex), checked in constant time by
 * looking the hash up, revoked but never deleted (the audit chain names
 * them). Creation and revocation are audited, never with the token. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"

#define PREFIX "vgt_"

static vg_status supported(const vg_store *s, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "store is NULL");
    if (!s->be->token_insert || !s->be->token_find || !s->be->token_get || !s->be->token_list ||
        !s->be->token_revoke)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "the %s store backend has no API tokens yet", s->be->name);
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
    vg_status st = supported(s, err);
    if (st == VG_OK)
        st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("token name", name, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_utf8("token name", name, 1, err);
    if (st != VG_OK)
        return st;
    if (!known_role(role))
        return vg_err_set(err, VG_ERR_INVALID, "role \"%s\" is not one of admin, operator, auditor",
                          role ? role : "");
    if (!token_out || !id)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_token_create: NULL argument");
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
    st = s->be->token_insert(s->conn, name, role, hash, actor, vg_store_now(s), id, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "token:%lld", (long long)*id);
        st = vg_audit_append_json_tx(s, actor, "token.create", object,
                                     json_pack("{s:s, s:s}", "name", name, "role", role), err);
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
        return vg_err_set(err, VG_ERR_INVALID, "unknown or revoked API token");
    char hash[65];
    hash_hex(token, hash);
    vg_err e2 = {{0}};
    st = s->be->token_find(s->conn, hash, out, &e2);
    if (st == VG_ERR_NOT_FOUND || (st == VG_OK && out->revoked_at)) {
        memset(out, 0, sizeof *out);
        return vg_err_set(err, VG_ERR_INVALID, "unknown or revoked API token");
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
    return s->be->token_list(s->conn, out, n, err);
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
    st = s->be->token_get(s->conn, id, name, &t, err);
    if (st == VG_OK && t.revoked_at)
        st = vg_err_set(err, VG_ERR_INVALID, "API token %lld (%s) was already revoked", (long long)t.id, t.name);
    if (st == VG_OK)
        st = s->be->token_revoke(s->conn, t.id, actor, vg_store_now(s), err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "token:%lld", (long long)t.id);
        st = vg_audit_append_json_tx(s, actor, "token.revoke", object,
                                     json_pack("{s:s, s:s}", "name", t.name, "role", t.role), err);
    }
    return vg_store_end(s, st, err);
}
