/* deployment.c — vg_store_deployment_*: create, read, list and end the
 * record of a deployment (where, when, which cameras, against which watch
 * list, on whose authority, for which model pack: the embedder's model id
 * and the detector, recorded at creation).
 *
 * Creation and end are audited in the transaction that makes them
 * (deployment.create, deployment.end). Camera URLs are stored verbatim, as
 * the engine connects with them, but the audit entry holds them redacted
 * (base/url_redact.c, the one redaction every layer uses): user:password@
 * and password-like values in path, query and fragment become "***",
 * and each is cut to AUDIT_URL_MAX bytes so 64 long URLs still fit in one
 * entry's details. A vg_deployment is large (its camera array is ~128 KiB),
 * so the functions here keep theirs on the heap.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/url_redact.h"
#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the deployment and deployment_camera tables ---- */

/* A camera URL holds the camera's credentials: at rest it is sealed, bound
 * to its row by the associated data (migration 11). */
static void camera_ad(int64_t deployment_id, int position, char ad[80])
{
    snprintf(ad, 80, "deployment_camera:%lld:%d:url", (long long)deployment_id, position);
}

/* name and location NULL: a statement without them (?4, ?5) */
static vg_status camera_put(vg_store *s, vg_sql *q, int64_t did, int position, const char *url,
                            const char *name, const char *location, vg_err *err)
{
    char ad[80];
    camera_ad(did, position, ad);
    uint8_t *sealed = NULL;
    size_t len = 0;
    vg_status st = vg_seal_ad(s->key, (const uint8_t *)url, strlen(url), ad, &sealed, &len, err);
    if (st != VG_OK)
        return st;
    vg_sql_reset(q);
    vg_sql_i64(q, 1, did);
    vg_sql_i64(q, 2, position);
    vg_sql_blob(q, 3, sealed, len);
    if (name)
        vg_sql_text(q, 4, name);
    if (location)
        vg_sql_text(q, 5, location);
    st = vg_sql_run(q, err);
    free(sealed);
    return st;
}

typedef struct clear_camera {
    int64_t did;
    int position;
    char *url;
} clear_camera;

static vg_status read_clear_camera(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    clear_camera *c = elem;
    c->did = vg_sql_col_i64(q, 0);
    c->position = (int)vg_sql_col_i64(q, 1);
    size_t ulen = 0;
    const char *u = vg_sql_col_text(q, 2, &ulen);
    c->url = strdup(u ? u : "");
    return c->url ? VG_OK : vg_err_set(err, VG_ERR_NOMEM, "out of memory reading camera URLs");
}

vg_status vg_db_deployment_camera_seal_all(vg_store *s, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT deployment_id, position, url FROM deployment_camera "
                                  "WHERE url_sealed IS NULL ORDER BY deployment_id, position",
                                  "reading camera URLs to seal", err);
    if (st != VG_OK)
        return st;
    void *v = NULL;
    int n = 0;
    st = vg_sql_collect(&q, sizeof(clear_camera), read_clear_camera, NULL, &v, &n, err);
    clear_camera *c = v;
    if (st == VG_OK)
        st = vg_sql_prepare(&q, s,
                            "UPDATE deployment_camera SET url = '', url_sealed = ?3 "
                            "WHERE deployment_id = ?1 AND position = ?2",
                            "sealing a camera URL", err);
    if (st == VG_OK) {
        for (int i = 0; i < n && st == VG_OK; i++)
            st = camera_put(s, &q, c[i].did, c[i].position, c[i].url, NULL, NULL, err);
        vg_sql_finish(&q);
    }
    for (int i = 0; i < n; i++) {
        if (c[i].url)
            sodium_memzero(c[i].url, strlen(c[i].url));
        free(c[i].url);
    }
    free(c);
    return st;
}

