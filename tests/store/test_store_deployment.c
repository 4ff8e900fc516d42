/* test_store_deployment.c — vg_store_deployment_* and vg_store_counters_*
 * on real SQLite files: create, get, list and end; every refusal changes
 * nothing (rows and audit chain); camera URLs with credentials are stored
 * verbatim but never reach the audit chain; 64 long URLs still fit one
 * audit entry; the counters upsert sums; the version-2 migration upgrades a
 * version-1 database once.
 */
#include "store_fixtures.h"

#include "base/url_redact.h"
#include "store/migrations.h"

/* The details of the last audit entry with this action ("" when none). */
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
    vg_status st = vg_store_audit_verify(s, &bad, &entries, &err);
    if (st != VG_OK)
        fprintf(stderr, "audit verify: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_int_equal(bad, 0);
}

static void test_create_get_list_end(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("high-street-1", wl, 3);
    d->created_at = 42; /* ignored: set by the store */
    d->ended_at = 43;
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);
    assert_true(id > 0);

    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "high-street-1", got, &err), VG_OK);
    assert_int_equal(got->id, id);
    assert_string_equal(got->name, "high-street-1");
    assert_int_equal(got->watchlist_id, wl);
    assert_string_equal(got->watchlist, "wanted");
    assert_string_equal(got->location, d->location);
    assert_int_equal(got->n_cameras, 3);
    assert_string_equal(got->cameras[0], "rtsp://cam1.example/stream");
    assert_string_equal(got->cameras[2], "rtsp://cam3.example/stream");
    assert_int_equal(got->starts_at, T0 - 3600);
    assert_int_equal(got->ends_at, T0 + 8 * 3600);
    assert_string_equal(got->authorised_by, "Supt. Example");
    assert_int_equal(got->signage_confirmed, 1);
    assert_true(got->threshold == 0.54f);
    assert_int_equal(got->created_at, T0);
    assert_int_equal(got->ended_at, 0);
    assert_string_equal(got->created_by, ACTOR);
    assert_string_equal(got->ended_by, "");

    char det[4096];
    last_details(f.s, "deployment.create", det, sizeof det);
    assert_string_equal(det,
                        "{\"authorised_by\":\"Supt. Example\",\"camera_urls\":["
                        "\"rtsp://cam1.example/stream\",\"rtsp://cam2.example/stream\","
                        "\"rtsp://cam3.example/stream\"],\"cameras\":3,\"detector\":\"\",\"ends_at\":1700028800,"
                        "\"location\":\"High Street, outside no. 12\",\"model\":\"\",\"scene_snapshot\":false,\"signage_confirmed\":true,"
                        "\"starts_at\":1699996400,\"threshold\":0.54,\"watchlist\":\"wanted\"}");

    /* the watch list by name (id 0), no signage, default threshold */
    vg_deployment *d2 = fx_deployment_new("station", 0, 1);
    snprintf(d2->watchlist, sizeof d2->watchlist, "wanted");
    d2->signage_confirmed = 7;
    d2->threshold = 0;
    int64_t id2 = 0;
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d2, &id2, &err), VG_OK);
    assert_true(id2 > id);

    vg_deployment *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_deployment_list(f.s, &all, &n, &err), VG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].name, "high-street-1");
    assert_int_equal(all[0].n_cameras, 3);
    assert_string_equal(all[1].name, "station");
    assert_int_equal(all[1].watchlist_id, wl);
    assert_int_equal(all[1].signage_confirmed, 1);
    assert_true(all[1].threshold == 0.0f);
    assert_int_equal(all[1].n_cameras, 1);
    free(all);

    /* end, at the store's clock, once */
    fx_reopen(&f, T0 + 100);
    assert_int_equal(vg_store_deployment_end(f.s, "officer-2", "high-street-1", &err), VG_OK);
    assert_int_equal(vg_store_deployment_get(f.s, "high-street-1", got, &err), VG_OK);
    assert_int_equal(got->ended_at, T0 + 100);
    assert_string_equal(got->ended_by, "officer-2");
    last_details(f.s, "deployment.end", det, sizeof det);
    assert_string_equal(det, "{\"ended_at\":1700000100,\"ends_at\":1700028800,"
                             "\"starts_at\":1699996400}");
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_deployment_end(f.s, ACTOR, "high-street-1", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "already ended"));
    assert_int_equal(vg_store_deployment_end(f.s, ACTOR, "nope", &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "nope"));
    assert_int_equal(vg_store_deployment_end(f.s, "", "station", &err), VG_ERR_INVALID);
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(vg_store_deployment_get(f.s, "nope", got, &err), VG_ERR_NOT_FOUND);

    /* the other one is untouched */
    assert_int_equal(vg_store_deployment_get(f.s, "station", got, &err), VG_OK);
    assert_int_equal(got->ended_at, 0);
    assert_chain_ok(f.s);
    free(got);
    free(d);
    free(d2);
    fx_done(&f);
}

