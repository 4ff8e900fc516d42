/* checkpoint_export.h — where a signed checkpoint goes as it is made
 * (checkpoint_export.c): an append-only file, and syslog (RFC 5424). */
#ifndef VG_STORE_CHECKPOINT_EXPORT_H
#define VG_STORE_CHECKPOINT_EXPORT_H

#include "vigil/checkpoint.h"

/* Appends line and '\n' to path (created 0600; O_APPEND; synced).
 * VG_ERR_IO with the path and the reason. */
vg_status vg_checkpoint_export_file(const char *path, const char *line, vg_err *err);

/* Sends line as one RFC 5424 message (facility "log audit", severity
 * notice, APP-NAME vigil, MSGID checkpoint) over UDP (RFC 5426) to target,
 * "udp://HOST:PORT" (parsed with libcurl's URL API). VG_ERR_INVALID for a
 * target of another form, VG_ERR_IO when it cannot be sent. */
/* VG_OK when target has the form vg_checkpoint_export_syslog takes. */
vg_status vg_checkpoint_syslog_target_check(const char *target, vg_err *err);

vg_status vg_checkpoint_export_syslog(const char *target, const vg_checkpoint *c, const char *line,
                                      vg_err *err);

#endif
