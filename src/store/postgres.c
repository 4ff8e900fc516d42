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
 * Statements: this file gives the primitives of backend.h; the queries of
 * vigil's tables are written once, in the entity files (sql.h), with ?N
 * placeholders that prepare() turns into $N (outside quoted text), and
 * " RETURNING id" appended for an INSERT whose id is asked for. A statement
 * runs (PQexecParams) at its first step and its rows are then read from the
 * result.
 *
 * Values: every value from a caller is a parameter of PQexecParams (text for
 * numbers and text, binary for sealed bytes, stored as bytea); no SQL is
 * built from caller text. Results come as text (integers and reals
 * parsed, booleans read 1 or 0), except for the queries that read sealed
 * bytes (VG_SQL_READS_BYTES), which ask for binary results: bytea as it is,
 * integers decoded by their size (read_i64). A bytea read from a text
 * result is decoded here, into a buffer the statement owns until its next
 * step.
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

#include "base/url_redact.h"

/* the advisory lock keys: writers, and ("vigil" in ASCII) nothing else */
#define WRITE_LOCK_KEY "7598814758321"
#define LOCK_TIMEOUT "10s"
#define CONNECT_TIMEOUT "10"
#define MAX_PARAMS 24 /* the most a statement binds: 17 (a photo with where its face is) */

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

/* Slot i (from 1) of p, as text (s NULL: SQL NULL) or binary (len bytes). */
static void p_set(params *p, int i, const char *s, int len, int binary)
{
    if (i < 1 || i > MAX_PARAMS)
        return; /* the entity files' SQL has at most MAX_PARAMS */
    p->v[i - 1] = s;
    p->len[i - 1] = len;
    p->fmt[i - 1] = binary;
    if (i > p->n)
        p->n = i;
}

/* ---- errors ---- */

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

static vg_sql_error classify(vg_store_conn *c, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(c->pg) != CONNECTION_OK || (state && (!strncmp(state, "08", 2) ||
                                                       !strncmp(state, "57P", 3))))
        return VG_SQL_LOST;
    if (!state)
        return VG_SQL_OTHER;
    if (!strcmp(state, "23505"))
        return VG_SQL_UNIQUE;
    if (!strcmp(state, "23503"))
        return VG_SQL_FOREIGN_KEY;
    if (!strcmp(state, "55P03") || !strncmp(state, "40", 2))
        return VG_SQL_BUSY;
    if (!strcmp(state, "53100"))
        return VG_SQL_FULL;
    return VG_SQL_OTHER;
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

/* Runs sql with p (NULL: none); binary asks for binary results. On VG_OK *out (when not NULL) holds the
 * result, to PQclear; on failure *fail (when not NULL) says its class. */
static vg_status q(vg_store_conn *c, const char *sql, const params *p, int binary,
                   const char *what, PGresult **out, vg_sql_error *fail, vg_err *err)
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
        if (fail)
            *fail = VG_SQL_OTHER;
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory %s", c->where, what);
    }
    if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
        if (fail)
            *fail = classify(c, r);
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

/* Integers of either result format: text (a boolean reads 1 or 0), or
 * big-endian bool/int2/int4/int8 (VG_SQL_READS_BYTES statements). */
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
    return (int64_t)x;
}

/* Reals of either format: text, or a big-endian float8. */
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

/* One integer from a query without parameters that returns one row. */
static vg_status q_int(vg_store_conn *c, const char *sql, int64_t *out, const char *what,
                       vg_err *err)
{
    PGresult *r;
    vg_status s = q(c, sql, NULL, 0, what, &r, NULL, err);
    if (s != VG_OK)
        return s;
    if (PQntuples(r) < 1)
        s = vg_err_set(err, VG_ERR_INTERNAL, "database %s: %s: no row", c->where, what);
    else
        *out = read_i64(r, 0, 0);
    PQclear(r);
    return s;
}

/* ---- statements ---- */

struct vg_store_stmt {
    vg_store_conn *c;
    char *sql; /* with $N, and RETURNING id when asked for */
    int returning;
    int binary; /* VG_SQL_READS_BYTES: binary results */
    params p;
    PGresult *r; /* NULL until the first step */
    int row, rows;
    int64_t last_id;
    unsigned char *blob; /* the last bytea decoded (PQfreemem) */
};

static vg_status pg_prepare(vg_store_conn *c, const char *sql, int flags, vg_store_stmt **out,
                            vg_err *err)
{
    *out = NULL;
    size_t n = strlen(sql);
    vg_store_stmt *s = calloc(1, sizeof *s);
    char *t = malloc(n + sizeof " RETURNING id");
    if (!s || !t) {
        free(s);
        free(t);
        return vg_err_set(err, VG_ERR_NOMEM, "database %s: out of memory", c->where);
    }
    /* ?N -> $N, except inside '...' */
    int quoted = 0;
    for (size_t i = 0; i <= n; i++) {
        if (sql[i] == '\'')
            quoted = !quoted;
        t[i] = !quoted && sql[i] == '?' && sql[i + 1] >= '0' && sql[i + 1] <= '9' ? '$' : sql[i];
    }
    if (flags & VG_SQL_RETURNING_ID)
        strcat(t, " RETURNING id");
    s->c = c;
    s->sql = t;
    s->returning = (flags & VG_SQL_RETURNING_ID) != 0;
    s->binary = (flags & VG_SQL_READS_BYTES) != 0;
    *out = s;
    return VG_OK;
}

