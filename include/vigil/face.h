/* face.h — the face pipeline on one image: detect → 5 landmarks → align →
 * embed, with a quality score per face.
 *
 * A vg_face_pack holds the models (a detector backend, the landmark model,
 * the embedder) and their ONNX Runtime sessions. It is opened once and may
 * be used from several threads at once: every call takes its input as an
 * argument and returns its output, nothing is cached between calls.
 */
#ifndef VIGIL_FACE_H
#define VIGIL_FACE_H

#include "vigil/api.h"

#include "vigil/image.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vg_point {
    float x, y;
} vg_point;

/* The five points, in this order (ArcFace convention, subject's view mirrored:
 * image-left eye first). */
enum { VG_LM_EYE_L = 0, VG_LM_EYE_R, VG_LM_NOSE, VG_LM_MOUTH_L, VG_LM_MOUTH_R, VG_LM_COUNT };

typedef struct vg_face_quality {
    float score;       /* 0..1, combined: higher is a better shot for recognition */
    float eye_dist;    /* inter-eye distance in source pixels */
    float sharpness;   /* variance of Laplacian of the aligned face */
    float yaw;         /* estimated, -1 (left profile) .. 1 (right profile), 0 frontal */
    float pitch;       /* estimated, rough, 0 level */
    float brightness;  /* mean grey of the aligned face, 0..255 */
} vg_face_quality;

/* Is the box a face? (src/face/faceness.c; docs/pipeline.md, "Faceness") */
typedef struct vg_face_check {
    int measured;      /* 0: not checked (live frames check only what they embed) */
    int is_face;       /* passes both checks */
    float redetect;    /* detector score on the face warped upright with context, 0..1 */
    float drift;       /* 68-point landmark drift in eye distances (-1: no 68-point model) */
    int context_pass;  /* found by the context pass (the image shrunk into a canvas), not the first */
} vg_face_check;

typedef struct vg_face {
    float x1, y1, x2, y2;          /* box in source pixels */
    float score;                   /* detector confidence 0..1 */
    vg_point lm[VG_LM_COUNT];      /* five points in source pixels */
    vg_face_quality quality;
    vg_face_check check;
} vg_face;

/* Options for opening a pack; zero-initialise and set what you need. */
typedef struct vg_face_config {
    const char *models_dir;   /* a pack directory, with a manifest.json or of models vigil
                                 knows by SHA-256 (docs/packs.md); NULL: $VIGIL_MODELS,
                                 else <prefix>/share/vigil/models of an installed
                                 vigil, else the bootstrap's deps/models */
    const char *detector;     /* NULL or "default": the pack's detector (the default
                                 pack's: Ultra-Light RFB); otherwise overrides it:
                                 "yunet:PATH": a YuNet ONNX with dynamic input;
                                 "scrfd:PATH": an SCRFD ONNX with keypoints;
                                 "ultraface:PATH": another Ultra-Light RFB graph */
    int threads;              /* ONNX Runtime intra-op threads per session (0: 1) */
    float det_threshold;      /* 0: the backend's default */
    int min_face;             /* smallest face (box height, source pixels) looked for and
                                 reported; smaller detections are dropped (0: 40) */
    int max_faces;            /* 0: 64 */
    int landmarks_68;         /* 1: the pack's 68-point landmarker gives the five
                                 alignment points even when the detector has its
                                 own (YuNet, SCRFD); 0: the detector's own points */
    int landmark_fit;         /* how the 68-point landmarker is run for alignment: 0 once
                                 on the detector's box; VG_FACE_FIT_MIRROR also on the
                                 mirrored crop, the two fits averaged; VG_FACE_FIT_REFINE
                                 again on the box the first fit's points span; or both
                                 (docs/pipeline.md, section 3) */
    const char *provider;     /* NULL or "cpu": the models run on the CPU; "cuda": on
                                 ONNX Runtime's CUDA execution provider, refused
                                 (VG_ERR_UNSUPPORTED) where the library has none */
} vg_face_config;

#define VG_FACE_FIT_MIRROR 1
#define VG_FACE_FIT_REFINE 2
/* The names of the fits ("once", "mirror", "refine", "mirror+refine"), as
 * --landmark-fit and [engine] landmark_fit take them; parse gives -1 for
 * anything else, name "?" for bits outside VG_FACE_FIT_*. */
VG_API int vg_face_fit_parse(const char *name);
VG_API const char *vg_face_fit_name(int fit);

typedef struct vg_face_pack vg_face_pack;

VG_API vg_status vg_face_pack_open(const vg_face_config *cfg, vg_face_pack **out, vg_err *err);
VG_API void vg_face_pack_close(vg_face_pack *pack);

