/* ini.h — the strict INI reader every vigil config loader uses (ini.c). */
#ifndef VG_BASE_INI_H
#define VG_BASE_INI_H

#include <stddef.h>

#include "vigil/status.h"

/* The longest line accepted, in bytes without its '\n'. Debian's inih reads
 * lines through a fixed buffer of 200 bytes and would cut a longer one in
 * two (the rest read as a line of its own): such a line is refused by number
 * before inih sees it. */
#define VG_INI_LINE_MAX 199
/* A config file is small: anything larger is refused unread. */
#define VG_INI_FILE_MAX (1 << 20)

typedef struct vg_ini_spec {
    const char *const *sections;   /* this loader's sections (NULL-terminated) */
    const char *const *others;     /* sections another loader reads from the same file: skipped (or NULL) */
    const char *const *repeatable; /* "section.key" that may be given more than once (or NULL) */
} vg_ini_spec;

/* Called for each key of the loader's own sections, in file order. Returns 1
 * to go on, 0 to refuse the value with a message written to msg. */
typedef int (*vg_ini_key_fn)(void *user, const char *section, const char *key, const char *value, char *msg,
                             size_t cap);

/* Reads text (len bytes; need not be terminated) named `name` in messages.
 * Refused, each with "name:LINE: what" in err (the form editors jump to):
 * an empty file or one with no key; a NUL byte; text that is not UTF-8; a
 * line over VG_INI_LINE_MAX;
 * a line that is not a section header, a comment or key = value; an indented
 * line (inih would make it a second value of the key above); a key outside a
 * section; a section that is neither the loader's nor another's, at its
 * header's line; a key given twice in one of the loader's sections (unless
 * repeatable); whatever fn refuses. fn may have been called for earlier
 * keys when the text is refused: callers fill a copy and keep it only on
 * VG_OK. */
vg_status vg_ini_load_text(const char *name, const char *text, size_t len, const vg_ini_spec *spec,
                           vg_ini_key_fn fn, void *user, vg_err *err);
/* The same for a file: it must be a regular file of at most VG_INI_FILE_MAX
 * bytes (a directory is refused, not read as empty). */
vg_status vg_ini_load_file(const char *path, const vg_ini_spec *spec, vg_ini_key_fn fn, void *user, vg_err *err);

/* A decimal number from lo to hi, strictly: optional sign, digits, an
 * optional fraction and exponent; no hex ("0x2"), no "inf"/"nan", nothing
 * after it. With integer set, digits only. 0 ok, -1 refused. */
int vg_ini_number(const char *value, double lo, double hi, int integer, double *out);

#endif
