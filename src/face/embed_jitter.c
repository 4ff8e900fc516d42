/* embed_jitter.c — test-time alignment jitter: the face aligned on the
 * ArcFace reference and on slightly scaled and shifted copies of it, each
 * embedded (with its mirror too when asked), the embeddings summed and
 * L2-normalised. Where the five points are a little off, the average over
 * nearby framings depends less on them. */
#include <math.h>
#include <string.h>

#include <sodium.h>

#include "vigil/face.h"
#include "face/align.h"

#define JITTER_DIM_MAX 4096
#define JITTER_SIZE 112

/* scale about the reference's centre, then a shift in pixels of the 112 */
static const float jitter[VG_FACE_JITTER_MAX][3] = {
    {1.00f, 0, 0}, {0.96f, 0, 0}, {1.04f, 0, 0}, {1.00f, 0, -2.0f}, {1.00f, 0, 2.0f},
};

void vg_face_jitter_reference(int k, vg_point dst[VG_LM_COUNT])
{
    const vg_point *ref = vg_face_reference_points();
    float cx = 0, cy = 0;
    for (int i = 0; i < VG_LM_COUNT; i++) {
        cx += ref[i].x / VG_LM_COUNT;
        cy += ref[i].y / VG_LM_COUNT;
    }
    const float *j = jitter[k < 0 || k >= VG_FACE_JITTER_MAX ? 0 : k];
    if (j[0] == 1.0f && j[1] == 0 && j[2] == 0) {
        for (int i = 0; i < VG_LM_COUNT; i++)
            dst[i] = ref[i]; /* exactly the reference: framing 0 is vg_face_align's */
        return;
    }
    for (int i = 0; i < VG_LM_COUNT; i++) {
        dst[i].x = cx + (ref[i].x - cx) * j[0] + j[1];
        dst[i].y = cy + (ref[i].y - cy) * j[0] + j[2];
    }
}

vg_status vg_face_embed_face_jitter(const vg_face_pack *pack, const vg_image *img, const vg_face *face, int n,
                                    int flip, float *out, vg_err *err)
{
    int dim = vg_face_pack_dim(pack);
    if (dim <= 0 || dim > JITTER_DIM_MAX)
        return vg_err_set(err, VG_ERR_MODEL, "embedding size %d is out of range", dim);
    if (n < 1 || n > VG_FACE_JITTER_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "jitter takes 1 to %d framings, not %d", VG_FACE_JITTER_MAX, n);
    float one[JITTER_DIM_MAX];
    double sum[JITTER_DIM_MAX] = {0};
    vg_status st = VG_OK;
    for (int k = 0; k < n && !st; k++) {
        vg_point dst[VG_LM_COUNT];
        vg_face_jitter_reference(k, dst);
        vg_image *aligned = NULL;
        st = vg_face_warp_to(img, face->lm, dst, JITTER_SIZE, JITTER_SIZE, &aligned, err);
        if (!st)
            st = flip ? vg_face_embed_flip(pack, aligned, one, err) : vg_face_embed(pack, aligned, one, err);
        if (aligned)
            sodium_memzero(aligned->data, (size_t)aligned->stride * (size_t)aligned->height);
        vg_image_free(aligned);
        for (int i = 0; !st && i < dim; i++)
            sum[i] += one[i];
    }
    double norm = 0;
    for (int i = 0; !st && i < dim; i++)
        norm += sum[i] * sum[i];
    norm = sqrt(norm);
    if (!st && !(norm > 1e-12))
        st = vg_err_set(err, VG_ERR_MODEL, "the jittered framings gave embeddings that cancel");
    for (int i = 0; !st && i < dim; i++)
        out[i] = (float)(sum[i] / norm);
    sodium_memzero(one, sizeof one);
    sodium_memzero(sum, sizeof sum);
    if (st)
        sodium_memzero(out, (size_t)dim * sizeof *out);
    return st;
}
