/* engine.c — the live engine's frame: cameras (a video source and a tracker
 * each), the pool of inference workers that share them out, start, stop and
 * statistics. One worker holds a camera at a time, so each camera's frames
 * are processed in order; the workers spread the cameras over the cores. */
#include "engine/engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Takes a free camera with a frame waiting and processes that frame. */
static int work_once(struct vg_engine *e, int start)
{
    int progressed = 0;
    for (int k = 0; k < e->n_cams && !atomic_load(&e->stop); k++) {
        camera *c = &e->cams[(start + k) % e->n_cams];
        pthread_mutex_lock(&c->lock);
        int free_cam = !c->busy && !c->ended;
        if (free_cam)
            c->busy = 1;
        pthread_mutex_unlock(&c->lock);
        if (!free_cam)
            continue;
        vg_frame *frame = NULL;
        vg_err err = {{0}};
        vg_status st = vg_source_next(c->src, 0, &frame, &err);
        if (st == VG_ERR_NOT_FOUND) {
            vg_camera_end_tracks(c);
            vg_view_end(c);
            {
                vg_log_line lg;
                vg_log_start(&lg, "camera_ended");
                vg_log_str(&lg, "camera", c->cfg.name);
                vg_log_str(&lg, "reason", err.msg);
                vg_engine_log(e, &lg);
            }
            pthread_mutex_lock(&c->lock);
            c->ended = 1;
            pthread_mutex_unlock(&c->lock);
        } else if (frame) {
            vg_camera_step(c, frame);
            vg_frame_free(frame);
            progressed = 1;
        }
        pthread_mutex_lock(&c->lock);
        c->busy = 0;
        pthread_mutex_unlock(&c->lock);
    }
    return progressed;
}

typedef struct worker_arg {
    struct vg_engine *e;
    int index;
} worker_arg;

static void *worker(void *arg)
{
    struct vg_engine *e = ((worker_arg *)arg)->e;
    int start = ((worker_arg *)arg)->index;
    free(arg);
    while (!atomic_load(&e->stop)) {
        if (!work_once(e, start++))
            sleep_ms(1);
    }
    return NULL;
}

static void camera_close(camera *c)
{
    vg_source_close(c->src);
    c->src = NULL;
    vg_tracker_free(c->tracker);
    c->tracker = NULL;
    vg_camera_forget_tracks(c);
    free(c->tracks);
    c->tracks = NULL;
    vg_view_fini(c);
    pthread_mutex_destroy(&c->lock);
}

static vg_status camera_open(struct vg_engine *e, camera *c, int index, vg_err *err)
{
    const vg_engine_config *cfg = &e->cfg;
    memset(c, 0, sizeof *c);
    c->engine = e;
    c->index = index;
    c->cfg = cfg->cameras[index];
    if (!c->cfg.name[0])
        snprintf(c->cfg.name, sizeof c->cfg.name, "camera%d", index + 1);
    snprintf(c->st.name, sizeof c->st.name, "%s", c->cfg.name);
    pthread_mutex_init(&c->lock, NULL);
    vg_view_init(c);
    vg_source_options so = {
        .url = c->cfg.url,
        .name = c->cfg.name,
        .mode = cfg->mode,
        .realtime = cfg->realtime,
        .defer_rgb = 1, /* converted in vg_camera_step, only for frames it works on */
        .loop = cfg->loop,
        .stall_seconds = cfg->stall_seconds,
        .backoff_initial = cfg->backoff_initial,
        .backoff_max = cfg->backoff_max,
        .max_attempts = cfg->max_attempts,
        .log = cfg->log,
        .log_ctx = cfg->log_ctx,
    };
    vg_status st = vg_tracker_new(NULL, &c->tracker, err);
    if (st)
        return st;
    /* a camera that cannot be opened at all (a missing file, a file with no
     * video, a bad URL) is logged and left out; the others run */
    vg_err why = {{0}};
    if (vg_source_open(&so, &c->src, &why) != VG_OK) {
        c->src = NULL;
        c->ended = 1;
        vg_view_end(c);
        snprintf(c->failure, sizeof c->failure, "%s", why.msg);
        {
            vg_log_line lg;
            vg_log_start(&lg, "camera_failed");
            vg_log_str(&lg, "camera", c->cfg.name);
            vg_log_str(&lg, "reason", why.msg);
            vg_engine_log(e, &lg);
        }
    }
    return VG_OK;
}

