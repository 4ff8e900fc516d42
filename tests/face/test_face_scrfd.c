/* test_face_scrfd.c — the SCRFD backend (--detector scrfd:PATH) on real
 * LFW photos with ../shared/data/models/scrfd_500m_bnkps.onnx: the face on
 * the image centre, where LFW puts its subject, found in >= 99 % of 500
 * photos of 500 people (more faces in a photo are counted and printed, not
 * failed: SCRFD finds the real faces of people standing behind); its five
 * points inside the box and in order (eyes
 * above the nose above the mouth, image-left first); same-person pairs
 * scoring above different-person ones through the embedder; and a model
 * that is not SCRFD refused with a clear message. Skips with a message when
 * the data is absent. */
#include "vg_test.h"

#include <math.h>

#include "vigil/face.h"
#include "vigil/match.h"

#define LFW_IMAGES 500

typedef struct fixture {
    vg_face_pack *pack;
} fixture;

static int setup(void **state)
{
    static fixture f;
    *state = &f;
    char model[1024], spec[1100];
    if (!vg_test_data(model, sizeof model, "models/scrfd_500m_bnkps.onnx"))
        return 0; /* each test skips */
    snprintf(spec, sizeof spec, "scrfd:%s", model);
    vg_face_config cfg = {.detector = spec};
    vg_err err;
    if (vg_face_pack_open(&cfg, &f.pack, &err) != VG_OK) {
        fprintf(stderr, "cannot open the pack with %s: %s\n", spec, err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_face_pack_close(f->pack);
    return 0;
}

static const char *lfw_path(char *buf, size_t len, const char *dir, const char *name, int k)
{
    snprintf(buf, len, "%s/lfw/images_deepfunneled/%s/%s_%04d.jpg", dir, name, name, k);
    return buf;
}

/* The first n names of lfw-names.txt ("Name count" lines). */
static int lfw_names(const char *dir, char (*names)[96], int n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw/lfw-names.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int k = 0, count;
    while (k < n && fscanf(f, "%95s %d", names[k], &count) == 2)
        k++;
    fclose(f);
    return k;
}

static int inside(const vg_face *f, vg_point p)
{
    return p.x >= f->x1 && p.x <= f->x2 && p.y >= f->y1 && p.y <= f->y2;
}

/* The five points of a face: inside the box, image-left eye and mouth
 * corner first, eyes above the nose, nose above the mouth. (Not the nose
 * between the eyes: in a profile it is rightly beyond the far eye.) */
static int points_in_order(const vg_face *f)
{
    const vg_point *p = f->lm;
    for (int j = 0; j < VG_LM_COUNT; j++)
        if (!inside(f, p[j]))
            return 0;
    return p[VG_LM_EYE_L].x < p[VG_LM_EYE_R].x && p[VG_LM_MOUTH_L].x < p[VG_LM_MOUTH_R].x &&
           fmaxf(p[VG_LM_EYE_L].y, p[VG_LM_EYE_R].y) < p[VG_LM_NOSE].y &&
           p[VG_LM_NOSE].y < fminf(p[VG_LM_MOUTH_L].y, p[VG_LM_MOUTH_R].y);
}

static void test_lfw_central_face(void **state)
{
    fixture *fx = *state;
    const char *dir = vg_test_data_dir();
    VG_SKIP_UNLESS(dir && fx->pack);
    assert_string_equal(vg_face_pack_detector(fx->pack), "scrfd");
    static char names[LFW_IMAGES][96];
    int n = lfw_names(dir, names, LFW_IMAGES);
    VG_SKIP_UNLESS(n == LFW_IMAGES);
    int central = 0, only = 0, ordered = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        vg_image *img = NULL;
        vg_err err;
        assert_int_equal(vg_image_decode_file(lfw_path(path, sizeof path, dir, names[i], 1), 0, &img, &err),
                         VG_OK);
        vg_face *faces = NULL;
        int nf = 0;
        assert_int_equal(vg_face_detect(fx->pack, img, &faces, &nf, &err), VG_OK);
        vg_point centre = {img->width / 2.0f, img->height / 2.0f};
        int k = vg_face_pick_main(faces, nf, img->width, img->height, VG_FACE_PICK_CENTRAL);
        only += nf == 1;
        if (k >= 0 && inside(&faces[k], centre)) {
            central++;
            if (points_in_order(&faces[k]))
                ordered++;
            else
                fprintf(stderr, "%s: five points out of place\n", path);
        } else {
            fprintf(stderr, "%s: no central face (%d faces)\n", path, nf);
        }
        free(faces);
        vg_image_free(img);
    }
    fprintf(stderr,
            "scrfd: central face in %d of %d LFW photos (the only face in %d), five points in order in %d\n",
            central, n, only, ordered);
    assert_true(central * 100 >= 99 * n);
    assert_true(ordered * 100 >= 99 * n);
}

/* The points are good enough to align by: the first 100 genuine and 100
 * impostor pairs of pairs.txt separate (AUC > 0.99). */
static void test_lfw_pairs(void **state)
{
    fixture *fx = *state;
    const char *dir = vg_test_data_dir();
    VG_SKIP_UNLESS(dir && fx->pack);
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw/pairs.txt", dir);
    FILE *f = fopen(path, "r");
    VG_SKIP_UNLESS(f);
    int folds, per;
    assert_int_equal(fscanf(f, "%d %d", &folds, &per), 2);
    int dim = vg_face_pack_dim(fx->pack);
    float *a = malloc((size_t)dim * sizeof(float)), *b = malloc((size_t)dim * sizeof(float));
    enum { PAIRS = 100 };
    double gen[PAIRS], imp[PAIRS];
    for (int i = 0; i < 2 * per; i++) {
        char na[96], nb[96];
        int ka, kb;
        if (i < per) {
            assert_int_equal(fscanf(f, "%95s %d %d", na, &ka, &kb), 3);
            strcpy(nb, na);
        } else {
            assert_int_equal(fscanf(f, "%95s %d %95s %d", na, &ka, nb, &kb), 4);
        }
        if ((i < per && i >= PAIRS) || i >= per + PAIRS)
            continue;
        const char *who[2] = {na, nb};
        int num[2] = {ka, kb};
        float *out[2] = {a, b};
        for (int s = 0; s < 2; s++) {
            vg_image *img = NULL;
            vg_err err;
            assert_int_equal(vg_image_decode_file(lfw_path(path, sizeof path, dir, who[s], num[s]), 0, &img, &err),
                             VG_OK);
            assert_int_equal(vg_face_embed_main(fx->pack, img, VG_FACE_PICK_CENTRAL, out[s], NULL, &err), VG_OK);
            vg_image_free(img);
        }
        double c = vg_cosine(a, b, dim);
        if (i < per)
            gen[i] = c;
        else
            imp[i - per] = c;
    }
    fclose(f);
    long above = 0;
    for (int i = 0; i < PAIRS; i++)
        for (int j = 0; j < PAIRS; j++)
            above += gen[i] > imp[j];
    double auc = (double)above / (PAIRS * PAIRS);
    fprintf(stderr, "scrfd: AUC %.4f on the first %d genuine and %d impostor pairs\n", auc, PAIRS, PAIRS);
    assert_true(auc > 0.99);
    free(a);
    free(b);
}

/* Another model given as scrfd is refused: a model vigil knows by its
 * SHA-256 (YuNet here) by its family, before the backend looks at it. */
static void test_not_scrfd(void **state)
{
    (void)state;
    char model[1024], spec[1100];
    VG_SKIP_UNLESS(vg_test_data(model, sizeof model, "models/yunet_s_dynamic.onnx"));
    snprintf(spec, sizeof spec, "scrfd:%s", model);
    vg_face_config cfg = {.detector = spec};
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_face_pack_open(&cfg, &pack, &err), VG_ERR_UNSUPPORTED);
    assert_null(pack);
    assert_non_null(strstr(err.msg, "of the yunet family"));
    assert_non_null(strstr(err.msg, "not scrfd"));
    vg_face_config none = {.detector = "scrfd"};
    assert_int_equal(vg_face_pack_open(&none, &pack, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "scrfd:PATH"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lfw_central_face),
        cmocka_unit_test(test_lfw_pairs),
        cmocka_unit_test(test_not_scrfd),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
