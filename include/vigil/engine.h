/* engine.h — the live engine: cameras → faces → tracks → matches → alerts.
 *
 * Each camera is a video source with its own decode thread. A fixed pool of
 * inference workers takes the newest frame of whichever camera is free (one
 * frame of a camera at a time, so each camera's tracker steps in order),
 * detects the faces, steps the camera's tracker, embeds a face when its track
 * has a better shot than before (at most every embed_interval seconds), and
 * searches the watch list — only while matching is allowed (an authorised
 * deployment inside its window). A track alerts at most once per subject.
 * When a track ends, everything about it is freed; a face that matched no
 * one leaves nothing behind but counters.
 *
 * Alerts go into a bounded queue; one thread takes them in order, stores each
 * (when a store is given) and hands it to the subscribers.
 */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include "vigil/api.h"

#include <stdint.h>
#include "vigil/face.h"
#include "vigil/store.h"
#include "vigil/video.h"
#include "vigil/watchlist.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_ENGINE_CAMERAS_MAX 64

typedef struct vg_engine_camera {
    char name[VG_STORE_NAME_MAX + 1];
    char url[VG_STORE_TEXT_MAX + 1];
} vg_engine_camera;

/* What a track's alert is decided on (docs/engine.md, "The decision per
 * track"): each time a track is embedded, the watch list is searched with */
typedef enum vg_engine_decision {
    VG_ENGINE_DECIDE_DEFAULT = 0, /* the measured best: VG_ENGINE_DECIDE_BEST */
    VG_ENGINE_DECIDE_FRAME,       /* the embedding just made, of the best shot so far (before issue 11) */
    VG_ENGINE_DECIDE_AGGREGATE,   /* the quality-weighted mean of the track's track_best best embeddings */
    VG_ENGINE_DECIDE_MAX          /* both; the higher score decides */
} vg_engine_decision;
#define VG_ENGINE_DECIDE_BEST VG_ENGINE_DECIDE_MAX
#define VG_ENGINE_TRACK_BEST_DEFAULT 5
#define VG_ENGINE_CONTEXT_EVERY_DEFAULT 5
#define VG_ENGINE_FULL_DETECT_HZ_DEFAULT (-1.0)
#define VG_ENGINE_REGION_MARGIN_DEFAULT 0.5f

/* "frame", "aggregate", "max" -> the decision; -1 for anything else. */
VG_API int vg_engine_decision_parse(const char *name);
/* The decision's name ("frame", "aggregate", "max"; DEFAULT: the best's). */
VG_API const char *vg_engine_decision_name(vg_engine_decision d);

