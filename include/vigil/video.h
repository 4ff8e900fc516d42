/* video.h — camera sources: files, RTSP, HTTP(S) (MJPEG, MPEG-TS, HLS), RTMP
 * and V4L2 devices through FFmpeg, each decoded on its own thread.
 *
 * A live source keeps only the newest decoded frame: when the pipeline is
 * behind, older frames are dropped and counted, never queued without bound.
 * A source that fails or stalls is reopened with capped exponential backoff;
 * every event is reported through the log callback, with any credentials in
 * the URL removed. A file can instead be read without dropping (the decoder
 * waits for the pipeline: `vigil replay`), paced at its native rate, or
 * looped.
 *
 * Ownership: vg_source_open returns a source the caller closes; each frame
 * taken with vg_source_next belongs to the caller (vg_frame_free).
 */
#ifndef VIGIL_VIDEO_H
#define VIGIL_VIDEO_H

#include "vigil/api.h"

#include <stdint.h>
#include "vigil/image.h"
#include "vigil/log.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vg_source_mode {
    VG_SOURCE_LIVE = 0,  /* keep the newest frame, drop the rest (cameras; files paced in real time) */
    VG_SOURCE_ALL        /* every frame, the decoder waits for the consumer (replay) */
} vg_source_mode;

typedef enum vg_rtsp_transport {
    VG_RTSP_TCP = 0,
    VG_RTSP_UDP
} vg_rtsp_transport;

/* An open camera source (opaque; vg_source_open / vg_source_close). */
typedef struct vg_source vg_source;

/* One line per event, "key=value ..." (event=opened|stalled|reconnecting|
 * reconnected|given_up|ended|error camera=... url=<redacted> ...); values
 * holding spaces, quotes or backslashes are double-quoted, with \" and \\
 * escaped (the one writer of vigil/log.h).
 * Called from the source's decode thread (and from vg_source_open), never
 * with a lock of the source held, so it may call vg_source_stats_get. */

typedef struct vg_source_options {
    const char *url;           /* path, file://, rtsp://, rtsps://, http(s)://, rtmp://, v4l2:///dev/videoN or /dev/videoN */
    const char *name;          /* camera name for logs (default: the redacted URL) */
    vg_source_mode mode;
    int realtime;              /* files: pace frames at their timestamps (live mode always does for files) */
    int loop;                  /* files: start again at the end */
    double stall_seconds;      /* no frame for this long: reopen (0: 5 s) */
    double backoff_initial;    /* first wait before reopening (0: 0.5 s) */
    double backoff_max;        /* cap of the doubling wait (0: 8 s) */
    int max_attempts;          /* consecutive failures (an opening that fails or gives no frame, a
                                * stall, a read error, a network stream's end) before giving
                                * up (0: never give up); the first frame after an opening resets
                                * the count and the backoff */
    vg_rtsp_transport rtsp_transport;
    long long max_pixels;      /* frames larger than this are skipped, counted in errors and
                                * logged as event=error (0: the image default) */
    int defer_rgb;             /* 1: frames come with image NULL and the decoded picture kept;
                                * vg_frame_rgb converts it when the frame is used, so a frame
                                * dropped or skipped costs no conversion */
    vg_log_fn log;             /* NULL: no logging */
    void *log_ctx;
} vg_source_options;

struct vg_frame_pool;
struct AVFrame;

typedef struct vg_frame {
    vg_image *image;    /* RGB24, owned by the frame (vg_frame_free hands it back to its
                         * source for a later frame, or frees it) */
    int64_t index;      /* frames decoded by this source before this one (across reopenings) */
    double pts;         /* seconds, the stream's own time (files: from the start); after a
                         * loop or a reconnection it carries on from the last frame's (by
                         * one frame after a loop, by the time between them after a
                         * reconnection), so it does not restart at 0 */
    double arrival;     /* monotonic clock seconds when the frame was ready: decoded and
                         * converted (a paced file's: when it fell due) */
    struct vg_frame_pool *pool; /* internal: where image goes back (NULL: freed with the frame) */
    struct AVFrame *picture;    /* internal: the decoded picture of a defer_rgb source, until
                                 * vg_frame_rgb converts it */
    int width, height;          /* of the picture (and of image) */
} vg_frame;

VG_API void vg_frame_free(vg_frame *f);

/* Makes f->image the frame's RGB picture: at once when it is there already,
 * by converting the kept picture of a defer_rgb source otherwise (the
 * conversion then runs on the caller's thread). */
VG_API vg_status vg_frame_rgb(vg_frame *f, vg_err *err);

typedef enum vg_source_state {
    VG_SOURCE_STATE_OPENING = 0,
    VG_SOURCE_STATE_RUNNING,
    VG_SOURCE_STATE_RECONNECTING,
    VG_SOURCE_STATE_ENDED,      /* end of a file (not looping) */
    VG_SOURCE_STATE_FAILED      /* gave up, or a permanent error (not a video) */
} vg_source_state;

typedef struct vg_source_stats {
    vg_source_state state;
    int64_t frames_decoded;
    int64_t frames_dropped;    /* decoded but replaced by a newer one before being taken */
    int64_t frames_taken;
    int64_t opens;             /* successful openings, the first included */
    int64_t reconnects;        /* reopenings after a failure or stall that gave a frame
                                * (failed attempts before the first opening do not count) */
    int64_t stalls;
    int64_t errors;
    int width, height;         /* of the last frame */
    double decode_ms_total;    /* time spent decoding and converting frames (not waiting) */
    char last_error[256];      /* with credentials removed */
} vg_source_stats;

/* Starts the decode thread. Bad options (no URL, an unknown scheme) are
 * VG_ERR_INVALID at once; a local file is opened and probed before this
 * returns, so a missing file or one that holds no video is a clear error
 * (VG_ERR_NOT_FOUND / VG_ERR_INVALID: text, random bytes, audio only, an MP4
 * cut before its index). A still image is a video of one frame. A device
 * path must exist (VG_ERR_NOT_FOUND) and be a character device. Network
 * sources and devices are opened by the thread, which keeps retrying as the
 * options say; a network stream that ends is reopened like one that fails.
 * Files are read through FFmpeg's file protocol only, network sources
 * through network protocols only (an HLS playlist cannot name a local file). */
VG_API vg_status vg_source_open(const vg_source_options *opt, vg_source **out, vg_err *err);

/* Stops the thread, closes the stream, frees everything (and any frame not
 * taken). Returns within milliseconds, also while connecting or waiting out
 * a backoff; the one wait it cannot cut short is a host name being resolved
 * (the system resolver cannot be interrupted). NULL is a no-op. */
VG_API void vg_source_close(vg_source *s);

/* The next frame: in LIVE mode the newest one (older untaken frames are
 * dropped and counted); in ALL mode the next in order. Waits up to
 * timeout_s seconds: VG_OK with *out NULL on timeout. At the end of a file
 * (not looping) or after giving up: VG_ERR_NOT_FOUND ("end of stream" or
 * the reason). */
VG_API vg_status vg_source_next(vg_source *s, double timeout_s, vg_frame **out, vg_err *err);

VG_API void vg_source_stats_get(vg_source *s, vg_source_stats *out);

/* The URL with any user:password@ part replaced by "***@" and the values of
 * password-like name=value parts (password, pwd, token, key, secret, auth,
 * signature, credential, session, in the query, fragment or path) by "***",
 * for logs and displays. Writes into buf (always terminated; a result cut
 * short is a prefix of the full one) and returns buf ("" when buf is NULL or
 * len 0). Redacting a redacted URL changes nothing. */
VG_API const char *vg_url_redact(const char *url, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
