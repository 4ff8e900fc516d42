/* redact.h — camera URLs without their credentials, for the audit chain.
 *
 * The store keeps its own small redactor rather than calling the video
 * layer's: store and video are separate layers that do not call each other
 * (the table of layers is in the design map beside the project,
 * ../shared/DESIGN.md §2, not in this repository).
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
