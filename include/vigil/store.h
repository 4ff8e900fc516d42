/* store.h — where watch lists, subjects, their templates and photos, and the
 * audit chain live.
 *
 * One interface, two backends (SQLite; PostgreSQL for several nodes),
 * chosen by the path given to vg_store_open. Templates and photos are encrypted at rest
 * with libsodium secretbox under a key kept in a key file outside the
 * database. Every change, and every read of biometric data, appends an entry
 * to the audit chain inside the same transaction as the change itself: after
 * a crash, a change and its audit entry are both there or both absent.
 *
 * Ownership: arrays returned through out-pointers are malloc'd and freed
 * with the matching vg_store_*_free function. Strings passed in are
 * borrowed. Times are Unix seconds (UTC); 0 means "none" for optional times.
 *
 * Threads: a vg_store is one database connection, used by one thread at a
 * time; threads that need the store at once open one vg_store each (several
 * processes and connections may share one database file).
 *
 * Errors: an unknown watch list or subject is VG_ERR_NOT_FOUND; bad or
 * over-long fields, a duplicate watch-list name, an under-18 subject without
 * a justification, a wrong key or an altered row are VG_ERR_INVALID; a full
 * watch list and the limits below are VG_ERR_LIMIT. A refused call changes
 * nothing, its audit entry included.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include "vigil/api.h"

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field limits (bytes, UTF-8); longer input is refused with VG_ERR_INVALID. */
#define VG_STORE_NAME_MAX 200
#define VG_STORE_TEXT_MAX 2000
#define VG_STORE_ACTOR_MAX 200
/* Limits of enrolment and audit input, refused beyond with VG_ERR_LIMIT
 * (VG_ERR_INVALID for the template dimension). */
#define VG_STORE_PHOTOS_MAX 64            /* photos (templates) per subject */
#define VG_STORE_JPEG_MAX (32 << 20)      /* bytes per enrolled JPEG */
#define VG_STORE_DIM_MAX 4096             /* floats per template */
#define VG_STORE_DETAILS_MAX 65536        /* bytes of an audit entry's details */

typedef struct vg_store vg_store;

typedef struct vg_store_options {
    const char *path;      /* database: a file path (SQLite) */
    const char *key_path;  /* NULL: path + ".key" */
    int64_t now;           /* clock for this session's records; 0: time(NULL) (tests pass a fake clock) */
} vg_store_options;

/* Opens (creating if absent) the database, applies pending migrations in one
 * transaction each, refuses a schema newer than this binary knows, and loads
 * the key: created (mode 0600, O_EXCL) only when the database is new; a
 * missing key for an existing database, a key that does not open the
 * database's check value, or a key file readable by group or others is a
 * clear error (never an empty watch list). */
VG_API vg_status vg_store_open(const vg_store_options *opt, vg_store **out, vg_err *err);
VG_API void vg_store_close(vg_store *s);
/* Another connection to the database s is open on: the same path, key file
 * and clock (for a thread that needs the store while s is busy). */
VG_API vg_status vg_store_open_same(const vg_store *s, vg_store **out, vg_err *err);

/* The schema version this binary writes and the one in the open database. */
VG_API int vg_store_schema_version(void);
VG_API int vg_store_db_schema_version(const vg_store *s);

/* ---- watch lists ---- */

typedef struct vg_watchlist {
    int64_t id;
    char name[VG_STORE_NAME_MAX + 1];
    char reason[VG_STORE_TEXT_MAX + 1];
    char authorised_by[VG_STORE_NAME_MAX + 1];
    int64_t created_at;
    int64_t expires_at;  /* 0: none */
    int max_size;        /* subjects; 0: no limit */
    int subjects;        /* filled by get/list */
    int templates;       /* filled by get/list */
} vg_watchlist;

/* name, reason and authorised_by are required; a duplicate name is
 * VG_ERR_INVALID. Audited. */
VG_API vg_status vg_store_watchlist_create(vg_store *s, const char *actor, const vg_watchlist *w,
                                    int64_t *id, vg_err *err);
VG_API vg_status vg_store_watchlist_get(vg_store *s, const char *name, vg_watchlist *out, vg_err *err);
VG_API vg_status vg_store_watchlist_list(vg_store *s, vg_watchlist **out, int *n, vg_err *err);
VG_API void vg_store_watchlist_free(vg_watchlist *w);
/* Deletes every subject, template and photo of the list (the list itself
 * stays, empty), and audits how many and who. Alerts of its subjects stay,
 * with subject_id 0 (see vg_alert). */
VG_API vg_status vg_store_watchlist_purge(vg_store *s, const char *actor, const char *name,
                                   int *subjects, int *templates, vg_err *err);

/* ---- subjects ---- */

typedef struct vg_subject {
    int64_t id;
    int64_t watchlist_id;
    char name[VG_STORE_NAME_MAX + 1];
    char reason[VG_STORE_TEXT_MAX + 1];
    char category[VG_STORE_NAME_MAX + 1];
    char source[VG_STORE_TEXT_MAX + 1];          /* where the photo came from */
    char authorised_by[VG_STORE_NAME_MAX + 1];
    char justification[VG_STORE_TEXT_MAX + 1];   /* required when under 18 */
    char dob[11];                                /* "YYYY-MM-DD" or "" */
    int64_t created_at;
    int64_t expires_at;                          /* 0: the watch list's */
    int templates;                               /* filled by list */
    int low_quality;                             /* filled by get/list: templates a supervisor
                                                    accepted below the quality limits */
} vg_subject;

/* One enrolled photo: its template (L2-normalised) and the photo as JPEG. */
/* Where the enrolment found the face in a kept photo, in that photo's
 * pixels: the box (x1, y1, x2, y2) and the five landmarks (x, y pairs: eyes,
 * nose, mouth corners). known 0: not recorded (photos enrolled before
 * schema 14). */
