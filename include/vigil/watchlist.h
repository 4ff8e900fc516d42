/* watchlist.h — working with watch lists: the enrolment quality gate,
 * enrolling a subject from photos, and 1:N identification against a watch
 * list held in memory.
 *
 * These join the face pipeline (face.h), the gallery (match.h) and the
 * store (store.h); each call takes what it works on as arguments.
 */
#ifndef VIGIL_WATCHLIST_H
#define VIGIL_WATCHLIST_H

#include "vigil/face.h"
#include "vigil/match.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the enrolment quality gate ---- */

typedef struct vg_gate_limits {
    float min_eye_dist;    /* pixels between the eyes in the photo */
    float min_sharpness;   /* variance of Laplacian of the aligned face */
    float max_yaw;         /* |yaw| as measured by vg_face_quality */
    float max_pitch;       /* |pitch| */
    float min_brightness;  /* mean grey of the aligned face */
    float max_brightness;
} vg_gate_limits;

/* Defaults, set from the distribution over 1 000 LFW photos (docs/watchlists.md):
 * eyes >= 24 px, sharpness >= 15, |yaw| <= 0.7, |pitch| <= 0.6, grey 40..220. */
void vg_gate_defaults(vg_gate_limits *g);

/* Finds the face to enrol in img: exactly one face, or face_index (0-based,
 * in vg_face_detect's order) when >= 0; then checks it against the limits.
 * On refusal returns VG_ERR_INVALID with the reason and the measured value
 * ("2 faces found: choose one with --face 0..1", "eyes 11 px apart, the
 * minimum is 24", "too blurred: sharpness 6.1, the minimum is 15", ...). */
vg_status vg_gate_check(const vg_face_pack *pack, const vg_image *img, int face_index,
                        const vg_gate_limits *limits, vg_face *face, vg_err *err);

#define VG_GATE_REASONS_MAX 8

/* Every reason a photo was refused, each with its measured value. */
typedef struct vg_gate_reasons {
    int n;
    char reason[VG_GATE_REASONS_MAX][200];
} vg_gate_reasons;

/* vg_gate_check, listing every limit the face misses in *reasons (NULL: not
 * wanted), not only the first; err holds the first. A detector failure is
 * not a refusal: it returns its status with no reason listed. */
vg_status vg_gate_assess(const vg_face_pack *pack, const vg_image *img, int face_index,
                         const vg_gate_limits *limits, vg_face *face, vg_gate_reasons *reasons,
                         vg_err *err);

/* ---- enrolment ---- */

typedef struct vg_enrol_options {
    int face_index;          /* -1: the photo must hold exactly one face */
    vg_gate_limits gate;
    int allow_duplicate;     /* enrol even when the face matches another subject */
    float duplicate_threshold;
    long long max_pixels;    /* for decoding photos (0: default) */
} vg_enrol_options;

void vg_enrol_defaults(vg_enrol_options *o);

/* Enrols a subject on the watch list subject->watchlist_id from n photo
 * files: each passes the gate, is embedded and re-encoded as JPEG (metadata
 * dropped, at most 1024 pixels on its longer side), then the subject and all
 * its templates are added in one transaction. A face that matches another
 * subject of the same list at duplicate_threshold or above is refused
 * (unless allow_duplicate) naming that subject and the score. Any photo
 * refused refuses the whole enrolment; err names the photo. */
vg_status vg_enrol(const vg_face_pack *pack, vg_store *store, const char *actor,
                   const vg_subject *subject, const char *const *photos, int n,
                   const vg_enrol_options *opt, int64_t *subject_id, vg_err *err);

/* A photo given as bytes (an upload): JPEG, PNG or anything FFmpeg reads. */
typedef struct vg_enrol_photo {
    const uint8_t *data;
    size_t len;
    const char *label;       /* names it in messages ("photo", a file name) */
} vg_enrol_photo;

/* Why vg_enrol_mem refused (what its caller tells the user). */
typedef enum vg_enrol_stage {
    VG_ENROL_OK = 0,
    VG_ENROL_DECODE,         /* not an image FFmpeg can decode, or one over max_pixels */
    VG_ENROL_GATE,           /* the quality gate refused: reasons listed */
    VG_ENROL_DUPLICATE,      /* the face matches another subject of the list */
    VG_ENROL_OTHER           /* anything else (the store, the models): see err */
} vg_enrol_stage;

