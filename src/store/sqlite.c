/* sqlite.c — the SQLite backend of the store (backend.h): one database file.
 *
 * Connection settings: WAL journal (readers never block the writer),
 * synchronous=FULL (a committed change survives power loss), foreign keys on
 * (deleting a subject deletes its templates and photos and clears the
 * subject of its alerts), secure_delete on
 * (freed pages are zeroed, so a purged list's ciphertext does not linger in
 * the file), a 5 s busy timeout for a second process writing at the same
 * time, and BEGIN IMMEDIATE for write transactions so the audit tail read
 * and the insert after it cannot race another writer.
 *
 * auto_vacuum = INCREMENTAL is asked for on every connection: it takes effect
 * only in a database without tables (a new one, before migration 1), and
 * migration 3 switches older databases by a VACUUM (migrations.c). With it,
 * retention releases the pages it freed (sq_reclaim).
 *
 * Every value from a caller is bound to a prepared statement; no SQL is ever
 * built from caller text (migrations are fixed text from migrations.c). A
 * new database file is created with mode 0600 (SQLite gives its -wal and
 * -shm files the same mode): names and reasons are personal data too.
 */
#include "store/backend.h"

#include <errno.h>
#include <sys/stat.h>
#include <ctype.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define BUSY_TIMEOUT_MS 5000

struct vg_store_conn {
    sqlite3 *db;
    char path[4096];
    int read_only_full; /* opened read-only because the disk is full */
};

struct vg_store_stmt {
    vg_store_conn *c;
    sqlite3_stmt *st;
};

/* ---- errors ---- */

static vg_status db_fail(vg_store_conn *c, vg_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(c->db);
    vg_status st;
    const char *hint = "";
    switch (code & 0xff) {
    case SQLITE_NOMEM:
        st = VG_ERR_NOMEM;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        st = VG_ERR_INVALID;
        hint = " (not a vigil database, or a damaged one)";
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
        st = VG_ERR_INVALID;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        st = VG_ERR_IO;
        hint = " (another process kept it locked for 5 s)";
        break;
    case SQLITE_FULL: /* a full disk: not bad input (exit 1), held and retried by the engine */
        st = VG_ERR_FULL;
        break;
    case SQLITE_READONLY:
        st = c->read_only_full ? VG_ERR_FULL : VG_ERR_IO;
        if (c->read_only_full)
            hint = " (the disk is full: the database was opened read-only)";
        break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        st = VG_ERR_IO;
        break;
    default:
        st = VG_ERR_INTERNAL;
    }
    return vg_err_set(err, st, "database %s: %s: %s%s", c->path, what, sqlite3_errmsg(c->db),
                      hint);
}

static vg_sql_error classify(vg_store_conn *c)
{
    int code = sqlite3_extended_errcode(c->db);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return VG_SQL_UNIQUE;
    if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
        return VG_SQL_FOREIGN_KEY;
    switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return VG_SQL_BUSY;
    case SQLITE_FULL:
        return VG_SQL_FULL;
    default:
        return VG_SQL_OTHER;
    }
}

static vg_status exec(vg_store_conn *c, const char *sql, const char *what, vg_err *err)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c, err, what);
    return VG_OK;
}

/* ---- statements ---- */

static vg_status sq_prepare(vg_store_conn *c, const char *sql, int flags, vg_store_stmt **out,
                            vg_err *err)
{
    (void)flags; /* last_insert_rowid needs nothing of the statement */
    *out = NULL;
    vg_store_stmt *s = malloc(sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory", c->path);
    s->c = c;
    if (sqlite3_prepare_v2(c->db, sql, -1, &s->st, NULL) != SQLITE_OK) {
        free(s);
        return db_fail(c, err, "preparing a statement");
    }
    *out = s;
    return VG_OK;
}

static void sq_finalize(vg_store_stmt *s)
{
    sqlite3_finalize(s->st);
    free(s);
}

static void sq_bind_i64(vg_store_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s->st, i, v);
}

static void sq_bind_f64(vg_store_stmt *s, int i, double v)
{
    sqlite3_bind_double(s->st, i, v);
}

static void sq_bind_text(vg_store_stmt *s, int i, const char *v)
{
    sqlite3_bind_text(s->st, i, v, -1, SQLITE_STATIC);
}

static void sq_bind_blob(vg_store_stmt *s, int i, const uint8_t *v, size_t len)
{
    sqlite3_bind_blob64(s->st, i, v, len, SQLITE_STATIC);
}

