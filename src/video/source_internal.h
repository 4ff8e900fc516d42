/* source_internal.h — the vg_source object shared by the caller's side
 * (source.c: open, next, stats, close) and its decode thread (decode_thread.c), and
 * the key=value event lines both write (events.c). Internal to src/video. */
#ifndef VIGIL_VIDEO_SOURCE_INTERNAL_H
#define VIGIL_VIDEO_SOURCE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "vigil/video.h"
#include "image/frame.h"
#include "video/ffmpeg_stream.h"
#include "video/frame_pool.h"
#include "video/url.h"

struct vg_source {
    /* Settings: fixed once vg_source_open returns. */
    char *url;              /* as given: handed to FFmpeg only, never printed */
    char *ff_url;           /* what FFmpeg opens */
    char *name;             /* camera name for logs */
    char redacted[512];     /* the URL as logs and messages show it */
    vg_url_info info;       /* info.path points into url */
    vg_source_mode mode;
    int realtime, loop;
    double stall_s, backoff_initial, backoff_max, open_timeout_s;
    int max_attempts;
    vg_rtsp_transport transport;
    long long max_pixels;
    int defer_rgb;          /* frames carry the picture, converted by vg_frame_rgb */
    vg_log_fn log;
    void *log_ctx;

    /* The decode thread's own (before the thread starts: vg_source_open's). */
    vg_stream stream;
    vg_interrupt intr;
    vg_frame_scaler scaler; /* to RGB, kept across pictures */

    /* The frames' images, shared with every frame out (thread-safe itself). */
    vg_frame_pool *pool;

    /* Shared: under mu; cond is broadcast on every change (a frame put or
     * taken, the end, stop). stop is also read without the lock by
     * FFmpeg's interrupt callback. */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    atomic_int stop;
    vg_frame *slot;         /* the one-frame mailbox */
    int finished;           /* no frame will come after the one in slot */
    vg_status end_status;
    char end_reason[VG_ERR_MSG_MAX];
    vg_source_stats stats;

    pthread_t thread;
    int thread_started;
};

/* The decode thread. */
void *vg_source_run(void *arg);

/* How s opens its stream. */
vg_stream_config vg_source_stream_config(const vg_source *s);

/* --- event lines ---------------------------------------------------------- */

/* "event=EVENT camera=NAME url=REDACTED", then vg_log_str / vg_log_fmt
 * (vigil/log.h) for the rest. */
void vg_logline_start(vg_log_line *l, const vg_source *s, const char *event);
/* Hands the line to the source's log callback, if any. */
void vg_logline_emit(const vg_source *s, const vg_log_line *l);

#endif
