/* audit.h — the audit chain's hash and the check of an entry's details. */
#ifndef VG_STORE_AUDIT_H
#define VG_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/backend.h"

/* prev_hash of the first entry. */
#define VG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* hex SHA-256 of the canonical serialisation of an entry (see audit.c). */
void vg_audit_hash(int64_t seq, int64_t time, const char *actor, size_t actor_len,
                   const char *action, size_t action_len, const char *object, size_t object_len,
                   const char *details, size_t details_len, const char *prev_hash,
                   size_t prev_hash_len, char out[65]);

/* details must be the text of one JSON object, at most VG_STORE_DETAILS_MAX
 * bytes; anything else is VG_ERR_INVALID (VG_ERR_LIMIT when too long). */
vg_status vg_audit_details_check(const char *details, vg_err *err);

#endif
