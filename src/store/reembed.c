/* reembed.c — vg_store_watchlist_reembed: every template of a watch list
 * made again from its subjects' sealed enrolment photos, by an embedder the
 * caller passes as a callback (the store knows no model), when the pack
 * changes.
 *
 * All or nothing: one write transaction holds the reads of the old
 * templates and photos, every callback, the deletions and insertions and
 * the watchlist.reembed audit entry, so a photo that no longer yields a
 * face, an error of the store, or a crash leaves the list exactly as it
 * was. Other writers wait meanwhile (a re-embedding is an administrator's
 * step taken when the pack changes, before deployments are made again).
 *
 * A subject whose new templates are bit-identical to its old ones (same
 * model id, same count, same floats: the embedder is deterministic) keeps
 * them, so a second run with the same pack writes nothing but its audit
 * entry. Decrypted photos and templates are zeroed before they are freed.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"

/* The list's templates as they are, decrypted. */
typedef struct old_set {
    const vg_store *s;
    int n, cap, dim_max;
    int64_t *subject_id;
    char (*model)[VG_STORE_NAME_MAX + 1];
    int *dim;
    float **vec;
} old_set;

static void old_free(old_set *o)
{
    for (int i = 0; i < o->n; i++) {
        if (o->vec[i])
            sodium_memzero(o->vec[i], (size_t)o->dim[i] * sizeof(float));
        free(o->vec[i]);
    }
    free(o->subject_id);
    free(o->model);
    free(o->dim);
    free(o->vec);
}

static vg_status old_row(void *ctx, const vg_store_template_row *r, vg_err *err)
{
    old_set *o = ctx;
    if (o->n == o->cap) {
        int cap = o->cap ? 2 * o->cap : 64;
        int64_t *sid = realloc(o->subject_id, (size_t)cap * sizeof *sid);
        if (sid)
            o->subject_id = sid;
        char(*model)[VG_STORE_NAME_MAX + 1] = realloc(o->model, (size_t)cap * sizeof *model);
        if (model)
            o->model = model;
        int *dim = realloc(o->dim, (size_t)cap * sizeof *dim);
        if (dim)
            o->dim = dim;
        float **vec = realloc(o->vec, (size_t)cap * sizeof *vec);
        if (vec)
            o->vec = vec;
        if (!sid || !model || !dim || !vec)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %d templates", o->n);
        o->cap = cap;
    }
    if (r->dim < 1 || r->dim > VG_STORE_DIM_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "template %lld has dimension %d: the row was altered",
                          (long long)r->id, r->dim);
    uint8_t *plain = NULL;
    size_t len = 0;
    if (vg_db_template_open(o->s, r, &plain, &len) != VG_OK || len != (size_t)r->dim * 4) {
        if (plain)
            sodium_memzero(plain, len);
        free(plain);
        return vg_err_set(err, VG_ERR_INVALID,
                          "template %lld of subject %lld does not decrypt to %d floats: the row was altered",
                          (long long)r->id, (long long)r->subject_id, r->dim);
    }
    float *v = malloc((size_t)r->dim * sizeof *v);
    if (v)
        vg_store_vec_decode(plain, r->dim, v);
    sodium_memzero(plain, len);
    free(plain);
    if (!v)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading templates");
    int i = o->n++;
    o->subject_id[i] = r->subject_id;
    snprintf(o->model[i], sizeof o->model[i], "%s", r->model_id);
    o->dim[i] = r->dim;
    o->vec[i] = v;
    return VG_OK;
}

/* The old templates' model: "" (none), the one, or "various". */
static void old_model(const old_set *o, char *out, size_t cap)
{
    snprintf(out, cap, "%s", o->n ? o->model[0] : "");
    for (int i = 1; i < o->n; i++)
        if (strcmp(o->model[i], o->model[0]) != 0) {
            snprintf(out, cap, "various");
            return;
        }
}

/* Whether the subject's old templates are exactly the n new ones. */
static int same_templates(const old_set *o, int64_t subject_id, const char *model_id, int dim, const float *vecs,
                          int n)
{
    int k = 0;
    for (int i = 0; i < o->n; i++) {
        if (o->subject_id[i] != subject_id)
            continue;
        if (k >= n || o->dim[i] != dim || strcmp(o->model[i], model_id) != 0 ||
            memcmp(o->vec[i], vecs + (size_t)k * (size_t)dim, (size_t)dim * sizeof(float)) != 0)
            return 0;
        k++;
    }
    return k == n;
}

/* One subject: every photo through fn; its templates replaced unless they
 * are unchanged. */
