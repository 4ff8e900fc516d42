/* alert_sse.c — GET /api/v1/alerts/stream: the alert feed as Server-Sent
 * Events. Each new alert is "id: <id>\nevent: alert\ndata: <JSON>\n\n", an
 * adjudication "event: update\ndata: <JSON>\n\n" (no id, so a browser's
 * Last-Event-ID stays the last alert). A client resumes after the
 * Last-Event-ID header or ?after=ID (the header wins); without either it
 * gets the alerts stored after those in the store when it connected. A ": keepalive" comment goes out every
 * 15 s of silence. The daemon runs a thread per connection, so the content
 * reader below blocks in vg_feed_next; it ends the stream when the server
 * stops, and when the caller's session has ended (logout, expiry) or its
 * API token was revoked: both are checked again before every event and
 * keepalive, so no alert reaches a caller whose credentials are gone. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

#define KEEPALIVE_S 15.0

typedef struct sse {
    vg_server *srv;
    vg_session who;           /* the caller's session or token, checked again before each event */
    char bearer[VG_STORE_TOKEN_LEN + 1];
    vg_feed_cursor cur;
    char *buf;
    size_t len, off;
} sse;

static const char hello[] = ": vigil alert stream\nretry: 2000\n\n";

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse *s = cls;
    while (s->off == s->len) {
        free(s->buf);
        s->buf = NULL;
        s->off = s->len = 0;
        int r = vg_feed_next(s->srv->feed, &s->cur, KEEPALIVE_S, &s->buf);
        if (r < 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        /* a session logged out or a token revoked since: nothing more */
        if (!vg_auth_still_valid(s->srv, &s->who, s->bearer))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (r == 0 && !(s->buf = strdup(": keepalive\n\n")))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        s->len = strlen(s->buf);
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(out, s->buf + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void done(void *cls)
{
    sse *s = cls;
    atomic_fetch_sub(&s->srv->sse_clients, 1);
    sodium_memzero(s->bearer, sizeof s->bearer);
    sodium_memzero(&s->who, sizeof s->who);
    free(s->buf);
    free(s);
}

/* An alert id from a header or argument: 1 set, 0 absent, -1 bad. */
static int parse_id(const char *v, int64_t *out)
{
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < 0)
        return -1;
    *out = x;
    return 1;
}

enum MHD_Result vg_api_stream(vg_request *r)
{
    int64_t after = 0;
    int got = parse_id(vg_http_header(r, "Last-Event-ID"), &after);
    if (got < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "Last-Event-ID must be an alert id", "Last-Event-ID");
    if (got == 0 && (got = parse_id(vg_http_arg(r, "after"), &after)) < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "after must be an alert id (an integer >= 0)", "after");
    sse *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->srv = r->srv;
    s->who = r->session;
    const char *auth = vg_http_header(r, "Authorization");
    if (r->session.bearer && auth && strlen(auth) > 7) {
        const char *t = auth + 7;
        while (*t == ' ')
            t++;
        snprintf(s->bearer, sizeof s->bearer, "%s", t);
    }
    if (!got) { /* news only: after the last alert stored when the client came */
        vg_err err = {{0}};
        vg_status st = vg_feed_last_stored(r->srv->feed, &after, &err);
        if (st != VG_OK) {
            free(s);
            return vg_http_store_error(r, st, &err);
        }
    }
    s->cur.after = after; /* caught up from the store, then the ring */
    s->cur.live = 0;
    s->buf = strdup(hello);
    s->len = s->buf ? strlen(s->buf) : 0;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, done);
    if (!resp) {
        free(s->buf);
        free(s);
        return MHD_NO;
    }
    atomic_fetch_add(&r->srv->sse_clients, 1);
    atomic_fetch_add(&r->srv->sse_total, 1);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return vg_http_queue(r, MHD_HTTP_OK, resp);
}
