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
    st = s->be->alert_held(s->conn, alert_id, &held, err);
    if (st == VG_OK && held)
        st = vg_err_set(err, VG_ERR_INVALID, "alert %lld is already held; release it first",
                        (long long)alert_id);
    if (st == VG_OK)
        st = s->be->alert_hold_set(s->conn, alert_id, reason, actor, vg_store_now(s), err);
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
    st = s->be->alert_held(s->conn, alert_id, &held, err);
    if (st == VG_OK && !held)
        st = vg_err_set(err, VG_ERR_INVALID, "alert %lld is not held", (long long)alert_id);
    if (st == VG_OK)
        st = s->be->alert_hold_set(s->conn, alert_id, "", "", 0, err);
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
    st = s->be->retention_alerts(s->conn, (double)cutoff, &r.alerts_deleted, &r.crops_deleted, err);
    if (st == VG_OK)
        st = s->be->retention_subjects(s->conn, now, &r.subjects_expired, &r.templates_deleted,
                                       &r.photos_deleted, err);
    if (st == VG_OK && purge) {
        int t = 0, p = 0;
        st = s->be->retention_ended_lists(s->conn, &r.watchlists_purged, &r.subjects_purged, &t, &p,
                                          err);
        r.templates_deleted += t;
        r.photos_deleted += p;
    }
    if (st == VG_OK && (r.subjects_expired || r.subjects_purged))
        st = vg_store_notify_tx(s, VG_STORE_CHANNEL_WATCHLIST, 0, err);
    if (st == VG_OK)
        st = vg_audit_append_json_tx(
            s, actor, "retention.run", "retention",
            json_pack("{s:i, s:b, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "alert_days", days,
                      "purge_ended_deployment_lists", purge, "now", (json_int_t)now, "cutoff",
                      (json_int_t)cutoff, "alerts", r.alerts_deleted, "crops", r.crops_deleted,
                      "subjects_expired", r.subjects_expired, "watchlists_purged",
                      r.watchlists_purged, "subjects_purged", r.subjects_purged, "templates",
                      r.templates_deleted, "photos", r.photos_deleted),
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
