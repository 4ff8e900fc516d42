/* det_ultraface.c — the Ultra-Light-Fast-Generic-Face-Detector (RFB) backend,
 * the default pack's detector.
 *
 * The graph has a fixed input and decodes its boxes against priors baked in
 * for that size. The default pack has two copies of the same weights:
 * fr_detect.onnx (320x240) and fr_detect_960x544.onnx (rebuilt by bootstrap
 * with regenerated priors). Each frame goes to the smallest input at which a
 * face of min_face source pixels is still >= 16 input pixels (the model
 * misses faces under about that), letterboxed: aspect kept, padded with zeros.
 * Preprocessing (p - 127) / 128 RGB; outputs scores [1,N,2] (column 1 is the
 * face probability) and boxes [1,N,4] normalised x1,y1,x2,y2; NMS IoU 0.4.
 */
#include "face/detector.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UF_MAX_SESSIONS 4
/* Asking 20 sent a 250 px LFW photo at --min-face 20 (enrolment's) to the
 * 960x544 model, blown up 2.2 times, where its face got a box cut off at
 * the mouth and a template its own photo matched at 0.23; at 16 it stays in
 * 320x240 (0.96 times), as at the default --min-face. */
#define UF_MIN_INPUT_FACE 16.0f
#define UF_DEFAULT_THRESHOLD 0.75f
#define UF_NMS_IOU 0.4f

typedef struct uf_model {
    vg_infer_session *session;
    int width, height;
    char path[1024];
} uf_model;

#define UF_SPARE_TENSORS 8

typedef struct uf_state {
    uf_model models[UF_MAX_SESSIONS];
    int n_models;
    vg_detector_params p;
    /* input tensors kept for reuse (several threads detect at once): a
     * fresh 6 MB buffer per 1080p frame costs its page faults every time */
    pthread_mutex_t spare_lock;
    float *spare[UF_SPARE_TENSORS];
    int n_spare;
    size_t tensor_floats;  /* size of every tensor: the largest model's */
} uf_state;

static float *tensor_take(uf_state *s)
{
    float *t = NULL;
    pthread_mutex_lock(&s->spare_lock);
    if (s->n_spare > 0)
        t = s->spare[--s->n_spare];
    pthread_mutex_unlock(&s->spare_lock);
    return t ? t : malloc(s->tensor_floats * sizeof(float));
}

static void tensor_give(uf_state *s, float *t)
{
    pthread_mutex_lock(&s->spare_lock);
    if (s->n_spare < UF_SPARE_TENSORS) {
        s->spare[s->n_spare++] = t;
        t = NULL;
    }
    pthread_mutex_unlock(&s->spare_lock);
    free(t);
}

static void uf_close(void *state)
{
    uf_state *s = state;
    if (!s)
        return;
    for (int i = 0; i < s->n_models; i++)
        vg_infer_session_close(s->models[i].session);
    for (int i = 0; i < s->n_spare; i++)
        free(s->spare[i]);
    pthread_mutex_destroy(&s->spare_lock);
    free(s);
}

static vg_status uf_add(uf_state *s, vg_infer_env *env, const char *path, vg_err *err)
{
    uf_model *m = &s->models[s->n_models];
    vg_status st = vg_infer_session_open(env, path, s->p.threads, &m->session, err);
    if (st)
        return st;
    int64_t shape[VG_TENSOR_MAX_DIMS];
    int nd = 0;
    st = vg_infer_input_shape(m->session, shape, &nd, err);
    if (!st && (nd != 4 || shape[1] != 3 || shape[2] <= 0 || shape[3] <= 0))
        st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                        "%s: not an Ultra-Light RFB detector (needs a fixed 1x3xHxW input)", path);
    if (!st && (vg_infer_output_count(m->session) != 2 ||
                strcmp(vg_infer_output_name(m->session, 0), "scores") != 0 ||
                strcmp(vg_infer_output_name(m->session, 1), "boxes") != 0))
        st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                        "%s: not an Ultra-Light RFB detector (needs outputs scores, boxes)", path);
    if (st) {
        vg_infer_session_close(m->session);
        m->session = NULL;
        return st;
    }
    m->height = (int)shape[2];
    m->width = (int)shape[3];
    snprintf(m->path, sizeof m->path, "%s", path);
    s->n_models++;
    /* keep ascending by input area */
    for (int i = s->n_models - 1; i > 0 && (long)s->models[i].width * s->models[i].height <
                                               (long)s->models[i - 1].width * s->models[i - 1].height; i--) {
        uf_model t = s->models[i];
        s->models[i] = s->models[i - 1];
        s->models[i - 1] = t;
    }
    return VG_OK;
}

