/* test_align.c — similarity estimation and alignment: exact recovery of a
 * known transform, least squares under noise, the warp round trip, and
 * the face portrait with a margin for the console's card. */
#include "vg_test.h"

#include <math.h>
#include <string.h>

#include "vigil/face.h"

static void apply(const float m[6], vg_point p, vg_point *out)
{
    out->x = m[0] * p.x + m[1] * p.y + m[2];
    out->y = m[3] * p.x + m[4] * p.y + m[5];
}

static void test_recovers_known_similarity(void **state)
{
    (void)state;
    const vg_point *ref = vg_face_reference_points();
    for (int trial = 0; trial < 50; trial++) {
        double ang = (trial - 25) * 0.05, sc = 0.5 + trial * 0.07;
        float t[6] = {(float)(sc * cos(ang)), (float)(-sc * sin(ang)), 100.0f + (float)trial,
                      (float)(sc * sin(ang)), (float)(sc * cos(ang)), 50.0f - (float)trial};
        vg_point src[5];
        for (int i = 0; i < 5; i++)
            apply(t, ref[i], &src[i]);
        /* estimate the map from the transformed points back to the reference */
        float m[6];
        vg_face_similarity(src, ref, 5, m);
        for (int i = 0; i < 5; i++) {
            vg_point back;
            apply(m, src[i], &back);
            assert_float_equal(back.x, ref[i].x, 1e-3);
            assert_float_equal(back.y, ref[i].y, 1e-3);
        }
        /* and it is a similarity: m = [a -b; b a] */
        assert_float_equal(m[0], m[4], 1e-6);
        assert_float_equal(m[1], -m[3], 1e-6);
    }
}

static void test_least_squares_under_noise(void **state)
{
    (void)state;
    const vg_point *ref = vg_face_reference_points();
    vg_point src[5];
    const float noise[5][2] = {{0.5f, -0.3f}, {-0.4f, 0.2f}, {0.1f, 0.6f}, {-0.2f, -0.5f}, {0.3f, 0.1f}};
    for (int i = 0; i < 5; i++) {
        src[i].x = ref[i].x * 2 + 10 + noise[i][0];
        src[i].y = ref[i].y * 2 + 20 + noise[i][1];
    }
    float m[6];
    vg_face_similarity(src, ref, 5, m);
    double err_best = 0;
    for (int i = 0; i < 5; i++) {
        vg_point q;
        apply(m, src[i], &q);
        err_best += (q.x - ref[i].x) * (q.x - ref[i].x) + (q.y - ref[i].y) * (q.y - ref[i].y);
    }
    /* any perturbation of the solution is no better */
    for (int k = 0; k < 6; k++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            float p[6];
            memcpy(p, m, sizeof p);
            float d = (k == 2 || k == 5) ? 0.05f : 0.001f;
            p[k] += sgn * d;
            if (k == 0)
                p[4] += sgn * d;
            if (k == 3)
                p[1] -= sgn * d;
            double e = 0;
            for (int i = 0; i < 5; i++) {
                vg_point q;
                apply(p, src[i], &q);
                e += (q.x - ref[i].x) * (q.x - ref[i].x) + (q.y - ref[i].y) * (q.y - ref[i].y);
            }
            assert_true(e >= err_best - 1e-6);
        }
}

/* Draw dots at the points of a known face, align, and find the dots at the
 * reference positions in the 112x112 result. */
