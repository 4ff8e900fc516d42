/* view.c — the live view of a camera (privacy invariant 1 of
 * docs/evaluation.md): while someone watches, the camera's step hands its
 * frame and faces here; at most VG_ENGINE_VIEW_FPS times a second a reduced
 * copy is made in which every face that is not a current match — the step's
 * faces, the tracks it missed on this frame, and what a second, more
 * sensitive detection pass finds on the copy — is pixelated beyond
 * recognition, the rest of the scene is coarsened so that a face no detector
 * found keeps no detail either, boxes are drawn, and the JPEG goes into the
 * camera's slot for the viewers (vg_engine_view_next), with the matched
 * faces' boxes, subjects and alerts beside it (its marks, read by
 * vg_engine_view_marks_next; nothing of any other face). Nothing here reaches
 * back into the step: the view is one of its outputs. If any face cannot be
 * hidden, the frame is not published at all. The same rendering makes an
 * alert's scene snapshot (vg_view_scene, issue 15) where the deployment
 * keeps one: only the alerting face sharp and boxed, everyone else hidden. */
#include "engine/engine_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VIEW_MARGIN 0.25f     /* of the face box's size, on every side */
#define VIEW_BLOCKS 6         /* cells along the longer side of a hidden face */
#define VIEW_JPEG_QUALITY 75
/* the view's own detection pass: 0.35 of the detector's threshold, faces from
 * 10 pixels of the reduced frame up; a box that overlaps a matched face this
 * much is that face */
#define VIEW_SENSITIVITY 0.35f
#define VIEW_MIN_FACE 10
#define VIEW_SAME_FACE_IOU 0.3f
/* The whole scene, matched faces excepted, is coarsened to cells of this
 * many view pixels: a face too small for the detector (under about 20 view
 * pixels) keeps no more than about 6 cells of height — what a hidden face
 * is left with — while people, clothing and movement stay plain to see.
 * Measured: YuNet finds 5 faces on 81 served frames of the crowd clip
 * without it, none with it (tests/server/test_server_live.c). */
#define VIEW_SCENE_CELL 3
#define STEP_VIEW_FACES_MAX VG_ENGINE_VIEW_MARKS_MAX
/* A track the step's detector missed is hidden where it was for this many
 * missed steps (a flicker of the detector); after that its box is not
 * drawn again: the tracker keeps a track for 12 missed steps, and boxes
 * hung in the picture where someone had been (issue 15). Whatever is still
 * there is hidden by the view's own detection pass and the coarsened scene. */
#define VIEW_MISSED_STEPS 1

static const uint8_t MATCH_RGB[3] = {230, 40, 40};
static const uint8_t OTHER_RGB[3] = {170, 170, 170};

void vg_view_init(camera *c)
{
    view_slot *v = &c->view;
    pthread_mutex_init(&v->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&v->cond, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&v->viewers, 0);
}

void vg_view_end(camera *c)
{
    view_slot *v = &c->view;
    pthread_mutex_lock(&v->lock);
    v->closed = 1;
    pthread_cond_broadcast(&v->cond);
    pthread_mutex_unlock(&v->lock);
}

void vg_view_fini(camera *c)
{
    view_slot *v = &c->view;
    free(v->jpeg);
    v->jpeg = NULL;
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->lock);
}

static const track_state *find_state(const camera *c, int64_t id)
{
    for (int i = 0; i < c->n_tracks; i++)
        if (c->tracks[i].id == id)
            return &c->tracks[i];
    return NULL;
}

/* A face is shown only when its track has matched a subject of the watch
 * list in use now (gen) and matching is allowed now; anything else — no
 * state, no match, a match against a list since changed, outside the
 * window — is hidden. */
static int is_match(const track_state *ts, int matching, int64_t gen)
{
    return matching && ts && ts->matched_gen == gen;
}

/* The box (frame pixels) scaled to the view, grown by margin on each side,
 * as whole pixels covering it; at least 1 x 1. */
static void view_rect(const float box[4], float scale, float margin, int r[4])
{
    float w = box[2] - box[0], h = box[3] - box[1];
    float x1 = (box[0] - margin * w) * scale, y1 = (box[1] - margin * h) * scale;
    float x2 = (box[2] + margin * w) * scale, y2 = (box[3] + margin * h) * scale;
    r[0] = (int)floorf(x1);
    r[1] = (int)floorf(y1);
    r[2] = (int)ceilf(x2) - r[0];
    r[3] = (int)ceilf(y2) - r[1];
    if (r[2] < 1)
        r[2] = 1;
    if (r[3] < 1)
        r[3] = 1;
}

