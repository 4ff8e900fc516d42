/* test_video_file.c — files as sources: every frame in order (ALL mode) from
 * the crowd clip and from clips made here with the ffmpeg command, real-time
 * pacing that drops frames for a slow consumer (LIVE mode), looping with
 * continuous indices and timestamps, and options that are refused. */
#include "video_fixtures.h"

typedef struct clip_result {
    int64_t frames;
    int64_t first_index, last_index;
    int monotonic;     /* pts strictly increasing, indices consecutive */
    int w, h;          /* of the last frame */
    vg_status end;
    char end_msg[VG_ERR_MSG_MAX];
} clip_result;

/* Takes every frame until the end (or `limit` frames), checking order. */
static void read_all(vg_source *s, int64_t limit, clip_result *r)
{
    memset(r, 0, sizeof *r);
    r->monotonic = 1;
    r->first_index = -1;
    double last_pts = -1;
    for (;;) {
        vg_frame *f = NULL;
        vg_err err = {{0}};
        vg_status st = vg_source_next(s, 10.0, &f, &err);
        if (st != VG_OK) {
            r->end = st;
            snprintf(r->end_msg, sizeof r->end_msg, "%s", err.msg);
            return;
        }
        assert_non_null(f); /* 10 s without a frame from a local file: a hang */
        assert_non_null(f->image);
        if (r->first_index < 0)
            r->first_index = f->index;
        else if (f->index != r->last_index + 1)
            r->monotonic = 0;
        if (f->pts <= last_pts)
            r->monotonic = 0;
        last_pts = f->pts;
        r->last_index = f->index;
        r->w = f->image->width;
        r->h = f->image->height;
        r->frames++;
        vg_frame_free(f);
        if (limit > 0 && r->frames >= limit)
            return;
    }
}

static void test_crowd_all_frames(void **state)
{
    (void)state;
    char path[512];
    VG_SKIP_UNLESS(vg_test_data(path, sizeof path, "video/crowd-1080p.mp4"));
    vt_log log;
    vt_log_init(&log);
    vg_source_options o = {.url = path, .mode = VG_SOURCE_ALL, .log = vt_log_fn, .log_ctx = &log};
    vg_source *s = NULL;
    vg_err err;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    clip_result r;
    double t0 = vt_now();
    read_all(s, 0, &r);
    double dt = vt_now() - t0;
    assert_int_equal(r.frames, 105);
    assert_int_equal(r.first_index, 0);
    assert_int_equal(r.last_index, 104);
    assert_true(r.monotonic);
    assert_int_equal(r.w, 1920);
    assert_int_equal(r.h, 1080);
    assert_int_equal(r.end, VG_ERR_NOT_FOUND);
    assert_string_equal(r.end_msg, "end of stream");
    /* The end is sticky. */
    vg_frame *f = (vg_frame *)1;
    assert_int_equal(vg_source_next(s, 0.1, &f, &err), VG_ERR_NOT_FOUND);
    assert_null(f);
    vg_source_stats st;
    vg_source_stats_get(s, &st);
    assert_int_equal(st.state, VG_SOURCE_STATE_ENDED);
    assert_int_equal(st.frames_decoded, 105);
    assert_int_equal(st.frames_taken, 105);
    assert_int_equal(st.frames_dropped, 0);
    assert_int_equal(st.opens, 1);
    assert_true(st.decode_ms_total > 0);
    fprintf(stderr, "crowd-1080p: 105 frames in %.2f s (decode+convert %.1f ms/frame)\n", dt,
            st.decode_ms_total / 105);
    vg_source_close(s);
    assert_int_equal(vt_log_count(&log, "event=opened "), 1);
    assert_int_equal(vt_log_count(&log, "width=1920 height=1080 fps=25"), 1);
    assert_int_equal(vt_log_count(&log, "event=ended "), 1);
    vt_log_free(&log);
}

