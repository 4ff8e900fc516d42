/* frame_pool.h — the RGB images of one source's frames, used again instead of
 * a new zero-filled 1080p buffer (6 MB of page faults) per decoded picture
 * (internal to src/video).
 *
 * Ownership: the pool counts its users, the source (one) and every image it
 * handed out and has not had back. vg_frame_pool_give returns an image (and
 * that image's count); vg_frame_pool_release drops the source's; a deferred
 * frame's picture holds one too (vg_frame_pool_hold). The last one
 * frees the pool, so a frame may outlive its source. Thread-safe. */
#ifndef VIGIL_VIDEO_FRAME_POOL_H
#define VIGIL_VIDEO_FRAME_POOL_H

#include "vigil/image.h"

struct AVFrame;

typedef struct vg_frame_pool vg_frame_pool;

typedef struct vg_frame_pool_stats {
    long long made;  /* images allocated */
    long long taken; /* images handed out (made or used again) */
    int idle;        /* images kept for the next take */
    int out;         /* images handed out and not given back */
} vg_frame_pool_stats;

/* A pool keeping up to `keep` idle images (at least 1). */
vg_status vg_frame_pool_new(int keep, vg_frame_pool **out, vg_err *err);

/* An image of width x height: an idle one of that size (its old pixels
 * still in it), or a new one. */
vg_status vg_frame_pool_take(vg_frame_pool *p, int width, int height, vg_image **out, vg_err *err);

/* Returns img, taken from p: kept when it has the size last taken and
 * fewer than `keep` are idle, freed otherwise. NULL img: only the count. */
void vg_frame_pool_give(vg_frame_pool *p, vg_image *img);

/* Converts picture into a new image of the pool with the pool's kept
 * scaler (one conversion at a time per pool); the image counts as taken. */
vg_status vg_frame_pool_convert(vg_frame_pool *p, const struct AVFrame *picture, vg_image **out, vg_err *err);

/* One more count: a deferred frame's picture, which will take an image
 * later (vg_frame_pool_give with NULL drops it). */
void vg_frame_pool_hold(vg_frame_pool *p);

/* The source's count. */
void vg_frame_pool_release(vg_frame_pool *p);

void vg_frame_pool_stats_get(vg_frame_pool *p, vg_frame_pool_stats *out);

#endif
