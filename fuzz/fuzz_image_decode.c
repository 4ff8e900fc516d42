/* fuzz_image_decode.c — libFuzzer target for vg_image_decode_mem: any bytes
 * must give an image or a clean error, never a crash, leak or huge
 * allocation (the pixel limit is kept small, 4 megapixels). */
#include "vigil/image.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_image *img = NULL;
    vg_err err;
    if (vg_image_decode_mem(data, size, 4LL * 1000 * 1000, &img, &err) == VG_OK) {
        /* touch the pixels so a short buffer would show up under ASan */
        volatile uint8_t sink = img->data[(size_t)(img->height - 1) * img->stride +
                                          (size_t)img->width * 3 - 1];
        (void)sink;
        vg_image_free(img);
    }
    return 0;
}
