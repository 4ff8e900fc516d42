/* test_store_nodes.c — several processes ("nodes") on one database, and
 * what a shared server adds, on both backends (NAME and NAME_pg, see
 * store_fixtures.h):
 *  - two processes enrolling at the same time: every enrolment is whole,
 *    the audit chain stays one line (seq 1..n, each entry chained to the one
 *    before) and verifies;
 *  - two processes writing the same 40 alerts (same uids) at the same time:
 *    each alert is stored and audited once;
 *  - five processes opening a new, empty database at the same moment: all
 *    open it, each migration is applied once, one key check is written;
 *  - every migration has a text for every SQL dialect;
 *  - an unreachable PostgreSQL server is VG_ERR_IO naming host and port,
 *    never the URL's password;
 *  - PostgreSQL only: the server stopped (immediately) during a burst of
 *    enrolments, then started again: the writer gets a clear VG_ERR_IO,
 *    nothing half-written is found, the chain verifies, and a store opened
 *    before the stop works again once the server is back; a database of
 *    another program is refused as not a vigil database.
 */
#include "store_fixtures.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "store/migrations.h"

#define PER_SUBJECT 3

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *backend_name(void)
{
    return fx_pg() ? "PostgreSQL" : "SQLite";
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void assert_chain_linear(const char *db, vg_store *s)
{
    int64_t bad = -1, entries = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_verify(s, &bad, &entries, &err);
    if (st != VG_OK)
        fprintf(stderr, "audit verify: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_int_equal(bad, 0);
    /* one line: seq 1..n without gaps, each entry's prev_hash its
     * predecessor's hash */
    long long n = raw_int(db, "SELECT count(*) FROM audit");
    assert_int_equal(entries, n);
    assert_int_equal(raw_int(db, "SELECT coalesce(max(seq), 0) FROM audit"), n);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 "
                                 "WHERE b.prev_hash <> a.hash"),
                     0);
}

/* Every subject whole, and one subject.add entry per subject. */
static long long assert_whole(const char *db)
{
    assert_int_equal(raw_int(db, "SELECT count(*) FROM subject s WHERE "
                                 "(SELECT count(*) FROM template t WHERE t.subject_id = s.id) <> 3 "
                                 "OR (SELECT count(*) FROM photo p WHERE p.subject_id = s.id) <> 3"),
                     0);
    long long subjects = raw_int(db, "SELECT count(*) FROM subject");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM audit WHERE action = 'subject.add'"),
                     subjects);
    return subjects;
}

/* A child: opens db when the parent closes the gate, enrols n subjects,
 * exits 0 (or the step that failed). */
static void child_enrol(const char *db, int gate, int who, int n)
{
    char c;
    if (read(gate, &c, 1) != 0)
        _exit(2);
    vg_store_options o = {.path = db, .key_path = fx_key_for(db), .now = T0};
    vg_store *s = NULL;
    vg_err err;
    if (vg_store_open(&o, &s, &err) != VG_OK) {
        fprintf(stderr, "child %d: %s\n", who, err.msg);
        _exit(3);
    }
    vg_watchlist w;
    if (vg_store_watchlist_get(s, "shared", &w, &err) != VG_OK)
        _exit(4);
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "node %d subject %d", who, i);
        vg_subject sub = fx_subject(w.id, name);
        fx_photos *p = fx_photos_new(who * 1000 + i, PER_SUBJECT);
        int64_t id;
        char actor[32];
        snprintf(actor, sizeof actor, "node%d", who);
        vg_status st = vg_store_subject_add(s, actor, &sub, MODEL, p->e, PER_SUBJECT, &id, &err);
        fx_photos_free(p);
        if (st != VG_OK) {
            fprintf(stderr, "child %d, subject %d: %s\n", who, i, err.msg);
            _exit(5);
        }
    }
    vg_store_close(s);
    _exit(0);
}

