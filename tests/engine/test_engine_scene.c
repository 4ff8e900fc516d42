/* test_engine_scene.c — an alert's scene snapshot (issue 15) and privacy
 * invariant 1 beside it. A clip of the astronaut (enrolled) beside the
 * cameraman (not listed) runs as the camera of a deployment:
 *  - policy on: the alert carries a scene, stored sealed with it; the scene
 *    is the frame reduced to at most 960 px wide, and YuNet (the referee, a
 *    detector other than the pack's) finds in it exactly one face, the
 *    matched one where the alert's box is, drawn around in red — while on
 *    the same source frame reduced alike it finds both people, so the
 *    check could fail;
 *  - policy off: the alert carries no scene, and no row holds one.
 */
#include "engine_fixtures.h"

#include <math.h>
#include <time.h>

#include "vigil/image.h"

typedef struct scene_capture {
    pthread_mutex_t lock;
    int n;
    int64_t id;
    int with_scene;
    float box[4];
    double pts;
} scene_capture;

static void on_alert(void *ctx, const vg_engine_alert *a)
{
    scene_capture *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (c->n++ == 0) {
        c->id = a->alert.id;
        c->with_scene = a->scene != NULL && a->scene_len > 0;
        memcpy(c->box, a->box, sizeof c->box);
        c->pts = a->pts;
    }
    pthread_mutex_unlock(&c->lock);
}

static char gdir[64], clip[200];
static vg_face_pack *pack, *yunet;
static vg_store *store;
static int64_t wid;

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    char astro[1100], mirrored[1100], cam[1100], yn[1024];
    snprintf(astro, sizeof astro, "%s/deps/media/astronaut.png", src ? src : ".");
    snprintf(mirrored, sizeof mirrored, "%s/deps/media/astronaut-mirrored.png", src ? src : ".");
    snprintf(cam, sizeof cam, "%s/deps/media/camera.png", src ? src : ".");
    if (access(astro, R_OK) || access(mirrored, R_OK) || access(cam, R_OK) ||
        !vg_test_data(yn, sizeof yn, "models/yunet_s_dynamic.onnx"))
        return 0; /* each test skips */
    store = temp_store(gdir, sizeof gdir, &wid);
    if (!store)
        return -1;
    snprintf(clip, sizeof clip, "%s/two.mp4", gdir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x707070:s=1280x720:r=25:d=4 "
             "-loop 1 -framerate 25 -t 4 -i '%s' -loop 1 -framerate 25 -t 4 -i '%s' -filter_complex "
             "'[1]scale=360:-2[a];[2]scale=360:-2[b];[0][a]overlay=x=100:y=180[t];[t][b]overlay=x=820:y=180,"
             "format=yuv420p[v]' -map '[v]' -c:v libx264 -preset veryfast -crf 18 -t 4 '%s'",
             mirrored, cam, clip);
    if (system(cmd) != 0)
        return -1;
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    if (vg_face_pack_open(&fc, &pack, &err) != VG_OK)
        return -1;
    char spec[1100];
    snprintf(spec, sizeof spec, "yunet:%s", yn);
    vg_face_config yc = {.min_face = 20, .detector = spec};
    if (vg_face_pack_open(&yc, &yunet, &err) != VG_OK)
        return -1;
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wid;
    snprintf(s.name, sizeof s.name, "Eileen Collins");
    snprintf(s.reason, sizeof s.reason, "test");
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    const char *photos[1] = {astro};
    int64_t sid;
    return vg_enrol(pack, store, "test", &s, photos, 1, &opt, &sid, &err) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    vg_face_pack_close(pack);
    vg_face_pack_close(yunet);
    if (store) {
        vg_store_close(store);
        remove_dir(gdir);
    }
    return 0;
}

static int64_t make_deployment(const char *name, int scene)
{
    vg_deployment *d = calloc(1, sizeof *d);
    assert_non_null(d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->watchlist_id = wid;
    snprintf(d->location, sizeof d->location, "test");
    d->n_cameras = 1;
    snprintf(d->cameras[0], sizeof d->cameras[0], "%s", clip);
    d->starts_at = (int64_t)time(NULL) - 3600;
    d->ends_at = (int64_t)time(NULL) + 3600;
    snprintf(d->authorised_by, sizeof d->authorised_by, "test");
    d->scene_snapshot = scene;
    int64_t id = 0;
    vg_err err;
    assert_int_equal(vg_store_deployment_create(store, "test", d, &id, &err), VG_OK);
    free(d);
    return id;
}

/* Runs the clip under the deployment until its first alert (at most 20 s). */
static void run_until_alert(int64_t dep, int scene, scene_capture *cap)
{
    vg_err err;
    vg_watch_gallery *g = NULL;
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, vg_face_pack_model_id(pack), 0, &g, &err),
                     VG_OK);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "camera1");
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.loop = 1;
    cfg.workers = 1;
    cfg.match_enabled = 1;
    cfg.deployment_id = dep;
    cfg.scene_snapshot = scene;
    memset(cap, 0, sizeof *cap);
    pthread_mutex_init(&cap->lock, NULL);
    vg_engine *e = NULL;
    assert_int_equal(vg_engine_start(&cfg, pack, g, store, "engine", &e, &err), VG_OK);
    assert_int_equal(vg_engine_subscribe(e, on_alert, cap), VG_OK);
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&cap->lock);
        int n = cap->n;
        pthread_mutex_unlock(&cap->lock);
        if (n > 0)
            break;
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    vg_engine_stop(e);
    vg_engine_free(e);
    vg_watch_gallery_free(g);
    pthread_mutex_destroy(&cap->lock);
    assert_true(cap->n > 0);
    assert_true(cap->id > 0);
}