typedef struct vg_photo_face {
    int known;
    float box[4];
    float lm[10];
} vg_photo_face;

typedef struct vg_enrolment {
    const float *vec;
    int dim;
    float quality;
    const uint8_t *jpeg;
    size_t jpeg_len;
    /* Below the enrolment gate's quality limits, accepted by a supervisor:
     * the template is marked low-quality and the subject.add audit entry
     * holds both texts (each one line, 1..VG_STORE_TEXT_MAX bytes; NULL when
     * low_quality is 0). */
    int low_quality;
    const char *low_quality_supervisor;
    const char *low_quality_justification;
    vg_photo_face face; /* the face's place in jpeg (known 0: none recorded) */
} vg_enrolment;

/* Adds a subject with n templates and photos to the watch list named by
 * subject->watchlist_id, in one transaction with its audit entry.
 * model_id names the embedder ("file:sha256"). Refused: an unknown or full
 * watch list, a subject under 18 (by dob, at the store's clock) without a
 * justification, n < 1. */
VG_API vg_status vg_store_subject_add(vg_store *s, const char *actor, const vg_subject *subject,
                               const char *model_id, const vg_enrolment *photos, int n,
                               int64_t *id, vg_err *err);
VG_API vg_status vg_store_subject_get(vg_store *s, int64_t id, vg_subject *out, vg_err *err);
VG_API vg_status vg_store_subject_list(vg_store *s, int64_t watchlist_id, vg_subject **out, int *n,
                                vg_err *err);
VG_API void vg_store_subject_free(vg_subject *subjects);
/* Removes the subject, its templates and photos. Audited. */
VG_API vg_status vg_store_subject_remove(vg_store *s, const char *actor, int64_t id, vg_err *err);

/* ---- templates (for the gallery) ---- */

typedef struct vg_template_set {
    int n;
    int dim;
    int64_t *template_id;
    int64_t *subject_id;
    float *vecs;   /* n x dim, decrypted */
    int quarantined; /* subjects of the list left out because they are quarantined */
} vg_template_set;

/* Loads and decrypts the templates of a watch list's subjects that have not
 * expired at time now, made with model_id. Templates of another model make
 * the call fail with VG_ERR_UNSUPPORTED and a message saying to re-enrol.
 * The read is audited (actor, purpose). On success the arrays are allocated
 * even when n is 0 (dim is then 0). Quarantined subjects are left out
 * (counted in quarantined). A template that does not decrypt fails the
 * load with VG_ERR_INVALID naming its subject, whom it quarantines
 * (audited, actor's name): the next load goes on without it. */
VG_API vg_status vg_store_templates_load(vg_store *s, const char *actor, const char *purpose,
                                  int64_t watchlist_id, const char *model_id, int64_t now,
                                  vg_template_set *out, vg_err *err);
VG_API void vg_store_templates_free(vg_template_set *t);

/* Quarantine: a subject taken out of matching until an admin releases it.
 * vg_store_templates_load quarantines by itself a subject whose template
 * does not decrypt (then fails, naming it); an admin may quarantine one
 * with a reason (one line). Quarantining one already quarantined, or
 * releasing one that is not, is VG_ERR_INVALID; an unknown id
 * VG_ERR_NOT_FOUND. Audited (subject.quarantine, subject.release). */
VG_API vg_status vg_store_subject_quarantine(vg_store *s, const char *actor, int64_t id, const char *reason, vg_err *err);
VG_API vg_status vg_store_subject_release(vg_store *s, const char *actor, int64_t id, vg_err *err);
/* The ids of the watch list's quarantined subjects, in id order (*ids
 * malloc'd, NULL when none). Not audited (no biometric data). */
VG_API vg_status vg_store_subject_quarantined(vg_store *s, int64_t watchlist_id, int64_t **ids, int *n, vg_err *err);

/* The k-th (0-based) enrolled photo of a subject, decrypted JPEG (malloc'd).
 * Audited. */
VG_API vg_status vg_store_photo_get(vg_store *s, const char *actor, int64_t subject_id, int k,
                             uint8_t **jpeg, size_t *len, vg_err *err);
/* The same, with where the enrolment found the face in it (face->known 0
 * for a photo enrolled before that was recorded). Audited like
 * vg_store_photo_get. */
VG_API vg_status vg_store_photo_face(vg_store *s, const char *actor, int64_t subject_id, int k,
                                     uint8_t **jpeg, size_t *len, vg_photo_face *face, vg_err *err);

/* ---- re-embedding a watch list (reembed.c) ---- */

/* Makes the template of one enrolled photo with the caller's embedder:
 * jpeg (jpeg_len bytes, decrypted, borrowed for the call) is photo `photo`
 * (0-based) of `subject`; the callback writes dim floats into vec and the
 * face's quality into *quality. Anything but VG_OK (a photo that no longer
 * yields a face, say) stops the re-embedding and rolls it back; err then
 * says why. */
typedef vg_status (*vg_store_reembed_fn)(void *ctx, const vg_subject *subject, int photo,
                                         const uint8_t *jpeg, size_t jpeg_len, float *vec, float *quality,
                                         vg_err *err);

typedef struct vg_reembed_result {
    int subjects;                           /* subjects of the list, all re-made */
    int photos;                             /* enrolled photos read and embedded */
    int templates_removed;                  /* old templates deleted */
    int templates_added;                    /* new templates stored */
    int subjects_unchanged;                 /* new templates bit-identical to the old, kept */
    char old_model[VG_STORE_NAME_MAX + 1];  /* the old templates' model id ("" none, "various") */
    int64_t failed_subject;                 /* on failure: the subject (0: not at a photo) */
    int failed_photo;                       /* on failure: its photo (0-based; -1: none) */
} vg_reembed_result;

