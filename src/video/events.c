/* events.c — a source's log lines: "event=... camera=... url=... key=value",
 * one per event, values quoted when they need it. The URL in every line is
 * the redacted one (url.c); callers pass only redacted text and FFmpeg's
 * fixed error strings as values. */
#include "video/source_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put_char(vg_logline *l, char c)
{
    if (l->len + 1 < sizeof l->buf) {
        l->buf[l->len++] = c;
        l->buf[l->len] = '\0';
    }
}

static void put_raw(vg_logline *l, const char *s)
{
    for (; *s; s++)
        put_char(l, *s);
}

static int needs_quotes(const char *v)
{
    if (!*v)
        return 1;
    for (; *v; v++)
        if (*v == ' ' || *v == '"' || *v == '\\' || (unsigned char)*v < 0x20 ||
            *v == 0x7f)
            return 1;
    return 0;
}

void vg_logline_str(vg_logline *l, const char *key, const char *value)
{
    if (!value)
        value = "";
    if (l->len > 0)
        put_char(l, ' ');
    put_raw(l, key);
    put_char(l, '=');
    if (!needs_quotes(value)) {
        put_raw(l, value);
        return;
    }
    if (l->len + 3 > sizeof l->buf)
        return;
    put_char(l, '"');
    for (const char *v = value; *v; v++) {
        unsigned char c = (unsigned char)*v;
        int escape = c == '"' || c == '\\';
        /* Keep room for the closing quote: a line cut short stays parseable. */
        if (l->len + (size_t)escape + 3 > sizeof l->buf)
            break;
        if (escape)
            put_char(l, '\\');
        put_char(l, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    put_char(l, '"');
}

void vg_logline_fmt(vg_logline *l, const char *key, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    vg_logline_str(l, key, value);
}

void vg_logline_start(vg_logline *l, const vg_source *s, const char *event)
{
    l->len = 0;
    l->buf[0] = '\0';
    vg_logline_str(l, "event", event);
    vg_logline_str(l, "camera", s->name);
    vg_logline_str(l, "url", s->redacted);
}

void vg_logline_emit(const vg_source *s, const vg_logline *l)
{
    if (s->log)
        s->log(s->log_ctx, l->buf);
}
