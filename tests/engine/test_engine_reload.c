/* test_engine_reload.c — swapping the engine's watch list while it runs
 * (vg_engine_gallery_set): the test swaps in a fresh copy of person_A's
 * list (enrolled from a frame of asl/again.mkv), now and then no list, for
 * 8 s while two workers search the faces of a crowd clip and of asl/yes.mkv
 * (person_A), both looped; under ASan a search
 * that used a freed gallery would stop the test. The last swap leaves
 * person_A's list in place, and the alert comes. Skips without the data. */
#include "engine_fixtures.h"

#include <time.h>

static vg_face_pack *pack;
static vg_store *store;
static int64_t wid;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    char clip[1024];
    if (!vg_test_data(clip, sizeof clip, "video/asl/again.mkv"))
        return 0;
    vg_err err;
    vg_face_config fc = {.min_face = 20};
    if (vg_face_pack_open(&fc, &pack, &err) || !(store = temp_store(dir, sizeof dir, &wid)))
        return -1;
    int64_t sid;
    if (enrol_person_a(pack, store, wid, dir, &sid, &err)) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vg_store_close(store);
    vg_face_pack_close(pack);
    if (dir[0])
        remove_dir(dir);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_swap_while_searching(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(pack);
    char clip[1024], crowd[1024];
    VG_SKIP_UNLESS(vg_test_data(crowd, sizeof crowd, "video/crowd-1080p.mp4"));
    vg_test_data(clip, sizeof clip, "video/asl/yes.mkv");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 2; /* person_A, and a crowd for many searches */
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "yes");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    snprintf(cfg.cameras[1].name, sizeof cfg.cameras[1].name, "crowd");
    snprintf(cfg.cameras[1].url, sizeof cfg.cameras[1].url, "%s", crowd);
    cfg.mode = VG_SOURCE_ALL;
    cfg.loop = 1;
    cfg.workers = 2;
    cfg.match_enabled = 1;
    cfg.embed_interval = 0.001; /* search as often as the faces allow */
    cfg.max_embeds_per_track = 100000;
    alert_capture ac = {.lock = PTHREAD_MUTEX_INITIALIZER};
    log_capture lc = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cfg.log = capture_line;
    cfg.log_ctx = &lc;
    vg_engine *e = NULL;
    vg_err err;
    assert_int_equal(vg_engine_start(&cfg, pack, NULL, NULL, "test", &e, &err), VG_OK);
    assert_int_equal(vg_engine_subscribe(e, capture_alert, &ac), VG_OK);
    /* swap for 8 s: a fresh copy of the list each time (the swap frees the
     * old one), now and then no list at all; the last holds person_A */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int swaps = 0;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        int last = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 > 8.0;
        vg_watch_gallery *g = NULL;
        if (last || swaps % 10 != 5)
            assert_int_equal(
                vg_watch_gallery_load(store, "test", "reload test", wid, vg_face_pack_model_id(pack), 0, &g, &err), VG_OK);
        vg_engine_gallery_set(e, g); /* the engine owns g now; NULL: no list */
        swaps++;
        if (last)
            break;
        sleep_ms(2);
    }
    /* the last list holds person_A: an alert comes */
    for (int i = 0; i < 600; i++) {
        pthread_mutex_lock(&ac.lock);
        int n = ac.n;
        pthread_mutex_unlock(&ac.lock);
        if (n > 0)
            break;
        sleep_ms(50);
    }
    vg_engine_stop(e);
    vg_counters c;
    vg_engine_counters(e, &c);
    vg_engine_free(e);
    int reloads = 0;
    for (int i = 0; i < lc.n; i++)
        reloads += strstr(lc.lines[i], "event=gallery_reloaded") != NULL;
    fprintf(stderr, "%d swaps, %lld comparisons, %d alerts\n", reloads, (long long)c.comparisons, ac.n);
    assert_int_equal(reloads, swaps);
    assert_true(c.comparisons > 0);
    assert_true(ac.n >= 1);
    capture_free(&lc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap_while_searching),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
