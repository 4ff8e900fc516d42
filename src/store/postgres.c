/* postgres.c — the PostgreSQL backend of the store (backend.h), with libpq:
 * one database shared by several vigil nodes, chosen by a
 * "postgresql://" or "postgres://" URL.
 *
 * Write transactions: begin() is BEGIN followed by a transaction-level
 * advisory lock (pg_advisory_xact_lock on one fixed key), so that writers
 * exclude each other like SQLite's BEGIN IMMEDIATE, on every node: the audit
 * chain's read-the-tail-then-append stays linear across nodes, and the
 * lock goes away with the transaction (commit, rollback, or a connection
 * that dies). Reads outside a transaction do not take it. A wait for the
 * lock is bounded by lock_timeout (10 s), like SQLite's busy timeout.
 *
 * Migrations: each runs inside begin(), so under the lock, after
 * migrations.c has read the schema version again inside that transaction:
 * a migration another node applied meanwhile is not run twice, however many
 * nodes open an empty database together. That read goes to the catalog
 * with the statement's snapshot (HAS_SCHEMA_VERSION).
 *
 * Values: every value from a caller is a parameter of PQexecParams (text for
 * numbers and text, binary for sealed bytes, stored as bytea); no SQL is
 * built from caller text. Results come as text, except for the queries that
 * read bytea, which ask for binary results and decode each column by its
 * size (read_i64, read_f64).
 *
 * Errors never show the URL's password: messages name the database as
 * "postgresql://user@host:port/dbname", built from the parsed URL. An
 * unreachable server is VG_ERR_IO naming host and port. A connection lost
 * between transactions is reset by the next begin().
 *
 * reclaim: a plain VACUUM of the tables retention deletes from (outside a
 * transaction): it marks the space of deleted rows reusable without the
 * exclusive lock of VACUUM FULL, so the other nodes keep writing. Unlike
 * SQLite's secure_delete, PostgreSQL does not zero freed space; the images
 * in it are sealed (seal.c), so what lingers is ciphertext.
 */
#include "store/backend.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/redact.h"

/* the advisory lock keys: writers, and ("vigil" in ASCII) nothing else */
#define WRITE_LOCK_KEY "7598814758321"
#define LOCK_TIMEOUT "10s"
#define CONNECT_TIMEOUT "10"
#define MAX_PARAMS 16

struct vg_store_conn {
    PGconn *pg;
    int in_tx; /* between a successful begin() and commit()/rollback() */
    char where[512]; /* postgresql://user@host:port/dbname, no password */
    char host[256], port[32];
};

/* ---- parameters ---- */

typedef struct params {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    char num[MAX_PARAMS][32];
} params;

static void p_text(params *p, const char *s)
{
    p->v[p->n] = s ? s : "";
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

static void p_i64(params *p, int64_t x)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)x);
    p_text(p, p->num[p->n]);
}

static void p_f64(params *p, double x)
{
    snprintf(p->num[p->n], sizeof p->num[0], "%.17g", x);
    p_text(p, p->num[p->n]);
}

static void p_null(params *p)
{
    p->v[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

/* Sealed bytes: a binary parameter (bytea), never escaped text. */
static void p_blob(params *p, const uint8_t *b, size_t n)
{
    static const char empty[1] = {0};
    p->v[p->n] = n ? (const char *)b : empty;
    p->len[p->n] = (int)n;
    p->fmt[p->n] = 1;
    p->n++;
}

/* ---- errors and statements ---- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    for (char *q = s; *q; q++)
        if (*q == '\n' || *q == '\t')
            *q = ' ';
}

static vg_status pq_fail(vg_store_conn *c, PGresult *r, const char *what, vg_err *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    char msg[300];
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    snprintf(msg, sizeof msg, "%s", m ? m : PQerrorMessage(c->pg));
    trim(msg);
    if (PQstatus(c->pg) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) ||
                                                       !strncmp(state, "57P", 3))))
        return vg_err_set(err, VG_ERR_IO,
                          "database %s: %s: lost the connection to PostgreSQL at %s port %s: %s "
                          "(nothing of this transaction was kept)",
                          c->where, what, c->host, c->port, msg);
    vg_status st = VG_ERR_INTERNAL;
    const char *hint = "";
    if (state && !strcmp(state, "55P03")) {
        st = VG_ERR_IO;
        hint = " (another node kept the store locked for " LOCK_TIMEOUT ")";
    } else if (state && !strcmp(state, "53100")) { /* disk_full */
        st = VG_ERR_FULL;
    } else if (state && (!strncmp(state, "53", 2) || !strncmp(state, "40", 2) ||
                         !strncmp(state, "58", 2))) {
        st = VG_ERR_IO;
    } else if (state && (!strncmp(state, "23", 2) || !strncmp(state, "22", 2))) {
        st = VG_ERR_INVALID;
    }
    return vg_err_set(err, st, "database %s: %s: %s%s", c->where, what, msg, hint);
}

static vg_status setup(vg_store_conn *c, vg_err *err);

/* Outside a transaction, a connection found lost (a restarted server) is
 * made again: a statement there stands alone, so running it on the new
 * connection repeats nothing. Inside one it is not: the transaction is
 * gone, and its next statements must fail, not run on their own. */
static int reconnect_idle(vg_store_conn *c)
{
    if (c->in_tx)
        return 0;
    PQreset(c->pg);
    vg_err e;
    return PQstatus(c->pg) == CONNECTION_OK && setup(c, &e) == VG_OK;
}

/* Runs sql with p (NULL: none); binary asks for binary results. On VG_OK
 * *out (when not NULL) holds the result, to PQclear. */
static vg_status q(vg_store_conn *c, const char *sql, const params *p, int binary,
                   const char *what, PGresult **out, vg_err *err)
{
    if (out)
        *out = NULL;
    if (PQstatus(c->pg) != CONNECTION_OK)
        reconnect_idle(c);
    PGresult *r = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL,
                               p ? p->len : NULL, p ? p->fmt : NULL, binary);
    if (!c->in_tx && PQstatus(c->pg) != CONNECTION_OK && reconnect_idle(c)) {
        PQclear(r); /* lost while idle: once more on the new connection */
        r = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
                         p ? p->fmt : NULL, binary);
    }
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (!r && PQstatus(c->pg) == CONNECTION_OK) {
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory %s", c->where, what);
    }
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
        vg_status st = pq_fail(c, r, what, err);
        PQclear(r);
        return st;
    }
    if (out)
        *out = r;
    else
        PQclear(r);
    return VG_OK;
}

/* Runs a statement and returns the count of rows it changed. */
static vg_status q_changes(vg_store_conn *c, const char *sql, const params *p, const char *what,
                           int64_t *changes, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, sql, p, 0, what, &r, err);
    if (s != VG_OK)
        return s;
    *changes = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return VG_OK;
}

/* Runs fixed SQL text, possibly several statements (migrations). */
static vg_status q_script(vg_store_conn *c, const char *sql, const char *what, vg_err *err)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    vg_status s = VG_OK;
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK)
        s = pq_fail(c, r, what, err);
    PQclear(r);
    return s;
}

/* Integers of either result format: text, or big-endian int2/int4/int8. */
static int64_t read_i64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const char *v = PQgetvalue(r, row, col);
    if (PQfformat(r, col) == 0) {
        if (v[0] == 't' || v[0] == 'f') /* a boolean */
            return v[0] == 't';
        return strtoll(v, NULL, 10);
    }
    int n = PQgetlength(r, row, col);
    uint64_t x = 0;
    for (int i = 0; i < n && i < 8; i++)
        x = x << 8 | (uint8_t)v[i];
    if (n == 4)
        return (int32_t)(uint32_t)x;
    if (n == 2)
        return (int16_t)(uint16_t)x;
    if (n == 1)
        return (int64_t)x;
    return (int64_t)x;
}

static double read_f64(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const char *v = PQgetvalue(r, row, col);
    if (PQfformat(r, col) == 0)
        return strtod(v, NULL);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x = x << 8 | (uint8_t)v[i];
    double d;
    memcpy(&d, &x, sizeof d);
    return d;
}

static void read_text(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    const char *v = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* A copy of a bytea column of a binary result. */
static vg_status read_blob(vg_store_conn *c, const PGresult *r, int row, int col, uint8_t **out,
                           size_t *len, vg_err *err)
{
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory reading %zu bytes",
                          c->where, n);
    if (n)
        memcpy(copy, PQgetvalue(r, row, col), n);
    *out = copy;
    *len = n;
    return VG_OK;
}

