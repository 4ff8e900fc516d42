/* test_eval_cache.c — the evaluation cache of `eval groups --cache`
 * (src/eval/cache.c): what is written is read back (embeddings, face flags,
 * front-end figures), keyed by the path under the data set's folder; a
 * second write keeps the entries it did not embed; a cache of another
 * model, detector, flip setting or dimension is refused; a truncated or
 * damaged file is refused with a clear error and its bytes stay as they
 * were; a missing file is an empty cache. */
#include "vg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/eval.h"

#define DIM 4
#define MODEL "w600k_r50.onnx:4c06341c33c2ca1f86781dab0e829f88ad5b64be9fba56e56bc9ebdefc619e43"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void write_all(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* Three images under /data: two of A (the second without a face), one of B. */
static void make_images(vg_eval_images *im, char **paths, float *emb, unsigned char *ok, vg_face *face)
{
    static const char *const p[] = {"/data/A/A_0001.jpg", "/data/A/A_0002.jpg", "/data/B/B_0001.jpg"};
    memset(im, 0, sizeof *im);
    memset(face, 0, 3 * sizeof *face);
    for (int i = 0; i < 3; i++) {
        paths[i] = (char *)p[i];
        for (int d = 0; d < DIM; d++)
            emb[i * DIM + d] = (float)(i * 10 + d) / 100.0f;
        ok[i] = i != 1;
        face[i].quality.score = 0.5f + (float)i / 10;
        face[i].quality.yaw = -0.25f * (float)i;
        face[i].check.drift = 0.03f;
        face[i].check.context_pass = i == 2;
    }
    im->paths = paths, im->n = 3, im->emb = emb, im->ok = ok, im->face = face, im->dim = DIM;
}

static void round_trip(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/vg_cache_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char path[256];
    snprintf(path, sizeof path, "%s/lfw.cache", tmpl);
    vg_err err = {{0}};
    vg_eval_cache c;
    int found = 1;
    /* missing: an empty cache */
    assert_int_equal(vg_eval_cache_read(path, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_OK);
    assert_int_equal(found, 0);
    assert_int_equal(c.n, 0);

    char *paths[3];
    float emb[3 * DIM];
    unsigned char ok[3];
    vg_face face[3];
    vg_eval_images im;
    make_images(&im, paths, emb, ok, face);
    assert_int_equal(vg_eval_cache_write(path, NULL, "/data/", &im, MODEL, "rfb", 0, &err), VG_OK);
    assert_int_equal(vg_eval_cache_read(path, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_OK);
    assert_int_equal(found, 1);
    assert_int_equal(c.n, 3);
    const vg_eval_cache_entry *e = vg_eval_cache_find(&c, "B/B_0001.jpg");
    assert_non_null(e);
    assert_int_equal(e->ok, 1);
    assert_int_equal(e->context_pass, 1);
    assert_float_equal(e->stage[0], 0.7, 1e-6);
    assert_float_equal(e->stage[3], -0.5, 1e-6);
    assert_memory_equal(e->emb, emb + 2 * DIM, DIM * sizeof(float));
    assert_null(vg_eval_cache_find(&c, "/data/B/B_0001.jpg"));

    /* applied to the same images under another spelling of the folder */
    char *paths2[3] = {"/data/A/A_0001.jpg", "/data/C/C_0001.jpg", "/data/A/A_0002.jpg"};
    float emb2[3 * DIM] = {0};
    unsigned char ok2[3] = {0}, have[3];
    vg_face face2[3];
    vg_eval_images im2 = {.paths = paths2, .n = 3, .emb = emb2, .ok = ok2, .face = face2, .dim = DIM};
    assert_int_equal(vg_eval_cache_apply(&c, "/data", &im2, have), 2);
    assert_int_equal(have[0], 1);
    assert_int_equal(have[1], 0);
    assert_int_equal(have[2], 1);
    assert_int_equal(ok2[0], 1);
    assert_int_equal(ok2[2], 0);
    assert_memory_equal(emb2, emb, DIM * sizeof(float));
    assert_float_equal(face2[0].quality.score, 0.5, 1e-6);
    assert_float_equal(face2[0].check.drift, 0.03, 1e-6);

    /* written again with C: A and B kept, C added, the A images from im2 */
    emb2[DIM] = 0.5f, ok2[1] = 1;
    assert_int_equal(vg_eval_cache_write(path, &c, "/data", &im2, MODEL, "rfb", 0, &err), VG_OK);
    vg_eval_cache_free(&c);
    assert_int_equal(vg_eval_cache_read(path, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_OK);
    assert_int_equal(c.n, 4);
    assert_non_null(vg_eval_cache_find(&c, "B/B_0001.jpg"));
    assert_float_equal(vg_eval_cache_find(&c, "C/C_0001.jpg")->emb[0], 0.5, 1e-6);
    vg_eval_cache_free(&c);

    /* another model, detector, flip setting or dimension: refused, the file unchanged */
    size_t len0, len1;
    char *before = read_all(path, &len0);
    assert_int_equal(vg_eval_cache_read(path, "other.onnx:00ff", "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "another model (" MODEL ")"));
    assert_int_equal(vg_eval_cache_read(path, MODEL, "yunet", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "detector rfb, not yunet"));
    assert_int_equal(vg_eval_cache_read(path, MODEL, "rfb", 1, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "without flip augmentation"));
    assert_int_equal(vg_eval_cache_read(path, MODEL, "rfb", 0, 512, &c, &found, &err), VG_ERR_INVALID);
    assert_int_equal(c.n, 0);
    char *after = read_all(path, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(after);

    /* truncated, damaged, too short, not a cache: refused with a clear error */
    char bad[256];
    snprintf(bad, sizeof bad, "%s/bad.cache", tmpl);
    write_all(bad, before, len0 - 7);
    assert_int_equal(vg_eval_cache_read(bad, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "damaged or truncated"));
    before[len0 / 2] ^= 0x10;
    write_all(bad, before, len0);
    assert_int_equal(vg_eval_cache_read(bad, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "damaged or truncated"));
    write_all(bad, before, 12);
    assert_int_equal(vg_eval_cache_read(bad, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a vigil evaluation cache"));
    write_all(bad, "person,group\nA,x\nB,y\nC,z\nD,w\nE,v\nF,u\n", 38);
    assert_int_equal(vg_eval_cache_read(bad, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a vigil evaluation cache"));
    free(before);
    /* a directory is not a cache */
    assert_int_equal(vg_eval_cache_read(tmpl, MODEL, "rfb", 0, DIM, &c, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "is not a file"));

    remove(bad);
    remove(path);
    rmdir(tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