static float iou(const float a[4], const float b[4])
{
    float ix = fminf(a[2], b[2]) - fmaxf(a[0], b[0]), iy = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (ix <= 0 || iy <= 0)
        return 0;
    float inter = ix * iy;
    float uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    return uni > 0 ? inter / uni : 0;
}

static int hide(vg_image *img, const float box[4], float scale, int thickness)
{
    int r[4];
    view_rect(box, scale, VIEW_MARGIN, r);
    if (vg_image_pixelate(img, r[0], r[1], r[2], r[3], VIEW_BLOCKS, NULL) != VG_OK)
        return 0;
    vg_image_draw_box(img, r[0], r[1], r[2], r[3], thickness, OTHER_RGB, NULL);
    return 1;
}

static void publish(camera *c, uint8_t *jpeg, size_t len, const vg_frame *frame, int width, int height, int faces,
                    int matched, const vg_engine_view_mark *marks, int n_marks)
{
    view_slot *v = &c->view;
    pthread_mutex_lock(&v->lock);
    if (atomic_load(&v->viewers) > 0) {
        free(v->jpeg);
        v->jpeg = jpeg;
        jpeg = NULL;
        v->len = len;
        v->seq++;
        v->pts = frame->pts;
        v->width = width;
        v->height = height;
        v->faces = faces;
        v->matched = matched;
        memcpy(v->marks, marks, (size_t)n_marks * sizeof *marks);
        v->n_marks = n_marks;
        pthread_cond_broadcast(&v->cond);
    }
    pthread_mutex_unlock(&v->lock);
    free(jpeg); /* the last viewer left meanwhile */
}

/* A face is shown sharp when its track is a current match and, with only
 * >= 0 (a scene snapshot), the alerting track itself. */
static int shown(const track_state *ts, int matching, int64_t gen, int64_t only)
{
    return is_match(ts, matching, gen) && (only < 0 || ts->id == only);
}

/* The frame as the live view shows it: a copy reduced to at most
 * VG_ENGINE_VIEW_WIDTH_MAX wide, every face not shown (shown()) pixelated
 * — the step's faces, the tracks it missed on this frame, what the view's
 * own detection finds — the rest of the scene coarsened, the shown faces
 * sharp and boxed, as JPEG; with marks (VG_ENGINE_VIEW_MARKS_MAX), the shown
 * faces' marks too (*n_marks). 1 and *jpeg (malloc'd); 0 when any face could
 * not be hidden (nothing made). The live view (only -1) and the scene
 * snapshot of an alert (only: its track) are this one rendering. */