static vg_status vg_db_deployment_insert(vg_store *s, const vg_deployment *d, int64_t *id,
                                         vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO deployment (name, watchlist_id, location, "
                                         "starts_at, ends_at, authorised_by, signage_confirmed, "
                                         "threshold, created_at, created_by, model_id, detector, "
                                         "scene_snapshot) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                         "?9, ?10, ?11, ?12, ?13)",
                                         "creating a deployment", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, d->name);
    vg_sql_i64(&q, 2, d->watchlist_id);
    vg_sql_text(&q, 3, d->location);
    vg_sql_i64(&q, 4, d->starts_at);
    vg_sql_i64(&q, 5, d->ends_at);
    vg_sql_text(&q, 6, d->authorised_by);
    vg_sql_i64(&q, 7, d->signage_confirmed ? 1 : 0);
    vg_sql_f64(&q, 8, d->threshold);
    vg_sql_i64(&q, 9, d->created_at);
    vg_sql_text(&q, 10, d->created_by);
    vg_sql_text(&q, 11, d->model_id);
    vg_sql_text(&q, 12, d->detector);
    vg_sql_i64(&q, 13, d->scene_snapshot ? 1 : 0);
    int64_t did = 0;
    if ((st = vg_sql_run(&q, err)) == VG_OK)
        did = vg_sql_last_id(&q);
    else if (q.fail == VG_SQL_UNIQUE)
        st = vg_err_set(err, VG_ERR_EXISTS, "a deployment named \"%s\" already exists", d->name);
    vg_sql_finish(&q);
    if (st != VG_OK)
        return st;
    if ((st = vg_sql_prepare(&q, s,
                             "INSERT INTO deployment_camera (deployment_id, position, url, url_sealed, name, "
                             "location) VALUES (?1, ?2, '', ?3, ?4, ?5)",
                             "adding a deployment's camera", err)) != VG_OK)
        return st;
    for (int i = 0; i < d->n_cameras && st == VG_OK; i++)
        st = camera_put(s, &q, did, i, d->cameras[i], d->camera_names[i], d->camera_locations[i], err);
    vg_sql_finish(&q);
    if (st == VG_OK)
        *id = did;
    return st;
}

#define DEPLOYMENT_COLUMNS                                                                     \
    "SELECT d.id, d.name, d.watchlist_id, coalesce(w.name, ''), d.location, d.starts_at, "     \
    "d.ends_at, d.authorised_by, d.signage_confirmed, d.threshold, d.created_at, d.ended_at, " \
    "d.created_by, d.ended_by, d.model_id, d.detector, d.scene_snapshot "                      \
    "FROM deployment d LEFT JOIN watchlist w ON w.id = d.watchlist_id "

#define CAMERA_QUERY                                                                           \
    "SELECT url_sealed, position, name, location FROM deployment_camera WHERE deployment_id = ?1 "          \
    "ORDER BY position"

/* Reads a deployment row, then its cameras with ctx (the store and a
 * prepared CAMERA_QUERY, reset here). */
typedef struct camera_ctx {
    vg_store *s;
    vg_sql q;
} camera_ctx;

