/* test_store_alert.c — vg_store_alert_* on real SQLite files: add, list and
 * crop round trip; a second add of the same uid stores and audits nothing;
 * the crop is ciphertext on disk and never in the audit chain; every refusal
 * changes nothing; alerts survive the removal of their subject and the purge
 * of its watch list (subject_id becomes 0) with foreign keys and the audit
 * chain intact.
 */
#include "store_fixtures.h"

#define CROP_LEN 3000

typedef struct world {
    fx f;
    int64_t wl, other_wl, dep, a, b, stranger;
    uint8_t *crop;
} world;

static void world_init(world *w)
{
    fx_init(&w->f, T0);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->other_wl = fx_watchlist(w->f.s, "missing", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Person A", 1, 2);
    w->b = fx_enrol(w->f.s, w->wl, "Person B", 2, 1);
    w->stranger = fx_enrol(w->f.s, w->other_wl, "Person C", 3, 1);
    w->dep = fx_deployment(w->f.s, "high-street", w->wl, 2);
    w->crop = fx_jpeg(4242, CROP_LEN);
}

static void world_done(world *w)
{
    free(w->crop);
    fx_done(&w->f);
}

static int64_t add_ok(world *w, const vg_alert *a)
{
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_add(w->f.s, "engine", a, w->crop, CROP_LEN, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "alert_add: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_true(id > 0);
    return id;
}

static void assert_chain_ok(vg_store *s)
{
    int64_t bad = -1, entries = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_verify(s, &bad, &entries, &err);
    if (st != VG_OK)
        fprintf(stderr, "audit verify: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
}

static void test_add_list_crop(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "7f3c2a10-0001");
    int64_t id = add_ok(&w, &a);
    vg_alert b = fx_alert(w.dep, w.b, "7f3c2a10-0002");
    snprintf(b.camera, sizeof b.camera, "cam2");
    b.score = 0.71f;
    snprintf(b.state, sizeof b.state, "pending");
    int64_t id2 = add_ok(&w, &b);
    assert_true(id2 > id);

    vg_alert *v = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_list(w.f.s, w.dep, &v, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, id);
    assert_int_equal(v[0].deployment_id, w.dep);
    assert_string_equal(v[0].camera, "cam1");
    assert_int_equal(v[0].subject_id, w.a);
    assert_true(v[0].score == 0.6123f);
    assert_true(v[0].frame_time == (double)T0 + 0.25);
    assert_true(v[0].raised_at == (double)T0 + 0.5);
    assert_string_equal(v[0].state, "pending");
    assert_string_equal(v[0].uid, "7f3c2a10-0001");
    assert_int_equal(v[1].id, id2);
    assert_string_equal(v[1].camera, "cam2");
    assert_int_equal(v[1].subject_id, w.b);
    free(v);

    /* all deployments (0), and one without alerts */
    int64_t dep2 = fx_deployment(w.f.s, "station", w.wl, 1);
    vg_alert c = fx_alert(dep2, w.a, "7f3c2a10-0003");
    add_ok(&w, &c);
    assert_int_equal(vg_store_alert_list(w.f.s, 0, &v, &n, &err), VG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[2].deployment_id, dep2);
    free(v);
    int64_t dep3 = fx_deployment(w.f.s, "quiet", w.wl, 1);
    assert_int_equal(vg_store_alert_list(w.f.s, dep3, &v, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    free(v);
    assert_int_equal(vg_store_alert_list(w.f.s, 999, &v, &n, &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no deployment with id 999"));

    /* the crop comes back whole, and the read is audited */
    long long audit = raw_int(w.f.db, "SELECT count(*) FROM audit");
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(w.f.s, "operator-1", id, &jpeg, &len, &err), VG_OK);
    assert_int_equal(len, CROP_LEN);
    assert_memory_equal(jpeg, w.crop, CROP_LEN);
    free(jpeg);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM audit"), audit + 1);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'alert.read' AND actor = 'operator-1' "
             "AND object = 'alert:%lld' AND details = "
             "'{\"camera\":\"cam1\",\"deployment\":\"high-street\",\"subject\":%lld}'",
             (long long)id, (long long)w.a);
    assert_int_equal(raw_int(w.f.db, sql), 1);

    /* unknown alert: nothing returned, nothing audited */
    snap before = take_snap(w.f.db);
    jpeg = (uint8_t *)&w;
    assert_int_equal(vg_store_alert_crop(w.f.s, "operator-1", 999, &jpeg, &len, &err),
                     VG_ERR_NOT_FOUND);
    assert_null(jpeg);
    assert_int_equal(vg_store_alert_crop(w.f.s, "", id, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(w.f.db));

    /* a crop that retention deleted */
    raw_exec(w.f.db, "UPDATE alert SET crop = NULL WHERE uid = '7f3c2a10-0003'");
    assert_int_equal(vg_store_alert_crop(w.f.s, "operator-1", id2 + 1, &jpeg, &len, &err),
                     VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "was deleted"));
    /* an altered crop */
    snprintf(sql, sizeof sql,
             fx_pg() ? "UPDATE alert SET crop = '\\x00112233'::bytea WHERE id = %lld"
                     : "UPDATE alert SET crop = x'00112233' WHERE id = %lld",
             (long long)id2);
    raw_exec(w.f.db, sql);
    assert_int_equal(vg_store_alert_crop(w.f.s, "operator-1", id2, &jpeg, &len, &err),
                     VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not decrypt"));
    assert_chain_ok(w.f.s);
    world_done(&w);
}

static void test_raise_audit_has_no_image(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "uid-1");
    int64_t id = add_ok(&w, &a);
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_list(w.f.s, INT64_MIN, &e, &n, &err), VG_OK);
    const vg_audit_entry *last = &e[n - 1];
    assert_string_equal(last->action, "alert.raise");
    assert_string_equal(last->actor, "engine");
    char want[300];
    snprintf(want, sizeof want, "alert:%lld", (long long)id);
    assert_string_equal(last->object, want);
    snprintf(want, sizeof want,
             "{\"camera\":\"cam1\",\"deployment\":\"high-street\",\"score\":0.6123,"
             "\"subject\":%lld,\"uid\":\"uid-1\"}",
             (long long)w.a);
    assert_string_equal(last->details, want);
    vg_store_audit_free(e, n);
    /* no entry is long enough to hold the crop, in any encoding */
    assert_true(raw_int(w.f.db, "SELECT max(length(details) + length(object)) FROM audit") <
                CROP_LEN / 4);
    world_done(&w);
}

static void test_idempotent_uid(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "same-uid");
    int64_t id = add_ok(&w, &a);
    snap before = take_snap(w.f.db);
    /* the same alert written again, even with other values: the first stays */
    vg_alert again = a;
    again.score = 0.9f;
    again.subject_id = w.b;
    assert_int_equal(add_ok(&w, &again), id);
    assert_int_equal(add_ok(&w, &a), id);
    assert_snap_equal(before, take_snap(w.f.db));
    vg_alert *v = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_list(w.f.s, w.dep, &v, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].score == 0.6123f);
    assert_int_equal(v[0].subject_id, w.a);
    free(v);
    /* and after reopening */
    fx_reopen(&w.f, T0);
    assert_int_equal(add_ok(&w, &a), id);
    assert_snap_equal(before, take_snap(w.f.db));
    world_done(&w);
}

static void test_raised_at_defaults_to_clock(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "u");
    a.raised_at = 0;
    add_ok(&w, &a);
    vg_alert *v = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_list(w.f.s, 0, &v, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].raised_at == (double)T0);
    free(v);
    world_done(&w);
}

