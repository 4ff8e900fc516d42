/* test_store_retention.c — holds and vg_store_retention_run on real SQLite
 * files (and PostgreSQL databases: the file checks become checks of what
 * the database stores) with a fake clock (the store's and the run's `now`):
 *  - alerts older than the period are deleted, newer and held ones kept;
 *    after the run, the exact sealed bytes of a deleted crop (read from the
 *    database before the run, when they sat in both the .db file and the
 *    WAL) are nowhere in the .db or -wal file, while a kept crop's are;
 *  - expired subjects (own expiry, list expiry) are deleted with templates
 *    and photos (a deleted photo's ciphertext is gone from the files too);
 *  - lists whose deployments were all ended are purged only when asked;
 *  - each run appends one retention.run entry with the counts, and the
 *    chain verifies; a run with nothing to do changes nothing else;
 *  - migration 2 -> 3 on an existing database keeps its data and switches
 *    auto_vacuum to INCREMENTAL (2); new databases have it from the start.
 */
#include "store_fixtures.h"
#include "store/migrations.h"

#include <jansson.h>

#define DAY 86400LL
#define CROP_LEN 3000

static void assert_chain_ok(vg_store *s)
{
    int64_t bad = -1, entries = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_verify(s, &bad, &entries, &err);
    if (st != VG_OK)
        fprintf(stderr, "audit verify: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_int_equal(bad, 0);
}

/* Whether the bytes are in the database file or its WAL (on PostgreSQL:
 * in any value it stores; PostgreSQL does not zero the space of deleted
 * rows, see src/store/postgres.c). */
static int in_files(const fx *f, const uint8_t *b, size_t n)
{
    return fx_stored_contains(f->db, b, n);
}

static int in_db_and_wal(const fx *f, const uint8_t *b, size_t n)
{
    if (fx_pg())
        return fx_stored_contains(f->db, b, n);
    char wal[450];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    return file_contains(f->db, b, n) && file_contains(wal, b, n);
}

/* SQLite's auto_vacuum setting (PostgreSQL has none: no check there). */
static void assert_auto_vacuum(const char *db, long long want)
{
    if (!fx_pg())
        assert_int_equal(raw_int(db, "PRAGMA auto_vacuum"), want);
}

static vg_retention_result run_ok(vg_store *s, int days, int purge, int64_t now)
{
    vg_retention_policy p = {.alert_days = days, .purge_ended_deployment_lists = purge};
    vg_retention_result r;
    vg_err err = {{0}};
    vg_status st = vg_store_retention_run(s, "retention", &p, now, &r, &err);
    if (st != VG_OK)
        fprintf(stderr, "retention_run: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    return r;
}

/* The last audit entry must be retention.run with these counts. */
static void assert_last_run(vg_store *s, int alerts, int crops, int expired, int lists, int purged,
                            int templates, int photos)
{
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_list(s, 0, &e, &n, &err), VG_OK);
    assert_true(n > 0);
    assert_string_equal(e[n - 1].action, "retention.run");
    assert_string_equal(e[n - 1].object, "retention");
    json_error_t je;
    json_t *d = json_loads(e[n - 1].details, 0, &je);
    assert_non_null(d);
    assert_int_equal(json_integer_value(json_object_get(d, "alerts")), alerts);
    assert_int_equal(json_integer_value(json_object_get(d, "crops")), crops);
    assert_int_equal(json_integer_value(json_object_get(d, "subjects_expired")), expired);
    assert_int_equal(json_integer_value(json_object_get(d, "watchlists_purged")), lists);
    assert_int_equal(json_integer_value(json_object_get(d, "subjects_purged")), purged);
    assert_int_equal(json_integer_value(json_object_get(d, "templates")), templates);
    assert_int_equal(json_integer_value(json_object_get(d, "photos")), photos);
    assert_true(json_is_integer(json_object_get(d, "scenes")));
    /* counts and the policy only: nothing that names anyone */
    assert_int_equal(json_object_size(d), 12);
    json_decref(d);
    vg_store_audit_free(e, n);
}

static int64_t add_alert(fx *f, int64_t dep, int64_t subject, const char *uid, double raised_at,
                         const uint8_t *crop)
{
    vg_alert a = fx_alert(dep, subject, uid);
    a.raised_at = raised_at;
    a.frame_time = raised_at - 0.25;
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_add(f->s, "engine", &a, crop, CROP_LEN, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "alert_add: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    return id;
}

static void test_alerts_expire_unless_held(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    /* a new database has incremental auto-vacuum from its first table */
    assert_auto_vacuum(f.db, 2);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    int64_t a = fx_enrol(f.s, wl, "Person A", 1, 1);
    int64_t dep = fx_deployment(f.s, "high-street", wl, 1);
    uint8_t *crop1 = fx_jpeg(101, CROP_LEN), *crop2 = fx_jpeg(102, CROP_LEN),
            *crop3 = fx_jpeg(103, CROP_LEN);
    int64_t old = add_alert(&f, dep, a, "old", (double)(T0 - 40 * DAY), crop1);
    int64_t recent = add_alert(&f, dep, a, "recent", (double)(T0 - 10 * DAY), crop2);
    int64_t held = add_alert(&f, dep, a, "held", (double)(T0 - 40 * DAY), crop3);

    vg_err err = {{0}};
    /* hold: refusals first, each changing nothing */
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, held, "", &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, held, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, 999, "op X", &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_alert_release(f.s, ACTOR, held, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not held"));
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, held, "Operation Kestrel, ref 2023/77", &err),
                     VG_OK);
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, held, "again", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "already held"));
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT held_at FROM alert WHERE id = %lld", (long long)held);
    assert_int_equal(raw_int(f.db, sql), T0);

    /* the sealed crops as stored, and a passive checkpoint so that they sit
     * in the database file and still in the WAL's frames */
    size_t n1, n2;
    snprintf(sql, sizeof sql, "SELECT crop FROM alert WHERE id = %lld", (long long)old);
    uint8_t *sealed_old = raw_blob(f.db, sql, &n1);
    snprintf(sql, sizeof sql, "SELECT crop FROM alert WHERE id = %lld", (long long)recent);
    uint8_t *sealed_recent = raw_blob(f.db, sql, &n2);
    if (!fx_pg())
        raw_exec(f.db, "PRAGMA wal_checkpoint(PASSIVE)");
    assert_true(in_db_and_wal(&f, sealed_old, n1));

    int64_t audit_before = raw_int(f.db, "SELECT count(*) FROM audit");
    vg_retention_result r = run_ok(f.s, 0, 0, T0); /* 0: 31 days */
    assert_int_equal(r.alerts_deleted, 1);
    assert_int_equal(r.crops_deleted, 1);
    assert_int_equal(r.subjects_expired + r.subjects_purged + r.watchlists_purged, 0);
    assert_int_equal(r.space_reclaimed, 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit"), audit_before + 1);
    assert_last_run(f.s, 1, 1, 0, 0, 0, 0, 0);

    vg_alert *list = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_list(f.s, 0, &list, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, recent);
    assert_int_equal(list[1].id, held);
    free(list);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(f.s, ACTOR, old, &jpeg, &len, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_alert_crop(f.s, ACTOR, held, &jpeg, &len, &err), VG_OK);
    assert_memory_equal(jpeg, crop3, CROP_LEN);
    free(jpeg);

    /* the deleted crop's bytes are nowhere in the files; a kept one's are
     * (the search would find them) */
    assert_false(in_files(&f, sealed_old, n1));
    assert_true(in_files(&f, sealed_recent, n2));
    assert_chain_ok(f.s);

    /* released, the held alert goes at the next run; the recent one at day 31+ */
    assert_int_equal(vg_store_alert_release(f.s, ACTOR, held, &err), VG_OK);
    r = run_ok(f.s, 31, 0, T0);
    assert_int_equal(r.alerts_deleted, 1);
    r = run_ok(f.s, 0, 0, T0 + 21 * DAY + 1);
    assert_int_equal(r.alerts_deleted, 1);
    assert_false(in_files(&f, sealed_recent, n2));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM alert"), 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'alert.hold'"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'alert.release'"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'retention.run'"), 3);
    assert_chain_ok(f.s);

    /* a bad policy is refused and changes nothing */
    before = take_snap(f.db);
    vg_retention_policy bad = {.alert_days = -1};
    vg_retention_result rr;
    assert_int_equal(vg_store_retention_run(f.s, "retention", &bad, T0, &rr, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_retention_run(f.s, "", NULL, T0, &rr, &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));

    free(sealed_old);
    free(sealed_recent);
    free(crop1);
    free(crop2);
    free(crop3);
    fx_done(&f);
}

