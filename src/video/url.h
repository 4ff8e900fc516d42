/* url.h — what kind of source a camera URL names (internal to src/video). */
#ifndef VIGIL_VIDEO_URL_H
#define VIGIL_VIDEO_URL_H

#include <stddef.h>
#include "vigil/status.h"

typedef enum vg_url_kind {
    VG_URL_FILE = 0, /* a local file: a plain path or file:// */
    VG_URL_NETWORK,  /* rtsp, rtsps, http, https, rtmp, rtmps, udp, tcp, srt */
    VG_URL_V4L2      /* v4l2:///dev/videoN or /dev/videoN */
} vg_url_kind;

typedef enum vg_url_scheme {
    VG_SCHEME_NONE = 0,
    VG_SCHEME_RTSP,
    VG_SCHEME_HTTP,
    VG_SCHEME_RTMP,
    VG_SCHEME_OTHER /* udp, tcp, srt: no scheme-specific options */
} vg_url_scheme;

typedef struct vg_url_info {
    vg_url_kind kind;
    vg_url_scheme scheme;
    const char *path; /* files and devices: the path inside the URL (points into it) */
} vg_url_info;

/* Classifies url; VG_ERR_INVALID (message with the redacted URL) for an
 * empty URL or a scheme vigil does not read. */
vg_status vg_url_classify(const char *url, vg_url_info *out, vg_err *err);

/* Length of the "scheme://" prefix of url (0 when there is none). */
size_t vg_url_scheme_len(const char *url);

#endif
