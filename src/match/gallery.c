/* gallery.c — the template gallery (vg_gallery_*) and cosine top-k search.
 *
 * Storage: one 32-byte aligned array of rows, each row dim floats padded with
 * zeros to a multiple of 8 (so every row starts on a 32-byte boundary for the
 * SIMD kernels), plus a parallel array of the caller's ids. Capacity starts at
 * VG_GALLERY_INITIAL_CAP rows and doubles; a failed growth changes nothing.
 *
 * Each row is also quantised to int8 on the way in (gallery_i8.c), an index a
 * quarter the size of the floats.
 *
 * Search: the float scan is one pass over the rows with the backend's batched
 * dot product, a block of scores at a time, feeding a min-heap of the k best
 * kept in the caller's output array (no allocation, so a const gallery can be
 * searched from many threads at once). Ties are broken by the lower row
 * index, i.e. the template added first wins, so results are deterministic
 * across kernels. With the AVX2 backend, galleries of VG_GALLERY_I8_MIN_ROWS
 * or more first try the int8 index with exact re-ranking (gallery_i8.c),
 * which returns the float scan's result or declines, and then the float scan
 * runs.
 */
#include "match/gallery_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VG_GALLERY_INITIAL_CAP 16
#define VG_SEARCH_BLOCK 256 /* rows scored per batch call */

vg_status vg_gallery_new(int dim, vg_match_kernel kernel, vg_gallery **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_gallery_new: out is NULL");
    *out = NULL;
    if (dim <= 0 || dim > VG_MATCH_DIM_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "gallery dimension %d is out of range 1..%d", dim,
                          VG_MATCH_DIM_MAX);
    const vg_match_backend *be;
    vg_status st = vg_match_backend_find(kernel, &be, err);
    if (st != VG_OK)
        return st;
    vg_gallery *g = calloc(1, sizeof *g);
    if (!g)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory creating a gallery");
    g->dim = dim;
    g->stride = ((size_t)dim + 7) & ~(size_t)7;
    g->cstride = ((size_t)dim + 31) & ~(size_t)31;
    g->backend = be;
    *out = g;
    return VG_OK;
}

void vg_gallery_free(vg_gallery *g)
{
    if (!g)
        return;
    free(g->rows);
    free(g->ids);
    free(g->codes);
    free(g->qscale);
    free(g->qerr);
    free(g);
}

/* Makes room for one more row; on failure the gallery is as it was. */
static vg_status reserve_one(vg_gallery *g, vg_err *err)
{
    if (g->size < g->cap)
        return VG_OK;
    size_t cap = g->cap ? g->cap * 2 : VG_GALLERY_INITIAL_CAP;
    size_t row_bytes = g->stride * sizeof(float);
    if (cap < g->cap || cap > SIZE_MAX / row_bytes || cap > SIZE_MAX / sizeof(int64_t))
        return vg_err_set(err, VG_ERR_NOMEM, "gallery of %zu templates is too large to grow",
                          g->size);
    /* row_bytes and cstride are multiples of 32, as aligned_alloc requires. */
    float *rows = aligned_alloc(32, cap * row_bytes);
    int64_t *ids = malloc(cap * sizeof(int64_t));
    int8_t *codes = cap > SIZE_MAX / g->cstride ? NULL : aligned_alloc(32, cap * g->cstride);
    float *qscale = malloc(cap * sizeof(float)), *qerr = malloc(cap * sizeof(float));
    if (!rows || !ids || !codes || !qscale || !qerr) {
        free(rows);
        free(ids);
        free(codes);
        free(qscale);
        free(qerr);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory growing a gallery to %zu templates",
                          cap);
    }
    if (g->size) {
        memcpy(rows, g->rows, g->size * row_bytes);
        memcpy(ids, g->ids, g->size * sizeof(int64_t));
        memcpy(codes, g->codes, g->size * g->cstride);
        memcpy(qscale, g->qscale, g->size * sizeof(float));
        memcpy(qerr, g->qerr, g->size * sizeof(float));
    }
    free(g->rows);
    free(g->ids);
    free(g->codes);
    free(g->qscale);
    free(g->qerr);
    g->rows = rows;
    g->ids = ids;
    g->codes = codes;
    g->qscale = qscale;
    g->qerr = qerr;
    g->cap = cap;
    return VG_OK;
}

