/* api_watchlists.c — the write side of watch lists over HTTP: creating a
 * list, listing its subjects, enrolling a subject from an uploaded photo
 * through the same gate and code as `vigil subject add` (vg_enrol_prepare
 * without the store lock, then vg_enrol_commit under it),
 * removing one, serving an enrolled photo (an audited read) or the face in
 * it, upright with a margin, for the console's card (vg_face_portrait), and
 * re-embedding a list with the server's pack (vg_watchlist_reembed: one
 * store transaction, so the store lock is held while it runs). Every
 * change is made under the caller's name (the store audits it) and then the
 * running engine's gallery is rebuilt (reload.c). A refused upload stores
 * nothing: no subject, no photo, no audit entry. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "vigil/watchlist.h"

static void lock(vg_request *r)
{
    pthread_mutex_lock(&r->srv->store_mu);
}

static void unlock(vg_request *r)
{
    pthread_mutex_unlock(&r->srv->store_mu);
}

static json_t *watchlist_json(const vg_watchlist *w)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:i, s:i, s:i}", "id", (json_int_t)w->id, "name", w->name,
                     "reason", w->reason, "authorised_by", w->authorised_by, "created_at",
                     (json_int_t)w->created_at, "expires_at", (json_int_t)w->expires_at, "max_size",
                     w->max_size, "subjects", w->subjects, "templates", w->templates);
}

static json_t *subject_json(const vg_subject *s)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:i}", "id", (json_int_t)s->id,
                     "watchlist_id", (json_int_t)s->watchlist_id, "name", s->name, "reason", s->reason,
                     "category", s->category, "source", s->source, "authorised_by", s->authorised_by,
                     "justification", s->justification, "dob", s->dob, "created_at", (json_int_t)s->created_at,
                     "expires_at", (json_int_t)s->expires_at, "templates", s->templates, "low_quality",
                     s->low_quality);
}

/* The watch list with this id (under the lock). */
static vg_status watchlist_by_id(vg_request *r, int64_t id, vg_watchlist *out, vg_err *err)
{
    vg_watchlist *all = NULL;
    int n = 0;
    vg_status st = vg_store_watchlist_list(r->srv->store, &all, &n, err);
    if (st != VG_OK)
        return st;
    st = vg_err_set(err, VG_ERR_NOT_FOUND, "no watch list with id %lld", (long long)id);
    for (int i = 0; i < n; i++)
        if (all[i].id == id) {
            *out = all[i];
            st = VG_OK;
            if (err)
                err->msg[0] = '\0';
        }
    vg_store_watchlist_free(all);
    return st;
}

/* After a change to list wl: the engine matches against the new list. A
 * failure is logged (the change itself stands). */
static void reload(vg_request *r, int64_t wl)
{
    vg_err err = {{0}};
    if (vg_server_gallery_reload(r->srv, wl, r->session.user, &err) != VG_OK) {
        vg_log_line l;
        vg_log_start(&l, "gallery_not_reloaded");
        vg_log_fmt(&l, "watchlist", "%lld", (long long)wl);
        vg_log_str(&l, "reason", err.msg);
        vg_server_log(r->srv, &l);
    }
}

enum MHD_Result vg_api_watchlist_create(vg_request *r)
{
    vg_body_watchlist b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_watchlist(r->body, r->body_len, &b, field, msg) != VG_OK)
        return vg_http_body_error(r, field, msg);
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    memcpy(w.name, b.name, sizeof w.name);
    memcpy(w.reason, b.reason, sizeof w.reason);
    memcpy(w.authorised_by, b.authorised_by, sizeof w.authorised_by);
    w.expires_at = b.expires_at;
    w.max_size = b.max_size;
    vg_err err = {{0}};
    int64_t id = 0;
    vg_watchlist made;
    lock(r);
    int exists = vg_store_watchlist_get(r->srv->store, w.name, &made, NULL) == VG_OK;
    vg_status st = exists ? VG_OK : vg_store_watchlist_create(r->srv->store, r->session.user, &w, &id, &err);
    if (!exists && st == VG_OK)
        st = vg_store_watchlist_get(r->srv->store, w.name, &made, &err);
    unlock(r);
    if (exists)
        return vg_http_error(r, MHD_HTTP_CONFLICT, "a watch list with this name already exists", "name");
    if (st == VG_ERR_INVALID) /* the store's checks say "name ..." first when it is the name */
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, err.msg, strncmp(err.msg, "name", 4) ? NULL : "name");
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_json(r, MHD_HTTP_CREATED, json_pack("{s:o}", "watchlist", watchlist_json(&made)));
}

