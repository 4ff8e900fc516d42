/* alert.c — vg_store_alert_*: store an alert with its probe face crop
 * (and its scene snapshot where the deployment allows one), list alerts,
 * read a crop or a scene.
 *
 * An alert and its alert.raise audit entry share one transaction; the crop
 * is sealed like an enrolled photo (seal.c), bound to the alert's row
 * ("alerts:<id>:crop"): the row is inserted, then its crop sealed with its
 * id and written, in that transaction.
 * The engine names every alert with a uid and may write one twice (a retry
 * after an error it could not classify): the uid is looked up inside the
 * transaction, so the second write stores nothing, audits nothing and
 * returns the first alert's id. Reading a crop is audited (alert.read): it
 * is biometric data of a passer-by who resembled someone listed. The scene
 * (issue 15) is sealed the same way ("alerts:<id>:scene"), only for a
 * deployment whose scene_snapshot is 1, and its reading audited the same.
 *
 * The subject must be on the deployment's watch list; an alert outside the
 * deployment's window is not refused here (the engine decides when to match
 * and may commit an alert just after the end while it drains).
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the alert table ---- */

/* The alert with this uid: VG_ERR_NOT_FOUND when there is none. */
static vg_status vg_db_alert_find_uid(vg_store *s, const char *uid, int64_t *id, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT id FROM alert WHERE uid = ?1",
                                  "looking up an alert", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, uid);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK) {
        if (row)
            *id = vg_sql_col_i64(&q, 0);
        else
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with uid %s", uid);
    }
    vg_sql_finish(&q);
    return st;
}

/* a->subject_id and a->template_id 0 are stored as NULL; the crop (and the scene, when
 * given) is sealed bound to the new row and written into it. */
static vg_status vg_db_alert_insert(vg_store *s, const vg_alert *a, const uint8_t *jpeg,
                                    size_t jpeg_len, const uint8_t *scene, size_t scene_len, int64_t *id,
                                    vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO alert (uid, deployment_id, camera, "
                                         "subject_id, score, frame_time, raised_at, state, "
                                         "template_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                         "adding an alert", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, a->uid);
    vg_sql_i64(&q, 2, a->deployment_id);
    vg_sql_text(&q, 3, a->camera);
    if (a->subject_id)
        vg_sql_i64(&q, 4, a->subject_id);
    else
        vg_sql_null(&q, 4);
    vg_sql_f64(&q, 5, a->score);
    vg_sql_f64(&q, 6, a->frame_time);
    vg_sql_f64(&q, 7, a->raised_at);
    vg_sql_text(&q, 8, a->state);
    if (a->template_id > 0)
        vg_sql_i64(&q, 9, a->template_id);
    else
        vg_sql_null(&q, 9);
    if ((st = vg_sql_run(&q, err)) == VG_OK)
        *id = vg_sql_last_id(&q);
    vg_sql_finish(&q);
    if (st == VG_OK)
        st = vg_db_sealed_put(s, "UPDATE alert SET crop = ?2 WHERE id = ?1", "alerts", *id, -1, "crop",
                              jpeg, jpeg_len, "sealing an alert's crop", err);
    if (st == VG_OK && scene)
        st = vg_db_sealed_put(s, "UPDATE alert SET scene = ?2 WHERE id = ?1", "alerts", *id, -1, "scene",
                              scene, scene_len, "sealing an alert's scene", err);
    return st;
}

#define ALERT_COLUMNS                                                                           \
    "SELECT id, deployment_id, camera, coalesce(subject_id, 0), score, frame_time, raised_at, " \
    "state, uid FROM alert "

/* Columns 0..8 of ALERT_COLUMNS (and of alert_query.c's query) into a. */
void vg_db_alert_row(vg_sql *q, vg_alert *a)
{
    memset(a, 0, sizeof *a);
    a->id = vg_sql_col_i64(q, 0);
    a->deployment_id = vg_sql_col_i64(q, 1);
    vg_sql_col_copy(q, 2, a->camera, sizeof a->camera);
    a->subject_id = vg_sql_col_i64(q, 3);
    a->score = (float)vg_sql_col_f64(q, 4);
    a->frame_time = vg_sql_col_f64(q, 5);
    a->raised_at = vg_sql_col_f64(q, 6);
    vg_sql_col_copy(q, 7, a->state, sizeof a->state);
    vg_sql_col_copy(q, 8, a->uid, sizeof a->uid);
}

static vg_status read_alert(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_db_alert_row(q, elem);
    return VG_OK;
}

/* The sealed crop (scene 0) or scene (1) of an alert: VG_ERR_NOT_FOUND when there is none. */
static vg_status alert_sealed(vg_store *s, int64_t id, int scene, uint8_t **sealed, size_t *len, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                        scene ? "SELECT scene FROM alert WHERE id = ?1"
                                              : "SELECT crop FROM alert WHERE id = ?1",
                                        scene ? "reading an alert's scene" : "reading an alert's crop", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK) {
        if (!row)
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
        else if (vg_sql_col_null(&q, 0) && scene)
            st = vg_err_set(err, VG_ERR_NOT_FOUND,
                            "alert %lld has no scene snapshot (its deployment keeps none, it came "
                            "through the spool, or retention deleted it)",
                            (long long)id);
        else if (vg_sql_col_null(&q, 0))
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "the face crop of alert %lld was deleted",
                            (long long)id);
        else
            st = vg_sql_col_blob_copy(&q, 0, sealed, len, err);
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_alert_get(vg_store *s, int64_t id, vg_alert *out, uint8_t **sealed, size_t *len,
                          vg_err *err)
{
    vg_status st = vg_sql_find_one(s, NULL, ALERT_COLUMNS "WHERE id = ?1", NULL, id, read_alert,
                                   NULL, out, "alert", err);
    if (st != VG_OK || !sealed)
        return st;
    return alert_sealed(s, id, 0, sealed, len, err);
}

/* Alerts of a deployment (0: all) in id order (NULL when none). */
static vg_status vg_db_alert_list(vg_store *s, int64_t deployment_id, vg_alert **out, int *n,
                                  vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  deployment_id ? ALERT_COLUMNS "WHERE deployment_id = ?1 ORDER BY id"
                                                : ALERT_COLUMNS "ORDER BY id",
                                  "listing alerts", err);
    if (st != VG_OK)
        return st;
    if (deployment_id)
        vg_sql_i64(&q, 1, deployment_id);
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_alert), read_alert, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}


