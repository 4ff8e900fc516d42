/* inputs.c — the facts a deployment's document rests on, read from the
 * store into one JSON object: the deployment, its watch list (sizes by
 * category, reasons, sources, expiries, under-18 justifications; never a
 * name), the calibration's predicted false-alert rate, the evaluation runs
 * of its model, and for the review the transparency report's counts, the
 * adjudications, watch-list changes, refusals and overrides, and the audit
 * chain's verification. Every figure carries its source. Times are judged
 * against the deployment's window, never against the clock, so that the
 * same store gives the same inputs (and the same document) at any time. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/text_file.h"
#include "match/calib.h"
#include "paperwork/paperwork.h"
#include "vigil/watchlist.h"

#define RETENTION_DEFAULT_DAYS 31 /* store/retention.c's default */

static const char *const kinds[] = {"dpia", "eia", "watchlist-criteria", "authorisation", "review"};

int vg_paperwork_kind_ok(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind && !strcmp(kind, kinds[i]))
            return 1;
    return 0;
}

int vg_paperwork_format_ok(const char *f)
{
    return f && (!strcmp(f, "html") || !strcmp(f, "md") || !strcmp(f, "json"));
}

static json_t *iso(int64_t t)
{
    if (!t)
        return json_string("");
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, sizeof buf, "%lld", (long long)t);
    return json_string(buf);
}

static void count_in(json_t *obj, const char *key)
{
    const char *k = key && *key ? key : "(not given)";
    json_t *v = json_object_get(obj, k);
    json_object_set_new(obj, k, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* Whole years from a "YYYY-MM-DD" date of birth to t (-1 when none). */
static int age_at(const char *dob, int64_t t)
{
    int y, m, d;
    if (!dob || sscanf(dob, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return -1;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return -1;
    int age = tm.tm_year + 1900 - y;
    if (tm.tm_mon + 1 < m || (tm.tm_mon + 1 == m && tm.tm_mday < d))
        age--;
    return age;
}

/* A rate as stable text (the inputs are hashed: no float noise). */
static json_t *num(double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.6g", v);
    return json_string(buf);
}

/* The calibration's false-alert rate at the deployment's threshold for its
 * list's size: the store's calibration of the model, else the default file
 * when it is of that model (as `vigil run` checks it). */
static json_t *calibration_json(vg_store *s, const char *model, const char *path, int list_size, double thr)
{
    char *text = NULL, source[1200];
    vg_err err = {{0}};
    vg_status st = vg_store_calibration_get(s, model, &text, &err);
    snprintf(source, sizeof source, "the store's calibration of model %s (vigil eval calibrate --save)", model);
    if (st == VG_ERR_NOT_FOUND && path && *path) {
        text = vg_text_file_read(path);
        snprintf(source, sizeof source, "the default calibration file %s", path);
        st = text ? VG_OK : VG_ERR_NOT_FOUND;
    }
    if (st) {
        free(text);
        return json_pack("{s:s}", "missing", st == VG_ERR_NOT_FOUND ? "no calibration of this model" : err.msg);
    }
    vg_calib c;
    st = vg_calib_parse(text, &c, &err);
    free(text);
    if (!st && strcmp(c.model, model) != 0)
        st = vg_err_set(&err, VG_ERR_NOT_FOUND, "%s is of model %s", source, c.model);
    vg_calib_lookup r;
    if (!st)
        st = vg_calib_rate(&c, list_size < 1 ? 1 : list_size, thr, &r, &err);
    if (st) {
        vg_calib_free(&c);
        return json_pack("{s:s}", "missing", err.msg);
    }
    double lo, hi;
    vg_calib_wilson((double)r.alarms, (double)r.nonmated, &lo, &hi);
    json_t *j = json_pack("{s:s,s:s,s:i,s:I,s:I,s:o,s:o,s:o,s:b,s:s}", "source", source, "model", model,
                          "calibrated_size", r.size, "nonmated", (json_int_t)r.nonmated, "above_threshold",
                          (json_int_t)r.alarms, "rate_per_face", num(r.rate), "rate_ci95_low", num(lo),
                          "rate_ci95_high", num(hi), "at_least", r.at_least, "interval",
                          "Wilson 95 % interval of the non-mated searches above the threshold");
    /* with groups: the labels file's hash and each group's rate at the threshold */
    vg_calib_lookup gr[VG_CALIB_GROUPS_MAX];
    const char *names[VG_CALIB_GROUPS_MAX];
    int ng = c.labels_sha256[0] ? vg_calib_rate_groups(&c, r.size, thr, gr, names, VG_CALIB_GROUPS_MAX) : 0;
    if (ng) {
        json_t *arr = json_array();
        for (int k = 0; k < ng; k++) {
            vg_calib_wilson((double)gr[k].alarms, (double)gr[k].nonmated, &lo, &hi);
            json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:o,s:o,s:o,s:b}", "group", names[k], "nonmated",
                                                 (json_int_t)gr[k].nonmated, "above_threshold",
                                                 (json_int_t)gr[k].alarms, "rate_per_face", num(gr[k].rate),
                                                 "rate_ci95_low", num(lo), "rate_ci95_high", num(hi), "at_least",
                                                 gr[k].at_least));
        }
        json_object_set_new(j, "groups", json_pack("{s:s,s:o}", "labels_sha256", c.labels_sha256, "rates", arr));
    }
    vg_calib_free(&c);
    return j;
}

/* The recorded evaluation runs of the model, with what a document cites. */
static json_t *evaluations_json(vg_store *s, const char *model, vg_err *err, vg_status *st)
{
    vg_eval_run *runs = NULL;
    int n = 0;
    json_t *arr = json_array();
    if ((*st = vg_store_eval_run_list(s, model, NULL, &runs, &n, err)))
        return arr;
    for (int i = 0; i < n; i++) {
        json_t *res = json_loads(runs[i].result, 0, NULL);
        json_t *summary = json_object();
        static const char *const keep[] = {"threshold", "groups", "fmr_differential", "fnmr_differential",
                                           "warnings", "images", "replicates", "seed"};
        for (size_t k = 0; res && k < sizeof keep / sizeof keep[0]; k++) {
            json_t *v = json_object_get(res, keep[k]);
            if (v)
                json_object_set(summary, keep[k], v);
        }
        json_decref(res);
        json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)runs[i].id,
                                             "kind", runs[i].kind, "date", iso(runs[i].created_at), "by",
                                             runs[i].created_by, "model", runs[i].model_id, "dataset",
                                             runs[i].dataset, "labels_sha256", runs[i].labels_sha256, "command",
                                             runs[i].command, "summary", summary));
    }
    vg_store_eval_run_free(runs, n);
    return arr;
}

