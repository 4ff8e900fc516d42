/* bench_ort.h — raw ONNX Runtime timing, the baseline of each model stage. */
#ifndef VG_BENCH_ORT_H
#define VG_BENCH_ORT_H

#include <stdint.h>

typedef struct vg_bench_ort vg_bench_ort;

/* A session on model with a ready input tensor of this shape, holding a copy
 * of input (NULL: a fixed pseudo-random pattern); NULL on error. */
vg_bench_ort *vg_bench_ort_open(const char *model, const int64_t *shape, int ndim, const float *input);
/* One Run; its ms, or -1 on error. */
double vg_bench_ort_run(vg_bench_ort *b);
void vg_bench_ort_close(vg_bench_ort *b);

#endif
