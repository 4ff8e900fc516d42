/* engine_log.c — the engine's clocks (monotonic and wall-clock seconds)
 * and its log line: one logfmt line (vigil/log.h) to the caller's vg_log_fn,
 * if any. */
#include "engine/engine_internal.h"

#include <time.h>

double vg_engine_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double vg_engine_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void vg_engine_log(const struct vg_engine *e, const vg_log_line *l)
{
    vg_log_emit(e->cfg.log, e->cfg.log_ctx, l);
}
