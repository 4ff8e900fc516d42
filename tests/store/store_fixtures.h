/* store_fixtures.h — what the store tests share: a fresh directory with a
 * database per test, opening with a fake clock, enrolment input (random
 * unit vectors and JPEG-looking bytes), and direct access to the database
 * to count rows, tamper with it and snapshot it, so that a refused call can
 * be shown to have changed nothing; deployments and alerts (fx_deployment,
 * fx_alert).
 *
 * Both backends: when VIGIL_TEST_PG holds the URL of a PostgreSQL server
 * (tests/store/with_postgres.sh starts one and sets it; CTest runs every
 * store test a second time that way, as NAME_pg), each database is a new
 * PostgreSQL database on it instead of a file, its key file stays in the
 * test's directory, and raw_exec/raw_int/raw_blob speak to it with libpq.
 * A test of SQLite's own file (its bytes on disk, its pragmas) calls
 * fx_sqlite_only(), which skips it on PostgreSQL.
 */
#ifndef VG_STORE_FIXTURES_H
#define VG_STORE_FIXTURES_H

#include "vg_test.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <math.h>
#include <sqlite3.h>
#include <unistd.h>

#include "vigil/store.h"

#define T0 1700000000LL /* 2023-11-14T22:13:20Z: the tests' clock */
#define DIM 512
#define MODEL "fr_feature.onnx:1111111111111111111111111111111111111111111111111111111111111111"
#define ACTOR "tester"

typedef struct fx {
    char dir[256];
    char db[400]; /* a file, or a PostgreSQL URL */
    char key[320];
    vg_store *s;
} fx;

static inline void fx_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- the backend under test ---- */

/* The PostgreSQL server's URL (its maintenance database), or NULL: SQLite. */
static inline const char *fx_pg(void)
{
    const char *u = getenv("VIGIL_TEST_PG");
    return u && *u ? u : NULL;
}

static inline int fx_is_url(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0;
}

/* For a test of SQLite's file itself: skipped on PostgreSQL. */
#define fx_sqlite_only()                                                                       \
    do {                                                                                       \
        if (fx_pg()) {                                                                         \
            print_message("(this test checks SQLite's database file: not on PostgreSQL)\n"); \
            skip();                                                                            \
        }                                                                                      \
    } while (0)

/* One connection kept for the fixtures' direct access (a connection per
 * check would cost the tests most of their time): reused while the URL is
 * the same and the connection works. */
static PGconn *fx_pg_conn;
static char fx_pg_conn_url[400];

static inline void pg_disconnect(void)
{
    PQfinish(fx_pg_conn);
    fx_pg_conn = NULL;
    fx_pg_conn_url[0] = '\0';
}

static inline PGconn *pg_connect(const char *url)
{
    if (fx_pg_conn && !strcmp(fx_pg_conn_url, url) && PQstatus(fx_pg_conn) == CONNECTION_OK)
        return fx_pg_conn;
    pg_disconnect();
    PGconn *h = PQconnectdb(url);
    if (PQstatus(h) != CONNECTION_OK)
        fprintf(stderr, "connecting to %s: %s\n", url, PQerrorMessage(h));
    assert_int_equal(PQstatus(h), CONNECTION_OK);
    PQclear(PQexec(h, "SET client_min_messages = warning"));
    fx_pg_conn = h;
    snprintf(fx_pg_conn_url, sizeof fx_pg_conn_url, "%s", url);
    return h;
}

/* Runs sql on the kept connection (binary: binary results), once more on a
 * new connection when the kept one died (a server restarted by a test). */
static inline PGresult *pg_exec(const char *url, const char *sql, int binary)
{
    PGresult *r = PQexecParams(pg_connect(url), sql, 0, NULL, NULL, NULL, NULL, binary);
    if (PQstatus(fx_pg_conn) != CONNECTION_OK) {
        PQclear(r);
        r = PQexecParams(pg_connect(url), sql, 0, NULL, NULL, NULL, NULL, binary);
    }
    ExecStatusType es = PQresultStatus(r);
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK)
        fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(fx_pg_conn));
    assert_true(es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK);
    return r;
}

