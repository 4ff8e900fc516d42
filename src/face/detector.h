/* detector.h — the interface every face detector backend implements, and the
 * table they are registered in. A backend turns an image into boxes with a
 * score and, if the model gives them, five landmarks; the pack (pack.c) adds
 * 68-point landmarks where the backend has none, and the quality score.
 */
#ifndef VG_FACE_DETECTOR_H
#define VG_FACE_DETECTOR_H

#include "infer/infer.h"
#include "vigil/face.h"

typedef struct vg_detector_params {
    float threshold;  /* score threshold (0: backend default) */
    int min_face;     /* smallest face height to find, in source pixels */
    int max_faces;
    int threads;
} vg_detector_params;

typedef struct vg_detector_backend {
    const char *name;
    /* true when the model gives the five points itself */
    int has_landmarks;
    /* path NULL: the backend's files in models_dir (the default pack) */
    vg_status (*open)(vg_infer_env *env, const char *models_dir, const char *path,
                      const vg_detector_params *p, void **state, vg_err *err);
    void (*close)(void *state);
    /* faces malloc'd, sorted by score, at most max_faces, NMS applied; a face
     * is one scoring above the configured threshold times threshold_scale
     * (1: as configured; lower: more sensitive). May be called from several
     * threads at once: a backend that keeps anything between calls (a pool
     * of buffers) guards it itself. */
    vg_status (*detect)(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                        vg_err *err);
    /* one line per model file: "detector <path>" (for `vigil version`) */
    const char *(*model_path)(const void *state, int index);
} vg_detector_backend;

/* The backend registered under name ("ultraface", "yunet"), or NULL. */
const vg_detector_backend *vg_detector_find(const char *name);
/* Names of all registered backends, comma-separated (for messages). */
const char *vg_detector_names(void);

/* Shared by backends: greedy non-maximum suppression of faces sorted by
 * descending score; keeps at most max_out; returns the count kept. */
int vg_detector_nms(vg_face *faces, int n, float iou, int max_out);
/* Intersection over union of two boxes (0 when they do not meet). */
float vg_detector_iou(const vg_face *a, const vg_face *b);
/* Sorts faces by descending score (stable on ties by position). */
void vg_detector_sort(vg_face *faces, int n);
/* Resizes img to rw x rh into a planar float tensor (C,H,W) of th x tw,
 * top-left aligned, padding with pad; value = (p - mean) * scale for pixel
 * value p (0..255); bgr puts the channels in B, G, R order. rw <= tw and
 * rh <= th. Writes 3 * th * tw floats. */
vg_status vg_detector_image_to_tensor(const vg_image *img, int rw, int rh, int tw, int th, float mean,
                                      float scale, float pad, int bgr, float *out, vg_err *err);

#endif