static void test_empty_list(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_deployment *all = (vg_deployment *)&f;
    int n = -1;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_list(f.s, &all, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    free(all);
    fx_done(&f);
}

static void expect_refused(fx *f, const char *actor, const vg_deployment *d, vg_status want,
                           const char *msg_part)
{
    snap before = take_snap(f->db);
    int64_t id = 77;
    vg_err err = {{0}};
    vg_status st = vg_store_deployment_create(f->s, actor, d, &id, &err);
    if (st != want || !strstr(err.msg, msg_part))
        fprintf(stderr, "got %d \"%s\", wanted %d with \"%s\"\n", st, err.msg, want, msg_part);
    assert_int_equal(st, want);
    assert_non_null(strstr(err.msg, msg_part));
    assert_int_equal(id, 0);
    assert_snap_equal(before, take_snap(f->db));
}

static void test_create_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_deployment(f.s, "taken", wl, 1);
    vg_deployment *d;

#define REFUSE(setup, want, msg)                                                               \
    do {                                                                                       \
        d = fx_deployment_new("new", wl, 2);                                                   \
        setup;                                                                                 \
        expect_refused(&f, ACTOR, d, want, msg);                                               \
        free(d);                                                                               \
    } while (0)

    REFUSE(snprintf(d->name, sizeof d->name, "taken"), VG_ERR_EXISTS,
           "a deployment named \"taken\" already exists");
    REFUSE(d->name[0] = '\0', VG_ERR_INVALID, "name is required");
    REFUSE(memset(d->name, 'n', sizeof d->name), VG_ERR_INVALID,
           "name is not terminated within its 201 bytes, the limit is 200");
    REFUSE(d->location[0] = '\0', VG_ERR_INVALID, "location is required");
    REFUSE(memset(d->location, 'l', sizeof d->location), VG_ERR_INVALID,
           "location is not terminated");
    REFUSE(snprintf(d->location, sizeof d->location, "bad \xc3\x28 utf-8"), VG_ERR_INVALID,
           "location is not valid UTF-8");
    REFUSE(d->authorised_by[0] = '\0', VG_ERR_INVALID, "authorised_by is required");
    REFUSE(d->ends_at = d->starts_at, VG_ERR_INVALID, "must be after starts_at");
    REFUSE(d->ends_at = d->starts_at - 1, VG_ERR_INVALID, "must be after starts_at");
    REFUSE(d->starts_at = -5, VG_ERR_INVALID, "starts_at -5 is negative");
    REFUSE(d->threshold = 1.0f, VG_ERR_INVALID, "threshold 1 is outside [0, 1)");
    REFUSE(d->threshold = -0.1f, VG_ERR_INVALID, "threshold");
    REFUSE(d->threshold = NAN, VG_ERR_INVALID, "threshold");
    REFUSE(d->n_cameras = 0, VG_ERR_INVALID, "at least one camera");
    REFUSE(d->n_cameras = -1, VG_ERR_INVALID, "at least one camera");
    REFUSE(d->n_cameras = VG_STORE_CAMERAS_MAX + 1, VG_ERR_LIMIT, "65 cameras, the limit is 64");
    REFUSE(d->cameras[1][0] = '\0', VG_ERR_INVALID, "camera 2 URL is required");
    REFUSE(memset(d->cameras[0], 'u', sizeof d->cameras[0]), VG_ERR_INVALID,
           "camera 1 URL is not terminated within its 2001 bytes, the limit is 2000");
    REFUSE(snprintf(d->cameras[1], sizeof d->cameras[1], "rtsp://cam\n/x"), VG_ERR_INVALID,
           "camera 2 URL holds a control character");
    REFUSE(snprintf(d->cameras[1], sizeof d->cameras[1], "%s", d->cameras[0]), VG_ERR_INVALID,
           "camera 2 URL repeats camera 1's");
    REFUSE(d->watchlist_id = 999, VG_ERR_NOT_FOUND, "no watch list with id 999");
    REFUSE(d->watchlist_id = 0; snprintf(d->watchlist, sizeof d->watchlist, "nope"),
           VG_ERR_NOT_FOUND, "no watch list named \"nope\"");
    REFUSE(d->watchlist_id = 0, VG_ERR_INVALID, "watchlist is required");
#undef REFUSE

    d = fx_deployment_new("new", wl, 2);
    expect_refused(&f, "", d, VG_ERR_INVALID, "actor is required");
    expect_refused(&f, NULL, d, VG_ERR_INVALID, "actor is required");
    /* an over-long URL that is terminated fits no array: at the limit it is fine */
    memset(d->cameras[0], 'u', VG_STORE_TEXT_MAX);
    d->cameras[0][VG_STORE_TEXT_MAX] = '\0';
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);
    free(d);
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_credentials_never_audited(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("creds", wl, 5);
    snprintf(d->cameras[0], sizeof d->cameras[0], "rtsp://admin:S3cretPass@10.0.0.5:554/h264");
    snprintf(d->cameras[1], sizeof d->cameras[1],
             "http://cam2.local/video.mjpg?user=operator&pwd=Hunter22&fps=10");
    snprintf(d->cameras[2], sizeof d->cameras[2], "rtsp://viewer:Tr/cky@Pass@cam3.local/live");
    snprintf(d->cameras[3], sizeof d->cameras[3], "/dev/video0");
    /* issue 14: the store's old redactor kept "auth_key=..#pwd=.." in the chain */
    snprintf(d->cameras[4], sizeof d->cameras[4],
             "rtsp://cam4.local/live?channel=1&passwd=Xx1Secret;auth_key=Zz9Secret#pwd=Qq7Secret");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);

    /* verbatim where the engine reads them */
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "creds", got, &err), VG_OK);
    for (int i = 0; i < 5; i++)
        assert_string_equal(got->cameras[i], d->cameras[i]);
    /* ... and sealed at rest (issue 14, point 12): no URL in clear */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM deployment_camera WHERE url <> '' OR url_sealed IS NULL"),
                     0);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM deployment_camera"), 5);

    /* never in the audit chain */
    const char *secrets[] = {"S3cretPass", "Hunter22", "Tr/cky", "cky@Pass", "admin", "viewer",
                             "operator", "Xx1Secret", "Zz9Secret", "Qq7Secret"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit WHERE details LIKE '%%%s%%' OR object LIKE '%%%s%%'",
                 secrets[i], secrets[i]);
        assert_int_equal(raw_int(f.db, sql), 0);
    }
    char det[4096];
    last_details(f.s, "deployment.create", det, sizeof det);
    assert_non_null(strstr(det, "\"rtsp://***@10.0.0.5:554/h264\""));
    assert_non_null(strstr(det, "\"http://cam2.local/video.mjpg?user=***&pwd=***&fps=10\""));
    assert_non_null(strstr(det, "\"rtsp://***@cam3.local/live\""));
    assert_non_null(strstr(det, "\"rtsp://cam4.local/live?channel=1&passwd=***;auth_key=***#pwd=***\""));
    assert_non_null(strstr(det, "\"/dev/video0\""));
    assert_non_null(strstr(det, "\"cameras\":5"));
    free(got);
    free(d);
    fx_done(&f);
}

