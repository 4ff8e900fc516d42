/* redact.c — vg_store_url_redact (redact.h).
 *
 * Erring on the side of hiding: the user information ends at the LAST '@'
 * after "scheme://" anywhere in the URL, not at the first '/', because
 * passwords typed into camera URLs hold '/', '?' and '#' unescaped often
 * enough; a URL whose path or query holds an '@' loses its host from the
 * redacted text, which is harmless. Query parameters are split on '&' and
 * ';'; a parameter whose name is password-like has its value replaced.
 */
#include "store/redact.h"

#include <string.h>
#include <strings.h>

typedef struct out {
    char *buf;
    size_t len, n;
} out;

static void put(out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->n + 1 < o->len; i++)
        o->buf[o->n++] = s[i];
    o->buf[o->n] = '\0';
}

static int is_scheme(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int secret_name(const char *s, size_t n)
{
    static const char *const names[] = {
        "user",   "username",     "login",  "pass",       "password", "passwd",
        "pwd",    "token",        "auth",   "key",        "apikey",   "api_key",
        "secret", "access_token", "sig",    "signature",  "credentials",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
            return 1;
    return 0;
}

const char *vg_store_url_redact(const char *url, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    out o = {buf, len, 0};
    buf[0] = '\0';
    if (!url)
        return buf;
    const char *sep = strstr(url, "://");
    if (!sep || !is_scheme(url, (size_t)(sep - url))) {
        put(&o, url, strlen(url));
        return buf;
    }
    const char *p = sep + 3;
    put(&o, url, (size_t)(p - url));
    const char *at = strrchr(p, '@');
    if (at) {
        put(&o, "***", 3);
        p = at; /* the '@' is copied below */
    }
    const char *q = strchr(p, '?');
    if (!q) {
        put(&o, p, strlen(p));
        return buf;
    }
    put(&o, p, (size_t)(q + 1 - p));
    p = q + 1;
    const char *frag = strchr(p, '#');
    const char *end = frag ? frag : p + strlen(p);
    while (p < end) {
        const char *e = p;
        while (e < end && *e != '&' && *e != ';')
            e++;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq && secret_name(p, (size_t)(eq - p))) {
            put(&o, p, (size_t)(eq + 1 - p));
            put(&o, "***", 3);
        } else {
            put(&o, p, (size_t)(e - p));
        }
        if (e < end)
            put(&o, e, 1);
        p = e + (e < end);
    }
    if (frag)
        put(&o, frag, strlen(frag));
    return buf;
}
