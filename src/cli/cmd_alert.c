/* cmd_alert.c — `vigil alert list|adjudicate`: the alerts of a deployment
 * (id, time, camera, subject id, score, state — never the probe image) and
 * an officer's decision on one, recorded under --actor and audited. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/store.h"

static const char usage[] =
    "usage: vigil alert list [--deployment NAME] [--state pending|confirmed|rejected|no_action]\n"
    "       vigil alert adjudicate ID --outcome confirmed|rejected|no_action [--note TEXT]\n"
    "The officer is --actor (default $VIGIL_ACTOR, else the login). A decision is final:\n"
    "an alert already adjudicated is refused.\n";

static int alert_list(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *dep = NULL, *state = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = vg_cli_opt(argc, argv, &i, "--deployment", &dep)) ||
            (r = vg_cli_opt(argc, argv, &i, "--state", &state))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else {
            return vg_cli_usage("alert list: unexpected '%s'", argv[i]);
        }
    }
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
    for (int i = 0; i < n; i++) {
        if (state && strcmp(a[i].state, state) != 0)
            continue;
        char t[32];
        /* the subject enrolled with a photo below the quality limits (a
         * supervisor's acceptance): the officer is told */
        vg_alert_detail d;
        int low = vg_store_alert_detail_get(store, a[i].id, &d, NULL) == VG_OK && d.low_quality;
        if (cli->json)
            vg_cli_print_json(json_pack("{s:I,s:I,s:f,s:f,s:s,s:I,s:f,s:s,s:b}", "id", (json_int_t)a[i].id,
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
    return VG_EXIT_OK;
}

static int alert_adjudicate(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *id_s = NULL, *outcome = NULL, *note = "";
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = vg_cli_opt(argc, argv, &i, "--outcome", &outcome)) ||
            (r = vg_cli_opt(argc, argv, &i, "--note", &note))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if (argv[i][0] == '-' || id_s) {
            return vg_cli_usage("alert adjudicate: unexpected '%s'", argv[i]);
        } else {
            id_s = argv[i];
        }
    }
    long long id = 0;
    if (!id_s || vg_cli_parse_int(id_s, 1, INT64_MAX, &id))
        return vg_cli_usage("alert adjudicate needs an alert ID (a positive number)");
    if (!outcome)
        return vg_cli_usage("alert adjudicate needs --outcome confirmed|rejected|no_action");
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
    if (argc < 2 || vg_cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "list") && strcmp(sub, "adjudicate"))
        return vg_cli_usage("unknown alert command '%s'", sub);
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int code = !strcmp(sub, "list") ? alert_list(cli, store, argc, argv) : alert_adjudicate(cli, store, argc, argv);
    vg_store_close(store);
    return code;
}