/* Re-makes every template of the watch list `name` from its subjects'
 * sealed enrolment photos, with fn and the embedder model_id (dim floats),
 * in ONE transaction with one watchlist.reembed audit entry (subjects,
 * photos, templates removed and added, unchanged subjects, old and new
 * model ids, the detector (NULL: "")); never a name, a photo or a template). A subject whose new
 * templates equal its old ones bit for bit (same model, same count, same
 * floats) keeps them; the others' templates are all replaced, whatever
 * model made them. A run that changes nothing is still audited (the photos
 * were read) and says so (templates_added 0). Any failure, of fn or of the
 * store, rolls back everything, audit entry included, with
 * failed_subject/failed_photo and err naming the subject and photo.
 * Expired subjects not yet removed by retention are re-made too. The write
 * transaction is held while fn runs (other writers wait). */
VG_API vg_status vg_store_watchlist_reembed(vg_store *s, const char *actor, const char *name, const char *model_id,
                                     const char *detector, int dim, vg_store_reembed_fn fn, void *ctx, vg_reembed_result *out,
                                     vg_err *err);

/* ---- deployments ---- */

#define VG_STORE_CAMERAS_MAX 64

/* A deployment: where, when, against which watch list, on whose authority.
 * Matching happens only inside [starts_at, ends_at) and before ended_at. */
typedef struct vg_deployment {
    int64_t id;
    char name[VG_STORE_NAME_MAX + 1];
    int64_t watchlist_id;
    char watchlist[VG_STORE_NAME_MAX + 1];       /* filled by get/list */
    char location[VG_STORE_TEXT_MAX + 1];
    int n_cameras;
    char cameras[VG_STORE_CAMERAS_MAX][VG_STORE_TEXT_MAX + 1];  /* URLs, as given */
    /* What each camera is called and where it is (schema 14), shown on the
     * console; "": "camera<N>" (its position from 1) and the deployment's
     * location. One line each; names unique within the deployment. */
    char camera_names[VG_STORE_CAMERAS_MAX][VG_STORE_NAME_MAX + 1];
    char camera_locations[VG_STORE_CAMERAS_MAX][VG_STORE_NAME_MAX + 1];
    int64_t starts_at;
    int64_t ends_at;
    char authorised_by[VG_STORE_NAME_MAX + 1];
    int signage_confirmed;
    float threshold;                              /* 0: the default */
    int64_t created_at;
    int64_t ended_at;                             /* 0: not ended */
    char created_by[VG_STORE_ACTOR_MAX + 1];      /* filled by get/list: the actor of create */
    char ended_by[VG_STORE_ACTOR_MAX + 1];        /* filled by get/list: the actor of end, or "" */
    /* The pack it was created for (schema 7): the embedder's model id
     * (vg_face_pack_model_id) and the detector's name; "" when the
     * deployment was made before they were recorded. */
    char model_id[VG_STORE_NAME_MAX + 1];
    char detector[VG_STORE_NAME_MAX + 1];
    /* 1: each alert keeps the frame as the live view shows it (bystanders
     * pixelated, the matched face boxed), sealed with the alert (schema
     * 16); 0, the default: no scene is kept. 0 or 1. */
    int scene_snapshot;
} vg_deployment;

/* Required: name (unique), an existing watch list (watchlist_id, or when it
 * is 0 the name in watchlist), location, at least one camera, 0 <= starts_at
 * < ends_at, authorised_by. Camera URLs: non-empty, at most
 * VG_STORE_TEXT_MAX bytes, one line, no two alike. threshold in [0, 1).
 * Refusals: an unknown watch list is VG_ERR_NOT_FOUND; more than
 * VG_STORE_CAMERAS_MAX cameras is VG_ERR_LIMIT; a duplicate name and every
 * other bad field VG_ERR_INVALID, with the field named. created_at, ended_at,
 * created_by and ended_by are set by the store. Audited (deployment.create:
 * watch list, location, window, authority, signage, threshold, camera count
 * and the camera URLs with user:password@ and password-like query values
 * replaced by "***"). The URLs themselves are stored verbatim. */
VG_API vg_status vg_store_deployment_create(vg_store *s, const char *actor, const vg_deployment *d, int64_t *id,
                                     vg_err *err);
VG_API vg_status vg_store_deployment_get(vg_store *s, const char *name, vg_deployment *out, vg_err *err);
/* *out is an array of n deployments (free with free()). */
VG_API vg_status vg_store_deployment_list(vg_store *s, vg_deployment **out, int *n, vg_err *err);
/* Ends it now (the store's clock); a second end is VG_ERR_INVALID, an
 * unknown name VG_ERR_NOT_FOUND. Audited (deployment.end). */
VG_API vg_status vg_store_deployment_end(vg_store *s, const char *actor, const char *name, vg_err *err);

/* The runs of a deployment as the audit chain tells them: each `vigil run`
 * appends deployment.start, and deployment.stop when it stops cleanly. A
 * start followed by another start (no stop between) is a run that ended
 * uncleanly (killed, crashed, the machine lost); the last start without a
 * stop is a run still going or one that ended so. */
typedef struct vg_deployment_runs {
    int64_t runs;            /* deployment.start entries */
    int64_t unclean;         /* starts followed by another start without a stop */
    int last_open;           /* the last start has no stop (yet) */
    int64_t last_started_at; /* its time (0: no run) */
    int64_t last_start_seq;  /* its audit seq */
} vg_deployment_runs;
/* Reads the runs of the deployment named `name` (an unknown name: all 0).
 * Walks the audit chain; not itself audited (no biometric data). */
VG_API vg_status vg_store_deployment_runs(vg_store *s, const char *name, vg_deployment_runs *out, vg_err *err);

/* ---- alerts ---- */