vg_status vg_engine_start(const vg_engine_config *cfg, const vg_face_pack *pack, const vg_watch_gallery *gallery,
                          vg_store *store, const char *actor, vg_engine **out, vg_err *err)
{
    *out = NULL;
    if (!cfg || cfg->n_cameras < 1 || cfg->n_cameras > VG_ENGINE_CAMERAS_MAX || !pack)
        return vg_err_set(err, VG_ERR_INVALID, "the engine needs 1 to %d cameras and a model pack",
                          VG_ENGINE_CAMERAS_MAX);
    struct vg_engine *e = calloc(1, sizeof *e);
    if (!e)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    e->cfg = *cfg;
    vg_engine_config *c = &e->cfg;
    if (c->detect_every <= 0)
        c->detect_every = 1;
    if (c->full_detect_hz == 0)
        c->full_detect_hz = VG_ENGINE_FULL_DETECT_HZ_DEFAULT;
    if (c->region_margin <= 0)
        c->region_margin = VG_ENGINE_REGION_MARGIN_DEFAULT;
    if (c->context_every <= 0)
        c->context_every = VG_ENGINE_CONTEXT_EVERY_DEFAULT;
    if (c->threshold <= 0)
        c->threshold = VG_WATCHLIST_THRESHOLD_DEFAULT;
    if (c->min_quality <= 0)
        c->min_quality = 0.05f;
    if (c->embed_interval <= 0)
        c->embed_interval = 0.2;
    if (c->alert_cooldown <= 0)
        c->alert_cooldown = 30.0;
    if (c->max_embeds_per_track <= 0)
        c->max_embeds_per_track = 20;
    if (c->decision == VG_ENGINE_DECIDE_DEFAULT)
        c->decision = VG_ENGINE_DECIDE_BEST;
    if (c->track_best <= 0)
        c->track_best = VG_ENGINE_TRACK_BEST_DEFAULT;
    if (c->workers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = n > 0 ? (int)n : 1;
    }
    if (c->workers > 64)
        c->workers = 64;
    e->pack = pack;
    e->gallery = gallery;
    pthread_rwlock_init(&e->gallery_lock, NULL);
    e->gallery_gen = 1;
    e->store = store;
    snprintf(e->actor, sizeof e->actor, "%s", actor ? actor : "engine");
    atomic_init(&e->stop, 0);
    vg_alerts_init(e);
    vg_status st = VG_OK;
    e->cams = calloc((size_t)c->n_cameras, sizeof *e->cams);
    e->workers = calloc((size_t)c->workers, sizeof *e->workers);
    if (!e->cams || !e->workers)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    int opened = 0;
    for (int i = 0; !st && i < c->n_cameras; i++) {
        st = camera_open(e, &e->cams[i], i, err);
        if (!st) {
            e->n_cams++;
            opened += e->cams[i].src != NULL;
        }
    }
    if (!st && opened == 0)
        st = c->n_cameras == 1 ? vg_err_set(err, VG_ERR_INVALID, "camera %s: %s", e->cams[0].cfg.name,
                                            e->cams[0].failure)
                               : vg_err_set(err, VG_ERR_INVALID, "none of the %d cameras could be opened (camera %s: %s)",
                                            c->n_cameras, e->cams[0].cfg.name, e->cams[0].failure);
    if (!st)
        st = vg_alerts_start(e, err);
    for (int i = 0; !st && i < c->workers; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa) {
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            break;
        }
        *wa = (worker_arg){e, i};
        if (pthread_create(&e->workers[i], NULL, worker, wa) != 0) {
            free(wa);
            st = vg_err_set(err, VG_ERR_INTERNAL, "cannot start inference worker %d", i);
            break;
        }
        e->n_workers++;
    }
    if (st) {
        vg_engine_stop(e);
        vg_engine_free(e);
        return st;
    }
    {
        vg_log_line lg;
        vg_log_start(&lg, "engine_started");
        vg_log_fmt(&lg, "cameras", "%d", e->n_cams);
        vg_log_fmt(&lg, "workers", "%d", e->n_workers);
        vg_log_str(&lg, "matching", c->match_enabled && gallery ? "on" : "off");
        vg_log_fmt(&lg, "threshold", "%.4f", c->threshold);
        vg_engine_log(e, &lg);
    }
    *out = e;
    return VG_OK;
}

