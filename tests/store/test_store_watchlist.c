/* test_store_watchlist.c — vg_store_watchlist_*: create, get, list with
 * counts, duplicate names, field checks (every refusal changes nothing),
 * purge counts and what survives a purge, SQL metacharacters kept verbatim.
 */
#include "store_fixtures.h"

static void test_create_get_list(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_watchlist w = {0};
    snprintf(w.name, sizeof w.name, "wanted");
    snprintf(w.reason, sizeof w.reason, "serious violent offences, warrant issued");
    snprintf(w.authorised_by, sizeof w.authorised_by, "Supt. A. Person");
    w.expires_at = T0 + 86400;
    w.max_size = 50;
    w.created_at = 12345; /* ignored: the store's clock sets it */
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_create(f.s, ACTOR, &w, &id, &err), VG_OK);
    assert_true(id > 0);
    int64_t id2 = fx_watchlist(f.s, "missing", 0, 0);
    assert_true(id2 != id);

    vg_watchlist got;
    assert_int_equal(vg_store_watchlist_get(f.s, "wanted", &got, &err), VG_OK);
    assert_int_equal(got.id, id);
    assert_string_equal(got.name, "wanted");
    assert_string_equal(got.reason, w.reason);
    assert_string_equal(got.authorised_by, w.authorised_by);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.expires_at, T0 + 86400);
    assert_int_equal(got.max_size, 50);
    assert_int_equal(got.subjects, 0);
    assert_int_equal(got.templates, 0);

    fx_enrol(f.s, id, "A", 1, 3);
    fx_enrol(f.s, id, "B", 2, 2);
    fx_enrol(f.s, id2, "C", 3, 1);

    vg_watchlist *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_watchlist_list(f.s, &all, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "wanted");
    assert_int_equal(all[0].subjects, 2);
    assert_int_equal(all[0].templates, 5);
    assert_string_equal(all[1].name, "missing");
    assert_int_equal(all[1].subjects, 1);
    assert_int_equal(all[1].templates, 1);
    vg_store_watchlist_free(all);

    assert_int_equal(vg_store_watchlist_get(f.s, "nope", &got, &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "nope"));

    /* survives closing and reopening */
    fx_reopen(&f, T0);
    assert_int_equal(vg_store_watchlist_get(f.s, "wanted", &got, &err), VG_OK);
    assert_int_equal(got.templates, 5);
    fx_done(&f);
}

static void test_empty_list(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_watchlist *all = (vg_watchlist *)&f; /* must be reset */
    int n = -1;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_list(f.s, &all, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    vg_store_watchlist_free(all);
    fx_done(&f);
}

static void expect_refused(fx *f, const char *actor, const vg_watchlist *w, vg_status want,
                           const char *msg_part)
{
    snap before = take_snap(f->db);
    int64_t id = 77;
    vg_err err = {{0}};
    vg_status st = vg_store_watchlist_create(f->s, actor, w, &id, &err);
    if (st != want || !strstr(err.msg, msg_part))
        fprintf(stderr, "got %d \"%s\", wanted %d with \"%s\"\n", st, err.msg, want, msg_part);
    assert_int_equal(st, want);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(id, 0);
    assert_snap_equal(before, take_snap(f->db));
}

static vg_watchlist good_list(const char *name)
{
    vg_watchlist w = {0};
    snprintf(w.name, sizeof w.name, "%s", name);
    snprintf(w.reason, sizeof w.reason, "reason");
    snprintf(w.authorised_by, sizeof w.authorised_by, "someone");
    return w;
}

static void test_create_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    fx_watchlist(f.s, "taken", 0, 0);

    vg_watchlist w = good_list("taken");
    expect_refused(&f, ACTOR, &w, VG_ERR_EXISTS, "already exists");

    w = good_list("");
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "name is required");
    w = good_list("x");
    w.reason[0] = '\0';
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "reason is required");
    w = good_list("x");
    w.authorised_by[0] = '\0';
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "authorised_by is required");
    w = good_list("x");
    expect_refused(&f, NULL, &w, VG_ERR_INVALID, "actor is required");
    /* issue 14 point 15: a name that is not UTF-8 would later be left out of
     * every JSON listing; it is refused at the input, as is any such text */
    w = good_list("bad \xff\xfe name");
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "name is not valid UTF-8");
    w = good_list("ok");
    snprintf(w.reason, sizeof w.reason, "over\xc0\xaflong");
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "reason is not valid UTF-8");
    w = good_list("ok");
    expect_refused(&f, "act\xed\xa0\x80or", &w, VG_ERR_INVALID, "actor is not valid UTF-8");
    expect_refused(&f, "", &w, VG_ERR_INVALID, "actor is required");

    char long_actor[VG_STORE_ACTOR_MAX + 40];
    memset(long_actor, 'a', sizeof long_actor - 1);
    long_actor[sizeof long_actor - 1] = '\0';
    expect_refused(&f, long_actor, &w, VG_ERR_INVALID, "actor is 239 bytes, the limit is 200");

    /* a name filling its array without a terminator is over the limit */
    w = good_list("x");
    memset(w.name, 'n', sizeof w.name);
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "name is not terminated");
    /* exactly at the limit is fine */
    w = good_list("x");
    memset(w.name, 'n', VG_STORE_NAME_MAX);
    w.name[VG_STORE_NAME_MAX] = '\0';
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_create(f.s, ACTOR, &w, &id, &err), VG_OK);

    w = good_list("past");
    w.expires_at = T0 - 1;
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "expire in the past");
    w = good_list("neg");
    w.max_size = -1;
    expect_refused(&f, ACTOR, &w, VG_ERR_INVALID, "max_size -1 is negative");

    /* the names of get and purge are checked too */
    char long_name[241];
    memset(long_name, 'z', 240);
    long_name[240] = '\0';
    vg_watchlist got;
    assert_int_equal(vg_store_watchlist_get(f.s, long_name, &got, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "is 240 bytes, the limit is 200"));
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_watchlist_purge(f.s, ACTOR, long_name, NULL, NULL, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_watchlist_purge(f.s, ACTOR, "unknown", NULL, NULL, &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_watchlist_purge(f.s, "", "taken", NULL, NULL, &err),
                     VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));
    fx_done(&f);
}