/* A JPEG given with an alert (what: "the face crop", "the scene"). */
static vg_status check_jpeg(const char *what, const uint8_t *jpeg, size_t len, vg_err *err)
{
    if (!jpeg || len < 3)
        return vg_err_set(err, VG_ERR_INVALID, "%s is empty", what);
    if (len > VG_STORE_JPEG_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "%s is %zu bytes, the limit is %d", what, len,
                          VG_STORE_JPEG_MAX);
    if (jpeg[0] != 0xff || jpeg[1] != 0xd8 || jpeg[2] != 0xff)
        return vg_err_set(err, VG_ERR_INVALID, "%s is not a JPEG", what);
    return VG_OK;
}

static vg_status check_alert(const vg_alert *a, const uint8_t *jpeg, size_t len, vg_err *err)
{
    vg_status st = vg_check_field("uid", a->uid, sizeof a->uid, sizeof a->uid - 1, 1, err);
    if (st != VG_OK)
        return st;
    for (const char *p = a->uid; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return vg_err_set(err, VG_ERR_INVALID,
                              "uid may hold only printable ASCII without spaces");
    st = vg_check_field("camera", a->camera, sizeof a->camera, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_utf8("camera", a->camera, 1, err);
    if (st == VG_OK && memchr(a->state, '\0', sizeof a->state) == NULL)
        st = vg_err_set(err, VG_ERR_INVALID, "state is not terminated within its %zu bytes",
                        sizeof a->state);
    if (st != VG_OK)
        return st;
    if (a->state[0] && strcmp(a->state, "pending") != 0)
        return vg_err_set(err, VG_ERR_INVALID,
                          "state of a new alert is \"%s\": it must be \"pending\" (or empty)",
                          a->state);
    if (!isfinite(a->score))
        return vg_err_set(err, VG_ERR_INVALID, "score is not finite");
    if (!isfinite(a->frame_time) || a->frame_time < 0)
        return vg_err_set(err, VG_ERR_INVALID, "frame_time %g is not a time", a->frame_time);
    if (!isfinite(a->raised_at) || a->raised_at < 0)
        return vg_err_set(err, VG_ERR_INVALID, "raised_at %g is not a time", a->raised_at);
    return check_jpeg("the face crop", jpeg, len, err);
}

vg_status vg_store_alert_add(vg_store *s, const char *actor, const vg_alert *a,
                             const uint8_t *jpeg, size_t jpeg_len, int64_t *id, vg_err *err)
{
    return vg_store_alert_add_with_scene(s, actor, a, jpeg, jpeg_len, NULL, 0, id, err);
}

vg_status vg_store_alert_add_with_scene(vg_store *s, const char *actor, const vg_alert *a,
                                        const uint8_t *jpeg, size_t jpeg_len, const uint8_t *scene,
                                        size_t scene_len, int64_t *id, vg_err *err)
{
    if (id)
        *id = 0;
    if (!s || !a)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_add: NULL argument");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = check_alert(a, jpeg, jpeg_len, err);
    if (st == VG_OK && (scene || scene_len))
        st = check_jpeg("the scene", scene, scene_len, err);
    if (st != VG_OK)
        return st;

    vg_alert row = *a;
    row.id = 0;
    snprintf(row.state, sizeof row.state, "pending");
    if (row.raised_at == 0)
        row.raised_at = (double)vg_store_now(s);
    vg_deployment *d = malloc(sizeof *d);
    if (!d)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory adding an alert");
    int64_t aid = 0;
    vg_subject sub;

    if ((st = vg_store_begin(s, err)) != VG_OK)
        goto out;
    vg_err tmp;
    vg_status found = vg_db_alert_find_uid(s, row.uid, &aid, &tmp);
    if (found == VG_OK) {
        st = vg_store_end(s, VG_OK, err); /* already stored: nothing to write */
        goto out;
    }
    if (found != VG_ERR_NOT_FOUND) {
        if (err)
            *err = tmp;
        st = vg_store_end(s, found, err);
        goto out;
    }
    st = vg_db_deployment_find(s, NULL, row.deployment_id, d, err);
    if (st == VG_OK)
        st = vg_db_subject_get(s, row.subject_id, &sub, err);
    if (st == VG_OK && sub.watchlist_id != d->watchlist_id)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "subject %lld is not on watch list %s of deployment %s",
                        (long long)sub.id, d->watchlist, d->name);
    if (st == VG_OK && scene && !d->scene_snapshot)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "deployment %s keeps no scene snapshots (it was created without "
                        "--scene-snapshot): the alert with its scene is not stored",
                        d->name);
    if (st == VG_OK)
        st = vg_db_alert_insert(s, &row, jpeg, jpeg_len, scene, scene_len, &aid, err);
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_ALERT, aid, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "alert:%lld", (long long)aid);
        json_t *details = json_pack("{s:s, s:s, s:I, s:f, s:s}", "deployment", d->name, "camera", row.camera,
                                    "subject", (json_int_t)row.subject_id, "score", (double)row.score, "uid",
                                    row.uid);
        if (details && scene) /* a scene snapshot was kept (never the image) */
            json_object_set_new(details, "scene", json_true());
        st = vg_audit_append_json6_tx(s, actor, "alert.raise", object, details, err);
    }
    st = vg_store_end(s, st, err);
