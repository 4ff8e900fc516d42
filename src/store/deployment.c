/* deployment.c — vg_store_deployment_*: create, read, list and end the
 * record of a deployment (where, when, which cameras, against which watch
 * list, on whose authority, for which model pack: the embedder's model id
 * and the detector, recorded at creation).
 *
 * Creation and end are audited in the transaction that makes them
 * (deployment.create, deployment.end). Camera URLs are stored verbatim, as
 * the engine connects with them, but the audit entry holds them redacted
 * (redact.c): user:password@ and password-like query values become "***",
 * and each is cut to AUDIT_URL_MAX bytes so 64 long URLs still fit in one
 * entry's details. A vg_deployment is large (its camera array is ~128 KiB),
 * so the functions here keep theirs on the heap.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/redact.h"
#include "store/store_internal.h"
#include "store/validate.h"

#define AUDIT_URL_MAX 256

/* A text field of a caller's struct: terminated, within its limit, UTF-8. */
static vg_status check_field(const char *field, const char *v, size_t cap, size_t max,
                             int single_line, vg_err *err)
{
    vg_status st = vg_check_field(field, v, cap, max, 1, err);
    if (st == VG_OK)
        st = vg_check_utf8(field, v, single_line, err);
    return st;
}

static vg_status check_deployment(const vg_deployment *d, vg_err *err)
{
    vg_status st = check_field("name", d->name, sizeof d->name, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = check_field("location", d->location, sizeof d->location, VG_STORE_TEXT_MAX, 0,
                         err);
    if (st == VG_OK)
        st = check_field("authorised_by", d->authorised_by, sizeof d->authorised_by,
                         VG_STORE_NAME_MAX, 1, err);
    /* the pack: optional ("" not recorded), one line each */
    if (st == VG_OK && (st = vg_check_field("model_id", d->model_id, sizeof d->model_id, VG_STORE_NAME_MAX, 0,
                                            err)) == VG_OK)
        st = vg_check_utf8("model_id", d->model_id, 1, err);
    if (st == VG_OK && (st = vg_check_field("detector", d->detector, sizeof d->detector, VG_STORE_NAME_MAX, 0,
                                            err)) == VG_OK)
        st = vg_check_utf8("detector", d->detector, 1, err);
    if (st == VG_OK && d->watchlist_id <= 0)
        st = check_field("watchlist", d->watchlist, sizeof d->watchlist, VG_STORE_NAME_MAX, 1,
                         err);
    if (st != VG_OK)
        return st;
    if (d->starts_at < 0)
        return vg_err_set(err, VG_ERR_INVALID, "starts_at %lld is negative",
                          (long long)d->starts_at);
    if (d->starts_at >= d->ends_at)
        return vg_err_set(err, VG_ERR_INVALID,
                          "ends_at (%lld) must be after starts_at (%lld): the window is empty",
                          (long long)d->ends_at, (long long)d->starts_at);
    if (!isfinite(d->threshold) || d->threshold < 0 || d->threshold >= 1)
        return vg_err_set(err, VG_ERR_INVALID,
                          "threshold %g is outside [0, 1) (0 takes the default)",
                          (double)d->threshold);
    if (d->n_cameras < 1)
        return vg_err_set(err, VG_ERR_INVALID, "a deployment needs at least one camera");
    if (d->n_cameras > VG_STORE_CAMERAS_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "%d cameras, the limit is %d", d->n_cameras,
                          VG_STORE_CAMERAS_MAX);
    for (int i = 0; i < d->n_cameras; i++) {
        char field[32];
        snprintf(field, sizeof field, "camera %d URL", i + 1);
        if ((st = check_field(field, d->cameras[i], sizeof d->cameras[i], VG_STORE_TEXT_MAX, 1,
                              err)) != VG_OK)
            return st;
        for (int j = 0; j < i; j++)
            if (strcmp(d->cameras[i], d->cameras[j]) == 0)
                return vg_err_set(err, VG_ERR_INVALID, "camera %d URL repeats camera %d's",
                                  i + 1, j + 1);
    }
    return VG_OK;
}

/* The camera URLs, redacted and cut, as a JSON array (NULL: out of memory). */
static json_t *redacted_urls(const vg_deployment *d)
{
    json_t *a = json_array();
    /* redaction grows a URL by at most 3 bytes per 2 ("k=" -> "k=***") */
    static const size_t cap = 3 * VG_STORE_TEXT_MAX + 16;
    char *buf = malloc(cap);
    if (!buf) {
        json_decref(a);
        return NULL;
    }
    for (int i = 0; a && i < d->n_cameras; i++) {
        vg_store_url_redact(d->cameras[i], buf, cap);
        size_t n = strlen(buf);
        if (n > AUDIT_URL_MAX) {
            /* cut before the UTF-8 sequence that crosses the limit, and say so */
            n = AUDIT_URL_MAX;
            while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
                n--;
            memcpy(buf + n, "...", 4);
        }
        if (json_array_append_new(a, json_string(buf)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    free(buf);
    return a;
}

vg_status vg_store_deployment_create(vg_store *s, const char *actor, const vg_deployment *d,
                                     int64_t *id, vg_err *err)
{
    if (id)
        *id = 0;
    if (!s || !d)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_create: NULL argument");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = check_deployment(d, err);
    if (st != VG_OK)
        return st;

    vg_deployment *row = malloc(sizeof *row);
    if (!row)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory creating a deployment");
    *row = *d;
    row->id = 0;
    row->signage_confirmed = d->signage_confirmed ? 1 : 0;
    row->created_at = vg_store_now(s);
    row->ended_at = 0;
    snprintf(row->created_by, sizeof row->created_by, "%s", actor);
    row->ended_by[0] = '\0';
    int64_t new_id = 0;
    char object[VG_STORE_NAME_MAX + 64];
    snprintf(object, sizeof object, "deployment:%s", row->name);
    vg_watchlist w;

    if ((st = vg_store_begin(s, err)) != VG_OK) {
        free(row);
        return st;
    }
    st = row->watchlist_id > 0 ? s->be->watchlist_find(s->conn, NULL, row->watchlist_id, &w, err)
                               : s->be->watchlist_find(s->conn, row->watchlist, 0, &w, err);
    if (st == VG_OK) {
        row->watchlist_id = w.id;
        snprintf(row->watchlist, sizeof row->watchlist, "%s", w.name);
        st = s->be->deployment_insert(s->conn, row, &new_id, err);
    }
    if (st == VG_OK)
        st = vg_audit_append_json6_tx(
            s, actor, "deployment.create", object,
            json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:f, s:i, s:o, s:s, s:s}", "watchlist", w.name,
                      "location", row->location, "starts_at", (json_int_t)row->starts_at,
                      "ends_at", (json_int_t)row->ends_at, "authorised_by", row->authorised_by,
                      "signage_confirmed", row->signage_confirmed, "threshold",
                      (double)row->threshold, "cameras", row->n_cameras, "camera_urls",
                      redacted_urls(row), "model", row->model_id, "detector", row->detector),
            err);
    st = vg_store_end(s, st, err);
    free(row);
    if (st == VG_OK && id)
        *id = new_id;
    return st;
}

vg_status vg_store_deployment_get(vg_store *s, const char *name, vg_deployment *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_get: NULL argument");
    vg_status st = vg_check_text("deployment name", name, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    return s->be->deployment_find(s->conn, name, 0, out, err);
}

vg_status vg_store_deployment_list(vg_store *s, vg_deployment **out, int *n, vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_list: NULL argument");
    *out = NULL;
    *n = 0;
    return s->be->deployment_list(s->conn, out, n, err);
}

vg_status vg_store_deployment_end(vg_store *s, const char *actor, const char *name, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_end: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("deployment name", name, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    vg_deployment *d = malloc(sizeof *d);
    if (!d)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory ending a deployment");
    int64_t now = vg_store_now(s);
    char object[VG_STORE_NAME_MAX + 64];
    snprintf(object, sizeof object, "deployment:%s", name);
    if ((st = vg_store_begin(s, err)) != VG_OK) {
        free(d);
        return st;
    }
    st = s->be->deployment_find(s->conn, name, 0, d, err);
    if (st == VG_OK && d->ended_at != 0)
        st = vg_err_set(err, VG_ERR_INVALID, "deployment %s already ended (at %lld, by %s)", name,
                        (long long)d->ended_at, d->ended_by);
    if (st == VG_OK)
        st = s->be->deployment_end(s->conn, d->id, now, actor, err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(s, actor, "deployment.end", object,
                                     json_pack("{s:I, s:I, s:I}", "ended_at", (json_int_t)now,
                                               "starts_at", (json_int_t)d->starts_at, "ends_at",
                                               (json_int_t)d->ends_at),
                                     err);
    st = vg_store_end(s, st, err);
    free(d);
    return st;
}

/* ---- runs, from the audit chain (issue 13: an unclean stop is said) ---- */

typedef struct runs_walk {
    char object[VG_STORE_NAME_MAX + 16];
    size_t object_len;
    vg_deployment_runs *r;
} runs_walk;

static int field_is(const char *v, size_t len, const char *want)
{
    return len == strlen(want) && !memcmp(v, want, len);
}

static vg_status runs_row(void *ctx, const vg_store_audit_row *row, vg_err *err)
{
    (void)err;
    runs_walk *w = ctx;
    if (row->object_len != w->object_len || memcmp(row->object, w->object, w->object_len))
        return VG_OK;
    if (field_is(row->action, row->action_len, "deployment.start")) {
        if (w->r->last_open)
            w->r->unclean++;
        w->r->runs++;
        w->r->last_open = 1;
        w->r->last_started_at = row->time;
        w->r->last_start_seq = row->seq;
    } else if (field_is(row->action, row->action_len, "deployment.stop")) {
        w->r->last_open = 0;
    }
    return VG_OK;
}

vg_status vg_store_deployment_runs(vg_store *s, const char *name, vg_deployment_runs *out, vg_err *err)
{
    if (!s || !name || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_runs: NULL argument");
    memset(out, 0, sizeof *out);
    runs_walk w = {.r = out};
    snprintf(w.object, sizeof w.object, "deployment:%s", name);
    w.object_len = strlen(w.object);
    return s->be->audit_each(s->conn, INT64_MIN, runs_row, &w, err);
}
