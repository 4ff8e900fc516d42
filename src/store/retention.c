/* retention.c — vg_store_alert_hold/release and vg_store_retention_run:
 * what is deleted when, and the proof that it was.
 *
 * The rules (store.h gives the contract, docs/watchlists.md the operator's
 * view): alert data lives alert_days (default 31) unless held for an
 * investigation with a reason; a subject lives until its expiry (its own,
 * or else its watch list's); optionally, the subjects of a watch list whose
 * deployments have all been ended are deleted. One run deletes under one
 * transaction with one retention.run audit entry holding only the policy,
 * the cut-off and the counts: the entries that raised or enrolled the
 * deleted rows already name them, and a retention entry that listed ids
 * would be a list of who was deleted.
 *
 * A run that deletes nothing still appends its entry: the chain then shows
 * that the job ran on schedule, not just when it had work.
 *
 * Deleted rows leave no copy: secure_delete (sqlite.c) zeroes the freed
 * cells and pages, and after the commit the backend's reclaim releases the
 * free pages (incremental vacuum) and checkpoints and truncates the WAL,
 * whose older frames still hold the pages as they were before the delete.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries: holds, and what retention deletes (inside begin()) ---- */

/* Whether the alert is held (VG_ERR_NOT_FOUND: no such alert). */
static vg_status vg_db_alert_held(vg_store *s, int64_t id, int *held, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT hold_reason <> '' FROM alert WHERE id = ?1",
                                  "reading an alert", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row)
        *held = (int)vg_sql_col_i64(&q, 0);
    else if (st == VG_OK)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    vg_sql_finish(&q);
    return st;
}

/* Sets the hold (reason non-empty) or clears it (reason "", by "", at 0). */
static vg_status vg_db_alert_hold_set(vg_store *s, int64_t id, const char *reason,
                                      const char *by, int64_t at, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "UPDATE alert SET hold_reason = ?2, held_by = ?3, held_at = ?4 "
                                  "WHERE id = ?1",
                                  "holding an alert", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_text(&q, 2, reason);
    vg_sql_text(&q, 3, by);
    vg_sql_i64(&q, 4, at);
    if ((st = vg_sql_run(&q, err)) == VG_OK && vg_sql_changes(&q) == 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    vg_sql_finish(&q);
    return st;
}

/* Runs sql with ?1 = before (a time); *changes the rows it changed. */
static vg_status run_before(vg_store *s, const char *sql, double before, int64_t *changes,
                            const char *what, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, sql, what, err);
    if (st != VG_OK)
        return st;
    vg_sql_f64(&q, 1, before);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK)
        *changes = row ? vg_sql_col_i64(&q, 0) : vg_sql_changes(&q);
    vg_sql_finish(&q);
    return st;
}

/* Deletes the alerts raised before `before` that are not held, keeping
 * their outcomes as counts per deployment; counts rows and, of them, crops
 * and scenes (a scene goes with its row, as the crop does). */
static vg_status vg_db_retention_alerts(vg_store *s, double before, int *alerts, int *crops,
                                        int *scenes, vg_err *err)
{
    int64_t nc = 0, na = 0, nt = 0, ns = 0;
    vg_status st = run_before(s,
                              "SELECT count(*) FROM alert WHERE raised_at < ?1 "
                              "AND hold_reason = '' AND crop IS NOT NULL",
                              before, &nc, "counting alerts", err);
    if (st == VG_OK)
        st = run_before(s,
                        "SELECT count(*) FROM alert WHERE raised_at < ?1 "
                        "AND hold_reason = '' AND scene IS NOT NULL",
                        before, &ns, "counting alerts' scenes", err);
    if (st == VG_OK)
        st = run_before(
            s,
            "INSERT INTO alert_tally (deployment_id, alerts, confirmed, rejected, no_action, "
            "pending) SELECT deployment_id, count(*), count(*) FILTER (WHERE state = 'confirmed'), "
            "count(*) FILTER (WHERE state = 'rejected'), "
            "count(*) FILTER (WHERE state = 'no_action'), "
            "count(*) FILTER (WHERE state = 'pending') FROM alert "
            "WHERE raised_at < ?1 AND hold_reason = '' GROUP BY deployment_id "
            "ON CONFLICT (deployment_id) DO UPDATE SET "
            "alerts = alert_tally.alerts + excluded.alerts, "
            "confirmed = alert_tally.confirmed + excluded.confirmed, "
            "rejected = alert_tally.rejected + excluded.rejected, "
            "no_action = alert_tally.no_action + excluded.no_action, "
            "pending = alert_tally.pending + excluded.pending",
            before, &nt, "counting the outcomes of deleted alerts", err);
    if (st == VG_OK)
        st = run_before(s, "DELETE FROM alert WHERE raised_at < ?1 AND hold_reason = ''", before,
                        &na, "deleting alerts", err);
    if (st == VG_OK) {
        *alerts = (int)na;
        *crops = (int)nc;
        *scenes = (int)ns;
    }
    return st;
}