typedef struct vg_engine_config {
    int n_cameras;
    vg_engine_camera cameras[VG_ENGINE_CAMERAS_MAX];
    vg_source_mode mode;       /* LIVE for cameras, ALL for replay */
    int realtime;              /* files: pace at the native rate */
    int loop;                  /* files: loop */
    int workers;               /* inference workers (0: the cores) */
    int detect_every;          /* detect on every Nth frame of a camera (0: 1) */
    /* Detect and track (docs/engine.md, "Detect and track"): the whole frame
     * is searched for faces this many times a second of stream time per
     * camera (the cameras' passes staggered over the interval), and on the
     * frames in between only regions around the live tracks (their last box
     * grown by region_margin of its longer side on every side); a frame
     * with no live track and no pass due is only decoded. Each full pass
     * also looks for faces that fill the frame. Negative: every frame is
     * searched whole (every-frame mode, the context pass on every
     * context_every-th); 0: VG_ENGINE_FULL_DETECT_HZ_DEFAULT. In the
     * config file, full_detect_hz = 0 is every-frame mode. */
    double full_detect_hz;
    float region_margin;       /* (0: VG_ENGINE_REGION_MARGIN_DEFAULT) */
    /* [infer] provider, for the commands that open the model pack (the
     * engine itself does not use it): "" or "cpu", or "cuda" */
    char infer_provider[8];
    char landmark_fit[16];     /* [engine] landmark_fit (vg_face_fit_parse's names); "": the command line's */
    /* Called on the worker for every face of every processed frame, with
     * its track (NULL: none). For measuring the schedule (the benchmark);
     * the engine keeps nothing of it. */
    void (*on_face)(void *ctx, int camera, double pts, int64_t track_id, const float box[4], float quality);
    void *on_face_ctx;
    /* every Nth detection also looks for faces that fill the frame (a face
     * close to the camera: vg_face_detect_frame's context pass), 0: 5 */
    int context_every;
    float threshold;           /* alert threshold (0: VG_WATCHLIST_THRESHOLD_DEFAULT) */
    float min_quality;         /* faces below are tracked but not embedded (0: 0.05) */
    double embed_interval;     /* seconds between embeddings of one track (0: 0.2) */
    int max_embeds_per_track;  /* (0: 20) */
    vg_engine_decision decision; /* what an alert is decided on (0: VG_ENGINE_DECIDE_BEST) */
    /* embeddings a track keeps, by quality, for an aggregate decision (0:
     * VG_ENGINE_TRACK_BEST_DEFAULT); in RAM only, wiped when the track ends.
     * With an aggregate decision a track is embedded when its shot would be
     * among these (not only when it is better than every shot before). */
    int track_best;
    int embed_flip;            /* 1: embed each face with its mirror (vg_face_embed_flip); 0: without */
    /* Seconds of stream time in which a camera does not alert again for a
     * subject it has just alerted for (0: 30). Under load a walker's track
     * can break into several; without this each piece would alert. */
    double alert_cooldown;
    double stall_seconds, backoff_initial, backoff_max;  /* for the sources (0: their defaults) */
    int max_attempts;          /* source reopenings before giving up (0: never) */
    int alert_queue;           /* bounded queue length (0: 256) */
    /* the alert spool (with a store): alerts that cannot be stored because
     * the database is unreachable go to this file, fsynced, and are stored
     * in order once it returns (store.h, vg_store_spool_*); "": none, such
     * an alert is logged and lost */
    char spool_path[1024];
    int spool_max;             /* records (0: 10000) */
    /* matching is allowed only inside [window_start, window_end) (Unix
     * seconds; both 0: always) and only if match_enabled */
    int match_enabled;
    int64_t window_start, window_end;
    int64_t deployment_id;     /* alerts are stored under it (when a store is given) */
    /* 1: each alert carries a scene snapshot, the frame as the live view
     * renders it with only the matched face sharp and boxed (the
     * deployment's scene_snapshot, issue 15); 0: no scene is made at all */
    int scene_snapshot;
    vg_log_fn log;             /* key=value event lines (NULL: none) */
    void *log_ctx;
    /* read from the config file's [retention] section for `vigil run`, which
     * runs the retention job at start and every retention_every_hours; the
     * engine itself does not use them */
    int retention_alert_days;        /* 0: 31 */
    double retention_every_hours;    /* 0: 1 */
    int retention_purge_ended;
    /* [deployment] false_alert_ceiling, for `vigil run` (the engine does not
     * use it): a deployment does not start when its threshold's calibrated
     * false-alert rate is above one in this many faces (0: 6000) */
    double false_alert_ceiling;
} vg_engine_config;

/* An alert, as subscribers receive it. */
typedef struct vg_engine_alert {
    vg_alert alert;            /* deployment, camera, subject, score, times, state, uid; id once stored */
    char subject_name[VG_STORE_NAME_MAX + 1];
    int64_t track_id;
    float box[4];              /* the face in the frame, pixels */
    const uint8_t *crop;       /* the matched face, JPEG (valid during the callback only) */
    size_t crop_len;
    /* the scene snapshot, JPEG (valid during the callback only); NULL when
     * the deployment keeps none or it could not be made */
    const uint8_t *scene;
    size_t scene_len;
    double latency_ms;         /* from the frame's decoding to the alert being raised */
    double pts;                /* the frame's stream time, seconds */
} vg_engine_alert;

typedef void (*vg_alert_fn)(void *ctx, const vg_engine_alert *a);

typedef struct vg_engine_camera_stats {
    char name[VG_STORE_NAME_MAX + 1];
    vg_source_stats source;
    int64_t frames_processed;
    int64_t faces, tracks_started, tracks_ended, tracks_active;
    int64_t embeddings, comparisons, alerts;
    int64_t alerts_suppressed;   /* repeats inside the cooldown, not raised */
    int64_t non_faces;           /* best shots that failed the faceness check: not embedded */
    double detect_ms_total, embed_ms_total;
    int64_t full_detects;      /* frames searched whole */
    int64_t region_detects;    /* frames searched around the live tracks only (detect and track) */
    int64_t view_frames;       /* live-view frames made (only while someone watches) */
    double view_ms_total;      /* making them: reduce, blur, draw, encode */
} vg_engine_camera_stats;

