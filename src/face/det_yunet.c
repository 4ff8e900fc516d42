/* det_yunet.c — the YuNet backend (libfacedetection), a model that gives
 * boxes and five landmarks itself.
 *
 * Input: BGR, raw 0..255. With a dynamic 1x3xHxW input, the image is scaled
 * so its longer side is at most 640 pixels unless that would shrink a
 * min_face face under 16 pixels, and padded to multiples of 32; with a fixed
 * input (OpenCV's 640x640 export) it is letterboxed into it. Outputs per stride s in {8, 16, 32}:
 * cls_s, obj_s [1,N,1] (probabilities), bbox_s [1,N,4] (dx, dy, log w, log h
 * in stride units), kps_s [1,N,10]; score = sqrt(cls * obj); NMS IoU 0.3.
 */
#include "face/det_strided.h"

#include <math.h>
#include <stdlib.h>

#define YN_NMS_IOU 0.3f

enum { YN_CLS, YN_OBJ, YN_BBOX, YN_KPS };

static const vg_strided_spec yn_spec = {"YuNet", "yunet", "a", 0.6f, {"cls", "obj", "bbox", "kps", NULL}};

static vg_status yn_open(vg_infer_env *env, const char *models_dir, const char *path,
                         const vg_detector_params *p, void **state, vg_err *err)
{
    (void)models_dir;
    return vg_strided_open(&yn_spec, env, path, p, (vg_strided **)state, err);
}

static vg_status yn_detect(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                          vg_err *err)
{
    const vg_strided *s = state;
    float threshold = s->p.threshold * threshold_scale;
    *faces = NULL;
    *n = 0;
    vg_strided_run run;
    vg_status st = vg_strided_infer(s, img, 0.0f, 1.0f, 0.0f, 1, &run, err);
    if (st)
        return st;
    const vg_tensor *out = run.out;
    int tw = run.tw, th = run.th;
    float sx = run.sx, sy = run.sy;
    size_t total = 0;
    for (int k = 0; k < 3; k++)
        total += out[s->idx[YN_CLS][k]].count;
    vg_face *cand = calloc(total ? total : 1, sizeof *cand);
    if (!cand) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto done;
    }
    int kept = 0;
    for (int k = 0; k < 3; k++) {
        int stride = vg_strided_strides[k];
        int cols = tw / stride, rows = th / stride;
        const vg_tensor *cls = &out[s->idx[YN_CLS][k]], *obj = &out[s->idx[YN_OBJ][k]];
        const vg_tensor *bbox = &out[s->idx[YN_BBOX][k]], *kps = &out[s->idx[YN_KPS][k]];
        size_t cells = (size_t)cols * (size_t)rows;
        if (cls->count != cells || obj->count != cells || bbox->count != cells * 4 ||
            kps->count != cells * 10) {
            st = vg_err_set(err, VG_ERR_MODEL, "YuNet output for stride %d has an unexpected size",
                            stride);
            goto done;
        }
        for (size_t i = 0; i < cells; i++) {
            float c = fminf(fmaxf(cls->data[i], 0.0f), 1.0f);
            float o = fminf(fmaxf(obj->data[i], 0.0f), 1.0f);
            float score = sqrtf(c * o);
            if (!(score > threshold))
                continue;
            float col = (float)(i % (size_t)cols), row = (float)(i / (size_t)cols);
            const float *b = &bbox->data[4 * i];
            float cx = (col + b[0]) * (float)stride, cy = (row + b[1]) * (float)stride;
            float w = expf(b[2]) * (float)stride, h = expf(b[3]) * (float)stride;
            vg_face *f = &cand[kept];
            f->x1 = fmaxf(0.0f, (cx - w / 2) * sx);
            f->y1 = fmaxf(0.0f, (cy - h / 2) * sy);
            f->x2 = fminf((float)img->width, (cx + w / 2) * sx);
            f->y2 = fminf((float)img->height, (cy + h / 2) * sy);
            f->score = score;
            for (int j = 0; j < VG_LM_COUNT; j++) {
                f->lm[j].x = (kps->data[10 * i + 2 * j] + col) * (float)stride * sx;
                f->lm[j].y = (kps->data[10 * i + 2 * j + 1] + row) * (float)stride * sy;
            }
            if (f->x2 - f->x1 >= 2 && f->y2 - f->y1 >= 2)
                kept++;
        }
    }
    *n = vg_detector_nms(cand, kept, YN_NMS_IOU, s->p.max_faces);
    *faces = cand;
    cand = NULL;
done:
    free(cand);
    vg_strided_release(&run);
    return st;
}

const vg_detector_backend vg_detector_yunet = {
    .name = "yunet",
    .has_landmarks = 1,
    .open = yn_open,
    .close = vg_strided_close,
    .detect = yn_detect,
    .model_path = vg_strided_model_path,
};
