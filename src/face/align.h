/* align.h — the similarity warp behind alignment, for the face layer's other
 * framings of a face (the faceness check's canvas with context). */
#ifndef VG_FACE_ALIGN_H
#define VG_FACE_ALIGN_H

#include "vigil/face.h"

/* Warps img so that its five points lm fall on dst (least-squares
 * similarity), into a width x height image; outside the source is black. */
vg_status vg_face_warp_to(const vg_image *img, const vg_point lm[VG_LM_COUNT], const vg_point dst[VG_LM_COUNT],
                          int width, int height, vg_image **out, vg_err *err);

/* The five reference points of jitter framing k (0..VG_FACE_JITTER_MAX-1;
 * 0 is the reference itself): see vg_face_embed_face_jitter. */
void vg_face_jitter_reference(int k, vg_point dst[VG_LM_COUNT]);

#endif