enum MHD_Result vg_api_subjects(vg_request *r)
{
    vg_watchlist w;
    vg_subject *s = NULL;
    int n = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = watchlist_by_id(r, r->id, &w, &err);
    if (st == VG_OK)
        st = vg_store_subject_list(r->srv->store, w.id, &s, &n, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        arr = vg_json_push(arr, subject_json(&s[i]));
    vg_store_subject_free(s);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:o, s:o}", "watchlist", watchlist_json(&w), "subjects", arr));
}

/* 422: the gate (or the duplicate check) refused the photo, with every
 * reason, and what the gate found in each photo (the crop included: it goes
 * back to the uploader only, never to the store or a log). */
static enum MHD_Result refused(vg_request *r, const vg_enrol_refusal *why, const vg_enrol_report *rep,
                               const char *msg)
{
    json_t *reasons = json_array();
    for (int i = 0; i < why->reasons.n; i++) {
        /* the gate speaks of the CLI's --face option; here it is a field */
        int n = 0, last = 0, k = 0;
        char said[sizeof why->reasons.reason[0]];
        const char *text = why->reasons.reason[i], *hint = strstr(text, ": a duplicate? --allow-duplicate");
        if (sscanf(text, "%d faces found: choose one with --face 0..%d%n", &n, &last, &k) == 2 && k > 0) {
            snprintf(said, sizeof said, "%d faces found: choose one with \"face\": 0 to %d", n, last);
            text = said;
        } else if (hint) {
            snprintf(said, sizeof said, "%.*s", (int)(hint - text), text);
            text = said;
        }
        json_array_append_new(reasons, json_string(text));
    }
    json_t *o = json_pack("{s:s, s:s, s:o}", "error", msg, "field", "photo", "reasons", reasons);
    if (o && rep)
        json_object_set_new(o, "photos", vg_enrol_report_json(rep, 1));
    return vg_http_json(r, 422, o);
}

