/* api_report.c — GET /api/v1/deployments/{id}/report: the transparency
 * report of a deployment, the same fields as `vigil report --format json`
 * (counts only: no face, no name, no image), plus a timeline of its alerts
 * by state in buckets of ?bucket= seconds (default 3600), from the bucket of
 * the first alert to that of the last, empty buckets included. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"
#include "vigil/watchlist.h"

#define BUCKET_DEFAULT 3600
#define BUCKETS_MAX 10000

static const char *iso(long long t, char *buf, size_t len)
{
    buf[0] = '\0';
    if (t == 0)
        return buf;
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, len, "%lld", t);
    return buf;
}

/* As cmd_report.c's report_json, for one deployment. */
static json_t *report_json(const vg_report *r)
{
    char a[32], b[32], e[32];
    double thr = r->threshold > 0 ? r->threshold : VG_WATCHLIST_THRESHOLD_DEFAULT;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:f,s:b,s:s,s:s,s:s,s:I,"
                     "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f}",
                     "deployment", r->deployment, "watchlist", r->watchlist, "location", r->location, "starts_at",
                     iso(r->starts_at, a, sizeof a), "ends_at", iso(r->ends_at, b, sizeof b), "ended_at",
                     iso(r->ended_at, e, sizeof e), "hours_on_air", r->hours_on_air, "threshold",
                     round(thr * 1e4) / 1e4, "threshold_is_default", r->threshold == 0, "model", r->model,
                     "pack_model", r->pack_model, "detector", r->detector, "watchlist_size",
                     (json_int_t)r->watchlist_size, "frames_in", (json_int_t)r->counters.frames_in,
                     "frames_processed", (json_int_t)r->counters.frames_processed, "frames_dropped",
                     (json_int_t)r->counters.frames_dropped, "faces", (json_int_t)r->counters.faces, "tracks",
                     (json_int_t)r->counters.tracks, "alerts", (json_int_t)r->alerts, "confirmed",
                     (json_int_t)r->confirmed, "rejected", (json_int_t)r->rejected, "no_action",
                     (json_int_t)r->no_action, "pending", (json_int_t)r->pending, "alerts_per_1000_faces",
                     r->alerts_per_1000_faces, "false_alerts_per_face", r->false_alerts_per_face,
                     "false_alerts_per_alert", r->false_alerts_per_alert);
}

typedef struct bucket {
    int64_t alerts, confirmed, rejected, no_action, pending;
} bucket;

static json_t *timeline(const vg_alert *a, int n, long long size, int *too_many)
{
    json_t *arr = json_array();
    *too_many = 0;
    if (n == 0)
        return arr;
    long long lo = (long long)floor(a[0].raised_at / (double)size), hi = lo;
    for (int i = 0; i < n; i++) {
        long long k = (long long)floor(a[i].raised_at / (double)size);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    if (hi - lo + 1 > BUCKETS_MAX) {
        *too_many = 1;
        return arr;
    }
    bucket *b = calloc((size_t)(hi - lo + 1), sizeof *b);
    if (!b) {
        json_decref(arr);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        bucket *q = &b[(long long)floor(a[i].raised_at / (double)size) - lo];
        q->alerts++;
        q->confirmed += !strcmp(a[i].state, "confirmed");
        q->rejected += !strcmp(a[i].state, "rejected");
        q->no_action += !strcmp(a[i].state, "no_action");
        q->pending += !strcmp(a[i].state, "pending");
    }
    for (long long k = lo; k <= hi; k++) {
        const bucket *q = &b[k - lo];
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "t", (json_int_t)(k * size), "alerts",
                                             (json_int_t)q->alerts, "confirmed", (json_int_t)q->confirmed,
                                             "rejected", (json_int_t)q->rejected, "no_action",
                                             (json_int_t)q->no_action, "pending", (json_int_t)q->pending));
    }
    free(b);
    return arr;
}

enum MHD_Result vg_api_report(vg_request *r)
{
    long long size = BUCKET_DEFAULT;
    const char *bs = vg_http_arg(r, "bucket");
    if (bs) {
        char *end;
        errno = 0;
        size = strtoll(bs, &end, 10);
        if (!*bs || *end || errno || size < 60 || size > 31 * 86400)
            return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "bucket must be seconds, from 60 to 2678400", "bucket");
    }
    vg_deployment *d = NULL;
    int n = 0, na = 0;
    vg_alert *alerts = NULL;
    vg_report *rep = calloc(1, sizeof *rep);
    vg_err err = {{0}};
    if (!rep)
        return vg_http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
    pthread_mutex_lock(&r->srv->store_mu);
    vg_status st = vg_store_deployment_list(r->srv->store, &d, &n, &err);
    int k = -1;
    for (int i = 0; st == VG_OK && i < n; i++)
        if (d[i].id == r->id)
            k = i;
    if (st == VG_OK && k < 0)
        st = vg_err_set(&err, VG_ERR_NOT_FOUND, "no deployment with id %lld", (long long)r->id);
    if (st == VG_OK)
        st = vg_store_report(r->srv->store, d[k].name, rep, &err);
    if (st == VG_OK)
        st = vg_store_alert_list(r->srv->store, r->id, &alerts, &na, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    free(d);
    if (st != VG_OK) {
        free(rep);
        return vg_http_store_error(r, st, &err);
    }
    int too_many = 0;
    json_t *o = report_json(rep);
    json_t *t = timeline(alerts, na, size, &too_many);
    free(alerts);
    free(rep);
    if (too_many) {
        json_decref(o);
        json_decref(t);
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "the timeline would have over 10000 buckets: a larger bucket",
                             "bucket");
    }
    json_object_set_new(o, "bucket", json_integer(size));
    json_object_set_new(o, "timeline", t ? t : json_array());
    return vg_http_json(r, MHD_HTTP_OK, o);
}
