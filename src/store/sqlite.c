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

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

#define BUSY_TIMEOUT_MS 5000

struct vg_store_conn {
    sqlite3 *db;
    char path[4096];
    int read_only_full; /* opened read-only because the disk is full (issue 13) */
};

/* ---- errors and statements ---- */

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

static vg_status prepare(vg_store_conn *c, const char *sql, sqlite3_stmt **st, vg_err *err)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_fail(c, err, "preparing a statement");
    }
    return VG_OK;
}

/* Reads one row of a list query into elem. */
typedef vg_status (*row_reader)(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err);

/* Steps st to its end, reading each row with read into a growing array of
 * elem_size-byte elements; finalizes st. On failure nothing is returned. */
static vg_status collect_rows(vg_store_conn *c, sqlite3_stmt *st, size_t elem_size, row_reader read,
                              void *ctx, const char *what, void **out, int *n, vg_err *err)
{
    char *v = NULL;
    int count = 0, cap = 0, rc = SQLITE_DONE;
    vg_status s = VG_OK;
    while (s == VG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int nc = cap ? cap * 2 : 8;
            char *g = realloc(v, (size_t)nc * elem_size);
            if (!g) {
                s = vg_err_set(err, VG_ERR_NOMEM, "out of memory %s", what);
                break;
            }
            v = g;
            cap = nc;
        }
        s = read(ctx, st, v + (size_t)count * elem_size, err);
        count++;
    }
    if (s == VG_OK && rc != SQLITE_DONE)
        s = db_fail(c, err, what);
    sqlite3_finalize(st);
    if (s != VG_OK) {
        free(v);
        return s;
    }
    *out = v;
    *n = count;
    return VG_OK;
}

/* Binds text that outlives the statement's step (SQLITE_STATIC). */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

/* Reads the one row that sql_by_name (name given) or sql_by_id (name NULL)
 * selects, with read; VG_ERR_NOT_FOUND names the noun. Finalizes. */
static vg_status find_one(vg_store_conn *c, const char *sql_by_name, const char *sql_by_id, const char *name,
                          int64_t id, row_reader read, void *ctx, void *out, const char *noun, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, name ? sql_by_name : sql_by_id, &st, err);
    if (s != VG_OK)
        return s;
    if (name)
        bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = read(ctx, st, out, err);
    else if (rc == SQLITE_DONE && name)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s named \"%s\"", noun, name);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s with id %lld", noun, (long long)id);
    else {
        char what[64];
        snprintf(what, sizeof what, "reading a %s", noun);
        s = db_fail(c, err, what);
    }
    sqlite3_finalize(st);
    return s;
}

/* Steps a statement that returns no rows, then finalizes it. */
static vg_status run(vg_store_conn *c, sqlite3_stmt *st, const char *what, vg_err *err)
{
    vg_status s = VG_OK;
    if (sqlite3_step(st) != SQLITE_DONE)
        s = db_fail(c, err, what);
    sqlite3_finalize(st);
    return s;
}

static vg_status exec(vg_store_conn *c, const char *sql, const char *what, vg_err *err)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c, err, what);
    return VG_OK;
}

/* One integer from a query with at most one int64 parameter (?1). */
static vg_status query_int(vg_store_conn *c, const char *sql, int64_t arg, int64_t *out,
                           const char *what, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, sql, &st, err);
    if (s != VG_OK)
        return s;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, arg);
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        s = db_fail(c, err, what);
    sqlite3_finalize(st);
    return s;
}

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

