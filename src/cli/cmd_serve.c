/* cmd_serve.c — `vigil serve [--listen ADDR:PORT]`: the HTTP API alone (no
 * engine), until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/live.h"
#include "vigil/server.h"
#include "vigil/store.h"

static const char usage[] =
    "usage: vigil serve [--listen ADDR:PORT]\n"
    "Serves the HTTP API (default 127.0.0.1:8080; port 0 picks a free one) until\n"
    "SIGINT or SIGTERM. Users are added with `vigil user add`.\n";

int vg_cmd_serve(const vg_cli *cli, int argc, char **argv)
{
    if (vg_cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return VG_EXIT_OK;
    }
    const char *listen = NULL;
    for (int i = 1; i < argc; i++) {
        int r = vg_cli_opt(argc, argv, &i, "--listen", &listen);
        if (r < 0)
            return VG_EXIT_USAGE;
        if (r == 0)
            return vg_cli_usage("serve: unexpected '%s'", argv[i]);
    }
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    /* Blocked before the server's threads start, so they inherit the mask
     * and only sigtimedwait below sees the signals. */
    vg_cli_block_signals();
    vg_server_config cfg = {.listen = listen};
    vg_server *srv = NULL;
    if ((st = vg_server_start(&cfg, store, &srv, &err)) != VG_OK) {
        vg_store_close(store);
        return vg_cli_fail(st, &err);
    }
    char host[64] = "127.0.0.1";
    if (listen) {
        const char *c = strrchr(listen, ':');
        snprintf(host, sizeof host, "%.*s", (int)(c - listen), listen);
    }
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s, s:s, s:i}", "event", "listening", "host", host, "port",
                                    vg_server_port(srv)));
    else
        printf("vigil: serving http://%s:%d/ (Ctrl-C stops)\n", host, vg_server_port(srv));
    fflush(stdout);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    while (sig != SIGINT && sig != SIGTERM)
        sig = sigwaitinfo(&set, NULL);
    vg_server_stop(srv);
    vg_store_close(store);
    return VG_EXIT_OK;
}
