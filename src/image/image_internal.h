/* image_internal.h — helpers shared by the files of src/image (not public API). */
#ifndef VIGIL_IMAGE_INTERNAL_H
#define VIGIL_IMAGE_INTERNAL_H

#include "vigil/image.h"

/* Hard ceilings on any vg_image vigil allocates, whatever the caller asks:
 * a side fits comfortably in int arithmetic (3 * side, side * side sums) and
 * the buffer stays under 3 GiB. Decoding has its own, lower, max_pixels. */
#define VG_IMAGE_MAX_SIDE (1 << 20)
#define VG_IMAGE_MAX_ALLOC_PIXELS (1LL << 30)

/* VG_OK when img is non-NULL and well formed (data set, positive sizes under
 * the ceilings, stride >= 3 * width); otherwise VG_ERR_INVALID naming `what`
 * ("source", ...) in err. */
vg_status vg_image_check_arg(const vg_image *img, const char *what, vg_err *err);

/* Clips the rectangle (*x, *y, *w, *h) to an img_w x img_h image in place.
 * Returns 0 (leaving the values unspecified) when the intersection is empty. */
int vg_image_clip_rect(int img_w, int img_h, int *x, int *y, int *w, int *h);

#endif
