/* dot.c — the plain C dot-product kernels, float and int8 (the references
 * every SIMD kernel is tested against), the const table of backends with runtime CPU dispatch, and
 * the small public vector helpers: vg_match_dot, vg_cosine, vg_l2_normalise,
 * vg_match_kernel_name.
 */
#include "match/kernels.h"

#include <math.h>

/* ---- plain C reference --------------------------------------------------- */

float vg_dot_scalar(const float *a, const float *b, int dim)
{
    /* Four partial sums: independent additions the compiler can pipeline,
     * still exact IEEE float arithmetic in a fixed order. */
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    int i = 0;
    for (; i + 4 <= dim; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < dim; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

void vg_dot_batch_scalar(const float *probe, const float *rows, size_t stride, size_t n, int dim,
                         float *out)
{
    for (size_t r = 0; r < n; r++)
        out[r] = vg_dot_scalar(probe, rows + r * stride, dim);
}

void vg_dot_i8_batch_scalar(const int8_t *probe, const int8_t *rows, size_t stride, size_t n,
                            size_t len, int32_t *out)
{
    for (size_t r = 0; r < n; r++) {
        const int8_t *row = rows + r * stride;
        int32_t s = 0;
        for (size_t i = 0; i < len; i++)
            s += (int32_t)probe[i] * row[i];
        out[r] = s;
    }
}

/* ---- backend table ------------------------------------------------------- */

static int scalar_supported(void)
{
    return 1;
}

static int avx2_supported(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Best first: AUTO takes the first row whose supported() is true. */
static const vg_match_backend backends[] = {
    {VG_MATCH_KERNEL_AVX2, "avx2", avx2_supported, vg_dot_avx2, vg_dot_batch_avx2, vg_dot_row_avx2,
     vg_dot_i8_batch_avx2, 1},
    {VG_MATCH_KERNEL_SCALAR, "scalar", scalar_supported, vg_dot_scalar, vg_dot_batch_scalar,
     vg_dot_scalar, vg_dot_i8_batch_scalar, 0},
};
#define N_BACKENDS (sizeof backends / sizeof backends[0])

vg_status vg_match_backend_find(vg_match_kernel k, const vg_match_backend **out, vg_err *err)
{
    for (size_t i = 0; i < N_BACKENDS; i++) {
        const vg_match_backend *b = &backends[i];
        if (k == VG_MATCH_KERNEL_AUTO) {
            if (b->supported()) {
                *out = b;
                return VG_OK;
            }
        } else if (b->kernel == k) {
            if (!b->supported())
                return vg_err_set(err, VG_ERR_UNSUPPORTED,
                                  "match kernel %s needs CPU features this machine lacks "
                                  "(avx2 and fma); use the scalar or auto kernel",
                                  b->name);
            *out = b;
            return VG_OK;
        }
    }
    if (k == VG_MATCH_KERNEL_AUTO) /* unreachable: scalar is always supported */
        return vg_err_set(err, VG_ERR_INTERNAL, "no match kernel is supported");
    return vg_err_set(err, VG_ERR_INVALID, "unknown match kernel %d", (int)k);
}

const char *vg_match_kernel_name(vg_match_kernel k)
{
    if (k == VG_MATCH_KERNEL_AUTO)
        return "auto";
    for (size_t i = 0; i < N_BACKENDS; i++)
        if (backends[i].kernel == k)
            return backends[i].name;
    return "unknown";
}

/* ---- public helpers ------------------------------------------------------ */

/* A kernel this CPU cannot run (or an unknown value) falls back to the plain C
 * reference rather than executing illegal instructions: this function has no
 * error channel. dim <= 0 gives 0. */
float vg_match_dot(vg_match_kernel k, const float *a, const float *b, int dim)
{
    if (dim <= 0 || !a || !b)
        return 0.0f;
    const vg_match_backend *be;
    if (vg_match_backend_find(k, &be, NULL) != VG_OK)
        return vg_dot_scalar(a, b, dim);
    return be->dot(a, b, dim);
}

/* Computed in double; clamped to [-1, 1]. 0 when either vector is zero or
 * dim <= 0; NaN when an input holds NaN. */
float vg_cosine(const float *a, const float *b, int dim)
{
    if (dim <= 0 || !a || !b)
        return 0.0f;
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (int i = 0; i < dim; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    if (aa == 0.0 || bb == 0.0)
        return 0.0f;
    double c = ab / (sqrt(aa) * sqrt(bb));
    if (c > 1.0)
        c = 1.0;
    else if (c < -1.0)
        c = -1.0;
    return (float)c;
}

/* The norm is computed in double, so vectors whose squares would overflow or
 * underflow float still normalise. When the norm is zero or not finite, v is
 * left unchanged and that norm (0, inf or NaN) is returned. A norm beyond
 * FLT_MAX is returned as inf (v is still normalised). dim <= 0 gives 0. */
float vg_l2_normalise(float *v, int dim)
{
    if (dim <= 0 || !v)
        return 0.0f;
    double ss = 0.0;
    for (int i = 0; i < dim; i++)
        ss += (double)v[i] * v[i];
    double norm = sqrt(ss);
    if (norm == 0.0 || !isfinite(norm))
        return (float)norm;
    for (int i = 0; i < dim; i++)
        v[i] = (float)(v[i] / norm);
    return (float)norm;
}
