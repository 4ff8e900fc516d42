/* alert_query.c — vg_store_alert_query, _detail_get, _last_id: alerts
 * read page by page (after an id, up to a limit, by deployment and state)
 * with what an officer sees beside them: the subject's name, reason and
 * category, the watch list, and the decision with its note.
 *
 * These are the reads behind the HTTP API's alert list and its live feed,
 * which poll often: each backend answers them with one query (alert_query,
 * joins included). Nothing here is audited: no image is read.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static int known_state(const char *s)
{
    return !strcmp(s, "pending") || !strcmp(s, "confirmed") || !strcmp(s, "rejected") ||
           !strcmp(s, "no_action");
}

vg_status vg_store_alert_query(vg_store *s, const vg_alert_query *q, vg_alert_detail **out, int *n,
                               vg_err *err)
{
    if (!s || !q || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_query: NULL argument");
    *out = NULL;
    *n = 0;
    if (q->limit < 1 || q->limit > VG_STORE_ALERT_QUERY_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "limit %d is not from 1 to %d", q->limit,
                          VG_STORE_ALERT_QUERY_MAX);
    if (q->after < 0 || q->deployment_id < 0)
        return vg_err_set(err, VG_ERR_INVALID, "an alert or deployment id is negative");
    if (q->state && !known_state(q->state))
        return vg_err_set(err, VG_ERR_INVALID,
                          "state \"%s\" is not pending, confirmed, rejected or no_action", q->state);
    return s->be->alert_query(s->conn, q, out, n, err);
}

vg_status vg_store_alert_detail_get(vg_store *s, int64_t id, vg_alert_detail *out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_detail_get: NULL argument");
    if (id <= 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    vg_alert_query q = {.after = id - 1, .limit = 1};
    vg_alert_detail *v = NULL;
    int n = 0;
    vg_status st = vg_store_alert_query(s, &q, &v, &n, err);
    if (st != VG_OK)
        return st;
    if (n == 1 && v[0].alert.id == id)
        *out = v[0];
    else
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    free(v);
    return st;
}

vg_status vg_store_alert_last_id(vg_store *s, int64_t *id, vg_err *err)
{
    if (!id)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_last_id: NULL argument");
    *id = 0;
    vg_alert_query q = {.limit = 1, .newest_first = 1};
    vg_alert_detail *v = NULL;
    int n = 0;
    vg_status st = vg_store_alert_query(s, &q, &v, &n, err);
    if (st == VG_OK && n == 1)
        *id = v[0].alert.id;
    free(v);
    return st;
}
