/* detector.c — the table of detector backends and what they share: NMS,
 * sorting by score, and turning an image into a planar float tensor. */
#include "face/detector.h"

#include <stdlib.h>
#include <string.h>

extern const vg_detector_backend vg_detector_ultraface;
extern const vg_detector_backend vg_detector_yunet;
extern const vg_detector_backend vg_detector_scrfd;

static const vg_detector_backend *const backends[] = {
    &vg_detector_ultraface,
    &vg_detector_yunet,
    &vg_detector_scrfd,
};

const vg_detector_backend *vg_detector_find(const char *name)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strcmp(backends[i]->name, name) == 0)
            return backends[i];
    return NULL;
}

const char *vg_detector_names(void)
{
    return "ultraface, yunet, scrfd";
}

static int by_score(const void *a, const void *b)
{
    const vg_face *fa = a, *fb = b;
    if (fa->score != fb->score)
        return fa->score < fb->score ? 1 : -1;
    if (fa->y1 != fb->y1)
        return fa->y1 < fb->y1 ? -1 : 1;
    return fa->x1 < fb->x1 ? -1 : fa->x1 > fb->x1;
}

void vg_detector_sort(vg_face *faces, int n)
{
    if (n > 1)
        qsort(faces, (size_t)n, sizeof *faces, by_score);
}

float vg_detector_iou(const vg_face *a, const vg_face *b)
{
    float ix = (a->x2 < b->x2 ? a->x2 : b->x2) - (a->x1 > b->x1 ? a->x1 : b->x1);
    float iy = (a->y2 < b->y2 ? a->y2 : b->y2) - (a->y1 > b->y1 ? a->y1 : b->y1);
    if (ix <= 0 || iy <= 0)
        return 0;
    float inter = ix * iy;
    float ua = (a->x2 - a->x1) * (a->y2 - a->y1) + (b->x2 - b->x1) * (b->y2 - b->y1) - inter;
    return ua > 0 ? inter / ua : 0;
}

int vg_detector_nms(vg_face *faces, int n, float thresh, int max_out)
{
    vg_detector_sort(faces, n);
    int kept = 0;
    for (int i = 0; i < n && kept < max_out; i++) {
        int suppressed = 0;
        for (int j = 0; j < kept && !suppressed; j++)
            suppressed = vg_detector_iou(&faces[i], &faces[j]) > thresh;
        if (!suppressed)
            faces[kept++] = faces[i];
    }
    return kept;
}

vg_status vg_detector_image_to_tensor(const vg_image *img, int rw, int rh, int tw, int th, float mean,
                                      float scale, float pad, int bgr, float *out, vg_err *err)
{
    if (rw < 1 || rh < 1 || rw > tw || rh > th)
        return vg_err_set(err, VG_ERR_INTERNAL, "tensor %dx%d cannot hold %dx%d", tw, th, rw, rh);
    size_t plane = (size_t)tw * (size_t)th;
    float *planes[3] = {out, out + plane, out + 2 * plane};
    if (bgr) {
        planes[0] = out + 2 * plane;
        planes[2] = out;
    }
    vg_status st = vg_image_resize_planar(img, rw, rh, planes, tw, err);
    if (st)
        return st;
    /* swscale wrote p / 255: map to (p - mean) * scale, pad the rest */
    const float a = 255.0f * scale, b = -mean * scale;
    for (int c = 0; c < 3; c++) {
        float *dst = out + plane * (size_t)c;
        for (int y = 0; y < th; y++) {
            float *row = dst + (size_t)y * (size_t)tw;
            int x = 0;
            if (y < rh)
                for (; x < rw; x++)
                    row[x] = row[x] * a + b;
            for (; x < tw; x++)
                row[x] = pad;
        }
    }
    return VG_OK;
}
