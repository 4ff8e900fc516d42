/* test_engine_track_decision.c — the decision per track in the real engine
 * (camera_step.c): person_A enrolled from frame 30 of asl/again.mkv, her
 * clip asl/yes.mkv replayed under each decision (frame, aggregate, max) and
 * with flip augmentation, with the cooldown made negligible so that only
 * the once-per-(track, subject) rule stands between a track and repeated
 * alerts:
 *   - she is alerted under every decision;
 *   - no (track, subject) pair alerts twice, though an aggregate decision
 *     searches again at each embedding;
 *   - the aggregate decisions embed at least as often as the frame one (a
 *     shot that would be among the track's best is embedded);
 *   - every track ends and is freed (ASan: the kept embeddings too).
 * Skips without the ASL clips. */
#include "engine_fixtures.h"

typedef struct pairs {
    pthread_mutex_t lock;
    int n;
    int64_t track[64], subject[64], template_id[64];
} pairs;

static void on_alert(void *ctx, const vg_engine_alert *a)
{
    pairs *p = ctx;
    pthread_mutex_lock(&p->lock);
    if (p->n < 64) {
        p->track[p->n] = a->track_id;
        p->subject[p->n] = a->alert.subject_id;
        p->template_id[p->n] = a->alert.template_id;
    }
    p->n++;
    pthread_mutex_unlock(&p->lock);
}

static void run(const vg_face_pack *pack, const vg_watch_gallery *g, vg_engine_decision d, int flip,
                const char *clip, int64_t sid, int64_t *embeddings)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "yes");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.match_enabled = 1;
    cfg.workers = 1;
    cfg.decision = d;
    cfg.embed_flip = flip;
    cfg.alert_cooldown = 0.001;
    pairs p = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_engine *e = NULL;
    vg_err err;
    assert_int_equal(vg_engine_start(&cfg, pack, g, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_subscribe(e, on_alert, &p), VG_OK);
    assert_true(vg_engine_wait(e, 300));
    vg_engine_stop(e);
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(e, 0, &cs);
    vg_engine_free(e);
    fprintf(stderr, "decision %s, flip %d: %lld frames, %lld tracks, %lld embeddings, %lld searches, %d alerts\n",
            vg_engine_decision_name(d), flip, (long long)cs.frames_processed, (long long)cs.tracks_started,
            (long long)cs.embeddings, (long long)cs.comparisons, p.n);
    assert_true(p.n >= 1);
    assert_true(p.n <= 64);
    for (int i = 0; i < p.n; i++) {
        assert_int_equal(p.subject[i], sid);
        assert_true(p.template_id[i] > 0); /* the template matched, for its quality mark */
        for (int j = 0; j < i; j++)
            assert_false(p.track[i] == p.track[j] && p.subject[i] == p.subject[j]);
    }
    assert_int_equal(cs.tracks_ended, cs.tracks_started);
    assert_int_equal(cs.tracks_active, 0);
    *embeddings = cs.embeddings;
}

static void test_decisions(void **state)
{
    (void)state;
    char clip[1024];
    VG_SKIP_UNLESS(vg_test_data(clip, sizeof clip, "video/asl/yes.mkv"));
    char dir[64];
    int64_t wid, sid = 0;
    vg_store *store = temp_store(dir, sizeof dir, &wid);
    assert_non_null(store);
    vg_face_config fc = {0};
    vg_face_pack *pack = NULL;
    vg_err err;
    assert_int_equal(vg_face_pack_open(&fc, &pack, &err), VG_OK);
    assert_int_equal(enrol_person_a(pack, store, wid, dir, &sid, &err), VG_OK);
    vg_watch_gallery *g = NULL;
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, vg_face_pack_model_id(pack), 0, &g, &err), VG_OK);
    int64_t frame = 0, aggregate = 0, max = 0, flipped = 0;
    run(pack, g, VG_ENGINE_DECIDE_FRAME, 0, clip, sid, &frame);
    run(pack, g, VG_ENGINE_DECIDE_AGGREGATE, 0, clip, sid, &aggregate);
    run(pack, g, VG_ENGINE_DECIDE_MAX, 0, clip, sid, &max);
    run(pack, g, VG_ENGINE_DECIDE_DEFAULT, 1, clip, sid, &flipped);
    assert_true(aggregate >= frame);
    assert_int_equal(max, aggregate); /* the same shots; only the search differs */
    vg_watch_gallery_free(g);
    vg_face_pack_close(pack);
    vg_store_close(store);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
