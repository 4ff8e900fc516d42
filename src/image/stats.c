/* stats.c — measures of an image region: sharpness (variance of the 3x3
 * Laplacian of the grey image) and mean grey level.
 *
 * Grey is BT.601 luma in integer form, (77 R + 150 G + 29 B + 128) >> 8, so
 * white is 255. The Laplacian kernel is [0 1 0; 1 -4 1; 0 1 0], evaluated at
 * the pixels of the clipped region whose 3x3 neighbourhood lies inside the
 * region (a region narrower or shorter than 3 pixels measures 0).
 */
#include "vigil/image.h"
#include "image/image_internal.h"

static inline int grey_at(const vg_image *img, int x, int y)
{
    const uint8_t *p = img->data + (size_t)y * img->stride + (size_t)x * 3;
    return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
}

/* Validates img and clips the region; 0 when there is nothing to measure. */
static int region(const vg_image *img, int *x, int *y, int *w, int *h)
{
    if (vg_image_check_arg(img, "", NULL) != VG_OK)
        return 0;
    return vg_image_clip_rect(img->width, img->height, x, y, w, h);
}

double vg_image_sharpness(const vg_image *img, int x, int y, int w, int h)
{
    if (!region(img, &x, &y, &w, &h) || w < 3 || h < 3)
        return 0.0;
    long long n = 0, sum = 0;
    double sumsq = 0.0;
    for (int j = y + 1; j < y + h - 1; j++) {
        for (int i = x + 1; i < x + w - 1; i++) {
            int lap = grey_at(img, i - 1, j) + grey_at(img, i + 1, j) + grey_at(img, i, j - 1) +
                      grey_at(img, i, j + 1) - 4 * grey_at(img, i, j);
            sum += lap;
            sumsq += (double)lap * lap;
            n++;
        }
    }
    double mean = (double)sum / (double)n;
    double var = sumsq / (double)n - mean * mean;
    return var > 0.0 ? var : 0.0;
}

double vg_image_mean_luma(const vg_image *img, int x, int y, int w, int h)
{
    if (!region(img, &x, &y, &w, &h))
        return 0.0;
    long long sum = 0;
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            sum += grey_at(img, i, j);
    return (double)sum / ((double)w * (double)h);
}
