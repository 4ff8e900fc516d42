/* test_face_exif.c — phone photos as they come: LFW photos stored turned or
 * mirrored (all eight EXIF orientations, among them the 90° turns a phone
 * held sideways gives) and tagged with the orientation that undoes it,
 * re-encoded as JPEG by TurboJPEG at quality 100. Decoded, the face is
 * found upright, in the same place as in the original, with the same
 * embedding (cosine > 0.99). Skips with a message when ../shared/data is
 * absent. */
#include "image/exif_fixtures.h"

#include <math.h>

#include "vigil/face.h"
#include "vigil/match.h"

#define PHOTOS 12

static const char *const people[PHOTOS] = {
    "Aaron_Eckhart", "Colin_Powell",   "George_W_Bush",  "Serena_Williams",
    "Tony_Blair",    "Gloria_Macapagal_Arroyo", "Jennifer_Lopez", "Kofi_Annan",
    "Hugo_Chavez",   "Venus_Williams", "Laura_Bush",     "Ariel_Sharon",
};

typedef struct fixture {
    vg_face_pack *pack;
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
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_face_pack_close(f->pack);
    return 0;
}

/* The central face of img and its embedding into emb; fails the test when
 * no face is found. */
static vg_face main_face(const vg_face_pack *pack, const vg_image *img, float *emb,
                         const char *what)
{
    vg_face face;
    vg_err err = {{0}};
    if (vg_face_embed_main(pack, img, VG_FACE_PICK_CENTRAL, emb, &face, &err) != VG_OK)
        fail_msg("%s: %s", what, err.msg);
    return face;
}

static void test_lfw_tagged_upright(void **state)
{
    fixture *fx = *state;
    const char *dir = vg_test_data_dir();
    VG_SKIP_UNLESS(dir);
    int dim = vg_face_pack_dim(fx->pack);
    float *orig = malloc((size_t)dim * sizeof(float)), *got = malloc((size_t)dim * sizeof(float));
    assert_non_null(orig);
    assert_non_null(got);
    double worst_cos = 1, worst_shift = 0;
    int checked = 0;
    for (int i = 0; i < PHOTOS; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_0001.jpg", dir, people[i],
                 people[i]);
        vg_image *up = NULL;
        vg_err err = {{0}};
        if (vg_image_decode_file(path, 0, &up, &err) != VG_OK) {
            fprintf(stderr, "%s absent: skipping\n", path);
            free(orig);
            free(got);
            skip();
        }
        vg_face f0 = main_face(fx->pack, up, orig, path);
        for (int o = 1; o <= 8; o++) {
            vg_image *stored = fx_stored_for(up, o);
            size_t len;
            uint8_t *jpeg = fx_jpeg_tagged(stored, 100, (unsigned)o, o % 2, &len);
            vg_image *img = NULL;
            if (vg_image_decode_mem(jpeg, len, 0, &img, &err) != VG_OK)
                fail_msg("%s, orientation %d: %s", people[i], o, err.msg);
            assert_int_equal(img->width, up->width);
            assert_int_equal(img->height, up->height);
            char what[160];
            snprintf(what, sizeof what, "%s, orientation %d", people[i], o);
            vg_face f = main_face(fx->pack, img, got, what);
            double c = vg_cosine(orig, got, dim);
            /* The box in upright coordinates: its centre where the original's is. */
            double shift = hypot((f.x1 + f.x2 - f0.x1 - f0.x2) / 2, (f.y1 + f.y2 - f0.y1 - f0.y2) / 2);
            if (c <= 0.99 || shift > 4)
                fail_msg("%s: cosine %.4f to the original, box centre %.1f px away", what, c, shift);
            worst_cos = c < worst_cos ? c : worst_cos;
            worst_shift = shift > worst_shift ? shift : worst_shift;
            checked++;
            vg_image_free(img);
            free(jpeg);
            vg_image_free(stored);
        }
        vg_image_free(up);
    }
    fprintf(stderr, "%d tagged photos: lowest cosine to the original %.4f, box centre at most %.1f px away\n",
            checked, worst_cos, worst_shift);
    free(orig);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lfw_tagged_upright),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
