/* test_engine_view.c — the engine's view tap as an API: no frames made
 * without a viewer; a viewer gets JPEG frames, reduced to 960 px, newer
 * each time, at most 5 a second; a wait with nothing new times out with no
 * frame; viewers are counted (frames stop only when the last one leaves);
 * an unknown camera is VG_ERR_NOT_FOUND; stopping the engine wakes a waiting
 * viewer with VG_ERR_NOT_FOUND. On the demo clip (deps/media/demo-walk.mp4).
 * And a match shown only against the watch list in use: a clip of the
 * astronaut beside the cameraman, her enrolled — shown; the same list
 * reloaded — shown again once re-checked; swapped for a list without her —
 * never shown again. And a face that leaves leaves no box behind (at most
 * one missed step). */
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

/* Waits for view frames; returns how many of n frames had a face shown. */
static int shown_in(vg_engine *e, int64_t *seq, int n)
{
    int shown = 0;
    vg_err err;
    for (int i = 0; i < n; i++) {
        vg_engine_view_frame f;
        assert_int_equal(vg_engine_view_next(e, 0, *seq, 10.0, &f, &err), VG_OK);
        assert_non_null(f.jpeg);
        *seq = f.seq;
        shown += f.matched > 0;
        free(f.jpeg);
    }
    return shown;
}

static void test_view_follows_the_list(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    char astro[1100], mirrored[1100], cam[1100];
    snprintf(astro, sizeof astro, "%s/deps/media/astronaut.png", src ? src : ".");
    snprintf(mirrored, sizeof mirrored, "%s/deps/media/astronaut-mirrored.png", src ? src : ".");
    snprintf(cam, sizeof cam, "%s/deps/media/camera.png", src ? src : ".");
    if (access(astro, R_OK) || access(mirrored, R_OK) || access(cam, R_OK)) {
        fprintf(stderr, "demo media absent (run scripts/bootstrap): skipping\n");
        skip();
    }
    char dir[64];
    int64_t wid, other;
    vg_store *store = temp_store(dir, sizeof dir, &wid);
    assert_non_null(store);
    char clip[128], cmd[4096];
    snprintf(clip, sizeof clip, "%s/two.mp4", dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x707070:s=1280x720:r=25:d=4 "
             "-loop 1 -framerate 25 -t 4 -i '%s' -loop 1 -framerate 25 -t 4 -i '%s' -filter_complex "
             "'[1]scale=360:-2[a];[2]scale=360:-2[b];[0][a]overlay=x=100:y=180[t];[t][b]overlay=x=820:y=180,"
             "format=yuv420p[v]' -map '[v]' -c:v libx264 -preset veryfast -crf 18 -t 4 '%s'",
             mirrored, cam, clip);
    assert_int_equal(system(cmd), 0);
    vg_face_pack *pack = NULL;
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    assert_int_equal(vg_face_pack_open(&fc, &pack, &err), VG_OK);
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wid;
    snprintf(s.name, sizeof s.name, "Eileen Collins");
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    const char *photos[1] = {astro};
    int64_t sid;
    assert_int_equal(vg_enrol(pack, store, "test", &s, photos, 1, &opt, &sid, &err), VG_OK);
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "other");
    snprintf(w.reason, sizeof w.reason, "test");
    snprintf(w.authorised_by, sizeof w.authorised_by, "test");
    assert_int_equal(vg_store_watchlist_create(store, "test", &w, &other, &err), VG_OK);
    vg_watch_gallery *g1 = NULL, *g2 = NULL, *g3 = NULL;
    const char *model = vg_face_pack_model_id(pack);
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, model, 0, &g1, &err), VG_OK);
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, model, 0, &g2, &err), VG_OK);
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", other, model, 0, &g3, &err), VG_OK);

    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.loop = 1;
    cfg.workers = 1;
    cfg.match_enabled = 1;
    vg_engine *e = NULL;
    assert_int_equal(vg_engine_start(&cfg, pack, g1, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    int64_t seq = 0;
    /* she matches and is shown */
    int shown = shown_in(e, &seq, 10);
    fprintf(stderr, "list in use: shown on %d of 10 frames\n", shown);
    assert_true(shown >= 8);
    /* the same list, reloaded: her match is checked again, then shown again */
    vg_engine_gallery_set(e, g2);
    shown = shown_in(e, &seq, 10);
    fprintf(stderr, "same list reloaded: shown on %d of 10 frames\n", shown);
    assert_true(shown >= 5);
    /* a list without her: never shown again (the first frame may have been
     * made before the swap) */
    vg_engine_gallery_set(e, g3);
    shown_in(e, &seq, 1);
    shown = shown_in(e, &seq, 10);
    fprintf(stderr, "list without her: shown on %d of 10 frames\n", shown);
    assert_int_equal(shown, 0);
    vg_engine_view_close(e, 0);
    vg_engine_stop(e);
    vg_engine_free(e); /* frees g2 and g3, which it was handed */
    vg_watch_gallery_free(g1);
    vg_face_pack_close(pack);
    vg_store_close(store);
    remove_dir(dir);
}

/* Issue 15: a face that has left leaves no box behind. A clip of the
 * cameraman on a plain grey ground for 2 s, then the ground alone: once
 * the step finds no face, a box (the grey outline of a hidden face) may
 * stay where he was for one missed step at most — the tracker keeps his
 * track for 12, and the view drew its box on every one of them. */
static int box_pixels(const vg_engine_view_frame *f)
{
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(vg_image_decode_mem(f->jpeg, f->len, 0, &img, &err), VG_OK);
    int n = 0;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->data + (size_t)y * (size_t)img->stride;
        for (int x = 0; x < img->width; x++) {
            const uint8_t *p = row + 3 * x;
            n += p[0] >= 150 && p[0] <= 195 && p[1] >= 150 && p[1] <= 195 && p[2] >= 150 && p[2] <= 195;
        }
    }
    vg_image_free(img);
    return n;
}

