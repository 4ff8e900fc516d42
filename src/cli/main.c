/* main.c — the `vigil` command: global options (from their table), then one
 * subcommand from the table of commands, which answers --help from its own
 * table of options (options.h). A thin layer: every subcommand calls the
 * library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"

static const vg_cli_command commands[] = {
    {"version", "versions of vigil, ONNX Runtime, FFmpeg and the model pack", vg_cmd_version},
    {"detect", "faces in images: box, five points, score, quality", vg_cmd_detect},
    {"compare", "cosine similarity of the main faces of two images, and the decision", vg_cmd_compare},
    {"identify", "1:N search of every face in a photo against a watch list", vg_cmd_identify},
    {"eval", "accuracy on labelled data (verify, search, groups, calibrate)", vg_cmd_eval},
    {"watchlist", "watch lists: who is on them, why, on whose authority", vg_cmd_watchlist},
    {"subject", "enrol people on a watch list from photos, list, remove", vg_cmd_subject},
    {"deployment", "where, when and on whose authority a watch list is used", vg_cmd_deployment},
    {"run", "the live engine on a deployment's cameras, with the console", vg_cmd_run},
    {"replay", "a file through the live pipeline, as fast as it goes", vg_cmd_replay},
    {"serve", "the HTTP API and the console alone", vg_cmd_serve},
    {"alert", "alerts of a deployment; an officer's decision on one", vg_cmd_alert},
    {"report", "the transparency report: counts only", vg_cmd_report},
    {"paperwork", "a deployment's DPIA, EIA, watch-list criteria, authorisation, review", vg_cmd_paperwork},
    {"audit", "the tamper-evident audit chain", vg_cmd_audit},
    {"retention", "delete alerts, crops and subjects past their period; audited", vg_cmd_retention},
    {"user", "users of the HTTP API and API tokens", vg_cmd_user},
    {"models", "the model pack: its models, their facts, a re-hash of each", vg_cmd_models},
    {"doctor", "checks models, ONNX Runtime, database, key file, clock, disk; exit 0, 1 or 2", vg_cmd_doctor},
    {"backup", "an online copy of the SQLite database; the key file kept apart", vg_cmd_backup},
    {"restore", "a backup in place of the SQLite database, refused while it is in use", vg_cmd_restore},
};

/* The global options: taken out of the line wherever they stand, before the
 * command's own table sees it; the help below is printed from this table. */
static const vg_cli_opt_def globals[] = {
    {"--models", "DIR", "model pack directory, with a manifest.json or of models vigil knows (default "
                        "$VIGIL_MODELS, else the bootstrap's; docs/packs.md)", 0},
    {"--detector", "SPEC", "default (the pack's) | yunet:PATH | ultraface:PATH | scrfd:PATH", 0},
    {"--landmarks", "FROM", "the five alignment points: detector (its own where it has them, default) | 68 "
                            "(the pack's 68-point landmarker, with YuNet or SCRFD too: docs/pipeline.md)", 0},
    {"--landmark-fit", "HOW", "how the 68-point landmarker is run: once (default) | mirror | refine | "
                              "mirror+refine (docs/pipeline.md, section 3)", 0},
    {"--min-face", "PX", "smallest face height to look for, 8 to 4096 (default 40)", 0},
    {"--max-pixels", "N", "refuse images larger than N pixels, 1 to 1e9 (default 40000000)", 0},
    {"--threads", "N", "worker threads, 1 to 256 (default: the cores)", 0},
    {"--db", "PATH|URL", "database: a SQLite file, or postgresql://USER:PASSWORD@HOST:PORT/DB shared by several "
                         "nodes (default $VIGIL_DB, else ./vigil.db)", 0},
    {"--key", "PATH", "key file for templates and photos (default $VIGIL_KEY, else DB.key; required with a "
                      "postgresql:// URL)", 0},
    {"--actor", "NAME", "who is acting, for the audit chain (default $VIGIL_ACTOR, else the login)", 0},
    {"--json", NULL, "machine-readable output, one JSON object per line; errors as JSON on stderr", 0},
};
enum { N_GLOBALS = sizeof globals / sizeof globals[0] };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vigil [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
            "Live facial recognition against a watch list.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`vigil COMMAND --help` gives each command's arguments and options.\n"
                 "\nglobal options (anywhere on the line):\n");
    for (int k = 0; k < N_GLOBALS; k++) {
        char left[40];
        snprintf(left, sizeof left, "%s%s%s", globals[k].name, globals[k].arg ? " " : "",
                 globals[k].arg ? globals[k].arg : "");
        fprintf(out, "  %-20s %s\n", left, globals[k].help);
    }
    fprintf(out, "  %-20s %s\n  %-20s %s\n\n", "-h, --help", "help (also after a command)", "-V, --version",
            "vigil's version (as `vigil version`)");
    fprintf(out, "exit status: 0 ok; 1 failure (not found, already exists, no face, a check failed);\n"
                 "2 bad usage or bad input (the command line, or a file it names, is wrong)\n");
}

static int set_global(vg_cli *cli, const char *a, const char *val)
{
    long long v;
    if (strcmp(a, "--models") == 0)
        cli->models = val;
    else if (strcmp(a, "--detector") == 0)
        cli->detector = val;
    else if (strcmp(a, "--landmarks") == 0) {
        if (strcmp(val, "68") != 0 && strcmp(val, "detector") != 0)
            return vg_cli_usage("--landmarks takes detector or 68, not '%s'", val);
        cli->landmarks_68 = strcmp(val, "68") == 0;
    } else if (strcmp(a, "--landmark-fit") == 0) {
        int k = vg_face_fit_parse(val);
        if (k < 0)
            return vg_cli_usage("--landmark-fit takes once, mirror, refine or mirror+refine, not '%s'", val);
        cli->landmark_fit = k;
    } else if (strcmp(a, "--db") == 0)
        cli->db = val;
    else if (strcmp(a, "--key") == 0)
        cli->key = val;
    else if (strcmp(a, "--actor") == 0)
        cli->actor = val;
    else if (strcmp(a, "--json") == 0)
        cli->json = 1;
    else if (strcmp(a, "--threads") == 0) {
        if (vg_cli_parse_int(val, 1, 256, &v))
            return vg_cli_usage("--threads takes a number from 1 to 256, not '%s'", val);
        cli->threads = (int)v;
    } else if (strcmp(a, "--max-pixels") == 0) {
        if (vg_cli_parse_int(val, 1, 1000000000LL, &v))
            return vg_cli_usage("--max-pixels takes a number from 1 to 1e9, not '%s'", val);
        cli->max_pixels = v;
    } else {
        if (vg_cli_parse_int(val, 8, 4096, &v))
            return vg_cli_usage("--min-face takes a number of pixels from 8 to 4096, not '%s'", val);
        cli->min_face = (float)v;
    }
    return 0;
}

/* Takes the global options out of argv (in place); returns the new argc or -1. */
static int take_globals(vg_cli *cli, int argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < argc; i++) {
        int k = 0;
        while (k < N_GLOBALS && strcmp(argv[i], globals[k].name) != 0)
            k++;
        if (k == N_GLOBALS) {
            argv[out++] = argv[i];
            continue;
        }
        if (globals[k].arg && i + 1 >= argc) {
            vg_cli_usage("%s needs a value", argv[i]);
            return -1;
        }
        const char *name = argv[i], *val = globals[k].arg ? argv[i + 1] : NULL;
        i += globals[k].arg != NULL;
        if (set_global(cli, name, val))
            return -1;
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
