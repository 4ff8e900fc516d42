/* test_match_openset.c — watch-list (open-set) metrics against values worked
 * out by hand: the threshold at a target FPIR (including ties, searches with
 * no candidate and the 1/6000 point), FNIR with the FRVT miss rule (mate not
 * at rank 1, or at rank 1 but not above the threshold), and rank-k rates. */
#include "vg_test.h"

#include <math.h>

#include "match/openset.h"

#define NF (-INFINITY)

/* 10 non-mated searches (one without a face) and 6 mated:
 *   hits when above t: 0.95, 0.6, 0.45 (mate at rank 1);
 *   never hits: 0.7 with the mate at rank 2, no face, mate not returned. */
static const vg_openset_search S[] = {
    {0.9f, 0, 0}, {0.5f, 0, 0}, {0.4f, 0, 0}, {0.3f, 0, 0},  {0.2f, 0, 0},
    {0.1f, 0, 0}, {0.05f, 0, 0}, {0.0f, 0, 0}, {-0.1f, 0, 0}, {NF, 0, 0},
    {0.95f, 1, 1}, {0.6f, 1, 1}, {0.45f, 1, 1}, {0.7f, 2, 1}, {NF, 0, 1}, {0.3f, 0, 1},
};
#define NS (sizeof S / sizeof S[0])

static void test_counts_and_rates(void **state)
{
    (void)state;
    assert_int_equal(vg_openset_count(S, NS, 1), 6);
    assert_int_equal(vg_openset_count(S, NS, 0), 10);
    assert_float_equal(vg_openset_rank_rate(S, NS, 1), 3.0 / 6, 1e-12);
    assert_float_equal(vg_openset_rank_rate(S, NS, 2), 4.0 / 6, 1e-12);
    assert_float_equal(vg_openset_rank_rate(S, NS, 5), 4.0 / 6, 1e-12);
    /* at 0.5: non-mated above: 0.9 only; mated hits 0.95, 0.6 */
    assert_float_equal(vg_openset_fpir(S, NS, 0.5), 0.1, 1e-12);
    assert_float_equal(vg_openset_fnir(S, NS, 0.5), 4.0 / 6, 1e-12);
    /* a score equal to the threshold is not above it */
    assert_float_equal(vg_openset_fpir(S, NS, 0.9f), 0.0, 1e-12);
    assert_float_equal(vg_openset_fnir(S, NS, 0.6f), 5.0 / 6, 1e-12);
    /* no threshold: every non-mated search with a face alarms; the mate at
     * rank 1 is all that counts */
    assert_float_equal(vg_openset_fpir(S, NS, -INFINITY), 0.9, 1e-12);
    assert_float_equal(vg_openset_fnir(S, NS, -INFINITY), 0.5, 1e-12);
}

static void test_threshold_at_fpir(void **state)
{
    (void)state;
    /* a = floor(fpir * 10) alarms allowed -> the (a+1)-th highest score */
    assert_float_equal(vg_openset_threshold_at_fpir(S, NS, 0.0), 0.9f, 1e-9);
    assert_float_equal(vg_openset_threshold_at_fpir(S, NS, 0.1), 0.5f, 1e-9);
    assert_float_equal(vg_openset_threshold_at_fpir(S, NS, 0.15), 0.5f, 1e-9);
    assert_float_equal(vg_openset_threshold_at_fpir(S, NS, 0.25), 0.4f, 1e-9);
    /* 9 allowed: the 10th highest is the search without a face */
    assert_true(isinf(vg_openset_threshold_at_fpir(S, NS, 0.95)));
    assert_true(isinf(vg_openset_threshold_at_fpir(S, NS, 1.0)));

    vg_openset_point p;
    assert_int_equal(vg_openset_at_fpir(S, NS, 0.1, &p), 0);
    assert_float_equal(p.threshold, 0.5f, 1e-9);
    assert_int_equal(p.nonmated_alarms, 1);
    assert_int_equal(p.mated_misses, 4);
    assert_int_equal(p.mated, 6);
    assert_int_equal(p.nonmated, 10);
    assert_float_equal(p.fpir, 0.1, 1e-12);
    assert_float_equal(p.fnir, 4.0 / 6, 1e-12);

    assert_int_equal(vg_openset_at_fpir(S, NS, 0.25, &p), 0);
    assert_float_equal(p.threshold, 0.4f, 1e-9);
    assert_int_equal(p.nonmated_alarms, 2);
    assert_int_equal(p.mated_misses, 3); /* 0.45 now hits */

    assert_int_equal(vg_openset_at_fpir(S, NS, 0.0, &p), 0);
    assert_int_equal(p.nonmated_alarms, 0);
    assert_int_equal(p.mated_misses, 5); /* only 0.95 is above 0.9 */

    /* everything may alarm: the one without a face still does not */
    assert_int_equal(vg_openset_at_fpir(S, NS, 1.0, &p), 0);
    assert_int_equal(p.nonmated_alarms, 9);
    assert_float_equal(p.fpir, 0.9, 1e-12);
    assert_int_equal(p.mated_misses, 3);
}

