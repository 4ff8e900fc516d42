/* test_engine_schedule.c — detect and track ([engine] full_detect_hz):
 *   - a replay of asl/yes.mkv (person_A, enrolled from asl/again.mkv) in
 *     every-frame mode and at 5 full passes a second: the same alert (her,
 *     once), every every-frame track of 5 frames or more overlapped by a
 *     scheduled face, about 5 full passes per second of video and the rest
 *     of the frames searched around the tracks only, none in every-frame
 *     mode;
 *   - the schedule of two cameras: full passes one interval apart, never
 *     on the same frame after the first (staggered), a pass at once when
 *     time goes back;
 *   - privacy under the schedule: on no served live-view frame of the
 *     London crowd (read at its own rate, looped, 5 full passes a second)
 *     does the pack's detector find a face (vg_face_detect, as
 *     tests/server/test_server_live.c checks every-frame mode).
 * Skips without the shared data. */
#include "engine_fixtures.h"

#include "engine/engine_internal.h"

#include <math.h>
#include <time.h>

#include "vigil/image.h"

#define OBS_MAX 4096

typedef struct obs {
    int camera;
    double pts;
    int64_t track;
    float box[4];
} obs;

typedef struct seen {
    pthread_mutex_t lock;
    obs o[OBS_MAX];
    int n;
} seen;

static void on_face(void *ctx, int cam, double pts, int64_t track, const float box[4], float q)
{
    (void)q;
    seen *s = ctx;
    pthread_mutex_lock(&s->lock);
    if (s->n < OBS_MAX)
        s->o[s->n++] = (obs){cam, pts, track, {box[0], box[1], box[2], box[3]}};
    pthread_mutex_unlock(&s->lock);
}

static float iou(const float *a, const float *b)
{
    float ix = fminf(a[2], b[2]) - fmaxf(a[0], b[0]), iy = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (ix <= 0 || iy <= 0)
        return 0;
    float in = ix * iy;
    return in / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - in);
}

static void replay(const vg_face_pack *pack, const vg_watch_gallery *g, const char *clip, double hz, seen *s,
                   alert_capture *ac, vg_engine_camera_stats *cs)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.workers = 1;
    cfg.match_enabled = 1;
    cfg.full_detect_hz = hz;
    cfg.on_face = on_face;
    cfg.on_face_ctx = s;
    vg_engine *e = NULL;
    vg_err err;
    assert_int_equal(vg_engine_start(&cfg, pack, g, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_subscribe(e, capture_alert, ac), VG_OK);
    assert_true(vg_engine_wait(e, 300));
    vg_engine_stop(e);
    vg_engine_camera_stats_get(e, 0, cs);
    vg_engine_free(e);
}

static void test_replay_both_modes(void **state)
{
    (void)state;
    char clip[1024];
    VG_SKIP_UNLESS(vg_test_data(clip, sizeof clip, "video/asl/yes.mkv"));
    vg_face_pack *pack = NULL;
    vg_err err;
    assert_int_equal(vg_face_pack_open(NULL, &pack, &err), VG_OK);
    char dir[64];
    int64_t wid = 0, sid = 0;
    vg_store *store = temp_store(dir, sizeof dir, &wid);
    assert_non_null(store);
    assert_int_equal(enrol_person_a(pack, store, wid, dir, &sid, &err), VG_OK);
    vg_watch_gallery *g = NULL;
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, vg_face_pack_model_id(pack), 0, &g, &err),
                     VG_OK);

    static seen ef, sc; /* large: not on the stack */
    ef.n = sc.n = 0;
    pthread_mutex_init(&ef.lock, NULL);
    pthread_mutex_init(&sc.lock, NULL);
    alert_capture a_ef = {.lock = PTHREAD_MUTEX_INITIALIZER}, a_sc = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_engine_camera_stats s_ef, s_sc;
    replay(pack, g, clip, -1, &ef, &a_ef, &s_ef);
    replay(pack, g, clip, 5, &sc, &a_sc, &s_sc);
    double seconds = (double)s_ef.source.frames_decoded / 30.0;
    fprintf(stderr,
            "every frame: %lld frames searched whole, %d faces, %lld tracks, %d alerts; "
            "5 Hz: %lld whole, %lld in regions, %d faces, %lld tracks, %d alerts\n",
            (long long)s_ef.full_detects, ef.n, (long long)s_ef.tracks_started, a_ef.n, (long long)s_sc.full_detects,
            (long long)s_sc.region_detects, sc.n, (long long)s_sc.tracks_started, a_sc.n);
    /* the same alert */
    assert_int_equal(a_ef.n, 1);
    assert_int_equal(a_sc.n, 1);
    assert_int_equal(a_ef.subjects[0], sid);
    assert_int_equal(a_sc.subjects[0], sid);
    /* the modes: whole frames only, and about 5 a second with regions between */
    assert_int_equal(s_ef.region_detects, 0);
    assert_int_equal(s_ef.full_detects, s_ef.source.frames_decoded);
    assert_true(s_sc.full_detects >= (int64_t)floor(seconds * 5) && s_sc.full_detects <= (int64_t)ceil(seconds * 5) + 1);
    assert_true(s_sc.region_detects > 0);
    assert_true(s_sc.full_detects + s_sc.region_detects <= s_sc.source.frames_decoded);
    /* every every-frame track of 5 faces or more is followed */
    for (int i = 0; i < ef.n; i++) {
        int64_t t = ef.o[i].track;
        int len = 0, first = 1, covered = 0;
        for (int k = 0; k < ef.n; k++)
            if (ef.o[k].track == t) {
                first &= k >= i;
                len++;
                for (int m = 0; m < sc.n; m++)
                    if (fabs(sc.o[m].pts - ef.o[k].pts) < 1e-6 && iou(sc.o[m].box, ef.o[k].box) >= 0.5f) {
                        covered++;
                        break;
                    }
            }
        if (first && len >= 5)
            assert_true(covered * 2 >= len);
    }
    vg_watch_gallery_free(g);
    vg_store_close(store);
    remove_dir(dir);
    vg_face_pack_close(pack);
}