/* Deletes the subjects that `marked` (a SELECT of subject ids, with ?1 =
 * arg when has_arg) selects, counting them, their templates and photos
 * first: inside the write transaction, the counts and the deletion see the
 * same set. */
static vg_status delete_marked(vg_store *s, const char *marked, int has_arg, int64_t arg,
                               int *subjects, int *templates, int *photos, vg_err *err)
{
    static const char *const form[4] = {
        "SELECT count(*) FROM subject WHERE id IN (%s)",
        "SELECT count(*) FROM template WHERE subject_id IN (%s)",
        "SELECT count(*) FROM photo WHERE subject_id IN (%s)",
        "DELETE FROM subject WHERE id IN (%s)",
    };
    int64_t n[4] = {0};
    vg_status st = VG_OK;
    for (int i = 0; i < 4 && st == VG_OK; i++) {
        char sql[1024];
        snprintf(sql, sizeof sql, form[i], marked);
        st = i < 3 ? vg_sql_int(s, sql, has_arg, arg, &n[i], "counting what retention deletes", err)
                   : vg_sql_exec_count(s, sql, has_arg, arg, NULL, "deleting subjects", err);
    }
    if (st == VG_OK) {
        *subjects = (int)n[0];
        *templates = (int)n[1];
        *photos = (int)n[2];
    }
    return st;
}

/* The subjects whose expiry (their own, or when 0 their list's) is not 0
 * and at or before now. */
static vg_status vg_db_retention_subjects(vg_store *s, int64_t now, int *subjects,
                                          int *templates, int *photos, vg_err *err)
{
    return delete_marked(s,
                         "SELECT s.id FROM subject s JOIN watchlist w ON w.id = s.watchlist_id "
                         "WHERE (s.expires_at <> 0 AND s.expires_at <= ?1) OR "
                         "(s.expires_at = 0 AND w.expires_at <> 0 AND w.expires_at <= ?1)",
                         1, now, subjects, templates, photos, err);
}

#define ENDED_LISTS                                                                            \
    "SELECT w.id FROM watchlist w WHERE "                                                      \
    "EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id) AND "                     \
    "NOT EXISTS (SELECT 1 FROM deployment d WHERE d.watchlist_id = w.id AND d.ended_at = 0)"

/* The subjects of every watch list used by deployments that have all
 * ended; counts the lists that held subjects. */
static vg_status vg_db_retention_ended_lists(vg_store *s, int *lists, int *subjects,
                                             int *templates, int *photos, vg_err *err)
{
    int64_t nl = 0;
    vg_status st = vg_sql_int(s,
                              "SELECT count(*) FROM (" ENDED_LISTS ") e WHERE EXISTS "
                              "(SELECT 1 FROM subject s WHERE s.watchlist_id = e.id)",
                              0, 0, &nl, "counting ended watch lists", err);
    if (st == VG_OK)
        st = delete_marked(s,
                           "SELECT s.id FROM subject s WHERE s.watchlist_id IN (" ENDED_LISTS ")",
                           0, 0, subjects, templates, photos, err);
    if (st == VG_OK)
        *lists = (int)nl;
    return st;
}


#define DAY 86400
#define DEFAULT_ALERT_DAYS 31
#define MAX_ALERT_DAYS 36500

