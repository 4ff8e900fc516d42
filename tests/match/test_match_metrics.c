/* test_match_metrics.c — verification metrics against values worked out by
 * hand: best threshold, k-fold accuracy, ROC AUC with ties, TAR at FAR. */
#include "vg_test.h"

#include "match/metrics.h"

static void test_best_threshold_and_accuracy(void **state)
{
    (void)state;
    /* genuine 0.9 0.8 0.6, impostor 0.7 0.2 0.1: accepting from 0.4 (between
     * 0.2 and 0.6) and from 0.75 (between 0.7 and 0.8) both get 5 of 6 right;
     * the tie goes to the smaller threshold */
    vg_pair_score p[6] = {{0.9f, 1, 0}, {0.8f, 1, 0}, {0.6f, 1, 0},
                          {0.7f, 0, 0}, {0.2f, 0, 0}, {0.1f, 0, 0}};
    double t = vg_metrics_best_threshold(p, 6, -1);
    assert_float_equal(t, 0.4, 1e-6);
    assert_float_equal(vg_metrics_accuracy(p, 6, t, -1), 5.0 / 6, 1e-9);
    assert_float_equal(vg_metrics_accuracy(p, 6, 0.75, -1), 5.0 / 6, 1e-9);
    assert_float_equal(vg_metrics_accuracy(p, 6, 0.0, -1), 0.5, 1e-9);
    /* perfectly separable: every pair right */
    p[3].score = 0.3f;
    t = vg_metrics_best_threshold(p, 6, -1);
    assert_true(t > 0.3 && t <= 0.6);
    assert_float_equal(vg_metrics_accuracy(p, 6, t, -1), 1.0, 1e-9);
    /* skipping a fold leaves its pairs out */
    vg_pair_score q[4] = {{0.9f, 1, 0}, {0.1f, 0, 0}, {0.05f, 1, 1}, {0.95f, 0, 1}};
    t = vg_metrics_best_threshold(q, 4, 1);
    assert_true(t > 0.1 && t <= 0.9);
    assert_float_equal(vg_metrics_accuracy(q, 4, t, 1), 0.0, 1e-9);
}

static void test_kfold(void **state)
{
    (void)state;
    /* 3 folds, separable everywhere except one impostor of fold 2 */
    vg_pair_score p[12];
    for (int f = 0; f < 3; f++) {
        p[4 * f + 0] = (vg_pair_score){0.8f, 1, f};
        p[4 * f + 1] = (vg_pair_score){0.7f, 1, f};
        p[4 * f + 2] = (vg_pair_score){0.2f, 0, f};
        p[4 * f + 3] = (vg_pair_score){0.1f, 0, f};
    }
    p[11].score = 0.9f;
    vg_kfold_result r;
    assert_int_equal(vg_metrics_kfold(p, 12, 3, &r), 0);
    assert_float_equal(r.accuracy[0], 1.0, 1e-9);
    assert_float_equal(r.accuracy[1], 1.0, 1e-9);
    assert_float_equal(r.accuracy[2], 0.75, 1e-9);
    assert_float_equal(r.mean, 2.75 / 3, 1e-9);
    assert_true(r.std > 0.1 && r.std < 0.13); /* population std of {1, 1, .75} = 0.1179 */
    assert_int_equal(vg_metrics_kfold(p, 12, 1, &r), -1);
    assert_int_equal(vg_metrics_kfold(p, 12, 4, &r), -1); /* fold 3 is empty */
}

static void test_auc(void **state)
{
    (void)state;
    vg_pair_score sep[4] = {{0.9f, 1, 0}, {0.8f, 1, 0}, {0.2f, 0, 0}, {0.1f, 0, 0}};
    assert_float_equal(vg_metrics_auc(sep, 4), 1.0, 1e-12);
    vg_pair_score inv[4] = {{0.1f, 1, 0}, {0.2f, 1, 0}, {0.8f, 0, 0}, {0.9f, 0, 0}};
    assert_float_equal(vg_metrics_auc(inv, 4), 0.0, 1e-12);
    /* genuine {0.5, 0.9}, impostor {0.5, 0.1}: pairs (g>i)=3, tie=1 -> 3.5/4 */
    vg_pair_score tie[4] = {{0.5f, 1, 0}, {0.9f, 1, 0}, {0.5f, 0, 0}, {0.1f, 0, 0}};
    assert_float_equal(vg_metrics_auc(tie, 4), 3.5 / 4, 1e-12);
}

static void test_tar_at_far(void **state)
{
    (void)state;
    /* 10 impostors 0.0..0.9, genuine 0.85 0.95 0.5 0.99; FAR 0.1 allows one
     * impostor above the threshold -> t = 0.8: genuine above: 3 of 4 */
    vg_pair_score p[14];
    for (int i = 0; i < 10; i++)
        p[i] = (vg_pair_score){(float)i / 10, 0, 0};
    p[10] = (vg_pair_score){0.85f, 1, 0};
    p[11] = (vg_pair_score){0.95f, 1, 0};
    p[12] = (vg_pair_score){0.5f, 1, 0};
    p[13] = (vg_pair_score){0.99f, 1, 0};
    double t = 0;
    assert_float_equal(vg_metrics_tar_at_far(p, 14, 0.1, &t), 0.75, 1e-9);
    assert_float_equal(t, 0.8, 1e-6);
    /* FAR 0: only what is above the top impostor (0.95, 0.99) */
    assert_float_equal(vg_metrics_tar_at_far(p, 14, 0.0, &t), 0.5, 1e-9);
    assert_float_equal(t, 0.9, 1e-6);
    /* FAR 1: everything accepted */
    assert_float_equal(vg_metrics_tar_at_far(p, 14, 1.0, &t), 1.0, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_threshold_and_accuracy),
        cmocka_unit_test(test_kfold),
        cmocka_unit_test(test_auc),
        cmocka_unit_test(test_tar_at_far),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
