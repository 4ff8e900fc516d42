/* cmd_backup.c — `vigil backup DEST` and `vigil restore SRC`: the SQLite
 * store's file through SQLite's online backup API (store/backup.h). The key
 * file is never inside a backup: the output names it, to be kept apart. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "store/backup.h"

static const vg_cli_cmd_def backup_def = {
    "backup", "DEST", 1, 1, "an online copy of the SQLite database to DEST (a new file); the key file apart",
    "Safe while `vigil run` and `vigil serve` write: one consistent snapshot. DEST must not\n"
    "exist. The key file is NOT in the backup: keep a copy of the file named in the output\n"
    "somewhere else (without it the backup cannot be read). For a PostgreSQL store use\n"
    "pg_dump (README.md, \"Backups\").\n",
    {{0}}};
static const vg_cli_cmd_def restore_def = {
    "restore", "SRC", 1, 1, "puts the backup SRC in place of the SQLite database; refused while it is in use",
    "The key file (--key, $VIGIL_KEY, else DB.key) must be in place and open the backup, or\n"
    "nothing changes. Refused while any process (vigil run, vigil serve) has the database\n"
    "open: stop them first.\n",
    {{0}}};

static int refuse_pg(const vg_cli *cli, const char *what)
{
    if (!vg_cli_store_shared(cli))
        return 0;
    vg_err err = {{0}};
    vg_cli_fail(vg_err_set(&err, VG_ERR_UNSUPPORTED,
                           "%s: the store is PostgreSQL: use pg_dump / pg_restore (README.md, \"Backups\")", what),
                &err);
    return 1;
}

static void key_of(const vg_cli *cli, const char *db, char *out, size_t len)
{
    const char *k = cli->key && *cli->key ? cli->key : getenv("VIGIL_KEY");
    if (k && *k)
        snprintf(out, len, "%s", k);
    else
        snprintf(out, len, "%s.key", db);
}

int vg_cmd_backup(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&backup_def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    if (refuse_pg(cli, "backup"))
        return VG_EXIT_FAIL;
    const char *db = cli->db && *cli->db ? cli->db : "vigil.db";
    char key[4200];
    key_of(cli, db, key, sizeof key);
    vg_err err = {{0}};
    int pages = 0;
    vg_status st = vg_store_file_backup(db, p.pos[0], &pages, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s,s:s,s:i,s:s}", "database", db, "backup", p.pos[0], "pages", pages,
                                    "key_file_not_included", key));
    else
        printf("backed up %s to %s (%d pages)\nthe key file is NOT in the backup: keep a copy of %s apart\n", db,
               p.pos[0], pages, key);
    return VG_EXIT_OK;
}

int vg_cmd_restore(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&restore_def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    if (refuse_pg(cli, "restore"))
        return VG_EXIT_FAIL;
    const char *db = cli->db && *cli->db ? cli->db : "vigil.db";
    char key[4200];
    key_of(cli, db, key, sizeof key);
    vg_err err = {{0}};
    vg_status st = vg_store_file_restore(p.pos[0], db, key, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s,s:s,s:s}", "database", db, "restored_from", p.pos[0], "key_file", key));
    else
        printf("restored %s from %s (key file %s)\n", db, p.pos[0], key);
    return VG_EXIT_OK;
}
