/* metrics.c — GET /metrics (Prometheus text exposition, format 0.0.4) and
 * GET /api/v1/cameras (each camera's state and counters as JSON). Both read
 * the running engine's counters (none under vigil serve) and the server's
 * own (requests, alert streams, the feed, webhooks). Counters only: no name
 * of a subject, no face. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"

typedef struct text {
    char *p;
    size_t len, cap;
    int failed;
} text;

static void add(text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if (t->p && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 8192;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *g = realloc(t->p, cap);
        if (!g) {
            t->failed = 1;
            return;
        }
        t->p = g;
        t->cap = cap;
    }
}

/* A camera name as a label value: \, " and newlines escaped. */
static void label(const char *in, char *out, size_t cap)
{
    size_t k = 0;
    for (; *in && k + 3 < cap; in++) {
        if (*in == '\\' || *in == '"') {
            out[k++] = '\\';
            out[k++] = *in;
        } else if (*in == '\n') {
            out[k++] = '\\';
            out[k++] = 'n';
        } else {
            out[k++] = *in;
        }
    }
    out[k] = '\0';
}

static const char *state_name(vg_source_state s)
{
    switch (s) {
    case VG_SOURCE_STATE_RUNNING:
        return "running";
    case VG_SOURCE_STATE_RECONNECTING:
    case VG_SOURCE_STATE_OPENING:
        return "reconnecting";
    case VG_SOURCE_STATE_ENDED:
        return "ended";
    default:
        return "failed";
    }
}

typedef struct cam_metric {
    const char *name, *type, *help;
} cam_metric;

static const cam_metric cam_metrics[] = {
    {"vigil_camera_frames_decoded_total", "counter", "Frames decoded from the camera."},
    {"vigil_camera_frames_processed_total", "counter", "Frames the pipeline processed."},
    {"vigil_camera_frames_dropped_total", "counter", "Frames replaced by a newer one before processing."},
    {"vigil_camera_faces_total", "counter", "Faces detected."},
    {"vigil_camera_tracks_total", "counter", "Face tracks started."},
    {"vigil_camera_tracks_active", "gauge", "Face tracks alive now."},
    {"vigil_camera_embeddings_total", "counter", "Face templates computed."},
    {"vigil_camera_comparisons_total", "counter", "Template comparisons with the watch list."},
    {"vigil_camera_alerts_total", "counter", "Alerts raised."},
    {"vigil_camera_reconnects_total", "counter", "Reopenings of the camera's stream."},
    {"vigil_camera_detect_seconds_total", "counter", "Seconds spent detecting faces."},
    {"vigil_camera_embed_seconds_total", "counter", "Seconds spent computing templates."},
    {"vigil_camera_up", "gauge", "1 while the camera delivers frames."},
    {"vigil_camera_alerts_suppressed_total", "counter",
     "Repeat matches of a subject inside the alert cooldown, not raised."},
    {"vigil_camera_non_faces_total", "counter",
     "Best shots of a track that failed the faceness check, not embedded."},
};

static double cam_value(const vg_engine_camera_stats *s, int k)
{
    switch (k) {
    case 0: return (double)s->source.frames_decoded;
    case 1: return (double)s->frames_processed;
    case 2: return (double)s->source.frames_dropped;
    case 3: return (double)s->faces;
    case 4: return (double)s->tracks_started;
    case 5: return (double)s->tracks_active;
    case 6: return (double)s->embeddings;
    case 7: return (double)s->comparisons;
    case 8: return (double)s->alerts;
    case 9: return (double)s->source.reconnects;
    case 10: return s->detect_ms_total / 1000.0;
    case 11: return s->embed_ms_total / 1000.0;
    case 12: return s->source.state == VG_SOURCE_STATE_RUNNING;
    case 13: return (double)s->alerts_suppressed;
    default: return (double)s->non_faces;
    }
}

