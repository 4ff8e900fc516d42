/* kernels.h — internal to match/: the dot-product backends and their table.
 *
 * Each backend is one row of a const table in dot.c (name, supported(), a
 * single dot, a batched dot), best first; AUTO is the first row whose
 * supported() is true. The plain C backend is the reference the SIMD ones are
 * tested against (tests/match/test_match_dot.c).
 */
#ifndef VG_MATCH_KERNELS_H
#define VG_MATCH_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/match.h"

/* Largest template dimension a gallery accepts. */
#define VG_MATCH_DIM_MAX 4096

/* Sum of a[i]*b[i] for i < dim (dim >= 1). No alignment required. */
typedef float (*vg_dot_fn)(const float *a, const float *b, int dim);

/* out[r] = dot(probe, rows + r*stride) for r < n, where stride (in floats) is
 * a multiple of 8 and rows is 32-byte aligned; dim >= 1, dim <= stride. */
typedef void (*vg_dot_batch_fn)(const float *probe, const float *rows, size_t stride,
                                size_t n, int dim, float *out);

/* out[r] = sum of probe[i] * rows[r*stride + i] for i < len, exact in int32.
 * len and stride are multiples of 32 (codes are zero-padded), probe and rows
 * are 32-byte aligned, every code is in -127..127 (never -128). */
typedef void (*vg_dot_i8_batch_fn)(const int8_t *probe, const int8_t *rows, size_t stride,
                                   size_t n, size_t len, int32_t *out);

typedef struct vg_match_backend {
    vg_match_kernel kernel;
    const char *name;
    int (*supported)(void);  /* can this CPU run it? */
    vg_dot_fn dot;
    vg_dot_batch_fn batch;
    /* One row scored with exactly the arithmetic batch uses for every row
     * (bit-identical, whatever the row's position), so a re-ranked candidate
     * gets the score a full scan would have given it. */
    vg_dot_fn row;
    vg_dot_i8_batch_fn batch_i8;
    /* Does vg_gallery_search take the int8 pass with this backend? Not with
     * plain C, whose int8 kernel is slower than its float scan. */
    int i8_search;
} vg_match_backend;

/* The backend for a kernel request (AUTO resolves to the best supported).
 * VG_ERR_INVALID for an unknown kernel value, VG_ERR_UNSUPPORTED when the CPU
 * lacks what the kernel needs. */
vg_status vg_match_backend_find(vg_match_kernel k, const vg_match_backend **out, vg_err *err);

/* The kernels themselves (dot.c and dot_avx2.c). */
float vg_dot_scalar(const float *a, const float *b, int dim);
void vg_dot_batch_scalar(const float *probe, const float *rows, size_t stride, size_t n, int dim,
                         float *out);
float vg_dot_avx2(const float *a, const float *b, int dim);
void vg_dot_batch_avx2(const float *probe, const float *rows, size_t stride, size_t n, int dim,
                       float *out);
float vg_dot_row_avx2(const float *a, const float *b, int dim);
void vg_dot_i8_batch_scalar(const int8_t *probe, const int8_t *rows, size_t stride, size_t n,
                            size_t len, int32_t *out);
void vg_dot_i8_batch_avx2(const int8_t *probe, const int8_t *rows, size_t stride, size_t n,
                          size_t len, int32_t *out);

#endif
