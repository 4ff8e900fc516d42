/* tracker.c — per-camera multi-face tracking by IoU against a
 * constant-velocity prediction, with best-shot bookkeeping.
 *
 * Each step: predict every track's box one step ahead (last box + smoothed
 * velocity x steps since last seen), score all (track, detection) pairs by
 * IoU, take pairs greedily from the highest IoU down (each track and each
 * detection once, IoU >= iou_min), start new tracks for the detections left
 * over, and end tracks unseen for more than max_missed steps. Only boxes
 * and numbers are kept.
 */
#include "vigil/track.h"

#include <stdlib.h>
#include <string.h>

typedef struct track {
    int64_t id;
    float x1, y1, x2, y2;     /* last observed box */
    float vx1, vy1, vx2, vy2; /* smoothed per-step velocity of each edge */
    int missed;               /* steps since last seen */
    int age;                  /* steps since it began */
    float best_quality;
} track;

struct vg_tracker {
    vg_track_params p;
    track *tracks;
    int n;
    int64_t next_id;
};

typedef struct pair {
    float iou;
    int t, d;
} pair;

vg_status vg_tracker_new(const vg_track_params *p, vg_tracker **out, vg_err *err)
{
    *out = NULL;
    vg_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if (p)
        t->p = *p;
    if (t->p.iou_min <= 0)
        t->p.iou_min = 0.2f;
    if (t->p.max_missed <= 0)
        t->p.max_missed = 12;
    if (t->p.improve_margin <= 0)
        t->p.improve_margin = 0.05f;
    if (t->p.max_tracks <= 0)
        t->p.max_tracks = 256;
    t->tracks = calloc((size_t)t->p.max_tracks, sizeof *t->tracks);
    if (!t->tracks) {
        free(t);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    t->next_id = 1;
    *out = t;
    return VG_OK;
}

void vg_tracker_free(vg_tracker *t)
{
    if (!t)
        return;
    free(t->tracks);
    free(t);
}

int vg_tracker_active(const vg_tracker *t)
{
    return t->n;
}

int64_t vg_tracker_started(const vg_tracker *t)
{
    return t->next_id - 1;
}

static float box_iou(float ax1, float ay1, float ax2, float ay2, const vg_track_det *b)
{
    float ix = (ax2 < b->x2 ? ax2 : b->x2) - (ax1 > b->x1 ? ax1 : b->x1);
    float iy = (ay2 < b->y2 ? ay2 : b->y2) - (ay1 > b->y1 ? ay1 : b->y1);
    if (ix <= 0 || iy <= 0)
        return 0;
    float inter = ix * iy;
    float u = (ax2 - ax1) * (ay2 - ay1) + (b->x2 - b->x1) * (b->y2 - b->y1) - inter;
    return u > 0 ? inter / u : 0;
}

static int by_iou_desc(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->iou != y->iou)
        return x->iou < y->iou ? 1 : -1;
    if (x->t != y->t)
        return x->t - y->t;
    return x->d - y->d;
}

/* Removes track i (order of the rest kept), reporting its id. */
static void end_track(vg_tracker *t, int i, int64_t *ended, int max_ended, int *n_ended)
{
    if (ended && *n_ended < max_ended)
        ended[*n_ended] = t->tracks[i].id;
    (*n_ended)++;
    memmove(&t->tracks[i], &t->tracks[i + 1], (size_t)(t->n - i - 1) * sizeof *t->tracks);
    t->n--;
}