static void test_crop_is_ciphertext(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "u1");
    add_ok(&w, &a);
    static const uint8_t jfif[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
    for (int pass = 0; pass < 2; pass++) {
        /* in the WAL while open, in the main file once closed (checkpointed) */
        assert_false(fx_stored_contains(w.f.db, jfif, sizeof jfif));
        for (size_t off = 16; off + 32 <= CROP_LEN; off += 512)
            assert_false(fx_stored_contains(w.f.db, w.crop + off, 32));
        vg_store_close(w.f.s);
        w.f.s = NULL;
    }
    assert_int_equal(raw_int(w.f.db, "SELECT length(crop) FROM alert"), CROP_LEN + 40);
    w.f.s = fx_open_at(w.f.db, NULL, T0);
    world_done(&w);
}

static void expect_refused(world *w, const char *actor, const vg_alert *a, const uint8_t *jpeg,
                           size_t len, vg_status want, const char *msg_part)
{
    snap before = take_snap(w->f.db);
    int64_t id = 77;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_add(w->f.s, actor, a, jpeg, len, &id, &err);
    if (st != want || !strstr(err.msg, msg_part))
        fprintf(stderr, "got %d \"%s\", wanted %d with \"%s\"\n", st, err.msg, want, msg_part);
    assert_int_equal(st, want);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(id, 0);
    assert_snap_equal(before, take_snap(w->f.db));
}

static void test_add_refused(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "first");
    add_ok(&w, &a);
