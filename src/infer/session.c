/* session.c — ONNX Runtime C API wrapper: env, session load, shape query, run. */
#include "infer/infer.h"

#include <stdlib.h>
#include <string.h>
#include <onnxruntime_c_api.h>

struct vg_infer_env {
    const OrtApi *api;
    OrtEnv *env;
    int cuda;               /* sessions on ORT's CUDA execution provider */
};

vg_status vg_infer_env_set_provider(vg_infer_env *env, const char *provider, vg_err *err)
{
    if (!env || !provider || (strcmp(provider, "cpu") && strcmp(provider, "cuda")))
        return vg_err_set(err, VG_ERR_INVALID, "provider '%s' is not cpu or cuda", provider ? provider : "");
    env->cuda = !strcmp(provider, "cuda");
    return VG_OK;
}

/* ORT's CUDA execution provider on device 0, or a clear refusal: an ORT
 * built for the CPU only has the entry point and answers with an error. */
static vg_status append_cuda(const OrtApi *api, OrtSessionOptions *opt, const char *path, vg_err *err)
{
    OrtCUDAProviderOptions cuda;
    memset(&cuda, 0, sizeof cuda);
    cuda.device_id = 0;
    OrtStatus *st = api->SessionOptionsAppendExecutionProvider_CUDA(opt, &cuda);
    if (!st)
        return VG_OK;
    vg_status r = vg_err_set(err, VG_ERR_UNSUPPORTED,
                             "%s: [infer] provider = cuda, but this ONNX Runtime (%s) has no CUDA execution "
                             "provider (%s); install a CUDA build of ONNX Runtime or set provider = cpu",
                             path, OrtGetApiBase()->GetVersionString(), api->GetErrorMessage(st));
    api->ReleaseStatus(st);
    return r;
}

struct vg_infer_session {
    const OrtApi *api;
    OrtSession *session;
    OrtMemoryInfo *mem;
    char *input_name;
    int n_outputs;
    char *output_names[VG_INFER_MAX_OUTPUTS];
};

/* Moves ORT's message into err, releases the status, returns code. */
static vg_status ort_fail(const OrtApi *api, OrtStatus *st, vg_err *err, vg_status code,
                          const char *what)
{
    vg_err_set(err, code, "%s: %s", what, st ? api->GetErrorMessage(st) : "unknown error");
    if (st)
        api->ReleaseStatus(st);
    return code;
}

