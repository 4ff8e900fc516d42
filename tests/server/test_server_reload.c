/* test_server_reload.c — hot reload of the engine's watch list through the
 * API: the engine replays a synthetic walk-by (scripts/make_walkby: Colin
 * Powell crossing a 1080p street, looped, in real time) against an empty
 * watch list and raises nothing; he is then enrolled through the HTTP API
 * from a different photo, and without restarting the engine the alert
 * comes, stored under the deployment; removing him through the API swaps
 * the gallery again (to no one). Skips without the shared data. */
#include "server/server_upload.h"

#include <pthread.h>
#include <time.h>

#include "vigil/engine.h"

typedef struct seen {
    pthread_mutex_t lock;
    int n;
    int64_t subject;
    char log[64][200];
    int n_log;
} seen;

static void on_alert(void *ctx, const vg_engine_alert *a)
{
    seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    s->n++;
    s->subject = a->alert.subject_id;
    pthread_mutex_unlock(&s->lock);
}

static void on_log(void *ctx, const char *line)
{
    seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (strstr(line, "gallery_reloaded") && s->n_log < 64)
        snprintf(s->log[s->n_log++], sizeof s->log[0], "%s", line);
    pthread_mutex_unlock(&s->lock);
}

static int alerts_of(seen *s, int64_t *subject)
{
    pthread_mutex_lock(&s->lock);
    int n = s->n;
    if (subject)
        *subject = s->subject;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static void enrol_mid_run_alerts(void **state)
{
    (void)state;
    char walker[1024], enrol_photo[1024];
    VG_SKIP_UNLESS(vg_test_data(walker, sizeof walker, "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0005.jpg") &&
                   vg_test_data(enrol_photo, sizeof enrol_photo,
                                "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0001.jpg"));
    const char *src = getenv("VIGIL_SRC");
    assert_non_null(src);
    vg_face_pack *pack = open_pack();
    srv_fx x;

    /* the store at real time (the engine stamps alerts with the clock) */
    fx_init(&x.f, 0);
    vg_err err = {{0}};
    static const char *const users[][2] = {{"adam", "admin"}, {"olivia", "operator"}};
    for (int i = 0; i < 2; i++)
        assert_int_equal(vg_store_user_add(x.f.s, ACTOR, users[i][0], users[i][1], PASSWORD, &err), VG_OK);
    char clip[300], cmd[3000];
    snprintf(clip, sizeof clip, "%s/walk.mp4", x.f.dir);
    snprintf(cmd, sizeof cmd, "'%s/scripts/make_walkby' '%s' 4 '%s'", src, clip, walker);
    assert_int_equal(system(cmd), 0);

    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "walk");
    snprintf(w.reason, sizeof w.reason, "test");
    snprintf(w.authorised_by, sizeof w.authorised_by, "Supt. Test");
    int64_t wl = 0;
    assert_int_equal(vg_store_watchlist_create(x.f.s, ACTOR, &w, &wl, &err), VG_OK);
    vg_deployment *d = calloc(1, sizeof *d);
    assert_non_null(d);
    snprintf(d->name, sizeof d->name, "arcade");
    d->watchlist_id = wl;
    snprintf(d->location, sizeof d->location, "test arcade");
    d->n_cameras = 1;
    snprintf(d->cameras[0], sizeof d->cameras[0], "%s", clip);
    d->starts_at = (int64_t)time(NULL) - 60;
    d->ends_at = d->starts_at + 3600;
    snprintf(d->authorised_by, sizeof d->authorised_by, "Supt. Test");
    d->signage_confirmed = 1;
    int64_t dep = 0;
    assert_int_equal(vg_store_deployment_create(x.f.s, ACTOR, d, &dep, &err), VG_OK);

    /* the engine, on its own connection, against the (empty) list */
    vg_store *engine_store = fx_open_at(x.f.db, NULL, 0);
    vg_watch_gallery *g0 = NULL;
    assert_int_equal(vg_watch_gallery_load(engine_store, ACTOR, "test", wl, vg_face_pack_model_id(pack), 0, &g0, &err),
                     VG_OK);
    assert_int_equal(vg_watch_gallery_templates(g0), 0);
    seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_engine_config ec;
    memset(&ec, 0, sizeof ec);
    ec.n_cameras = 1;
    snprintf(ec.cameras[0].name, sizeof ec.cameras[0].name, "camera1");
    snprintf(ec.cameras[0].url, sizeof ec.cameras[0].url, "%s", clip);
    ec.mode = VG_SOURCE_LIVE;
    ec.realtime = 1;
    ec.loop = 1;
    ec.workers = 2;
    ec.match_enabled = 1;
    ec.window_start = d->starts_at;
    ec.window_end = d->ends_at;
    ec.deployment_id = dep;
    ec.log = on_log;
    ec.log_ctx = &s;
    free(d);
    vg_engine *e = NULL;
    vg_status st = vg_engine_start(&ec, pack, g0, engine_store, "engine", &e, &err);
    if (st)
        fail_msg("engine: %s", err.msg);
    vg_engine_subscribe(e, on_alert, &s);

    vg_server_config cfg = {.listen = "127.0.0.1:0", .engine = e};
    assert_int_equal(vg_server_start(&cfg, x.f.s, &x.srv, &err), VG_OK);
    x.port = vg_server_port(x.srv);
    session adam = login(&x, "adam");

    /* one pass of the walk-by (4 s) and more: nobody on the list, no alert */
    sleep_s(5.0);
    assert_int_equal(alerts_of(&s, NULL), 0);

    char *b64 = b64_file(enrol_photo);
    char *body = subject_body("Colin Powell", b64);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    resp r = http_post(&x, path, &adam, body);
    if (r.status != 201)
        fail_msg("enrol: %ld %s", r.status, r.body);
    json_t *j = resp_json(&r);
    int64_t sid = json_integer_value(json_object_get(json_object_get(j, "subject"), "id"));
    json_decref(j);
    resp_free(&r);
    free(b64);
    free(body);

    /* the alert comes within a few passes, without a restart */
    int64_t who = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 300 && alerts_of(&s, &who) == 0; i++)
        sleep_s(0.1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "reload: the alert came %.1f s after the enrolment's answer (the walk-by loops every 4 s)\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    assert_true(alerts_of(&s, &who) >= 1);
    assert_int_equal(who, sid);
    pthread_mutex_lock(&s.lock);
    assert_true(s.n_log >= 1);
    assert_non_null(strstr(s.log[0], "subjects=1 templates=1"));
    pthread_mutex_unlock(&s.lock);

    /* removed: the gallery is swapped again, to no one */
    snprintf(path, sizeof path, "/api/v1/subjects/%lld", (long long)sid);
    r = http_req(&x, "DELETE", path, &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    pthread_mutex_lock(&s.lock);
    assert_true(s.n_log >= 2);
    assert_non_null(strstr(s.log[s.n_log - 1], "subjects=0 templates=0"));
    pthread_mutex_unlock(&s.lock);

    vg_server_stop(x.srv);
    vg_engine_stop(e);
    vg_engine_free(e);
    vg_watch_gallery_free(g0);
    vg_store_close(engine_store);
    /* the alert was stored under the deployment */
    char q[200];
    snprintf(q, sizeof q, "SELECT count(*) FROM alert WHERE deployment_id = %lld", (long long)dep);
    assert_true(raw_int(x.f.db, q) >= 1);
    fx_done(&x.f);
    vg_face_pack_close(pack);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enrol_mid_run_alerts),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
