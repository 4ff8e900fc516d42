/* ffmpeg_stream.h — one opening of a camera or file: FFmpeg's demuxer and video
 * decoder, read frame by frame (internal to src/video). A source closes and
 * opens a new vg_stream each time it reconnects. */
#ifndef VIGIL_VIDEO_FFMPEG_STREAM_H
#define VIGIL_VIDEO_FFMPEG_STREAM_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "vigil/video.h"
#include "video/url.h"

struct AVFormatContext;
struct AVCodecContext;
struct AVPacket;
struct AVFrame;

/* What FFmpeg's interrupt callback looks at while a call blocks: the
 * source's stop flag and a deadline. Lives as long as the source. */
typedef struct vg_interrupt {
    atomic_int *stop;
    double deadline; /* monotonic seconds; 0: none */
    double since;    /* when the wait the deadline bounds began (last frame, or the opening) */
    int timed_out;   /* set when the deadline interrupted a call */
    double waited;   /* set with timed_out: seconds from `since` to the interruption */
} vg_interrupt;

typedef struct vg_stream_config {
    const char *ff_url;   /* what FFmpeg opens ("file:/path", "/dev/video0", the URL) */
    const char *display;  /* the redacted URL, for messages */
    vg_url_info info;
    vg_rtsp_transport transport;
    double timeout_s;     /* network socket timeout */
    long long max_pixels;
} vg_stream_config;

typedef struct vg_stream {
    struct AVFormatContext *fmt;
    struct AVCodecContext *codec;
    struct AVPacket *pkt;
    struct AVFrame *frame;     /* the last frame vg_stream_read returned */
    int index;                 /* of the video stream */
    int is_file;
    int draining;              /* end of input reached, decoder being flushed */
    int read_error;            /* the AVERROR that ended a file early (0: plain EOF) */
    double time_base;          /* seconds per pts unit */
    int64_t start;             /* the stream's start pts (AV_NOPTS_VALUE: unknown) */
    double fps;                /* nominal rate (0: unknown) */
    int width, height;         /* as probed (0: unknown until the first frame) */
    const char *codec_name;
    const char *format_name;
    double decode_seconds;     /* time in the decoder since the last vg_stream_take_decode_time */
} vg_stream;

typedef enum vg_read_result {
    VG_READ_FRAME = 0,   /* st->frame holds a new picture */
    VG_READ_DECODE_ERROR,/* a packet or picture failed to decode; reading can go on */
    VG_READ_END,         /* end of input (files: after the decoder is drained) */
    VG_READ_ERROR,       /* reading failed (network), or was interrupted */
} vg_read_result;

/* Opens and probes; on failure everything is released and err says why
 * (never with the URL itself: cfg->display is used). Status: NOT_FOUND for
 * a missing file, INVALID for data holding no video, UNSUPPORTED for a
 * codec FFmpeg lacks, IO for a network or device failure. */
vg_status vg_stream_open(vg_stream *st, const vg_stream_config *cfg, vg_interrupt *intr,
                         vg_err *err);

/* Decodes the next picture; *averr gets FFmpeg's code for DECODE_ERROR and
 * ERROR. */
vg_read_result vg_stream_read(vg_stream *st, int *averr);

/* Seeks a file back to its start for looping. */
vg_status vg_stream_rewind(vg_stream *st, vg_err *err);

/* Presentation time of st->frame in seconds from the stream's start into
 * *out; 0 when the frame has no timestamp. */
int vg_stream_frame_pts(const vg_stream *st, double *out);

void vg_stream_close(vg_stream *st);

/* FFmpeg's error text for code (a fixed string: never holds a URL). */
const char *vg_stream_strerror(int code, char *buf, size_t len);

/* Monotonic clock, seconds; and a time on it as pthread_cond_timedwait takes
 * it (the source's condition variables use CLOCK_MONOTONIC). */
double vg_now(void);
struct timespec vg_abs_time(double t);

#endif