int vg_engine_running(vg_engine *e)
{
    int running = 0;
    for (int i = 0; i < e->n_cams; i++) {
        pthread_mutex_lock(&e->cams[i].lock);
        running |= !e->cams[i].ended;
        pthread_mutex_unlock(&e->cams[i].lock);
    }
    return running;
}

int vg_engine_wait(vg_engine *e, double timeout_s)
{
    double until = vg_engine_now() + timeout_s;
    while (vg_engine_running(e)) {
        if (timeout_s >= 0 && vg_engine_now() >= until)
            return 0;
        sleep_ms(5);
    }
    return 1;
}

void vg_engine_stop(vg_engine *e)
{
    if (!e || e->stopped)
        return;
    e->stopped = 1;
    atomic_store(&e->stop, 1);
    for (int i = 0; i < e->n_cams; i++)
        vg_view_end(&e->cams[i]); /* wakes the viewers: no frame will come */
    for (int i = 0; i < e->n_workers; i++)
        pthread_join(e->workers[i], NULL);
    for (int i = 0; i < e->n_cams; i++) {
        /* the source's last figures kept, and the source taken away, under
         * the camera's lock: vg_engine_camera_stats_get (the HTTP server's
         * threads) may be reading it at this moment */
        camera *c = &e->cams[i];
        pthread_mutex_lock(&c->lock);
        vg_source *src = c->src;
        if (src)
            vg_source_stats_get(src, &c->st.source);
        c->src = NULL;
        pthread_mutex_unlock(&c->lock);
        vg_camera_end_tracks(c);
        vg_source_close(src);
    }
    vg_alerts_stop(e);
    {
        vg_store_spool_stats sp;
        vg_engine_spool_stats(e, &sp);
        vg_log_line lg;
        vg_log_start(&lg, "engine_stopped");
        vg_log_fmt(&lg, "cameras", "%d", e->n_cams);
        vg_log_fmt(&lg, "alerts_dropped", "%lld", (long long)vg_engine_alerts_dropped(e));
        vg_log_fmt(&lg, "alerts_held", "%lld", (long long)sp.spooled);
        vg_log_fmt(&lg, "alerts_stored_late", "%lld", (long long)sp.written);
        vg_log_fmt(&lg, "alerts_lost", "%lld", (long long)(sp.dropped + (sp.in_memory ? sp.pending : 0)));
        vg_log_fmt(&lg, "alerts_waiting", "%d", sp.in_memory ? 0 : (int)sp.pending);
        vg_engine_log(e, &lg);
    }
}

void vg_engine_free(vg_engine *e)
{
    if (!e)
        return;
    vg_engine_stop(e);
    for (int i = 0; i < e->n_cams; i++)
        camera_close(&e->cams[i]);
    free(e->cams);
    free(e->workers);
    vg_alerts_free(e);
    pthread_rwlock_destroy(&e->gallery_lock);
    vg_watch_gallery_free(e->gallery_owned);
    free(e);
}

int64_t vg_engine_deployment_id(const vg_engine *e)
{
    return e->cfg.deployment_id;
}

float vg_engine_threshold(const vg_engine *e)
{
    return e->cfg.threshold;
}

const vg_face_pack *vg_engine_pack(const vg_engine *e)
{
    return e->pack;
}

int vg_engine_camera_count(const vg_engine *e)
{
    return e->n_cams;
}

const char *vg_engine_camera_name(const vg_engine *e, int i)
{
    return e && i >= 0 && i < e->n_cams ? e->cams[i].cfg.name : "";
}

void vg_engine_camera_stats_get(vg_engine *e, int i, vg_engine_camera_stats *out)
{
    camera *c = &e->cams[i];
    pthread_mutex_lock(&c->lock);
    *out = c->st;
    if (c->src) /* under the lock: vg_engine_stop closes it under the same */
        vg_source_stats_get(c->src, &out->source);
    pthread_mutex_unlock(&c->lock);
}

void vg_engine_counters(vg_engine *e, vg_counters *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < e->n_cams; i++) {
        vg_engine_camera_stats s;
        vg_engine_camera_stats_get(e, i, &s);
        out->frames_in += s.source.frames_decoded;
        out->frames_processed += s.frames_processed;
        out->frames_dropped += s.source.frames_dropped;
        out->faces += s.faces;
        out->tracks += s.tracks_started;
        out->embeddings += s.embeddings;
        out->comparisons += s.comparisons;
        out->alerts += s.alerts;
        out->reconnects += s.source.reconnects;
    }
}
