/* alert_json.c — an alert as the API shows it: the alert with its subject,
 * watch list and decision beside it, one JSON object for the list and
 * one-alert endpoints (api.c), the SSE feed (feed.c) and the webhooks. */
#include <string.h>

#include "server/server_internal.h"

json_t *vg_api_alert_json(const vg_alert_detail *d)
{
    const vg_alert *a = &d->alert;
    int pending = !strcmp(a->state, "pending");
    json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:f, s:f, s:f, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                          (json_int_t)a->id, "deployment_id", (json_int_t)a->deployment_id, "camera",
                          a->camera, "subject_id", (json_int_t)a->subject_id, "score", (double)a->score,
                          "frame_time", a->frame_time, "raised_at", a->raised_at, "state", a->state,
                          "uid", a->uid, "subject_name", d->subject_name, "subject_reason",
                          d->subject_reason, "subject_category", d->subject_category, "watchlist",
                          d->watchlist);
    if (!o)
        return NULL;
    json_object_set_new(o, "outcome", pending ? json_null() : json_string(a->state));
    json_object_set_new(o, "adjudicated_by", pending ? json_null() : json_string(d->adjudicated_by));
    json_object_set_new(o, "adjudicated_at", pending ? json_null() : json_integer(d->adjudicated_at));
    json_object_set_new(o, "note", pending ? json_null() : json_string(d->note));
    /* the subject was enrolled with a photo a supervisor accepted below
     * the quality limits: the match may rest on it */
    json_object_set_new(o, "low_quality", json_boolean(d->low_quality));
    /* a scene snapshot is kept (GET /api/v1/alerts/{id}/scene) */
    json_object_set_new(o, "scene", json_boolean(d->has_scene));
    return o;
}