static int render(camera *c, const vg_frame *frame, const vg_face *faces, const vg_track_assign *assign, int n,
                  int matching, int64_t only, uint8_t **jpeg_out, size_t *len_out, int *width, int *height,
                  int *matched_out, vg_engine_view_mark *marks, int *n_marks)
{
    *jpeg_out = NULL;
    *len_out = 0;
    const vg_image *src = frame->image;
    if (!src) /* not converted: nothing to show */
        return 0;
    vg_image *img = NULL;
    float scale = 1;
    vg_status st;
    if (src->width > VG_ENGINE_VIEW_WIDTH_MAX) {
        scale = (float)VG_ENGINE_VIEW_WIDTH_MAX / (float)src->width;
        int h = (int)lroundf((float)src->height * scale);
        st = vg_image_resize(src, VG_ENGINE_VIEW_WIDTH_MAX, h > 0 ? h : 1, &img, NULL);
    } else {
        st = vg_image_clone(src, &img, NULL);
    }
    int ok = st == VG_OK, matched = 0;
    int64_t gen = vg_engine_gallery_gen(c->engine);
    int thickness = img && img->width >= 480 ? 2 : 1;
    /* a second, more sensitive look at the reduced frame itself: whatever
     * the step's detection missed and this finds is hidden too (the matched
     * faces excepted). Should it fail, nothing is published. */
    vg_face *extra = NULL;
    int n_extra = 0;
    if (ok)
        ok = vg_face_detect_boxes(c->engine->pack, img, VIEW_SENSITIVITY, VIEW_MIN_FACE, &extra, &n_extra, NULL) ==
             VG_OK;
    /* the scene coarsened; the matched faces are copied back sharp from a
     * copy made before */
    vg_image *sharp = NULL;
    int any_match = 0;
    for (int i = 0; i < n && !any_match; i++)
        any_match = shown(find_state(c, assign[i].track_id), matching, gen, only);
    if (ok && any_match)
        ok = vg_image_clone(img, &sharp, NULL) == VG_OK;
    if (ok)
        ok = vg_image_coarsen(img, VIEW_SCENE_CELL, NULL) == VG_OK;
    float shown_box[STEP_VIEW_FACES_MAX][4];
    int n_shown = 0;
    for (int i = 0; ok && i < n; i++) {
        float box[4] = {faces[i].x1, faces[i].y1, faces[i].x2, faces[i].y2};
        const track_state *ts = find_state(c, assign[i].track_id);
        if (shown(ts, matching, gen, only) && n_shown < STEP_VIEW_FACES_MAX) {
            for (int k = 0; k < 4; k++)
                shown_box[n_shown][k] = box[k] * scale;
            if (marks) {
                vg_engine_view_mark *m = &marks[n_shown];
                m->box[0] = fminf(fmaxf(box[0] / (float)src->width, 0.f), 1.f);
                m->box[1] = fminf(fmaxf(box[1] / (float)src->height, 0.f), 1.f);
                m->box[2] = fminf(fmaxf(box[2] / (float)src->width, 0.f), 1.f);
                m->box[3] = fminf(fmaxf(box[3] / (float)src->height, 0.f), 1.f);
                m->track_id = ts->id;
                m->subject_id = ts->matched_subject;
                m->alert_id = vg_alerts_stored_id(c->engine, ts->matched_uid);
            }
            int r[4];
            view_rect(shown_box[n_shown], 1, 0, r);
            ok = vg_image_copy_rect(img, sharp, r[0], r[1], r[2], r[3], NULL) == VG_OK;
            n_shown++;
        } else {
            ok = hide(img, box, scale, thickness);
        }
    }
    /* a live track the detector missed on this frame (and at most
     * VIEW_MISSED_STEPS steps before): hide where it was */
    int64_t recent = (int64_t)VIEW_MISSED_STEPS * c->engine->cfg.detect_every;
    for (int k = 0; ok && k < c->n_tracks; k++) {
        const track_state *ts = &c->tracks[k];
        if (ts->seen > 0 && ts->seen != c->frames_seen && c->frames_seen - ts->seen <= recent &&
            !shown(ts, matching, gen, only))
            ok = hide(img, ts->box, scale, thickness);
    }
    for (int i = 0; ok && i < n_extra; i++) {
        float box[4] = {extra[i].x1, extra[i].y1, extra[i].x2, extra[i].y2};
        int is_shown = 0;
        for (int k = 0; k < n_shown && !is_shown; k++)
            is_shown = iou(box, shown_box[k]) >= VIEW_SAME_FACE_IOU;
        if (!is_shown)
            ok = hide(img, box, 1, thickness);
    }
    free(extra);
    vg_image_free(sharp);
    for (int k = 0; ok && k < n_shown; k++) {
        int r[4];
        view_rect(shown_box[k], 1, 0, r);
        vg_image_draw_box(img, r[0], r[1], r[2], r[3], thickness + 1, MATCH_RGB, NULL);
        matched++;
    }
    if (ok)
        ok = vg_image_encode_jpeg(img, VIEW_JPEG_QUALITY, jpeg_out, len_out, NULL) == VG_OK;
    if (img) {
        *width = img->width;
        *height = img->height;
    }
    *matched_out = matched;
    if (n_marks)
        *n_marks = n_shown;
    vg_image_free(img);
    return ok;
}

void vg_view_make(camera *c, const vg_frame *frame, const vg_face *faces, const vg_track_assign *assign, int n,
                  int matching)
{
    view_slot *v = &c->view;
    if (atomic_load(&v->viewers) <= 0)
        return;
    double t0 = vg_engine_now();
    if (v->last > 0 && t0 - v->last < 1.0 / VG_ENGINE_VIEW_FPS)
        return;
    if (!frame->image) /* a frame not converted (the step did not work on it) is not shown */
        return;
    v->last = t0;
    uint8_t *jpeg = NULL;
    size_t len = 0;
    int width = 0, height = 0, matched = 0, n_marks = 0;
    vg_engine_view_mark marks[STEP_VIEW_FACES_MAX];
    int ok = render(c, frame, faces, assign, n, matching, -1, &jpeg, &len, &width, &height, &matched, marks,
                    &n_marks);
    if (ok) {
        publish(c, jpeg, len, frame, width, height, n, matched, marks, n_marks);
    } else {
        vg_log_line lg;
        vg_log_start(&lg, "view_dropped");
        vg_log_str(&lg, "camera", c->cfg.name);
        vg_log_str(&lg, "reason", "a face could not be hidden");
        vg_engine_log(c->engine, &lg);
    }
    double ms = (vg_engine_now() - t0) * 1000.0;
    pthread_mutex_lock(&c->lock);
    c->st.view_frames += ok;
    c->st.view_ms_total += ms;
    pthread_mutex_unlock(&c->lock);
}