typedef struct vg_engine vg_engine;

/* Reads an INI file's [engine] (workers, detect_every, threshold,
 * min_quality, embed_interval, max_embeds_per_track, decision, track_best,
 * embed_flip, landmark_fit, context_every, full_detect_hz, region_margin, alert_queue, min_face),
 * [source] (stall_seconds, backoff_initial, backoff_max, max_attempts, loop),
 * [spool] (max_alerts, path) and
 * [retention] (alert_days, every_hours, purge_ended) settings over cfg and
 * *min_face. An unknown section or key, or a value out
 * of range, is VG_ERR_INVALID naming the file, line and key; nothing is
 * changed then. */
VG_API vg_status vg_engine_config_load(const char *path, vg_engine_config *cfg, int *min_face, vg_err *err);
/* The same for a file shared with other loaders: the sections named in
 * others (NULL-terminated; e.g. the server's "http", "webhook") are skipped
 * here, for their own loader to check; any other unknown section is still
 * an error. */
VG_API vg_status vg_engine_config_load_shared(const char *path, const char *const *others, vg_engine_config *cfg,
                                       int *min_face, vg_err *err);
/* The same for text in memory (len bytes), named `name` in messages. */
VG_API vg_status vg_engine_config_load_text(const char *name, const char *text, size_t len, const char *const *others,
                                     vg_engine_config *cfg, int *min_face, vg_err *err);
/* The sections the engine's loader reads (NULL-terminated), for other
 * loaders of the same file to skip. */
extern const char *const vg_engine_config_sections[];

/* Starts the cameras and the workers. pack and gallery (NULL: nothing to
 * match) must outlive the engine; store (NULL: alerts are not stored) is
 * used only by the engine's alert thread until vg_engine_stop returns. A
 * camera whose source cannot be opened is an error naming it. */
VG_API vg_status vg_engine_start(const vg_engine_config *cfg, const vg_face_pack *pack, const vg_watch_gallery *gallery,
                          vg_store *store, const char *actor, vg_engine **out, vg_err *err);

/* Swaps the watch list matched against while the engine runs (hot reload
 * after an enrolment or removal): the engine takes ownership of g (NULL:
 * match nothing) and frees it at the next swap or at vg_engine_free; the
 * gallery given to vg_engine_start stays the caller's. Searches in progress
 * finish against the old gallery before it is freed; later ones use g. */
VG_API void vg_engine_gallery_set(vg_engine *e, vg_watch_gallery *g);
/* The deployment the engine stores alerts under (its config's). */
VG_API int64_t vg_engine_deployment_id(const vg_engine *e);
/* The alert threshold the engine compares scores with (after defaults). */
VG_API float vg_engine_threshold(const vg_engine *e);
/* The model pack the engine embeds with. */
VG_API const vg_face_pack *vg_engine_pack(const vg_engine *e);

/* Adds a subscriber (before or after start); called on the alert thread. */
VG_API vg_status vg_engine_subscribe(vg_engine *e, vg_alert_fn fn, void *ctx);

/* True while any camera still runs (a replayed file not yet at its end, a
 * live camera not given up). */
VG_API int vg_engine_running(vg_engine *e);

/* Waits until every camera has ended or timeout_s passed (< 0: forever);
 * returns 1 when all ended. */
VG_API int vg_engine_wait(vg_engine *e, double timeout_s);

/* Stops cleanly: sources closed, workers joined, queued alerts stored and
 * delivered, every track ended and freed. */
VG_API void vg_engine_stop(vg_engine *e);
VG_API void vg_engine_free(vg_engine *e);

VG_API int vg_engine_camera_count(const vg_engine *e);
/* The camera's name (0-based index; "" out of range); fixed for the
 * engine's life, safe to read at any time. */
VG_API const char *vg_engine_camera_name(const vg_engine *e, int camera);
VG_API void vg_engine_camera_stats_get(vg_engine *e, int camera, vg_engine_camera_stats *out);
/* Sum over cameras as store counters. */
VG_API void vg_engine_counters(vg_engine *e, vg_counters *out);
/* Alerts dropped because the queue was full (should stay 0). */
VG_API int64_t vg_engine_alerts_dropped(vg_engine *e);
/* The alert spool's counters (all 0 without a spool). */
VG_API void vg_engine_spool_stats(vg_engine *e, vg_store_spool_stats *out);
/* Latency percentiles of the alerts raised so far, ms (-1 without alerts). */
VG_API double vg_engine_latency_ms(vg_engine *e, double percentile);
/* The same latencies as a cumulative histogram: counts[i] is the number of
 * alerts raised within le_ms[i] (ascending bounds), *sum_ms their total and
 * *total their number. */
