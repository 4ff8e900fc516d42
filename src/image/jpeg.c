/* jpeg.c — encodes an RGB24 image to baseline JPEG with the TurboJPEG API.
 *
 * The output buffer is malloc'd by vigil (sized by tjBufSize, TurboJPEG told
 * not to reallocate it) so the caller frees it with plain free().
 */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <stdlib.h>
#include <turbojpeg.h>

vg_status vg_image_encode_jpeg(const vg_image *img, int quality, uint8_t **out,
                               size_t *out_len, vg_err *err)
{
    if (!out || !out_len)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_encode_jpeg: out is NULL");
    *out = NULL;
    *out_len = 0;
    vg_status s = vg_image_check_arg(img, "source", err);
    if (s != VG_OK)
        return s;
    if (quality < 1 || quality > 100)
        return vg_err_set(err, VG_ERR_INVALID, "JPEG quality %d is outside 1..100", quality);
    if (img->width > 65535 || img->height > 65535)
        return vg_err_set(err, VG_ERR_LIMIT, "a %dx%d image is too large for JPEG (65535 max)",
                          img->width, img->height);

    const int subsamp = TJSAMP_420;
    unsigned long cap = tjBufSize(img->width, img->height, subsamp);
    if (cap == (unsigned long)-1)
        return vg_err_set(err, VG_ERR_INTERNAL, "tjBufSize failed for %dx%d", img->width,
                          img->height);
    unsigned char *buf = malloc(cap);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory encoding a JPEG");
    tjhandle tj = tjInitCompress();
    if (!tj) {
        free(buf);
        return vg_err_set(err, VG_ERR_NOMEM, "cannot start the JPEG encoder: %s",
                          tjGetErrorStr2(NULL));
    }
    unsigned long size = cap;
    int r = tjCompress2(tj, img->data, img->width, img->stride, img->height, TJPF_RGB, &buf,
                        &size, subsamp, quality, TJFLAG_NOREALLOC);
    if (r != 0) {
        s = vg_err_set(err, VG_ERR_INTERNAL, "JPEG encoding failed: %s", tjGetErrorStr2(tj));
        tjDestroy(tj);
        free(buf);
        return s;
    }
    tjDestroy(tj);
    unsigned char *shrunk = realloc(buf, size ? size : 1);
    *out = shrunk ? shrunk : buf;
    *out_len = size;
    return VG_OK;
}
