/* manifest.h — what a model pack says about each of its models: role, file,
 * SHA-256, licence, and the facts needed to run it (input size, layout,
 * colour order, normalisation, detector family, embedding size). The facts
 * come from a pack's manifest.json (manifest.c) or, for public models vigil
 * recognises by their SHA-256, from the built-in table (known_models.c). */
#ifndef VG_FACE_MANIFEST_H
#define VG_FACE_MANIFEST_H

#include <stddef.h>

#include "vigil/status.h"

#define VG_PACK_MAX_MODELS 16
#define VG_PACK_NAME_MAX 64
#define VG_MANIFEST_MAX_BYTES 65536
#define VG_MANIFEST_FILE "manifest.json"

typedef enum { VG_ROLE_NONE = 0, VG_ROLE_DETECTOR, VG_ROLE_LANDMARKS, VG_ROLE_EMBEDDER } vg_model_role;
typedef enum { VG_LAYOUT_UNSET = 0, VG_LAYOUT_NCHW, VG_LAYOUT_NHWC } vg_model_layout;
typedef enum { VG_COLOUR_UNSET = 0, VG_COLOUR_RGB, VG_COLOUR_BGR, VG_COLOUR_GREY } vg_model_colour;
typedef enum { VG_NORM_UNSET = 0, VG_NORM_RAW, VG_NORM_MEAN_SCALE } vg_model_norm;

typedef struct vg_model_facts {
    vg_model_role role;
    char family[16];      /* detector: ultraface | yunet | scrfd; landmarks: landmark68;
                             embedder: arcface */
    char file[256];       /* a plain file name inside the pack directory */
    char sha256[65];      /* lowercase hex */
    char licence[128];
    char about[160];      /* what it is and where it comes from (built-in table) */
    int input_set;        /* 1: width and height below were given */
    int width, height;    /* 0 x 0: dynamic */
    vg_model_layout layout;
    vg_model_colour colour;
    vg_model_norm norm;
    float mean[3], scale[3];  /* value = (p - mean[c]) * scale[c], c in the model's channel order */
    int dim;              /* embedder output size; 0: not given */
} vg_model_facts;

typedef struct vg_pack_manifest {
    char name[VG_PACK_NAME_MAX + 1];
    int n;
    vg_model_facts models[VG_PACK_MAX_MODELS];
} vg_pack_manifest;

/* Parses a manifest.json held in text (len bytes, need not be NUL-ended).
 * On failure out is zeroed and err names the field ("models[1].sha256: ...").
 * VG_ERR_INVALID for any malformed manifest, VG_ERR_UNSUPPORTED for a role or
 * family vigil does not know, VG_ERR_LIMIT for one over the size limit. */
vg_status vg_manifest_parse(const char *text, size_t len, vg_pack_manifest *out, vg_err *err);

const char *vg_model_role_name(vg_model_role role);
const char *vg_model_layout_name(vg_model_layout layout);
const char *vg_model_colour_name(vg_model_colour colour);

/* True when a detector family has a backend in this build. */
int vg_model_family_runs(const char *family);

#endif
