/* camera_step.c — one frame of one camera: detect, step the tracker, embed
 * a face when its track has a better shot than before (at most every
 * embed_interval of stream time), search the watch list while matching is
 * allowed — with that embedding, the quality-weighted mean of the track's
 * best (track_agg.c), or both — raise an alert at most once per (track,
 * subject) and not again for a subject the camera alerted for within the
 * cooldown, and hand the frame and its faces to the live view (view.c). A
 * probe template lives on this function's stack and is wiped before it
 * returns; a track's state, its kept embeddings wiped, is freed when the
 * track ends. */
#include "engine/engine_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_FACES_MAX 64
#define CROP_MARGIN 0.25f
#define CROP_JPEG_QUALITY 85

static track_state *state_of(camera *c, int64_t id)
{
    for (int i = 0; i < c->n_tracks; i++)
        if (c->tracks[i].id == id)
            return &c->tracks[i];
    if (c->n_tracks == c->cap_tracks) {
        int cap = c->cap_tracks ? 2 * c->cap_tracks : 16;
        track_state *t = realloc(c->tracks, (size_t)cap * sizeof *t);
        if (!t)
            return NULL;
        c->tracks = t;
        c->cap_tracks = cap;
    }
    track_state *s = &c->tracks[c->n_tracks++];
    memset(s, 0, sizeof *s);
    s->id = id;
    return s;
}

static void forget(camera *c, int64_t id)
{
    for (int i = 0; i < c->n_tracks; i++)
        if (c->tracks[i].id == id) {
            vg_track_agg_wipe(&c->tracks[i].agg);
            c->tracks[i] = c->tracks[--c->n_tracks];
            return;
        }
}

void vg_camera_forget_tracks(camera *c)
{
    for (int i = 0; i < c->n_tracks; i++)
        vg_track_agg_wipe(&c->tracks[i].agg);
    c->n_tracks = 0;
}

void vg_camera_end_tracks(camera *c)
{
    if (!c->tracker)
        return;
    int64_t ended[1];
    int n = vg_tracker_flush(c->tracker, ended, 0);
    vg_camera_forget_tracks(c);
    pthread_mutex_lock(&c->lock);
    c->st.tracks_ended += n;
    c->st.tracks_active = 0;
    pthread_mutex_unlock(&c->lock);
}

static int matching_allowed(struct vg_engine *e, double wall)
{
    const vg_engine_config *cfg = &e->cfg;
    pthread_rwlock_rdlock(&e->gallery_lock);
    int have = e->gallery != NULL;
    pthread_rwlock_unlock(&e->gallery_lock);
    if (!cfg->match_enabled || !have)
        return 0;
    if (cfg->window_start == 0 && cfg->window_end == 0)
        return 1;
    return wall >= (double)cfg->window_start && wall < (double)cfg->window_end;
}

/* The matched face with a margin, as JPEG: nothing else of the frame. */
static uint8_t *face_crop(const vg_image *img, const vg_face *f, size_t *len)
{
    float w = f->x2 - f->x1, h = f->y2 - f->y1;
    int x = (int)(f->x1 - CROP_MARGIN * w), y = (int)(f->y1 - CROP_MARGIN * h);
    int cw = (int)(w * (1 + 2 * CROP_MARGIN)), ch = (int)(h * (1 + 2 * CROP_MARGIN));
    vg_image *crop = NULL;
    uint8_t *jpeg = NULL;
    *len = 0;
    if (vg_image_crop(img, x, y, cw, ch, &crop, NULL) == VG_OK)
        vg_image_encode_jpeg(crop, CROP_JPEG_QUALITY, &jpeg, len, NULL);
    vg_image_free(crop);
    return jpeg;
}

/* The step's faces (for the scene snapshot). */
typedef struct step_faces {
    const vg_face *faces;
    const vg_track_assign *assign;
    int n;
} step_faces;

