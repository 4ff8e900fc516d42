/* alert.c — vg_store_alert_*: store an alert with its probe face crop,
 * list alerts, read a crop.
 *
 * An alert and its alert.raise audit entry share one transaction; the crop
 * is sealed like an enrolled photo (seal.c) before the transaction starts.
 * The engine names every alert with a uid and may write one twice (a retry
 * after an error it could not classify): the uid is looked up inside the
 * transaction, so the second write stores nothing, audits nothing and
 * returns the first alert's id. Reading a crop is audited (alert.read): it
 * is biometric data of a passer-by who resembled someone listed.
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
    if (!jpeg || len < 3)
        return vg_err_set(err, VG_ERR_INVALID, "the face crop is empty");
    if (len > VG_STORE_JPEG_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "the face crop is %zu bytes, the limit is %d", len,
                          VG_STORE_JPEG_MAX);
    if (jpeg[0] != 0xff || jpeg[1] != 0xd8 || jpeg[2] != 0xff)
        return vg_err_set(err, VG_ERR_INVALID, "the face crop is not a JPEG");
    return VG_OK;
}

vg_status vg_store_alert_add(vg_store *s, const char *actor, const vg_alert *a,
                             const uint8_t *jpeg, size_t jpeg_len, int64_t *id, vg_err *err)
{
    if (id)
        *id = 0;
    if (!s || !a)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_add: NULL argument");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = check_alert(a, jpeg, jpeg_len, err);
    if (st != VG_OK)
        return st;

    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    if ((st = vg_seal(s->key, jpeg, jpeg_len, &sealed, &sealed_len, err)) != VG_OK)
        return st;
    vg_alert row = *a;
    row.id = 0;
    snprintf(row.state, sizeof row.state, "pending");
    if (row.raised_at == 0)
        row.raised_at = (double)vg_store_now(s);
    vg_deployment *d = malloc(sizeof *d);
    if (!d) {
        free(sealed);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory adding an alert");
    }
    int64_t aid = 0;
    vg_subject sub;

    if ((st = vg_store_begin(s, err)) != VG_OK)
        goto out;
    vg_err tmp;
    vg_status found = s->be->alert_find_uid(s->conn, row.uid, &aid, &tmp);
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
    st = s->be->deployment_find(s->conn, NULL, row.deployment_id, d, err);
    if (st == VG_OK)
        st = s->be->subject_get(s->conn, row.subject_id, &sub, err);
    if (st == VG_OK && sub.watchlist_id != d->watchlist_id)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "subject %lld is not on watch list %s of deployment %s",
                        (long long)sub.id, d->watchlist, d->name);
    if (st == VG_OK)
        st = s->be->alert_insert(s->conn, &row, sealed, sealed_len, &aid, err);
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_ALERT, aid, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "alert:%lld", (long long)aid);
        st = vg_audit_append_json6_tx(
            s, actor, "alert.raise", object,
            json_pack("{s:s, s:s, s:I, s:f, s:s}", "deployment", d->name, "camera", row.camera,
                      "subject", (json_int_t)row.subject_id, "score", (double)row.score, "uid",
                      row.uid),
            err);
    }
    st = vg_store_end(s, st, err);
out:
    free(d);
    free(sealed);
    if (st == VG_OK && id)
        *id = aid;
    return st;
}

vg_status vg_store_alert_get(vg_store *s, int64_t id, vg_alert *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_get: NULL argument");
    return s->be->alert_get(s->conn, id, out, NULL, NULL, err);
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
        vg_status st = s->be->deployment_find(s->conn, NULL, deployment_id, d, err);
        free(d);
        if (st != VG_OK)
            return st;
    }
    return s->be->alert_list(s->conn, deployment_id, out, n, err);
}

vg_status vg_store_alert_crop(vg_store *s, const char *actor, int64_t alert_id, uint8_t **jpeg,
                              size_t *len, vg_err *err)
{
    if (!s || !jpeg || !len)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_crop: NULL argument");
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
    if ((st = vg_store_begin(s, err)) != VG_OK) {
        free(d);
        return st;
    }
    st = s->be->alert_get(s->conn, alert_id, &a, &sealed, &sealed_len, err);
    if (st == VG_OK)
        st = s->be->deployment_find(s->conn, NULL, a.deployment_id, d, err);
    if (st == VG_OK && vg_unseal(s->key, sealed, sealed_len, &plain, &plain_len, NULL) != VG_OK)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "the face crop of alert %lld does not decrypt: the row was altered",
                        (long long)alert_id);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "alert:%lld", (long long)alert_id);
        st = vg_audit_append_json_tx(
            s, actor, "alert.read", object,
            json_pack("{s:s, s:s, s:I}", "deployment", d->name, "camera", a.camera, "subject",
                      (json_int_t)a.subject_id),
            err);
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
