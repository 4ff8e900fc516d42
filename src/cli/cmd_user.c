/* cmd_user.c — `vigil user add NAME --role ROLE | list`: users of the HTTP
 * API; `vigil user token NAME --role ROLE | tokens | revoke-token NAME`:
 * API tokens for machines (printed once; the store keeps their SHA-256). The password is read from the first line of stdin (never from the
 * command line, where ps would show it); the store keeps only its argon2id
 * hash and audits the addition under --actor. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vigil/store.h"

static const char usage[] =
    "usage: vigil user add NAME --role admin|operator|auditor   (password: first line of stdin)\n"
    "       vigil user list\n"
    "       vigil user token NAME --role admin|operator|auditor   (prints the API token once)\n"
    "       vigil user tokens\n"
    "       vigil user revoke-token NAME\n"
    "An API token is sent as \"Authorization: Bearer TOKEN\"; only its SHA-256 is stored.\n";

static int user_add(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *name = NULL, *role = NULL;
    for (int i = 2; i < argc; i++) {
        int r = vg_cli_opt(argc, argv, &i, "--role", &role);
        if (r < 0)
            return VG_EXIT_USAGE;
        if (r == 0) {
            if (name || argv[i][0] == '-')
                return vg_cli_usage("user add: unexpected '%s'", argv[i]);
            name = argv[i];
        }
    }
    if (!name || !role)
        return vg_cli_usage("user add needs NAME and --role");
    char pw[VG_STORE_PASSWORD_MAX + 2];
    if (!fgets(pw, sizeof pw, stdin))
        return vg_cli_usage("user add: no password on stdin (its first line)");
    pw[strcspn(pw, "\r\n")] = '\0';
    vg_err err = {{0}};
    vg_status st = vg_store_user_add(store, vg_cli_actor(cli), name, role, pw, &err);
    sodium_memzero(pw, sizeof pw);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s, s:s}", "name", name, "role", role));
    else
        printf("user %s added (%s)\n", name, role);
    return VG_EXIT_OK;
}

static int user_list(const vg_cli *cli, vg_store *store)
{
    vg_user *u = NULL;
    int n = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_user_list(store, &u, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (!cli->json)
        printf("%-24s %-9s %s\n", "NAME", "ROLE", "CREATED (UTC)");
    for (int i = 0; i < n; i++) {
        char t[32];
        if (cli->json)
            vg_cli_print_json(json_pack("{s:s, s:s, s:I, s:b}", "name", u[i].name, "role", u[i].role,
                                        "created_at", (json_int_t)u[i].created_at, "disabled",
                                        u[i].disabled));
        else
            printf("%-24s %-9s %s%s\n", u[i].name, u[i].role,
                   vg_cli_format_time(u[i].created_at, t, sizeof t), u[i].disabled ? " (disabled)" : "");
    }
    free(u);
    return VG_EXIT_OK;
}

static int token_new(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *name = NULL, *role = NULL;
    for (int i = 2; i < argc; i++) {
        int r = vg_cli_opt(argc, argv, &i, "--role", &role);
        if (r < 0)
            return VG_EXIT_USAGE;
        if (r == 0) {
            if (name || argv[i][0] == '-')
                return vg_cli_usage("user token: unexpected '%s'", argv[i]);
            name = argv[i];
        }
    }
    if (!name || !role)
        return vg_cli_usage("user token needs NAME and --role");
    char tok[VG_STORE_TOKEN_LEN + 1];
    int64_t id = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_token_create(store, vg_cli_actor(cli), name, role, tok, &id, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name", name, "role", role,
                                    "token", tok));
    else
        printf("%s\n", tok);
    fprintf(stderr, "API token %s (%s) made: shown this once, only its hash is kept\n", name, role);
    sodium_memzero(tok, sizeof tok);
    return VG_EXIT_OK;
}

static int token_list(const vg_cli *cli, vg_store *store)
{
    vg_token *t = NULL;
    int n = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_token_list(store, &t, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (!cli->json)
        printf("%6s  %-24s %-9s %-20s %-20s %s\n", "ID", "NAME", "ROLE", "CREATED (UTC)", "REVOKED (UTC)", "BY");
    for (int i = 0; i < n; i++) {
        char a[32], b[32];
        if (cli->json)
            vg_cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)t[i].id, "name",
                                        t[i].name, "role", t[i].role, "created_by", t[i].created_by, "created_at",
                                        (json_int_t)t[i].created_at, "revoked_at", (json_int_t)t[i].revoked_at,
                                        "revoked_by", t[i].revoked_by));
        else
            printf("%6lld  %-24s %-9s %-20s %-20s %s\n", (long long)t[i].id, t[i].name, t[i].role,
                   vg_cli_format_time(t[i].created_at, a, sizeof a),
                   t[i].revoked_at ? vg_cli_format_time(t[i].revoked_at, b, sizeof b) : "-", t[i].created_by);
    }
    free(t);
    return VG_EXIT_OK;
}

static int token_revoke(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    if (argc != 3)
        return vg_cli_usage("usage: vigil user revoke-token NAME");
    vg_err err = {{0}};
    vg_status st = vg_store_token_revoke(store, vg_cli_actor(cli), 0, argv[2], &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s}", "revoked", argv[2]));
    else
        printf("API token %s revoked\n", argv[2]);
    return VG_EXIT_OK;
}

int vg_cmd_user(const vg_cli *cli, int argc, char **argv)
{
    if (argc < 2 || vg_cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "token") && strcmp(sub, "tokens") &&
        strcmp(sub, "revoke-token"))
        return vg_cli_usage("unknown user command '%s'", sub);
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int code = !strcmp(sub, "add")            ? user_add(cli, store, argc, argv)
               : !strcmp(sub, "list")         ? user_list(cli, store)
               : !strcmp(sub, "token")        ? token_new(cli, store, argc, argv)
               : !strcmp(sub, "tokens")       ? token_list(cli, store)
                                              : token_revoke(cli, store, argc, argv);
    vg_store_close(store);
    return code;
}
