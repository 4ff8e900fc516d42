/* test_infer.c — the ONNX Runtime wrapper: load, shape, run, and its errors. */
#include "vg_test.h"

#include <unistd.h>

#include "infer/infer.h"

static const char *model(char *buf, size_t len, const char *file)
{
    const char *dir = getenv("VIGIL_MODELS");
    snprintf(buf, len, "%s/%s", dir ? dir : "deps/models", file);
    return buf;
}

static void test_embedder_runs(void **state)
{
    (void)state;
    vg_infer_env *env = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_infer_env_new(&env, &err), VG_OK);
    char path[1024];
    vg_infer_session *s = NULL;
    assert_int_equal(vg_infer_session_open(env, model(path, sizeof path, "fr_feature.onnx"), 1, &s, &err),
                     VG_OK);
    int64_t shape[VG_TENSOR_MAX_DIMS];
    int nd = 0;
    assert_int_equal(vg_infer_input_shape(s, shape, &nd, &err), VG_OK);
    assert_int_equal(nd, 4);
    assert_int_equal(shape[1], 3);
    assert_int_equal(shape[2], 112);
    assert_int_equal(shape[3], 112);
    assert_int_equal(vg_infer_output_count(s), 1);

    static float in[3 * 112 * 112];
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        in[i] = (float)((i * 7919) % 255) / 128.0f - 1.0f;
    vg_tensor a, b;
    assert_int_equal(vg_infer_run(s, in, shape, 4, &a, &err), VG_OK);
    assert_int_equal(vg_infer_run(s, in, shape, 4, &b, &err), VG_OK);
    assert_int_equal(a.count, 512);
    assert_int_equal(a.ndim, 2);
    /* deterministic: bit-identical across runs */
    assert_memory_equal(a.data, b.data, a.count * sizeof(float));
    vg_tensor_release(&a);
    vg_tensor_release(&b);

    /* a wrong input shape is ORT's error, carried into err; nothing allocated */
    int64_t bad[4] = {1, 3, 100, 112};
    vg_tensor c;
    assert_int_equal(vg_infer_run(s, in, bad, 4, &c, &err), VG_ERR_MODEL);
    assert_non_null(strstr(err.msg, "inference failed"));
    assert_true(strlen(err.msg) > strlen("inference failed: "));
    vg_infer_session_close(s);
    vg_infer_env_free(env);
}

/* [infer] provider: cpu runs; cuda on this ORT (a CPU-only build: the
 * bootstrap's) is refused at the session's opening, saying why, where a
 * CUDA build would open it; anything else is refused at once. */
static void test_provider(void **state)
{
    (void)state;
    vg_infer_env *env = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_infer_env_new(&env, &err), VG_OK);
    assert_int_equal(vg_infer_env_set_provider(env, "tpu", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "'tpu' is not cpu or cuda"));
    assert_int_equal(vg_infer_env_set_provider(env, NULL, &err), VG_ERR_INVALID);
    char path[1024];
    model(path, sizeof path, "fr_feature.onnx");
    vg_infer_session *s = NULL;
    assert_int_equal(vg_infer_env_set_provider(env, "cpu", &err), VG_OK);
    assert_int_equal(vg_infer_session_open(env, path, 1, &s, &err), VG_OK);
    vg_infer_session_close(s);
    s = NULL;
    assert_int_equal(vg_infer_env_set_provider(env, "cuda", &err), VG_OK);
    vg_status st = vg_infer_session_open(env, path, 1, &s, &err);
    fprintf(stderr, "cuda: %s\n", st ? err.msg : "opened (a CUDA build of ONNX Runtime)");
    if (st) {
        assert_int_equal(st, VG_ERR_UNSUPPORTED);
        assert_null(s);
        assert_non_null(strstr(err.msg, "has no CUDA execution provider"));
        assert_non_null(strstr(err.msg, "provider = cpu"));
    }
    vg_infer_session_close(s);
    vg_infer_env_free(env);
}

static void test_bad_model_files(void **state)
{
    (void)state;
    vg_infer_env *env = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_infer_env_new(&env, &err), VG_OK);
    vg_infer_session *s = NULL;
    assert_int_equal(vg_infer_session_open(env, "/nonexistent/model.onnx", 1, &s, &err), VG_ERR_MODEL);
    assert_null(s);
    assert_non_null(strstr(err.msg, "/nonexistent/model.onnx"));

    char tmpl[] = "/tmp/vg_infer_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "this is not an onnx model", 25), 25);
    close(fd);
    assert_int_equal(vg_infer_session_open(env, tmpl, 1, &s, &err), VG_ERR_MODEL);
    assert_null(s);
    unlink(tmpl);
    vg_infer_env_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedder_runs),
        cmocka_unit_test(test_bad_model_files),
        cmocka_unit_test(test_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
