/* url_redact.h — URLs without their credentials (url_redact.c), for every
 * layer: logs and messages (video, store), displays (cli, server) and the
 * audit chain. The same function is declared for library users in
 * include/vigil/video.h. */
#ifndef VG_BASE_URL_REDACT_H
#define VG_BASE_URL_REDACT_H

#include <stddef.h>

#include "vigil/api.h"

/* url with its user-info replaced by "***@" and the values of secret-named
 * name=value components (in path, query or fragment) by "***". Written
 * into buf (always terminated; a result cut short is a prefix of the full
 * one); returns buf ("" when buf is NULL or len 0). Redacting a redacted
 * URL changes nothing. */
VG_API const char *vg_url_redact(const char *url, char *buf, size_t len);

#endif