static inline void pg_run(const char *url, const char *sql)
{
    if (!strchr(sql, ';')) {
        PQclear(pg_exec(url, sql, 0));
        return;
    }
    PGconn *h = pg_connect(url); /* several statements: the simple protocol */
    PGresult *r = PQexec(h, sql);
    ExecStatusType es = PQresultStatus(r);
    if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK)
        fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(h));
    assert_true(es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK);
    PQclear(r);
}

/* The databases made on the server and their key files, so that a test
 * names a database and its key the same way on both backends. */
typedef struct fx_pgdb {
    char url[400], key[400], name[64];
} fx_pgdb;
static fx_pgdb fx_pgdbs[64];
static int fx_npgdbs;

/* A database for a test: the file dir/stem.db (SQLite) or a new, empty
 * PostgreSQL database with its key file to be dir/stem.db.key. */
static inline void fx_db_new(const char *dir, const char *stem, char *db, size_t cap)
{
    if (!fx_pg()) {
        snprintf(db, cap, "%s/%s.db", dir, stem);
        return;
    }
    fx_pgdb *p = NULL;
    for (int i = 0; i < fx_npgdbs && !p; i++)
        if (!fx_pgdbs[i].name[0]) /* a slot fx_db_drop_all freed */
            p = &fx_pgdbs[i];
    if (!p) {
        assert_true(fx_npgdbs < 64);
        p = &fx_pgdbs[fx_npgdbs++];
    }
    const char *base = strrchr(dir, '-');
    snprintf(p->name, sizeof p->name, "vg_%d_%s_%s", (int)getpid(), base ? base + 1 : "x", stem);
    for (char *c = p->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            *c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : '_';
    char sql[200];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", p->name);
    pg_run(fx_pg(), sql);
    const char *slash = strrchr(fx_pg(), '/');
    assert_non_null(slash);
    char name[64];
    memcpy(name, p->name, sizeof name);
    snprintf(p->url, sizeof p->url, "%.*s/%s", (int)(slash - fx_pg()), fx_pg(), name);
    snprintf(p->key, sizeof p->key, "%s/%s.db.key", dir, stem);
    snprintf(db, cap, "%s", p->url);
}

/* The key file a database's NULL key stands for: DB.key beside a SQLite
 * file, the one fx_db_new named for a PostgreSQL database. */
static inline const char *fx_key_for(const char *db)
{
    if (!fx_is_url(db))
        return NULL;
    for (int i = 0; i < fx_npgdbs; i++)
        if (!strcmp(fx_pgdbs[i].url, db))
            return fx_pgdbs[i].key;
    return NULL;
}

/* Drops the PostgreSQL databases made in dir (none on SQLite). */
static inline void fx_db_drop_all(const char *dir)
{
    for (int i = 0; i < fx_npgdbs; i++) {
        if (strncmp(fx_pgdbs[i].key, dir, strlen(dir)) != 0 || !fx_pgdbs[i].name[0])
            continue;
        if (!strcmp(fx_pg_conn_url, fx_pgdbs[i].url))
            pg_disconnect();
        char sql[200];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx_pgdbs[i].name);
        pg_run(fx_pg(), sql);
        fx_pgdbs[i].name[0] = '\0';
        fx_pgdbs[i].url[0] = '\0';
    }
}

static inline vg_store *fx_open_at(const char *db, const char *key, int64_t now)
{
    vg_store_options o = {.path = db, .key_path = key ? key : fx_key_for(db), .now = now};
    vg_store *s = NULL;
    vg_err err = {{0}};
    vg_status st = vg_store_open(&o, &s, &err);
    if (st != VG_OK)
        fprintf(stderr, "vg_store_open %s: %s\n", db, err.msg);
    assert_int_equal(st, VG_OK);
    assert_non_null(s);
    return s;
}

/* A new directory and database opened at the given clock (0: real time). */
static inline void fx_init(fx *f, int64_t now)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/vigil-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    fx_db_new(f->dir, "vigil", f->db, sizeof f->db);
    snprintf(f->key, sizeof f->key, "%s/vigil.db.key", f->dir);
    f->s = fx_open_at(f->db, NULL, now);
}

