/* faceness.c — is a detected box a face? The default detector gives 0.9 and
 * more to a cat, coins, text and a motorcycle's headlamp; its 68-point
 * landmarker and the detector itself, asked again in a better framing,
 * tell them apart from faces:
 *
 *   re-detection  the box's five points define where a face's eyes, nose
 *                 and mouth are; the image is warped so that they fall on
 *                 the 112x112 reference, in the middle of a 240x240 canvas
 *                 with the real surroundings as context. A face is then
 *                 upright, centred and framed as the detector was trained:
 *                 it scores about 1. A texture that only looked like a face
 *                 at one scale and position does not.
 *   drift         the landmarker is run again on the square box its own 68
 *                 points span; on a face the points stay put (median 0.03
 *                 eye distances on LFW), on anything else they wander.
 *
 * Both are measured per box only where it matters (stills, and the engine's
 * embedding of a track's best shot), not on every face of every frame.
 */
#include "face/faceness.h"

#include <math.h>
#include <stdlib.h>

#include "face/align.h"
#include "face/landmark.h"

#define RD_CANVAS 240
#define RD_OFFSET 64.0f     /* the reference face's offset in the canvas */
#define RD_CX 120.0f        /* where the re-detected box's centre should be */
#define RD_CY 130.0f
#define RD_TOL_X 30.0f
#define RD_TOL_Y 35.0f
#define RD_MIN_H 60.0f
#define RD_MAX_H 200.0f
#define RD_LOW 0.02f        /* report boxes down to this fraction of the threshold */

static vg_status redetect(const vg_face_pack *pack, const vg_image *img, const vg_face *f, float *score,
                          vg_err *err)
{
    vg_point dst[VG_LM_COUNT];
    const vg_point *ref = vg_face_reference_points();
    for (int i = 0; i < VG_LM_COUNT; i++) {
        dst[i].x = ref[i].x + RD_OFFSET;
        dst[i].y = ref[i].y + RD_OFFSET;
    }
    *score = 0;
    vg_image *canvas = NULL;
    vg_err werr;
    vg_status st = vg_face_warp_to(img, f->lm, dst, RD_CANVAS, RD_CANVAS, &canvas, &werr);
    if (st == VG_ERR_INVALID)
        return VG_OK; /* degenerate points: no face there */
    if (st)
        return vg_err_set(err, st, "%s", werr.msg);
    vg_face *g = NULL;
    int n = 0;
    st = pack->det->detect(pack->det_state, canvas, RD_LOW, &g, &n, err);
    vg_image_free(canvas);
    if (st)
        return st;
    for (int i = 0; i < n; i++) {
        float cx = (g[i].x1 + g[i].x2) / 2, cy = (g[i].y1 + g[i].y2) / 2, h = g[i].y2 - g[i].y1;
        if (fabsf(cx - RD_CX) < RD_TOL_X && fabsf(cy - RD_CY) < RD_TOL_Y && h > RD_MIN_H && h < RD_MAX_H &&
            g[i].score > *score)
            *score = g[i].score;
    }
    free(g);
    return VG_OK;
}

static vg_status drift(const vg_face_pack *pack, const vg_image *img, const vg_face *f, float *out, vg_err *err)
{
    *out = -1;
    if (!pack->landmark)
        return VG_OK;
    vg_point p1[68], p2[68];
    vg_status st = vg_landmark_68(pack->landmark, img, f, p1, err);
    if (st)
        return st;
    vg_face b = *f;
    vg_landmark_box_of(p1, &b);
    if (vg_landmark_68(pack->landmark, img, &b, p2, NULL) != VG_OK) {
        *out = 1; /* the points left the image: they wandered */
        return VG_OK;
    }
    float ex = f->lm[VG_LM_EYE_R].x - f->lm[VG_LM_EYE_L].x, ey = f->lm[VG_LM_EYE_R].y - f->lm[VG_LM_EYE_L].y;
    double eye = sqrt((double)ex * ex + (double)ey * ey), d = 0;
    for (int k = 0; k < 68; k++)
        d += hypot(p1[k].x - p2[k].x, p1[k].y - p2[k].y);
    *out = (float)(d / 68 / (eye > 1 ? eye : 1));
    return VG_OK;
}

vg_status vg_faceness_measure(const vg_face_pack *pack, const vg_image *img, vg_face *f, vg_err *err)
{
    vg_status st = redetect(pack, img, f, &f->check.redetect, err);
    if (!st)
        st = drift(pack, img, f, &f->check.drift, err);
    if (st)
        return st;
    f->check.measured = 1;
    float rd = f->check.redetect, dr = f->check.drift;
    f->check.is_face = rd >= VG_FACENESS_MIN_REDETECT &&
                       (dr < 0 || dr <= VG_FACENESS_MAX_DRIFT ||
                        (dr <= VG_FACENESS_MAX_DRIFT_SURE && rd >= VG_FACENESS_SURE));
    return VG_OK;
}