static void test_staggered(void **state)
{
    (void)state;
    /* two cameras, 30 fps, 3 s, 5 full passes a second */
    vg_schedule s[2] = {{0, 0}, {0, 0}};
    int passes[2] = {0, 0}, both = 0, last[2] = {-100, -100};
    for (int f = 0; f < 90; f++) {
        double pts = f / 30.0;
        int due[2];
        for (int c = 0; c < 2; c++) {
            due[c] = vg_schedule_full_due(&s[c], pts, 5.0, c, 2);
            if (due[c]) {
                if (last[c] > 0) /* one interval (6 frames) apart */
                    assert_int_equal(f - last[c], 6);
                passes[c]++;
                last[c] = f;
            }
        }
        both += due[0] && due[1];
    }
    assert_int_equal(passes[0], 15);
    assert_int_equal(passes[1], 16); /* frame 0, then 0.1 s, 0.3 s, ... */
    assert_int_equal(both, 1);       /* the first frame only */
    /* time going back (a loop) gets a pass at once */
    assert_true(vg_schedule_full_due(&s[0], 0.5, 5.0, 0, 2));
    assert_false(vg_schedule_full_due(&s[0], 0.52, 5.0, 0, 2));
}

static void sleep_s(double sec)
{
    struct timespec ts = {(time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9)};
    nanosleep(&ts, NULL);
}

static void test_view_hides_tracked_faces(void **state)
{
    (void)state;
    char clip[1024];
    VG_SKIP_UNLESS(vg_test_data(clip, sizeof clip, "video/crowd-1080p.mp4"));
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
    cfg.workers = 2;
    /* one whole-frame pass a second: even a busy machine that processes
     * only a few frames a second serves frames from the region passes */
    cfg.full_detect_hz = 1;
    vg_engine *e = NULL;
    assert_int_equal(vg_engine_start(&cfg, pack, NULL, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_view_open(e, 0, &err), VG_OK);
    int frames = 0, faces_left = 0;
    int64_t seq = 0;
    sleep_s(0.5);
    for (int i = 0; i < 40 && frames < 8; i++) {
        vg_engine_view_frame vf;
        assert_int_equal(vg_engine_view_next(e, 0, seq, 2.0, &vf, &err), VG_OK);
        if (!vf.jpeg)
            continue;
        seq = vf.seq;
        vg_image *img = NULL;
        assert_int_equal(vg_image_decode_mem(vf.jpeg, vf.len, 0, &img, &err), VG_OK);
        vg_face *f = NULL;
        int n = 0;
        assert_int_equal(vg_face_detect(pack, img, &f, &n, &err), VG_OK);
        faces_left += n;
        frames++;
        free(f);
        vg_image_free(img);
        free(vf.jpeg);
    }
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(e, 0, &cs);
    vg_engine_view_close(e, 0);
    vg_engine_stop(e);
    vg_engine_free(e);
    fprintf(stderr, "%d served frames, %lld whole-frame and %lld region searches, %d faces left\n", frames,
            (long long)cs.full_detects, (long long)cs.region_detects, faces_left);
    assert_true(frames >= 3);
    assert_true(cs.region_detects > 0); /* the in-between frames were served from too */
    assert_int_equal(faces_left, 0);
    vg_face_pack_close(pack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_both_modes),
        cmocka_unit_test(test_staggered),
        cmocka_unit_test(test_view_hides_tracked_faces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
