/* password.c — password quality, by libpwquality (Debian's, the library
 * behind pam_pwquality): eight spaces, a dictionary word or the user's own
 * name are refused before a password is hashed and stored. A site tightens
 * the rules in /etc/security/pwquality.conf, read on every check. */
#include "store/password.h"

#include <pwquality.h>
#include <stdio.h>

vg_status vg_password_check(const char *name, const char *password, vg_err *err)
{
    pwquality_settings_t *pq = pwquality_default_settings();
    if (!pq)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory checking a password");
    void *aux = NULL;
    (void)pwquality_read_config(pq, NULL, &aux); /* a missing or unreadable file leaves the defaults */
    aux = NULL;
    int score = pwquality_check(pq, password, NULL, name, &aux);
    vg_status st = VG_OK;
    if (score < 0) {
        char why[PWQ_MAX_ERROR_MESSAGE_LEN];
        const char *msg = pwquality_strerror(why, sizeof why, score, aux);
        st = vg_err_set(err, VG_ERR_INVALID, "password refused: %s", msg ? msg : "too weak");
    }
    pwquality_free_settings(pq);
    return st;
}
