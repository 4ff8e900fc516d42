/* status.c — names of status codes and formatting into the caller's error buffer. */
#include "vigil/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *vg_status_name(vg_status s)
{
    static const char *const names[] = {
        [VG_OK] = "ok",
        [VG_ERR_INVALID] = "invalid input",
        [VG_ERR_IO] = "i/o error",
        [VG_ERR_NOMEM] = "out of memory",
        [VG_ERR_LIMIT] = "over a limit",
        [VG_ERR_UNSUPPORTED] = "unsupported",
        [VG_ERR_MODEL] = "model error",
        [VG_ERR_NOT_FOUND] = "not found",
        [VG_ERR_INTERNAL] = "internal error",
        [VG_ERR_EXISTS] = "already exists",
        [VG_ERR_FULL] = "no space left",
    };
    if ((unsigned)s < sizeof names / sizeof names[0] && names[s])
        return names[s];
    return "unknown status";
}

vg_status vg_err_set(vg_err *err, vg_status s, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return s;
}

vg_status vg_err_prefix(vg_err *err, vg_status s, const char *fmt, ...)
{
    if (err) {
        char joined[2 * VG_ERR_MSG_MAX + 2];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(joined, VG_ERR_MSG_MAX, fmt, ap);
        va_end(ap);
        size_t used = n < 0 ? 0 : (size_t)n < VG_ERR_MSG_MAX ? (size_t)n : VG_ERR_MSG_MAX - 1;
        size_t old = strnlen(err->msg, VG_ERR_MSG_MAX - 1);
        memcpy(joined + used, ": ", 2);
        memcpy(joined + used + 2, err->msg, old);
        joined[used + 2 + old] = '\0';
        memcpy(err->msg, joined, VG_ERR_MSG_MAX - 1);
        err->msg[VG_ERR_MSG_MAX - 1] = '\0';
    }
    return s;
}