VG_API void vg_engine_latency_histogram(vg_engine *e, const double *le_ms, int n, int64_t *counts, double *sum_ms,
                                 int64_t *total);

/* The live view (privacy invariant 1 of docs/evaluation.md: every face
 * that is not a current match is blurred before the frame leaves the
 * process).
 *
 * While a camera has at least one viewer, its step makes, from frames on
 * which detection ran and at most VG_ENGINE_VIEW_FPS times a second, a copy
 * of the frame reduced to at most VG_ENGINE_VIEW_WIDTH_MAX pixels wide in
 * which every face whose track is not matched to a watch-list subject (its
 * box with a quarter of margin, and the last box of a live track the
 * detector missed on this frame) is pixelated to a few flat cells and
 * outlined in grey; a matched face — only while matching is allowed — is
 * outlined in colour. Outside the deployment's window every face is
 * blurred. The frame is encoded as JPEG into the camera's slot with a
 * sequence number; a camera without viewers makes nothing and keeps
 * nothing. If anything in making a view frame fails, no frame is published. */
#define VG_ENGINE_VIEW_WIDTH_MAX 960
#define VG_ENGINE_VIEW_FPS 5

typedef struct vg_engine_view_frame {
    uint8_t *jpeg;             /* malloc'd, the caller frees it; NULL: no new frame in time */
    size_t len;
    int64_t seq;               /* > 0, increasing per camera */
    double pts;                /* the frame's stream time, seconds */
    int width, height;
    int faces, matched;        /* faces on it, and how many were left unblurred */
} vg_engine_view_frame;

/* The matched faces of a view frame (its "marks"), for a console that
 * labels them: only faces shown unblurred on that frame — never a box,
 * count or place of any other face. box is the face's box as fractions of
 * the frame (x1, y1, x2, y2 in 0..1); alert_id is the stored alert of that
 * subject the track raised or was held to by the cooldown (0: not stored
 * yet, or none). */
#define VG_ENGINE_VIEW_MARKS_MAX 64
typedef struct vg_engine_view_mark {
    float box[4];
    int64_t track_id, subject_id, alert_id;
} vg_engine_view_mark;

typedef struct vg_engine_view_marks {
    int64_t seq;               /* the view frame they came with (0: none in time) */
    double pts;
    int n;
    vg_engine_view_mark marks[VG_ENGINE_VIEW_MARKS_MAX];
} vg_engine_view_marks;

/* A viewer of camera (0-based) arrives: the camera starts making view
 * frames. VG_ERR_NOT_FOUND for a camera index out of range. Every open is
 * paired with a vg_engine_view_close. */
VG_API vg_status vg_engine_view_open(vg_engine *e, int camera, vg_err *err);
/* A viewer leaves; with the last one gone the camera stops making frames
 * and frees the one it kept. */
VG_API void vg_engine_view_close(vg_engine *e, int camera);
/* Waits up to timeout_s for a view frame newer than after_seq (0: any) and
 * copies it into *out. VG_OK with out->jpeg NULL when none came in time;
 * VG_ERR_NOT_FOUND when the camera has ended or the engine is stopping (no
 * frame will come); VG_ERR_NOMEM. Call between open and close. */
VG_API vg_status vg_engine_view_next(vg_engine *e, int camera, int64_t after_seq, double timeout_s,
                              vg_engine_view_frame *out, vg_err *err);
/* Waits up to timeout_s for a view frame newer than after_seq and copies
 * its marks into *out (out->seq 0 when none came in time: a caller shows
 * no mark then). No frame is made for this call alone: frames come only
 * while the camera has a viewer (vg_engine_view_open). VG_ERR_NOT_FOUND
 * for an unknown camera, or one that has ended. */
VG_API vg_status vg_engine_view_marks_next(vg_engine *e, int camera, int64_t after_seq, double timeout_s,
                                           vg_engine_view_marks *out, vg_err *err);

#ifdef __cplusplus
}
#endif
#endif
