/* embed.c — the embedder: an aligned 112x112 RGB face, (p - 127) / 128,
 * planar, through the model, L2-normalised. */
#include "face/embed.h"

#include <math.h>
#include <string.h>

vg_status vg_embed_run(const vg_infer_session *s, int dim, const vg_image *aligned, float *out,
                       vg_err *err)
{
    if (!aligned || aligned->width != VG_EMBED_INPUT || aligned->height != VG_EMBED_INPUT)
        return vg_err_set(err, VG_ERR_INVALID, "the embedder takes an aligned %dx%d face",
                          VG_EMBED_INPUT, VG_EMBED_INPUT);
    enum { PLANE = VG_EMBED_INPUT * VG_EMBED_INPUT };
    float input[3 * PLANE];
    for (int y = 0; y < VG_EMBED_INPUT; y++) {
        const uint8_t *row = aligned->data + (size_t)y * (size_t)aligned->stride;
        for (int x = 0; x < VG_EMBED_INPUT; x++)
            for (int c = 0; c < 3; c++)
                input[c * PLANE + y * VG_EMBED_INPUT + x] = ((float)row[3 * x + c] - 127.0f) / 128.0f;
    }
    int64_t shape[4] = {1, 3, VG_EMBED_INPUT, VG_EMBED_INPUT};
    vg_tensor t;
    vg_status st = vg_infer_run(s, input, shape, 4, &t, err);
    if (st)
        return st;
    if (dim > 0 && t.count != (size_t)dim) {
        vg_tensor_release(&t);
        return vg_err_set(err, VG_ERR_MODEL, "embedder gave %zu values, expected %d", t.count, dim);
    }
    double norm = 0;
    for (size_t i = 0; i < t.count; i++)
        norm += (double)t.data[i] * t.data[i];
    norm = sqrt(norm);
    if (!(norm > 1e-12) || !isfinite(norm)) {
        vg_tensor_release(&t);
        return vg_err_set(err, VG_ERR_MODEL, "embedder gave a zero or non-finite vector");
    }
    for (size_t i = 0; i < t.count; i++)
        out[i] = (float)(t.data[i] / norm);
    vg_tensor_release(&t);
    return VG_OK;
}

vg_status vg_embed_probe_dim(const vg_infer_session *s, int *dim, vg_err *err)
{
    static const float zeros[3 * VG_EMBED_INPUT * VG_EMBED_INPUT];
    int64_t shape[4] = {1, 3, VG_EMBED_INPUT, VG_EMBED_INPUT};
    vg_tensor t;
    vg_status st = vg_infer_run(s, zeros, shape, 4, &t, err);
    if (st)
        return st;
    *dim = (int)t.count;
    vg_tensor_release(&t);
    if (*dim < 16 || *dim > 4096)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "embedder output of %d values is not a face template",
                          *dim);
    return VG_OK;
}
