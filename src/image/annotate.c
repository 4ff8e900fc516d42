/* annotate.c — marking up a frame in place for the live view: pixelating a
 * rectangle beyond recognition (libswscale: an area-averaging shrink to a
 * few cells, then a nearest-neighbour enlargement back, so that every cell
 * is one flat colour), coarsening the whole frame the same way, copying a
 * rectangle back from a sharp copy, and drawing a rectangle's outline. */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

/* Exact RGB24 paths, as in resize.c: no chroma subsampling on the way. */
#define EXACT_FLAGS (SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP)

static int scale_rgb(const uint8_t *src, int sstride, int sw, int sh, uint8_t *dst, int dstride, int dw,
                     int dh, int kernel)
{
    struct SwsContext *sws =
        sws_getContext(sw, sh, AV_PIX_FMT_RGB24, dw, dh, AV_PIX_FMT_RGB24, kernel | EXACT_FLAGS, NULL, NULL, NULL);
    if (!sws)
        return 0;
    const uint8_t *sp[4] = {src, NULL, NULL, NULL};
    const int ss[4] = {sstride, 0, 0, 0};
    uint8_t *dp[4] = {dst, NULL, NULL, NULL};
    const int ds[4] = {dstride, 0, 0, 0};
    int rows = sws_scale(sws, sp, ss, 0, sh, dp, ds);
    sws_freeContext(sws);
    return rows == dh;
}

vg_status vg_image_pixelate(vg_image *img, int x, int y, int w, int h, int blocks, vg_err *err)
{
    vg_status s = vg_image_check_arg(img, "image", err);
    if (s != VG_OK)
        return s;
    if (w <= 0 || h <= 0)
        return vg_err_set(err, VG_ERR_INVALID, "pixelate: empty rectangle %dx%d", w, h);
    if (blocks < 1 || blocks > VG_IMAGE_PIXELATE_BLOCKS_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "pixelate: blocks must be 1 to %d, not %d",
                          VG_IMAGE_PIXELATE_BLOCKS_MAX, blocks);
    if (!vg_image_clip_rect(img->width, img->height, &x, &y, &w, &h))
        return VG_OK; /* nothing of it is in the picture: nothing to hide */
    /* cells along the longer side, as many of the same size along the other */
    int longer = w > h ? w : h;
    int cell = (longer + blocks - 1) / blocks;
    int bw = (w + cell - 1) / cell, bh = (h + cell - 1) / cell;
    uint8_t small[3 * VG_IMAGE_PIXELATE_BLOCKS_MAX * VG_IMAGE_PIXELATE_BLOCKS_MAX];
    uint8_t *origin = img->data + (size_t)y * (size_t)img->stride + 3 * (size_t)x;
    if (bw == w && bh == h)
        return VG_OK; /* cells of one pixel: the region is already that coarse */
    if (!scale_rgb(origin, img->stride, w, h, small, 3 * bw, bw, bh, SWS_AREA) ||
        !scale_rgb(small, 3 * bw, bw, bh, origin, img->stride, w, h, SWS_POINT))
        return vg_err_set(err, VG_ERR_INTERNAL, "swscale could not pixelate a %dx%d region", w, h);
    return VG_OK;
}

vg_status vg_image_coarsen(vg_image *img, int cell, vg_err *err)
{
    vg_status s = vg_image_check_arg(img, "image", err);
    if (s != VG_OK)
        return s;
    if (cell < 1 || cell > VG_IMAGE_PIXELATE_BLOCKS_MAX)
        return vg_err_set(err, VG_ERR_INVALID, "coarsen: cell must be 1 to %d pixels, not %d",
                          VG_IMAGE_PIXELATE_BLOCKS_MAX, cell);
    if (cell == 1)
        return VG_OK;
    int bw = (img->width + cell - 1) / cell, bh = (img->height + cell - 1) / cell;
    uint8_t *small = malloc((size_t)3 * (size_t)bw * (size_t)bh);
    if (!small)
        return vg_err_set(err, VG_ERR_NOMEM, "coarsen: no memory for a %dx%d image", bw, bh);
    int ok = scale_rgb(img->data, img->stride, img->width, img->height, small, 3 * bw, bw, bh, SWS_AREA) &&
             scale_rgb(small, 3 * bw, bw, bh, img->data, img->stride, img->width, img->height, SWS_POINT);
    free(small);
    if (!ok)
        return vg_err_set(err, VG_ERR_INTERNAL, "swscale could not coarsen a %dx%d image", img->width,
                          img->height);
    return VG_OK;
}

vg_status vg_image_copy_rect(vg_image *dst, const vg_image *src, int x, int y, int w, int h, vg_err *err)
{
    vg_status s = vg_image_check_arg(dst, "destination image", err);
    if (s == VG_OK)
        s = vg_image_check_arg(src, "source image", err);
    if (s != VG_OK)
        return s;
    if (dst->width != src->width || dst->height != src->height)
        return vg_err_set(err, VG_ERR_INVALID, "copy_rect: images of %dx%d and %dx%d", src->width, src->height,
                          dst->width, dst->height);
    if (!vg_image_clip_rect(dst->width, dst->height, &x, &y, &w, &h))
        return VG_OK;
    for (int r = y; r < y + h; r++)
        memcpy(dst->data + (size_t)r * (size_t)dst->stride + 3 * (size_t)x,
               src->data + (size_t)r * (size_t)src->stride + 3 * (size_t)x, 3 * (size_t)w);
    return VG_OK;
}

static void fill(vg_image *img, int x, int y, int w, int h, const uint8_t rgb[3])
{
    if (!vg_image_clip_rect(img->width, img->height, &x, &y, &w, &h))
        return;
    for (int r = y; r < y + h; r++) {
        uint8_t *p = img->data + (size_t)r * (size_t)img->stride + 3 * (size_t)x;
        for (int c = 0; c < w; c++, p += 3) {
            p[0] = rgb[0];
            p[1] = rgb[1];
            p[2] = rgb[2];
        }
    }
}

vg_status vg_image_draw_box(vg_image *img, int x, int y, int w, int h, int thickness, const uint8_t rgb[3],
                            vg_err *err)
{
    vg_status s = vg_image_check_arg(img, "image", err);
    if (s != VG_OK)
        return s;
    if (!rgb || w <= 0 || h <= 0 || thickness < 1)
        return vg_err_set(err, VG_ERR_INVALID, "draw_box: a colour, a non-empty rectangle (%dx%d) and a "
                          "thickness of at least 1 (%d) are needed", w, h, thickness);
    int t = thickness;
    if (t > w / 2 + 1)
        t = w / 2 + 1;
    if (t > h / 2 + 1)
        t = h / 2 + 1;
    fill(img, x, y, w, t, rgb);                 /* top */
    fill(img, x, y + h - t, w, t, rgb);         /* bottom */
    fill(img, x, y + t, t, h - 2 * t, rgb);     /* left */
    fill(img, x + w - t, y + t, t, h - 2 * t, rgb); /* right */
    return VG_OK;
}
