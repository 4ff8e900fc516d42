/* test_server_marks.c — GET /api/v1/cameras/marks (the live views'
 * labels) against a real server with a real engine replaying real clips,
 * read over HTTP while a real live.mjpeg viewer makes the camera publish
 * frames:
 *   - two people side by side, the astronaut (left) enrolled: every mark is
 *     hers — her box, her name, her alert id and its state (pending, then
 *     confirmed once decided) — and none is ever on the cameraman (right);
 *   - strangers (the crowd clip, a watch list of someone else): no mark at
 *     all, on any frame;
 *   - the marks expire with their frames: without a viewer no frame comes
 *     and the stream says so (seq 0, no mark) within a second and a half;
 *   - roles as the live view (operator only), no engine 503. */
#include "server/sse_client.h"
#include "engine/engine_fixtures.h"

#include <pthread.h>
#include <stdatomic.h>

#include "vigil/engine.h"

static vg_face_pack *pack;
static char media[1024], twoclip[1100], tmp[64] = "/tmp/vigil-marks-XXXXXX";

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    snprintf(media, sizeof media, "%s/deps/media", src ? src : ".");
    char cam[1200], mirrored[1200];
    snprintf(mirrored, sizeof mirrored, "%s/astronaut-mirrored.png", media);
    snprintf(cam, sizeof cam, "%s/camera.png", media);
    if (access(cam, R_OK) || access(mirrored, R_OK) || !mkdtemp(tmp)) {
        fprintf(stderr, "demo media absent under %s (run scripts/bootstrap)\n", media);
        return -1;
    }
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    if (vg_face_pack_open(&fc, &pack, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    /* as in test_server_live: the astronaut (mirrored: not the enrolled
     * photo) on the left, the cameraman on the right, 4 s at 25 fps */
    snprintf(twoclip, sizeof twoclip, "%s/two.mp4", tmp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x707070:s=1280x720:r=25:d=4 "
             "-loop 1 -framerate 25 -t 4 -i '%s' -loop 1 -framerate 25 -t 4 -i '%s' -filter_complex "
             "'[1]scale=360:-2[a];[2]scale=360:-2[b];[0][a]overlay=x=100:y=180[t];[t][b]overlay=x=820:y=180,"
             "format=yuv420p[v]' -map '[v]' -c:v libx264 -preset veryfast -crf 18 -t 4 '%s'",
             mirrored, cam, twoclip);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_face_pack_close(pack);
    remove_dir(tmp);
    return 0;
}

/* ---- a server and an engine on one clip, alerts stored in the server's store ---- */

typedef struct marks_fx {
    srv_fx x;
    vg_store *w;               /* the engine's connection */
    vg_watch_gallery *gallery;
    vg_engine *e;
    int64_t subject;
} marks_fx;

static void fx_start(marks_fx *m, const char *clip, int loop)
{
    memset(m, 0, sizeof *m);
    fx_init(&m->x.f, 0);
    vg_err err = {{0}};
    m->w = fx_open_at(m->x.f.db, NULL, 0);
    int64_t wl = fx_watchlist(m->w, "astronauts", 0, 0);
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wl;
    snprintf(s.name, sizeof s.name, "Eileen Collins");
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    char astro[1200];
    snprintf(astro, sizeof astro, "%s/astronaut.png", media);
    const char *photos[1] = {astro};
    assert_int_equal(vg_enrol(pack, m->w, "test", &s, photos, 1, &opt, &m->subject, &err), VG_OK);
    assert_int_equal(vg_watch_gallery_load(m->w, "test", "test", wl, vg_face_pack_model_id(pack), 0, &m->gallery,
                                           &err),
                     VG_OK);
    int64_t dep = fx_deployment(m->w, "high street", wl, 1);
    static const char *const users[][2] = {{"olivia", "operator"}, {"adam", "admin"}, {"aud", "auditor"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(vg_store_user_add(m->w, "test", users[i][0], users[i][1], PASSWORD, &err), VG_OK);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "clip");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.realtime = 1;
    cfg.loop = loop;
    cfg.workers = 1;
    cfg.match_enabled = 1;
    cfg.deployment_id = dep;
    vg_status st = vg_engine_start(&cfg, pack, m->gallery, m->w, "test", &m->e, &err);
    if (st)
        fprintf(stderr, "engine: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    vg_server_config sc = {.listen = "127.0.0.1:0", .engine = m->e};
    assert_int_equal(vg_server_start(&sc, m->x.f.s, &m->x.srv, &err), VG_OK);
    m->x.port = vg_server_port(m->x.srv);
}

static void fx_stop(marks_fx *m)
{
    vg_engine_stop(m->e); /* before the server: it is subscribed */
    vg_server_stop(m->x.srv);
    vg_engine_free(m->e);
    vg_watch_gallery_free(m->gallery);
    vg_store_close(m->w);
    fx_done(&m->x.f);
}

/* ---- a live.mjpeg viewer on a thread, until told to leave ---- */

typedef struct viewer {
    int port;
    session s;
    atomic_int leave;
    size_t bytes;
    pthread_t th;
} viewer;

static size_t viewer_body(char *p, size_t sz, size_t nm, void *ud)
{
    (void)p;
    viewer *v = ud;
    v->bytes += sz * nm;
    return atomic_load(&v->leave) ? 0 : sz * nm;
}

static void *viewer_run(void *arg)
{
    viewer *v = arg;
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/cameras/1/live.mjpeg", v->port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, viewer_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, v);
    curl_easy_setopt(c, CURLOPT_COOKIE, v->s.cookie);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    return NULL;
}

static void viewer_start(viewer *v, int port, session s)
{
    memset(v, 0, sizeof *v);
    v->port = port;
    v->s = s;
    atomic_init(&v->leave, 0);
    assert_int_equal(pthread_create(&v->th, NULL, viewer_run, v), 0);
}

static void viewer_leave(viewer *v)
{
    atomic_store(&v->leave, 1);
    pthread_join(v->th, NULL);
}

/* ---- the marks events ---- */

/* Events with a frame (seq > 0) received so far. */
static int frames(const sse_client *k)
{
    int n = 0;
    for (int i = 0; i < k->n; i++)
        n += json_integer_value(json_object_get(k->ev[i].data, "seq")) > 0;
    return n;
}

static int wait_frames(sse_client *k, int n, int timeout_ms)
{
    double until = sse_now_ms() + timeout_ms;
    while (frames(k) < n && !k->done && sse_now_ms() < until)
        sse_pump(k, 20);
    return frames(k) >= n;
}

/* Every event has exactly the keys camera (1, the only one), seq, pts,
 * marks (no count of faces, no other box); returns the number of marks in
 * all. */
static int check_shape(const sse_client *k)
{
    int total = 0;
    for (int i = 0; i < k->n; i++) {
        json_t *d = k->ev[i].data;
        assert_string_equal(k->ev[i].kind, "marks");
        assert_int_equal(json_object_size(d), 4);
        assert_int_equal(json_integer_value(json_object_get(d, "camera")), 1);
        assert_true(json_is_integer(json_object_get(d, "seq")));
        assert_true(json_is_number(json_object_get(d, "pts")));
        assert_true(json_is_array(json_object_get(d, "marks")));
        total += (int)json_array_size(json_object_get(d, "marks"));
    }
    return total;
}

/* ---- the tests ---- */

static void test_no_engine(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session op = login(&x, "olivia");
    resp r = http_get(&x, "/api/v1/cameras/marks", &op);
    assert_int_equal(r.status, 503);
    resp_free(&r);
    r = http_get(&x, "/api/v1/cameras/marks", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    srv_stop(&x);
}

static void test_match_marked_other_never(void **state)
{
    (void)state;
    marks_fx m;
    fx_start(&m, twoclip, 1);
    session aud = login(&m.x, "aud"), adm = login(&m.x, "adam"), op = login(&m.x, "olivia");
    /* roles: the live view's (names only to those who see alerts and the view) */
    const char *paths[] = {"/api/v1/cameras/marks"};
    resp r = http_get(&m.x, paths[0], &aud);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_get(&m.x, paths[0], &adm);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_get(&m.x, paths[0], NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);

    /* no viewer: the marks stream makes no frame, and says there is none */
    sse_client k;
    sse_open(&k, m.x.port, &op, paths[0], NULL);
    assert_true(sse_wait(&k, "marks", 1, 3000));
    assert_int_equal(sse_status(&k), 200);
    assert_non_null(strstr(k.r.headers, "text/event-stream"));
    assert_int_equal(frames(&k), 0);
    assert_int_equal(check_shape(&k), 0);
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(m.e, 0, &cs);
    assert_int_equal(cs.view_frames, 0);

    /* a viewer: frames come, each with its marks: hers only */
    viewer v;
    viewer_start(&v, m.x.port, op);
    int64_t alert = 0;
    double until = sse_now_ms() + 60000;
    int first = k.n;
    while (!alert && sse_now_ms() < until && !k.done) {
        sse_pump(&k, 100);
        for (int i = first; i < k.n && !alert; i++) {
            json_t *mk = json_array_get(json_object_get(k.ev[i].data, "marks"), 0);
            if (mk && !strcmp(json_string_value(json_object_get(mk, "state")), "pending"))
                alert = json_integer_value(json_object_get(mk, "alert_id"));
        }
    }
    assert_true(alert > 0);
    assert_true(wait_frames(&k, frames(&k) + 5, 20000));
    /* decided: the label says so within a second or two */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)alert);
    r = http_post(&m.x, path, &op, "{\"outcome\":\"confirmed\",\"note\":\"seen\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    int confirmed = 0;
    until = sse_now_ms() + 10000;
    first = k.n;
    while (!confirmed && sse_now_ms() < until && !k.done) {
        sse_pump(&k, 100);
        for (int i = first; i < k.n && !confirmed; i++) {
            json_t *mk = json_array_get(json_object_get(k.ev[i].data, "marks"), 0);
            confirmed = mk && !strcmp(json_string_value(json_object_get(mk, "state")), "confirmed");
        }
    }
    assert_true(confirmed);
    int with_frames = frames(&k), marks = check_shape(&k), marked = 0;
    for (int i = 0; i < k.n; i++) {
        json_t *arr = json_object_get(k.ev[i].data, "marks"), *mk;
        size_t j;
        assert_true(json_array_size(arr) <= 1); /* one person matched, the other never */
        marked += json_array_size(arr) > 0;
        json_array_foreach(arr, j, mk)
        {
            json_t *box = json_object_get(mk, "box");
            double x1 = json_number_value(json_array_get(box, 0)), y1 = json_number_value(json_array_get(box, 1));
            double x2 = json_number_value(json_array_get(box, 2)), y2 = json_number_value(json_array_get(box, 3));
            assert_true(0 <= x1 && x1 < x2 && x2 <= 1 && 0 <= y1 && y1 < y2 && y2 <= 1);
            assert_true(x2 < 0.5);                          /* the left half: the astronaut */
            assert_true(x1 > 100.0 / 1280 - 0.02 && x2 < (100.0 + 360) / 1280 + 0.02);
            assert_string_equal(json_string_value(json_object_get(mk, "name")), "Eileen Collins");
            assert_int_equal(json_integer_value(json_object_get(mk, "subject_id")), m.subject);
            assert_true(json_integer_value(json_object_get(mk, "track")) > 0);
        }
    }
    fprintf(stderr, "two people: %d events, %d with a frame, %d with a mark (%d marks), alert %lld\n", k.n,
            with_frames, marked, marks, (long long)alert);
    assert_true(marked >= 5);

    /* the viewer leaves: no frame any more, and the marks go with them */
    viewer_leave(&v);
    int before = k.n, blank = 0;
    until = sse_now_ms() + 3000;
    while (!blank && sse_now_ms() < until && !k.done) {
        sse_pump(&k, 50);
        for (int i = before; i < k.n && !blank; i++)
            blank = json_integer_value(json_object_get(k.ev[i].data, "seq")) == 0 &&
                    json_array_size(json_object_get(k.ev[i].data, "marks")) == 0;
    }
    assert_true(blank);
    sse_close(&k);
    fx_stop(&m);
}

/* Strangers: the crowd, a watch list of someone not in it: frames come, no
 * mark ever does. */
static void test_strangers_no_mark(void **state)
{
    (void)state;
    char clip[1024];
    VG_SKIP_UNLESS(vg_test_data(clip, sizeof clip, "video/crowd-1080p.mp4"));
    marks_fx m;
    fx_start(&m, clip, 0);
    session op = login(&m.x, "olivia");
    viewer v;
    viewer_start(&v, m.x.port, op);
    sse_client k;
    sse_open(&k, m.x.port, &op, "/api/v1/cameras/marks", NULL);
    assert_true(wait_frames(&k, 6, 60000));
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(m.e, 0, &cs);
    fprintf(stderr, "crowd: %d events, %d with a frame; %lld faces seen, %lld view frames\n", k.n, frames(&k),
            (long long)cs.faces, (long long)cs.view_frames);
    assert_true(cs.faces > 0);                /* there were faces to mark, had they matched */
    assert_int_equal(check_shape(&k), 0);     /* none marked */
    sse_close(&k);
    viewer_leave(&v);
    fx_stop(&m);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_engine),
        cmocka_unit_test(test_match_marked_other_never),
        cmocka_unit_test(test_strangers_no_mark),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