/* One integer from a query that returns one row. */
static vg_status q_int(vg_store_conn *c, const char *sql, const params *p, int64_t *out,
                       const char *what, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, sql, p, 0, what, &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) < 1)
        s = vg_err_set(err, VG_ERR_INTERNAL, "database %s: %s: no row", c->where, what);
    else
        *out = read_i64(r, 0, 0);
    PQclear(r);
    return s;
}

/* Reads row `row` of r into elem. */
typedef vg_status (*row_reader)(void *ctx, const PGresult *r, int row, void *elem, vg_err *err);

/* Reads every row of r into a malloc'd array (NULL when none). */
static vg_status collect_rows(vg_store_conn *c, PGresult *r, size_t elem_size, row_reader read,
                              void *ctx, void **out, int *n, vg_err *err)
{
    int count = PQntuples(r);
    char *v = NULL;
    vg_status s = VG_OK;
    if (count > 0) {
        v = calloc((size_t)count, elem_size);
        if (!v)
            s = vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory listing %d rows",
                           c->where, count);
    }
    for (int i = 0; s == VG_OK && i < count; i++)
        s = read(ctx, r, i, v + (size_t)i * elem_size, err);
    PQclear(r);
    if (s != VG_OK) {
        free(v);
        return s;
    }
    *out = v;
    *n = count;
    return VG_OK;
}

/* SQLSTATE of a failure, to tell a duplicate name from other errors: q()
 * keeps no result, so statements that can violate a unique constraint run
 * through this. */
static vg_status q_unique(vg_store_conn *c, const char *sql, const params *p, const char *what,
                          int *duplicate, PGresult **out, vg_err *err)
{
    *duplicate = 0;
    *out = NULL;
    PGresult *r = PQexecParams(c->pg, sql, p->n, NULL, p->v, p->len, p->fmt, 0);
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK) {
        *out = r;
        return VG_OK;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && !strcmp(state, "23505")) {
        *duplicate = 1;
        PQclear(r);
        return VG_ERR_INVALID;
    }
    vg_status s = pq_fail(c, r, what, err);
    PQclear(r);
    return s;
}

/* ---- connection ---- */

static int pg_claims(const char *path)
{
    return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

static void pg_close(vg_store_conn *c)
{
    if (!c)
        return;
    PQfinish(c->pg);
    free(c);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (such as "already exists, skipping") are not errors */
}

/* c->where, host and port from the parsed URL: never its password. */
static vg_status describe(vg_store_conn *c, const char *path, vg_err *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(path, &msg);
    if (!opts) {
        char red[512];
        vg_store_url_redact(path, red, sizeof red);
        vg_status s = vg_err_set(err, msg ? VG_ERR_INVALID : VG_ERR_NOMEM,
                                 "%s is not a valid PostgreSQL URL: %s", red,
                                 msg ? msg : "out of memory");
        if (msg) {
            trim(msg);
            PQfreemem(msg);
        }
        return s;
    }
    const char *user = "", *db = "", *host = NULL, *hostaddr = NULL;
    snprintf(c->port, sizeof c->port, "5432");
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (!strcmp(o->keyword, "host"))
            host = o->val;
        else if (!strcmp(o->keyword, "hostaddr"))
            hostaddr = o->val;
        else if (!strcmp(o->keyword, "port"))
            snprintf(c->port, sizeof c->port, "%s", o->val);
        else if (!strcmp(o->keyword, "user"))
            user = o->val;
        else if (!strcmp(o->keyword, "dbname"))
            db = o->val;
    }
    snprintf(c->host, sizeof c->host, "%s", host ? host : hostaddr ? hostaddr : "localhost");
    snprintf(c->where, sizeof c->where, "postgresql://%s%s%s:%s/%s", user, *user ? "@" : "",
             c->host, c->port, *db ? db : user);
    PQconninfoFree(opts);
    return VG_OK;
}

static vg_status setup(vg_store_conn *c, vg_err *err)
{
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    return q_script(c,
                    "SET client_min_messages = warning; SET lock_timeout = '" LOCK_TIMEOUT "'; "
                    "SET TIME ZONE 'UTC'",
                    "setting up the connection", err);
}

