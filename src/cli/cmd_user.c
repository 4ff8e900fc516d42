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
#include "cli/options.h"
#include "vigil/store.h"

static const vg_cli_cmd_def add_def = {
    "user add", "NAME", 1, 1, "a user of the HTTP API and the console; the password is stdin's first line",
    "The password is never taken from the command line (ps would show it); only its argon2id\n"
    "hash is stored. The addition is audited under --actor.\n",
    {{"--role", "ROLE", "admin, operator or auditor", VG_OPT_REQUIRED}, {0}}};
static const vg_cli_cmd_def list_def = {"user list", "", 0, 0, "the users, with their roles", NULL, {{0}}};
static const vg_cli_cmd_def token_def = {
    "user token", "NAME", 1, 1, "a new API token for a machine, printed once",
    "It is sent as \"Authorization: Bearer TOKEN\"; only its SHA-256 is stored.\n",
    {{"--role", "ROLE", "admin, operator or auditor", VG_OPT_REQUIRED}, {0}}};
static const vg_cli_cmd_def tokens_def = {"user tokens", "", 0, 0, "the API tokens (never the token itself)",
                                          NULL, {{0}}};
static const vg_cli_cmd_def revoke_def = {"user revoke-token", "NAME", 1, 1, "revokes an API token; audited", NULL,
                                          {{0}}};
static const vg_cli_cmd_def *const subs[] = {&add_def, &list_def, &token_def, &tokens_def, &revoke_def};

static int user_add(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *name = p->pos[0], *role = vg_cli_val(p, "--role");
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
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        char t[32];
        if (cli->json)
            rc |= vg_cli_print_json(json_pack("{s:s, s:s, s:I, s:b}", "name", u[i].name, "role", u[i].role,
                                        "created_at", (json_int_t)u[i].created_at, "disabled",
                                        u[i].disabled));
        else
            printf("%-24s %-9s %s%s\n", u[i].name, u[i].role,
                   vg_cli_format_time(u[i].created_at, t, sizeof t), u[i].disabled ? " (disabled)" : "");
    }
    free(u);
    return rc;
}

static int token_new(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *name = p->pos[0], *role = vg_cli_val(p, "--role");
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
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        char a[32], b[32];
        if (cli->json)
            rc |= vg_cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)t[i].id, "name",
                                        t[i].name, "role", t[i].role, "created_by", t[i].created_by, "created_at",
                                        (json_int_t)t[i].created_at, "revoked_at", (json_int_t)t[i].revoked_at,
                                        "revoked_by", t[i].revoked_by));
        else
            printf("%6lld  %-24s %-9s %-20s %-20s %s\n", (long long)t[i].id, t[i].name, t[i].role,
                   vg_cli_format_time(t[i].created_at, a, sizeof a),
                   t[i].revoked_at ? vg_cli_format_time(t[i].revoked_at, b, sizeof b) : "-", t[i].created_by);
    }
    free(t);
    return rc;
}

static int token_revoke(const vg_cli *cli, vg_store *store, const char *name)
{
    vg_err err = {{0}};
    vg_status st = vg_store_token_revoke(store, vg_cli_actor(cli), 0, name, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s}", "revoked", name));
    else
        printf("API token %s revoked\n", name);
    return VG_EXIT_OK;
}

int vg_cmd_user(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("user", subs, 5, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0   ? user_add(cli, store, &p)
           : k == 1 ? user_list(cli, store)
           : k == 2 ? token_new(cli, store, &p)
           : k == 3 ? token_list(cli, store)
                    : token_revoke(cli, store, p.pos[0]);
    vg_store_close(store);
    return code;
}