static void test_align_round_trip(void **state)
{
    (void)state;
    vg_image *img = NULL;
    assert_int_equal(vg_image_new(400, 300, &img, NULL), VG_OK);
    const vg_point *ref = vg_face_reference_points();
    float t[6] = {1.8f * cosf(0.3f), -1.8f * sinf(0.3f), 120, 1.8f * sinf(0.3f), 1.8f * cosf(0.3f), 40};
    vg_point lm[5];
    for (int i = 0; i < 5; i++) {
        apply(t, ref[i], &lm[i]);
        int cx = (int)lroundf(lm[i].x), cy = (int)lroundf(lm[i].y);
        for (int y = cy - 2; y <= cy + 2; y++)
            for (int x = cx - 2; x <= cx + 2; x++)
                memset(img->data + (size_t)y * img->stride + 3 * (size_t)x, 255, 3);
        lm[i].x = (float)cx;
        lm[i].y = (float)cy;
    }
    vg_image *al = NULL;
    vg_err err;
    assert_int_equal(vg_face_align(img, lm, &al, &err), VG_OK);
    assert_int_equal(al->width, 112);
    assert_int_equal(al->height, 112);
    for (int i = 0; i < 5; i++) {
        /* centroid of bright pixels within 6 px of the reference point */
        double sx = 0, sy = 0, w = 0;
        for (int y = (int)ref[i].y - 6; y <= (int)ref[i].y + 6; y++)
            for (int x = (int)ref[i].x - 6; x <= (int)ref[i].x + 6; x++) {
                double v = al->data[(size_t)y * al->stride + 3 * (size_t)x];
                sx += v * x;
                sy += v * y;
                w += v;
            }
        assert_true(w > 0);
        assert_float_equal(sx / w, ref[i].x, 1.0);
        assert_float_equal(sy / w, ref[i].y, 1.0);
    }
    vg_image_free(al);
    vg_image_free(img);
}

static void test_degenerate_points(void **state)
{
    (void)state;
    vg_image *img = NULL;
    assert_int_equal(vg_image_new(64, 64, &img, NULL), VG_OK);
    vg_point same[5] = {{10, 10}, {10, 10}, {10, 10}, {10, 10}, {10, 10}};
    vg_image *al = NULL;
    vg_err err;
    assert_int_equal(vg_face_align(img, same, &al, &err), VG_ERR_INVALID);
    assert_null(al);
    vg_image_free(img);
}

/* vg_face_portrait (issue 15, the card's watch-list face): each of the
 * five points lands where the reference, scaled to 5/8 of the width and
 * centred, puts it; the rest stays as the photo was; sizes out of range
 * and degenerate points are refused. */
static void test_portrait(void **state)
{
    (void)state;
    const vg_point *ref = vg_face_reference_points();
    vg_image *img = NULL, *out = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_image_new(400, 400, &img, &err), VG_OK);
    for (int y = 0; y < 400; y++)
        memset(img->data + (size_t)y * (size_t)img->stride, 0, 400 * 3);
    vg_point lm[5];
    for (int i = 0; i < 5; i++) {
        lm[i].x = ref[i].x * 2 + 100;
        lm[i].y = ref[i].y * 2 + 80;
        for (int dy = -3; dy <= 3; dy++)
            for (int dx = -3; dx <= 3; dx++)
                memset(img->data + (size_t)((int)lm[i].y + dy) * (size_t)img->stride + (size_t)((int)lm[i].x + dx) * 3,
                       255, 3);
    }
    assert_int_equal(vg_face_portrait(img, lm, 256, 320, &out, &err), VG_OK);
    assert_int_equal(out->width, 256);
    assert_int_equal(out->height, 320);
    double s = 256 * 5.0 / 8.0 / 112;
    for (int i = 0; i < 5; i++) {
        int x = (int)lround(48 + ref[i].x * s), y = (int)lround(72 + ref[i].y * s);
        const uint8_t *p = out->data + (size_t)y * (size_t)out->stride + (size_t)x * 3;
        if (p[0] < 200)
            fail_msg("point %d is not at %d,%d: %d", i, x, y, p[0]);
    }
    assert_int_equal(out->data[(size_t)10 * (size_t)out->stride + 10 * 3], 0);
    vg_image_free(out);
    out = NULL;
    assert_int_equal(vg_face_portrait(img, lm, 8, 320, &out, &err), VG_ERR_INVALID);
    assert_null(out);
    vg_point same[5];
    for (int i = 0; i < 5; i++)
        same[i] = lm[0];
    assert_int_equal(vg_face_portrait(img, same, 256, 320, &out, &err), VG_ERR_INVALID);
    assert_null(out);
    vg_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_known_similarity),
        cmocka_unit_test(test_least_squares_under_noise),
        cmocka_unit_test(test_align_round_trip),
        cmocka_unit_test(test_degenerate_points),
        cmocka_unit_test(test_portrait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
