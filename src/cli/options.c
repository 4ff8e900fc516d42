/* options.c — the table-driven option parser and the help printed from the
 * same tables (options.h). */
#include "cli/options.h"

#include <string.h>

#include "cli/cli.h"

static int find(const vg_cli_cmd_def *def, const char *name)
{
    for (int k = 0; k < VG_CLI_OPTS_MAX && def->opts[k].name; k++)
        if (!strcmp(def->opts[k].name, name))
            return k;
    return -1;
}

/* "NAME, --reason and --authorised-by": what the command needs. */
static void needs(const vg_cli_cmd_def *def, char *buf, size_t len)
{
    const char *items[VG_CLI_OPTS_MAX + 1];
    int n = 0;
    if (def->min_args > 0 && def->args[0])
        items[n++] = def->args;
    for (int k = 0; k < VG_CLI_OPTS_MAX && def->opts[k].name; k++)
        if (def->opts[k].flags & VG_OPT_REQUIRED)
            items[n++] = def->opts[k].name;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", items[i]);
    }
}

int vg_cli_parse(const vg_cli_cmd_def *def, int argc, char **argv, int first, vg_cli_parsed *out)
{
    memset(out, 0, sizeof *out);
    out->def = def;
    out->pos = argv + first;
    int options_done = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
            vg_cli_help(def, stdout);
            return VG_CLI_HELPED;
        }
    }
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!options_done && !strcmp(a, "--")) {
            options_done = 1;
            continue;
        }
        if (options_done || a[0] != '-' || !a[1] || (a[1] >= '0' && a[1] <= '9' && !strchr(a, '='))) {
            argv[first + out->n_pos++] = argv[i]; /* a slot already read */
            continue;
        }
        int k = find(def, a);
        if (k < 0)
            return vg_cli_usage("%s: unknown option '%s'", def->name, a);
        const vg_cli_opt_def *o = &def->opts[k];
        if (!o->arg) {
            out->val[k] = "";
            continue;
        }
        if (o->flags & VG_OPT_LIST) {
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return vg_cli_usage("%s needs a value (%s...)", a, o->arg);
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                if (out->n_list[k] == VG_CLI_LIST_MAX)
                    return vg_cli_usage("%s: at most %d values", a, VG_CLI_LIST_MAX);
                out->list[k][out->n_list[k]++] = argv[++i];
            }
            out->val[k] = out->list[k][0];
            continue;
        }
        if (i + 1 >= argc)
            return vg_cli_usage("%s needs a value", a);
        out->val[k] = argv[++i];
    }
    int missing = out->n_pos < def->min_args;
    for (int k = 0; k < VG_CLI_OPTS_MAX && def->opts[k].name; k++)
        missing |= (def->opts[k].flags & VG_OPT_REQUIRED) && !(def->opts[k].flags & VG_OPT_CHECKED) && !out->val[k];
    if (missing) {
        char what[512];
        needs(def, what, sizeof what);
        return vg_cli_usage("%s needs %s", def->name, what);
    }
    if (def->max_args >= 0 && out->n_pos > def->max_args) {
        if (def->max_args == 0)
            return vg_cli_usage("%s: unexpected '%s'", def->name, out->pos[0]);
        return vg_cli_usage("%s takes %s, no more: unexpected '%s'", def->name, def->args, out->pos[def->max_args]);
    }
    return VG_CLI_PARSED;
}

static void wrap(FILE *out, const char *lead, const char *const *parts, int n)
{
    size_t col = strlen(lead), indent = col + 1;
    fputs(lead, out);
    for (int i = 0; i < n; i++) {
        size_t w = strlen(parts[i]);
        if (i > 0 && col + 1 + w > 100) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = indent;
        } else {
            fputc(' ', out);
            col++;
        }
        fputs(parts[i], out);
        col += w;
    }
    fputc('\n', out);
}

