/* test_store_token.c — API tokens in the store: made from random bytes and
 * kept only as their SHA-256 (the token is in no column and no audit entry),
 * checked, listed, revoked by id or name (then refused), a name reusable
 * once its token is revoked, and refusals that change nothing. */
#include "store/store_fixtures.h"

#include <sodium.h>

static void test_create_check_revoke(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    char tok[VG_STORE_TOKEN_LEN + 1], tok2[VG_STORE_TOKEN_LEN + 1];
    int64_t id = 0, id2 = 0;
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "ci-bot", "admin", tok, &id, &err), VG_OK);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "stats", "auditor", tok2, &id2, &err), VG_OK);
    assert_int_equal(strlen(tok), VG_STORE_TOKEN_LEN);
    assert_int_equal(strncmp(tok, "vgt_", 4), 0);
    assert_string_not_equal(tok, tok2);

    /* stored as SHA-256 only */
    uint8_t d[32];
    char hex[65], q[400];
    crypto_hash_sha256(d, (const unsigned char *)tok, strlen(tok));
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    snprintf(q, sizeof q, "SELECT count(*) FROM api_token WHERE hash = '%s' AND name = 'ci-bot'", hex);
    assert_int_equal(raw_int(f.db, q), 1);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM api_token WHERE hash LIKE '%%%s%%' OR name LIKE '%%%s%%' OR created_by LIKE '%%%s%%'",
             tok + 4, tok + 4, tok + 4);
    assert_int_equal(raw_int(f.db, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE details LIKE '%%%s%%' OR details LIKE '%%%s%%'", tok + 4,
             hex);
    assert_int_equal(raw_int(f.db, q), 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'token.create' AND actor = 'tester'"), 2);

    vg_token t;
    assert_int_equal(vg_store_token_check(f.s, tok, &t, &err), VG_OK);
    assert_string_equal(t.name, "ci-bot");
    assert_string_equal(t.role, "admin");
    assert_string_equal(t.created_by, ACTOR);
    assert_int_equal(t.created_at, T0);
    assert_int_equal(t.revoked_at, 0);

    /* wrong ones: one character changed, the hash itself, short, NULL */
    char wrong[VG_STORE_TOKEN_LEN + 1];
    memcpy(wrong, tok, sizeof wrong);
    wrong[20] = wrong[20] == '0' ? '1' : '0';
    const char *bad[4] = {wrong, hex, "vgt_12", NULL};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(vg_store_token_check(f.s, bad[i], &t, &err), VG_ERR_INVALID);
        assert_string_equal(err.msg, "unknown, revoked or expired API token");
    }

    /* refusals change nothing */
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "ci-bot", "admin", tok2, &id2, &err), VG_ERR_EXISTS);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "x", "root", tok2, &id2, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "a\nb", "admin", tok2, &id2, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "", "admin", tok2, &id2, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_revoke(f.s, ACTOR, 999, NULL, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_token_revoke(f.s, ACTOR, 0, "nobody", &err), VG_ERR_NOT_FOUND);
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM api_token"), 2);

    /* revoked by name: refused from then on, listed with who and when */
    fx_reopen(&f, T0 + 60);
    assert_int_equal(vg_store_token_revoke(f.s, "boss", 0, "ci-bot", &err), VG_OK);
    assert_int_equal(vg_store_token_check(f.s, tok, &t, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_revoke(f.s, "boss", id, NULL, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "already revoked"));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'token.revoke' AND actor = 'boss'"), 1);
    vg_token *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_token_list(f.s, &all, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].id, id);
    assert_int_equal(all[0].revoked_at, T0 + 60);
    assert_string_equal(all[0].revoked_by, "boss");
    assert_int_equal(all[1].revoked_at, 0);
    free(all);
    /* the other still works (the refused creations above left tok2 as it was) */
    assert_int_equal(vg_store_token_check(f.s, tok2, &t, &err), VG_OK);
    assert_string_equal(t.name, "stats");
    fx_done(&f);
}

static void test_name_reused_after_revocation(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    char a[VG_STORE_TOKEN_LEN + 1], b[VG_STORE_TOKEN_LEN + 1];
    int64_t ia, ib;
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "bot", "operator", a, &ia, &err), VG_OK);
    assert_int_equal(vg_store_token_revoke(f.s, ACTOR, ia, NULL, &err), VG_OK);
    assert_int_equal(vg_store_token_create(f.s, ACTOR, "bot", "auditor", b, &ib, &err), VG_OK);
    assert_true(ib > ia);
    vg_token t;
    assert_int_equal(vg_store_token_check(f.s, a, &t, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_token_check(f.s, b, &t, &err), VG_OK);
    assert_string_equal(t.role, "auditor");
    /* revoking by name finds the valid one */
    assert_int_equal(vg_store_token_revoke(f.s, ACTOR, 0, "bot", &err), VG_OK);
    assert_int_equal(vg_store_token_check(f.s, b, &t, &err), VG_ERR_INVALID);
    int64_t bad_seq, entries;
    assert_int_equal(vg_store_audit_verify(f.s, &bad_seq, &entries, &err), VG_OK);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_check_revoke),
        cmocka_unit_test(test_name_reused_after_revocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