static void test_redactor(void **state)
{
    (void)state;
    char b[256];
    assert_string_equal(vg_url_redact("rtsp://u:p@h:554/x", b, sizeof b),
                        "rtsp://***@h:554/x");
    assert_string_equal(vg_url_redact("rtsp://h/x", b, sizeof b), "rtsp://h/x");
    assert_string_equal(vg_url_redact("https://h/a?Password=x;token=y#f", b, sizeof b),
                        "https://h/a?Password=***;token=***#f");
    assert_string_equal(vg_url_redact("rtsp://u:p?q@h/s?key=1&a=2", b, sizeof b),
                        "rtsp://***@h/s?key=***&a=2");
    assert_string_equal(vg_url_redact("/videos/a@b.mp4", b, sizeof b), "/videos/a@b.mp4");
    assert_string_equal(vg_url_redact("not a url://x:y@z", b, sizeof b),
                        "not a url://x:y@z");
    assert_string_equal(vg_url_redact("rtsp://u:p@h", b, 9), "rtsp://*");
    assert_string_equal(vg_url_redact(NULL, b, sizeof b), "");
    /* issue 14: the store's own redactor kept "auth_key=zz#pwd=q" */
    assert_string_equal(vg_url_redact("rtsp://cam/live?channel=1&passwd=x;auth_key=zz#pwd=q", b, sizeof b),
                        "rtsp://cam/live?channel=1&passwd=***;auth_key=***#pwd=***");
    /* curl's login options (";AUTH=") are user-info too */
    assert_string_equal(vg_url_redact("imap://u;AUTH=NTLM@h/x", b, sizeof b), "imap://***@h/x");
}

