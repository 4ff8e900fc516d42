/* test_store_paperwork.c — evaluation runs and document versions in the
 * store (migration 12), on both dialects: a run's result sealed (not in the
 * database as text; an edited row refused), its recording audited, listed
 * by model and kind; a document's inputs recorded as version 1, the same
 * inputs are version 1 again (audited, no new row), changed inputs version
 * 2, each version's inputs read back as they were; refusals (bad kind,
 * labels hash, result, unknown deployment or version) change nothing. */
#include "store/store_fixtures.h"

#define RESULT "{\"protocol\":\"groups\",\"groups\":[{\"group\":\"A\",\"subjects\":7}],\"threshold\":0.54}"

static vg_eval_run run_of(const char *kind, const char *model)
{
    vg_eval_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    snprintf(r.model_id, sizeof r.model_id, "%s", model);
    snprintf(r.dataset, sizeof r.dataset, "/data/labelled");
    snprintf(r.labels_sha256, sizeof r.labels_sha256, "%064d", 7);
    snprintf(r.command, sizeof r.command, "vigil eval groups --dataset /data/labelled --labels l.csv --record");
    r.result = (char *)RESULT;
    return r;
}

static void test_eval_runs(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    int64_t id = 0, id2 = 0;
    vg_eval_run r = run_of("groups", MODEL);
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &r, &id, &err), VG_OK);
    vg_eval_run r2 = run_of("verify", "other.onnx:22");
    r2.labels_sha256[0] = '\0';
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &r2, &id2, &err), VG_OK);
    assert_true(id2 > id);
    /* sealed: the result's text is not in the database */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM eval_run"), 2);
    if (!fx_pg()) /* the file's bytes, WAL included */
        assert_false(fx_stored_contains(f.db, "\"subjects\":7", 12));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'eval.record'"), 2);

    vg_eval_run *runs = NULL;
    int n = 0;
    assert_int_equal(vg_store_eval_run_list(f.s, MODEL, NULL, &runs, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(runs[0].id, id);
    assert_string_equal(runs[0].result, RESULT);
    assert_string_equal(runs[0].created_by, ACTOR);
    assert_int_equal(runs[0].created_at, T0);
    assert_string_equal(runs[0].labels_sha256, r.labels_sha256);
    vg_store_eval_run_free(runs, n);
    assert_int_equal(vg_store_eval_run_list(f.s, NULL, "verify", &runs, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(runs[0].id, id2);
    vg_store_eval_run_free(runs, n);
    assert_int_equal(vg_store_eval_run_list(f.s, NULL, NULL, &runs, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    vg_store_eval_run_free(runs, n);

    /* refusals change nothing */
    snap before = take_snap(f.db);
    long long rows = raw_int(f.db, "SELECT count(*) FROM eval_run");
    vg_eval_run bad = run_of("guess", MODEL);
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &bad, &id, &err), VG_ERR_INVALID);
    bad = run_of("groups", MODEL);
    snprintf(bad.labels_sha256, sizeof bad.labels_sha256, "XYZ");
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &bad, &id, &err), VG_ERR_INVALID);
    bad = run_of("groups", MODEL);
    bad.result = (char *)"[1,2]";
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &bad, &id, &err), VG_ERR_INVALID);
    bad = run_of("groups", "");
    assert_int_equal(vg_store_eval_run_add(f.s, ACTOR, &bad, &id, &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM eval_run"), rows);

    /* an edited result is refused, not cited */
    raw_exec(f.db, fx_pg() ? "UPDATE eval_run SET result = overlay(result placing '\\x00'::bytea from 30 for 1)"
                           : "UPDATE eval_run SET result = substr(result, 1, 29) || x'00' || substr(result, 31)");
    assert_int_equal(vg_store_eval_run_list(f.s, NULL, NULL, &runs, &n, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "evaluation run"));
    assert_null(runs);
    fx_done(&f);
}

static void test_versions(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_deployment(f.s, "street", wl, 1);
    int v = 0;
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "dpia", "{\"a\":1}", "html", &v, &err), VG_OK);
    assert_int_equal(v, 1);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "dpia", "{\"a\":1}", "md", &v, &err), VG_OK);
    assert_int_equal(v, 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM paperwork"), 1);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "dpia", "{\"a\":2}", "html", &v, &err), VG_OK);
    assert_int_equal(v, 2);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "eia", "{\"a\":2}", "html", &v, &err), VG_OK);
    assert_int_equal(v, 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'paperwork.generate' AND object = "
                                   "'deployment:street'"),
                     4);
    if (!fx_pg())
        assert_false(fx_stored_contains(f.db, "{\"a\":2}", 7)); /* sealed */

    vg_paperwork_version pv;
    assert_int_equal(vg_store_paperwork_get(f.s, "street", "dpia", 1, &pv, &err), VG_OK);
    assert_string_equal(pv.inputs, "{\"a\":1}");
    assert_int_equal(pv.version, 1);
    free(pv.inputs);
    assert_int_equal(vg_store_paperwork_get(f.s, "street", "dpia", 0, &pv, &err), VG_OK);
    assert_int_equal(pv.version, 2);
    assert_string_equal(pv.inputs, "{\"a\":2}");
    assert_string_equal(pv.created_by, ACTOR);
    free(pv.inputs);

    snap before = take_snap(f.db);
    assert_int_equal(vg_store_paperwork_get(f.s, "street", "dpia", 3, &pv, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_paperwork_get(f.s, "nowhere", "dpia", 1, &pv, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_paperwork_get(f.s, "street", "memo", 1, &pv, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "nowhere", "dpia", "{}", "html", &v, &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "memo", "{}", "html", &v, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_paperwork_record(f.s, ACTOR, "street", "dpia", "", "html", &v, &err), VG_ERR_LIMIT);
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM paperwork"), 3);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_runs),
        cmocka_unit_test(test_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
