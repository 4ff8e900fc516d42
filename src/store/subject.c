/* subject.c — vg_store_subject_* and vg_store_photo_get: enrolment of a
 * subject with its templates and photos, reading, listing and removal.
 *
 * An enrolment is one transaction: the subject row, every template and photo
 * (each sealed with its own nonce, bound to its row: "templates:<id>.<subject id>:vector",
 * "photos:<subject id>.<index>:jpeg") and the subject.add audit entry, so a
 * crash leaves the subject whole or absent.
 * The policy checks live here, not in a backend: field limits, the date of
 * birth, the under-18 rule at the store's clock, and the watch list's
 * maximum size (counted inside the transaction, so two enrolments cannot
 * both take the last place).
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the subject and photo tables ---- */

static vg_status vg_db_subject_insert(vg_store *s, const vg_subject *sub, int64_t *id,
                                      vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO subject (watchlist_id, name, reason, "
                                         "category, source, authorised_by, justification, dob, "
                                         "created_at, expires_at) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                                         "adding a subject", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, sub->watchlist_id);
    vg_sql_text(&q, 2, sub->name);
    vg_sql_text(&q, 3, sub->reason);
    vg_sql_text(&q, 4, sub->category);
    vg_sql_text(&q, 5, sub->source);
    vg_sql_text(&q, 6, sub->authorised_by);
    vg_sql_text(&q, 7, sub->justification);
    vg_sql_text(&q, 8, sub->dob);
    vg_sql_i64(&q, 9, sub->created_at);
    vg_sql_i64(&q, 10, sub->expires_at);
    if ((st = vg_sql_run(&q, err)) == VG_OK)
        *id = vg_sql_last_id(&q);
    vg_sql_finish(&q);
    return st;
}

#define SUBJECT_COLUMNS                                                                        \
    "SELECT s.id, s.watchlist_id, s.name, s.reason, s.category, s.source, s.authorised_by, "   \
    "s.justification, s.dob, s.created_at, s.expires_at, "                                     \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id), "                            \
    "(SELECT count(*) FROM template t WHERE t.subject_id = s.id AND t.low_quality <> 0) "      \
    "FROM subject s "

static vg_status read_subject(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_subject *s = elem;
    memset(s, 0, sizeof *s);
    s->id = vg_sql_col_i64(q, 0);
    s->watchlist_id = vg_sql_col_i64(q, 1);
    vg_sql_col_copy(q, 2, s->name, sizeof s->name);
    vg_sql_col_copy(q, 3, s->reason, sizeof s->reason);
    vg_sql_col_copy(q, 4, s->category, sizeof s->category);
    vg_sql_col_copy(q, 5, s->source, sizeof s->source);
    vg_sql_col_copy(q, 6, s->authorised_by, sizeof s->authorised_by);
    vg_sql_col_copy(q, 7, s->justification, sizeof s->justification);
    vg_sql_col_copy(q, 8, s->dob, sizeof s->dob);
    s->created_at = vg_sql_col_i64(q, 9);
    s->expires_at = vg_sql_col_i64(q, 10);
    s->templates = (int)vg_sql_col_i64(q, 11);
    s->low_quality = (int)vg_sql_col_i64(q, 12);
    return VG_OK;
}

vg_status vg_db_subject_get(vg_store *s, int64_t id, vg_subject *out, vg_err *err)
{
    return vg_sql_find_one(s, NULL, SUBJECT_COLUMNS "WHERE s.id = ?1", NULL, id, read_subject,
                           NULL, out, "subject", err);
}

vg_status vg_db_subject_list(vg_store *s, int64_t watchlist_id, vg_subject **out, int *n,
                             vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, SUBJECT_COLUMNS "WHERE s.watchlist_id = ?1 ORDER BY s.id",
                                  "listing subjects", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, watchlist_id);
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_subject), read_subject, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}

/* Deletes the subject (its templates and photos go with it, and its alerts
 * lose it: foreign keys). */
