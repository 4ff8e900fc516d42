/* align.c — five-point similarity alignment onto the 112x112 ArcFace
 * reference: least-squares rotation + uniform scale + translation (no
 * reflection), then a bilinear warp; and the same with a margin, for a
 * person to look at (vg_face_portrait). */
#include "vigil/face.h"
#include "face/align.h"

#define VG_ALIGN_SIZE 112

static const vg_point reference[VG_LM_COUNT] = {
    {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f},
    {41.5493f, 92.3655f}, {70.7299f, 92.2041f},
};

const vg_point *vg_face_reference_points(void)
{
    return reference;
}

void vg_face_similarity(const vg_point *src, const vg_point *dst, int n, float m[6])
{
    double sx = 0, sy = 0, dx = 0, dy = 0;
    for (int i = 0; i < n; i++) {
        sx += src[i].x;
        sy += src[i].y;
        dx += dst[i].x;
        dy += dst[i].y;
    }
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
    double num_a = 0, num_b = 0, den = 0;
    for (int i = 0; i < n; i++) {
        double px = src[i].x - sx, py = src[i].y - sy;
        double qx = dst[i].x - dx, qy = dst[i].y - dy;
        num_a += px * qx + py * qy;
        num_b += px * qy - py * qx;
        den += px * px + py * py;
    }
    double a = den > 0 ? num_a / den : 0, b = den > 0 ? num_b / den : 0;
    m[0] = (float)a;
    m[1] = (float)-b;
    m[2] = (float)(dx - (a * sx - b * sy));
    m[3] = (float)b;
    m[4] = (float)a;
    m[5] = (float)(dy - (b * sx + a * sy));
}

vg_status vg_face_warp_to(const vg_image *img, const vg_point lm[VG_LM_COUNT], const vg_point dst[VG_LM_COUNT],
                          int width, int height, vg_image **out, vg_err *err)
{
    float f[6];
    vg_face_similarity(lm, dst, VG_LM_COUNT, f);
    /* forward maps source -> dst; the warp wants dst -> source */
    double a = f[0], b = f[3], det = a * a + b * b;
    if (!(det > 1e-12))
        return vg_err_set(err, VG_ERR_INVALID, "degenerate landmarks: cannot align");
    float inv[6];
    inv[0] = (float)(a / det);
    inv[1] = (float)(b / det);
    inv[3] = (float)(-b / det);
    inv[4] = (float)(a / det);
    inv[2] = -(inv[0] * f[2] + inv[1] * f[5]);
    inv[5] = -(inv[3] * f[2] + inv[4] * f[5]);
    return vg_image_warp_affine(img, inv, width, height, out, err);
}

vg_status vg_face_align(const vg_image *img, const vg_point lm[VG_LM_COUNT], vg_image **aligned,
                        vg_err *err)
{
    return vg_face_warp_to(img, lm, reference, VG_ALIGN_SIZE, VG_ALIGN_SIZE, aligned, err);
}

vg_status vg_face_portrait(const vg_image *img, const vg_point lm[VG_LM_COUNT], int width, int height,
                           vg_image **out, vg_err *err)
{
    if (out)
        *out = NULL;
    if (width < 16 || width > 2048 || height < 16 || height > 2048)
        return vg_err_set(err, VG_ERR_INVALID, "a face portrait of %dx%d: each side must be 16..2048", width, height);
    double s = width * 5.0 / 8.0 / VG_ALIGN_SIZE;
    double ox = (width - VG_ALIGN_SIZE * s) / 2, oy = (height - VG_ALIGN_SIZE * s) * 0.45;
    vg_point dst[VG_LM_COUNT];
    for (int i = 0; i < VG_LM_COUNT; i++) {
        dst[i].x = (float)(ox + reference[i].x * s);
        dst[i].y = (float)(oy + reference[i].y * s);
    }
    return vg_face_warp_to(img, lm, dst, width, height, out, err);
}
