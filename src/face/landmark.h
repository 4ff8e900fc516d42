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

/* Eyes = mean of lids (37,38,40,41 / 43,44,46,47), nose = 30, mouth corners =
 * mean(48,60) and mean(54,64); 0-based iBUG indices. */
void vg_landmark_68_to_5(const vg_point p[68], vg_point lm[VG_LM_COUNT]);

#endif
