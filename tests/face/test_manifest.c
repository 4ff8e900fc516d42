/* test_manifest.c — the pack manifest parser (src/face/manifest.c): a good
 * manifest gives every fact; each kind of malformed manifest is refused with
 * an error naming the field, and yields nothing. No model files needed. */
#include "vg_test.h"

#include "face/known_models.h"
#include "face/manifest.h"

#define SHA_A "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854"
#define SHA_B "F10B0BA1D2A8A099ADEFEDE1EBF3733E44FE370715E7303DBEB7F59C02142258"
#define SHA_C "d847ad13a828820ff34f65eac6ba39cdd828a4633233d4d9da83870420ad3de2"

#define DET "{\"role\":\"detector\",\"family\":\"ultraface\",\"file\":\"fr_detect.onnx\",\"sha256\":\"" SHA_A \
            "\",\"licence\":\"MIT\"}"
#define LMK "{\"role\":\"landmarks\",\"file\":\"fr_landmark.onnx\",\"sha256\":\"" SHA_B "\",\"licence\":\"MIT\"}"
#define EMB_FIELDS "\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C "\",\"licence\":\"Apache-2.0\"," \
                   "\"input\":{\"width\":112,\"height\":112},\"layout\":\"NHWC\",\"colour\":\"BGR\","
#define EMB "{" EMB_FIELDS "\"normalisation\":{\"mean\":[127.5,127.5,127.5],\"scale\":[0.0078125,0.0078125,0.0078125]},\"dim\":512}"

static vg_status parse(const char *text, vg_pack_manifest *m, vg_err *err)
{
    return vg_manifest_parse(text, strlen(text), m, err);
}

static void test_good_manifest(void **state)
{
    (void)state;
    vg_pack_manifest m;
    vg_err err;
    const char *text = "{\"name\":\"force-x_2026.1\",\"about\":\"a test\",\"models\":[" DET "," LMK "," EMB "]}";
    assert_int_equal(parse(text, &m, &err), VG_OK);
    assert_string_equal(m.name, "force-x_2026.1");
    assert_int_equal(m.n, 3);
    assert_int_equal(m.models[0].role, VG_ROLE_DETECTOR);
    assert_string_equal(m.models[0].family, "ultraface");
    assert_string_equal(m.models[0].sha256, SHA_A);
    assert_int_equal(m.models[0].input_set, 0);
    assert_int_equal(m.models[1].role, VG_ROLE_LANDMARKS);
    assert_string_equal(m.models[1].family, "landmark68");
    /* upper-case hex is taken, stored lower-case */
    assert_string_equal(m.models[1].sha256, "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258");
    const vg_model_facts *e = &m.models[2];
    assert_int_equal(e->role, VG_ROLE_EMBEDDER);
    assert_string_equal(e->family, "arcface");
    assert_string_equal(e->file, "e.onnx");
    assert_string_equal(e->licence, "Apache-2.0");
    assert_int_equal(e->width, 112);
    assert_int_equal(e->height, 112);
    assert_int_equal(e->layout, VG_LAYOUT_NHWC);
    assert_int_equal(e->colour, VG_COLOUR_BGR);
    assert_int_equal(e->norm, VG_NORM_MEAN_SCALE);
    assert_true(e->mean[1] == 127.5f && e->scale[2] == 0.0078125f);
    assert_int_equal(e->dim, 512);

    /* "raw" and "dynamic" */
    text = "{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":\"raw\",\"dim\":128}]}";
    assert_int_equal(parse(text, &m, &err), VG_OK);
    assert_int_equal(m.models[1].norm, VG_NORM_RAW);
    assert_true(m.models[1].scale[0] == 1.0f && m.models[1].mean[0] == 0.0f);
    text = "{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
           "\",\"licence\":\"x\",\"input\":\"dynamic\",\"layout\":\"NCHW\",\"colour\":\"RGB\","
           "\"normalisation\":\"raw\",\"dim\":512}]}";
    assert_int_equal(parse(text, &m, &err), VG_OK);
    assert_int_equal(m.models[1].input_set, 1);
    assert_int_equal(m.models[1].width, 0);
}

