/* ffmpeg_stream.c — one opening of a source: libavformat to demux, libavcodec to
 * decode its first video stream, one frame per call.
 *
 * Every blocking FFmpeg call goes through the interrupt callback, which
 * returns at once when the source is being closed or when the deadline the
 * source set (opening time, or the stall limit) has passed; network
 * protocols also get FFmpeg's own socket timeouts as a backstop. Protocols
 * are limited to a whitelist per kind of source, so a file cannot make
 * FFmpeg open a network URL nor a playlist fetched from a camera a local
 * file. Messages are built from the redacted URL and FFmpeg's fixed error
 * strings only: nothing FFmpeg formats from the URL reaches them, and
 * FFmpeg's log output is silenced once per process.
 */
#include "video/ffmpeg_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

static const char NETWORK_PROTOCOLS[] =
    "http,https,tcp,tls,udp,rtp,srtp,rtsp,rtsps,rtmp,rtmps,rtmpt,rtmpts,rtmpe,rtmpte,"
    "crypto,httpproxy,srt";

static pthread_once_t ffmpeg_once = PTHREAD_ONCE_INIT;
static void ffmpeg_init(void)
{
    av_log_set_level(AV_LOG_QUIET); /* its lines can hold the URL, credentials included */
    avdevice_register_all();
}

double vg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct timespec vg_abs_time(double t)
{
    struct timespec ts;
    if (t < 0)
        t = 0;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    } else if (ts.tv_nsec < 0) {
        ts.tv_nsec = 0;
    }
    return ts;
}

const char *vg_stream_strerror(int code, char *buf, size_t len)
{
    if (av_strerror(code, buf, len) < 0)
        snprintf(buf, len, "FFmpeg error %d", code);
    return buf;
}

static int interrupt_cb(void *opaque)
{
    vg_interrupt *in = opaque;
    if (atomic_load(in->stop))
        return 1;
    double now = vg_now();
    if (in->deadline > 0 && now > in->deadline) {
        in->waited = in->since > 0 ? now - in->since : 0; /* the time without data the log reports */
        in->timed_out = 1;
        return 1;
    }
    return 0;
}

void vg_stream_close(vg_stream *st)
{
    av_frame_free(&st->frame);
    av_packet_free(&st->pkt);
    avcodec_free_context(&st->codec);
    avformat_close_input(&st->fmt);
    memset(st, 0, sizeof *st);
}

/* Options for avformat_open_input by kind of source. */
static int open_options(const vg_stream_config *cfg, AVDictionary **o)
{
    int r = 0;
    if (cfg->info.kind == VG_URL_FILE)
        return av_dict_set(o, "protocol_whitelist", "file", 0);
    if (cfg->info.kind == VG_URL_V4L2)
        return 0;
    long long us = (long long)(cfg->timeout_s * 1e6);
    r = av_dict_set(o, "protocol_whitelist", NETWORK_PROTOCOLS, 0);
    /* A live camera should start within a second of probing, not five. */
    if (r >= 0)
        r = av_dict_set(o, "probesize", "500000", 0);
    if (r >= 0)
        r = av_dict_set(o, "analyzeduration", "1000000", 0);
    if (r >= 0)
        r = av_dict_set_int(o, "rw_timeout", us, 0);
    switch (cfg->info.scheme) {
    case VG_SCHEME_RTSP:
        if (r >= 0)
            r = av_dict_set(o, "rtsp_transport", cfg->transport == VG_RTSP_UDP ? "udp" : "tcp", 0);
        if (r >= 0)
            r = av_dict_set_int(o, "timeout", us, 0); /* socket I/O, microseconds */
        break;
    case VG_SCHEME_HTTP:
        if (r >= 0)
            r = av_dict_set_int(o, "timeout", us, 0); /* the TCP layer's, microseconds */
        break;
    default: /* rtmp's "timeout" means listen: leave it alone */
        break;
    }
    return r;
}

static vg_status open_failed(const vg_stream_config *cfg, vg_interrupt *intr, int r, vg_err *err)
{
    char msg[128];
    if (r == AVERROR(ENOMEM))
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory opening it", cfg->display);
    if (r == AVERROR_EXIT) {
        if (intr->timed_out)
            return vg_err_set(err, VG_ERR_IO, "%s: no answer within %.1f s", cfg->display,
                              cfg->timeout_s);
        return vg_err_set(err, VG_ERR_IO, "%s: opening was cancelled", cfg->display);
    }
    if (cfg->info.kind == VG_URL_FILE) {
        if (r == AVERROR(ENOENT))
            return vg_err_set(err, VG_ERR_NOT_FOUND, "%s: no such file", cfg->display);
        if (r == AVERROR_INVALIDDATA)
            return vg_err_set(err, VG_ERR_INVALID,
                              "%s: not a video FFmpeg can read (or a damaged one)", cfg->display);
    }
    if (r == AVERROR_PROTOCOL_NOT_FOUND || r == AVERROR_DEMUXER_NOT_FOUND)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s: this FFmpeg cannot read it (%s)",
                          cfg->display, vg_stream_strerror(r, msg, sizeof msg));
    return vg_err_set(err, VG_ERR_IO, "%s: cannot open: %s", cfg->display,
                      vg_stream_strerror(r, msg, sizeof msg));
}