static void one(text *t, const char *name, const char *type, const char *help, double v)
{
    add(t, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

enum MHD_Result vg_api_metrics(vg_request *r)
{
    vg_server *srv = r->srv;
    text t = {0};
    int n = srv->engine ? vg_engine_camera_count(srv->engine) : 0;
    vg_engine_camera_stats *st = n ? calloc((size_t)n, sizeof *st) : NULL;
    if (n && !st)
        return MHD_NO;
    for (int i = 0; i < n; i++)
        vg_engine_camera_stats_get(srv->engine, i, &st[i]);
    for (size_t k = 0; n && k < sizeof cam_metrics / sizeof cam_metrics[0]; k++) {
        const cam_metric *m = &cam_metrics[k];
        add(&t, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
        for (int i = 0; i < n; i++) {
            char lab[2 * VG_STORE_NAME_MAX + 4];
            label(st[i].name, lab, sizeof lab);
            add(&t, "%s{camera=\"%s\"} %.17g\n", m->name, lab, cam_value(&st[i], (int)k));
        }
    }
    free(st);
    if (srv->engine) {
        one(&t, "vigil_engine_alerts_dropped_total", "counter",
            "Alerts dropped because the engine's alert queue was full.",
            (double)vg_engine_alerts_dropped(srv->engine));
        /* the alert spool (a shared store that went away): docs/storage.md */
        vg_store_spool_stats sp;
        vg_engine_spool_stats(srv->engine, &sp);
        one(&t, "vigil_spool_pending", "gauge", "Alerts in the spool, waiting for the database.", (double)sp.pending);
        one(&t, "vigil_spool_capacity", "gauge", "The most alerts the spool holds (0: no spool).", (double)sp.max);
        one(&t, "vigil_spool_full", "gauge", "1 while the spool is full: a new alert drops the oldest.",
            (double)(sp.max > 0 && sp.pending >= sp.max));
        one(&t, "vigil_spool_alerts_total", "counter", "Alerts put in the spool.", (double)sp.spooled);
        one(&t, "vigil_spool_written_total", "counter", "Spooled alerts written to the database.", (double)sp.written);
        one(&t, "vigil_spool_dropped_total", "counter",
            "Spooled alerts dropped, oldest first, because the spool was full.", (double)sp.dropped);
        one(&t, "vigil_spool_rejected_total", "counter",
            "Spooled alerts the database refused for good (their subject removed meanwhile).", (double)sp.rejected);
        /* seconds from a frame's decoding to its alert: a histogram, which
         * Prometheus aggregates over nodes and turns into quantiles */
        static const double le_ms[] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
        enum { N_LE = sizeof le_ms / sizeof le_ms[0] };
        int64_t counts[N_LE], total = 0;
        double sum_ms = 0;
        vg_engine_latency_histogram(srv->engine, le_ms, N_LE, counts, &sum_ms, &total);
        add(&t, "# HELP vigil_alert_latency_seconds Seconds from a frame's decoding to its alert.\n"
                "# TYPE vigil_alert_latency_seconds histogram\n");
        for (int i = 0; i < N_LE; i++)
            add(&t, "vigil_alert_latency_seconds_bucket{le=\"%g\"} %lld\n", le_ms[i] / 1000.0, (long long)counts[i]);
        add(&t, "vigil_alert_latency_seconds_bucket{le=\"+Inf\"} %lld\n", (long long)total);
        add(&t, "vigil_alert_latency_seconds_sum %.17g\n", sum_ms / 1000.0);
        add(&t, "vigil_alert_latency_seconds_count %lld\n", (long long)total);
    }
    int64_t fa = 0, fu = 0, last = 0;
    vg_feed_counts(srv->feed, &fa, &fu, &last);
    one(&t, "vigil_http_requests_total", "counter", "HTTP requests routed.",
        (double)atomic_load(&srv->requests));
    one(&t, "vigil_sse_clients", "gauge", "Alert streams open now.", (double)atomic_load(&srv->sse_clients));
    one(&t, "vigil_sse_connections_total", "counter", "Alert streams opened.",
        (double)atomic_load(&srv->sse_total));
    one(&t, "vigil_feed_alerts_total", "counter", "New alerts published on the feed.", (double)fa);
    one(&t, "vigil_feed_updates_total", "counter", "Adjudication updates published on the feed.", (double)fu);
    one(&t, "vigil_feed_last_alert_id", "gauge", "The id of the latest alert the feed has seen.", (double)last);
    if (srv->webhooks) {
        vg_webhook_counts wc;
        vg_webhooks_counts(srv->webhooks, &wc);
        one(&t, "vigil_webhook_deliveries_total", "counter", "Webhook deliveries answered 2xx.",
            (double)wc.delivered);
        one(&t, "vigil_webhook_failed_attempts_total", "counter", "Webhook attempts that failed.",
            (double)wc.attempts_failed);
        one(&t, "vigil_webhook_dropped_total", "counter", "Webhook deliveries dropped (queue full).",
            (double)wc.dropped);
        one(&t, "vigil_webhook_queued", "gauge", "Webhook deliveries waiting.", (double)wc.queued);
    }
    if (t.failed || !t.p) {
        free(t.p);
        return MHD_NO;
    }
    return vg_http_bytes(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", t.p, t.len);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum MHD_Result vg_api_cameras(vg_request *r)
{
    vg_server *srv = r->srv;
    json_t *arr = json_array();
    int n = srv->engine ? vg_engine_camera_count(srv->engine) : 0;
    double now = mono_s();
    for (int i = 0; i < n; i++) {
        vg_engine_camera_stats s;
        vg_engine_camera_stats_get(srv->engine, i, &s);
        /* frames per second over the time since the previous look (at least
         * a second), else since the server started */
        pthread_mutex_lock(&srv->cam_mu);
        vg_cam_sample *p = &srv->cam_prev[i < VG_ENGINE_CAMERAS_MAX ? i : 0];
        double dt = now - p->t;
        if (dt >= 1.0) {
            p->fps = (double)(s.source.frames_decoded - p->frames) / dt;
            p->frames = s.source.frames_decoded;
            p->t = now;
        }
        double fps = p->fps;
        pthread_mutex_unlock(&srv->cam_mu);
        json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:f, s:I, s:I, s:I, s:I}", "id", i + 1, "name",
                                             s.name, "state", state_name(s.source.state), "fps", fps,
                                             "frames", (json_int_t)s.source.frames_decoded, "dropped",
                                             (json_int_t)s.source.frames_dropped, "faces", (json_int_t)s.faces,
                                             "alerts", (json_int_t)s.alerts));
    }
    /* alerts held because the store cannot take them (issue 13), for the
     * console's "alerts waiting to be stored" */
    if (!srv->engine) /* vigil serve: no engine, nothing waits here */
        return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "cameras", arr));
    vg_store_spool_stats sp;
    vg_engine_spool_stats(srv->engine, &sp);
    json_int_t lost = (json_int_t)(sp.dropped + vg_engine_alerts_dropped(srv->engine));
    /* the deployment the cameras run for: the console shows its name and location */
    return vg_http_json(r, MHD_HTTP_OK,
                        json_pack("{s:o, s:i, s:I, s:I}", "cameras", arr, "alerts_waiting", sp.pending, "alerts_lost",
                                  lost, "deployment_id", (json_int_t)vg_engine_deployment_id(srv->engine)));
}
