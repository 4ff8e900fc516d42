/* image.h — 8-bit RGB images: decode (FFmpeg), resize (libswscale), affine
 * warp, crop, sharpness, pixelation and box outlines (for the live view),
 * JPEG encode (TurboJPEG).
 *
 * Ownership: every vg_image returned through an out-pointer belongs to the
 * caller, who frees it with vg_image_free. Input images are borrowed (const).
 */
#ifndef VIGIL_IMAGE_H
#define VIGIL_IMAGE_H

#include "vigil/api.h"

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Packed RGB24, rows of `stride` bytes (stride >= 3 * width). */
typedef struct vg_image {
    int width;
    int height;
    int stride;
    uint8_t *data;
} vg_image;

/* Default ceiling on decoded pixels: 40 megapixels. */
#define VG_IMAGE_MAX_PIXELS_DEFAULT (40LL * 1000 * 1000)

/* Allocates a width x height image, zero-filled. */
VG_API vg_status vg_image_new(int width, int height, vg_image **out, vg_err *err);
VG_API void vg_image_free(vg_image *img);
VG_API vg_status vg_image_clone(const vg_image *src, vg_image **out, vg_err *err);

/* Decodes the first frame of any image or video FFmpeg reads (JPEG, PNG, BMP,
 * WebP, TIFF, GIF, MP4, ...). Images declaring more than max_pixels pixels
 * (<= 0 means VG_IMAGE_MAX_PIXELS_DEFAULT) are refused with VG_ERR_LIMIT
 * before any pixel buffer is allocated. Corrupt, truncated or non-image data
 * gives VG_ERR_INVALID. */
VG_API vg_status vg_image_decode_mem(const uint8_t *buf, size_t len, long long max_pixels,
                              vg_image **out, vg_err *err);
/* As vg_image_decode_mem, for photos uploaded over the API: JPEG and PNG
 * only (by signature, through those two demuxers and decoders, never a
 * probe of every format); anything else is VG_ERR_INVALID "not a JPEG or
 * PNG photo (only JPEG and PNG are accepted)". */
VG_API vg_status vg_image_decode_photo(const uint8_t *buf, size_t len, long long max_pixels, vg_image **out,
                                       vg_err *err);
/* Same as vg_image_decode_mem, from a file; the file's size is bounded too (VG_ERR_LIMIT over 256 MiB). */
VG_API vg_status vg_image_decode_file(const char *path, long long max_pixels,
                               vg_image **out, vg_err *err);

/* Bilinear resize to width x height (libswscale). */
VG_API vg_status vg_image_resize(const vg_image *src, int width, int height,
                          vg_image **out, vg_err *err);

/* Resizes src to width x height straight into three float planes, values
 * 0..1 (p / 255), planes[0] = R, [1] = G, [2] = B, rows of plane_stride
 * floats: the layout inference models take, in one libswscale pass (area
 * filter when shrinking). Only the width x height corner of each plane is
 * written. */
VG_API vg_status vg_image_resize_planar(const vg_image *src, int width, int height, float *const planes[3],
                                 int plane_stride, vg_err *err);

/* Affine warp with bilinear sampling. m maps *destination* pixel centres to
 * source coordinates: src_x = m[0]*x + m[1]*y + m[2], src_y = m[3]*x + m[4]*y + m[5].
 * Samples outside the source are black. */
VG_API vg_status vg_image_warp_affine(const vg_image *src, const float m[6], int width,
                               int height, vg_image **out, vg_err *err);

/* Copies the rectangle (x, y, w, h), clipped to the image; an empty
 * intersection is VG_ERR_INVALID. */
VG_API vg_status vg_image_crop(const vg_image *src, int x, int y, int w, int h,
                        vg_image **out, vg_err *err);

/* Variance of the 3x3 Laplacian of the grey image inside (x, y, w, h),
 * clipped; a sharpness measure (higher = sharper). 0 for an empty region. */
VG_API double vg_image_sharpness(const vg_image *img, int x, int y, int w, int h);

/* Mean grey level (0..255) inside (x, y, w, h), clipped. */
VG_API double vg_image_mean_luma(const vg_image *img, int x, int y, int w, int h);

/* Largest number of cells vg_image_pixelate puts along a side. */
#define VG_IMAGE_PIXELATE_BLOCKS_MAX 64

/* Pixelates the rectangle (x, y, w, h) of img in place (clipped to the
 * image): its longer side becomes `blocks` square cells (1..64; as many of
 * the same size along the other side), each one flat colour, the average of
 * the pixels it covers (libswscale: area shrink, nearest-neighbour
 * enlargement). With a face's box and a few blocks, nothing of the face is
 * left to recognise or even detect. A rectangle wholly outside the image
 * changes nothing (VG_OK); an empty one, or blocks out of range, is
 * VG_ERR_INVALID. */
VG_API vg_status vg_image_pixelate(vg_image *img, int x, int y, int w, int h, int blocks, vg_err *err);

/* Coarsens the whole image in place into square cells of `cell` pixels
 * (2..64), each one flat colour, the average of the pixels it covers (the
 * same area shrink and nearest-neighbour enlargement as vg_image_pixelate;
 * cells at the right and bottom edges may be a little larger). A cell of
 * 1 changes nothing. */
VG_API vg_status vg_image_coarsen(vg_image *img, int cell, vg_err *err);

/* Copies the rectangle (x, y, w, h), clipped, from src into the same place
 * of dst; the two must have the same size. */
VG_API vg_status vg_image_copy_rect(vg_image *dst, const vg_image *src, int x, int y, int w, int h, vg_err *err);

/* Draws the outline of (x, y, w, h) in img, `thickness` pixels wide on the
 * inside of the rectangle, in colour rgb, clipped to the image. An empty
 * rectangle or a thickness under 1 is VG_ERR_INVALID. */
VG_API vg_status vg_image_draw_box(vg_image *img, int x, int y, int w, int h, int thickness, const uint8_t rgb[3],
                            vg_err *err);

/* Encodes to baseline JPEG (quality 1..100). *out is malloc'd; free() it. */
VG_API vg_status vg_image_encode_jpeg(const vg_image *img, int quality, uint8_t **out,
                               size_t *out_len, vg_err *err);

#ifdef __cplusplus
}
#endif
#endif
