/* test_pack_manifest.c — packs opened through a manifest.json: a good one
 * opens; a wrong hash, a missing file, a detector without a backend, facts
 * its family does not take, a wrong embedding size or input, a malformed
 * manifest, an unknown file without a manifest each refuse the pack and leave
 * nothing open; --detector overrides the manifest's detector. Then a second
 * embedder made from the default one by scripts/make_test_embedder.py (BGR
 * input in [-1, 1]) opens through its own manifest and gives the same
 * decisions as the default pack on 200 LFW pairs, under another model id;
 * the same taking NHWC input gives the same templates.
 * Skips with a message without the models, LFW or python3-onnx. */
#include "vg_test.h"

#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vigil/face.h"

#define SHA_DET "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854"
#define SHA_960 "de9b23c1e3c08e78bcaa12d82eafd4e807a8ff9b6183267b7a3322b2554478e6"
#define SHA_LMK "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258"
#define SHA_EMB "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581"
#define PAIRS_SAME 100
#define PAIRS_DIFF 100

static const char *models_dir(void)
{
    const char *d = getenv("VIGIL_MODELS");
    return d ? d : "deps/models";
}

/* A pack directory of symbolic links to the default pack's files. */
static void make_link_dir(char *dir)
{
    assert_non_null(mkdtemp(dir));
    static const char *const files[] = {"fr_detect.onnx", "fr_detect_960x544.onnx", "fr_landmark.onnx",
                                        "fr_feature.onnx"};
    for (size_t i = 0; i < 4; i++) {
        char from[1200], to[1200];
        snprintf(from, sizeof from, "%s/%s", models_dir(), files[i]);
        if (from[0] != '/') {
            char cwd[600];
            assert_non_null(getcwd(cwd, sizeof cwd));
            snprintf(from, sizeof from, "%s/%s/%s", cwd, models_dir(), files[i]);
        }
        snprintf(to, sizeof to, "%s/%s", dir, files[i]);
        assert_int_equal(symlink(from, to), 0);
    }
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"fr_detect.onnx", "fr_detect_960x544.onnx", "fr_landmark.onnx",
                                        "fr_feature.onnx", "manifest.json", "junk.onnx"};
    char p[1200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* Writes DIR/manifest.json: the default pack's four models with the
 * detector's and embedder's fields given (a fragment of JSON each). */
static void write_manifest(const char *dir, const char *det_extra, const char *emb_file, const char *emb_sha,
                           const char *emb_extra)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"name\": \"force-test\", \"models\": [\n"
            " {\"role\": \"detector\", \"file\": \"fr_detect.onnx\", \"sha256\": \"" SHA_DET "\", "
            "\"licence\": \"MIT\", %s},\n"
            " {\"role\": \"detector\", \"family\": \"ultraface\", \"file\": \"fr_detect_960x544.onnx\", "
            "\"sha256\": \"" SHA_960 "\", \"licence\": \"MIT\"},\n"
            " {\"role\": \"landmarks\", \"file\": \"fr_landmark.onnx\", \"sha256\": \"" SHA_LMK "\", "
            "\"licence\": \"MIT\"},\n"
            " {\"role\": \"embedder\", \"file\": \"%s\", \"sha256\": \"%s\", \"licence\": \"MIT\", %s}]}\n",
            det_extra, emb_file, emb_sha, emb_extra);
    fclose(f);
}

#define EMB_FACTS(size, colour, dim)                                                                     \
    "\"input\": {\"width\": " size ", \"height\": " size "}, \"layout\": \"NCHW\", \"colour\": \"" colour \
    "\", \"normalisation\": {\"mean\": [127, 127, 127], \"scale\": [0.0078125, 0.0078125, 0.0078125]}, "   \
    "\"dim\": " dim

