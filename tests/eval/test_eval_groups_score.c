/* test_eval_groups_score.c — the scoring variants of `eval groups`
 * (src/eval/groups.c) on embeddings made here: the cohort mean and the two
 * normalisations, enrolment from two faces (highest score, mean template),
 * the probes kept the same across templates, the threshold set by a pooled
 * false-match rate, and bad options refused. */
#include "vg_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"

#define DIM 4

static void cohort_and_norm(void **state)
{
    (void)state;
    const float v[DIM] = {1, 0, 0, 0};
    const float cohort[4 * DIM] = {0.9f, 0.436f, 0, 0, 0.5f, 0.866f, 0, 0, 0.1f, 0.995f, 0, 0, -0.2f, 0.98f, 0, 0};
    assert_float_equal(vg_eval_cohort_mean(v, cohort, 4, DIM, 1), 0.9, 1e-6);
    assert_float_equal(vg_eval_cohort_mean(v, cohort, 4, DIM, 2), 0.7, 1e-6);
    assert_float_equal(vg_eval_cohort_mean(v, cohort, 4, DIM, 50), 0.325, 1e-6); /* fewer than top: all */
    assert_float_equal(vg_eval_norm_score(VG_EVAL_NORM_NONE, 0.6, 0.2, 0.4), 0.6, 1e-12);
    assert_float_equal(vg_eval_norm_score(VG_EVAL_NORM_PROBE, 0.6, 0.2, 0.4), 0.4, 1e-12);
    assert_float_equal(vg_eval_norm_score(VG_EVAL_NORM_BOTH, 0.6, 0.2, 0.4), 0.3, 1e-12);
}

/* Five people: A (3 faces) and B (2) in group X, C (2) and D (2) in group Y,
 * E unlabelled (the cohort). A's third face is far from its first and close
 * to its second. */
static const float emb[11 * DIM] = {
    1, 0, 0, 0,  0, 1, 0, 0,  0.3f, 0.953939f, 0, 0, /* A */
    0, 0, 1, 0,  0, 0, 1, 0,                         /* B */
    0, 0, 0, 1,  0, 0, 0, 1,                         /* C */
    0, 0, 0.6f, 0.8f,  0, 0, 0.6f, 0.8f,             /* D */
    0.6f, 0, 0.8f, 0,                                /* E */
};
static int person_of[11] = {0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4};

static vg_status run(const vg_eval_groups_opts *o, vg_eval_groups_result *r, vg_err *err)
{
    static unsigned char ok[11] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    vg_eval_people pp = {.n = 5, .person_of = person_of};
    vg_eval_images im = {.n = 11, .emb = (float *)emb, .ok = ok, .dim = DIM};
    memset(r, 0, sizeof *r);
    r->n_groups = 2;
    strcpy(r->g[0].name, "X");
    strcpy(r->g[1].name, "Y");
    r->group_of = malloc(5 * sizeof *r->group_of);
    const int g[5] = {0, 0, 1, 1, -1};
    memcpy(r->group_of, g, sizeof g);
    return vg_eval_groups_run(&pp, &im, o, r, err);
}

