/* planar.c — resize an RGB24 image into planar float R, G, B (0..1) with
 * one libswscale pass (RGB24 -> GBRPF32): the input layout of the detector
 * models, without an intermediate RGB24 image or a separate repacking loop.
 * The area filter averages when shrinking (no aliasing) and is bilinear
 * when enlarging. */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <libswscale/swscale.h>

/* full-resolution chroma in and out: RGB is never subsampled on the way */
#define PLANAR_FLAGS (SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

vg_status vg_image_resize_planar(const vg_image *src, int width, int height, float *const planes[3],
                                 int plane_stride, vg_err *err)
{
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    if (!planes || !planes[0] || !planes[1] || !planes[2] || width <= 0 || height <= 0 ||
        plane_stride < width || width > VG_IMAGE_MAX_SIDE || height > VG_IMAGE_MAX_SIDE)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_resize_planar: bad output %dx%d (stride %d)",
                          width, height, plane_stride);
    if ((long long)plane_stride * (long long)sizeof(float) > 0x7fffffffLL)
        return vg_err_set(err, VG_ERR_LIMIT, "vg_image_resize_planar: rows too long");
    struct SwsContext *sws = sws_getContext(src->width, src->height, AV_PIX_FMT_RGB24, width, height,
                                            AV_PIX_FMT_GBRPF32, PLANAR_FLAGS, NULL, NULL, NULL);
    if (!sws)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "cannot resize %dx%d to planar %dx%d", src->width,
                          src->height, width, height);
    const uint8_t *sp[4] = {src->data, NULL, NULL, NULL};
    const int ss[4] = {src->stride, 0, 0, 0};
    /* GBRP order: plane 0 is green, 1 blue, 2 red */
    uint8_t *dp[4] = {(uint8_t *)planes[1], (uint8_t *)planes[2], (uint8_t *)planes[0], NULL};
    const int bytes = plane_stride * (int)sizeof(float);
    const int ds[4] = {bytes, bytes, bytes, 0};
    int rows = sws_scale(sws, sp, ss, 0, src->height, dp, ds);
    sws_freeContext(sws);
    if (rows != height)
        return vg_err_set(err, VG_ERR_INTERNAL, "swscale planar resize %dx%d to %dx%d failed",
                          src->width, src->height, width, height);
    return VG_OK;
}
