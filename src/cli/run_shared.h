/* run_shared.h — shared by `vigil run` and `vigil replay` (run_shared.c). */
#ifndef VG_CLI_RUN_SHARED_H
#define VG_CLI_RUN_SHARED_H

#include "cli/cli.h"
#include "vigil/engine.h"

/* Writes "ts=... <line>" to stderr (a vg_log_fn). */
void vg_cli_log_line(void *ctx, const char *line);
/* Prints an alert to stdout: a JSON line with --json, else one text line
 * (a vg_alert_fn; ctx is the vg_cli). */
void vg_cli_print_alert(void *ctx, const vg_engine_alert *a);
/* One event=stats line per camera. */
void vg_cli_log_stats(vg_engine *e);
/* The engine's totals as a {"type":"summary",...} object. */
json_t *vg_cli_summary_json(vg_engine *e);
/* Blocks SIGINT and SIGTERM in this thread and the threads it starts, so
 * that vg_cli_wait_engine receives them. Call before starting the engine. */
void vg_cli_block_signals(void);
/* Waits until every camera ended (returns 0) or SIGINT/SIGTERM (returns 1);
 * logs statistics and calls tick every stats_every_s seconds. */
int vg_cli_wait_engine(vg_engine *e, double stats_every_s, void (*tick)(void *ctx), void *ctx);

#endif