void vg_tensor_release(vg_tensor *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

const char *vg_infer_runtime_version(void)
{
    return OrtGetApiBase()->GetVersionString();
}

vg_status vg_infer_env_new(vg_infer_env **out, vg_err *err)
{
    *out = NULL;
    /* ORT's platform telemetry, on by default, matches regular expressions
     * against the process's command line while creating the env; with a long
     * command line (`vigil detect` on a thousand photos) the regex engine's
     * backtracking overflows the stack. vigil sends nothing about its process
     * anywhere: telemetry is off. Set before the first env is created and
     * never changed afterwards. */
    if (setenv("ORT_DISABLE_TELEMETRY", "1", 1) != 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot disable ONNX Runtime telemetry");
    const OrtApi *api = OrtGetApiBase()->GetApi(ORT_API_VERSION);
    if (!api)
        return vg_err_set(err, VG_ERR_UNSUPPORTED,
                          "the ONNX Runtime library (%s) does not offer C API version %d",
                          vg_infer_runtime_version(), ORT_API_VERSION);
    vg_infer_env *e = calloc(1, sizeof *e);
    if (!e)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    e->api = api;
    OrtStatus *st = api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "vigil", &e->env);
    if (!st)
        st = api->DisableTelemetryEvents(e->env);
    if (st) {
        if (e->env)
            api->ReleaseEnv(e->env);
        free(e);
        return ort_fail(api, st, err, VG_ERR_MODEL, "cannot start ONNX Runtime");
    }
    *out = e;
    return VG_OK;
}

void vg_infer_env_free(vg_infer_env *env)
{
    if (!env)
        return;
    env->api->ReleaseEnv(env->env);
    free(env);
}

void vg_infer_session_close(vg_infer_session *s)
{
    if (!s)
        return;
    free(s->input_name);
    for (int i = 0; i < s->n_outputs; i++)
        free(s->output_names[i]);
    if (s->mem)
        s->api->ReleaseMemoryInfo(s->mem);
    if (s->session)
        s->api->ReleaseSession(s->session);
    free(s);
}

static char *dup_name(const OrtApi *api, OrtAllocator *alloc, char *name)
{
    char *copy = strdup(name);
    OrtStatus *st = api->AllocatorFree(alloc, name);
    if (st)
        api->ReleaseStatus(st);
    return copy;
}

vg_status vg_infer_session_open(vg_infer_env *env, const char *path, int threads,
                                vg_infer_session **out, vg_err *err)
{
    *out = NULL;
    if (!env || !path)
        return vg_err_set(err, VG_ERR_INVALID, "no model path");
    const OrtApi *api = env->api;
    vg_infer_session *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    s->api = api;

    OrtSessionOptions *opt = NULL;
    OrtStatus *st = api->CreateSessionOptions(&opt);
    if (!st)
        st = api->SetIntraOpNumThreads(opt, threads > 0 ? threads : 1);
    if (!st)
        st = api->SetInterOpNumThreads(opt, 1);
    if (!st)
        st = api->SetSessionExecutionMode(opt, ORT_SEQUENTIAL);
    if (!st)
        st = api->SetSessionGraphOptimizationLevel(opt, ORT_ENABLE_ALL);
    if (!st)
        st = api->AddSessionConfigEntry(opt, "session.intra_op.allow_spinning", "0");
    if (!st && env->cuda && append_cuda(api, opt, path, err) != VG_OK) {
        api->ReleaseSessionOptions(opt);
        vg_infer_session_close(s);
        return VG_ERR_UNSUPPORTED;
    }
    if (!st)
        st = api->CreateSession(env->env, path, opt, &s->session);
    if (opt)
        api->ReleaseSessionOptions(opt);
    if (st) {
        vg_infer_session_close(s);
        return ort_fail(api, st, err, VG_ERR_MODEL, path);
    }

    OrtAllocator *alloc = NULL;
    size_t n_in = 0, n_out = 0;
    char *name = NULL;
    st = api->GetAllocatorWithDefaultOptions(&alloc);
    if (!st)
        st = api->SessionGetInputCount(s->session, &n_in);
    if (!st)
        st = api->SessionGetOutputCount(s->session, &n_out);
    if (!st && (n_in != 1 || n_out < 1 || n_out > VG_INFER_MAX_OUTPUTS)) {
        vg_infer_session_close(s);
        return vg_err_set(err, VG_ERR_UNSUPPORTED,
                          "%s: has %zu inputs and %zu outputs; vigil's models take one input "
                          "and give 1 to %d outputs", path, n_in, n_out, VG_INFER_MAX_OUTPUTS);
    }
    if (!st)
        st = api->SessionGetInputName(s->session, 0, alloc, &name);
    if (!st)
        s->input_name = dup_name(api, alloc, name);
    for (size_t i = 0; !st && i < n_out; i++) {
        st = api->SessionGetOutputName(s->session, i, alloc, &name);
        if (!st)
            s->output_names[s->n_outputs++] = dup_name(api, alloc, name);
    }
    if (!st)
        st = api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &s->mem);
    if (st) {
        vg_infer_session_close(s);
        return ort_fail(api, st, err, VG_ERR_MODEL, path);
    }
    if (!s->input_name) {
        vg_infer_session_close(s);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < s->n_outputs; i++)
        if (!s->output_names[i]) {
            vg_infer_session_close(s);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
    *out = s;
    return VG_OK;
}

int vg_infer_output_count(const vg_infer_session *s)
{
    return s->n_outputs;
}

const char *vg_infer_output_name(const vg_infer_session *s, int index)
{
    return index >= 0 && index < s->n_outputs ? s->output_names[index] : NULL;
}

/* Dimensions of a tensor type-and-shape info into shape/ndim. */
static OrtStatus *read_shape(const OrtApi *api, const OrtTensorTypeAndShapeInfo *info,
                             int64_t *shape, int *ndim, ONNXTensorElementDataType *type)
{
    size_t n = 0;
    OrtStatus *st = api->GetDimensionsCount(info, &n);
    if (st)
        return st;
    if (n > VG_TENSOR_MAX_DIMS)
        return api->CreateStatus(ORT_INVALID_ARGUMENT, "tensor has too many dimensions");
    st = api->GetDimensions(info, shape, n);
    if (st)
        return st;
    *ndim = (int)n;
    return type ? api->GetTensorElementType(info, type) : NULL;
}

vg_status vg_infer_input_shape(const vg_infer_session *s, int64_t shape[VG_TENSOR_MAX_DIMS],
                               int *ndim, vg_err *err)
{
    const OrtApi *api = s->api;
    OrtTypeInfo *ti = NULL;
    const OrtTensorTypeAndShapeInfo *tsi = NULL;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    OrtStatus *st = api->SessionGetInputTypeInfo(s->session, 0, &ti);
    if (!st)
        st = api->CastTypeInfoToTensorInfo(ti, &tsi);
    if (!st && !tsi)
        st = api->CreateStatus(ORT_INVALID_ARGUMENT, "the input is not a tensor");
    if (!st)
        st = read_shape(api, tsi, shape, ndim, &type);
    if (ti)
        api->ReleaseTypeInfo(ti);
    if (st)
        return ort_fail(api, st, err, VG_ERR_MODEL, "model input");
    if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "model input is not float32");
    return VG_OK;
}