static vg_status read_deployment(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    camera_ctx *cc = ctx;
    vg_sql *cam = &cc->q;
    vg_deployment *d = elem;
    memset(d, 0, sizeof *d);
    d->id = vg_sql_col_i64(q, 0);
    vg_sql_col_copy(q, 1, d->name, sizeof d->name);
    d->watchlist_id = vg_sql_col_i64(q, 2);
    vg_sql_col_copy(q, 3, d->watchlist, sizeof d->watchlist);
    vg_sql_col_copy(q, 4, d->location, sizeof d->location);
    d->starts_at = vg_sql_col_i64(q, 5);
    d->ends_at = vg_sql_col_i64(q, 6);
    vg_sql_col_copy(q, 7, d->authorised_by, sizeof d->authorised_by);
    d->signage_confirmed = vg_sql_col_i64(q, 8) != 0;
    d->threshold = (float)vg_sql_col_f64(q, 9);
    d->created_at = vg_sql_col_i64(q, 10);
    d->ended_at = vg_sql_col_i64(q, 11);
    vg_sql_col_copy(q, 12, d->created_by, sizeof d->created_by);
    vg_sql_col_copy(q, 13, d->ended_by, sizeof d->ended_by);
    vg_sql_col_copy(q, 14, d->model_id, sizeof d->model_id);
    vg_sql_col_copy(q, 15, d->detector, sizeof d->detector);
    d->scene_snapshot = vg_sql_col_i64(q, 16) != 0;

    vg_sql_reset(cam);
    vg_sql_i64(cam, 1, d->id);
    int row = 0;
    vg_status st;
    while ((st = vg_sql_step(cam, &row, err)) == VG_OK && row) {
        if (d->n_cameras == VG_STORE_CAMERAS_MAX)
            return vg_err_set(err, VG_ERR_INVALID,
                              "deployment %s has more than %d cameras: the database was altered",
                              d->name, VG_STORE_CAMERAS_MAX);
        size_t len = 0;
        const uint8_t *sealed = vg_sql_col_blob(cam, 0, &len);
        int position = (int)vg_sql_col_i64(cam, 1);
        char ad[80];
        camera_ad(d->id, position, ad);
        uint8_t *url = NULL;
        size_t url_len = 0;
        vg_err e2 = {{0}};
        if (vg_unseal_ad(cc->s->key, sealed, len, ad, &url, &url_len, &e2) != VG_OK)
            return vg_err_set(err, VG_ERR_INVALID,
                              "camera %d of deployment %s does not open: its sealed URL was "
                              "altered or moved from another row",
                              position + 1, d->name);
        if (url_len > VG_STORE_TEXT_MAX || strlen((const char *)url) != url_len) {
            sodium_memzero(url, url_len);
            free(url);
            return vg_err_set(err, VG_ERR_INVALID, "camera %d of deployment %s: a bad URL",
                              position + 1, d->name);
        }
        memcpy(d->cameras[d->n_cameras], url, url_len + 1);
        vg_sql_col_copy(cam, 2, d->camera_names[d->n_cameras], sizeof d->camera_names[0]);
        vg_sql_col_copy(cam, 3, d->camera_locations[d->n_cameras], sizeof d->camera_locations[0]);
        sodium_memzero(url, url_len);
        free(url);
        d->n_cameras++;
    }
    return st;
}

vg_status vg_db_deployment_find(vg_store *s, const char *name, int64_t id, vg_deployment *out,
                                vg_err *err)
{
    camera_ctx cam = {.s = s};
    vg_status st = vg_sql_prepare_bytes(&cam.q, s, CAMERA_QUERY, "reading a deployment's cameras", err);
    if (st != VG_OK)
        return st;
    st = vg_sql_find_one(s, DEPLOYMENT_COLUMNS "WHERE d.name = ?1",
                         DEPLOYMENT_COLUMNS "WHERE d.id = ?1", name, id, read_deployment, &cam,
                         out, "deployment", err);
    vg_sql_finish(&cam.q);
    return st;
}

vg_status vg_db_deployment_list(vg_store *s, vg_deployment **out, int *n, vg_err *err)
{
    vg_sql q;
    camera_ctx cam = {.s = s};
    vg_status st = vg_sql_prepare(&q, s, DEPLOYMENT_COLUMNS "ORDER BY d.id",
                                  "listing deployments", err);
    if (st != VG_OK)
        return st;
    if ((st = vg_sql_prepare_bytes(&cam.q, s, CAMERA_QUERY, "reading a deployment's cameras", err)) !=
        VG_OK) {
        vg_sql_finish(&q);
        return st;
    }
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_deployment), read_deployment, &cam, &v, n, err);
    vg_sql_finish(&cam.q);
    if (st == VG_OK)
        *out = v;
    return st;
}

