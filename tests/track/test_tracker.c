/* test_tracker.c — the tracker keeps one identity per moving face, across
 * crossings and short occlusions, ends tracks that are gone, and flags
 * better shots. */
#include "vg_test.h"

#include "vigil/track.h"

static vg_track_det box_at(float cx, float cy, float size, float q)
{
    return (vg_track_det){cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2, q};
}

static void test_one_face_walking(void **state)
{
    (void)state;
    vg_tracker *t = NULL;
    assert_int_equal(vg_tracker_new(NULL, &t, NULL), VG_OK);
    int64_t id = 0, ended[4];
    int ne;
    for (int f = 0; f < 60; f++) {
        /* walking towards the camera: moving down-right and growing */
        vg_track_det d = box_at(100 + 12.0f * f, 300 + 2.0f * f, 60 + 0.8f * f, 0.5f);
        vg_track_assign a;
        assert_int_equal(vg_tracker_step(t, &d, 1, &a, ended, 4, &ne, NULL), VG_OK);
        if (f == 0) {
            assert_true(a.is_new);
            id = a.track_id;
        } else {
            assert_false(a.is_new);
            assert_int_equal(a.track_id, id);
        }
        assert_int_equal(ne, 0);
    }
    assert_int_equal(vg_tracker_started(t), 1);
    assert_int_equal(vg_tracker_flush(t, ended, 4), 1);
    assert_int_equal(ended[0], id);
    assert_int_equal(vg_tracker_active(t), 0);
    vg_tracker_free(t);
}

/* Two faces walking towards each other, overlapping as they pass: the
 * motion model keeps each on its own track. */
static void test_crossing(void **state)
{
    (void)state;
    vg_tracker *t = NULL;
    assert_int_equal(vg_tracker_new(NULL, &t, NULL), VG_OK);
    int64_t left = 0, right = 0, ended[4];
    int ne;
    for (int f = 0; f < 40; f++) {
        vg_track_det d[2] = {box_at(200 + 15.0f * f, 400, 80, 0.5f), box_at(800 - 15.0f * f, 420, 80, 0.5f)};
        vg_track_assign a[2];
        assert_int_equal(vg_tracker_step(t, d, 2, a, ended, 4, &ne, NULL), VG_OK);
        if (f == 0) {
            left = a[0].track_id;
            right = a[1].track_id;
            assert_true(left != right);
        } else {
            assert_int_equal(a[0].track_id, left);
            assert_int_equal(a[1].track_id, right);
        }
    }
    assert_int_equal(vg_tracker_started(t), 2);
    vg_tracker_free(t);
}

static void test_occlusion(void **state)
{
    (void)state;
    vg_track_params p = {.max_missed = 8};
    vg_tracker *t = NULL;
    assert_int_equal(vg_tracker_new(&p, &t, NULL), VG_OK);
    int64_t first = 0, ended[4];
    int ne, f;
    vg_track_assign a;
    for (f = 0; f < 10; f++) {
        vg_track_det d = box_at(100 + 10.0f * f, 200, 70, 0.5f);
        assert_int_equal(vg_tracker_step(t, &d, 1, &a, ended, 4, &ne, NULL), VG_OK);
        first = f == 0 ? a.track_id : first;
    }
    /* hidden behind a pillar for 6 steps, still walking */
    for (; f < 16; f++) {
        assert_int_equal(vg_tracker_step(t, NULL, 0, NULL, ended, 4, &ne, NULL), VG_OK);
        assert_int_equal(ne, 0);
    }
    vg_track_det d = box_at(100 + 10.0f * f, 200, 70, 0.5f);
    assert_int_equal(vg_tracker_step(t, &d, 1, &a, ended, 4, &ne, NULL), VG_OK);
    assert_int_equal(a.track_id, first);
    assert_false(a.is_new);
    /* gone for good: ends after max_missed + 1 empty steps, reported once */
    int total = 0;
    for (int k = 0; k < 12; k++) {
        assert_int_equal(vg_tracker_step(t, NULL, 0, NULL, ended, 4, &ne, NULL), VG_OK);
        if (ne) {
            assert_int_equal(ne, 1);
            assert_int_equal(ended[0], first);
            assert_int_equal(k, 8);
        }
        total += ne;
    }
    assert_int_equal(total, 1);
    assert_int_equal(vg_tracker_active(t), 0);
    vg_tracker_free(t);
}

static void test_better_shots(void **state)
{
    (void)state;
    vg_tracker *t = NULL;
    assert_int_equal(vg_tracker_new(NULL, &t, NULL), VG_OK);
    const float q[] = {0.30f, 0.32f, 0.40f, 0.38f, 0.39f, 0.50f, 0.52f, 0.56f};
    const int better[] = {1, 0, 1, 0, 0, 1, 0, 1};
    int64_t ended[4];
    int ne;
    for (int f = 0; f < 8; f++) {
        vg_track_det d = box_at(300 + 5.0f * f, 300, 90, q[f]);
        vg_track_assign a;
        assert_int_equal(vg_tracker_step(t, &d, 1, &a, ended, 4, &ne, NULL), VG_OK);
        assert_int_equal(a.better_shot, better[f]);
    }
    vg_tracker_free(t);
}

static void test_capacity_and_bad_input(void **state)
{
    (void)state;
    vg_track_params p = {.max_tracks = 3};
    vg_tracker *t = NULL;
    assert_int_equal(vg_tracker_new(&p, &t, NULL), VG_OK);
    vg_track_det d[5];
    vg_track_assign a[5];
    for (int i = 0; i < 5; i++)
        d[i] = box_at(100.0f + 200.0f * (float)i, 100, 50, 0.5f);
    int64_t ended[8];
    int ne;
    assert_int_equal(vg_tracker_step(t, d, 5, a, ended, 8, &ne, NULL), VG_OK);
    assert_int_equal(vg_tracker_active(t), 3);
    assert_int_equal(ne, 2);
    vg_err err;
    assert_int_equal(vg_tracker_step(t, NULL, 2, a, ended, 8, &ne, &err), VG_ERR_INVALID);
    assert_int_equal(vg_tracker_active(t), 3);
    vg_tracker_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_face_walking), cmocka_unit_test(test_crossing),
        cmocka_unit_test(test_occlusion),        cmocka_unit_test(test_better_shots),
        cmocka_unit_test(test_capacity_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