static vg_status pg_open(const char *path, vg_store_conn **out, vg_err *err)
{
    *out = NULL;
    vg_store_conn *c = calloc(1, sizeof *c);
    if (!c)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening a PostgreSQL store");
    vg_status s = describe(c, path, err);
    if (s != VG_OK) {
        free(c);
        return s;
    }
    /* defaults the URL's own settings override (keepalives: a server that
     * vanished without closing the connection is noticed in about 25 s,
     * not hours); the encoding is ours */
    const char *keys[] = {"connect_timeout", "application_name", "keepalives_idle",
                          "keepalives_interval", "keepalives_count", "dbname",
                          "client_encoding", NULL};
    const char *vals[] = {CONNECT_TIMEOUT, "vigil", "10", "5", "3", path, "UTF8", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    if (!c->pg) {
        free(c);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory connecting to PostgreSQL");
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
        trim(msg);
        s = vg_err_set(err, VG_ERR_IO, "cannot connect to PostgreSQL at %s port %s (%s): %s",
                       c->host, c->port, c->where, msg);
        pg_close(c);
        return s;
    }
    if ((s = setup(c, err)) != VG_OK) {
        pg_close(c);
        return s;
    }
    *out = c;
    return VG_OK;
}

/* BEGIN, and the write lock. A connection that died since the last
 * transaction (a restarted server) is made again once: nothing was done in
 * this transaction yet, so nothing is lost or repeated. */
static vg_status pg_begin(vg_store_conn *c, vg_err *err)
{
    vg_status s;
    for (int attempt = 0;; attempt++) {
        if (PQstatus(c->pg) != CONNECTION_OK) {
            PQreset(c->pg);
            if (PQstatus(c->pg) != CONNECTION_OK) {
                char msg[400];
                snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
                trim(msg);
                return vg_err_set(err, VG_ERR_IO,
                                  "cannot reconnect to PostgreSQL at %s port %s (%s): %s", c->host,
                                  c->port, c->where, msg);
            }
            if ((s = setup(c, err)) != VG_OK)
                return s;
        }
        s = q_script(c, "BEGIN", "starting a transaction", err);
        if (s == VG_OK || PQstatus(c->pg) == CONNECTION_OK || attempt == 1)
            break;
    }
    if (s == VG_OK)
        s = q_script(c, "SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")",
                     "waiting for the store's write lock", err);
    if (s != VG_OK && PQstatus(c->pg) == CONNECTION_OK &&
        PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
    c->in_tx = s == VG_OK;
    return s;
}

static vg_status pg_commit(vg_store_conn *c, vg_err *err)
{
    c->in_tx = 0;
    if (PQtransactionStatus(c->pg) == PQTRANS_INERROR)
        return vg_err_set(err, VG_ERR_INTERNAL,
                          "database %s: committing a transaction in which a statement failed",
                          c->where);
    PGresult *r = PQexec(c->pg, "COMMIT");
    vg_status s = VG_OK;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        s = pq_fail(c, r, "committing", err);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
        s = vg_err_set(err, VG_ERR_IO, "database %s: committing: the server rolled back",
                       c->where);
    PQclear(r);
    return s;
}

static void pg_rollback(vg_store_conn *c)
{
    c->in_tx = 0;
    PGTransactionStatusType t = PQtransactionStatus(c->pg);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* ---- schema ---- */

/* Whether schema_version exists, read from the catalog with this
 * statement's snapshot: to_regclass() would consult this session's catalog
 * cache, which inside a transaction may not yet know of a table another
 * node committed while this one waited for the lock. */
/* 1 when schema_version exists; otherwise minus the number of tables
 * (0 for an empty schema). */
#define HAS_SCHEMA_VERSION                                                                     \
    "SELECT CASE WHEN count(*) FILTER (WHERE tablename = 'schema_version') > 0 THEN 1 "        \
    "ELSE -count(*) END FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"

static vg_status pg_schema_version(vg_store_conn *c, int *version, vg_err *err)
{
    *version = 0;
    int64_t has = 0, tables = 0, v = 0;
    /* One statement for both counts: with two, another node's first
     * migration could commit between them, and its tables would be seen
     * without the schema_version they came with ("not a vigil database"). */
    vg_status s = q_int(c, HAS_SCHEMA_VERSION, NULL, &has,
                        "reading the schema", err);
    if (s != VG_OK)
        return s;
    if (has < 0) {
        tables = -has;
        has = 0;
    }
    if (!has) {
        if (tables)
            s = vg_err_set(err, VG_ERR_INVALID,
                           "database %s holds tables but no vigil schema: not a vigil database",
                           c->where);
        return s;
    }
    s = q_int(c, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, &v,
              "reading the schema version", err);
    if (s == VG_OK)
        *version = v > 1000000 ? 1000000 : (int)v;
    return s;
}

static vg_status pg_migrate(vg_store_conn *c, const char *sql, int version, int64_t now,
                            vg_err *err)
{
    vg_status s = q_script(c, sql, "applying a migration", err);
    if (s != VG_OK)
        return s;
    params p = {0};
    p_i64(&p, version);
    p_i64(&p, now);
    return q(c, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", &p, 0,
             "recording the schema version", NULL, err);
}

static vg_status pg_exec_outside(vg_store_conn *c, const char *sql, vg_err *err)
{
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->where);
    return q_script(c, sql, "running a migration step", err);
}

static vg_status pg_meta_get(vg_store_conn *c, const char *key, uint8_t **value, size_t *len,
                             vg_err *err)
{
    params p = {0};
    p_text(&p, key);
    PGresult *r;
    vg_status s = q(c, "SELECT value FROM meta WHERE key = $1", &p, 1, "reading meta", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        s = read_blob(c, r, 0, 0, value, len, err);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "database %s has no %s", c->where, key);
    PQclear(r);
    return s;
}

static vg_status pg_meta_put(vg_store_conn *c, const char *key, const uint8_t *value, size_t len,
                             vg_err *err)
{
    params p = {0};
    p_text(&p, key);
    p_blob(&p, value, len);
    return q(c,
             "INSERT INTO meta (key, value) VALUES ($1, $2) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             &p, 0, "writing meta", NULL, err);
}

/* ---- watch lists ---- */

static vg_status pg_watchlist_insert(vg_store_conn *c, const vg_watchlist *w, int64_t *id,
                                     vg_err *err)
{
    params p = {0};
    p_text(&p, w->name);
    p_text(&p, w->reason);
    p_text(&p, w->authorised_by);
    p_i64(&p, w->created_at);
    p_i64(&p, w->expires_at);
    p_i64(&p, w->max_size);
    PGresult *r;
    int dup;
    vg_status s = q_unique(c,
                           "INSERT INTO watchlist (name, reason, authorised_by, created_at, "
                           "expires_at, max_size) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                           &p, "creating a watch list", &dup, &r, err);
    if (dup)
        return vg_err_set(err, VG_ERR_INVALID, "a watch list named \"%s\" already exists",
                          w->name);
    if (s != VG_OK)
        return s;
    *id = read_i64(r, 0, 0);
    PQclear(r);
    return VG_OK;
}

#define WATCHLIST_COLUMNS                                                                      \
    "SELECT w.id, w.name, w.reason, w.authorised_by, w.created_at, w.expires_at, w.max_size, " \
    "(SELECT count(*) FROM subject s WHERE s.watchlist_id = w.id), "                           \
    "(SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "                  \
    "  WHERE s.watchlist_id = w.id) FROM watchlist w "

static vg_status read_watchlist(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_watchlist *w = elem;
    memset(w, 0, sizeof *w);
    w->id = read_i64(r, i, 0);
    read_text(r, i, 1, w->name, sizeof w->name);
    read_text(r, i, 2, w->reason, sizeof w->reason);
    read_text(r, i, 3, w->authorised_by, sizeof w->authorised_by);
    w->created_at = read_i64(r, i, 4);
    w->expires_at = read_i64(r, i, 5);
    w->max_size = (int)read_i64(r, i, 6);
    w->subjects = (int)read_i64(r, i, 7);
    w->templates = (int)read_i64(r, i, 8);
    return VG_OK;
}

/* The one row sql_by_name ($1 = name) or sql_by_id ($1 = id) selects. */
static vg_status find_one(vg_store_conn *c, const char *sql_by_name, const char *sql_by_id,
                          const char *name, int64_t id, row_reader read, void *ctx, void *out,
                          const char *noun, vg_err *err)
{
    params p = {0};
    if (name)
        p_text(&p, name);
    else
        p_i64(&p, id);
    char what[64];
    snprintf(what, sizeof what, "reading a %s", noun);
    PGresult *r;
    vg_status s = q(c, name ? sql_by_name : sql_by_id, &p, 0, what, &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        s = read(ctx, r, 0, out, err);
    else if (name)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s named \"%s\"", noun, name);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s with id %lld", noun, (long long)id);
    PQclear(r);
    return s;
}

static vg_status pg_watchlist_find(vg_store_conn *c, const char *name, int64_t id,
                                   vg_watchlist *out, vg_err *err)
{
    return find_one(c, WATCHLIST_COLUMNS "WHERE w.name = $1", WATCHLIST_COLUMNS "WHERE w.id = $1",
                    name, id, read_watchlist, NULL, out, "watch list", err);
}

static vg_status pg_watchlist_list(vg_store_conn *c, vg_watchlist **out, int *n, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, WATCHLIST_COLUMNS "ORDER BY w.id", NULL, 0, "listing watch lists", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_watchlist), read_watchlist, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status pg_watchlist_purge(vg_store_conn *c, int64_t id, int *subjects, int *templates,
                                    vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    PGresult *r;
    vg_status s = q(c,
                    "WITH gone AS (SELECT id FROM subject WHERE watchlist_id = $1), "
                    "del AS (DELETE FROM subject WHERE id IN (SELECT id FROM gone)) "
                    "SELECT (SELECT count(*) FROM gone), "
                    "(SELECT count(*) FROM template WHERE subject_id IN (SELECT id FROM gone))",
                    &p, 0, "purging a watch list", &r, err);
    if (s != VG_OK)
        return s;
    *subjects = (int)read_i64(r, 0, 0);
    *templates = (int)read_i64(r, 0, 1);
    PQclear(r);
    return VG_OK;
}

/* ---- subjects ---- */

static vg_status pg_subject_insert(vg_store_conn *c, const vg_subject *sub, int64_t *id,
                                   vg_err *err)
{
    params p = {0};
    p_i64(&p, sub->watchlist_id);
    p_text(&p, sub->name);
    p_text(&p, sub->reason);
    p_text(&p, sub->category);
    p_text(&p, sub->source);
    p_text(&p, sub->authorised_by);
    p_text(&p, sub->justification);
    p_text(&p, sub->dob);
    p_i64(&p, sub->created_at);
    p_i64(&p, sub->expires_at);
    PGresult *r;
    vg_status s = q(c,
                    "INSERT INTO subject (watchlist_id, name, reason, category, source, "
                    "authorised_by, justification, dob, created_at, expires_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &p, 0, "adding a subject", &r, err);
    if (s != VG_OK)
        return s;
    *id = read_i64(r, 0, 0);
    PQclear(r);
    return VG_OK;
}

#define SUBJECT_COLUMNS                                                                        \
    "SELECT s.id, s.watchlist_id, s.name, s.reason, s.category, s.source, s.authorised_by, "   \
    "s.justification, s.dob, s.created_at, s.expires_at, "                                     \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id), "                            \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id AND t.low_quality <> 0) "      \
    "FROM subject s "

static vg_status read_subject(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_subject *s = elem;
    memset(s, 0, sizeof *s);
    s->id = read_i64(r, i, 0);
    s->watchlist_id = read_i64(r, i, 1);
    read_text(r, i, 2, s->name, sizeof s->name);
    read_text(r, i, 3, s->reason, sizeof s->reason);
    read_text(r, i, 4, s->category, sizeof s->category);
    read_text(r, i, 5, s->source, sizeof s->source);
    read_text(r, i, 6, s->authorised_by, sizeof s->authorised_by);
    read_text(r, i, 7, s->justification, sizeof s->justification);
    read_text(r, i, 8, s->dob, sizeof s->dob);
    s->created_at = read_i64(r, i, 9);
    s->expires_at = read_i64(r, i, 10);
    s->templates = (int)read_i64(r, i, 11);
    s->low_quality = (int)read_i64(r, i, 12);
    return VG_OK;
}

static vg_status pg_subject_get(vg_store_conn *c, int64_t id, vg_subject *out, vg_err *err)
{
    return find_one(c, NULL, SUBJECT_COLUMNS "WHERE s.id = $1", NULL, id, read_subject, NULL, out,
                    "subject", err);
}

static vg_status pg_subject_list(vg_store_conn *c, int64_t watchlist_id, vg_subject **out, int *n,
                                 vg_err *err)
{
    params p = {0};
    p_i64(&p, watchlist_id);
    PGresult *r;
    vg_status s = q(c, SUBJECT_COLUMNS "WHERE s.watchlist_id = $1 ORDER BY s.id", &p, 0,
                    "listing subjects", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_subject), read_subject, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status pg_subject_delete(vg_store_conn *c, int64_t id, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    int64_t n = 0;
    vg_status s = q_changes(c, "DELETE FROM subject WHERE id = $1", &p, "removing a subject", &n,
                            err);
    if (s == VG_OK && n == 0)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return s;
}

/* ---- templates and photos ---- */

static vg_status pg_template_insert(vg_store_conn *c, int64_t subject_id, const char *model_id,
                                    int dim, float quality, int low_quality, const uint8_t *sealed,
                                    size_t len, vg_err *err)
{
    params p = {0};
    p_i64(&p, subject_id);
    p_text(&p, model_id);
    p_i64(&p, dim);
    p_blob(&p, sealed, len);
    p_f64(&p, quality);
    p_i64(&p, low_quality != 0);
    return q(c,
             "INSERT INTO template (subject_id, model_id, dim, vector, quality, low_quality) "
             "VALUES ($1, $2, $3, $4, $5, $6)",
             &p, 0, "adding a template", NULL, err);
}

static vg_status pg_templates_each(vg_store_conn *c, int64_t watchlist_id, int64_t now,
                                   vg_store_template_fn fn, void *ctx, vg_err *err)
{
    params p = {0};
    p_i64(&p, watchlist_id);
    p_i64(&p, now);
    PGresult *r;
    vg_status s = q(c,
                    "WITH live AS ("
                    "  SELECT s.id AS sid, CASE WHEN s.expires_at <> 0 THEN s.expires_at "
                    "    ELSE w.expires_at END AS expiry "
                    "  FROM subject s JOIN watchlist w ON w.id = s.watchlist_id "
                    "  WHERE s.watchlist_id = $1) "
                    "SELECT t.id, t.subject_id, t.model_id, t.dim, t.vector "
                    "FROM template t JOIN live ON live.sid = t.subject_id "
                    "WHERE live.expiry = 0 OR live.expiry > $2 ORDER BY t.id",
                    &p, 1, "reading templates", &r, err);
    if (s != VG_OK)
        return s;
    char model[256];
    for (int i = 0; s == VG_OK && i < PQntuples(r); i++) {
        vg_store_template_row row;
        row.id = read_i64(r, i, 0);
        row.subject_id = read_i64(r, i, 1);
        read_text(r, i, 2, model, sizeof model);
        row.model_id = model;
        row.dim = (int)read_i64(r, i, 3);
        row.sealed = (const uint8_t *)PQgetvalue(r, i, 4);
        row.sealed_len = (size_t)PQgetlength(r, i, 4);
        s = fn(ctx, &row, err);
    }
    PQclear(r);
    return s;
}

static vg_status pg_templates_delete(vg_store_conn *c, int64_t subject_id, int *n, vg_err *err)
{
    params p = {0};
    p_i64(&p, subject_id);
    int64_t k = 0;
    vg_status s = q_changes(c, "DELETE FROM template WHERE subject_id = $1", &p, "removing templates", &k, err);
    if (s == VG_OK)
        *n = (int)k;
    return s;
}

static vg_status pg_photo_insert(vg_store_conn *c, int64_t subject_id, int idx,
                                 const uint8_t *sealed, size_t len, vg_err *err)
{
    params p = {0};
    p_i64(&p, subject_id);
    p_i64(&p, idx);
    p_blob(&p, sealed, len);
    return q(c, "INSERT INTO photo (subject_id, idx, jpeg) VALUES ($1, $2, $3)", &p, 0,
             "adding a photo", NULL, err);
}

static vg_status pg_photo_get(vg_store_conn *c, int64_t subject_id, int idx, uint8_t **sealed,
                              size_t *len, vg_err *err)
{
    params p = {0};
    p_i64(&p, subject_id);
    p_i64(&p, idx);
    PGresult *r;
    vg_status s = q(c, "SELECT jpeg FROM photo WHERE subject_id = $1 AND idx = $2", &p, 1,
                    "reading a photo", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        s = read_blob(c, r, 0, 0, sealed, len, err);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "subject %lld has no photo %d",
                       (long long)subject_id, idx);
    PQclear(r);
    return s;
}

/* ---- deployments ---- */

static vg_status pg_deployment_insert(vg_store_conn *c, const vg_deployment *d, int64_t *id,
                                      vg_err *err)
{
    params p = {0};
    p_text(&p, d->name);
    p_i64(&p, d->watchlist_id);
    p_text(&p, d->location);
    p_i64(&p, d->starts_at);
    p_i64(&p, d->ends_at);
    p_text(&p, d->authorised_by);
    p_i64(&p, d->signage_confirmed ? 1 : 0);
    p_f64(&p, d->threshold);
    p_i64(&p, d->created_at);
    p_text(&p, d->created_by);
    p_text(&p, d->model_id);
    p_text(&p, d->detector);
    PGresult *r;
    int dup;
    vg_status s = q_unique(c,
                           "INSERT INTO deployment (name, watchlist_id, location, starts_at, "
                           "ends_at, authorised_by, signage_confirmed, threshold, created_at, "
                           "created_by, model_id, detector) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
                           "$10, $11, $12) "
                           "RETURNING id",
                           &p, "creating a deployment", &dup, &r, err);
    if (dup)
        return vg_err_set(err, VG_ERR_INVALID, "a deployment named \"%s\" already exists",
                          d->name);
    if (s != VG_OK)
        return s;
    int64_t did = read_i64(r, 0, 0);
    PQclear(r);
    for (int i = 0; i < d->n_cameras && s == VG_OK; i++) {
        params pc = {0};
        p_i64(&pc, did);
        p_i64(&pc, i);
        p_text(&pc, d->cameras[i]);
        s = q(c, "INSERT INTO deployment_camera (deployment_id, position, url) VALUES ($1, $2, $3)",
              &pc, 0, "adding a deployment's camera", NULL, err);
    }
    if (s == VG_OK)
        *id = did;
    return s;
}

#define DEPLOYMENT_COLUMNS                                                                     \
    "SELECT d.id, d.name, d.watchlist_id, coalesce(w.name, ''), d.location, d.starts_at, "     \
    "d.ends_at, d.authorised_by, d.signage_confirmed, d.threshold, d.created_at, d.ended_at, " \
    "d.created_by, d.ended_by, d.model_id, d.detector "                                          \
    "FROM deployment d LEFT JOIN watchlist w ON w.id = d.watchlist_id "

#define CAMERA_QUERY "SELECT url FROM deployment_camera WHERE deployment_id = $1 ORDER BY position"

static vg_status read_deployment(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    vg_store_conn *c = ctx;
    vg_deployment *d = elem;
    memset(d, 0, sizeof *d);
    d->id = read_i64(r, i, 0);
    read_text(r, i, 1, d->name, sizeof d->name);
    d->watchlist_id = read_i64(r, i, 2);
    read_text(r, i, 3, d->watchlist, sizeof d->watchlist);
    read_text(r, i, 4, d->location, sizeof d->location);
    d->starts_at = read_i64(r, i, 5);
    d->ends_at = read_i64(r, i, 6);
    read_text(r, i, 7, d->authorised_by, sizeof d->authorised_by);
    d->signage_confirmed = read_i64(r, i, 8) != 0;
    d->threshold = (float)read_f64(r, i, 9);
    d->created_at = read_i64(r, i, 10);
    d->ended_at = read_i64(r, i, 11);
    read_text(r, i, 12, d->created_by, sizeof d->created_by);
    read_text(r, i, 13, d->ended_by, sizeof d->ended_by);
    read_text(r, i, 14, d->model_id, sizeof d->model_id);
    read_text(r, i, 15, d->detector, sizeof d->detector);

    params p = {0};
    p_i64(&p, d->id);
    PGresult *cr;
    vg_status s = q(c, CAMERA_QUERY, &p, 0, "reading a deployment's cameras", &cr, err);
    if (s != VG_OK)
        return s;
    int n = PQntuples(cr);
    if (n > VG_STORE_CAMERAS_MAX)
        s = vg_err_set(err, VG_ERR_INVALID,
                       "deployment %s has more than %d cameras: the database was altered",
                       d->name, VG_STORE_CAMERAS_MAX);
    for (int k = 0; s == VG_OK && k < n; k++)
        read_text(cr, k, 0, d->cameras[k], sizeof d->cameras[0]);
    if (s == VG_OK)
        d->n_cameras = n;
    PQclear(cr);
    return s;
}

static vg_status pg_deployment_find(vg_store_conn *c, const char *name, int64_t id,
                                    vg_deployment *out, vg_err *err)
{
    return find_one(c, DEPLOYMENT_COLUMNS "WHERE d.name = $1", DEPLOYMENT_COLUMNS "WHERE d.id = $1",
                    name, id, read_deployment, c, out, "deployment", err);
}

static vg_status pg_deployment_list(vg_store_conn *c, vg_deployment **out, int *n, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, DEPLOYMENT_COLUMNS "ORDER BY d.id", NULL, 0, "listing deployments", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_deployment), read_deployment, c, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status pg_deployment_end(vg_store_conn *c, int64_t id, int64_t ended_at,
                                   const char *ended_by, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    p_i64(&p, ended_at);
    p_text(&p, ended_by);
    int64_t n = 0;
    vg_status s = q_changes(c, "UPDATE deployment SET ended_at = $2, ended_by = $3 WHERE id = $1",
                            &p, "ending a deployment", &n, err);
    if (s == VG_OK && n == 0)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld", (long long)id);
    return s;
}

/* ---- alerts ---- */

static vg_status pg_alert_find_uid(vg_store_conn *c, const char *uid, int64_t *id, vg_err *err)
{
    params p = {0};
    p_text(&p, uid);
    PGresult *r;
    vg_status s = q(c, "SELECT id FROM alert WHERE uid = $1", &p, 0, "looking up an alert", &r,
                    err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        *id = read_i64(r, 0, 0);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with uid %s", uid);
    PQclear(r);
    return s;
}

static vg_status pg_alert_insert(vg_store_conn *c, const vg_alert *a, const uint8_t *sealed,
                                 size_t len, int64_t *id, vg_err *err)
{
    params p = {0};
    p_text(&p, a->uid);
    p_i64(&p, a->deployment_id);
    p_text(&p, a->camera);
    if (a->subject_id)
        p_i64(&p, a->subject_id);
    else
        p_null(&p);
    p_f64(&p, a->score);
    p_f64(&p, a->frame_time);
    p_f64(&p, a->raised_at);
    p_text(&p, a->state);
    p_blob(&p, sealed, len);
    PGresult *r;
    vg_status s = q(c,
                    "INSERT INTO alert (uid, deployment_id, camera, subject_id, score, "
                    "frame_time, raised_at, state, crop) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    &p, 0, "adding an alert", &r, err);
    if (s != VG_OK)
        return s;
    *id = read_i64(r, 0, 0);
    PQclear(r);
    return VG_OK;
}

#define ALERT_COLUMNS                                                                          \
    "SELECT id, deployment_id, camera, coalesce(subject_id, 0), score, frame_time, raised_at, " \
    "state, uid FROM alert "

static vg_status read_alert(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_alert *a = elem;
    memset(a, 0, sizeof *a);
    a->id = read_i64(r, i, 0);
    a->deployment_id = read_i64(r, i, 1);
    read_text(r, i, 2, a->camera, sizeof a->camera);
    a->subject_id = read_i64(r, i, 3);
    a->score = (float)read_f64(r, i, 4);
    a->frame_time = read_f64(r, i, 5);
    a->raised_at = read_f64(r, i, 6);
    read_text(r, i, 7, a->state, sizeof a->state);
    read_text(r, i, 8, a->uid, sizeof a->uid);
    return VG_OK;
}

static vg_status pg_alert_get(vg_store_conn *c, int64_t id, vg_alert *out, uint8_t **sealed,
                              size_t *len, vg_err *err)
{
    vg_status s = find_one(c, NULL, ALERT_COLUMNS "WHERE id = $1", NULL, id, read_alert, NULL,
                           out, "alert", err);
    if (s != VG_OK || !sealed)
        return s;
    params p = {0};
    p_i64(&p, id);
    PGresult *r;
    if ((s = q(c, "SELECT crop FROM alert WHERE id = $1", &p, 1, "reading an alert's crop", &r,
               err)) != VG_OK)
        return s;
    if (PQntuples(r) == 0)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    else if (PQgetisnull(r, 0, 0))
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "the face crop of alert %lld was deleted",
                       (long long)id);
    else
        s = read_blob(c, r, 0, 0, sealed, len, err);
    PQclear(r);
    return s;
}

static vg_status pg_alert_list(vg_store_conn *c, int64_t deployment_id, vg_alert **out, int *n,
                               vg_err *err)
{
    params p = {0};
    if (deployment_id)
        p_i64(&p, deployment_id);
    PGresult *r;
    vg_status s = q(c, deployment_id ? ALERT_COLUMNS "WHERE deployment_id = $1 ORDER BY id"
                                     : ALERT_COLUMNS "ORDER BY id",
                    &p, 0, "listing alerts", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_alert), read_alert, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- alerts with their details ---- */

static vg_status read_alert_detail(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    vg_alert_detail *d = elem;
    vg_status s = read_alert(ctx, r, i, &d->alert, err); /* columns 0..8 */
    read_text(r, i, 9, d->subject_name, sizeof d->subject_name);
    read_text(r, i, 10, d->subject_reason, sizeof d->subject_reason);
    read_text(r, i, 11, d->subject_category, sizeof d->subject_category);
    read_text(r, i, 12, d->watchlist, sizeof d->watchlist);
    read_text(r, i, 13, d->adjudicated_by, sizeof d->adjudicated_by);
    d->adjudicated_at = read_i64(r, i, 14);
    read_text(r, i, 15, d->note, sizeof d->note);
    d->low_quality = read_i64(r, i, 16) != 0;
    return s;
}

static vg_status pg_alert_query(vg_store_conn *c, const vg_alert_query *qy, vg_alert_detail **out, int *n,
                                vg_err *err)
{
#define ALERT_DETAIL_SQL(order)                                                                        \
    "SELECT a.id, a.deployment_id, a.camera, coalesce(a.subject_id, 0), a.score, a.frame_time, "      \
    "a.raised_at, a.state, a.uid, coalesce(s.name, ''), coalesce(s.reason, ''), "                      \
    "coalesce(s.category, ''), coalesce(w.name, ''), a.adjudicated_by, a.adjudicated_at, a.note, "     \
    "EXISTS (SELECT 1 FROM template t WHERE t.subject_id = a.subject_id AND t.low_quality <> 0) "      \
    "FROM alert a LEFT JOIN subject s ON s.id = a.subject_id "                                         \
    "LEFT JOIN deployment d ON d.id = a.deployment_id "                                                \
    "LEFT JOIN watchlist w ON w.id = d.watchlist_id "                                                  \
    "WHERE a.id > $1::bigint AND ($2::bigint = 0 OR a.deployment_id = $2::bigint) "                    \
    "AND ($3::text IS NULL OR a.state = $3::text) ORDER BY a.id " order " LIMIT $4::bigint"
    static const char *const sql[2] = {ALERT_DETAIL_SQL("ASC"), ALERT_DETAIL_SQL("DESC")};
#undef ALERT_DETAIL_SQL
    params p = {0};
    p_i64(&p, qy->after);
    p_i64(&p, qy->deployment_id);
    if (qy->state)
        p_text(&p, qy->state);
    else
        p_null(&p);
    p_i64(&p, qy->limit);
    PGresult *r;
    vg_status s = q(c, sql[qy->newest_first ? 1 : 0], &p, 0, "listing alerts", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_alert_detail), read_alert_detail, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- holds and retention ---- */

static vg_status pg_alert_held(vg_store_conn *c, int64_t id, int *held, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    PGresult *r;
    vg_status s = q(c, "SELECT (hold_reason <> '')::int FROM alert WHERE id = $1", &p, 0,
                    "reading an alert", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        *held = (int)read_i64(r, 0, 0);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    PQclear(r);
    return s;
}

static vg_status pg_alert_hold_set(vg_store_conn *c, int64_t id, const char *reason,
                                   const char *by, int64_t at, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    p_text(&p, reason);
    p_text(&p, by);
    p_i64(&p, at);
    int64_t n = 0;
    vg_status s = q_changes(
        c, "UPDATE alert SET hold_reason = $2, held_by = $3, held_at = $4 WHERE id = $1", &p,
        "holding an alert", &n, err);
    if (s == VG_OK && n == 0)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    return s;
}

static vg_status pg_retention_alerts(vg_store_conn *c, double before, int *alerts, int *crops,
                                     vg_err *err)
{
    params p = {0};
    p_f64(&p, before);
    int64_t nc = 0, na = 0;
    vg_status s = q_int(c,
                        "SELECT count(*) FROM alert WHERE raised_at < $1 AND hold_reason = '' "
                        "AND crop IS NOT NULL",
                        &p, &nc, "counting alerts", err);
    if (s != VG_OK)
        return s;
    /* keep their outcomes as counts per deployment, then delete them */
    s = q(c,
          "INSERT INTO alert_tally (deployment_id, alerts, confirmed, rejected, no_action, pending) "
          "SELECT deployment_id, count(*), count(*) FILTER (WHERE state = 'confirmed'), "
          "count(*) FILTER (WHERE state = 'rejected'), count(*) FILTER (WHERE state = 'no_action'), "
          "count(*) FILTER (WHERE state = 'pending') FROM alert "
          "WHERE raised_at < $1 AND hold_reason = '' GROUP BY deployment_id "
          "ON CONFLICT (deployment_id) DO UPDATE SET "
          "alerts = alert_tally.alerts + excluded.alerts, "
          "confirmed = alert_tally.confirmed + excluded.confirmed, "
          "rejected = alert_tally.rejected + excluded.rejected, "
          "no_action = alert_tally.no_action + excluded.no_action, "
          "pending = alert_tally.pending + excluded.pending",
          &p, 0, "counting the outcomes of deleted alerts", NULL, err);
    if (s != VG_OK)
        return s;
    s = q_changes(c, "DELETE FROM alert WHERE raised_at < $1 AND hold_reason = ''", &p,
                  "deleting alerts", &na, err);
    if (s == VG_OK) {
        *alerts = (int)na;
        *crops = (int)nc;
    }
    return s;
}

/* Deletes the subjects `marked` (a SELECT of ids, with $1 when it has one)
 * selects, counting them, their templates and photos; one statement, so the
 * counts and the deletion see the same set. */
static vg_status delete_marked(vg_store_conn *c, const char *marked, const params *p,
                               int *subjects, int *templates, int *photos, vg_err *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH marked AS (%s), "
             "del AS (DELETE FROM subject WHERE id IN (SELECT id FROM marked)) "
             "SELECT (SELECT count(*) FROM marked), "
             "(SELECT count(*) FROM template WHERE subject_id IN (SELECT id FROM marked)), "
             "(SELECT count(*) FROM photo WHERE subject_id IN (SELECT id FROM marked))",
             marked);
    PGresult *r;
    vg_status s = q(c, sql, p, 0, "deleting subjects", &r, err);
    if (s != VG_OK)
        return s;
    *subjects = (int)read_i64(r, 0, 0);
    *templates = (int)read_i64(r, 0, 1);
    *photos = (int)read_i64(r, 0, 2);
    PQclear(r);
    return VG_OK;
}

static vg_status pg_retention_subjects(vg_store_conn *c, int64_t now, int *subjects,
                                       int *templates, int *photos, vg_err *err)
{
    params p = {0};
    p_i64(&p, now);
    return delete_marked(c,
                         "SELECT s.id FROM subject s "
                         "JOIN watchlist w ON w.id = s.watchlist_id WHERE "
                         "(s.expires_at <> 0 AND s.expires_at <= $1) OR "
                         "(s.expires_at = 0 AND w.expires_at <> 0 AND w.expires_at <= $1)",
                         &p, subjects, templates, photos, err);
}

#define ENDED_LISTS                                                                            \
    "SELECT w.id FROM watchlist w WHERE "                                                      \
    "EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id) AND "                     \
    "NOT EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id AND d.ended_at = 0)"

static vg_status pg_retention_ended_lists(vg_store_conn *c, int *lists, int *subjects,
                                          int *templates, int *photos, vg_err *err)
{
    int64_t nl = 0;
    vg_status s = q_int(c,
                        "SELECT count(*) FROM (" ENDED_LISTS ") e WHERE EXISTS "
                        "(SELECT 1 FROM subject s WHERE s.watchlist_id = e.id)",
                        NULL, &nl, "counting ended watch lists", err);
    if (s == VG_OK)
        s = delete_marked(c,
                          "SELECT s.id FROM subject s WHERE s.watchlist_id IN (" ENDED_LISTS ")",
                          NULL, subjects, templates, photos, err);
    if (s == VG_OK)
        *lists = (int)nl;
    return s;
}

static vg_status pg_reclaim(vg_store_conn *c, int *done, vg_err *err)
{
    *done = 0;
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->where);
    vg_status s = q_script(c, "VACUUM alert, alert_tally, subject, template, photo",
                           "vacuuming the tables retention deleted from", err);
    if (s == VG_OK)
        *done = 1;
    return s;
}

/* ---- counters ---- */

static vg_status pg_counters_add(vg_store_conn *c, int64_t deployment_id, const char *camera,
                                 const vg_counters *v, int64_t now, vg_err *err)
{
    params p = {0};
    p_i64(&p, deployment_id);
    p_text(&p, camera);
    const int64_t vals[] = {v->frames_in,  v->frames_processed, v->frames_dropped,
                            v->faces,      v->tracks,           v->embeddings,
                            v->comparisons, v->alerts,          v->reconnects};
    for (int i = 0; i < 9; i++)
        p_i64(&p, vals[i]);
    p_i64(&p, now);
    PGresult *r = PQexecParams(
        c->pg,
        "INSERT INTO counters AS k (deployment_id, camera, frames_in, frames_processed, "
        "frames_dropped, faces, tracks, embeddings, comparisons, alerts, reconnects, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
        "ON CONFLICT (deployment_id, camera) DO UPDATE SET "
        "frames_in = k.frames_in + excluded.frames_in, "
        "frames_processed = k.frames_processed + excluded.frames_processed, "
        "frames_dropped = k.frames_dropped + excluded.frames_dropped, "
        "faces = k.faces + excluded.faces, tracks = k.tracks + excluded.tracks, "
        "embeddings = k.embeddings + excluded.embeddings, "
        "comparisons = k.comparisons + excluded.comparisons, alerts = k.alerts + excluded.alerts, "
        "reconnects = k.reconnects + excluded.reconnects, updated_at = excluded.updated_at",
        p.n, NULL, p.v, p.len, p.fmt, 0);
    vg_status s = VG_OK;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (state && !strcmp(state, "23503"))
            s = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                           (long long)deployment_id);
        else
            s = pq_fail(c, r, "adding to counters", err);
    }
    PQclear(r);
    return s;
}

static vg_status pg_counters_get(vg_store_conn *c, int64_t deployment_id, const char *camera,
                                 vg_counters *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    params p = {0};
    p_i64(&p, deployment_id);
    int64_t exists = 0;
    vg_status s = q_int(c, "SELECT count(*) FROM deployment WHERE id = $1", &p, &exists,
                        "reading a deployment", err);
    if (s != VG_OK)
        return s;
    if (!exists)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                          (long long)deployment_id);
#define SUMS                                                                                   \
    "SELECT coalesce(sum(frames_in), 0), coalesce(sum(frames_processed), 0), "              \
    "coalesce(sum(frames_dropped), 0), coalesce(sum(faces), 0), coalesce(sum(tracks), 0), "  \
    "coalesce(sum(embeddings), 0), coalesce(sum(comparisons), 0), "                          \
    "coalesce(sum(alerts), 0), coalesce(sum(reconnects), 0) "                                \
    "FROM counters WHERE deployment_id = $1"
    if (camera)
        p_text(&p, camera);
    PGresult *r;
    s = q(c, camera ? SUMS " AND camera = $2" : SUMS, &p, 0, "reading counters", &r, err);
#undef SUMS
    if (s != VG_OK)
        return s;
    int64_t *f[] = {&out->frames_in,  &out->frames_processed, &out->frames_dropped,
                    &out->faces,      &out->tracks,           &out->embeddings,
                    &out->comparisons, &out->alerts,          &out->reconnects};
    for (int i = 0; i < 9; i++)
        *f[i] = read_i64(r, 0, i);
    PQclear(r);
    return VG_OK;
}

/* ---- audit ---- */

static vg_status pg_audit_tail(vg_store_conn *c, int64_t *seq, char hash[65], vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", NULL, 0,
                    "reading the audit chain", &r, err);
    if (s != VG_OK)
        return s;
    *seq = 0;
    if (PQntuples(r) > 0) {
        *seq = read_i64(r, 0, 0);
        read_text(r, 0, 1, hash, 65);
    }
    PQclear(r);
    return VG_OK;
}

static vg_status pg_audit_insert(vg_store_conn *c, const vg_audit_entry *e, vg_err *err)
{
    params p = {0};
    p_i64(&p, e->seq);
    p_i64(&p, e->time);
    p_text(&p, e->actor);
    p_text(&p, e->action);
    p_text(&p, e->object);
    p_text(&p, e->details);
    p_text(&p, e->prev_hash);
    p_text(&p, e->hash);
    return q(c,
             "INSERT INTO audit (seq, time, actor, action, object, details, prev_hash, hash) "
             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             &p, 0, "appending to the audit chain", NULL, err);
}

static const char *text_of(const PGresult *r, int i, int col, size_t *len)
{
    if (PQgetisnull(r, i, col)) {
        *len = 0;
        return "";
    }
    *len = (size_t)PQgetlength(r, i, col);
    return PQgetvalue(r, i, col);
}

static vg_status pg_audit_each(vg_store_conn *c, int64_t since, vg_store_audit_fn fn, void *ctx,
                               vg_err *err)
{
    params p = {0};
    p_i64(&p, since);
    PGresult *r;
    vg_status s = q(c,
                    "SELECT seq, time, actor, action, object, details, prev_hash, hash "
                    "FROM audit WHERE time >= $1 ORDER BY seq",
                    &p, 0, "reading the audit chain", &r, err);
    if (s != VG_OK)
        return s;
    for (int i = 0; s == VG_OK && i < PQntuples(r); i++) {
        vg_store_audit_row row;
        row.seq = read_i64(r, i, 0);
        row.time = read_i64(r, i, 1);
        row.actor = text_of(r, i, 2, &row.actor_len);
        row.action = text_of(r, i, 3, &row.action_len);
        row.object = text_of(r, i, 4, &row.object_len);
        row.details = text_of(r, i, 5, &row.details_len);
        row.prev_hash = text_of(r, i, 6, &row.prev_hash_len);
        row.hash = text_of(r, i, 7, &row.hash_len);
        s = fn(ctx, &row, err);
    }
    PQclear(r);
    return s;
}

/* ---- adjudication and the transparency report ---- */

static vg_status pg_alert_state(vg_store_conn *c, int64_t id, char state[16],
                                char by[VG_STORE_ACTOR_MAX + 1], int64_t *at, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    PGresult *r;
    vg_status s = q(c, "SELECT state, adjudicated_by, adjudicated_at FROM alert WHERE id = $1", &p,
                    0, "reading an alert's state", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0) {
        read_text(r, 0, 0, state, 16);
        read_text(r, 0, 1, by, VG_STORE_ACTOR_MAX + 1);
        *at = read_i64(r, 0, 2);
    } else {
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    }
    PQclear(r);
    return s;
}

static vg_status pg_alert_adjudicate(vg_store_conn *c, int64_t id, const char *outcome,
                                     const char *by, int64_t at, const char *note, vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    p_text(&p, outcome);
    p_text(&p, by);
    p_i64(&p, at);
    p_text(&p, note);
    int64_t n = 0;
    vg_status s = q_changes(c,
                            "UPDATE alert SET state = $2, outcome = $2, adjudicated_by = $3, "
                            "adjudicated_at = $4, note = $5 WHERE id = $1 AND state = 'pending'",
                            &p, "adjudicating an alert", &n, err);
    if (s == VG_OK && n == 0)
        s = vg_err_set(err, VG_ERR_INVALID, "alert %lld is not pending", (long long)id);
    return s;
}

static vg_status pg_alert_counts(vg_store_conn *c, int64_t deployment_id, int64_t counts[5],
                                 vg_err *err)
{
    params p = {0};
    p_i64(&p, deployment_id);
    PGresult *r;
    /* the alerts there are, and those retention has deleted, kept as counts */
    vg_status s = q(c,
                    "SELECT count(*), count(*) FILTER (WHERE state = 'confirmed'), "
                    "count(*) FILTER (WHERE state = 'rejected'), "
                    "count(*) FILTER (WHERE state = 'no_action'), "
                    "count(*) FILTER (WHERE state = 'pending') FROM alert WHERE deployment_id = $1 "
                    "UNION ALL SELECT alerts, confirmed, rejected, no_action, pending "
                    "FROM alert_tally WHERE deployment_id = $1",
                    &p, 0, "counting alerts", &r, err);
    if (s != VG_OK)
        return s;
    for (int i = 0; i < 5; i++) {
        counts[i] = 0;
        for (int row = 0; row < PQntuples(r); row++)
            counts[i] += read_i64(r, row, i);
    }
    PQclear(r);
    return VG_OK;
}

static vg_status pg_watchlist_model(vg_store_conn *c, int64_t watchlist_id, char *out, size_t cap,
                                    vg_err *err)
{
    params p = {0};
    p_i64(&p, watchlist_id);
    PGresult *r;
    vg_status s = q(c,
                    "SELECT t.model_id FROM template t JOIN subject s ON s.id = t.subject_id "
                    "WHERE s.watchlist_id = $1 GROUP BY t.model_id "
                    "ORDER BY count(*) DESC, t.model_id LIMIT 1",
                    &p, 0, "reading a watch list's model", &r, err);
    if (s != VG_OK)
        return s;
    out[0] = '\0';
    if (PQntuples(r) > 0)
        read_text(r, 0, 0, out, cap);
    PQclear(r);
    return VG_OK;
}

/* ---- users ("user" is a reserved word in PostgreSQL: quoted) ---- */

static vg_status pg_user_insert(vg_store_conn *c, const char *name, const char *role,
                                const char *pwhash, int64_t created_at, vg_err *err)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, role);
    p_text(&p, pwhash);
    p_i64(&p, created_at);
    PGresult *r;
    int dup;
    vg_status s = q_unique(c,
                           "INSERT INTO \"user\" (name, role, pwhash, created_at) "
                           "VALUES ($1, $2, $3, $4)",
                           &p, "adding a user", &dup, &r, err);
    if (dup)
        return vg_err_set(err, VG_ERR_INVALID, "a user named \"%s\" already exists", name);
    PQclear(r);
    return s;
}

