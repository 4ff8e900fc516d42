/* test_face_landmark_fit.c — the ways of running the 68-point landmarker
 * (vg_landmark_fit) and test-time alignment jitter
 * (vg_face_embed_face_jitter), on real LFW photos:
 *   - mirror: the fit of a mirrored photo is the mirror of the photo's fit
 *     (much more so than a single fit's);
 *   - refine: the points depend less on where the detector put its box
 *     (the box moved and resized, the points move less than a single fit's);
 *   - jitter: normalised, close to the plain embedding, framing 0 alone is
 *     the plain embedding, bad counts refused;
 *   - the pack refuses an unknown fit.
 * Skips with a message when the data is absent. */
#include "vg_test.h"

#include <math.h>
#include <string.h>

#include "face/landmark.h"
#include "face/pack_internal.h"
#include "vigil/face.h"

#define N_PHOTOS 40

typedef struct fixture {
    vg_face_pack *pack;
    char names[N_PHOTOS][96];
    int n;
} fixture;

static int setup(void **state)
{
    static fixture f;
    vg_err err;
    vg_face_config cfg = {0};
    if (vg_face_pack_open(&cfg, &f.pack, &err) != VG_OK) {
        fprintf(stderr, "cannot open the model pack: %s\n", err.msg);
        return -1;
    }
    f.n = 0;
    const char *dir = vg_test_data_dir();
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/lfw/lfw-names.txt", dir);
        FILE *fp = fopen(path, "r");
        int count;
        /* every 50th name: a spread of people, not the first letters only */
        for (int line = 0; fp && f.n < N_PHOTOS && fscanf(fp, "%95s %d", f.names[f.n], &count) == 2; line++)
            if (line % 50 == 0)
                f.n++;
        if (fp)
            fclose(fp);
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_face_pack_close(f->pack);
    return 0;
}

/* Photo i's image and its central face (the detector's box); 0 when none. */
static int load(const fixture *fx, int i, vg_image **img, vg_face *face)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_0001.jpg", vg_test_data_dir(), fx->names[i],
             fx->names[i]);
    vg_err err;
    assert_int_equal(vg_image_decode_file(path, 0, img, &err), VG_OK);
    vg_face *faces = NULL;
    int n = 0;
    assert_int_equal(vg_face_detect(fx->pack, *img, &faces, &n, &err), VG_OK);
    int k = vg_face_pick_main(faces, n, (*img)->width, (*img)->height, VG_FACE_PICK_CENTRAL);
    if (k >= 0)
        *face = faces[k];
    free(faces);
    return k >= 0;
}

static vg_image *mirrored(const vg_image *src)
{
    vg_image *m = NULL;
    vg_err err;
    assert_int_equal(vg_image_new(src->width, src->height, &m, &err), VG_OK);
    for (int y = 0; y < src->height; y++)
        for (int x = 0; x < src->width; x++)
            memcpy(m->data + (size_t)y * (size_t)m->stride + 3 * (size_t)(src->width - 1 - x),
                   src->data + (size_t)y * (size_t)src->stride + 3 * (size_t)x, 3);
    return m;
}

static double eye_dist(const vg_point p[68])
{
    vg_point lm[VG_LM_COUNT];
    vg_landmark_68_to_5(p, lm);
    return hypot(lm[VG_LM_EYE_R].x - lm[VG_LM_EYE_L].x, lm[VG_LM_EYE_R].y - lm[VG_LM_EYE_L].y);
}

/* The iBUG 68 mirror map, written here from the scheme's layout (not
 * copied from landmark.c): jaw 0-16, brows 17-26, nose 27-35, eyes 36-47,
 * lips 48-67. */
static int mirror_of(int i)
{
    if (i <= 16)
        return 16 - i;
    if (i <= 26)
        return 43 - i;
    if (i <= 30)
        return i;
    if (i <= 35)
        return 66 - i;
    if (i <= 47) {
        static const int eye[12] = {45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40};
        return eye[i - 36];
    }
    if (i <= 59) {
        static const int lip[12] = {54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55};
        return lip[i - 48];
    }
    static const int in[8] = {64, 63, 62, 61, 60, 67, 66, 65};
    return in[i - 60];
}

