/* gate.c — the enrolment quality gate: which face of a photo is enrolled,
 * and whether it is good enough to go on a watch list. Every refusal names
 * the reason and the measured value; vg_gate_assess lists every limit
 * the face misses, not only the first, and vg_gate_examine returns every
 * factor with its limits (what the person enrolling is shown).
 *
 * Several faces: the photo is refused unless the caller names one, or one
 * face dominates (its box at least dominant_area times the next largest,
 * its centre near the image's centre); that one is then proposed and the
 * others are counted as ignored. */
#include "vigil/watchlist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_gate_defaults(vg_gate_limits *g)
{
    g->min_eye_dist = 24.0f;
    g->min_sharpness = 15.0f;
    g->max_yaw = 0.7f;
    g->max_pitch = 0.6f;
    g->min_brightness = 40.0f;
    g->max_brightness = 220.0f;
    /* the default detector reports nothing below 0.75: a face it reports
     * passes; a caller may ask for more */
    g->min_det_score = 0.75f;
    g->dominant_area = 4.0f;
    g->dominant_centre = 0.25f;
}

/* Appends one reason (when there is room). */
static void add_reason(vg_gate_reasons *r, const char *text)
{
    if (r && r->n < VG_GATE_REASONS_MAX)
        snprintf(r->reason[r->n++], sizeof r->reason[0], "%s", text);
}

static float box_area(const vg_face *f)
{
    float w = f->x2 - f->x1, h = f->y2 - f->y1;
    return w > 0 && h > 0 ? w * h : 0;
}

/* The index of the face that dominates the photo, or -1. */
static int dominant_face(const vg_face *faces, int n, int width, int height, const vg_gate_limits *g)
{
    if (n < 2 || !(g->dominant_area > 1.0f) || !(g->dominant_centre > 0))
        return -1;
    int big = 0;
    for (int i = 1; i < n; i++)
        if (box_area(&faces[i]) > box_area(&faces[big]))
            big = i;
    float next = 0;
    for (int i = 0; i < n; i++)
        if (i != big && box_area(&faces[i]) > next)
            next = box_area(&faces[i]);
    if (box_area(&faces[big]) < g->dominant_area * next)
        return -1;
    float cx = (faces[big].x1 + faces[big].x2) / 2, cy = (faces[big].y1 + faces[big].y2) / 2;
    if (fabsf(cx - width / 2.0f) > g->dominant_centre * width ||
        fabsf(cy - height / 2.0f) > g->dominant_centre * height)
        return -1;
    return big;
}

static void set_factor(vg_gate_factor *f, const char *name, float value, float min, float max, int pass)
{
    f->name = name;
    f->value = value;
    f->min = min;
    f->max = max;
    f->pass = pass;
}

/* Every factor of the chosen face against its limits. */
static void measure(const vg_gate_limits *g, vg_gate_result *res)
{
    const vg_face_quality *q = &res->face.quality;
    vg_gate_factor *f = res->factor;
    set_factor(&f[VG_GATE_EYE_DIST], "eye_distance", q->eye_dist, g->min_eye_dist, NAN,
               q->eye_dist >= g->min_eye_dist);
    set_factor(&f[VG_GATE_YAW], "yaw", q->yaw, -g->max_yaw, g->max_yaw, fabsf(q->yaw) <= g->max_yaw);
    set_factor(&f[VG_GATE_PITCH], "pitch", q->pitch, -g->max_pitch, g->max_pitch, fabsf(q->pitch) <= g->max_pitch);
    set_factor(&f[VG_GATE_SHARPNESS], "sharpness", q->sharpness, g->min_sharpness, NAN,
               q->sharpness >= g->min_sharpness);
    set_factor(&f[VG_GATE_BRIGHTNESS], "brightness", q->brightness, g->min_brightness, g->max_brightness,
               q->brightness >= g->min_brightness && q->brightness <= g->max_brightness);
    set_factor(&f[VG_GATE_DET_SCORE], "detector_score", res->face.score, g->min_det_score, NAN,
               res->face.score >= g->min_det_score);
    res->quality_ok = 1;
    for (int i = 0; i < VG_GATE_FACTORS; i++)
        if (i != VG_GATE_DET_SCORE && !f[i].pass)
            res->quality_ok = 0;
    res->is_face = f[VG_GATE_DET_SCORE].pass;
}

vg_status vg_gate_examine(const vg_face_pack *pack, const vg_image *img, int face_index,
                          const vg_gate_limits *g, vg_gate_result *res, vg_gate_reasons *reasons, vg_err *err)
{
    if (reasons)
        reasons->n = 0;
    memset(res, 0, sizeof *res);
    res->chosen = -1;
    vg_face *faces = NULL;
    int n = 0;
    vg_status st = vg_face_detect(pack, img, &faces, &n, err);
    if (st)
        return st;
    res->faces = n;
    int k = -1;
    if (n == 0) {
        st = vg_err_set(err, VG_ERR_INVALID, "no face found");
    } else if (face_index >= 0) {
        k = face_index;
        if (k >= n) {
            k = -1;
            st = vg_err_set(err, VG_ERR_INVALID, "--face %d asked for, but %d face%s found", face_index, n,
                            n == 1 ? "" : "s");
        }
    } else if (n > 1) {
        k = dominant_face(faces, n, img->width, img->height, g);
        if (k < 0)
            st = vg_err_set(err, VG_ERR_INVALID, "%d faces found: choose one with --face 0..%d "
                            "(vigil detect lists them)", n, n - 1);
        else
            res->dominant = 1;
    } else {
        k = 0;
    }
    if (k >= 0) {
        res->chosen = k;
        res->ignored = n - 1;
        res->face = faces[k];
        measure(g, res);
    }
    free(faces);
    if (st) {
        if (st == VG_ERR_INVALID)
            add_reason(reasons, err ? err->msg : "refused");
        return st;
    }
    /* every limit is checked, so that all the reasons are given at once;
     * err holds the first */
    const vg_face_quality *q = &res->face.quality;
    char why[VG_GATE_REASONS_MAX][200];
    int m = 0;
    if (!res->factor[VG_GATE_DET_SCORE].pass)
        snprintf(why[m++], sizeof why[0], "not clearly a face: detector score %.2f, the minimum is %.2f",
                 res->face.score, g->min_det_score);
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

vg_status vg_gate_assess(const vg_face_pack *pack, const vg_image *img, int face_index,
                         const vg_gate_limits *g, vg_face *face, vg_gate_reasons *reasons, vg_err *err)
{
    vg_gate_result res;
    vg_status st = vg_gate_examine(pack, img, face_index, g, &res, reasons, err);
    if (res.chosen >= 0)
        *face = res.face;
    return st;
}

vg_status vg_gate_check(const vg_face_pack *pack, const vg_image *img, int face_index,
                        const vg_gate_limits *g, vg_face *face, vg_err *err)
{
    return vg_gate_assess(pack, img, face_index, g, face, NULL, err);
}
