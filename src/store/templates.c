/* templates.c — vg_store_templates_load: the decrypted templates of a watch
 * list, for the gallery, and the byte layout of a template before sealing.
 *
 * Only templates of subjects that have not expired at `now` are loaded (the
 * subject's own expiry, or when it has none its list's). Every one must have
 * been made with the caller's model: a gallery mixing two embedders would
 * compare incomparable vectors, so another model's templates fail the whole
 * load with the count and a request to re-enrol. A template that does not
 * decrypt under a key that passed the key check was altered: the load fails
 * naming it and its subject, and quarantines that subject (audited);
 * nothing is skipped silently. Quarantined subjects are left out, counted. The read and its templates.read
 * audit entry share one transaction: no templates leave the store unless the
 * read was recorded.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the template table ---- */

vg_status vg_db_template_insert(vg_store *s, int64_t subject_id, const char *model_id, int dim,
                                float quality, int low_quality, const float *vec, int64_t *id,
                                vg_err *err)
{
    /* the row first, for its id: the vector is sealed bound to it and to
     * its subject ("templates:<id>.<subject id>:vector") and written in the
     * same transaction */
    static const uint8_t none[1] = {0};
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO template (subject_id, model_id, dim, vector, "
                                         "quality, low_quality) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                         "adding a template", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, subject_id);
    vg_sql_text(&q, 2, model_id);
    vg_sql_i64(&q, 3, dim);
    vg_sql_blob(&q, 4, none, 0);
    vg_sql_f64(&q, 5, quality);
    vg_sql_i64(&q, 6, low_quality != 0);
    int64_t tid = 0;
    if ((st = vg_sql_run(&q, err)) == VG_OK)
        tid = vg_sql_last_id(&q);
    vg_sql_finish(&q);
    if (st != VG_OK)
        return st;
    size_t n = (size_t)dim * 4;
    uint8_t *plain = malloc(n);
    if (!plain)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory sealing a template");
    vg_store_vec_encode(vec, dim, plain);
    st = vg_db_sealed_put(s, "UPDATE template SET vector = ?2 WHERE id = ?1", "templates", tid,
                          subject_id, "vector", plain, n, "sealing a template", err);
    sodium_memzero(plain, n);
    free(plain);
    if (st == VG_OK && id)
        *id = tid;
    return st;
}

vg_status vg_db_templates_each(vg_store *s, int64_t watchlist_id, int64_t now,
                               vg_store_template_fn fn, void *ctx, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                  "WITH live AS ("
                                  "  SELECT s.id AS sid, CASE WHEN s.expires_at <> 0 "
                                  "    THEN s.expires_at ELSE w.expires_at END AS expiry "
                                  "  FROM subject s JOIN watchlist w ON w.id = s.watchlist_id "
                                  "  WHERE s.watchlist_id = ?1) "
                                  "SELECT t.id, t.subject_id, t.model_id, t.dim, t.vector "
                                  "FROM template t JOIN live ON live.sid = t.subject_id "
                                  "WHERE live.expiry = 0 OR live.expiry > ?2 ORDER BY t.id",
                                  "reading templates", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, watchlist_id);
    vg_sql_i64(&q, 2, now);
    int row = 0;
    while ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        vg_store_template_row r;
        size_t n;
        r.id = vg_sql_col_i64(&q, 0);
        r.subject_id = vg_sql_col_i64(&q, 1);
        r.model_id = vg_sql_col_text(&q, 2, &n);
        r.dim = (int)vg_sql_col_i64(&q, 3);
        r.sealed = vg_sql_col_blob(&q, 4, &r.sealed_len);
        if ((st = fn(ctx, &r, err)) != VG_OK)
            break;
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_templates_delete(vg_store *s, int64_t subject_id, int *n, vg_err *err)
{
    int64_t k = 0;
    vg_status st = vg_sql_exec_count(s, "DELETE FROM template WHERE subject_id = ?1", 1,
                                     subject_id, &k, "removing templates", err);
    if (st == VG_OK)
        *n = (int)k;
    return st;
}


vg_status vg_db_template_open(const vg_store *s, const vg_store_template_row *r, uint8_t **plain,
                              size_t *len)
{
    return vg_unseal_row(s->key, "templates", r->id, r->subject_id, "vector", r->sealed, r->sealed_len, plain,
                         len, NULL);
}

void vg_store_vec_encode(const float *v, int dim, uint8_t *out)
{
    for (int i = 0; i < dim; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        out[4 * i + 0] = (uint8_t)u;
        out[4 * i + 1] = (uint8_t)(u >> 8);
        out[4 * i + 2] = (uint8_t)(u >> 16);
        out[4 * i + 3] = (uint8_t)(u >> 24);
    }
}

void vg_store_vec_decode(const uint8_t *in, int dim, float *v)
{
    for (int i = 0; i < dim; i++) {
        uint32_t u = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
                     (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
        memcpy(&v[i], &u, 4);
    }
}

typedef struct load_ctx {
    const vg_store *s;
    const char *model_id;
    vg_template_set *t;
    int cap;
    int other;                                /* templates of another model */
    char other_model[VG_STORE_NAME_MAX + 1];  /* the first such model */
    int64_t *quarantined;                     /* the list's quarantined subjects, skipped */
    int n_quarantined;
    int64_t bad_subject, bad_template;        /* a template that does not decrypt */
} load_ctx;

static vg_status grow(load_ctx *c, vg_err *err)
{
    vg_template_set *t = c->t;
    if (t->n < c->cap)
        return VG_OK;
    int cap = c->cap ? c->cap * 2 : 256;
    int64_t *tid = realloc(t->template_id, (size_t)cap * sizeof *tid);
    if (tid)
        t->template_id = tid;
    int64_t *sid = realloc(t->subject_id, (size_t)cap * sizeof *sid);
    if (sid)
        t->subject_id = sid;
    /* vectors are secret: move them by hand so no stale copy stays behind */
    float *v = malloc((size_t)cap * (size_t)t->dim * sizeof *v);
    if (!tid || !sid || !v) {
        free(v);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory loading %d templates", t->n);
    }
    if (t->vecs) {
        memcpy(v, t->vecs, (size_t)t->n * (size_t)t->dim * sizeof *v);
        sodium_memzero(t->vecs, (size_t)t->n * (size_t)t->dim * sizeof *v);
        free(t->vecs);
    }
    t->vecs = v;
    c->cap = cap;
    return VG_OK;
}

static vg_status load_row(void *ctx, const vg_store_template_row *r, vg_err *err)
{
    load_ctx *c = ctx;
    vg_template_set *t = c->t;
    for (int i = 0; i < c->n_quarantined; i++)
        if (c->quarantined[i] == r->subject_id)
            return VG_OK;
    if (strcmp(r->model_id, c->model_id) != 0) {
        if (c->other++ == 0) {
            size_t n = strnlen(r->model_id, VG_STORE_NAME_MAX);
            memcpy(c->other_model, r->model_id, n);
            c->other_model[n] = '\0';
        }
        return VG_OK;
    }
    if (r->dim < 1 || r->dim > VG_STORE_DIM_MAX || (t->n > 0 && r->dim != t->dim))
        return vg_err_set(err, VG_ERR_INVALID,
                          "template %lld of subject %lld has dimension %d, others have %d: "
                          "the row was altered",
                          (long long)r->id, (long long)r->subject_id, r->dim, t->dim);
    if (t->n == 0)
        t->dim = r->dim;
    vg_status st = grow(c, err);
    if (st != VG_OK)
        return st;
    uint8_t *plain = NULL;
    size_t len = 0;
    if (vg_db_template_open(c->s, r, &plain, &len) != VG_OK) {
        c->bad_subject = r->subject_id;
        c->bad_template = r->id;
        return vg_err_set(err, VG_ERR_INVALID,
                          "template %lld of subject %lld does not decrypt: the row was altered "
                          "or its value moved from another row",
                          (long long)r->id, (long long)r->subject_id);
    }
    if (len != (size_t)t->dim * 4) {
        sodium_memzero(plain, len);
        free(plain);
        return vg_err_set(err, VG_ERR_INVALID,
                          "template %lld of subject %lld holds %zu bytes, not %d floats: the row "
                          "was altered",
                          (long long)r->id, (long long)r->subject_id, len, t->dim);
    }
    vg_store_vec_decode(plain, t->dim, t->vecs + (size_t)t->n * (size_t)t->dim);
    sodium_memzero(plain, len);
    free(plain);
    t->template_id[t->n] = r->id;
    t->subject_id[t->n] = r->subject_id;
    t->n++;
    return VG_OK;
}

/* A template that does not decrypt: a security fault. The load is refused,
 * and its subject quarantined (audited) so that the list is usable again
 * without it once an admin has seen the message. */
static vg_status quarantine_bad(vg_store *s, const char *actor, const char *list, int64_t subject,
                                int64_t template_id, vg_err *err)
{
    vg_subject sub;
    char name[VG_STORE_NAME_MAX + 1] = "?";
    if (vg_db_subject_get(s, subject, &sub, NULL) == VG_OK)
        snprintf(name, sizeof name, "%s", sub.name);
    char reason[160];
    snprintf(reason, sizeof reason, "template %lld does not decrypt: the row was altered", (long long)template_id);
    vg_err qerr = {{0}};
    vg_status q = vg_store_subject_quarantine(s, actor, subject, reason, &qerr);
    if (q != VG_OK)
        return vg_err_set(err, VG_ERR_INVALID,
                          "watch list %s: template %lld of subject %lld (%s) does not decrypt: the row was altered; "
                          "quarantining the subject failed too: %s",
                          list, (long long)template_id, (long long)subject, name, qerr.msg);
    return vg_err_set(err, VG_ERR_INVALID,
                      "watch list %s: template %lld of subject %lld (%s) does not decrypt: the row was altered. "
                      "The subject is now quarantined (audited): run again to go on without it, and have an admin "
                      "check it, then `vigil subject release %lld` or `vigil subject remove %lld`",
                      list, (long long)template_id, (long long)subject, name, (long long)subject,
                      (long long)subject);
}

vg_status vg_store_templates_load(vg_store *s, const char *actor, const char *purpose,
                                  int64_t watchlist_id, const char *model_id, int64_t now,
                                  vg_template_set *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_templates_load: NULL argument");
    memset(out, 0, sizeof *out);
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("purpose", purpose, VG_STORE_TEXT_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("model id", model_id, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (!now)
        now = vg_store_now(s);

    vg_watchlist w;
    memset(&w, 0, sizeof w);
    load_ctx c = {.s = s, .model_id = model_id, .t = out};
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_watchlist_find(s, NULL, watchlist_id, &w, err);
    if (st == VG_OK)
        st = vg_db_subject_quarantined(s, watchlist_id, &c.quarantined, &c.n_quarantined, err);
    if (st == VG_OK)
        st = vg_db_templates_each(s, watchlist_id, now, load_row, &c, err);
    if (st == VG_OK && c.other)
        st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                        "%d templates of watch list %s were made with another model (%s); "
                        "re-embed the list with this model (%s): vigil watchlist reembed %s",
                        c.other, w.name, c.other_model, model_id, w.name);
    if (st == VG_OK) {
        char object[VG_STORE_NAME_MAX + 64];
        snprintf(object, sizeof object, "watchlist:%s", w.name);
        st = vg_audit_append_json_tx(s, actor, "templates.read", object,
                                     json_pack("{s:s, s:i, s:s}", "purpose", purpose, "count",
                                               out->n, "model", model_id),
                                     err);
    }
    st = vg_store_end(s, st, err);
    free(c.quarantined);
    out->quarantined = c.n_quarantined;
    if (st != VG_OK) {
        vg_store_templates_free(out);
        if (c.bad_subject)
            return quarantine_bad(s, actor, w.name, c.bad_subject, c.bad_template, err);
        return st;
    }
    if (out->n == 0) {
        /* an empty set still has (empty) arrays: callers may memcpy from them */
        out->dim = 0;
        out->template_id = malloc(sizeof *out->template_id);
        out->subject_id = malloc(sizeof *out->subject_id);
        out->vecs = malloc(sizeof *out->vecs);
        if (!out->template_id || !out->subject_id || !out->vecs) {
            vg_store_templates_free(out);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
    }
    return VG_OK;
}

void vg_store_templates_free(vg_template_set *t)
{
    if (!t)
        return;
    if (t->vecs)
        sodium_memzero(t->vecs, (size_t)t->n * (size_t)t->dim * sizeof *t->vecs);
    free(t->vecs);
    free(t->template_id);
    free(t->subject_id);
    memset(t, 0, sizeof *t);
}