static vg_status uf_open(vg_infer_env *env, const char *models_dir, const char *path,
                         const vg_detector_params *p, void **state, vg_err *err)
{
    uf_state *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    s->p = *p;
    pthread_mutex_init(&s->spare_lock, NULL);
    if (s->p.threshold <= 0)
        s->p.threshold = UF_DEFAULT_THRESHOLD;
    vg_status st;
    if (path) {
        st = uf_add(s, env, path, err);
    } else {
        static const char *const files[] = {"fr_detect.onnx", "fr_detect_960x544.onnx"};
        st = VG_OK;
        for (size_t i = 0; !st && i < sizeof files / sizeof files[0]; i++) {
            char full[1024];
            snprintf(full, sizeof full, "%s/%s", models_dir, files[i]);
            st = uf_add(s, env, full, err);
        }
    }
    if (st) {
        uf_close(s);
        return st;
    }
    for (int i = 0; i < s->n_models; i++) {
        size_t need = (size_t)s->models[i].width * (size_t)s->models[i].height * 3;
        if (need > s->tensor_floats)
            s->tensor_floats = need;
    }
    *state = s;
    return VG_OK;
}

/* The model to use for an image: the smallest whose letterbox scale keeps a
 * min_face face at UF_MIN_INPUT_FACE input pixels or more. */
static const uf_model *uf_pick(const uf_state *s, const vg_image *img, float *scale)
{
    float need = UF_MIN_INPUT_FACE / (float)s->p.min_face;
    if (need > 1)
        need = 1;
    const uf_model *m = &s->models[s->n_models - 1];
    for (int i = 0; i < s->n_models; i++) {
        const uf_model *c = &s->models[i];
        float fit = fminf((float)c->width / (float)img->width, (float)c->height / (float)img->height);
        if (fit >= need) {
            m = c;
            break;
        }
    }
    *scale = fminf((float)m->width / (float)img->width, (float)m->height / (float)img->height);
    return m;
}

static vg_status uf_detect(void *state, const vg_image *img, float threshold_scale, vg_face **faces, int *n,
                          vg_err *err)
{
    uf_state *s = state;
    float threshold = s->p.threshold * threshold_scale;
    *faces = NULL;
    *n = 0;
    float scale;
    const uf_model *m = uf_pick(s, img, &scale);
    int rw = (int)lroundf((float)img->width * scale), rh = (int)lroundf((float)img->height * scale);
    rw = rw < 1 ? 1 : rw > m->width ? m->width : rw;
    rh = rh < 1 ? 1 : rh > m->height ? m->height : rh;

    float *input = tensor_take(s);
    if (!input)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_status st = vg_detector_image_to_tensor(img, rw, rh, m->width, m->height, 127.0f, 1.0f / 128.0f,
                                               0.0f, 0, input, err);
    if (st) {
        tensor_give(s, input);
        return st;
    }

    int64_t shape[4] = {1, 3, m->height, m->width};
    vg_tensor out[2];
    st = vg_infer_run(m->session, input, shape, 4, out, err);
    tensor_give(s, input);
    if (st)
        return st;
    size_t count = out[0].count / 2;
    if (out[1].count != count * 4) {
        vg_tensor_release(&out[0]);
        vg_tensor_release(&out[1]);
        return vg_err_set(err, VG_ERR_MODEL, "detector outputs disagree: %zu scores, %zu box values",
                          out[0].count, out[1].count);
    }
    size_t above = 0;
    for (size_t i = 0; i < count; i++)
        above += out[0].data[2 * i + 1] > threshold;
    vg_face *cand = calloc(above ? above : 1, sizeof *cand);
    if (!cand) {
        vg_tensor_release(&out[0]);
        vg_tensor_release(&out[1]);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    /* normalised input coordinates -> source pixels */
    float sx = (float)m->width * (float)img->width / (float)rw;
    float sy = (float)m->height * (float)img->height / (float)rh;
    int k = 0;
    for (size_t i = 0; i < count; i++) {
        float score = out[0].data[2 * i + 1];
        if (!(score > threshold))
            continue;
        const float *b = &out[1].data[4 * i];
        vg_face *f = &cand[k];
        f->x1 = fmaxf(0.0f, b[0] * sx);
        f->y1 = fmaxf(0.0f, b[1] * sy);
        f->x2 = fminf((float)img->width, b[2] * sx);
        f->y2 = fminf((float)img->height, b[3] * sy);
        f->score = score;
        if (f->x2 - f->x1 >= 2 && f->y2 - f->y1 >= 2)
            k++;
    }
    vg_tensor_release(&out[0]);
    vg_tensor_release(&out[1]);
    *n = vg_detector_nms(cand, k, UF_NMS_IOU, s->p.max_faces);
    *faces = cand;
    return VG_OK;
}

static const char *uf_model_path(const void *state, int index)
{
    const uf_state *s = state;
    return index >= 0 && index < s->n_models ? s->models[index].path : NULL;
}

const vg_detector_backend vg_detector_ultraface = {
    .name = "ultraface",
    .has_landmarks = 0,
    .open = uf_open,
    .close = uf_close,
    .detect = uf_detect,
    .model_path = uf_model_path,
};