static void sq_bind_null(vg_store_stmt *s, int i)
{
    sqlite3_bind_null(s->st, i);
}

static vg_status sq_step(vg_store_stmt *s, const char *what, int *row, vg_sql_error *fail,
                         vg_err *err)
{
    *row = 0;
    *fail = VG_SQL_OK;
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        *row = 1;
    else if (rc != SQLITE_DONE) {
        *fail = classify(s->c);
        return db_fail(s->c, err, what);
    }
    return VG_OK;
}

static void sq_reset(vg_store_stmt *s)
{
    sqlite3_reset(s->st);
}

static int64_t sq_col_i64(vg_store_stmt *s, int i)
{
    return sqlite3_column_int64(s->st, i);
}

static double sq_col_f64(vg_store_stmt *s, int i)
{
    return sqlite3_column_double(s->st, i);
}

static int sq_col_null(vg_store_stmt *s, int i)
{
    return sqlite3_column_type(s->st, i) == SQLITE_NULL;
}

static const char *sq_col_text(vg_store_stmt *s, int i, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(s->st, i);
    *len = t ? (size_t)sqlite3_column_bytes(s->st, i) : 0;
    return t ? (const char *)t : "";
}

static const uint8_t *sq_col_blob(vg_store_stmt *s, int i, size_t *len)
{
    const void *b = sqlite3_column_blob(s->st, i);
    *len = b ? (size_t)sqlite3_column_bytes(s->st, i) : 0;
    return b;
}

static int64_t sq_changes(vg_store_stmt *s)
{
    return sqlite3_changes(s->c->db);
}

static int64_t sq_last_id(vg_store_stmt *s)
{
    return sqlite3_last_insert_rowid(s->c->db);
}

/* One integer from a query without parameters. */
static vg_status query_int(vg_store_conn *c, const char *sql, int64_t *out, const char *what,
                           vg_err *err)
{
    vg_store_stmt *s;
    vg_sql_error fail;
    int row = 0;
    vg_status st = sq_prepare(c, sql, 0, &s, err);
    if (st != VG_OK)
        return st;
    if ((st = sq_step(s, what, &row, &fail, err)) == VG_OK)
        *out = row ? sqlite3_column_int64(s->st, 0) : 0;
    sq_finalize(s);
    return st;
}

/* ---- connection ---- */

static int sq_claims(const char *path)
{
    (void)path;
    return 1;
}

static void sq_close(vg_store_conn *c)
{
    if (!c)
        return;
    sqlite3_close(c->db);
    free(c);
}

/* A database on a full disk, read-only. While another connection has it
 * open, its -shm file exists and a plain read-only open works. When none
 * has (no room to make a -shm file), the database is read as immutable,
 * which is right only when no write is pending in its -wal file: an empty
 * or absent one (the last connection checkpointed it). */
static int ro_open_full(const char *path, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK && sqlite3_exec(*db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) == SQLITE_OK)
        return SQLITE_OK;
    sqlite3_close(*db);
    *db = NULL;
    char wal[4200];
    struct stat sb;
    snprintf(wal, sizeof wal, "%s-wal", path);
    if (stat(wal, &sb) == 0 && sb.st_size > 0)
        return SQLITE_CANTOPEN;
    char uri[3 * 4096 + 32] = "file:";
    size_t n = strlen(uri);
    for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < sizeof uri; p++) {
        if (isalnum(*p) || strchr("/-._~", *p))
            uri[n++] = (char)*p;
        else
            n += (size_t)snprintf(uri + n, sizeof uri - n, "%%%02X", *p);
    }
    snprintf(uri + n, sizeof uri - n, "?immutable=1");
    return sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
}

