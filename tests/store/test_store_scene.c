/* test_store_scene.c — an alert's scene snapshot (issue 15, schema 16) on
 * both backends: kept only for a deployment whose scene_snapshot is 1
 * (refused, changing nothing, for one whose policy is off, the default),
 * sealed on disk and bound to its row (moved to another alert it does not
 * open), read back audited, marked on the alert's detail, and deleted by
 * retention with the alert.
 */
#include "store_fixtures.h"

#define CROP_LEN 3000
#define SCENE_LEN 20000

typedef struct world {
    fx f;
    int64_t wl, a, dep_off, dep_on;
    uint8_t *crop, *scene;
} world;

static void world_init(world *w)
{
    fx_init(&w->f, T0);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Person A", 1, 1);
    w->dep_off = fx_deployment(w->f.s, "no-scene", w->wl, 1);
    vg_deployment *d = fx_deployment_new("with-scene", w->wl, 1);
    d->scene_snapshot = 1;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(w->f.s, ACTOR, d, &w->dep_on, &err), VG_OK);
    free(d);
    w->crop = fx_jpeg(11, CROP_LEN);
    w->scene = fx_jpeg(12, SCENE_LEN);
}

static void world_done(world *w)
{
    free(w->crop);
    free(w->scene);
    fx_done(&w->f);
}

static int64_t add(world *w, int64_t dep, const char *uid, const uint8_t *scene, size_t len, vg_status want)
{
    vg_alert a = fx_alert(dep, w->a, uid);
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_add_with_scene(w->f.s, "engine", &a, w->crop, CROP_LEN, scene, len, &id, &err);
    if (st != want)
        fprintf(stderr, "alert_add_with_scene: %d %s\n", st, err.msg);
    assert_int_equal(st, want);
    return id;
}

/* The policy: default off, shown by get; on only when asked; a value other
 * than 0 or 1 refused. */
static void test_policy(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_deployment *d = calloc(1, sizeof *d);
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_get(w.f.s, "no-scene", d, &err), VG_OK);
    assert_int_equal(d->scene_snapshot, 0);
    assert_int_equal(vg_store_deployment_get(w.f.s, "with-scene", d, &err), VG_OK);
    assert_int_equal(d->scene_snapshot, 1);
    free(d);
    vg_deployment *bad = fx_deployment_new("bad", w.wl, 1);
    bad->scene_snapshot = 2;
    snap before = take_snap(w.f.db);
    int64_t id = 0;
    assert_int_equal(vg_store_deployment_create(w.f.s, ACTOR, bad, &id, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "scene_snapshot"));
    assert_snap_equal(before, take_snap(w.f.db));
    free(bad);
    /* the creation is audited with its policy */
    vg_audit_entry *e = NULL;
    int n = 0;
    assert_int_equal(vg_store_audit_list(w.f.s, 0, &e, &n, &err), VG_OK);
    int seen_on = 0, seen_off = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(e[i].action, "deployment.create") != 0)
            continue;
        seen_on += !strcmp(e[i].object, "deployment:with-scene") && strstr(e[i].details, "\"scene_snapshot\":true");
        seen_off += !strcmp(e[i].object, "deployment:no-scene") && strstr(e[i].details, "\"scene_snapshot\":false");
    }
    vg_store_audit_free(e, n);
    assert_int_equal(seen_on, 1);
    assert_int_equal(seen_off, 1);
    world_done(&w);
}

/* Policy off: a scene is refused and nothing stored; without one the alert
 * has none (404-like NOT_FOUND), and its detail says so. */
static void test_policy_off_refuses(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    snap before = take_snap(w.f.db);
    add(&w, w.dep_off, "u-off", w.scene, SCENE_LEN, VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(w.f.db));
    int64_t id = add(&w, w.dep_off, "u-off", NULL, 0, VG_OK);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", id, &jpeg, &len, &err), VG_ERR_NOT_FOUND);
    assert_null(jpeg);
    vg_alert_detail det;
    assert_int_equal(vg_store_alert_detail_get(w.f.s, id, &det, &err), VG_OK);
    assert_int_equal(det.has_scene, 0);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM alert WHERE scene IS NOT NULL"), 0);
    /* a scene that is not a JPEG is refused with the policy on too */
    uint8_t junk[16] = {1, 2, 3};
    before = take_snap(w.f.db);
    add(&w, w.dep_on, "u-junk", junk, sizeof junk, VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(w.f.db));
    world_done(&w);
}