/* Records the end (policy, such as a second end, is checked above). */
static vg_status vg_db_deployment_end(vg_store *s, int64_t id, int64_t ended_at,
                                      const char *ended_by, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "UPDATE deployment SET ended_at = ?2, ended_by = ?3 "
                                  "WHERE id = ?1",
                                  "ending a deployment", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_i64(&q, 2, ended_at);
    vg_sql_text(&q, 3, ended_by);
    if ((st = vg_sql_run(&q, err)) == VG_OK && vg_sql_changes(&q) == 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld", (long long)id);
    vg_sql_finish(&q);
    return st;
}


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
    if (d->scene_snapshot != 0 && d->scene_snapshot != 1)
        return vg_err_set(err, VG_ERR_INVALID, "scene_snapshot is %d: it must be 0 or 1", d->scene_snapshot);
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
        snprintf(field, sizeof field, "camera %d name", i + 1);
        if ((st = vg_check_field(field, d->camera_names[i], sizeof d->camera_names[i], VG_STORE_NAME_MAX, 0,
                                 err)) != VG_OK ||
            (st = vg_check_utf8(field, d->camera_names[i], 1, err)) != VG_OK)
            return st;
        snprintf(field, sizeof field, "camera %d location", i + 1);
        if ((st = vg_check_field(field, d->camera_locations[i], sizeof d->camera_locations[i], VG_STORE_NAME_MAX,
                                 0, err)) != VG_OK ||
            (st = vg_check_utf8(field, d->camera_locations[i], 1, err)) != VG_OK)
            return st;
        for (int j = 0; j < i && d->camera_names[i][0]; j++)
            if (strcmp(d->camera_names[i], d->camera_names[j]) == 0)
                return vg_err_set(err, VG_ERR_INVALID, "camera %d name \"%s\" repeats camera %d's", i + 1,
                                  d->camera_names[i], j + 1);
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
        vg_url_redact(d->cameras[i], buf, cap);
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
    st = row->watchlist_id > 0 ? vg_db_watchlist_find(s, NULL, row->watchlist_id, &w, err)
                               : vg_db_watchlist_find(s, row->watchlist, 0, &w, err);
    if (st == VG_OK) {
        row->watchlist_id = w.id;
        snprintf(row->watchlist, sizeof row->watchlist, "%s", w.name);
        st = vg_db_deployment_insert(s, row, &new_id, err);
    }
    if (st == VG_OK)
        st = vg_audit_append_json6_tx(
            s, actor, "deployment.create", object,
            json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:f, s:i, s:o, s:s, s:s, s:b}", "watchlist", w.name,
                      "location", row->location, "starts_at", (json_int_t)row->starts_at,
                      "ends_at", (json_int_t)row->ends_at, "authorised_by", row->authorised_by,
                      "signage_confirmed", row->signage_confirmed, "threshold",
                      (double)row->threshold, "cameras", row->n_cameras, "camera_urls",
                      redacted_urls(row), "model", row->model_id, "detector", row->detector,
                      "scene_snapshot", row->scene_snapshot),
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
    return vg_db_deployment_find(s, name, 0, out, err);
}

vg_status vg_store_deployment_list(vg_store *s, vg_deployment **out, int *n, vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_deployment_list: NULL argument");
    *out = NULL;
    *n = 0;
    return vg_db_deployment_list(s, out, n, err);
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
    st = vg_db_deployment_find(s, name, 0, d, err);
    if (st == VG_OK && d->ended_at != 0)
        st = vg_err_set(err, VG_ERR_INVALID, "deployment %s already ended (at %lld, by %s)", name,
                        (long long)d->ended_at, d->ended_by);
    if (st == VG_OK)
        st = vg_db_deployment_end(s, d->id, now, actor, err);
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
    return vg_db_audit_each(s, INT64_MIN, runs_row, &w, err);
}
