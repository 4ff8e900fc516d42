/* reembed.c — vg_watchlist_reembed: a watch list's templates made again
 * with the pack in use, from the sealed enrolment photos. The store owns
 * the transaction, the comparison with the old templates and the audit
 * entry (store/reembed.c); this file gives it the embedder: each photo
 * decoded, its one face found by the pack's detector and embedded. */
#include "vigil/watchlist.h"

#include <math.h>
#include <string.h>

typedef struct reembed_ctx {
    const vg_face_pack *pack;
    vg_gate_limits any;   /* no quality limit: only "exactly one face" */
} reembed_ctx;

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
        st = vg_gate_check(c->pack, img, -1, &c->any, &face, err);
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
    memset(&c.any, 0, sizeof c.any);
    c.any.max_yaw = INFINITY;
    c.any.max_pitch = INFINITY;
    c.any.max_brightness = INFINITY;
    return vg_store_watchlist_reembed(store, actor, name, vg_face_pack_model_id(pack),
                                      vg_face_pack_detector(pack), vg_face_pack_dim(pack),
                                      embed_photo, &c, r, err);
}