static vg_status col_blob(vg_store_conn *c, sqlite3_stmt *st, int i, uint8_t **out, size_t *len,
                          vg_err *err)
{
    const void *b = sqlite3_column_blob(st, i);
    size_t n = b ? (size_t)sqlite3_column_bytes(st, i) : 0;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory reading %zu bytes",
                          c->path, n);
    if (n)
        memcpy(copy, b, n);
    *out = copy;
    *len = n;
    return VG_OK;
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

    /* auto_vacuum is set on a new file only: setting it again writes, and
     * would refuse every connection, read-only commands too, on a full disk */
    int64_t vacuum = 0;
    vg_status s = query_int(c, "PRAGMA auto_vacuum", 0, &vacuum, "setting up the connection", err);
    if (s == VG_OK && vacuum != 2)
        s = exec(c, "PRAGMA auto_vacuum = INCREMENTAL;", "setting up the connection", err);
    if (s == VG_OK)
        s = exec(c,
                       "PRAGMA foreign_keys = ON;"
                       "PRAGMA synchronous = FULL;"
                       "PRAGMA secure_delete = ON;"
                       "PRAGMA trusted_schema = OFF;",
                       "setting up the connection", err);
    if (s == VG_OK) {
        sqlite3_stmt *st;
        s = prepare(c, "PRAGMA journal_mode = WAL", &st, err);
        if (s == VG_OK) {
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
            if (exec(c, "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;", "opening read-only", &e2) == VG_OK &&
                query_int(c, "SELECT count(*) FROM sqlite_master", 0, &vacuum, "opening read-only", &e2) == VG_OK)
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

/* ---- schema ---- */

static vg_status sq_schema_version(vg_store_conn *c, int *version, vg_err *err)
{
    *version = 0;
    int64_t has = 0, tables = 0, v = 0;
    vg_status s = query_int(c,
                            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                            "AND name = 'schema_version'",
                            0, &has, "reading the schema", err);
    if (s != VG_OK)
        return s;
    if (!has) {
        s = query_int(c, "SELECT count(*) FROM sqlite_master", 0, &tables,
                      "reading the schema", err);
        if (s == VG_OK && tables)
            s = vg_err_set(err, VG_ERR_INVALID,
                           "database %s holds tables but no vigil schema: not a vigil database",
                           c->path);
        return s;
    }
    s = query_int(c, "SELECT coalesce(max(version), 0) FROM schema_version", 0, &v,
                  "reading the schema version", err);
    if (s == VG_OK)
        *version = v > 1000000 ? 1000000 : (int)v;
    return s;
}

static vg_status sq_migrate(vg_store_conn *c, const char *sql, int version, int64_t now,
                            vg_err *err)
{
    vg_status s = exec(c, sql, "applying a migration", err);
    if (s != VG_OK)
        return s;
    sqlite3_stmt *st;
    if ((s = prepare(c, "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", &st,
                     err)) != VG_OK)
        return s;
    sqlite3_bind_int(st, 1, version);
    sqlite3_bind_int64(st, 2, now);
    return run(c, st, "recording the schema version", err);
}

static vg_status sq_exec_outside(vg_store_conn *c, const char *sql, vg_err *err)
{
    if (!sqlite3_get_autocommit(c->db))
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->path);
    return exec(c, sql, "running a migration step", err);
}

static vg_status sq_meta_get(vg_store_conn *c, const char *key, uint8_t **value, size_t *len,
                             vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT value FROM meta WHERE key = ?1", &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = col_blob(c, st, 0, value, len, err);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "database %s has no %s", c->path, key);
    else
        s = db_fail(c, err, "reading meta");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_meta_put(vg_store_conn *c, const char *key, const uint8_t *value, size_t len,
                             vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, key);
    sqlite3_bind_blob64(st, 2, value, len, SQLITE_STATIC);
    return run(c, st, "writing meta", err);
}

/* ---- watch lists ---- */

static vg_status sq_watchlist_insert(vg_store_conn *c, const vg_watchlist *w, int64_t *id,
                                     vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO watchlist (name, reason, authorised_by, created_at, "
                          "expires_at, max_size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, w->name);
    bind_text(st, 2, w->reason);
    bind_text(st, 3, w->authorised_by);
    sqlite3_bind_int64(st, 4, w->created_at);
    sqlite3_bind_int64(st, 5, w->expires_at);
    sqlite3_bind_int(st, 6, w->max_size);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(c->db);
    else if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
        s = vg_err_set(err, VG_ERR_INVALID, "a watch list named \"%s\" already exists", w->name);
    else
        s = db_fail(c, err, "creating a watch list");
    sqlite3_finalize(st);
    return s;
}

#define WATCHLIST_COLUMNS                                                                      \
    "SELECT w.id, w.name, w.reason, w.authorised_by, w.created_at, w.expires_at, w.max_size, " \
    "(SELECT count(*) FROM subject s WHERE s.watchlist_id = w.id), "                           \
    "(SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "                  \
    "  WHERE s.watchlist_id = w.id) FROM watchlist w "

static void watchlist_row(sqlite3_stmt *st, vg_watchlist *w)
{
    memset(w, 0, sizeof *w);
    w->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, w->name, sizeof w->name);
    col_text(st, 2, w->reason, sizeof w->reason);
    col_text(st, 3, w->authorised_by, sizeof w->authorised_by);
    w->created_at = sqlite3_column_int64(st, 4);
    w->expires_at = sqlite3_column_int64(st, 5);
    w->max_size = sqlite3_column_int(st, 6);
    w->subjects = sqlite3_column_int(st, 7);
    w->templates = sqlite3_column_int(st, 8);
}

static vg_status read_watchlist(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    watchlist_row(st, elem);
    return VG_OK;
}

static vg_status sq_watchlist_find(vg_store_conn *c, const char *name, int64_t id,
                                   vg_watchlist *out, vg_err *err)
{
    return find_one(c, WATCHLIST_COLUMNS "WHERE w.name = ?1", WATCHLIST_COLUMNS "WHERE w.id = ?1", name, id,
                    read_watchlist, NULL, out, "watch list", err);
}

static vg_status sq_watchlist_list(vg_store_conn *c, vg_watchlist **out, int *n, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, WATCHLIST_COLUMNS "ORDER BY w.id", &st, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_watchlist), read_watchlist, NULL, "listing watch lists", &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status sq_watchlist_purge(vg_store_conn *c, int64_t id, int *subjects, int *templates,
                                    vg_err *err)
{
    int64_t ns = 0, nt = 0;
    vg_status s = query_int(c, "SELECT count(*) FROM subject WHERE watchlist_id = ?1", id, &ns,
                            "counting subjects", err);
    if (s == VG_OK)
        s = query_int(c,
                      "SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "
                      "WHERE s.watchlist_id = ?1",
                      id, &nt, "counting templates", err);
    if (s != VG_OK)
        return s;
    sqlite3_stmt *st;
    if ((s = prepare(c, "DELETE FROM subject WHERE watchlist_id = ?1", &st, err)) != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    if ((s = run(c, st, "purging a watch list", err)) != VG_OK)
        return s;
    *subjects = (int)ns;
    *templates = (int)nt;
    return VG_OK;
}

/* ---- subjects ---- */

static vg_status sq_subject_insert(vg_store_conn *c, const vg_subject *sub, int64_t *id,
                                   vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO subject (watchlist_id, name, reason, category, source, "
                          "authorised_by, justification, dob, created_at, expires_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, sub->watchlist_id);
    bind_text(st, 2, sub->name);
    bind_text(st, 3, sub->reason);
    bind_text(st, 4, sub->category);
    bind_text(st, 5, sub->source);
    bind_text(st, 6, sub->authorised_by);
    bind_text(st, 7, sub->justification);
    bind_text(st, 8, sub->dob);
    sqlite3_bind_int64(st, 9, sub->created_at);
    sqlite3_bind_int64(st, 10, sub->expires_at);
    if (sqlite3_step(st) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(c->db);
    else
        s = db_fail(c, err, "adding a subject");
    sqlite3_finalize(st);
    return s;
}

#define SUBJECT_COLUMNS                                                                        \
    "SELECT s.id, s.watchlist_id, s.name, s.reason, s.category, s.source, s.authorised_by, "   \
    "s.justification, s.dob, s.created_at, s.expires_at, "                                     \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id), "                            \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id AND t.low_quality <> 0) "      \
    "FROM subject s "

static void subject_row(sqlite3_stmt *st, vg_subject *s)
{
    memset(s, 0, sizeof *s);
    s->id = sqlite3_column_int64(st, 0);
    s->watchlist_id = sqlite3_column_int64(st, 1);
    col_text(st, 2, s->name, sizeof s->name);
    col_text(st, 3, s->reason, sizeof s->reason);
    col_text(st, 4, s->category, sizeof s->category);
    col_text(st, 5, s->source, sizeof s->source);
    col_text(st, 6, s->authorised_by, sizeof s->authorised_by);
    col_text(st, 7, s->justification, sizeof s->justification);
    col_text(st, 8, s->dob, sizeof s->dob);
    s->created_at = sqlite3_column_int64(st, 9);
    s->expires_at = sqlite3_column_int64(st, 10);
    s->templates = sqlite3_column_int(st, 11);
    s->low_quality = sqlite3_column_int(st, 12);
}

static vg_status read_subject(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    subject_row(st, elem);
    return VG_OK;
}

static vg_status sq_subject_get(vg_store_conn *c, int64_t id, vg_subject *out, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, SUBJECT_COLUMNS "WHERE s.id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        subject_row(st, out);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    else
        s = db_fail(c, err, "reading a subject");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_subject_list(vg_store_conn *c, int64_t watchlist_id, vg_subject **out, int *n,
                                 vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, SUBJECT_COLUMNS "WHERE s.watchlist_id = ?1 ORDER BY s.id", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, watchlist_id);
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_subject), read_subject, NULL, "listing subjects", &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status sq_subject_delete(vg_store_conn *c, int64_t id, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "DELETE FROM subject WHERE id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    if ((s = run(c, st, "removing a subject", err)) != VG_OK)
        return s;
    if (sqlite3_changes(c->db) == 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return VG_OK;
}

/* ---- templates and photos ---- */

static vg_status sq_template_insert(vg_store_conn *c, int64_t subject_id, const char *model_id,
                                    int dim, float quality, int low_quality, const uint8_t *sealed,
                                    size_t len, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO template (subject_id, model_id, dim, vector, quality, low_quality) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, subject_id);
    bind_text(st, 2, model_id);
    sqlite3_bind_int(st, 3, dim);
    sqlite3_bind_blob64(st, 4, sealed, len, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, quality);
    sqlite3_bind_int(st, 6, low_quality != 0);
    return run(c, st, "adding a template", err);
}

static vg_status sq_templates_each(vg_store_conn *c, int64_t watchlist_id, int64_t now,
                                   vg_store_template_fn fn, void *ctx, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "WITH live AS ("
                          "  SELECT s.id AS sid, CASE WHEN s.expires_at <> 0 THEN s.expires_at "
                          "    ELSE w.expires_at END AS expiry "
                          "  FROM subject s JOIN watchlist w ON w.id = s.watchlist_id "
                          "  WHERE s.watchlist_id = ?1) "
                          "SELECT t.id, t.subject_id, t.model_id, t.dim, t.vector "
                          "FROM template t JOIN live ON live.sid = t.subject_id "
                          "WHERE live.expiry = 0 OR live.expiry > ?2 ORDER BY t.id",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, watchlist_id);
    sqlite3_bind_int64(st, 2, now);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vg_store_template_row r;
        r.id = sqlite3_column_int64(st, 0);
        r.subject_id = sqlite3_column_int64(st, 1);
        const unsigned char *m = sqlite3_column_text(st, 2);
        r.model_id = m ? (const char *)m : "";
        r.dim = sqlite3_column_int(st, 3);
        r.sealed = sqlite3_column_blob(st, 4);
        r.sealed_len = r.sealed ? (size_t)sqlite3_column_bytes(st, 4) : 0;
        if ((s = fn(ctx, &r, err)) != VG_OK)
            break;
    }
    if (s == VG_OK && rc != SQLITE_DONE)
        s = db_fail(c, err, "reading templates");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_templates_delete(vg_store_conn *c, int64_t subject_id, int *n, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "DELETE FROM template WHERE subject_id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, subject_id);
    if ((s = run(c, st, "removing templates", err)) == VG_OK)
        *n = sqlite3_changes(c->db);
    return s;
}

static vg_status sq_photo_insert(vg_store_conn *c, int64_t subject_id, int idx,
                                 const uint8_t *sealed, size_t len, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s =
        prepare(c, "INSERT INTO photo (subject_id, idx, jpeg) VALUES (?1, ?2, ?3)", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, subject_id);
    sqlite3_bind_int(st, 2, idx);
    sqlite3_bind_blob64(st, 3, sealed, len, SQLITE_STATIC);
    return run(c, st, "adding a photo", err);
}

static vg_status sq_photo_get(vg_store_conn *c, int64_t subject_id, int idx, uint8_t **sealed,
                              size_t *len, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT jpeg FROM photo WHERE subject_id = ?1 AND idx = ?2", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, subject_id);
    sqlite3_bind_int(st, 2, idx);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = col_blob(c, st, 0, sealed, len, err);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "subject %lld has no photo %d",
                       (long long)subject_id, idx);
    else
        s = db_fail(c, err, "reading a photo");
    sqlite3_finalize(st);
    return s;
}

/* ---- deployments ---- */

static vg_status sq_deployment_insert(vg_store_conn *c, const vg_deployment *d, int64_t *id,
                                      vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO deployment (name, watchlist_id, location, starts_at, "
                          "ends_at, authorised_by, signage_confirmed, threshold, created_at, "
                          "created_by, model_id, detector) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                          "?10, ?11, ?12)",
                          &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, d->name);
    sqlite3_bind_int64(st, 2, d->watchlist_id);
    bind_text(st, 3, d->location);
    sqlite3_bind_int64(st, 4, d->starts_at);
    sqlite3_bind_int64(st, 5, d->ends_at);
    bind_text(st, 6, d->authorised_by);
    sqlite3_bind_int(st, 7, d->signage_confirmed ? 1 : 0);
    sqlite3_bind_double(st, 8, d->threshold);
    sqlite3_bind_int64(st, 9, d->created_at);
    bind_text(st, 10, d->created_by);
    bind_text(st, 11, d->model_id);
    bind_text(st, 12, d->detector);
    int64_t did = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        did = sqlite3_last_insert_rowid(c->db);
    else if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
        s = vg_err_set(err, VG_ERR_INVALID, "a deployment named \"%s\" already exists", d->name);
    else
        s = db_fail(c, err, "creating a deployment");
    sqlite3_finalize(st);
    if (s != VG_OK)
        return s;
    if ((s = prepare(c,
                     "INSERT INTO deployment_camera (deployment_id, position, url) "
                     "VALUES (?1, ?2, ?3)",
                     &st, err)) != VG_OK)
        return s;
    for (int i = 0; i < d->n_cameras && s == VG_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, did);
        sqlite3_bind_int(st, 2, i);
        bind_text(st, 3, d->cameras[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            s = db_fail(c, err, "adding a deployment's camera");
    }
    sqlite3_finalize(st);
    if (s == VG_OK)
        *id = did;
    return s;
}

#define DEPLOYMENT_COLUMNS                                                                     \
    "SELECT d.id, d.name, d.watchlist_id, coalesce(w.name, ''), d.location, d.starts_at, "     \
    "d.ends_at, d.authorised_by, d.signage_confirmed, d.threshold, d.created_at, d.ended_at, " \
    "d.created_by, d.ended_by, d.model_id, d.detector "                                          \
    "FROM deployment d LEFT JOIN watchlist w ON w.id = d.watchlist_id "

static void deployment_row(sqlite3_stmt *st, vg_deployment *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, d->name, sizeof d->name);
    d->watchlist_id = sqlite3_column_int64(st, 2);
    col_text(st, 3, d->watchlist, sizeof d->watchlist);
    col_text(st, 4, d->location, sizeof d->location);
    d->starts_at = sqlite3_column_int64(st, 5);
    d->ends_at = sqlite3_column_int64(st, 6);
    col_text(st, 7, d->authorised_by, sizeof d->authorised_by);
    d->signage_confirmed = sqlite3_column_int(st, 8) != 0;
    d->threshold = (float)sqlite3_column_double(st, 9);
    d->created_at = sqlite3_column_int64(st, 10);
    d->ended_at = sqlite3_column_int64(st, 11);
    col_text(st, 12, d->created_by, sizeof d->created_by);
    col_text(st, 13, d->ended_by, sizeof d->ended_by);
    col_text(st, 14, d->model_id, sizeof d->model_id);
    col_text(st, 15, d->detector, sizeof d->detector);
}

