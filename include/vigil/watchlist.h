/* watchlist.h — working with watch lists: the enrolment quality gate,
 * enrolling a subject from photos, and 1:N identification against a watch
 * list held in memory.
 *
 * These join the face pipeline (face.h), the gallery (match.h) and the
 * store (store.h); each call takes what it works on as arguments.
 */
#ifndef VIGIL_WATCHLIST_H
#define VIGIL_WATCHLIST_H

#include "vigil/api.h"

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
    float min_det_score;   /* the detector's confidence: is it a face at all (never overridden) */
    /* One face dominates a photo of several when its box is at least
     * dominant_area times the next largest and its centre lies within
     * dominant_centre (a fraction of the image's width and height) of the
     * image's centre: it is proposed instead of refusing the photo. 0: off. */
    float dominant_area;
    float dominant_centre;
} vg_gate_limits;

/* Defaults, set from the distribution over 1 000 LFW photos (docs/watchlists.md):
 * eyes >= 24 px, sharpness >= 15, |yaw| <= 0.7, |pitch| <= 0.6, grey 40..220. */
VG_API void vg_gate_defaults(vg_gate_limits *g);

/* Finds the face to enrol in img: exactly one face, or face_index (0-based,
 * in vg_face_detect's order) when >= 0; then checks it against the limits.
 * On refusal returns VG_ERR_INVALID with the reason and the measured value
 * ("2 faces found: choose one with --face 0..1", "eyes 11 px apart, the
 * minimum is 24", "too blurred: sharpness 6.1, the minimum is 15", ...). */