/* Copies one ORT output into an owned vg_tensor. */
static OrtStatus *copy_output(const OrtApi *api, OrtValue *v, vg_tensor *t)
{
    OrtTensorTypeAndShapeInfo *info = NULL;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    size_t count = 0;
    float *src = NULL;
    OrtStatus *st = api->GetTensorTypeAndShape(v, &info);
    if (!st)
        st = read_shape(api, info, t->shape, &t->ndim, &type);
    if (!st)
        st = api->GetTensorShapeElementCount(info, &count);
    if (info)
        api->ReleaseTensorTypeAndShapeInfo(info);
    if (!st && type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        st = api->CreateStatus(ORT_INVALID_ARGUMENT, "model output is not float32");
    if (!st)
        st = api->GetTensorMutableData(v, (void **)&src);
    if (st)
        return st;
    t->count = count;
    t->data = malloc(count ? count * sizeof(float) : 1);
    if (!t->data)
        return api->CreateStatus(ORT_FAIL, "out of memory");
    if (count)
        memcpy(t->data, src, count * sizeof(float));
    return NULL;
}

vg_status vg_infer_run(const vg_infer_session *s, const float *input, const int64_t *shape,
                       int ndim, vg_tensor *outputs, vg_err *err)
{
    const OrtApi *api = s->api;
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] <= 0)
            return vg_err_set(err, VG_ERR_INVALID, "input dimension %d is %lld", i,
                              (long long)shape[i]);
        count *= (size_t)shape[i];
    }
    memset(outputs, 0, (size_t)s->n_outputs * sizeof *outputs);

    OrtValue *in = NULL;
    OrtValue *out[VG_INFER_MAX_OUTPUTS] = {0};
    OrtStatus *st = api->CreateTensorWithDataAsOrtValue(
        s->mem, (void *)input, count * sizeof(float), shape, (size_t)ndim,
        ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in);
    const char *in_names[1] = {s->input_name};
    if (!st)
        st = api->Run(s->session, NULL, in_names, (const OrtValue *const *)&in, 1,
                      (const char *const *)s->output_names, (size_t)s->n_outputs, out);
    for (int i = 0; !st && i < s->n_outputs; i++)
        st = copy_output(api, out[i], &outputs[i]);
    if (in)
        api->ReleaseValue(in);
    for (int i = 0; i < s->n_outputs; i++)
        if (out[i])
            api->ReleaseValue(out[i]);
    if (st) {
        for (int i = 0; i < s->n_outputs; i++)
            vg_tensor_release(&outputs[i]);
        return ort_fail(api, st, err, VG_ERR_MODEL, "inference failed");
    }
    return VG_OK;
}