static void test_generated_clip_all_frames(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char mp4[128], ts[128];
    vt_make_clip("testsrc=size=320x240:rate=25", "2", "libx264",
                 vt_path(&d, "a.mp4", mp4, sizeof mp4));
    vt_make_clip("testsrc=size=320x240:rate=25", "2", "mpeg2video",
                 vt_path(&d, "a.ts", ts, sizeof ts));
    const char *paths[] = {mp4, ts};
    for (int i = 0; i < 2; i++) {
        char url[200];
        /* the same file as a plain path and as a file:// URL */
        snprintf(url, sizeof url, i ? "file://%s" : "%s", paths[i]);
        vt_log log;
        vt_log_init(&log);
        vg_source_options o = {.url = url, .name = "front \"door\" \\ 2",
                               .mode = VG_SOURCE_ALL, .log = vt_log_fn, .log_ctx = &log};
        vg_source *s = NULL;
        vg_err err;
        assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
        clip_result r;
        read_all(s, 0, &r);
        assert_int_equal(r.frames, 50);
        assert_int_equal(r.first_index, 0);
        assert_int_equal(r.last_index, 49);
        assert_true(r.monotonic);
        assert_int_equal(r.w, 320);
        assert_int_equal(r.h, 240);
        assert_int_equal(r.end, VG_ERR_NOT_FOUND);
        vg_source_close(s);
        /* a name with spaces, quotes and a backslash is quoted and escaped */
        assert_int_equal(
            vt_log_count(&log, "event=opened camera=\"front \\\"door\\\" \\\\ 2\" "), 1);
        assert_int_equal(vt_log_count(&log, "event=ended camera=\"front"), 1);
        vt_log_free(&log);
    }
    vt_dir_remove(&d);
}

/* Realtime in ALL mode: every frame, but no faster than the clip's rate. */
static void test_all_realtime_paces(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char clip[128];
    vt_make_clip("testsrc=size=160x120:rate=25", "1", "libx264",
                 vt_path(&d, "c.mp4", clip, sizeof clip));
    vg_source_options o = {.url = clip, .mode = VG_SOURCE_ALL, .realtime = 1};
    vg_source *s = NULL;
    vg_err err;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    double t0 = vt_now();
    clip_result r;
    read_all(s, 0, &r);
    double dt = vt_now() - t0;
    assert_int_equal(r.frames, 25);
    assert_true(r.monotonic);
    assert_true(dt > 0.85 && dt < 3.0);
    vg_source_close(s);
    vt_dir_remove(&d);
}

/* LIVE mode on a file: paced in real time, the consumer takes a frame every
 * 200 ms, so most frames are replaced before anyone takes them. */
static void test_live_slow_consumer_drops(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char clip[128];
    vt_make_clip("testsrc=size=320x240:rate=25", "2", "libx264",
                 vt_path(&d, "c.mp4", clip, sizeof clip));
    vg_source_options o = {.url = clip, .mode = VG_SOURCE_LIVE};
    vg_source *s = NULL;
    vg_err err;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    double t0 = vt_now();
    int64_t taken = 0, last_index = -1;
    vg_status st;
    for (;;) {
        vg_frame *f = NULL;
        st = vg_source_next(s, 5.0, &f, &err);
        if (st != VG_OK)
            break;
        assert_non_null(f);
        assert_true(f->index > last_index); /* the newest frame, never an older one */
        last_index = f->index;
        taken++;
        vg_frame_free(f);
        vt_sleep(0.2);
    }
    double dt = vt_now() - t0;
    assert_int_equal(st, VG_ERR_NOT_FOUND);
    vg_source_stats stats;
    vg_source_stats_get(s, &stats);
    fprintf(stderr, "live: %.2f s, decoded %lld, taken %lld, dropped %lld\n", dt,
            (long long)stats.frames_decoded, (long long)stats.frames_taken,
            (long long)stats.frames_dropped);
    assert_int_equal(stats.frames_decoded, 50);
    assert_int_equal(stats.frames_taken, taken);
    assert_true(stats.frames_dropped > 0);
    /* every frame is taken or dropped: the last one was taken before the end */
    assert_int_equal(stats.frames_taken + stats.frames_dropped, stats.frames_decoded);
    assert_true(taken >= 6 && taken <= 13);
    /* the clip's 2 s, plus the last 200 ms nap (and slack for a busy machine) */
    assert_true(dt > 1.8 && dt < 4.0);
    vg_source_close(s);
    vt_dir_remove(&d);
}

