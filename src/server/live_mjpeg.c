/* live_mjpeg.c — GET /api/v1/cameras/{id}/live.mjpeg: a camera's live view as
 * multipart/x-mixed-replace JPEG parts. The frames come from the engine's
 * view tap (vg_engine_view_next), already reduced and with every face that
 * is not a current match blurred: nothing here sees an unblurred frame. The
 * content reader blocks for the next frame (the daemon runs a thread per
 * connection) in short waits, so that the stream ends soon after the server
 * stops; a client that goes away is noticed at the next write, and the
 * viewer is released when libmicrohttpd frees the response. Opening a view
 * (it shows matched faces) and its end are in the audit chain; a view that
 * cannot be audited is not served. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"

#define BOUNDARY "vigilframe"
#define WAIT_S 0.5          /* one wait for a frame; the stop flag is checked between */
#define BLOCK_SIZE (64 * 1024)

typedef struct live_stream {
    vg_server *srv;
    char user[VG_STORE_NAME_MAX + 1];
    char object[VG_STORE_NAME_MAX + 16];  /* "camera:<name>" for the audit chain */
    double opened;          /* monotonic seconds */
    int64_t frames;         /* parts sent */
    int cam;                /* 0-based */
    int64_t seq;            /* the last frame sent */
    char *part;             /* the part being sent: headers, JPEG, CRLF */
    size_t len, off;
    int ended;              /* the closing boundary is queued */
} live_stream;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static vg_status audit(live_stream *ls, const char *action, const char *details, vg_err *err)
{
    pthread_mutex_lock(&ls->srv->store_mu);
    vg_status st = vg_store_audit_append(ls->srv->store, ls->user, action, ls->object, details, err);
    pthread_mutex_unlock(&ls->srv->store_mu);
    return st;
}

static void stream_free(void *cls)
{
    live_stream *ls = cls;
    vg_engine_view_close(ls->srv->engine, ls->cam);
    char details[128];
    snprintf(details, sizeof details, "{\"frames\":%lld,\"seconds\":%.1f}", (long long)ls->frames,
             mono_s() - ls->opened);
    audit(ls, "live_view_ended", details, NULL);
    free(ls->part);
    free(ls);
}

static int set_part(live_stream *ls, const char *head, size_t head_len, const uint8_t *body, size_t body_len,
                    const char *tail)
{
    size_t tail_len = strlen(tail);
    char *p = malloc(head_len + body_len + tail_len);
    if (!p)
        return 0;
    memcpy(p, head, head_len);
    if (body_len)
        memcpy(p + head_len, body, body_len);
    memcpy(p + head_len + body_len, tail, tail_len);
    free(ls->part);
    ls->part = p;
    ls->len = head_len + body_len + tail_len;
    ls->off = 0;
    return 1;
}

/* Fills ls->part with the next thing to send; 0 when the stream is over. */
static int next_part(live_stream *ls)
{
    while (!ls->ended) {
        if (atomic_load(&ls->srv->stopping)) {
            ls->ended = 1;
            return set_part(ls, "--" BOUNDARY "--\r\n", strlen("--" BOUNDARY "--\r\n"), NULL, 0, "");
        }
        vg_engine_view_frame f;
        vg_status st = vg_engine_view_next(ls->srv->engine, ls->cam, ls->seq, WAIT_S, &f, NULL);
        if (st == VG_ERR_NOT_FOUND) { /* the camera ended or the engine stops */
            ls->ended = 1;
            return set_part(ls, "--" BOUNDARY "--\r\n", strlen("--" BOUNDARY "--\r\n"), NULL, 0, "");
        }
        if (st != VG_OK)
            return 0;
        if (!f.jpeg)
            continue;
        char head[256];
        int n = snprintf(head, sizeof head,
                         "--" BOUNDARY "\r\nContent-Type: image/jpeg\r\nContent-Length: %zu\r\n"
                         "X-Frame-Seq: %lld\r\nX-Frame-Pts: %.3f\r\n\r\n",
                         f.len, (long long)f.seq, f.pts);
        ls->seq = f.seq;
        ls->frames++;
        int ok = n > 0 && (size_t)n < sizeof head && set_part(ls, head, (size_t)n, f.jpeg, f.len, "\r\n");
        free(f.jpeg);
        return ok;
    }
    return 0;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    live_stream *ls = cls;
    if (ls->off == ls->len && !next_part(ls))
        return ls->ended ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = ls->len - ls->off;
    if (n > max)
        n = max;
    memcpy(buf, ls->part + ls->off, n);
    ls->off += n;
    return (ssize_t)n;
}

enum MHD_Result vg_api_live(vg_request *r)
{
    vg_engine *e = r->srv->engine;
    if (!e)
        return vg_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "no engine runs in this server (vigil serve): no live view", NULL);
    if (r->id < 1 || r->id > vg_engine_camera_count(e))
        return vg_http_error(r, MHD_HTTP_NOT_FOUND, "no such camera", "id");
    live_stream *ls = calloc(1, sizeof *ls);
    if (!ls)
        return vg_http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
    ls->srv = r->srv;
    ls->cam = (int)(r->id - 1);
    ls->opened = mono_s();
    snprintf(ls->user, sizeof ls->user, "%s", r->session.user);
    snprintf(ls->object, sizeof ls->object, "camera:%s", vg_engine_camera_name(e, ls->cam));
    vg_err err = {{0}};
    char details[64];
    snprintf(details, sizeof details, "{\"camera\":%d}", ls->cam + 1);
    if (audit(ls, "live_view", details, &err) != VG_OK) {
        free(ls);
        return vg_http_store_error(r, VG_ERR_IO, &err);
    }
    if (vg_engine_view_open(e, ls->cam, NULL) != VG_OK) {
        free(ls);
        return vg_http_error(r, MHD_HTTP_NOT_FOUND, "no such camera", "id");
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_SIZE, read_stream, ls,
                                                                  stream_free);
    if (!resp) {
        stream_free(ls);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "multipart/x-mixed-replace;boundary=" BOUNDARY);
    vg_http_common_headers(resp);
    return vg_http_queue(r, MHD_HTTP_OK, resp);
}
