/* landmark.h — the 68-point landmark model of the default pack, and the
 * reduction of 68 points to the five that alignment uses. */
#ifndef VG_FACE_LANDMARK_H
#define VG_FACE_LANDMARK_H

#include "infer/infer.h"
#include "vigil/face.h"

#define VG_LANDMARK_INPUT 64

/* Runs the model on the face in box; writes 68 points in source pixels. */
vg_status vg_landmark_68(const vg_infer_session *s, const vg_image *img, const vg_face *box,
                         vg_point out[68], vg_err *err);

/* The fit describe() uses: VG_FACE_FIT_MIRROR also fits the mirrored crop
 * and averages the two; VG_FACE_FIT_REFINE fits again on the box the first
 * fit's points span (vg_landmark_box_of). 0 is vg_landmark_68. */
vg_status vg_landmark_fit(const vg_infer_session *s, const vg_image *img, const vg_face *box, int fit,
                          vg_point out[68], vg_err *err);

/* The square box a detector would give for these 68 points: their span
 * grown by a tenth, raised by a tenth of its height (the points run from
 * the brows to the chin). Only the box's coordinates are written. */
void vg_landmark_box_of(const vg_point p[68], vg_face *box);

/* Eyes = mean of lids (37,38,40,41 / 43,44,46,47), nose = 30, mouth corners =
 * mean(48,60) and mean(54,64); 0-based iBUG indices. */
void vg_landmark_68_to_5(const vg_point p[68], vg_point lm[VG_LM_COUNT]);

#endif
