/* status.h — status codes and the error buffer every fallible vigil call fills.
 *
 * A function that can fail returns vg_status and, when err is not NULL,
 * writes one human-readable sentence into err->msg. Nothing in the library
 * prints or exits on its own.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include "vigil/api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vg_status {
    VG_OK = 0,
    VG_ERR_INVALID,     /* bad argument or bad input data (corrupt image, bad JSON) */
    VG_ERR_IO,          /* a file or stream could not be read or written */
    VG_ERR_NOMEM,       /* allocation failed */
    VG_ERR_LIMIT,       /* input over a configured limit (pixels, bytes) */
    VG_ERR_UNSUPPORTED, /* a format, model or CPU feature vigil does not handle */
    VG_ERR_MODEL,       /* the inference runtime or a model failed */
    VG_ERR_NOT_FOUND,   /* a named thing does not exist */
    VG_ERR_INTERNAL,    /* a bug: an invariant did not hold */
    VG_ERR_EXISTS,      /* a named thing to be created exists already */
    VG_ERR_FULL         /* no space left where it must be written (a full disk): not bad input */
} vg_status;

#define VG_ERR_MSG_MAX 512

typedef struct vg_err {
    char msg[VG_ERR_MSG_MAX];
} vg_err;

/* Short lowercase name of a status code ("invalid input", "i/o error", ...). */
VG_API const char *vg_status_name(vg_status s);

/* Formats a message into err (if not NULL) and returns s, so that
 * `return vg_err_set(err, VG_ERR_IO, "cannot open %s", path);` reads well. */
VG_API vg_status vg_err_set(vg_err *err, vg_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with more context ("photo a.jpg: ..."). */
VG_API vg_status vg_err_prefix(vg_err *err, vg_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
