/* redact.h — camera URLs without their credentials, for the audit chain.
 *
 * The store keeps its own small redactor rather than calling the video
 * layer's (store sits above video in DESIGN.md §2's layers).
 */
#ifndef VG_STORE_REDACT_H
#define VG_STORE_REDACT_H

#include <stddef.h>

/* url with "user:password@" replaced by "***@" and the values of
 * password-like query parameters (pass, password, pwd, token, key, secret,
 * ..., matched without case) by "***". A path without "scheme://" is copied
 * as it is. Written into buf (len >= 1, always terminated, cut short when it
 * does not fit); returns buf. */
const char *vg_store_url_redact(const char *url, char *buf, size_t len);

#endif