static vg_status open_dir(const char *dir, const char *detector, vg_face_pack **pack, vg_err *err)
{
    vg_face_config cfg = {.models_dir = dir, .detector = detector};
    *pack = (vg_face_pack *)(uintptr_t)1;
    vg_status st = vg_face_pack_open(&cfg, pack, err);
    if (st)
        assert_null(*pack);  /* nothing opens */
    return st;
}

static void expect_refusal(const char *dir, vg_status want, const char *field)
{
    vg_face_pack *pack;
    vg_err err = {{0}};
    vg_status st = open_dir(dir, NULL, &pack, &err);
    if (st != want || !strstr(err.msg, field))
        fail_msg("status %d, message \"%s\"; expected %d and \"%s\"", st, err.msg, want, field);
}

static void test_manifest_opens_and_refuses(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg_manifest_XXXXXX";
    make_link_dir(dir);
    vg_face_pack *pack;
    vg_err err;

    /* a good manifest for the default pack's files */
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_EMB, EMB_FACTS("112", "RGB", "512"));
    assert_int_equal(open_dir(dir, NULL, &pack, &err), VG_OK);
    assert_string_equal(vg_face_pack_name(pack), "force-test");
    assert_string_equal(vg_face_pack_detector(pack), "ultraface");
    assert_string_equal(vg_face_pack_model_id(pack), "fr_feature.onnx:" SHA_EMB);
    const vg_face_listing *l = vg_face_pack_listing(pack);
    assert_int_equal(vg_face_listing_count(l), 4);
    assert_true(vg_face_listing_has_manifest(l));
    vg_face_model m;
    int in_use = 0;
    for (int i = 0; vg_face_listing_model(l, i, &m); i++) {
        assert_string_equal(m.origin, "manifest");
        assert_string_equal(m.state, "ok");
        assert_non_null(m.known_as);  /* the table knows these hashes */
        in_use += m.in_use;
    }
    assert_int_equal(in_use, 4);
    vg_face_pack_close(pack);

    /* --detector overrides the manifest's detector */
    const char *data = vg_test_data_dir();
    if (data) {
        char spec[1200];
        snprintf(spec, sizeof spec, "yunet:%s/models/yunet_s_dynamic.onnx", data);
        assert_int_equal(open_dir(dir, spec, &pack, &err), VG_OK);
        assert_string_equal(vg_face_pack_detector(pack), "yunet");
        assert_string_equal(vg_face_pack_name(pack), "force-test");
        l = vg_face_pack_listing(pack);
        assert_int_equal(vg_face_listing_count(l), 5);
        assert_true(vg_face_listing_model(l, 4, &m));
        assert_string_equal(m.origin, "option");
        assert_true(m.in_use);
        assert_true(vg_face_listing_model(l, 0, &m));
        assert_false(m.in_use);
        vg_face_pack_close(pack);
    }

    /* a wrong SHA-256 */
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_DET, EMB_FACTS("112", "RGB", "512"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "manifest.json models[3].sha256: ");
    /* a missing file */
    write_manifest(dir, "\"family\": \"ultraface\"", "absent.onnx", SHA_EMB, EMB_FACTS("112", "RGB", "512"));
    expect_refusal(dir, VG_ERR_IO, "models[3].file: model file");
    /* a known model said to be of another family */
    write_manifest(dir, "\"family\": \"scrfd\"", "fr_feature.onnx", SHA_EMB, EMB_FACTS("112", "RGB", "512"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "models[0].family: fr_detect.onnx is known as a detector of the "
                   "ultraface family");
    /* an unknown family */
    write_manifest(dir, "\"family\": \"retinaface\"", "fr_feature.onnx", SHA_EMB, EMB_FACTS("112", "RGB", "512"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "models[0].family: unknown family 'retinaface'");
    /* facts the detector's family does not take */
    write_manifest(dir, "\"family\": \"ultraface\", \"colour\": \"BGR\"", "fr_feature.onnx", SHA_EMB,
                   EMB_FACTS("112", "RGB", "512"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "models[0].colour: the ultraface family takes RGB, not BGR");
    /* a known embedder said to be fed otherwise than vigil knows it is */
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_EMB, EMB_FACTS("112", "BGR", "512"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "models[3]: fr_feature.onnx is known (512-D embedder");
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_EMB, EMB_FACTS("112", "RGB", "256"));
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "models[3]: fr_feature.onnx is known");
    /* a malformed manifest */
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_EMB, "\"dim\": 512,");
    expect_refusal(dir, VG_ERR_INVALID, "manifest.json: manifest: not valid JSON");
    write_manifest(dir, "\"family\": \"ultraface\"", "fr_feature.onnx", SHA_EMB, "\"dim\": 512");
    expect_refusal(dir, VG_ERR_INVALID, "models[3].input: missing");

    /* a detector family vigil has no backend for (SCRFD, from the shared data) */
    if (data) {
        char from[1200], to[1200];
        snprintf(from, sizeof from, "%s/models/scrfd_500m_bnkps.onnx", data);
        snprintf(to, sizeof to, "%s/junk.onnx", dir);
        assert_int_equal(symlink(from, to), 0);
        char p[1200];
        snprintf(p, sizeof p, "%s/manifest.json", dir);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fprintf(f, "{\"name\": \"s\", \"models\": [{\"role\": \"detector\", \"family\": \"scrfd\", "
                "\"file\": \"junk.onnx\", \"sha256\": "
                "\"6c6ba7956684796d7d582bfa1ab95dfe01dd280159f6bff1e23c1bc32bcc8431\", \"licence\": \"research\"}, "
                "{\"role\": \"embedder\", \"file\": \"fr_feature.onnx\", \"sha256\": \"" SHA_EMB "\", "
                "\"licence\": \"MIT\", " EMB_FACTS("112", "RGB", "512") "}]}");
        fclose(f);
        expect_refusal(dir, VG_ERR_UNSUPPORTED, "no backend for the scrfd detector family");
        unlink(to);
    }

    /* without a manifest, an unknown model file refuses the directory */
    char p[1200];
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    unlink(p);
    assert_int_equal(open_dir(dir, NULL, &pack, &err), VG_OK);
    assert_string_equal(vg_face_pack_name(pack), "default");
    vg_face_pack_close(pack);
    snprintf(p, sizeof p, "%s/junk.onnx", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("not a model", f);
    fclose(f);
    expect_refusal(dir, VG_ERR_UNSUPPORTED, "junk.onnx is not a model vigil knows");
    vg_face_listing *listing = NULL;
    assert_int_equal(vg_face_listing_open(dir, &listing, &err), VG_OK);
    int unknown = 0;
    for (int i = 0; vg_face_listing_model(listing, i, &m); i++)
        unknown += strcmp(m.state, "unknown") == 0 && strcmp(m.file, "junk.onnx") == 0;
    assert_int_equal(unknown, 1);
    vg_face_listing_free(listing);
    remove_dir(dir);
}

