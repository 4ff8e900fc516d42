/* checkpoints.h — the periodic signed checkpoints of `vigil serve` and
 * `vigil run` ([audit] of the config, checkpoints.c), and the signing key
 * file they and `vigil audit` use. */
#ifndef VG_CLI_CHECKPOINTS_H
#define VG_CLI_CHECKPOINTS_H

#include "cli/cli.h"
#include "vigil/server.h"

/* The checkpoint signing key file: given (--sign-key, [audit] sign_key),
 * else $VIGIL_SIGN_KEY, else the database file's path + ".sign.key" (into
 * buf); NULL for a PostgreSQL database with none named. */
const char *vg_cli_sign_key_path(const vg_cli *cli, const char *given, char *buf, size_t cap);

typedef struct vg_cli_checkpoints vg_cli_checkpoints;

/* With set->checkpoint_interval > 0: makes a checkpoint now (so that a
 * key file, a file or a syslog target that cannot be used stops the start;
 * an empty chain is not an error), then starts a thread, on a store
 * connection of its own, that makes one every interval and a last one at
 * vg_cli_checkpoints_stop, each logged (event=audit_checkpoint seq=...,
 * or event=audit_checkpoint_failed level=error reason=...). *out NULL when
 * the interval is 0. */
vg_status vg_cli_checkpoints_start(const vg_cli *cli, const vg_server_settings *set,
                                   vg_cli_checkpoints **out, vg_err *err);
/* The last checkpoint, then the thread joined and everything freed
 * (NULL-safe). */
void vg_cli_checkpoints_stop(vg_cli_checkpoints *c);

#endif