static vg_status vg_db_subject_delete(vg_store *s, int64_t id, vg_err *err)
{
    int64_t n = 0;
    vg_status st = vg_sql_exec_count(s, "DELETE FROM subject WHERE id = ?1", 1, id, &n,
                                     "removing a subject", err);
    if (st == VG_OK && n == 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return st;
}

#define PHOTO_FACE_COLUMNS                                                                    \
    "face_x1, face_y1, face_x2, face_y2, lm0x, lm0y, lm1x, lm1y, lm2x, lm2y, lm3x, lm3y, lm4x, lm4y"

/* The photo sealed bound to its row (subject, index): a photo copied to
 * another subject's row, or to another index, does not open. Beside it,
 * where the enrolment found the face (plain numbers; NULL when unknown). */
static vg_status vg_db_photo_insert(vg_store *s, int64_t subject_id, int idx,
                                    const uint8_t *jpeg, size_t jpeg_len, const vg_photo_face *face,
                                    vg_err *err)
{
    uint8_t *sealed = NULL;
    size_t len = 0;
    vg_status st = vg_seal_row(s->key, "photos", subject_id, idx, "jpeg", jpeg, jpeg_len, &sealed,
                               &len, err);
    if (st != VG_OK)
        return st;
    vg_sql q;
    st = vg_sql_prepare(&q, s,
                        "INSERT INTO photo (subject_id, idx, jpeg, " PHOTO_FACE_COLUMNS ") "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                        "?15, ?16, ?17)",
                        "adding a photo", err);
    if (st == VG_OK) {
        vg_sql_i64(&q, 1, subject_id);
        vg_sql_i64(&q, 2, idx);
        vg_sql_blob(&q, 3, sealed, len);
        for (int i = 0; i < 14; i++) {
            float v = i < 4 ? face->box[i] : face->lm[i - 4];
            if (face->known)
                vg_sql_f64(&q, 4 + i, v);
            else
                vg_sql_null(&q, 4 + i);
        }
        st = vg_sql_run(&q, err);
        vg_sql_finish(&q);
    }
    free(sealed);
    return st;
}

vg_status vg_db_photo_open(const vg_store *s, int64_t subject_id, int idx, const uint8_t *sealed,
                           size_t len, uint8_t **jpeg, size_t *jpeg_len)
{
    return vg_unseal_row(s->key, "photos", subject_id, idx, "jpeg", sealed, len, jpeg, jpeg_len,
                         NULL);
}
/* The face's place in photo idx (face->known 0 when none was recorded). */
static vg_status vg_db_photo_face_get(vg_store *s, int64_t subject_id, int idx, vg_photo_face *face,
                                      vg_err *err)
{
    memset(face, 0, sizeof *face);
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT " PHOTO_FACE_COLUMNS " FROM photo WHERE subject_id = ?1 AND idx = ?2",
                                  "reading where the face is in a photo", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, subject_id);
    vg_sql_i64(&q, 2, idx);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        int known = 1;
        for (int i = 0; i < 14; i++)
            known &= !vg_sql_col_null(&q, i);
        for (int i = 0; known && i < 14; i++) {
            float v = (float)vg_sql_col_f64(&q, i);
            if (i < 4)
                face->box[i] = v;
            else
                face->lm[i - 4] = v;
        }
        face->known = known;
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_photo_get(vg_store *s, int64_t subject_id, int idx, uint8_t **sealed,
                          size_t *len, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                  "SELECT jpeg FROM photo WHERE subject_id = ?1 AND idx = ?2",
                                  "reading a photo", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, subject_id);
    vg_sql_i64(&q, 2, idx);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK) {
        if (row)
            st = vg_sql_col_blob_copy(&q, 0, sealed, len, err);
        else
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "subject %lld has no photo %d",
                            (long long)subject_id, idx);
    }
    vg_sql_finish(&q);
    return st;
}