static void test_two_nodes_enrolling(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    fx_watchlist(f.s, "shared", 0, 0);
    vg_store_close(f.s);
    f.s = NULL;
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    fflush(NULL);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(gate[1]);
            child_enrol(f.db, gate[0], k + 1, 25);
        }
    }
    close(gate[0]);
    double t0 = now_s();
    close(gate[1]); /* both start now */
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    double took = now_s() - t0;
    assert_int_equal(assert_whole(f.db), 50);
    /* the two really ran at the same time: their entries interleave */
    long long switches = raw_int(f.db, "SELECT count(*) FROM audit a JOIN audit b "
                                       "ON b.seq = a.seq + 1 WHERE a.action = 'subject.add' AND "
                                       "b.action = 'subject.add' AND a.actor <> b.actor");
    fprintf(stderr,
            "%s: 50 enrolments (3 templates and photos each) by two processes in %.2f s "
            "(%.0f/s, opening included), %lld switches between them in the chain\n",
            backend_name(), took, 50 / took, switches);
    f.s = fx_open_at(f.db, NULL, T0);
    assert_chain_linear(f.db, f.s);
    fx_done(&f);
}

/* A child: adds alerts uid "a-0".."a-(n-1)" when the gate opens. */
static void child_alerts(const char *db, int gate, int64_t dep, int64_t subject, int n)
{
    char c;
    if (read(gate, &c, 1) != 0)
        _exit(2);
    vg_store_options o = {.path = db, .key_path = fx_key_for(db), .now = T0};
    vg_store *s = NULL;
    vg_err err;
    if (vg_store_open(&o, &s, &err) != VG_OK)
        _exit(3);
    uint8_t *crop = fx_jpeg(5, 1500);
    for (int i = 0; i < n; i++) {
        char uid[32];
        snprintf(uid, sizeof uid, "a-%d", i);
        vg_alert a = fx_alert(dep, subject, uid);
        int64_t id = 0;
        if (vg_store_alert_add(s, "engine", &a, crop, 1500, &id, &err) != VG_OK || id <= 0) {
            fprintf(stderr, "alert %s: %s\n", uid, err.msg);
            _exit(5);
        }
    }
    free(crop);
    vg_store_close(s);
    _exit(0);
}

