/* dot_avx2.c — AVX2+FMA dot-product kernels (built with -mavx2 -mfma; only
 * called after dot.c's table has checked the CPU has both).
 *
 * vg_dot_avx2 is one dot with four 8-lane accumulators. vg_dot_batch_avx2
 * takes one probe against eight gallery rows at once: each 8-float slice of
 * the probe is loaded once and feeds eight independent FMA chains, and the
 * eight results are reduced together into one vector. Dims that are not a
 * multiple of 8 finish with masked loads, never reading past dim.
 * vg_dot_row_avx2 scores one row exactly as dot8 does (for re-ranking), and
 * vg_dot_i8_batch_avx2 is the int8 kernel of the compact search.
 * tests/match/test_match_dot.c and test_match_gallery_i8.c check them against
 * the plain C kernels in dot.c.
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

/* One row with dot8's arithmetic: the same FMA chain over 8 lanes, then the
 * lanes summed in the order hsum8 sums them, ((0+1)+(2+3))+((4+5)+(6+7)). */
float vg_dot_row_avx2(const float *p, const float *r, int dim)
{
    __m256 a = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= dim; i += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(p + i), _mm256_loadu_ps(r + i), a);
    if (i < dim) {
        __m256i m = tail_mask(dim - i);
        a = _mm256_fmadd_ps(_mm256_maskload_ps(p + i, m), _mm256_maskload_ps(r + i, m), a);
    }
    float l[8];
    _mm256_storeu_ps(l, a);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

/* Every row gets dot8's arithmetic (the last n % 8 through vg_dot_row_avx2),
 * so a row's score does not depend on where it sits in the gallery. */
void vg_dot_batch_avx2(const float *probe, const float *rows, size_t stride, size_t n, int dim,
                       float *out)
{
    size_t r = 0;
    for (; r + 8 <= n; r += 8)
        dot8(probe, rows + r * stride, stride, dim, out + r);
    for (; r < n; r++)
        out[r] = vg_dot_row_avx2(probe, rows + r * stride, dim);
}

/* ---- int8 ----------------------------------------------------------------
 * maddubs multiplies unsigned by signed bytes, so the probe goes in as |p|
 * and its signs move onto the row (sign_epi8(row, p) negates where p < 0 and
 * zeroes where p == 0): |p| * (sign(p) * r) = p * r. Codes are within
 * -127..127, so a pair of products (at most 2 * 127 * 127 = 32258) never
 * saturates int16; madd with ones widens the pairs to int32. Four rows at a
 * time share each load of the probe. */
void vg_dot_i8_batch_avx2(const int8_t *probe, const int8_t *rows, size_t stride, size_t n,
                          size_t len, int32_t *out)
{
    const __m256i ones = _mm256_set1_epi16(1);
    size_t r = 0;
    for (; r + 4 <= n; r += 4) {
        const int8_t *r0 = rows + r * stride, *r1 = r0 + stride, *r2 = r1 + stride, *r3 = r2 + stride;
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
        for (size_t i = 0; i < len; i += 32) {
            __m256i p = _mm256_load_si256((const __m256i *)(const void *)(probe + i));
            __m256i ap = _mm256_abs_epi8(p);
#define VG_I8_STEP(s, row)                                                                     \
    s = _mm256_add_epi32(                                                                      \
        s, _mm256_madd_epi16(                                                                  \
               _mm256_maddubs_epi16(                                                           \
                   ap, _mm256_sign_epi8(_mm256_load_si256((const __m256i *)(const void *)(row + i)), p)), \
               ones))
            VG_I8_STEP(s0, r0);
            VG_I8_STEP(s1, r1);
            VG_I8_STEP(s2, r2);
            VG_I8_STEP(s3, r3);
        }
        /* horizontal sums of the four */
        __m256i h01 = _mm256_hadd_epi32(s0, s1), h23 = _mm256_hadd_epi32(s2, s3);
        __m256i h = _mm256_hadd_epi32(h01, h23); /* per 128-bit half: s0 s1 s2 s3 partials */
        __m128i t = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        _mm_storeu_si128((__m128i *)(void *)(out + r), t);
    }
    for (; r < n; r++) {
        const int8_t *row = rows + r * stride;
        __m256i s = _mm256_setzero_si256();
        for (size_t i = 0; i < len; i += 32) {
            __m256i p = _mm256_load_si256((const __m256i *)(const void *)(probe + i));
            __m256i ap = _mm256_abs_epi8(p);
            VG_I8_STEP(s, row);
        }
#undef VG_I8_STEP
        __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
        out[r] = _mm_cvtsi128_si32(t);
    }
}