static void enrolment(void **state)
{
    (void)state;
    vg_eval_groups_opts o = {.threshold = 0.5f, .enrol = 1, .probes_after = 2, .seed = 1, .reps = 20};
    vg_eval_groups_result r;
    vg_err err = {{0}};
    /* one face: A's only probe (its third) scores 0.3 against its first, a miss */
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_int_equal(r.g[0].mated, 1);
    assert_int_equal(r.g[0].misses, 1);
    assert_int_equal(r.g[1].mated, 0);
    assert_float_equal(r.g[0].sum_mated, 0.3, 1e-6);
    /* non-mated: B's first against A (0), D's first against C (0.8): one false match, in Y */
    assert_int_equal(r.g[0].false_matches, 0);
    assert_int_equal(r.g[1].false_matches, 1);
    assert_int_equal(r.nonmated, 2);
    vg_eval_groups_result_free(&r);
    /* two faces, highest: 0.954 against the second, a match */
    o.enrol = 2;
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_int_equal(r.g[0].misses, 0);
    assert_float_equal(r.g[0].sum_mated, 0.953939, 1e-5);
    vg_eval_groups_result_free(&r);
    /* mean template (0.7071, 0.7071): 0.8866 */
    o.fusion = VG_EVAL_FUSE_MEAN;
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_float_equal(r.g[0].sum_mated, (0.3 + 0.953939) / sqrt(2.0), 1e-5);
    vg_eval_groups_result_free(&r);
    /* the default protocol: probes after the first face (A's two, B's, C's, D's) */
    o.enrol = 1, o.probes_after = 1, o.fusion = VG_EVAL_FUSE_MAX;
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_int_equal(r.g[0].mated, 3);
    assert_int_equal(r.g[1].mated, 2);
    assert_int_equal(r.misses, 2); /* A's second (0) and third (0.3) */
    vg_eval_groups_result_free(&r);
}

static void normalised(void **state)
{
    (void)state;
    vg_eval_groups_opts o = {.threshold = 0.5f, .enrol = 1, .probes_after = 2, .norm = VG_EVAL_NORM_PROBE,
                             .cohort_top = 1, .seed = 1, .reps = 20};
    vg_eval_groups_result r;
    vg_err err = {{0}};
    /* the cohort is E's first face (its second has none): c(A3) = 0.18, c(A1) = 0.6 */
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_int_equal(r.cohort, 1);
    assert_float_equal(r.g[0].sum_mated, 0.3 - 0.18, 1e-5);
    vg_eval_groups_result_free(&r);
    o.norm = VG_EVAL_NORM_BOTH;
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_float_equal(r.g[0].sum_mated, 0.3 - (0.18 + 0.6) / 2, 1e-5);
    /* D's first against C: 0.8 - (c(D1) 0.48 + c(C1) 0) / 2 */
    assert_float_equal(r.g[1].sum_nonmated, 0.8 - 0.24, 1e-5);
    vg_eval_groups_result_free(&r);
    /* a cohort smaller than the top asked for */
    o.cohort_top = 2;
    assert_int_equal(run(&o, &r, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "cohort of at least 2 faces"));
    vg_eval_groups_result_free(&r);
}

static void match_fmr(void **state)
{
    (void)state;
    /* two non-mated scores, 0.8 and 0: at FMR 0.4 the threshold is the highest
     * (none above), at 0.6 the second (one above) */
    vg_eval_groups_opts o = {.threshold = 0.5f, .enrol = 1, .probes_after = 2, .match_fmr = 0.4, .seed = 1,
                             .reps = 20};
    vg_eval_groups_result r;
    vg_err err = {{0}};
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_float_equal(r.threshold, 0.8, 1e-6);
    assert_int_equal(r.false_matches, 0);
    assert_int_equal(r.misses, 1);
    vg_eval_groups_result_free(&r);
    o.match_fmr = 0.6;
    assert_int_equal(run(&o, &r, &err), VG_OK);
    assert_float_equal(r.threshold, 0, 1e-6);
    assert_int_equal(r.false_matches, 1);
    assert_int_equal(r.misses, 0);
    vg_eval_groups_result_free(&r);
    /* bad options */
    o.match_fmr = 0, o.enrol = 3, o.probes_after = 2;
    assert_int_equal(run(&o, &r, &err), VG_ERR_INVALID);
    vg_eval_groups_result_free(&r);
    o.enrol = VG_EVAL_ENROL_MAX + 1, o.probes_after = 9;
    assert_int_equal(run(&o, &r, &err), VG_ERR_INVALID);
    vg_eval_groups_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cohort_and_norm),
        cmocka_unit_test(enrolment),
        cmocka_unit_test(normalised),
        cmocka_unit_test(match_fmr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
