/* frame.h — converting a decoded FFmpeg frame to a vg_image (internal to
 * vigil; usable by any module that decodes with FFmpeg). */
#ifndef VIGIL_IMAGE_FRAME_H
#define VIGIL_IMAGE_FRAME_H

#include "vigil/image.h"

struct AVFrame;

/* Converts any pixel format libswscale reads (YUV of any range and matrix,
 * grey, palette, alpha, 16-bit, ...) to a new RGB24 image of the same size.
 * Alpha is dropped. VG_ERR_UNSUPPORTED for a format swscale cannot read. */
vg_status vg_image_from_frame(const struct AVFrame *frame, vg_image **out, vg_err *err);

#endif
