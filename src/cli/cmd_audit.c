/* cmd_audit.c — `vigil audit log|verify`: the audit chain, printed, and
 * checked link by link; verify names the first entry that was edited,
 * removed or reordered. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"

static const vg_cli_cmd_def log_def = {
    "audit log", "", 0, 0, "the audit chain's entries, oldest first", NULL,
    {{"--since", "DATE", "entries from DATE on (YYYY-MM-DD, 00:00 UTC, or YYYY-MM-DDTHH:MM[:SS]Z)", 0}, {0}}};
static const vg_cli_cmd_def verify_def = {
    "audit verify", "", 0, 0, "checks the chain link by link; exit 1 naming the first entry edited, removed or "
    "reordered", NULL, {{0}}};
static const vg_cli_cmd_def *const subs[] = {&log_def, &verify_def};

static int audit_log(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *since = vg_cli_val(p, "--since");
    long long t = 0;
    if (since && vg_cli_parse_time(since, &t))
        return vg_cli_usage("--since: '%s' is not a date (YYYY-MM-DD)", since);
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_list(store, t, &e, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        char ts[32];
        if (cli->json) {
            json_error_t jerr;
            json_t *details = json_loads(e[i].details ? e[i].details : "{}", 0, &jerr);
            if (!details) { /* an entry is never printed without what it did */
                fprintf(stderr, "vigil: audit entry %lld: its details are not JSON: %s\n",
                        (long long)e[i].seq, jerr.text);
                rc = VG_EXIT_FAIL;
                continue;
            }
            rc |= vg_cli_print_json(json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:s,s:s}", "seq", (json_int_t)e[i].seq, "time",
                                        (json_int_t)e[i].time, "actor", e[i].actor, "action", e[i].action, "object",
                                        e[i].object, "details", details, "prev_hash",
                                        e[i].prev_hash, "hash", e[i].hash));
        } else {
            printf("%6lld  %s  %-16s %-18s %-24s %s\n", (long long)e[i].seq,
                   vg_cli_format_time(e[i].time, ts, sizeof ts), e[i].actor, e[i].action, e[i].object,
                   e[i].details ? e[i].details : "{}");
        }
    }
    vg_store_audit_free(e, n);
    return rc;
}

static int audit_verify(const vg_cli *cli, vg_store *store)
{
    int64_t bad = 0, entries = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_verify(store, &bad, &entries, &err);
    if (cli->json) {
        vg_cli_print_json(json_pack("{s:b,s:I,s:I,s:s?}", "intact", st == VG_OK, "entries", (json_int_t)entries,
                                    "first_bad_seq", (json_int_t)bad, "error", st ? err.msg : NULL));
    } else if (st == VG_OK) {
        printf("audit chain intact: %lld entries\n", (long long)entries);
    } else if (st == VG_ERR_INVALID) {
        printf("audit chain BROKEN at entry %lld: %s\n", (long long)bad, err.msg);
    }
    if (st == VG_ERR_INVALID)
        return VG_EXIT_FAIL;
    return st ? vg_cli_fail(st, &err) : VG_EXIT_OK;
}

int vg_cmd_audit(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("audit", subs, 2, "The audit chain records every read or change of biometric data.\n",
                              argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0 ? audit_log(cli, store, &p) : audit_verify(cli, store);
    vg_store_close(store);
    return code;
}