static vg_status pg_user_find(vg_store_conn *c, const char *name, char role[16], char *pwhash,
                              size_t cap, int *disabled, vg_err *err)
{
    params p = {0};
    p_text(&p, name);
    PGresult *r;
    vg_status s = q(c, "SELECT role, pwhash, disabled FROM \"user\" WHERE name = $1", &p, 0,
                    "reading a user", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0) {
        read_text(r, 0, 0, role, 16);
        read_text(r, 0, 1, pwhash, cap);
        *disabled = (int)read_i64(r, 0, 2);
    } else {
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no user named \"%s\"", name);
    }
    PQclear(r);
    return s;
}

static vg_status read_user(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_user *u = elem;
    memset(u, 0, sizeof *u);
    u->id = read_i64(r, i, 0);
    read_text(r, i, 1, u->name, sizeof u->name);
    read_text(r, i, 2, u->role, sizeof u->role);
    u->created_at = read_i64(r, i, 3);
    u->disabled = (int)read_i64(r, i, 4);
    return VG_OK;
}

static vg_status pg_user_list(vg_store_conn *c, vg_user **out, int *n, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, "SELECT id, name, role, created_at, disabled FROM \"user\" ORDER BY id",
                    NULL, 0, "listing users", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_user), read_user, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

/* ---- API tokens ---- */

