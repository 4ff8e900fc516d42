/* embed.h — running the embedder model on an aligned face, fed as its
 * pack says (size, layout, colour order, normalisation). */
#ifndef VG_FACE_EMBED_H
#define VG_FACE_EMBED_H

#include "infer/infer.h"
#include "vigil/face.h"

#define VG_EMBED_INPUT 112  /* the aligned face: 112 x 112, ArcFace's five points */

typedef struct vg_embed_spec {
    int width, height;   /* the model's input; the aligned face is resized to it when not 112 x 112 */
    int nhwc;            /* 1: 1xHxWx3, 0: 1x3xHxW */
    int bgr;             /* 1: channels B, G, R; 0: R, G, B */
    float mean[3], scale[3];  /* value = (p - mean[c]) * scale[c], c in the model's channel order */
} vg_embed_spec;

/* The default pack's embedder: 112 x 112, NCHW, RGB, (p - 127) / 128. */
void vg_embed_spec_default(vg_embed_spec *spec);

/* Embeds; out receives dim floats, L2-normalised. */
vg_status vg_embed_run(const vg_infer_session *s, const vg_embed_spec *spec, int dim, const vg_image *aligned,
                       float *out, vg_err *err);
/* Learns the output size by running the model once on a blank face. */
vg_status vg_embed_probe_dim(const vg_infer_session *s, const vg_embed_spec *spec, int *dim, vg_err *err);

#endif