static vg_status sq_open(const char *path, vg_store_conn **out, vg_err *err)
{
    *out = NULL;
    vg_store_conn *c = calloc(1, sizeof *c);
    if (!c)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening %s", path);
    snprintf(c->path, sizeof c->path, "%s", path);

    /* a new file starts 0600; an existing one keeps its mode */
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST) {
        vg_status s = vg_err_set(err, VG_ERR_IO, "cannot create database %s: %s", path,
                                 strerror(errno));
        free(c);
        return s;
    }

    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        vg_status s = vg_err_set(err, VG_ERR_IO, "cannot open database %s: %s", path,
                                 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sq_close(c);
        return s;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);

    /* (on a full disk this or the switch to WAL fails: the database is
     * then opened read-only, below) */
    vg_status s = exec(c,
                       "PRAGMA auto_vacuum = INCREMENTAL;"
                       "PRAGMA foreign_keys = ON;"
                       "PRAGMA synchronous = FULL;"
                       "PRAGMA secure_delete = ON;"
                       "PRAGMA trusted_schema = OFF;",
                       "setting up the connection", err);
    if (s == VG_OK) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            s = db_fail(c, err, "switching to WAL mode");
        else {
            if (sqlite3_step(st) != SQLITE_ROW)
                s = db_fail(c, err, "switching to WAL mode");
            else if (strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
                s = vg_err_set(err, VG_ERR_IO,
                               "database %s: cannot use WAL mode here (journal mode stays %s)",
                               path, sqlite3_column_text(st, 0));
            sqlite3_finalize(st);
        }
    }
    if (s == VG_ERR_FULL || (s == VG_ERR_IO && sqlite3_system_errno(c->db) == ENOSPC)) {
        /* a full disk (no room for the -shm file, say): open it read-only,
         * so that reading commands (audit verify, report) still work and a
         * write says that the disk is full */
        sqlite3_close(c->db);
        c->db = NULL;
        if (ro_open_full(path, &c->db) == SQLITE_OK) {
            sqlite3_extended_result_codes(c->db, 1);
            sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
            c->read_only_full = 1;
            vg_err e2 = {{0}};
            if (exec(c,
                     "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;"
                     "SELECT count(*) FROM sqlite_master;",
                     "opening read-only", &e2) == VG_OK)
                s = VG_OK;
        }
    }
    if (s != VG_OK) {
        sq_close(c);
        return s;
    }
    *out = c;
    return VG_OK;
}

static vg_status sq_begin(vg_store_conn *c, vg_err *err)
{
    return exec(c, "BEGIN IMMEDIATE", "starting a transaction", err);
}

static vg_status sq_commit(vg_store_conn *c, vg_err *err)
{
    return exec(c, "COMMIT", "committing", err);
}

static void sq_rollback(vg_store_conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- schema and upkeep ---- */

static vg_status sq_schema_version(vg_store_conn *c, int *version, vg_err *err)
{
    *version = 0;
    int64_t has = 0, tables = 0, v = 0;
    vg_status s = query_int(c,
                            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'schema_version'",
                            &has, "reading the schema", err);
    if (s != VG_OK)
        return s;
    if (!has) {
        s = query_int(c, "SELECT count(*) FROM sqlite_master", &tables,
                      "reading the schema", err);
        if (s == VG_OK && tables)
            s = vg_err_set(err, VG_ERR_INVALID,
                           "database %s holds tables but no vigil schema: not a vigil database",
                           c->path);
        return s;
    }
    s = query_int(c, "SELECT coalesce(max(version), 0) FROM schema_version", &v,
                  "reading the schema version", err);
    if (s == VG_OK)
        *version = v > 1000000 ? 1000000 : (int)v;
    return s;
}

static vg_status sq_exec_outside(vg_store_conn *c, const char *sql, vg_err *err)
{
    if (!sqlite3_get_autocommit(c->db))
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->path);
    return exec(c, sql, "running a migration step", err);
}

static vg_status sq_reclaim(vg_store_conn *c, int *done, vg_err *err)
{
    *done = 0;
    if (!sqlite3_get_autocommit(c->db))
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->path);
    vg_status s = exec(c, "PRAGMA incremental_vacuum", "releasing free pages", err);
    if (s != VG_OK)
        return s;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL) != SQLITE_OK)
        return db_fail(c, err, "checkpointing the WAL");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *done = sqlite3_column_int(st, 0) == 0; /* 1: blocked by another connection */
    else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        *done = 0;
    else
        s = db_fail(c, err, "checkpointing the WAL");
    sqlite3_finalize(st);
    return s;
}

const vg_store_backend vg_store_backend_sqlite = {
    .name = "sqlite",
    .claims = sq_claims,
    .dialect = VG_DIALECT_SQLITE,
    .local_file = 1,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_i64 = sq_bind_i64,
    .bind_f64 = sq_bind_f64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .col_i64 = sq_col_i64,
    .col_f64 = sq_col_f64,
    .col_null = sq_col_null,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .last_id = sq_last_id,
    .exec = exec,
    .schema_version = sq_schema_version,
    .exec_outside = sq_exec_outside,
    .reclaim = sq_reclaim,
    /* no notify/listen: one machine, nothing to tell */
};