static json_t *watchlist_json(vg_store *s, const vg_deployment *d, int64_t window_end, vg_err *err, vg_status *st)
{
    vg_watchlist w;
    if ((*st = vg_store_watchlist_get(s, d->watchlist, &w, err)))
        return NULL;
    vg_subject *subs = NULL;
    int n = 0;
    if ((*st = vg_store_subject_list(s, w.id, &subs, &n, err)))
        return NULL;
    json_t *cats = json_object(), *reasons = json_object(), *sources = json_object(), *u18 = json_array();
    int exp_none = 0, exp_before = 0, exp_during = 0, exp_after = 0, low_quality = 0;
    for (int i = 0; i < n; i++) {
        const vg_subject *x = &subs[i];
        count_in(cats, x->category);
        count_in(reasons, x->reason);
        count_in(sources, x->source);
        int64_t e = x->expires_at ? x->expires_at : w.expires_at;
        if (!e)
            exp_none++;
        else if (e <= d->starts_at)
            exp_before++;
        else if (e < window_end)
            exp_during++;
        else
            exp_after++;
        if (x->low_quality)
            low_quality++;
        int age = age_at(x->dob, d->starts_at);
        if (age >= 0 && age < 18)
            json_array_append_new(u18, json_pack("{s:I,s:i,s:s,s:s}", "subject_id", (json_int_t)x->id,
                                                 "age_at_start", age, "justification", x->justification,
                                                 "authorised_by", x->authorised_by));
    }
    vg_store_subject_free(subs);
    int64_t *q = NULL;
    int nq = 0;
    if ((*st = vg_store_subject_quarantined(s, w.id, &q, &nq, err)))
        nq = 0;
    free(q);
    const char *list_state = !w.expires_at ? "no expiry"
                             : w.expires_at <= d->starts_at ? "expired before the deployment's start"
                             : w.expires_at < window_end    ? "expires during the deployment"
                                                            : "valid for the whole deployment";
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:i,s:i,s:i,s:o,s:o,s:o,s:{s:i,s:i,s:i,s:i},s:o,s:i,s:i}", "name",
                     w.name, "reason", w.reason, "authorised_by", w.authorised_by, "created_at", iso(w.created_at),
                     "expires_at", iso(w.expires_at), "expiry_state", list_state, "max_size", w.max_size, "subjects",
                     w.subjects, "templates", w.templates, "by_category", cats, "by_reason", reasons, "by_source",
                     sources, "subject_expiry", "none", exp_none, "before_start", exp_before, "during_window",
                     exp_during, "after_window", exp_after, "under_18", u18, "low_quality_subjects", low_quality,
                     "quarantined", nq);
}

