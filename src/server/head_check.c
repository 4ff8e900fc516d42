/* head_check.c — what the server refuses in a request head before routing
 * it: a request target holding %00 (libmicrohttpd would decode it to a NUL
 * and the path or argument would end there), and a message whose framing is
 * ambiguous (RFC 9112 §6.3: two Content-Length fields that differ, one that
 * is not a decimal number, or Content-Length beside Transfer-Encoding) —
 * behind a proxy that reads the framing another way, the rest of the body
 * would be taken for a second request. Then, for state-changing requests,
 * what a page on another site could send: a body that is not declared
 * application/json (an HTML form or a "simple" fetch sends text/plain or a
 * form encoding without a preflight), or an Origin that is not this
 * server's. */
#include <string.h>
#include <strings.h>

#include "server/server_internal.h"

int vg_head_nul_in_target(const char *raw)
{
    for (const char *p = raw; p && (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

typedef struct framing {
    int n_cl, n_te, bad;
    const char *first;
} framing;

static enum MHD_Result count_fields(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    framing *f = cls;
    if (!strcasecmp(key, "Transfer-Encoding")) {
        f->n_te++;
        return MHD_YES;
    }
    if (strcasecmp(key, "Content-Length") != 0)
        return MHD_YES;
    f->n_cl++;
    if (!value || !value[0] || strspn(value, "0123456789") != strlen(value))
        f->bad = 1;
    else if (!f->first)
        f->first = value;
    else if (strcmp(f->first, value) != 0)
        f->bad = 1;
    return MHD_YES;
}

const char *vg_head_refusal(vg_request *r)
{
    if (r->nul_in_uri)
        return "the request target holds %00 (an encoded NUL): refused";
    framing f = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_fields, &f);
    if (f.bad)
        return "conflicting or malformed Content-Length headers: the message framing is ambiguous";
    if (f.n_cl && f.n_te)
        return "Content-Length beside Transfer-Encoding: the message framing is ambiguous";
    if (f.n_te > 1)
        return "more than one Transfer-Encoding header: the message framing is ambiguous";
    return NULL;
}

static int state_changing(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* 1 when type is application/json, with parameters or not. */
static int is_json(const char *type)
{
    if (!type)
        return 0;
    while (*type == ' ' || *type == '\t')
        type++;
    static const char want[] = "application/json";
    size_t n = sizeof want - 1;
    if (strncasecmp(type, want, n) != 0)
        return 0;
    type += n;
    while (*type == ' ' || *type == '\t')
        type++;
    return *type == '\0' || *type == ';';
}

const char *vg_head_cross_site(vg_request *r, unsigned *status)
{
    if (!state_changing(r->method))
        return NULL;
    const char *origin = vg_http_header(r, "Origin");
    if (origin) {
        const char *host = vg_http_header(r, "Host");
        const char *scheme = r->srv->tls_cert ? "https://" : "http://";
        size_t sl = strlen(scheme);
        if (!host || strncasecmp(origin, scheme, sl) != 0 || strcasecmp(origin + sl, host) != 0) {
            *status = MHD_HTTP_FORBIDDEN;
            return "the request comes from another site (its Origin is not this server)";
        }
    }
    if (r->body_len > 0 && !is_json(vg_http_header(r, "Content-Type"))) {
        *status = MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
        return "the body must be sent as Content-Type: application/json";
    }
    return NULL;
}
