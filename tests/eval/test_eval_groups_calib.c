/* test_eval_groups_calib.c — the per-group computations of issue 16 on
 * data made here: the score histograms' bins and quantiles
 * (src/eval/groups.c), the calibration with groups (src/eval/calibrate.c:
 * the threshold is the highest of the pooled and the groups' own, each
 * group's alarms and Wilson interval at it), and the front-end figures per
 * group (images, without a face, medians). */
#include "vg_test.h"

#include <math.h>
#include <string.h>

#include "eval/eval.h"

static void histogram(void **state)
{
    (void)state;
    assert_int_equal(vg_eval_hist_bin(-1.0), 0);
    assert_int_equal(vg_eval_hist_bin(-5.0), 0);
    assert_int_equal(vg_eval_hist_bin(1.0), VG_EVAL_HIST_BINS - 1);
    assert_int_equal(vg_eval_hist_bin(0.0), VG_EVAL_HIST_BINS / 2);
    long long h[VG_EVAL_HIST_BINS] = {0};
    const double s[] = {0.1, 0.2, 0.3, 0.4};
    for (int i = 0; i < 4; i++)
        h[vg_eval_hist_bin(s[i])]++;
    /* the median of four is the second: at or below the upper edge of 0.2's bin */
    double m = vg_eval_hist_quantile(h, 4, 0.5);
    assert_true(m >= 0.2 && m <= 0.2 + 2.0 / VG_EVAL_HIST_BINS + 1e-12);
    assert_true(vg_eval_hist_quantile(h, 4, 0.999) >= 0.4);
    assert_true(isnan(vg_eval_hist_quantile(h, 0, 0.5)));
}

static void calibrate_groups(void **state)
{
    (void)state;
    /* ten searches, one a person: people 0-4 in A, 5-9 in B; target 2 in 10 */
    float score[] = {0.9f, 0.8f, 0.1f, 0.1f, 0.1f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f};
    int person[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, group_of[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
    float desc[] = {0.9f, 0.8f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.1f, 0.1f, 0.1f};
    vg_eval_group names[2];
    memset(names, 0, sizeof names);
    strcpy(names[0].name, "A");
    strcpy(names[1].name, "B");
    vg_eval_cal_size cs;
    memset(&cs, 0, sizeof cs);
    cs.size = 3;
    cs.n = 10;
    cs.r.threshold = 0.5; /* the pooled: the 3rd highest */
    cs.score = malloc(sizeof score), cs.person = malloc(sizeof person), cs.desc = malloc(sizeof desc);
    memcpy(cs.score, score, sizeof score), memcpy(cs.person, person, sizeof person), memcpy(cs.desc, desc, sizeof desc);
    vg_err err;
    assert_int_equal(vg_eval_calibrate_groups(&cs, group_of, names, 2, 0.2, &err), VG_OK);
    const vg_eval_cal_groups *g = cs.groups;
    /* A: 5 searches, at most 1 above: its own threshold is its 2nd highest, 0.8, above the pooled */
    assert_float_equal(g->g[0].own_threshold, 0.8, 1e-6);
    assert_float_equal(g->g[1].own_threshold, 0.4, 1e-6);
    assert_float_equal(g->threshold, 0.8, 1e-6);
    assert_int_equal(g->decided_by, 0);
    assert_int_equal(g->g[0].alarms, 1);
    assert_int_equal(g->g[1].alarms, 0);
    assert_int_equal(g->pooled_alarms, 1);
    assert_int_equal((int)g->g[0].subjects, 5);
    assert_true(g->g[0].rate_lo < 0.2 && 0.2 < g->g[0].rate_hi);
    /* at the pooled threshold A would have had 2 of 5 above: 0.4, over the target */
    assert_int_equal((int)vg_calib_alarms(g->g[0].desc, g->g[0].n, 0.5), 2);
    vg_eval_cal_size_free(&cs);

    /* a group with no search cannot be calibrated */
    memset(&cs, 0, sizeof cs);
    cs.size = 3, cs.n = 2, cs.r.threshold = 0.1;
    int only_a[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    cs.score = malloc(sizeof score), cs.person = malloc(sizeof person), cs.desc = malloc(sizeof desc);
    memcpy(cs.score, score, sizeof score), memcpy(cs.person, person, sizeof person), memcpy(cs.desc, desc, sizeof desc);
    assert_int_equal(vg_eval_calibrate_groups(&cs, only_a, names, 2, 0.2, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "group B has no non-mated search"));
    vg_eval_cal_size_free(&cs);
}

static void stages(void **state)
{
    (void)state;
    /* two people, A with images 0-2 (image 1 without a face), B with 3-4 */
    int person_of[] = {0, 0, 0, 1, 1}, group_of[] = {0, 1};
    vg_eval_people pp = {.n = 2, .person_of = person_of};
    vg_face face[5];
    memset(face, 0, sizeof face);
    const float yaw[] = {-0.2f, 0, 0.4f, 0.1f, 0.3f};
    for (int i = 0; i < 5; i++) {
        face[i].quality.yaw = yaw[i];
        face[i].quality.eye_dist = 40 + (float)i;
        face[i].check.drift = 0.05f;
    }
    face[4].check.context_pass = 1;
    unsigned char ok[] = {1, 0, 1, 1, 1};
    vg_eval_images im = {.n = 5, .ok = ok, .face = face};
    vg_eval_groups_result r;
    memset(&r, 0, sizeof r);
    r.n_groups = 2;
    r.group_of = group_of;
    vg_err err;
    assert_int_equal(vg_eval_groups_stages(&pp, &im, &r, &err), VG_OK);
    assert_int_equal(r.g[0].images, 3);
    assert_int_equal(r.g[0].no_face, 1);
    assert_int_equal(r.g[1].context_pass, 1);
    /* |yaw| of A's faces found: 0.2 and 0.4, median 0.3; eye distance 40 and 42 */
    assert_float_equal(r.g[0].stage_median[3], 0.3, 1e-6);
    assert_float_equal(r.g[0].stage_mean[1], 41, 1e-6);
    assert_float_equal(r.g[1].stage_median[3], 0.2, 1e-6);
    assert_float_equal(r.g[1].stage_median[6], 0.05, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(histogram),
        cmocka_unit_test(calibrate_groups),
        cmocka_unit_test(stages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