/* Runs scripts/make_test_embedder.py into out (with --nhwc: NHWC input too);
 * 0 ok, 77 skipped. */
static int make_bgr_pack(const char *out, int nhwc)
{
    const char *src = getenv("VIGIL_SRC");
    if (!src || access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "VIGIL_SRC unset or /usr/bin/python3 absent: skipping\n");
        return 77;
    }
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/scripts/make_test_embedder.py' '%s' '%s'%s >/dev/null", src,
             models_dir(), out, nhwc ? " --nhwc" : "");
    int rc = system(cmd);
    rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    if (rc == 77)
        fprintf(stderr, "python3-onnx is absent (Debian's /usr/bin/python3 has it): skipping\n");
    return rc;
}

/* Writes a copy of text with the first `from` replaced by `to` to path. */
static void write_replaced(const char *path, const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    fclose(f);
}

/* An unknown embedder is checked against its model: a wrong dim, a wrong
 * input size or layout is refused, naming the field. */
static void expect_model_checks(const char *out)
{
    char path[1200], text[8192];
    snprintf(path, sizeof path, "%s/manifest.json", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    write_replaced(path, text, "\"dim\": 512", "\"dim\": 256");
    expect_refusal(out, VG_ERR_UNSUPPORTED, "models[3].dim: ");
    write_replaced(path, text, "\"width\": 112", "\"width\": 128");
    expect_refusal(out, VG_ERR_UNSUPPORTED, "models[3].input, .layout: ");
    write_replaced(path, text, "\"NCHW\"", "\"NHWC\"");
    expect_refusal(out, VG_ERR_UNSUPPORTED, "models[3].input, .layout: ");
    write_replaced(path, text, "\"dim\": 512", "\"dim\": 512");  /* as it was */
}

static void test_second_embedder_same_decisions(void **state)
{
    (void)state;
    const char *data = vg_test_data_dir();
    VG_SKIP_UNLESS(data);
    char path[1200];
    snprintf(path, sizeof path, "%s/lfw/pairs.txt", data);
    FILE *pairs = fopen(path, "r");
    if (!pairs)
        fprintf(stderr, "%s is absent: skipping\n", path);
    VG_SKIP_UNLESS(pairs);
    const char *out = "pack_bgr_pm1";  /* in the test's build directory */
    int rc = make_bgr_pack(out, 0);
    if (rc == 77)
        fclose(pairs);
    VG_SKIP_UNLESS(rc != 77);
    assert_int_equal(rc, 0);

    vg_face_pack *def = NULL, *bgr = NULL;
    vg_err err;
    vg_face_config cfg = {.models_dir = models_dir()};
    assert_int_equal(vg_face_pack_open(&cfg, &def, &err), VG_OK);
    cfg.models_dir = out;
    if (vg_face_pack_open(&cfg, &bgr, &err) != VG_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(vg_face_pack_name(bgr), "test-bgr-pm1");
    assert_string_not_equal(vg_face_pack_model_id(bgr), vg_face_pack_model_id(def));
    assert_non_null(strstr(vg_face_pack_model_id(bgr), "test_embedder_bgr.onnx:"));
    int dim = vg_face_pack_dim(def);
    assert_int_equal(vg_face_pack_dim(bgr), dim);

    int folds, per;
    assert_int_equal(fscanf(pairs, "%d %d", &folds, &per), 2);
    float *e[2][2];
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 2; k++)
            assert_non_null(e[s][k] = malloc((size_t)dim * sizeof(float)));
    const float t = VG_FACE_VERIFY_THRESHOLD_DEFAULT;
    int compared = 0, agree = 0, same_above = 0;
    double max_diff = 0;
    for (int i = 0; i < 2 * per; i++) {
        char na[96], nb[96];
        int ka, kb;
        if (i < per) {
            assert_int_equal(fscanf(pairs, "%95s %d %d", na, &ka, &kb), 3);
            strcpy(nb, na);
        } else {
            assert_int_equal(fscanf(pairs, "%95s %d %95s %d", na, &ka, nb, &kb), 4);
        }
        if (!(i < PAIRS_SAME || (i >= per && i < per + PAIRS_DIFF)))
            continue;
        const char *names[2] = {na, nb};
        int nums[2] = {ka, kb};
        for (int s = 0; s < 2; s++) {
            snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_%04d.jpg", data, names[s], names[s],
                     nums[s]);
            vg_image *img = NULL;
            vg_face face;
            assert_int_equal(vg_image_decode_file(path, 0, &img, &err), VG_OK);
            /* one detection; the two embedders see the same aligned face */
            assert_int_equal(vg_face_embed_main(def, img, VG_FACE_PICK_CENTRAL, e[0][s], &face, &err), VG_OK);
            assert_int_equal(vg_face_embed_face(bgr, img, &face, e[1][s], &err), VG_OK);
            vg_image_free(img);
        }
        double cos[2] = {0, 0};
        for (int k = 0; k < 2; k++)
            for (int d = 0; d < dim; d++)
                cos[k] += (double)e[k][0][d] * e[k][1][d];
        double diff = fabs(cos[0] - cos[1]);
        if (diff > max_diff)
            max_diff = diff;
        agree += (cos[0] >= t) == (cos[1] >= t);
        same_above += i < per && cos[1] >= t;
        compared++;
    }
    fclose(pairs);
    fprintf(stderr, "second embedder on %d LFW pairs: %d of %d decisions agree at %.3f, largest cosine "
            "difference %.2e; %d of %d same-person pairs above the threshold\n", compared, agree, compared,
            (double)t, max_diff, same_above, PAIRS_SAME);
    assert_int_equal(compared, PAIRS_SAME + PAIRS_DIFF);
    assert_int_equal(agree, compared);
    assert_true(max_diff < 1e-3);
    assert_true(same_above >= PAIRS_SAME * 9 / 10);  /* the decisions are real ones, not all alike */
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 2; k++)
            free(e[s][k]);
    vg_face_pack_close(def);
    vg_face_pack_close(bgr);
    expect_model_checks(out);
}

