/* frame.h — converting a decoded FFmpeg frame to a vg_image (internal to
 * vigil; usable by any module that decodes with FFmpeg). */
#ifndef VIGIL_IMAGE_FRAME_H
#define VIGIL_IMAGE_FRAME_H

#include "vigil/image.h"

struct AVFrame;
struct SwsContext;

/* A conversion to RGB24 kept from frame to frame: the swscale context of the
 * last picture's size, format, range and matrix, made again only when one
 * of them changes. Zero-initialise; one user at a time; vg_frame_scaler_fini
 * releases it. */
typedef struct vg_frame_scaler {
    struct SwsContext *sws;
    int width, height, format, full_range, colorspace;
} vg_frame_scaler;

/* Converts frame into dst, which must have the frame's width and height.
 * VG_ERR_UNSUPPORTED for a format swscale cannot read, VG_ERR_INVALID for an
 * empty frame or a dst of another size (dst is then left as it was). */
vg_status vg_frame_scaler_convert(vg_frame_scaler *sc, const struct AVFrame *frame, vg_image *dst, vg_err *err);
void vg_frame_scaler_fini(vg_frame_scaler *sc);

/* Converts any pixel format libswscale reads (YUV of any range and matrix,
 * grey, palette, alpha, 16-bit, ...) to a new RGB24 image of the same size.
 * Alpha is dropped. VG_ERR_UNSUPPORTED for a format swscale cannot read. */
vg_status vg_image_from_frame(const struct AVFrame *frame, vg_image **out, vg_err *err);

#endif
