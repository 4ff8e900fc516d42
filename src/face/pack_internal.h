/* pack_internal.h — what the model pack holds, shared by the files of the
 * face layer that run it (pack.c opens and describes it, detect.c runs the
 * detection pipeline on an image, listing.c reads a pack directory). */
#ifndef VG_FACE_PACK_INTERNAL_H
#define VG_FACE_PACK_INTERNAL_H

#include "face/detector.h"
#include "face/embed.h"
#include "face/manifest.h"
#include "infer/infer.h"
#include "vigil/face.h"

#define PACK_PATH_MAX 1024

/* Whether a model file is what its pack says it is. */
typedef enum { VG_MODEL_OK = 0, VG_MODEL_MISSING, VG_MODEL_MISMATCH, VG_MODEL_UNKNOWN } vg_model_state;
/* Where a model's facts come from. */
typedef enum { VG_ORIGIN_KNOWN = 0, VG_ORIGIN_MANIFEST, VG_ORIGIN_OPTION } vg_model_origin;

typedef struct vg_pack_entry {
    vg_model_facts facts;           /* from the manifest, or the built-in table */
    char path[PACK_PATH_MAX];
    char actual_sha[65];            /* "" when the file is missing */
    vg_model_state state;
    vg_model_origin origin;
    const vg_model_facts *known;    /* the table's entry for actual_sha, or NULL */
    int in_use;
} vg_pack_entry;

struct vg_face_listing {
    char dir[PACK_PATH_MAX];
    char name[VG_PACK_NAME_MAX + 1];  /* manifest name, or "default" */
    int has_manifest;
    int n;
    vg_pack_entry entries[VG_PACK_MAX_MODELS + 1];  /* + 1: a --detector model */
};

/* SHA-256 of a file as lowercase hex; VG_ERR_IO when it cannot be read. */
vg_status vg_pack_sha256_file(const char *path, char hex[65], vg_err *err);

struct vg_face_pack {
    vg_infer_env *env;
    const vg_detector_backend *det;
    void *det_state;
    vg_infer_session *landmark;
    vg_infer_session *embedder;
    vg_embed_spec embed;
    int dim;
    int min_face;
    int max_faces;
    int landmark_fit;  /* VG_FACE_FIT_* */
    char landmark_path[PACK_PATH_MAX];
    char embedder_path[PACK_PATH_MAX];
    char embedder_sha[65];
    char model_id[PACK_PATH_MAX + 80];
    vg_face_listing *listing;
};

/* detect.c, for detect_regions.c: landmarks, alignment and quality of n
 * faces; and the merge of one face's several boxes (by IoU, then nested),
 * returning the count kept. */
vg_status vg_face_describe_frame(const vg_face_pack *pack, const vg_image *img, vg_face *faces, int n, vg_err *err);
int vg_face_merge_frame(const vg_face_pack *pack, vg_face *faces, int n);

#endif
