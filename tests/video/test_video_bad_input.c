/* test_video_bad_input.c — inputs that are not what a camera should send:
 * a missing file, a directory, text, random bytes, audio only, a still
 * image, a truncated MP4, a stream whose resolution changes mid-way, frames
 * over the pixel limit, an unknown scheme. Each gives a clear error or
 * frames, never a crash or a leak (the tests run under ASan). */
#include "video_fixtures.h"

static vg_status try_open(const char *url, vg_source **s, vg_err *err)
{
    vg_source_options o = {.url = url, .mode = VG_SOURCE_ALL};
    *s = NULL;
    return vg_source_open(&o, s, err);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Reads frames until the end; counts them and the frames of each size. */
static int64_t drain(vg_source *s, int64_t *small, int64_t *large, vg_err *end)
{
    int64_t n = 0;
    for (;;) {
        vg_frame *f = NULL;
        vg_status st = vg_source_next(s, 10.0, &f, end);
        if (st != VG_OK) {
            assert_int_equal(st, VG_ERR_NOT_FOUND);
            return n;
        }
        assert_non_null(f);
        if (small && f->image->width == 160 && f->image->height == 120)
            (*small)++;
        if (large && f->image->width == 320 && f->image->height == 240)
            (*large)++;
        /* every pixel row is there: the converter followed the new size */
        assert_true(f->image->stride >= 3 * f->image->width);
        n++;
        vg_frame_free(f);
    }
}

static void test_missing_and_not_video(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char p[128];
    vg_source *s;
    vg_err err;

    assert_int_equal(try_open(vt_path(&d, "absent.mp4", p, sizeof p), &s, &err), VG_ERR_NOT_FOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "no such file"));
    assert_int_equal(try_open("file:///nonexistent/dir/clip.mp4", &s, &err), VG_ERR_NOT_FOUND);

    assert_int_equal(try_open(d.path, &s, &err), VG_ERR_INVALID); /* a directory */

    const char text[] = "This is a note, not a video.\nLine two.\n";
    write_file(vt_path(&d, "notes.txt", p, sizeof p), text, sizeof text - 1);
    assert_int_equal(try_open(p, &s, &err), VG_ERR_INVALID);
    fprintf(stderr, "text file: %s\n", err.msg);
    write_file(vt_path(&d, "notes.dat", p, sizeof p), text, sizeof text - 1);
    assert_int_equal(try_open(p, &s, &err), VG_ERR_INVALID);

    unsigned char noise[64 * 1024];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (unsigned char)(x >> 16);
    }
    write_file(vt_path(&d, "noise.bin", p, sizeof p), noise, sizeof noise);
    assert_int_equal(try_open(p, &s, &err), VG_ERR_INVALID);
    fprintf(stderr, "random bytes: %s\n", err.msg);
    write_file(vt_path(&d, "empty.mp4", p, sizeof p), "", 0);
    assert_int_equal(try_open(p, &s, &err), VG_ERR_INVALID);

    /* audio only: a readable file without a picture */
    char *wav[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                   "sine=duration=1", (char *)vt_path(&d, "tone.wav", p, sizeof p), NULL};
    assert_int_equal(vt_run(wav), 0);
    assert_int_equal(try_open(p, &s, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "no video"));
    vt_dir_remove(&d);
}

/* A still image is a video of one frame (FFmpeg reads it as one): accepted. */
static void test_still_image_is_one_frame(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char p[128];
    char *png[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                   "testsrc=size=64x48", "-frames:v", "1",
                   (char *)vt_path(&d, "still.png", p, sizeof p), NULL};
    assert_int_equal(vt_run(png), 0);
    vg_source *s;
    vg_err err;
    assert_int_equal(try_open(p, &s, &err), VG_OK);
    assert_int_equal(drain(s, NULL, NULL, &err), 1);
    assert_string_equal(err.msg, "end of stream");
    vg_source_close(s);
    vt_dir_remove(&d);
}

static void truncate_copy(const char *from, const char *to, double fraction)
{
    FILE *f = fopen(from, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    size_t keep = (size_t)((double)n * fraction);
    unsigned char *buf = malloc(keep);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, keep, f), keep);
    fclose(f);
    write_file(to, buf, keep);
    free(buf);
}

/* The first 40 % of an MP4: with the index at the end (FFmpeg's default) it
 * is not a readable file; with the index first, the frames that are there
 * come out and the source ends. */