static void test_many_long_urls_fit_one_entry(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("big", wl, VG_STORE_CAMERAS_MAX);
    for (int i = 0; i < VG_STORE_CAMERAS_MAX; i++) {
        int n = snprintf(d->cameras[i], sizeof d->cameras[i], "rtsp://u:pw@cam%02d/", i);
        /* a path of quotes (escaped in JSON) and a 2-byte UTF-8 letter at the cut */
        for (int k = n; k < VG_STORE_TEXT_MAX - 1; k += 2) {
            if (k == 256) { /* redacted, it starts 1 byte earlier: across the cut at 256 */
                d->cameras[i][k] = '\xc3';
                d->cameras[i][k + 1] = '\xa9';
            } else {
                d->cameras[i][k] = '"';
                d->cameras[i][k + 1] = '"';
            }
        }
        d->cameras[i][VG_STORE_TEXT_MAX - 1] = '\0';
    }
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_deployment_create(f.s, ACTOR, d, &id, &err);
    if (st != VG_OK)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(st, VG_OK);
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "big", got, &err), VG_OK);
    assert_int_equal(got->n_cameras, VG_STORE_CAMERAS_MAX);
    assert_string_equal(got->cameras[63], d->cameras[63]);
    char *det = malloc(VG_STORE_DETAILS_MAX + 1);
    assert_non_null(det);
    last_details(f.s, "deployment.create", det, VG_STORE_DETAILS_MAX + 1);
    assert_true(strlen(det) < VG_STORE_DETAILS_MAX);
    assert_non_null(strstr(det, "rtsp://***@cam63/"));
    assert_non_null(strstr(det, "...\""));
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit WHERE details LIKE '%pw@%'"), 0);
    free(det);
    free(got);
    free(d);
    assert_chain_ok(f.s);
    fx_done(&f);
}

