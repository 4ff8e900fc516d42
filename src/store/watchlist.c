/* watchlist.c — vg_store_watchlist_*: create, read, list and purge watch
 * lists. Creation and purge are audited in the transaction that makes them
 * (watchlist.create, watchlist.purge); the audit entry names the list and
 * holds counts and who authorised it, never a template or a photo.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the watchlist table ---- */

static vg_status vg_db_watchlist_insert(vg_store *s, const vg_watchlist *w, int64_t *id,
                                        vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_insert(&q, s,
                                         "INSERT INTO watchlist (name, reason, authorised_by, "
                                         "created_at, expires_at, max_size) "
                                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                         "creating a watch list", err);
    if (st != VG_OK)
        return st;
    vg_sql_text(&q, 1, w->name);
    vg_sql_text(&q, 2, w->reason);
    vg_sql_text(&q, 3, w->authorised_by);
    vg_sql_i64(&q, 4, w->created_at);
    vg_sql_i64(&q, 5, w->expires_at);
    vg_sql_i64(&q, 6, w->max_size);
    st = vg_sql_run(&q, err);
    if (st == VG_OK)
        *id = vg_sql_last_id(&q);
    else if (q.fail == VG_SQL_UNIQUE)
        st = vg_err_set(err, VG_ERR_EXISTS, "a watch list named \"%s\" already exists", w->name);
    vg_sql_finish(&q);
    return st;
}

#define WATCHLIST_COLUMNS                                                                      \
    "SELECT w.id, w.name, w.reason, w.authorised_by, w.created_at, w.expires_at, w.max_size, " \
    "(SELECT count(*) FROM subject s WHERE s.watchlist_id = w.id), "                           \
    "(SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "                  \
    "  WHERE s.watchlist_id = w.id) FROM watchlist w "

static vg_status read_watchlist(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_watchlist *w = elem;
    memset(w, 0, sizeof *w);
    w->id = vg_sql_col_i64(q, 0);
    vg_sql_col_copy(q, 1, w->name, sizeof w->name);
    vg_sql_col_copy(q, 2, w->reason, sizeof w->reason);
    vg_sql_col_copy(q, 3, w->authorised_by, sizeof w->authorised_by);
    w->created_at = vg_sql_col_i64(q, 4);
    w->expires_at = vg_sql_col_i64(q, 5);
    w->max_size = (int)vg_sql_col_i64(q, 6);
    w->subjects = (int)vg_sql_col_i64(q, 7);
    w->templates = (int)vg_sql_col_i64(q, 8);
    return VG_OK;
}

vg_status vg_db_watchlist_find(vg_store *s, const char *name, int64_t id, vg_watchlist *out,
                               vg_err *err)
{
    return vg_sql_find_one(s, WATCHLIST_COLUMNS "WHERE w.name = ?1",
                           WATCHLIST_COLUMNS "WHERE w.id = ?1", name, id, read_watchlist, NULL,
                           out, "watch list", err);
}

static vg_status vg_db_watchlist_list(vg_store *s, vg_watchlist **out, int *n, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, WATCHLIST_COLUMNS "ORDER BY w.id", "listing watch lists",
                                  err);
    if (st != VG_OK)
        return st;
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_watchlist), read_watchlist, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}

/* Deletes the list's subjects (templates and photos with them), counted
 * first: inside the write transaction, nothing changes in between. */
static vg_status vg_db_watchlist_purge(vg_store *s, int64_t id, int *subjects, int *templates,
                                       vg_err *err)
{
    int64_t ns = 0, nt = 0;
    vg_status st = vg_sql_int(s, "SELECT count(*) FROM subject WHERE watchlist_id = ?1", 1, id,
                              &ns, "counting subjects", err);
    if (st == VG_OK)
        st = vg_sql_int(s,
                        "SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "
                        "WHERE s.watchlist_id = ?1",
                        1, id, &nt, "counting templates", err);
    if (st == VG_OK)
        st = vg_sql_exec_count(s, "DELETE FROM subject WHERE watchlist_id = ?1", 1, id, NULL,
                               "purging a watch list", err);
    if (st == VG_OK) {
        *subjects = (int)ns;
        *templates = (int)nt;
    }
    return st;
}

