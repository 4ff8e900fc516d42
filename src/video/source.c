/* source.c — the caller's side of a camera source: opening (options, URL
 * checks, a file probed before returning), the one-frame mailbox the decode
 * thread (decode_thread.c) fills, statistics, and closing.
 *
 * The mailbox is a single slot under a mutex and a condition variable on
 * CLOCK_MONOTONIC. In LIVE mode the thread replaces a frame nobody took
 * (counting it dropped); in ALL mode it waits until the slot is empty. Either
 * way at most two frames exist per source: the one in the slot and the one
 * being decoded. Their images come from the source's frame pool and go back
 * to it when the frame is freed (frame_pool.h).
 */
#include "video/source_internal.h"

#include <errno.h>

#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_STALL_S 5.0
#define DEFAULT_BACKOFF_INITIAL_S 0.5
#define DEFAULT_BACKOFF_MAX_S 8.0
#define MIN_OPEN_TIMEOUT_S 5.0
/* Idle images a source keeps: in steady state the decoder fills one, the
 * slot holds one and the consumer works on one, so one or two come back
 * between pictures. */
#define FRAME_POOL_KEEP 2

void vg_frame_free(vg_frame *f)
{
    if (!f)
        return;
    av_frame_free(&f->picture);
    if (f->pool)
        vg_frame_pool_give(f->pool, f->image); /* may be the pool's last user: the source closed */
    else
        vg_image_free(f->image);
    free(f);
}

vg_status vg_frame_rgb(vg_frame *f, vg_err *err)
{
    if (!f)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_rgb: frame is NULL");
    if (f->image)
        return VG_OK;
    if (!f->picture || !f->pool)
        return vg_err_set(err, VG_ERR_INVALID, "the frame holds no picture");
    /* the picture's image counts as one of the pool's: it holds the pool */
    vg_image *img = NULL;
    vg_status st = vg_frame_pool_convert(f->pool, f->picture, &img, err);
    if (st != VG_OK)
        return st;
    vg_frame_pool_give(f->pool, NULL); /* the picture's count, now the image's */
    av_frame_free(&f->picture);
    f->image = img;
    return VG_OK;
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Frees a source whose thread is not running. */
static void source_free(vg_source *s)
{
    vg_stream_close(&s->stream);
    vg_frame_free(s->slot);
    vg_frame_scaler_fini(&s->scaler);
    vg_frame_pool_release(s->pool); /* frames still out keep it until they are freed */
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    free(s->url);
    free(s->ff_url);
    free(s->name);
    free(s);
}

static vg_status check_options(const vg_source_options *opt, vg_err *err)
{
    if (!opt)
        return vg_err_set(err, VG_ERR_INVALID, "vg_source_open: options are NULL");
    if (opt->mode != VG_SOURCE_LIVE && opt->mode != VG_SOURCE_ALL)
        return vg_err_set(err, VG_ERR_INVALID, "source mode %d is neither live nor all",
                          (int)opt->mode);
    if (opt->rtsp_transport != VG_RTSP_TCP && opt->rtsp_transport != VG_RTSP_UDP)
        return vg_err_set(err, VG_ERR_INVALID, "RTSP transport %d is neither tcp nor udp",
                          (int)opt->rtsp_transport);
    if (!(opt->stall_seconds >= 0) || !(opt->backoff_initial >= 0) ||
        !(opt->backoff_max >= 0) || opt->stall_seconds > 86400 ||
        opt->backoff_initial > 86400 || opt->backoff_max > 86400)
        return vg_err_set(err, VG_ERR_INVALID,
                          "stall and backoff times must be between 0 and 86400 seconds");
    if (opt->max_attempts < 0)
        return vg_err_set(err, VG_ERR_INVALID, "max_attempts must be 0 (never give up) or more");
    if (opt->max_pixels < 0)
        return vg_err_set(err, VG_ERR_INVALID, "max_pixels must be 0 (the default) or more");
    return VG_OK;
}

static void copy_settings(vg_source *s, const vg_source_options *opt)
{
    s->mode = opt->mode;
    s->realtime = opt->realtime != 0;
    s->loop = opt->loop != 0;
    s->stall_s = opt->stall_seconds > 0 ? opt->stall_seconds : DEFAULT_STALL_S;
    s->backoff_initial =
        opt->backoff_initial > 0 ? opt->backoff_initial : DEFAULT_BACKOFF_INITIAL_S;
    s->backoff_max = opt->backoff_max > 0 ? opt->backoff_max : DEFAULT_BACKOFF_MAX_S;
    if (s->backoff_max < s->backoff_initial)
        s->backoff_max = s->backoff_initial;
    s->open_timeout_s = s->stall_s > MIN_OPEN_TIMEOUT_S ? s->stall_s : MIN_OPEN_TIMEOUT_S;
    s->max_attempts = opt->max_attempts;
    s->transport = opt->rtsp_transport;
    s->max_pixels = opt->max_pixels > 0 ? opt->max_pixels : VG_IMAGE_MAX_PIXELS_DEFAULT;
    s->defer_rgb = opt->defer_rgb != 0;
    s->log = opt->log;
    s->log_ctx = opt->log_ctx;
}

static vg_status init_sync(vg_source *s, vg_err *err)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot initialise a condition variable");
    int r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (r == 0)
        r = pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (r != 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot initialise a condition variable");
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        pthread_cond_destroy(&s->cond);
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot initialise a mutex");
    }
    return VG_OK;
}

