/* validate.h — checks of the text and dates callers give the store. Every
 * message names the field, so the user knows what to fix. */
#ifndef VG_STORE_VALIDATE_H
#define VG_STORE_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

/* A string argument: NULL or "" is refused when required ("name is
 * required"), more than max bytes is refused ("name is 240 bytes, the
 * limit is 200"), and so is text that is not valid UTF-8 (it could not be
 * written out as JSON later). */
vg_status vg_check_text(const char *field, const char *v, size_t max, int required,
                        vg_err *err);

/* A fixed char array of size cap (>= max + 1) inside a caller's struct: as
 * vg_check_text, and it must be NUL-terminated within the array. */
vg_status vg_check_field(const char *field, const char *v, size_t cap, size_t max, int required,
                         vg_err *err);

/* v (already length-checked) is well-formed UTF-8; with single_line, it
 * also holds no control character (tab and newline included), as a URL, a
 * camera name or an id must not: they end up on log and audit lines. */
vg_status vg_check_utf8(const char *field, const char *v, int single_line, vg_err *err);

/* The name of a user or an API token, which becomes an audit actor: 1..64
 * bytes of visible ASCII (0x21..0x7e) without ':'. No whitespace, no
 * non-ASCII letter (so no look-alike of another name: Cyrillic 'а' for
 * Latin 'a'), and no reserved prefix: "token:x" is how a token acts. Names
 * differing only by case are refused by the store's uniqueness check. */
vg_status vg_check_account_name(const char *field, const char *v, vg_err *err);

/* "YYYY-MM-DD", a real date (leap years counted), not after now. */
vg_status vg_check_dob(const char *dob, int64_t now, vg_err *err);

/* Whole years between dob (already checked) and now, in UTC. */
int vg_age_years(const char *dob, int64_t now);

/* An audit action: 1..63 bytes of [a-z0-9_.-], starting with a letter. */
vg_status vg_check_action(const char *action, vg_err *err);

#endif
