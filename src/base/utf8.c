/* utf8.c — well-formed UTF-8 (RFC 3629): what vigil accepts as text at
 * every input, so that every text it keeps can be written out as JSON. */
#include "base/utf8.h"

size_t vg_utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned min, v;
    if ((c & 0xe0) == 0xc0)
        len = 2, min = 0x80, v = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
        len = 3, min = 0x800, v = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
        len = 4, min = 0x10000, v = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[k] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

size_t vg_utf8_bad_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t k = vg_utf8_next(p + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}
