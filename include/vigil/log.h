/* log.h — vigil's one log line writer: logfmt, one line per event,
 * "event=alert camera=door score=0.6123 reason=\"a b\"". Every layer that
 * logs (video, engine, server, the command line) builds its lines with these
 * functions and hands them to the caller's log callback; nothing in the
 * library prints. The caller's callback adds the time (ts=...) and writes the
 * line where it wants.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include "vigil/api.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A log callback: line is one logfmt line without a newline, valid only
 * during the call. Called from any thread. */
typedef void (*vg_log_fn)(void *ctx, const char *line);

#define VG_LOG_LINE_MAX 1024

typedef struct vg_log_line {
    char buf[VG_LOG_LINE_MAX];
    size_t len;
} vg_log_line;

/* Empties l and writes "event=EVENT". */
VG_API void vg_log_start(vg_log_line *l, const char *event);
/* Appends " key=value". The value is double-quoted, with \" and \\ escaped
 * and control characters written as spaces, when it is empty or holds a
 * space, '=', a quote, a backslash or a control character. A line too long
 * for the buffer is cut at a value's end or inside a value, never inside an
 * escape, and a cut quoted value keeps its closing quote: it stays parseable.
 * NULL is written as "". */
VG_API void vg_log_str(vg_log_line *l, const char *key, const char *value);
/* vg_log_str of a printf-formatted value (at most 511 bytes). */
VG_API void vg_log_fmt(vg_log_line *l, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Hands the line to fn (nothing when fn is NULL). */
VG_API void vg_log_emit(vg_log_fn fn, void *ctx, const vg_log_line *l);

#ifdef __cplusplus
}
#endif
#endif