vg_status vg_db_watchlist_model(vg_store *s, int64_t watchlist_id, char *out, size_t cap,
                                vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT t.model_id FROM template t JOIN subject s "
                                  "ON s.id = t.subject_id WHERE s.watchlist_id = ?1 "
                                  "GROUP BY t.model_id ORDER BY count(*) DESC, t.model_id LIMIT 1",
                                  "reading a watch list's model", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, watchlist_id);
    out[0] = '\0';
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row)
        vg_sql_col_copy(&q, 0, out, cap);
    vg_sql_finish(&q);
    return st;
}


vg_status vg_store_watchlist_create(vg_store *s, const char *actor, const vg_watchlist *w,
                                    int64_t *id, vg_err *err)
{
    if (id)
        *id = 0;
    if (!s || !w)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_create: NULL argument");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_field("name", w->name, sizeof w->name, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_field("reason", w->reason, sizeof w->reason, VG_STORE_TEXT_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_field("authorised_by", w->authorised_by, sizeof w->authorised_by,
                            VG_STORE_NAME_MAX, 1, err);
    /* a name of blanks alone would be listed as if it had none (issue 14) */
    if (st == VG_OK && w->name[strspn(w->name, " \t\r\n\v\f")] == '\0')
        st = vg_err_set(err, VG_ERR_INVALID, "name is only whitespace: give the watch list a name");
    if (st != VG_OK)
        return st;
    int64_t now = vg_store_now(s);
    if (w->expires_at < 0)
        return vg_err_set(err, VG_ERR_INVALID, "expires_at %lld is negative",
                          (long long)w->expires_at);
    if (w->expires_at != 0 && w->expires_at <= now)
        return vg_err_set(err, VG_ERR_INVALID, "watch list \"%s\" would expire in the past",
                          w->name);
    if (w->max_size < 0)
        return vg_err_set(err, VG_ERR_INVALID, "max_size %d is negative", w->max_size);

    vg_watchlist row = *w;
    row.id = 0;
    row.created_at = now;
    row.subjects = row.templates = 0;
    int64_t new_id = 0;
    char object[VG_STORE_NAME_MAX + 64];
    snprintf(object, sizeof object, "watchlist:%s", row.name);

    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_watchlist_insert(s, &row, &new_id, err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(s, actor, "watchlist.create", object,
                        json_pack("{s:s, s:s, s:I, s:i}", "reason", row.reason, "authorised_by",
                                  row.authorised_by, "expires_at", (json_int_t)row.expires_at,
                                  "max_size", row.max_size),
                        err);
    st = vg_store_end(s, st, err);
    if (st == VG_OK && id)
        *id = new_id;
    return st;
}

vg_status vg_store_watchlist_get(vg_store *s, const char *name, vg_watchlist *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_get: NULL argument");
    vg_status st = vg_check_text("watch list name", name, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    return vg_db_watchlist_find(s, name, 0, out, err);
}

vg_status vg_store_watchlist_list(vg_store *s, vg_watchlist **out, int *n, vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_list: NULL argument");
    *out = NULL;
    *n = 0;
    return vg_db_watchlist_list(s, out, n, err);
}

void vg_store_watchlist_free(vg_watchlist *w)
{
    free(w);
}

vg_status vg_store_watchlist_purge(vg_store *s, const char *actor, const char *name,
                                   int *subjects, int *templates, vg_err *err)
{
    if (subjects)
        *subjects = 0;
    if (templates)
        *templates = 0;
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_purge: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("watch list name", name, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    char object[VG_STORE_NAME_MAX + 64];
    snprintf(object, sizeof object, "watchlist:%s", name);
    int ns = 0, nt = 0;
    vg_watchlist w;
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_watchlist_find(s, name, 0, &w, err);
    if (st == VG_OK)
        st = vg_db_watchlist_purge(s, w.id, &ns, &nt, err);
    if (st == VG_OK)
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, w.id, err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(s, actor, "watchlist.purge", object,
                        json_pack("{s:i, s:i}", "subjects", ns, "templates", nt), err);
    st = vg_store_end(s, st, err);
    if (st == VG_OK) {
        if (subjects)
            *subjects = ns;
        if (templates)
            *templates = nt;
    }
    return st;
}
