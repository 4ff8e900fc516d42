/* annotate.c — marking up a frame in place for the live view: pixelating a
 * rectangle beyond recognition (libswscale: an area-averaging shrink to a
 * few cells, then a nearest-neighbour enlargement back, so that every cell
 * is one flat colour) and drawing a rectangle's outline. */
#include "vigil/image.h"
#include "image/image_internal.h"

#include <libswscale/swscale.h>

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
