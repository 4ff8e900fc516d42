/* store_internal.h — what the store's public-API files share: the vg_store
 * object, its clock, transactions, the audit append used inside them, and
 * the queries of one table that several files use (vg_db_*, each written
 * once in the entity file named for its table, over sql.h). */
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

/* One template row as stored: the vector is still sealed. Pointers are valid
 * only during the callback that receives the row. */
typedef struct vg_store_template_row {
    int64_t id;
    int64_t subject_id;
    const char *model_id;
    int dim;
    const uint8_t *sealed;
    size_t sealed_len;
} vg_store_template_row;

/* One audit row exactly as stored (lengths count bytes; a text field that a
 * tamperer set to NULL arrives as ""). Valid only during the callback. */
typedef struct vg_store_audit_row {
    int64_t seq;
    int64_t time;
    const char *actor, *action, *object, *details, *prev_hash, *hash;
    size_t actor_len, action_len, object_len, details_len, prev_hash_len, hash_len;
} vg_store_audit_row;

/* A callback returning anything but VG_OK stops the walk; the backend then
 * returns that status with err as the callback left it. */
typedef vg_status (*vg_store_template_fn)(void *ctx, const vg_store_template_row *row,
                                          vg_err *err);
typedef vg_status (*vg_store_audit_fn)(void *ctx, const vg_store_audit_row *row, vg_err *err);
/* audit.c: the last entry's seq (0: none) and hash; the hash of entry seq
 * (*found 0 when there is none). */
vg_status vg_db_audit_tail(vg_store *s, int64_t *seq, char hash[65], vg_err *err);
vg_status vg_db_audit_hash_at(vg_store *s, int64_t seq, char hash[65], int *found, vg_err *err);
/* audit.c: every audit row from seq `since` on, in order. */
vg_status vg_db_audit_each(vg_store *s, int64_t since, vg_store_audit_fn fn, void *ctx, vg_err *err);

/* ---- queries of one table that several files use; each is defined in
 * the entity file named for its table, over sql.h (written once for every
 * dialect). A missing row is VG_ERR_NOT_FOUND with a message. ---- */

/* seal_row.c: seals plain bound to row `id` ("<ad_table>:<id>:<column>",
 * or "<ad_table>:<id>.<sub>:<column>" when sub >= 0: a template is bound to
 * its subject too; seal.h) and writes it with `update`, whose ?1 is the id and ?2 the
 * sealed bytes ("UPDATE alert SET crop = ?2 WHERE id = ?1"): for a value
 * sealed after its row was inserted (its id known), in the same
 * transaction. */
vg_status vg_db_sealed_put(vg_store *s, const char *update, const char *ad_table, int64_t id,
                           int64_t sub, const char *column, const uint8_t *plain, size_t len, const char *what,
                           vg_err *err);
/* seal_row.c: the associated data of a value in the meta table, bound to
 * its key: "meta:<key>:value". */
void vg_db_meta_ad(const char *key, char ad[VG_SEAL_AD_MAX]);
/* seal_row.c: migration 13's step: every value sealed before it
 * (secretbox) sealed again bound to its row, in the migration's
 * transaction. */
vg_status vg_db_reseal_all(vg_store *s, vg_err *err);

/* deployment.c: seals every camera URL still held in clear (migration 11's
 * step, inside its transaction). */
vg_status vg_db_deployment_camera_seal_all(vg_store *s, vg_err *err);

/* store.c: the meta table (key, bytes). */
vg_status vg_db_meta_get(vg_store *s, const char *key, uint8_t **value, size_t *len, vg_err *err);
vg_status vg_db_meta_put(vg_store *s, const char *key, const uint8_t *value, size_t len,
                         vg_err *err);
/* watchlist.c: by name when name is not NULL, else by id; subjects and
 * templates counted. */
vg_status vg_db_watchlist_find(vg_store *s, const char *name, int64_t id, vg_watchlist *out,
                               vg_err *err);
/* The model id of most of a watch list's templates ("" when it has none). */
vg_status vg_db_watchlist_model(vg_store *s, int64_t watchlist_id, char *out, size_t cap,
                                vg_err *err);
/* subject.c */
vg_status vg_db_subject_get(vg_store *s, int64_t id, vg_subject *out, vg_err *err);
vg_status vg_db_subject_list(vg_store *s, int64_t watchlist_id, vg_subject **out, int *n,
                             vg_err *err);
vg_status vg_db_photo_get(vg_store *s, int64_t subject_id, int idx, uint8_t **sealed,
                          size_t *len, vg_err *err);
/* Opens photo idx of the subject, sealed bound to its row, into *jpeg
 * (malloc'd). VG_ERR_INVALID when it does not open. */
vg_status vg_db_photo_open(const vg_store *s, int64_t subject_id, int idx, const uint8_t *sealed,
                           size_t len, uint8_t **jpeg, size_t *jpeg_len);
/* The ids of a watch list's quarantined subjects in id order (*ids
 * malloc'd, NULL when none). */
vg_status vg_db_subject_quarantined(vg_store *s, int64_t watchlist_id, int64_t **ids, int *n, vg_err *err);
/* templates.c */
/* Inserts a template and seals its vector (dim floats) bound to the new
 * row ("templates:<id>.<subject id>:vector"), inside the caller's transaction; *id (may
 * be NULL) its id. */
vg_status vg_db_template_insert(vg_store *s, int64_t subject_id, const char *model_id, int dim,
                                float quality, int low_quality, const float *vec, int64_t *id,
                                vg_err *err);
/* Opens a template row's sealed vector (bound to the row) into *plain
 * (malloc'd; the caller zeroes and frees it). VG_ERR_INVALID when it does
 * not open: altered, or moved from another row. */
vg_status vg_db_template_open(const vg_store *s, const vg_store_template_row *r, uint8_t **plain,
                              size_t *len);
/* Templates of the list's subjects whose expiry (the subject's own, or
 * when 0 the list's) is 0 or after now, in template id order. */
vg_status vg_db_templates_each(vg_store *s, int64_t watchlist_id, int64_t now,
                               vg_store_template_fn fn, void *ctx, vg_err *err);
/* Deletes every template of the subject; *n how many. */
vg_status vg_db_templates_delete(vg_store *s, int64_t subject_id, int *n, vg_err *err);
/* deployment.c: by name when name is not NULL, else by id; with its
 * cameras and its watch list's name. */
vg_status vg_db_deployment_find(vg_store *s, const char *name, int64_t id, vg_deployment *out,
                                vg_err *err);
/* Every deployment in id order (a malloc'd array; NULL when none). */
vg_status vg_db_deployment_list(vg_store *s, vg_deployment **out, int *n, vg_err *err);
/* alert.c: one alert; with sealed not NULL also its sealed crop
 * (VG_ERR_NOT_FOUND when the crop was deleted). */
vg_status vg_db_alert_get(vg_store *s, int64_t id, vg_alert *out, uint8_t **sealed, size_t *len,
                          vg_err *err);
/* counters.c: sums over the deployment's rows (camera NULL) or one
 * camera's row (zeros when absent); an unknown deployment is
 * VG_ERR_NOT_FOUND. */
vg_status vg_db_counters_get(vg_store *s, int64_t deployment_id, const char *camera,
                             vg_counters *out, vg_err *err);

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