/* Fills d->cameras from deployment_camera (cam: a prepared statement for
 * "... WHERE deployment_id = ?1 ORDER BY position", reset here). */
static vg_status deployment_cameras(vg_store_conn *c, sqlite3_stmt *cam, vg_deployment *d,
                                    vg_err *err)
{
    sqlite3_reset(cam);
    sqlite3_bind_int64(cam, 1, d->id);
    d->n_cameras = 0;
    int rc;
    while ((rc = sqlite3_step(cam)) == SQLITE_ROW) {
        if (d->n_cameras == VG_STORE_CAMERAS_MAX)
            return vg_err_set(err, VG_ERR_INVALID,
                              "deployment %s has more than %d cameras: the database was altered",
                              d->name, VG_STORE_CAMERAS_MAX);
        col_text(cam, 0, d->cameras[d->n_cameras], sizeof d->cameras[0]);
        d->n_cameras++;
    }
    if (rc != SQLITE_DONE)
        return db_fail(c, err, "reading a deployment's cameras");
    return VG_OK;
}

#define CAMERA_QUERY "SELECT url FROM deployment_camera WHERE deployment_id = ?1 ORDER BY position"

typedef struct deployment_reader {
    vg_store_conn *c;
    sqlite3_stmt *cam;
} deployment_reader;