static void raise_alert(camera *c, const vg_frame *frame, const vg_face *f, const vg_track_assign *as,
                        const vg_candidate *cand, const step_faces *all, double now, char uid_out[40])
{
    struct vg_engine *e = c->engine;
    queued_alert qa;
    memset(&qa, 0, sizeof qa);
    /* where the deployment allows it, the frame as the live view shows it
     * (DESIGN §5: nothing of the scene is made otherwise); its making is
     * part of the alert's latency */
    if (e->cfg.scene_snapshot) {
        qa.scene = vg_view_scene(c, frame, all->faces, all->assign, all->n, as->track_id, &qa.a.scene_len);
        now = vg_engine_now();
    }
    vg_alert *a = &qa.a.alert;
    a->deployment_id = e->cfg.deployment_id;
    snprintf(a->camera, sizeof a->camera, "%s", c->cfg.name);
    a->subject_id = cand->subject_id;
    a->template_id = cand->template_id;
    a->score = cand->score;
    /* raised now, not when the frame's step began: the embedding and the
     * search took time since */
    double raised = vg_engine_wall();
    a->frame_time = raised - (now - frame->arrival);
    a->raised_at = raised;
    snprintf(a->state, sizeof a->state, "pending");
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(a->uid, sizeof a->uid, rnd, sizeof rnd);
    memcpy(uid_out, a->uid, sizeof a->uid);
    qa.a.track_id = as->track_id;
    qa.a.box[0] = f->x1;
    qa.a.box[1] = f->y1;
    qa.a.box[2] = f->x2;
    qa.a.box[3] = f->y2;
    qa.a.latency_ms = (now - frame->arrival) * 1000.0;
    qa.a.pts = frame->pts;
    qa.crop = face_crop(frame->image, f, &qa.a.crop_len);
    pthread_mutex_lock(&c->lock);
    c->st.alerts++;
    pthread_mutex_unlock(&c->lock);
    {
        vg_log_line lg;
        vg_log_start(&lg, "alert");
        vg_log_str(&lg, "camera", c->cfg.name);
        vg_log_fmt(&lg, "track", "%lld", (long long)as->track_id);
        vg_log_fmt(&lg, "subject", "%lld", (long long)cand->subject_id);
        vg_log_fmt(&lg, "score", "%.4f", cand->score);
        vg_log_fmt(&lg, "latency_ms", "%.1f", qa.a.latency_ms);
        vg_engine_log(e, &lg);
    }
    vg_alerts_push(e, &qa);
}

const char *vg_camera_recent_uid(const camera *c, int64_t subject)
{
    for (int i = 0; i < c->n_recent; i++)
        if (c->recent[i].subject == subject)
            return c->recent[i].uid;
    return "";
}

/* The uid of the alert just raised for subject, kept beside its time. */
static void recent_set_uid(camera *c, int64_t subject, const char *uid)
{
    for (int i = 0; i < c->n_recent; i++)
        if (c->recent[i].subject == subject)
            snprintf(c->recent[i].uid, sizeof c->recent[i].uid, "%s", uid);
}

int vg_camera_cooldown(camera *c, int64_t subject, double pts, double cooldown)
{
    int oldest = 0;
    for (int i = 0; i < c->n_recent; i++) {
        if (c->recent[i].subject == subject) {
            double age = pts - c->recent[i].pts;
            if (age >= 0 && age < cooldown)
                return 1;
            c->recent[i].pts = pts;
            return 0;
        }
        if (c->recent[i].pts < c->recent[oldest].pts)
            oldest = i;
    }
    int slot = c->n_recent < VG_RECENT_ALERTS ? c->n_recent++ : oldest;
    c->recent[slot].subject = subject;
    c->recent[slot].pts = pts;
    c->recent[slot].uid[0] = '\0';
    return 0;
}

/* Whether a face of quality q on its track is embedded now: a shot better
 * than any embedded before (frame decision) or one that would be among the
 * track's best kept (aggregate, max), and not too soon after the last:
 * "soon" in the stream's own time, so that a replay, however fast or slow
 * the machine, makes the same choices. (Aggregating only the frame
 * decision's shots, better by 0.05 each, lost Gray Davis in the walk-by:
 * docs/engine.md.) A track searched before the watch
 * list was swapped (a subject enrolled or removed, here or on another node)
 * is searched again against the new one as soon as the interval allows,
 * whatever its quality and count: someone just enrolled while in view is
 * found at once, and a matched track (which the live view hides until
 * then) is checked against the list in use. */
