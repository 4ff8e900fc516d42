/* strbuf.c — a growing text buffer (strbuf.h). */
#include "base/strbuf.h"

#include <stdlib.h>
#include <string.h>

void vg_strbuf_put(vg_strbuf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *g = realloc(b->p, cap);
        if (!g) {
            b->failed = 1;
            return;
        }
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void vg_strbuf_puts(vg_strbuf *b, const char *s)
{
    vg_strbuf_put(b, s, strlen(s));
}
