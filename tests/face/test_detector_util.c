/* test_detector_util.c — what detector backends share: NMS keeps the best of
 * overlapping boxes by score (not by position), the image-to-tensor step,
 * and the 68-to-5 landmark reduction. */
#include "vg_test.h"

#include "face/detector.h"
#include "face/landmark.h"

static vg_face box(float x1, float y1, float x2, float y2, float score)
{
    vg_face f;
    memset(&f, 0, sizeof f);
    f.x1 = x1;
    f.y1 = y1;
    f.x2 = x2;
    f.y2 = y2;
    f.score = score;
    return f;
}

static void test_nms_by_score(void **state)
{
    (void)state;
    /* the lower box scores higher: it must win (a sort by box bottom would
     * keep the other) */
    vg_face f[5] = {
        box(10, 10, 60, 60, 0.80f), box(12, 14, 62, 64, 0.95f), /* overlap: keep 0.95 */
        box(200, 10, 250, 60, 0.90f),                          /* alone */
        box(100, 100, 150, 150, 0.70f), box(130, 130, 180, 180, 0.75f), /* IoU ~0.09: both */
    };
    int n = vg_detector_nms(f, 5, 0.4f, 64);
    assert_int_equal(n, 4);
    assert_float_equal(f[0].score, 0.95f, 1e-6);
    assert_float_equal(f[1].score, 0.90f, 1e-6);
    assert_float_equal(f[2].score, 0.75f, 1e-6);
    assert_float_equal(f[3].score, 0.70f, 1e-6);
    /* max_out caps */
    vg_face g[3] = {box(0, 0, 10, 10, 0.5f), box(20, 0, 30, 10, 0.6f), box(40, 0, 50, 10, 0.7f)};
    assert_int_equal(vg_detector_nms(g, 3, 0.4f, 2), 2);
    assert_float_equal(g[0].score, 0.7f, 1e-6);
}

static void test_tensor_packing(void **state)
{
    (void)state;
    vg_image *img = NULL;
    assert_int_equal(vg_image_new(3, 2, &img, NULL), VG_OK);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++) {
            uint8_t *p = img->data + (size_t)y * img->stride + 3 * (size_t)x;
            p[0] = (uint8_t)(10 * x + y);      /* R */
            p[1] = (uint8_t)(100 + x);         /* G */
            p[2] = (uint8_t)(200 + y);         /* B */
        }
    float out[3 * 3 * 4];
    vg_err err;
    assert_int_equal(vg_detector_image_to_tensor(img, 3, 2, 4, 3, 127.0f, 1.0f / 128.0f, -9.0f, 0, out, &err),
                     VG_OK);
    /* planar RGB, normalised, padded right and below (swscale's float path
     * goes through its internal fixed-point form: within 1.1 grey levels,
     * measured over all 256 values of each channel) */
    assert_float_equal(out[0 * 12 + 0 * 4 + 1], (10.0f - 127) / 128, 1.1f / 128);
    assert_float_equal(out[1 * 12 + 1 * 4 + 2], (102.0f - 127) / 128, 1.1f / 128);
    assert_float_equal(out[2 * 12 + 1 * 4 + 0], (201.0f - 127) / 128, 1.1f / 128);
    assert_float_equal(out[0 * 12 + 0 * 4 + 3], -9.0f, 0);
    assert_float_equal(out[1 * 12 + 2 * 4 + 0], -9.0f, 0);
    /* BGR order, raw values */
    assert_int_equal(vg_detector_image_to_tensor(img, 3, 2, 3, 2, 0.0f, 1.0f, 0.0f, 1, out, &err), VG_OK);
    assert_float_equal(out[0], 200.0f, 1.1);
    assert_float_equal(out[2 * 6 + 1], 10.0f, 1.1);
    /* shrinking averages: a 6x4 image of 2x2 blocks halves to the block values */
    vg_image *big = NULL;
    assert_int_equal(vg_image_new(6, 4, &big, NULL), VG_OK);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 6; x++)
            memset(big->data + (size_t)y * big->stride + 3 * (size_t)x, 40 * (x / 2) + 100 * (y / 2), 3);
    assert_int_equal(vg_detector_image_to_tensor(big, 3, 2, 3, 2, 0.0f, 1.0f, 0.0f, 0, out, &err), VG_OK);
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            assert_float_equal(out[y * 3 + x], 40.0f * x + 100.0f * y, 1.0);
    /* a tensor too small for the image is refused */
    assert_int_equal(vg_detector_image_to_tensor(img, 3, 2, 2, 2, 0.0f, 1.0f, 0.0f, 0, out, &err),
                     VG_ERR_INTERNAL);
    vg_image_free(big);
    vg_image_free(img);
}

static void test_68_to_5(void **state)
{
    (void)state;
    vg_point p[68];
    for (int i = 0; i < 68; i++) {
        p[i].x = (float)i;
        p[i].y = (float)(2 * i);
    }
    vg_point lm[5];
    vg_landmark_68_to_5(p, lm);
    assert_float_equal(lm[VG_LM_EYE_L].x, (37 + 38 + 40 + 41) / 4.0f, 1e-5);
    assert_float_equal(lm[VG_LM_EYE_R].x, (43 + 44 + 46 + 47) / 4.0f, 1e-5);
    assert_float_equal(lm[VG_LM_NOSE].x, 30.0f, 1e-6);
    assert_float_equal(lm[VG_LM_NOSE].y, 60.0f, 1e-6);
    assert_float_equal(lm[VG_LM_MOUTH_L].x, (48 + 60) / 2.0f, 1e-5);
    assert_float_equal(lm[VG_LM_MOUTH_R].y, (54 + 64) * 1.0f, 1e-5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nms_by_score),
        cmocka_unit_test(test_tensor_packing),
        cmocka_unit_test(test_68_to_5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