static vg_status pg_token_insert(vg_store_conn *c, const char *name, const char *role,
                                 const char *hash, const char *created_by, int64_t created_at,
                                 int64_t *id, vg_err *err)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, role);
    p_text(&p, hash);
    p_text(&p, created_by);
    p_i64(&p, created_at);
    PGresult *r;
    int dup;
    vg_status s = q_unique(c,
                           "INSERT INTO api_token (name, role, hash, created_by, created_at) "
                           "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                           &p, "adding an API token", &dup, &r, err);
    if (dup)
        return vg_err_set(err, VG_ERR_INVALID, "a valid API token named \"%s\" already exists",
                          name);
    if (s != VG_OK)
        return s;
    *id = read_i64(r, 0, 0);
    PQclear(r);
    return VG_OK;
}

#define TOKEN_COLS "id, name, role, created_by, created_at, revoked_at, revoked_by"

static vg_status read_token(void *ctx, const PGresult *r, int i, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_token *t = elem;
    memset(t, 0, sizeof *t);
    t->id = read_i64(r, i, 0);
    read_text(r, i, 1, t->name, sizeof t->name);
    read_text(r, i, 2, t->role, sizeof t->role);
    read_text(r, i, 3, t->created_by, sizeof t->created_by);
    t->created_at = read_i64(r, i, 4);
    t->revoked_at = read_i64(r, i, 5);
    read_text(r, i, 6, t->revoked_by, sizeof t->revoked_by);
    return VG_OK;
}

