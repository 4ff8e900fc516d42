/* test_store_templates.c — vg_store_templates_load: exactly the enrolled
 * floats come back, in template order with their subject ids; expired
 * subjects (their own expiry, else their list's) are skipped at the given
 * time; another model's templates refuse the load with a request to
 * re-embed; a template altered in the file fails the load naming it; each
 * load is audited, a refused one is not.
 */
#include "store_fixtures.h"

static void load_ok(vg_store *s, int64_t wl, int64_t now, vg_template_set *t)
{
    vg_err err = {{0}};
    vg_status st = vg_store_templates_load(s, ACTOR, "identify", wl, MODEL, now, t, &err);
    if (st != VG_OK)
        fprintf(stderr, "templates_load: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
}

static void test_exact_round_trip(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", 0, 0);
    int64_t other = fx_watchlist(f.s, "other", 0, 0);
    int64_t a = fx_enrol(f.s, wl, "a", 1, 3);
    fx_enrol(f.s, other, "x", 9, 2);
    int64_t b = fx_enrol(f.s, wl, "b", 2, 2);
    fx_reopen(&f, T0); /* from the file, not from anything cached */

    vg_template_set t;
    load_ok(f.s, wl, 0, &t);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.dim, DIM);
    fx_photos *pa = fx_photos_new(1, 3), *pb = fx_photos_new(2, 2);
    for (int i = 0; i < 5; i++) {
        const float *want = i < 3 ? pa->vec[i] : pb->vec[i - 3];
        assert_int_equal(t.subject_id[i], i < 3 ? a : b);
        if (i)
            assert_true(t.template_id[i] > t.template_id[i - 1]);
        /* bit for bit */
        assert_memory_equal(t.vecs + (size_t)i * DIM, want, DIM * sizeof(float));
    }
    vg_store_templates_free(&t);
    assert_null(t.vecs);
    fx_photos_free(pa);
    fx_photos_free(pb);

    /* an empty list loads as an empty set */
    int64_t empty = fx_watchlist(f.s, "empty", 0, 0);
    load_ok(f.s, empty, 0, &t);
    assert_int_equal(t.n, 0);
    assert_int_equal(t.dim, 0);
    assert_non_null(t.subject_id); /* empty, but there to memcpy from */
    assert_non_null(t.template_id);
    assert_non_null(t.vecs);
    vg_store_templates_free(&t);

    /* audited: who, why, how many */
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_list(f.s, 0, &e, &n, &err), VG_OK);
    assert_string_equal(e[n - 3].action, "templates.read");
    assert_string_equal(e[n - 3].object, "watchlist:w");
    assert_non_null(strstr(e[n - 3].details, "\"purpose\":\"identify\""));
    assert_non_null(strstr(e[n - 3].details, "\"count\":5"));
    vg_store_audit_free(e, n);

    /* unknown list, bad arguments: refused, nothing recorded */
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", 999, MODEL, 0, &t, &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "", wl, MODEL, 0, &t, &err),
                     VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "purpose is required"));
    assert_int_equal(vg_store_templates_load(f.s, "", "identify", wl, MODEL, 0, &t, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", wl, NULL, 0, &t, &err),
                     VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));
    fx_done(&f);
}

static int has_subject(const vg_template_set *t, int64_t id)
{
    for (int i = 0; i < t->n; i++)
        if (t->subject_id[i] == id)
            return 1;
    return 0;
}

static void test_expiry(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", T0 + 1000, 0); /* the list expires at +1000 */
    int64_t never = fx_watchlist(f.s, "never", 0, 0);

    vg_subject sub = fx_subject(wl, "own expiry +100");
    fx_photos *p = fx_photos_new(1, 1);
    int64_t s100 = 0, s2000 = 0, s_list = 0, s_none = 0;
    vg_err err = {{0}};
    sub.expires_at = T0 + 100;
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &s100, &err), VG_OK);
    sub.expires_at = T0 + 2000; /* its own expiry wins over the list's */
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &s2000, &err), VG_OK);
    sub.expires_at = 0; /* the list's */
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &s_list, &err),
                     VG_OK);
    sub.watchlist_id = never;
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &s_none, &err),
                     VG_OK);

    vg_template_set t;
    load_ok(f.s, wl, T0 + 99, &t);
    assert_int_equal(t.n, 3);
    vg_store_templates_free(&t);

    load_ok(f.s, wl, T0 + 100, &t); /* expiry at now: expired */
    assert_int_equal(t.n, 2);
    assert_false(has_subject(&t, s100));
    vg_store_templates_free(&t);

    load_ok(f.s, wl, T0 + 1000, &t);
    assert_int_equal(t.n, 1);
    assert_true(has_subject(&t, s2000));
    vg_store_templates_free(&t);

    load_ok(f.s, wl, T0 + 2000, &t);
    assert_int_equal(t.n, 0);
    vg_store_templates_free(&t);

    load_ok(f.s, never, T0 + 1000000000LL, &t);
    assert_int_equal(t.n, 1);
    assert_true(has_subject(&t, s_none));
    vg_store_templates_free(&t);

    /* now = 0 means the store's clock: a store opened later skips them all */
    fx_reopen(&f, T0 + 5000);
    load_ok(f.s, wl, 0, &t);
    assert_int_equal(t.n, 0);
    vg_store_templates_free(&t);
    fx_photos_free(p);
    fx_done(&f);
}