/* Mean distance, in eye distances, between a photo's fit and the mirror of
 * its mirrored photo's fit. */
static double mirror_error(const fixture *fx, int fit, int *used)
{
    double sum = 0;
    *used = 0;
    for (int i = 0; i < fx->n; i++) {
        vg_image *img = NULL;
        vg_face f;
        if (!load(fx, i, &img, &f)) {
            vg_image_free(img);
            continue;
        }
        vg_image *m = mirrored(img);
        vg_face g = f;
        g.x1 = (float)img->width - f.x2;
        g.x2 = (float)img->width - f.x1;
        vg_point p[68], q[68];
        vg_err err;
        assert_int_equal(vg_landmark_fit(fx->pack->landmark, img, &f, fit, p, &err), VG_OK);
        assert_int_equal(vg_landmark_fit(fx->pack->landmark, m, &g, fit, q, &err), VG_OK);
        double d = 0;
        for (int k = 0; k < 68; k++) {
            const vg_point *r = &q[mirror_of(k)];
            d += hypot(p[k].x - ((float)img->width - r->x), p[k].y - r->y);
        }
        sum += d / 68 / eye_dist(p);
        (*used)++;
        vg_image_free(m);
        vg_image_free(img);
    }
    return *used ? sum / *used : 0;
}

static void test_mirror_fit_is_mirror_symmetric(void **state)
{
    fixture *fx = *state;
    VG_SKIP_UNLESS(fx->n == N_PHOTOS);
    int used_once, used_mirror;
    double once = mirror_error(fx, 0, &used_once), mirror = mirror_error(fx, VG_FACE_FIT_MIRROR, &used_mirror);
    fprintf(stderr, "fit of the mirrored photo against the photo's, eye distances: once %.4f, mirror %.4f (%d photos)\n",
            once, mirror, used_mirror);
    assert_true(used_once >= N_PHOTOS - 2 && used_mirror == used_once);
    assert_true(once > 0.005);
    assert_true(mirror < once / 3);
}

/* Mean movement of the five alignment points, in eye distances, when the
 * detector's box is moved by a twentieth of its size and grown by 8 %. */
static double box_sensitivity(const fixture *fx, int fit, int *used)
{
    static const float moves[4][3] = {{0.05f, 0, 1}, {0, 0.05f, 1}, {-0.05f, -0.05f, 1.08f}, {0, 0, 0.92f}};
    double sum = 0;
    *used = 0;
    for (int i = 0; i < fx->n; i++) {
        vg_image *img = NULL;
        vg_face f;
        if (!load(fx, i, &img, &f)) {
            vg_image_free(img);
            continue;
        }
        vg_point p[68], lm[VG_LM_COUNT];
        vg_err err;
        assert_int_equal(vg_landmark_fit(fx->pack->landmark, img, &f, fit, p, &err), VG_OK);
        vg_landmark_68_to_5(p, lm);
        double eye = eye_dist(p), d = 0;
        for (int k = 0; k < 4; k++) {
            float w = f.x2 - f.x1, h = f.y2 - f.y1;
            float cx = (f.x1 + f.x2) / 2 + moves[k][0] * w, cy = (f.y1 + f.y2) / 2 + moves[k][1] * h;
            vg_face g = f;
            g.x1 = cx - w * moves[k][2] / 2;
            g.x2 = cx + w * moves[k][2] / 2;
            g.y1 = cy - h * moves[k][2] / 2;
            g.y2 = cy + h * moves[k][2] / 2;
            vg_point q[68], lq[VG_LM_COUNT];
            assert_int_equal(vg_landmark_fit(fx->pack->landmark, img, &g, fit, q, &err), VG_OK);
            vg_landmark_68_to_5(q, lq);
            for (int j = 0; j < VG_LM_COUNT; j++)
                d += hypot(lm[j].x - lq[j].x, lm[j].y - lq[j].y) / eye;
        }
        sum += d / (4 * VG_LM_COUNT);
        (*used)++;
        vg_image_free(img);
    }
    return *used ? sum / *used : 0;
}

