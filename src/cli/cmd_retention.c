/* cmd_retention.c — `vigil retention run|hold|release`: delete what has
 * outlived its period (store.h, vg_store_retention_run), and hold an alert
 * for an investigation so that retention keeps it. Every run and every hold
 * is in the audit chain. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"

static const vg_cli_cmd_def run_def = {
    "retention run", "", 0, 0, "deletes what has outlived its period; audited with counts",
    "Deletes alerts (and their face crops) older than N days unless held, subjects past their\n"
    "own or their watch list's expiry, with templates and photos, and, with --purge-ended,\n"
    "the subjects of watch lists whose deployments have all been ended; then reclaims the\n"
    "space so no copy is left in the database files.\n"
    "DATE: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM[:SS]Z\n",
    {{"--alert-days", "N", "alerts older than N days go, 1 to 36500 (default 31)", 0},
     {"--purge-ended", NULL, "also the subjects of watch lists whose deployments have all ended", 0},
     {"--now", "DATE", "apply the rules as at DATE instead of now (tests, audits of the rules)", 0},
     {0}}};
static const vg_cli_cmd_def hold_def = {
    "retention hold", "ALERT_ID", 1, 1, "keeps an alert for an investigation: retention skips it; audited", NULL,
    {{"--reason", "TEXT", "why it is held", VG_OPT_REQUIRED}, {0}}};
static const vg_cli_cmd_def release_def = {
    "retention release", "ALERT_ID", 1, 1, "ends a hold: the retention period applies again; audited", NULL,
    {{0}}};
static const vg_cli_cmd_def *const subs[] = {&run_def, &hold_def, &release_def};

static int ret_run(const vg_cli *cli, vg_store *store, const vg_cli_parsed *a)
{
    const char *days = vg_cli_val(a, "--alert-days"), *now = vg_cli_val(a, "--now");
    vg_retention_policy p = {0};
    p.purge_ended_deployment_lists = vg_cli_has(a, "--purge-ended");
    long long v = 0, t = 0;
    if (days && vg_cli_parse_int(days, 1, 36500, &v))
        return vg_cli_usage("--alert-days takes a number from 1 to 36500");
    p.alert_days = (int)v;
    if (now && (vg_cli_parse_time(now, &t) || t <= 0))
        return vg_cli_usage("--now: '%s' is not a date (YYYY-MM-DD)", now);
    vg_retention_result r;
    vg_err err = {{0}};
    vg_status st = vg_store_retention_run(store, vg_cli_actor(cli), &p, (int64_t)t, &r, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json) {
        vg_cli_print_json(json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:b}", "alerts_deleted", r.alerts_deleted,
                                    "crops_deleted", r.crops_deleted, "scenes_deleted", r.scenes_deleted, "subjects_expired", r.subjects_expired,
                                    "watchlists_purged", r.watchlists_purged, "subjects_purged",
                                    r.subjects_purged, "templates_deleted", r.templates_deleted,
                                    "photos_deleted", r.photos_deleted, "space_reclaimed", r.space_reclaimed));
    } else {
        printf("retention: %d alerts deleted (%d face crops, %d scenes)\n"
               "           %d expired subjects deleted\n"
               "           %d watch lists of ended deployments purged (%d subjects)\n"
               "           %d templates and %d photos deleted\n",
               r.alerts_deleted, r.crops_deleted, r.scenes_deleted, r.subjects_expired, r.watchlists_purged, r.subjects_purged,
               r.templates_deleted, r.photos_deleted);
    }
    if (!r.space_reclaimed)
        fprintf(stderr, "vigil: another process holds the database open, so deleted data may remain in its "
                        "write-ahead log until the next retention run\n");
    return VG_EXIT_OK;
}

static int parse_alert_id(const char *s, int64_t *id)
{
    long long v;
    if (vg_cli_parse_int(s, 1, 9223372036854775807LL, &v))
        return vg_cli_usage("'%s' is not an alert id", s);
    *id = v;
    return 0;
}

static int ret_hold(const vg_cli *cli, vg_store *store, const vg_cli_parsed *a)
{
    const char *id_text = a->pos[0], *reason = vg_cli_val(a, "--reason");
    int64_t id = 0;
    if (parse_alert_id(id_text, &id))
        return VG_EXIT_USAGE;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_hold(store, vg_cli_actor(cli), id, reason, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I,s:b,s:s}", "alert", (json_int_t)id, "held", 1, "reason", reason));
    else
        printf("alert %lld held: retention keeps it until it is released\n", (long long)id);
    return VG_EXIT_OK;
}

static int ret_release(const vg_cli *cli, vg_store *store, const char *id_text)
{
    int64_t id = 0;
    if (parse_alert_id(id_text, &id))
        return VG_EXIT_USAGE;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_release(store, vg_cli_actor(cli), id, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I,s:b}", "alert", (json_int_t)id, "held", 0));
    else
        printf("alert %lld released: the retention period applies to it again\n", (long long)id);
    return VG_EXIT_OK;
}

int vg_cmd_retention(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("retention", subs, 3, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (k == 0)
        code = ret_run(cli, store, &p);
    else if (k == 1)
        code = ret_hold(cli, store, &p);
    else
        code = ret_release(cli, store, p.pos[0]);
    vg_store_close(store);
    return code;
}