/* Faces the referee finds, into boxes (at most max). */
static int referee(const vg_image *img, float boxes[][4], int max)
{
    vg_face *faces = NULL;
    int n = 0;
    vg_err err;
    assert_int_equal(vg_face_detect(yunet, img, &faces, &n, &err), VG_OK);
    for (int i = 0; i < n && i < max; i++) {
        boxes[i][0] = faces[i].x1;
        boxes[i][1] = faces[i].y1;
        boxes[i][2] = faces[i].x2;
        boxes[i][3] = faces[i].y2;
    }
    free(faces);
    return n;
}

static void test_scene_policy_on(void **state)
{
    (void)state;
    if (!yunet) {
        fprintf(stderr, "demo media or yunet_s_dynamic.onnx absent: skipping\n");
        skip();
    }
    scene_capture cap;
    run_until_alert(make_deployment("scene-on", 1), 1, &cap);
    assert_int_equal(cap.with_scene, 1);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err;
    assert_int_equal(vg_store_alert_scene(store, "officer", cap.id, &jpeg, &len, &err), VG_OK);
    const char *out = getenv("VIGIL_SCENE_OUT"); /* to look at it */
    FILE *f = out ? fopen(out, "wb") : NULL;
    if (f) {
        fwrite(jpeg, 1, len, f);
        fclose(f);
    }
    vg_image *scene = NULL;
    assert_int_equal(vg_image_decode_mem(jpeg, len, VG_IMAGE_MAX_PIXELS_DEFAULT, &scene, &err), VG_OK);
    free(jpeg);
    assert_true(scene->width <= 960);
    assert_int_equal(scene->width, 960); /* the clip is 1280 x 720 */
    float scale = 960.0f / 1280.0f;
    float boxes[16][4];
    int n = referee(scene, boxes, 16);
    fprintf(stderr, "referee: %d face(s) in the scene\n", n);
    assert_int_equal(n, 1);
    /* it is the matched face, where the alert says */
    float cx = (cap.box[0] + cap.box[2]) / 2 * scale, cy = (cap.box[1] + cap.box[3]) / 2 * scale;
    assert_true(cx > boxes[0][0] && cx < boxes[0][2] && cy > boxes[0][1] && cy < boxes[0][3]);
    assert_true(cx < 480); /* the astronaut stands on the left */
    /* the match's box is drawn (red) just outside the face */
    int bx = (int)floorf(cap.box[0] * scale), by = (int)lroundf((cap.box[1] + cap.box[3]) / 2 * scale);
    int red = 0;
    for (int dx = -3; dx <= 3; dx++) {
        int x = bx + dx;
        if (x < 0 || x >= scene->width)
            continue;
        const uint8_t *p = scene->data + (size_t)by * (size_t)scene->stride + (size_t)x * 3;
        red |= p[0] > 170 && p[1] < 110 && p[2] < 110;
    }
    assert_true(red);
    vg_image_free(scene);
    /* the referee can find the bystander: on a source frame reduced alike,
     * both people */
    char png[200], cmd[600];
    snprintf(png, sizeof png, "%s/frame.png", gdir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -vf 'select=eq(n\\,25),scale=960:540' "
             "-vframes 1 '%s'", clip, png);
    assert_int_equal(system(cmd), 0);
    vg_image *raw = NULL;
    assert_int_equal(vg_image_decode_file(png, VG_IMAGE_MAX_PIXELS_DEFAULT, &raw, &err), VG_OK);
    n = referee(raw, boxes, 16);
    fprintf(stderr, "referee: %d face(s) on the source frame\n", n);
    assert_int_equal(n, 2);
    vg_image_free(raw);
    vg_alert_detail det;
    assert_int_equal(vg_store_alert_detail_get(store, cap.id, &det, &err), VG_OK);
    assert_int_equal(det.has_scene, 1);
}

static void test_scene_policy_off(void **state)
{
    (void)state;
    if (!yunet) {
        fprintf(stderr, "demo media or yunet_s_dynamic.onnx absent: skipping\n");
        skip();
    }
    scene_capture cap;
    int64_t dep = make_deployment("scene-off", 0);
    run_until_alert(dep, 0, &cap);
    assert_int_equal(cap.with_scene, 0);
    vg_alert_detail det;
    vg_err err;
    assert_int_equal(vg_store_alert_detail_get(store, cap.id, &det, &err), VG_OK);
    assert_int_equal(det.has_scene, 0);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_scene(store, "officer", cap.id, &jpeg, &len, &err), VG_ERR_NOT_FOUND);
    /* none of this deployment's alerts holds a scene */
    vg_alert_query q = {.deployment_id = dep, .limit = 100};
    vg_alert_detail *all = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_query(store, &q, &all, &n, &err), VG_OK);
    assert_true(n >= 1);
    for (int i = 0; i < n; i++)
        assert_int_equal(all[i].has_scene, 0);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scene_policy_on),
        cmocka_unit_test(test_scene_policy_off),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
