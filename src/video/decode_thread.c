/* decode_thread.c — a source's decode thread: open, decode, convert to RGB (into
 * an image of the source's pool, with the scaler kept across pictures), pace, put
 * into the mailbox; on failure reopen with capped exponential backoff.
 *
 * Failures of a camera (an opening that fails, a read error, the end of a
 * network stream, no frame for stall_s) close the stream and open it again
 * after a wait that starts at backoff_initial and doubles up to backoff_max;
 * the first frame after a reopening resets both the wait and the count of
 * consecutive failures, and max_attempts of those in a row give up. A stall
 * is noticed by FFmpeg's interrupt callback: every blocking call returns
 * once the deadline (last frame + stall_s) passes.
 *
 * Timestamps stay continuous across loops and reopenings: each opening's
 * first frame follows the last one sent (by one frame duration after a
 * loop, by the wall-clock gap after a reconnection), so pts only grows.
 * Files are paced at their own rate in LIVE mode (or when realtime is set):
 * each frame waits until its pts is due relative to the first one.
 */
#include "video/source_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>

#define ERROR_LOG_INTERVAL_S 1.0
#define PACE_JUMP_S 5.0 /* a file's pts leaping further ahead restarts the pacing */

typedef struct run_state {
    int failures;         /* consecutive */
    double backoff;       /* the next wait */
    int64_t frames_open;  /* frames of this opening (of this loop, for files) */
    double last_progress; /* last frame, or the opening */
    double open_started;  /* when the last opening of a camera began */
    /* the timeline */
    int rebase;           /* 1: after a loop, 2: after a reconnection */
    double pts_offset;    /* added to the stream's pts */
    double last_pts;      /* last pts sent (< 0: none yet) */
    double last_raw;      /* the stream's pts of the last frame of this opening */
    int have_raw;
    double frame_dur;
    double last_arrival;
    /* pacing */
    int pace_set;
    double pace_wall0, pace_pts0;
    /* decode errors are counted each, logged at most once a second */
    double last_error_log;
    int64_t errors_unlogged;
} run_state;

static int stopping(vg_source *s) { return atomic_load(&s->stop); }

static int is_file(const vg_source *s) { return s->info.kind == VG_URL_FILE; }

static void set_state(vg_source *s, vg_source_state state)
{
    pthread_mutex_lock(&s->mu);
    s->stats.state = state;
    pthread_mutex_unlock(&s->mu);
}

static void note_error(vg_source *s, const char *reason, int count)
{
    pthread_mutex_lock(&s->mu);
    snprintf(s->stats.last_error, sizeof s->stats.last_error, "%s", reason);
    if (count)
        s->stats.errors++;
    pthread_mutex_unlock(&s->mu);
}