#define REFUSE(setup, want, msg)                                                               \
    do {                                                                                       \
        a = fx_alert(w.dep, w.a, "new-uid");                                                   \
        setup;                                                                                 \
        expect_refused(&w, "engine", &a, w.crop, CROP_LEN, want, msg);                         \
    } while (0)
    REFUSE(a.deployment_id = 999, VG_ERR_NOT_FOUND, "no deployment with id 999");
    REFUSE(a.subject_id = 999, VG_ERR_NOT_FOUND, "no subject with id 999");
    REFUSE(a.subject_id = 0, VG_ERR_NOT_FOUND, "no subject with id 0");
    REFUSE(a.subject_id = w.stranger, VG_ERR_INVALID,
           "is not on watch list wanted of deployment high-street");
    REFUSE(a.score = NAN, VG_ERR_INVALID, "score is not finite");
    REFUSE(a.score = INFINITY, VG_ERR_INVALID, "score is not finite");
    REFUSE(a.frame_time = NAN, VG_ERR_INVALID, "frame_time");
    REFUSE(a.frame_time = -1, VG_ERR_INVALID, "frame_time");
    REFUSE(a.raised_at = -INFINITY, VG_ERR_INVALID, "raised_at");
    REFUSE(a.uid[0] = '\0', VG_ERR_INVALID, "uid is required");
    REFUSE(memset(a.uid, 'u', sizeof a.uid), VG_ERR_INVALID,
           "uid is not terminated within its 40 bytes, the limit is 39");
    REFUSE(snprintf(a.uid, sizeof a.uid, "has space"), VG_ERR_INVALID, "uid may hold only");
    REFUSE(a.camera[0] = '\0', VG_ERR_INVALID, "camera is required");
    REFUSE(memset(a.camera, 'c', sizeof a.camera), VG_ERR_INVALID, "camera is not terminated");
    REFUSE(snprintf(a.camera, sizeof a.camera, "cam\n1"), VG_ERR_INVALID,
           "camera holds a control character");
    REFUSE(snprintf(a.state, sizeof a.state, "confirmed"), VG_ERR_INVALID,
           "it must be \"pending\"");
    REFUSE(memset(a.state, 's', sizeof a.state), VG_ERR_INVALID, "state is not terminated");
#undef REFUSE
    a = fx_alert(w.dep, w.a, "new-uid");
    expect_refused(&w, "", &a, w.crop, CROP_LEN, VG_ERR_INVALID, "actor is required");
    expect_refused(&w, "engine", &a, NULL, CROP_LEN, VG_ERR_INVALID, "the face crop is empty");
    expect_refused(&w, "engine", &a, w.crop, 2, VG_ERR_INVALID, "the face crop is empty");
    uint8_t png[16] = {0x89, 'P', 'N', 'G'};
    expect_refused(&w, "engine", &a, png, sizeof png, VG_ERR_INVALID, "not a JPEG");
    /* over the limit: refused from its length, before a byte past the header is read */
    expect_refused(&w, "engine", &a, w.crop, (size_t)VG_STORE_JPEG_MAX + 1, VG_ERR_LIMIT,
                   "the limit is 33554432");
    /* the uid of a refused alert stays free */
    add_ok(&w, &a);
    assert_chain_ok(w.f.s);
    world_done(&w);
}

static void test_subject_removal_and_purge_keep_alerts(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert a = fx_alert(w.dep, w.a, "ua");
    int64_t ida = add_ok(&w, &a);
    vg_alert b = fx_alert(w.dep, w.b, "ub");
    int64_t idb = add_ok(&w, &b);
    vg_err err = {{0}};

    /* removing subject A clears its alert's subject, keeps the alert */
    assert_int_equal(vg_store_subject_remove(w.f.s, ACTOR, w.a, &err), VG_OK);
    vg_alert *v = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_list(w.f.s, w.dep, &v, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, ida);
    assert_int_equal(v[0].subject_id, 0);
    assert_int_equal(v[1].subject_id, w.b);
    free(v);

    /* purging the list clears the rest */
    int ns = 0, nt = 0;
    assert_int_equal(vg_store_watchlist_purge(w.f.s, ACTOR, "wanted", &ns, &nt, &err), VG_OK);
    assert_int_equal(ns, 1);
    assert_int_equal(nt, 1);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM alert"), 2);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM alert WHERE subject_id IS NULL"), 2);
    if (!fx_pg()) /* PostgreSQL always enforces foreign keys */
        assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(vg_store_alert_list(w.f.s, 0, &v, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[1].id, idb);
    assert_int_equal(v[1].subject_id, 0);
    assert_string_equal(v[1].uid, "ub");
    free(v);

    /* the crop is still there (retention deletes it, not the purge), and its read
     * is audited with subject 0 */
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(w.f.s, "operator-1", idb, &jpeg, &len, &err), VG_OK);
    assert_memory_equal(jpeg, w.crop, CROP_LEN);
    free(jpeg);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read' "
                                     "AND details LIKE '%\"subject\":0%'"),
                     1);
    /* a new alert for a purged subject is refused */
    vg_alert c = fx_alert(w.dep, w.b, "uc");
    expect_refused(&w, "engine", &c, w.crop, CROP_LEN, VG_ERR_NOT_FOUND, "no subject with id");
    /* the list can be refilled and alerted on again */
    int64_t again = fx_enrol(w.f.s, w.wl, "Person A again", 1, 1);
    c.subject_id = again;
    add_ok(&w, &c);
    assert_chain_ok(w.f.s);
    fx_reopen(&w.f, T0);
    assert_chain_ok(w.f.s);
    world_done(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_list_crop),
        cmocka_unit_test(test_raise_audit_has_no_image),
        cmocka_unit_test(test_idempotent_uid),
        cmocka_unit_test(test_raised_at_defaults_to_clock),
        cmocka_unit_test(test_crop_is_ciphertext),
        cmocka_unit_test(test_add_refused),
        cmocka_unit_test(test_subject_removal_and_purge_keep_alerts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
