/* gate.c — the enrolment quality gate: which face of a photo is enrolled,
 * and whether it is good enough to go on a watch list. Every refusal names
 * the reason and the measured value. */
#include "vigil/watchlist.h"

#include <math.h>
#include <stdlib.h>

void vg_gate_defaults(vg_gate_limits *g)
{
    g->min_eye_dist = 24.0f;
    g->min_sharpness = 15.0f;
    g->max_yaw = 0.7f;
    g->max_pitch = 0.6f;
    g->min_brightness = 40.0f;
    g->max_brightness = 220.0f;
}

vg_status vg_gate_check(const vg_face_pack *pack, const vg_image *img, int face_index,
                        const vg_gate_limits *g, vg_face *face, vg_err *err)
{
    vg_face *faces = NULL;
    int n = 0;
    vg_status st = vg_face_detect(pack, img, &faces, &n, err);
    if (st)
        return st;
    int k = 0;
    if (n == 0) {
        st = vg_err_set(err, VG_ERR_INVALID, "no face found");
    } else if (face_index >= 0) {
        k = face_index;
        if (k >= n)
            st = vg_err_set(err, VG_ERR_INVALID, "--face %d asked for, but %d face%s found", face_index,
                            n, n == 1 ? "" : "s");
    } else if (n > 1) {
        st = vg_err_set(err, VG_ERR_INVALID, "%d faces found: choose one with --face 0..%d "
                        "(vigil detect lists them)", n, n - 1);
    } else {
        k = 0;
    }
    if (st) {
        free(faces);
        return st;
    }
    *face = faces[k];
    free(faces);
    const vg_face_quality *q = &face->quality;
    if (q->eye_dist < g->min_eye_dist)
        return vg_err_set(err, VG_ERR_INVALID, "face too small: eyes %.0f px apart, the minimum is %.0f",
                          q->eye_dist, g->min_eye_dist);
    if (q->sharpness < g->min_sharpness)
        return vg_err_set(err, VG_ERR_INVALID, "too blurred: sharpness %.1f, the minimum is %.0f",
                          q->sharpness, g->min_sharpness);
    if (fabsf(q->yaw) > g->max_yaw)
        return vg_err_set(err, VG_ERR_INVALID, "head turned: yaw %+.2f, the limit is %.2f", q->yaw,
                          g->max_yaw);
    if (fabsf(q->pitch) > g->max_pitch)
        return vg_err_set(err, VG_ERR_INVALID, "head tilted: pitch %+.2f, the limit is %.2f", q->pitch,
                          g->max_pitch);
    if (q->brightness < g->min_brightness)
        return vg_err_set(err, VG_ERR_INVALID, "too dark: mean grey %.0f, the minimum is %.0f",
                          q->brightness, g->min_brightness);
    if (q->brightness > g->max_brightness)
        return vg_err_set(err, VG_ERR_INVALID, "too bright: mean grey %.0f, the maximum is %.0f",
                          q->brightness, g->max_brightness);
    return VG_OK;
}
