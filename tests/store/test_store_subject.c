/* test_store_subject.c — vg_store_subject_* and vg_store_photo_get: enrolment
 * with several templates and photos, get, list, remove (templates and photos
 * go with the subject), photos back byte for byte, the under-18 rule at the
 * store's clock, a full watch list, and every kind of bad input refused with
 * a message naming the field and with the database left exactly as it was.
 */
#include <math.h>
#include "store_fixtures.h"

static void test_add_get_list_remove(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_subject sub = fx_subject(wl, "Jane Roe");
    snprintf(sub.dob, sizeof sub.dob, "1980-02-29");
    sub.expires_at = T0 + 1000;
    sub.created_at = 1; /* ignored */
    fx_photos *p = fx_photos_new(7, 3);
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 3, &id, &err), VG_OK);
    assert_true(id > 0);
    int64_t id2 = fx_enrol(f.s, wl, "John Doe", 8, 1);
    int64_t id3 = fx_enrol(f.s, wl, "John Doe", 9, 2); /* two people may share a name */
    assert_true(id2 != id && id3 != id2);

    vg_subject got;
    assert_int_equal(vg_store_subject_get(f.s, id, &got, &err), VG_OK);
    assert_int_equal(got.id, id);
    assert_int_equal(got.watchlist_id, wl);
    assert_string_equal(got.name, "Jane Roe");
    assert_string_equal(got.reason, sub.reason);
    assert_string_equal(got.category, sub.category);
    assert_string_equal(got.source, sub.source);
    assert_string_equal(got.authorised_by, sub.authorised_by);
    assert_string_equal(got.justification, "");
    assert_string_equal(got.dob, "1980-02-29");
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.expires_at, T0 + 1000);
    assert_int_equal(got.templates, 3);

    vg_subject *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_subject_list(f.s, wl, &all, &n, &err), VG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(all[0].id, id);
    assert_int_equal(all[0].templates, 3);
    assert_int_equal(all[1].id, id2);
    assert_int_equal(all[1].templates, 1);
    assert_int_equal(all[2].templates, 2);
    vg_store_subject_free(all);
    assert_int_equal(vg_store_subject_list(f.s, wl + 100, &all, &n, &err), VG_ERR_NOT_FOUND);

    /* photos come back byte for byte, each read audited */
    for (int k = 0; k < 3; k++) {
        uint8_t *jpeg = NULL;
        size_t len = 0;
        assert_int_equal(vg_store_photo_get(f.s, "viewer", id, k, &jpeg, &len, &err), VG_OK);
        assert_int_equal(len, p->e[k].jpeg_len);
        assert_memory_equal(jpeg, p->e[k].jpeg, len);
        free(jpeg);
    }
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read' "
                                   "AND actor = 'viewer'"),
                     3);
    snap before = take_snap(f.db);
    uint8_t *jpeg = (uint8_t *)&f;
    size_t len = 9;
    assert_int_equal(vg_store_photo_get(f.s, "viewer", id, 3, &jpeg, &len, &err),
                     VG_ERR_NOT_FOUND);
    assert_null(jpeg);
    assert_int_equal(len, 0);
    assert_int_equal(vg_store_photo_get(f.s, "viewer", id, -1, &jpeg, &len, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_photo_get(f.s, "viewer", 999, 0, &jpeg, &len, &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_photo_get(f.s, "", id, 0, &jpeg, &len, &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));

    /* removal takes templates and photos with it */
    assert_int_equal(vg_store_subject_remove(f.s, "officer", id, &err), VG_OK);
    assert_int_equal(vg_store_subject_get(f.s, id, &got, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template"), 3);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM photo"), 3);
    before = take_snap(f.db);
    assert_int_equal(vg_store_subject_remove(f.s, "officer", id, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_subject_remove(f.s, NULL, id2, &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));

    /* a new subject never reuses a removed subject's id */
    int64_t id4 = fx_enrol(f.s, wl, "Later", 10, 1);
    assert_true(id4 > id3);
    fx_photos_free(p);
    fx_done(&f);
}

/* Calls subject_add and checks the refusal: status, message, nothing
 * changed. */
static void expect_add_refused(fx *f, const vg_subject *sub, const vg_enrolment *e, int n,
                               const char *model, vg_status want, const char *msg_part)
{
    snap before = take_snap(f->db);
    int64_t id = 55;
    vg_err err = {{0}};
    vg_status st = vg_store_subject_add(f->s, ACTOR, sub, model, e, n, &id, &err);
    if (st != want || !strstr(err.msg, msg_part))
        fprintf(stderr, "got %d \"%s\", wanted %d with \"%s\"\n", st, err.msg, want, msg_part);
    assert_int_equal(st, want);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(id, 0);
    assert_snap_equal(before, take_snap(f->db));
}

static void test_add_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_enrol(f.s, wl, "Existing", 1, 1);
    fx_photos *p = fx_photos_new(2, 2);
    vg_subject sub;

    sub = fx_subject(wl + 1000, "Nobody");
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_NOT_FOUND, "no watch list with id");

    sub = fx_subject(wl, "");
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "name is required");
    sub = fx_subject(wl, "x");
    memset(sub.name, 'n', sizeof sub.name);
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "name is not terminated");
    sub = fx_subject(wl, "x");
    memset(sub.reason, 'r', sizeof sub.reason);
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "reason is not terminated");

    sub = fx_subject(wl, "x");
    expect_add_refused(&f, &sub, p->e, 0, MODEL, VG_ERR_INVALID, "at least one photo");
    expect_add_refused(&f, &sub, NULL, 2, MODEL, VG_ERR_INVALID, "at least one photo");
    expect_add_refused(&f, &sub, p->e, 2, "", VG_ERR_INVALID, "model id is required");
    char long_model[300];
    memset(long_model, 'm', 240);
    long_model[240] = '\0';
    expect_add_refused(&f, &sub, p->e, 2, long_model, VG_ERR_INVALID,
                       "model id is 240 bytes, the limit is 200");

    /* dates of birth: the form, a real date, not in the future */
    const char *bad_dobs[] = {"1990-13-01", "1990-02-30", "1991-02-29", "1990-1-01",
                              "90-01-01",   "1990/01/01", "abcd-ef-gh", "1990-00-10",
                              "2030-01-01"};
    for (size_t i = 0; i < sizeof bad_dobs / sizeof bad_dobs[0]; i++) {
        sub = fx_subject(wl, "x");
        snprintf(sub.dob, sizeof sub.dob, "%s", bad_dobs[i]);
        expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "dob");
    }
    sub = fx_subject(wl, "x");
    memset(sub.dob, '1', sizeof sub.dob);
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "dob is not terminated");

    sub = fx_subject(wl, "x");
    sub.expires_at = T0;
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "expire in the past");

    /* photos and templates */
    sub = fx_subject(wl, "x");
    vg_enrolment e[2];
    memcpy(e, p->e, sizeof e);
    e[1].dim = 128;
    expect_add_refused(&f, &sub, e, 2, MODEL, VG_ERR_INVALID, "template 2 has dimension 128");
    memcpy(e, p->e, sizeof e);
    e[0].dim = 0;
    expect_add_refused(&f, &sub, e, 2, MODEL, VG_ERR_INVALID, "template 1 has dimension 0");
    memcpy(e, p->e, sizeof e);
    float nan_vec[DIM];
    memcpy(nan_vec, p->vec[1], sizeof nan_vec);
    nan_vec[5] = NAN;
    e[1].vec = nan_vec;
    expect_add_refused(&f, &sub, e, 2, MODEL, VG_ERR_INVALID, "not finite");
    memcpy(e, p->e, sizeof e);
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    e[1].jpeg = png;
    e[1].jpeg_len = sizeof png;
    expect_add_refused(&f, &sub, e, 2, MODEL, VG_ERR_INVALID, "photo 2 is not a JPEG");
    memcpy(e, p->e, sizeof e);
    e[0].jpeg_len = 0;
    expect_add_refused(&f, &sub, e, 2, MODEL, VG_ERR_INVALID, "photo 1 is empty");

    snap before = take_snap(f.db);
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, "", &sub, MODEL, p->e, 2, &id, &err),
                     VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "actor is required"));
    assert_snap_equal(before, take_snap(f.db));
    fx_photos_free(p);
    fx_done(&f);
}

