/* match.h — a gallery of L2-normalised templates and cosine top-k search.
 *
 * The gallery keeps its vectors in one contiguous, 32-byte aligned array so
 * that a search is a single pass of dot products. The kernel (plain C or AVX2)
 * is chosen once, at vg_gallery_new, from what the CPU supports.
 * A gallery is safe to search from many threads at once while nobody adds.
 */
#ifndef VIGIL_MATCH_H
#define VIGIL_MATCH_H

#include "vigil/api.h"

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_gallery vg_gallery;

typedef struct vg_match {
    int64_t id;   /* caller's id for the template (e.g. a template row id) */
    float score;  /* cosine similarity, -1..1 */
} vg_match;

/* Which dot-product kernel a gallery uses. */
typedef enum vg_match_kernel {
    VG_MATCH_KERNEL_AUTO = 0,  /* best the CPU supports */
    VG_MATCH_KERNEL_SCALAR,
    VG_MATCH_KERNEL_AVX2
} vg_match_kernel;

VG_API vg_status vg_gallery_new(int dim, vg_match_kernel kernel, vg_gallery **out, vg_err *err);
VG_API void vg_gallery_free(vg_gallery *g);

/* Adds one template (dim floats, copied). It is L2-normalised on the way in;
 * a zero or non-finite vector is VG_ERR_INVALID. */
VG_API vg_status vg_gallery_add(vg_gallery *g, int64_t id, const float *vec, vg_err *err);

VG_API size_t vg_gallery_size(const vg_gallery *g);
VG_API int vg_gallery_dim(const vg_gallery *g);
VG_API vg_match_kernel vg_gallery_kernel(const vg_gallery *g);
VG_API const char *vg_match_kernel_name(vg_match_kernel k);

/* The k best templates for a probe (dim floats, L2-normalised by the caller),
 * best first. Returns how many were written to out (min(k, size)).
 * With the AVX2 kernel, large galleries (512 templates or more, k up to 16)
 * are searched through an int8 copy of the templates and the best 64
 * candidates re-scored exactly; the result is always that of
 * vg_gallery_search_float (same templates, same order, same scores): when the
 * int8 pass cannot prove it, the float scan runs instead. */
VG_API int vg_gallery_search(const vg_gallery *g, const float *probe, int k, vg_match *out);

/* The same search as a plain scan of every float template (the reference). */
VG_API int vg_gallery_search_float(const vg_gallery *g, const float *probe, int k, vg_match *out);

/* Bytes of memory the gallery holds per template (float row, id, int8 copy). */
VG_API size_t vg_gallery_bytes_per_template(const vg_gallery *g);

/* Dot product of two dim-float vectors with a given kernel (for tests and
 * benchmarks; AUTO picks as vg_gallery_new does). */
VG_API float vg_match_dot(vg_match_kernel k, const float *a, const float *b, int dim);

/* Cosine similarity of two vectors of any norm (0 when either is zero). */
VG_API float vg_cosine(const float *a, const float *b, int dim);

/* L2-normalises v in place; returns its original norm. */
VG_API float vg_l2_normalise(float *v, int dim);

#ifdef __cplusplus
}
#endif
#endif