/* Each malformed manifest: the status, and the field the message names. */
static const struct {
    const char *text;
    vg_status st;
    const char *field;
} bad_cases[] = {
    {"", VG_ERR_INVALID, "not valid JSON"},
    {"{\"name\":\"p\",", VG_ERR_INVALID, "not valid JSON"},
    {"[1,2]", VG_ERR_INVALID, "manifest: must be a JSON object"},
    {"{\"name\":\"p\",\"name\":\"q\",\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "duplicate"},
    {"{\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "name: missing"},
    {"{\"name\":\"default\",\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "name: 'default' is reserved"},
    {"{\"name\":\"a b\",\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "name: 'a b' may hold only"},
    {"{\"name\":7,\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "name: must be a string"},
    {"{\"name\":\"p\",\"extra\":1,\"models\":[" DET "," EMB "]}", VG_ERR_INVALID, "unknown field 'extra'"},
    {"{\"name\":\"p\"}", VG_ERR_INVALID, "models: missing"},
    {"{\"name\":\"p\",\"models\":[]}", VG_ERR_INVALID, "models: must be an array of 1 to 16"},
    {"{\"name\":\"p\",\"models\":[" DET "]}", VG_ERR_INVALID, "exactly one embedder"},
    {"{\"name\":\"p\",\"models\":[" EMB "]}", VG_ERR_INVALID, "models: a pack needs a detector"},
    {"{\"name\":\"p\",\"models\":[" DET "," LMK "," LMK "," EMB "]}", VG_ERR_INVALID, "models[2].file: 'fr_landmark.onnx' is already models[1]"},
    {"{\"name\":\"p\",\"models\":[" DET ",3," EMB "]}", VG_ERR_INVALID, "models[1]: must be an object"},
    {"{\"name\":\"p\",\"models\":[{\"file\":\"x.onnx\"}," EMB "]}", VG_ERR_INVALID, "models[0].role: missing"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"recogniser\",\"file\":\"x.onnx\"}," EMB "]}", VG_ERR_UNSUPPORTED,
     "models[0].role: unknown role 'recogniser'"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"retinaface\",\"file\":\"x.onnx\"}," EMB "]}",
     VG_ERR_UNSUPPORTED, "models[0].family: unknown family 'retinaface'"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"file\":\"x.onnx\"}," EMB "]}", VG_ERR_INVALID,
     "models[0].family: missing"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"yunet\",\"file\":\"../x.onnx\",\"sha256\":\"" SHA_A
     "\",\"licence\":\"MIT\"}," EMB "]}", VG_ERR_INVALID, "models[0].file: '../x.onnx' must be a plain file name"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"yunet\",\"sha256\":\"" SHA_A
     "\",\"licence\":\"MIT\"}," EMB "]}", VG_ERR_INVALID, "models[0].file: missing"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"yunet\",\"file\":\"y.onnx\",\"sha256\":\"abc\","
     "\"licence\":\"MIT\"}," EMB "]}", VG_ERR_INVALID, "models[0].sha256: 'abc' is not a SHA-256"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"yunet\",\"file\":\"y.onnx\",\"sha256\":\"" SHA_A
     "\"}," EMB "]}", VG_ERR_INVALID, "models[0].licence: missing"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":\"raw\",\"dim\":512,\"colour \":1}]}",
     VG_ERR_INVALID, "models[1]: unknown field 'colour '"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":\"raw\"}]}", VG_ERR_INVALID,
     "models[1].dim: missing"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":\"raw\",\"dim\":5}]}", VG_ERR_INVALID,
     "models[1].dim: must be a whole number from 16 to 4096"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"dim\":512}]}", VG_ERR_INVALID,
     "models[1].normalisation: missing"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":{\"mean\":[1,2],\"scale\":[1,1,1]},"
     "\"dim\":512}]}", VG_ERR_INVALID, "models[1].normalisation.mean: must be an array of 3 numbers"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":{\"mean\":[1,2,3],\"scale\":[1,0,1]},"
     "\"dim\":512}]}", VG_ERR_INVALID, "models[1].normalisation.scale: each value must be finite, non-zero"},
    {"{\"name\":\"p\",\"models\":[" DET ",{" EMB_FIELDS "\"normalisation\":\"zscore\",\"dim\":512}]}",
     VG_ERR_INVALID, "models[1].normalisation: must be \"raw\" or"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"input\":{\"width\":112},\"layout\":\"NCHW\",\"colour\":\"RGB\","
     "\"normalisation\":\"raw\",\"dim\":512}]}", VG_ERR_INVALID, "models[1].input: must be \"dynamic\" or"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"input\":{\"width\":112,\"height\":-3},\"layout\":\"NCHW\",\"colour\":\"RGB\","
     "\"normalisation\":\"raw\",\"dim\":512}]}", VG_ERR_INVALID, "models[1].input.height: must be a whole number"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"layout\":\"NCHW\",\"colour\":\"RGB\",\"normalisation\":\"raw\",\"dim\":512}]}",
     VG_ERR_INVALID, "models[1].input: missing"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"input\":\"dynamic\",\"layout\":\"CHWN\",\"colour\":\"RGB\",\"normalisation\":\"raw\","
     "\"dim\":512}]}", VG_ERR_INVALID, "models[1].layout: unknown layout 'CHWN'"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"input\":\"dynamic\",\"layout\":\"NCHW\",\"colour\":\"GREY\",\"normalisation\":\"raw\","
     "\"dim\":512}]}", VG_ERR_INVALID, "models[1].colour: GREY"},
    {"{\"name\":\"p\",\"models\":[" DET ",{\"role\":\"embedder\",\"file\":\"e.onnx\",\"sha256\":\"" SHA_C
     "\",\"licence\":\"x\",\"input\":\"dynamic\",\"colour\":\"RGB\",\"normalisation\":\"raw\","
     "\"dim\":512}]}", VG_ERR_INVALID, "models[1].layout: missing"},
    {"{\"name\":\"p\",\"models\":[{\"role\":\"detector\",\"family\":\"yunet\",\"file\":\"y.onnx\",\"sha256\":\"" SHA_A
     "\",\"licence\":\"MIT\",\"dim\":5}," EMB "]}", VG_ERR_INVALID, "models[0].dim: only an embedder"},
};

static void test_malformed_manifests(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        vg_pack_manifest m;
        memset(&m, 0x5a, sizeof m);
        vg_err err = {{0}};
        vg_status st = parse(bad_cases[i].text, &m, &err);
        if (st != bad_cases[i].st || !strstr(err.msg, bad_cases[i].field))
            fail_msg("case %zu: status %d, message \"%s\"; expected %d and \"%s\"", i, st, err.msg, bad_cases[i].st,
                     bad_cases[i].field);
        assert_int_equal(m.n, 0);  /* nothing is left behind */
        assert_string_equal(m.name, "");
    }
}

static void test_oversize_manifest(void **state)
{
    (void)state;
    size_t len = VG_MANIFEST_MAX_BYTES + 1;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, ' ', len);
    vg_pack_manifest m;
    vg_err err;
    assert_int_equal(vg_manifest_parse(text, len, &m, &err), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "more than"));
    free(text);
}

/* The table: every entry is whole, hashes are unique, the families of its
 * detectors and landmarks are known. */
static void test_known_table(void **state)
{
    (void)state;
    assert_true(vg_known_model_count() >= 8);
    for (int i = 0; i < vg_known_model_count(); i++) {
        const vg_model_facts *f = vg_known_model_at(i);
        assert_int_equal(strlen(f->sha256), 64);
        assert_true(f->file[0] && f->licence[0] && f->about[0]);
        assert_ptr_equal(vg_known_model_by_sha(f->sha256), f);
        assert_ptr_equal(vg_known_model_by_file(f->file), f);
        if (f->role != VG_ROLE_EMBEDDER)
            assert_non_null(vg_known_family(f->role, f->family));
        else
            assert_true(f->dim > 0 && f->input_set && f->layout && f->colour && f->norm);
    }
    assert_null(vg_known_model_by_sha(SHA_C));
    assert_non_null(vg_known_model_by_sha("de9b23c1e3c08e78bcaa12d82eafd4e807a8ff9b6183267b7a3322b2554478e6"));
    assert_string_equal(vg_known_model_by_file("yunet_s_dynamic.onnx")->family, "yunet");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_manifest),
        cmocka_unit_test(test_malformed_manifests),
        cmocka_unit_test(test_oversize_manifest),
        cmocka_unit_test(test_known_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