static void test_under_18(void **state)
{
    (void)state;
    /* the store's clock is 2023-11-14 */
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "missing children", 0, 0);
    fx_photos *p = fx_photos_new(3, 1);

    vg_subject sub = fx_subject(wl, "Child");
    snprintf(sub.dob, sizeof sub.dob, "2005-11-15"); /* 18 tomorrow */
    expect_add_refused(&f, &sub, p->e, 1, MODEL, VG_ERR_INVALID,
                       "subject is under 18 (born 2005-11-15): a --justification is required");

    int64_t id = 0;
    vg_err err = {{0}};
    snprintf(sub.justification, sizeof sub.justification, "missing person, family consent");
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &id, &err), VG_OK);
    vg_subject got;
    assert_int_equal(vg_store_subject_get(f.s, id, &got, &err), VG_OK);
    assert_string_equal(got.justification, "missing person, family consent");

    /* 18 today: no justification needed */
    sub = fx_subject(wl, "Adult");
    snprintf(sub.dob, sizeof sub.dob, "2005-11-14");
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &id, &err), VG_OK);

    /* the same person a day earlier on the clock is still 17 */
    fx_reopen(&f, T0 - 86400);
    snprintf(sub.name, sizeof sub.name, "Adult again");
    expect_add_refused(&f, &sub, p->e, 1, MODEL, VG_ERR_INVALID, "under 18 (born 2005-11-14)");
    fx_photos_free(p);
    fx_done(&f);
}

