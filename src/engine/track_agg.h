/* track_agg.h — a live track's K best embeddings by quality, in RAM only,
 * and their quality-weighted mean: what a track-level decision searches. */
#ifndef VG_ENGINE_TRACK_AGG_H
#define VG_ENGINE_TRACK_AGG_H

#include "vigil/status.h"

typedef struct vg_track_agg {
    int k, dim, n;
    float *vec;    /* k x dim, owned (NULL until the first add) */
    float *q;      /* the quality of each kept embedding */
} vg_track_agg;

/* 1 when an embedding of quality q would be kept: fewer than k are kept,
 * or q is above the worst kept (k <= 0 counts as 1). */
int vg_track_agg_admits(const vg_track_agg *a, float q);
/* Keeps emb (dim floats) with quality q among the k best, replacing the
 * worst kept when full; *kept says whether it was. The first add allocates
 * k x dim floats (k and dim are fixed then). */
vg_status vg_track_agg_add(vg_track_agg *a, int k, int dim, const float *emb, float q, int *kept, vg_err *err);
/* The quality-weighted mean of the kept embeddings, L2-normalised, into
 * out (dim floats). VG_ERR_NOT_FOUND when none is kept. */
vg_status vg_track_agg_mean(const vg_track_agg *a, float *out, vg_err *err);
/* Wipes every kept embedding (sodium_memzero) and frees them; a is empty
 * and reusable after. */
void vg_track_agg_wipe(vg_track_agg *a);

#endif