static vg_status read_deployment(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    deployment_reader *r = ctx;
    deployment_row(st, elem);
    return deployment_cameras(r->c, r->cam, elem, err);
}

static vg_status sq_deployment_find(vg_store_conn *c, const char *name, int64_t id,
                                    vg_deployment *out, vg_err *err)
{
    sqlite3_stmt *cam;
    vg_status s = prepare(c, CAMERA_QUERY, &cam, err);
    if (s != VG_OK)
        return s;
    deployment_reader r = {c, cam};
    s = find_one(c, DEPLOYMENT_COLUMNS "WHERE d.name = ?1", DEPLOYMENT_COLUMNS "WHERE d.id = ?1", name, id,
                 read_deployment, &r, out, "deployment", err);
    sqlite3_finalize(cam);
    return s;
}


static vg_status sq_deployment_list(vg_store_conn *c, vg_deployment **out, int *n, vg_err *err)
{
    sqlite3_stmt *st, *cam;
    vg_status s = prepare(c, DEPLOYMENT_COLUMNS "ORDER BY d.id", &st, err);
    if (s != VG_OK)
        return s;
    if ((s = prepare(c, CAMERA_QUERY, &cam, err)) != VG_OK) {
        sqlite3_finalize(st);
        return s;
    }
    deployment_reader r = {c, cam};
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_deployment), read_deployment, &r, "listing deployments", &v, n, err);
    sqlite3_finalize(cam);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status sq_deployment_end(vg_store_conn *c, int64_t id, int64_t ended_at,
                                   const char *ended_by, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s =
        prepare(c, "UPDATE deployment SET ended_at = ?2, ended_by = ?3 WHERE id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, ended_at);
    bind_text(st, 3, ended_by);
    if ((s = run(c, st, "ending a deployment", err)) != VG_OK)
        return s;
    if (sqlite3_changes(c->db) == 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld", (long long)id);
    return VG_OK;
}

/* ---- alerts ---- */

static vg_status sq_alert_find_uid(vg_store_conn *c, const char *uid, int64_t *id, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT id FROM alert WHERE uid = ?1", &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, uid);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with uid %s", uid);
    else
        s = db_fail(c, err, "looking up an alert");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_alert_insert(vg_store_conn *c, const vg_alert *a, const uint8_t *sealed,
                                 size_t len, int64_t *id, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO alert (uid, deployment_id, camera, subject_id, score, "
                          "frame_time, raised_at, state, crop) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                          &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, a->uid);
    sqlite3_bind_int64(st, 2, a->deployment_id);
    bind_text(st, 3, a->camera);
    if (a->subject_id)
        sqlite3_bind_int64(st, 4, a->subject_id);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_double(st, 5, a->score);
    sqlite3_bind_double(st, 6, a->frame_time);
    sqlite3_bind_double(st, 7, a->raised_at);
    bind_text(st, 8, a->state);
    sqlite3_bind_blob64(st, 9, sealed, len, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_DONE)
        *id = sqlite3_last_insert_rowid(c->db);
    else
        s = db_fail(c, err, "adding an alert");
    sqlite3_finalize(st);
    return s;
}

#define ALERT_COLUMNS                                                                          \
    "SELECT id, deployment_id, camera, coalesce(subject_id, 0), score, frame_time, raised_at, " \
    "state, uid FROM alert "

static void alert_row(sqlite3_stmt *st, vg_alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->deployment_id = sqlite3_column_int64(st, 1);
    col_text(st, 2, a->camera, sizeof a->camera);
    a->subject_id = sqlite3_column_int64(st, 3);
    a->score = (float)sqlite3_column_double(st, 4);
    a->frame_time = sqlite3_column_double(st, 5);
    a->raised_at = sqlite3_column_double(st, 6);
    col_text(st, 7, a->state, sizeof a->state);
    col_text(st, 8, a->uid, sizeof a->uid);
}

static vg_status read_alert(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    alert_row(st, elem);
    return VG_OK;
}

static vg_status sq_alert_get(vg_store_conn *c, int64_t id, vg_alert *out, uint8_t **sealed,
                              size_t *len, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, ALERT_COLUMNS "WHERE id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        alert_row(st, out);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    else
        s = db_fail(c, err, "reading an alert");
    sqlite3_finalize(st);
    if (s != VG_OK || !sealed)
        return s;
    if ((s = prepare(c, "SELECT crop FROM alert WHERE id = ?1", &st, err)) != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "the face crop of alert %lld was deleted",
                       (long long)id);
    else if (rc == SQLITE_ROW)
        s = col_blob(c, st, 0, sealed, len, err);
    else
        s = db_fail(c, err, "reading an alert's crop");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_alert_list(vg_store_conn *c, int64_t deployment_id, vg_alert **out, int *n,
                               vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, deployment_id ? ALERT_COLUMNS "WHERE deployment_id = ?1 ORDER BY id"
                                           : ALERT_COLUMNS "ORDER BY id",
                          &st, err);
    if (s != VG_OK)
        return s;
    if (deployment_id)
        sqlite3_bind_int64(st, 1, deployment_id);
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_alert), read_alert, NULL, "listing alerts", &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- alerts with their details ---- */

static vg_status read_alert_detail(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_alert_detail *d = elem;
    alert_row(st, &d->alert); /* columns 0..8 */
    col_text(st, 9, d->subject_name, sizeof d->subject_name);
    col_text(st, 10, d->subject_reason, sizeof d->subject_reason);
    col_text(st, 11, d->subject_category, sizeof d->subject_category);
    col_text(st, 12, d->watchlist, sizeof d->watchlist);
    col_text(st, 13, d->adjudicated_by, sizeof d->adjudicated_by);
    d->adjudicated_at = sqlite3_column_int64(st, 14);
    col_text(st, 15, d->note, sizeof d->note);
    d->low_quality = sqlite3_column_int(st, 16) != 0;
    return VG_OK;
}

static vg_status sq_alert_query(vg_store_conn *c, const vg_alert_query *q, vg_alert_detail **out,
                                int *n, vg_err *err)
{
    static const char *const sql[2] = {
#define ALERT_DETAIL_SQL(order)                                                                   \
    "SELECT a.id, a.deployment_id, a.camera, coalesce(a.subject_id, 0), a.score, a.frame_time, "  \
    "a.raised_at, a.state, a.uid, coalesce(s.name, ''), coalesce(s.reason, ''), "                  \
    "coalesce(s.category, ''), coalesce(w.name, ''), a.adjudicated_by, a.adjudicated_at, a.note, " \
    "EXISTS (SELECT 1 FROM template t WHERE t.subject_id = a.subject_id AND t.low_quality <> 0) "  \
    "FROM alert a LEFT JOIN subject s ON s.id = a.subject_id "                                     \
    "LEFT JOIN deployment d ON d.id = a.deployment_id "                                            \
    "LEFT JOIN watchlist w ON w.id = d.watchlist_id "                                              \
    "WHERE a.id > ?1 AND (?2 = 0 OR a.deployment_id = ?2) AND (?3 IS NULL OR a.state = ?3) "       \
    "ORDER BY a.id " order " LIMIT ?4"
        ALERT_DETAIL_SQL("ASC"), ALERT_DETAIL_SQL("DESC")
#undef ALERT_DETAIL_SQL
    };
    sqlite3_stmt *st;
    vg_status s = prepare(c, sql[q->newest_first ? 1 : 0], &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, q->after);
    sqlite3_bind_int64(st, 2, q->deployment_id);
    if (q->state)
        bind_text(st, 3, q->state);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int(st, 4, q->limit);
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_alert_detail), read_alert_detail, NULL, "listing alerts", &v,
                     n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- holds and retention ---- */

static vg_status sq_alert_held(vg_store_conn *c, int64_t id, int *held, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT hold_reason <> '' FROM alert WHERE id = ?1", &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *held = sqlite3_column_int(st, 0);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    else
        s = db_fail(c, err, "reading an alert");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_alert_hold_set(vg_store_conn *c, int64_t id, const char *reason,
                                   const char *by, int64_t at, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(
        c, "UPDATE alert SET hold_reason = ?2, held_by = ?3, held_at = ?4 WHERE id = ?1", &st,
        err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, reason);
    bind_text(st, 3, by);
    sqlite3_bind_int64(st, 4, at);
    if ((s = run(c, st, "holding an alert", err)) != VG_OK)
        return s;
    if (sqlite3_changes(c->db) == 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    return VG_OK;
}

/* Runs one statement with at most one parameter ?1 (bound as double when
 * is_real), returning sqlite3_changes. */
static vg_status run_count(vg_store_conn *c, const char *sql, int64_t arg, double real, int is_real,
                           int *changes, const char *what, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, sql, &st, err);
    if (s != VG_OK)
        return s;
    if (sqlite3_bind_parameter_count(st) > 0) {
        if (is_real)
            sqlite3_bind_double(st, 1, real);
        else
            sqlite3_bind_int64(st, 1, arg);
    }
    if ((s = run(c, st, what, err)) == VG_OK && changes)
        *changes = sqlite3_changes(c->db);
    return s;
}

static vg_status sq_retention_alerts(vg_store_conn *c, double before, int *alerts, int *crops,
                                     vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "SELECT count(*) FROM alert WHERE raised_at < ?1 AND hold_reason = '' "
                          "AND crop IS NOT NULL",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_double(st, 1, before);
    if (sqlite3_step(st) == SQLITE_ROW)
        *crops = sqlite3_column_int(st, 0);
    else
        s = db_fail(c, err, "counting alerts");
    sqlite3_finalize(st);
    if (s != VG_OK)
        return s;
    /* keep their outcomes as counts per deployment, then delete them */
    s = prepare(c,
                "INSERT INTO alert_tally (deployment_id, alerts, confirmed, rejected, no_action, pending) "
                "SELECT deployment_id, count(*), sum(state = 'confirmed'), sum(state = 'rejected'), "
                "sum(state = 'no_action'), sum(state = 'pending') FROM alert "
                "WHERE raised_at < ?1 AND hold_reason = '' GROUP BY deployment_id "
                "ON CONFLICT (deployment_id) DO UPDATE SET alerts = alerts + excluded.alerts, "
                "confirmed = confirmed + excluded.confirmed, rejected = rejected + excluded.rejected, "
                "no_action = no_action + excluded.no_action, pending = pending + excluded.pending",
                &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_double(st, 1, before);
    if ((s = run(c, st, "counting the outcomes of deleted alerts", err)) != VG_OK)
        return s;
    return run_count(c, "DELETE FROM alert WHERE raised_at < ?1 AND hold_reason = ''", 0, before,
                     1, alerts, "deleting alerts", err);
}

/* The subjects a retention step deletes are first marked in a temporary
 * table, so that counting and deleting see the same set. */
static vg_status delete_marked(vg_store_conn *c, const char *mark_sql, int64_t arg, int *subjects,
                               int *templates, int *photos, vg_err *err)
{
    vg_status s = exec(c,
                       "CREATE TEMP TABLE IF NOT EXISTS retention_mark (id INTEGER PRIMARY KEY);"
                       "DELETE FROM temp.retention_mark;",
                       "marking subjects", err);
    if (s == VG_OK)
        s = run_count(c, mark_sql, arg, 0, 0, subjects, "marking subjects", err);
    int64_t nt = 0, np = 0;
    if (s == VG_OK)
        s = query_int(c,
                      "SELECT count(*) FROM template WHERE subject_id IN "
                      "(SELECT id FROM temp.retention_mark)",
                      0, &nt, "counting templates", err);
    if (s == VG_OK)
        s = query_int(c,
                      "SELECT count(*) FROM photo WHERE subject_id IN "
                      "(SELECT id FROM temp.retention_mark)",
                      0, &np, "counting photos", err);
    if (s == VG_OK)
        s = run_count(c, "DELETE FROM subject WHERE id IN (SELECT id FROM temp.retention_mark)", 0,
                      0, 0, NULL, "deleting subjects", err);
    if (s == VG_OK)
        s = exec(c, "DELETE FROM temp.retention_mark", "unmarking subjects", err);
    if (s == VG_OK) {
        *templates = (int)nt;
        *photos = (int)np;
    }
    return s;
}

static vg_status sq_retention_subjects(vg_store_conn *c, int64_t now, int *subjects,
                                       int *templates, int *photos, vg_err *err)
{
    return delete_marked(c,
                         "INSERT INTO temp.retention_mark (id) SELECT s.id FROM subject s "
                         "JOIN watchlist w ON w.id = s.watchlist_id WHERE "
                         "(s.expires_at <> 0 AND s.expires_at <= ?1) OR "
                         "(s.expires_at = 0 AND w.expires_at <> 0 AND w.expires_at <= ?1)",
                         now, subjects, templates, photos, err);
}

#define ENDED_LISTS                                                                            \
    "SELECT w.id FROM watchlist w WHERE "                                                      \
    "EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id) AND "                     \
    "NOT EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id AND d.ended_at = 0)"

static vg_status sq_retention_ended_lists(vg_store_conn *c, int *lists, int *subjects,
                                          int *templates, int *photos, vg_err *err)
{
    int64_t nl = 0;
    vg_status s = query_int(c,
                            "SELECT count(*) FROM (" ENDED_LISTS ") e WHERE EXISTS "
                            "(SELECT 1 FROM subject s WHERE s.watchlist_id = e.id)",
                            0, &nl, "counting ended watch lists", err);
    if (s == VG_OK)
        s = delete_marked(c,
                          "INSERT INTO temp.retention_mark (id) SELECT s.id FROM subject s "
                          "WHERE s.watchlist_id IN (" ENDED_LISTS ")",
                          0, subjects, templates, photos, err);
    if (s == VG_OK)
        *lists = (int)nl;
    return s;
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
    if ((s = prepare(c, "PRAGMA wal_checkpoint(TRUNCATE)", &st, err)) != VG_OK)
        return s;
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

/* ---- counters ---- */

static vg_status sq_counters_add(vg_store_conn *c, int64_t deployment_id, const char *camera,
                                 const vg_counters *v, int64_t now, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(
        c,
        "INSERT INTO counters (deployment_id, camera, frames_in, frames_processed, "
        "frames_dropped, faces, tracks, embeddings, comparisons, alerts, reconnects, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
        "ON CONFLICT (deployment_id, camera) DO UPDATE SET "
        "frames_in = frames_in + excluded.frames_in, "
        "frames_processed = frames_processed + excluded.frames_processed, "
        "frames_dropped = frames_dropped + excluded.frames_dropped, "
        "faces = faces + excluded.faces, tracks = tracks + excluded.tracks, "
        "embeddings = embeddings + excluded.embeddings, "
        "comparisons = comparisons + excluded.comparisons, alerts = alerts + excluded.alerts, "
        "reconnects = reconnects + excluded.reconnects, updated_at = excluded.updated_at",
        &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, deployment_id);
    bind_text(st, 2, camera);
    const int64_t vals[] = {v->frames_in,  v->frames_processed, v->frames_dropped,
                            v->faces,      v->tracks,           v->embeddings,
                            v->comparisons, v->alerts,          v->reconnects};
    for (int i = 0; i < 9; i++)
        sqlite3_bind_int64(st, 3 + i, vals[i]);
    sqlite3_bind_int64(st, 12, now);
    if (sqlite3_step(st) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
            s = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                           (long long)deployment_id);
        else
            s = db_fail(c, err, "adding to counters");
    }
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_counters_get(vg_store_conn *c, int64_t deployment_id, const char *camera,
                                 vg_counters *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t exists = 0;
    vg_status s = query_int(c, "SELECT count(*) FROM deployment WHERE id = ?1", deployment_id,
                            &exists, "reading a deployment", err);
    if (s != VG_OK)
        return s;
    if (!exists)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                          (long long)deployment_id);
    sqlite3_stmt *st;
#define SUMS                                                                                   \
    "SELECT coalesce(sum(frames_in), 0), coalesce(sum(frames_processed), 0), "              \
    "coalesce(sum(frames_dropped), 0), coalesce(sum(faces), 0), coalesce(sum(tracks), 0), "  \
    "coalesce(sum(embeddings), 0), coalesce(sum(comparisons), 0), "                          \
    "coalesce(sum(alerts), 0), coalesce(sum(reconnects), 0) "                                \
    "FROM counters WHERE deployment_id = ?1"
    s = prepare(c, camera ? SUMS " AND camera = ?2" : SUMS, &st, err);
#undef SUMS
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, deployment_id);
    if (camera)
        bind_text(st, 2, camera);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t *f[] = {&out->frames_in,  &out->frames_processed, &out->frames_dropped,
                        &out->faces,      &out->tracks,           &out->embeddings,
                        &out->comparisons, &out->alerts,          &out->reconnects};
        for (int i = 0; i < 9; i++)
            *f[i] = sqlite3_column_int64(st, i);
    } else {
        s = db_fail(c, err, "reading counters");
    }
    sqlite3_finalize(st);
    return s;
}

/* ---- audit ---- */

static vg_status sq_audit_tail(vg_store_conn *c, int64_t *seq, char hash[65], vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &st, err);
    if (s != VG_OK)
        return s;
    *seq = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        col_text(st, 1, hash, 65);
    } else if (rc != SQLITE_DONE) {
        s = db_fail(c, err, "reading the audit chain");
    }
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_audit_insert(vg_store_conn *c, const vg_audit_entry *e, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO audit (seq, time, actor, action, object, details, "
                          "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_int64(st, 2, e->time);
    bind_text(st, 3, e->actor);
    bind_text(st, 4, e->action);
    bind_text(st, 5, e->object);
    bind_text(st, 6, e->details);
    bind_text(st, 7, e->prev_hash);
    bind_text(st, 8, e->hash);
    return run(c, st, "appending to the audit chain", err);
}

static const char *text_of(sqlite3_stmt *st, int i, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    *len = t ? (size_t)sqlite3_column_bytes(st, i) : 0;
    return t ? (const char *)t : "";
}

static vg_status sq_audit_each(vg_store_conn *c, int64_t since, vg_store_audit_fn fn, void *ctx,
                               vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "SELECT seq, time, actor, action, object, details, prev_hash, hash "
                          "FROM audit WHERE time >= ?1 ORDER BY seq",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, since);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vg_store_audit_row r;
        r.seq = sqlite3_column_int64(st, 0);
        r.time = sqlite3_column_int64(st, 1);
        r.actor = text_of(st, 2, &r.actor_len);
        r.action = text_of(st, 3, &r.action_len);
        r.object = text_of(st, 4, &r.object_len);
        r.details = text_of(st, 5, &r.details_len);
        r.prev_hash = text_of(st, 6, &r.prev_hash_len);
        r.hash = text_of(st, 7, &r.hash_len);
        if ((s = fn(ctx, &r, err)) != VG_OK)
            break;
    }
    if (s == VG_OK && rc != SQLITE_DONE)
        s = db_fail(c, err, "reading the audit chain");
    sqlite3_finalize(st);
    return s;
}

/* ---- adjudication and the transparency report ---- */

static vg_status sq_alert_state(vg_store_conn *c, int64_t id, char state[16],
                                char by[VG_STORE_ACTOR_MAX + 1], int64_t *at, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT state, adjudicated_by, adjudicated_at FROM alert WHERE id = ?1",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col_text(st, 0, state, 16);
        col_text(st, 1, by, VG_STORE_ACTOR_MAX + 1);
        *at = sqlite3_column_int64(st, 2);
    } else if (rc == SQLITE_DONE) {
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    } else {
        s = db_fail(c, err, "reading an alert's state");
    }
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_alert_adjudicate(vg_store_conn *c, int64_t id, const char *outcome,
                                     const char *by, int64_t at, const char *note, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "UPDATE alert SET state = ?2, outcome = ?2, adjudicated_by = ?3, "
                          "adjudicated_at = ?4, note = ?5 WHERE id = ?1 AND state = 'pending'",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, outcome);
    bind_text(st, 3, by);
    sqlite3_bind_int64(st, 4, at);
    bind_text(st, 5, note);
    if ((s = run(c, st, "adjudicating an alert", err)) != VG_OK)
        return s;
    if (sqlite3_changes(c->db) == 0)
        return vg_err_set(err, VG_ERR_INVALID, "alert %lld is not pending", (long long)id);
    return VG_OK;
}

