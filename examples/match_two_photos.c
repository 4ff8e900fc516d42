/* match_two_photos.c — embedding vigil: decodes two photos, embeds the main
 * face of each and prints their cosine similarity and the decision. Links
 * only libvigil-core:
 *   cc match_two_photos.c $(pkg-config --cflags --libs vigil-core)
 *   ./a.out a.jpg b.jpg */
#include <stdio.h>
#include <stdlib.h>

#include <vigil/face.h>
#include <vigil/image.h>
#include <vigil/match.h>
#include <vigil/version.h>

static int embed(const vg_face_pack *pack, const char *path, float *out)
{
    vg_err err = {{0}};
    vg_image *img = NULL;
    vg_status st = vg_image_decode_file(path, 0, &img, &err);
    if (!st)
        st = vg_face_embed_main(pack, img, VG_FACE_PICK_LARGEST, out, NULL, &err);
    vg_image_free(img);
    if (st)
        fprintf(stderr, "match_two_photos: %s: %s\n", path, err.msg);
    return st ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: match_two_photos PHOTO_A PHOTO_B\n");
        return 2;
    }
    vg_face_config cfg = {0}; /* the default pack, found under the install prefix */
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    if (vg_face_pack_open(&cfg, &pack, &err)) {
        fprintf(stderr, "match_two_photos: %s\n", err.msg);
        return 1;
    }
    int dim = vg_face_pack_dim(pack), code = 1;
    float *a = calloc((size_t)dim, sizeof *a), *b = calloc((size_t)dim, sizeof *b);
    if (a && b && embed(pack, argv[1], a) == 0 && embed(pack, argv[2], b) == 0) {
        float s = vg_cosine(a, b, dim);
        printf("vigil %s: similarity %.4f: %s\n", vg_version(), s,
               s >= VG_FACE_VERIFY_THRESHOLD_DEFAULT ? "same person" : "different people");
        code = 0;
    }
    free(a);
    free(b);
    vg_face_pack_close(pack);
    return code;
}
