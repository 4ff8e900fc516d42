/* strbuf.h — a growing, always NUL-terminated text buffer (strbuf.c): text
 * is appended; an allocation failure sets failed and later appends do
 * nothing, so the caller checks once at the end. */
#ifndef VG_BASE_STRBUF_H
#define VG_BASE_STRBUF_H

#include <stddef.h>

typedef struct vg_strbuf {
    char *p;       /* malloc'd, NUL-terminated once anything was appended */
    size_t len, cap;
    int failed;
} vg_strbuf;

/* Appends n bytes of s (nothing when n is 0 or the buffer has failed). */
void vg_strbuf_put(vg_strbuf *b, const char *s, size_t n);
/* Appends the string s. */
void vg_strbuf_puts(vg_strbuf *b, const char *s);
#endif