static void test_same_alerts_from_two_nodes(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "shared", 0, 0);
    int64_t subject = fx_enrol(f.s, wl, "listed", 1, 1);
    int64_t dep = fx_deployment(f.s, "street", wl, 1);
    vg_store_close(f.s);
    f.s = NULL;
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    fflush(NULL);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(gate[1]);
            child_alerts(f.db, gate[0], dep, subject, 40);
        }
    }
    close(gate[0]);
    double t0 = now_s();
    close(gate[1]);
    for (int k = 0; k < 2; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    fprintf(stderr, "%s: 2 x 40 alert writes (40 distinct) by two processes in %.2f s\n",
            backend_name(), now_s() - t0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM alert"), 40);
    assert_int_equal(raw_int(f.db, "SELECT count(DISTINCT uid) FROM alert"), 40);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'alert.raise'"), 40);
    f.s = fx_open_at(f.db, NULL, T0);
    assert_chain_linear(f.db, f.s);
    fx_done(&f);
}

static void test_nodes_opening_a_new_database_together(void **state)
{
    (void)state;
    fx f;
    memset(&f, 0, sizeof f);
    snprintf(f.dir, sizeof f.dir, "/tmp/vigil-store-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    fx_db_new(f.dir, "vigil", f.db, sizeof f.db);
    /* the installation's key, copied to every node before they start */
    snprintf(f.key, sizeof f.key, "%s/vigil.db.key", f.dir);
    FILE *kf = fopen(f.key, "wb");
    assert_non_null(kf);
    for (int i = 0; i < 32; i++)
        fputc(0x5a ^ i, kf);
    fclose(kf);
    assert_int_equal(chmod(f.key, 0600), 0);

    enum { NODES = 5 };
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    fflush(NULL);
    pid_t kids[NODES];
    for (int k = 0; k < NODES; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(gate[1]);
            char c;
            if (read(gate[0], &c, 1) != 0)
                _exit(2);
            vg_store_options o = {.path = f.db, .key_path = f.key, .now = T0 + k};
            vg_store *s = NULL;
            vg_err err;
            if (vg_store_open(&o, &s, &err) != VG_OK) {
                fprintf(stderr, "node %d: %s\n", k, err.msg);
                _exit(3);
            }
            int v = vg_store_db_schema_version(s);
            vg_store_close(s);
            _exit(v == vg_store_schema_version() ? 0 : 4);
        }
    }
    close(gate[0]);
    close(gate[1]);
    for (int k = 0; k < NODES; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM schema_version"),
                     vg_store_migrations_count());
    assert_int_equal(raw_int(f.db, "SELECT count(DISTINCT version) FROM schema_version"),
                     vg_store_migrations_count());
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM meta WHERE key = 'key_check'"), 1);
    /* and the database works for all of them with that key */
    f.s = fx_open_at(f.db, f.key, T0);
    int64_t wl = fx_watchlist(f.s, "after", 0, 0);
    fx_enrol(f.s, wl, "x", 1, 1);
    assert_chain_linear(f.db, f.s);
    fx_done(&f);
}

static void test_every_migration_has_every_dialect(void **state)
{
    (void)state;
    int n = vg_store_migrations_count();
    assert_true(n >= 5);
    for (int i = 0; i < n; i++) {
        /* numbered 1, 2, 3, ... in order, with no gap */
        assert_int_equal(vg_store_migration_version(i), i + 1);
        for (int d = 0; d < VG_DIALECT_COUNT; d++) {
            const char *sql = vg_store_migration_sql(i, (vg_store_dialect)d);
            if (!sql || (!*sql && !vg_store_migration_has_step(i)))
                fprintf(stderr, "migration %d has no text for dialect %d\n", i + 1, d);
            assert_non_null(sql);
            /* "" only for a migration that changes no table and runs its
             * step (migration 13: every sealed value sealed again) */
            if (vg_store_migration_has_step(i) && !*sql)
                continue;
            assert_true(strlen(sql) > 10);
        }
    }
    assert_int_equal(vg_store_migration_version(n - 1), vg_store_schema_version());
    assert_null(vg_store_migration_sql(n, VG_DIALECT_SQLITE));
}

static vg_status open_status(const char *db, const char *key, vg_err *err)
{
    vg_store_options o = {.path = db, .key_path = key, .now = T0};
    vg_store *s = NULL;
    vg_status st = vg_store_open(&o, &s, err);
    assert_true(st != VG_OK);
    assert_null(s);
    return st;
}

/* A port nothing listens on: bound, never listened to, closed. */
static int closed_port(void)
{
    char cmd[] = "python3 -c 'import socket; s = socket.socket(); "
                 "s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'";
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int port = 0;
    assert_int_equal(fscanf(p, "%d", &port), 1);
    pclose(p);
    return port;
}

static void test_unreachable_server(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigil-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char key[300], url[300];
    snprintf(key, sizeof key, "%s/k.key", dir);
    int port = closed_port();
    snprintf(url, sizeof url, "postgresql://vigil:Sekr1t-pw@127.0.0.1:%d/vigil?connect_timeout=5",
             port);
    vg_err err = {{0}};
    assert_int_equal(open_status(url, key, &err), VG_ERR_IO);
    char want[120];
    snprintf(want, sizeof want, "cannot connect to PostgreSQL at 127.0.0.1 port %d", port);
    if (!strstr(err.msg, want))
        fprintf(stderr, "%s\n", err.msg);
    assert_non_null(strstr(err.msg, want));
    assert_null(strstr(err.msg, "Sekr1t"));
    struct stat st;
    assert_int_not_equal(stat(key, &st), 0); /* no key file made for nothing */
    /* a URL libpq cannot parse */
    assert_int_equal(open_status("postgresql://vigil:Sekr1t-pw@127.0.0.1:5432/v?nonsense=1", key,
                                 &err),
                     VG_ERR_INVALID);
    assert_null(strstr(err.msg, "Sekr1t"));
    fx_rmdir(dir);
}

/* Runs VIGIL_TEST_PG_CTL with an action ("stop -m immediate", "start"). */
static void pg_ctl(const char *action)
{
    const char *ctl = getenv("VIGIL_TEST_PG_CTL");
    assert_non_null(ctl);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", ctl, action);
    assert_int_equal(system(cmd), 0);
}

static void test_server_stopped_during_writes(void **state)
{
    (void)state;
    if (!fx_pg()) { /* not skip(): that would mark the whole SQLite run skipped */
        print_message("(a test of a PostgreSQL server going away: nothing to do on SQLite)\n");
        return;
    }
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "shared", 0, 0);
    fx_enrol(f.s, wl, "before the stop", 1, PER_SUBJECT);

    /* a writer enrolling as fast as it can; the server goes away under it */
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    fflush(NULL);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        close(gate[1]);
        child_enrol(f.db, gate[0], 7, 100000);
    }
    close(gate[0]);
    close(gate[1]);
    sleep_ms(1500);
    pg_ctl("stop -m immediate");
    int status = 0;
    assert_int_equal(waitpid(kid, &status, 0), kid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 5); /* a failed enrolment, not a crash */

    /* this store's connection is gone too: a clear error naming the server */
    vg_err err = {{0}};
    int64_t id = 0;
    vg_subject sub = fx_subject(wl, "during the stop");
    fx_photos *p = fx_photos_new(99, PER_SUBJECT);
    vg_status st = vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, PER_SUBJECT, &id, &err);
    assert_int_equal(st, VG_ERR_IO);
    fprintf(stderr, "while stopped: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "PostgreSQL at 127.0.0.1 port"));
    const char *pw = strchr(strstr(f.db, "://") + 3, ':') + 1; /* "pw@host..." */
    char secret[64];
    snprintf(secret, sizeof secret, "%.*s", (int)(strchr(pw, '@') - pw), pw);
    assert_null(strstr(err.msg, secret));
    /* and opening is refused the same way */
    assert_int_equal(open_status(f.db, f.key, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL at 127.0.0.1 port"));
    assert_null(strstr(err.msg, secret));

    pg_ctl("start");
    /* nothing half-written; the chain verifies */
    long long subjects = assert_whole(f.db);
    assert_true(subjects >= 2); /* the writer did write before the stop */
    /* the store opened before the stop works again (its connection reset) */
    st = vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, PER_SUBJECT, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "after the restart: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    fx_photos_free(p);
    assert_int_equal(assert_whole(f.db), subjects + 1);
    assert_chain_linear(f.db, f.s);
    fprintf(stderr, "%lld subjects whole after the stop and restart\n", subjects + 1);
    fx_done(&f);
}

static void test_another_programs_database(void **state)
{
    (void)state;
    if (!fx_pg()) {
        print_message("(test_store_crypto.c checks another program's SQLite file)\n");
        return;
    }
    char dir[] = "/tmp/vigil-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[400], key[450];
    fx_db_new(dir, "other", db, sizeof db);
    raw_exec(db, "CREATE TABLE t (x integer); INSERT INTO t VALUES (1)");
    snprintf(key, sizeof key, "%s/other.db.key", dir);
    vg_err err = {{0}};
    assert_int_equal(open_status(db, key, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a vigil database"));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pg_catalog.pg_tables "
                                 "WHERE schemaname = current_schema()"),
                     1);
    struct stat st;
    assert_int_not_equal(stat(key, &st), 0);
    fx_db_drop_all(dir);
    fx_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_migration_has_every_dialect),
        cmocka_unit_test(test_two_nodes_enrolling),
        cmocka_unit_test(test_same_alerts_from_two_nodes),
        cmocka_unit_test(test_nodes_opening_a_new_database_together),
        cmocka_unit_test(test_unreachable_server),
        cmocka_unit_test(test_another_programs_database),
        cmocka_unit_test(test_server_stopped_during_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
