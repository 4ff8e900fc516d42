/* test_store_report.c — adjudication and the transparency report on a real
 * SQLite file: alerts (with small real JPEG crops) and counters on two
 * deployments, some adjudicated; the report's figures equal counts computed
 * independently with SQL on the database file; refused adjudications (an
 * unknown id, a bad outcome, a second decision, an over-long note) change
 * nothing; the decision, officer and note are stored and audited without the
 * image; the audit chain verifies; the period summary adds the deployments
 * whose window overlaps the period and leaves out the others.
 */
#include "store_fixtures.h"

#include "vigil/image.h"

typedef struct world {
    fx f;
    int64_t wl, dep, dep2, a, b;
    uint8_t *jpeg;
    size_t jpeg_len;
} world;

/* A small real JPEG: a 32x40 gradient. */
static void make_jpeg(world *w)
{
    vg_image *img = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_image_new(32, 40, &img, &err), VG_OK);
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            uint8_t *p = img->data + (size_t)y * img->stride + 3 * (size_t)x;
            p[0] = (uint8_t)(x * 8);
            p[1] = (uint8_t)(y * 6);
            p[2] = 128;
        }
    assert_int_equal(vg_image_encode_jpeg(img, 85, &w->jpeg, &w->jpeg_len, &err), VG_OK);
    vg_image_free(img);
    assert_true(w->jpeg_len > 3 && w->jpeg[0] == 0xff && w->jpeg[1] == 0xd8);
}

static int64_t add_alert(world *w, int64_t dep, int64_t subject, const char *uid, const char *camera)
{
    vg_alert a = fx_alert(dep, subject, uid);
    snprintf(a.camera, sizeof a.camera, "%s", camera);
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_add(w->f.s, "engine", &a, w->jpeg, w->jpeg_len, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "alert_add: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    return id;
}

static void adjudicate_ok(world *w, const char *officer, int64_t id, const char *outcome, const char *note)
{
    vg_err err = {{0}};
    vg_status st = vg_store_alert_adjudicate(w->f.s, officer, id, outcome, note, &err);
    if (st != VG_OK)
        fprintf(stderr, "adjudicate %lld: %s\n", (long long)id, err.msg);
    assert_int_equal(st, VG_OK);
}

static void counters(world *w, int64_t dep, const char *camera, int64_t faces, int64_t alerts)
{
    vg_counters c = {.frames_in = faces * 3, .frames_processed = faces * 2, .frames_dropped = 1,
                     .faces = faces, .tracks = faces / 4, .embeddings = faces / 3,
                     .comparisons = faces / 3, .alerts = alerts, .reconnects = 0};
    vg_err err = {{0}};
    assert_int_equal(vg_store_counters_add(w->f.s, dep, camera, &c, &err), VG_OK);
}

/* Deployment "high-street" (T0-1h .. T0+8h, store clock T0+2h): 7 alerts
 * (2 confirmed, 3 rejected, 1 no action, 1 pending), two cameras of
 * counters; "station" (T0+30d ..) with 2 alerts, 1 rejected. */
static void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    fx_init(&w->f, T0 + 2 * 3600);
    make_jpeg(w);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Alice Listed", 1, 2);
    w->b = fx_enrol(w->f.s, w->wl, "Bob Listed", 2, 1);
    w->dep = fx_deployment(w->f.s, "high-street", w->wl, 2);
    vg_deployment *d = fx_deployment_new("station", w->wl, 1);
    d->starts_at = T0 + 30 * 86400;
    d->ends_at = d->starts_at + 6 * 3600;
    d->threshold = 0.6f;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(w->f.s, ACTOR, d, &w->dep2, &err), VG_OK);
    free(d);

    int64_t id[7];
    for (int i = 0; i < 7; i++) {
        char uid[32];
        snprintf(uid, sizeof uid, "hs-%d", i);
        id[i] = add_alert(w, w->dep, i % 2 ? w->b : w->a, uid, i < 4 ? "cam1" : "cam2");
    }
    adjudicate_ok(w, "PC Jones", id[0], "confirmed", "stopped and spoken to");
    adjudicate_ok(w, "PC Jones", id[1], "rejected", "not the same person");
    adjudicate_ok(w, "PC Smith", id[2], "rejected", NULL);
    adjudicate_ok(w, "PC Smith", id[3], "confirmed", "");
    adjudicate_ok(w, "PC Jones", id[4], "no_action", "left the area\nbefore an officer arrived");
    adjudicate_ok(w, "PC Smith", id[5], "rejected", "different height");
    counters(w, w->dep, "cam1", 4000, 4);
    counters(w, w->dep, "cam2", 2500, 3);
    counters(w, w->dep, "cam1", 500, 0);

    int64_t s1 = add_alert(w, w->dep2, w->a, "st-1", "cam1");
    add_alert(w, w->dep2, w->b, "st-2", "cam1");
    adjudicate_ok(w, "PC Jones", s1, "rejected", "");
    counters(w, w->dep2, "cam1", 1000, 2);
}