/* Embedding size (512 for the default pack). */
VG_API int vg_face_pack_dim(const vg_face_pack *pack);
/* Name of the detector backend in use ("ultraface", "yunet", "scrfd"). */
VG_API const char *vg_face_pack_detector(const vg_face_pack *pack);
/* Identity of the embedder: "<file name>:<sha256 hex>" — templates made with
 * another model cannot be compared. */
VG_API const char *vg_face_pack_model_id(const vg_face_pack *pack);

/* Name of the pack, for a deployment to record: its manifest's "name", or
 * "default" for a directory without a manifest (models known by SHA-256). */
VG_API const char *vg_face_pack_name(const vg_face_pack *pack);

/* One model of a pack directory, as its manifest or vigil's table of known
 * models describes it. Strings are borrowed from the listing; NULL when not
 * given. */
typedef struct vg_face_model {
    const char *role;           /* "detector", "landmarks", "embedder" */
    const char *family;         /* "ultraface", "yunet", "scrfd", "landmark68", "arcface" */
    const char *file, *path;
    const char *sha256;         /* what the manifest or the table says (NULL: unknown file) */
    const char *actual_sha256;  /* what the file hashes to (NULL: missing) */
    const char *licence;
    const char *origin;         /* "manifest", "known" (the table) or "option" (--detector) */
    const char *state;          /* "ok", "missing", "mismatch", "unknown" */
    const char *known_as;       /* the table's description of the file's hash, or NULL */
    int input_given;            /* width and height below are given; 0 x 0: dynamic */
    int width, height;
    const char *layout, *colour;  /* NULL: as the family fixes */
    const char *normalisation;  /* "raw", "mean-scale", or NULL */
    float mean[3], scale[3];
    int dim;                    /* embedder output size (0: not given) */
    int in_use;                 /* the open pack runs this model */
} vg_face_model;

/* A pack directory read without opening any model: its manifest.json, or
 * (without one) each *.onnx recognised by SHA-256. Every file is hashed.
 * models_dir NULL: $VIGIL_MODELS, else the bootstrap's. A malformed manifest
 * is an error naming the field; a missing, altered or unknown file is not:
 * its state says so. */
typedef struct vg_face_listing vg_face_listing;
VG_API vg_status vg_face_listing_open(const char *models_dir, vg_face_listing **out, vg_err *err);
VG_API void vg_face_listing_free(vg_face_listing *listing);
VG_API const char *vg_face_listing_dir(const vg_face_listing *listing);
VG_API const char *vg_face_listing_name(const vg_face_listing *listing);
VG_API int vg_face_listing_has_manifest(const vg_face_listing *listing);
VG_API int vg_face_listing_count(const vg_face_listing *listing);
/* Fills out with model i; returns 0 when i is out of range. */
VG_API int vg_face_listing_model(const vg_face_listing *listing, int i, vg_face_model *out);
/* The models of an open pack (those it runs have in_use set). */
VG_API const vg_face_listing *vg_face_pack_listing(const vg_face_pack *pack);

/* Describes each model of the pack: role, path and SHA-256, one line each,
 * into buf (for `vigil version`). */
VG_API void vg_face_pack_describe(const vg_face_pack *pack, char *buf, size_t len);

/* Finds faces, with their five points and quality, best score first, in a
 * still image: close-ups and faces that fill the image included (a second
 * pass gives the detector context). One face gives one box, and every box
 * passed the faceness check (check.is_face). *faces is malloc'd (free() it);
 * *n may be 0. */
VG_API vg_status vg_face_detect(const vg_face_pack *pack, const vg_image *img,
                         vg_face **faces, int *n, vg_err *err);

/* The same for a video frame: context non-zero adds the pass for faces that
 * fill the frame (vg_face_detect always does); the engine asks for it on
 * some frames only, since a face close to the camera stays for many. */
VG_API vg_status vg_face_detect_frame(const vg_face_pack *pack, const vg_image *img, int context,
                               vg_face **faces, int *n, vg_err *err);

/* The same as vg_face_detect_frame, in regions of the frame only: around
 * each of the n boxes (x1, y1, x2, y2 in frame pixels, boxes[4 * i]), a
 * square grown by margin times the box's longer side on every side. The
 * regions are scaled so each box is about a third of its tile and tiled
 * into as few small detector inputs as fit (six to an input), so one
 * inference serves several faces. Faces are reported in frame pixels with
 * landmarks and quality as vg_face_detect_frame reports them; a face found
 * by two overlapping regions is one face. For following known faces
 * between full-frame passes (the engine's detect-and-track schedule).
 * n = 0 gives no face and runs nothing. */
VG_API vg_status vg_face_detect_regions(const vg_face_pack *pack, const vg_image *img, const float *boxes, int n_boxes,
                                        float margin, vg_face **faces, int *n, vg_err *err);

