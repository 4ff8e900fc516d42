/* embed.h — running the embedder model on an aligned face. */
#ifndef VG_FACE_EMBED_H
#define VG_FACE_EMBED_H

#include "infer/infer.h"
#include "vigil/face.h"

#define VG_EMBED_INPUT 112

/* Embeds; out receives dim floats, L2-normalised. */
vg_status vg_embed_run(const vg_infer_session *s, int dim, const vg_image *aligned, float *out,
                       vg_err *err);
/* Learns the output size by running the model once on a blank face. */
vg_status vg_embed_probe_dim(const vg_infer_session *s, int *dim, vg_err *err);

#endif