static int due(const vg_engine_config *cfg, const track_state *ts, float q, double pts, int recheck)
{
    if (q < cfg->min_quality || (!recheck && ts->embeds >= cfg->max_embeds_per_track))
        return 0;
    if (ts->embeds == 0)
        return 1;
    if (pts - ts->last_embed < cfg->embed_interval)
        return 0;
    if (recheck)
        return 1;
    if (cfg->decision == VG_ENGINE_DECIDE_FRAME)
        return q >= ts->embedded_quality + 0.05f;
    return vg_track_agg_admits(&ts->agg, q);
}

/* The best candidate for probe, if the gallery has one: 1 and *cand. */
static int search(struct vg_engine *e, const float *probe, vg_candidate *cand, int64_t *gen)
{
    pthread_rwlock_rdlock(&e->gallery_lock);
    int found = e->gallery ? vg_watch_gallery_search(e->gallery, probe, 1, cand) : 0;
    *gen = e->gallery_gen;
    pthread_rwlock_unlock(&e->gallery_lock);
    return found == 1;
}

/* Embeds and searches one face if its track is due; raises an alert. The
 * decision (cfg->decision) is on this embedding, on the quality-weighted
 * mean of the track's best, or on the better of the two; whichever decides,
 * a (track, subject) alerts once. */
static void match_face(camera *c, const vg_frame *frame, const vg_face *f, const vg_track_assign *as,
                       const step_faces *all)
{
    struct vg_engine *e = c->engine;
    const vg_engine_config *cfg = &e->cfg;
    track_state *ts = state_of(c, as->track_id);
    float q = f->quality.score;
    int recheck = ts && ts->embeds > 0 && ts->searched_gen != vg_engine_gallery_gen(e);
    if (!ts || !due(cfg, ts, q, frame->pts, recheck))
        return;
    float probe[VG_STORE_DIM_MAX], mean[VG_STORE_DIM_MAX];
    double t0 = vg_engine_now();
    /* the detector also finds faces in crests, coins and cats: a track is
     * embedded only once a shot of it passes the faceness check (checked on
     * the shots due for embedding, not on every face of every frame) */
    if (!ts->is_face) {
        if (ts->face_checks > 0 && frame->pts - ts->face_checked < cfg->embed_interval)
            return;
        vg_face checked = *f;
        if (vg_face_check_face(e->pack, frame->image, &checked, NULL) == VG_OK && checked.check.is_face) {
            ts->is_face = 1;
        } else {
            ts->face_checks++;
            ts->face_checked = frame->pts; /* not again before the embedding interval */
            pthread_mutex_lock(&c->lock);
            c->st.non_faces++;
            c->st.embed_ms_total += (vg_engine_now() - t0) * 1000.0;
            pthread_mutex_unlock(&c->lock);
            return;
        }
    }
    vg_status st = cfg->embed_flip ? vg_face_embed_face_flip(e->pack, frame->image, f, probe, NULL)
                                   : vg_face_embed_face(e->pack, frame->image, f, probe, NULL);
    double t1 = vg_engine_now();
    ts->embeds++;
    ts->last_embed = frame->pts;
    if (q > ts->embedded_quality)
        ts->embedded_quality = q;
    vg_candidate cand;
    int found = 0, searches = 0;
    int64_t gen = 0;
    if (st == VG_OK) {
        int use_frame = cfg->decision != VG_ENGINE_DECIDE_AGGREGATE;
        int use_mean = cfg->decision != VG_ENGINE_DECIDE_FRAME;
        if (use_mean) {
            int kept = 0;
            use_mean = vg_track_agg_add(&ts->agg, cfg->track_best, vg_face_pack_dim(e->pack), probe, q, &kept,
                                        NULL) == VG_OK &&
                       vg_track_agg_mean(&ts->agg, mean, NULL) == VG_OK;
            if (!use_mean)
                use_frame = 1; /* out of memory: decide on the frame rather than not at all */
        }
        if (use_frame) {
            found = search(e, probe, &cand, &gen);
            searches++;
        }
        if (use_mean) {
            vg_candidate m;
            if (search(e, mean, &m, &gen) && (!found || m.score > cand.score)) {
                cand = m;
                found = 1;
            }
            searches++;
        }
    }
    ts->searched_gen = gen;
    if (recheck)
        ts->matched_gen = 0;
    sodium_memzero(probe, sizeof probe);
    sodium_memzero(mean, sizeof mean);
    pthread_mutex_lock(&c->lock);
    c->st.embeddings += st == VG_OK;
    c->st.comparisons += searches;
    c->st.embed_ms_total += (t1 - t0) * 1000.0;
    pthread_mutex_unlock(&c->lock);
    if (!found || cand.score < cfg->threshold)
        return;
    ts->matched_gen = gen;
    if (ts->matched_subject != cand.subject_id) /* the alert named on the live view: this subject's */
        snprintf(ts->matched_uid, sizeof ts->matched_uid, "%s", vg_camera_recent_uid(c, cand.subject_id));
    ts->matched_subject = cand.subject_id;
    for (int i = 0; i < ts->n_alerted; i++)
        if (ts->alerted[i] == cand.subject_id)
            return;
    if (ts->n_alerted < VG_TRACK_ALERTS_MAX)
        ts->alerted[ts->n_alerted++] = cand.subject_id;
    if (vg_camera_cooldown(c, cand.subject_id, frame->pts, cfg->alert_cooldown)) {
        pthread_mutex_lock(&c->lock);
        c->st.alerts_suppressed++;
        pthread_mutex_unlock(&c->lock);
        {
            vg_log_line lg;
            vg_log_start(&lg, "alert_suppressed");
            vg_log_str(&lg, "camera", c->cfg.name);
            vg_log_fmt(&lg, "track", "%lld", (long long)as->track_id);
            vg_log_str(&lg, "reason", "cooldown");
            vg_engine_log(e, &lg);
        }
        return;
    }
    raise_alert(c, frame, f, as, &cand, all, vg_engine_now(), ts->matched_uid);
    recent_set_uid(c, cand.subject_id, ts->matched_uid);
}

