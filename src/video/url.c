/* url.c — camera URLs: which kind of source each names, and the redacted
 * form that is the only one vigil ever writes to a log or an error.
 *
 * Redaction removes the whole user-info part ("user:pass@" becomes "***@")
 * and the value of every name=value component whose name looks like a
 * secret (password, pwd, token, key, secret, auth, signature, credential,
 * session), wherever it stands: in the query, the fragment, or in the path,
 * where some DVRs put ".../user=admin&password=x&channel=1". The authority
 * ends where FFmpeg's own URL parser ends it (the first '/', '?' or '#'),
 * with the user-info up to its last '@'; a malformed authority whose
 * "port" is not a number ("rtsp://admin:pa/ss@cam") is taken to run to the
 * last '@' of the URL, so a password holding a reserved character is still
 * hidden. A URL without a scheme gets the same treatment when its first
 * segment has the shape user:pass@host. Only redacted text is ever copied to
 * the buffer, so a truncated result cannot hold part of a secret.
 */
#include "video/url.h"
#include "vigil/video.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct out_buf {
    char *buf;
    size_t len, pos;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    if (o->pos + 1 >= o->len)
        return;
    size_t room = o->len - 1 - o->pos;
    if (n > room)
        n = room;
    memcpy(o->buf + o->pos, s, n);
    o->pos += n;
    o->buf[o->pos] = '\0';
}

static void puts_(out_buf *o, const char *s) { put(o, s, strlen(s)); }

size_t vg_url_scheme_len(const char *url)
{
    if (!url || !isalpha((unsigned char)url[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    return strncmp(url + i, "://", 3) == 0 ? i + 3 : 0;
}

/* Last '@' in [p, end), or NULL. */
static const char *last_at(const char *p, const char *end)
{
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    return at;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Whether a component name (percent-decoded, any case) looks like a secret. */
static int secret_name(const char *name, size_t n)
{
    static const char *const words[] = {"pass", "pwd",  "token",      "key",    "secret",
                                        "auth", "sig",  "credential", "session"};
    char low[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof low; i++) {
        int c = (unsigned char)name[i];
        if (c == '%' && i + 2 < n && hexval(name[i + 1]) >= 0 && hexval(name[i + 2]) >= 0) {
            c = hexval(name[i + 1]) * 16 + hexval(name[i + 2]);
            i += 2;
        }
        low[k++] = (char)tolower(c);
    }
    low[k] = '\0';
    if (n >= sizeof low) /* an absurdly long name: hide its value to be safe */
        return 1;
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (strstr(low, words[w]))
            return 1;
    return 0;
}

/* Copies the rest of a URL (path, query, fragment), hiding the value of each
 * secret-named name=value component; components are separated by / ? & ; #. */
static void put_components(out_buf *o, const char *p)
{
    static const char seps[] = "/?&;#";
    while (*p) {
        size_t n = strcspn(p, seps);
        const char *eq = memchr(p, '=', n);
        if (eq && secret_name(p, (size_t)(eq - p))) {
            put(o, p, (size_t)(eq - p) + 1);
            puts_(o, "***");
        } else {
            put(o, p, n);
        }
        p += n;
        if (*p) {
            put(o, p, 1);
            p++;
        }
    }
}

/* Whether "host[:port]" has a ':' outside IPv6 brackets followed by anything
 * but digits: a user:pass that a reserved character cut short. */
static int bad_port(const char *p, const char *end)
{
    const char *colon = NULL;
    int depth = 0;
    for (const char *q = p; q < end; q++) {
        if (*q == '[')
            depth++;
        else if (*q == ']' && depth > 0)
            depth--;
        else if (*q == ':' && depth == 0)
            colon = q;
    }
    if (!colon)
        return 0;
    for (const char *q = colon + 1; q < end; q++)
        if (!isdigit((unsigned char)*q))
            return 1;
    return 0;
}

const char *vg_url_redact(const char *url, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    buf[0] = '\0';
    out_buf o = {buf, len, 0};
    if (!url)
        return buf;

    const char *p = url;
    size_t sl = vg_url_scheme_len(url);
    const char *end = p + sl + strcspn(p + sl, "/?#");
    const char *at = last_at(p + sl, end);
    if (sl > 0) {
        put(&o, url, sl);
        p += sl;
        if (!at && bad_port(p, end))
            at = last_at(p, p + strlen(p));
    } else if (at && !memchr(p, ':', (size_t)(at - p)) &&
               !(at - p == 3 && memcmp(p, "***", 3) == 0)) {
        at = NULL; /* "clip@2x.mp4", "me@host" without a password: a path */
    }
    if (at) {
        puts_(&o, "***@");
        p = at + 1;
    }
    if (sl > 0 && p < end) { /* host[:port]: no name=value in it */
        put(&o, p, (size_t)(end - p));
        p = end;
    }
    put_components(&o, p);
    return buf;
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
