/* backend.h — the interface between the store and a database backend: the
 * primitives a SQL client gives, and nothing of vigil's tables.
 *
 * A backend (a dialect: sqlite.c, postgres.c) is a const table of function
 * pointers: a connection, transactions that exclude other writers,
 * statements (prepare, bind, step, column), errors sorted into the classes
 * the store acts on, the id of an inserted row, the schema version's
 * catalog query, reclaiming space, and change notifications. Every query
 * of vigil's tables is written once, in the entity file named for what it
 * stores (watchlist.c, subject.c, alert.c, ...), over sql.h. Validation,
 * encryption, the audit hash and every policy live above even that.
 * Backends are registered in backend.c and chosen by the database path
 * (vg_store_backend_find); callers never name one.
 *
 * Conventions:
 *  - conn is the backend's own connection, used by one thread at a time;
 *  - SQL is written with ?1, ?2 ... placeholders; a dialect that numbers
 *    them otherwise translates them in prepare();
 *  - begin() opens a write transaction that excludes other writers (on
 *    every node: PostgreSQL takes an advisory lock) until commit() or
 *    rollback(); all writes happen inside one, and so does every read whose
 *    result an audit entry describes.
 */
#ifndef VG_STORE_BACKEND_H
#define VG_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/store.h"

typedef struct vg_store_conn vg_store_conn;

/* The SQL dialects migrations are written in (see migrations.c). */
typedef enum vg_store_dialect {
    VG_DIALECT_SQLITE = 0,
    VG_DIALECT_POSTGRES,
    VG_DIALECT_COUNT
} vg_store_dialect;

typedef struct vg_store_stmt vg_store_stmt;

/* What a failed statement ran into, for the entity files to say it in
 * their words ("a watch list named ... already exists"). */
typedef enum vg_sql_error {
    VG_SQL_OK = 0,
    VG_SQL_OTHER,
    VG_SQL_UNIQUE,      /* a unique constraint */
    VG_SQL_FOREIGN_KEY, /* a foreign key */
    VG_SQL_BUSY,        /* another writer kept the lock */
    VG_SQL_LOST,        /* the connection to the server is gone */
    VG_SQL_FULL         /* the disk is full (SQLite says so) */
} vg_sql_error;

/* prepare() flags: an INSERT whose new id last_id() reads after the step
 * (RETURNING id on PostgreSQL, last_insert_rowid on SQLite); a query that
 * reads sealed bytes (PostgreSQL then fetches its rows in the binary
 * format, bytea as it is, instead of hex text to decode). */
#define VG_SQL_RETURNING_ID 1
#define VG_SQL_READS_BYTES 2

typedef struct vg_store_backend {
    const char *name;
    /* True when this backend handles the path (e.g. a URL scheme). */
    int (*claims)(const char *path);
    vg_store_dialect dialect;
    /* 1: the database is a local file, and its key file defaults to
     * PATH.key beside it; 0 (a server): the key file must be named. */
    int local_file;
    /* NULL when the backend is not built in: opening is then refused. */
    vg_status (*open)(const char *path, vg_store_conn **out, vg_err *err);
    void (*close)(vg_store_conn *c);

    vg_status (*begin)(vg_store_conn *c, vg_err *err);
    vg_status (*commit)(vg_store_conn *c, vg_err *err);
    void (*rollback)(vg_store_conn *c);

    /* ---- statements ---- */
    vg_status (*prepare)(vg_store_conn *c, const char *sql, int flags, vg_store_stmt **out,
                         vg_err *err);
    void (*finalize)(vg_store_stmt *st);
    /* Parameters from 1; text, blobs must outlive the step. */
    void (*bind_i64)(vg_store_stmt *st, int i, int64_t v);
    void (*bind_f64)(vg_store_stmt *st, int i, double v);
    void (*bind_text)(vg_store_stmt *st, int i, const char *v);
    void (*bind_blob)(vg_store_stmt *st, int i, const uint8_t *v, size_t len);
    void (*bind_null)(vg_store_stmt *st, int i);
    /* *row 1: a row to read; 0: done. On failure *fail says its class and
     * err names `what`. */
    vg_status (*step)(vg_store_stmt *st, const char *what, int *row, vg_sql_error *fail,
                      vg_err *err);
    /* Before the first step again; bindings stay until replaced. */
    void (*reset)(vg_store_stmt *st);
    /* Columns from 0: NULL reads as 0 or "" (len 0); text and bytes stay
     * valid until the next step. */
    int64_t (*col_i64)(vg_store_stmt *st, int i);
    double (*col_f64)(vg_store_stmt *st, int i);
    int (*col_null)(vg_store_stmt *st, int i);
    const char *(*col_text)(vg_store_stmt *st, int i, size_t *len);
    const uint8_t *(*col_blob)(vg_store_stmt *st, int i, size_t *len);
    /* Rows the last step changed; the id VG_SQL_RETURNING_ID asked for. */
    int64_t (*changes)(vg_store_stmt *st);
    int64_t (*last_id)(vg_store_stmt *st);
    /* Fixed SQL text, possibly several statements (migrations). */
    vg_status (*exec)(vg_store_conn *c, const char *sql, const char *what, vg_err *err);

    /* ---- schema and upkeep ---- */
    /* Highest applied migration; 0 for an empty database. A database that
     * holds other tables but no schema_version is VG_ERR_INVALID. */
    vg_status (*schema_version)(vg_store_conn *c, int *version, vg_err *err);
    /* Runs a migration's step that cannot run in a transaction (such as
     * SQLite's VACUUM), outside any transaction. */
    vg_status (*exec_outside)(vg_store_conn *c, const char *sql, vg_err *err);
    /* Outside any transaction: releases the space retention freed; *done 0
     * when another connection kept it from being released. */
    vg_status (*reclaim)(vg_store_conn *c, int *done, vg_err *err);

    /* ---- change notifications; NULL in a backend without them (SQLite:
     * one machine, nothing to tell) ---- */
    /* Inside begin(): tells every listener, once this transaction commits,
     * that `channel` (VG_STORE_CHANNEL_*) changed for id. */
    vg_status (*notify)(vg_store_conn *c, const char *channel, int64_t id, vg_err *err);
    /* Opens a connection of its own that listens on every channel. */
    vg_status (*listen_open)(const char *path, vg_store_conn **out, vg_err *err);
    /* Waits up to timeout_ms for notifications on a listen_open connection;
     * *n (up to max) of them in out, 0 when the time ran out. A lost
     * connection is VG_ERR_IO (close it and open another). */
    vg_status (*listen_wait)(vg_store_conn *c, int timeout_ms, vg_store_change *out, int max,
                             int *n, vg_err *err);
} vg_store_backend;

#define VG_STORE_CHANNEL_WATCHLIST "vigil_watchlist"
#define VG_STORE_CHANNEL_ALERT "vigil_alert"

/* The backend for a path: the first in the table that claims it. */
const vg_store_backend *vg_store_backend_find(const char *path);

extern const vg_store_backend vg_store_backend_sqlite;
extern const vg_store_backend vg_store_backend_postgresql;

#endif