typedef struct vg_alert {
    int64_t id;
    int64_t deployment_id;
    char camera[VG_STORE_NAME_MAX + 1];   /* the camera's name (never its URL's credentials) */
    int64_t subject_id;                   /* 0 once the subject was removed or its list purged */
    float score;
    double frame_time;                    /* Unix seconds (fractional) the frame was captured/decoded */
    double raised_at;                     /* Unix seconds the alert was raised */
    char state[16];                       /* "pending", later "confirmed", "rejected", "no_action" */
    char uid[40];                         /* unique id made by the engine (idempotent writes) */
    int64_t template_id;                  /* the template matched best (0: not known); its
                                           * low_quality decides the alert's */
} vg_alert;

/* Stores an alert with its probe face crop (JPEG, sealed) in one
 * transaction with its audit entry (alert.raise: deployment, camera,
 * subject, score, uid — never the image). An alert whose uid is already
 * stored is not stored again (VG_OK, *id the existing one, no audit entry;
 * the rest of *a is then not compared with the stored alert).
 * Required: uid (1..39 printable ASCII bytes), camera (one line), a finite
 * score, finite frame_time >= 0 and raised_at >= 0 (0: the store's clock),
 * state "" or "pending" (stored as "pending"), a JPEG (starts FF D8 FF) of
 * at most VG_STORE_JPEG_MAX bytes (VG_ERR_LIMIT beyond). An unknown
 * deployment or subject is VG_ERR_NOT_FOUND; a subject that is not on the
 * deployment's watch list is VG_ERR_INVALID. */
VG_API vg_status vg_store_alert_add(vg_store *s, const char *actor, const vg_alert *a, const uint8_t *jpeg,
                             size_t jpeg_len, int64_t *id, vg_err *err);
/* The same with the alert's scene snapshot (issue 15): the frame as the
 * live view shows it, a JPEG of at most VG_STORE_JPEG_MAX bytes, sealed
 * bound to the alert's row ("alerts:<id>:scene") in the same transaction.
 * scene NULL (scene_len 0) is vg_store_alert_add. A scene for a deployment
 * whose scene_snapshot is 0 is VG_ERR_INVALID and nothing is stored. The
 * alert.raise entry says whether a scene was kept (never the image). */
VG_API vg_status vg_store_alert_add_with_scene(vg_store *s, const char *actor, const vg_alert *a,
                                               const uint8_t *jpeg, size_t jpeg_len, const uint8_t *scene,
                                               size_t scene_len, int64_t *id, vg_err *err);
/* Alerts of a deployment (0: all), oldest first; free with free(). */
VG_API vg_status vg_store_alert_list(vg_store *s, int64_t deployment_id, vg_alert **out, int *n, vg_err *err);
/* One alert (no crop; VG_ERR_NOT_FOUND when there is none). Not audited:
 * the record holds no image. */
VG_API vg_status vg_store_alert_get(vg_store *s, int64_t id, vg_alert *out, vg_err *err);
/* The probe crop of an alert (decrypted JPEG, malloc'd). Audited (alert.read).
 * An unknown alert, or one whose crop retention deleted, is VG_ERR_NOT_FOUND. */
VG_API vg_status vg_store_alert_crop(vg_store *s, const char *actor, int64_t alert_id, uint8_t **jpeg, size_t *len,
                              vg_err *err);
/* The scene snapshot of an alert (decrypted JPEG, malloc'd). Audited
 * (alert.read with "image": "scene"). An unknown alert, one kept without a
 * scene (its deployment's policy off, or it came through the spool), or
 * one whose scene retention deleted, is VG_ERR_NOT_FOUND; a scene that
 * does not open (altered, or moved from another row) is VG_ERR_INVALID. */
VG_API vg_status vg_store_alert_scene(vg_store *s, const char *actor, int64_t alert_id, uint8_t **jpeg,
                                      size_t *len, vg_err *err);

/* An alert with what an officer needs beside it (alert_query.c): the
 * subject's name, reason and category ("" once the subject was removed or
 * its list purged), the deployment's watch list, and the decision
 * (adjudicated_by "", adjudicated_at 0 and note "" while pending). */
typedef struct vg_alert_detail {
    vg_alert alert;
    char subject_name[VG_STORE_NAME_MAX + 1];
    char subject_reason[VG_STORE_TEXT_MAX + 1];
    char subject_category[VG_STORE_NAME_MAX + 1];
    char watchlist[VG_STORE_NAME_MAX + 1];
    char adjudicated_by[VG_STORE_ACTOR_MAX + 1];
    int64_t adjudicated_at;
    char note[VG_STORE_TEXT_MAX + 1];
    int low_quality;  /* the subject was enrolled with a template a supervisor accepted below
                         the quality limits: the match may rest on it */
    int has_scene;    /* a scene snapshot is kept with it (vg_store_alert_scene) */
} vg_alert_detail;

#define VG_STORE_ALERT_QUERY_MAX 1000

typedef struct vg_alert_query {
    int64_t deployment_id;  /* 0: every deployment */
    int64_t after;          /* only alerts with a larger id (0: from the first) */
    const char *state;      /* NULL: any; else pending, confirmed, rejected or no_action */
    int limit;              /* 1..VG_STORE_ALERT_QUERY_MAX */
    int newest_first;       /* 1: in descending id order (the latest alerts) */
} vg_alert_query;

/* At most q->limit alerts matching q, in id order (descending with
 * newest_first); *out is NULL when none (free with free()). Not audited (no
 * image). A bad limit, state or negative id is VG_ERR_INVALID; an unknown
 * deployment is not an error (no alerts). */
VG_API vg_status vg_store_alert_query(vg_store *s, const vg_alert_query *q, vg_alert_detail **out, int *n,
                               vg_err *err);