static void test_expired_subjects(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t expiring = fx_watchlist(f.s, "expiring", T0 + 100, 0);
    int64_t standing = fx_watchlist(f.s, "standing", 0, 0);
    int64_t s1 = fx_enrol(f.s, expiring, "On an expiring list", 1, 2);
    vg_subject sub = fx_subject(standing, "Own expiry");
    sub.expires_at = T0 + 50;
    fx_photos *p = fx_photos_new(2, 3);
    int64_t s2 = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 3, &s2, &err), VG_OK);
    fx_photos_free(p);
    int64_t s3 = fx_enrol(f.s, standing, "No expiry", 3, 1);
    int64_t dep = fx_deployment(f.s, "market", standing, 1);
    uint8_t *crop = fx_jpeg(7, CROP_LEN);
    int64_t al = add_alert(&f, dep, s2, "of-s2", (double)T0, crop);

    char sql[200];
    size_t plen;
    snprintf(sql, sizeof sql, "SELECT jpeg FROM photo WHERE subject_id = %lld AND idx = 1",
             (long long)s2);
    uint8_t *sealed_photo = raw_blob(f.db, sql, &plen);

    /* nothing expired yet */
    vg_retention_result r = run_ok(f.s, 0, 0, T0 + 49);
    assert_int_equal(r.subjects_expired, 0);

    /* s2's own expiry */
    r = run_ok(f.s, 0, 0, T0 + 50);
    assert_int_equal(r.subjects_expired, 1);
    assert_int_equal(r.templates_deleted, 3);
    assert_int_equal(r.photos_deleted, 3);
    assert_last_run(f.s, 0, 0, 1, 0, 0, 3, 3);
    vg_subject got;
    assert_int_equal(vg_store_subject_get(f.s, s2, &got, &err), VG_ERR_NOT_FOUND);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM template WHERE subject_id = %lld", (long long)s2);
    assert_int_equal(raw_int(f.db, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM photo WHERE subject_id = %lld", (long long)s2);
    assert_int_equal(raw_int(f.db, sql), 0);
    assert_false(in_files(&f, sealed_photo, plen));
    /* its alert stays (its own period has not run out), without the subject */
    vg_alert *list = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_list(f.s, 0, &list, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, al);
    assert_int_equal(list[0].subject_id, 0);
    free(list);

    /* s1 through its list's expiry; s3 never */
    r = run_ok(f.s, 0, 0, T0 + 100);
    assert_int_equal(r.subjects_expired, 1);
    assert_int_equal(r.templates_deleted, 2);
    assert_int_equal(vg_store_subject_get(f.s, s1, &got, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_subject_get(f.s, s3, &got, &err), VG_OK);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM subject"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM photo"), 1);
    /* the lists themselves stay */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM watchlist"), 2);
    assert_chain_ok(f.s);
    free(sealed_photo);
    free(crop);
    fx_done(&f);
}

