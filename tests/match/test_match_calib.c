/* test_match_calib.c — calibration against values worked out by hand: the
 * threshold for K false alerts in N faces (ties, the -inf case), the
 * bootstrap intervals (they hold the estimate; degenerate data gives a
 * degenerate interval), the summary text (round trip, refusals naming the
 * line) and the rate looked up for a watch-list size (the smallest
 * calibrated size at or above it; "at least" below the kept scores). */
#include "vg_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match/bootstrap.h"
#include "match/calib.h"

/* 10 scores of 5 subjects (2 each) */
static const float S[] = {0.9f, 0.1f, 0.8f, 0.2f, 0.7f, 0.3f, 0.6f, 0.4f, 0.5f, 0.5f};
static const int SUBJ[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4};

static void test_threshold(void **state)
{
    (void)state;
    uint64_t rng = 1;
    vg_calib_result r;
    /* 1 in 10: at most one alarm -> the 2nd highest score */
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 0.1, 0, 0.95, &rng, &r), 0);
    assert_float_equal(r.threshold, 0.8f, 1e-9);
    assert_int_equal(r.alarms, 1);
    assert_float_equal(r.rate, 0.1, 1e-12);
    /* 0 false alerts: the highest score */
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 0, 0, 0.95, &rng, &r), 0);
    assert_float_equal(r.threshold, 0.9f, 1e-9);
    assert_int_equal(r.alarms, 0);
    /* 3 in 10 with a tie at 0.5 below: the 4th highest, 0.6 */
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 0.3, 0, 0.95, &rng, &r), 0);
    assert_float_equal(r.threshold, 0.6f, 1e-9);
    /* 5 in 10: the 6th highest is 0.5 (tied with the 7th): 5 alarms */
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 0.5, 0, 0.95, &rng, &r), 0);
    assert_float_equal(r.threshold, 0.5f, 1e-9);
    assert_int_equal(r.alarms, 4);
    /* every search may alarm */
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 1, 0, 0.95, &rng, &r), 0);
    assert_true(isinf(r.threshold) && r.threshold < 0);
    assert_int_equal(vg_calib_run(S, SUBJ, 0, 5, 0.1, 0, 0.95, &rng, &r), -1);
    assert_int_equal(vg_calib_run(S, SUBJ, 10, 5, 1.5, 0, 0.95, &rng, &r), -1);
}

static void test_intervals(void **state)
{
    (void)state;
    /* 2 000 subjects, 3 scores each, uniform in [0, 1): the threshold for
     * 1 % sits near 0.99 and the rate near 1 %; the intervals hold them */
    enum { NS = 2000, PER = 3 };
    float *sc = malloc(NS * PER * sizeof *sc);
    int *sub = malloc(NS * PER * sizeof *sub);
    uint64_t g = 42;
    for (int i = 0; i < NS * PER; i++) {
        sc[i] = (float)((double)(vg_boot_next(&g) >> 11) / 9007199254740992.0);
        sub[i] = i / PER;
    }
    uint64_t rng = 7;
    vg_calib_result r;
    assert_int_equal(vg_calib_run(sc, sub, NS * PER, NS, 0.01, 500, 0.95, &rng, &r), 0);
    assert_true(fabs(r.threshold - 0.99) < 0.005);
    assert_true(r.threshold_lo <= r.threshold && r.threshold <= r.threshold_hi);
    assert_true(r.threshold_hi - r.threshold_lo < 0.01);
    assert_true(r.rate_lo < 0.01 && 0.01 < r.rate_hi);
    assert_true(r.rate_lo > 0.004 && r.rate_hi < 0.02);
    /* one score per subject, all equal: nothing varies */
    for (int i = 0; i < 100; i++)
        sc[i] = 0.25f, sub[i] = i;
    assert_int_equal(vg_calib_run(sc, sub, 100, 100, 0.05, 200, 0.95, &rng, &r), 0);
    assert_float_equal(r.threshold_lo, 0.25f, 1e-9);
    assert_float_equal(r.threshold_hi, 0.25f, 1e-9);
    assert_float_equal(r.rate_hi, 0, 1e-12);
    free(sc);
    free(sub);

    double v[] = {5, 1, NAN, 3, 2, 4};
    double lo, hi;
    assert_int_equal(vg_boot_interval(v, 6, 0.5, &lo, &hi), 5);
    assert_float_equal(lo, 2, 1e-12);
    assert_float_equal(hi, 4, 1e-12);
    int counts[4];
    uint64_t s = 3;
    vg_boot_draw(&s, 4, counts);
    assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 4);
}