/* One alert with its details; VG_ERR_NOT_FOUND when there is none. */
VG_API vg_status vg_store_alert_detail_get(vg_store *s, int64_t id, vg_alert_detail *out, vg_err *err);
/* The largest alert id (0 when there is no alert). */
VG_API vg_status vg_store_alert_last_id(vg_store *s, int64_t *id, vg_err *err);

/* ---- retention (retention.c) ---- */

/* Marks an alert as held for an investigation: retention keeps a held alert
 * and its crop until it is released. reason is required (one text of at
 * most VG_STORE_TEXT_MAX bytes). An unknown alert is VG_ERR_NOT_FOUND; an
 * alert already held is VG_ERR_INVALID (release it first). Audited
 * (alert.hold: the reason). */
VG_API vg_status vg_store_alert_hold(vg_store *s, const char *actor, int64_t alert_id, const char *reason,
                              vg_err *err);
/* Removes the hold; the next retention run applies the period again. An
 * alert that is not held is VG_ERR_INVALID. Audited (alert.release). */
VG_API vg_status vg_store_alert_release(vg_store *s, const char *actor, int64_t alert_id, vg_err *err);

typedef struct vg_retention_policy {
    int alert_days;                    /* 0: 31; at most 36500 */
    int purge_ended_deployment_lists;  /* see vg_store_retention_run */
} vg_retention_policy;

typedef struct vg_retention_result {
    int alerts_deleted, crops_deleted;        /* alert rows; of them, with a crop */
    int scenes_deleted;                       /* of them, with a scene snapshot */
    int subjects_expired;                     /* subjects deleted as expired */
    int templates_deleted, photos_deleted;    /* of every subject deleted by this run */
    int watchlists_purged;                    /* lists emptied because their deployments ended */
    int subjects_purged;                      /* subjects deleted by those purges */
    int space_reclaimed;                      /* 1: free pages released and the WAL emptied */
} vg_retention_result;

/* Applies the retention rules at time now (0: the store's clock), in one
 * transaction with one retention.run audit entry holding the policy, the
 * cut-off and the counts (no ids, names or images):
 *  - alerts raised before now - alert_days days that are not held are
 *    deleted, rows and sealed crops;
 *  - subjects whose own expiry, or when it is 0 their watch list's, is
 *    at or before now are deleted with their templates and photos;
 *  - with purge_ended_deployment_lists: the subjects (templates, photos) of
 *    every watch list used by at least one deployment, all of whose
 *    deployments were ended (vg_store_deployment_end; a deployment whose
 *    window ran out but that nobody ended keeps its list) are deleted; the
 *    lists stay, empty. Alerts of deleted subjects stay (subject 0) until
 *    their own period runs out.
 * A run with nothing to delete changes nothing but still appends its audit
 * entry (the record that the job ran). After the commit, space is
 * reclaimed: the deleted pages (zeroed: secure_delete) are released by an
 * incremental vacuum and the WAL is checkpointed and truncated, so no copy
 * of a deleted crop or photo is left in the files; when another connection
 * holds the WAL open this is left to the next run (space_reclaimed 0). */
VG_API vg_status vg_store_retention_run(vg_store *s, const char *actor, const vg_retention_policy *policy,
                                 int64_t now, vg_retention_result *out, vg_err *err);

/* ---- counters (no biometric data) ---- */

typedef struct vg_counters {
    int64_t frames_in, frames_processed, frames_dropped;
    int64_t faces, tracks, embeddings, comparisons, alerts, reconnects;
} vg_counters;

/* Adds to the running counters of (deployment, camera); one upsert, not
 * audited. camera is required (one line, at most VG_STORE_NAME_MAX bytes);
 * a negative increment is VG_ERR_INVALID, an unknown deployment
 * VG_ERR_NOT_FOUND. */
VG_API vg_status vg_store_counters_add(vg_store *s, int64_t deployment_id, const char *camera, const vg_counters *c,
                                vg_err *err);
/* Sums over the deployment's cameras (camera NULL) or one camera; zeros for
 * a camera that has reported nothing. An unknown deployment is
 * VG_ERR_NOT_FOUND. */
VG_API vg_status vg_store_counters_get(vg_store *s, int64_t deployment_id, const char *camera, vg_counters *out,
                                vg_err *err);

/* ---- adjudication (an officer's decision on an alert) ---- */

/* Records an officer's decision on a pending alert: outcome "confirmed",
 * "rejected" or "no_action" becomes its state, with actor as the officer
 * (adjudicated_by), the store's clock (adjudicated_at) and an optional note
 * (at most VG_STORE_TEXT_MAX bytes of UTF-8, several lines allowed). Audited
 * (alert.adjudicate: deployment, outcome, officer, note; never the image).
 * Refused: an unknown alert (VG_ERR_NOT_FOUND); another outcome or a bad
 * note (VG_ERR_INVALID); an alert already adjudicated (VG_ERR_EXISTS, a
 * conflict, naming its outcome and officer) — a decision is never
 * overwritten. */
VG_API vg_status vg_store_alert_adjudicate(vg_store *s, const char *actor, int64_t alert_id,
                                    const char *outcome, const char *note, vg_err *err);

/* ---- the transparency report (counts only) ---- */

/* A deployment's figures, built only from counts and the deployment record:
 * no face, no subject name, no image. Reading one is not audited (it holds
 * no biometric data; see report.c). */
