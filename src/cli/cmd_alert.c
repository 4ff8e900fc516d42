/* cmd_alert.c — `vigil alert list|adjudicate`: the alerts of a deployment
 * (id, time, camera, subject id, score, state — never the probe image) and
 * an officer's decision on one, recorded under --actor and audited. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"

static const vg_cli_cmd_def list_def = {
    "alert list", "", 0, 0, "alerts: id, time, camera, subject, score, state (never the probe image)", NULL,
    {{"--deployment", "NAME", "only this deployment's", 0},
     {"--state", "STATE", "only those in this state: pending, confirmed, rejected or no_action", 0},
     {0}}};
static const vg_cli_cmd_def adjudicate_def = {
    "alert adjudicate", "ID", 1, 1, "an officer's decision on an alert, recorded under --actor and audited",
    "The officer is --actor (default $VIGIL_ACTOR, else the login). A decision is final:\n"
    "an alert already adjudicated is refused.\n",
    {{"--outcome", "OUTCOME", "confirmed, rejected or no_action", VG_OPT_REQUIRED},
     {"--note", "TEXT", "the officer's note", 0},
     {0}}};
static const vg_cli_cmd_def *const subs[] = {&list_def, &adjudicate_def};

static int alert_list(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *dep = vg_cli_val(p, "--deployment"), *state = vg_cli_val(p, "--state");
    if (state && strcmp(state, "pending") && strcmp(state, "confirmed") && strcmp(state, "rejected") &&
        strcmp(state, "no_action"))
        return vg_cli_usage("--state takes pending, confirmed, rejected or no_action, not '%s'", state);
    vg_err err = {{0}};
    int64_t dep_id = 0;
    if (dep) {
        vg_deployment *d = calloc(1, sizeof *d);
        vg_status st = d ? vg_store_deployment_get(store, dep, d, &err) : VG_ERR_NOMEM;
        dep_id = d ? d->id : 0;
        free(d);
        if (st)
            return vg_cli_fail(st, &err);
    }
    vg_alert *a = NULL;
    int n = 0;
    vg_status st = vg_store_alert_list(store, dep_id, &a, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (!cli->json)
        printf("%-8s %-19s %-16s %-8s %-6s %s\n", "ID", "TIME (UTC)", "CAMERA", "SUBJECT", "SCORE", "STATE");
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        if (state && strcmp(a[i].state, state) != 0)
            continue;
        char t[32];
        /* the subject enrolled with a photo below the quality limits (a
         * supervisor's acceptance): the officer is told */
        vg_alert_detail d;
        int low = vg_store_alert_detail_get(store, a[i].id, &d, NULL) == VG_OK && d.low_quality;
        if (cli->json)
            rc |= vg_cli_print_json(json_pack("{s:I,s:I,s:f,s:f,s:s,s:I,s:f,s:s,s:b}", "id", (json_int_t)a[i].id,
                                        "deployment_id", (json_int_t)a[i].deployment_id, "frame_time",
                                        a[i].frame_time, "raised_at", a[i].raised_at, "camera", a[i].camera,
                                        "subject_id", (json_int_t)a[i].subject_id, "score",
                                        round((double)a[i].score * 10000.0) / 10000.0, "state", a[i].state,
                                        "low_quality", low));
        else
            printf("%-8lld %-19s %-16s %-8lld %-6.4f %s%s\n", (long long)a[i].id,
                   vg_cli_format_time((long long)a[i].raised_at, t, sizeof t), a[i].camera,
                   (long long)a[i].subject_id, (double)a[i].score, a[i].state,
                   low ? "  (low-quality enrolment photo)" : "");
    }
    free(a);
    return rc;
}

static int alert_adjudicate(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *id_s = p->pos[0], *outcome = vg_cli_val(p, "--outcome"), *note = vg_cli_val(p, "--note");
    if (!note)
        note = "";
    long long id = 0;
    if (vg_cli_parse_int(id_s, 1, INT64_MAX, &id))
        return vg_cli_usage("alert adjudicate needs an alert ID (a positive number), not '%s'", id_s);
    vg_err err = {{0}};
    const char *officer = vg_cli_actor(cli);
    vg_status st = vg_store_alert_adjudicate(store, officer, id, outcome, note, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "outcome", outcome, "officer", officer));
    else
        printf("alert %lld: %s, recorded for %s\n", id, outcome, officer);
    return VG_EXIT_OK;
}

int vg_cmd_alert(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("alert", subs, 2, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0 ? alert_list(cli, store, &p) : alert_adjudicate(cli, store, &p);
    vg_store_close(store);
    return code;
}