static void pg_reset(vg_store_stmt *s)
{
    PQfreemem(s->blob);
    s->blob = NULL;
    PQclear(s->r);
    s->r = NULL;
}

static void pg_finalize(vg_store_stmt *s)
{
    pg_reset(s);
    free(s->sql);
    free(s);
}

static void pg_bind_i64(vg_store_stmt *s, int i, int64_t v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(s->p.num[i - 1], sizeof s->p.num[0], "%lld", (long long)v);
    p_set(&s->p, i, s->p.num[i - 1], 0, 0);
}

static void pg_bind_f64(vg_store_stmt *s, int i, double v)
{
    if (i < 1 || i > MAX_PARAMS)
        return;
    snprintf(s->p.num[i - 1], sizeof s->p.num[0], "%.17g", v);
    p_set(&s->p, i, s->p.num[i - 1], 0, 0);
}

static void pg_bind_text(vg_store_stmt *s, int i, const char *v)
{
    p_set(&s->p, i, v, 0, 0);
}

/* Sealed bytes: a binary parameter (bytea), never escaped text. */
static void pg_bind_blob(vg_store_stmt *s, int i, const uint8_t *v, size_t len)
{
    static const char empty[1] = {0};
    p_set(&s->p, i, len ? (const char *)v : empty, (int)len, 1);
}

static void pg_bind_null(vg_store_stmt *s, int i)
{
    p_set(&s->p, i, NULL, 0, 0);
}

static vg_status pg_step(vg_store_stmt *s, const char *what, int *row, vg_sql_error *fail,
                         vg_err *err)
{
    *row = 0;
    *fail = VG_SQL_OK;
    PQfreemem(s->blob);
    s->blob = NULL;
    if (!s->r) {
        vg_status st = q(s->c, s->sql, &s->p, s->binary, what, &s->r, fail, err);
        if (st != VG_OK)
            return st;
        s->rows = PQntuples(s->r);
        s->row = -1;
        if (s->returning) { /* the id, and no rows to read */
            s->last_id = s->rows > 0 ? read_i64(s->r, 0, 0) : 0;
            s->row = s->rows;
        }
    }
    if (s->row < s->rows)
        s->row++;
    *row = s->row < s->rows;
    return VG_OK;
}

static int64_t pg_col_i64(vg_store_stmt *s, int i)
{
    return read_i64(s->r, s->row, i);
}

static double pg_col_f64(vg_store_stmt *s, int i)
{
    return read_f64(s->r, s->row, i);
}

static int pg_col_null(vg_store_stmt *s, int i)
{
    return PQgetisnull(s->r, s->row, i);
}

static const char *pg_col_text(vg_store_stmt *s, int i, size_t *len)
{
    if (PQgetisnull(s->r, s->row, i)) {
        *len = 0;
        return "";
    }
    *len = (size_t)PQgetlength(s->r, s->row, i);
    return PQgetvalue(s->r, s->row, i);
}

/* bytea: as it is in a binary result; in a text one (\x and hex digits)
 * decoded into s->blob. */
static const uint8_t *pg_col_blob(vg_store_stmt *s, int i, size_t *len)
{
    *len = 0;
    PQfreemem(s->blob);
    s->blob = NULL;
    if (PQgetisnull(s->r, s->row, i))
        return NULL;
    if (PQfformat(s->r, i) == 1) {
        *len = (size_t)PQgetlength(s->r, s->row, i);
        return (const uint8_t *)PQgetvalue(s->r, s->row, i);
    }
    s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->r, s->row, i), len);
    if (!s->blob)
        *len = 0;
    return s->blob;
}

static int64_t pg_changes(vg_store_stmt *s)
{
    return s->r ? strtoll(PQcmdTuples(s->r), NULL, 10) : 0;
}

static int64_t pg_last_id(vg_store_stmt *s)
{
    return s->last_id;
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
        vg_url_redact(path, red, sizeof red);
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
    vg_status s = q_int(c, HAS_SCHEMA_VERSION, &has,
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
    s = q_int(c, "SELECT coalesce(max(version), 0) FROM schema_version", &v,
              "reading the schema version", err);
    if (s == VG_OK)
        *version = v > 1000000 ? 1000000 : (int)v;
    return s;
}

static vg_status pg_exec_outside(vg_store_conn *c, const char *sql, vg_err *err)
{
    if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return vg_err_set(err, VG_ERR_INTERNAL, "database %s: a transaction is open", c->where);
    return q_script(c, sql, "running a migration step", err);
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

/* ---- change notifications ----
 *
 * pg_notify() inside the writing transaction: PostgreSQL delivers it to
 * every listening connection when (and only if) the transaction commits,
 * and folds identical notifications of one transaction into one. */

static vg_status pg_notify(vg_store_conn *c, const char *channel, int64_t id, vg_err *err)
{
    params p = {0};
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)id);
    p_set(&p, 1, channel, 0, 0);
    p_set(&p, 2, num, 0, 0);
    return q(c, "SELECT pg_notify($1, $2)", &p, 0, "sending a change notification", NULL, NULL,
             err);
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
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_i64 = pg_bind_i64,
    .bind_f64 = pg_bind_f64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .col_i64 = pg_col_i64,
    .col_f64 = pg_col_f64,
    .col_null = pg_col_null,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .last_id = pg_last_id,
    .exec = q_script,
    .schema_version = pg_schema_version,
    .exec_outside = pg_exec_outside,
    .reclaim = pg_reclaim,
    .notify = pg_notify,
    .listen_open = pg_listen_open,
    .listen_wait = pg_listen_wait,
};
