/* options.h — one table of options per command: the parser reads the
 * command line with it and the help text is printed from it, so `vigil
 * COMMAND --help` cannot drift from what the command accepts. */
#ifndef VG_CLI_OPTIONS_H
#define VG_CLI_OPTIONS_H

#include <stdio.h>

#define VG_CLI_OPTS_MAX 32    /* options of one command */
#define VG_CLI_LIST_MAX 64    /* values of one list option (--photo A B ...) */

enum {
    VG_OPT_REQUIRED = 1,      /* the command needs it */
    VG_OPT_LIST = 2,          /* takes every following argument up to the next option; may repeat */
    VG_OPT_CHECKED = 4,       /* with REQUIRED: the command checks it itself, with its own refusal */
};

typedef struct vg_cli_opt_def {
    const char *name;         /* "--reason" */
    const char *arg;          /* "TEXT" (what the value is); NULL for a flag */
    const char *help;         /* one line */
    unsigned flags;           /* VG_OPT_* */
} vg_cli_opt_def;

typedef struct vg_cli_cmd_def {
    const char *name;         /* "watchlist create" */
    const char *args;         /* the positional arguments for the usage line ("NAME", "IMAGE..."), or "" */
    int min_args, max_args;   /* how many (max -1: any number) */
    const char *summary;      /* what it does: one line, for the command lists */
    const char *text;         /* more about it, after the options (lines ending in \n), or NULL */
    vg_cli_opt_def opts[VG_CLI_OPTS_MAX]; /* ends at the first without a name */
} vg_cli_cmd_def;

typedef struct vg_cli_parsed {
    const vg_cli_cmd_def *def;
    const char *val[VG_CLI_OPTS_MAX];   /* the value given (the last, if repeated); "" for a flag given; NULL */
    const char *list[VG_CLI_OPTS_MAX][VG_CLI_LIST_MAX];
    int n_list[VG_CLI_OPTS_MAX];
    char **pos;                         /* the positional arguments, in order (moved to argv[first...]) */
    int n_pos;
} vg_cli_parsed;

/* vg_cli_parse's answers besides VG_EXIT_USAGE. */
enum { VG_CLI_PARSED = 0, VG_CLI_HELPED = -1 };

/* Reads argv[first..argc) by def: options anywhere, "--" ends them; the
 * positional arguments are moved, in order, to argv[first...]. Returns
 * VG_CLI_PARSED; VG_CLI_HELPED after printing the help on stdout (for -h or
 * --help: the caller exits 0); or VG_EXIT_USAGE after a message naming the
 * option at fault (unknown option, missing value, a required option or
 * argument missing, too many arguments). */
int vg_cli_parse(const vg_cli_cmd_def *def, int argc, char **argv, int first, vg_cli_parsed *out);

/* The help of one command: its usage line, summary, every option with its
 * help, then its text. */
void vg_cli_help(const vg_cli_cmd_def *def, FILE *out);
/* "vigil NAME ARGS --required X [--optional Y]...", wrapped, for lists of
 * subcommands. */
void vg_cli_usage_line(const vg_cli_cmd_def *def, FILE *out, const char *lead);
/* The help of a command with subcommands: each one's usage line and
 * summary, then text (or NULL). */
void vg_cli_help_group(const char *name, const vg_cli_cmd_def *const *subs, int n, const char *text, FILE *out);

/* For a command with subcommands (argv[1]): the index of the one named in
 * subs; or -1 with *code set, after the group's help (on stdout for -h,
 * --help or help: 0; on stderr when none is named: 2) or an unknown
 * subcommand's message (2). */
int vg_cli_pick(const char *group, const vg_cli_cmd_def *const *subs, int n, const char *text, int argc,
                char **argv, int *code);

/* vg_cli_pick, then vg_cli_parse of the rest (from argv[2]) by the picked
 * subcommand's table into p: the index, or -1 with *code the exit status
 * (0 after a help was printed). */
int vg_cli_pick_parse(const char *group, const vg_cli_cmd_def *const *subs, int n, const char *text, int argc,
                      char **argv, vg_cli_parsed *p, int *code);

/* The value of option name ("--reason"): NULL when not given. A name not
 * in the table is a bug: NULL too, and the help test would miss it. */
const char *vg_cli_val(const vg_cli_parsed *p, const char *name);
/* 1 when the flag or option name was given. */
int vg_cli_has(const vg_cli_parsed *p, const char *name);
/* The values of list option name, *n of them (0 when not given). */
const char *const *vg_cli_list(const vg_cli_parsed *p, const char *name, int *n);

#endif