static void test_summary_text(void **state)
{
    (void)state;
    vg_calib c;
    memset(&c, 0, sizeof c);
    snprintf(c.model, sizeof c.model, "fr_feature.onnx:abc");
    const float top10[] = {0.7f, 0.6f, 0.5f};
    const float top1[] = {0.4f, 0.3f};
    vg_err err;
    assert_int_equal(vg_calib_set(&c, 10, 1000, 400, top10, 3, &err), VG_OK);
    assert_int_equal(vg_calib_set(&c, 1, 2000, 500, top1, 2, &err), VG_OK);
    const float bad[] = {0.1f, 0.2f};
    assert_int_equal(vg_calib_set(&c, 5, 10, 5, bad, 2, &err), VG_ERR_INVALID);
    char *text = vg_calib_format(&c);
    assert_non_null(text);
    assert_string_equal(text, "vigil-calibration 1\nmodel fr_feature.onnx:abc\n"
                              "size 1 nonmated 2000 subjects 500 scores 2 0.400000 0.300000\n"
                              "size 10 nonmated 1000 subjects 400 scores 3 0.700000 0.600000 0.500000\n");
    vg_calib d;
    assert_int_equal(vg_calib_parse(text, &d, &err), VG_OK);
    free(text);
    assert_string_equal(d.model, "fr_feature.onnx:abc");
    assert_int_equal(d.n, 2);

    vg_calib_lookup r;
    /* a list of 3 is checked against size 10: 0.55 -> 2 of 1000 above */
    assert_int_equal(vg_calib_rate(&d, 3, 0.55, &r, &err), VG_OK);
    assert_int_equal(r.size, 10);
    assert_int_equal(r.alarms, 2);
    assert_float_equal(r.rate, 0.002, 1e-12);
    assert_int_equal(r.at_least, 0);
    /* below the kept scores: at least */
    assert_int_equal(vg_calib_rate(&d, 10, 0.2, &r, &err), VG_OK);
    assert_int_equal(r.alarms, 3);
    assert_int_equal(r.at_least, 1);
    assert_int_equal(vg_calib_rate(&d, 1, 0.35, &r, &err), VG_OK);
    assert_int_equal(r.size, 1);
    assert_int_equal(r.alarms, 1);
    assert_int_equal(vg_calib_rate(&d, 11, 0.9, &r, &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, "watch list of 11 subjects (the largest calibrated is 10)"));
    vg_calib_free(&d);
    vg_calib_free(&c);

    static const struct {
        const char *text, *msg;
    } refused[] = {
        {"hello\n", "first line must be"},
        {"vigil-calibration 1\nmodel\n", "line 2"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 10 subjects 2 scores 2 0.5\n", "line 3: score 2"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 10 subjects 2 scores 1 0.5 0.4\n", "line 3: more than 1"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 10 subjects 2 scores 2 0.4 0.5\n", "descending"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 1 subjects 1 scores 1 0.5\n"
         "size 1 nonmated 1 subjects 1 scores 1 0.5\n", "size 1 given twice"},
        {"vigil-calibration 1\nmodel m\nsize x\n", "line 3: expected"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 1 subjects 1 scores 1 nan\n", "not a number"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(vg_calib_parse(refused[i].text, &d, &err), VG_ERR_INVALID);
        if (!strstr(err.msg, refused[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, refused[i].msg);
    }
}

/* A calibration with groups: the labels file's hash, each group's scores,
 * its rate at a threshold; dropping them; what the parser refuses. */
static void test_groups_text(void **state)
{
    (void)state;
    vg_calib c;
    memset(&c, 0, sizeof c);
    snprintf(c.model, sizeof c.model, "m");
    char sha[65];
    memset(sha, 'a', 64);
    sha[64] = '\0';
    snprintf(c.labels_sha256, sizeof c.labels_sha256, "%s", sha);
    const float pooled[] = {0.7f, 0.6f, 0.5f}, f[] = {0.7f, 0.5f}, m[] = {0.6f};
    vg_err err;
    assert_int_equal(vg_calib_set(&c, 10, 100, 100, pooled, 3, &err), VG_OK);
    assert_int_equal(vg_calib_set_group(&c, "male", 10, 60, 60, m, 1, &err), VG_OK);
    assert_int_equal(vg_calib_set_group(&c, "female", 10, 40, 40, f, 2, &err), VG_OK);
    assert_int_equal(vg_calib_set_group(&c, "two words", 10, 40, 40, f, 2, &err), VG_ERR_INVALID);
    char *text = vg_calib_format(&c);
    assert_non_null(text);
    assert_string_equal(text, "vigil-calibration 1\nmodel m\ngroups aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                              "size 10 nonmated 100 subjects 100 scores 3 0.700000 0.600000 0.500000\n"
                              "group female size 10 nonmated 40 subjects 40 scores 2 0.700000 0.500000\n"
                              "group male size 10 nonmated 60 subjects 60 scores 1 0.600000\n");
    vg_calib d;
    assert_int_equal(vg_calib_parse(text, &d, &err), VG_OK);
    free(text);
    assert_string_equal(d.labels_sha256, sha);
    assert_int_equal(d.n_groups, 2);
    vg_calib_lookup r[4];
    const char *names[4];
    /* at 0.55: female 1 of 40 above, male 1 of 60 */
    assert_int_equal(vg_calib_rate_groups(&d, 10, 0.55, r, names, 4), 2);
    assert_string_equal(names[0], "female");
    assert_int_equal(r[0].alarms, 1);
    assert_float_equal(r[0].rate, 1.0 / 40, 1e-12);
    assert_int_equal(r[0].at_least, 0);
    assert_string_equal(names[1], "male");
    assert_int_equal(r[1].alarms, 1);
    assert_int_equal(r[1].at_least, 1); /* below male's kept scores: at least */
    assert_int_equal(vg_calib_rate_groups(&d, 10, 0.65, r, names, 4), 2);
    assert_int_equal(r[0].alarms, 1);
    assert_int_equal(r[1].alarms, 0);
    assert_int_equal(r[1].at_least, 0);
    assert_int_equal(vg_calib_rate_groups(&d, 5, 0.4, r, names, 4), 0);
    vg_calib_drop_groups(&d, 10);
    assert_int_equal(d.n_groups, 0);
    vg_calib_free(&d);
    vg_calib_free(&c);
    /* Wilson: 0 in 0 is [0, 1]; 1 in 40 holds 1/40 */
    double lo, hi;
    vg_calib_wilson(0, 0, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
    vg_calib_wilson(1, 40, &lo, &hi);
    assert_true(lo < 1.0 / 40 && 1.0 / 40 < hi && hi < 0.15);

    static const struct {
        const char *text, *msg;
    } refused[] = {
        {"vigil-calibration 1\nmodel m\ngroups abc\n", "line 3: expected 'groups SHA256'"},
        {"vigil-calibration 1\nmodel m\nsize 1 nonmated 1 subjects 1 scores 1 0.5\n"
         "group f size 1 nonmated 1 subjects 1 scores 1 0.5\n", "after a 'groups SHA256' line"},
        {"vigil-calibration 1\nmodel m\ngroups aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
         "group f size 2 nonmated 1 subjects 1 scores 1 0.5\n", "without the size's pooled line"},
        {"vigil-calibration 1\nmodel m\ngroups aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
         "size 1 nonmated 1 subjects 1 scores 1 0.5\ngroup f size 1 nonmated 1 subjects 1 scores 1 0.5\n"
         "group f size 1 nonmated 1 subjects 1 scores 1 0.5\n", "group f of size 1 given twice"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(vg_calib_parse(refused[i].text, &d, &err), VG_ERR_INVALID);
        if (!strstr(err.msg, refused[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, refused[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_summary_text),
        cmocka_unit_test(test_groups_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