static void world_done(world *w)
{
    free(w->jpeg);
    fx_done(&w->f);
}

static long long q(world *w, const char *fmt, long long arg)
{
    char sql[512];
    snprintf(sql, sizeof sql, fmt, arg);
    return raw_int(w->f.db, sql);
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

/* The report's figures against SQL on the file, written here independently. */
static void assert_report_matches_db(world *w, const vg_report *r, int64_t dep)
{
    assert_int_equal(r->alerts, q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld", dep));
    assert_int_equal(r->confirmed,
                     q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld AND state = 'confirmed'", dep));
    assert_int_equal(r->rejected,
                     q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld AND state = 'rejected'", dep));
    assert_int_equal(r->no_action,
                     q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld AND state = 'no_action'", dep));
    assert_int_equal(r->pending,
                     q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld AND state = 'pending'", dep));
    assert_int_equal(r->counters.faces,
                     q(w, "SELECT coalesce(sum(faces), 0) FROM counters WHERE deployment_id = %lld", dep));
    assert_int_equal(r->counters.frames_in,
                     q(w, "SELECT coalesce(sum(frames_in), 0) FROM counters WHERE deployment_id = %lld", dep));
    assert_int_equal(r->counters.frames_processed,
                     q(w, "SELECT coalesce(sum(frames_processed), 0) FROM counters WHERE deployment_id = %lld",
                       dep));
    assert_int_equal(r->counters.alerts,
                     q(w, "SELECT coalesce(sum(alerts), 0) FROM counters WHERE deployment_id = %lld", dep));
    assert_int_equal(r->watchlist_size,
                     q(w, "SELECT count(*) FROM subject WHERE watchlist_id = "
                          "(SELECT watchlist_id FROM deployment WHERE id = %lld)", dep));
    long long faces = r->counters.faces;
    long long adj = q(w, "SELECT count(*) FROM alert WHERE deployment_id = %lld AND state <> 'pending'", dep);
    assert_true(fabs(r->alerts_per_1000_faces - (faces ? 1000.0 * (double)r->alerts / (double)faces : 0)) < 1e-9);
    assert_true(fabs(r->false_alerts_per_face - (faces ? (double)r->rejected / (double)faces : 0)) < 1e-12);
    assert_true(fabs(r->false_alerts_per_alert - (adj ? (double)r->rejected / (double)adj : 0)) < 1e-12);
}

static void test_report_equals_db_counts(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_report r;
    vg_err err = {{0}};
    assert_int_equal(vg_store_report(w.f.s, "high-street", &r, &err), VG_OK);
    assert_report_matches_db(&w, &r, w.dep);
    /* and the values the fixture meant */
    assert_int_equal(r.alerts, 7);
    assert_int_equal(r.confirmed, 2);
    assert_int_equal(r.rejected, 3);
    assert_int_equal(r.no_action, 1);
    assert_int_equal(r.pending, 1);
    assert_int_equal(r.counters.faces, 7000);
    assert_int_equal(r.watchlist_size, 2);
    assert_string_equal(r.deployment, "high-street");
    assert_string_equal(r.watchlist, "wanted");
    assert_string_equal(r.model, MODEL);
    assert_true(fabs(r.threshold - 0.54f) < 1e-6);
    assert_true(fabs(r.hours_on_air - 3.0) < 1e-9); /* T0-1h .. clock T0+2h */
    assert_true(fabs(r.alerts_per_1000_faces - 1.0) < 1e-9);
    assert_true(fabs(r.false_alerts_per_alert - 0.5) < 1e-9);

    assert_int_equal(vg_store_report(w.f.s, "station", &r, &err), VG_OK);
    assert_report_matches_db(&w, &r, w.dep2);
    assert_true(r.hours_on_air == 0); /* not started at the store's clock */

    /* ended: time on air stops at the end; a later clock does not add */
    assert_int_equal(vg_store_deployment_end(w.f.s, ACTOR, "high-street", &err), VG_OK);
    fx_reopen(&w.f, T0 + 5 * 3600);
    assert_int_equal(vg_store_report(w.f.s, "high-street", &r, &err), VG_OK);
    assert_true(fabs(r.hours_on_air - 3.0) < 1e-9);
    assert_int_equal(r.ended_at, T0 + 2 * 3600);

    assert_int_equal(vg_store_report(w.f.s, "nowhere", &r, &err), VG_ERR_NOT_FOUND);
    assert_chain_ok(w.f.s);
    world_done(&w);
}

static void test_adjudication_stored_and_audited(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    assert_int_equal(q(&w, "SELECT count(*) FROM alert WHERE state = 'confirmed' AND outcome = 'confirmed' "
                           "AND adjudicated_by = 'PC Jones' AND adjudicated_at = %lld "
                           "AND note = 'stopped and spoken to'",
                       T0 + 2 * 3600),
                     1);
    assert_int_equal(q(&w, "SELECT count(*) FROM alert WHERE state <> outcome AND state <> 'pending' AND %lld = 1",
                       1),
                     0);
    assert_int_equal(q(&w, "SELECT count(*) FROM audit WHERE action = 'alert.adjudicate' AND %lld = 1", 1), 7);
    assert_int_equal(q(&w, "SELECT count(*) FROM audit WHERE action = 'alert.adjudicate' AND actor = 'PC Smith' "
                           "AND details LIKE '%%\"outcome\":\"rejected\"%%' "
                           "AND details LIKE '%%\"note\":\"different height\"%%' AND %lld = 1",
                       1),
                     1);
    /* the image is not in the audit chain */
    assert_int_equal(q(&w, "SELECT count(*) FROM audit WHERE length(details) > 1000 AND %lld = 1", 1), 0);
    assert_false(fx_stored_contains(w.f.db, w.jpeg, w.jpeg_len)); /* crops sealed */
    assert_chain_ok(w.f.s);
    world_done(&w);
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int64_t pending = q(&w, "SELECT id FROM alert WHERE state = 'pending' AND deployment_id = %lld", w.dep);
    int64_t decided = q(&w, "SELECT min(id) FROM alert WHERE state = 'confirmed' AND %lld = 1", 1);
    char *long_note = malloc(VG_STORE_TEXT_MAX + 2);
    memset(long_note, 'x', VG_STORE_TEXT_MAX + 1);
    long_note[VG_STORE_TEXT_MAX + 1] = '\0';
    snap before = take_snap(w.f.db);
    long long sum_before = q(&w, "SELECT coalesce(sum(length(note) + adjudicated_at + "
                                 "length(adjudicated_by)), 0) FROM alert WHERE %lld = 1", 1);
    vg_err err = {{0}};

    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", 999999, "confirmed", "", &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", pending, "maybe", "", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "maybe"));
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", pending, NULL, "", &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", pending, "pending", "", &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", pending, "rejected", long_note, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Jones", pending, "rejected", "\xff\xfe", &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "", pending, "rejected", "", &err), VG_ERR_INVALID);
    /* a second decision names the first, and is a conflict */
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC Smith", decided, "rejected", "no", &err),
                     VG_ERR_EXISTS); /* a conflict: the CLI exits 1, the API answers 409 */
    assert_non_null(strstr(err.msg, "confirmed"));
    assert_non_null(strstr(err.msg, "PC Jones"));

    assert_snap_equal(before, take_snap(w.f.db));
    assert_int_equal(sum_before, q(&w, "SELECT coalesce(sum(length(note) + adjudicated_at + "
                                       "length(adjudicated_by)), 0) FROM alert WHERE %lld = 1", 1));
    assert_int_equal(q(&w, "SELECT count(*) FROM alert WHERE id = %lld AND state = 'pending'", pending), 1);
    assert_int_equal(q(&w, "SELECT count(*) FROM alert WHERE id = %lld AND state = 'confirmed'", decided), 1);
    free(long_note);
    assert_chain_ok(w.f.s);
    world_done(&w);
}

static void test_period_summary(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_report r;
    int n = -1;
    vg_err err = {{0}};
    /* only high-street's window overlaps the first week */
    assert_int_equal(vg_store_report_period(w.f.s, T0 - 86400, T0 + 7 * 86400, &r, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_report_matches_db(&w, &r, w.dep);
    assert_string_equal(r.deployment, "");
    /* both in the quarter: sums of both, independently from SQL */
    assert_int_equal(vg_store_report_period(w.f.s, T0 - 86400, T0 + 90 * 86400, &r, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(r.alerts, raw_int(w.f.db, "SELECT count(*) FROM alert"));
    assert_int_equal(r.rejected, raw_int(w.f.db, "SELECT count(*) FROM alert WHERE state = 'rejected'"));
    assert_int_equal(r.pending, raw_int(w.f.db, "SELECT count(*) FROM alert WHERE state = 'pending'"));
    assert_int_equal(r.counters.faces, raw_int(w.f.db, "SELECT sum(faces) FROM counters"));
    assert_true(r.threshold < 0); /* 0.54 and 0.6 */
    assert_string_equal(r.watchlist, "wanted");
    assert_true(fabs(r.false_alerts_per_face - 4.0 / 8000.0) < 1e-12);
    /* a window that ends exactly at the period's start does not overlap */
    assert_int_equal(vg_store_report_period(w.f.s, T0 + 8 * 3600, T0 + 86400, &r, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(r.alerts, 0);
    assert_int_equal(vg_store_report_period(w.f.s, T0, T0, &r, &n, &err), VG_ERR_INVALID);
    world_done(&w);
}

/* Retention deletes alerts past their period, but their outcomes stay in the
 * report: alert_tally keeps them as counts. */
static void test_report_after_retention(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_report before, after;
    vg_err err = {{0}};
    assert_int_equal(vg_store_report(w.f.s, "high-street", &before, &err), VG_OK);
    vg_retention_policy p = {.alert_days = 31};
    vg_retention_result res;
    assert_int_equal(vg_store_retention_run(w.f.s, ACTOR, &p, T0 + 40 * 86400, &res, &err), VG_OK);
    assert_true(res.alerts_deleted >= 7);
    assert_int_equal(q(&w, "SELECT count(*) FROM alert WHERE deployment_id = %lld", w.dep), 0);
    assert_int_equal(vg_store_report(w.f.s, "high-street", &after, &err), VG_OK);
    assert_int_equal(after.alerts, before.alerts);
    assert_int_equal(after.confirmed, before.confirmed);
    assert_int_equal(after.rejected, before.rejected);
    assert_int_equal(after.no_action, before.no_action);
    assert_int_equal(after.pending, before.pending);
    assert_int_equal(q(&w, "SELECT alerts FROM alert_tally WHERE deployment_id = %lld", w.dep), 7);
    assert_chain_ok(w.f.s);
    world_done(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_equals_db_counts),
        cmocka_unit_test(test_adjudication_stored_and_audited),
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_period_summary),
        cmocka_unit_test(test_report_after_retention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