static void test_ties(void **state)
{
    (void)state;
    /* three non-mated tie at 0.5: one alarm allowed, t = 0.5, none above */
    vg_openset_search s[] = {{0.5f, 0, 0}, {0.5f, 0, 0}, {0.5f, 0, 0}, {0.1f, 0, 0},
                             {0.5f, 1, 1}, {0.51f, 1, 1}};
    vg_openset_point p;
    assert_int_equal(vg_openset_at_fpir(s, 6, 0.25, &p), 0);
    assert_float_equal(p.threshold, 0.5f, 1e-9);
    assert_int_equal(p.nonmated_alarms, 0);
    assert_int_equal(p.mated_misses, 1); /* the mate at exactly 0.5 is a miss */
    assert_float_equal(p.fnir, 0.5, 1e-12);
}

static void test_one_in_6000(void **state)
{
    (void)state;
    /* 6000 non-mated scores 0, 1/6000, ..., 5999/6000: FPIR 1/6000 allows
     * exactly one alarm (not zero, despite 1/6000 * 6000 in floating point),
     * so the threshold is the second highest score */
    enum { N = 6000 };
    vg_openset_search *s = calloc(N + 2, sizeof *s);
    assert_non_null(s);
    for (int i = 0; i < N; i++)
        s[i] = (vg_openset_search){(float)i / N, 0, 0};
    s[N] = (vg_openset_search){0.99999f, 1, 1};
    s[N + 1] = (vg_openset_search){0.9996f, 1, 1}; /* below 5998/6000 = 0.99967 */
    vg_openset_point p;
    assert_int_equal(vg_openset_at_fpir(s, N + 2, 1.0 / 6000, &p), 0);
    assert_float_equal(p.threshold, (float)5998 / N, 1e-9);
    assert_int_equal(p.nonmated_alarms, 1);
    assert_int_equal(p.mated_misses, 1);
    /* 1 % of 6000 = 60 alarms allowed */
    assert_int_equal(vg_openset_at_fpir(s, N + 2, 0.01, &p), 0);
    assert_int_equal(p.nonmated_alarms, 60);
    assert_float_equal(p.threshold, (float)5939 / N, 1e-9);
    assert_int_equal(p.mated_misses, 0);
    free(s);
}

static void test_refused(void **state)
{
    (void)state;
    vg_openset_point p;
    vg_openset_search only_nonmated[] = {{0.1f, 0, 0}, {0.2f, 0, 0}};
    vg_openset_search only_mated[] = {{0.1f, 1, 1}};
    assert_int_equal(vg_openset_at_fpir(only_nonmated, 2, 0.1, &p), -1);
    assert_int_equal(p.nonmated, 2);
    assert_int_equal(vg_openset_at_fpir(only_mated, 1, 0.1, &p), -1);
    assert_int_equal(vg_openset_at_fpir(S, NS, 1.5, &p), -1);
    assert_int_equal(vg_openset_at_fpir(S, NS, -0.1, &p), -1);
    assert_int_equal(vg_openset_at_fpir(S, NS, NAN, &p), -1);
    assert_true(isinf(vg_openset_threshold_at_fpir(only_mated, 1, 0.1)));
    assert_float_equal(vg_openset_rank_rate(only_nonmated, 2, 1), 0.0, 1e-12);
    assert_float_equal(vg_openset_fpir(only_mated, 1, 0.0), 0.0, 1e-12);
    assert_float_equal(vg_openset_fnir(only_nonmated, 2, 0.0), 0.0, 1e-12);
    assert_int_equal(vg_openset_at_fpir(S, 0, 0.1, &p), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_rates),
        cmocka_unit_test(test_threshold_at_fpir),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_one_in_6000),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
