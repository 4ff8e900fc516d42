/* declared_size.h — the pixel size an image file's header declares, read
 * without decoding (internal to src/image). */
#ifndef VIGIL_IMAGE_DECLARED_SIZE_H
#define VIGIL_IMAGE_DECLARED_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* When buf starts with a PNG, JPEG, BMP, GIF, WebP, TIFF, QOI or Netpbm
 * (P1..P6) header that declares its size, stores it in *w and *h and returns
 * 1; otherwise returns 0. Not a validator: a malformed header just gives 0
 * and FFmpeg decides. */
int vg_image_declared_size(const uint8_t *buf, size_t len, long long *w, long long *h);

#endif