/* One decoder thread per stream (the pipeline needs the other cores), and a
 * pixel backstop far enough above the limit that vigil's own per-frame
 * check is the one that reports. */
static int codec_options(const vg_stream_config *cfg, AVDictionary **o)
{
    long long limit = cfg->max_pixels;
    long long backstop = limit > INT64_MAX / 4 ? INT64_MAX / 2 : 2 * limit + (4LL << 20);
    int r = av_dict_set(o, "threads", "1", 0);
    if (r >= 0)
        r = av_dict_set_int(o, "max_pixels", backstop, 0);
    return r;
}

static vg_status find_stream_info(vg_stream *st, const vg_stream_config *cfg,
                                  vg_interrupt *intr, vg_err *err)
{
    unsigned n = st->fmt->nb_streams;
    AVDictionary **opts = n ? av_calloc(n, sizeof *opts) : NULL;
    if (n && !opts)
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory probing it", cfg->display);
    int r = 0;
    for (unsigned i = 0; i < n && r >= 0; i++)
        r = codec_options(cfg, &opts[i]);
    if (r >= 0)
        r = avformat_find_stream_info(st->fmt, opts);
    for (unsigned i = 0; i < n; i++)
        av_dict_free(&opts[i]);
    av_free(opts);
    if (r == AVERROR_EXIT || r == AVERROR(ENOMEM))
        return open_failed(cfg, intr, r, err);
    return VG_OK; /* other failures: the stream search and decoding say what is wrong */
}

static vg_status open_decoder(vg_stream *st, const vg_stream_config *cfg, vg_err *err)
{
    const AVCodec *dec = NULL;
    int idx = av_find_best_stream(st->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &dec, 0);
    if (idx == AVERROR_DECODER_NOT_FOUND) {
        idx = av_find_best_stream(st->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        const char *name =
            idx >= 0 ? avcodec_get_name(st->fmt->streams[idx]->codecpar->codec_id) : "?";
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s: no decoder for its %s video",
                          cfg->display, name);
    }
    if (idx < 0 || !dec)
        return vg_err_set(err, VG_ERR_INVALID, "%s: holds no video stream (%s data)",
                          cfg->display, st->fmt->iformat->name);
    st->index = idx;
    for (unsigned i = 0; i < st->fmt->nb_streams; i++)
        if ((int)i != idx)
            st->fmt->streams[i]->discard = AVDISCARD_ALL;

    AVStream *vs = st->fmt->streams[idx];
    st->codec = avcodec_alloc_context3(dec);
    st->pkt = av_packet_alloc();
    st->frame = av_frame_alloc();
    if (!st->codec || !st->pkt || !st->frame)
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory opening its decoder",
                          cfg->display);
    AVDictionary *o = NULL;
    int r = avcodec_parameters_to_context(st->codec, vs->codecpar);
    st->codec->pkt_timebase = vs->time_base;
    st->codec->thread_type = FF_THREAD_SLICE;
    if (r >= 0)
        r = codec_options(cfg, &o);
    if (r >= 0)
        r = avcodec_open2(st->codec, dec, &o);
    av_dict_free(&o);
    if (r < 0) {
        char msg[128];
        return vg_err_set(err, r == AVERROR(ENOMEM) ? VG_ERR_NOMEM : VG_ERR_INVALID,
                          "%s: cannot open the %s decoder: %s", cfg->display, dec->name,
                          vg_stream_strerror(r, msg, sizeof msg));
    }
    st->time_base = av_q2d(vs->time_base);
    st->start = vs->start_time;
    AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
    st->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0;
    if (st->fps > 1000)
        st->fps = 0; /* a time base, not a rate */
    st->width = st->codec->width;
    st->height = st->codec->height;
    st->codec_name = dec->name;
    st->format_name = st->fmt->iformat->name;
    return VG_OK;
}