static void test_no_box_left_behind(void **state)
{
    (void)state;
    const char *src = getenv("VIGIL_SRC");
    char cam[1100];
    snprintf(cam, sizeof cam, "%s/deps/media/camera.png", src ? src : ".");
    if (access(cam, R_OK)) {
        fprintf(stderr, "demo media absent (run scripts/bootstrap): skipping\n");
        skip();
    }
    char dir[64];
    int64_t wid;
    vg_store *store = temp_store(dir, sizeof dir, &wid);
    assert_non_null(store);
    char clip[128], cmd[2048];
    snprintf(clip, sizeof clip, "%s/leaves.mp4", dir);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x707070:s=1280x720:r=25:d=5 "
             "-loop 1 -framerate 25 -t 5 -i '%s' -filter_complex "
             "'[1]scale=360:-2[b];[0][b]overlay=x=820:y=180:enable=lt(t\\,2),format=yuv420p[v]' "
             "-map '[v]' -c:v libx264 -preset veryfast -crf 18 -t 5 '%s'",
             cam, clip);
    assert_int_equal(system(cmd), 0);
    vg_face_pack *pack = NULL;
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    assert_int_equal(vg_face_pack_open(&fc, &pack, &err), VG_OK);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    /* every frame, paced to the clip's rate at most: a live source would
     * drop the 2 s with him while a loaded machine runs ORT's first, slow
     * steps (an ASan build at load 14 boxed him on 1 view frame); what is
     * tested is what the view draws per step, not how many steps fit */
    cfg.mode = VG_SOURCE_ALL;
    cfg.realtime = 1;
    cfg.workers = 1;
    vg_engine *e = NULL;
    assert_int_equal(vg_engine_start(&cfg, pack, NULL, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    int64_t seq = 0;
    int with_him = 0, boxed_without = 0, frames_without = 0;
    for (;;) {
        vg_engine_view_frame f;
        if (vg_engine_view_next(e, 0, seq, 10.0, &f, &err) != VG_OK || !f.jpeg)
            break;
        seq = f.seq;
        int boxed = box_pixels(&f) > 100;
        if (f.pts < 1.8 && f.faces > 0)
            with_him += boxed;
        if (f.pts > 2.0 && f.faces == 0) {
            frames_without++;
            boxed_without += boxed;
        }
        free(f.jpeg);
    }
    fprintf(stderr, "frames with him boxed: %d; after he left: %d of %d boxed\n", with_him, boxed_without,
            frames_without);
    assert_true(with_him >= 3);      /* the measure sees a hidden face's box */
    assert_true(frames_without >= 5);
    assert_true(boxed_without <= 1); /* one missed step at most */
    vg_engine_view_close(e, 0);
    vg_engine_stop(e);
    vg_engine_free(e);
    vg_face_pack_close(pack);
    vg_store_close(store);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_view_tap), cmocka_unit_test(test_view_follows_the_list),
                                       cmocka_unit_test(test_no_box_left_behind)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
