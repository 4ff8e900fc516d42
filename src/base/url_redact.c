/* url_redact.c — vg_url_redact: the one redaction of camera and database
 * URLs, used by the logs, the error messages, the displays and the audit
 * chain alike (before issue 14 the store and the video layer each had their
 * own, and the audit chain kept what the other hid).
 *
 * The URL is parsed by libcurl's URL API (CURLU): whatever curl takes for
 * the user, the password or the login options is replaced by "***@"; the
 * host and port are copied as curl found them in the text; then the path,
 * the query and the fragment are copied with the value of every name=value
 * component whose (percent-decoded) name looks like a secret replaced by
 * "***": "pass", "pwd", "token", "key", "secret", "auth", "sig",
 * "credential", "session", "user", "login" anywhere in the name, any case, components being
 * separated by / ? & ; # (some DVRs put "user=admin&password=x" in the
 * path). A URL that curl refuses (a password holding a raw '/', '?' or
 * '@': "rtsp://admin:pa/ss@cam") is taken to hold credentials up to its
 * last '@', so that they are hidden all the same. A text without
 * "scheme://" (a file path) is copied with the same component rule, and
 * its first segment hidden when it has the shape user:pass@host.
 *
 * The whole result is built first and then copied, so a result cut short
 * by a small buffer is a prefix of the full one and holds no secret that
 * the full one hides.
 */
#include "base/strbuf.h"
#include "base/url_redact.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

/* Length of "scheme://" at the start of url, or 0. */
static size_t scheme_len(const char *url)
{
    if (!isalpha((unsigned char)url[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    return strncmp(url + i, "://", 3) == 0 ? i + 3 : 0;
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
    static const char *const words[] = {"pass", "pwd",        "token",   "key",  "secret", "auth",
                                        "sig",  "credential", "session", "user", "login"};
    if (n >= 64) /* an absurdly long name: hide its value to be safe */
        return 1;
    char low[64];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)name[i];
        if (c == '%' && i + 2 < n && hexval(name[i + 1]) >= 0 && hexval(name[i + 2]) >= 0) {
            c = hexval(name[i + 1]) * 16 + hexval(name[i + 2]);
            i += 2;
        }
        low[k++] = (char)tolower(c);
    }
    low[k] = '\0';
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (strstr(low, words[w]))
            return 1;
    return 0;
}

/* Copies s (path, query or fragment text), hiding the value of each
 * secret-named name=value component; components are separated by / ? & ; #. */
static void put_components(vg_strbuf *o, const char *s)
{
    static const char seps[] = "/?&;#";
    while (*s) {
        size_t n = strcspn(s, seps);
        const char *eq = memchr(s, '=', n);
        if (eq && secret_name(s, (size_t)(eq - s))) {
            vg_strbuf_put(o, s, (size_t)(eq - s) + 1);
            vg_strbuf_puts(o, "***");
        } else {
            vg_strbuf_put(o, s, n);
        }
        s += n;
        if (*s)
            vg_strbuf_put(o, s++, 1);
    }
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

/* The URL as curl parses it; 0 when curl refuses it, or reads its
 * user-info differently from the text (then the careful path is taken).
 * curl decides whether the text is a URL and where its user, password and
 * login options are; the rest is copied from the text itself, so that
 * nothing is normalised (redacting twice changes nothing): the authority up
 * to the first / ? # (after the user-info), then path, query and fragment
 * with their secret-named values hidden. */
static int redact_parsed(vg_strbuf *o, const char *url, size_t sl)
{
    CURLU *u = curl_url();
    if (!u) {
        o->failed = 1;
        return 1;
    }
    int ok = curl_url_set(u, CURLUPART_URL, url,
                          CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE | CURLU_PATH_AS_IS) ==
             CURLUE_OK;
    char *user = NULL, *pass = NULL, *opts = NULL;
    if (ok) {
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
        curl_url_get(u, CURLUPART_OPTIONS, &opts, 0);
    }
    const char *auth = url + sl, *end = auth + strcspn(auth, "/?#");
    const char *at = last_at(auth, end);
    if (ok && (user || pass || opts) != (at != NULL))
        ok = 0;
    if (ok) {
        vg_strbuf_put(o, url, sl);
        if (at) {
            vg_strbuf_puts(o, "***@");
            auth = at + 1;
        }
        vg_strbuf_put(o, auth, (size_t)(end - auth));
        put_components(o, end);
    }
    curl_free(user);
    curl_free(pass);
    curl_free(opts);
    curl_url_cleanup(u);
    return ok;
}

const char *vg_url_redact(const char *url, char *buf, size_t len)
{
    if (!buf || len == 0)
        return "";
    buf[0] = '\0';
    if (!url)
        return buf;
    vg_strbuf o = {0};
    size_t sl = scheme_len(url);
    if (sl == 0 || !redact_parsed(&o, url, sl)) {
        o.len = 0;
        if (o.p)
            o.p[0] = '\0';
        const char *p = url + sl;
        const char *end = p + strcspn(p, "/?#");
        const char *at = last_at(p, end);
        if (sl > 0) {
            vg_strbuf_put(&o, url, sl);
            if (!at) /* refused by curl: credentials with a reserved character */
                at = last_at(p, p + strlen(p));
        } else if (at && !memchr(p, ':', (size_t)(at - p)) &&
                   !(at - p == 3 && memcmp(p, "***", 3) == 0)) {
            at = NULL; /* "clip@2x.mp4", "me@host" without a password: a path */
        }
        if (at) {
            vg_strbuf_puts(&o, "***@");
            p = at + 1;
        }
        if (sl > 0) { /* host[:port]: no name=value in it */
            end = p + strcspn(p, "/?#");
            vg_strbuf_put(&o, p, (size_t)(end - p));
            p = end;
        }
        put_components(&o, p);
    }
    if (o.failed) { /* out of memory: show nothing rather than a secret */
        free(o.p);
        return buf;
    }
    size_t n = o.len < len - 1 ? o.len : len - 1;
    if (n)
        memcpy(buf, o.p, n);
    buf[n] = '\0';
    free(o.p);
    return buf;
}
