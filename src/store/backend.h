/* backend.h — the interface between the store's public API (store.c,
 * watchlist.c, subject.c, templates.c, deployment.c, alert.c, counters.c,
 * audit.c) and a database backend.
 *
 * A backend is a const table of function pointers. It knows SQL and its
 * database's client library, nothing else: validation, encryption, the audit
 * hash and every policy (expiry, size limits, the under-18 rule, a
 * deployment's window, alert idempotence) live above
 * it, so a second backend (PostgreSQL) only has to move rows. Backends are
 * registered in the table in backend.c and chosen by the database path
 * (vg_store_backend_find); callers never name one.
 *
 * Conventions for every function:
 *  - conn is the backend's own connection, used by one thread at a time;
 *  - sealed values (template vectors, photos) are opaque bytes to a backend;
 *  - a missing row is VG_ERR_NOT_FOUND with a message, so the layer above can
 *    decide whether that is an error;
 *  - begin() opens a write transaction that excludes other writers until
 *    commit() or rollback(); all writes happen inside one, and so does every
 *    read whose result an audit entry describes.
 */
#ifndef VG_STORE_BACKEND_H
#define VG_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/store.h"

typedef struct vg_store_conn vg_store_conn;

/* The SQL dialects migrations are written in (see migrations.c). */
typedef enum vg_store_dialect {
    VG_DIALECT_SQLITE = 0,
    VG_DIALECT_POSTGRES,
    VG_DIALECT_COUNT
} vg_store_dialect;

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