/* One token row from sql with the one parameter in p. */
static vg_status one_token(vg_store_conn *c, const char *sql, const params *p, vg_token *out,
                           const char *what, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, sql, p, 0, "reading an API token", &r, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) > 0)
        s = read_token(NULL, r, 0, out, err);
    else
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no such API token (%s)", what);
    PQclear(r);
    return s;
}

static vg_status pg_token_find(vg_store_conn *c, const char *hash, vg_token *out, vg_err *err)
{
    params p = {0};
    p_text(&p, hash);
    return one_token(c, "SELECT " TOKEN_COLS " FROM api_token WHERE hash = $1", &p, out,
                     "by hash", err);
}

static vg_status pg_token_get(vg_store_conn *c, int64_t id, const char *name, vg_token *out,
                              vg_err *err)
{
    params p = {0};
    if (name)
        p_text(&p, name);
    else
        p_i64(&p, id);
    return one_token(c,
                     name ? "SELECT " TOKEN_COLS " FROM api_token WHERE name = $1 AND revoked_at = 0"
                          : "SELECT " TOKEN_COLS " FROM api_token WHERE id = $1",
                     &p, out, name ? name : "id", err);
}

static vg_status pg_token_list(vg_store_conn *c, vg_token **out, int *n, vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, "SELECT " TOKEN_COLS " FROM api_token ORDER BY id", NULL, 0,
                    "listing API tokens", &r, err);
    if (s != VG_OK)
        return s;
    void *v = NULL;
    s = collect_rows(c, r, sizeof(vg_token), read_token, NULL, &v, n, err);
    if (s == VG_OK)
        *out = v;
    return s;
}

