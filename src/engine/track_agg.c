/* track_agg.c — a live track's K best embeddings by quality, and their
 * quality-weighted mean, L2-normalised (track_agg.h). The embeddings live
 * on the heap for the track's life only and are wiped with sodium_memzero
 * when the track ends: nothing of a face that matched no one outlives it. */
#include "engine/track_agg.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* a kept embedding's weight: its quality, never zero (min_quality may be 0) */
#define AGG_WEIGHT_MIN 1e-3f

static int worst(const vg_track_agg *a)
{
    int w = 0;
    for (int i = 1; i < a->n; i++)
        if (a->q[i] < a->q[w])
            w = i;
    return w;
}

int vg_track_agg_admits(const vg_track_agg *a, float q)
{
    int k = a->k > 0 ? a->k : 1;
    if (!a->vec || a->n < k)
        return 1;
    return q > a->q[worst(a)];
}

vg_status vg_track_agg_add(vg_track_agg *a, int k, int dim, const float *emb, float q, int *kept, vg_err *err)
{
    *kept = 0;
    if (!a->vec) {
        if (k < 1 || dim < 1)
            return vg_err_set(err, VG_ERR_INVALID, "a track keeps at least 1 embedding of at least 1 value");
        a->vec = calloc((size_t)k * (size_t)dim, sizeof *a->vec);
        a->q = calloc((size_t)k, sizeof *a->q);
        if (!a->vec || !a->q) {
            free(a->vec);
            free(a->q);
            a->vec = a->q = NULL;
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory for a track's embeddings");
        }
        a->k = k;
        a->dim = dim;
        a->n = 0;
    } else if (dim != a->dim) {
        return vg_err_set(err, VG_ERR_INVALID, "embedding of %d values in a track of %d", dim, a->dim);
    }
    int slot;
    if (a->n < a->k)
        slot = a->n++;
    else {
        slot = worst(a);
        if (!(q > a->q[slot]))
            return VG_OK;
    }
    memcpy(a->vec + (size_t)slot * (size_t)a->dim, emb, (size_t)a->dim * sizeof *emb);
    a->q[slot] = q;
    *kept = 1;
    return VG_OK;
}

vg_status vg_track_agg_mean(const vg_track_agg *a, float *out, vg_err *err)
{
    if (!a->vec || a->n == 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "the track has no embedding");
    for (int d = 0; d < a->dim; d++)
        out[d] = 0;
    for (int i = 0; i < a->n; i++) {
        float w = a->q[i] > AGG_WEIGHT_MIN ? a->q[i] : AGG_WEIGHT_MIN;
        const float *v = a->vec + (size_t)i * (size_t)a->dim;
        for (int d = 0; d < a->dim; d++)
            out[d] += w * v[d];
    }
    double norm = 0;
    for (int d = 0; d < a->dim; d++)
        norm += (double)out[d] * out[d];
    norm = sqrt(norm);
    if (!(norm > 1e-12) || !isfinite(norm)) {
        sodium_memzero(out, (size_t)a->dim * sizeof *out);
        return vg_err_set(err, VG_ERR_INVALID, "the track's embeddings cancel out");
    }
    for (int d = 0; d < a->dim; d++)
        out[d] = (float)(out[d] / norm);
    return VG_OK;
}

void vg_track_agg_wipe(vg_track_agg *a)
{
    if (a->vec)
        sodium_memzero(a->vec, (size_t)a->k * (size_t)a->dim * sizeof *a->vec);
    if (a->q)
        sodium_memzero(a->q, (size_t)a->k * sizeof *a->q);
    free(a->vec);
    free(a->q);
    memset(a, 0, sizeof *a);
}
