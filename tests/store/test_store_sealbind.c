/* test_store_sealbind.c — issue 14, point 11: every sealed value is bound
 * to its row. A template, photo, crop, evaluation result, document's
 * inputs or calibration copied into another row (another subject, another
 * index, another alert, another model) does not open there, and the call
 * that reads it fails with a clear error (a template's subject is
 * quarantined) instead of handing out another row's data. Migration 13
 * upgrades a version-12 database, whose values are secretbox without
 * associated data, by sealing each again bound to its row: everything
 * reads back as it was, the values are bound afterwards, a value altered
 * before the upgrade stays refused, and a wrong key file is refused
 * before anything is rewritten.
 */
#include "store_fixtures.h"

#include <sodium.h>

#include "store/seal.h"

#define OTHER_MODEL "other.onnx:2222222222222222222222222222222222222222222222222222222222222222"

/* The database with some of everything that is sealed. */
typedef struct world {
    fx f;
    int64_t wl, a, b, dep, alert1, alert2, run1, run2;
    uint8_t *crop1, *crop2;
} world;

#define CROP_LEN 1500

static void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    fx_init(&w->f, T0);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Subject A", 1, 2);
    w->b = fx_enrol(w->f.s, w->wl, "Subject B", 2, 2);
    w->dep = fx_deployment(w->f.s, "street", w->wl, 1);
    w->crop1 = fx_jpeg(501, CROP_LEN);
    w->crop2 = fx_jpeg(502, CROP_LEN);
    vg_err err = {{0}};
    vg_alert a1 = fx_alert(w->dep, w->a, "uid-1"), a2 = fx_alert(w->dep, w->b, "uid-2");
    assert_int_equal(vg_store_alert_add(w->f.s, ACTOR, &a1, w->crop1, CROP_LEN, &w->alert1, &err), VG_OK);
    assert_int_equal(vg_store_alert_add(w->f.s, ACTOR, &a2, w->crop2, CROP_LEN, &w->alert2, &err), VG_OK);
    assert_int_equal(vg_store_calibration_put(w->f.s, ACTOR, MODEL, "{\"model\":\"ours\"}", &err), VG_OK);
    assert_int_equal(vg_store_calibration_put(w->f.s, ACTOR, OTHER_MODEL, "{\"model\":\"other\"}", &err), VG_OK);
    vg_eval_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.kind, sizeof r.kind, "groups");
    snprintf(r.model_id, sizeof r.model_id, "%s", MODEL);
    snprintf(r.dataset, sizeof r.dataset, "/data/set");
    snprintf(r.command, sizeof r.command, "vigil eval groups");
    r.result = "{\"fmr\":0.001}";
    assert_int_equal(vg_store_eval_run_add(w->f.s, ACTOR, &r, &w->run1, &err), VG_OK);
    r.result = "{\"fmr\":0.5}";
    assert_int_equal(vg_store_eval_run_add(w->f.s, ACTOR, &r, &w->run2, &err), VG_OK);
    int v = 0;
    assert_int_equal(vg_store_paperwork_record(w->f.s, ACTOR, "street", "dpia", "{\"v\":1}", "md", &v, &err), VG_OK);
    assert_int_equal(vg_store_paperwork_record(w->f.s, ACTOR, "street", "dpia", "{\"v\":2}", "md", &v, &err), VG_OK);
    assert_int_equal(v, 2);
}

static void world_done(world *w)
{
    free(w->crop1);
    free(w->crop2);
    fx_done(&w->f);
}

/* A template id of the subject (its k-th, 0-based). */
static long long template_of(const char *db, int64_t subject, int k)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM template WHERE subject_id = %lld ORDER BY id LIMIT 1 OFFSET %d",
             (long long)subject, k);
    return raw_int(db, sql);
}

static void copy_value(const char *db, const char *table, const char *column, const char *from,
                       const char *to)
{
    char sql[600];
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = (SELECT %s FROM %s WHERE %s) WHERE %s", table, column, column,
             table, from, to);
    raw_exec(db, sql);
}

