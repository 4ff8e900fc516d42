/* cmd_serve.c — `vigil serve [--listen ADDR:PORT] [--tls-cert F --tls-key F]`:
 * the HTTP API alone (no engine), over HTTPS when given a certificate, with
 * the model pack for enrolment uploads, until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/live.h"
#include "vigil/server.h"
#include "vigil/store.h"

static const char usage[] =
    "usage: vigil serve [--listen ADDR:PORT] [--tls-cert PEM --tls-key PEM]\n"
    "Serves the HTTP API (default 127.0.0.1:8080; port 0 picks a free one) until\n"
    "SIGINT or SIGTERM; HTTPS with a certificate and key (PEM files). Users are added\n"
    "with `vigil user add`, API tokens with `vigil user token`. Photos uploaded to a\n"
    "watch list go through the model pack's enrolment gate.\n";

int vg_cmd_serve(const vg_cli *cli, int argc, char **argv)
{
    if (vg_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return VG_EXIT_OK;
    }
    const char *listen = NULL, *cert = NULL, *key = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = vg_cli_opt(argc, argv, &i, "--listen", &listen)) ||
            (r = vg_cli_opt(argc, argv, &i, "--tls-cert", &cert)) ||
            (r = vg_cli_opt(argc, argv, &i, "--tls-key", &key))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else {
            return vg_cli_usage("serve: unexpected '%s'", argv[i]);
        }
    }
    if (!cert != !key)
        return vg_cli_usage("serve: --tls-cert and --tls-key go together");
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    /* the pack for enrolment uploads: faces down to 20 px are looked for so
     * that a small face is refused as too small rather than not found */
    vg_cli pc = *cli;
    if (pc.min_face <= 0)
        pc.min_face = 20;
    vg_face_pack *pack = NULL;
    vg_err perr = {{0}};
    if (vg_cli_open_pack(&pc, &pack, &perr) != VG_OK)
        fprintf(stderr, "vigil: no model pack (%s): photo uploads will be refused (503)\n", perr.msg);
    /* Blocked before the server's threads start, so they inherit the mask
     * and only sigtimedwait below sees the signals. */
    vg_cli_block_signals();
    vg_server_config cfg = {.listen = listen, .tls_cert = cert, .tls_key = key, .pack = pack};
    vg_server *srv = NULL;
    if ((st = vg_server_start(&cfg, store, &srv, &err)) != VG_OK) {
        vg_face_pack_close(pack);
        vg_store_close(store);
        return vg_cli_fail(st, &err);
    }
    char host[64] = "127.0.0.1";
    if (listen) {
        const char *c = strrchr(listen, ':');
        snprintf(host, sizeof host, "%.*s", (int)(c - listen), listen);
    }
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s, s:s, s:i, s:s}", "event", "listening", "host", host, "port",
                                    vg_server_port(srv), "scheme", cert ? "https" : "http"));
    else
        printf("vigil: serving %s://%s:%d/ (Ctrl-C stops)\n", cert ? "https" : "http", host, vg_server_port(srv));
    fflush(stdout);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    while (sig != SIGINT && sig != SIGTERM)
        sig = sigwaitinfo(&set, NULL);
    vg_server_stop(srv);
    vg_face_pack_close(pack);
    vg_store_close(store);
    return VG_EXIT_OK;
}
