/* track.h — a per-camera multi-face tracker: keeps a face's identity from
 * frame to frame (and across short occlusions) so that a person walking past
 * is one track, embedded a few times and alerted at most once per subject.
 *
 * Association is greedy by IoU between each detection and each track's
 * predicted box (constant-velocity motion model, velocity smoothed), highest
 * IoU first. A track not seen for max_missed steps ends. The tracker also
 * keeps each track's best quality, so the caller can tell when a detection
 * is a better shot than any before it (best-shot selection).
 *
 * A tracker holds boxes and numbers only — no image, no template. One
 * tracker per camera; not shared between threads.
 */
#ifndef VIGIL_TRACK_H
#define VIGIL_TRACK_H

#include "vigil/api.h"

#include <stdint.h>
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_track_params {
    float iou_min;          /* least IoU with the predicted box to continue a track (0: 0.2) */
    int max_missed;         /* steps a track may go unseen before it ends (0: 12, ~0.5 s at 25 fps) */
    float improve_margin;   /* a shot must beat the track's best quality by this to count as better (0: 0.05) */
    int max_tracks;         /* (0: 256) */
} vg_track_params;

typedef struct vg_track_det {
    float x1, y1, x2, y2;
    float quality;          /* 0..1 */
} vg_track_det;

typedef struct vg_track_assign {
    int64_t track_id;       /* > 0, unique for the tracker's life */
    int is_new;             /* this detection started the track */
    int better_shot;        /* quality beat the track's previous best by the margin (always for a new track) */
    int age;                /* steps since the track began */
} vg_track_assign;

typedef struct vg_tracker vg_tracker;

VG_API vg_status vg_tracker_new(const vg_track_params *p, vg_tracker **out, vg_err *err);
VG_API void vg_tracker_free(vg_tracker *t);

/* One step (one processed frame): assigns each of the n detections to a track
 * (assign[i] for dets[i]), starts tracks for the rest, and ends tracks unseen
 * for too long: their ids go to ended (at most max_ended; *n_ended is how
 * many ended, which may exceed max_ended — the rest are still removed). */
VG_API vg_status vg_tracker_step(vg_tracker *t, const vg_track_det *dets, int n, vg_track_assign *assign,
                          int64_t *ended, int max_ended, int *n_ended, vg_err *err);

/* Ends every track (at the end of a stream); ids as for vg_tracker_step. */
VG_API int vg_tracker_flush(vg_tracker *t, int64_t *ended, int max_ended);

VG_API int vg_tracker_active(const vg_tracker *t);
VG_API int64_t vg_tracker_started(const vg_tracker *t);   /* tracks begun so far */

#ifdef __cplusplus
}
#endif
#endif