static void test_counters(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    int64_t dep = fx_deployment(f.s, "d", wl, 2);
    int64_t other = fx_deployment(f.s, "e", wl, 1);
    long long audit = raw_int(f.db, "SELECT count(*) FROM audit");
    vg_err err = {{0}};
    vg_counters a = {.frames_in = 250, .frames_processed = 240, .frames_dropped = 10,
                     .faces = 30, .tracks = 4, .embeddings = 9, .comparisons = 9000,
                     .alerts = 1, .reconnects = 0};
    vg_counters b = {.frames_in = 1, .frames_processed = 2, .frames_dropped = 3, .faces = 4,
                     .tracks = 5, .embeddings = 6, .comparisons = 7, .alerts = 8,
                     .reconnects = 9};
    assert_int_equal(vg_store_counters_add(f.s, dep, "cam1", &a, &err), VG_OK);
    assert_int_equal(vg_store_counters_add(f.s, dep, "cam1", &b, &err), VG_OK);
    assert_int_equal(vg_store_counters_add(f.s, dep, "cam2", &b, &err), VG_OK);
    assert_int_equal(vg_store_counters_add(f.s, other, "cam1", &a, &err), VG_OK);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM counters"), 3);
    /* not audited */
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM audit"), audit);

    vg_counters c;
    assert_int_equal(vg_store_counters_get(f.s, dep, "cam1", &c, &err), VG_OK);
    assert_int_equal(c.frames_in, 251);
    assert_int_equal(c.frames_processed, 242);
    assert_int_equal(c.frames_dropped, 13);
    assert_int_equal(c.faces, 34);
    assert_int_equal(c.tracks, 9);
    assert_int_equal(c.embeddings, 15);
    assert_int_equal(c.comparisons, 9007);
    assert_int_equal(c.alerts, 9);
    assert_int_equal(c.reconnects, 9);
    assert_int_equal(vg_store_counters_get(f.s, dep, "cam2", &c, &err), VG_OK);
    assert_memory_equal(&c, &b, sizeof c);
    assert_int_equal(vg_store_counters_get(f.s, dep, NULL, &c, &err), VG_OK);
    assert_int_equal(c.frames_in, 252);
    assert_int_equal(c.comparisons, 9014);
    assert_int_equal(c.reconnects, 18);
    assert_int_equal(vg_store_counters_get(f.s, other, NULL, &c, &err), VG_OK);
    assert_memory_equal(&c, &a, sizeof c);
    assert_int_equal(vg_store_counters_get(f.s, dep, "cam9", &c, &err), VG_OK);
    assert_int_equal(c.frames_in, 0);
    assert_int_equal(c.reconnects, 0);

    /* refusals change nothing */
    snap before = take_snap(f.db);
    assert_int_equal(vg_store_counters_add(f.s, 999, "cam1", &a, &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no deployment with id 999"));
    assert_int_equal(vg_store_counters_get(f.s, 999, NULL, &c, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_store_counters_add(f.s, dep, "", &a, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "camera is required"));
    assert_int_equal(vg_store_counters_add(f.s, dep, NULL, &a, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_counters_add(f.s, dep, "cam\t1", &a, &err), VG_ERR_INVALID);
    vg_counters neg = b;
    neg.tracks = -1;
    assert_int_equal(vg_store_counters_add(f.s, dep, "cam1", &neg, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "tracks increment -1 is negative"));
    assert_snap_equal(before, take_snap(f.db));

    /* survive reopening */
    fx_reopen(&f, T0);
    assert_int_equal(vg_store_counters_get(f.s, dep, "cam1", &c, &err), VG_OK);
    assert_int_equal(c.frames_in, 251);
    fx_done(&f);
}

static long long table_exists(const char *db, const char *name)
{
    return raw_table_exists(db, name);
}

static void test_migration_upgrades_version_1(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    assert_int_equal(vg_store_schema_version(), 16);
    assert_int_equal(vg_store_db_schema_version(f.s), vg_store_schema_version());
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM schema_version"), vg_store_migrations_count());
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    fx_enrol(f.s, wl, "A", 1, 2);
    vg_store_close(f.s);
    f.s = NULL;

    /* make it the database a version-1 vigil wrote: migration 2 only adds tables
     * (and migration 3 only columns of one of them) */
    raw_exec(f.db, "DROP TABLE session; DROP TABLE paperwork; DROP TABLE eval_run; DROP TABLE counters; DROP TABLE alert; DROP TABLE deployment_camera; "
                   "DROP TABLE alert_tally; DROP TABLE deployment; DROP TABLE \"user\"; DROP TABLE api_token; "
                   "ALTER TABLE template DROP COLUMN low_quality; ALTER TABLE subject DROP COLUMN quarantined_at; "
                   "ALTER TABLE subject DROP COLUMN quarantine_reason; "
                   "ALTER TABLE photo DROP COLUMN face_x1; ALTER TABLE photo DROP COLUMN face_y1; ALTER TABLE photo DROP COLUMN face_x2; ALTER TABLE photo DROP COLUMN face_y2; ALTER TABLE photo DROP COLUMN lm0x; ALTER TABLE photo DROP COLUMN lm0y; ALTER TABLE photo DROP COLUMN lm1x; ALTER TABLE photo DROP COLUMN lm1y; ALTER TABLE photo DROP COLUMN lm2x; ALTER TABLE photo DROP COLUMN lm2y; ALTER TABLE photo DROP COLUMN lm3x; ALTER TABLE photo DROP COLUMN lm3y; ALTER TABLE photo DROP COLUMN lm4x; ALTER TABLE photo DROP COLUMN lm4y; "
                   "DELETE FROM schema_version WHERE version >= 2;");
    assert_int_equal(table_exists(f.db, "deployment"), 0);
    assert_int_equal(raw_int(f.db, "SELECT max(version) FROM schema_version"), 1);

    f.s = fx_open_at(f.db, NULL, T0 + 10);
    assert_int_equal(vg_store_db_schema_version(f.s), vg_store_schema_version());
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM schema_version"), vg_store_migrations_count());
    assert_int_equal(raw_int(f.db, "SELECT applied_at FROM schema_version WHERE version = 2"),
                     T0 + 10);
    const char *tables[] = {"deployment", "deployment_camera", "alert", "counters"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(table_exists(f.db, tables[i]), 1);
    /* what was there is still there and usable with the new tables */
    vg_watchlist w;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_get(f.s, "wanted", &w, &err), VG_OK);
    assert_int_equal(w.subjects, 1);
    assert_int_equal(w.templates, 2);
    fx_deployment(f.s, "after-upgrade", wl, 1);
    assert_chain_ok(f.s);

    /* and the migration runs once */
    fx_reopen(&f, T0 + 20);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM schema_version"), vg_store_migrations_count());
    assert_int_equal(raw_int(f.db, "SELECT applied_at FROM schema_version WHERE version = 2"),
                     T0 + 10);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM deployment"), 1);
    fx_done(&f);
}

/* issue 14, points 11 and 12: a camera URL sealed at rest and bound to its
 * row; a sealed URL moved to another row (another deployment's camera, or
 * another position) does not open. */
static void test_camera_urls_sealed_and_bound(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    int64_t a = fx_deployment(f.s, "a", wl, 2);
    int64_t b = fx_deployment(f.s, "b", wl, 1);
    vg_err err = {{0}};
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "a", got, &err), VG_OK);
    assert_string_equal(got->cameras[1], "rtsp://cam2.example/stream");
    /* swap a's two cameras' sealed values */
    char sql[400];
    snprintf(sql, sizeof sql,
             "UPDATE deployment_camera SET url_sealed = (SELECT url_sealed FROM deployment_camera "
             "WHERE deployment_id = %lld AND position = 0) WHERE deployment_id = %lld AND position = 1",
             (long long)a, (long long)a);
    raw_exec(f.db, sql);
    assert_int_equal(vg_store_deployment_get(f.s, "a", got, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "camera 2 of deployment a does not open"));
    /* b's camera given a's (same position, another deployment) */
    snprintf(sql, sizeof sql,
             "UPDATE deployment_camera SET url_sealed = (SELECT url_sealed FROM deployment_camera "
             "WHERE deployment_id = %lld AND position = 0) WHERE deployment_id = %lld AND position = 0",
             (long long)a, (long long)b);
    raw_exec(f.db, sql);
    assert_int_equal(vg_store_deployment_get(f.s, "b", got, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "moved from another row"));
    free(got);
    fx_done(&f);
}

/* A database written before migration 11 (camera URLs in clear, no
 * url_sealed column): opening it seals every URL in place, bound to its
 * row, and the deployments read back as they were. */
static void test_migration_11_seals_existing_urls(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("old", wl, 3);
    snprintf(d->cameras[0], sizeof d->cameras[0], "rtsp://admin:Old5ecret@10.0.0.9/live");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);
    vg_store_close(f.s);
    f.s = NULL;
    /* what the old code wrote: the URLs verbatim in url, no url_sealed */
    raw_exec(f.db, "ALTER TABLE deployment_camera DROP COLUMN url_sealed; "
                   "DROP TABLE paperwork; DROP TABLE eval_run; " /* migration 12's */
                   "ALTER TABLE alert DROP COLUMN template_id; " /* 15's */
                   "ALTER TABLE alert DROP COLUMN scene; ALTER TABLE deployment DROP COLUMN scene_snapshot; " /* 16's */
                   "ALTER TABLE photo DROP COLUMN face_x1; ALTER TABLE photo DROP COLUMN face_y1; ALTER TABLE photo DROP COLUMN face_x2; ALTER TABLE photo DROP COLUMN face_y2; ALTER TABLE photo DROP COLUMN lm0x; ALTER TABLE photo DROP COLUMN lm0y; ALTER TABLE photo DROP COLUMN lm1x; ALTER TABLE photo DROP COLUMN lm1y; ALTER TABLE photo DROP COLUMN lm2x; ALTER TABLE photo DROP COLUMN lm2y; ALTER TABLE photo DROP COLUMN lm3x; ALTER TABLE photo DROP COLUMN lm3y; ALTER TABLE photo DROP COLUMN lm4x; ALTER TABLE photo DROP COLUMN lm4y; "
                   "ALTER TABLE deployment_camera DROP COLUMN name; ALTER TABLE deployment_camera DROP COLUMN location; " /* migration 14's */
                   "DELETE FROM schema_version WHERE version >= 11");
    for (int i = 0; i < 3; i++) {
        char sql[300];
        snprintf(sql, sizeof sql, "UPDATE deployment_camera SET url = '%s' WHERE position = %d",
                 d->cameras[i], i);
        raw_exec(f.db, sql);
    }
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM deployment_camera WHERE url LIKE '%Old5ecret%'"), 1);

    f.s = fx_open_at(f.db, NULL, T0 + 10);
    assert_int_equal(vg_store_db_schema_version(f.s), vg_store_schema_version());
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM deployment_camera WHERE url <> '' OR url_sealed IS NULL"),
                     0);
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "old", got, &err), VG_OK);
    assert_int_equal(got->n_cameras, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(got->cameras[i], d->cameras[i]);
    /* bound to its row like a new one */
    raw_exec(f.db, "UPDATE deployment_camera SET url_sealed = (SELECT url_sealed FROM deployment_camera "
                   "WHERE position = 2) WHERE position = 0");
    assert_int_equal(vg_store_deployment_get(f.s, "old", got, &err), VG_ERR_INVALID);
    free(got);
    free(d);
    fx_done(&f);
}

