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
    st = s->be->alert_state(s->conn, alert_id, state, by, &at, err);
    if (st == VG_OK && strcmp(state, "pending") != 0)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "alert %lld was already adjudicated: %s by %s at %lld; a decision is "
                        "not changed",
                        (long long)alert_id, state, by[0] ? by : "(unknown)", (long long)at);
    if (st == VG_OK)
        st = s->be->alert_get(s->conn, alert_id, &a, NULL, NULL, err);
    if (st == VG_OK)
        st = s->be->deployment_find(s->conn, NULL, a.deployment_id, d, err);
    if (st == VG_OK)
        st = s->be->alert_adjudicate(s->conn, alert_id, outcome, actor, now, note, err);
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