enum MHD_Result vg_api_subject_create(vg_request *r)
{
    if (!r->srv->pack)
        return vg_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "this server has no model pack: photos cannot be enrolled here", "photo");
    vg_body_subject b;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    if (vg_body_parse_subject(r->body, r->body_len, &b, field, msg) != VG_OK)
        return vg_http_body_error(r, field, msg);
    /* the body's text is no longer needed: free it before the heavy work */
    free(r->body);
    r->body = NULL;
    r->body_len = r->body_cap = 0;

    vg_subject s;
    memset(&s, 0, sizeof s);
    memcpy(s.name, b.name, sizeof s.name);
    memcpy(s.reason, b.reason, sizeof s.reason);
    memcpy(s.category, b.category, sizeof s.category);
    memcpy(s.source, b.source, sizeof s.source);
    memcpy(s.justification, b.justification, sizeof s.justification);
    memcpy(s.dob, b.dob, sizeof s.dob);
    s.expires_at = b.expires_at;
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.face_index = b.face;
    opt.allow_duplicate = b.allow_duplicate;
    opt.want_crops = 1;
    /* below the limits: the written justification, and the supervisor named
     * or else the admin who sends it (the route is admin only) */
    if (b.accept_low_quality[0]) {
        opt.low_quality_justification = b.accept_low_quality;
        opt.low_quality_supervisor = b.supervisor[0] ? b.supervisor : r->session.user;
    }
    vg_enrol_photo photo[VG_BODY_PHOTOS_MAX];
    char labels[VG_BODY_PHOTOS_MAX][16];
    int np = b.n_photos;
    for (int i = 0; i < np; i++) {
        snprintf(labels[i], sizeof labels[i], "photos[%d]", i);
        photo[i] = (vg_enrol_photo){b.photos[i], b.photos_len[i], np == 1 ? "upload" : labels[i]};
    }
    vg_enrol_report *rep = NULL;
    vg_enrol_refusal why;
    memset(&why, 0, sizeof why);
    vg_watchlist w;
    vg_subject made;
    int64_t id = 0;
    vg_err err = {{0}};
    /* the gate and the models first, without the store: other requests go on */
    vg_enrol_prepared *prep = NULL;
    vg_status st = vg_enrol_prepare_report(r->srv->pack, photo, np, &opt, &prep, &rep, &why, &err);
    vg_body_subject_free(&b);
    if (st == VG_OK) {
        lock(r);
        st = watchlist_by_id(r, r->id, &w, &err);
        if (st == VG_OK) {
            s.watchlist_id = w.id;
            memcpy(s.authorised_by, b.authorised_by[0] ? b.authorised_by : w.authorised_by, sizeof s.authorised_by);
            st = vg_enrol_commit(r->srv->pack, r->srv->store, r->session.user, &s, prep, &opt, &id, &why, &err);
        }
        if (st == VG_OK)
            st = vg_store_subject_get(r->srv->store, id, &made, &err);
        if (st == VG_OK)
            reload(r, w.id);
        unlock(r);
    }
    vg_enrol_prepared_free(prep);
    enum MHD_Result ret;
    if (st != VG_OK) {
        switch (why.stage) {
        case VG_ENROL_DECODE:
            if (np == 1) {
                char m[sizeof err.msg + 64];
                snprintf(m, sizeof m, "%s (%s)",
                         st == VG_ERR_LIMIT ? "photo: too many pixels"
                                            : "photo: not an image that can be decoded (JPEG or PNG)",
                         err.msg);
                ret = vg_http_error(r, MHD_HTTP_BAD_REQUEST, m, "photo");
                break;
            }
            /* several photos, none decoded nor passing: as the gate's refusal */
            /* fall through */
        case VG_ENROL_GATE:
            ret = refused(r, &why, rep,
                          np == 1 ? "the enrolment quality gate refused the photo"
                                  : "the enrolment quality gate refused every photo");
            break;
        case VG_ENROL_DUPLICATE:
            ret = refused(r, &why, rep,
                          "the face matches another subject of this watch list (allow_duplicate: true "
                          "enrols it anyway)");
            break;
        default:
            if (st == VG_ERR_LIMIT)
                ret = vg_http_error(r, MHD_HTTP_CONFLICT, err.msg, NULL); /* the list is full */
            else if (st == VG_ERR_INVALID)
                ret = vg_http_error(r, MHD_HTTP_BAD_REQUEST, err.msg, NULL);
            else
                ret = vg_http_store_error(r, st, &err);
        }
        vg_enrol_report_free(rep);
        return ret;
    }
    /* the photos kept and the ones refused, each with what the gate found */
    json_t *o = json_pack("{s:o, s:i, s:i, s:i}", "subject", subject_json(&made), "templates", rep->kept,
                          "refused", rep->n - rep->kept, "low_quality", rep->low_quality);
    if (o)
        json_object_set_new(o, "photos", vg_enrol_report_json(rep, 1));
    vg_enrol_report_free(rep);
    return vg_http_json(r, MHD_HTTP_CREATED, o);
}

enum MHD_Result vg_api_subject_remove(vg_request *r)
{
    vg_subject s;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_subject_get(r->srv->store, r->id, &s, &err);
    if (st == VG_OK)
        st = vg_store_subject_remove(r->srv->store, r->session.user, r->id, &err);
    if (st == VG_OK)
        reload(r, s.watchlist_id);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_json(r, MHD_HTTP_OK, json_pack("{s:I}", "removed", (json_int_t)r->id));
}

