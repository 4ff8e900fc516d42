/* gallery.c — the template gallery (vg_gallery_*) and cosine top-k search.
 *
 * Storage: one 32-byte aligned array of rows, each row dim floats padded with
 * zeros to a multiple of 8 (so every row starts on a 32-byte boundary for the
 * SIMD kernels), plus a parallel array of the caller's ids. Capacity starts at
 * VG_GALLERY_INITIAL_CAP rows and doubles; a failed growth changes nothing.
 *
 * Search: one pass over the rows with the backend's batched dot product, a
 * block of scores at a time, feeding a min-heap of the k best kept in the
 * caller's output array (no allocation, so a const gallery can be searched
 * from many threads at once). Ties are broken by the lower row index, i.e. the
 * template added first wins, so results are deterministic across kernels.
 */
#include "match/kernels.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VG_GALLERY_INITIAL_CAP 16
#define VG_SEARCH_BLOCK 256 /* rows scored per batch call */

struct vg_gallery {
    int dim;
    size_t stride; /* floats per row: dim rounded up to a multiple of 8 */
    size_t size;   /* rows in use */
    size_t cap;    /* rows allocated */
    float *rows;   /* cap * stride floats, 32-byte aligned */
    int64_t *ids;  /* cap ids */
    const vg_match_backend *backend;
};

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
    /* row_bytes is a multiple of 32, as aligned_alloc requires of the size. */
    float *rows = aligned_alloc(32, cap * row_bytes);
    int64_t *ids = malloc(cap * sizeof(int64_t));
    if (!rows || !ids) {
        free(rows);
        free(ids);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory growing a gallery to %zu templates",
                          cap);
    }
    if (g->size) {
        memcpy(rows, g->rows, g->size * row_bytes);
        memcpy(ids, g->ids, g->size * sizeof(int64_t));
    }
    free(g->rows);
    free(g->ids);
    g->rows = rows;
    g->ids = ids;
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

/* ---- top-k --------------------------------------------------------------- */

/* During the search out[i].id holds the row index; ids replace it at the end.
 * "worse" orders by score, then the higher row index is the worse. */
static inline int worse(const vg_match *a, const vg_match *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

/* Min-heap on "worse": h[0] is the worst of the k kept. */
static void sift_down(vg_match *h, size_t n, size_t i)
{
    vg_match x = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && worse(&h[c + 1], &h[c]))
            c++;
        if (!worse(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

static void sift_up(vg_match *h, size_t i)
{
    vg_match x = h[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!worse(&x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/* A NaN score (only from a probe holding NaN) is ranked as -inf. */
int vg_gallery_search(const vg_gallery *g, const float *probe, int k, vg_match *out)
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
            sift_up(out, kept);
            kept++;
            floor_score = out[0].score;
        }
        for (; j < n; j++) {
            /* A later row wins only with a strictly higher score; NaN never does. */
            if (!(scores[j] > floor_score))
                continue;
            out[0].score = scores[j];
            out[0].id = (int64_t)(base + j);
            sift_down(out, want, 0);
            floor_score = out[0].score;
        }
    }

    /* Heap sort: moving the worst to the back leaves the best first. */
    for (size_t end = want; end > 1; end--) {
        vg_match t = out[0];
        out[0] = out[end - 1];
        out[end - 1] = t;
        sift_down(out, end - 1, 0);
    }
    for (size_t i = 0; i < want; i++)
        out[i].id = g->ids[(size_t)out[i].id];
    return (int)want;
}