/* After a reconnection the picture is a new one: positions before and after
 * are unrelated, so every track ends (and a person still in view is a new
 * track, who may alert again). */
static void reset_on_reconnect(camera *c)
{
    vg_source_stats ss;
    vg_source_stats_get(c->src, &ss);
    if (ss.opens == c->opens_seen)
        return;
    if (c->opens_seen > 0 && vg_tracker_active(c->tracker) > 0) {
        vg_camera_end_tracks(c);
        {
            vg_log_line lg;
            vg_log_start(&lg, "tracks_reset");
            vg_log_str(&lg, "camera", c->cfg.name);
            vg_log_str(&lg, "reason", "reconnected");
            vg_engine_log(c->engine, &lg);
        }
    }
    c->opens_seen = ss.opens;
}

/* The boxes of the live tracks, 4 floats each, for the regions to search;
 * returns how many (at most max). */
static int track_boxes(const camera *c, float *boxes, int max)
{
    int k = 0;
    for (int i = 0; i < c->n_tracks && k < max; i++) {
        const track_state *ts = &c->tracks[i];
        if (ts->seen <= 0)
            continue;
        memcpy(&boxes[4 * k], ts->box, sizeof ts->box);
        k++;
    }
    return k;
}

void vg_camera_step(camera *c, vg_frame *frame)
{
    struct vg_engine *e = c->engine;
    int every = e->cfg.detect_every;
    reset_on_reconnect(c);
    if (c->frames_seen++ % every != 0)
        return;
    int scheduled = e->cfg.full_detect_hz > 0;
    int full = !scheduled || vg_schedule_full_due(&c->sched, frame->pts, e->cfg.full_detect_hz, c->index, e->cfg.n_cameras);
    float boxes[4 * STEP_FACES_MAX];
    int n_boxes = full ? 0 : track_boxes(c, boxes, STEP_FACES_MAX);
    /* no live track and no full pass due: this frame cost its decoding only */
    if (!full && n_boxes == 0 && vg_tracker_active(c->tracker) == 0)
        return;
    double t0 = vg_engine_now();
    vg_face *faces = NULL;
    int n = 0;
    vg_err err = {{0}};
    /* only now the RGB picture: a frame skipped or dropped is never converted */
    vg_status st = vg_frame_rgb(frame, &err);
    if (st) {
        vg_log_line lg;
        vg_log_start(&lg, "error");
        vg_log_str(&lg, "camera", c->cfg.name);
        vg_log_str(&lg, "reason", err.msg);
        vg_engine_log(e, &lg);
        return;
    }
    if (full) {
        /* the pass for faces that fill the frame on every context_every-th
         * detection (every full pass when scheduled: those are already a
         * few a second): someone that close stays for many frames */
        int context = scheduled || (c->frames_seen - 1) / every % e->cfg.context_every == 0;
        st = vg_face_detect_frame(e->pack, frame->image, context, &faces, &n, &err);
    } else {
        st = vg_face_detect_regions(e->pack, frame->image, boxes, n_boxes, e->cfg.region_margin, &faces, &n,
                                    &err);
    }
    double t1 = vg_engine_now();
    if (st) {
        {
            vg_log_line lg;
            vg_log_start(&lg, "error");
            vg_log_str(&lg, "camera", c->cfg.name);
            vg_log_str(&lg, "reason", err.msg);
            vg_engine_log(e, &lg);
        }
        return;
    }
    if (n > STEP_FACES_MAX)
        n = STEP_FACES_MAX;
    vg_track_det dets[STEP_FACES_MAX];
    vg_track_assign assign[STEP_FACES_MAX];
    for (int i = 0; i < n; i++)
        dets[i] = (vg_track_det){faces[i].x1, faces[i].y1, faces[i].x2, faces[i].y2, faces[i].quality.score};
    int64_t ended[256]; /* the tracker's default capacity */
    int n_ended = 0;
    int64_t started_before = vg_tracker_started(c->tracker);
    st = vg_tracker_step(c->tracker, dets, n, assign, ended, 256, &n_ended, &err);
    if (st) {
        free(faces);
        {
            vg_log_line lg;
            vg_log_start(&lg, "error");
            vg_log_str(&lg, "camera", c->cfg.name);
            vg_log_str(&lg, "reason", err.msg);
            vg_engine_log(e, &lg);
        }
        return;
    }
    for (int i = 0; i < n_ended && i < 256; i++)
        forget(c, ended[i]);
    double wall = vg_engine_wall();
    int matching = matching_allowed(e, wall);
    step_faces all = {faces, assign, n};
    for (int i = 0; i < n; i++) {
        if (matching)
            match_face(c, frame, &faces[i], &assign[i], &all);
        track_state *ts = state_of(c, assign[i].track_id);
        if (ts) {
            ts->box[0] = faces[i].x1;
            ts->box[1] = faces[i].y1;
            ts->box[2] = faces[i].x2;
            ts->box[3] = faces[i].y2;
            ts->seen = c->frames_seen;
        }
        if (e->cfg.on_face) {
            float box[4] = {faces[i].x1, faces[i].y1, faces[i].x2, faces[i].y2};
            e->cfg.on_face(e->cfg.on_face_ctx, c->index, frame->pts, assign[i].track_id, box,
                           faces[i].quality.score);
        }
    }
    /* the live view is an output of this step: from this frame and what the
     * step found on it (nothing when no one watches) */
    vg_view_make(c, frame, faces, assign, n, matching);
    pthread_mutex_lock(&c->lock);
    c->st.frames_processed++;
    c->st.full_detects += full;
    c->st.region_detects += !full;
    c->st.faces += n;
    c->st.tracks_started += vg_tracker_started(c->tracker) - started_before;
    c->st.tracks_ended += n_ended;
    c->st.tracks_active = vg_tracker_active(c->tracker);
    c->st.detect_ms_total += (t1 - t0) * 1000.0;
    pthread_mutex_unlock(&c->lock);
    free(faces);
}
