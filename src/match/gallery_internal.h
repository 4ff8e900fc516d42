/* gallery_internal.h — internal to match/: the vg_gallery structure, its
 * top-k heap (shared by the float scan in gallery.c and the int8 candidate
 * scan in gallery_i8.c; topk_heap.c), and the int8 index functions.
 */
#ifndef VG_MATCH_GALLERY_INTERNAL_H
#define VG_MATCH_GALLERY_INTERNAL_H

#include "match/kernels.h"

/* The int8 pass keeps this many candidates for exact re-ranking; searches
 * for more than this many results scan the floats. */
#define VG_GALLERY_RERANK 64
/* The int8 pass is tried for k up to this: the k-th exact score must clear the
 * lowest approximate score kept by the error bound, which needs the
 * candidates to reach well below the k-th. */
#define VG_GALLERY_I8_MAX_K (VG_GALLERY_RERANK / 4)
/* Galleries smaller than this scan the floats (the int8 pass gains nothing). */
#define VG_GALLERY_I8_MIN_ROWS 512

struct vg_gallery {
    int dim;
    size_t stride; /* floats per row: dim rounded up to a multiple of 8 */
    size_t size;   /* rows in use */
    size_t cap;    /* rows allocated */
    float *rows;   /* cap * stride floats, 32-byte aligned */
    int64_t *ids;  /* cap ids */
    const vg_match_backend *backend;
    /* the int8 index: row r ~= codes[r] * qscale[r], with |row - that|_2 = qerr[r] */
    size_t cstride;  /* bytes per code row: dim rounded up to a multiple of 32 */
    int8_t *codes;   /* cap * cstride, 32-byte aligned, zero-padded */
    float *qscale;   /* cap */
    float *qerr;     /* cap */
    float qerr_max;  /* over the rows in use */
};

/* During a search a vg_match's id holds the row index. "worse" orders by
 * score, then the higher row index is the worse (the row added first wins). */
static inline int vg_match_worse(const vg_match *a, const vg_match *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

/* topk_heap.c: a min-heap on vg_match_worse: h[0] is the worst of the n
 * kept. */
void vg_heap_sift_down(vg_match *h, size_t n, size_t i);
void vg_heap_sift_up(vg_match *h, size_t i);
/* Sorts a heap of n best first (heap sort). */
void vg_heap_sort(vg_match *h, size_t n);

/* Quantises dim floats (finite, not all zero) to codes in -127..127 with one
 * scale: v[i] ~= q[i] * *scale; *err = |v - q * scale|_2 (in double). Codes
 * from dim to pad are set to zero. */
void vg_i8_quantise(const float *v, int dim, size_t pad, int8_t *q, float *scale, float *err);

/* The top k (k <= VG_GALLERY_RERANK, k <= size) of a probe through the int8
 * index and exact re-ranking, best first, ids already the caller's. Returns k
 * when the result is proven identical to the float scan's, or -1 when it
 * cannot be (out is then unspecified; scan the floats instead). */
int vg_gallery_search_i8(const vg_gallery *g, const float *probe, int k, vg_match *out);

#endif
