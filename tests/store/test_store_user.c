/* test_store_user.c — users of the HTTP API: adding (argon2id hash only,
 * audited without the password), refusals, the check (an unknown name and a
 * wrong password give the same answer), the list. */
#include "store/store_fixtures.h"

static void test_add_check_list(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "olivia", "operator", "s3cret-pass", &err), VG_OK);
    char role[16];
    assert_int_equal(vg_store_user_check(f.s, "olivia", "s3cret-pass", role, &err), VG_OK);
    assert_string_equal(role, "operator");

    vg_err e1 = {{0}}, e2 = {{0}};
    assert_int_equal(vg_store_user_check(f.s, "olivia", "wrong-pass", role, &e1), VG_ERR_INVALID);
    assert_int_equal(vg_store_user_check(f.s, "nobody", "s3cret-pass", role, &e2), VG_ERR_INVALID);
    assert_string_equal(e1.msg, "wrong name or password");
    assert_string_equal(e1.msg, e2.msg);
    assert_string_equal(role, "");

    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM \"user\" WHERE pwhash LIKE '$argon2id$%'"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'user.add' AND actor = 'tester'"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE details LIKE '%s3cret%' OR "
                                   "details LIKE '%argon%'"),
                     0);
    raw_exec(f.db, "UPDATE \"user\" SET disabled = 1");
    assert_int_equal(vg_store_user_check(f.s, "olivia", "s3cret-pass", role, &e1), VG_ERR_INVALID);
    assert_string_equal(e1.msg, "wrong name or password");

    vg_user *u = NULL;
    int n = 0;
    assert_int_equal(vg_store_user_list(f.s, &u, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(u[0].name, "olivia");
    assert_int_equal(u[0].created_at, T0);
    assert_int_equal(u[0].disabled, 1);
    free(u);
    fx_done(&f);
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "adam", "admin", "long enough", &err), VG_OK);
    long long audit = raw_int(f.db, "SELECT count(*) FROM audit");
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "adam", "auditor", "long enough", &err), VG_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "eve", "root", "long enough", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "role"));
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "eve", "auditor", "short", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "password"));
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "", "auditor", "long enough", &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "two\nlines", "auditor", "long enough", &err),
                     VG_ERR_INVALID);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM \"user\""), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit"), audit);
    fx_done(&f);
}

/* issue 14 point 3: a user whose actions would be logged under another's
 * actor, or under a name that only looks like another's, is refused. */
static void test_actor_spoofing_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    char tok[VG_STORE_TOKEN_LEN + 1];
    int64_t tid = 0;
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "botadm", "admin", tok, &tid, &err), VG_OK);
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "adam", "admin", "long enough", &err), VG_OK);
    snap before = take_snap(f.db);
    static const struct {
        const char *name, *why;
        vg_status st;
    } bad[] = {
        {"token:botadm", "':'", VG_ERR_INVALID},
        {"TOKEN:botadm", "':'", VG_ERR_INVALID},
        {"token\xef\xbc\x9a" "botadm", "visible ASCII", VG_ERR_INVALID}, /* fullwidth colon */
        {"\xd0\xb0" "dam", "visible ASCII", VG_ERR_INVALID},             /* Cyrillic a */
        {"ad\xc9\x91m", "visible ASCII", VG_ERR_INVALID},                /* Latin alpha */
        {"adam ", "visible ASCII", VG_ERR_INVALID},
        {" adam", "visible ASCII", VG_ERR_INVALID},
        {"ad am", "visible ASCII", VG_ERR_INVALID},
        {"adam\t", "visible ASCII", VG_ERR_INVALID},
        {"adam\xc2\xa0", "visible ASCII", VG_ERR_INVALID}, /* no-break space */
        {"ad\xe2\x80\x8bm", "visible ASCII", VG_ERR_INVALID}, /* zero-width space */
        {"Adam", "already exists", VG_ERR_EXISTS},
        {"ADAM", "already exists", VG_ERR_EXISTS},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vg_status st = vg_store_user_add(f.s, ACTOR, bad[i].name, "admin", "long enough", &err);
        if (st != bad[i].st || !strstr(err.msg, bad[i].why))
            fail_msg("user %zu: %d %s", i, st, err.msg);
    }
    assert_snap_equal(before, take_snap(f.db));
    /* token names become actors too ("token:NAME"): the same rule */
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "bot\xd0\xb0" "dm", "admin", tok, &tid, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "a:b", "admin", tok, &tid, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "bot adm", "admin", tok, &tid, &err),
                     VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));
    /* what is accepted: visible ASCII, HTML-looking included (escaped on output) */
    assert_int_equal(vg_store_user_add(f.s, ACTOR, "<b>bea</b>", "auditor", "long enough", &err), VG_OK);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_check_list),
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_actor_spoofing_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
