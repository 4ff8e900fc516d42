/* test_engine_view.c — the engine's view tap as an API: no frames made
 * without a viewer; a viewer gets JPEG frames, reduced to 960 px, newer
 * each time, at most 5 a second; a wait with nothing new times out with no
 * frame; viewers are counted (frames stop only when the last one leaves);
 * an unknown camera is VG_ERR_NOT_FOUND; stopping the engine wakes a waiting
 * viewer with VG_ERR_NOT_FOUND. On the demo clip (deps/media/demo-walk.mp4). */
#include "engine_fixtures.h"

#include <time.h>

#include "vigil/image.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static int64_t view_frames(vg_engine *e)
{
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(e, 0, &cs);
    return cs.view_frames;
}

static void test_view_tap(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    char clip[1024];
    snprintf(clip, sizeof clip, "%s/deps/media/demo-walk.mp4", src ? src : ".");
    if (access(clip, R_OK)) {
        fprintf(stderr, "%s absent (run scripts/bootstrap): skipping\n", clip);
        skip();
    }
    vg_face_pack *pack = NULL;
    vg_err err;
    assert_int_equal(vg_face_pack_open(NULL, &pack, &err), VG_OK);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.loop = 1;
    cfg.workers = 1;
    vg_engine *e = NULL;
    assert_int_equal(vg_engine_start(&cfg, pack, NULL, NULL, "test", &e, &err), VG_OK);
    assert_string_equal(vg_engine_camera_name(e, 0), "camera1");
    assert_string_equal(vg_engine_camera_name(e, 1), "");

    /* unknown cameras */
    vg_engine_view_frame f;
    assert_int_equal(vg_engine_view_open(e, 1, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_engine_view_open(e, -1, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(vg_engine_view_next(e, 1, 0, 0.1, &f, &err), VG_ERR_NOT_FOUND);

    /* no viewer: nothing made */
    sleep_s(1.0);
    assert_int_equal(view_frames(e), 0);

    /* two viewers */
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    int64_t seq = 0;
    double t0 = now_s();
    int got = 0;
    while (got < 6) {
        assert_int_equal(vg_engine_view_next(e, 0, seq, 5.0, &f, &err), VG_OK);
        assert_non_null(f.jpeg);
        assert_true(f.seq > seq);
        seq = f.seq;
        vg_image *img = NULL;
        assert_int_equal(vg_image_decode_mem(f.jpeg, f.len, 0, &img, &err), VG_OK);
        assert_int_equal(img->width, 960); /* the clip is 1920 x 1080 */
        assert_int_equal(img->height, 540);
        assert_int_equal(f.width, 960);
        vg_image_free(img);
        free(f.jpeg);
        got++;
    }
    double secs = now_s() - t0;
    assert_true(got <= VG_ENGINE_VIEW_FPS * secs + 1);
    /* right after a frame, nothing newer for a while: a short wait times out */
    assert_int_equal(vg_engine_view_next(e, 0, seq, 0.01, &f, &err), VG_OK);
    assert_null(f.jpeg);

    /* one leaves: frames go on for the other */
    vg_engine_view_close(e, 0);
    int64_t a = view_frames(e);
    sleep_s(1.0);
    assert_true(view_frames(e) > a);
    /* the last leaves: no more frames, and nothing to take */
    vg_engine_view_close(e, 0);
    vg_engine_view_close(e, 0); /* one too many: harmless */
    sleep_s(0.3);
    a = view_frames(e);
    sleep_s(1.0);
    assert_int_equal(view_frames(e), a);

    /* stopping the engine wakes a waiting viewer */
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    vg_engine_view_frame g;
    assert_int_equal(vg_engine_view_next(e, 0, 0, 5.0, &g, &err), VG_OK);
    assert_non_null(g.jpeg);
    free(g.jpeg);
    vg_engine_stop(e);
    t0 = now_s();
    vg_status st = VG_OK;
    for (int i = 0; i < 3 && st == VG_OK; i++) { /* a frame made before the stop may still come first */
        st = vg_engine_view_next(e, 0, g.seq, 5.0, &g, &err);
        free(g.jpeg);
    }
    assert_int_equal(st, VG_ERR_NOT_FOUND);
    assert_true(now_s() - t0 < 1.0);
    vg_engine_view_close(e, 0);
    vg_engine_free(e);
    vg_face_pack_close(pack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_view_tap)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