static void test_sql_metacharacters_verbatim(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    const char *evil = "Robert'); DROP TABLE subject;--";
    const char *evil2 = "x\" OR 1=1; -- %s %n \\ ' \"";
    int64_t id = fx_watchlist(f.s, evil, 0, 0);
    fx_watchlist(f.s, evil2, 0, 0);
    vg_watchlist got;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_get(f.s, evil, &got, &err), VG_OK);
    assert_int_equal(got.id, id);
    assert_string_equal(got.name, evil);
    assert_int_equal(vg_store_watchlist_get(f.s, evil2, &got, &err), VG_OK);
    assert_string_equal(got.name, evil2);
    int64_t sid = fx_enrol(f.s, id, evil, 1, 1);
    vg_subject sub;
    assert_int_equal(vg_store_subject_get(f.s, sid, &sub, &err), VG_OK);
    assert_string_equal(sub.name, evil);
    /* the tables are all still there */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM subject"), 1);
    assert_int_equal(vg_store_audit_verify(f.s, NULL, NULL, &err), VG_OK);
    fx_done(&f);
}

static void test_purge(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a = fx_watchlist(f.s, "a", 0, 0);
    int64_t b = fx_watchlist(f.s, "b", 0, 0);
    fx_enrol(f.s, a, "a1", 1, 3);
    fx_enrol(f.s, a, "a2", 2, 2);
    fx_enrol(f.s, a, "a3", 3, 1);
    fx_enrol(f.s, b, "b1", 4, 2);
    long long audit_before = raw_int(f.db, "SELECT count(*) FROM audit");

    int ns = -1, nt = -1;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_purge(f.s, "officer", "a", &ns, &nt, &err), VG_OK);
    assert_int_equal(ns, 3);
    assert_int_equal(nt, 6);

    vg_watchlist got;
    assert_int_equal(vg_store_watchlist_get(f.s, "a", &got, &err), VG_OK); /* list stays */
    assert_int_equal(got.subjects, 0);
    assert_int_equal(got.templates, 0);
    assert_int_equal(vg_store_watchlist_get(f.s, "b", &got, &err), VG_OK); /* untouched */
    assert_int_equal(got.subjects, 1);
    assert_int_equal(got.templates, 2);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM photo"), 2);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template"), 2);

    /* one audit entry saying who purged what, and how much */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit"), audit_before + 1);
    vg_audit_entry *e = NULL;
    int n = 0;
    assert_int_equal(vg_store_audit_list(f.s, 0, &e, &n, &err), VG_OK);
    assert_string_equal(e[n - 1].action, "watchlist.purge");
    assert_string_equal(e[n - 1].actor, "officer");
    assert_string_equal(e[n - 1].object, "watchlist:a");
    assert_string_equal(e[n - 1].details, "{\"subjects\":3,\"templates\":6}");
    vg_store_audit_free(e, n);

    /* purging an empty list is fine and audited too */
    assert_int_equal(vg_store_watchlist_purge(f.s, "officer", "a", &ns, &nt, &err), VG_OK);
    assert_int_equal(ns, 0);
    assert_int_equal(nt, 0);
    assert_int_equal(vg_store_audit_verify(f.s, NULL, NULL, &err), VG_OK);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_get_list),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_create_refused),
        cmocka_unit_test(test_sql_metacharacters_verbatim),
        cmocka_unit_test(test_purge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
