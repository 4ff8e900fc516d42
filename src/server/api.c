/* api.c — the JSON endpoints over the store: health, alerts (list with
 * filters and paging, one, adjudicate, crop) with the subject, watch list
 * and decision beside each alert, watch lists, deployments and the audit
 * chain (its entries, and the check of the whole chain). An adjudication is also published on the alert feed. Each call holds the store mutex while it uses the store;
 * actions are recorded under the session's user name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "vigil/engine.h"
#include "vigil/watchlist.h"

#define LIMIT_DEFAULT 100
#define LIMIT_MAX 1000

static void lock(vg_request *r)
{
    pthread_mutex_lock(&r->srv->store_mu);
}

static void unlock(vg_request *r)
{
    pthread_mutex_unlock(&r->srv->store_mu);
}

/* A query argument as an integer in [lo, hi]; 0 when absent (def), 1 when
 * set, -1 when bad. */
static int arg_int(vg_request *r, const char *name, long long lo, long long hi, long long def,
                   long long *out)
{
    const char *v = vg_http_arg(r, name);
    *out = def;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi)
        return -1;
    *out = x;
    return 1;
}

enum MHD_Result vg_api_healthz(vg_request *r)
{
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

enum MHD_Result vg_api_alerts(vg_request *r)
{
    long long limit, after;
    if (arg_int(r, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT, &limit) < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "limit must be an integer from 1 to 1000", "limit");
    if (arg_int(r, "after", 0, INT64_MAX, 0, &after) < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "after must be an alert id (an integer >= 0)",
                             "after");
    const char *state = vg_http_arg(r, "state");
    if (state && strcmp(state, "pending") && strcmp(state, "confirmed") && strcmp(state, "rejected") &&
        strcmp(state, "no_action"))
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST,
                             "state must be pending, confirmed, rejected or no_action", "state");
    const char *dep = vg_http_arg(r, "deployment");
    vg_err err = {{0}};
    vg_status st = VG_OK;
    vg_alert_detail *v = NULL;
    int n = 0;
    /* one more than asked, to know whether there is a next page */
    vg_alert_query q = {.after = after, .state = state, .limit = (int)limit + 1};
    if (q.limit > VG_STORE_ALERT_QUERY_MAX)
        q.limit = VG_STORE_ALERT_QUERY_MAX;
    lock(r);
    if (dep) {
        vg_deployment *d = malloc(sizeof *d);
        if (!d)
            st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
        else if ((st = vg_store_deployment_get(r->srv->store, dep, d, &err)) == VG_OK)
            q.deployment_id = d->id;
        free(d);
    }
    if (st == VG_OK)
        st = vg_store_alert_query(r->srv->store, &q, &v, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    int shown = n < limit ? n : (int)limit;
    for (int i = 0; i < shown; i++)
        arr = vg_json_push(arr, vg_api_alert_json(&v[i]));
    /* at limit 1000 one more cannot be asked for: a full page may have more */
    int more = n > limit || (limit == VG_STORE_ALERT_QUERY_MAX && n == limit);
    int64_t last = shown ? v[shown - 1].alert.id : 0;
    free(v);
    json_t *o = json_pack("{s:o}", "alerts", arr);
    json_object_set_new(o, "next_after", more ? json_integer(last) : json_null());
    return vg_http_json(r, MHD_HTTP_OK, o);
}

enum MHD_Result vg_api_alert(vg_request *r)
{
    vg_alert_detail *d = malloc(sizeof *d);
    if (!d)
        return MHD_NO;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_alert_detail_get(r->srv->store, r->id, d, &err);
    unlock(r);
    if (st != VG_OK) {
        free(d);
        return vg_http_store_error(r, st, &err);
    }
    json_t *j = vg_api_alert_json(d);
    free(d);
    return vg_http_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result vg_api_adjudicate(vg_request *r)
{
    vg_body_adjudicate b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_adjudicate(r->body, r->body_len, &b, field, msg) != VG_OK)
        return vg_http_body_error(r, field, msg);
    const char *outcome = b.outcome, *note = b.note;
    vg_alert_detail *d = malloc(sizeof *d);
    if (!d)
        return MHD_NO;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_alert_detail_get(r->srv->store, r->id, d, &err);
    int conflict = st == VG_OK && strcmp(d->alert.state, "pending") != 0;
    if (st == VG_OK && !conflict)
        st = vg_store_alert_adjudicate(r->srv->store, r->session.user, r->id, outcome, note, &err);
    if (st == VG_OK && !conflict)
        st = vg_store_alert_detail_get(r->srv->store, r->id, d, &err);
    unlock(r);
    if (conflict) {
        free(d);
        return vg_http_error(r, MHD_HTTP_CONFLICT, "the alert was already adjudicated", "outcome");
    }
    if (st == VG_ERR_INVALID) { /* the store names the field (note) */
        free(d);
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, err.msg, "note");
    }
    if (st != VG_OK) {
        free(d);
        return vg_http_store_error(r, st, &err);
    }
    if (r->srv->feed)
        vg_feed_publish_update(r->srv->feed, d);
    json_t *j = vg_api_alert_json(d);
    free(d);
    return vg_http_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result vg_api_crop(vg_request *r)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_alert_crop(r->srv->store, r->session.user, r->id, &jpeg, &len, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_bytes(r, MHD_HTTP_OK, "image/jpeg", jpeg, len);
}

enum MHD_Result vg_api_scene(vg_request *r)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_alert_scene(r->srv->store, r->session.user, r->id, &jpeg, &len, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_bytes(r, MHD_HTTP_OK, "image/jpeg", jpeg, len);
}

enum MHD_Result vg_api_watchlists(vg_request *r)
{
    vg_watchlist *w = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_watchlist_list(r->srv->store, &w, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        arr = vg_json_push(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "id", (json_int_t)w[i].id,
                           "name", w[i].name, "reason", w[i].reason, "authorised_by", w[i].authorised_by,
                           "created_at", (json_int_t)w[i].created_at, "expires_at",
                           (json_int_t)w[i].expires_at, "max_size", w[i].max_size, "subjects",
                           w[i].subjects, "templates", w[i].templates));
    vg_store_watchlist_free(w);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "watchlists", arr));
}

