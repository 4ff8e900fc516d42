/* infer.h — one ONNX Runtime session behind a small C interface: load a model
 * from a path with a thread setting, ask its input shape, run it on one float
 * tensor, get its outputs back as owned float arrays. ORT's own error text is
 * carried into vg_err. Run may be called from several threads at once.
 */
#ifndef VG_INFER_H
#define VG_INFER_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VG_TENSOR_MAX_DIMS 8
#define VG_INFER_MAX_OUTPUTS 16

typedef struct vg_tensor {
    float *data;                          /* malloc'd, owned by whoever holds the tensor */
    int64_t shape[VG_TENSOR_MAX_DIMS];
    int ndim;
    size_t count;
} vg_tensor;

void vg_tensor_release(vg_tensor *t);   /* frees data, zeroes the struct */

typedef struct vg_infer_env vg_infer_env;
typedef struct vg_infer_session vg_infer_session;

vg_status vg_infer_env_new(vg_infer_env **out, vg_err *err);
/* Where the env's sessions opened from now on run: "cpu" (the default) or
 * "cuda" (ORT's CUDA execution provider, device 0). Anything else is
 * VG_ERR_INVALID. "cuda" with an ORT that has no CUDA provider is refused
 * when a session opens (VG_ERR_UNSUPPORTED, saying so), not silently run
 * on the CPU. */
vg_status vg_infer_env_set_provider(vg_infer_env *env, const char *provider, vg_err *err);
void vg_infer_env_free(vg_infer_env *env);

/* ONNX Runtime's version string (of the loaded library). */
const char *vg_infer_runtime_version(void);

/* Loads a model. threads: intra-op threads (<= 0 means 1). The env must
 * outlive the session. */
vg_status vg_infer_session_open(vg_infer_env *env, const char *path, int threads,
                                vg_infer_session **out, vg_err *err);
void vg_infer_session_close(vg_infer_session *s);

int vg_infer_output_count(const vg_infer_session *s);
const char *vg_infer_output_name(const vg_infer_session *s, int index);

/* Shape of the (single) input; a dynamic dimension is -1. */
vg_status vg_infer_input_shape(const vg_infer_session *s, int64_t shape[VG_TENSOR_MAX_DIMS],
                               int *ndim, vg_err *err);

/* Runs the model on one float input of the given shape. outputs must hold
 * vg_infer_output_count() tensors; each is filled with an owned copy. On
 * failure no output is left allocated. */
vg_status vg_infer_run(const vg_infer_session *s, const float *input, const int64_t *shape,
                       int ndim, vg_tensor *outputs, vg_err *err);

#endif
