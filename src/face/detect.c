/* detect.c — the detection pipeline on one image: the detector backend,
 * a second pass for faces that fill the image, nested boxes merged, faces
 * under min_face dropped, 68-point landmarks where the backend has no points
 * of its own, alignment, and the quality score.
 *
 * The context pass: detectors are trained on faces with context around
 * them, and the default one has no prior larger than 256 input pixels. A
 * close-up portrait or a tight crop gives none, or several nested boxes on
 * the one face. So the image is also shrunk into the middle of a grey canvas
 * (1 + 2 * DET_CONTEXT_MARGIN times its size, at most the backend's smallest
 * input) and detected again; the two passes' boxes are merged. Stills always
 * get it; the engine asks for it on some frames only (vg_face_detect_frame).
 */
#include "vigil/face.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face/faceness.h"
#include "face/landmark.h"
#include "face/pack_internal.h"
#include "face/quality.h"

#define DET_CONTEXT_MARGIN 0.5f  /* grey border on each side, as a fraction of the image */
#define DET_CONTEXT_W 320        /* the canvas fits in the default detector's small input */
#define DET_CONTEXT_H 240
#define DET_MERGE_IOU 0.4f
#define DET_FIRST_MAX_H 200      /* source pixels: see preferred() */
#define DET_NESTED 0.4f          /* a box this much inside another face's box is that face */

/* Which pass's box speaks for a face when two score alike: the first pass
 * sees the image at full resolution, the context pass at a fraction of it,
 * but the first pass has no prior for a face over about 256 input pixels:
 * above DET_FIRST_MAX_H source pixels, the context pass's box is the whole
 * face and the first pass's may be a part of it. */
static int preferred(const vg_face *f)
{
    int big = f->y2 - f->y1 > DET_FIRST_MAX_H;
    return f->check.context_pass == big;
}

/* Merge order: faces that passed the faceness check first, then score to
 * the hundredth, then the preferred pass's box, then score. */
static int merge_order(const void *pa, const void *pb)
{
    const vg_face *a = pa, *b = pb;
    if (a->check.is_face != b->check.is_face)
        return a->check.is_face ? -1 : 1;
    long ra = lroundf(a->score * 100), rb = lroundf(b->score * 100);
    if (ra != rb)
        return ra > rb ? -1 : 1;
    int pa_ = preferred(a), pb_ = preferred(b);
    if (pa_ != pb_)
        return pa_ ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return 0;
}

static float overlap_of_smaller(const vg_face *a, const vg_face *b)
{
    float ix = fminf(a->x2, b->x2) - fmaxf(a->x1, b->x1);
    float iy = fminf(a->y2, b->y2) - fmaxf(a->y1, b->y1);
    if (ix <= 0 || iy <= 0)
        return 0;
    float aa = (a->x2 - a->x1) * (a->y2 - a->y1), ab = (b->x2 - b->x1) * (b->y2 - b->y1);
    float small = fminf(aa, ab);
    return small > 0 ? ix * iy / small : 0;
}

/* Of every group of boxes that overlap (nested 0: by IoU over DET_MERGE_IOU;
 * 1: one lies mostly inside the other, which IoU misses for a box on part of
 * a face), keeps the first in merge order; the result is sorted by score.
 * One face, one box. */
static int merge_boxes(vg_face *f, int n, int max_out, int nested)
{
    if (n > 1)
        qsort(f, (size_t)n, sizeof *f, merge_order);
    int kept = 0;
    for (int i = 0; i < n && kept < max_out; i++) {
        int same = 0;
        for (int j = 0; j < kept && !same; j++)
            same = nested ? overlap_of_smaller(&f[i], &f[j]) > DET_NESTED : vg_detector_iou(&f[i], &f[j]) > DET_MERGE_IOU;
        if (!same)
            f[kept++] = f[i];
    }
    vg_detector_sort(f, kept);
    return kept;
}

/* Detects on the image shrunk into the middle of a grey canvas; boxes and
 * points come back in source pixels, appended to *all. */
