/* det_scrfd.c — the SCRFD backend (InsightFace's detector, the "_kps"
 * variants that give five landmarks), as libfacedetection.train exports it:
 * outputs score_s, bbox_s, kps_s for strides s in {8, 16, 32}.
 *
 * Input: RGB, (p - 127.5) / 128 (InsightFace's scrfd.py: blobFromImage with
 * swapRB, mean 127.5, scale 1/128). A dynamic 1x3xHxW input gets the image
 * with its longer side at most 640 pixels unless that would shrink a
 * min_face face under 16 pixels, padded (black, as the reference pads) to
 * multiples of 32; a fixed input gets it letterboxed, top-left. Per stride
 * s, two anchors per cell of the (H/s) x (W/s) grid, row-major, both anchors
 * of a cell side by side, centred on the cell's top-left corner (x * s,
 * y * s). score [.., 1] is a probability; bbox [.., 4] the distances from
 * the anchor to the left, top, right and bottom sides in units of s; kps
 * [.., 10] five (x, y) offsets from the anchor in units of s. Score above
 * 0.5, NMS IoU 0.4 (the reference's defaults).
 */
#include "face/detector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_DEFAULT_THRESHOLD 0.5f
#define SC_NMS_IOU 0.4f
#define SC_MIN_INPUT_FACE 16.0f
#define SC_MAX_SIDE 640.0f
#define SC_ANCHORS 2
#define SC_MEAN 127.5f
#define SC_SCALE (1.0f / 128.0f)

static const int sc_strides[3] = {8, 16, 32};

typedef struct sc_state {
    vg_infer_session *session;
    vg_detector_params p;
    int fixed_w, fixed_h; /* 0: dynamic input */
    int idx_score[3], idx_bbox[3], idx_kps[3];
    char path[1024];
} sc_state;

static void sc_close(void *state)
{
    sc_state *s = state;
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

static vg_status sc_open(vg_infer_env *env, const char *models_dir, const char *path,
                         const vg_detector_params *p, void **state, vg_err *err)
{
    (void)models_dir;
    if (!path)
        return vg_err_set(err, VG_ERR_INVALID,
                          "the scrfd detector needs a model file: --detector scrfd:PATH");
    sc_state *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    s->p = *p;
    if (s->p.threshold <= 0)
        s->p.threshold = SC_DEFAULT_THRESHOLD;
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
                        "%s: not an SCRFD model (needs a 1x3xHxW input, H and W free or multiples of 32)",
                        path);
    if (!st && shape[2] > 0) {
        s->fixed_h = (int)shape[2];
        s->fixed_w = (int)shape[3];
    }
    for (int i = 0; !st && i < 3; i++) {
        s->idx_score[i] = output_index(s->session, "score", sc_strides[i]);
        s->idx_bbox[i] = output_index(s->session, "bbox", sc_strides[i]);
        s->idx_kps[i] = output_index(s->session, "kps", sc_strides[i]);
        if (s->idx_score[i] < 0 || s->idx_bbox[i] < 0 || s->idx_kps[i] < 0)
            st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                            "%s: not an SCRFD model with keypoints (needs outputs score_, bbox_, kps_ "
                            "for strides 8, 16, 32)", path);
    }
    if (st) {
        sc_close(s);
        return st;
    }
    *state = s;
    return VG_OK;
}

static vg_status sc_detect(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                           vg_err *err)
{
    const sc_state *s = state;
    float threshold = s->p.threshold * threshold_scale;
    *faces = NULL;
    *n = 0;
    float scale;
    if (s->fixed_w) {
        scale = fminf((float)s->fixed_w / (float)img->width, (float)s->fixed_h / (float)img->height);
    } else {
        float longer = (float)(img->width > img->height ? img->width : img->height);
        scale = fminf(1.0f, fmaxf(SC_MAX_SIDE / longer, SC_MIN_INPUT_FACE / (float)s->p.min_face));
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
    vg_status st = vg_detector_image_to_tensor(img, rw, rh, tw, th, SC_MEAN, SC_SCALE,
                                               -SC_MEAN * SC_SCALE, 0, input, err);
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
        total += out[s->idx_score[k]].count;
    vg_face *cand = calloc(total ? total : 1, sizeof *cand);
    if (!cand) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto done;
    }
    float sx = (float)img->width / (float)rw, sy = (float)img->height / (float)rh;
    int kept = 0;
    for (int k = 0; k < 3; k++) {
        int stride = sc_strides[k];
        int cols = tw / stride, rows = th / stride;
        const vg_tensor *score = &out[s->idx_score[k]], *bbox = &out[s->idx_bbox[k]];
        const vg_tensor *kps = &out[s->idx_kps[k]];
        size_t anchors = (size_t)cols * (size_t)rows * SC_ANCHORS;
        if (score->count != anchors || bbox->count != anchors * 4 || kps->count != anchors * 10) {
            st = vg_err_set(err, VG_ERR_MODEL, "SCRFD output for stride %d has an unexpected size",
                            stride);
            goto done;
        }
        const float fs = (float)stride;
        for (size_t i = 0; i < anchors; i++) {
            float sc = score->data[i];
            if (!(sc > threshold))
                continue;
            size_t cell = i / SC_ANCHORS;
            float ax = (float)(cell % (size_t)cols) * fs, ay = (float)(cell / (size_t)cols) * fs;
            const float *b = &bbox->data[4 * i];
            vg_face *f = &cand[kept];
            f->x1 = fmaxf(0.0f, (ax - b[0] * fs) * sx);
            f->y1 = fmaxf(0.0f, (ay - b[1] * fs) * sy);
            f->x2 = fminf((float)img->width, (ax + b[2] * fs) * sx);
            f->y2 = fminf((float)img->height, (ay + b[3] * fs) * sy);
            f->score = fminf(sc, 1.0f);
            for (int j = 0; j < VG_LM_COUNT; j++) {
                f->lm[j].x = (ax + kps->data[10 * i + 2 * j] * fs) * sx;
                f->lm[j].y = (ay + kps->data[10 * i + 2 * j + 1] * fs) * sy;
            }
            if (f->x2 - f->x1 >= 2 && f->y2 - f->y1 >= 2)
                kept++;
        }
    }
    *n = vg_detector_nms(cand, kept, SC_NMS_IOU, s->p.max_faces);
    *faces = cand;
    cand = NULL;
done:
    free(cand);
    for (int i = 0; i < n_out; i++)
        vg_tensor_release(&out[i]);
    return st;
}

static const char *sc_model_path(const void *state, int index)
{
    const sc_state *s = state;
    return index == 0 ? s->path : NULL;
}

const vg_detector_backend vg_detector_scrfd = {
    .name = "scrfd",
    .has_landmarks = 1,
    .open = sc_open,
    .close = sc_close,
    .detect = sc_detect,
    .model_path = sc_model_path,
};
