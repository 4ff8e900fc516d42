/* test_store_reembed.c — vg_store_watchlist_reembed and the pack a
 * deployment records, on both backends.
 *
 * The embedder is the caller's callback (the store knows no model); here it
 * is a real function of the decrypted photo: a unit vector seeded by the
 * photo's SHA-256, so the templates it makes can be recomputed from the
 * enrolled bytes. Shown: every template is replaced, by another model and
 * dimension, in photo order, and only the new model's templates load; a
 * second run changes nothing but its audit entry; a callback failing at
 * the second subject rolls back the first subject's replacement too, with
 * the subject and photo named, and leaves every row and the audit chain as
 * they were; bad input changes nothing; the audit entry holds counts and
 * model ids, never a name; a deployment keeps its embedder and detector,
 * shows them in its audit entry and report, and refuses a two-line id.
 */
#include "store_fixtures.h"

#include <sodium.h>

#define NEW_MODEL "other_embedder.onnx:2222222222222222222222222222222222222222222222222222222222222222"
#define NEW_DIM 128

typedef struct embed_ctx {
    int calls;
    int64_t fail_subject; /* fail at this subject's photo fail_photo (0: never) */
    int fail_photo;
    int dim;
} embed_ctx;

/* The template "the new embedder" makes of a photo. */
static void embed_bytes(const uint8_t *jpeg, size_t len, float *vec, int dim)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, jpeg, len);
    uint64_t seed;
    memcpy(&seed, h, sizeof seed);
    fx_vec(seed, vec, dim);
}

static vg_status embed(void *arg, const vg_subject *subject, int photo, const uint8_t *jpeg, size_t len, float *vec,
                       float *quality, vg_err *err)
{
    embed_ctx *c = arg;
    c->calls++;
    if (subject->id == c->fail_subject && photo == c->fail_photo)
        return vg_err_set(err, VG_ERR_INVALID, "no face found");
    /* the store hands over the enrolled JPEG itself, decrypted */
    assert_true(len > 4 && jpeg[0] == 0xff && jpeg[1] == 0xd8 && jpeg[len - 2] == 0xff && jpeg[len - 1] == 0xd9);
    embed_bytes(jpeg, len, vec, c->dim);
    *quality = 0.25f;
    return VG_OK;
}

static void last_details(vg_store *s, const char *action, char *out, size_t cap)
{
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_list(s, INT64_MIN, &e, &n, &err), VG_OK);
    out[0] = '\0';
    for (int i = n - 1; i >= 0; i--)
        if (!strcmp(e[i].action, action)) {
            snprintf(out, cap, "%s", e[i].details);
            break;
        }
    vg_store_audit_free(e, n);
}

static void assert_chain_ok(vg_store *s)
{
    int64_t bad = -1, entries = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_verify(s, &bad, &entries, &err), VG_OK);
}

/* Two subjects (a: 2 photos, b: 1) enrolled with MODEL. */
static int64_t two_subjects(fx *f, int64_t *a, int64_t *b)
{
    int64_t wl = fx_watchlist(f->s, "wanted", 0, 0);
    *a = fx_enrol(f->s, wl, "Alice Example", 1, 2);
    *b = fx_enrol(f->s, wl, "Bob Example", 2, 1);
    return wl;
}

static vg_status reembed(fx *f, embed_ctx *c, const char *model, vg_reembed_result *r, vg_err *err)
{
    return vg_store_watchlist_reembed(f->s, ACTOR, "wanted", model, "yunet", c->dim, embed, c, r, err);
}