static vg_status check_subject(const vg_subject *sub, int64_t now, vg_err *err)
{
    vg_status st = vg_check_field("name", sub->name, sizeof sub->name, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_field("reason", sub->reason, sizeof sub->reason, VG_STORE_TEXT_MAX, 0, err);
    if (st == VG_OK)
        st = vg_check_field("category", sub->category, sizeof sub->category, VG_STORE_NAME_MAX, 0,
                            err);
    if (st == VG_OK)
        st = vg_check_field("source", sub->source, sizeof sub->source, VG_STORE_TEXT_MAX, 0, err);
    if (st == VG_OK)
        st = vg_check_field("authorised_by", sub->authorised_by, sizeof sub->authorised_by,
                            VG_STORE_NAME_MAX, 0, err);
    if (st == VG_OK)
        st = vg_check_field("justification", sub->justification, sizeof sub->justification,
                            VG_STORE_TEXT_MAX, 0, err);
    if (st == VG_OK && memchr(sub->dob, '\0', sizeof sub->dob) == NULL)
        st = vg_err_set(err, VG_ERR_INVALID, "dob is not terminated within its %zu bytes",
                        sizeof sub->dob);
    if (st == VG_OK && sub->dob[0])
        st = vg_check_dob(sub->dob, now, err);
    if (st != VG_OK)
        return st;
    if (sub->expires_at < 0)
        return vg_err_set(err, VG_ERR_INVALID, "expires_at %lld is negative",
                          (long long)sub->expires_at);
    if (sub->expires_at != 0 && sub->expires_at <= now)
        return vg_err_set(err, VG_ERR_INVALID, "subject \"%s\" would expire in the past",
                          sub->name);
    if (sub->dob[0] && vg_age_years(sub->dob, now) < 18 && !sub->justification[0])
        return vg_err_set(err, VG_ERR_INVALID,
                          "subject is under 18 (born %s): a --justification is required",
                          sub->dob);
    return VG_OK;
}

static vg_status check_photos(const vg_enrolment *p, int n, vg_err *err)
{
    if (!p || n < 1)
        return vg_err_set(err, VG_ERR_INVALID, "a subject needs at least one photo and template");
    if (n > VG_STORE_PHOTOS_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "%d photos for one subject, the limit is %d", n,
                          VG_STORE_PHOTOS_MAX);
    for (int i = 0; i < n; i++) {
        if (!p[i].vec || p[i].dim < 1 || p[i].dim > VG_STORE_DIM_MAX)
            return vg_err_set(err, VG_ERR_INVALID,
                              "template %d has dimension %d, outside 1..%d", i + 1, p[i].dim,
                              VG_STORE_DIM_MAX);
        if (p[i].dim != p[0].dim)
            return vg_err_set(err, VG_ERR_INVALID,
                              "template %d has dimension %d, template 1 has %d", i + 1,
                              p[i].dim, p[0].dim);
        for (int j = 0; j < p[i].dim; j++)
            if (!isfinite(p[i].vec[j]))
                return vg_err_set(err, VG_ERR_INVALID,
                                  "template %d holds a value that is not finite at %d", i + 1, j);
        if (!isfinite(p[i].quality))
            return vg_err_set(err, VG_ERR_INVALID, "quality of photo %d is not finite", i + 1);
        if (!p[i].jpeg || p[i].jpeg_len < 3)
            return vg_err_set(err, VG_ERR_INVALID, "photo %d is empty", i + 1);
        if (p[i].jpeg_len > VG_STORE_JPEG_MAX)
            return vg_err_set(err, VG_ERR_LIMIT, "photo %d is %zu bytes, the limit is %d", i + 1,
                              p[i].jpeg_len, VG_STORE_JPEG_MAX);
        if (p[i].jpeg[0] != 0xff || p[i].jpeg[1] != 0xd8 || p[i].jpeg[2] != 0xff)
            return vg_err_set(err, VG_ERR_INVALID, "photo %d is not a JPEG", i + 1);
        for (int j = 0; p[i].face.known && j < 14; j++)
            if (!isfinite(j < 4 ? p[i].face.box[j] : p[i].face.lm[j - 4]))
                return vg_err_set(err, VG_ERR_INVALID, "photo %d: where the face is holds a value that is "
                                  "not finite", i + 1);
        if (p[i].low_quality) {
            /* accepted below the limits: by whom and why, or not at all */
            char what[64];
            snprintf(what, sizeof what, "photo %d: the supervisor", i + 1);
            vg_status st = vg_check_text(what, p[i].low_quality_supervisor, VG_STORE_NAME_MAX, 1, err);
            if (st == VG_OK)
                st = vg_check_utf8(what, p[i].low_quality_supervisor, 1, err);
            snprintf(what, sizeof what, "photo %d: the justification", i + 1);
            if (st == VG_OK)
                st = vg_check_text(what, p[i].low_quality_justification, VG_STORE_TEXT_MAX, 1, err);
            if (st == VG_OK)
                st = vg_check_utf8(what, p[i].low_quality_justification, 1, err);
            if (st != VG_OK)
                return st;
        }
    }
    return VG_OK;
}

vg_status vg_store_subject_add(vg_store *s, const char *actor, const vg_subject *subject,
                               const char *model_id, const vg_enrolment *photos, int n,
                               int64_t *id, vg_err *err)
{
    if (id)
        *id = 0;
    if (!s || !subject)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_subject_add: NULL argument");
    int64_t now = vg_store_now(s);
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("model id", model_id, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = check_subject(subject, now, err);
    if (st == VG_OK)
        st = check_photos(photos, n, err);
    if (st != VG_OK)
        return st;

    vg_subject row = *subject;
    row.id = 0;
    row.created_at = now;
    row.templates = 0;
    int64_t sid = 0;
    vg_watchlist w;

    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_watchlist_find(s, NULL, row.watchlist_id, &w, err);
    if (st == VG_OK && w.max_size > 0 && w.subjects >= w.max_size)
        st = vg_err_set(err, VG_ERR_LIMIT, "watch list %s is full (%d of %d subjects)", w.name,
                        w.subjects, w.max_size);
    if (st == VG_OK)
        st = vg_db_subject_insert(s, &row, &sid, err);
    for (int i = 0; st == VG_OK && i < n; i++) {
        st = vg_db_template_insert(s, sid, model_id, photos[i].dim, photos[i].quality,
                                   photos[i].low_quality != 0, photos[i].vec, NULL, err);
        if (st == VG_OK)
            st = vg_db_photo_insert(s, sid, i, photos[i].jpeg, photos[i].jpeg_len, &photos[i].face, err);
    }
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, row.watchlist_id, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "subject:%lld", (long long)sid);
        json_t *details =
            json_pack("{s:s, s:i, s:s}", "watchlist", w.name, "templates", n, "model", model_id);
        /* a supervisor's acceptance below the quality limits: which photo,
         * by whom, why (texts only, never an image) */
        json_t *low = json_array();
        for (int i = 0; i < n && details && low; i++)
            if (photos[i].low_quality)
                json_array_append_new(low, json_pack("{s:i, s:s, s:s}", "photo", i + 1, "supervisor",
                                                     photos[i].low_quality_supervisor, "justification",
                                                     photos[i].low_quality_justification));
        if (details && low && json_array_size(low) > 0)
            json_object_set(details, "low_quality", low);
        json_decref(low);
        st = vg_audit_append_json_tx(s, actor, "subject.add", object, details, err);
    }
    st = vg_store_end(s, st, err);
    if (st == VG_OK && id)
        *id = sid;
    return st;
}