static vg_status sq_alert_counts(vg_store_conn *c, int64_t deployment_id, int64_t counts[5],
                                 vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "SELECT count(*), coalesce(sum(state = 'confirmed'), 0), "
                          "coalesce(sum(state = 'rejected'), 0), coalesce(sum(state = 'no_action'), 0), "
                          "coalesce(sum(state = 'pending'), 0) FROM alert WHERE deployment_id = ?1",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, deployment_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 5; i++)
            counts[i] = sqlite3_column_int64(st, i);
    else
        s = db_fail(c, err, "counting alerts");
    sqlite3_finalize(st);
    if (s != VG_OK)
        return s;
    /* and those retention has deleted, kept as counts */
    s = prepare(c,
                "SELECT alerts, confirmed, rejected, no_action, pending FROM alert_tally "
                "WHERE deployment_id = ?1",
                &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, deployment_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        for (int i = 0; i < 5; i++)
            counts[i] += sqlite3_column_int64(st, i);
    else if (rc != SQLITE_DONE)
        s = db_fail(c, err, "counting deleted alerts");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_watchlist_model(vg_store_conn *c, int64_t watchlist_id, char *out, size_t cap,
                                    vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "SELECT t.model_id FROM template t JOIN subject s ON s.id = t.subject_id "
                          "WHERE s.watchlist_id = ?1 GROUP BY t.model_id "
                          "ORDER BY count(*) DESC, t.model_id LIMIT 1",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, watchlist_id);
    out[0] = '\0';
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        col_text(st, 0, out, cap);
    else if (rc != SQLITE_DONE)
        s = db_fail(c, err, "reading a watch list's model");
    sqlite3_finalize(st);
    return s;
}