VG_API vg_status vg_gate_check(const vg_face_pack *pack, const vg_image *img, int face_index,
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
VG_API vg_status vg_gate_assess(const vg_face_pack *pack, const vg_image *img, int face_index,
                         const vg_gate_limits *limits, vg_face *face, vg_gate_reasons *reasons,
                         vg_err *err);

/* One measure of the gate against its limit. */
typedef enum vg_gate_factor_id {
    VG_GATE_EYE_DIST = 0,    /* pixels between the eyes: >= min_eye_dist */
    VG_GATE_YAW,             /* |yaw| <= max_yaw */
    VG_GATE_PITCH,           /* |pitch| <= max_pitch */
    VG_GATE_SHARPNESS,       /* >= min_sharpness */
    VG_GATE_BRIGHTNESS,      /* min_brightness..max_brightness */
    VG_GATE_DET_SCORE,       /* >= min_det_score */
    VG_GATE_FACTORS
} vg_gate_factor_id;

typedef struct vg_gate_factor {
    const char *name;        /* "eye_distance", "yaw", "pitch", "sharpness", "brightness", "detector_score" */
    float value;             /* as measured (yaw and pitch signed) */
    float min, max;          /* the limits; NAN where there is none */
    int pass;
} vg_gate_factor;

/* What the gate found in a photo, whether or not it passed. */
typedef struct vg_gate_result {
    int faces;               /* faces the detector found */
    int chosen;              /* index of the face examined; -1: none (no face, or several
                                and none chosen nor dominant) */
    int dominant;            /* 1: several faces, the chosen one proposed as dominant */
    int ignored;             /* faces found and not enrolled */
    vg_face face;            /* the chosen face (valid when chosen >= 0) */
    vg_gate_factor factor[VG_GATE_FACTORS]; /* valid when chosen >= 0 */
    int quality_ok;          /* every factor but the detector score passes */
    int is_face;             /* a face was chosen and its detector score passes: only such a
                                photo may be accepted below the quality limits */
} vg_gate_result;

/* vg_gate_assess, telling everything it found: the faces, the one chosen
 * (face_index, the only one, or the dominant one), every factor with its
 * limits. Returns as vg_gate_assess does; *res is filled in both cases (a
 * refusal for quality leaves chosen >= 0 and quality_ok 0). */
VG_API vg_status vg_gate_examine(const vg_face_pack *pack, const vg_image *img, int face_index,
                          const vg_gate_limits *limits, vg_gate_result *res, vg_gate_reasons *reasons,
                          vg_err *err);

/* ---- enrolment ---- */

typedef struct vg_enrol_options {
    int face_index;          /* -1: the photo must hold exactly one face */
    vg_gate_limits gate;
    int allow_duplicate;     /* enrol even when the face matches another subject */
    float duplicate_threshold;
    long long max_pixels;    /* for decoding photos (0: default) */
    int want_crops;          /* the report carries each found face as a JPEG (the aligned crop) */
    /* Both set (one line each): a photo whose face is found and is a face
     * (detector score) but misses quality limits is enrolled anyway, its
     * template marked low-quality and the supervisor and justification
     * written into the subject.add audit entry. Never for a photo with no
     * face, several faces and none chosen, or a face below min_det_score. */
    const char *low_quality_supervisor;
    const char *low_quality_justification;
} vg_enrol_options;

VG_API void vg_enrol_defaults(vg_enrol_options *o);

/* Enrols a subject on the watch list subject->watchlist_id from n photo
 * files: each passes the gate, is embedded and re-encoded as JPEG (metadata
 * dropped, at most 1024 pixels on its longer side), then the subject and all
 * its templates are added in one transaction. A face that matches another
 * subject of the same list at duplicate_threshold or above is refused
 * (unless allow_duplicate) naming that subject and the score. A photo the
 * gate refuses is left out (vg_enrol_files reports it); with none left the
 * enrolment is refused and err names the photo. */
VG_API vg_status vg_enrol(const vg_face_pack *pack, vg_store *store, const char *actor,
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

/* What happened to each photo of an enrolment: kept or refused and why,
 * what the gate found (faces, the one chosen, every factor with its
 * limits) and, when asked for, the chosen face as JPEG. A refused photo's
 * crop lives only here, for the caller to show the person enrolling; the
 * store never sees it. */
typedef struct vg_enrol_photo_report {
    char label[256];
    vg_enrol_stage stage;    /* VG_ENROL_OK: kept; DECODE or GATE: refused */
    vg_status status;        /* for DECODE: VG_ERR_INVALID (not an image) or VG_ERR_LIMIT */
    int kept;
    int low_quality;         /* kept below the quality limits on a supervisor's word */
    vg_gate_result gate;
    vg_gate_reasons reasons; /* why refused, or (low_quality) which limits it misses */
    uint8_t *crop;           /* JPEG of the aligned face (want_crops and a face chosen) */
    size_t crop_len;
} vg_enrol_photo_report;

typedef struct vg_enrol_report {
    int n;                   /* photos given */
    int kept;                /* photos enrolled (or to be, after vg_enrol_prepare_report) */
    int low_quality;         /* of them, below the limits on a supervisor's word */
    vg_enrol_photo_report *photo;
} vg_enrol_report;

VG_API void vg_enrol_report_free(vg_enrol_report *report);

/* The report as a JSON array (jansson; one object per photo: "photo",
 * "kept", "low_quality", "stage", "faces", "dominant", "ignored",
 * "reasons", and with a face chosen "face", "box" [x1, y1, x2, y2] and
 * "factors" [{"name", "value", "limit", "min"/"max", "pass"}], and with
 * with_crops "crop_jpeg" in base64). New reference, NULL when out of memory. */
struct json_t;
VG_API struct json_t *vg_enrol_report_json(const vg_enrol_report *report, int with_crops);

/* vg_enrol, keeping the photos that pass and reporting every photo in
 * *report (malloc'd, vg_enrol_report_free; NULL argument: not wanted; set
 * also when the enrolment is refused). A photo that cannot be decoded or
 * that the gate refuses is left out and reported; with no photo left the
 * subject is refused and nothing is written. Other errors (a missing file,
 * the models, the store) refuse the whole enrolment. */
VG_API vg_status vg_enrol_files(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                         const char *const *photos, int n, const vg_enrol_options *opt, int64_t *subject_id,
                         vg_enrol_report **report, vg_err *err);

/* vg_enrol from photos in memory (uploads): the same gate, embedding,
 * re-encoding, duplicate check and single transaction; the photos that
 * pass are stored, and nothing unless one does. *why (may be NULL) says
 * which step refused. */
VG_API vg_status vg_enrol_mem(const vg_face_pack *pack, vg_store *store, const char *actor,
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
VG_API vg_status vg_enrol_prepare(const vg_face_pack *pack, const vg_enrol_photo *photos, int n, const vg_enrol_options *opt,
                           vg_enrol_prepared **out, vg_enrol_refusal *why, vg_err *err);
VG_API vg_status vg_enrol_commit(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                          const vg_enrol_prepared *prepared, const vg_enrol_options *opt, int64_t *subject_id,
                          vg_enrol_refusal *why, vg_err *err);
VG_API void vg_enrol_prepared_free(vg_enrol_prepared *prepared);
/* vg_enrol_prepare with the per-photo report (see vg_enrol_files). */
VG_API vg_status vg_enrol_prepare_report(const vg_face_pack *pack, const vg_enrol_photo *photos, int n,
                                  const vg_enrol_options *opt, vg_enrol_prepared **out, vg_enrol_report **report,
                                  vg_enrol_refusal *why, vg_err *err);

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
VG_API vg_status vg_watchlist_reembed(const vg_face_pack *pack, vg_store *store, const char *actor, const char *name,
                               vg_reembed_result *r, vg_err *err);

/* ---- a watch list in memory, and identification ---- */

typedef struct vg_watch_gallery vg_watch_gallery;

/* Loads the watch list's current templates (audited as a read with this
 * purpose) into a gallery. */
VG_API vg_status vg_watch_gallery_load(vg_store *store, const char *actor, const char *purpose,
                                int64_t watchlist_id, const char *model_id, int64_t now,
                                vg_watch_gallery **out, vg_err *err);
VG_API void vg_watch_gallery_free(vg_watch_gallery *g);
VG_API int vg_watch_gallery_subjects(const vg_watch_gallery *g);
/* Subjects of the list left out because they are quarantined. */
VG_API int vg_watch_gallery_quarantined(const vg_watch_gallery *g);
VG_API int vg_watch_gallery_templates(const vg_watch_gallery *g);
/* The watch list's version as loaded: SHA-256 (hex) over every template's
 * id, subject and vector, in the store's order. Two loads of an unchanged
 * list give the same version; any enrolment, removal or purge changes it. */
VG_API const char *vg_watch_gallery_version(const vg_watch_gallery *g);

typedef struct vg_candidate {
    int64_t subject_id;
    float score;          /* best cosine over the subject's templates */
    int64_t template_id;  /* the template that gave it */
} vg_candidate;

/* The k best subjects for a probe template, best first (a subject appears
 * once, with its best template's score). Returns how many were written.
 * Safe from several threads at once. */
VG_API int vg_watch_gallery_search(const vg_watch_gallery *g, const float *probe, int k,
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