vg_status vg_store_subject_get(vg_store *s, int64_t id, vg_subject *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_subject_get: NULL argument");
    return vg_db_subject_get(s, id, out, err);
}

vg_status vg_store_subject_list(vg_store *s, int64_t watchlist_id, vg_subject **out, int *n,
                                vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_subject_list: NULL argument");
    *out = NULL;
    *n = 0;
    vg_watchlist w;
    vg_status st = vg_db_watchlist_find(s, NULL, watchlist_id, &w, err);
    if (st != VG_OK)
        return st;
    return vg_db_subject_list(s, watchlist_id, out, n, err);
}

void vg_store_subject_free(vg_subject *subjects)
{
    free(subjects);
}

vg_status vg_store_subject_remove(vg_store *s, const char *actor, int64_t id, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_subject_remove: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    vg_subject sub;
    vg_watchlist w;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_subject_get(s, id, &sub, err);
    if (st == VG_OK)
        st = vg_db_watchlist_find(s, NULL, sub.watchlist_id, &w, err);
    if (st == VG_OK)
        st = vg_db_subject_delete(s, id, err);
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, sub.watchlist_id, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "subject:%lld", (long long)id);
        st = vg_audit_append_json_tx(
            s, actor, "subject.remove", object,
            json_pack("{s:s, s:i}", "watchlist", w.name, "templates", sub.templates), err);
    }
    return vg_store_end(s, st, err);
}

static vg_status photo_read(vg_store *s, const char *actor, int64_t subject_id, int k, uint8_t **jpeg,
                           size_t *len, vg_photo_face *face, vg_err *err)
{
    if (!s || !jpeg || !len)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_photo_get: NULL argument");
    if (face)
        memset(face, 0, sizeof *face);
    *jpeg = NULL;
    *len = 0;
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (k < 0)
        return vg_err_set(err, VG_ERR_INVALID, "photo index %d is negative", k);
    vg_subject sub;
    uint8_t *sealed = NULL, *plain = NULL;
    size_t sealed_len = 0, plain_len = 0;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_subject_get(s, subject_id, &sub, err);
    if (st == VG_OK)
        st = vg_db_photo_get(s, subject_id, k, &sealed, &sealed_len, err);
    if (st == VG_OK && face)
        st = vg_db_photo_face_get(s, subject_id, k, face, err);
    if (st == VG_OK &&
        vg_db_photo_open(s, subject_id, k, sealed, sealed_len, &plain, &plain_len) != VG_OK)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "photo %d of subject %lld does not decrypt: the row was altered or its "
                        "value moved from another row",
                        k, (long long)subject_id);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "subject:%lld", (long long)subject_id);
        json_t *details = json_pack("{s:i}", "photo", k);
        if (details && face)
            json_object_set_new(details, "face", json_true());
        st = vg_audit_append_json_tx(s, actor, "photo.read", object, details, err);
    }
    st = vg_store_end(s, st, err);
    free(sealed);
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

vg_status vg_store_photo_get(vg_store *s, const char *actor, int64_t subject_id, int k,
                             uint8_t **jpeg, size_t *len, vg_err *err)
{
    return photo_read(s, actor, subject_id, k, jpeg, len, NULL, err);
}