/* Duplicate ids are allowed: each add is a separate template. */
vg_status vg_gallery_add(vg_gallery *g, int64_t id, const float *vec, vg_err *err)
{
    if (!g || !vec)
        return vg_err_set(err, VG_ERR_INVALID, "vg_gallery_add: %s is NULL",
                          g ? "the vector" : "the gallery");
    /* Norm in double: no overflow for large floats, no underflow for tiny ones. */
    double ss = 0.0;
    for (int i = 0; i < g->dim; i++)
        ss += (double)vec[i] * vec[i];
    double norm = sqrt(ss);
    if (!isfinite(norm))
        return vg_err_set(err, VG_ERR_INVALID,
                          "template %lld holds a NaN or infinite value", (long long)id);
    if (norm == 0.0)
        return vg_err_set(err, VG_ERR_INVALID, "template %lld is a zero vector", (long long)id);
    vg_status st = reserve_one(g, err);
    if (st != VG_OK)
        return st;
    float *row = g->rows + g->size * g->stride;
    for (int i = 0; i < g->dim; i++)
        row[i] = (float)(vec[i] / norm);
    for (size_t i = (size_t)g->dim; i < g->stride; i++)
        row[i] = 0.0f;
    vg_i8_quantise(row, g->dim, g->cstride, g->codes + g->size * g->cstride, &g->qscale[g->size],
                   &g->qerr[g->size]);
    if (g->qerr[g->size] > g->qerr_max)
        g->qerr_max = g->qerr[g->size];
    g->ids[g->size] = id;
    g->size++;
    return VG_OK;
}

size_t vg_gallery_size(const vg_gallery *g)
{
    return g ? g->size : 0;
}

int vg_gallery_dim(const vg_gallery *g)
{
    return g ? g->dim : 0;
}

/* The kernel actually in use: SCALAR or AVX2, never AUTO. */
vg_match_kernel vg_gallery_kernel(const vg_gallery *g)
{
    return g ? g->backend->kernel : VG_MATCH_KERNEL_AUTO;
}

/* Bytes the gallery holds per template: the float row, the id, and the int8
 * index (codes, scale, error). */
size_t vg_gallery_bytes_per_template(const vg_gallery *g)
{
    if (!g)
        return 0;
    return g->stride * sizeof(float) + sizeof(int64_t) + g->cstride + 2 * sizeof(float);
}

/* ---- top-k --------------------------------------------------------------- */

/* The float scan. A NaN score (only from a probe holding NaN) is ranked as -inf. */
int vg_gallery_search_float(const vg_gallery *g, const float *probe, int k, vg_match *out)
{
    if (!g || !probe || !out || k <= 0 || g->size == 0)
        return 0;
    size_t want = (size_t)k < g->size ? (size_t)k : g->size;
    float scores[VG_SEARCH_BLOCK];
    size_t kept = 0;
    float floor_score = -INFINITY; /* score of h[0] once the heap is full */

    for (size_t base = 0; base < g->size; base += VG_SEARCH_BLOCK) {
        size_t n = g->size - base < VG_SEARCH_BLOCK ? g->size - base : VG_SEARCH_BLOCK;
        g->backend->batch(probe, g->rows + base * g->stride, g->stride, n, g->dim, scores);
        size_t j = 0;
        for (; j < n && kept < want; j++) { /* filling */
            float s = scores[j];
            out[kept].score = isnan(s) ? -INFINITY : s;
            out[kept].id = (int64_t)(base + j);
            vg_heap_sift_up(out, kept);
            kept++;
            floor_score = out[0].score;
        }
        for (; j < n; j++) {
            /* A later row wins only with a strictly higher score; NaN never does. */
            if (!(scores[j] > floor_score))
                continue;
            out[0].score = scores[j];
            out[0].id = (int64_t)(base + j);
            vg_heap_sift_down(out, want, 0);
            floor_score = out[0].score;
        }
    }

    vg_heap_sort(out, want);
    for (size_t i = 0; i < want; i++)
        out[i].id = g->ids[(size_t)out[i].id];
    return (int)want;
}

/* The int8 pass when it applies and proves its result, else the float scan:
 * either way the float scan's result. */
int vg_gallery_search(const vg_gallery *g, const float *probe, int k, vg_match *out)
{
    if (!g || !probe || !out || k <= 0 || g->size == 0)
        return 0;
    size_t want = (size_t)k < g->size ? (size_t)k : g->size;
    if (g->backend->i8_search && g->size >= VG_GALLERY_I8_MIN_ROWS && want <= VG_GALLERY_I8_MAX_K &&
        vg_gallery_search_i8(g, probe, (int)want, out) == (int)want)
        return (int)want;
    return vg_gallery_search_float(g, probe, k, out);
}
