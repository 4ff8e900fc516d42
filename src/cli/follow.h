/* follow.h — `vigil run` following other nodes' changes (follow.c). */
#ifndef VG_CLI_FOLLOW_H
#define VG_CLI_FOLLOW_H

#include "cli/cli.h"
#include "vigil/engine.h"
#include "vigil/store.h"

typedef struct vg_cli_follow vg_cli_follow;

/* Listens for changes to store's database (a connection of its own): the
 * engine's gallery of watchlist_id is reloaded when that list changes
 * anywhere (engine NULL: nothing is reloaded), and on_alert (may be NULL; called on the listener thread, id 0
 * after a reconnection) hears of every new alert. VG_ERR_UNSUPPORTED on a
 * store without notifications (SQLite). */
vg_status vg_cli_follow_start(const vg_cli *cli, const vg_store *store, vg_engine *engine,
                              int64_t watchlist_id, const char *deployment,
                              void (*on_alert)(void *ctx, int64_t id), void *alert_ctx,
                              vg_cli_follow **out, vg_err *err);
void vg_cli_follow_stop(vg_cli_follow *f);

#endif
