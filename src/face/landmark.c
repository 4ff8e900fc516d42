/* landmark.c — 68-point landmarks from the default pack's fr_landmark.onnx.
 *
 * The box is made square (side = box height, same centre); the square is
 * resized to 64x64 (where it leaves the image, that part is black rather
 * than the square clipped and stretched), turned grey (BT.601) and divided
 * by 256. The model gives 68 (x, y) pairs relative to the crop, kept as floats.
 */
#include "face/landmark.h"

#include <math.h>
#include <stdlib.h>

vg_status vg_landmark_68(const vg_infer_session *s, const vg_image *img, const vg_face *box,
                         vg_point out[68], vg_err *err)
{
    float side = box->y2 - box->y1;
    float cx = (box->x1 + box->x2) / 2, cy = (box->y1 + box->y2) / 2;
    /* the square, and the part of it inside the image */
    int x0 = (int)floorf(cx - side / 2), y0 = (int)floorf(cy - side / 2);
    int x1 = (int)ceilf(cx + side / 2), y1 = (int)ceilf(cy + side / 2);
    int full_w = x1 - x0, full_h = y1 - y0;
    int ix0 = x0 < 0 ? 0 : x0, iy0 = y0 < 0 ? 0 : y0;
    int ix1 = x1 > img->width ? img->width : x1, iy1 = y1 > img->height ? img->height : y1;
    if (ix1 - ix0 < 2 || iy1 - iy0 < 2 || full_w < 2 || full_h < 2)
        return vg_err_set(err, VG_ERR_INVALID, "face box too small for landmarks");

    /* A square that leaves the image (a face filling a tight crop) is not
     * clipped and stretched: the part inside is scaled as the whole square
     * would be and the rest is black, as alignment fills it. */
    const int n = VG_LANDMARK_INPUT;
    int dx = 0, dy = 0, dw = n, dh = n;
    if (ix0 != x0 || iy0 != y0 || ix1 != x1 || iy1 != y1) {
        dx = (int)lroundf((float)(ix0 - x0) * (float)n / (float)full_w);
        dy = (int)lroundf((float)(iy0 - y0) * (float)n / (float)full_h);
        dw = (int)lroundf((float)(ix1 - ix0) * (float)n / (float)full_w);
        dh = (int)lroundf((float)(iy1 - iy0) * (float)n / (float)full_h);
        dw = dw < 1 ? 1 : dw > n - dx ? n - dx : dw;
        dh = dh < 1 ? 1 : dh > n - dy ? n - dy : dh;
    }
    vg_image *crop = NULL, *small = NULL;
    vg_status st = vg_image_crop(img, ix0, iy0, ix1 - ix0, iy1 - iy0, &crop, err);
    if (!st)
        st = vg_image_resize(crop, dw, dh, &small, err);
    vg_image_free(crop);
    if (st)
        return st;
    x1 = x0 + full_w;
    y1 = y0 + full_h;
    float input[VG_LANDMARK_INPUT * VG_LANDMARK_INPUT] = {0};
    for (int y = 0; y < dh; y++) {
        const uint8_t *row = small->data + (size_t)y * (size_t)small->stride;
        for (int x = 0; x < dw; x++) {
            float g = 0.299f * row[3 * x] + 0.587f * row[3 * x + 1] + 0.114f * row[3 * x + 2];
            input[(y + dy) * VG_LANDMARK_INPUT + x + dx] = g / 256.0f;
        }
    }
    vg_image_free(small);

    int64_t shape[4] = {1, 1, VG_LANDMARK_INPUT, VG_LANDMARK_INPUT};
    vg_tensor t;
    st = vg_infer_run(s, input, shape, 4, &t, err);
    if (st)
        return st;
    if (t.count != 136) {
        vg_tensor_release(&t);
        return vg_err_set(err, VG_ERR_MODEL, "landmark model gave %zu values, expected 136", t.count);
    }
    float cw = (float)(x1 - x0), ch = (float)(y1 - y0);
    for (int i = 0; i < 68; i++) {
        out[i].x = (float)x0 + t.data[2 * i] * cw;
        out[i].y = (float)y0 + t.data[2 * i + 1] * ch;
    }
    vg_tensor_release(&t);
    return VG_OK;
}

static vg_point mean_of(const vg_point p[68], const int *idx, int n)
{
    vg_point m = {0, 0};
    for (int i = 0; i < n; i++) {
        m.x += p[idx[i]].x;
        m.y += p[idx[i]].y;
    }
    m.x /= (float)n;
    m.y /= (float)n;
    return m;
}

void vg_landmark_68_to_5(const vg_point p[68], vg_point lm[VG_LM_COUNT])
{
    static const int eye_l[] = {37, 38, 40, 41}, eye_r[] = {43, 44, 46, 47};
    static const int mouth_l[] = {48, 60}, mouth_r[] = {54, 64};
    lm[VG_LM_EYE_L] = mean_of(p, eye_l, 4);
    lm[VG_LM_EYE_R] = mean_of(p, eye_r, 4);
    lm[VG_LM_NOSE] = p[30];
    lm[VG_LM_MOUTH_L] = mean_of(p, mouth_l, 2);
    lm[VG_LM_MOUTH_R] = mean_of(p, mouth_r, 2);
}
