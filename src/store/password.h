/* password.h — the quality a new password must have (password.c). */
#ifndef VG_STORE_PASSWORD_H
#define VG_STORE_PASSWORD_H

#include "vigil/status.h"

/* VG_OK when password is good enough for the user called name: Debian's
 * libpwquality with its defaults (and /etc/security/pwquality.conf when
 * present): length, character classes, repeats, palindromes, the user name
 * in any form, cracklib's dictionary. Otherwise VG_ERR_INVALID saying why,
 * never quoting the password. */
vg_status vg_password_check(const char *name, const char *password, vg_err *err);

#endif