enum MHD_Result vg_api_subject_photo(vg_request *r)
{
    uint8_t *jpeg = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_photo_get(r->srv->store, r->session.user, r->id, 0, &jpeg, &len, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_bytes(r, MHD_HTTP_OK, "image/jpeg", jpeg, len);
}

/* The card's picture: 256 x 320, as the face's aligned crop is shown */
#define FACE_W 256
#define FACE_H 320
#define FACE_JPEG_QUALITY 90

/* The face of the photo upright with a margin, as JPEG (*out NULL: the
 * photo could not be decoded or warped; the caller sends the photo). */
static void face_jpeg(const uint8_t *jpeg, size_t len, const vg_photo_face *face, uint8_t **out, size_t *out_len)
{
    vg_image *img = NULL, *crop = NULL;
    vg_point lm[VG_LM_COUNT];
    for (int i = 0; i < VG_LM_COUNT; i++)
        lm[i] = (vg_point){face->lm[2 * i], face->lm[2 * i + 1]};
    *out = NULL;
    *out_len = 0;
    if (vg_image_decode_photo(jpeg, len, 0, &img, NULL) == VG_OK &&
        vg_face_portrait(img, lm, FACE_W, FACE_H, &crop, NULL) == VG_OK)
        vg_image_encode_jpeg(crop, FACE_JPEG_QUALITY, out, out_len, NULL);
    vg_image_free(crop);
    vg_image_free(img);
}

enum MHD_Result vg_api_subject_face(vg_request *r)
{
    uint8_t *jpeg = NULL, *crop = NULL;
    size_t len = 0, crop_len = 0;
    vg_photo_face face;
    vg_err err = {{0}};
    lock(r);
    vg_status st = vg_store_photo_face(r->srv->store, r->session.user, r->id, 0, &jpeg, &len, &face, &err);
    unlock(r);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    /* enrolled before the face's place was kept: the whole photo */
    if (face.known)
        face_jpeg(jpeg, len, &face, &crop, &crop_len);
    if (!crop)
        return vg_http_bytes(r, MHD_HTTP_OK, "image/jpeg", jpeg, len);
    sodium_memzero(jpeg, len);
    free(jpeg);
    return vg_http_bytes(r, MHD_HTTP_OK, "image/jpeg", crop, crop_len);
}

enum MHD_Result vg_api_watchlist_reembed(vg_request *r)
{
    if (!r->srv->pack)
        return vg_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "this server has no model pack: templates cannot be made here", NULL);
    vg_watchlist w;
    vg_reembed_result res;
    memset(&res, 0, sizeof res);
    vg_err err = {{0}};
    /* the whole re-embedding is one store transaction: the store lock is held throughout */
    lock(r);
    vg_status st = watchlist_by_id(r, r->id, &w, &err);
    if (st == VG_OK)
        st = vg_watchlist_reembed(r->srv->pack, r->srv->store, r->session.user, w.name, &res, &err);
    if (st == VG_OK && res.templates_added)
        reload(r, w.id);
    unlock(r);
    if (st != VG_OK && res.failed_subject)
        return vg_http_json(r, 422,
                            json_pack("{s:s, s:I, s:i}", "error", err.msg, "subject_id", (json_int_t)res.failed_subject,
                                      "photo", res.failed_photo + 1));
    if (st == VG_ERR_INVALID)
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, err.msg, NULL);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    return vg_http_json(r, MHD_HTTP_OK,
                        json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:b}", "watchlist", w.name, "subjects",
                                  res.subjects, "photos", res.photos, "templates_removed", res.templates_removed,
                                  "templates_added", res.templates_added, "subjects_unchanged",
                                  res.subjects_unchanged, "old_model", res.old_model, "new_model",
                                  vg_face_pack_model_id(r->srv->pack), "detector",
                                  vg_face_pack_detector(r->srv->pack), "changed", res.templates_added > 0));
}