static void test_ad_form(void **state)
{
    (void)state;
    char ad[VG_SEAL_AD_MAX];
    vg_seal_row_ad(ad, "templates", 42, -1, "vector");
    assert_string_equal(ad, "templates:42:vector");
    vg_seal_row_ad(ad, "alerts", 7, -1, "crop");
    assert_string_equal(ad, "alerts:7:crop");
    vg_seal_row_ad(ad, "photos", 42, 0, "jpeg");
    assert_string_equal(ad, "photos:42.0:jpeg");
    vg_seal_row_ad(ad, "templates", 42, 9000000000LL, "vector");
    assert_string_equal(ad, "templates:42.9000000000:vector");
    /* the same bytes under another row's ad do not open */
    uint8_t key[VG_STORE_KEY_BYTES], *sealed = NULL, *plain = NULL;
    size_t len = 0, plen = 0;
    randombytes_buf(key, sizeof key);
    vg_err err = {{0}};
    assert_int_equal(vg_seal_row(key, "templates", 42, -1, "vector", (const uint8_t *)"abc", 3, &sealed, &len, &err),
                     VG_OK);
    assert_int_equal(vg_unseal_row(key, "templates", 42, -1, "vector", sealed, len, &plain, &plen, &err), VG_OK);
    assert_int_equal(plen, 3);
    free(plain);
    assert_int_equal(vg_unseal_row(key, "templates", 43, -1, "vector", sealed, len, &plain, &plen, &err),
                     VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not open as templates:43:vector"));
    assert_int_equal(vg_unseal_row(key, "alerts", 42, -1, "vector", sealed, len, &plain, &plen, &err), VG_ERR_INVALID);
    free(sealed);
}

/* A template copied to another subject's row: the load refuses it, naming
 * it, and quarantines the subject that received it. */
static void test_template_moved(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    const char *db = w.f.db;
    vg_err err = {{0}};
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_OK);
    assert_int_equal(t.n, 4);
    vg_store_templates_free(&t);

    long long a0 = template_of(db, w.a, 0), b0 = template_of(db, w.b, 0);
    char from[64], to[64];
    snprintf(from, sizeof from, "id = %lld", a0);
    snprintf(to, sizeof to, "id = %lld", b0);
    copy_value(db, "template", "vector", from, to);
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_ERR_INVALID);
    char want[120];
    snprintf(want, sizeof want, "template %lld of subject %lld (Subject B) does not decrypt", b0, (long long)w.b);
    assert_non_null(strstr(err.msg, want));
    int64_t *q = NULL;
    int nq = 0;
    assert_int_equal(vg_store_subject_quarantined(w.f.s, w.wl, &q, &nq, &err), VG_OK);
    assert_int_equal(nq, 1);
    assert_int_equal(q[0], w.b);
    free(q);
    /* A's own templates still open; B is left out */
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.subject_id[0], w.a);
    vg_store_templates_free(&t);

    /* swapped within one subject: refused too */
    long long a1 = template_of(db, w.a, 1);
    snprintf(to, sizeof to, "id = %lld", a1);
    copy_value(db, "template", "vector", from, to);
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_ERR_INVALID);
    snprintf(want, sizeof want, "template %lld of subject %lld", a1, (long long)w.a);
    assert_non_null(strstr(err.msg, want));
    world_done(&w);
}

/* A template given to another subject with its vector (its clear
 * subject_id changed, so that a watch-list face alerts as someone else):
 * the vector is bound to its subject too, so it does not open there. */
static void test_template_given_to_another_subject(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    const char *db = w.f.db;
    vg_err err = {{0}};
    vg_template_set t;
    long long a0 = template_of(db, w.a, 0);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE template SET subject_id = %lld WHERE id = %lld", (long long)w.b, a0);
    raw_exec(db, sql);
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_ERR_INVALID);
    char want[120];
    snprintf(want, sizeof want, "template %lld of subject %lld (Subject B) does not decrypt", a0, (long long)w.b);
    assert_non_null(strstr(err.msg, want));
    /* B is quarantined; A's other template still opens */
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_OK);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.subject_id[0], w.a);
    vg_store_templates_free(&t);
    world_done(&w);
}

/* A photo copied to another subject, or to another index: refused, the
 * others still open. The re-embedding that reads photos refuses it too. */