/* Boxes and scores only (no landmarks, no quality) of every face at least
 * min_height pixels tall that scores above `sensitivity` (0 < s <= 1) times
 * the pack's detection threshold: lower finds more faces, and more false
 * ones. For hiding faces (the live view), where a face missed costs more
 * than a patch of wall blurred. *faces is malloc'd (free() it). */
VG_API vg_status vg_face_detect_boxes(const vg_face_pack *pack, const vg_image *img, float sensitivity, int min_height,
                               vg_face **faces, int *n, vg_err *err);

/* Runs the faceness check on one face (its five points set): fills
 * face->check. For the engine, which checks only the faces it embeds. */
VG_API vg_status vg_face_check_face(const vg_face_pack *pack, const vg_image *img, vg_face *face, vg_err *err);

/* Warps the face with these five points onto the 112x112 reference. */
VG_API vg_status vg_face_align(const vg_image *img, const vg_point lm[VG_LM_COUNT],
                        vg_image **aligned, vg_err *err);

/* The face for a person to look at: upright (the five points mapped onto
 * the alignment reference, scaled so that the reference's 112 pixels take
 * 5/8 of the width, centred, a little above the middle), width x height,
 * with the hair, ears and chin around it. Refused: a size outside 16..2048
 * or degenerate points. */
VG_API vg_status vg_face_portrait(const vg_image *img, const vg_point lm[VG_LM_COUNT], int width, int height,
                                  vg_image **out, vg_err *err);

/* Least-squares similarity transform taking src points onto dst points:
 * dst = [a -b; b a] src + [tx ty]; m is the 2x3 forward matrix. */
VG_API void vg_face_similarity(const vg_point *src, const vg_point *dst, int n, float m[6]);

/* The standard 112x112 ArcFace reference points. */
VG_API const vg_point *vg_face_reference_points(void);

/* Embeds an aligned 112x112 face into vg_face_pack_dim floats, L2-normalised. */
VG_API vg_status vg_face_embed(const vg_face_pack *pack, const vg_image *aligned,
                        float *out, vg_err *err);

/* Aligns and embeds one detected face of img. */
VG_API vg_status vg_face_embed_face(const vg_face_pack *pack, const vg_image *img, const vg_face *face,
                             float *out, vg_err *err);

/* Flip augmentation (embed_flip.c): the embedding of the aligned face plus
 * that of its horizontal mirror, summed and L2-normalised — two runs of the
 * embedder. Same output size and space as vg_face_embed. */
VG_API vg_status vg_face_embed_flip(const vg_face_pack *pack, const vg_image *aligned, float *out, vg_err *err);
/* Aligns one detected face of img and embeds it with its mirror. */
VG_API vg_status vg_face_embed_face_flip(const vg_face_pack *pack, const vg_image *img, const vg_face *face,
                                  float *out, vg_err *err);

/* Test-time alignment jitter (embed_jitter.c): the face aligned on the
 * first n (1..VG_FACE_JITTER_MAX) of these framings of the reference —
 * as it is; scaled 0.96 and 1.04 about its centre; shifted 2 px up and
 * down — each embedded (with its mirror too when flip), the embeddings
 * summed and L2-normalised: n (or 2n) runs of the embedder. n = 1 without
 * flip is vg_face_embed_face. */
#define VG_FACE_JITTER_MAX 5
VG_API vg_status vg_face_embed_face_jitter(const vg_face_pack *pack, const vg_image *img, const vg_face *face,
                                           int n, int flip, float *out, vg_err *err);

/* How the "main" face of an image is chosen. */
typedef enum vg_face_pick {
    VG_FACE_PICK_LARGEST = 0,  /* largest box */
    VG_FACE_PICK_CENTRAL       /* box centre nearest the image centre (labelled
                                  photo sets such as LFW centre their subject) */
} vg_face_pick;

/* Index of the main face among n (-1 when n == 0). */
VG_API int vg_face_pick_main(const vg_face *faces, int n, int width, int height, vg_face_pick pick);

/* Convenience: detect, pick the main face, align, embed. VG_ERR_NOT_FOUND
 * when no face is found. face may be NULL. */
VG_API vg_status vg_face_embed_main(const vg_face_pack *pack, const vg_image *img, vg_face_pick pick,
                             float *out, vg_face *face, vg_err *err);

/* The default decision threshold for `vigil compare` (cosine): the median of
 * the ten accuracy-maximising fold thresholds of `vigil eval verify` on LFW
 * View 2 with the default pack (README, "Accuracy"). Watch lists calibrate
 * their own, stricter thresholds. */
#define VG_FACE_VERIFY_THRESHOLD_DEFAULT 0.282f

#ifdef __cplusplus
}
#endif
#endif