vg_status vg_tracker_step(vg_tracker *t, const vg_track_det *dets, int n, vg_track_assign *assign,
                          int64_t *ended, int max_ended, int *n_ended, vg_err *err)
{
    *n_ended = 0;
    if (n < 0 || (n > 0 && (!dets || !assign)))
        return vg_err_set(err, VG_ERR_INVALID, "vg_tracker_step: bad detections");
    int pairs_max = t->n * n;
    pair *pairs = NULL;
    if (pairs_max > 0) {
        pairs = malloc((size_t)pairs_max * sizeof *pairs);
        if (!pairs)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    /* predicted boxes against detections */
    int np = 0;
    for (int i = 0; i < t->n; i++) {
        const track *k = &t->tracks[i];
        float s = (float)(k->missed + 1);
        float px1 = k->x1 + k->vx1 * s, py1 = k->y1 + k->vy1 * s;
        float px2 = k->x2 + k->vx2 * s, py2 = k->y2 + k->vy2 * s;
        for (int d = 0; d < n; d++) {
            float v = box_iou(px1, py1, px2, py2, &dets[d]);
            if (v >= t->p.iou_min)
                pairs[np++] = (pair){v, i, d};
        }
    }
    if (np > 1)
        qsort(pairs, (size_t)np, sizeof *pairs, by_iou_desc);
    char *track_used = calloc((size_t)(t->n ? t->n : 1), 1);
    char *det_used = calloc((size_t)(n ? n : 1), 1);
    if (!track_used || !det_used) {
        free(pairs);
        free(track_used);
        free(det_used);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < np; k++) {
        const pair *pr = &pairs[k];
        if (track_used[pr->t] || det_used[pr->d])
            continue;
        track_used[pr->t] = det_used[pr->d] = 1;
        track *tr = &t->tracks[pr->t];
        const vg_track_det *d = &dets[pr->d];
        /* velocity per step over the gap, smoothed */
        float steps = (float)(tr->missed + 1), a = 0.5f;
        tr->vx1 = a * (d->x1 - tr->x1) / steps + (1 - a) * tr->vx1;
        tr->vy1 = a * (d->y1 - tr->y1) / steps + (1 - a) * tr->vy1;
        tr->vx2 = a * (d->x2 - tr->x2) / steps + (1 - a) * tr->vx2;
        tr->vy2 = a * (d->y2 - tr->y2) / steps + (1 - a) * tr->vy2;
        tr->x1 = d->x1;
        tr->y1 = d->y1;
        tr->x2 = d->x2;
        tr->y2 = d->y2;
        tr->missed = 0;
        tr->age++;
        int better = d->quality > tr->best_quality + t->p.improve_margin;
        if (better)
            tr->best_quality = d->quality;
        assign[pr->d] = (vg_track_assign){tr->id, 0, better, tr->age};
    }
    /* tracks not seen this step age; too old ones end */
    for (int i = t->n - 1; i >= 0; i--) {
        if (track_used[i])
            continue;
        t->tracks[i].missed++;
        t->tracks[i].age++;
        if (t->tracks[i].missed > t->p.max_missed)
            end_track(t, i, ended, max_ended, n_ended);
    }
    /* new tracks for unmatched detections (when full, the oldest-unseen ends) */
    for (int d = 0; d < n; d++) {
        if (det_used[d])
            continue;
        if (t->n == t->p.max_tracks) {
            int worst = 0;
            for (int i = 1; i < t->n; i++)
                if (t->tracks[i].missed > t->tracks[worst].missed)
                    worst = i;
            end_track(t, worst, ended, max_ended, n_ended);
        }
        track *tr = &t->tracks[t->n++];
        memset(tr, 0, sizeof *tr);
        tr->id = t->next_id++;
        tr->x1 = dets[d].x1;
        tr->y1 = dets[d].y1;
        tr->x2 = dets[d].x2;
        tr->y2 = dets[d].y2;
        tr->best_quality = dets[d].quality;
        assign[d] = (vg_track_assign){tr->id, 1, 1, 0};
    }
    free(pairs);
    free(track_used);
    free(det_used);
    return VG_OK;
}

int vg_tracker_flush(vg_tracker *t, int64_t *ended, int max_ended)
{
    int n = 0;
    while (t->n > 0)
        end_track(t, t->n - 1, ended, max_ended, &n);
    return n;
}
