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
#include "face/detector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YN_DEFAULT_THRESHOLD 0.6f
#define YN_NMS_IOU 0.3f
#define YN_MIN_INPUT_FACE 16.0f
#define YN_MAX_SIDE 640.0f

static const int yn_strides[3] = {8, 16, 32};

typedef struct yn_state {
    vg_infer_session *session;
    vg_detector_params p;
    int fixed_w, fixed_h;  /* 0: dynamic input */
    int idx_cls[3], idx_obj[3], idx_bbox[3], idx_kps[3];
    char path[1024];
} yn_state;

static void yn_close(void *state)
{
    yn_state *s = state;
    if (!s)
        return;
    vg_infer_session_close(s->session);
    free(s);
}

static int output_index(const vg_infer_session *session, const char *prefix, int stride)
{
    char name[32];
    snprintf(name, sizeof name, "%s_%d", prefix, stride);
    for (int i = 0; i < vg_infer_output_count(session); i++)
        if (strcmp(vg_infer_output_name(session, i), name) == 0)
            return i;
    return -1;
}

static vg_status yn_open(vg_infer_env *env, const char *models_dir, const char *path,
                         const vg_detector_params *p, void **state, vg_err *err)
{
    (void)models_dir;
    if (!path)
        return vg_err_set(err, VG_ERR_INVALID,
                          "the yunet detector needs a model file: --detector yunet:PATH");
    yn_state *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    s->p = *p;
    if (s->p.threshold <= 0)
        s->p.threshold = YN_DEFAULT_THRESHOLD;
    snprintf(s->path, sizeof s->path, "%s", path);
    vg_status st = vg_infer_session_open(env, path, p->threads, &s->session, err);
    if (st) {
        free(s);
        return st;
    }
    int64_t shape[VG_TENSOR_MAX_DIMS];
    int nd = 0;
    st = vg_infer_input_shape(s->session, shape, &nd, err);
    if (!st && (nd != 4 || shape[1] != 3 || (shape[2] > 0) != (shape[3] > 0) ||
                (shape[2] > 0 && (shape[2] % 32 || shape[3] % 32))))
        st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                        "%s: not a YuNet model (needs a 1x3xHxW input, H and W free or multiples of 32)",
                        path);
    if (!st && shape[2] > 0) {
        s->fixed_h = (int)shape[2];
        s->fixed_w = (int)shape[3];
    }
    for (int i = 0; !st && i < 3; i++) {
        s->idx_cls[i] = output_index(s->session, "cls", yn_strides[i]);
        s->idx_obj[i] = output_index(s->session, "obj", yn_strides[i]);
        s->idx_bbox[i] = output_index(s->session, "bbox", yn_strides[i]);
        s->idx_kps[i] = output_index(s->session, "kps", yn_strides[i]);
        if (s->idx_cls[i] < 0 || s->idx_obj[i] < 0 || s->idx_bbox[i] < 0 || s->idx_kps[i] < 0)
            st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                            "%s: not a YuNet model (needs outputs cls_, obj_, bbox_, kps_ for "
                            "strides 8, 16, 32)", path);
    }
    if (st) {
        yn_close(s);
        return st;
    }
    *state = s;
    return VG_OK;
}

static vg_status yn_detect(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                          vg_err *err)
{
    const yn_state *s = state;
    float threshold = s->p.threshold * threshold_scale;
    *faces = NULL;
    *n = 0;
    float scale;
    if (s->fixed_w) {
        scale = fminf((float)s->fixed_w / (float)img->width, (float)s->fixed_h / (float)img->height);
    } else {
        float longer = (float)(img->width > img->height ? img->width : img->height);
        scale = fminf(1.0f, fmaxf(YN_MAX_SIDE / longer, YN_MIN_INPUT_FACE / (float)s->p.min_face));
    }
    int rw = (int)lroundf((float)img->width * scale), rh = (int)lroundf((float)img->height * scale);
    rw = rw < 1 ? 1 : rw;
    rh = rh < 1 ? 1 : rh;
    int tw = s->fixed_w ? s->fixed_w : (rw + 31) / 32 * 32;
    int th = s->fixed_h ? s->fixed_h : (rh + 31) / 32 * 32;
    rw = rw > tw ? tw : rw;
    rh = rh > th ? th : rh;

    float *input = malloc((size_t)tw * (size_t)th * 3 * sizeof(float));
    if (!input)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_status st = vg_detector_image_to_tensor(img, rw, rh, tw, th, 0.0f, 1.0f, 0.0f, 1, input, err);
    if (st) {
        free(input);
        return st;
    }

    int64_t shape[4] = {1, 3, th, tw};
    vg_tensor out[VG_INFER_MAX_OUTPUTS];
    st = vg_infer_run(s->session, input, shape, 4, out, err);
    free(input);
    if (st)
        return st;
    int n_out = vg_infer_output_count(s->session);

    size_t total = 0;
    for (int k = 0; k < 3; k++)
        total += out[s->idx_cls[k]].count;
    vg_face *cand = calloc(total ? total : 1, sizeof *cand);
    if (!cand) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto done;
    }
    float sx = (float)img->width / (float)rw, sy = (float)img->height / (float)rh;
    int kept = 0;
    for (int k = 0; k < 3; k++) {
        int stride = yn_strides[k];
        int cols = tw / stride, rows = th / stride;
        const vg_tensor *cls = &out[s->idx_cls[k]], *obj = &out[s->idx_obj[k]];
        const vg_tensor *bbox = &out[s->idx_bbox[k]], *kps = &out[s->idx_kps[k]];
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
    for (int i = 0; i < n_out; i++)
        vg_tensor_release(&out[i]);
    return st;
}

static const char *yn_model_path(const void *state, int index)
{
    const yn_state *s = state;
    return index == 0 ? s->path : NULL;
}

const vg_detector_backend vg_detector_yunet = {
    .name = "yunet",
    .has_landmarks = 1,
    .open = yn_open,
    .close = yn_close,
    .detect = yn_detect,
    .model_path = yn_model_path,
};