/* Policy on: stored sealed (not in the clear on disk), read back equal and
 * audited, the detail marked; the raise entry says a scene was kept. */
static void test_scene_round_trip(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int64_t id = add(&w, w.dep_on, "u-on", w.scene, SCENE_LEN, VG_OK);
    for (size_t off = 16; off + 32 <= SCENE_LEN; off += 2048)
        assert_false(fx_stored_contains(w.f.db, w.scene + off, 32));
    vg_alert_detail det;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_detail_get(w.f.s, id, &det, &err), VG_OK);
    assert_int_equal(det.has_scene, 1);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", id, &jpeg, &len, &err), VG_OK);
    assert_int_equal(len, SCENE_LEN);
    assert_memory_equal(jpeg, w.scene, SCENE_LEN);
    free(jpeg);
    vg_audit_entry *e = NULL;
    int n = 0;
    assert_int_equal(vg_store_audit_list(w.f.s, 0, &e, &n, &err), VG_OK);
    int raise_scene = 0, read_scene = 0;
    for (int i = 0; i < n; i++) {
        raise_scene += !strcmp(e[i].action, "alert.raise") && strstr(e[i].details, "\"scene\":true") != NULL;
        read_scene += !strcmp(e[i].action, "alert.read") && !strcmp(e[i].actor, "officer") &&
                      strstr(e[i].details, "\"image\":\"scene\"") != NULL;
    }
    vg_store_audit_free(e, n);
    assert_int_equal(raise_scene, 1);
    assert_int_equal(read_scene, 1);
    int64_t bad = -1, entries = 0;
    assert_int_equal(vg_store_audit_verify(w.f.s, &bad, &entries, &err), VG_OK);
    world_done(&w);
}

/* Bound to its row: a scene copied into another alert does not open there
 * (and the read is refused, not audited as a read), nor does a crop copied
 * into the scene column. */
static void test_scene_bound_to_row(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int64_t one = add(&w, w.dep_on, "u-1", w.scene, SCENE_LEN, VG_OK);
    int64_t two = add(&w, w.dep_on, "u-2", NULL, 0, VG_OK);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE alert SET scene = (SELECT scene FROM alert WHERE id = %lld) WHERE id = %lld",
             (long long)one, (long long)two);
    raw_exec(w.f.db, sql);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", two, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not decrypt"));
    assert_null(jpeg);
    snprintf(sql, sizeof sql, "UPDATE alert SET scene = crop WHERE id = %lld", (long long)one);
    raw_exec(w.f.db, sql);
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", one, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_null(jpeg);
    world_done(&w);
}

/* Retention deletes the scene with its alert (counted), keeps a held one. */
static void test_retention_deletes_scene(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int64_t gone = add(&w, w.dep_on, "u-old", w.scene, SCENE_LEN, VG_OK);
    int64_t held = add(&w, w.dep_on, "u-held", w.scene, SCENE_LEN, VG_OK);
    add(&w, w.dep_off, "u-plain", NULL, 0, VG_OK);
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_hold(w.f.s, ACTOR, held, "investigation 42", &err), VG_OK);
    vg_retention_policy p = {.alert_days = 1};
    vg_retention_result r;
    assert_int_equal(vg_store_retention_run(w.f.s, ACTOR, &p, T0 + 2 * 86400, &r, &err), VG_OK);
    assert_int_equal(r.alerts_deleted, 2);
    assert_int_equal(r.crops_deleted, 2);
    assert_int_equal(r.scenes_deleted, 1);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", gone, &jpeg, &len, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_alert_scene(w.f.s, "officer", held, &jpeg, &len, &err), VG_OK);
    assert_int_equal(len, SCENE_LEN);
    free(jpeg);
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM alert WHERE scene IS NOT NULL"), 1);
    world_done(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_policy_off_refuses),
        cmocka_unit_test(test_scene_round_trip),
        cmocka_unit_test(test_scene_bound_to_row),
        cmocka_unit_test(test_retention_deletes_scene),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
