/* cmd_retention.c — `vigil retention run|hold|release`: delete what has
 * outlived its period (store.h, vg_store_retention_run), and hold an alert
 * for an investigation so that retention keeps it. Every run and every hold
 * is in the audit chain. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/store.h"

static const char usage[] =
    "usage: vigil retention run [--alert-days N] [--purge-ended] [--now DATE]\n"
    "       vigil retention hold ALERT_ID --reason TEXT\n"
    "       vigil retention release ALERT_ID\n"
    "run: deletes alerts (and their face crops) older than N days (default 31) unless held,\n"
    "     subjects past their own or their watch list's expiry, with templates and photos, and,\n"
    "     with --purge-ended, the subjects of watch lists whose deployments have all been ended;\n"
    "     then reclaims the space so no copy is left in the database files. Audited with counts.\n"
    "--now DATE: apply the rules as at DATE instead of the current time (tests, audits of the rules)\n"
    "DATE: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM[:SS]Z\n";

static int ret_run(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *days = NULL, *now = NULL;
    vg_retention_policy p = {0};
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = vg_cli_opt(argc, argv, &i, "--alert-days", &days)) ||
            (r = vg_cli_opt(argc, argv, &i, "--now", &now))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if (strcmp(argv[i], "--purge-ended") == 0) {
            p.purge_ended_deployment_lists = 1;
        } else {
            return vg_cli_usage("retention run: unexpected '%s'", argv[i]);
        }
    }
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
        vg_cli_print_json(json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:b}", "alerts_deleted", r.alerts_deleted,
                                    "crops_deleted", r.crops_deleted, "subjects_expired", r.subjects_expired,
                                    "watchlists_purged", r.watchlists_purged, "subjects_purged",
                                    r.subjects_purged, "templates_deleted", r.templates_deleted,
                                    "photos_deleted", r.photos_deleted, "space_reclaimed", r.space_reclaimed));
    } else {
        printf("retention: %d alerts deleted (%d face crops)\n"
               "           %d expired subjects deleted\n"
               "           %d watch lists of ended deployments purged (%d subjects)\n"
               "           %d templates and %d photos deleted\n",
               r.alerts_deleted, r.crops_deleted, r.subjects_expired, r.watchlists_purged, r.subjects_purged,
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

static int ret_hold(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *id_text = NULL, *reason = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if ((r = vg_cli_opt(argc, argv, &i, "--reason", &reason))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if (argv[i][0] == '-') {
            return vg_cli_usage("retention hold: unknown option '%s'", argv[i]);
        } else if (!id_text) {
            id_text = argv[i];
        } else {
            return vg_cli_usage("retention hold takes one ALERT_ID");
        }
    }
    if (!id_text || !reason)
        return vg_cli_usage("retention hold needs ALERT_ID and --reason");
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
    if (argc < 2 || vg_cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "run") && strcmp(sub, "hold") && strcmp(sub, "release"))
        return vg_cli_usage("unknown retention command '%s'", sub);
    if (!strcmp(sub, "release") && argc != 3)
        return vg_cli_usage("usage: vigil retention release ALERT_ID");
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int code;
    if (!strcmp(sub, "run"))
        code = ret_run(cli, store, argc, argv);
    else if (!strcmp(sub, "hold"))
        code = ret_hold(cli, store, argc, argv);
    else
        code = ret_release(cli, store, argv[2]);
    vg_store_close(store);
    return code;
}
