/* test_pack.c — opening the model pack: unknown detectors, missing files,
 * a model that is not the pinned one, a model of the wrong kind, and the
 * pack's identity. Each failure is a clear error and leaves nothing open. */
#include "vg_test.h"

#include <unistd.h>

#include "vigil/face.h"

static const char *models_dir(void)
{
    const char *d = getenv("VIGIL_MODELS");
    return d ? d : "deps/models";
}

static vg_status open_with(const char *dir, const char *detector, vg_err *err)
{
    vg_face_config cfg = {.models_dir = dir, .detector = detector};
    vg_face_pack *pack = NULL;
    vg_status st = vg_face_pack_open(&cfg, &pack, err);
    if (st == VG_OK) {
        assert_int_equal(vg_face_pack_dim(pack), 512);
        vg_face_pack_close(pack);
    } else {
        assert_null(pack);
    }
    return st;
}

static void test_default_pack(void **state)
{
    (void)state;
    vg_face_config cfg = {0};
    vg_face_pack *pack = NULL;
    vg_err err;
    assert_int_equal(vg_face_pack_open(&cfg, &pack, &err), VG_OK);
    assert_string_equal(vg_face_pack_detector(pack), "ultraface");
    assert_non_null(strstr(vg_face_pack_model_id(pack),
                           "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581"));
    char desc[4096];
    vg_face_pack_describe(pack, desc, sizeof desc);
    assert_non_null(strstr(desc, "fr_detect.onnx 6c0256ccd3164f84"));
    assert_non_null(strstr(desc, "fr_detect_960x544.onnx"));
    assert_non_null(strstr(desc, "landmarks"));
    assert_non_null(strstr(desc, "embedder"));
    vg_face_pack_close(pack);
}

static void test_unknown_detector(void **state)
{
    (void)state;
    vg_err err;
    assert_int_equal(open_with(NULL, "retinaface", &err), VG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "unknown detector 'retinaface'"));
    assert_non_null(strstr(err.msg, "yunet"));
    assert_int_equal(open_with(NULL, ":x", &err), VG_ERR_INVALID);
    assert_int_equal(open_with(NULL, "yunet", &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "yunet:PATH"));
}

static void test_wrong_kind_of_model(void **state)
{
    (void)state;
    char spec[1200];
    vg_err err;
    snprintf(spec, sizeof spec, "ultraface:%s/fr_feature.onnx", models_dir());
    assert_int_equal(open_with(NULL, spec, &err), VG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "not an Ultra-Light RFB detector"));
    snprintf(spec, sizeof spec, "yunet:%s/fr_detect.onnx", models_dir());
    assert_int_equal(open_with(NULL, spec, &err), VG_ERR_UNSUPPORTED);
    /* a model vigil knows is refused by its known family, before any backend opens it */
    assert_non_null(strstr(err.msg, "is a detector of the ultraface family"));
    /* a file that cannot be read is a bad argument (exit 2), like an unknown detector */
    assert_int_equal(open_with(NULL, "yunet:/nonexistent.onnx", &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent.onnx cannot be read"));
}

static void copy_file(const char *from, const char *to, int flip_byte)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (flip_byte && total == 0 && n > 4096)
            buf[4000] ^= 0x01;
        assert_int_equal(fwrite(buf, 1, n, out), n);
        total += n;
    }
    fclose(in);
    fclose(out);
}

/* A pack directory with a missing file, then with an altered embedder. */
static void test_missing_and_altered_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg_pack_XXXXXX";
    assert_non_null(mkdtemp(dir));
    vg_err err;
    assert_int_equal(open_with(dir, NULL, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "fr_detect.onnx"));
    assert_non_null(strstr(err.msg, "bootstrap"));

    static const char *const files[] = {"fr_detect.onnx", "fr_detect_960x544.onnx", "fr_landmark.onnx",
                                        "fr_feature.onnx"};
    char from[1200], to[1200];
    for (size_t i = 0; i < 4; i++) {
        snprintf(from, sizeof from, "%s/%s", models_dir(), files[i]);
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        copy_file(from, to, strcmp(files[i], "fr_feature.onnx") == 0);
    }
    assert_int_equal(open_with(dir, NULL, &err), VG_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "fr_feature.onnx is not the model vigil's default pack pins"));

    snprintf(from, sizeof from, "%s/fr_feature.onnx", models_dir());
    snprintf(to, sizeof to, "%s/fr_feature.onnx", dir);
    copy_file(from, to, 0);
    assert_int_equal(open_with(dir, NULL, &err), VG_OK);

    for (size_t i = 0; i < 4; i++) {
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        unlink(to);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_pack),
        cmocka_unit_test(test_unknown_detector),
        cmocka_unit_test(test_wrong_kind_of_model),
        cmocka_unit_test(test_missing_and_altered_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