/* ---- users ---- */

static vg_status sq_user_insert(vg_store_conn *c, const char *name, const char *role,
                                const char *pwhash, int64_t created_at, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO user (name, role, pwhash, created_at) VALUES (?1, ?2, ?3, ?4)",
                          &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, name);
    bind_text(st, 2, role);
    bind_text(st, 3, pwhash);
    sqlite3_bind_int64(st, 4, created_at);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
            s = vg_err_set(err, VG_ERR_INVALID, "a user named \"%s\" already exists", name);
        else
            s = db_fail(c, err, "adding a user");
    }
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_user_find(vg_store_conn *c, const char *name, char role[16], char *pwhash,
                              size_t cap, int *disabled, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT role, pwhash, disabled FROM user WHERE name = ?1", &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        col_text(st, 0, role, 16);
        col_text(st, 1, pwhash, cap);
        *disabled = sqlite3_column_int(st, 2);
    } else if (rc == SQLITE_DONE) {
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no user named \"%s\"", name);
    } else {
        s = db_fail(c, err, "reading a user");
    }
    sqlite3_finalize(st);
    return s;
}

static vg_status read_user(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_user *u = elem;
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, u->name, sizeof u->name);
    col_text(st, 2, u->role, sizeof u->role);
    u->created_at = sqlite3_column_int64(st, 3);
    u->disabled = sqlite3_column_int(st, 4);
    return VG_OK;
}

