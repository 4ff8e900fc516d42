/* user.c — users of the HTTP API: adding one (argon2id password hash,
 * audited without the password), checking a name and password, listing.
 *
 * The password is hashed with libsodium's crypto_pwhash_str (argon2id,
 * interactive limits) before the transaction, and only the hash is stored;
 * neither appears in the audit entry. A check of an unknown name still runs
 * one verification, against a stand-in hash made once, so that a wrong name and a wrong
 * password take about as long and give the same message.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/password.h"
#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the "user" table (quoted: a reserved word in
 * PostgreSQL) ---- */

/* A duplicate name, also one differing only by case ("Adam" beside
 * "adam": two actors that read alike in the audit chain), is
 * VG_ERR_EXISTS. */
static vg_status vg_db_user_insert(vg_store *s, const char *name, const char *role,
                                   const char *pwhash, int64_t created_at, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT name FROM \"user\" WHERE lower(name) = lower(?1)",
                                  "looking for a user of the same name", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, name);
    int row = 0;
    char other[VG_STORE_NAME_MAX + 1] = "";
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        vg_sql_col_copy(&q, 0, other, sizeof other);
        st = vg_err_set(err, VG_ERR_EXISTS, "a user named \"%s\" already exists", other);
    }
    vg_sql_finish(&q);
    if (st != VG_OK)
        return st;
    st = vg_sql_prepare(&q, s,
                                  "INSERT INTO \"user\" (name, role, pwhash, created_at) "
                                  "VALUES (?1, ?2, ?3, ?4)",
                                  "adding a user", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, name);
    vg_sql_text(&q, 2, role);
    vg_sql_text(&q, 3, pwhash);
    vg_sql_i64(&q, 4, created_at);
    if ((st = vg_sql_run(&q, err)) != VG_OK && q.fail == VG_SQL_UNIQUE)
        st = vg_err_set(err, VG_ERR_EXISTS, "a user named \"%s\" already exists", name);
    vg_sql_finish(&q);
    return st;
}

/* A user's role, password hash (cap bytes) and disabled flag;
 * VG_ERR_NOT_FOUND when there is none. */
static vg_status vg_db_user_find(vg_store *s, const char *name, char role[16], char *pwhash,
                                 size_t cap, int *disabled, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT role, pwhash, disabled FROM \"user\" WHERE name = ?1",
                                  "reading a user", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, name);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        vg_sql_col_copy(&q, 0, role, 16);
        vg_sql_col_copy(&q, 1, pwhash, cap);
        *disabled = (int)vg_sql_col_i64(&q, 2);
    } else if (st == VG_OK) {
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no user named \"%s\"", name);
    }
    vg_sql_finish(&q);
    return st;
}

static vg_status read_user(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_user *u = elem;
    memset(u, 0, sizeof *u);
    u->id = vg_sql_col_i64(q, 0);
    vg_sql_col_copy(q, 1, u->name, sizeof u->name);
    vg_sql_col_copy(q, 2, u->role, sizeof u->role);
    u->created_at = vg_sql_col_i64(q, 3);
    u->disabled = (int)vg_sql_col_i64(q, 4);
    return VG_OK;
}

/* Every user in id order, without hashes (NULL when none). */
static vg_status vg_db_user_list(vg_store *s, vg_user **out, int *n, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT id, name, role, created_at, disabled FROM \"user\" "
                                  "ORDER BY id",
                                  "listing users", err);
    if (st != VG_OK)
        return st;
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_user), read_user, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}


static int known_role(const char *r)
{
    return r && (!strcmp(r, "admin") || !strcmp(r, "operator") || !strcmp(r, "auditor"));
}

vg_status vg_store_user_add(vg_store *s, const char *actor, const char *name, const char *role,
                            const char *password, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_user_add: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_account_name("user name", name, err);
    if (st != VG_OK)
        return st;
    if (!known_role(role))
        return vg_err_set(err, VG_ERR_INVALID, "role \"%s\" is not one of admin, operator, auditor",
                          role ? role : "");
    size_t plen = password ? strlen(password) : 0;
    if (plen < 8)
        return vg_err_set(err, VG_ERR_INVALID, "password is %zu bytes, at least 8 are needed", plen);
    if (plen > VG_STORE_PASSWORD_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "password is %zu bytes, the limit is %d", plen,
                          VG_STORE_PASSWORD_MAX);
    if ((st = vg_password_check(name, password, err)) != VG_OK)
        return st;
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory hashing a password");

    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_user_insert(s, name, role, hash, vg_store_now(s), err);
    if (st == VG_OK) {
        char object[VG_STORE_NAME_MAX + 64];
        snprintf(object, sizeof object, "user:%s", name);
        st = vg_audit_append_json_tx(s, actor, "user.add", object,
                                     json_pack("{s:s, s:s}", "name", name, "role", role), err);
    }
    sodium_memzero(hash, sizeof hash);
    return vg_store_end(s, st, err);
}

/* A hash of a random password with the same limits, made once: an unknown
 * name is verified against it so that it costs what a known one does. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[33];
    uint8_t b[16];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(pw, sizeof pw, b, sizeof b);
    dummy_ok = crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

vg_status vg_store_user_check(vg_store *s, const char *name, const char *password,
                              char role_out[16], vg_err *err)
{
    if (role_out)
        role_out[0] = '\0';
    if (!s || !role_out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_user_check: NULL argument");
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    size_t plen = password ? strlen(password) : 0;
    int name_ok = name && name[0] && strlen(name) <= VG_STORE_NAME_MAX;
    char role[16] = "", hash[crypto_pwhash_STRBYTES + 64] = "";
    int disabled = 0, found = 0;
    if (name_ok && plen <= VG_STORE_PASSWORD_MAX) {
        vg_err e2 = {{0}};
        vg_status st = vg_db_user_find(s, name, role, hash, sizeof hash, &disabled, &e2);
        if (st == VG_OK)
            found = 1;
        else if (st != VG_ERR_NOT_FOUND) {
            if (err)
                *err = e2;
            return st;
        }
    }
    int ok = 0;
    if (plen <= VG_STORE_PASSWORD_MAX) {
        if (!found)
            pthread_once(&dummy_once, make_dummy);
        if (found || dummy_ok)
            ok = crypto_pwhash_str_verify(found ? hash : dummy_hash, password ? password : "", plen) == 0;
    }
    sodium_memzero(hash, sizeof hash);
    if (!found || !ok || disabled)
        return vg_err_set(err, VG_ERR_INVALID, "wrong name or password");
    snprintf(role_out, 16, "%s", role);
    return VG_OK;
}

vg_status vg_store_user_list(vg_store *s, vg_user **out, int *n, vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_user_list: NULL argument");
    *out = NULL;
    *n = 0;
    return vg_db_user_list(s, out, n, err);
}