static void test_replaces_every_template(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a, b;
    int64_t wl = two_subjects(&f, &a, &b);
    long long photos_before = raw_int(f.db, "SELECT count(*) FROM photo");
    embed_ctx c = {.dim = NEW_DIM};
    vg_reembed_result r;
    vg_err err = {{0}};
    vg_status st = reembed(&f, &c, NEW_MODEL, &r, &err);
    if (st)
        fprintf(stderr, "reembed: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_int_equal(c.calls, 3);
    assert_int_equal(r.subjects, 2);
    assert_int_equal(r.photos, 3);
    assert_int_equal(r.templates_removed, 3);
    assert_int_equal(r.templates_added, 3);
    assert_int_equal(r.subjects_unchanged, 0);
    assert_string_equal(r.old_model, MODEL);
    assert_int_equal(r.failed_subject, 0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template"), 3);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM photo"), photos_before);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template WHERE model_id = '" MODEL "'"), 0);

    /* the new templates load under the new model, in photo order, each the
     * embedding of its enrolled photo */
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "check", wl, NEW_MODEL, 0, &t, &err), VG_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.dim, NEW_DIM);
    int64_t want_subject[3] = {a, a, b};
    int want_photo[3] = {0, 1, 0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t.subject_id[i], want_subject[i]);
        uint8_t *jpeg = NULL;
        size_t len = 0;
        assert_int_equal(vg_store_photo_get(f.s, ACTOR, want_subject[i], want_photo[i], &jpeg, &len, &err), VG_OK);
        float v[NEW_DIM];
        embed_bytes(jpeg, len, v, NEW_DIM);
        free(jpeg);
        assert_memory_equal(v, t.vecs + (size_t)i * NEW_DIM, sizeof v);
    }
    vg_store_templates_free(&t);
    /* and the old model's no longer do: never compared across models */
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "check", wl, MODEL, 0, &t, &err), VG_ERR_UNSUPPORTED);

    char d[2048];
    last_details(f.s, "watchlist.reembed", d, sizeof d);
    assert_non_null(strstr(d, "\"subjects\":2"));
    assert_non_null(strstr(d, "\"photos\":3"));
    assert_non_null(strstr(d, "\"templates_added\":3"));
    assert_non_null(strstr(d, "\"templates_removed\":3"));
    assert_non_null(strstr(d, "\"old_model\":\"" MODEL "\""));
    assert_non_null(strstr(d, "\"new_model\":\"" NEW_MODEL "\""));
    assert_non_null(strstr(d, "\"detector\":\"yunet\""));
    assert_non_null(strstr(d, "\"changed\":true"));
    assert_null(strstr(d, "Alice"));
    assert_null(strstr(d, "Bob"));
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_second_run_is_a_noop(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a, b;
    two_subjects(&f, &a, &b);
    embed_ctx c = {.dim = NEW_DIM};
    vg_reembed_result r;
    vg_err err = {{0}};
    assert_int_equal(reembed(&f, &c, NEW_MODEL, &r, &err), VG_OK);
    long long max_id = raw_int(f.db, "SELECT max(id) FROM template");
    snap before = take_snap(f.db);
    assert_int_equal(reembed(&f, &c, NEW_MODEL, &r, &err), VG_OK);
    assert_int_equal(r.subjects, 2);
    assert_int_equal(r.photos, 3);
    assert_int_equal(r.templates_added, 0);
    assert_int_equal(r.templates_removed, 0);
    assert_int_equal(r.subjects_unchanged, 2);
    assert_string_equal(r.old_model, NEW_MODEL);
    /* the same template rows, and one more audit entry: the photos were read */
    assert_int_equal(raw_int(f.db, "SELECT max(id) FROM template"), max_id);
    snap after = take_snap(f.db);
    assert_int_equal(after.audit, before.audit + 1);
    after.audit = before.audit;
    after.audit_max = before.audit_max;
    assert_snap_equal(before, after);
    char d[2048];
    last_details(f.s, "watchlist.reembed", d, sizeof d);
    assert_non_null(strstr(d, "\"changed\":false"));
    assert_non_null(strstr(d, "\"subjects_unchanged\":2"));

    /* the same model with other floats (another detector): replaced */
    embed_ctx other = {.dim = DIM};
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "wanted", MODEL, "ultraface", DIM, embed, &other, &r,
                                                &err),
                     VG_OK);
    assert_int_equal(r.templates_added, 3);
    assert_int_equal(r.subjects_unchanged, 0);
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_failure_rolls_back_everything(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a, b;
    int64_t wl = two_subjects(&f, &a, &b);
    snap before = take_snap(f.db);
    long long max_id = raw_int(f.db, "SELECT max(id) FROM template");
    /* subject a is re-made first, then b fails: a's new templates go too */
    embed_ctx c = {.dim = NEW_DIM, .fail_subject = b, .fail_photo = 0};
    vg_reembed_result r;
    vg_err err = {{0}};
    assert_int_equal(reembed(&f, &c, NEW_MODEL, &r, &err), VG_ERR_INVALID);
    assert_int_equal(c.calls, 3);
    assert_int_equal(r.failed_subject, b);
    assert_int_equal(r.failed_photo, 0);
    assert_int_equal(r.templates_added, 0);
    char want[128];
    snprintf(want, sizeof want, "subject %lld (Bob Example), enrolment photo 1: no face found", (long long)b);
    assert_string_equal(err.msg, want);
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(raw_int(f.db, "SELECT max(id) FROM template"), max_id);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM template WHERE model_id = '" MODEL "'"), 3);
    last_details(f.s, "watchlist.reembed", want, sizeof want);
    assert_string_equal(want, "");
    /* the old templates still load as before */
    vg_template_set t;
    assert_int_equal(vg_store_templates_load(f.s, ACTOR, "check", wl, MODEL, 0, &t, &err), VG_OK);
    assert_int_equal(t.n, 3);
    vg_store_templates_free(&t);

    /* the second photo of the first subject: named as photo 2 */
    c = (embed_ctx){.dim = NEW_DIM, .fail_subject = a, .fail_photo = 1};
    before = take_snap(f.db);
    assert_int_equal(reembed(&f, &c, NEW_MODEL, &r, &err), VG_ERR_INVALID);
    assert_int_equal(r.failed_subject, a);
    assert_int_equal(r.failed_photo, 1);
    assert_non_null(strstr(err.msg, "(Alice Example), enrolment photo 2: no face found"));
    assert_snap_equal(before, take_snap(f.db));
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a, b;
    two_subjects(&f, &a, &b);
    snap before = take_snap(f.db);
    embed_ctx c = {.dim = NEW_DIM};
    vg_reembed_result r;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "nosuch", NEW_MODEL, "", NEW_DIM, embed, &c, &r, &err),
                     VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "wanted", NEW_MODEL, "", 0, embed, &c, &r, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "wanted", "", "", NEW_DIM, embed, &c, &r, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_watchlist_reembed(f.s, "", "wanted", NEW_MODEL, "", NEW_DIM, embed, &c, &r, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "wanted", NEW_MODEL, "", NEW_DIM, NULL, &c, &r, &err),
                     VG_ERR_INVALID);
    assert_int_equal(c.calls, 0);
    assert_snap_equal(before, take_snap(f.db));

    /* an empty list: nothing to re-make, still audited */
    fx_watchlist(f.s, "empty", 0, 0);
    assert_int_equal(vg_store_watchlist_reembed(f.s, ACTOR, "empty", NEW_MODEL, "", NEW_DIM, embed, &c, &r, &err),
                     VG_OK);
    assert_int_equal(r.subjects, 0);
    assert_int_equal(r.templates_added, 0);
    assert_string_equal(r.old_model, "");
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_deployment_records_its_pack(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("street", wl, 1);
    snprintf(d->model_id, sizeof d->model_id, "%s", MODEL);
    snprintf(d->detector, sizeof d->detector, "yunet");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "street", got, &err), VG_OK);
    assert_string_equal(got->model_id, MODEL);
    assert_string_equal(got->detector, "yunet");
    char det[4096];
    last_details(f.s, "deployment.create", det, sizeof det);
    assert_non_null(strstr(det, "\"model\":\"" MODEL "\""));
    assert_non_null(strstr(det, "\"detector\":\"yunet\""));
    vg_report rep;
    assert_int_equal(vg_store_report(f.s, "street", &rep, &err), VG_OK);
    assert_string_equal(rep.pack_model, MODEL);
    assert_string_equal(rep.detector, "yunet");

    /* not recorded: "" (as for deployments made before schema 7) */
    vg_deployment *old = fx_deployment_new("older", wl, 1);
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, old, &id, &err), VG_OK);
    vg_deployment *list = NULL;
    int n = 0;
    assert_int_equal(vg_store_deployment_list(f.s, &list, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].model_id, MODEL);
    assert_string_equal(list[1].model_id, "");
    assert_string_equal(list[1].detector, "");
    free(list);

    /* a two-line id is refused, naming the field, and changes nothing */
    snap before = take_snap(f.db);
    snprintf(d->name, sizeof d->name, "other");
    snprintf(d->detector, sizeof d->detector, "yunet\nforged=1");
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "detector"));
    assert_snap_equal(before, take_snap(f.db));
    free(d);
    free(old);
    free(got);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replaces_every_template),
        cmocka_unit_test(test_second_run_is_a_noop),
        cmocka_unit_test(test_failure_rolls_back_everything),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_deployment_records_its_pack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