/* The same embedder taking NHWC input (a Transpose prepended) and a
 * manifest saying so: the same templates as the default pack's. */
static void test_nhwc_embedder_same_templates(void **state)
{
    (void)state;
    const char *data = vg_test_data_dir();
    VG_SKIP_UNLESS(data);
    char path[1200];
    snprintf(path, sizeof path, "%s/lfw/lfw-names.txt", data);
    FILE *names = fopen(path, "r");
    if (!names)
        fprintf(stderr, "%s is absent: skipping\n", path);
    VG_SKIP_UNLESS(names);
    const char *out = "pack_bgr_pm1_nhwc";
    int rc = make_bgr_pack(out, 1);
    if (rc == 77)
        fclose(names);
    VG_SKIP_UNLESS(rc != 77);
    assert_int_equal(rc, 0);
    vg_face_pack *def = NULL, *nhwc = NULL;
    vg_err err;
    vg_face_config cfg = {.models_dir = models_dir()};
    assert_int_equal(vg_face_pack_open(&cfg, &def, &err), VG_OK);
    cfg.models_dir = out;
    if (vg_face_pack_open(&cfg, &nhwc, &err) != VG_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(vg_face_pack_name(nhwc), "test-bgr-pm1-nhwc");
    int dim = vg_face_pack_dim(def);
    float *a = malloc((size_t)dim * sizeof(float)), *b = malloc((size_t)dim * sizeof(float));
    assert_true(a && b);
    char name[96];
    int count, done = 0;
    double worst = 1;
    while (done < 20 && fscanf(names, "%95s %d", name, &count) == 2) {
        snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_0001.jpg", data, name, name);
        vg_image *img = NULL;
        vg_face face;
        assert_int_equal(vg_image_decode_file(path, 0, &img, &err), VG_OK);
        assert_int_equal(vg_face_embed_main(def, img, VG_FACE_PICK_CENTRAL, a, &face, &err), VG_OK);
        assert_int_equal(vg_face_embed_face(nhwc, img, &face, b, &err), VG_OK);
        vg_image_free(img);
        double cos = 0;
        for (int d = 0; d < dim; d++)
            cos += (double)a[d] * b[d];
        worst = cos < worst ? cos : worst;
        done++;
    }
    fclose(names);
    fprintf(stderr, "NHWC embedder: %d LFW faces, lowest cosine to the default template %.7f\n", done, worst);
    assert_int_equal(done, 20);
    assert_true(worst > 0.99999);
    free(a);
    free(b);
    vg_face_pack_close(def);
    vg_face_pack_close(nhwc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_opens_and_refuses),
        cmocka_unit_test(test_second_embedder_same_decisions),
        cmocka_unit_test(test_nhwc_embedder_same_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