static void test_refine_depends_less_on_the_box(void **state)
{
    fixture *fx = *state;
    VG_SKIP_UNLESS(fx->n == N_PHOTOS);
    int used_once, used_refine;
    double once = box_sensitivity(fx, 0, &used_once), refine = box_sensitivity(fx, VG_FACE_FIT_REFINE, &used_refine);
    fprintf(stderr, "five points' movement when the box moves, eye distances: once %.4f, refine %.4f (%d photos)\n",
            once, refine, used_refine);
    assert_true(used_once >= N_PHOTOS - 2 && used_refine == used_once);
    assert_true(once > 0.005);
    assert_true(refine < once * 0.75);
}

static void test_jitter_embedding(void **state)
{
    fixture *fx = *state;
    VG_SKIP_UNLESS(fx->n == N_PHOTOS);
    int dim = vg_face_pack_dim(fx->pack);
    float *plain = malloc((size_t)dim * sizeof *plain), *j = malloc((size_t)dim * sizeof *j);
    int used = 0;
    double worst = 1;
    for (int i = 0; i < 10; i++) {
        vg_image *img = NULL;
        vg_face f;
        vg_err err;
        if (!load(fx, i, &img, &f)) {
            vg_image_free(img);
            continue;
        }
        assert_int_equal(vg_face_embed_face(fx->pack, img, &f, plain, &err), VG_OK);
        /* framing 0 alone, no mirror: the plain embedding, exactly */
        assert_int_equal(vg_face_embed_face_jitter(fx->pack, img, &f, 1, 0, j, &err), VG_OK);
        assert_memory_equal(plain, j, (size_t)dim * sizeof *j);
        for (int flip = 0; flip <= 1; flip++) {
            assert_int_equal(vg_face_embed_face_jitter(fx->pack, img, &f, VG_FACE_JITTER_MAX, flip, j, &err), VG_OK);
            double norm = 0, dot = 0;
            for (int k = 0; k < dim; k++) {
                norm += (double)j[k] * j[k];
                dot += (double)j[k] * plain[k];
            }
            assert_true(fabs(norm - 1) < 1e-4);
            worst = fmin(worst, dot);
            /* the average moved from the plain one: the framings differ */
            assert_true(dot < 0.9999);
        }
        used++;
        vg_image_free(img);
    }
    fprintf(stderr, "jittered against plain embedding: lowest cosine %.4f (%d photos)\n", worst, used);
    assert_true(used >= 8);
    assert_true(worst > 0.9);
    /* bad counts change nothing and say why */
    vg_image *img = NULL;
    vg_face f;
    assert_true(load(fx, 0, &img, &f));
    vg_err err = {{0}};
    for (int k = 0; k < dim; k++)
        j[k] = 7;
    assert_int_equal(vg_face_embed_face_jitter(fx->pack, img, &f, 0, 0, j, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "framings"));
    assert_int_equal(vg_face_embed_face_jitter(fx->pack, img, &f, VG_FACE_JITTER_MAX + 1, 1, j, &err),
                     VG_ERR_INVALID);
    assert_true(j[0] == 7 && j[dim - 1] == 7);
    vg_image_free(img);
    free(plain);
    free(j);
}

static void test_pack_refuses_unknown_fit(void **state)
{
    (void)state;
    vg_face_config cfg = {.landmark_fit = 4};
    vg_face_pack *p = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_face_pack_open(&cfg, &p, &err), VG_ERR_INVALID);
    assert_null(p);
    assert_non_null(strstr(err.msg, "landmark_fit"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mirror_fit_is_mirror_symmetric),
        cmocka_unit_test(test_refine_depends_less_on_the_box),
        cmocka_unit_test(test_jitter_embedding),
        cmocka_unit_test(test_pack_refuses_unknown_fit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
