/* embed_flip.c — flip augmentation: the embedding of an aligned face plus
 * that of its horizontal mirror, summed and L2-normalised. Both go through
 * the pack's embedder (vg_face_embed); the mirror lives only for the call. */
#include <math.h>
#include <string.h>

#include <sodium.h>

#include "vigil/face.h"

/* vg_embed_probe_dim refuses larger embedders */
#define FLIP_DIM_MAX 4096

static vg_status mirror(const vg_image *src, vg_image **out, vg_err *err)
{
    vg_status st = vg_image_new(src->width, src->height, out, err);
    if (st)
        return st;
    for (int y = 0; y < src->height; y++) {
        const uint8_t *s = src->data + (size_t)y * (size_t)src->stride;
        uint8_t *d = (*out)->data + (size_t)y * (size_t)(*out)->stride;
        for (int x = 0; x < src->width; x++)
            memcpy(d + 3 * (src->width - 1 - x), s + 3 * x, 3);
    }
    return VG_OK;
}

vg_status vg_face_embed_flip(const vg_face_pack *pack, const vg_image *aligned, float *out, vg_err *err)
{
    int dim = vg_face_pack_dim(pack);
    if (dim <= 0 || dim > FLIP_DIM_MAX)
        return vg_err_set(err, VG_ERR_MODEL, "embedding size %d is out of range", dim);
    vg_status st = vg_face_embed(pack, aligned, out, err);
    if (st)
        return st;
    vg_image *m = NULL;
    st = mirror(aligned, &m, err);
    float other[FLIP_DIM_MAX];
    if (!st)
        st = vg_face_embed(pack, m, other, err);
    if (m)
        sodium_memzero(m->data, (size_t)m->stride * (size_t)m->height);
    vg_image_free(m);
    if (!st) {
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            out[i] += other[i];
            norm += (double)out[i] * out[i];
        }
        norm = sqrt(norm);
        if (!(norm > 1e-12))
            st = vg_err_set(err, VG_ERR_MODEL, "a face and its mirror gave opposite embeddings");
        else
            for (int i = 0; i < dim; i++)
                out[i] = (float)(out[i] / norm);
    }
    sodium_memzero(other, sizeof other);
    if (st)
        sodium_memzero(out, (size_t)dim * sizeof *out);
    return st;
}

vg_status vg_face_embed_face_flip(const vg_face_pack *pack, const vg_image *img, const vg_face *face, float *out,
                                  vg_err *err)
{
    vg_image *aligned = NULL;
    vg_status st = vg_face_align(img, face->lm, &aligned, err);
    if (!st)
        st = vg_face_embed_flip(pack, aligned, out, err);
    if (aligned)
        sodium_memzero(aligned->data, (size_t)aligned->stride * (size_t)aligned->height);
    vg_image_free(aligned);
    return st;
}