/* Does the audit entry concern this watch list (its name in the details)? */
static int about_list(const vg_audit_entry *e, const char *list)
{
    json_t *d = json_loads(e->details, 0, NULL);
    const char *w = json_string_value(json_object_get(d, "watchlist"));
    int yes = w && !strcmp(w, list);
    json_decref(d);
    return yes;
}

static json_t *entry_json(const vg_audit_entry *e)
{
    json_t *d = json_loads(e->details, 0, NULL);
    json_t *o = json_pack("{s:I,s:o,s:s,s:s,s:s,s:o}", "seq", (json_int_t)e->seq, "time", iso(e->time), "actor",
                          e->actor, "action", e->action, "object", e->object, "details", d ? d : json_object());
    return o;
}

/* The review's facts from the audit chain: changes of the list in the
 * window, refusals and overrides, retention, the chain's verification and
 * its head at the window's end. */
static void audit_facts(vg_store *s, const vg_deployment *d, int64_t window_end, json_t *in, vg_err *err,
                        vg_status *st)
{
    vg_audit_entry *e = NULL;
    int n = 0;
    if ((*st = vg_store_audit_list(s, 0, &e, &n, err)))
        return;
    char dep_obj[VG_STORE_NAME_MAX + 16];
    snprintf(dep_obj, sizeof dep_obj, "deployment:%s", d->name);
    json_t *changes = json_array(), *overrides = json_array();
    int64_t head_seq = 0, retention_days = 0;
    const char *head_hash = "";
    int64_t head_time = 0;
    for (int i = 0; i < n; i++) {
        const vg_audit_entry *x = &e[i];
        if (x->time <= window_end && strcmp(x->action, "paperwork.generate") != 0) {
            head_seq = x->seq, head_hash = x->hash, head_time = x->time;
        }
        int in_window = x->time >= d->starts_at && x->time <= window_end;
        int list_change = !strcmp(x->action, "subject.add") || !strcmp(x->action, "subject.remove") ||
                          !strcmp(x->action, "watchlist.purge") || !strcmp(x->action, "watchlist.reembed") ||
                          !strcmp(x->action, "subject.quarantine") || !strcmp(x->action, "subject.release");
        if (in_window && list_change && about_list(x, d->watchlist))
            json_array_append_new(changes, entry_json(x));
        if (in_window && !strcmp(x->action, "retention.run"))
            json_array_append_new(changes, entry_json(x));
        if (!strcmp(x->action, "subject.add") && about_list(x, d->watchlist) && strstr(x->details, "\"low_quality\""))
            json_array_append_new(overrides, entry_json(x));
        if (!strcmp(x->object, dep_obj) &&
            (!strcmp(x->action, "deployment.refuse") || !strcmp(x->action, "deployment.unclean_stop")))
            json_array_append_new(overrides, entry_json(x));
        if (!strcmp(x->action, "retention.run") && x->time <= window_end) {
            json_t *dj = json_loads(x->details, 0, NULL);
            retention_days = json_integer_value(json_object_get(dj, "alert_days"));
            json_decref(dj);
        }
    }
    json_t *head = json_pack("{s:I,s:s,s:o}", "seq", (json_int_t)head_seq, "hash", head_hash, "time", iso(head_time));
    vg_store_audit_free(e, n);
    int64_t bad = 0, entries = 0;
    vg_err verr = {{0}};
    vg_status vst = vg_store_audit_verify(s, &bad, &entries, &verr);
    json_object_set_new(in, "watchlist_changes", changes);
    json_object_set_new(in, "refusals_overrides", overrides);
    json_object_set_new(in, "audit", json_pack("{s:b,s:I,s:s,s:o,s:s}", "intact", vst == VG_OK, "first_bad_seq",
                                               (json_int_t)(vst ? bad : 0), "problem", vst ? verr.msg : "",
                                               "head_at_window_end", head, "checkpoints",
                                               "none: this vigil signs no checkpoints of the chain's head yet"));
    json_object_set_new(in, "retention",
                        json_pack("{s:I,s:s}", "alert_days",
                                  (json_int_t)(retention_days ? retention_days : RETENTION_DEFAULT_DAYS), "source",
                                  retention_days ? "the last retention.run audit entry before the window's end"
                                                 : "vigil's default (no retention run recorded before the window's end)"));
}