void vg_cli_usage_line(const vg_cli_cmd_def *def, FILE *out, const char *lead)
{
    char buf[VG_CLI_OPTS_MAX + 1][128];
    const char *parts[VG_CLI_OPTS_MAX + 1];
    int n = 0;
    if (def->args[0])
        parts[n++] = def->args;
    for (int k = 0; k < VG_CLI_OPTS_MAX && def->opts[k].name; k++) {
        const vg_cli_opt_def *o = &def->opts[k];
        int req = o->flags & VG_OPT_REQUIRED;
        snprintf(buf[n], sizeof buf[n], "%s%s%s%s%s%s", req ? "" : "[", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "", o->flags & VG_OPT_LIST ? "..." : "", req ? "" : "]");
        parts[n] = buf[n];
        n++;
    }
    char head[160];
    snprintf(head, sizeof head, "%svigil %s", lead, def->name);
    wrap(out, head, parts, n);
}

void vg_cli_help(const vg_cli_cmd_def *def, FILE *out)
{
    vg_cli_usage_line(def, out, "usage: ");
    fprintf(out, "\n%s\n", def->summary);
    if (def->opts[0].name) {
        fputs("\noptions:\n", out);
        for (int k = 0; k < VG_CLI_OPTS_MAX && def->opts[k].name; k++) {
            const vg_cli_opt_def *o = &def->opts[k];
            char left[96];
            snprintf(left, sizeof left, "%s%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
                     o->flags & VG_OPT_LIST ? "..." : "");
            if (strlen(left) > 28)
                fprintf(out, "  %s\n  %-28s %s%s\n", left, "", o->help, o->flags & VG_OPT_REQUIRED ? " (required)" : "");
            else
                fprintf(out, "  %-28s %s%s\n", left, o->help, o->flags & VG_OPT_REQUIRED ? " (required)" : "");
        }
    }
    if (def->text)
        fprintf(out, "\n%s", def->text);
    fputs("\nglobal options (--db, --models, --json, ...): vigil --help\n", out);
}

void vg_cli_help_group(const char *name, const vg_cli_cmd_def *const *subs, int n, const char *text, FILE *out)
{
    fprintf(out, "usage: vigil %s COMMAND ...\n\ncommands:\n", name);
    for (int i = 0; i < n; i++) {
        vg_cli_usage_line(subs[i], out, "  ");
        fprintf(out, "      %s\n", subs[i]->summary);
    }
    if (text)
        fprintf(out, "\n%s", text);
    fprintf(out, "\n`vigil %s COMMAND --help` tells more of each.\n", name);
}

const char *vg_cli_val(const vg_cli_parsed *p, const char *name)
{
    int k = find(p->def, name);
    return k < 0 ? NULL : p->val[k];
}

int vg_cli_has(const vg_cli_parsed *p, const char *name)
{
    return vg_cli_val(p, name) != NULL;
}

const char *const *vg_cli_list(const vg_cli_parsed *p, const char *name, int *n)
{
    int k = find(p->def, name);
    *n = k < 0 ? 0 : p->n_list[k];
    return k < 0 ? NULL : p->list[k];
}

int vg_cli_pick(const char *group, const vg_cli_cmd_def *const *subs, int n, const char *text, int argc,
                char **argv, int *code)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        vg_cli_help_group(group, subs, n, text, argc < 2 ? stderr : stdout);
        *code = argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const char *sp = strchr(subs[i]->name, ' ');
        if (sp && !strcmp(sp + 1, argv[1]))
            return i;
    }
    char names[256] = "";
    for (int i = 0; i < n; i++) {
        const char *sp = strchr(subs[i]->name, ' ');
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", sp ? sp + 1 : subs[i]->name);
    }
    *code = vg_cli_usage("unknown %s command '%s' (%s)", group, argv[1], names);
    return -1;
}

int vg_cli_pick_parse(const char *group, const vg_cli_cmd_def *const *subs, int n, const char *text, int argc,
                      char **argv, vg_cli_parsed *p, int *code)
{
    int k = vg_cli_pick(group, subs, n, text, argc, argv, code);
    if (k < 0)
        return -1;
    int r = vg_cli_parse(subs[k], argc, argv, 2, p);
    if (r) {
        *code = r == VG_CLI_HELPED ? VG_EXIT_OK : r;
        return -1;
    }
    return k;
}