static vg_status context_pass(const vg_face_pack *pack, const vg_image *img, float threshold_scale,
                              vg_face **all, int *n_all, vg_err *err)
{
    float grow = 1.0f + 2.0f * DET_CONTEXT_MARGIN;
    float k = fminf((float)DET_CONTEXT_W / (grow * (float)img->width),
                    (float)DET_CONTEXT_H / (grow * (float)img->height));
    if (k > 1)
        k = 1;
    int w = (int)lroundf((float)img->width * k), h = (int)lroundf((float)img->height * k);
    w = w < 1 ? 1 : w;
    h = h < 1 ? 1 : h;
    int cw = (int)lroundf((float)w * grow), ch = (int)lroundf((float)h * grow);
    int ox = (cw - w) / 2, oy = (ch - h) / 2;
    vg_image *small = NULL, *canvas = NULL;
    vg_status st = vg_image_resize(img, w, h, &small, err);
    if (!st)
        st = vg_image_new(cw, ch, &canvas, err);
    if (st) {
        vg_image_free(small);
        return st;
    }
    for (int y = 0; y < ch; y++)
        memset(canvas->data + (size_t)y * (size_t)canvas->stride, 127, (size_t)cw * 3);
    for (int y = 0; y < h; y++)
        memcpy(canvas->data + (size_t)(y + oy) * (size_t)canvas->stride + (size_t)ox * 3,
               small->data + (size_t)y * (size_t)small->stride, (size_t)w * 3);
    vg_image_free(small);
    vg_face *f = NULL;
    int count = 0;
    st = pack->det->detect(pack->det_state, canvas, threshold_scale, &f, &count, err);
    vg_image_free(canvas);
    if (st)
        return st;
    if (count > 0) {
        vg_face *grown = realloc(*all, (size_t)(*n_all + count) * sizeof *grown);
        if (!grown) {
            free(f);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
        *all = grown;
        float sx = (float)img->width / (float)w, sy = (float)img->height / (float)h;
        for (int i = 0; i < count; i++) {
            vg_face g = f[i];
            g.x1 = fmaxf(0, (g.x1 - (float)ox) * sx);
            g.x2 = fminf((float)img->width, (g.x2 - (float)ox) * sx);
            g.y1 = fmaxf(0, (g.y1 - (float)oy) * sy);
            g.y2 = fminf((float)img->height, (g.y2 - (float)oy) * sy);
            for (int p = 0; p < VG_LM_COUNT; p++) {
                g.lm[p].x = (g.lm[p].x - (float)ox) * sx;
                g.lm[p].y = (g.lm[p].y - (float)oy) * sy;
            }
            g.check.context_pass = 1;
            if (g.x2 - g.x1 >= 2 && g.y2 - g.y1 >= 2)
                (*all)[(*n_all)++] = g;
        }
    }
    free(f);
    return VG_OK;
}

/* Both passes' boxes, at least min_height tall; merge 1: by IoU, 2: nested
 * boxes too. */
static vg_status find_boxes(const vg_face_pack *pack, const vg_image *img, float threshold_scale, int context,
                            int merge, int min_height, vg_face **faces, int *n, vg_err *err)
{
    vg_face *f = NULL;
    int count = 0;
    vg_status st = pack->det->detect(pack->det_state, img, threshold_scale, &f, &count, err);
    if (!st && context)
        st = context_pass(pack, img, threshold_scale, &f, &count, err);
    if (st) {
        free(f);
        return st;
    }
    int kept = 0;
    for (int i = 0; i < count; i++)
        if (f[i].y2 - f[i].y1 >= (float)min_height)
            f[kept++] = f[i];
    count = kept;
    if (merge)
        count = merge_boxes(f, count, count, 0);
    if (merge > 1)
        count = merge_boxes(f, count, pack->max_faces, 1);
    *faces = f;
    *n = count;
    return VG_OK;
}

/* Landmarks (where the backend has none), alignment and quality. */
static vg_status describe(const vg_face_pack *pack, const vg_image *img, vg_face *f, int count, vg_err *err)
{
    for (int i = 0; i < count; i++) {
        if (pack->landmark) {
            vg_point p68[68];
            vg_status st = vg_landmark_fit(pack->landmark, img, &f[i], pack->landmark_fit, p68, err);
            if (st)
                return st;
            vg_landmark_68_to_5(p68, f[i].lm);
        }
        vg_image *aligned = NULL;
        if (vg_face_align(img, f[i].lm, &aligned, NULL) == VG_OK) {
            vg_face_quality_measure(aligned, &f[i]);
            vg_image_free(aligned);
        } else {
            vg_face_quality_measure(NULL, &f[i]);
        }
    }
    return VG_OK;
}

/* Detection, landmarks and quality; with check, only the boxes that pass
 * the faceness check are kept. */
static vg_status detect_faces(const vg_face_pack *pack, const vg_image *img, int context, int check,
                              vg_face **faces, int *n, vg_err *err)
{
    *faces = NULL;
    *n = 0;
    if (!img || img->width <= 0 || img->height <= 0 || !img->data)
        return vg_err_set(err, VG_ERR_INVALID, "no image");
    vg_face *f = NULL;
    int count = 0;
    /* faces under min_face are not reported: at that size the detector's
     * false positives on texture outnumber real faces */
    vg_status st = find_boxes(pack, img, 1.0f, context, check ? 1 : 2, pack->min_face, &f, &count, err);
    if (!st)
        st = describe(pack, img, f, count, err);
    if (!st && check) {
        int kept = 0;
        for (int i = 0; i < count && !st; i++) {
            st = vg_faceness_measure(pack, img, &f[i], err);
            if (!st && f[i].check.is_face)
                f[kept++] = f[i];
        }
        /* nested boxes merged only now: a box on part of a face may score
         * as high as the whole face's, but fails the check */
        count = merge_boxes(f, kept, pack->max_faces, 1);
    }
    if (st) {
        free(f);
        return st;
    }
    *faces = f;
    *n = count;
    return VG_OK;
}

vg_status vg_face_describe_frame(const vg_face_pack *pack, const vg_image *img, vg_face *faces, int n, vg_err *err)
{
    return describe(pack, img, faces, n, err);
}

int vg_face_merge_frame(const vg_face_pack *pack, vg_face *faces, int n)
{
    int count = merge_boxes(faces, n, n, 0);
    return merge_boxes(faces, count, pack->max_faces, 1);
}

vg_status vg_face_detect_frame(const vg_face_pack *pack, const vg_image *img, int context, vg_face **faces,
                               int *n, vg_err *err)
{
    return detect_faces(pack, img, context, 0, faces, n, err);
}

vg_status vg_face_detect(const vg_face_pack *pack, const vg_image *img, vg_face **faces, int *n,
                         vg_err *err)
{
    return detect_faces(pack, img, 1, 1, faces, n, err);
}

vg_status vg_face_check_face(const vg_face_pack *pack, const vg_image *img, vg_face *face, vg_err *err)
{
    if (!img || img->width <= 0 || img->height <= 0 || !img->data || !face)
        return vg_err_set(err, VG_ERR_INVALID, "no image or face");
    return vg_faceness_measure(pack, img, face, err);
}

vg_status vg_face_detect_boxes(const vg_face_pack *pack, const vg_image *img, float sensitivity, int min_height,
                               vg_face **faces, int *n, vg_err *err)
{
    *faces = NULL;
    *n = 0;
    if (!img || img->width <= 0 || img->height <= 0 || !img->data)
        return vg_err_set(err, VG_ERR_INVALID, "no image");
    if (!(sensitivity > 0 && sensitivity <= 1) || min_height < 1)
        return vg_err_set(err, VG_ERR_INVALID, "sensitivity must be in (0, 1] and min_height at least 1");
    return find_boxes(pack, img, sensitivity, 0, 0, min_height, faces, n, err);
}
