/* quality.h — how good a face is for recognition, from its five points and
 * its aligned crop: size, sharpness, pose and exposure. */
#ifndef VG_FACE_QUALITY_H
#define VG_FACE_QUALITY_H

#include "vigil/face.h"

/* Fills f->quality from f->lm (source pixels) and the aligned 112x112 face. */
void vg_face_quality_measure(const vg_image *aligned, vg_face *f);

#endif
