/* bench_ort.c — the baseline for every model stage: ONNX Runtime's own Run on
 * a ready input tensor, called straight through the C API with the session
 * settings vigil uses (1 intra-op thread, sequential, all graph optimisations),
 * so that vigil's overhead per stage is a ratio measured in the same run. */
#include "bench/bench_ort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <onnxruntime_c_api.h>

#include "bench/bench_util.h"

#define CHECK(expr)                                                                  \
    do {                                                                             \
        OrtStatus *st_ = (expr);                                                     \
        if (st_) {                                                                   \
            fprintf(stderr, "bench: ORT: %s\n", api->GetErrorMessage(st_));          \
            api->ReleaseStatus(st_);                                                 \
            goto fail;                                                               \
        }                                                                            \
    } while (0)

struct vg_bench_ort {
    const OrtApi *api;
    OrtEnv *env;
    OrtSession *sess;
    OrtMemoryInfo *mem;
    OrtValue *in;
    OrtAllocator *alloc;
    char *in_name;
    char *out_names[16];
    size_t n_out;
    float *data;
};

void vg_bench_ort_close(vg_bench_ort *b)
{
    if (!b)
        return;
    const OrtApi *api = b->api;
    if (b->in)
        api->ReleaseValue(b->in);
    if (b->mem)
        api->ReleaseMemoryInfo(b->mem);
    if (b->alloc) {
        OrtStatus *st = NULL;
        if (b->in_name && (st = api->AllocatorFree(b->alloc, b->in_name)))
            api->ReleaseStatus(st);
        for (size_t i = 0; i < b->n_out; i++)
            if (b->out_names[i] && (st = api->AllocatorFree(b->alloc, b->out_names[i])))
                api->ReleaseStatus(st);
    }
    if (b->sess)
        api->ReleaseSession(b->sess);
    if (b->env)
        api->ReleaseEnv(b->env);
    free(b->data);
    free(b);
}

vg_bench_ort *vg_bench_ort_open(const char *model, const int64_t *shape, int ndim, const float *input)
{
    vg_bench_ort *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    const OrtApi *api = b->api = OrtGetApiBase()->GetApi(ORT_API_VERSION);
    OrtSessionOptions *opt = NULL;
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= (size_t)shape[i];
    b->data = malloc(count * sizeof(float));
    if (!b->data)
        goto fail;
    for (size_t i = 0; i < count; i++)
        b->data[i] = input ? input[i] : (float)((i * 2654435761u) % 255) / 128.0f - 1.0f;
    CHECK(api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "bench", &b->env));
    CHECK(api->CreateSessionOptions(&opt));
    CHECK(api->SetIntraOpNumThreads(opt, 1));
    CHECK(api->SetInterOpNumThreads(opt, 1));
    CHECK(api->SetSessionExecutionMode(opt, ORT_SEQUENTIAL));
    CHECK(api->SetSessionGraphOptimizationLevel(opt, ORT_ENABLE_ALL));
    CHECK(api->AddSessionConfigEntry(opt, "session.intra_op.allow_spinning", "0"));
    CHECK(api->CreateSession(b->env, model, opt, &b->sess));
    api->ReleaseSessionOptions(opt);
    opt = NULL;
    CHECK(api->GetAllocatorWithDefaultOptions(&b->alloc));
    CHECK(api->SessionGetInputName(b->sess, 0, b->alloc, &b->in_name));
    CHECK(api->SessionGetOutputCount(b->sess, &b->n_out));
    if (b->n_out > 16)
        goto fail;
    for (size_t i = 0; i < b->n_out; i++)
        CHECK(api->SessionGetOutputName(b->sess, i, b->alloc, &b->out_names[i]));
    CHECK(api->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &b->mem));
    CHECK(api->CreateTensorWithDataAsOrtValue(b->mem, b->data, count * sizeof(float), shape, (size_t)ndim,
                                              ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &b->in));
    return b;
fail:
    if (opt)
        api->ReleaseSessionOptions(opt);
    vg_bench_ort_close(b);
    return NULL;
}

double vg_bench_ort_run(vg_bench_ort *b)
{
    const OrtApi *api = b->api;
    OrtValue *outs[16] = {0};
    double t0 = vg_bench_now_ms();
    OrtStatus *st = api->Run(b->sess, NULL, (const char *const *)&b->in_name, (const OrtValue *const *)&b->in,
                             1, (const char *const *)b->out_names, b->n_out, outs);
    double dt = vg_bench_now_ms() - t0;
    for (size_t i = 0; i < b->n_out; i++)
        if (outs[i])
            api->ReleaseValue(outs[i]);
    if (st) {
        fprintf(stderr, "bench: ORT: %s\n", api->GetErrorMessage(st));
        api->ReleaseStatus(st);
        return -1;
    }
    return dt;
}
