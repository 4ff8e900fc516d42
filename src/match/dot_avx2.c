/* dot_avx2.c — AVX2+FMA dot-product kernels (built with -mavx2 -mfma; only
 * called after dot.c's table has checked the CPU has both).
 *
 * vg_dot_avx2 is one dot with four 8-lane accumulators. vg_dot_batch_avx2
 * takes one probe against eight gallery rows at once: each 8-float slice of
 * the probe is loaded once and feeds eight independent FMA chains, and the
 * eight results are reduced together into one vector. Dims that are not a
 * multiple of 8 finish with masked loads, never reading past dim.
 * tests/match/test_match_dot.c checks both against the plain C kernel in dot.c.
 */
#include "match/kernels.h"

#include <immintrin.h>
#include <stdint.h>

/* mask_from[8 - r] .. [15 - r] selects the first r lanes (0 <= r <= 8). */
static const int32_t mask_from[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

static inline __m256i tail_mask(int r)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)(mask_from + 8 - r));
}

static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

float vg_dot_avx2(const float *a, const float *b, int dim)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 32 <= dim; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= dim; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    if (i < dim) {
        __m256i m = tail_mask(dim - i);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), s1);
    }
    return hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

/* Horizontal sums of eight vectors into one: lane j = sum of a[j]'s lanes. */
static inline __m256 hsum8(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5,
                           __m256 a6, __m256 a7)
{
    /* After two rounds of hadd, u0 = [a0..a3 low-half sums | a0..a3 high-half
     * sums] and u1 the same for a4..a7; adding the halves finishes each. */
    __m256 t0 = _mm256_hadd_ps(a0, a1), t1 = _mm256_hadd_ps(a2, a3);
    __m256 t2 = _mm256_hadd_ps(a4, a5), t3 = _mm256_hadd_ps(a6, a7);
    __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

/* Eight rows r[0..7] at stride floats apart. */
static inline void dot8(const float *p, const float *r, size_t stride, int dim, float *out)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps();
    __m256 a3 = _mm256_setzero_ps(), a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps();
    __m256 a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
    const float *r0 = r, *r1 = r + stride, *r2 = r + 2 * stride, *r3 = r + 3 * stride;
    const float *r4 = r + 4 * stride, *r5 = r + 5 * stride, *r6 = r + 6 * stride;
    const float *r7 = r + 7 * stride;
    int i = 0;
    for (; i + 8 <= dim; i += 8) {
        __m256 q = _mm256_loadu_ps(p + i);
        a0 = _mm256_fmadd_ps(q, _mm256_load_ps(r0 + i), a0);
        a1 = _mm256_fmadd_ps(q, _mm256_load_ps(r1 + i), a1);
        a2 = _mm256_fmadd_ps(q, _mm256_load_ps(r2 + i), a2);
        a3 = _mm256_fmadd_ps(q, _mm256_load_ps(r3 + i), a3);
        a4 = _mm256_fmadd_ps(q, _mm256_load_ps(r4 + i), a4);
        a5 = _mm256_fmadd_ps(q, _mm256_load_ps(r5 + i), a5);
        a6 = _mm256_fmadd_ps(q, _mm256_load_ps(r6 + i), a6);
        a7 = _mm256_fmadd_ps(q, _mm256_load_ps(r7 + i), a7);
    }
    if (i < dim) {
        __m256i m = tail_mask(dim - i);
        __m256 q = _mm256_maskload_ps(p + i, m);
        a0 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r0 + i, m), a0);
        a1 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r1 + i, m), a1);
        a2 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r2 + i, m), a2);
        a3 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r3 + i, m), a3);
        a4 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r4 + i, m), a4);
        a5 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r5 + i, m), a5);
        a6 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r6 + i, m), a6);
        a7 = _mm256_fmadd_ps(q, _mm256_maskload_ps(r7 + i, m), a7);
    }
    _mm256_storeu_ps(out, hsum8(a0, a1, a2, a3, a4, a5, a6, a7));
}

void vg_dot_batch_avx2(const float *probe, const float *rows, size_t stride, size_t n, int dim,
                       float *out)
{
    size_t r = 0;
    for (; r + 8 <= n; r += 8)
        dot8(probe, rows + r * stride, stride, dim, out + r);
    for (; r < n; r++)
        out[r] = vg_dot_avx2(probe, rows + r * stride, dim);
}