static void test_loop_continuous(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char clip[128];
    vt_make_clip("testsrc=size=160x120:rate=25", "1", "libx264",
                 vt_path(&d, "c.mp4", clip, sizeof clip));
    vt_log log;
    vt_log_init(&log);
    /* ALL mode, as fast as it goes: 3.2 clips' worth */
    vg_source_options o = {.url = clip, .mode = VG_SOURCE_ALL, .loop = 1, .log = vt_log_fn,
                           .log_ctx = &log};
    vg_source *s = NULL;
    vg_err err;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    clip_result r;
    read_all(s, 80, &r);
    assert_int_equal(r.frames, 80);
    assert_int_equal(r.first_index, 0);
    assert_int_equal(r.last_index, 79);
    assert_true(r.monotonic);
    vg_source_close(s);
    assert_int_equal(vt_log_count(&log, "event=ended"), 0);

    /* LIVE mode, paced: 1.5 s of it gives more than one clip's frames */
    o.mode = VG_SOURCE_LIVE;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    double t0 = vt_now(), last_pts = -1;
    int64_t n = 0;
    while (vt_now() - t0 < 1.5) {
        vg_frame *f = NULL;
        assert_int_equal(vg_source_next(s, 1.0, &f, &err), VG_OK);
        assert_non_null(f);
        assert_true(f->pts > last_pts);
        last_pts = f->pts;
        n++;
        vg_frame_free(f);
    }
    vg_source_stats st;
    vg_source_stats_get(s, &st);
    assert_true(st.frames_decoded > 25);
    assert_true(last_pts > 1.0);
    assert_true(n + st.frames_dropped + 1 >= st.frames_decoded);
    vg_source_close(s);
    vt_log_free(&log);
    vt_dir_remove(&d);
}

/* Closing while frames are waiting, and while the decoder waits (ALL mode). */
static void test_close_promptly(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char clip[128];
    vt_make_clip("testsrc=size=160x120:rate=25", "1", "libx264",
                 vt_path(&d, "c.mp4", clip, sizeof clip));
    for (int mode = 0; mode < 2; mode++) {
        vg_source_options o = {.url = clip, .mode = mode ? VG_SOURCE_ALL : VG_SOURCE_LIVE,
                               .loop = 1};
        vg_source *s = NULL;
        vg_err err;
        assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
        vt_sleep(0.3);
        double t0 = vt_now();
        vg_source_close(s);
        assert_true(vt_now() - t0 < 0.5);
    }
    vg_source_close(NULL);
    vt_dir_remove(&d);
}

static void test_bad_options(void **state)
{
    (void)state;
    vg_source *s = (vg_source *)1;
    vg_err err;
    assert_int_equal(vg_source_open(NULL, &s, &err), VG_ERR_INVALID);
    assert_null(s);
    vg_source_options o = {.url = NULL};
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.url = "";
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.url = "gopher://x";
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "gopher"));
    o.url = "gopher://user:hunter2@x/";
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    assert_null(strstr(err.msg, "hunter2"));
    o.url = "file://relative/path.mp4";
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.url = "rtsp://127.0.0.1:1/x";
    o.mode = (vg_source_mode)7;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.mode = VG_SOURCE_LIVE;
    o.stall_seconds = -1;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.stall_seconds = 0;
    o.max_attempts = -1;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_ERR_INVALID);
    o.max_attempts = 0;
    assert_int_equal(vg_source_open(&o, NULL, &err), VG_ERR_INVALID);
    assert_null(s);

    vg_frame *f = (vg_frame *)1;
    assert_int_equal(vg_source_next(NULL, 0, &f, &err), VG_ERR_INVALID);
    assert_null(f);
    vg_source_stats st;
    vg_source_stats_get(NULL, &st);
    assert_int_equal(st.frames_decoded, 0);
    vg_frame_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_crowd_all_frames, vt_teardown),
        cmocka_unit_test_teardown(test_generated_clip_all_frames, vt_teardown),
        cmocka_unit_test_teardown(test_all_realtime_paces, vt_teardown),
        cmocka_unit_test_teardown(test_live_slow_consumer_drops, vt_teardown),
        cmocka_unit_test_teardown(test_loop_continuous, vt_teardown),
        cmocka_unit_test_teardown(test_close_promptly, vt_teardown),
        cmocka_unit_test_teardown(test_bad_options, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
