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
        char prefix[VG_ERR_MSG_MAX], old[VG_ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof old);
        old[sizeof old - 1] = '\0';
        snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    }
    return s;
}