static vg_status pg_token_revoke(vg_store_conn *c, int64_t id, const char *by, int64_t at,
                                 vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    p_i64(&p, at);
    p_text(&p, by);
    int64_t n = 0;
    vg_status s = q_changes(c,
                            "UPDATE api_token SET revoked_at = $2, revoked_by = $3 "
                            "WHERE id = $1 AND revoked_at = 0",
                            &p, "revoking an API token", &n, err);
    if (s == VG_OK && n != 1)
        s = vg_err_set(err, VG_ERR_INVALID, "API token %lld is unknown or already revoked",
                       (long long)id);
    return s;
}

/* ---- change notifications ----
 *
 * pg_notify() inside the writing transaction: PostgreSQL delivers it to
 * every listening connection when (and only if) the transaction commits,
 * and folds identical notifications of one transaction into one. */

static vg_status pg_notify(vg_store_conn *c, const char *channel, int64_t id, vg_err *err)
{
    params p = {0};
    p_text(&p, channel);
    p_i64(&p, id);
    return q(c, "SELECT pg_notify($1, $2)", &p, 0, "sending a change notification", NULL, err);
}

static vg_status pg_listen_open(const char *path, vg_store_conn **out, vg_err *err)
{
    vg_status s = pg_open(path, out, err);
    if (s != VG_OK)
        return s;
    s = q_script(*out, "LISTEN " VG_STORE_CHANNEL_WATCHLIST "; LISTEN " VG_STORE_CHANNEL_ALERT,
                 "listening for changes", err);
    if (s != VG_OK) {
        pg_close(*out);
        *out = NULL;
    }
    return s;
}

