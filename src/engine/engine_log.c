/* engine_log.c — the engine's clocks (monotonic and wall-clock seconds)
 * and its log line: one key=value line to the caller's vg_log_fn, if any. */
#include "engine/engine_internal.h"

#include <stdarg.h>
#include <stdio.h>
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

void vg_engine_log(const struct vg_engine *e, const char *fmt, ...)
{
    if (!e->cfg.log)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    e->cfg.log(e->cfg.log_ctx, line);
}