static void test_other_model_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", 0, 0);
    fx_enrol(f.s, wl, "a", 1, 2);
    fx_photos *p = fx_photos_new(2, 3);
    vg_subject sub = fx_subject(wl, "old");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, "old.onnx:abcd", p->e, 3, &id, &err),
                     VG_OK);
    snap before = take_snap(f.db);
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", wl, MODEL, 0, &t, &err),
                     VG_ERR_UNSUPPORTED);
    char want[512];
    snprintf(want, sizeof want,
             "3 templates of watch list w were made with another model (old.onnx:abcd); "
             "re-embed the list with this model (%s): vigil watchlist reembed w",
             MODEL);
    assert_string_equal(err.msg, want);
    assert_int_equal(t.n, 0);
    assert_null(t.vecs);
    assert_snap_equal(before, take_snap(f.db)); /* no templates.read entry */

    /* after re-enrolment, the load works */
    assert_int_equal(vg_store_subject_remove(f.s, ACTOR, id, &err), VG_OK);
    load_ok(f.s, wl, 0, &t);
    assert_int_equal(t.n, 2);
    vg_store_templates_free(&t);
    fx_photos_free(p);
    fx_done(&f);
}

static void test_tampered_template(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", 0, 0);
    fx_enrol(f.s, wl, "a", 1, 2);
    int64_t b = fx_enrol(f.s, wl, "b", 2, 2);
    long long victim = raw_int(f.db, "SELECT max(id) FROM template");
    vg_store_close(f.s);
    f.s = NULL;
    /* replace the sealed vector with zeros of the same length */
    char sql[256];
    snprintf(sql, sizeof sql,
             fx_pg() ? "UPDATE template SET vector = decode(repeat('00', length(vector)), 'hex') "
                       "WHERE id = %lld"
                     : "UPDATE template SET vector = zeroblob(length(vector)) WHERE id = %lld",
             victim);
    raw_exec(f.db, sql);
    f.s = fx_open_at(f.db, NULL, T0);
    vg_template_set t;
    vg_err err = {{0}};
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", wl, MODEL, 0, &t, &err),
                     VG_ERR_INVALID);
    char want[160];
    snprintf(want, sizeof want, "template %lld of subject %lld (b) does not decrypt", victim,
             (long long)b);
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "now quarantined"));
    assert_null(t.vecs);
    /* the subject is quarantined (audited): the list loads again without it */
    int64_t *q = NULL;
    int nq = 0;
    assert_int_equal(vg_store_subject_quarantined(f.s, wl, &q, &nq, &err), VG_OK);
    assert_int_equal(nq, 1);
    assert_int_equal(q[0], b);
    free(q);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'subject.quarantine'"), 1);
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", wl, MODEL, 0, &t, &err), VG_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.quarantined, 1);
    assert_true(t.subject_id[0] != b && t.subject_id[1] != b);
    vg_store_templates_free(&t);
    /* twice is refused; released, it is caught again */
    assert_int_equal(vg_store_subject_quarantine(f.s, ACTOR, b, "again", &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_subject_release(f.s, ACTOR, b, &err), VG_OK);
    assert_int_equal(vg_store_subject_release(f.s, ACTOR, b, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_subject_quarantine(f.s, ACTOR, 999999, "none", &err), VG_ERR_NOT_FOUND);

    /* a truncated one is refused the same way */
    vg_store_close(f.s);
    snprintf(sql, sizeof sql,
             "UPDATE template SET vector = substr(vector, 1, 30) WHERE id = %lld", victim);
    raw_exec(f.db, sql);
    f.s = fx_open_at(f.db, NULL, T0);
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "identify", wl, MODEL, 0, &t, &err),
                     VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, want));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'subject.quarantine'"), 2);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_round_trip),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_other_model_refused),
        cmocka_unit_test(test_tampered_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
