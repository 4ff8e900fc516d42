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
#include <string.h>

/* The model's input for the square on box: the part inside the image
 * scaled as the whole square would be, the rest black. Writes the square's
 * origin and size in source pixels. */
static vg_status make_input(const vg_image *img, const vg_face *box, float *input, float sq[4], vg_err *err)
{
    float side = box->y2 - box->y1;
    float cx = (box->x1 + box->x2) / 2, cy = (box->y1 + box->y2) / 2;
    /* the square, and the part of it inside the image */
    int x0 = (int)floorf(cx - side / 2), y0 = (int)floorf(cy - side / 2);
    int x1 = (int)ceilf(cx + side / 2), y1 = (int)ceilf(cy + side / 2);
    int full_w = x1 - x0, full_h = y1 - y0;
    int ix0 = x0 < 0 ? 0 : x0, iy0 = y0 < 0 ? 0 : y0;
    int ix1 = x1 > img->width ? img->width : x1, iy1 = y1 > img->height ? img->height : y1;
    if (!(side > 0) || ix1 - ix0 < 2 || iy1 - iy0 < 2 || full_w < 2 || full_h < 2)
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
    for (int i = 0; i < n * n; i++)
        input[i] = 0;
    for (int y = 0; y < dh; y++) {
        const uint8_t *row = small->data + (size_t)y * (size_t)small->stride;
        for (int x = 0; x < dw; x++) {
            float g = 0.299f * row[3 * x] + 0.587f * row[3 * x + 1] + 0.114f * row[3 * x + 2];
            input[(y + dy) * n + x + dx] = g / 256.0f;
        }
    }
    vg_image_free(small);
    sq[0] = (float)x0;
    sq[1] = (float)y0;
    sq[2] = (float)full_w;
    sq[3] = (float)full_h;
    return VG_OK;
}

/* Runs the model on a prepared input: 136 values, (x, y) relative to the
 * square. */
static vg_status run_model(const vg_infer_session *s, const float *input, float rel[136], vg_err *err)
{
    int64_t shape[4] = {1, 1, VG_LANDMARK_INPUT, VG_LANDMARK_INPUT};
    vg_tensor t;
    vg_status st = vg_infer_run(s, input, shape, 4, &t, err);
    if (st)
        return st;
    if (t.count != 136) {
        vg_tensor_release(&t);
        return vg_err_set(err, VG_ERR_MODEL, "landmark model gave %zu values, expected 136", t.count);
    }
    for (int i = 0; i < 136; i++)
        rel[i] = t.data[i];
    vg_tensor_release(&t);
    return VG_OK;
}

/* The iBUG 68 point that is point i's mirror image (left and right swap). */
static int mirror_index(int i)
{
    static const signed char map[68] = {
        16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,   /* jaw */
        26, 25, 24, 23, 22, 21, 20, 19, 18, 17,                     /* brows */
        27, 28, 29, 30, 35, 34, 33, 32, 31,                         /* nose */
        45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,             /* eyes */
        54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,             /* outer lips */
        64, 63, 62, 61, 60, 67, 66, 65,                             /* inner lips */
    };
    return map[i];
}

/* One fit on box; with mirror, averaged with the fit of the mirrored input
 * (its x read as 1 - x, its points renumbered left for right). */
static vg_status fit_once(const vg_infer_session *s, const vg_image *img, const vg_face *box, int mirror,
                          vg_point out[68], vg_err *err)
{
    float input[VG_LANDMARK_INPUT * VG_LANDMARK_INPUT], sq[4] = {0}, rel[136];
    vg_status st = make_input(img, box, input, sq, err);
    if (!st)
        st = run_model(s, input, rel, err);
    if (st)
        return st;
    if (mirror) {
        const int n = VG_LANDMARK_INPUT;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n / 2; x++) {
                float t = input[y * n + x];
                input[y * n + x] = input[y * n + n - 1 - x];
                input[y * n + n - 1 - x] = t;
            }
        float mr[136];
        if ((st = run_model(s, input, mr, err)))
            return st;
        for (int i = 0; i < 68; i++) {
            int m = mirror_index(i);
            rel[2 * i] = (rel[2 * i] + 1.0f - mr[2 * m]) / 2;
            rel[2 * i + 1] = (rel[2 * i + 1] + mr[2 * m + 1]) / 2;
        }
    }
    for (int i = 0; i < 68; i++) {
        out[i].x = sq[0] + rel[2 * i] * sq[2];
        out[i].y = sq[1] + rel[2 * i + 1] * sq[3];
    }
    return VG_OK;
}

vg_status vg_landmark_68(const vg_infer_session *s, const vg_image *img, const vg_face *box,
                         vg_point out[68], vg_err *err)
{
    return fit_once(s, img, box, 0, out, err);
}

void vg_landmark_box_of(const vg_point p[68], vg_face *box)
{
    float x0 = p[0].x, x1 = p[0].x, y0 = p[0].y, y1 = p[0].y;
    for (int k = 1; k < 68; k++) {
        x0 = fminf(x0, p[k].x);
        x1 = fmaxf(x1, p[k].x);
        y0 = fminf(y0, p[k].y);
        y1 = fmaxf(y1, p[k].y);
    }
    /* the points run from the brows to the chin: the box the detector
     * would give is a little larger and reaches higher */
    float h = y1 - y0, side = fmaxf(h, x1 - x0) * 1.1f;
    float cx = (x0 + x1) / 2, cy = (y0 + y1) / 2 - 0.1f * h;
    box->x1 = cx - side / 2;
    box->x2 = cx + side / 2;
    box->y1 = cy - side / 2;
    box->y2 = cy + side / 2;
}

static const char *const fit_names[] = {"once", "mirror", "refine", "mirror+refine"};

int vg_face_fit_parse(const char *name)
{
    for (int k = 0; name && k < 4; k++)
        if (strcmp(name, fit_names[k]) == 0)
            return k; /* the index is the VG_FACE_FIT_* bits */
    return -1;
}

const char *vg_face_fit_name(int fit)
{
    return fit >= 0 && fit < 4 ? fit_names[fit] : "?";
}

vg_status vg_landmark_fit(const vg_infer_session *s, const vg_image *img, const vg_face *box, int fit,
                          vg_point out[68], vg_err *err)
{
    if (fit & ~(VG_FACE_FIT_MIRROR | VG_FACE_FIT_REFINE))
        return vg_err_set(err, VG_ERR_INVALID, "unknown landmark fit %d", fit);
    int mirror = (fit & VG_FACE_FIT_MIRROR) != 0;
    vg_status st = fit_once(s, img, box, mirror, out, err);
    if (st || !(fit & VG_FACE_FIT_REFINE))
        return st;
    /* again on the box the first fit's points span: the detector's box
     * (its size and where it sits on the face) varies from face to face */
    vg_face b = *box;
    vg_landmark_box_of(out, &b);
    vg_point again[68];
    if (fit_once(s, img, &b, mirror, again, NULL) != VG_OK)
        return VG_OK; /* the square left the image entirely: keep the first fit */
    for (int i = 0; i < 68; i++)
        out[i] = again[i];
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
