/* engine_internal.h — the engine's objects (struct vg_engine, camera,
 * track_state, view_slot, queued_alert), shared by engine.c (cameras,
 * workers, start and stop), camera_step.c (one frame of one camera),
 * view.c (the live view), alerts.c (the bounded alert queue, its lock and
 * its thread), gallery_swap.c (the watch list swapped under its lock) and
 * engine_log.c (clocks and the log line). */
#ifndef VG_ENGINE_INTERNAL_H
#define VG_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "vigil/engine.h"
#include "vigil/track.h"

#include "engine/track_agg.h"

#define VG_ENGINE_SUBSCRIBERS_MAX 8
#define VG_TRACK_ALERTS_MAX 8

/* What the engine remembers of one track: when it was last embedded,
 * which subjects it has alerted and, for an aggregate decision, its best
 * embeddings (RAM only, wiped when the track ends) — no image. */
typedef struct track_state {
    int64_t id;
    double last_embed;     /* stream time (pts, seconds) of the last embedding */
    float embedded_quality; /* the best quality embedded so far */
    int embeds;
    int64_t searched_gen;  /* the gallery generation it was last searched against */
    int n_alerted;
    int64_t alerted[VG_TRACK_ALERTS_MAX];
    int64_t matched_gen;   /* the watch list (gallery generation) it last matched (0: none) */
    int64_t matched_subject; /* the subject of that match (for the live view's marks) */
    char matched_uid[40];  /* the uid of the alert for that subject: this track's, or the one the
                            * cooldown held it to ("" : none) */
    float box[4];          /* where it was last detected (for the live view) */
    int64_t seen;          /* the camera's frames_seen when it was */
    vg_track_agg agg;      /* its best embeddings by quality (aggregate and max decisions) */
    int is_face;           /* a shot of it passed the faceness check (checked until one does) */
    int face_checks;       /* faceness checks it failed */
    double face_checked;   /* stream time of the last failed one */
} track_state;

/* A camera's live-view slot (view.c): the newest view frame as JPEG. */
typedef struct view_slot {
    pthread_mutex_t lock;
    pthread_cond_t cond;   /* a new frame, or closed */
    atomic_int viewers;
    int closed;            /* the camera ended or the engine stops: no frame will come */
    double last;           /* monotonic time the last view frame was made */
    uint8_t *jpeg;         /* owned; NULL without viewers */
    size_t len;
    int64_t seq;
    double pts;
    int width, height, faces, matched;
    vg_engine_view_mark marks[VG_ENGINE_VIEW_MARKS_MAX]; /* the matched faces shown on that frame */
    int n_marks;
} view_slot;

#define VG_RECENT_ALERTS 32
#define VG_STORED_RING 64

/* schedule.c: a camera's last full pass under detect and track. */
typedef struct vg_schedule {
    int64_t slot;          /* the interval it fell in */
    int any;               /* one was made */
} vg_schedule;
/* 1 when the frame at pts gets a full pass (and s records it): the first
 * frame of each interval of 1 / hz seconds, camera index of n_cams shifted
 * by index / n_cams of an interval; the first frame ever, and one whose
 * time went back, too. */
int vg_schedule_full_due(vg_schedule *s, double pts, double hz, int index, int n_cams);

typedef struct camera {
    struct vg_engine *engine;
    int index;
    vg_engine_camera cfg;
    vg_source *src;
    vg_tracker *tracker;
    track_state *tracks;   /* the live tracks' states */
    int n_tracks, cap_tracks;
    int64_t frames_seen;
    int64_t opens_seen;    /* the source's opens at the last step: a change is a reconnection */
    vg_schedule sched;     /* detect and track: its last full pass */
    pthread_mutex_t lock;  /* busy, ended, stats */
    int busy;              /* a worker holds this camera */
    int ended;
    char failure[256];     /* why the source could not be opened ("" if it was) */
    vg_engine_camera_stats st;
    view_slot view;
    /* the latest alerts of this camera by subject (stream time), for the
     * cooldown; used only by the worker holding the camera */
    struct { int64_t subject; double pts; char uid[40]; } recent[VG_RECENT_ALERTS];
    int n_recent;
} camera;

typedef struct queued_alert {
    vg_engine_alert a;
    uint8_t *crop;         /* owned */
    uint8_t *scene;        /* owned; NULL unless the deployment keeps scene snapshots */
} queued_alert;

