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
    st = s->be->watchlist_insert(s->conn, &row, &new_id, err);
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
    return s->be->watchlist_find(s->conn, name, 0, out, err);
}

vg_status vg_store_watchlist_list(vg_store *s, vg_watchlist **out, int *n, vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_watchlist_list: NULL argument");
    *out = NULL;
    *n = 0;
    return s->be->watchlist_list(s->conn, out, n, err);
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
    st = s->be->watchlist_find(s->conn, name, 0, &w, err);
    if (st == VG_OK)
        st = s->be->watchlist_purge(s->conn, w.id, &ns, &nt, err);
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