vg_status vg_paperwork_inputs(vg_store *s, const char *deployment, const char *kind, const char *calibration_path,
                              json_t **out, vg_err *err)
{
    *out = NULL;
    if (!vg_paperwork_kind_ok(kind))
        return vg_err_set(err, VG_ERR_INVALID,
                          "unknown document kind '%.40s': dpia, eia, watchlist-criteria, authorisation or review",
                          kind ? kind : "");
    vg_deployment *d = calloc(1, sizeof *d);
    vg_report *r = calloc(1, sizeof *r);
    json_t *in = json_object();
    vg_status st = VG_OK;
    if (!d || !r || !in) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = vg_store_deployment_get(s, deployment, d, err)) || (st = vg_store_report(s, deployment, r, err)))
        goto done;
    int64_t window_end = d->ended_at && d->ended_at < d->ends_at ? d->ended_at : d->ends_at;
    double thr = d->threshold > 0 ? d->threshold : VG_WATCHLIST_THRESHOLD_DEFAULT;
    const char *model = d->model_id[0] ? d->model_id : r->model;
    json_object_set_new(in, "kind", json_string(kind));
    json_object_set_new(
        in, "deployment",
        json_pack("{s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:o,s:s,s:b,s:o,s:b,s:s,s:s,s:s,s:s,s:o}", "name", d->name, "watchlist",
                  d->watchlist, "location", d->location, "cameras", d->n_cameras, "starts_at", iso(d->starts_at),
                  "ends_at", iso(d->ends_at), "ended_at", iso(d->ended_at), "window_end", iso(window_end),
                  "authorised_by", d->authorised_by, "signage_confirmed", d->signage_confirmed, "threshold",
                  num(thr), "threshold_is_default", d->threshold <= 0, "model", model, "detector", d->detector,
                  "created_by", d->created_by, "ended_by", d->ended_by, "created_at", iso(d->created_at)));
    /* the scene-snapshot policy (schema 16); documents made before have no such key */
    json_object_set_new(json_object_get(in, "deployment"), "scene_snapshot", json_boolean(d->scene_snapshot));
    json_t *wl = watchlist_json(s, d, window_end, err, &st);
    if (st)
        goto done;
    json_object_set_new(in, "watchlist", wl);
    if (strcmp(kind, "watchlist-criteria") != 0) {
        json_object_set_new(in, "calibration",
                            model[0] ? calibration_json(s, model, calibration_path, r->watchlist_size, thr)
                                     : json_pack("{s:s}", "missing", "the deployment's model is not recorded"));
        json_t *ev = evaluations_json(s, model, err, &st);
        json_object_set_new(in, "evaluations", ev);
        if (st)
            goto done;
    }
    if (!strcmp(kind, "review") || !strcmp(kind, "dpia")) {
        audit_facts(s, d, window_end, in, err, &st);
        if (st)
            goto done;
        if (!strcmp(kind, "dpia")) {
            /* an assessment made before the deployment rests on the chain
             * being intact, not on what happened during the window */
            json_t *a = json_object_get(in, "audit");
            json_object_del(a, "head_at_window_end");
            json_object_del(in, "watchlist_changes");
            json_object_del(in, "refusals_overrides");
        }
    }
    if (!strcmp(kind, "review")) {
        double lo, hi;
        vg_calib_wilson((double)r->rejected, (double)r->counters.faces, &lo, &hi);
        json_object_set_new(
            in, "operation",
            json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:s}", "frames_in",
                      (json_int_t)r->counters.frames_in, "frames_dropped", (json_int_t)r->counters.frames_dropped,
                      "faces", (json_int_t)r->counters.faces, "tracks", (json_int_t)r->counters.tracks, "alerts",
                      (json_int_t)r->alerts, "confirmed", (json_int_t)r->confirmed, "rejected", (json_int_t)r->rejected,
                      "no_action", (json_int_t)r->no_action, "pending", (json_int_t)r->pending, "runs",
                      (json_int_t)r->runs, "runs_unclean", (json_int_t)r->runs_unclean, "false_alerts_per_face",
                      num(r->false_alerts_per_face), "false_alert_rate_ci95_low", num(lo),
                      "false_alert_rate_ci95_high", num(hi), "authorised_hours",
                      num((double)(window_end - d->starts_at) / 3600.0), "source",
                      "vg_store_report: the counters table and the alert table's states"));
    }
    if (!strcmp(kind, "dpia") || !strcmp(kind, "authorisation"))
        if (!json_object_get(in, "retention"))
            json_object_set_new(in, "retention", json_pack("{s:i,s:s}", "alert_days", RETENTION_DEFAULT_DAYS, "source",
                                                           "vigil's default"));
done:
    free(d);
    free(r);
    if (st) {
        json_decref(in);
        return st;
    }
    *out = in;
    return VG_OK;
}
