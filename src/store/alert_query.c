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
#include "store/sql.h"

/* The alerts matching q (validated above), with subject, watch list and
 * decision, into a malloc'd array (NULL when none), in one query. */
static vg_status read_alert_detail(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    (void)err;
    vg_alert_detail *d = elem;
    vg_db_alert_row(q, &d->alert); /* columns 0..8 */
    vg_sql_col_copy(q, 9, d->subject_name, sizeof d->subject_name);
    vg_sql_col_copy(q, 10, d->subject_reason, sizeof d->subject_reason);
    vg_sql_col_copy(q, 11, d->subject_category, sizeof d->subject_category);
    vg_sql_col_copy(q, 12, d->watchlist, sizeof d->watchlist);
    vg_sql_col_copy(q, 13, d->adjudicated_by, sizeof d->adjudicated_by);
    d->adjudicated_at = vg_sql_col_i64(q, 14);
    vg_sql_col_copy(q, 15, d->note, sizeof d->note);
    d->low_quality = vg_sql_col_i64(q, 16) != 0;
    d->has_scene = vg_sql_col_i64(q, 17) != 0;
    return VG_OK;
}

static vg_status vg_db_alert_query(vg_store *s, const vg_alert_query *aq, vg_alert_detail **out,
                                   int *n, vg_err *err)
{
#define ALERT_DETAIL_SQL(order)                                                                   \
    "SELECT a.id, a.deployment_id, a.camera, coalesce(a.subject_id, 0), a.score, a.frame_time, "  \
    "a.raised_at, a.state, a.uid, coalesce(s.name, ''), coalesce(s.reason, ''), "                  \
    "coalesce(s.category, ''), coalesce(w.name, ''), a.adjudicated_by, a.adjudicated_at, a.note, " \
    "CASE WHEN EXISTS (SELECT 1 FROM template m WHERE m.id = a.template_id AND "                  \
    "m.subject_id = a.subject_id) THEN (SELECT m.low_quality FROM template m "                     \
    "WHERE m.id = a.template_id) ELSE CAST(EXISTS (SELECT 1 FROM template t WHERE "                \
    "t.subject_id = a.subject_id AND t.low_quality <> 0) AS INTEGER) END, "                         \
    "CASE WHEN a.scene IS NULL THEN 0 ELSE 1 END "                                                 \
    "FROM alert a LEFT JOIN subject s ON s.id = a.subject_id "                                     \
    "LEFT JOIN deployment d ON d.id = a.deployment_id "                                            \
    "LEFT JOIN watchlist w ON w.id = d.watchlist_id "                                              \
    "WHERE a.id > CAST(?1 AS BIGINT) AND (CAST(?2 AS BIGINT) = 0 OR a.deployment_id = CAST(?2 AS BIGINT)) "        \
    "AND (CAST(?3 AS TEXT) IS NULL OR a.state = CAST(?3 AS TEXT)) ORDER BY a.id " order                        \
    " LIMIT CAST(?4 AS BIGINT)"
    static const char *const sql[2] = {ALERT_DETAIL_SQL("ASC"), ALERT_DETAIL_SQL("DESC")};
#undef ALERT_DETAIL_SQL
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, sql[aq->newest_first ? 1 : 0], "listing alerts", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, aq->after);
    vg_sql_i64(&q, 2, aq->deployment_id);
    if (aq->state)
        vg_sql_text(&q, 3, aq->state);
    else
        vg_sql_null(&q, 3);
    vg_sql_i64(&q, 4, aq->limit);
    void *v = NULL;
    st = vg_sql_collect(&q, sizeof(vg_alert_detail), read_alert_detail, NULL, &v, n, err);
    if (st == VG_OK)
        *out = v;
    return st;
}


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
    return vg_db_alert_query(s, q, out, n, err);
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