static void test_photo_moved(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_err err = {{0}};
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_photo_get(w.f.s, ACTOR, w.b, 0, &jpeg, &len, &err), VG_OK);
    free(jpeg);
    char from[80], to[80];
    snprintf(from, sizeof from, "subject_id = %lld AND idx = 0", (long long)w.a);
    snprintf(to, sizeof to, "subject_id = %lld AND idx = 0", (long long)w.b);
    copy_value(w.f.db, "photo", "jpeg", from, to);
    assert_int_equal(vg_store_photo_get(w.f.s, ACTOR, w.b, 0, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_null(jpeg);
    char want[120];
    snprintf(want, sizeof want, "photo 0 of subject %lld does not decrypt", (long long)w.b);
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "moved from another row"));
    /* another index of the same subject */
    snprintf(to, sizeof to, "subject_id = %lld AND idx = 1", (long long)w.a);
    copy_value(w.f.db, "photo", "jpeg", from, to);
    assert_int_equal(vg_store_photo_get(w.f.s, ACTOR, w.a, 1, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_photo_get(w.f.s, ACTOR, w.a, 0, &jpeg, &len, &err), VG_OK);
    fx_photos *p = fx_photos_new(1, 2);
    assert_int_equal(len, p->e[0].jpeg_len);
    assert_memory_equal(jpeg, p->jpeg[0], len);
    fx_photos_free(p);
    free(jpeg);
    world_done(&w);
}

/* An alert's crop copied into another alert's row: refused. */
static void test_crop_moved(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_err err = {{0}};
    uint8_t *jpeg = NULL;
    size_t len = 0;
    char from[64], to[64];
    snprintf(from, sizeof from, "id = %lld", (long long)w.alert1);
    snprintf(to, sizeof to, "id = %lld", (long long)w.alert2);
    copy_value(w.f.db, "alert", "crop", from, to);
    assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, w.alert2, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_null(jpeg);
    char want[120];
    snprintf(want, sizeof want, "the face crop of alert %lld does not decrypt", (long long)w.alert2);
    assert_non_null(strstr(err.msg, want));
    assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, w.alert1, &jpeg, &len, &err), VG_OK);
    assert_int_equal(len, CROP_LEN);
    assert_memory_equal(jpeg, w.crop1, CROP_LEN);
    free(jpeg);
    world_done(&w);
}

/* An evaluation result, a document's inputs and a calibration moved to
 * another row: each refused, naming what. */
static void test_results_inputs_calibration_moved(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_err err = {{0}};
    char from[64], to[64];
    snprintf(from, sizeof from, "id = %lld", (long long)w.run2);
    snprintf(to, sizeof to, "id = %lld", (long long)w.run1);
    copy_value(w.f.db, "eval_run", "result", from, to);
    vg_eval_run *runs = NULL;
    int n = 0;
    assert_int_equal(vg_store_eval_run_list(w.f.s, NULL, NULL, &runs, &n, &err), VG_ERR_INVALID);
    assert_null(runs);
    char want[120];
    snprintf(want, sizeof want, "evaluation run %lld", (long long)w.run1);
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "moved from another row"));

    copy_value(w.f.db, "paperwork", "inputs", "version = 2", "version = 1");
    vg_paperwork_version pv;
    assert_int_equal(vg_store_paperwork_get(w.f.s, "street", "dpia", 1, &pv, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "version 1 of the dpia"));
    assert_int_equal(vg_store_paperwork_get(w.f.s, "street", "dpia", 2, &pv, &err), VG_OK);
    assert_string_equal(pv.inputs, "{\"v\":2}");
    free(pv.inputs);

    /* another model's calibration copied over ours */
    char sql[400];
    snprintf(sql, sizeof sql,
             "UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'calibration:%s') "
             "WHERE key = 'calibration:%s'",
             OTHER_MODEL, MODEL);
    raw_exec(w.f.db, sql);
    char *text = NULL;
    assert_int_equal(vg_store_calibration_get(w.f.s, MODEL, &text, &err), VG_ERR_INVALID);
    assert_null(text);
    assert_non_null(strstr(err.msg, "the saved calibration of " MODEL));
    assert_int_equal(vg_store_calibration_get(w.f.s, OTHER_MODEL, &text, &err), VG_OK);
    assert_string_equal(text, "{\"model\":\"other\"}");
    free(text);
    world_done(&w);
}

/* ---- migration 13 ---- */

static void read_key(const char *path, uint8_t key[VG_STORE_KEY_BYTES])
{
    FILE *kf = fopen(path, "rb");
    assert_non_null(kf);
    assert_int_equal(fread(key, 1, VG_STORE_KEY_BYTES, kf), VG_STORE_KEY_BYTES);
    fclose(kf);
}