out:
    free(d);
    if (st == VG_OK && id)
        *id = aid;
    return st;
}

vg_status vg_store_alert_get(vg_store *s, int64_t id, vg_alert *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_get: NULL argument");
    return vg_db_alert_get(s, id, out, NULL, NULL, err);
}

vg_status vg_store_alert_list(vg_store *s, int64_t deployment_id, vg_alert **out, int *n,
                               vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_list: NULL argument");
    *out = NULL;
    *n = 0;
    if (deployment_id < 0)
        return vg_err_set(err, VG_ERR_INVALID, "deployment id %lld is negative",
                          (long long)deployment_id);
    if (deployment_id) {
        vg_deployment *d = malloc(sizeof *d);
        if (!d)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory listing alerts");
        vg_status st = vg_db_deployment_find(s, NULL, deployment_id, d, err);
        free(d);
        if (st != VG_OK)
            return st;
    }
    return vg_db_alert_list(s, deployment_id, out, n, err);
}

/* The crop (scene 0) or the scene (1) of an alert, opened and audited. */
static vg_status alert_image(vg_store *s, const char *actor, int64_t alert_id, int scene, uint8_t **jpeg,
                             size_t *len, vg_err *err)
{
    *jpeg = NULL;
    *len = 0;
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    vg_deployment *d = malloc(sizeof *d);
    if (!d)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading an alert");
    vg_alert a;
    uint8_t *sealed = NULL, *plain = NULL;
    size_t sealed_len = 0, plain_len = 0;
    const char *column = scene ? "scene" : "crop";
    if ((st = vg_store_begin(s, err)) != VG_OK) {
        free(d);
        return st;
    }
    st = vg_db_alert_get(s, alert_id, &a, NULL, NULL, err);
    if (st == VG_OK)
        st = alert_sealed(s, alert_id, scene, &sealed, &sealed_len, err);
    if (st == VG_OK)
        st = vg_db_deployment_find(s, NULL, a.deployment_id, d, err);
    if (st == VG_OK && vg_unseal_row(s->key, "alerts", alert_id, -1, column, sealed, sealed_len,
                                     &plain, &plain_len, NULL) != VG_OK)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "the %s of alert %lld does not decrypt: the row was altered or "
                        "its value moved from another row",
                        scene ? "scene snapshot" : "face crop", (long long)alert_id);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "alert:%lld", (long long)alert_id);
        json_t *details = json_pack("{s:s, s:s, s:I}", "deployment", d->name, "camera", a.camera, "subject",
                                    (json_int_t)a.subject_id);
        if (details && scene)
            json_object_set_new(details, "image", json_string("scene"));
        st = vg_audit_append_json_tx(s, actor, "alert.read", object, details, err);
    }
    st = vg_store_end(s, st, err);
    free(sealed);
    free(d);
    if (st != VG_OK) {
        if (plain)
            sodium_memzero(plain, plain_len);
        free(plain);
        return st;
    }
    *jpeg = plain;
    *len = plain_len;
    return VG_OK;
}

vg_status vg_store_alert_crop(vg_store *s, const char *actor, int64_t alert_id, uint8_t **jpeg,
                              size_t *len, vg_err *err)
{
    if (!s || !jpeg || !len)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_crop: NULL argument");
    return alert_image(s, actor, alert_id, 0, jpeg, len, err);
}

vg_status vg_store_alert_scene(vg_store *s, const char *actor, int64_t alert_id, uint8_t **jpeg,
                               size_t *len, vg_err *err)
{
    if (!s || !jpeg || !len)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_scene: NULL argument");
    return alert_image(s, actor, alert_id, 1, jpeg, len, err);
}