static void test_truncated_mp4(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char full[128], cut[128], fast[128], fastcut[128];
    /* noise makes every frame weigh about the same, so 40 % cuts mid-clip */
    vt_make_clip("testsrc=size=320x240:rate=25,noise=alls=30:allf=t", "2", "libx264",
                 vt_path(&d, "a.mp4", full, sizeof full));
    char *ff[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", full, "-c", "copy",
                  "-movflags", "+faststart",
                  (char *)vt_path(&d, "fast.mp4", fast, sizeof fast), NULL};
    assert_int_equal(vt_run(ff), 0);
    truncate_copy(full, vt_path(&d, "cut.mp4", cut, sizeof cut), 0.4);
    truncate_copy(fast, vt_path(&d, "fastcut.mp4", fastcut, sizeof fastcut), 0.4);

    vg_source *s;
    vg_err err;
    vg_status st = try_open(cut, &s, &err);
    fprintf(stderr, "truncated mp4 (index at the end): %s\n", st == VG_OK ? "opened" : err.msg);
    if (st == VG_OK) {
        drain(s, NULL, NULL, &err);
        vg_source_close(s);
    } else {
        assert_int_equal(st, VG_ERR_INVALID);
    }

    vt_log log;
    vt_log_init(&log);
    vg_source_options o = {.url = fastcut, .mode = VG_SOURCE_ALL, .log = vt_log_fn,
                           .log_ctx = &log};
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    int64_t n = drain(s, NULL, NULL, &err);
    fprintf(stderr, "truncated mp4 (index first): %lld of 50 frames\n", (long long)n);
    assert_true(n > 0 && n < 50);
    vg_source_stats stats;
    vg_source_stats_get(s, &stats);
    assert_int_equal(stats.state, VG_SOURCE_STATE_ENDED);
    vg_source_close(s);
    assert_int_equal(vt_log_count(&log, "event=ended"), 1);
    vt_log_free(&log);
    vt_dir_remove(&d);
}

/* Two MPEG-TS clips of different sizes, one after the other in one file. */
static void test_resolution_change(void **state)
{
    (void)state;
    vt_dir d;
    vt_dir_make(&d);
    char a[128], b[128], ab[128];
    vt_make_clip("testsrc=size=320x240:rate=25", "1", "mpeg2video",
                 vt_path(&d, "a.ts", a, sizeof a));
    vt_make_clip("testsrc=size=160x120:rate=25", "1", "mpeg2video",
                 vt_path(&d, "b.ts", b, sizeof b));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' '%s' > '%s'", a, b, a,
             vt_path(&d, "ab.ts", ab, sizeof ab));
    assert_int_equal(system(cmd), 0);

    vg_source *s;
    vg_err err;
    assert_int_equal(try_open(ab, &s, &err), VG_OK);
    int64_t small = 0, large = 0;
    int64_t n = drain(s, &small, &large, &err);
    fprintf(stderr, "resolution change: %lld frames, %lld at 160x120, %lld at 320x240\n",
            (long long)n, (long long)small, (long long)large);
    assert_true(small >= 20);
    assert_true(large >= 40);
    assert_int_equal(small + large, n);
    vg_source_close(s);

    /* A pixel limit between the two sizes: the large frames are errors, skipped. */
    vt_log log;
    vt_log_init(&log);
    vg_source_options o = {.url = ab, .mode = VG_SOURCE_ALL, .max_pixels = 50000,
                           .log = vt_log_fn, .log_ctx = &log};
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    small = large = 0;
    n = drain(s, &small, &large, &err);
    assert_int_equal(large, 0);
    assert_true(small >= 20);
    vg_source_stats stats;
    vg_source_stats_get(s, &stats);
    assert_true(stats.errors >= 40);
    assert_int_equal(stats.frames_decoded, small);
    assert_non_null(strstr(stats.last_error, "over the limit of 50000 pixels"));
    vg_source_close(s);
    assert_true(vt_log_count(&log, "event=error") >= 1);
    /* logged at most about once a second, not once per frame */
    assert_true(vt_log_count(&log, "event=error") <= 5);
    vt_log_free(&log);
    vt_dir_remove(&d);
}

static void test_unknown_scheme(void **state)
{
    (void)state;
    vg_source *s;
    vg_err err;
    assert_int_equal(try_open("gopher://x", &s, &err), VG_ERR_INVALID);
    assert_null(s);
    assert_non_null(strstr(err.msg, "unknown scheme"));
    assert_int_equal(try_open("v4l2://video0", &s, &err), VG_ERR_INVALID);
    /* a device path that does not exist */
    assert_int_equal(try_open("/dev/video97", &s, &err), VG_ERR_NOT_FOUND);
    assert_int_equal(try_open("v4l2:///dev/video97", &s, &err), VG_ERR_NOT_FOUND);
    /* a file that exists but is no device */
    assert_int_equal(try_open("v4l2:///proc/self/status", &s, &err), VG_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_missing_and_not_video, vt_teardown),
        cmocka_unit_test_teardown(test_still_image_is_one_frame, vt_teardown),
        cmocka_unit_test_teardown(test_truncated_mp4, vt_teardown),
        cmocka_unit_test_teardown(test_resolution_change, vt_teardown),
        cmocka_unit_test_teardown(test_unknown_scheme, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
