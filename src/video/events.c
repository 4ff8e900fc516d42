/* events.c — a source's log lines: "event=... camera=... url=... key=value",
 * one per event, written with the one logfmt writer (base/log.c). The URL in
 * every line is the redacted one (url.c); callers pass only redacted text and
 * FFmpeg's fixed error strings as values. */
#include "video/source_internal.h"

void vg_logline_start(vg_log_line *l, const vg_source *s, const char *event)
{
    vg_log_start(l, event);
    vg_log_str(l, "camera", s->name);
    vg_log_str(l, "url", s->redacted);
}

void vg_logline_emit(const vg_source *s, const vg_log_line *l)
{
    vg_log_emit(s->log, s->log_ctx, l);
}