static vg_status sq_user_list(vg_store_conn *c, vg_user **out, int *n, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT id, name, role, created_at, disabled FROM user ORDER BY id",
                          &st, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_user), read_user, NULL, "listing users", &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- API tokens ---- */

static vg_status sq_token_insert(vg_store_conn *c, const char *name, const char *role, const char *hash,
                                 const char *created_by, int64_t created_at, int64_t *id, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          "INSERT INTO api_token (name, role, hash, created_by, created_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5)",
                          &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, name);
    bind_text(st, 2, role);
    bind_text(st, 3, hash);
    bind_text(st, 4, created_by);
    sqlite3_bind_int64(st, 5, created_at);
    if (sqlite3_step(st) != SQLITE_DONE) {
        if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
            s = vg_err_set(err, VG_ERR_INVALID, "a valid API token named \"%s\" already exists", name);
        else
            s = db_fail(c, err, "adding an API token");
    } else {
        *id = sqlite3_last_insert_rowid(c->db);
    }
    sqlite3_finalize(st);
    return s;
}

#define TOKEN_COLS "id, name, role, created_by, created_at, revoked_at, revoked_by"

static vg_status read_token(void *ctx, sqlite3_stmt *st, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_token *t = elem;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    col_text(st, 1, t->name, sizeof t->name);
    col_text(st, 2, t->role, sizeof t->role);
    col_text(st, 3, t->created_by, sizeof t->created_by);
    t->created_at = sqlite3_column_int64(st, 4);
    t->revoked_at = sqlite3_column_int64(st, 5);
    col_text(st, 6, t->revoked_by, sizeof t->revoked_by);
    return VG_OK;
}