/* What FFmpeg opens: files through the file protocol only (a path holding
 * "concat:" or "http:" stays a path), devices by path, the rest as given. */
static vg_status make_ff_url(vg_source *s, vg_err *err)
{
    if (s->info.kind == VG_URL_NETWORK) {
        s->ff_url = dup_str(s->url);
    } else if (s->info.kind == VG_URL_V4L2) {
        s->ff_url = dup_str(s->info.path);
    } else {
        size_t n = strlen(s->info.path);
        s->ff_url = malloc(n + 6);
        if (s->ff_url) {
            memcpy(s->ff_url, "file:", 5);
            memcpy(s->ff_url + 5, s->info.path, n + 1);
        }
    }
    return s->ff_url ? VG_OK : vg_err_set(err, VG_ERR_NOMEM, "out of memory opening a source");
}

/* A local file or device must exist when the source is opened. */
static vg_status check_path(const vg_source *s, vg_err *err)
{
    struct stat st;
    if (stat(s->info.path, &st) != 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return vg_err_set(err, VG_ERR_NOT_FOUND, "%s: no such %s", s->redacted,
                              s->info.kind == VG_URL_V4L2 ? "device" : "file");
        return vg_err_set(err, VG_ERR_IO, "%s: cannot open it: %s", s->redacted, strerror(e));
    }
    if (S_ISDIR(st.st_mode))
        return vg_err_set(err, VG_ERR_INVALID, "%s: a directory, not a video", s->redacted);
    if (s->info.kind == VG_URL_V4L2 && !S_ISCHR(st.st_mode))
        return vg_err_set(err, VG_ERR_INVALID, "%s: not a video device", s->redacted);
    return VG_OK;
}

vg_stream_config vg_source_stream_config(const vg_source *s)
{
    vg_stream_config c = {.ff_url = s->ff_url,
                          .display = s->redacted,
                          .info = s->info,
                          .transport = s->transport,
                          .timeout_s = s->open_timeout_s,
                          .max_pixels = s->max_pixels};
    return c;
}

vg_status vg_source_open(const vg_source_options *opt, vg_source **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_source_open: out is NULL");
    *out = NULL;
    vg_status st = check_options(opt, err);
    if (st != VG_OK)
        return st;
    vg_url_info info;
    st = vg_url_classify(opt->url, &info, err);
    if (st != VG_OK)
        return st;

    vg_source *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening a source");
    st = init_sync(s, err);
    if (st != VG_OK) {
        free(s);
        return st;
    }
    st = vg_frame_pool_new(FRAME_POOL_KEEP, &s->pool, err);
    if (st != VG_OK) {
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return st;
    }
    atomic_init(&s->stop, 0);
    s->intr.stop = &s->stop;
    copy_settings(s, opt);
    s->url = dup_str(opt->url);
    vg_url_redact(opt->url, s->redacted, sizeof s->redacted);
    s->name = dup_str(opt->name && opt->name[0] ? opt->name : s->redacted);
    if (!s->url || !s->name) {
        source_free(s);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening a source");
    }
    vg_url_classify(s->url, &s->info, NULL); /* info.path into our copy */
    st = make_ff_url(s, err);
    if (st == VG_OK && s->info.kind != VG_URL_NETWORK)
        st = check_path(s, err);
    if (st == VG_OK && s->info.kind == VG_URL_FILE) {
        /* Probed here, so that a file that is not a video fails at once. */
        vg_stream_config cfg = vg_source_stream_config(s);
        st = vg_stream_open(&s->stream, &cfg, &s->intr, err);
    }
    if (st != VG_OK) {
        source_free(s);
        return st;
    }
    s->stats.state = VG_SOURCE_STATE_OPENING;
    if (pthread_create(&s->thread, NULL, vg_source_run, s) != 0) {
        source_free(s);
        return vg_err_set(err, VG_ERR_INTERNAL, "%s: cannot start its decode thread",
                          s->redacted);
    }
    s->thread_started = 1;
    *out = s;
    return VG_OK;
}

void vg_source_close(vg_source *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, 1);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    if (s->thread_started)
        pthread_join(s->thread, NULL);
    source_free(s);
}

vg_status vg_source_next(vg_source *s, double timeout_s, vg_frame **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_source_next: out is NULL");
    *out = NULL;
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_source_next: source is NULL");
    pthread_mutex_lock(&s->mu);
    if (timeout_s > 0 && !s->slot && !s->finished) {
        struct timespec until = vg_abs_time(vg_now() + timeout_s);
        while (!s->slot && !s->finished)
            if (pthread_cond_timedwait(&s->cond, &s->mu, &until) == ETIMEDOUT)
                break;
    }
    vg_status st = VG_OK;
    if (s->slot) {
        *out = s->slot;
        s->slot = NULL;
        s->stats.frames_taken++;
        pthread_cond_broadcast(&s->cond); /* an ALL-mode decoder waits for the slot */
    } else if (s->finished) {
        st = vg_err_set(err, s->end_status, "%s", s->end_reason);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

void vg_source_stats_get(vg_source *s, vg_source_stats *out)
{
    if (!out)
        return;
    if (!s) {
        memset(out, 0, sizeof *out);
        return;
    }
    pthread_mutex_lock(&s->mu);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}
