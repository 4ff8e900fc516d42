/* cmd_serve.c — `vigil serve [--listen ADDR:PORT] [--tls-cert F --tls-key F]
 * [--config FILE]`: the HTTP API alone (no engine), over HTTPS when given a
 * certificate, with the model pack for enrolment uploads, until SIGINT or
 * SIGTERM; with [audit] checkpoint_interval in the config, signed
 * checkpoints of the audit chain at the start, every interval and at the
 * stop. Its alert feed reads the alerts that `vigil run` processes write
 * to the same database. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/checkpoints.h"
#include "cli/cli.h"
#include "cli/follow.h"
#include "cli/server_start.h"
#include "cli/options.h"
#include "cli/run_shared.h"
#include "vigil/server.h"
#include "vigil/store.h"

static const vg_cli_cmd_def def = {
    "serve", "", 0, 0, "the HTTP API and the console, without the engine, until SIGINT or SIGTERM",
    "Users are added with `vigil user add`, API tokens with `vigil user token`. Photos uploaded\n"
    "to a watch list go through the model pack's enrolment gate. Alerts that `vigil run`\n"
    "processes write to the same database reach the console live.\n",
    {{"--listen", "ADDR:PORT", "where to listen (default: [http] listen of the config, else 127.0.0.1:8080; "
                               "port 0: a free one)", 0},
     {"--tls-cert", "PEM", "HTTPS with this certificate (with --tls-key)", 0},
     {"--tls-key", "PEM", "the certificate's private key (with --tls-cert)", 0},
     {"--config", "FILE", "a config file: [http], [webhook], [audit] (periodic checkpoints) and the engine's "
                          "sections", 0},
     {0}}};

int vg_cmd_serve(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    const char *listen = vg_cli_val(&p, "--listen"), *cert = vg_cli_val(&p, "--tls-cert"),
               *key = vg_cli_val(&p, "--tls-key"), *config = vg_cli_val(&p, "--config");
    if (!cert != !key)
        return vg_cli_usage("serve: --tls-cert and --tls-key go together");
    vg_err err = {{0}};
    vg_status st = VG_OK;
    vg_server_settings *set = calloc(1, sizeof *set);
    if (!set)
        return vg_cli_fail(VG_ERR_NOMEM, NULL);
    if (config) { /* the engine's sections are checked too: the file is shared */
        vg_engine_config ec;
        memset(&ec, 0, sizeof ec);
        int mf = 0;
        if ((st = vg_engine_config_load_shared(config, vg_server_config_sections, &ec, &mf, &err)) ||
            (st = vg_server_settings_load(config, set, &err))) {
            free(set);
            return vg_cli_fail_config(st, &err);
        }
    }
    if (cert) { /* the command line over the file */
        snprintf(set->tls_cert, sizeof set->tls_cert, "%s", cert);
        snprintf(set->tls_key, sizeof set->tls_key, "%s", key);
    }
    /* the pack for enrolment uploads: faces down to 20 px are looked for so
     * that a small face is refused as too small rather than not found */
    vg_cli pc = *cli;
    if (pc.min_face <= 0)
        pc.min_face = 20;
    vg_face_pack *pack = NULL;
    vg_err perr = {{0}};
    if (vg_cli_open_pack(&pc, &pack, &perr) != VG_OK)
    {
        vg_log_line l;
        vg_log_start(&l, "warning");
        vg_log_fmt(&l, "reason", "no model pack (%s): photo uploads will be refused (503)", perr.msg);
        vg_cli_log_line(NULL, l.buf);
    }
    /* Blocked before the server's threads start, so they inherit the mask
     * and only sigwaitinfo below sees the signals. */
    vg_cli_block_signals();
    /* [audit] checkpoint_interval: the chain's head signed now, every
     * interval, and at the stop */
    vg_cli_checkpoints *checkpoints = NULL;
    if ((st = vg_cli_checkpoints_start(cli, set, &checkpoints, &err))) {
        vg_face_pack_close(pack);
        free(set);
        return vg_cli_fail(st, &err);
    }
    vg_cli_http http;
    st = vg_cli_http_start(cli, set, listen, NULL, pack, &http, &err);
    if (st) {
        vg_cli_checkpoints_stop(checkpoints);
        vg_face_pack_close(pack);
        free(set);
        return vg_cli_fail(st, &err);
    }
    /* on a shared store, alerts other nodes store reach the stream at once */
    vg_cli_follow *follow = NULL;
    if (vg_cli_store_shared(cli)) {
        vg_err ferr = {{0}};
        char line[VG_ERR_MSG_MAX + 64];
        if (vg_cli_follow_start(cli, http.store, NULL, 0, NULL, vg_cli_http_alerts_changed, &http, &follow,
                                &ferr) == VG_OK)
            snprintf(line, sizeof line, "event=following_changes alerts=1");
        else
            snprintf(line, sizeof line, "event=not_following_changes reason=\"%s\"", ferr.msg);
        vg_cli_log_line(NULL, line);
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGUSR1);
    sigaddset(&sigs, SIGUSR2);
    int sig = 0;
    while (sig != SIGINT && sig != SIGTERM) {
        sig = sigwaitinfo(&sigs, NULL);
        /* a closed terminal or `systemctl reload`: the server keeps nothing
         * to reload (settings are read at the start), so it says so and goes on */
        if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2) {
            char sline[80];
            snprintf(sline, sizeof sline, "event=signal signal=%s action=ignored",
                     sig == SIGHUP ? "SIGHUP" : sig == SIGUSR1 ? "SIGUSR1" : "SIGUSR2");
            vg_cli_log_line(NULL, sline);
        }
    }
    vg_cli_follow_stop(follow);
    vg_cli_http_stop(&http);
    vg_cli_checkpoints_stop(checkpoints);
    vg_face_pack_close(pack);
    free(set);
    return VG_EXIT_OK;
}
