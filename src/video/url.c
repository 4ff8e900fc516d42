/* url.c — camera URLs: which kind of source each names. Their redacted
 * form, the only one vigil ever writes to a log or an error, is made by
 * base/url_redact.c (one redaction for every layer, on libcurl's URL API).
 */
#include "video/url.h"
#include "base/url_redact.h"
#include "vigil/video.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

size_t vg_url_scheme_len(const char *url)
{
    if (!url || !isalpha((unsigned char)url[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    return strncmp(url + i, "://", 3) == 0 ? i + 3 : 0;
}

static int scheme_is(const char *url, size_t sl, const char *name)
{
    size_t n = strlen(name);
    return sl == n + 3 && strncasecmp(url, name, n) == 0;
}

vg_status vg_url_classify(const char *url, vg_url_info *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    if (!url || !url[0])
        return vg_err_set(err, VG_ERR_INVALID, "no camera URL or file given");
    size_t sl = vg_url_scheme_len(url);
    if (sl == 0) {
        out->kind = strncmp(url, "/dev/video", 10) == 0 ? VG_URL_V4L2 : VG_URL_FILE;
        out->path = url;
        return VG_OK;
    }
    static const struct {
        const char *name;
        vg_url_kind kind;
        vg_url_scheme scheme;
    } table[] = {
        {"file", VG_URL_FILE, VG_SCHEME_NONE},     {"v4l2", VG_URL_V4L2, VG_SCHEME_NONE},
        {"rtsp", VG_URL_NETWORK, VG_SCHEME_RTSP},  {"rtsps", VG_URL_NETWORK, VG_SCHEME_RTSP},
        {"http", VG_URL_NETWORK, VG_SCHEME_HTTP},  {"https", VG_URL_NETWORK, VG_SCHEME_HTTP},
        {"rtmp", VG_URL_NETWORK, VG_SCHEME_RTMP},  {"rtmps", VG_URL_NETWORK, VG_SCHEME_RTMP},
        {"rtmpt", VG_URL_NETWORK, VG_SCHEME_RTMP}, {"rtmpts", VG_URL_NETWORK, VG_SCHEME_RTMP},
        {"rtmpe", VG_URL_NETWORK, VG_SCHEME_RTMP}, {"udp", VG_URL_NETWORK, VG_SCHEME_OTHER},
        {"tcp", VG_URL_NETWORK, VG_SCHEME_OTHER},  {"srt", VG_URL_NETWORK, VG_SCHEME_OTHER},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (!scheme_is(url, sl, table[i].name))
            continue;
        out->kind = table[i].kind;
        out->scheme = table[i].scheme;
        if (out->kind == VG_URL_NETWORK)
            return VG_OK;
        out->path = url + sl; /* file:///x and v4l2:///dev/video0 hold an absolute path */
        if (out->path[0] != '/') {
            char red[256];
            return vg_err_set(err, VG_ERR_INVALID,
                              "%s: the path after %.*s must be absolute (file:///path/clip.mp4, "
                              "v4l2:///dev/video0)",
                              vg_url_redact(url, red, sizeof red), (int)sl, url);
        }
        return VG_OK;
    }
    char red[256];
    return vg_err_set(err, VG_ERR_INVALID,
                      "unknown scheme \"%.*s\" in %s: vigil reads files, rtsp, rtsps, http, "
                      "https, rtmp(s), udp, tcp, srt and v4l2 sources",
                      (int)(sl - 3), url, vg_url_redact(url, red, sizeof red));
}