/* One token row from a prepared statement whose parameters are bound. */
static vg_status one_token(vg_store_conn *c, sqlite3_stmt *st, vg_token *out, const char *what, vg_err *err)
{
    vg_status s = VG_OK;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_token(NULL, st, out, err);
    else if (rc == SQLITE_DONE)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no such API token (%s)", what);
    else
        s = db_fail(c, err, "reading an API token");
    sqlite3_finalize(st);
    return s;
}

static vg_status sq_token_find(vg_store_conn *c, const char *hash, vg_token *out, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT " TOKEN_COLS " FROM api_token WHERE hash = ?1", &st, err);
    if (s != VG_OK)
        return s;
    bind_text(st, 1, hash);
    return one_token(c, st, out, "by hash", err);
}

static vg_status sq_token_get(vg_store_conn *c, int64_t id, const char *name, vg_token *out, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c,
                          name ? "SELECT " TOKEN_COLS " FROM api_token WHERE name = ?1 AND revoked_at = 0"
                               : "SELECT " TOKEN_COLS " FROM api_token WHERE id = ?1",
                          &st, err);
    if (s != VG_OK)
        return s;
    if (name)
        bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    return one_token(c, st, out, name ? name : "id", err);
}

static vg_status sq_token_list(vg_store_conn *c, vg_token **out, int *n, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT " TOKEN_COLS " FROM api_token ORDER BY id", &st, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, st, sizeof(vg_token), read_token, NULL, "listing API tokens", &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status sq_token_revoke(vg_store_conn *c, int64_t id, const char *by, int64_t at, vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "UPDATE api_token SET revoked_at = ?2, revoked_by = ?3 WHERE id = ?1 AND revoked_at = 0",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    bind_text(st, 3, by);
    if (sqlite3_step(st) != SQLITE_DONE)
        s = db_fail(c, err, "revoking an API token");
    else if (sqlite3_changes(c->db) != 1)
        s = vg_err_set(err, VG_ERR_INVALID, "API token %lld is unknown or already revoked", (long long)id);
    sqlite3_finalize(st);
    return s;
}

/* ---- issue 13: quarantined subjects (a block of its own, for the port
 * onto the shared query layer) ---- */

static vg_status sq_subject_quarantine_set(vg_store_conn *c, int64_t id, int64_t at, const char *reason,
                                           vg_err *err)
{
    sqlite3_stmt *st;
    vg_status s = prepare(c, "UPDATE subject SET quarantined_at = ?2, quarantine_reason = ?3 WHERE id = ?1", &st,
                          err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    bind_text(st, 3, reason);
    if ((s = run(c, st, "quarantining a subject", err)) != VG_OK)
        return s;
    if (sqlite3_changes(c->db) == 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return VG_OK;
}

static vg_status sq_subject_quarantined(vg_store_conn *c, int64_t watchlist_id, int64_t **ids, int *n,
                                        vg_err *err)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    vg_status s = prepare(c, "SELECT id FROM subject WHERE watchlist_id = ?1 AND quarantined_at <> 0 ORDER BY id",
                          &st, err);
    if (s != VG_OK)
        return s;
    sqlite3_bind_int64(st, 1, watchlist_id);
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            int64_t *grown = realloc(*ids, (size_t)cap * sizeof *grown);
            if (!grown) {
                s = vg_err_set(err, VG_ERR_NOMEM, "out of memory listing quarantined subjects");
                break;
            }
            *ids = grown;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    if (s == VG_OK && rc != SQLITE_DONE)
        s = db_fail(c, err, "listing quarantined subjects");
    sqlite3_finalize(st);
    if (s != VG_OK) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
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
    .schema_version = sq_schema_version,
    .migrate = sq_migrate,
    .exec_outside = sq_exec_outside,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .watchlist_insert = sq_watchlist_insert,
    .watchlist_find = sq_watchlist_find,
    .watchlist_list = sq_watchlist_list,
    .watchlist_purge = sq_watchlist_purge,
    .subject_insert = sq_subject_insert,
    .subject_get = sq_subject_get,
    .subject_list = sq_subject_list,
    .subject_delete = sq_subject_delete,
    .template_insert = sq_template_insert,
    .templates_each = sq_templates_each,
    .photo_insert = sq_photo_insert,
    .photo_get = sq_photo_get,
    .templates_delete = sq_templates_delete,
    .deployment_insert = sq_deployment_insert,
    .deployment_find = sq_deployment_find,
    .deployment_list = sq_deployment_list,
    .deployment_end = sq_deployment_end,
    .alert_find_uid = sq_alert_find_uid,
    .alert_insert = sq_alert_insert,
    .alert_get = sq_alert_get,
    .alert_list = sq_alert_list,
    .alert_held = sq_alert_held,
    .alert_hold_set = sq_alert_hold_set,
    .retention_alerts = sq_retention_alerts,
    .retention_subjects = sq_retention_subjects,
    .retention_ended_lists = sq_retention_ended_lists,
    .reclaim = sq_reclaim,
    .counters_add = sq_counters_add,
    .counters_get = sq_counters_get,
    .audit_tail = sq_audit_tail,
    .audit_insert = sq_audit_insert,
    .audit_each = sq_audit_each,
    .alert_state = sq_alert_state,
    .alert_adjudicate = sq_alert_adjudicate,
    .alert_counts = sq_alert_counts,
    .watchlist_model = sq_watchlist_model,
    .user_insert = sq_user_insert,
    .user_find = sq_user_find,
    .user_list = sq_user_list,
    .token_insert = sq_token_insert,
    .token_find = sq_token_find,
    .token_get = sq_token_get,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .alert_query = sq_alert_query,
    .subject_quarantine_set = sq_subject_quarantine_set,
    .subject_quarantined = sq_subject_quarantined,
};
