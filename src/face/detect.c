/* detect.c — the detection pipeline on one image: the detector backend,
 * faces under min_face dropped, 68-point landmarks where the backend has no
 * points of its own, alignment, and the quality score. */
#include "vigil/face.h"

#include <stdlib.h>

#include "face/landmark.h"
#include "face/pack_internal.h"
#include "face/quality.h"

vg_status vg_face_detect(const vg_face_pack *pack, const vg_image *img, vg_face **faces, int *n,
                         vg_err *err)
{
    *faces = NULL;
    *n = 0;
    if (!img || img->width <= 0 || img->height <= 0 || !img->data)
        return vg_err_set(err, VG_ERR_INVALID, "no image");
    vg_face *f = NULL;
    int count = 0;
    vg_status st = pack->det->detect(pack->det_state, img, 1.0f, &f, &count, err);
    if (st)
        return st;
    /* faces under min_face are not reported: at that size the detector's
     * false positives on texture outnumber real faces */
    int kept = 0;
    for (int i = 0; i < count; i++)
        if (f[i].y2 - f[i].y1 >= (float)pack->min_face)
            f[kept++] = f[i];
    count = kept;
    for (int i = 0; i < count && !st; i++) {
        if (pack->landmark) {
            vg_point p68[68];
            st = vg_landmark_68(pack->landmark, img, &f[i], p68, err);
            if (st)
                break;
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
    if (st) {
        free(f);
        return st;
    }
    *faces = f;
    *n = count;
    return VG_OK;
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
    vg_face *f = NULL;
    int count = 0;
    vg_status st = pack->det->detect(pack->det_state, img, sensitivity, &f, &count, err);
    if (st)
        return st;
    int kept = 0;
    for (int i = 0; i < count; i++)
        if (f[i].y2 - f[i].y1 >= (float)min_height)
            f[kept++] = f[i];
    *faces = f;
    *n = kept;
    return VG_OK;
}

