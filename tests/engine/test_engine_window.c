/* test_engine_window.c — matching happens only inside the deployment's
 * window: person_A (enrolled from a frame of asl/again.mkv) replayed in
 * asl/yes.mkv raises an alert inside the window, and outside it (a window in
 * the past, or matching switched off) raises none and compares nothing,
 * while the cameras still run and faces are still counted. */
#include "engine_fixtures.h"

#include <time.h>

static vg_face_pack *pack;
static vg_store *store;
static vg_watch_gallery *gallery;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    char clip[1024];
    if (!vg_test_data(clip, sizeof clip, "video/asl/again.mkv"))
        return 0;
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    int64_t wid;
    if (vg_face_pack_open(&fc, &pack, &err) || !(store = temp_store(dir, sizeof dir, &wid)))
        return -1;
    int64_t sid;
    if (enrol_person_a(pack, store, wid, dir, &sid, &err) ||
        vg_watch_gallery_load(store, "test", "test", wid, vg_face_pack_model_id(pack), 0, &gallery, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_watch_gallery_free(gallery);
    vg_store_close(store);
    vg_face_pack_close(pack);
    if (dir[0])
        remove_dir(dir);
    return 0;
}

static void replay(int match_enabled, int64_t from, int64_t until, vg_counters *c, int *alerts)
{
    char clip[1024];
    vg_test_data(clip, sizeof clip, "video/asl/yes.mkv");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "yes");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.match_enabled = match_enabled;
    cfg.window_start = from;
    cfg.window_end = until;
    alert_capture ac = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_engine *e = NULL;
    vg_err err;
    assert_int_equal(vg_engine_start(&cfg, pack, gallery, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_subscribe(e, capture_alert, &ac), VG_OK);
    assert_true(vg_engine_wait(e, 120));
    vg_engine_stop(e);
    vg_engine_counters(e, c);
    vg_engine_free(e);
    *alerts = ac.n;
}

static void test_window(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(pack);
    int64_t now = (int64_t)time(NULL);
    vg_counters c;
    int alerts;
    replay(1, now - 3600, now + 3600, &c, &alerts);
    fprintf(stderr, "inside the window: %lld faces, %lld comparisons, %d alerts\n", (long long)c.faces,
            (long long)c.comparisons, alerts);
    assert_true(alerts >= 1);
    assert_true(c.comparisons >= 1);

    replay(1, now - 7200, now - 3600, &c, &alerts);
    fprintf(stderr, "after the window: %lld faces, %lld comparisons, %d alerts\n", (long long)c.faces,
            (long long)c.comparisons, alerts);
    assert_int_equal(alerts, 0);
    assert_int_equal(c.comparisons, 0);
    assert_int_equal(c.embeddings, 0);
    assert_true(c.faces > 0 && c.frames_processed > 0);

    replay(1, now + 3600, now + 7200, &c, &alerts);
    assert_int_equal(alerts, 0);
    assert_int_equal(c.comparisons, 0);

    replay(0, 0, 0, &c, &alerts);
    assert_int_equal(alerts, 0);
    assert_int_equal(c.comparisons, 0);
    assert_true(c.faces > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
