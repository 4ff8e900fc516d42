/* utf8.h — well-formed UTF-8, the one decoder every input check uses
 * (utf8.c): the store's text checks and the config reader. */
#ifndef VG_BASE_UTF8_H
#define VG_BASE_UTF8_H

#include <stddef.h>

/* The length (1..4) of the UTF-8 sequence at s (n bytes available, n >= 1),
 * its code point in *cp; 0 when it is not well-formed: a stray or missing
 * continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or cut
 * off by n. */
size_t vg_utf8_next(const unsigned char *s, size_t n, unsigned *cp);

/* The offset of the first byte of s[0..n) that does not start a well-formed
 * sequence, or n when all of it is well-formed. */
size_t vg_utf8_bad_at(const char *s, size_t n);

#endif