/* No frame will follow: next() reports reason once the slot is empty. */
static void finish(vg_source *s, vg_source_state state, const char *reason)
{
    pthread_mutex_lock(&s->mu);
    if (!s->finished) {
        s->finished = 1;
        s->stats.state = state;
        s->end_status = VG_ERR_NOT_FOUND;
        snprintf(s->end_reason, sizeof s->end_reason, "%s", reason);
    }
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

/* Waits until monotonic time t; 0 when the source is being closed. */
static int sleep_until(vg_source *s, double t)
{
    struct timespec until = vg_abs_time(t);
    pthread_mutex_lock(&s->mu);
    while (!stopping(s) && vg_now() < t)
        if (pthread_cond_timedwait(&s->cond, &s->mu, &until) == ETIMEDOUT)
            break;
    int stop = stopping(s);
    pthread_mutex_unlock(&s->mu);
    return !stop;
}

/* The part of a stream message after "<redacted url>: ". */
static const char *reason_of(const vg_source *s, const char *msg)
{
    size_t n = strlen(s->redacted);
    if (strncmp(msg, s->redacted, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

static void log_error(vg_source *s, const char *reason)
{
    vg_log_line l;
    vg_logline_start(&l, s, "error");
    vg_log_str(&l, "reason", reason);
    vg_logline_emit(s, &l);
}

/* A bad frame or packet: counted always, logged at most once a second. */
static void frame_error(vg_source *s, run_state *rs, const char *reason)
{
    note_error(s, reason, 1);
    double now = vg_now();
    if (now - rs->last_error_log < ERROR_LOG_INTERVAL_S && rs->last_error_log > 0) {
        rs->errors_unlogged++;
        return;
    }
    vg_log_line l;
    vg_logline_start(&l, s, "error");
    vg_log_str(&l, "reason", reason);
    if (rs->errors_unlogged > 0)
        vg_log_fmt(&l, "more", "%lld", (long long)rs->errors_unlogged);
    vg_logline_emit(s, &l);
    rs->last_error_log = now;
    rs->errors_unlogged = 0;
}

/* After a failure: give up, or wait the backoff. 0: stop the thread. */
static int fail_and_wait(vg_source *s, run_state *rs, const char *reason, int count_error)
{
    rs->failures++;
    note_error(s, reason, count_error);
    vg_log_line l;
    if (s->max_attempts > 0 && rs->failures >= s->max_attempts) {
        vg_logline_start(&l, s, "given_up");
        vg_log_fmt(&l, "attempts", "%d", rs->failures);
        vg_log_str(&l, "reason", reason);
        vg_logline_emit(s, &l);
        char msg[VG_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "camera %s: gave up after %d failed attempt%s: %s", s->name,
                 rs->failures, rs->failures == 1 ? "" : "s", reason);
        finish(s, VG_SOURCE_STATE_FAILED, msg);
        return 0;
    }
    double wait = rs->backoff;
    rs->backoff = rs->backoff * 2 < s->backoff_max ? rs->backoff * 2 : s->backoff_max;
    set_state(s, VG_SOURCE_STATE_RECONNECTING);
    vg_logline_start(&l, s, "reconnecting");
    vg_log_fmt(&l, "attempt", "%d", rs->failures);
    vg_log_fmt(&l, "wait_s", "%.2f", wait);
    vg_log_str(&l, "reason", reason);
    vg_logline_emit(s, &l);
    return sleep_until(s, vg_now() + wait);
}

static void opened(vg_source *s, run_state *rs)
{
    const vg_stream *st = &s->stream;
    double now = vg_now();
    pthread_mutex_lock(&s->mu);
    s->stats.opens++;
    s->stats.state = VG_SOURCE_STATE_RUNNING;
    pthread_mutex_unlock(&s->mu);
    rs->frames_open = 0;
    rs->have_raw = 0;
    rs->pace_set = 0;
    rs->last_progress = now;
    if (rs->last_pts >= 0)
        rs->rebase = 2;
    if (st->fps > 0)
        rs->frame_dur = 1.0 / st->fps;
    /* a stall is measured from the start of the opening: the data its
     * probing read may be all there is (and, with the probing cut by the
     * opening's deadline, the next read fails at once) */
    s->intr.since = rs->open_started > 0 ? rs->open_started : now;
    s->intr.deadline = is_file(s) ? 0 : now + s->stall_s;

    vg_log_line l;
    vg_logline_start(&l, s, "opened");
    vg_log_fmt(&l, "width", "%d", st->width);
    vg_log_fmt(&l, "height", "%d", st->height);
    vg_log_fmt(&l, "fps", "%.3g", st->fps);
    vg_log_str(&l, "codec", st->codec_name);
    vg_log_str(&l, "format", st->format_name);
    vg_logline_emit(s, &l);
}

/* Opens the stream of a camera: 1 opened, 0 failed (the wait is done), -1 stop. */
static int open_camera(vg_source *s, run_state *rs)
{
    set_state(s, rs->failures > 0 ? VG_SOURCE_STATE_RECONNECTING : VG_SOURCE_STATE_OPENING);
    rs->open_started = vg_now();
    s->intr.since = rs->open_started;
    s->intr.deadline = rs->open_started + s->open_timeout_s;
    vg_stream_config cfg = vg_source_stream_config(s);
    vg_err e;
    vg_status st = vg_stream_open(&s->stream, &cfg, &s->intr, &e);
    if (st == VG_OK) {
        opened(s, rs);
        return 1;
    }
    if (stopping(s))
        return -1;
    const char *reason = reason_of(s, e.msg);
    if (st == VG_ERR_UNSUPPORTED || st == VG_ERR_NOMEM) { /* retrying will not help */
        note_error(s, reason, 1);
        vg_log_line l;
        vg_logline_start(&l, s, "given_up");
        vg_log_str(&l, "reason", reason);
        vg_logline_emit(s, &l);
        finish(s, VG_SOURCE_STATE_FAILED, e.msg);
        return -1;
    }
    return fail_and_wait(s, rs, reason, 1) ? 0 : -1;
}

/* The pts the frame gets: the stream's own, made continuous across loops and
 * reopenings, estimated from the frame rate when missing. */
static double frame_pts(vg_source *s, run_state *rs, double now)
{
    double raw;
    int has = vg_stream_frame_pts(&s->stream, &raw);
    if (!has)
        raw = rs->have_raw ? rs->last_raw + rs->frame_dur : 0;
    if (rs->have_raw) {
        double d = raw - rs->last_raw;
        if (d > 0 && d < 1)
            rs->frame_dur = d;
        else if (!is_file(s) && (d <= 0 || d > 10))
            rs->rebase = 2; /* a camera's clock jumped */
    }
    if (rs->frame_dur <= 0)
        rs->frame_dur = 0.04;
    if (rs->rebase && rs->last_pts >= 0) {
        double gap = rs->frame_dur;
        if (rs->rebase == 2 && now - rs->last_arrival > gap)
            gap = now - rs->last_arrival;
        rs->pts_offset = rs->last_pts + gap - raw;
    }
    rs->rebase = 0;
    rs->last_raw = raw;
    rs->have_raw = 1;
    double pts = raw + rs->pts_offset;
    if (rs->last_pts >= 0 && pts < rs->last_pts && !is_file(s))
        pts = rs->last_pts + rs->frame_dur;
    return pts;
}

/* Sleeps until a paced file's frame is due. 0: stop. */
static int pace(vg_source *s, run_state *rs, double pts)
{
    if (!is_file(s) || (s->mode != VG_SOURCE_LIVE && !s->realtime))
        return 1;
    double now = vg_now();
    double due = rs->pace_wall0 + (pts - rs->pace_pts0);
    if (!rs->pace_set || pts < rs->pace_pts0 || due > now + PACE_JUMP_S) {
        rs->pace_set = 1;
        rs->pace_wall0 = now;
        rs->pace_pts0 = pts;
        return 1;
    }
    return due > now ? sleep_until(s, due) : 1;
}

/* Puts f into the mailbox: replacing an untaken frame (LIVE) or waiting for
 * the consumer to take it (ALL). 0: stop (f is freed). */
static int deliver(vg_source *s, vg_frame *f, double decode_s)
{
    pthread_mutex_lock(&s->mu);
    if (s->mode == VG_SOURCE_ALL)
        while (s->slot && !stopping(s))
            pthread_cond_wait(&s->cond, &s->mu);
    if (stopping(s)) {
        pthread_mutex_unlock(&s->mu);
        vg_frame_free(f);
        return 0;
    }
    if (s->slot) {
        vg_frame_free(s->slot);
        s->stats.frames_dropped++;
    }
    f->index = s->stats.frames_decoded++;
    f->arrival = vg_now();
    s->slot = f;
    s->stats.state = VG_SOURCE_STATE_RUNNING;
    s->stats.width = f->width;
    s->stats.height = f->height;
    s->stats.decode_ms_total += decode_s * 1000.0;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return 1;
}

/* A decoded picture: checked, converted, paced and delivered. 0: stop. */
static int handle_frame(vg_source *s, run_state *rs)
{
    AVFrame *fr = s->stream.frame;
    double t0 = vg_now();
    char reason[256];
    if ((long long)fr->width * fr->height > s->max_pixels) {
        snprintf(reason, sizeof reason, "frame of %dx%d is over the limit of %lld pixels: skipped",
                 fr->width, fr->height, s->max_pixels);
        av_frame_unref(fr);
        frame_error(s, rs, reason);
        return 1;
    }
    vg_image *img = NULL;
    AVFrame *picture = NULL;
    vg_err e;
    vg_status st = VG_OK;
    if (s->defer_rgb) { /* a reference to the decoder's buffer: no copy */
        picture = av_frame_clone(fr);
        if (picture)
            vg_frame_pool_hold(s->pool);
        else
            st = vg_err_set(&e, VG_ERR_NOMEM, "out of memory for a frame");
    } else {
        st = vg_frame_pool_take(s->pool, fr->width, fr->height, &img, &e);
    }
    if (st == VG_OK && !picture) {
        st = vg_frame_scaler_convert(&s->scaler, fr, img, &e);
        if (st != VG_OK) {
            vg_frame_pool_give(s->pool, img);
            img = NULL;
        }
    }
    double pts = frame_pts(s, rs, t0);
    int width = fr->width, height = fr->height;
    av_frame_unref(fr);
    double decode_s = s->stream.decode_seconds + (vg_now() - t0);
    s->stream.decode_seconds = 0;
    if (st != VG_OK) {
        frame_error(s, rs, e.msg);
        return 1;
    }
    vg_frame *f = calloc(1, sizeof *f);
    if (!f) {
        av_frame_free(&picture);
        vg_frame_pool_give(s->pool, img);
        frame_error(s, rs, "out of memory for a frame");
        return 1;
    }
    f->image = img;
    f->picture = picture;
    f->pool = s->pool;
    f->width = width;
    f->height = height;
    f->pts = pts;
    if (!pace(s, rs, pts)) {
        vg_frame_free(f);
        return 0;
    }
    if (!deliver(s, f, decode_s))
        return 0;
    double now = vg_now();
    rs->last_pts = pts;
    rs->last_arrival = now;
    rs->last_progress = now;
    if (rs->frames_open++ == 0 && rs->failures > 0) {
        /* A reconnection is a reopening: failures before the first
         * successful opening only delayed the start. */
        pthread_mutex_lock(&s->mu);
        int reopening = s->stats.opens > 1;
        if (reopening)
            s->stats.reconnects++;
        pthread_mutex_unlock(&s->mu);
        if (reopening) {
            vg_log_line l;
            vg_logline_start(&l, s, "reconnected");
            vg_log_fmt(&l, "failures", "%d", rs->failures);
            vg_logline_emit(s, &l);
        }
        rs->failures = 0;
        rs->backoff = s->backoff_initial;
    }
    if (!is_file(s)) {
        s->intr.since = now;
        s->intr.deadline = now + s->stall_s;
    }
    return 1;
}

/* End of a file: loop or finish. 1: go on reading. */
static int file_end(vg_source *s, run_state *rs)
{
    char msg[256];
    if (s->stream.read_error) {
        snprintf(msg, sizeof msg, "the file ends early: %s",
                 vg_stream_strerror(s->stream.read_error, msg + 128, 128));
        note_error(s, msg, 1);
        log_error(s, msg);
    }
    if (s->loop && rs->frames_open > 0) {
        vg_err e;
        if (vg_stream_rewind(&s->stream, &e) != VG_OK) {
            vg_stream_close(&s->stream);
            vg_stream_config cfg = vg_source_stream_config(s);
            if (vg_stream_open(&s->stream, &cfg, &s->intr, &e) != VG_OK) {
                const char *reason = reason_of(s, e.msg);
                note_error(s, reason, 1);
                log_error(s, reason);
                finish(s, VG_SOURCE_STATE_FAILED, e.msg);
                return 0;
            }
        }
        rs->frames_open = 0;
        rs->have_raw = 0;
        rs->rebase = 1;
        return 1;
    }
    vg_log_line l;
    vg_logline_start(&l, s, "ended");
    pthread_mutex_lock(&s->mu);
    vg_log_fmt(&l, "frames", "%lld", (long long)s->stats.frames_decoded);
    pthread_mutex_unlock(&s->mu);
    vg_logline_emit(s, &l);
    finish(s, VG_SOURCE_STATE_ENDED, "end of stream");
    return 0;
}

/* A camera's stream failed or stalled: close it and wait to reopen. */
static int camera_failed(vg_source *s, run_state *rs, vg_read_result r, int averr)
{
    char reason[256], msg[128];
    int stalled = s->intr.timed_out;
    if (stalled) {
        /* how long the interrupted wait had lasted (the opening's probing
         * included), not the time since the last delivered frame, which
         * may have come from the probing's buffer a moment ago */
        double seconds = s->intr.waited > 0 ? s->intr.waited : vg_now() - rs->last_progress;
        snprintf(reason, sizeof reason, "no frame for %.1f s", seconds);
        pthread_mutex_lock(&s->mu);
        s->stats.stalls++;
        pthread_mutex_unlock(&s->mu);
        vg_log_line l;
        vg_logline_start(&l, s, "stalled");
        vg_log_fmt(&l, "seconds", "%.1f", seconds);
        vg_logline_emit(s, &l);
    } else {
        if (r == VG_READ_END)
            snprintf(reason, sizeof reason, "the stream ended");
        else
            snprintf(reason, sizeof reason, "read error: %s",
                     vg_stream_strerror(averr, msg, sizeof msg));
        log_error(s, reason);
    }
    vg_stream_close(&s->stream);
    return fail_and_wait(s, rs, reason, !stalled);
}

void *vg_source_run(void *arg)
{
    vg_source *s = arg;
    run_state rs = {.backoff = s->backoff_initial, .last_pts = -1};
    if (s->stream.fmt)
        opened(s, &rs); /* a file, probed by vg_source_open */
    while (!stopping(s)) {
        if (!s->stream.fmt) {
            int r = open_camera(s, &rs);
            if (r < 0)
                break;
            continue;
        }
        int averr;
        vg_read_result r = vg_stream_read(&s->stream, &averr);
        if (r == VG_READ_FRAME) {
            if (!handle_frame(s, &rs))
                break;
            continue;
        }
        if (stopping(s))
            break;
        if (r == VG_READ_DECODE_ERROR) {
            char reason[160], msg[128];
            snprintf(reason, sizeof reason, "cannot decode a %s packet: %s",
                     s->stream.codec_name, vg_stream_strerror(averr, msg, sizeof msg));
            frame_error(s, &rs, reason);
            continue;
        }
        if (is_file(s) ? !file_end(s, &rs) : !camera_failed(s, &rs, r, averr))
            break;
    }
    vg_stream_close(&s->stream);
    finish(s, VG_SOURCE_STATE_ENDED, "the source was closed");
    return NULL;
}
