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
/* Blocks SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 in this thread and
 * the threads it starts, so that vg_cli_wait_engine receives them, and
 * ignores SIGPIPE. Call before starting the engine. */
void vg_cli_block_signals(void);
typedef enum vg_cli_tick_event {
    VG_CLI_TICK,        /* about every 200 ms */
    VG_CLI_TICK_STATS,  /* the same, just after a statistics line (timed, or SIGUSR1/2) */
    VG_CLI_TICK_RELOAD  /* SIGHUP: reload what can be reloaded */
} vg_cli_tick_event;
typedef void (*vg_cli_tick_fn)(void *ctx, vg_cli_tick_event ev);
/* Waits until every camera ended (returns 0) or SIGINT/SIGTERM (returns 1);
 * logs statistics every stats_every_s seconds and on SIGUSR1/SIGUSR2, and
 * calls tick (may be NULL: SIGHUP is then ignored, with a log line). */
int vg_cli_wait_engine(vg_engine *e, double stats_every_s, vg_cli_tick_fn tick, void *ctx);

#endif