vg_status vg_store_photo_face(vg_store *s, const char *actor, int64_t subject_id, int k,
                              uint8_t **jpeg, size_t *len, vg_photo_face *face, vg_err *err)
{
    if (!face)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_photo_face: NULL argument");
    return photo_read(s, actor, subject_id, k, jpeg, len, face, err);
}

/* ---- quarantine (issue 13): a subject taken out of matching ----
 *
 * A subject whose template does not decrypt (altered in the database) is
 * quarantined by vg_store_templates_load, and an admin may quarantine one
 * by hand; the gallery leaves quarantined subjects out until an admin
 * releases them. Each change is audited (subject.quarantine,
 * subject.release) in its own transaction and tells other nodes that the
 * list changed. */

/* Sets a subject's quarantine (at > 0, with a reason) or lifts it (at 0,
 * reason ""); VG_ERR_NOT_FOUND when there is no such subject. */
static vg_status vg_db_subject_quarantine_set(vg_store *s, int64_t id, int64_t at, const char *reason,
                                              vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "UPDATE subject SET quarantined_at = ?2, quarantine_reason = ?3 WHERE id = ?1",
                                  "quarantining a subject", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_i64(&q, 2, at);
    vg_sql_text(&q, 3, reason);
    st = vg_sql_run(&q, err);
    int64_t changed = st == VG_OK ? vg_sql_changes(&q) : 0;
    vg_sql_finish(&q);
    if (st == VG_OK && changed == 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no subject with id %lld", (long long)id);
    return st;
}

static vg_status read_id(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx, (void)err;
    *(int64_t *)elem = vg_sql_col_i64(q, 0);
    return VG_OK;
}

vg_status vg_db_subject_quarantined(vg_store *s, int64_t watchlist_id, int64_t **ids, int *n, vg_err *err)
{
    *ids = NULL;
    *n = 0;
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT id FROM subject WHERE watchlist_id = ?1 AND quarantined_at <> 0 ORDER BY id",
                                  "listing quarantined subjects", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, watchlist_id);
    void *out = NULL;
    st = vg_sql_collect(&q, sizeof(int64_t), read_id, NULL, &out, n, err);
    *ids = out;
    return st;
}

static int id_listed(const int64_t *ids, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static vg_status quarantine_set(vg_store *s, const char *actor, int64_t id, const char *reason, int on,
                                vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "subject quarantine: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK && on)
        st = vg_check_text("reason", reason, VG_STORE_TEXT_MAX, 1, err);
    if (st != VG_OK)
        return st;
    vg_subject sub;
    vg_watchlist w;
    int64_t *ids = NULL;
    int n = 0;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_subject_get(s, id, &sub, err);
    if (st == VG_OK)
        st = vg_db_watchlist_find(s, NULL, sub.watchlist_id, &w, err);
    if (st == VG_OK)
        st = vg_db_subject_quarantined(s, sub.watchlist_id, &ids, &n, err);
    if (st == VG_OK && on && id_listed(ids, n, id))
        st = vg_err_set(err, VG_ERR_INVALID, "subject %lld is already quarantined", (long long)id);
    if (st == VG_OK && !on && !id_listed(ids, n, id))
        st = vg_err_set(err, VG_ERR_INVALID, "subject %lld is not quarantined", (long long)id);
    free(ids);
    if (st == VG_OK)
        st = vg_db_subject_quarantine_set(s, id, on ? vg_store_now(s) : 0, on ? reason : "", err);
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, sub.watchlist_id, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "subject:%lld", (long long)id);
        st = vg_audit_append_json_tx(s, actor, on ? "subject.quarantine" : "subject.release", object,
                                     on ? json_pack("{s:s, s:s}", "watchlist", w.name, "reason", reason)
                                        : json_pack("{s:s}", "watchlist", w.name),
                                     err);
    }
    return vg_store_end(s, st, err);
}

vg_status vg_store_subject_quarantine(vg_store *s, const char *actor, int64_t id, const char *reason, vg_err *err)
{
    return quarantine_set(s, actor, id, reason, 1, err);
}

vg_status vg_store_subject_release(vg_store *s, const char *actor, int64_t id, vg_err *err)
{
    return quarantine_set(s, actor, id, NULL, 0, err);
}

vg_status vg_store_subject_quarantined(vg_store *s, int64_t watchlist_id, int64_t **ids, int *n, vg_err *err)
{
    if (!s || !ids || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_subject_quarantined: NULL argument");
    return vg_db_subject_quarantined(s, watchlist_id, ids, n, err);
}
