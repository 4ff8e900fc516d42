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
#include "face/det_strided.h"

#include <math.h>
#include <stdlib.h>

#define SC_NMS_IOU 0.4f
#define SC_ANCHORS 2
#define SC_MEAN 127.5f
#define SC_SCALE (1.0f / 128.0f)

enum { SC_SCORE, SC_BBOX, SC_KPS };

static const vg_strided_spec sc_spec = {"SCRFD", "scrfd", "an", 0.5f, {"score", "bbox", "kps", NULL}};

static vg_status sc_open(vg_infer_env *env, const char *models_dir, const char *path,
                         const vg_detector_params *p, void **state, vg_err *err)
{
    (void)models_dir;
    return vg_strided_open(&sc_spec, env, path, p, (vg_strided **)state, err);
}

static vg_status sc_detect(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                           vg_err *err)
{
    const vg_strided *s = state;
    float threshold = s->p.threshold * threshold_scale;
    *faces = NULL;
    *n = 0;
    vg_strided_run run;
    vg_status st = vg_strided_infer(s, img, SC_MEAN, SC_SCALE, -SC_MEAN * SC_SCALE, 0, &run, err);
    if (st)
        return st;
    const vg_tensor *out = run.out;
    int tw = run.tw, th = run.th;
    float sx = run.sx, sy = run.sy;
    size_t total = 0;
    for (int k = 0; k < 3; k++)
        total += out[s->idx[SC_SCORE][k]].count;
    vg_face *cand = calloc(total ? total : 1, sizeof *cand);
    if (!cand) {
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        goto done;
    }
    int kept = 0;
    for (int k = 0; k < 3; k++) {
        int stride = vg_strided_strides[k];
        int cols = tw / stride, rows = th / stride;
        const vg_tensor *score = &out[s->idx[SC_SCORE][k]], *bbox = &out[s->idx[SC_BBOX][k]];
        const vg_tensor *kps = &out[s->idx[SC_KPS][k]];
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
    vg_strided_release(&run);
    return st;
}

const vg_detector_backend vg_detector_scrfd = {
    .name = "scrfd",
    .has_landmarks = 1,
    .open = sc_open,
    .close = vg_strided_close,
    .detect = sc_detect,
    .model_path = vg_strided_model_path,
};
