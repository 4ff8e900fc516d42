/* det_strided.h — what the detectors with one output per stride (YuNet,
 * SCRFD: outputs named PREFIX_8, PREFIX_16, PREFIX_32) share: opening the
 * model and checking its input and outputs, and one inference on an image
 * scaled and padded as both references do. Each backend decodes its own
 * outputs. */
#ifndef VG_FACE_DET_STRIDED_H
#define VG_FACE_DET_STRIDED_H
#include "face/detector.h"

#define VG_STRIDED_KINDS 4   /* output kinds at most (YuNet: cls, obj, bbox, kps) */

extern const int vg_strided_strides[3];

/* What a backend says of its model, for opening and for messages. */
typedef struct vg_strided_spec {
    const char *name;          /* "YuNet": in messages */
    const char *flag;          /* "yunet": in --detector flag:PATH */
    const char *article;       /* "a" or "an" before name */
    float default_threshold;
    const char *outputs[VG_STRIDED_KINDS + 1];  /* prefixes, NULL-terminated */
} vg_strided_spec;

typedef struct vg_strided {
    vg_infer_session *session;
    vg_detector_params p;       /* threshold filled with the default when 0 */
    int fixed_w, fixed_h;       /* 0: dynamic input */
    int idx[VG_STRIDED_KINDS][3]; /* output index per kind and stride */
    char path[1024];
} vg_strided;

/* Opens the model at path (NULL: refused, as these backends have no file in
 * the default pack); checks a 1x3xHxW input (H, W free or multiples of 32)
 * and every PREFIX_STRIDE output. On success *out is the backend state. */
vg_status vg_strided_open(const vg_strided_spec *spec, vg_infer_env *env, const char *path,
                          const vg_detector_params *p, vg_strided **out, vg_err *err);
/* Takes a vg_strided (for the backend table's close). */
void vg_strided_close(void *state);
/* For the backend table's model_path. */
const char *vg_strided_model_path(const void *state, int index);

/* One inference's outputs and the geometry to map them back. */
typedef struct vg_strided_run {
    vg_tensor out[VG_INFER_MAX_OUTPUTS];
    int n_out;
    int tw, th;     /* the input tensor's size */
    float sx, sy;   /* input pixels to source pixels */
} vg_strided_run;

/* Scales img so its longer side is at most 640 pixels unless that would
 * shrink a min_face face under 16 pixels (a fixed input: letterboxed into
 * it), pads to multiples of 32 at the bottom and right, converts with
 * (p - mean) * scale (padding = pad, channel order BGR when bgr) and runs
 * the model. Release the run with vg_strided_release. */
vg_status vg_strided_infer(const vg_strided *s, const vg_image *img, float mean, float scale, float pad, int bgr,
                           vg_strided_run *run, vg_err *err);
void vg_strided_release(vg_strided_run *run);
#endif
