/* embed.c — the embedder: an aligned 112x112 face, resized to the model's
 * input if it differs, fed in the model's layout (NCHW or NHWC), colour order
 * and normalisation (p - mean) * scale per channel, through the model,
 * L2-normalised. The default pack's feed is 112x112, NCHW, RGB, (p - 127) / 128
 * (scale 1/128 is exact, so the product equals the quotient bit for bit). */
#include "face/embed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void vg_embed_spec_default(vg_embed_spec *spec)
{
    *spec = (vg_embed_spec){.width = VG_EMBED_INPUT, .height = VG_EMBED_INPUT, .nhwc = 0, .bgr = 0,
                            .mean = {127, 127, 127}, .scale = {0.0078125f, 0.0078125f, 0.0078125f}};
}

static void spec_shape(const vg_embed_spec *spec, int64_t shape[4])
{
    shape[0] = 1;
    shape[1] = spec->nhwc ? spec->height : 3;
    shape[2] = spec->nhwc ? spec->width : spec->height;
    shape[3] = spec->nhwc ? 3 : spec->width;
}

/* Fills input (3 * w * h floats) from an RGB image of w x h. */
static void feed(const vg_embed_spec *spec, const vg_image *img, float *input)
{
    const int w = spec->width, h = spec->height;
    const size_t plane = (size_t)w * (size_t)h;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = img->data + (size_t)y * (size_t)img->stride;
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                int src = spec->bgr ? 2 - c : c;  /* model channel c takes this image channel */
                float v = ((float)row[3 * x + src] - spec->mean[c]) * spec->scale[c];
                size_t at = spec->nhwc ? ((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c
                                       : (size_t)c * plane + (size_t)y * (size_t)w + (size_t)x;
                input[at] = v;
            }
    }
}

vg_status vg_embed_run(const vg_infer_session *s, const vg_embed_spec *spec, int dim, const vg_image *aligned,
                       float *out, vg_err *err)
{
    if (!aligned || aligned->width != VG_EMBED_INPUT || aligned->height != VG_EMBED_INPUT)
        return vg_err_set(err, VG_ERR_INVALID, "the embedder takes an aligned %dx%d face",
                          VG_EMBED_INPUT, VG_EMBED_INPUT);
    vg_image *resized = NULL;
    const vg_image *img = aligned;
    vg_status st = VG_OK;
    if (spec->width != VG_EMBED_INPUT || spec->height != VG_EMBED_INPUT) {
        st = vg_image_resize(aligned, spec->width, spec->height, &resized, err);
        if (st)
            return st;
        img = resized;
    }
    float *input = malloc(sizeof(float) * 3 * (size_t)spec->width * (size_t)spec->height);
    if (!input) {
        vg_image_free(resized);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    feed(spec, img, input);
    vg_image_free(resized);
    int64_t shape[4];
    spec_shape(spec, shape);
    vg_tensor t;
    st = vg_infer_run(s, input, shape, 4, &t, err);
    free(input);
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

vg_status vg_embed_probe_dim(const vg_infer_session *s, const vg_embed_spec *spec, int *dim, vg_err *err)
{
    float *zeros = calloc(3 * (size_t)spec->width * (size_t)spec->height, sizeof(float));
    if (!zeros)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    int64_t shape[4];
    spec_shape(spec, shape);
    vg_tensor t;
    vg_status st = vg_infer_run(s, zeros, shape, 4, &t, err);
    free(zeros);
    if (st)
        return st;
    *dim = (int)t.count;
    vg_tensor_release(&t);
    if (*dim < 16 || *dim > 4096)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "embedder output of %d values is not a face template",
                          *dim);
    return VG_OK;
}
