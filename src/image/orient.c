/* orient.c — turns a stored picture upright: the eight EXIF orientations as
 * a flip and/or transpose of 8-bit RGB, and the reading of libavutil's
 * display matrix (how FFmpeg's JPEG decoder reports the EXIF tag) as one of
 * them. */
#include "image/orient.h"
#include "image/image_internal.h"

#include <stddef.h>

/* Side of the square blocks a picture is turned in. */
#define TILE 64

static int sign(int32_t v) { return (v > 0) - (v < 0); }

int vg_image_orientation_from_matrix(const int32_t m[9])
{
    if (!m)
        return 0;
    int a = sign(m[0]), b = sign(m[1]), c = sign(m[3]), d = sign(m[4]);
    /* Any scale is allowed, but not a skew: |a| == |d| or |b| == |c|. */
    if (b == 0 && c == 0 && a != 0 && d != 0 && (int64_t)m[0] * m[0] == (int64_t)m[4] * m[4]) {
        if (a > 0)
            return d > 0 ? VG_ORIENT_UPRIGHT : VG_ORIENT_FLIP;
        return d > 0 ? VG_ORIENT_MIRROR : VG_ORIENT_ROT180;
    }
    if (a == 0 && d == 0 && b != 0 && c != 0 && (int64_t)m[1] * m[1] == (int64_t)m[3] * m[3]) {
        /* x' = c y, y' = b x: a transpose, then the signs mirror it. */
        if (b > 0)
            return c > 0 ? VG_ORIENT_TRANSPOSE : VG_ORIENT_ROT90_CW;
        return c > 0 ? VG_ORIENT_ROT90_CCW : VG_ORIENT_TRANSVERSE;
    }
    return 0;
}

vg_status vg_image_orient(const vg_image *src, int orientation, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_orient: out is NULL");
    *out = NULL;
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    if (orientation < VG_ORIENT_UPRIGHT || orientation > VG_ORIENT_ROT90_CCW)
        return vg_err_set(err, VG_ERR_INVALID,
                          "EXIF orientation %d is not one of 1..8", orientation);

    const int w = src->width, h = src->height;
    const int swap = orientation >= VG_ORIENT_TRANSPOSE;
    vg_image *dst;
    s = vg_image_new(swap ? h : w, swap ? w : h, &dst, err);
    if (s != VG_OK)
        return s;

    /* The source pixel of output pixel (0, 0), and the source steps (bytes)
     * for one output pixel right and one output row down. */
    const ptrdiff_t px = 3, row = src->stride;
    const ptrdiff_t right = (ptrdiff_t)(w - 1) * px, bottom = (ptrdiff_t)(h - 1) * row;
    ptrdiff_t start, step_x, step_y;
    switch (orientation) {
    case VG_ORIENT_UPRIGHT: start = 0; step_x = px; step_y = row; break;
    case VG_ORIENT_MIRROR: start = right; step_x = -px; step_y = row; break;
    case VG_ORIENT_ROT180: start = right + bottom; step_x = -px; step_y = -row; break;
    case VG_ORIENT_FLIP: start = bottom; step_x = px; step_y = -row; break;
    case VG_ORIENT_TRANSPOSE: start = 0; step_x = row; step_y = px; break;
    case VG_ORIENT_ROT90_CW: start = bottom; step_x = -row; step_y = px; break;
    case VG_ORIENT_TRANSVERSE: start = right + bottom; step_x = -row; step_y = -px; break;
    default: /* VG_ORIENT_ROT90_CCW */ start = right; step_x = row; step_y = -px; break;
    }

    /* Offsets, not pointers: stepping a pointer past either end of the
     * buffer would be undefined even if never dereferenced. A quarter turn
     * reads the source down its columns; going through the output in
     * TILE x TILE blocks keeps the rows being read in cache (on a 12 MP
     * photo: 1.5 times the cost of a copy untiled, about the same tiled;
     * README, "Benchmark"). */
    for (int ty = 0; ty < dst->height; ty += TILE) {
        int y_end = ty + TILE < dst->height ? ty + TILE : dst->height;
        for (int tx = 0; tx < dst->width; tx += TILE) {
            int x_end = tx + TILE < dst->width ? tx + TILE : dst->width;
            for (int y = ty; y < y_end; y++) {
                ptrdiff_t o = start + (ptrdiff_t)y * step_y + (ptrdiff_t)tx * step_x;
                uint8_t *q = dst->data + (size_t)y * dst->stride + 3 * (size_t)tx;
                for (int x = tx; x < x_end; x++, o += step_x, q += 3) {
                    const uint8_t *p = src->data + o;
                    q[0] = p[0];
                    q[1] = p[1];
                    q[2] = p[2];
                }
            }
        }
    }
    *out = dst;
    return VG_OK;
}
