/* main.c — the `vigil` command: global options, then one subcommand from the
 * table. A thin layer: every subcommand calls the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const vg_cli_command commands[] = {
    {"version", "", "versions of vigil, ONNX Runtime, FFmpeg and the model pack", vg_cmd_version, 0},
    {"detect", "IMAGE...", "faces in images: box, five points, score, quality", vg_cmd_detect, 0},
    {"compare", "IMAGE_A IMAGE_B [--threshold T]",
     "cosine similarity of the main faces, and the decision at the threshold", vg_cmd_compare, 0},
    {"eval", "verify|search --lfw DIR ...", "accuracy on labelled data", vg_cmd_eval, 1},
    {"watchlist", "create|list|show|purge|reembed ...", "watch lists: who is on them, why, on whose authority",
     vg_cmd_watchlist, 1},
    {"subject", "add|list|remove ...", "enrol people on a watch list from photos, list, remove",
     vg_cmd_subject, 1},
    {"identify", "IMAGE --watchlist NAME [--top K] [--threshold T]", "1:N search of every face in a photo",
     vg_cmd_identify, 0},
    {"audit", "log [--since DATE] | verify", "the tamper-evident audit chain", vg_cmd_audit, 1},
    {"retention", "run|hold|release ...", "delete alerts, crops and subjects past their period; audited",
     vg_cmd_retention, 1},
    {"deployment", "create|list|show|end ...", "where, when and on whose authority a watch list is used",
     vg_cmd_deployment, 1},
    {"run", "--deployment NAME [--config FILE]", "the live engine on a deployment's cameras", vg_cmd_run, 1},
    {"replay", "VIDEO --watchlist NAME", "a file through the live pipeline, as fast as it goes", vg_cmd_replay, 1},
    {"alert", "list|adjudicate ...", "alerts of a deployment; an officer's decision on one", vg_cmd_alert, 1},
    {"report", "DEPLOYMENT | --from DATE --until DATE", "the transparency report: counts only", vg_cmd_report, 1},
    {"serve", "[--listen ADDR:PORT]", "the HTTP API (default 127.0.0.1:8080) until Ctrl-C", vg_cmd_serve, 0},
    {"user", "add NAME --role ROLE | list | token NAME --role ROLE | tokens | revoke-token NAME",
     "users of the HTTP API (password on stdin) and API tokens", vg_cmd_user, 1},
    {"models", "list | show [MODEL] | verify [DIR]", "the model pack: its models, their facts, a re-hash of each",
     vg_cmd_models, 1},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
            "Live facial recognition against a watch list.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %-48s %s\n", commands[i].name, commands[i].usage, commands[i].summary);
    fprintf(out,
            "\nglobal options (anywhere on the line):\n"
            "  --models DIR       model pack directory, with a manifest.json or of models vigil knows\n"
            "                     (default $VIGIL_MODELS, else the bootstrap's; docs/packs.md)\n"
            "  --detector SPEC    default (the pack's) | yunet:PATH | ultraface:PATH | scrfd:PATH\n"
            "  --min-face PX      smallest face height to look for (default 40)\n"
            "  --max-pixels N     refuse images larger than N pixels (default 40000000)\n"
            "  --threads N        worker threads (default: the cores)\n"
            "  --db PATH|URL      database: a SQLite file, or postgresql://USER:PASSWORD@HOST:PORT/DB\n"
            "                     shared by several nodes (default $VIGIL_DB, else ./vigil.db)\n"
            "  --key PATH         key file for templates and photos (default $VIGIL_KEY, else DB.key;\n"
            "                     required with a postgresql:// URL)\n"
            "  --actor NAME       who is acting, for the audit chain (default $VIGIL_ACTOR, else the login)\n"
            "  --json             machine-readable output, one JSON object per line\n"
            "  -h, --help         help (also after a command)\n"
            "  -V, --version      vigil's version (as `vigil version`)\n\n"
            "exit status: 0 ok; 1 failure (not found, already exists, no face, a check failed);\n"
            "2 bad usage or bad input (the command line, or a file it names, is wrong)\n");
}

/* Takes the global options out of argv (in place); returns the new argc or -1. */
static int take_globals(vg_cli *cli, int argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        long long v;
        if (strcmp(a, "--json") == 0) {
            cli->json = 1;
        } else if (strcmp(a, "--models") == 0 || strcmp(a, "--detector") == 0 ||
                   strcmp(a, "--db") == 0 || strcmp(a, "--threads") == 0 ||
                   strcmp(a, "--key") == 0 || strcmp(a, "--actor") == 0 ||
                   strcmp(a, "--max-pixels") == 0 || strcmp(a, "--min-face") == 0) {
            if (!has_value) {
                vg_cli_usage("%s needs a value", a);
                return -1;
            }
            const char *val = argv[++i];
            if (strcmp(a, "--models") == 0)
                cli->models = val;
            else if (strcmp(a, "--detector") == 0)
                cli->detector = val;
            else if (strcmp(a, "--db") == 0)
                cli->db = val;
            else if (strcmp(a, "--key") == 0)
                cli->key = val;
            else if (strcmp(a, "--actor") == 0)
                cli->actor = val;
            else if (strcmp(a, "--threads") == 0) {
                if (vg_cli_parse_int(val, 1, 256, &v)) {
                    vg_cli_usage("--threads takes a number from 1 to 256, not '%s'", val);
                    return -1;
                }
                cli->threads = (int)v;
            } else if (strcmp(a, "--max-pixels") == 0) {
                if (vg_cli_parse_int(val, 1, 1000000000LL, &v)) {
                    vg_cli_usage("--max-pixels takes a number from 1 to 1e9, not '%s'", val);
                    return -1;
                }
                cli->max_pixels = v;
            } else {
                if (vg_cli_parse_int(val, 8, 4096, &v)) {
                    vg_cli_usage("--min-face takes a number of pixels from 8 to 4096, not '%s'", val);
                    return -1;
                }
                cli->min_face = (float)v;
            }
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    return out;
}

static int dispatch(vg_cli *cli, int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return VG_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        if (argc > 2)
            return vg_cli_usage("--version takes no arguments");
        char *args[] = {"version", NULL};
        return vg_cmd_version(cli, 1, args);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (vg_cli_wants_help(argc - 1, argv + 1) && !commands[i].has_subcommands) {
            printf("usage: vigil %s %s\n\n%s\n", commands[i].name, commands[i].usage,
                   commands[i].summary);
            return VG_EXIT_OK;
        }
        return commands[i].run(cli, argc - 1, argv + 1);
    }
    return vg_cli_usage("unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
    vg_cli cli = {0};
    cli.db = getenv("VIGIL_DB");
    for (int i = 1; i < argc; i++) /* --json first: its errors are JSON too */
        cli.json |= strcmp(argv[i], "--json") == 0;
    vg_cli_json_stderr js = {0};
    if (cli.json)
        vg_cli_json_stderr_start(&js);
    argc = take_globals(&cli, argc, argv);
    int code = argc < 0 ? VG_EXIT_USAGE : dispatch(&cli, argc, argv);
    fflush(stdout);
    vg_cli_json_stderr_stop(&js);
    return code;
}
