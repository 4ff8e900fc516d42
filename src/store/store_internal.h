/* store_internal.h — what the store's public-API files share: the vg_store
 * object, its clock, transactions, and the audit append used inside them. */
#ifndef VG_STORE_INTERNAL_H
#define VG_STORE_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>

#include "store/backend.h"
#include "store/seal.h"

#define VG_STORE_PATH_MAX 4096

struct vg_store {
    const vg_store_backend *be;
    vg_store_conn *conn;
    uint8_t key[VG_STORE_KEY_BYTES];
    int64_t now; /* fixed clock (tests), 0: time(NULL) */
    int schema_version;
    char path[VG_STORE_PATH_MAX]; /* as given: a URL may hold a password */
    char name[VG_STORE_PATH_MAX]; /* the path for messages, without a password */
    char key_path[VG_STORE_PATH_MAX];
};

/* The store's clock: the fixed time given at open, else time(NULL). */
int64_t vg_store_now(const vg_store *s);

/* Transactions: begin() excludes other writers; end() commits when st is
 * VG_OK (returning the commit's status), else rolls back and returns st. */
vg_status vg_store_begin(vg_store *s, vg_err *err);
vg_status vg_store_end(vg_store *s, vg_status st, vg_err *err);

/* Inside a transaction: tells the other nodes, when it commits, that
 * channel (VG_STORE_CHANNEL_*) changed for id; nothing on a backend without
 * notifications. */
vg_status vg_store_notify_tx(vg_store *s, const char *channel, int64_t id, vg_err *err);

/* Appends an audit entry inside the caller's transaction. details: JSON
 * object text (NULL for {}), validated here. */
vg_status vg_audit_append_tx(vg_store *s, const char *actor, const char *action,
                             const char *object, const char *details, vg_err *err);
/* The same with details as a JSON object, which this call consumes (NULL,
 * from a failed json_pack, is out of memory). */
vg_status vg_audit_append_json_tx(vg_store *s, const char *actor, const char *action,
                                  const char *object, json_t *details, vg_err *err);

/* The same with reals written to 6 significant digits, for float scores and
 * thresholds: 0.54f reads "0.54", not "0.54000002145767212". Not for times. */
vg_status vg_audit_append_json6_tx(vg_store *s, const char *actor, const char *action,
                                   const char *object, json_t *details, vg_err *err);

/* Templates on disk (before sealing): dim IEEE-754 floats, little-endian,
 * whatever the host's byte order. */
void vg_store_vec_encode(const float *v, int dim, uint8_t *out);
void vg_store_vec_decode(const uint8_t *in, int dim, float *v);

#endif