typedef struct vg_report {
    char deployment[VG_STORE_NAME_MAX + 1];   /* a period summary: "" */
    char watchlist[VG_STORE_NAME_MAX + 1];    /* a summary over several lists: "various" */
    char location[VG_STORE_TEXT_MAX + 1];     /* a summary over several places: "various" */
    int64_t starts_at, ends_at, ended_at;     /* a summary: the earliest start, latest end, 0 */
    /* Hours between starts_at and the earliest of ended_at (when ended),
     * ends_at and the store's clock (0 before the start): the time matching
     * was authorised and possible, not the engine's own running time. A
     * summary adds those of its deployments. */
    double hours_on_air;
    float threshold;                          /* 0: the default; a summary of differing ones: -1 */
    char model[VG_STORE_NAME_MAX + 1];        /* the watch list's templates' model id ("" none, "various") */
    /* the pack the deployment was created for ("" not recorded, "various") */
    char pack_model[VG_STORE_NAME_MAX + 1];   /* its embedder's model id */
    char detector[VG_STORE_NAME_MAX + 1];     /* its detector */
    int64_t watchlist_size;                   /* subjects on the list now (a summary: the largest) */
    vg_counters counters;                     /* summed over cameras (and deployments) */
    int64_t alerts, confirmed, rejected, no_action, pending;  /* stored alerts by state */
    double alerts_per_1000_faces;             /* alerts * 1000 / counters.faces (0 without faces) */
    double false_alerts_per_face;             /* rejected / counters.faces (0 without faces) */
    double false_alerts_per_alert;            /* rejected / adjudicated alerts (0 without any) */
    /* runs from the audit chain (vg_store_deployment_runs; a summary adds
     * them): a run that ended uncleanly lost its counters' last few seconds */
    int64_t runs, runs_unclean;
    int last_run_open;                        /* the last run has no stop entry (yet) */
} vg_report;

/* The report of one deployment; an unknown one is VG_ERR_NOT_FOUND. */
VG_API vg_status vg_store_report(vg_store *s, const char *deployment, vg_report *out, vg_err *err);
/* The sum over the deployments whose window (starts_at to ends_at, or to
 * ended_at when it ended earlier) overlaps [from, until): their whole counts,
 * not only those inside the period. from < until is required; *n_deployments
 * may be 0 (all figures 0). */
VG_API vg_status vg_store_report_period(vg_store *s, int64_t from, int64_t until, vg_report *sum,
                                 int *n_deployments, vg_err *err);

/* ---- users of the HTTP API (user.c) ---- */

#define VG_STORE_PASSWORD_MAX 1024

typedef struct vg_user {
    int64_t id;
    char name[VG_STORE_NAME_MAX + 1];
    char role[16];          /* "admin", "operator" or "auditor" */
    int64_t created_at;
    int disabled;
} vg_user;

/* Adds a user: name (one line), role one of admin, operator, auditor, a
 * password of 8 to VG_STORE_PASSWORD_MAX bytes, stored only as an argon2id
 * hash (libsodium crypto_pwhash_str, interactive limits). A duplicate name
 * is VG_ERR_INVALID. Audited (user.add: name and role; never the password
 * or its hash). */
VG_API vg_status vg_store_user_add(vg_store *s, const char *actor, const char *name, const char *role,
                            const char *password, vg_err *err);
/* Checks a name and password; on success the user's role into role_out. An
 * unknown or disabled user and a wrong password are the same
 * VG_ERR_INVALID "wrong name or password" (nothing tells them apart). Not
 * audited (the HTTP layer records logins). */
VG_API vg_status vg_store_user_check(vg_store *s, const char *name, const char *password,
                              char role_out[16], vg_err *err);
/* Every user in id order (never a hash); free with free(). */
VG_API vg_status vg_store_user_list(vg_store *s, vg_user **out, int *n, vg_err *err);

/* ---- console login sessions (session.c) ---- */

/* A session as the store holds it: never its tokens, only their hashes. */
typedef struct vg_store_session {
    int64_t id;
    char csrf_hash[65];
    char user[VG_STORE_NAME_MAX + 1];
    char role[16];
    int64_t created_at, expires_at;
} vg_store_session;

/* Opens a session for user with role, valid ttl_s seconds: two random
 * tokens (64 hex characters) into token (the cookie) and csrf, which the
 * store keeps only as hashes. Expired sessions are deleted on the way. */
VG_API vg_status vg_store_session_open(vg_store *s, const char *user, const char *role, int64_t ttl_s,
                                char token[65], char csrf[65], int64_t *expires, vg_err *err);
/* The session this cookie token opens; VG_ERR_INVALID "no such session"
 * when it is unknown, expired, closed or revoked. */
VG_API vg_status vg_store_session_check(vg_store *s, const char *token, vg_store_session *out, vg_err *err);
/* 1 when csrf is the session's CSRF token (constant-time on the hashes). */
VG_API int vg_store_session_csrf_ok(const vg_store_session *si, const char *csrf);
/* Ends the session of this cookie token (logout). Not audited. */
VG_API vg_status vg_store_session_close(vg_store *s, const char *token, vg_err *err);
/* Ends every session of a user, into *n (may be NULL). Audited
 * (session.revoke: the count). */
VG_API vg_status vg_store_session_revoke_user(vg_store *s, const char *actor, const char *user, int *n, vg_err *err);

/* ---- API tokens for machines (token.c) ---- */

#define VG_STORE_TOKEN_LEN 68   /* "vgt_" + 64 hex characters (32 random bytes) */

typedef struct vg_token {
    int64_t id;
    char name[VG_STORE_NAME_MAX + 1];
    char role[16];                          /* "admin", "operator" or "auditor" */
    char created_by[VG_STORE_ACTOR_MAX + 1];
    int64_t created_at;
    int64_t revoked_at;                     /* 0: valid */
    char revoked_by[VG_STORE_ACTOR_MAX + 1];
    int64_t expires_at;                     /* refused from then on (renewable) */
} vg_token;

/* Makes a new API token (32 random bytes, hex, "vgt_" in front) into
 * token_out, shown to its maker once: the store keeps only its SHA-256.
 * name: one line, unique among tokens not revoked (VG_ERR_INVALID);
 * role: admin, operator or auditor. Audited (token.create: name, role;
 * never the token nor its hash). */
