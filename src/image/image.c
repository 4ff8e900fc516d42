/* image.c — the vg_image type itself: allocate, free, clone, crop.
 *
 * Images are packed RGB24. vigil allocates rows of 3 * width rounded up to
 * 64 bytes, and 64 spare bytes after the last row: libswscale's SIMD paths
 * write whole vectors and may run past the end of a row. Functions reading
 * images honour any stride >= 3 * width.
 */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

vg_status vg_image_check_arg(const vg_image *img, const char *what, vg_err *err)
{
    if (!img)
        return vg_err_set(err, VG_ERR_INVALID, "%s image is NULL", what);
    if (!img->data || img->width <= 0 || img->height <= 0 || img->width > VG_IMAGE_MAX_SIDE ||
        img->height > VG_IMAGE_MAX_SIDE || img->stride < 3 * img->width)
        return vg_err_set(err, VG_ERR_INVALID, "%s image is malformed (%dx%d, stride %d)", what,
                          img->width, img->height, img->stride);
    return VG_OK;
}

vg_status vg_image_new(int width, int height, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_new: out is NULL");
    *out = NULL;
    if (width <= 0 || height <= 0)
        return vg_err_set(err, VG_ERR_INVALID, "image size %dx%d is not positive", width, height);
    if (width > VG_IMAGE_MAX_SIDE || height > VG_IMAGE_MAX_SIDE ||
        (long long)width * height > VG_IMAGE_MAX_ALLOC_PIXELS)
        return vg_err_set(err, VG_ERR_LIMIT, "image size %dx%d is over the limit of %lld pixels",
                          width, height, (long long)VG_IMAGE_MAX_ALLOC_PIXELS);

    vg_image *img = malloc(sizeof *img);
    if (!img)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory allocating an image");
    img->width = width;
    img->height = height;
    img->stride = (3 * width + 63) / 64 * 64;
    img->data = calloc((size_t)img->stride * (size_t)height + 64, 1);
    if (!img->data) {
        free(img);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory allocating a %dx%d image", width,
                          height);
    }
    *out = img;
    return VG_OK;
}

void vg_image_free(vg_image *img)
{
    if (!img)
        return;
    free(img->data);
    free(img);
}

/* Copies the w x h block at (x, y) of src (already validated and in bounds). */
static vg_status copy_rect(const vg_image *src, int x, int y, int w, int h, vg_image **out,
                           vg_err *err)
{
    vg_image *dst;
    vg_status s = vg_image_new(w, h, &dst, err);
    if (s != VG_OK)
        return s;
    for (int r = 0; r < h; r++)
        memcpy(dst->data + (size_t)r * dst->stride,
               src->data + (size_t)(y + r) * src->stride + (size_t)x * 3, (size_t)w * 3);
    *out = dst;
    return VG_OK;
}

vg_status vg_image_clone(const vg_image *src, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_clone: out is NULL");
    *out = NULL;
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    return copy_rect(src, 0, 0, src->width, src->height, out, err);
}

int vg_image_clip_rect(int img_w, int img_h, int *x, int *y, int *w, int *h)
{
    if (*w <= 0 || *h <= 0)
        return 0;
    long long x0 = *x, y0 = *y, x1 = x0 + *w, y1 = y0 + *h;
    if (x0 < 0)
        x0 = 0;
    if (y0 < 0)
        y0 = 0;
    if (x1 > img_w)
        x1 = img_w;
    if (y1 > img_h)
        y1 = img_h;
    if (x0 >= x1 || y0 >= y1)
        return 0;
    *x = (int)x0;
    *y = (int)y0;
    *w = (int)(x1 - x0);
    *h = (int)(y1 - y0);
    return 1;
}

vg_status vg_image_crop(const vg_image *src, int x, int y, int w, int h, vg_image **out,
                        vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_crop: out is NULL");
    *out = NULL;
    vg_status s = vg_image_check_arg(src, "source", err);
    if (s != VG_OK)
        return s;
    int cx = x, cy = y, cw = w, ch = h;
    if (!vg_image_clip_rect(src->width, src->height, &cx, &cy, &cw, &ch))
        return vg_err_set(err, VG_ERR_INVALID,
                          "crop rectangle %dx%d at (%d, %d) does not overlap the %dx%d image", w,
                          h, x, y, src->width, src->height);
    return copy_rect(src, cx, cy, cw, ch, out, err);
}