vg_status vg_stream_open(vg_stream *st, const vg_stream_config *cfg, vg_interrupt *intr,
                         vg_err *err)
{
    pthread_once(&ffmpeg_once, ffmpeg_init);
    memset(st, 0, sizeof *st);
    st->is_file = cfg->info.kind == VG_URL_FILE;
    intr->timed_out = 0;
    intr->waited = 0;

    const AVInputFormat *ifmt = NULL;
    if (cfg->info.kind == VG_URL_V4L2) {
        ifmt = av_find_input_format("video4linux2");
        if (!ifmt)
            return vg_err_set(err, VG_ERR_UNSUPPORTED,
                              "%s: this FFmpeg was built without video4linux2", cfg->display);
    }
    st->fmt = avformat_alloc_context();
    if (!st->fmt)
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory opening it", cfg->display);
    st->fmt->interrupt_callback.callback = interrupt_cb;
    st->fmt->interrupt_callback.opaque = intr;
    if (cfg->info.kind == VG_URL_V4L2) /* a camera that stops must not block close */
        st->fmt->flags |= AVFMT_FLAG_NONBLOCK;

    AVDictionary *o = NULL;
    int r = open_options(cfg, &o);
    if (r >= 0)
        r = avformat_open_input(&st->fmt, cfg->ff_url, ifmt, &o); /* frees fmt on failure */
    av_dict_free(&o);
    vg_status s = VG_OK;
    if (r < 0) {
        s = open_failed(cfg, intr, r, err);
    } else if (strcmp(st->fmt->iformat->name, "tty") == 0) {
        /* FFmpeg renders any .txt file as ANSI art: that is no camera */
        s = vg_err_set(err, VG_ERR_INVALID, "%s: a text file, not a video", cfg->display);
    } else {
        s = find_stream_info(st, cfg, intr, err);
        if (s == VG_OK)
            s = open_decoder(st, cfg, err);
    }
    if (s != VG_OK)
        vg_stream_close(st);
    return s;
}

static double decode_timer(double t0, vg_stream *st)
{
    double t = vg_now();
    st->decode_seconds += t - t0;
    return t;
}

vg_read_result vg_stream_read(vg_stream *st, int *averr)
{
    *averr = 0;
    for (;;) {
        double t0 = vg_now();
        int r = avcodec_receive_frame(st->codec, st->frame);
        decode_timer(t0, st);
        if (r == 0)
            return VG_READ_FRAME;
        if (r == AVERROR_EOF)
            return VG_READ_END;
        if (r != AVERROR(EAGAIN)) {
            *averr = r;
            return VG_READ_DECODE_ERROR;
        }
        if (st->draining)
            return VG_READ_END;

        r = av_read_frame(st->fmt, st->pkt);
        if (r == AVERROR(EAGAIN)) { /* a device opened non-blocking: nothing yet */
            if (interrupt_cb(st->fmt->interrupt_callback.opaque)) {
                *averr = AVERROR_EXIT;
                return VG_READ_ERROR;
            }
            struct timespec nap = {0, 5 * 1000 * 1000};
            nanosleep(&nap, NULL);
            continue;
        }
        if (r < 0) {
            if (!st->is_file || r == AVERROR_EXIT) {
                *averr = r;
                return r == AVERROR_EOF ? VG_READ_END : VG_READ_ERROR;
            }
            /* A file's end, or the unreadable rest of a damaged one: drain the decoder. */
            if (r != AVERROR_EOF)
                st->read_error = r;
            st->draining = 1;
            t0 = vg_now();
            avcodec_send_packet(st->codec, NULL);
            decode_timer(t0, st);
            continue;
        }
        if (st->pkt->stream_index != st->index) {
            av_packet_unref(st->pkt);
            continue;
        }
        t0 = vg_now();
        r = avcodec_send_packet(st->codec, st->pkt);
        decode_timer(t0, st);
        av_packet_unref(st->pkt);
        if (r < 0 && r != AVERROR(EAGAIN)) {
            *averr = r;
            return VG_READ_DECODE_ERROR;
        }
    }
}

vg_status vg_stream_rewind(vg_stream *st, vg_err *err)
{
    int64_t ts = st->start != AV_NOPTS_VALUE ? st->start : 0;
    int r = av_seek_frame(st->fmt, st->index, ts, AVSEEK_FLAG_BACKWARD);
    if (r < 0)
        r = avformat_seek_file(st->fmt, -1, INT64_MIN, 0, INT64_MAX, 0);
    if (r < 0) {
        char msg[128];
        return vg_err_set(err, VG_ERR_IO, "cannot seek back to the start: %s",
                          vg_stream_strerror(r, msg, sizeof msg));
    }
    avcodec_flush_buffers(st->codec);
    st->draining = 0;
    st->read_error = 0;
    return VG_OK;
}

int vg_stream_frame_pts(const vg_stream *st, double *out)
{
    int64_t ts = st->frame->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) {
        *out = 0;
        return 0;
    }
    if (st->start != AV_NOPTS_VALUE)
        ts -= st->start;
    *out = (double)ts * st->time_base;
    return 1;
}
