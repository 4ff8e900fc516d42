/* orient.h — the eight EXIF orientations (TIFF tag 0x0112) applied to an
 * 8-bit RGB image, and FFmpeg's display matrix read as one of them
 * (internal to vigil; decode.c uses it so that every decoded still is
 * upright). */
#ifndef VIGIL_IMAGE_ORIENT_H
#define VIGIL_IMAGE_ORIENT_H

#include <stdint.h>

#include "vigil/image.h"

/* EXIF orientation values, named by what the stored picture needs to be
 * shown upright (the EXIF specification names them by where its first row
 * and column belong). */
enum {
    VG_ORIENT_UPRIGHT = 1,    /* row 0 top,    column 0 left */
    VG_ORIENT_MIRROR = 2,     /* row 0 top,    column 0 right: mirror left-right */
    VG_ORIENT_ROT180 = 3,     /* row 0 bottom, column 0 right */
    VG_ORIENT_FLIP = 4,       /* row 0 bottom, column 0 left: mirror top-bottom */
    VG_ORIENT_TRANSPOSE = 5,  /* row 0 left,   column 0 top */
    VG_ORIENT_ROT90_CW = 6,   /* row 0 right,  column 0 top: turn 90° clockwise */
    VG_ORIENT_TRANSVERSE = 7, /* row 0 right,  column 0 bottom */
    VG_ORIENT_ROT90_CCW = 8,  /* row 0 left,   column 0 bottom: turn 90° anticlockwise */
};

/* The EXIF orientation (1..8) that a 3x3 display matrix of libavutil
 * (display.h: x' = m[0] x + m[3] y + m[6], y' = m[1] x + m[4] y + m[7], in
 * 16.16 fixed point) describes, or 0 when the matrix is not a right-angle
 * rotation with or without a mirror (a 30° turn, a degenerate matrix): such
 * a picture is left as stored. */
int vg_image_orientation_from_matrix(const int32_t m[9]);

/* A new image: src shown upright according to EXIF orientation `orientation`
 * (1..8; 5..8 swap width and height). Any other value is VG_ERR_INVALID. */
vg_status vg_image_orient(const vg_image *src, int orientation, vg_image **out, vg_err *err);

#endif