VG_API vg_status vg_store_token_create(vg_store *s, const char *actor, const char *name, const char *role,
                                char token_out[VG_STORE_TOKEN_LEN + 1], int64_t *id, vg_err *err);
/* The same with a lifetime: the token is refused ttl_s seconds from now
 * (vg_store_token_create: VG_STORE_TOKEN_TTL_DEFAULT, 90 days; at most
 * VG_STORE_TOKEN_TTL_MAX). */
#define VG_STORE_TOKEN_TTL_DEFAULT (90LL * 86400)
#define VG_STORE_TOKEN_TTL_MAX (366LL * 86400)
VG_API vg_status vg_store_token_create_ttl(vg_store *s, const char *actor, const char *name, const char *role,
                                    int64_t ttl_s, char token_out[VG_STORE_TOKEN_LEN + 1], int64_t *id,
                                    vg_err *err);
/* Renews token id (not revoked; an expired one may be renewed): valid
 * ttl_s seconds from now, into *expires. Audited (token.renew). */
VG_API vg_status vg_store_token_renew(vg_store *s, const char *actor, int64_t id, int64_t ttl_s, int64_t *expires,
                               vg_err *err);
/* The valid token that this text is; an unknown, malformed or revoked one
 * is VG_ERR_INVALID "unknown or revoked API token". Not audited (every
 * request checks one; the actions it allows are). */
VG_API vg_status vg_store_token_check(vg_store *s, const char *token, vg_token *out, vg_err *err);
/* Every token, revoked ones included, in id order (never a hash); free
 * with free(). */
VG_API vg_status vg_store_token_list(vg_store *s, vg_token **out, int *n, vg_err *err);
/* Revokes the token with this id (name NULL) or this name (the valid one).
 * Unknown is VG_ERR_NOT_FOUND; already revoked VG_ERR_INVALID. Audited
 * (token.revoke). */
VG_API vg_status vg_store_token_revoke(vg_store *s, const char *actor, int64_t id, const char *name, vg_err *err);

/* ---- calibration (calibration.c) ---- */

/* The calibration text (match/calib.h's format) saved for a model
 * (malloc'd, NUL-terminated). None saved: VG_ERR_NOT_FOUND; a value that
 * does not authenticate under the key (edited): VG_ERR_INVALID. Not audited
 * (scores only). */
VG_API vg_status vg_store_calibration_get(vg_store *s, const char *model_id, char **text, vg_err *err);
/* Saves (replaces) it, sealed, with a calibration.save audit entry (model,
 * SHA-256 of the text, bytes) in the same transaction. */
VG_API vg_status vg_store_calibration_put(vg_store *s, const char *actor, const char *model_id, const char *text,
                                   vg_err *err);

/* ---- evaluation runs (evalrun.c) ---- */

/* An evaluation run kept so that a document can cite it: `vigil eval
 * groups --record` (and the other protocols) store their result here. */
typedef struct vg_eval_run {
    int64_t id;
    char kind[32];                         /* "groups", "verify", "search", "calibrate" */
    char model_id[VG_STORE_NAME_MAX + 1];  /* the embedder's model id */
    char dataset[VG_STORE_TEXT_MAX + 1];   /* the data set's path, as given */
    char labels_sha256[65];                /* hex SHA-256 of the labels file ("" none) */
    char command[VG_STORE_TEXT_MAX + 1];   /* the command line that made it */
    int64_t created_at;
    char created_by[VG_STORE_ACTOR_MAX + 1];
    char *result;                          /* its JSON object text (malloc'd by get/list) */
} vg_eval_run;

/* Stores a run: kind one of the four, model_id, dataset and command
 * required (one line each), labels_sha256 "" or 64 hex digits, result a
 * JSON object text (at most 16 MiB). The result is sealed (an edited row
 * is refused when read). Audited (eval.record: kind, model, data set,
 * labels hash, the result's SHA-256). */
VG_API vg_status vg_store_eval_run_add(vg_store *s, const char *actor, const vg_eval_run *run, int64_t *id, vg_err *err);
/* The runs of a model (model_id NULL: all) of a kind (NULL: any), oldest
 * first, results unsealed; free with vg_store_eval_run_free. A row whose
 * result does not authenticate is VG_ERR_INVALID naming its id. */
VG_API vg_status vg_store_eval_run_list(vg_store *s, const char *model_id, const char *kind, vg_eval_run **out, int *n,
                                 vg_err *err);
VG_API void vg_store_eval_run_free(vg_eval_run *runs, int n);

/* ---- versions of the deployment documents (paperwork.c) ---- */

typedef struct vg_paperwork_version {
    int64_t deployment_id;
    char kind[32];            /* dpia, eia, watchlist-criteria, authorisation, review */
    int version;              /* 1, 2, ... per (deployment, kind) */
    char inputs_sha256[65];   /* hex SHA-256 of the inputs text */
    int64_t created_at;
    char created_by[VG_STORE_ACTOR_MAX + 1];
    char *inputs;             /* the inputs (JSON text, malloc'd by get) */
} vg_paperwork_version;

/* Records that a document of this kind of the deployment named
 * `deployment` (VG_ERR_NOT_FOUND when there is none) was produced from `inputs` (a JSON
 * text): when the latest version's inputs have the same SHA-256 it is that
 * version again, else a new version stores them (sealed). Either way one
 * paperwork.generate audit entry (deployment, kind, version, the inputs'
 * SHA-256, format: the document is a function of these). *version: the version produced. */
VG_API vg_status vg_store_paperwork_record(vg_store *s, const char *actor, const char *deployment, const char *kind,
                                    const char *inputs, const char *format, int *version,
                                    vg_err *err);
/* One version (0: the latest) with its inputs; an unknown deployment or
 * version is VG_ERR_NOT_FOUND. Free its inputs with free(). Not audited (no biometric data). */
