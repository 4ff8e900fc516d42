/* test_store_alert_query.c — vg_store_alert_query, _detail_get and
 * _last_id (the reads behind the HTTP alert list and its live feed), on
 * SQLite and on PostgreSQL: pages after an id in id order (and newest
 * first), by deployment and by state; each alert with its subject's name,
 * reason and category, its deployment's watch list and, once decided, the
 * officer, the time and the note; a removed subject leaves the alert with
 * empty subject fields; bad queries are refused; none of these reads adds
 * to the audit chain. */
#include "store_fixtures.h"

typedef struct world {
    fx f;
    int64_t wl, a, b, dep1, dep2;
    int64_t ids[7];
} world;

static void world_init(world *w)
{
    fx_init(&w->f, T0);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Person A", 1, 1);
    w->b = fx_enrol(w->f.s, w->wl, "Person B", 2, 1);
    w->dep1 = fx_deployment(w->f.s, "high-street", w->wl, 1);
    w->dep2 = fx_deployment(w->f.s, "station", w->wl, 1);
    uint8_t *crop = fx_jpeg(7, 400);
    for (int i = 0; i < 7; i++) { /* deployments 1,2,1,2,...; subjects a,b,a,b,... */
        char uid[16];
        snprintf(uid, sizeof uid, "q-%d", i);
        vg_alert al = fx_alert(i % 2 ? w->dep2 : w->dep1, i % 2 ? w->b : w->a, uid);
        vg_err err = {{0}};
        assert_int_equal(vg_store_alert_add(w->f.s, "engine", &al, crop, 400, &w->ids[i], &err), VG_OK);
    }
    free(crop);
}

static vg_alert_detail *query(world *w, vg_alert_query q, int *n)
{
    vg_alert_detail *v = NULL;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_query(w->f.s, &q, &v, n, &err);
    if (st)
        fprintf(stderr, "query: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    return v;
}

static void paging_and_filters(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int n;
    vg_alert_detail *v = query(&w, (vg_alert_query){.limit = 3}, &n);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(v[i].alert.id, w.ids[i]);
    free(v);
    v = query(&w, (vg_alert_query){.after = w.ids[2], .limit = 1000}, &n);
    assert_int_equal(n, 4);
    assert_int_equal(v[0].alert.id, w.ids[3]);
    assert_int_equal(v[3].alert.id, w.ids[6]);
    free(v);
    v = query(&w, (vg_alert_query){.after = w.ids[6], .limit = 10}, &n);
    assert_int_equal(n, 0);
    assert_null(v);
    v = query(&w, (vg_alert_query){.deployment_id = w.dep2, .limit = 10}, &n);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        assert_int_equal(v[i].alert.deployment_id, w.dep2);
    free(v);
    v = query(&w, (vg_alert_query){.limit = 2, .newest_first = 1}, &n);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].alert.id, w.ids[6]);
    assert_int_equal(v[1].alert.id, w.ids[5]);
    free(v);
    int64_t last = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_last_id(w.f.s, &last, &err), VG_OK);
    assert_int_equal(last, w.ids[6]);
    /* states: two decided, the rest pending */
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC 1", w.ids[1], "confirmed", "seen", &err), VG_OK);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC 2", w.ids[4], "rejected", "", &err), VG_OK);
    v = query(&w, (vg_alert_query){.state = "pending", .limit = 100}, &n);
    assert_int_equal(n, 5);
    free(v);
    v = query(&w, (vg_alert_query){.state = "confirmed", .limit = 100}, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].alert.id, w.ids[1]);
    free(v);
    fx_done(&w.f);
}

static void details(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_err err = {{0}};
    int64_t seq0 = raw_int(w.f.db, "SELECT count(*) FROM audit");
    vg_alert_detail d;
    assert_int_equal(vg_store_alert_detail_get(w.f.s, w.ids[0], &d, &err), VG_OK);
    assert_string_equal(d.subject_name, "Person A");
    assert_string_equal(d.watchlist, "wanted");
    assert_string_equal(d.alert.state, "pending");
    assert_string_equal(d.adjudicated_by, "");
    assert_int_equal(d.adjudicated_at, 0);
    assert_string_equal(d.note, "");
    vg_subject sub;
    assert_int_equal(vg_store_subject_get(w.f.s, w.a, &sub, &err), VG_OK);
    assert_string_equal(d.subject_reason, sub.reason);
    assert_string_equal(d.subject_category, sub.category);
    assert_int_equal(vg_store_alert_adjudicate(w.f.s, "PC 1234", w.ids[0], "no_action", "two lines\nof note", &err),
                     VG_OK);
    assert_int_equal(vg_store_alert_detail_get(w.f.s, w.ids[0], &d, &err), VG_OK);
    assert_string_equal(d.alert.state, "no_action");
    assert_string_equal(d.adjudicated_by, "PC 1234");
    assert_int_equal(d.adjudicated_at, T0);
    assert_string_equal(d.note, "two lines\nof note");
    /* the subject removed: the alert stays, its subject fields empty */
    assert_int_equal(vg_store_subject_remove(w.f.s, "admin", w.b, &err), VG_OK);
    assert_int_equal(vg_store_alert_detail_get(w.f.s, w.ids[1], &d, &err), VG_OK);
    assert_int_equal(d.alert.subject_id, 0);
    assert_string_equal(d.subject_name, "");
    assert_string_equal(d.watchlist, "wanted");
    /* reads are not audited: only the adjudication and the removal were */
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM audit"), seq0 + 2);
    assert_int_equal(vg_store_alert_detail_get(w.f.s, w.ids[6] + 1, &d, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_alert_detail_get(w.f.s, 0, &d, &err), VG_ERR_NOT_FOUND);
    fx_done(&w.f);
}

static void refused(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_alert_detail *v = NULL;
    int n = -1;
    vg_err err = {{0}};
    vg_alert_query bad[] = {
        {.limit = 0},
        {.limit = VG_STORE_ALERT_QUERY_MAX + 1},
        {.limit = 5, .after = -1},
        {.limit = 5, .deployment_id = -2},
        {.limit = 5, .state = "maybe"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(vg_store_alert_query(w.f.s, &bad[i], &v, &n, &err), VG_ERR_INVALID);
        assert_null(v);
        assert_int_equal(n, 0);
    }
    /* an unknown deployment is no error: no alerts */
    vg_alert_query q = {.deployment_id = 999, .limit = 5};
    assert_int_equal(vg_store_alert_query(w.f.s, &q, &v, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    fx_done(&w.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paging_and_filters),
        cmocka_unit_test(details),
        cmocka_unit_test(refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
