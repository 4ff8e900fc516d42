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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_check_list),
        cmocka_unit_test(test_refusals_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