static void test_full_list(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "small", 0, 2);
    int64_t a = fx_enrol(f.s, wl, "one", 1, 1);
    fx_enrol(f.s, wl, "two", 2, 1);
    fx_photos *p = fx_photos_new(3, 1);
    vg_subject sub = fx_subject(wl, "three");
    expect_add_refused(&f, &sub, p->e, 1, MODEL, VG_ERR_LIMIT,
                       "watch list small is full (2 of 2 subjects)");
    /* a removal makes room */
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_remove(f.s, ACTOR, a, &err), VG_OK);
    int64_t id = 0;
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 1, &id, &err), VG_OK);
    fx_photos_free(p);
    fx_done(&f);
}

/* A template a supervisor accepted below the quality limits: marked in the
 * store (subject get/list, the alert's details: by the template the alert
 * matched), the supervisor and the
 * justification in the subject.add audit entry; without both texts the
 * enrolment is refused and nothing changes. */
static void test_low_quality_template(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_photos *p = fx_photos_new(3, 2);
    vg_subject sub = fx_subject(wl, "Blurred");
    p->e[1].low_quality = 1;

    /* no supervisor, no justification, a two-line justification: refused */
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "photo 2: the supervisor is required");
    p->e[1].low_quality_supervisor = "Insp. Grey";
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "photo 2: the justification is required");
    p->e[1].low_quality_justification = "the only photo on file\nsecond line";
    expect_add_refused(&f, &sub, p->e, 2, MODEL, VG_ERR_INVALID, "photo 2: the justification");

    p->e[1].low_quality_justification = "the only photo of the suspect, custody ref 2024/117";
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 2, &id, &err), VG_OK);
    int64_t plain = fx_enrol(f.s, wl, "Sharp", 4, 1);

    /* the mark, per subject */
    vg_subject got;
    assert_int_equal(vg_store_subject_get(f.s, id, &got, &err), VG_OK);
    assert_int_equal(got.templates, 2);
    assert_int_equal(got.low_quality, 1);
    assert_int_equal(vg_store_subject_get(f.s, plain, &got, &err), VG_OK);
    assert_int_equal(got.low_quality, 0);
    vg_subject *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_subject_list(f.s, wl, &all, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(all[0].low_quality, 1);
    assert_int_equal(all[1].low_quality, 0);
    vg_store_subject_free(all);
    /* and per template, in the column */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template WHERE low_quality = 1"), 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template WHERE low_quality = 0"), 2);

    /* the audit entry names the photo, the supervisor and the reason */
    vg_audit_entry *e = NULL;
    int ne = 0;
    assert_int_equal(vg_store_audit_list(f.s, 0, &e, &ne, &err), VG_OK);
    int found = 0;
    for (int i = 0; i < ne; i++)
        if (!strcmp(e[i].action, "subject.add") && strstr(e[i].details, "\"low_quality\"")) {
            found++;
            assert_non_null(strstr(e[i].details, "\"supervisor\":\"Insp. Grey\""));
            assert_non_null(strstr(e[i].details, "custody ref 2024/117"));
            assert_non_null(strstr(e[i].details, "\"photo\":2"));
        }
    assert_int_equal(found, 1);
    vg_store_audit_free(e, ne);
    int64_t bad = 0, entries = 0;
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err), VG_OK);

    /* an alert for the subject says so; one for the other subject does not */
    int64_t dep = fx_deployment(f.s, "high-street", wl, 1);
    uint8_t *crop = fx_jpeg(9, 500);
    vg_alert a = fx_alert(dep, id, "uid-low");
    int64_t al = 0, al2 = 0;
    assert_int_equal(vg_store_alert_add(f.s, ACTOR, &a, crop, 500, &al, &err), VG_OK);
    a = fx_alert(dep, plain, "uid-plain");
    assert_int_equal(vg_store_alert_add(f.s, ACTOR, &a, crop, 500, &al2, &err), VG_OK);
    free(crop);
    vg_alert_detail d;
    assert_int_equal(vg_store_alert_detail_get(f.s, al, &d, &err), VG_OK);
    assert_int_equal(d.low_quality, 1);
    assert_int_equal(vg_store_alert_detail_get(f.s, al2, &d, &err), VG_OK);
    assert_int_equal(d.low_quality, 0);

    /* per matched template (issue 11): an alert that names the subject's
     * sharp template is not low quality, one that names the template below
     * the limits is; a template of another subject, or one removed since,
     * falls back to the subject's mark */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id FROM template WHERE subject_id = %lld AND low_quality = 0",
             (long long)id);
    int64_t sharp = raw_int(f.db, sql);
    snprintf(sql, sizeof sql, "SELECT id FROM template WHERE subject_id = %lld AND low_quality = 1",
             (long long)id);
    int64_t blurred = raw_int(f.db, sql);
    snprintf(sql, sizeof sql, "SELECT min(id) FROM template WHERE subject_id = %lld", (long long)plain);
    int64_t other = raw_int(f.db, sql);
    const struct { int64_t template_id; const char *uid; int low; } by[] = {
        {sharp, "uid-sharp", 0}, {blurred, "uid-blurred", 1}, {other, "uid-other", 1}, {999999, "uid-gone", 1}};
    crop = fx_jpeg(9, 500);
    for (size_t i = 0; i < sizeof by / sizeof by[0]; i++) {
        a = fx_alert(dep, id, by[i].uid);
        a.template_id = by[i].template_id;
        int64_t ai = 0;
        assert_int_equal(vg_store_alert_add(f.s, ACTOR, &a, crop, 500, &ai, &err), VG_OK);
        snprintf(sql, sizeof sql, "SELECT template_id FROM alert WHERE id = %lld", (long long)ai);
        assert_int_equal(raw_int(f.db, sql), by[i].template_id);
        assert_int_equal(vg_store_alert_detail_get(f.s, ai, &d, &err), VG_OK);
        assert_int_equal(d.low_quality, by[i].low);
    }
    free(crop);
    fx_photos_free(p);
    fx_done(&f);
}