uint8_t *vg_view_scene(camera *c, const vg_frame *frame, const vg_face *faces, const vg_track_assign *assign,
                       int n, int64_t track_id, size_t *len)
{
    uint8_t *jpeg = NULL;
    int width = 0, height = 0, matched = 0;
    *len = 0;
    if (!render(c, frame, faces, assign, n, 1, track_id, &jpeg, len, &width, &height, &matched, NULL, NULL)) {
        free(jpeg);
        *len = 0;
        vg_log_line lg;
        vg_log_start(&lg, "scene_dropped");
        vg_log_str(&lg, "camera", c->cfg.name);
        vg_log_fmt(&lg, "track", "%lld", (long long)track_id);
        vg_log_str(&lg, "reason", "a face could not be hidden: the alert is kept without its scene");
        vg_engine_log(c->engine, &lg);
        return NULL;
    }
    return jpeg;
}

vg_status vg_engine_view_open(vg_engine *e, int cam, vg_err *err)
{
    if (!e || cam < 0 || cam >= e->n_cams)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no camera %d", cam + 1);
    view_slot *v = &e->cams[cam].view;
    pthread_mutex_lock(&v->lock);
    atomic_fetch_add(&v->viewers, 1);
    pthread_mutex_unlock(&v->lock);
    return VG_OK;
}

void vg_engine_view_close(vg_engine *e, int cam)
{
    if (!e || cam < 0 || cam >= e->n_cams)
        return;
    view_slot *v = &e->cams[cam].view;
    pthread_mutex_lock(&v->lock);
    if (atomic_load(&v->viewers) > 0 && atomic_fetch_sub(&v->viewers, 1) == 1) {
        free(v->jpeg); /* no one watches: keep nothing */
        v->jpeg = NULL;
        v->len = 0;
        v->n_marks = 0;
    }
    pthread_mutex_unlock(&v->lock);
}

/* Locks v and waits (up to timeout_s) for a frame newer than after_seq or
 * the end; returns with v->lock held. */
static void wait_frame(view_slot *v, int64_t after_seq, double timeout_s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    double secs = timeout_s > 0 ? timeout_s : 0;
    until.tv_sec += (time_t)secs;
    until.tv_nsec += (long)((secs - floor(secs)) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&v->lock);
    while (!(v->jpeg && v->seq > after_seq) && !v->closed)
        if (pthread_cond_timedwait(&v->cond, &v->lock, &until) == ETIMEDOUT)
            break;
}

vg_status vg_engine_view_next(vg_engine *e, int cam, int64_t after_seq, double timeout_s,
                              vg_engine_view_frame *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!e || cam < 0 || cam >= e->n_cams)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no camera %d", cam + 1);
    view_slot *v = &e->cams[cam].view;
    vg_status st = VG_OK;
    wait_frame(v, after_seq, timeout_s);
    if (v->jpeg && v->seq > after_seq) {
        out->jpeg = malloc(v->len);
        if (!out->jpeg) {
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory copying a view frame");
        } else {
            memcpy(out->jpeg, v->jpeg, v->len);
            out->len = v->len;
            out->seq = v->seq;
            out->pts = v->pts;
            out->width = v->width;
            out->height = v->height;
            out->faces = v->faces;
            out->matched = v->matched;
        }
    } else if (v->closed) {
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "camera %d has ended", cam + 1);
    }
    pthread_mutex_unlock(&v->lock);
    return st;
}

vg_status vg_engine_view_marks_next(vg_engine *e, int cam, int64_t after_seq, double timeout_s,
                                    vg_engine_view_marks *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!e || cam < 0 || cam >= e->n_cams)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no camera %d", cam + 1);
    view_slot *v = &e->cams[cam].view;
    vg_status st = VG_OK;
    wait_frame(v, after_seq, timeout_s);
    if (v->jpeg && v->seq > after_seq) {
        out->seq = v->seq;
        out->pts = v->pts;
        out->n = v->n_marks;
        memcpy(out->marks, v->marks, (size_t)v->n_marks * sizeof *v->marks);
    } else if (v->closed) {
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "camera %d has ended", cam + 1);
    }
    pthread_mutex_unlock(&v->lock);
    return st;
}