static vg_status reembed_subject(vg_store *s, const vg_subject *sub, const old_set *o, const char *model_id, int dim,
                                 vg_store_reembed_fn fn, void *ctx, float *vecs, float *quality,
                                 vg_reembed_result *r, vg_err *err)
{
    int n = 0;
    vg_status st = VG_OK;
    for (;; n++) {
        uint8_t *sealed = NULL, *jpeg = NULL;
        size_t sealed_len = 0, jpeg_len = 0;
        vg_err miss;
        r->failed_photo = n;
        st = vg_db_photo_get(s, sub->id, n, &sealed, &sealed_len, &miss);
        if (st == VG_ERR_NOT_FOUND) {
            st = VG_OK;
            break;
        }
        if (st) {
            *err = miss;
            break;
        }
        if (n >= VG_STORE_PHOTOS_MAX) {
            free(sealed);
            st = vg_err_set(err, VG_ERR_INVALID, "more than %d photos: the database was altered",
                            VG_STORE_PHOTOS_MAX);
            break;
        }
        if (vg_db_photo_open(s, sub->id, n, sealed, sealed_len, &jpeg, &jpeg_len) != VG_OK)
            st = vg_err_set(err, VG_ERR_INVALID, "the photo does not decrypt: the row was altered");
        free(sealed);
        if (!st) {
            st = fn(ctx, sub, n, jpeg, jpeg_len, vecs + (size_t)n * (size_t)dim, &quality[n], err);
            sodium_memzero(jpeg, jpeg_len);
        }
        free(jpeg);
        if (st)
            break;
        for (int j = 0; !st && j < dim; j++)
            if (!isfinite(vecs[(size_t)n * (size_t)dim + (size_t)j]))
                st = vg_err_set(err, VG_ERR_INVALID, "the embedder gave a value that is not finite");
        if (!st && !isfinite(quality[n]))
            quality[n] = 0;
        if (st)
            break;
        r->photos++;
    }
    if (!st && n == 0) {
        r->failed_photo = -1;
        st = vg_err_set(err, VG_ERR_INVALID, "no enrolment photo is stored: re-enrol the subject");
    }
    if (st)
        return st;
    r->failed_photo = -1;
    if (same_templates(o, sub->id, model_id, dim, vecs, n)) {
        r->subjects_unchanged++;
        return VG_OK;
    }
    int removed = 0;
    if ((st = vg_db_templates_delete(s, sub->id, &removed, err)))
        return st;
    r->templates_removed += removed;
    for (int k = 0; !st && k < n; k++) {
        /* sealed bound to its new row; a subject a supervisor accepted below
         * the quality limits stays marked: its photos are the same ones */
        st = vg_db_template_insert(s, sub->id, model_id, dim, quality[k], sub->low_quality > 0,
                                   vecs + (size_t)k * (size_t)dim, NULL, err);
        if (!st)
            r->templates_added++;
    }
    return st;
}

vg_status vg_store_watchlist_reembed(vg_store *s, const char *actor, const char *name, const char *model_id,
                                     const char *detector, int dim, vg_store_reembed_fn fn, void *ctx, vg_reembed_result *out,
                                     vg_err *err)
{
    vg_reembed_result dummy;
    vg_reembed_result *r = out ? out : &dummy;
    memset(r, 0, sizeof *r);
    r->failed_photo = -1;
    if (!s || !fn)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_reembed: NULL argument");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (!st)
        st = vg_check_text("watch list", name, VG_STORE_NAME_MAX, 1, err);
    if (!st)
        st = vg_check_text("model id", model_id, VG_STORE_NAME_MAX, 1, err);
    if (!detector)
        detector = "";
    if (!st)
        st = vg_check_text("detector", detector, VG_STORE_NAME_MAX, 0, err);
    if (!st && (dim < 1 || dim > VG_STORE_DIM_MAX))
        st = vg_err_set(err, VG_ERR_INVALID, "template dimension %d, outside 1..%d", dim, VG_STORE_DIM_MAX);
    if (st)
        return st;
    float *vecs = malloc((size_t)VG_STORE_PHOTOS_MAX * (size_t)dim * sizeof *vecs);
    float quality[VG_STORE_PHOTOS_MAX];
    if (!vecs)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    old_set o = {.s = s};
    vg_subject *subs = NULL;
    int n_subs = 0;
    vg_watchlist w;
    if ((st = vg_store_begin(s, err))) {
        free(vecs);
        return st;
    }
    st = vg_db_watchlist_find(s, name, 0, &w, err);
    if (!st)
        st = vg_db_subject_list(s, w.id, &subs, &n_subs, err);
    /* now 0: every template, of expired subjects too */
    if (!st)
        st = vg_db_templates_each(s, w.id, 0, old_row, &o, err);
    if (!st)
        old_model(&o, r->old_model, sizeof r->old_model);
    for (int i = 0; !st && i < n_subs; i++) {
        st = reembed_subject(s, &subs[i], &o, model_id, dim, fn, ctx, vecs, quality, r, err);
        if (st) {
            r->failed_subject = subs[i].id;
            if (r->failed_photo >= 0)
                vg_err_prefix(err, st, "subject %lld (%s), enrolment photo %d", (long long)subs[i].id,
                              subs[i].name, r->failed_photo + 1);
            else
                vg_err_prefix(err, st, "subject %lld (%s)", (long long)subs[i].id, subs[i].name);
        } else {
            r->subjects++;
        }
    }
    if (!st && r->templates_added)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, w.id, err);
    if (!st) {
        char object[VG_STORE_NAME_MAX + 16];
        snprintf(object, sizeof object, "watchlist:%s", w.name);
        st = vg_audit_append_json_tx(s, actor, "watchlist.reembed", object,
                                     json_pack("{s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:s,s:b}", "subjects", r->subjects,
                                               "photos", r->photos, "templates_removed", r->templates_removed,
                                               "templates_added", r->templates_added, "subjects_unchanged",
                                               r->subjects_unchanged, "old_model", r->old_model, "new_model",
                                               model_id, "detector", detector, "changed", r->templates_added > 0),
                                     err);
    }
    st = vg_store_end(s, st, err);
    if (st) {
        /* nothing was kept: the counts describe nothing */
        int64_t fs = r->failed_subject;
        int fp = r->failed_photo;
        memset(r, 0, sizeof *r);
        r->failed_subject = fs;
        r->failed_photo = fs ? fp : -1;
    }
    sodium_memzero(vecs, (size_t)VG_STORE_PHOTOS_MAX * (size_t)dim * sizeof *vecs);
    free(vecs);
    old_free(&o);
    vg_store_subject_free(subs);
    return st;
}
