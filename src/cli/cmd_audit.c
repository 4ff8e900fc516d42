/* cmd_audit.c — `vigil audit log|verify|checkpoint`: the audit chain,
 * printed, and checked link by link; verify names the first entry that was
 * edited, removed or reordered, and with --checkpoints also a chain
 * rewritten consistently; checkpoint signs the chain's head and exports it
 * outside the database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/checkpoints.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/checkpoint.h"
#include "vigil/store.h"

static const vg_cli_cmd_def log_def = {
    "audit log", "", 0, 0, "the audit chain's entries, oldest first", NULL,
    {{"--since", "DATE", "entries from DATE on (YYYY-MM-DD, 00:00 UTC, or YYYY-MM-DDTHH:MM[:SS]Z)", 0}, {0}}};
#define SIGN_KEY_HELP "the checkpoint signing key file (default $VIGIL_SIGN_KEY, else the database path + " \
                      "\".sign.key\"; required for a PostgreSQL database)"
static const vg_cli_cmd_def verify_def = {
    "audit verify", "", 0, 0, "checks the chain link by link; exit 1 naming the first entry edited, removed or "
    "reordered",
    "With --checkpoints, also every signed checkpoint in FILE: a chain rewritten with every hash\n"
    "recomputed links internally, but no longer holds the hash a checkpoint signed.\n",
    {{"--checkpoints", "FILE", "checkpoints made by `vigil audit checkpoint`, one per line", 0},
     {"--public-key", "HEX", "the key the checkpoints must be signed by (default: the signing key file's)", 0},
     {"--sign-key", "PATH", SIGN_KEY_HELP, 0},
     {0}}};
static const vg_cli_cmd_def checkpoint_def = {
    "audit checkpoint", "", 0, 0, "signs the chain's head (Ed25519) and exports the line outside the database",
    "Run it regularly (a timer, or [audit] checkpoint_interval of serve and run) and after\n"
    "sensitive work. The line goes to --file (appended, synced)\n"
    "and to --syslog (RFC 5424 over UDP), at least one of them, and to standard output.\n",
    {{"--file", "FILE", "append the checkpoint to FILE (created 0600)", 0},
     {"--syslog", "udp://HOST:PORT", "send it to a syslog collector as an RFC 5424 message", 0},
     {"--sign-key", "PATH", SIGN_KEY_HELP, 0},
     {0}}};
static const vg_cli_cmd_def *const subs[] = {&log_def, &verify_def, &checkpoint_def};

/* --sign-key, $VIGIL_SIGN_KEY, or the database file's path + ".sign.key". */
static const char *sign_key_path(const vg_cli *cli, const vg_cli_parsed *p, char *buf, size_t cap)
{
    return vg_cli_sign_key_path(cli, vg_cli_val(p, "--sign-key"), buf, cap);
}

static int audit_checkpoint(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    char kbuf[4200];
    vg_checkpoint_options o = {.key_path = sign_key_path(cli, p, kbuf, sizeof kbuf),
                               .file = vg_cli_val(p, "--file"),
                               .syslog = vg_cli_val(p, "--syslog")};
    if (!o.key_path)
        return vg_cli_usage("a PostgreSQL database needs its checkpoint signing key named (--sign-key or "
                            "VIGIL_SIGN_KEY)");
    if (!o.file && !o.syslog)
        return vg_cli_usage("audit checkpoint needs --file, --syslog or both: a checkpoint is worth "
                            "something only outside the database");
    vg_checkpoint c;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_checkpoint(store, &o, &c, &err);
    if (st != VG_OK && !c.sig[0])
        return vg_cli_fail(st, &err);
    int rc = VG_EXIT_OK;
    if (cli->json)
        rc = vg_cli_print_json(json_pack("{s:I,s:s,s:I,s:s,s:s}", "seq", (json_int_t)c.seq, "hash", c.hash,
                                         "time", (json_int_t)c.time, "key", c.key, "sig", c.sig));
    else
        printf("vigil-checkpoint v1 seq=%lld hash=%s time=%lld key=%s sig=%s\n", (long long)c.seq, c.hash,
               (long long)c.time, c.key, c.sig);
    if (st != VG_OK) /* made, but not written everywhere it was asked to go */
        return vg_cli_fail(st, &err);
    return rc;
}

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

static int audit_verify(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    int64_t bad = 0, entries = 0;
    vg_err err = {{0}};
    const char *file = vg_cli_val(p, "--checkpoints");
    char pub[65] = "";
    if (file) { /* the trusted key first: a usage error changes nothing and reads nothing */
        const char *given = vg_cli_val(p, "--public-key");
        char kbuf[4200];
        const char *kp = sign_key_path(cli, p, kbuf, sizeof kbuf);
        if (given) {
            if (strlen(given) != 64 || strspn(given, "0123456789abcdef") != 64)
                return vg_cli_usage("--public-key: want the 64 lowercase hex digits that "
                                    "`vigil audit checkpoint` prints after key=");
            memcpy(pub, given, 65);
        } else if (!kp) {
            return vg_cli_usage("a PostgreSQL database needs --public-key or --sign-key to check checkpoints");
        } else {
            vg_status ks = vg_checkpoint_public_key(kp, pub, &err);
            if (ks != VG_OK)
                return vg_cli_fail(ks, &err);
        }
    }
    vg_status st = vg_store_audit_verify(store, &bad, &entries, &err);
    int checked = 0;
    if (st == VG_OK && file)
        st = vg_store_audit_verify_checkpoints(store, file, pub, &checked, &bad, &err);
    if (cli->json) {
        vg_cli_print_json(json_pack("{s:b,s:I,s:I,s:s?,s:i}", "intact", st == VG_OK, "entries", (json_int_t)entries,
                                    "first_bad_seq", (json_int_t)bad, "error", st ? err.msg : NULL,
                                    "checkpoints", checked));
    } else if (st == VG_OK) {
        printf("audit chain intact: %lld entries", (long long)entries);
        if (file)
            printf(", %d signed checkpoint%s hold", checked, checked == 1 ? "" : "s");
        printf("\n");
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
    int k = vg_cli_pick_parse("audit", subs, 3, "The audit chain records every read or change of biometric data.\n",
                              argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0 ? audit_log(cli, store, &p) : k == 1 ? audit_verify(cli, store, &p) : audit_checkpoint(cli, store, &p);
    vg_store_close(store);
    return code;
}
