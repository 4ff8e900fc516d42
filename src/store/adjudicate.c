/* adjudicate.c — vg_store_alert_adjudicate: an officer's decision on an
 * alert (confirmed, rejected, no action), recorded once.
 *
 * The decision, who made it, when, and the note are written with the
 * alert.adjudicate audit entry in one transaction. The update only touches a
 * pending alert (the backend's WHERE state = 'pending'), so two officers
 * deciding at once cannot overwrite each other: the second is refused with
 * the first's outcome and name. The audit entry holds the note (free text
 * about the decision, not biometric data) but never the probe image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* An alert's state and, once adjudicated, who adjudicated it and when;
 * VG_ERR_NOT_FOUND when there is no such alert. */
static vg_status vg_db_alert_state(vg_store *s, int64_t id, char state[16],
                                   char by[VG_STORE_ACTOR_MAX + 1], int64_t *at, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT state, adjudicated_by, adjudicated_at FROM alert "
                                  "WHERE id = ?1",
                                  "reading an alert's state", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        vg_sql_col_copy(&q, 0, state, 16);
        vg_sql_col_copy(&q, 1, by, VG_STORE_ACTOR_MAX + 1);
        *at = vg_sql_col_i64(&q, 2);
    } else if (st == VG_OK) {
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)id);
    }
    vg_sql_finish(&q);
    return st;
}

/* Sets a pending alert's state and outcome to outcome, with who, when and
 * the note; VG_ERR_EXISTS when it is no longer pending (a decision is
 * already there: a conflict, not a bad request). */
static vg_status vg_db_alert_adjudicate(vg_store *s, int64_t id, const char *outcome,
                                        const char *by, int64_t at, const char *note, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "UPDATE alert SET state = ?2, outcome = ?2, adjudicated_by = ?3, "
                                  "adjudicated_at = ?4, note = ?5 "
                                  "WHERE id = ?1 AND state = 'pending'",
                                  "adjudicating an alert", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_text(&q, 2, outcome);
    vg_sql_text(&q, 3, by);
    vg_sql_i64(&q, 4, at);
    vg_sql_text(&q, 5, note);
    if ((st = vg_sql_run(&q, err)) == VG_OK && vg_sql_changes(&q) == 0)
        st = vg_err_set(err, VG_ERR_EXISTS, "alert %lld is not pending", (long long)id);
    vg_sql_finish(&q);
    return st;
}


static int known_outcome(const char *o)
{
    return o && (!strcmp(o, "confirmed") || !strcmp(o, "rejected") || !strcmp(o, "no_action"));
}

vg_status vg_store_alert_adjudicate(vg_store *s, const char *actor, int64_t alert_id,
                                    const char *outcome, const char *note, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_alert_adjudicate: store is NULL");
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st != VG_OK)
        return st;
    if (!known_outcome(outcome))
        return vg_err_set(err, VG_ERR_INVALID,
                          "outcome \"%s\" is not one of confirmed, rejected, no_action",
                          outcome ? outcome : "");
    if (!note)
        note = "";
    if ((st = vg_check_text("note", note, VG_STORE_TEXT_MAX, 0, err)) != VG_OK ||
        (st = vg_check_utf8("note", note, 0, err)) != VG_OK)
        return st;
    if (alert_id <= 0)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no alert with id %lld", (long long)alert_id);

    vg_deployment *d = malloc(sizeof *d);
    if (!d)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory adjudicating an alert");
    int64_t now = vg_store_now(s), at = 0;
    char state[16], by[VG_STORE_ACTOR_MAX + 1];
    vg_alert a;
    if ((st = vg_store_begin(s, err)) != VG_OK) {
        free(d);
        return st;
    }
    st = vg_db_alert_state(s, alert_id, state, by, &at, err);
    if (st == VG_OK && strcmp(state, "pending") != 0)
        st = vg_err_set(err, VG_ERR_EXISTS,
                        "alert %lld was already adjudicated: %s by %s at %lld; a decision is "
                        "not changed",
                        (long long)alert_id, state, by[0] ? by : "(unknown)", (long long)at);
    if (st == VG_OK)
        st = vg_db_alert_get(s, alert_id, &a, NULL, NULL, err);
    if (st == VG_OK)
        st = vg_db_deployment_find(s, NULL, a.deployment_id, d, err);
    if (st == VG_OK)
        st = vg_db_alert_adjudicate(s, alert_id, outcome, actor, now, note, err);
    if (st == VG_OK) {
        char object[64];
        snprintf(object, sizeof object, "alert:%lld", (long long)alert_id);
        st = vg_audit_append_json_tx(
            s, actor, "alert.adjudicate", object,
            json_pack("{s:s, s:s, s:s, s:s, s:I}", "deployment", d->name, "outcome", outcome,
                      "officer", actor, "note", note, "adjudicated_at", (json_int_t)now),
            err);
    }
    st = vg_store_end(s, st, err);
    free(d);
    return st;
}
