/* gate.c — the enrolment quality gate: which face of a photo is enrolled,
 * and whether it is good enough to go on a watch list. Every refusal names
 * the reason and the measured value; vg_gate_assess lists every limit
 * the face misses, not only the first. */
#include "vigil/watchlist.h"

#include <math.h>
#include <stdio.h>
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

/* Appends one reason (when there is room). */
static void add_reason(vg_gate_reasons *r, const char *text)
{
    if (r && r->n < VG_GATE_REASONS_MAX)
        snprintf(r->reason[r->n++], sizeof r->reason[0], "%s", text);
}

vg_status vg_gate_assess(const vg_face_pack *pack, const vg_image *img, int face_index,
                         const vg_gate_limits *g, vg_face *face, vg_gate_reasons *reasons, vg_err *err)
{
    if (reasons)
        reasons->n = 0;
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
        if (st == VG_ERR_INVALID && err)
            add_reason(reasons, err->msg);
        return st;
    }
    *face = faces[k];
    free(faces);
    /* every limit is checked, so that all the reasons are given at once;
     * err holds the first */
    const vg_face_quality *q = &face->quality;
    char why[VG_GATE_REASONS_MAX][200];
    int m = 0;
    if (q->eye_dist < g->min_eye_dist)
        snprintf(why[m++], sizeof why[0], "face too small: eyes %.0f px apart, the minimum is %.0f",
                 q->eye_dist, g->min_eye_dist);
    if (q->sharpness < g->min_sharpness)
        snprintf(why[m++], sizeof why[0], "too blurred: sharpness %.1f, the minimum is %.0f", q->sharpness,
                 g->min_sharpness);
    if (fabsf(q->yaw) > g->max_yaw)
        snprintf(why[m++], sizeof why[0], "head turned: yaw %+.2f, the limit is %.2f", q->yaw, g->max_yaw);
    if (fabsf(q->pitch) > g->max_pitch)
        snprintf(why[m++], sizeof why[0], "head tilted: pitch %+.2f, the limit is %.2f", q->pitch,
                 g->max_pitch);
    if (q->brightness < g->min_brightness)
        snprintf(why[m++], sizeof why[0], "too dark: mean grey %.0f, the minimum is %.0f", q->brightness,
                 g->min_brightness);
    if (q->brightness > g->max_brightness)
        snprintf(why[m++], sizeof why[0], "too bright: mean grey %.0f, the maximum is %.0f", q->brightness,
                 g->max_brightness);
    for (int i = 0; i < m; i++)
        add_reason(reasons, why[i]);
    return m ? vg_err_set(err, VG_ERR_INVALID, "%s", why[0]) : VG_OK;
}

vg_status vg_gate_check(const vg_face_pack *pack, const vg_image *img, int face_index,
                        const vg_gate_limits *g, vg_face *face, vg_err *err)
{
    return vg_gate_assess(pack, img, face_index, g, face, NULL, err);
}
