/* det_strided.c — the shared part of the per-stride detectors (YuNet,
 * SCRFD): model checks on opening, and the scaled, padded inference
 * (det_strided.h). */
#include "face/det_strided.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRIDED_MIN_INPUT_FACE 16.0f
#define STRIDED_MAX_SIDE 640.0f

const int vg_strided_strides[3] = {8, 16, 32};

void vg_strided_close(void *state)
{
    vg_strided *s = state;
    if (!s)
        return;
    vg_infer_session_close(s->session);
    free(s);
}

const char *vg_strided_model_path(const void *state, int index)
{
    const vg_strided *s = state;
    return index == 0 ? s->path : NULL;
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

/* "cls_, obj_, bbox_, kps_" */
static void output_list(const vg_strided_spec *spec, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int k = 0; spec->outputs[k]; k++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s_", k ? ", " : "", spec->outputs[k]);
    }
}

vg_status vg_strided_open(const vg_strided_spec *spec, vg_infer_env *env, const char *path,
                          const vg_detector_params *p, vg_strided **out, vg_err *err)
{
    *out = NULL;
    if (!path)
        return vg_err_set(err, VG_ERR_INVALID, "the %s detector needs a model file: --detector %s:PATH",
                          spec->flag, spec->flag);
    vg_strided *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    s->p = *p;
    if (s->p.threshold <= 0)
        s->p.threshold = spec->default_threshold;
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
                        "%s: not %s %s model (needs a 1x3xHxW input, H and W free or multiples of 32)", path,
                        spec->article, spec->name);
    if (!st && shape[2] > 0) {
        s->fixed_h = (int)shape[2];
        s->fixed_w = (int)shape[3];
    }
    for (int k = 0; !st && spec->outputs[k]; k++)
        for (int i = 0; !st && i < 3; i++)
            if ((s->idx[k][i] = output_index(s->session, spec->outputs[k], vg_strided_strides[i])) < 0) {
                char list[64];
                output_list(spec, list, sizeof list);
                st = vg_err_set(err, VG_ERR_UNSUPPORTED,
                                "%s: not %s %s model (needs outputs %s for strides 8, 16, 32)", path,
                                spec->article, spec->name, list);
            }
    if (st) {
        vg_strided_close(s);
        return st;
    }
    *out = s;
    return VG_OK;
}

vg_status vg_strided_infer(const vg_strided *s, const vg_image *img, float mean, float scale, float pad, int bgr,
                           vg_strided_run *run, vg_err *err)
{
    memset(run, 0, sizeof *run);
    float f;
    if (s->fixed_w) {
        f = fminf((float)s->fixed_w / (float)img->width, (float)s->fixed_h / (float)img->height);
    } else {
        float longer = (float)(img->width > img->height ? img->width : img->height);
        f = fminf(1.0f, fmaxf(STRIDED_MAX_SIDE / longer, STRIDED_MIN_INPUT_FACE / (float)s->p.min_face));
    }
    int rw = (int)lroundf((float)img->width * f), rh = (int)lroundf((float)img->height * f);
    rw = rw < 1 ? 1 : rw;
    rh = rh < 1 ? 1 : rh;
    int tw = s->fixed_w ? s->fixed_w : (rw + 31) / 32 * 32;
    int th = s->fixed_h ? s->fixed_h : (rh + 31) / 32 * 32;
    rw = rw > tw ? tw : rw;
    rh = rh > th ? th : rh;

    float *input = malloc((size_t)tw * (size_t)th * 3 * sizeof(float));
    if (!input)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_status st = vg_detector_image_to_tensor(img, rw, rh, tw, th, mean, scale, pad, bgr, input, err);
    if (!st) {
        int64_t shape[4] = {1, 3, th, tw};
        st = vg_infer_run(s->session, input, shape, 4, run->out, err);
    }
    free(input);
    if (st)
        return st;
    run->n_out = vg_infer_output_count(s->session);
    run->tw = tw;
    run->th = th;
    run->sx = (float)img->width / (float)rw;
    run->sy = (float)img->height / (float)rh;
    return VG_OK;
}

void vg_strided_release(vg_strided_run *run)
{
    for (int i = 0; i < run->n_out; i++)
        vg_tensor_release(&run->out[i]);
    run->n_out = 0;
}
