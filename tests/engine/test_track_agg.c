/* test_track_agg.c — a track's K best embeddings by quality and their
 * quality-weighted mean (src/engine/track_agg.c), and the [engine] keys
 * that choose the decision (decision, track_best, embed_flip). */
#include "vg_test.h"

#include <math.h>
#include <unistd.h>

#include "engine/track_agg.h"
#include "vigil/engine.h"

#define DIM 4

static void unit(float *v, float a, float b, float c, float d)
{
    v[0] = a;
    v[1] = b;
    v[2] = c;
    v[3] = d;
}

static void test_keeps_the_k_best(void **state)
{
    (void)state;
    vg_track_agg a = {0};
    vg_err err;
    float v[DIM];
    int kept;
    assert_true(vg_track_agg_admits(&a, 0.0f));
    static const float q[7] = {0.3f, 0.9f, 0.1f, 0.5f, 0.7f, 0.2f, 0.8f};
    for (int i = 0; i < 7; i++) {
        unit(v, (float)i, 1, 0, 0);
        assert_int_equal(vg_track_agg_add(&a, 3, DIM, v, q[i], &kept, &err), VG_OK);
        /* the first three fill it; then only one better than the worst kept */
        int want = i < 3 || i == 3 || i == 4 || i == 6;
        assert_int_equal(kept, want);
    }
    assert_int_equal(a.n, 3);
    /* kept: 0.9 (i=1), 0.7 (i=4), 0.8 (i=6) */
    float sum_q = 0;
    int seen[7] = {0};
    for (int i = 0; i < a.n; i++) {
        sum_q += a.q[i];
        seen[(int)a.vec[i * DIM]] = 1;
    }
    assert_float_equal(sum_q, 0.9f + 0.7f + 0.8f, 1e-6);
    assert_true(seen[1] && seen[4] && seen[6]);
    assert_false(vg_track_agg_admits(&a, 0.7f));
    assert_true(vg_track_agg_admits(&a, 0.71f));
    /* not better than the worst: not kept, nothing changes */
    unit(v, 5, 5, 5, 5);
    assert_int_equal(vg_track_agg_add(&a, 3, DIM, v, 0.6f, &kept, &err), VG_OK);
    assert_int_equal(kept, 0);
    for (int i = 0; i < a.n; i++)
        assert_true(a.vec[i * DIM + 2] == 0);
    vg_track_agg_wipe(&a);
}

static void test_weighted_mean(void **state)
{
    (void)state;
    vg_track_agg a = {0};
    vg_err err;
    float v[DIM], m[DIM];
    int kept;
    assert_int_equal(vg_track_agg_mean(&a, m, &err), VG_ERR_NOT_FOUND);
    unit(v, 1, 0, 0, 0);
    assert_int_equal(vg_track_agg_add(&a, 5, DIM, v, 0.75f, &kept, &err), VG_OK);
    /* one embedding: the mean is itself */
    assert_int_equal(vg_track_agg_mean(&a, m, &err), VG_OK);
    assert_float_equal(m[0], 1, 1e-6);
    unit(v, 0, 1, 0, 0);
    assert_int_equal(vg_track_agg_add(&a, 5, DIM, v, 0.25f, &kept, &err), VG_OK);
    assert_int_equal(vg_track_agg_mean(&a, m, &err), VG_OK);
    /* 0.75 e0 + 0.25 e1, normalised: the better shot weighs three times more */
    double n = sqrt(0.75 * 0.75 + 0.25 * 0.25);
    assert_float_equal(m[0], 0.75 / n, 1e-6);
    assert_float_equal(m[1], 0.25 / n, 1e-6);
    assert_float_equal(m[2], 0, 1e-6);
    double norm = 0;
    for (int i = 0; i < DIM; i++)
        norm += (double)m[i] * m[i];
    assert_float_equal(norm, 1, 1e-6);
    /* quality 0 still counts, a little (min_quality may be 0) */
    vg_track_agg_wipe(&a);
    unit(v, 0, 0, 1, 0);
    assert_int_equal(vg_track_agg_add(&a, 5, DIM, v, 0.0f, &kept, &err), VG_OK);
    assert_int_equal(vg_track_agg_mean(&a, m, &err), VG_OK);
    assert_float_equal(m[2], 1, 1e-6);
    /* opposite embeddings of equal weight cancel: an error, not a NaN */
    unit(v, 0, 0, -1, 0);
    assert_int_equal(vg_track_agg_add(&a, 5, DIM, v, 0.0f, &kept, &err), VG_OK);
    assert_int_equal(vg_track_agg_mean(&a, m, &err), VG_ERR_INVALID);
    for (int i = 0; i < DIM; i++)
        assert_true(m[i] == 0);
    vg_track_agg_wipe(&a);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    vg_track_agg a = {0};
    vg_err err;
    float v[DIM] = {1, 0, 0, 0};
    int kept = 1;
    assert_int_equal(vg_track_agg_add(&a, 0, DIM, v, 0.5f, &kept, &err), VG_ERR_INVALID);
    assert_int_equal(kept, 0);
    assert_null(a.vec);
    assert_int_equal(vg_track_agg_add(&a, 2, DIM, v, 0.5f, &kept, &err), VG_OK);
    assert_int_equal(vg_track_agg_add(&a, 2, DIM - 1, v, 0.9f, &kept, &err), VG_ERR_INVALID);
    assert_int_equal(kept, 0);
    assert_int_equal(a.n, 1);
    assert_float_equal(a.q[0], 0.5f, 0);
    vg_track_agg_wipe(&a);
}

