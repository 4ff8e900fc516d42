/* warp.c — affine warp with bilinear sampling (FFmpeg has no affine warp).
 *
 * Conventions: pixel (i, j) of an image sits at integer coordinates (i, j).
 * Destination pixel (x, y) samples the source at
 *   (m[0]*x + m[1]*y + m[2], m[3]*x + m[4]*y + m[5]),
 * blending the four surrounding source pixels; neighbours outside the source
 * count as black, so the image edge fades over one pixel instead of being
 * clamped or smeared. An identity or integer-translation matrix copies pixels
 * exactly.
 */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <math.h>

vg_status vg_image_warp_affine(const vg_image *src, const float m[6], int width, int height,
                               vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_warp_affine: out is NULL");
    *out = NULL;
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    if (!m)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_warp_affine: matrix is NULL");
    for (int i = 0; i < 6; i++)
        if (!isfinite(m[i]))
            return vg_err_set(err, VG_ERR_INVALID, "warp matrix element %d is not finite", i);
    vg_image *dst;
    s = vg_image_new(width, height, &dst, err);
    if (s != VG_OK)
        return s;

    const double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    const int sw = src->width, sh = src->height;
    for (int y = 0; y < height; y++) {
        uint8_t *row = dst->data + (size_t)y * dst->stride;
        for (int x = 0; x < width; x++) {
            double sx = a * x + b * y + c, sy = d * x + e * y + f;
            if (!(sx > -1.0 && sx < sw && sy > -1.0 && sy < sh))
                continue; /* no source pixel within reach: black */
            double fx0 = floor(sx), fy0 = floor(sy);
            int x0 = (int)fx0, y0 = (int)fy0;
            double fx = sx - fx0, fy = sy - fy0;
            double wgt[4] = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
            int px[4] = {x0, x0 + 1, x0, x0 + 1}, py[4] = {y0, y0, y0 + 1, y0 + 1};
            double acc[3] = {0, 0, 0};
            for (int k = 0; k < 4; k++) {
                if (wgt[k] == 0.0 || px[k] < 0 || px[k] >= sw || py[k] < 0 || py[k] >= sh)
                    continue;
                const uint8_t *p = src->data + (size_t)py[k] * src->stride + (size_t)px[k] * 3;
                acc[0] += wgt[k] * p[0];
                acc[1] += wgt[k] * p[1];
                acc[2] += wgt[k] * p[2];
            }
            for (int ch = 0; ch < 3; ch++) {
                double v = acc[ch] + 0.5;
                row[3 * x + ch] = v >= 255.0 ? 255 : (uint8_t)v;
            }
        }
    }
    *out = dst;
    return VG_OK;
}
