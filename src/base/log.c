/* log.c — the one logfmt line writer (vigil/log.h): keys and values with
 * quoting and escaping that logfmt parsers read back exactly. */
#include "vigil/log.h"

#include <stdarg.h>
#include <stdio.h>

static void put_char(vg_log_line *l, char c)
{
    if (l->len + 1 < sizeof l->buf) {
        l->buf[l->len++] = c;
        l->buf[l->len] = '\0';
    }
}

static void put_raw(vg_log_line *l, const char *s)
{
    for (; *s; s++)
        put_char(l, *s);
}

static int needs_quotes(const char *v)
{
    if (!*v)
        return 1;
    for (; *v; v++)
        if (*v == ' ' || *v == '=' || *v == '"' || *v == '\\' || (unsigned char)*v < 0x20 || *v == 0x7f)
            return 1;
    return 0;
}

void vg_log_start(vg_log_line *l, const char *event)
{
    l->len = 0;
    l->buf[0] = '\0';
    vg_log_str(l, "event", event);
}

void vg_log_str(vg_log_line *l, const char *key, const char *value)
{
    if (!value)
        value = "";
    /* Room for " key=" and at least a quoted empty value, or nothing. */
    size_t klen = 0;
    while (key[klen])
        klen++;
    if (l->len + klen + 5 > sizeof l->buf)
        return;
    if (l->len > 0)
        put_char(l, ' ');
    put_raw(l, key);
    put_char(l, '=');
    if (!needs_quotes(value)) {
        put_raw(l, value);
        return;
    }
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

void vg_log_fmt(vg_log_line *l, const char *key, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    vg_log_str(l, key, value);
}

void vg_log_emit(vg_log_fn fn, void *ctx, const vg_log_line *l)
{
    if (fn)
        fn(ctx, l->buf);
}
