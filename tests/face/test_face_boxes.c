/* test_face_boxes.c — vg_face_detect_boxes, the live view's more sensitive
 * look: at sensitivity 1 it covers every face vg_face_detect finds (and
 * exactly the boxes of the first pass, which vg_face_detect_frame merges); a
 * lower sensitivity finds those and more (on a frame of the London crowd);
 * bad arguments are refused. Skips without the shared data. */
#include "vg_test.h"

#include <math.h>
#include <unistd.h>

#include "vigil/face.h"

static void test_boxes(void **state)
{
    (void)state;
    char video[1024];
    VG_SKIP_UNLESS(vg_test_data(video, sizeof video, "video/crowd-1080p.mp4"));
    vg_face_pack *pack = NULL;
    vg_err err;
    vg_face_config cfg = {.min_face = 40};
    assert_int_equal(vg_face_pack_open(&cfg, &pack, &err), VG_OK);
    char tmp[] = "/tmp/vg_boxes_XXXXXX", png[64], cmd[1300];
    assert_non_null(mkdtemp(tmp));
    snprintf(png, sizeof png, "%s/f.png", tmp);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -vf 'select=eq(n\\,40)' -vframes 1 '%s'", video,
             png);
    assert_int_equal(system(cmd), 0);
    vg_image *img = NULL;
    assert_int_equal(vg_image_decode_file(png, 0, &img, &err), VG_OK);
    unlink(png);
    rmdir(tmp);

    vg_face *full = NULL, *same = NULL, *more = NULL;
    int n_full = 0, n_same = 0, n_more = 0;
    assert_int_equal(vg_face_detect(pack, img, &full, &n_full, &err), VG_OK);
    assert_int_equal(vg_face_detect_boxes(pack, img, 1.0f, 40, &same, &n_same, &err), VG_OK);
    assert_int_equal(vg_face_detect_boxes(pack, img, 0.35f, 10, &more, &n_more, &err), VG_OK);
    fprintf(stderr, "crowd frame 40: %d faces, %d boxes at sensitivity 1, %d at 0.35 from 10 px\n", n_full, n_same,
            n_more);
    assert_true(n_full >= 3);
    assert_true(n_same >= n_full);
    for (int i = 0; i < n_full; i++) { /* every face is covered at sensitivity 1 */
        float cx = (full[i].x1 + full[i].x2) / 2, cy = (full[i].y1 + full[i].y2) / 2;
        int hit = 0;
        for (int k = 0; k < n_same && !hit; k++)
            hit = cx >= same[k].x1 && cx <= same[k].x2 && cy >= same[k].y1 && cy <= same[k].y2;
        assert_true(hit);
    }
    /* the first pass's boxes are the live view's, merged */
    vg_face *first = NULL;
    int n_first = 0;
    assert_int_equal(vg_face_detect_frame(pack, img, 0, &first, &n_first, &err), VG_OK);
    assert_true(n_first >= n_full && n_first <= n_same);
    for (int i = 0; i < n_first; i++) {
        int same_box = 0;
        for (int k = 0; k < n_same && !same_box; k++)
            same_box = fabsf(same[k].x1 - first[i].x1) < 0.01f && fabsf(same[k].y2 - first[i].y2) < 0.01f &&
                       fabsf(same[k].score - first[i].score) < 1e-6f;
        assert_true(same_box);
    }
    free(first);
    assert_true(n_more > n_full);
    for (int i = 0; i < n_full; i++) { /* every face is still there */
        float cx = (full[i].x1 + full[i].x2) / 2, cy = (full[i].y1 + full[i].y2) / 2;
        int hit = 0;
        for (int k = 0; k < n_more && !hit; k++)
            hit = cx >= more[k].x1 && cx <= more[k].x2 && cy >= more[k].y1 && cy <= more[k].y2;
        assert_true(hit);
    }
    free(full);
    free(same);
    free(more);

    vg_face *f = NULL;
    int n = 0;
    assert_int_equal(vg_face_detect_boxes(pack, img, 0.0f, 10, &f, &n, &err), VG_ERR_INVALID);
    assert_int_equal(vg_face_detect_boxes(pack, img, 1.5f, 10, &f, &n, &err), VG_ERR_INVALID);
    assert_int_equal(vg_face_detect_boxes(pack, img, 0.5f, 0, &f, &n, &err), VG_ERR_INVALID);
    assert_int_equal(vg_face_detect_boxes(pack, NULL, 0.5f, 10, &f, &n, &err), VG_ERR_INVALID);
    assert_null(f);
    assert_int_equal(n, 0);
    vg_image_free(img);
    vg_face_pack_close(pack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_boxes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
