/* report.c — vg_store_report, vg_store_report_period: the transparency
 * report of a deployment, and the sum over the deployments of a period.
 *
 * Built only from counts (the counters table, alerts counted by state) and
 * the deployment record (name, watch list, place, window, threshold), plus
 * the watch list's size and its templates' model id: no face, no subject
 * name, no image ever enters a vg_report. For that reason reading a report
 * is not audited: the audit chain records reads of biometric data, and a
 * report is published material.
 *
 * Runs (how many, how many ended uncleanly) come from the deployment's
 * start and stop entries in the audit chain (vg_store_deployment_runs).
 *
 * Time on air is the authorised window actually elapsed: from starts_at to
 * the earliest of ended_at (when ended), ends_at and the store's clock.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* A deployment's alerts counted by state: [0] all, [1] confirmed,
 * [2] rejected, [3] no_action, [4] pending; those retention deleted are
 * kept as counts in alert_tally. */
static vg_status vg_db_alert_counts(vg_store *s, int64_t deployment_id, int64_t counts[5],
                                    vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT count(*), count(*) FILTER (WHERE state = 'confirmed'), "
                                  "count(*) FILTER (WHERE state = 'rejected'), "
                                  "count(*) FILTER (WHERE state = 'no_action'), "
                                  "count(*) FILTER (WHERE state = 'pending') FROM alert "
                                  "WHERE deployment_id = ?1 "
                                  "UNION ALL SELECT alerts, confirmed, rejected, no_action, "
                                  "pending FROM alert_tally WHERE deployment_id = ?1",
                                  "counting alerts", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, deployment_id);
    for (int i = 0; i < 5; i++)
        counts[i] = 0;
    int row = 0;
    while ((st = vg_sql_step(&q, &row, err)) == VG_OK && row)
        for (int i = 0; i < 5; i++)
            counts[i] += vg_sql_col_i64(&q, i);
    vg_sql_finish(&q);
    return st;
}


static int64_t effective_end(const vg_deployment *d)
{
    return d->ended_at && d->ended_at < d->ends_at ? d->ended_at : d->ends_at;
}

static void rates(vg_report *r)
{
    int64_t faces = r->counters.faces, adjudicated = r->confirmed + r->rejected + r->no_action;
    r->alerts_per_1000_faces = faces > 0 ? (double)r->alerts * 1000.0 / (double)faces : 0;
    r->false_alerts_per_face = faces > 0 ? (double)r->rejected / (double)faces : 0;
    r->false_alerts_per_alert = adjudicated > 0 ? (double)r->rejected / (double)adjudicated : 0;
}

/* The report of d (already read), without the rates. */
static vg_status fill(vg_store *s, const vg_deployment *d, vg_report *r, vg_err *err)
{
    memset(r, 0, sizeof *r);
    snprintf(r->deployment, sizeof r->deployment, "%s", d->name);
    snprintf(r->watchlist, sizeof r->watchlist, "%s", d->watchlist);
    snprintf(r->location, sizeof r->location, "%s", d->location);
    r->starts_at = d->starts_at;
    r->ends_at = d->ends_at;
    r->ended_at = d->ended_at;
    r->threshold = d->threshold;
    snprintf(r->pack_model, sizeof r->pack_model, "%s", d->model_id);
    snprintf(r->detector, sizeof r->detector, "%s", d->detector);
    int64_t end = effective_end(d), now = vg_store_now(s);
    if (now < end)
        end = now;
    r->hours_on_air = end > d->starts_at ? (double)(end - d->starts_at) / 3600.0 : 0;
    vg_watchlist w;
    vg_status st = vg_db_watchlist_find(s, NULL, d->watchlist_id, &w, err);
    if (st == VG_OK)
        r->watchlist_size = w.subjects;
    if (st == VG_OK)
        st = vg_db_watchlist_model(s, d->watchlist_id, r->model, sizeof r->model, err);
    if (st == VG_OK)
        st = vg_db_counters_get(s, d->id, NULL, &r->counters, err);
    int64_t c[5] = {0};
    if (st == VG_OK)
        st = vg_db_alert_counts(s, d->id, c, err);
    r->alerts = c[0];
    r->confirmed = c[1];
    r->rejected = c[2];
    r->no_action = c[3];
    r->pending = c[4];
    vg_deployment_runs runs;
    if (st == VG_OK)
        st = vg_store_deployment_runs(s, d->name, &runs, err);
    if (st == VG_OK) {
        r->runs = runs.runs;
        r->runs_unclean = runs.unclean;
        r->last_run_open = runs.last_open;
    }
    return st;
}

