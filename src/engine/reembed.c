/* reembed.c — vg_watchlist_reembed: a watch list's templates made again
 * with the pack in use, from the sealed enrolment photos. The store owns
 * the transaction, the comparison with the old templates and the audit
 * entry (store/reembed.c); this file gives it the embedder: each photo
 * decoded, its one face found by the pack's detector and embedded.
 *
 * "One face" allows for one defect of today's default detector: on a
 * portrait it can give two boxes nested on the same face, and which photos
 * it does that on changes with the JPEG re-encoding and the minimum face
 * size (Colin_Powell_0002 of LFW, enrolled with one face, gives two nested
 * boxes from its stored photo at 20 px). Boxes that all overlap the
 * best-scoring one by at least NESTED of the smaller box's area are taken
 * as that one face, and the best-scoring box is embedded. It can also see
 * a small extra "face" beside the real one after re-encoding (the same
 * photo at another JPEG quality: 82x146 at score 1.00, and 55x102 at 0.84):
 * when the best-scoring face is also DOMINANT times larger than every
 * other, it is taken. Faces of like size side by side (another person in
 * the photo) still stop the re-embedding: which one was enrolled is not
 * recorded. */
#include "vigil/watchlist.h"

#include <stdlib.h>
#include <string.h>

#define NESTED 0.5f
#define DOMINANT 1.5f

typedef struct reembed_ctx {
    const vg_face_pack *pack;
} reembed_ctx;

static float area(const vg_face *f)
{
    float w = f->x2 - f->x1, h = f->y2 - f->y1;
    return w > 0 && h > 0 ? w * h : 0;
}

/* Whether a and b cover one face: their intersection is at least NESTED of
 * the smaller box. */
static int same_face(const vg_face *a, const vg_face *b)
{
    float x1 = a->x1 > b->x1 ? a->x1 : b->x1, y1 = a->y1 > b->y1 ? a->y1 : b->y1;
    float x2 = a->x2 < b->x2 ? a->x2 : b->x2, y2 = a->y2 < b->y2 ? a->y2 : b->y2;
    float inter = x2 > x1 && y2 > y1 ? (x2 - x1) * (y2 - y1) : 0;
    float small = area(a) < area(b) ? area(a) : area(b);
    return small > 0 && inter >= NESTED * small;
}

/* The photo's one face (see the head of the file). */
static vg_status one_face(const vg_face_pack *pack, const vg_image *img, vg_face *out, vg_err *err)
{
    vg_face *faces = NULL;
    int n = 0;
    vg_status st = vg_face_detect(pack, img, &faces, &n, err);
    if (st)
        return st;
    int best = 0;
    for (int i = 1; i < n; i++)
        if (faces[i].score > faces[best].score)
            best = i;
    if (n == 0)
        st = vg_err_set(err, VG_ERR_INVALID, "no face found");
    for (int i = 0; !st && i < n; i++)
        if (!same_face(&faces[i], &faces[best]) && area(&faces[best]) < DOMINANT * area(&faces[i]))
            st = vg_err_set(err, VG_ERR_INVALID,
                            "%d faces found, none of them the one face seen twice or clearly the largest: which one was enrolled is not recorded", n);
    if (!st)
        *out = faces[best];
    free(faces);
    return st;
}

static vg_status embed_photo(void *arg, const vg_subject *subject, int photo, const uint8_t *jpeg, size_t len,
                             float *vec, float *quality, vg_err *err)
{
    (void)subject;
    (void)photo;
    reembed_ctx *c = arg;
    vg_image *img = NULL;
    vg_face face;
    vg_status st = vg_image_decode_mem(jpeg, len, 0, &img, err);
    if (!st)
        st = one_face(c->pack, img, &face, err);
    if (!st)
        st = vg_face_embed_face(c->pack, img, &face, vec, err);
    if (!st)
        *quality = face.quality.score;
    vg_image_free(img);
    return st;
}

vg_status vg_watchlist_reembed(const vg_face_pack *pack, vg_store *store, const char *actor, const char *name,
                               vg_reembed_result *r, vg_err *err)
{
    if (!pack || !store)
        return vg_err_set(err, VG_ERR_INVALID, "vg_watchlist_reembed: NULL argument");
    reembed_ctx c = {.pack = pack};
    return vg_store_watchlist_reembed(store, actor, name, vg_face_pack_model_id(pack),
                                      vg_face_pack_detector(pack), vg_face_pack_dim(pack), embed_photo, &c, r, err);
}