struct vg_engine {
    vg_engine_config cfg;
    const vg_face_pack *pack;
    /* the watch list matched against: the caller's at start, later one
     * handed over by vg_engine_gallery_set (owned, freed on the next swap
     * or at free). Workers read it under the read lock for each search, so
     * a swap waits for the searches in progress and none sees a freed one. */
    pthread_rwlock_t gallery_lock;
    const vg_watch_gallery *gallery;
    vg_watch_gallery *gallery_owned;
    int64_t gallery_gen;   /* 1 at start, one more at each swap (under the lock) */
    vg_store *store;
    char actor[VG_STORE_ACTOR_MAX + 1];
    camera *cams;
    int n_cams;
    pthread_t *workers;
    int n_workers;
    atomic_int stop;
    int stopped;

    /* the alert queue (alerts.c): a ring of queued_alert entries */
    pthread_mutex_t qlock;
    pthread_cond_t q_nonempty, q_nonfull;
    queued_alert *q;
    int qcap, qhead, qlen;
    int q_closing;
    int q_thread_started;
    pthread_t q_thread;
    int64_t q_dropped;
    /* the alert spool (alert thread only) and a copy of its counters for
     * other threads (under qlock) */
    vg_store_spool *spool;
    vg_store_spool_stats spool_stats;
    double spool_retry_at; /* monotonic s: next attempt to write the spool */
    vg_alert_fn subs[VG_ENGINE_SUBSCRIBERS_MAX];
    void *sub_ctx[VG_ENGINE_SUBSCRIBERS_MAX];
    int n_subs;
    /* the latest alerts stored, uid to id (under qlock): the live view's
     * marks name the alert of a matched face */
    struct { char uid[40]; int64_t id; } stored[VG_STORED_RING];
    int stored_next;
    double *latency;       /* ms of each alert raised */
    int n_latency, cap_latency;
};

/* engine_log.c: monotonic and wall-clock seconds; a log line. */
double vg_engine_now(void);
double vg_engine_wall(void);
/* Hands a line built with vigil/log.h to the config's log callback. */
void vg_engine_log(const struct vg_engine *e, const vg_log_line *l);

/* gallery_swap.c: the gallery's generation: a match made under another is
 * stale. */
int64_t vg_engine_gallery_gen(struct vg_engine *e);

/* One frame of one camera (the caller holds the camera). */
void vg_camera_step(camera *c, vg_frame *frame);
/* 1 when camera c alerted for the subject less than cooldown seconds of
 * stream time before pts (stream time that went back, as after a restart,
 * starts afresh); otherwise records pts as the subject's latest alert and
 * returns 0. The table keeps the VG_RECENT_ALERTS latest subjects. */
int vg_camera_cooldown(camera *c, int64_t subject, double pts, double cooldown);
/* The uid of the camera's latest alert for subject kept by the cooldown
 * table ("" when it has none). */
const char *vg_camera_recent_uid(const camera *c, int64_t subject);
/* Ends every track of a camera and frees their states. */
void vg_camera_end_tracks(camera *c);
/* Wipes and forgets every track state of a camera (not the tracker's). */
void vg_camera_forget_tracks(camera *c);

/* view.c: the live view. A view frame from this step's frame and faces
 * (assign[i] for faces[i]), when the camera has viewers and one is due;
 * matching: whether matching is allowed at this step. */
void vg_view_make(camera *c, const vg_frame *frame, const vg_face *faces, const vg_track_assign *assign, int n,
                  int matching);
/* An alert's scene snapshot (issue 15): this step's frame rendered as the
 * live view renders it, with only track_id's face sharp and boxed (every
 * other face pixelated, the scene coarsened), as JPEG (malloc'd, *len);
 * NULL, logged, when a face could not be hidden. Whether the deployment
 * allows one is the caller's to check. */
uint8_t *vg_view_scene(camera *c, const vg_frame *frame, const vg_face *faces, const vg_track_assign *assign,
                       int n, int64_t track_id, size_t *len);
void vg_view_init(camera *c);
/* No frame will come any more: wakes every waiting viewer. */
void vg_view_end(camera *c);
void vg_view_fini(camera *c);

/* alerts.c: the queue's lock and conditions (at engine start, before
 * anything can fail); vg_alerts_free destroys them. */
void vg_alerts_init(struct vg_engine *e);
vg_status vg_alerts_start(struct vg_engine *e, vg_err *err);
/* Queues an alert (takes ownership of crop and scene); waits up to 1 s for room,
 * else drops it, counts and logs. */
void vg_alerts_push(struct vg_engine *e, queued_alert *qa);
/* Delivers everything queued, then stops the thread. */
void vg_alerts_stop(struct vg_engine *e);
/* Closes the spool and frees the queue, its latencies and its lock (after
 * vg_alerts_stop). */
void vg_alerts_free(struct vg_engine *e);
/* The id under which the alert with this uid was stored, among the latest
 * VG_STORED_RING stored (0: not stored, not yet, or long ago). */
int64_t vg_alerts_stored_id(struct vg_engine *e, const char *uid);

#endif
