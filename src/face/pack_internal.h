/* pack_internal.h — what the model pack holds, shared by the files of the
 * face layer that run it (pack.c opens and describes it, detect.c runs the
 * detection pipeline on an image). */
#ifndef VG_FACE_PACK_INTERNAL_H
#define VG_FACE_PACK_INTERNAL_H

#include "face/detector.h"
#include "infer/infer.h"
#include "vigil/face.h"

#define PACK_PATH_MAX 1024

struct vg_face_pack {
    vg_infer_env *env;
    const vg_detector_backend *det;
    void *det_state;
    vg_infer_session *landmark;
    vg_infer_session *embedder;
    int dim;
    int min_face;
    int max_faces;
    char landmark_path[PACK_PATH_MAX];
    char embedder_path[PACK_PATH_MAX];
    char embedder_sha[65];
    char model_id[PACK_PATH_MAX + 80];
};

#endif