VG_API vg_status vg_store_paperwork_get(vg_store *s, const char *deployment, const char *kind, int version,
                                 vg_paperwork_version *out, vg_err *err);

/* ---- the audit chain ---- */

typedef struct vg_audit_entry {
    int64_t seq;
    int64_t time;
    char actor[VG_STORE_ACTOR_MAX + 1];
    char action[64];
    char object[VG_STORE_NAME_MAX + 64];
    char *details;          /* JSON object text, malloc'd */
    char prev_hash[65];     /* hex SHA-256 */
    char hash[65];
} vg_audit_entry;

/* Appends an entry (for actions the store does not record by itself, such
 * as an identification or a configuration change). details: a JSON object
 * text, or NULL for {}. Entries never hold a template or an image. */
VG_API vg_status vg_store_audit_append(vg_store *s, const char *actor, const char *action,
                                const char *object, const char *details, vg_err *err);
/* Entries with time >= since, in order. */
VG_API vg_status vg_store_audit_list(vg_store *s, int64_t since, vg_audit_entry **out, int *n,
                              vg_err *err);
VG_API void vg_store_audit_free(vg_audit_entry *entries, int n);

/* Checks the whole chain: each hash = SHA-256 over the entry's fields and
 * prev_hash, each prev_hash = the previous hash, seq without gaps from 1.
 * VG_OK when intact; otherwise VG_ERR_INVALID with *bad_seq the first entry
 * that was edited, removed (the entry after the gap) or reordered, and the
 * reason in err. */
VG_API vg_status vg_store_audit_verify(vg_store *s, int64_t *bad_seq, int64_t *entries, vg_err *err);

/* ---- changes made by other nodes (changes.c) ----
 *
 * A store shared by several nodes (PostgreSQL) tells every node, as soon as
 * a transaction commits, which watch list changed (a subject enrolled or
 * removed, a list purged, subjects expired) and which alert was stored. A
 * subscription is a thread with a connection of its own, calling fn on that
 * thread. When its connection is lost it reconnects (every second) and then
 * calls fn with VG_STORE_CHANGE_RESYNC: notifications sent meanwhile were
 * missed, so the subscriber should reload what it keeps. A store on one
 * machine (SQLite) has no such notifications: starting is VG_ERR_UNSUPPORTED. */
typedef enum vg_store_change_kind {
    VG_STORE_CHANGE_WATCHLIST = 1, /* id: the watch list (0: any list, e.g. after retention) */
    VG_STORE_CHANGE_ALERT,         /* id: the new alert */
    VG_STORE_CHANGE_RESYNC         /* id 0: reload everything */
} vg_store_change_kind;

typedef struct vg_store_change {
    vg_store_change_kind kind;
    int64_t id;
} vg_store_change;

typedef void (*vg_store_change_fn)(void *ctx, const vg_store_change *change);
typedef struct vg_store_changes vg_store_changes;

/* Starts listening (connected before it returns: a change committed after
 * the call is seen). s is only read here (its path); it may be closed
 * afterwards. */
VG_API vg_status vg_store_changes_start(const vg_store *s, vg_store_change_fn fn, void *ctx,
                                 vg_store_changes **out, vg_err *err);
/* Stops the thread (within about 200 ms) and closes its connection. */
VG_API void vg_store_changes_stop(vg_store_changes *c);

/* ---- the alert spool (spool.c) ----
 *
 * While the database cannot be reached, a node keeps its alerts in a local
 * file of its own: one record per alert, appended and fsynced before the
 * call returns, its crop sealed with the store's key as in the database.
 * Writing the spool to the store stores the records in order through
 * vg_store_alert_add, whose uid makes each write idempotent: a record
 * written just before a crash is not stored twice when written again. The
 * spool holds at most max records; when full, the oldest record is
 * dropped to keep the newest (counted in dropped). The file is locked: one
 * process per spool. A torn last record (a crash while appending) is cut
 * off when the spool is opened. */
typedef struct vg_store_spool vg_store_spool;

typedef struct vg_store_spool_stats {
    int pending;       /* records waiting for the database */
    int max;           /* the bound */
    int64_t spooled;   /* records appended since open */
    int64_t written;   /* records written to the store since open */
    int64_t dropped;   /* oldest records dropped because the spool was full */
    int64_t rejected;  /* records the store refused for good (e.g. the subject was removed) */
    int in_memory;     /* 1: no file (what is pending is lost if the process ends) */
} vg_store_spool_stats;

/* Opens (creating, mode 0600) the spool file at path, with s's key. Closing
 * an empty spool removes its files. path NULL or "": a spool in memory only
 * (the same bound and order; nothing survives the process). */
VG_API vg_status vg_store_spool_open(const vg_store *s, const char *path, int max,
                              vg_store_spool **out, vg_err *err);
VG_API void vg_store_spool_close(vg_store_spool *sp);
/* Appends an alert (as for vg_store_alert_add; a->uid required). *dropped
 * (may be NULL) is 1 when the oldest record made room for it. */
VG_API vg_status vg_store_spool_add(vg_store_spool *sp, const char *actor, const vg_alert *a,
                             const uint8_t *jpeg, size_t jpeg_len, int *dropped, vg_err *err);
/* Stores the records in order; stops at the first failure (the rest stay
 * spooled, err says why: VG_ERR_IO while the database is still away). A
 * record the store refuses for good (its subject removed meanwhile) leaves
 * the spool, counted in rejected. *written (may be NULL): how many records
 * left the spool. */
VG_API vg_status vg_store_spool_flush(vg_store_spool *sp, vg_store *s, int *written, vg_err *err);
VG_API void vg_store_spool_stats_get(const vg_store_spool *sp, vg_store_spool_stats *out);

#ifdef __cplusplus
}
#endif
#endif