static vg_status pg_listen_wait(vg_store_conn *c, int timeout_ms, vg_store_change *out, int max,
                                int *n, vg_err *err)
{
    *n = 0;
    int fd = PQsocket(c->pg);
    if (fd < 0 || PQstatus(c->pg) != CONNECTION_OK)
        return vg_err_set(err, VG_ERR_IO, "lost the connection to PostgreSQL at %s port %s (%s)",
                          c->host, c->port, c->where);
    PGnotify *nt = PQnotifies(c->pg);
    if (!nt) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno != EINTR)
            return vg_err_set(err, VG_ERR_IO, "waiting for PostgreSQL notifications: %s",
                              strerror(errno));
        if (r > 0 && !PQconsumeInput(c->pg)) {
            char msg[300];
            snprintf(msg, sizeof msg, "%s", PQerrorMessage(c->pg));
            trim(msg);
            return vg_err_set(err, VG_ERR_IO,
                              "lost the connection to PostgreSQL at %s port %s (%s): %s", c->host,
                              c->port, c->where, msg);
        }
        nt = PQnotifies(c->pg);
    }
    while (nt) {
        if (*n < max) {
            vg_store_change ch = {0, strtoll(nt->extra, NULL, 10)};
            if (!strcmp(nt->relname, VG_STORE_CHANNEL_WATCHLIST))
                ch.kind = VG_STORE_CHANGE_WATCHLIST;
            else if (!strcmp(nt->relname, VG_STORE_CHANNEL_ALERT))
                ch.kind = VG_STORE_CHANGE_ALERT;
            if (ch.kind)
                out[(*n)++] = ch;
        }
        PQfreemem(nt);
        nt = *n < max ? PQnotifies(c->pg) : NULL;
    }
    return VG_OK;
}

/* ---- issue 13: quarantined subjects (a block of its own, for the port
 * onto the shared query layer) ---- */

static vg_status pg_subject_quarantine_set(vg_store_conn *c, int64_t id, int64_t at, const char *reason,
                                           vg_err *err)
{
    params p = {0};
    p_i64(&p, id);
    p_i64(&p, at);
    p_text(&p, reason);
    int64_t n = 0;
    vg_status s = q_changes(c, "UPDATE subject SET quarantined_at = $2, quarantine_reason = $3 WHERE id = $1", &p,
                            "quarantining a subject", &n, err);
    if (s == VG_OK && n == 0)
        s = vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return s;
}

static vg_status pg_subject_quarantined(vg_store_conn *c, int64_t watchlist_id, int64_t **ids, int *n,
                                        vg_err *err)
{
    *ids = NULL;
    *n = 0;
    params p = {0};
    p_i64(&p, watchlist_id);
    PGresult *r;
    vg_status s = q(c, "SELECT id FROM subject WHERE watchlist_id = $1 AND quarantined_at <> 0 ORDER BY id", &p, 0,
                    "listing quarantined subjects", &r, err);
    if (s != VG_OK)
        return s;
    int rows = PQntuples(r);
    if (rows > 0) {
        *ids = malloc((size_t)rows * sizeof **ids);
        if (!*ids) {
            PQclear(r);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory listing quarantined subjects");
        }
        for (int i = 0; i < rows; i++)
            (*ids)[i] = read_i64(r, i, 0);
        *n = rows;
    }
    PQclear(r);
    return VG_OK;
}

const vg_store_backend vg_store_backend_postgresql = {
    .name = "postgresql",
    .claims = pg_claims,
    .dialect = VG_DIALECT_POSTGRES,
    .local_file = 0,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .schema_version = pg_schema_version,
    .migrate = pg_migrate,
    .exec_outside = pg_exec_outside,
    .meta_get = pg_meta_get,
    .meta_put = pg_meta_put,
    .watchlist_insert = pg_watchlist_insert,
    .watchlist_find = pg_watchlist_find,
    .watchlist_list = pg_watchlist_list,
    .watchlist_purge = pg_watchlist_purge,
    .subject_insert = pg_subject_insert,
    .subject_get = pg_subject_get,
    .subject_list = pg_subject_list,
    .subject_delete = pg_subject_delete,
    .template_insert = pg_template_insert,
    .templates_each = pg_templates_each,
    .photo_insert = pg_photo_insert,
    .photo_get = pg_photo_get,
    .templates_delete = pg_templates_delete,
    .deployment_insert = pg_deployment_insert,
    .deployment_find = pg_deployment_find,
    .deployment_list = pg_deployment_list,
    .deployment_end = pg_deployment_end,
    .alert_find_uid = pg_alert_find_uid,
    .alert_insert = pg_alert_insert,
    .alert_get = pg_alert_get,
    .alert_list = pg_alert_list,
    .alert_query = pg_alert_query,
    .alert_held = pg_alert_held,
    .alert_hold_set = pg_alert_hold_set,
    .retention_alerts = pg_retention_alerts,
    .retention_subjects = pg_retention_subjects,
    .retention_ended_lists = pg_retention_ended_lists,
    .reclaim = pg_reclaim,
    .counters_add = pg_counters_add,
    .counters_get = pg_counters_get,
    .audit_tail = pg_audit_tail,
    .audit_insert = pg_audit_insert,
    .audit_each = pg_audit_each,
    .alert_state = pg_alert_state,
    .alert_adjudicate = pg_alert_adjudicate,
    .alert_counts = pg_alert_counts,
    .watchlist_model = pg_watchlist_model,
    .user_insert = pg_user_insert,
    .user_find = pg_user_find,
    .user_list = pg_user_list,
    .token_insert = pg_token_insert,
    .token_find = pg_token_find,
    .token_get = pg_token_get,
    .token_list = pg_token_list,
    .token_revoke = pg_token_revoke,
    .notify = pg_notify,
    .listen_open = pg_listen_open,
    .listen_wait = pg_listen_wait,
    .subject_quarantine_set = pg_subject_quarantine_set,
    .subject_quarantined = pg_subject_quarantined,
};