/* issue 15: each camera has a name and a place (schema 14), read back as
 * given ("" when not given); a repeated name or a name of two lines is
 * refused and stores nothing. */
static void test_camera_names_and_places(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "wanted", 0, 0);
    vg_deployment *d = fx_deployment_new("named", wl, 3);
    snprintf(d->camera_names[0], sizeof d->camera_names[0], "North door");
    snprintf(d->camera_locations[0], sizeof d->camera_locations[0], "High Street 12, north entrance");
    snprintf(d->camera_names[2], sizeof d->camera_names[2], "Platform 2");
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_OK);
    vg_deployment *got = calloc(1, sizeof *got);
    assert_non_null(got);
    assert_int_equal(vg_store_deployment_get(f.s, "named", got, &err), VG_OK);
    assert_string_equal(got->camera_names[0], "North door");
    assert_string_equal(got->camera_locations[0], "High Street 12, north entrance");
    assert_string_equal(got->camera_names[1], "");
    assert_string_equal(got->camera_locations[1], "");
    assert_string_equal(got->camera_names[2], "Platform 2");
    assert_string_equal(got->cameras[2], d->cameras[2]);

    snap before = take_snap(f.db);
    snprintf(d->name, sizeof d->name, "twice");
    snprintf(d->camera_names[1], sizeof d->camera_names[1], "North door");
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_ERR_INVALID);
    assert_string_equal(err.msg, "camera 2 name \"North door\" repeats camera 1's");
    snprintf(d->camera_names[1], sizeof d->camera_names[1], "two\nlines");
    assert_int_equal(vg_store_deployment_create(f.s, ACTOR, d, &id, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "camera 2 name"));
    assert_snap_equal(before, take_snap(f.db));
    free(got);
    free(d);
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_get_list_end),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_create_refused),
        cmocka_unit_test(test_credentials_never_audited),
        cmocka_unit_test(test_redactor),
        cmocka_unit_test(test_many_long_urls_fit_one_entry),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_migration_upgrades_version_1),
        cmocka_unit_test(test_camera_urls_sealed_and_bound),
        cmocka_unit_test(test_migration_11_seals_existing_urls),
        cmocka_unit_test(test_camera_names_and_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
