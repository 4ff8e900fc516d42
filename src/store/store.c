/* store.c — opening and closing a store: backend choice, migrations, the key
 * and its check, and the transaction helpers the other store files use.
 *
 * Order of vg_store_open, chosen so that a refusal changes nothing:
 *  1. the backend for the path opens its connection;
 *  2. the schema version is read; newer than this binary knows: refused;
 *  3. the key: a database without a schema is new, and only then may a key
 *     file be created; otherwise the key file must exist (never replaced);
 *  4. pending migrations run, one transaction each;
 *  5. the key check: written if absent (a new database), otherwise it must
 *     open under the key, or the key file is the wrong one.
 * A vg_store is one connection, used by one thread at a time.
 */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/keyfile.h"
#include "store/migrations.h"
#include "base/url_redact.h"
#include "store/sql.h"

/* ---- the meta table ---- */

vg_status vg_db_meta_get(vg_store *s, const char *key, uint8_t **value, size_t *len, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s, "SELECT value FROM meta WHERE key = ?1", "reading meta",
                                  err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, key);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK) {
        if (row)
            st = vg_sql_col_blob_copy(&q, 0, value, len, err);
        else
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "database %s has no %s", s->name, key);
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_meta_put(vg_store *s, const char *key, const uint8_t *value, size_t len,
                         vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                  "writing meta", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, key);
    vg_sql_blob(&q, 2, value, len);
    st = vg_sql_run(&q, err);
    vg_sql_finish(&q);
    return st;
}


#define KEY_CHECK "key_check"

int vg_store_schema_version(void)
{
    return vg_store_migrations_latest();
}

int vg_store_db_schema_version(const vg_store *s)
{
    return s ? s->schema_version : 0;
}

int64_t vg_store_now(const vg_store *s)
{
    return s->now ? s->now : (int64_t)time(NULL);
}

vg_status vg_store_begin(vg_store *s, vg_err *err)
{
    return s->be->begin(s->conn, err);
}

vg_status vg_store_end(vg_store *s, vg_status st, vg_err *err)
{
    if (st == VG_OK)
        st = s->be->commit(s->conn, err);
    if (st != VG_OK)
        s->be->rollback(s->conn);
    return st;
}

/* Step 5: checks the key against the database, or records the check value.
 * Inside a write transaction, so that of several nodes opening a new shared
 * database together, one writes the check and the others check against it. */
static vg_status key_check(vg_store *s, vg_err *err)
{
    uint8_t *val = NULL;
    size_t len = 0;
    vg_err tmp;
    vg_status st = vg_store_begin(s, err);
    if (st != VG_OK)
        return st;
    st = vg_db_meta_get(s, KEY_CHECK, &val, &len, &tmp);
    if (st == VG_OK) {
        int ok = vg_seal_key_check_ok(s->key, val, len);
        free(val);
        if (!ok)
            st = vg_err_set(err, VG_ERR_INVALID,
                            "the key in %s does not open database %s (wrong key file?)",
                            s->key_path, s->name);
        return vg_store_end(s, st, err);
    }
    if (st != VG_ERR_NOT_FOUND) {
        *err = tmp;
        return vg_store_end(s, st, err);
    }
    if ((st = vg_seal_key_check(s->key, &val, &len, err)) == VG_OK) {
        st = vg_db_meta_put(s, KEY_CHECK, val, len, err);
        free(val);
    }
    return vg_store_end(s, st, err);
}

vg_status vg_store_open(const vg_store_options *opt, vg_store **out, vg_err *err)
{
    vg_err local;
    if (!err)
        err = &local;
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_open: out is NULL");
    *out = NULL;
    if (!opt || !opt->path || !*opt->path)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_open: no database path");
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");

    const vg_store_backend *be = vg_store_backend_find(opt->path);
    char shown[VG_STORE_PATH_MAX];
    vg_url_redact(opt->path, shown, sizeof shown);
    if (!be || !be->open)
        return vg_err_set(err, VG_ERR_UNSUPPORTED,
                          "%s: the %s store backend is not built into this vigil",
                          shown, be ? be->name : "(unknown)");
    /* a server's database has no directory to keep a key file beside */
    if (!be->local_file && (!opt->key_path || !*opt->key_path))
        return vg_err_set(err, VG_ERR_INVALID,
                          "%s: a %s store needs its key file named (--key or VIGIL_KEY); "
                          "every node sharing the database uses a copy of the same file",
                          shown, be->name);

    vg_store *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening the store");
    s->be = be;
    s->now = opt->now;
    int n = snprintf(s->path, sizeof s->path, "%s", opt->path);
    snprintf(s->name, sizeof s->name, "%s", shown);
    int k = opt->key_path ? snprintf(s->key_path, sizeof s->key_path, "%s", opt->key_path)
                          : snprintf(s->key_path, sizeof s->key_path, "%s.key", opt->path);
    if (n < 0 || (size_t)n >= sizeof s->path || k < 0 || (size_t)k >= sizeof s->key_path) {
        free(s);
        return vg_err_set(err, VG_ERR_INVALID, "database or key path is longer than %d bytes",
                          VG_STORE_PATH_MAX - 1);
    }

    vg_status st = be->open(s->path, &s->conn, err);
    if (st != VG_OK) {
        free(s);
        return st;
    }
    int version = 0;
    st = be->schema_version(s->conn, &version, err);
    if (st == VG_OK && version > vg_store_schema_version())
        st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                        "database schema version %d is newer than this vigil (%d): upgrade vigil",
                        version, vg_store_schema_version());
    if (st == VG_OK) {
        if (version == 0) {
            int created;
            st = vg_keyfile_create(s->key_path, s->key, &created, err);
        } else {
            st = vg_keyfile_load(s->key_path, s->name, s->key, err);
        }
    }
    if (st == VG_OK)
        st = vg_store_migrate(be, s->conn, s, version, vg_store_now(s), err);
    if (st == VG_OK)
        st = key_check(s, err);
    if (st == VG_OK)
        st = be->schema_version(s->conn, &s->schema_version, err);
    if (st != VG_OK) {
        vg_store_close(s);
        return st;
    }
    *out = s;
    return VG_OK;
}

vg_status vg_store_open_same(const vg_store *s, vg_store **out, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_open_same: store is NULL");
    vg_store_options o = {.path = s->path, .key_path = s->key_path, .now = s->now};
    return vg_store_open(&o, out, err);
}

vg_status vg_store_notify_tx(vg_store *s, const char *channel, int64_t id, vg_err *err)
{
    return s->be->notify ? s->be->notify(s->conn, channel, id, err) : VG_OK;
}

void vg_store_close(vg_store *s)
{
    if (!s)
        return;
    if (s->conn)
        s->be->close(s->conn);
    sodium_memzero(s->key, sizeof s->key);
    sodium_memzero(s->path, sizeof s->path); /* a URL may hold a password */
    free(s);
}