typedef struct vg_store_backend {
    const char *name;
    /* True when this backend handles the path (e.g. a URL scheme). */
    int (*claims)(const char *path);
    vg_store_dialect dialect;
    /* 1: the database is a local file, and its key file defaults to
     * PATH.key beside it; 0 (a server): the key file must be named. */
    int local_file;
    /* NULL when the backend is not built in: opening is then refused. */
    vg_status (*open)(const char *path, vg_store_conn **out, vg_err *err);
    void (*close)(vg_store_conn *c);

    vg_status (*begin)(vg_store_conn *c, vg_err *err);
    vg_status (*commit)(vg_store_conn *c, vg_err *err);
    void (*rollback)(vg_store_conn *c);

    /* Highest applied migration; 0 for an empty database. A database that
     * holds other tables but no schema_version is VG_ERR_INVALID. */
    vg_status (*schema_version)(vg_store_conn *c, int *version, vg_err *err);
    /* Runs one migration's SQL and records its version (inside begin()). */
    vg_status (*migrate)(vg_store_conn *c, const char *sql, int version, int64_t now,
                         vg_err *err);
    /* Runs a migration's step that cannot run in a transaction (such as
     * SQLite's VACUUM), outside any transaction. */
    vg_status (*exec_outside)(vg_store_conn *c, const char *sql, vg_err *err);

    vg_status (*meta_get)(vg_store_conn *c, const char *key, uint8_t **value, size_t *len,
                          vg_err *err);
    vg_status (*meta_put)(vg_store_conn *c, const char *key, const uint8_t *value, size_t len,
                          vg_err *err);

    /* A duplicate name is VG_ERR_INVALID. */
    vg_status (*watchlist_insert)(vg_store_conn *c, const vg_watchlist *w, int64_t *id,
                                  vg_err *err);
    /* By name when name is not NULL, else by id; subjects and templates
     * counted. */
    vg_status (*watchlist_find)(vg_store_conn *c, const char *name, int64_t id,
                                vg_watchlist *out, vg_err *err);
    vg_status (*watchlist_list)(vg_store_conn *c, vg_watchlist **out, int *n, vg_err *err);
    /* Deletes the list's subjects (templates and photos with them). */
    vg_status (*watchlist_purge)(vg_store_conn *c, int64_t id, int *subjects, int *templates,
                                 vg_err *err);

    vg_status (*subject_insert)(vg_store_conn *c, const vg_subject *s, int64_t *id,
                                vg_err *err);
    vg_status (*subject_get)(vg_store_conn *c, int64_t id, vg_subject *out, vg_err *err);
    vg_status (*subject_list)(vg_store_conn *c, int64_t watchlist_id, vg_subject **out, int *n,
                              vg_err *err);
    vg_status (*subject_delete)(vg_store_conn *c, int64_t id, vg_err *err);

    vg_status (*template_insert)(vg_store_conn *c, int64_t subject_id, const char *model_id,
                                 int dim, float quality, int low_quality, const uint8_t *sealed,
                                 size_t len, vg_err *err);
    /* Templates of the list's subjects whose expiry (the subject's own, or
     * when 0 the list's) is 0 or after now, in template id order. */
    vg_status (*templates_each)(vg_store_conn *c, int64_t watchlist_id, int64_t now,
                                vg_store_template_fn fn, void *ctx, vg_err *err);

    /* Deletes every template of the subject; *n how many. */
    vg_status (*templates_delete)(vg_store_conn *c, int64_t subject_id, int *n, vg_err *err);

    vg_status (*photo_insert)(vg_store_conn *c, int64_t subject_id, int idx,
                              const uint8_t *sealed, size_t len, vg_err *err);
    vg_status (*photo_get)(vg_store_conn *c, int64_t subject_id, int idx, uint8_t **sealed,
                           size_t *len, vg_err *err);

    /* A deployment row and its cameras (position 0..n_cameras-1). A
     * duplicate name is VG_ERR_INVALID. */
    vg_status (*deployment_insert)(vg_store_conn *c, const vg_deployment *d, int64_t *id,
                                   vg_err *err);
    /* By name when name is not NULL, else by id; with its cameras and its
     * watch list's name. */
    vg_status (*deployment_find)(vg_store_conn *c, const char *name, int64_t id,
                                 vg_deployment *out, vg_err *err);
    /* Every deployment in id order (a malloc'd array; NULL when none). */
    vg_status (*deployment_list)(vg_store_conn *c, vg_deployment **out, int *n, vg_err *err);
    /* Records the end (policy, such as a second end, is checked above). */
    vg_status (*deployment_end)(vg_store_conn *c, int64_t id, int64_t ended_at,
                                const char *ended_by, vg_err *err);

    /* The alert with this uid: VG_ERR_NOT_FOUND when there is none. */
    vg_status (*alert_find_uid)(vg_store_conn *c, const char *uid, int64_t *id, vg_err *err);
    /* a->subject_id 0 is stored as NULL. */
    vg_status (*alert_insert)(vg_store_conn *c, const vg_alert *a, const uint8_t *sealed,
                              size_t len, int64_t *id, vg_err *err);
    /* One alert; with sealed not NULL also its sealed crop (VG_ERR_NOT_FOUND
     * when the crop was deleted). */
    vg_status (*alert_get)(vg_store_conn *c, int64_t id, vg_alert *out, uint8_t **sealed,
                           size_t *len, vg_err *err);
    /* Alerts of a deployment (0: all) in id order (NULL when none). */
    vg_status (*alert_list)(vg_store_conn *c, int64_t deployment_id, vg_alert **out, int *n,
                            vg_err *err);

    /* Whether the alert is held (VG_ERR_NOT_FOUND: no such alert). */
    vg_status (*alert_held)(vg_store_conn *c, int64_t id, int *held, vg_err *err);
    /* Sets the hold (reason non-empty) or clears it (reason "", by "", at 0). */
    vg_status (*alert_hold_set)(vg_store_conn *c, int64_t id, const char *reason, const char *by,
                                int64_t at, vg_err *err);

    /* Retention (inside begin()). Deletes the alerts raised before `before`
     * that are not held; counts rows and, of them, crops. */
    vg_status (*retention_alerts)(vg_store_conn *c, double before, int *alerts, int *crops,
                                  vg_err *err);
    /* Deletes the subjects whose expiry (their own, or when 0 their list's)
     * is not 0 and at or before now, with templates and photos; counts them. */
    vg_status (*retention_subjects)(vg_store_conn *c, int64_t now, int *subjects, int *templates,
                                    int *photos, vg_err *err);
    /* Deletes the subjects of every watch list used by a deployment whose
     * deployments have all ended (ended_at != 0); counts the lists that
     * held subjects, and the subjects, templates and photos. */
    vg_status (*retention_ended_lists)(vg_store_conn *c, int *lists, int *subjects,
                                       int *templates, int *photos, vg_err *err);
    /* Outside any transaction: releases free pages and empties the WAL;
     * *done 0 when another connection kept the WAL from being emptied. */
    vg_status (*reclaim)(vg_store_conn *c, int *done, vg_err *err);

    /* One upsert adding v to the (deployment, camera) row; an unknown
     * deployment is VG_ERR_NOT_FOUND. */
    vg_status (*counters_add)(vg_store_conn *c, int64_t deployment_id, const char *camera,
                              const vg_counters *v, int64_t now, vg_err *err);
    /* Sums over the deployment's rows (camera NULL) or one camera's row
     * (zeros when absent); an unknown deployment is VG_ERR_NOT_FOUND. */
    vg_status (*counters_get)(vg_store_conn *c, int64_t deployment_id, const char *camera,
                              vg_counters *out, vg_err *err);

    /* The last entry's seq and hash; seq 0 and no hash change when empty. */
    vg_status (*audit_tail)(vg_store_conn *c, int64_t *seq, char hash[65], vg_err *err);
    vg_status (*audit_insert)(vg_store_conn *c, const vg_audit_entry *e, vg_err *err);
    /* Entries with time >= since (INT64_MIN: all), in seq order. */
    vg_status (*audit_each)(vg_store_conn *c, int64_t since, vg_store_audit_fn fn, void *ctx,
                            vg_err *err);

    /* ---- adjudication and the transparency report ---- */
    /* An alert's state and, once adjudicated, who adjudicated it and when;
     * VG_ERR_NOT_FOUND when there is no such alert. */
    vg_status (*alert_state)(vg_store_conn *c, int64_t id, char state[16],
                             char by[VG_STORE_ACTOR_MAX + 1], int64_t *at, vg_err *err);
    /* Sets a pending alert's state and outcome to outcome, with who, when
     * and the note; VG_ERR_INVALID when it is not (or no longer) pending. */
    vg_status (*alert_adjudicate)(vg_store_conn *c, int64_t id, const char *outcome,
                                  const char *by, int64_t at, const char *note, vg_err *err);
    /* A deployment's alerts counted by state: [0] all, [1] confirmed,
     * [2] rejected, [3] no_action, [4] pending. */
    vg_status (*alert_counts)(vg_store_conn *c, int64_t deployment_id, int64_t counts[5],
                              vg_err *err);
    /* The model id of most of a watch list's templates ("" when it has none). */
    vg_status (*watchlist_model)(vg_store_conn *c, int64_t watchlist_id, char *out, size_t cap,
                                 vg_err *err);

    /* ---- alerts with their details (alert_query.c) ---- */
    /* The alerts matching q (validated above), with subject, watch list and
     * decision, into a malloc'd array (NULL when none), in one query. */
    vg_status (*alert_query)(vg_store_conn *c, const vg_alert_query *q, vg_alert_detail **out,
                             int *n, vg_err *err);

    /* ---- users (user.c) ---- */
    /* A duplicate name is VG_ERR_INVALID. */
    vg_status (*user_insert)(vg_store_conn *c, const char *name, const char *role,
                             const char *pwhash, int64_t created_at, vg_err *err);
    /* A user's role, password hash (cap bytes) and disabled flag;
     * VG_ERR_NOT_FOUND when there is none. */
    vg_status (*user_find)(vg_store_conn *c, const char *name, char role[16], char *pwhash,
                           size_t cap, int *disabled, vg_err *err);
    /* Every user in id order, without hashes (NULL when none). */
    vg_status (*user_list)(vg_store_conn *c, vg_user **out, int *n, vg_err *err);

    /* ---- API tokens (token.c); NULL in a backend without them ---- */
    /* hash: hex SHA-256 of the token. A valid token of the same name is
     * VG_ERR_INVALID. */
    vg_status (*token_insert)(vg_store_conn *c, const char *name, const char *role, const char *hash,
                              const char *created_by, int64_t created_at, int64_t *id, vg_err *err);
    /* The token with this hash (revoked or not); VG_ERR_NOT_FOUND when none. */
    vg_status (*token_find)(vg_store_conn *c, const char *hash, vg_token *out, vg_err *err);
    /* By id when name is NULL, else the valid token of that name. */
    vg_status (*token_get)(vg_store_conn *c, int64_t id, const char *name, vg_token *out, vg_err *err);
    vg_status (*token_list)(vg_store_conn *c, vg_token **out, int *n, vg_err *err);
    vg_status (*token_revoke)(vg_store_conn *c, int64_t id, const char *by, int64_t at, vg_err *err);

    /* ---- change notifications (changes.c); NULL in a backend without them
     * (SQLite: one machine, nothing to tell) ---- */
    /* Inside begin(): tells every listener, once this transaction commits,
     * that `channel` (VG_STORE_CHANNEL_*) changed for id. */
    vg_status (*notify)(vg_store_conn *c, const char *channel, int64_t id, vg_err *err);
    /* Opens a connection of its own that listens on every channel. */
    vg_status (*listen_open)(const char *path, vg_store_conn **out, vg_err *err);
    /* Waits up to timeout_ms for notifications on a listen_open connection;
     * *n (up to max) of them in out, 0 when the time ran out. A lost
     * connection is VG_ERR_IO (close it and open another). */
    vg_status (*listen_wait)(vg_store_conn *c, int timeout_ms, vg_store_change *out, int max,
                             int *n, vg_err *err);

    /* ---- quarantined subjects (issue 13; subject.c, templates.c) ---- */
    /* Sets a subject's quarantine (at > 0, with a reason) or lifts it (at
     * 0, reason ""); VG_ERR_NOT_FOUND when there is no such subject. */
    vg_status (*subject_quarantine_set)(vg_store_conn *c, int64_t id, int64_t at, const char *reason,
                                        vg_err *err);
    /* The ids of a watch list's quarantined subjects in id order (*ids
     * malloc'd, NULL when none). */
    vg_status (*subject_quarantined)(vg_store_conn *c, int64_t watchlist_id, int64_t **ids, int *n,
                                     vg_err *err);
} vg_store_backend;

#define VG_STORE_CHANNEL_WATCHLIST "vigil_watchlist"
#define VG_STORE_CHANNEL_ALERT "vigil_alert"

/* The backend for a path: the first in the table that claims it. */
const vg_store_backend *vg_store_backend_find(const char *path);

extern const vg_store_backend vg_store_backend_sqlite;
extern const vg_store_backend vg_store_backend_postgresql;

#endif