enum MHD_Result vg_api_deployments(vg_request *r)
{
    vg_deployment *d = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_deployment_list(r->srv->store, &d, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) { /* camera URLs may hold credentials: only their count */
        /* the threshold scores are compared with: this server's engine's
         * when it runs the deployment, else the stored one or the default */
        double in_use = d[i].threshold > 0 ? d[i].threshold : VG_WATCHLIST_THRESHOLD_DEFAULT;
        if (r->srv->engine && vg_engine_deployment_id(r->srv->engine) == d[i].id)
            in_use = vg_engine_threshold(r->srv->engine);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:s, s:b, s:f, s:s, s:s}", "id",
                              (json_int_t)d[i].id, "name", d[i].name, "watchlist", d[i].watchlist, "location",
                              d[i].location, "cameras", d[i].n_cameras, "starts_at", (json_int_t)d[i].starts_at,
                              "ends_at", (json_int_t)d[i].ends_at, "ended_at", (json_int_t)d[i].ended_at,
                              "authorised_by", d[i].authorised_by, "signage_confirmed",
                              d[i].signage_confirmed, "threshold", (double)d[i].threshold, "model",
                              d[i].model_id, "detector", d[i].detector);
        if (o)
            json_object_set_new(o, "threshold_in_use", json_real(in_use));
        if (o)
            json_object_set_new(o, "scene_snapshot", json_boolean(d[i].scene_snapshot));
        /* each camera's name and place (never its URL) */
        json_t *places = o ? json_array() : NULL;
        for (int k = 0; places && k < d[i].n_cameras; k++) {
            char dflt[32];
            snprintf(dflt, sizeof dflt, "camera%d", k + 1);
            places = vg_json_push(places, json_pack("{s:s, s:s}", "name", d[i].camera_names[k][0] ? d[i].camera_names[k] : dflt,
                                           "location", d[i].camera_locations[k][0] ? d[i].camera_locations[k]
                                                                                   : d[i].location));
        }
        if (o)
            json_object_set_new(o, "camera_places", places ? places : json_array());
        arr = vg_json_push(arr, o);
    }
    free(d);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "deployments", arr));
}

enum MHD_Result vg_api_audit(vg_request *r)
{
    long long since, limit;
    if (arg_int(r, "since", INT64_MIN, INT64_MAX, 0, &since) < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "since must be Unix seconds", "since");
    if (arg_int(r, "limit", 1, LIMIT_MAX, LIMIT_MAX, &limit) < 0)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "limit must be an integer from 1 to 1000", "limit");
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_audit_list(r->srv->store, since, &e, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n && (long long)json_array_size(arr) < limit; i++) {
        json_t *details = json_loads(e[i].details ? e[i].details : "{}", 0, NULL);
        arr = vg_json_push(arr, json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s}", "seq",
                                             (json_int_t)e[i].seq, "time", (json_int_t)e[i].time,
                                             "actor", e[i].actor, "action", e[i].action, "object",
                                             e[i].object, "details", details ? details : json_object(),
                                             "hash", e[i].hash));
    }
    vg_store_audit_free(e, n);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "entries", arr));
}

/* The whole chain checked (as `vigil audit verify`): intact, or the first
 * entry edited, removed or reordered with the reason. */
enum MHD_Result vg_api_audit_verify(vg_request *r)
{
    int64_t bad = 0, n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_audit_verify(r->srv->store, &bad, &n, &err);
    unlock(r);
    if (st != VG_OK && st != VG_ERR_INVALID)
        return vg_http_store_error(r, st, &err);
    json_t *o = json_pack("{s:b, s:I}", "intact", st == VG_OK, "entries", (json_int_t)n);
    if (o && st == VG_ERR_INVALID) {
        json_object_set_new(o, "bad_seq", json_integer(bad));
        json_object_set_new(o, "reason", json_string(err.msg));
    }
    return vg_http_json(r, MHD_HTTP_OK, o);
}
