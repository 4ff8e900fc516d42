/* quality.c — a face's quality score for recognition (best-shot selection and
 * the enrolment gate).
 *
 * Measures: inter-eye distance (source pixels), yaw from where the nose falls
 * between the eyes, pitch from where it falls between the eye line and the
 * mouth line (relative to the reference face), sharpness as the variance of
 * the Laplacian of the aligned face's centre, and brightness. The score is
 * the product of one factor per measure, each 0..1:
 *   size  min(1, eye_dist / 32)      (the reference has 35 px between eyes)
 *   pose  (1 - |yaw|) * (1 - |pitch| / 2)
 *   sharp sharpness / (sharpness + 50)
 *   light 1 inside 50..210 grey, falling linearly to 0 at 0 and 255
 */
#include "face/quality.h"

#include <math.h>

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Where p falls along the segment a->b, 0 at a and 1 at b. */
static float along(vg_point p, vg_point a, vg_point b)
{
    float vx = b.x - a.x, vy = b.y - a.y, len2 = vx * vx + vy * vy;
    return len2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2 : 0.5f;
}

void vg_face_quality_measure(const vg_image *aligned, vg_face *f)
{
    const vg_point *lm = f->lm;
    vg_face_quality *q = &f->quality;
    float ex = lm[VG_LM_EYE_R].x - lm[VG_LM_EYE_L].x, ey = lm[VG_LM_EYE_R].y - lm[VG_LM_EYE_L].y;
    q->eye_dist = sqrtf(ex * ex + ey * ey);

    q->yaw = clampf(2.0f * along(lm[VG_LM_NOSE], lm[VG_LM_EYE_L], lm[VG_LM_EYE_R]) - 1.0f, -1, 1);

    vg_point eyes = {(lm[VG_LM_EYE_L].x + lm[VG_LM_EYE_R].x) / 2,
                     (lm[VG_LM_EYE_L].y + lm[VG_LM_EYE_R].y) / 2};
    vg_point mouth = {(lm[VG_LM_MOUTH_L].x + lm[VG_LM_MOUTH_R].x) / 2,
                      (lm[VG_LM_MOUTH_L].y + lm[VG_LM_MOUTH_R].y) / 2};
    const vg_point *ref = vg_face_reference_points();
    vg_point ref_eyes = {(ref[0].x + ref[1].x) / 2, (ref[0].y + ref[1].y) / 2};
    vg_point ref_mouth = {(ref[3].x + ref[4].x) / 2, (ref[3].y + ref[4].y) / 2};
    float r = along(lm[VG_LM_NOSE], eyes, mouth);
    float r0 = along(ref[VG_LM_NOSE], ref_eyes, ref_mouth);
    q->pitch = clampf((r - r0) / r0, -1, 1);

    q->sharpness = aligned ? (float)vg_image_sharpness(aligned, 24, 24, 64, 64) : 0;
    q->brightness = aligned ? (float)vg_image_mean_luma(aligned, 24, 24, 64, 64) : 0;

    float size = clampf(q->eye_dist / 32.0f, 0, 1);
    float pose = (1.0f - fabsf(q->yaw)) * (1.0f - fabsf(q->pitch) / 2);
    float sharp = q->sharpness / (q->sharpness + 50.0f);
    float b = q->brightness;
    float light = b < 50 ? b / 50 : b > 210 ? (255 - b) / 45 : 1;
    q->score = clampf(size * pose * sharp * clampf(light, 0, 1), 0, 1);
}
