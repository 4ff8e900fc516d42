/* test_match_curve.c — ROC/DET points and the equal-error rate against
 * values worked out by hand: one point per distinct score, ties, positives
 * that never succeed (a search whose mate is not at rank 1), negatives with
 * no candidate (-inf), and empty sides. */
#include "vg_test.h"

#include <math.h>

#include "match/curve.h"

static void test_points_and_eer(void **state)
{
    (void)state;
    const float pos[] = {0.9f, 0.8f, 0.7f, 0.4f}, neg[] = {0.1f, 0.2f, 0.3f, 0.6f};
    double fpr[16], fnr[16], thr[16];
    size_t n = vg_curve_points(pos, 4, 0, neg, 4, fpr, fnr, thr);
    static const double want_fpr[] = {1, 0.75, 0.5, 0.25, 0.25, 0, 0, 0, 0};
    static const double want_fnr[] = {0, 0, 0, 0, 0.25, 0.25, 0.5, 0.75, 1};
    assert_int_equal(n, 9);
    for (size_t i = 0; i < n; i++) {
        assert_float_equal(fpr[i], want_fpr[i], 1e-12);
        assert_float_equal(fnr[i], want_fnr[i], 1e-12);
    }
    assert_true(isinf(thr[0]) && thr[0] < 0);
    assert_float_equal(thr[4], 0.4f, 1e-9);
    double t = 0;
    assert_float_equal(vg_curve_eer(pos, 4, 0, neg, 4, &t), 0.25, 1e-12);
    assert_float_equal(t, 0.4f, 1e-9);

    /* one positive that never succeeds, a tie, a negative with no candidate */
    const float pos2[] = {0.5f, 0.5f}, neg2[] = {-INFINITY, 0.5f, 0.2f};
    n = vg_curve_points(pos2, 2, 1, neg2, 3, fpr, fnr, thr);
    assert_int_equal(n, 3);
    assert_float_equal(fpr[0], 2.0 / 3, 1e-12); /* -inf never alarms */
    assert_float_equal(fnr[0], 1.0 / 3, 1e-12);
    assert_float_equal(fpr[1], 1.0 / 3, 1e-12); /* t = 0.2 */
    assert_float_equal(fpr[2], 0, 1e-12);       /* t = 0.5: the tie falls together */
    assert_float_equal(fnr[2], 1, 1e-12);
    assert_float_equal(vg_curve_eer(pos2, 2, 1, neg2, 3, NULL), 1.0 / 3, 1e-12);

    assert_int_equal(vg_curve_points(pos, 0, 0, neg, 4, fpr, fnr, NULL), 0);
    assert_int_equal(vg_curve_points(pos, 4, 0, neg, 0, fpr, fnr, NULL), 0);
    assert_true(isnan(vg_curve_eer(pos, 4, 0, neg, 0, NULL)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_and_eer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