static void end_deployment(vg_store *s, const char *name)
{
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_end(s, ACTOR, name, &err), VG_OK);
}

static void test_purge_lists_of_ended_deployments(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t two = fx_watchlist(f.s, "two-deployments", 0, 0);
    int64_t none = fx_watchlist(f.s, "never-deployed", 0, 0);
    int64_t live = fx_watchlist(f.s, "still-deployed", 0, 0);
    fx_enrol(f.s, two, "A", 1, 2);
    fx_enrol(f.s, two, "B", 2, 1);
    fx_enrol(f.s, none, "C", 3, 1);
    fx_enrol(f.s, live, "D", 4, 1);
    fx_deployment(f.s, "d1", two, 1);
    fx_deployment(f.s, "d2", two, 1);
    fx_deployment(f.s, "d3", live, 1);

    /* one of two deployments ended: kept */
    end_deployment(f.s, "d1");
    vg_retention_result r = run_ok(f.s, 0, 1, T0);
    assert_int_equal(r.watchlists_purged, 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM subject"), 4);

    /* both ended, but no purge asked: kept */
    end_deployment(f.s, "d2");
    r = run_ok(f.s, 0, 0, T0);
    assert_int_equal(r.watchlists_purged, 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM subject"), 4);

    r = run_ok(f.s, 0, 1, T0);
    assert_int_equal(r.watchlists_purged, 1);
    assert_int_equal(r.subjects_purged, 2);
    assert_int_equal(r.subjects_expired, 0);
    assert_int_equal(r.templates_deleted, 3);
    assert_int_equal(r.photos_deleted, 3);
    assert_last_run(f.s, 0, 0, 0, 1, 2, 3, 3);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM subject WHERE watchlist_id = %lld", (long long)two);
    assert_int_equal(raw_int(f.db, sql), 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM subject"), 2);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM watchlist"), 3);

    /* an emptied list is not counted again */
    r = run_ok(f.s, 0, 1, T0);
    assert_int_equal(r.watchlists_purged, 0);
    assert_int_equal(r.subjects_purged, 0);
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_run_with_nothing_to_do(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    int64_t a = fx_enrol(f.s, wl, "A", 1, 1);
    int64_t dep = fx_deployment(f.s, "high-street", wl, 1);
    uint8_t *crop = fx_jpeg(9, CROP_LEN);
    add_alert(&f, dep, a, "fresh", (double)T0, crop);

    snap before = take_snap(f.db);
    vg_retention_result r = run_ok(f.s, 0, 1, T0);
    snap after = take_snap(f.db);
    vg_retention_result zero;
    memset(&zero, 0, sizeof zero);
    zero.space_reclaimed = 1;
    assert_memory_equal(&r, &zero, sizeof r);
    /* the only change is the entry recording that the job ran */
    assert_int_equal(after.audit, before.audit + 1);
    after.audit = before.audit;
    after.audit_max = before.audit_max;
    assert_snap_equal(before, after);
    assert_last_run(f.s, 0, 0, 0, 0, 0, 0, 0);
    assert_chain_ok(f.s);
    free(crop);
    fx_done(&f);
}

/* A database a version-2 vigil wrote, opened by this one: it is upgraded
 * to this binary's schema (vg_store_schema_version), migration 3 (the
 * retention columns, auto-vacuum) applied once at the opening, and the
 * data as it was. */
static void test_migration_from_2(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    int64_t a = fx_enrol(f.s, wl, "A", 1, 2);
    int64_t dep = fx_deployment(f.s, "high-street", wl, 1);
    uint8_t *crop = fx_jpeg(11, CROP_LEN);
    int64_t al = add_alert(&f, dep, a, "before-upgrade", (double)T0, crop);
    vg_store_close(f.s);
    f.s = NULL;

    /* make it the database a version-2 vigil wrote: no auto-vacuum, no hold
     * columns, no index on raised_at */
    if (!fx_pg())
        raw_exec(f.db, "PRAGMA auto_vacuum = NONE; VACUUM;");
    raw_exec(f.db, "DROP INDEX alert_raised; ALTER TABLE alert DROP COLUMN hold_reason; "
                   "ALTER TABLE alert DROP COLUMN held_by; ALTER TABLE alert DROP COLUMN held_at; "
                   "DROP TABLE alert_tally; DROP TABLE \"user\"; DROP TABLE api_token; "
                   "DROP TABLE session; DROP TABLE paperwork; DROP TABLE eval_run; "
                   "ALTER TABLE template DROP COLUMN low_quality; "
                   "ALTER TABLE deployment DROP COLUMN model_id; ALTER TABLE deployment DROP COLUMN detector; "
                   "ALTER TABLE subject DROP COLUMN quarantined_at; ALTER TABLE subject DROP COLUMN quarantine_reason; "
                   "ALTER TABLE deployment_camera DROP COLUMN url_sealed; "
                   "ALTER TABLE alert DROP COLUMN template_id; "
                   "ALTER TABLE alert DROP COLUMN scene; ALTER TABLE deployment DROP COLUMN scene_snapshot; "
                   "ALTER TABLE photo DROP COLUMN face_x1; ALTER TABLE photo DROP COLUMN face_y1; ALTER TABLE photo DROP COLUMN face_x2; ALTER TABLE photo DROP COLUMN face_y2; ALTER TABLE photo DROP COLUMN lm0x; ALTER TABLE photo DROP COLUMN lm0y; ALTER TABLE photo DROP COLUMN lm1x; ALTER TABLE photo DROP COLUMN lm1y; ALTER TABLE photo DROP COLUMN lm2x; ALTER TABLE photo DROP COLUMN lm2y; ALTER TABLE photo DROP COLUMN lm3x; ALTER TABLE photo DROP COLUMN lm3y; ALTER TABLE photo DROP COLUMN lm4x; ALTER TABLE photo DROP COLUMN lm4y; "
                   "ALTER TABLE deployment_camera DROP COLUMN name; ALTER TABLE deployment_camera DROP COLUMN location; "
                   "DELETE FROM schema_version WHERE version >= 3;");
    assert_auto_vacuum(f.db, 0);
    assert_int_equal(raw_int(f.db, "SELECT max(version) FROM schema_version"), 2);
    snap before = take_snap(f.db);

    f.s = fx_open_at(f.db, NULL, T0 + 10);
    assert_int_equal(vg_store_db_schema_version(f.s), vg_store_schema_version());
    assert_auto_vacuum(f.db, 2);
    assert_int_equal(raw_int(f.db, "SELECT applied_at FROM schema_version WHERE version = 3"),
                     T0 + 10);
    assert_snap_equal(before, take_snap(f.db));
    vg_err err = {{0}};
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(f.s, ACTOR, al, &jpeg, &len, &err), VG_OK);
    assert_memory_equal(jpeg, crop, CROP_LEN);
    free(jpeg);
    assert_int_equal(vg_store_alert_hold(f.s, ACTOR, al, "case 12", &err), VG_OK);
    vg_retention_result r = run_ok(f.s, 1, 0, T0 + 40 * DAY);
    assert_int_equal(r.alerts_deleted, 0);
    assert_int_equal(r.space_reclaimed, 1);
    assert_chain_ok(f.s);

    /* the migration runs once */
    fx_reopen(&f, T0 + 20);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM schema_version"), vg_store_migrations_count());
    assert_int_equal(raw_int(f.db, "SELECT applied_at FROM schema_version WHERE version = 3"),
                     T0 + 10);
    assert_auto_vacuum(f.db, 2);
    free(crop);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alerts_expire_unless_held),
        cmocka_unit_test(test_expired_subjects),
        cmocka_unit_test(test_purge_lists_of_ended_deployments),
        cmocka_unit_test(test_run_with_nothing_to_do),
        cmocka_unit_test(test_migration_from_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