vg_status vg_store_report(vg_store *s, const char *deployment, vg_report *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_report: NULL argument");
    memset(out, 0, sizeof *out);
    vg_status st = vg_check_text("deployment name", deployment, VG_STORE_NAME_MAX, 1, err);
    if (st != VG_OK)
        return st;
    vg_deployment *d = malloc(sizeof *d);
    if (!d)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading a report");
    /* one read transaction: the counts agree with each other */
    if ((st = vg_store_begin(s, err)) == VG_OK) {
        st = vg_db_deployment_find(s, deployment, 0, d, err);
        if (st == VG_OK)
            st = fill(s, d, out, err);
        st = vg_store_end(s, st, err);
    }
    free(d);
    if (st != VG_OK) {
        memset(out, 0, sizeof *out);
        return st;
    }
    rates(out);
    return VG_OK;
}

static void add_counters(vg_counters *a, const vg_counters *b)
{
    a->frames_in += b->frames_in;
    a->frames_processed += b->frames_processed;
    a->frames_dropped += b->frames_dropped;
    a->faces += b->faces;
    a->tracks += b->tracks;
    a->embeddings += b->embeddings;
    a->comparisons += b->comparisons;
    a->alerts += b->alerts;
    a->reconnects += b->reconnects;
}

vg_status vg_store_report_period(vg_store *s, int64_t from, int64_t until, vg_report *sum,
                                 int *n_deployments, vg_err *err)
{
    if (!s || !sum || !n_deployments)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_report_period: NULL argument");
    memset(sum, 0, sizeof *sum);
    *n_deployments = 0;
    if (from >= until)
        return vg_err_set(err, VG_ERR_INVALID,
                          "the period is empty: until (%lld) must be after from (%lld)",
                          (long long)until, (long long)from);
    vg_report *one = malloc(sizeof *one);
    if (!one)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading a report");
    vg_deployment *d = NULL;
    int n = 0, used = 0;
    vg_status st = vg_store_begin(s, err);
    if (st != VG_OK) {
        free(one);
        return st;
    }
    st = vg_db_deployment_list(s, &d, &n, err);
    for (int i = 0; st == VG_OK && i < n; i++) {
        if (!(d[i].starts_at < until && effective_end(&d[i]) > from))
            continue;
        if ((st = fill(s, &d[i], one, err)) != VG_OK)
            break;
        if (used == 0) {
            *sum = *one;
            sum->deployment[0] = '\0';
            sum->ended_at = 0;
        } else {
            if (strcmp(sum->watchlist, one->watchlist) != 0)
                snprintf(sum->watchlist, sizeof sum->watchlist, "various");
            if (strcmp(sum->location, one->location) != 0)
                snprintf(sum->location, sizeof sum->location, "various");
            if (strcmp(sum->model, one->model) != 0)
                snprintf(sum->model, sizeof sum->model, "various");
            if (strcmp(sum->pack_model, one->pack_model) != 0)
                snprintf(sum->pack_model, sizeof sum->pack_model, "various");
            if (strcmp(sum->detector, one->detector) != 0)
                snprintf(sum->detector, sizeof sum->detector, "various");
            if (sum->threshold != one->threshold)
                sum->threshold = -1;
            if (one->starts_at < sum->starts_at)
                sum->starts_at = one->starts_at;
            if (one->ends_at > sum->ends_at)
                sum->ends_at = one->ends_at;
            if (one->watchlist_size > sum->watchlist_size)
                sum->watchlist_size = one->watchlist_size;
            sum->hours_on_air += one->hours_on_air;
            add_counters(&sum->counters, &one->counters);
            sum->alerts += one->alerts;
            sum->confirmed += one->confirmed;
            sum->rejected += one->rejected;
            sum->no_action += one->no_action;
            sum->pending += one->pending;
            sum->runs += one->runs;
            sum->runs_unclean += one->runs_unclean;
            sum->last_run_open += one->last_run_open; /* a summary: how many deployments have one */
        }
        used++;
    }
    st = vg_store_end(s, st, err);
    free(d);
    free(one);
    if (st != VG_OK) {
        memset(sum, 0, sizeof *sum);
        return st;
    }
    rates(sum);
    *n_deployments = used;
    return VG_OK;
}
