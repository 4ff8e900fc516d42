/* api_users.c — who may use the API: users (listed without any hash; added
 * with an argon2id hash by the store) and API tokens for machines (the
 * token is returned once, at creation; revoking keeps the record). Admin
 * only (routes.c); every change audited under the caller's name. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

static void lock(vg_request *r)
{
    pthread_mutex_lock(&r->srv->store_mu);
}

static void unlock(vg_request *r)
{
    pthread_mutex_unlock(&r->srv->store_mu);
}

static json_t *user_json(const vg_user *u)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)u->id, "name", u->name, "role", u->role,
                     "created_at", (json_int_t)u->created_at, "disabled", u->disabled);
}

static json_t *token_json(const vg_token *t)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "id", (json_int_t)t->id, "name", t->name, "role",
                     t->role, "created_by", t->created_by, "created_at", (json_int_t)t->created_at, "revoked_at",
                     (json_int_t)t->revoked_at, "revoked_by", t->revoked_by, "expires_at",
                     (json_int_t)t->expires_at);
}

enum MHD_Result vg_api_users(vg_request *r)
{
    vg_user *u = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_user_list(r->srv->store, &u, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        arr = vg_json_push(arr, user_json(&u[i]));
    free(u);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "users", arr));
}

enum MHD_Result vg_api_user_create(vg_request *r)
{
    vg_body_user b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_status st = vg_body_parse_user(r->body, r->body_len, &b, field, msg);
    if (r->body)
        sodium_memzero(r->body, r->body_len);
    if (st != VG_OK) {
        sodium_memzero(&b, sizeof b);
        return vg_http_body_error(r, field, msg);
    }
    vg_err err = {{0}};
    vg_user *u = NULL;
    int n = 0, exists = 0;
    lock(r);
    st = vg_store_user_list(r->srv->store, &u, &n, &err);
    for (int i = 0; st == VG_OK && i < n; i++)
        exists |= !strcmp(u[i].name, b.name);
    free(u);
    u = NULL;
    if (st == VG_OK && !exists)
        st = vg_store_user_add(r->srv->store, r->session.user, b.name, b.role, b.password, &err);
    if (st == VG_OK && !exists)
        st = vg_store_user_list(r->srv->store, &u, &n, &err);
    unlock(r);
    sodium_memzero(b.password, sizeof b.password);
    if (exists)
        return vg_http_error(r, MHD_HTTP_CONFLICT, "a user with this name already exists", "name");
    if (st == VG_ERR_INVALID) /* the store's password check names it first */
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, err.msg, strncmp(err.msg, "password", 8) ? NULL : "password");
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *o = NULL;
    for (int i = 0; i < n && !o; i++)
        if (!strcmp(u[i].name, b.name))
            o = user_json(&u[i]);
    free(u);
    return vg_http_json(r, MHD_HTTP_CREATED, json_pack("{s:o}", "user", o ? o : json_object()));
}

enum MHD_Result vg_api_tokens(vg_request *r)
{
    vg_token *t = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_token_list(r->srv->store, &t, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        arr = vg_json_push(arr, token_json(&t[i]));
    free(t);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "tokens", arr));
}

enum MHD_Result vg_api_token_create(vg_request *r)
{
    vg_body_token b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_token(r->body, r->body_len, &b, field, msg) != VG_OK)
        return vg_http_body_error(r, field, msg);
    char tok[VG_STORE_TOKEN_LEN + 1];
    int64_t id = 0;
    vg_err err = {{0}};
    vg_token t;
    lock(r);
    vg_status st = vg_store_token_create(r->srv->store, r->session.user, b.name, b.role, tok, &id, &err);
    if (st == VG_OK)
        st = vg_store_token_check(r->srv->store, tok, &t, &err);
    unlock(r);
    if (st == VG_ERR_INVALID || st == VG_ERR_EXISTS)
        return vg_http_error(r, st == VG_ERR_EXISTS ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST, err.msg, "name");
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *o = token_json(&t);
    json_object_set_new(o, "token", json_string(tok));
    sodium_memzero(tok, sizeof tok);
    return vg_http_json(r, MHD_HTTP_CREATED, o);
}

enum MHD_Result vg_api_token_revoke(vg_request *r)
{
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_token_revoke(r->srv->store, r->session.user, r->id, NULL, &err);
    unlock(r);
    if (st == VG_ERR_INVALID)
        return vg_http_error(r, MHD_HTTP_CONFLICT, err.msg, NULL);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:I}", "revoked", (json_int_t)r->id));
}

enum MHD_Result vg_api_token_renew(vg_request *r)
{
    vg_err err = {{0}};
    int64_t until = 0;
    lock(r);
    vg_status st = vg_store_token_renew(r->srv->store, r->session.user, r->id, VG_STORE_TOKEN_TTL_DEFAULT, &until, &err);
    unlock(r);
    if (st == VG_ERR_INVALID)
        return vg_http_error(r, MHD_HTTP_CONFLICT, err.msg, NULL);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_json(r, MHD_HTTP_OK,
                        json_pack("{s:I, s:I}", "renewed", (json_int_t)r->id, "expires_at", (json_int_t)until));
}

enum MHD_Result vg_api_user_logout(vg_request *r)
{
    vg_user *u = NULL;
    int n = 0, ended = 0;
    vg_err err = {{0}};
    char name[VG_STORE_NAME_MAX + 1] = "";
    lock(r);
    vg_status st = vg_store_user_list(r->srv->store, &u, &n, &err);
    for (int i = 0; st == VG_OK && i < n; i++)
        if (u[i].id == r->id)
            snprintf(name, sizeof name, "%s", u[i].name);
    if (st == VG_OK && name[0])
        st = vg_store_session_revoke_user(r->srv->store, r->session.user, name, &ended, &err);
    unlock(r);
    free(u);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    if (!name[0])
        return vg_http_error(r, MHD_HTTP_NOT_FOUND, "no such user", "id");
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:i}", "sessions_ended", ended));
}