/* Writes a blob: sql has ?1 for it (SQLite), $1 on PostgreSQL. */
static void raw_put_blob(const char *db, const char *sql, const uint8_t *b, size_t len)
{
    if (fx_is_url(db)) {
        char pg[400];
        snprintf(pg, sizeof pg, "%s", sql);
        for (char *c = pg; *c; c++)
            if (*c == '?')
                *c = '$';
        const char *vals[1] = {(const char *)b};
        int lens[1] = {(int)len}, fmts[1] = {1};
        PGresult *r = PQexecParams(pg_connect(db), pg, 1, NULL, vals, lens, fmts, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "%s: %s\n", pg, PQerrorMessage(fx_pg_conn));
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
        return;
    }
    sqlite3 *h = raw_open(db);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, b, (int)len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* One value turned into what version 12 wrote: opened under its row's ad,
 * sealed again with secretbox and no ad. where: the row, ad its ad. */
static void to_v12(const char *db, const uint8_t key[VG_STORE_KEY_BYTES], const char *table, const char *column,
                   const char *where, const char *ad)
{
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE %s", column, table, where);
    size_t len = 0, plen = 0, olen = 0;
    uint8_t *b = raw_blob(db, sql, &len), *plain = NULL, *old = NULL;
    vg_err err = {{0}};
    if (vg_unseal_ad(key, b, len, ad, &plain, &plen, &err) != VG_OK)
        fprintf(stderr, "%s: %s\n", ad, err.msg);
    assert_non_null(plain);
    assert_int_equal(vg_seal(key, plain, plen, &old, &olen, &err), VG_OK);
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1 WHERE %s", table, column, where);
    raw_put_blob(db, sql, old, olen);
    free(b);
    free(plain);
    free(old);
}

/* The world's database as version 12 left it: every sealed value
 * secretbox without ad, no schema_version 13. */
static void make_v12(world *w)
{
    const char *db = w->f.db;
    uint8_t key[VG_STORE_KEY_BYTES];
    read_key(w->f.key, key);
    char where[300], ad[VG_SEAL_AD_MAX];
    long long n = raw_int(db, "SELECT count(*) FROM template");
    for (long long k = 0; k < n; k++) {
        snprintf(where, sizeof where, "SELECT id FROM template ORDER BY id LIMIT 1 OFFSET %lld", k);
        long long t = raw_int(db, where);
        snprintf(where, sizeof where, "id = %lld", t);
        snprintf(ad, sizeof ad, "SELECT subject_id FROM template WHERE id = %lld", t);
        long long owner = raw_int(db, ad);
        vg_seal_row_ad(ad, "templates", t, owner, "vector");
        to_v12(db, key, "template", "vector", where, ad);
    }
    n = raw_int(db, "SELECT count(*) FROM photo");
    for (long long k = 0; k < n; k++) {
        snprintf(where, sizeof where, "SELECT subject_id FROM photo ORDER BY subject_id, idx LIMIT 1 OFFSET %lld", k);
        long long sid = raw_int(db, where);
        snprintf(where, sizeof where, "SELECT idx FROM photo ORDER BY subject_id, idx LIMIT 1 OFFSET %lld", k);
        int idx = (int)raw_int(db, where);
        snprintf(where, sizeof where, "subject_id = %lld AND idx = %d", sid, idx);
        vg_seal_row_ad(ad, "photos", sid, idx, "jpeg");
        to_v12(db, key, "photo", "jpeg", where, ad);
    }
    int64_t alerts[2] = {w->alert1, w->alert2}, runs[2] = {w->run1, w->run2};
    for (int i = 0; i < 2; i++) {
        snprintf(where, sizeof where, "id = %lld", (long long)alerts[i]);
        vg_seal_row_ad(ad, "alerts", alerts[i], -1, "crop");
        to_v12(db, key, "alert", "crop", where, ad);
        snprintf(where, sizeof where, "id = %lld", (long long)runs[i]);
        vg_seal_row_ad(ad, "eval_runs", runs[i], -1, "result");
        to_v12(db, key, "eval_run", "result", where, ad);
    }
    for (int v = 1; v <= 2; v++) {
        long long id = 0;
        snprintf(where, sizeof where, "SELECT id FROM paperwork WHERE version = %d", v);
        id = raw_int(db, where);
        snprintf(where, sizeof where, "id = %lld", id);
        vg_seal_row_ad(ad, "paperwork", id, -1, "inputs");
        to_v12(db, key, "paperwork", "inputs", where, ad);
    }
    const char *models[2] = {MODEL, OTHER_MODEL};
    for (int i = 0; i < 2; i++) {
        snprintf(where, sizeof where, "key = 'calibration:%s'", models[i]);
        snprintf(ad, sizeof ad, "meta:calibration:%s:value", models[i]);
        to_v12(db, key, "meta", "value", where, ad);
    }
    /* and without what the migrations after 13 added */
    raw_exec(db, "ALTER TABLE alert DROP COLUMN template_id"); /* 15 */
    raw_exec(db, "ALTER TABLE alert DROP COLUMN scene"); /* 16 */
    raw_exec(db, "ALTER TABLE deployment DROP COLUMN scene_snapshot");
    static const char *const face_cols[] = {"face_x1", "face_y1", "face_x2", "face_y2", "lm0x", "lm0y", "lm1x",
                                            "lm1y", "lm2x", "lm2y", "lm3x", "lm3y", "lm4x", "lm4y"};
    for (size_t i = 0; i < sizeof face_cols / sizeof face_cols[0]; i++) { /* 14 */
        snprintf(where, sizeof where, "ALTER TABLE photo DROP COLUMN %s", face_cols[i]);
        raw_exec(db, where);
    }
    raw_exec(db, "ALTER TABLE deployment_camera DROP COLUMN name");
    raw_exec(db, "ALTER TABLE deployment_camera DROP COLUMN location");
    raw_exec(db, "DELETE FROM schema_version WHERE version >= 13");
    sodium_memzero(key, sizeof key);
}

/* Everything of the world reads back as it was written. */
static void assert_world_reads(world *w, int extra)
{
    vg_err err = {{0}};
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(w->f.s, ACTOR, "test", w->wl, MODEL, T0, &t, &err), VG_OK);
    assert_int_equal(t.n, 4 + 2 * extra);
    for (int x = 0; x < extra; x++) { /* subject 10 + x, enrolled after A and B */
        fx_photos *p = fx_photos_new(10 + x, 2);
        for (int k = 0; k < 2; k++)
            assert_memory_equal(t.vecs + (size_t)(4 + 2 * x + k) * DIM, p->vec[k], DIM * sizeof(float));
        fx_photos_free(p);
    }
    for (int who = 1; who <= 2; who++) {
        fx_photos *p = fx_photos_new(who, 2);
        int64_t sid = who == 1 ? w->a : w->b;
        for (int k = 0; k < 2; k++) {
            int i = (who - 1) * 2 + k;
            assert_int_equal(t.subject_id[i], sid);
            assert_memory_equal(t.vecs + (size_t)i * DIM, p->vec[k], DIM * sizeof(float));
            uint8_t *jpeg = NULL;
            size_t len = 0;
            assert_int_equal(vg_store_photo_get(w->f.s, ACTOR, sid, k, &jpeg, &len, &err), VG_OK);
            assert_int_equal(len, p->e[k].jpeg_len);
            assert_memory_equal(jpeg, p->jpeg[k], len);
            free(jpeg);
        }
        fx_photos_free(p);
    }
    vg_store_templates_free(&t);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(w->f.s, ACTOR, w->alert1, &jpeg, &len, &err), VG_OK);
    assert_int_equal(len, CROP_LEN);
    assert_memory_equal(jpeg, w->crop1, CROP_LEN);
    free(jpeg);
    vg_eval_run *runs = NULL;
    int n = 0;
    assert_int_equal(vg_store_eval_run_list(w->f.s, NULL, NULL, &runs, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(runs[0].result, "{\"fmr\":0.001}");
    assert_string_equal(runs[1].result, "{\"fmr\":0.5}");
    vg_store_eval_run_free(runs, n);
    vg_paperwork_version pv;
    assert_int_equal(vg_store_paperwork_get(w->f.s, "street", "dpia", 1, &pv, &err), VG_OK);
    assert_string_equal(pv.inputs, "{\"v\":1}");
    free(pv.inputs);
    char *text = NULL;
    assert_int_equal(vg_store_calibration_get(w->f.s, OTHER_MODEL, &text, &err), VG_OK);
    assert_string_equal(text, "{\"model\":\"other\"}");
    free(text);
}

/* A version-12 database (values secretbox, nothing bound) is upgraded:
 * every value reads back, and is bound to its row afterwards; a crop that
 * was altered before the upgrade is left as it was and still refused. */
static void test_migration_13_reseals(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    /* more rows than the migration's batch of 32 */
    enum { EXTRA = 20 };
    for (int x = 0; x < EXTRA; x++) {
        char name[32];
        snprintf(name, sizeof name, "Subject %d", 10 + x);
        fx_enrol(w.f.s, w.wl, name, 10 + x, 2);
    }
    vg_store_close(w.f.s);
    w.f.s = NULL;
    make_v12(&w);
    assert_int_equal(raw_int(w.f.db, "SELECT max(version) FROM schema_version"), 12);
    /* under version 12 a value copied to another row opened there: alert
     * 2's crop replaced by alert 1's, then altered by one bit */
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT crop FROM alert WHERE id = %lld", (long long)w.alert2);
    size_t len = 0;
    uint8_t *altered = raw_blob(w.f.db, sql, &len);
    altered[len - 1] ^= 1;
    snprintf(sql, sizeof sql, "UPDATE alert SET crop = ?1 WHERE id = %lld", (long long)w.alert2);
    raw_put_blob(w.f.db, sql, altered, len);

    w.f.s = fx_open_at(w.f.db, NULL, T0 + 10);
    assert_int_equal(vg_store_db_schema_version(w.f.s), vg_store_schema_version());
    assert_int_equal(raw_int(w.f.db, "SELECT applied_at FROM schema_version WHERE version = 13"), T0 + 10);
    assert_world_reads(&w, EXTRA);
    /* the altered crop: kept byte for byte, refused when read */
    size_t len2 = 0;
    snprintf(sql, sizeof sql, "SELECT crop FROM alert WHERE id = %lld", (long long)w.alert2);
    uint8_t *kept = raw_blob(w.f.db, sql, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(kept, altered, len);
    free(kept);
    free(altered);
    vg_err err = {{0}};
    uint8_t *jpeg = NULL;
    assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, w.alert2, &jpeg, &len, &err), VG_ERR_INVALID);

    /* bound now: a template moved after the upgrade does not open */
    char from[64], to[64];
    snprintf(from, sizeof from, "id = %lld", template_of(w.f.db, w.a, 0));
    snprintf(to, sizeof to, "id = %lld", template_of(w.f.db, w.b, 1));
    copy_value(w.f.db, "template", "vector", from, to);
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(w.f.s, ACTOR, "test", w.wl, MODEL, T0, &t, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not decrypt"));
    /* and it runs once */
    fx_reopen(&w.f, T0 + 20);
    assert_int_equal(raw_int(w.f.db, "SELECT applied_at FROM schema_version WHERE version = 13"), T0 + 10);
    world_done(&w);
}

/* Opened with another key file, a version-12 database is refused with the
 * key's message, and nothing is rewritten: it stays at version 12 and its
 * values open under the right key afterwards. */
static void test_migration_13_wrong_key(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_store_close(w.f.s);
    w.f.s = NULL;
    make_v12(&w);
    size_t len = 0, len2 = 0;
    uint8_t *before = raw_blob(w.f.db, "SELECT vector FROM template ORDER BY id LIMIT 1", &len);
    char wrong[400];
    snprintf(wrong, sizeof wrong, "%s/wrong.key", w.f.dir);
    FILE *kf = fopen(wrong, "wb");
    assert_non_null(kf);
    uint8_t k[32];
    randombytes_buf(k, sizeof k);
    assert_int_equal(fwrite(k, 1, sizeof k, kf), sizeof k);
    fclose(kf);
    chmod(wrong, 0600);
    vg_store_options o = {.path = w.f.db, .key_path = wrong, .now = T0 + 10};
    vg_store *s = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_store_open(&o, &s, &err), VG_ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(err.msg, "does not open database"));
    assert_non_null(strstr(err.msg, "schema migration 13"));
    assert_int_equal(raw_int(w.f.db, "SELECT max(version) FROM schema_version"), 12);
    uint8_t *after = raw_blob(w.f.db, "SELECT vector FROM template ORDER BY id LIMIT 1", &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(before, after, len);
    free(before);
    free(after);
    unlink(wrong);
    /* the right key upgrades it */
    w.f.s = fx_open_at(w.f.db, NULL, T0 + 20);
    assert_int_equal(vg_store_db_schema_version(w.f.s), vg_store_schema_version());
    assert_world_reads(&w, 0);
    world_done(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ad_form),
        cmocka_unit_test(test_template_moved),
        cmocka_unit_test(test_template_given_to_another_subject),
        cmocka_unit_test(test_photo_moved),
        cmocka_unit_test(test_crop_moved),
        cmocka_unit_test(test_results_inputs_calibration_moved),
        cmocka_unit_test(test_migration_13_reseals),
        cmocka_unit_test(test_migration_13_wrong_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