/* issue 15: where the face is in each photo is kept with it (for the
 * card's aligned crop) and read back with the photo, audited; a photo
 * without it (enrolled before) says so; a value that is not finite is
 * refused and stores nothing. */
static void test_photo_face_place(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_photos *p = fx_photos_new(5, 2);
    p->e[0].face.known = 1;
    for (int i = 0; i < 4; i++)
        p->e[0].face.box[i] = 10.5f + 20 * i;
    for (int i = 0; i < 10; i++)
        p->e[0].face.lm[i] = 30.25f + i;
    vg_subject sub = fx_subject(wl, "Placed");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub, MODEL, p->e, 2, &id, &err), VG_OK);
    long long reads = raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read'");
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_photo_face face;
    assert_int_equal(vg_store_photo_face(f.s, "viewer", id, 0, &jpeg, &len, &face, &err), VG_OK);
    assert_int_equal(len, p->e[0].jpeg_len);
    assert_memory_equal(jpeg, p->e[0].jpeg, len);
    free(jpeg);
    assert_int_equal(face.known, 1);
    for (int i = 0; i < 4; i++)
        assert_float_equal(face.box[i], 10.5f + 20 * i, 1e-4);
    for (int i = 0; i < 10; i++)
        assert_float_equal(face.lm[i], 30.25f + i, 1e-4);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read' AND actor = 'viewer' "
                                   "AND details LIKE '%\"face\":true%'"),
                     1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read'"), reads + 1);
    /* the second photo was given no place: known 0, the photo all the same */
    assert_int_equal(vg_store_photo_face(f.s, "viewer", id, 1, &jpeg, &len, &face, &err), VG_OK);
    assert_int_equal(face.known, 0);
    assert_int_equal(len, p->e[1].jpeg_len);
    free(jpeg);
    assert_int_equal(vg_store_photo_face(f.s, "viewer", id, 0, &jpeg, &len, NULL, &err), VG_ERR_INVALID);

    /* not finite: refused, nothing stored */
    snap before = take_snap(f.db);
    p->e[1].face.known = 1;
    p->e[1].face.lm[7] = NAN;
    vg_subject sub2 = fx_subject(wl, "Not finite");
    assert_int_equal(vg_store_subject_add(f.s, ACTOR, &sub2, MODEL, p->e, 2, &id, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "photo 2: where the face is holds a value that is not finite"));
    assert_snap_equal(before, take_snap(f.db));
    fx_photos_free(p);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_get_list_remove),
        cmocka_unit_test(test_add_refused),
        cmocka_unit_test(test_under_18),
        cmocka_unit_test(test_full_list),
        cmocka_unit_test(test_low_quality_template),
        cmocka_unit_test(test_photo_face_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
