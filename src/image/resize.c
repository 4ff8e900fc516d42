/* resize.c — bilinear resize of an RGB24 image with libswscale.
 *
 * RGB24 to RGB24 with full-resolution chroma and accurate rounding keeps
 * swscale on an exact path: a constant colour stays exactly that colour and
 * a same-size "resize" reproduces the input. Downscaling widens the bilinear
 * kernel to the scale factor, so it averages instead of aliasing.
 */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <libswscale/swscale.h>

#define RESIZE_FLAGS (SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

vg_status vg_image_resize(const vg_image *src, int width, int height, vg_image **out,
                          vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_resize: out is NULL");
    *out = NULL;
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    vg_image *dst;
    s = vg_image_new(width, height, &dst, err);
    if (s != VG_OK)
        return s;

    struct SwsContext *sws = sws_getContext(src->width, src->height, AV_PIX_FMT_RGB24, width,
                                            height, AV_PIX_FMT_RGB24, RESIZE_FLAGS, NULL, NULL,
                                            NULL);
    if (!sws) {
        vg_image_free(dst);
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "cannot resize %dx%d to %dx%d", src->width,
                          src->height, width, height);
    }
    const uint8_t *sp[4] = {src->data, NULL, NULL, NULL};
    const int ss[4] = {src->stride, 0, 0, 0};
    uint8_t *dp[4] = {dst->data, NULL, NULL, NULL};
    const int ds[4] = {dst->stride, 0, 0, 0};
    int rows = sws_scale(sws, sp, ss, 0, src->height, dp, ds);
    sws_freeContext(sws);
    if (rows != height) {
        vg_image_free(dst);
        return vg_err_set(err, VG_ERR_INTERNAL, "swscale resize %dx%d to %dx%d failed",
                          src->width, src->height, width, height);
    }
    *out = dst;
    return VG_OK;
}
