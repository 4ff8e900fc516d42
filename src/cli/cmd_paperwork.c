/* cmd_paperwork.c — `vigil paperwork DEPLOYMENT --kind KIND`: the documents
 * a deployment needs (DPIA, EIA, watch-list criteria, authorisation record,
 * post-deployment review) from what the store holds, as Markdown, JSON or
 * printable HTML; `--kind all --output DIR` writes the whole set. Each
 * production is a recorded, audited version (src/paperwork/), made again
 * byte for byte with --version N; `vigil paperwork diff` shows what changed
 * between two versions. A thin layer over paperwork.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "paperwork/paperwork.h"
#include "vigil/store.h"

static const vg_cli_cmd_def def = {
    "paperwork", "DEPLOYMENT", 1, 1, "a deployment's DPIA, EIA, watch-list criteria, authorisation or review",
    "Each document is assembled from the store and the recorded evaluation runs: every figure\n"
    "names its record; what vigil cannot know (legal basis, necessity and proportionality,\n"
    "community engagement, sign-off) is a field marked TO COMPLETE. The documents support a\n"
    "person's assessment and do not replace it. Each production is audited and recorded as a\n"
    "version (a new one when its inputs changed); --version N makes version N again, byte for\n"
    "byte. `vigil paperwork diff DEPLOYMENT --kind KIND FROM TO` shows what changed between two\n"
    "versions. --kind all writes the five documents into --output DIR.\n",
    {{"--kind", "KIND", "dpia, eia, watchlist-criteria, authorisation, review, or all", VG_OPT_REQUIRED},
     {"--format", "FORMAT", "html, md or json (default md; json under --json)", 0},
     {"--version", "N", "make stored version N again (default: from the store now)", 0},
     {"--output", "PATH", "write to this file (with --kind all: a directory) instead of stdout", 0},
     {0}}};

static const vg_cli_cmd_def diff_def = {
    "paperwork diff", "DEPLOYMENT FROM TO", 3, 3, "what changed between two versions of a document",
    "One line a fact that differs (watch list, threshold, model, calibration, evaluations, counts):\n"
    "its path in the inputs, the old value and the new.\n",
    {{"--kind", "KIND", "dpia, eia, watchlist-criteria, authorisation or review", VG_OPT_REQUIRED}, {0}}};

static const char *const all_kinds[] = {"dpia", "eia", "watchlist-criteria", "authorisation", "review"};

/* Writes len bytes to path through a temporary file and a rename: a
 * failure leaves nothing half-written. */
static vg_status write_file(const char *path, const char *text, size_t len, vg_err *err)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return vg_err_set(err, VG_ERR_INVALID, "output path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    int ok = fwrite(text, 1, len, f) == len;
    ok = (fflush(f) == 0) && ok;
    ok = (fsync(fileno(f)) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return vg_err_set(err, VG_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return VG_OK;
}

static int run_diff(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int pr = vg_cli_parse(&diff_def, argc, argv, 2, &p);
    if (pr)
        return pr == VG_CLI_HELPED ? VG_EXIT_OK : pr;
    const char *kind = vg_cli_val(&p, "--kind");
    long long from, to;
    if (!vg_paperwork_kind_ok(kind))
        return vg_cli_usage("--kind takes dpia, eia, watchlist-criteria, authorisation or review, not '%s'", kind);
    if (vg_cli_parse_int(p.pos[1], 1, 1000000000, &from) || vg_cli_parse_int(p.pos[2], 1, 1000000000, &to))
        return vg_cli_usage("FROM and TO are version numbers from 1");
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    json_t *changes = NULL;
    if (!st)
        st = vg_paperwork_diff(store, p.pos[0], kind, (int)from, (int)to, &changes, &err);
    vg_store_close(store);
    if (st)
        return vg_cli_fail(st, &err);
    size_t i;
    json_t *c;
    if (cli->json) {
        vg_cli_print_json(json_pack("{s:s,s:s,s:I,s:I,s:o}", "deployment", p.pos[0], "kind", kind, "from",
                                    (json_int_t)from, "to", (json_int_t)to, "changes", changes));
        return VG_EXIT_OK;
    }
    printf("%s of %s: version %lld to %lld, %zu change%s\n", kind, p.pos[0], from, to, json_array_size(changes),
           json_array_size(changes) == 1 ? "" : "s");
    json_array_foreach(changes, i, c) {
        char *a = json_dumps(json_object_get(c, "from"), JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        char *b = json_dumps(json_object_get(c, "to"), JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        printf("  %s: %s -> %s\n", json_string_value(json_object_get(c, "path")), a ? a : "?", b ? b : "?");
        free(a);
        free(b);
    }
    json_decref(changes);
    return VG_EXIT_OK;
}

int vg_cmd_paperwork(const vg_cli *cli, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "diff"))
        return run_diff(cli, argc, argv);
    vg_cli_parsed p;
    int pr = vg_cli_parse(&def, argc, argv, 1, &p);
    if (pr)
        return pr == VG_CLI_HELPED ? VG_EXIT_OK : pr;
    const char *kind = vg_cli_val(&p, "--kind"), *format = vg_cli_val(&p, "--format"),
               *vtext = vg_cli_val(&p, "--version"), *output = vg_cli_val(&p, "--output");
    if (!format)
        format = cli->json ? "json" : "md";
    int all = !strcmp(kind, "all");
    if (!all && !vg_paperwork_kind_ok(kind))
        return vg_cli_usage("--kind takes dpia, eia, watchlist-criteria, authorisation, review or all, not '%s'", kind);
    if (!vg_paperwork_format_ok(format))
        return vg_cli_usage("--format takes html, md or json, not '%s'", format);
    long long version = 0;
    if (vtext && vg_cli_parse_int(vtext, 1, 1000000000, &version))
        return vg_cli_usage("--version takes a version number from 1, not '%s'", vtext);
    if (all && !output)
        return vg_cli_usage("--kind all writes five files: give --output DIR");
    if (all && version)
        return vg_cli_usage("--version makes one document again: give its --kind");
    if (all) {
        struct stat sb;
        if (stat(output, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return vg_cli_usage("--output %s is not a directory", output);
    }
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    char calib[4096];
    const char *calibration = vg_cli_default_calibration(calib, sizeof calib);
    for (int k = 0; k < (all ? 5 : 1) && !st; k++) {
        const char *kd = all ? all_kinds[k] : kind;
        char *doc = NULL;
        size_t len = 0;
        int v = 0;
        st = vg_paperwork_produce(store, vg_cli_actor(cli), p.pos[0], kd, format, (int)version,
                                  calibration, &doc, &len, &v, &err);
        if (!st && all) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%s-v%d.%s", output, p.pos[0], kd, v, format);
            if (strchr(p.pos[0], '/'))
                st = vg_err_set(&err, VG_ERR_INVALID, "a deployment name with '/' cannot name a file");
            else if (!(st = write_file(path, doc, len, &err)))
                printf("%s\n", path);
        } else if (!st && output) {
            st = write_file(output, doc, len, &err);
        } else if (!st) {
            fwrite(doc, 1, len, stdout);
        }
        free(doc);
    }
    vg_store_close(store);
    return st ? vg_cli_fail(st, &err) : VG_EXIT_OK;
}