vg_status vg_store_alert_hold(vg_store *s, const char *actor, int64_t alert_id, const char *reason,
                              vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_hold: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_text("reason", reason, VG_STORE_TEXT_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (alert_id <= 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)alert_id);
    char object[64];
    snprintf(object, sizeof object, "alert:%lld", (long long)alert_id);
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    int held = 0;
    st = vg_db_alert_held(s, alert_id, &held, err);
    if (st == VG_OK && held)
        st = vg_err_set(err, VG_ERR_INVALID, "alert %lld is already held; release it first",
                        (long long)alert_id);
    if (st == VG_OK)
        st = vg_db_alert_hold_set(s, alert_id, reason, actor, vg_store_now(s), err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(s, actor, "alert.hold", object,
                                     json_pack("{s:s}", "reason", reason), err);
    return vg_store_end(s, st, err);
}

vg_status vg_store_alert_release(vg_store *s, const char *actor, int64_t alert_id, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_release: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (alert_id <= 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)alert_id);
    char object[64];
    snprintf(object, sizeof object, "alert:%lld", (long long)alert_id);
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    int held = 0;
    st = vg_db_alert_held(s, alert_id, &held, err);
    if (st == VG_OK && !held)
        st = vg_err_set(err, VG_ERR_INVALID, "alert %lld is not held", (long long)alert_id);
    if (st == VG_OK)
        st = vg_db_alert_hold_set(s, alert_id, "", "", 0, err);
    if (st == VG_OK)
        st = vg_audit_append_tx(s, actor, "alert.release", object, NULL, err);
    return vg_store_end(s, st, err);
}

vg_status vg_store_retention_run(vg_store *s, const char *actor, const vg_retention_policy *policy,
                                 int64_t now, vg_retention_result *out, vg_err *err)
{
    vg_retention_result r;
    memset(&r, 0, sizeof r);
    if (out)
        *out = r;
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_retention_run: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    int days = policy ? policy->alert_days : 0;
    int purge = policy ? policy->purge_ended_deployment_lists != 0 : 0;
    if (days < 0 || days > MAX_ALERT_DAYS)
        return vg_err_set(err, VG_ERR_INVALID, "alert_days %d is not in 0..%d", days,
                          MAX_ALERT_DAYS);
    if (days == 0)
        days = DEFAULT_ALERT_DAYS;
    if (now < 0)
        return vg_err_set(err, VG_ERR_INVALID, "now %lld is negative", (long long)now);
    if (now == 0)
        now = vg_store_now(s);
    int64_t cutoff = now - (int64_t)days * DAY;

    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = vg_db_retention_alerts(s, (double)cutoff, &r.alerts_deleted, &r.crops_deleted,
                                &r.scenes_deleted, err);
    if (st == VG_OK)
        st = vg_db_retention_subjects(s, now, &r.subjects_expired, &r.templates_deleted,
                                       &r.photos_deleted, err);
    if (st == VG_OK && purge) {
        int t = 0, p = 0;
        st = vg_db_retention_ended_lists(s, &r.watchlists_purged, &r.subjects_purged, &t, &p,
                                          err);
        r.templates_deleted += t;
        r.photos_deleted += p;
    }
    if (st == VG_OK && (r.subjects_expired || r.subjects_purged))
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, 0, err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(
            s, actor, "retention.run", "retention",
            json_pack("{s:i, s:b, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "alert_days", days,
                      "purge_ended_deployment_lists", purge, "now", (json_int_t)now, "cutoff",
                      (json_int_t)cutoff, "alerts", r.alerts_deleted, "crops", r.crops_deleted,
                      "subjects_expired", r.subjects_expired, "watchlists_purged",
                      r.watchlists_purged, "subjects_purged", r.subjects_purged, "templates",
                      r.templates_deleted, "photos", r.photos_deleted, "scenes", r.scenes_deleted),
            err);
    if ((st = vg_store_end(s, st, err)) != VG_OK)
        return st;
    /* committed: the counts stand even if reclaiming fails */
    st = s->be->reclaim(s->conn, &r.space_reclaimed, err);
    if (out)
        *out = r;
    if (st != VG_OK)
        return vg_err_prefix(err, st, "retention deleted and audited its rows, then reclaiming space");
    return VG_OK;
}