static void test_wipe_empties(void **state)
{
    (void)state;
    vg_track_agg a = {0};
    vg_err err;
    float v[DIM] = {0.5f, 0.5f, 0.5f, 0.5f};
    int kept;
    assert_int_equal(vg_track_agg_add(&a, 4, DIM, v, 0.5f, &kept, &err), VG_OK);
    vg_track_agg_wipe(&a);
    assert_null(a.vec);
    assert_null(a.q);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.k, 0);
    vg_track_agg_wipe(&a); /* twice is harmless */
    /* reusable, with another size */
    assert_int_equal(vg_track_agg_add(&a, 1, 2, v, 0.5f, &kept, &err), VG_OK);
    assert_int_equal(a.dim, 2);
    vg_track_agg_wipe(&a);
}

static vg_status load_text(const char *text, vg_engine_config *cfg, vg_err *err)
{
    char path[] = "/tmp/vg_track_cfg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int min_face = 0;
    vg_status st = vg_engine_config_load(path, cfg, &min_face, err);
    unlink(path);
    return st;
}

static void test_config_keys(void **state)
{
    (void)state;
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    assert_int_equal(load_text("[engine]\ndecision = aggregate\ntrack_best = 7\nembed_flip = 1\n", &cfg, &err), VG_OK);
    assert_int_equal(cfg.decision, VG_ENGINE_DECIDE_AGGREGATE);
    assert_int_equal(cfg.track_best, 7);
    assert_int_equal(cfg.embed_flip, 1);
    assert_int_equal(load_text("[engine]\ndecision = frame\n", &cfg, &err), VG_OK);
    assert_int_equal(cfg.decision, VG_ENGINE_DECIDE_FRAME);
    assert_int_equal(load_text("[engine]\ndecision = max\n", &cfg, &err), VG_OK);
    assert_int_equal(cfg.decision, VG_ENGINE_DECIDE_MAX);
    /* bad values: an error naming the key, and nothing changed */
    vg_engine_config before = cfg;
    assert_int_equal(load_text("[engine]\ntrack_best = 3\ndecision = mean\n", &cfg, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "decision"));
    assert_int_equal(load_text("[engine]\ntrack_best = 0\n", &cfg, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "track_best"));
    assert_int_equal(load_text("[engine]\nembed_flip = 2\n", &cfg, &err), VG_ERR_INVALID);
    assert_int_equal(memcmp(&before, &cfg, sizeof cfg), 0);
    assert_int_equal(vg_engine_decision_parse("Frame"), -1);
    assert_string_equal(vg_engine_decision_name(VG_ENGINE_DECIDE_DEFAULT),
                        vg_engine_decision_name(VG_ENGINE_DECIDE_BEST));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keeps_the_k_best),
        cmocka_unit_test(test_weighted_mean),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_wipe_empties),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
