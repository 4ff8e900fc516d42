/* test_store_crash.c — crash safety: a child process enrols subjects (three
 * templates and photos each) as fast as it can and is killed with SIGKILL at
 * a random point, 20 times over the same database. After each kill the file
 * passes PRAGMA integrity_check (SQLite), the audit chain verifies, every subject is
 * whole (all its templates and photos) or absent, and every subject present
 * has exactly one subject.add entry: a change and its audit entry are
 * committed together or not at all.
 */
#include "store_fixtures.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define ROUNDS 20
#define PER_SUBJECT 3

static void child_enrol(const char *db, int round)
{
    vg_store_options o = {.path = db, .key_path = fx_key_for(db), .now = T0};
    vg_store *s = NULL;
    vg_err err;
    if (vg_store_open(&o, &s, &err) != VG_OK)
        _exit(3);
    vg_watchlist w;
    if (vg_store_watchlist_get(s, "bulk", &w, &err) != VG_OK)
        _exit(4);
    for (int i = 0; i < 200; i++) {
        vg_subject sub = fx_subject(w.id, "bulk subject");
        fx_photos *p = fx_photos_new(round * 1000 + i, PER_SUBJECT);
        int64_t id;
        if (vg_store_subject_add(s, "bulk", &sub, MODEL, p->e, PER_SUBJECT, &id, &err) != VG_OK)
            _exit(5);
        fx_photos_free(p);
    }
    vg_store_close(s);
    _exit(0);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static void check_whole(fx *f, int round)
{
    if (!fx_pg()) {
        sqlite3 *h = raw_open(f->db);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
        sqlite3_close(h);
    }

    long long partial = raw_int(f->db, "SELECT count(*) FROM subject s WHERE "
                                       "(SELECT count(*) FROM template t WHERE t.subject_id = s.id) "
                                       "<> 3 OR (SELECT count(*) FROM photo p "
                                       "WHERE p.subject_id = s.id) <> 3");
    assert_int_equal(partial, 0);
    long long subjects = raw_int(f->db, "SELECT count(*) FROM subject");
    long long added = raw_int(f->db, "SELECT count(*) FROM audit WHERE action = 'subject.add'");
    if (subjects != added)
        fprintf(stderr, "round %d: %lld subjects, %lld subject.add entries\n", round, subjects,
                added);
    assert_int_equal(subjects, added);
    long long orphans = raw_int(f->db, "SELECT count(*) FROM template WHERE subject_id NOT IN "
                                       "(SELECT id FROM subject)");
    assert_int_equal(orphans, 0);

    f->s = fx_open_at(f->db, NULL, T0);
    int64_t bad = -1, entries = 0;
    vg_err err = {{0}};
    vg_status vs = vg_store_audit_verify(f->s, &bad, &entries, &err);
    if (vs != VG_OK)
        fprintf(stderr, "round %d: %s\n", round, err.msg);
    assert_int_equal(vs, VG_OK);
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(f->s, ACTOR, "check", 1, MODEL, 0, &t, &err), VG_OK);
    assert_int_equal(t.n, subjects * PER_SUBJECT);
    vg_store_templates_free(&t);
    vg_store_close(f->s);
    f->s = NULL;
}

static void test_kill_during_bulk_enrolment(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    fx_watchlist(f.s, "bulk", 0, 0);
    vg_store_close(f.s);
    f.s = NULL;
    uint64_t rng = 20231114;
    int killed_mid_run = 0;
    for (int round = 0; round < ROUNDS; round++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child_enrol(f.db, round);
        sleep_ms(20 + (long)(fx_rng(&rng) % 150));
        int status = 0;
        if (kill(pid, SIGKILL) == 0)
            killed_mid_run++;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* killed, or finished all 200 before the kill came */
        assert_true((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
                    (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        check_whole(&f, round);
    }
    fprintf(stderr, "%d rounds, %lld subjects enrolled in all\n", ROUNDS,
            raw_int(f.db, "SELECT count(*) FROM subject"));
    assert_true(killed_mid_run > 0);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_during_bulk_enrolment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