static inline void fx_reopen(fx *f, int64_t now)
{
    vg_store_close(f->s);
    f->s = fx_open_at(f->db, NULL, now);
}

static inline void fx_done(fx *f)
{
    vg_store_close(f->s);
    f->s = NULL;
    fx_db_drop_all(f->dir);
    fx_rmdir(f->dir);
}

/* ---- direct access (SQLite, or libpq for a URL) ---- */

static inline sqlite3 *raw_open(const char *db)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    return h;
}

static inline void raw_exec(const char *db, const char *sql)
{
    if (fx_is_url(db)) {
        pg_run(db, sql);
        return;
    }
    sqlite3 *h = raw_open(db);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* The first column of the first row (NULL reads 0). */
static inline long long raw_int(const char *db, const char *sql)
{
    if (fx_is_url(db)) {
        PGresult *r = pg_exec(db, sql, 0);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        assert_true(PQntuples(r) >= 1);
        const char *v = PQgetvalue(r, 0, 0);
        long long x = PQgetisnull(r, 0, 0) ? 0 : (v[0] == 't' ? 1 : v[0] == 'f' ? 0 : strtoll(v, NULL, 10));
        PQclear(r);
        return x;
    }
    sqlite3 *h = raw_open(db);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* The bytes of the first column of the first row (malloc'd). */
static inline uint8_t *raw_blob(const char *db, const char *sql, size_t *len)
{
    uint8_t *b;
    if (fx_is_url(db)) {
        PGresult *r = pg_exec(db, sql, 1);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        assert_true(PQntuples(r) >= 1);
        *len = (size_t)PQgetlength(r, 0, 0);
        b = malloc(*len ? *len : 1);
        assert_non_null(b);
        memcpy(b, PQgetvalue(r, 0, 0), *len);
        PQclear(r);
        return b;
    }
    sqlite3 *h = raw_open(db);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *len = (size_t)sqlite3_column_bytes(st, 0);
    b = malloc(*len ? *len : 1);
    assert_non_null(b);
    if (*len)
        memcpy(b, sqlite3_column_blob(st, 0), *len);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return b;
}

/* Whether the table exists. */
static inline long long raw_table_exists(const char *db, const char *name)
{
    char sql[200];
    if (fx_is_url(db))
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema() AND tablename = '%s'", name);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'", name);
    return raw_int(db, sql);
}

/* Row counts of every table and the audit head: equal snapshots before and
 * after a refused call show it changed nothing. */
typedef struct snap {
    long long watchlists, subjects, templates, photos, audit, audit_max, meta;
    long long deployments, cameras, alerts, counters, counter_sum;
} snap;

static inline snap take_snap(const char *db)
{
    snap s;
    s.watchlists = raw_int(db, "SELECT count(*) FROM watchlist");
    s.subjects = raw_int(db, "SELECT count(*) FROM subject");
    s.templates = raw_int(db, "SELECT count(*) FROM template");
    s.photos = raw_int(db, "SELECT count(*) FROM photo");
    s.audit = raw_int(db, "SELECT count(*) FROM audit");
    s.audit_max = raw_int(db, "SELECT coalesce(max(seq), 0) FROM audit");
    s.meta = raw_int(db, "SELECT count(*) FROM meta");
    s.deployments = raw_int(db, "SELECT count(*) FROM deployment");
    s.cameras = raw_int(db, "SELECT count(*) FROM deployment_camera");
    s.alerts = raw_int(db, "SELECT count(*) FROM alert");
    s.counters = raw_int(db, "SELECT count(*) FROM counters");
    s.counter_sum = raw_int(db, "SELECT coalesce(sum(frames_in + frames_processed + "
                                "frames_dropped + faces + tracks + embeddings + comparisons + "
                                "alerts + reconnects), 0) FROM counters");
    return s;
}

static inline void assert_snap_equal(snap a, snap b)
{
    assert_int_equal(a.watchlists, b.watchlists);
    assert_int_equal(a.subjects, b.subjects);
    assert_int_equal(a.templates, b.templates);
    assert_int_equal(a.photos, b.photos);
    assert_int_equal(a.audit, b.audit);
    assert_int_equal(a.audit_max, b.audit_max);
    assert_int_equal(a.meta, b.meta);
    assert_int_equal(a.deployments, b.deployments);
    assert_int_equal(a.cameras, b.cameras);
    assert_int_equal(a.alerts, b.alerts);
    assert_int_equal(a.counters, b.counters);
    assert_int_equal(a.counter_sum, b.counter_sum);
}

/* ---- enrolment input ---- */

static inline uint64_t fx_rng(uint64_t *s)
{ /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A random unit vector, deterministic in seed. */
static inline void fx_vec(uint64_t seed, float *v, int dim)
{
    double n = 0;
    for (int i = 0; i < dim; i++) {
        v[i] = (float)((double)(fx_rng(&seed) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
        n += (double)v[i] * v[i];
    }
    for (int i = 0; i < dim; i++)
        v[i] = (float)(v[i] / sqrt(n));
}

/* Bytes that start like a JFIF JPEG (SOI, APP0 "JFIF") and end with EOI. */
static inline uint8_t *fx_jpeg(uint64_t seed, size_t len)
{
    static const uint8_t head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00};
    assert_true(len > sizeof head + 2);
    uint8_t *b = malloc(len);
    assert_non_null(b);
    memcpy(b, head, sizeof head);
    for (size_t i = sizeof head; i < len - 2; i++)
        b[i] = (uint8_t)fx_rng(&seed);
    b[len - 2] = 0xff;
    b[len - 1] = 0xd9;
    return b;
}

/* n photos for subject number `who`: vectors and JPEGs owned by the caller
 * (free with fx_photos_free). */
typedef struct fx_photos {
    vg_enrolment e[8];
    float vec[8][DIM];
    uint8_t *jpeg[8];
    int n;
} fx_photos;

static inline fx_photos *fx_photos_new(int who, int n)
{
    assert_true(n >= 1 && n <= 8);
    fx_photos *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->n = n;
    for (int i = 0; i < n; i++) {
        uint64_t seed = (uint64_t)who * 1000 + (uint64_t)i;
        fx_vec(seed, p->vec[i], DIM);
        p->jpeg[i] = fx_jpeg(seed, 2000 + 37 * (size_t)i);
        p->e[i] = (vg_enrolment){.vec = p->vec[i], .dim = DIM, .quality = 0.5f + 0.01f * i,
                                 .jpeg = p->jpeg[i], .jpeg_len = 2000 + 37 * (size_t)i};
    }
    return p;
}

static inline void fx_photos_free(fx_photos *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->jpeg[i]);
    free(p);
}

static inline int64_t fx_watchlist(vg_store *s, const char *name, int64_t expires_at,
                                   int max_size)
{
    vg_watchlist w = {0};
    snprintf(w.name, sizeof w.name, "%s", name);
    snprintf(w.reason, sizeof w.reason, "test list %s", name);
    snprintf(w.authorised_by, sizeof w.authorised_by, "Supt. Example");
    w.expires_at = expires_at;
    w.max_size = max_size;
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_watchlist_create(s, ACTOR, &w, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "watchlist_create %s: %s\n", name, err.msg);
    assert_int_equal(st, VG_OK);
    assert_true(id > 0);
    return id;
}

static inline vg_subject fx_subject(int64_t watchlist_id, const char *name)
{
    vg_subject sub;
    memset(&sub, 0, sizeof sub);
    sub.watchlist_id = watchlist_id;
    snprintf(sub.name, sizeof sub.name, "%s", name);
    snprintf(sub.reason, sizeof sub.reason, "wanted for questioning");
    snprintf(sub.category, sizeof sub.category, "wanted");
    snprintf(sub.source, sizeof sub.source, "custody photo 2023/123");
    snprintf(sub.authorised_by, sizeof sub.authorised_by, "Insp. Example");
    return sub;
}

/* Enrols subject number `who` with n photos; returns its id. */
static inline int64_t fx_enrol(vg_store *s, int64_t watchlist_id, const char *name, int who,
                               int n)
{
    vg_subject sub = fx_subject(watchlist_id, name);
    fx_photos *p = fx_photos_new(who, n);
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_subject_add(s, ACTOR, &sub, MODEL, p->e, n, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "subject_add %s: %s\n", name, err.msg);
    assert_int_equal(st, VG_OK);
    assert_true(id > 0);
    fx_photos_free(p);
    return id;
}

/* Whether needle occurs in the file (NULL-safe: an absent file has nothing). */
static inline int file_contains(const char *path, const void *needle, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)len, f);
    fclose(f);
    int found = 0;
    for (size_t i = 0; !found && got >= n && i <= got - n; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

/* Whether needle is anywhere in what the database stores: its SQLite file
 * or that file's WAL; on PostgreSQL, every stored byte string and name
 * (templates, photos, crops, meta, subject names, audit details) read back
 * as bytes. */
static inline int fx_stored_contains(const char *db, const void *needle, size_t n)
{
    if (!fx_is_url(db)) {
        char wal[450];
        snprintf(wal, sizeof wal, "%s-wal", db);
        return file_contains(db, needle, n) || file_contains(wal, needle, n);
    }
    size_t len = 0;
    uint8_t *b = raw_blob(db,
                          "SELECT coalesce(string_agg(x, '\\x00'::bytea), '') FROM ("
                          "SELECT vector AS x FROM template UNION ALL SELECT jpeg FROM photo "
                          "UNION ALL SELECT crop FROM alert WHERE crop IS NOT NULL "
                          "UNION ALL SELECT value FROM meta "
                          "UNION ALL SELECT convert_to(name, 'UTF8') FROM subject "
                          "UNION ALL SELECT convert_to(details, 'UTF8') FROM audit) t",
                          &len);
    int found = 0;
    for (size_t i = 0; !found && len >= n && i <= len - n; i++)
        found = memcmp(b + i, needle, n) == 0;
    free(b);
    return found;
}

/* ---- deployments and alerts ---- */

/* A valid deployment of the watch list with n cameras (rtsp://camN/), a
 * window around T0; heap-allocated (a vg_deployment is ~128 KiB). */
static inline vg_deployment *fx_deployment_new(const char *name, int64_t watchlist_id, int n)
{
    vg_deployment *d = calloc(1, sizeof *d);
    assert_non_null(d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->watchlist_id = watchlist_id;
    snprintf(d->location, sizeof d->location, "High Street, outside no. 12");
    d->n_cameras = n;
    for (int i = 0; i < n; i++)
        snprintf(d->cameras[i], sizeof d->cameras[i], "rtsp://cam%d.example/stream", i + 1);
    d->starts_at = T0 - 3600;
    d->ends_at = T0 + 8 * 3600;
    snprintf(d->authorised_by, sizeof d->authorised_by, "Supt. Example");
    d->signage_confirmed = 1;
    d->threshold = 0.54f;
    return d;
}

static inline int64_t fx_deployment(vg_store *s, const char *name, int64_t watchlist_id, int n)
{
    vg_deployment *d = fx_deployment_new(name, watchlist_id, n);
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_deployment_create(s, ACTOR, d, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "deployment_create %s: %s\n", name, err.msg);
    assert_int_equal(st, VG_OK);
    assert_true(id > 0);
    free(d);
    return id;
}

static inline vg_alert fx_alert(int64_t deployment_id, int64_t subject_id, const char *uid)
{
    vg_alert a;
    memset(&a, 0, sizeof a);
    a.deployment_id = deployment_id;
    snprintf(a.camera, sizeof a.camera, "cam1");
    a.subject_id = subject_id;
    a.score = 0.6123f;
    a.frame_time = (double)T0 + 0.25;
    a.raised_at = (double)T0 + 0.5;
    snprintf(a.uid, sizeof a.uid, "%s", uid);
    return a;
}

#endif