typedef struct vg_enrol_refusal {
    vg_enrol_stage stage;
    int photo;               /* index of the photo refused */
    vg_gate_reasons reasons; /* for GATE (and DUPLICATE: one reason) */
} vg_enrol_refusal;

/* vg_enrol from photos in memory (uploads): the same gate, embedding,
 * re-encoding, duplicate check and single transaction; nothing is stored
 * unless every photo passes. *why (may be NULL) says which step refused. */
vg_status vg_enrol_mem(const vg_face_pack *pack, vg_store *store, const char *actor,
                       const vg_subject *subject, const vg_enrol_photo *photos, int n,
                       const vg_enrol_options *opt, int64_t *subject_id, vg_enrol_refusal *why,
                       vg_err *err);

/* The same in two steps, so that a server holds its store only for the
 * second: vg_enrol_prepare runs the gate, the embedding and the re-encoding
 * (no store); vg_enrol_commit checks for duplicates on the list and stores
 * the subject with its templates in one transaction. The prepared photos
 * (templates included, zeroed when freed) are freed with
 * vg_enrol_prepared_free. */
typedef struct vg_enrol_prepared vg_enrol_prepared;
vg_status vg_enrol_prepare(const vg_face_pack *pack, const vg_enrol_photo *photos, int n, const vg_enrol_options *opt,
                           vg_enrol_prepared **out, vg_enrol_refusal *why, vg_err *err);
vg_status vg_enrol_commit(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                          const vg_enrol_prepared *prepared, const vg_enrol_options *opt, int64_t *subject_id,
                          vg_enrol_refusal *why, vg_err *err);
void vg_enrol_prepared_free(vg_enrol_prepared *prepared);

/* ---- re-embedding a watch list when the pack changes ---- */

/* Re-makes every template of the watch list `name` with this pack, from
 * the enrolment photos stored sealed with its subjects
 * (vg_store_watchlist_reembed: one transaction, one audit entry). Each
 * photo must still yield one face under the pack's detector: boxes nested
 * on one face count as one, and a face 1.5 times larger than every other
 * is taken (reembed.c); the quality limits are not applied again (a person
 * accepted the photo at enrolment, and the embedder does not change the
 * photo). A photo that yields no face, or several of like size, or any
 * other error rolls everything back,
 * with r->failed_subject/failed_photo and err naming them. Deterministic:
 * a second run with the same pack writes no template (templates_added 0).
 * Note that the first run with the enrolling pack does change templates:
 * the stored photo is the re-encoded JPEG, not the original file. */
vg_status vg_watchlist_reembed(const vg_face_pack *pack, vg_store *store, const char *actor, const char *name,
                               vg_reembed_result *r, vg_err *err);

/* ---- a watch list in memory, and identification ---- */

typedef struct vg_watch_gallery vg_watch_gallery;

/* Loads the watch list's current templates (audited as a read with this
 * purpose) into a gallery. */
vg_status vg_watch_gallery_load(vg_store *store, const char *actor, const char *purpose,
                                int64_t watchlist_id, const char *model_id, int64_t now,
                                vg_watch_gallery **out, vg_err *err);
void vg_watch_gallery_free(vg_watch_gallery *g);
int vg_watch_gallery_subjects(const vg_watch_gallery *g);
int vg_watch_gallery_templates(const vg_watch_gallery *g);
/* The watch list's version as loaded: SHA-256 (hex) over every template's
 * id, subject and vector, in the store's order. Two loads of an unchanged
 * list give the same version; any enrolment, removal or purge changes it. */
const char *vg_watch_gallery_version(const vg_watch_gallery *g);

typedef struct vg_candidate {
    int64_t subject_id;
    float score;   /* best cosine over the subject's templates */
} vg_candidate;

/* The k best subjects for a probe template, best first (a subject appears
 * once, with its best template's score). Returns how many were written.
 * Safe from several threads at once. */
int vg_watch_gallery_search(const vg_watch_gallery *g, const float *probe, int k,
                            vg_candidate *out);

/* The default watch-list threshold (cosine): on LFW's open-set protocol with
 * the default pack, the score that at most 1 in 6 000 searches of people not
 * on the list exceed (FPIR 1/6000, the false-alert rate measured for the
 * Metropolitan Police's system), for lists of 100 and of 1 000 people
 * (label errors removed): 0.5378 in both (`vigil eval search`, README). */
#define VG_WATCHLIST_THRESHOLD_DEFAULT 0.54f

#ifdef __cplusplus
}
#endif
#endif
