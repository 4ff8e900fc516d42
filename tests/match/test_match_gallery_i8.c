/* test_match_gallery_i8.c — the int8 index and the search through it.
 *
 * The int8 kernels (plain C and AVX2) must agree exactly, including at the
 * extremes of the code range; the float row kernel must give bit for bit the
 * score the batch kernel gives a row at any position; quantisation must keep
 * its promises (range, scale, the error it reports, zero padding). Then the
 * point of it all: vg_gallery_search (int8 pass + exact re-ranking) must
 * return exactly what vg_gallery_search_float returns — the same ids in the
 * same order and the same scores bit for bit — on random, clustered
 * ("identities"), duplicated and awkward data, for several dims, k and both
 * kernels, and the int8 pass must actually prove most searches (else it would
 * be a slow float scan).
 */
#include "vg_test.h"

#include <math.h>
#include <stdalign.h>

#include "match/gallery_internal.h"
#include "vigil/match.h"

static uint64_t rng_next(uint64_t *s)
{ /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static float rng_float(uint64_t *s) /* uniform in [-1, 1) */
{
    return (float)((double)(rng_next(s) >> 11) * 0x1.0p-53 * 2.0 - 1.0);
}

static double rng_gauss(uint64_t *s)
{
    double u = ((double)(rng_next(s) >> 11) + 0.5) * 0x1.0p-53;
    double v = ((double)(rng_next(s) >> 11) + 0.5) * 0x1.0p-53;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static void test_i8_kernels_agree(void **state)
{
    (void)state;
    if (!have_avx2()) {
        fprintf(stderr, "no AVX2: the int8 AVX2 kernel is not tested\n");
        skip();
    }
    uint64_t rng = 11;
    enum { MAXN = 37, MAXLEN = 4096 };
    int8_t *rows = aligned_alloc(32, (size_t)MAXN * MAXLEN);
    alignas(32) static int8_t probe[MAXLEN];
    assert_non_null(rows);
    int32_t a[MAXN], b[MAXN];
    const size_t lens[] = {32, 64, 96, 512, 544, 1024, 4096};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li];
        for (int mode = 0; mode < 3; mode++) {
            for (size_t i = 0; i < len; i++)
                probe[i] = mode == 0 ? (int8_t)((int)(rng_next(&rng) % 255) - 127) : mode == 1 ? 127 : -127;
            for (size_t i = 0; i < (size_t)MAXN * len; i++)
                rows[i] = mode == 0 ? (int8_t)((int)(rng_next(&rng) % 255) - 127) : (i & 1) ? -127 : 127;
            if (mode == 1) /* every product at the extreme, one sign */
                for (size_t i = 0; i < (size_t)MAXN * len; i++)
                    rows[i] = 127;
            for (size_t n = 0; n <= MAXN; n++) {
                vg_dot_i8_batch_scalar(probe, rows, len, n, len, a);
                vg_dot_i8_batch_avx2(probe, rows, len, n, len, b);
                for (size_t r = 0; r < n; r++)
                    if (a[r] != b[r]) {
                        fprintf(stderr, "len %zu n %zu row %zu: %d vs %d\n", len, n, r, a[r], b[r]);
                        fail();
                    }
            }
            if (mode == 1)
                assert_int_equal(a[0], (int32_t)len * 127 * 127);
        }
    }
    free(rows);
}

static void test_row_kernel_matches_batch(void **state)
{
    (void)state;
    if (!have_avx2())
        skip();
    uint64_t rng = 12;
    enum { N = 21 };
    for (int dim = 1; dim <= 530; dim += dim < 70 ? 1 : 53) {
        size_t stride = ((size_t)dim + 7) & ~(size_t)7;
        float *rows = aligned_alloc(32, N * stride * sizeof(float));
        float *p = malloc((size_t)dim * sizeof(float));
        assert_non_null(rows);
        assert_non_null(p);
        for (size_t i = 0; i < N * stride; i++)
            rows[i] = rng_float(&rng);
        for (int i = 0; i < dim; i++)
            p[i] = rng_float(&rng);
        float out[N];
        for (size_t n = 1; n <= N; n++) {
            vg_dot_batch_avx2(p, rows, stride, n, dim, out);
            for (size_t r = 0; r < n; r++) {
                float one = vg_dot_row_avx2(p, rows + r * stride, dim);
                if (memcmp(&one, &out[r], sizeof one) != 0) {
                    fprintf(stderr, "dim %d n %zu row %zu: %.9g vs %.9g\n", dim, n, r, one, out[r]);
                    fail();
                }
            }
        }
        free(rows);
        free(p);
    }
}

static void test_quantise(void **state)
{
    (void)state;
    uint64_t rng = 13;
    float v[100];
    int8_t q[128];
    for (int rep = 0; rep < 50; rep++) {
        for (int i = 0; i < 100; i++)
            v[i] = rng_float(&rng) * (rep + 1);
        memset(q, 0x55, sizeof q);
        float s, e;
        vg_i8_quantise(v, 100, 128, q, &s, &e);
        float m = 0;
        double ee = 0;
        int at_max = 0;
        for (int i = 0; i < 100; i++) {
            m = fabsf(v[i]) > m ? fabsf(v[i]) : m;
            assert_true(q[i] >= -127 && q[i] <= 127);
            double d = (double)v[i] - (double)q[i] * s;
            assert_true(fabs(d) <= 0.5001 * s);
            ee += d * d;
            at_max += q[i] == 127 || q[i] == -127;
        }
        for (int i = 100; i < 128; i++)
            assert_int_equal(q[i], 0);
        assert_float_equal(s, m / 127.0f, 1e-7 * m);
        assert_float_equal(e, sqrt(ee), 1e-6 * (sqrt(ee) + 1e-30));
        assert_true(at_max >= 1);
    }
}

/* ---- the search ---------------------------------------------------------- */

static vg_gallery *gallery_of(const float *vecs, size_t n, int dim, vg_match_kernel k)
{
    vg_gallery *g = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_gallery_new(dim, k, &g, &err), VG_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(vg_gallery_add(g, 5000 + 3 * (int64_t)i, vecs + i * (size_t)dim, &err), VG_OK);
    return g;
}

/* Both searches for one probe; returns 1 if the int8 pass proved its result. */
static int check_same(const vg_gallery *g, const float *probe, int k)
{
    vg_match a[VG_GALLERY_RERANK * 2], b[VG_GALLERY_RERANK * 2], c[VG_GALLERY_RERANK];
    int na = vg_gallery_search(g, probe, k, a);
    int nb = vg_gallery_search_float(g, probe, k, b);
    assert_int_equal(na, nb);
    for (int i = 0; i < na; i++) {
        if (a[i].id != b[i].id || memcmp(&a[i].score, &b[i].score, sizeof(float)) != 0) {
            fprintf(stderr, "k %d rank %d: id %lld score %.9g vs float scan id %lld score %.9g\n", k,
                    i, (long long)a[i].id, a[i].score, (long long)b[i].id, b[i].score);
            fail();
        }
    }
    if (k > VG_GALLERY_RERANK || (size_t)k > vg_gallery_size(g))
        return 0;
    int nc = vg_gallery_search_i8(g, probe, k, c);
    if (nc < 0)
        return 0;
    assert_int_equal(nc, k);
    for (int i = 0; i < nc; i++)
        assert_true(c[i].id == b[i].id && memcmp(&c[i].score, &b[i].score, sizeof(float)) == 0);
    return 1;
}

static void normalise(float *v, int dim)
{
    vg_l2_normalise(v, dim);
}

/* n random unit vectors; probes: half noisy copies of rows (a mate near
 * cosine 0.6-0.9), half fresh random vectors (nobody near). */
static void random_case(size_t n, int dim, int probes, vg_match_kernel kern, int min_proven_pct,
                        uint64_t seed)
{
    uint64_t rng = seed;
    float *v = malloc(n * (size_t)dim * sizeof(float));
    float *p = malloc((size_t)dim * sizeof(float));
    assert_non_null(v);
    assert_non_null(p);
    for (size_t i = 0; i < n * (size_t)dim; i++)
        v[i] = (float)rng_gauss(&rng);
    vg_gallery *g = gallery_of(v, n, dim, kern);
    int proven = 0, tried = 0;
    const int ks[] = {1, 5, 64, 65};
    for (int t = 0; t < probes; t++) {
        size_t mate = (size_t)(rng_next(&rng) % n);
        double noise = t % 2 ? 0.3 + 0.6 * (double)(t % 7) / 7 : 1e9;
        for (int i = 0; i < dim; i++)
            p[i] = noise > 1e8 ? (float)rng_gauss(&rng)
                               : v[mate * (size_t)dim + (size_t)i] / 1.0f + (float)(noise * rng_gauss(&rng));
        normalise(p, dim);
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            int r = check_same(g, p, ks[ki]);
            if (ks[ki] <= VG_GALLERY_I8_MAX_K && (size_t)ks[ki] <= n) {
                proven += r;
                tried++;
            }
        }
    }
    if (min_proven_pct > 0 && proven * 100 < tried * min_proven_pct) {
        fprintf(stderr, "n %zu dim %d: int8 pass proved %d of %d\n", n, dim, proven, tried);
        fail();
    }
    vg_gallery_free(g);
    free(v);
    free(p);
}

static void test_search_random(void **state)
{
    (void)state;
    vg_match_kernel ks[2] = {VG_MATCH_KERNEL_SCALAR, VG_MATCH_KERNEL_AVX2};
    for (int ki = 0; ki < (have_avx2() ? 2 : 1); ki++) {
        random_case(512, 512, 40, ks[ki], 80, 1);
        random_case(1000, 512, 40, ks[ki], 80, 2);
        random_case(3001, 128, 30, ks[ki], 50, 3);
        random_case(2000, 100, 30, ks[ki], 50, 4); /* dim not a multiple of 8 or 32 */
        random_case(700, 1, 20, ks[ki], 0, 5);     /* dim 1: every score +-1, ties everywhere */
        random_case(600, 33, 30, ks[ki], 0, 6);
        random_case(20000, 512, 30, ks[ki], 80, 7);
        random_case(10, 512, 10, ks[ki], 0, 8);    /* too small for the int8 pass */
    }
}

/* "Identities": 300 centres, 5 noisy templates each (several templates per
 * person, as enrolment with several photos makes), probes near a centre. */
static void test_search_clustered(void **state)
{
    (void)state;
    enum { C = 300, PER = 5, DIM = 512 };
    uint64_t rng = 21;
    float *centre = malloc((size_t)C * DIM * sizeof(float));
    float *v = malloc((size_t)C * PER * DIM * sizeof(float));
    float p[DIM];
    assert_non_null(centre);
    assert_non_null(v);
    for (size_t i = 0; i < (size_t)C * DIM; i++)
        centre[i] = (float)rng_gauss(&rng);
    for (size_t c = 0; c < C; c++)
        for (int t = 0; t < PER; t++)
            for (int i = 0; i < DIM; i++)
                v[(c * PER + (size_t)t) * DIM + (size_t)i] = centre[c * DIM + (size_t)i] + (float)(0.8 * rng_gauss(&rng));
    vg_gallery *g = gallery_of(v, (size_t)C * PER, DIM, VG_MATCH_KERNEL_AUTO);
    int proven = 0;
    for (int t = 0; t < 200; t++) {
        size_t c = (size_t)(rng_next(&rng) % C);
        for (int i = 0; i < DIM; i++)
            p[i] = centre[c * DIM + (size_t)i] + (float)(0.8 * rng_gauss(&rng));
        normalise(p, DIM);
        proven += check_same(g, p, 5);
        check_same(g, p, 1);
    }
    assert_true(proven >= 190);
    vg_gallery_free(g);
    free(centre);
    free(v);
}

/* Duplicates straddling the candidate cut, a NaN probe, a zero probe. */
static void test_search_awkward(void **state)
{
    (void)state;
    enum { N = 2000, DIM = 64 };
    uint64_t rng = 31;
    float *v = malloc((size_t)N * DIM * sizeof(float));
    float p[DIM];
    assert_non_null(v);
    for (size_t i = 0; i < (size_t)N * DIM; i++)
        v[i] = rng_float(&rng);
    for (size_t r = 100; r < 300; r++) /* 200 copies of row 7 */
        memcpy(v + r * DIM, v + 7 * DIM, DIM * sizeof(float));
    vg_gallery *g = gallery_of(v, N, DIM, VG_MATCH_KERNEL_AUTO);
    memcpy(p, v + 7 * DIM, sizeof p);
    normalise(p, DIM);
    check_same(g, p, 5);
    check_same(g, p, 64);
    vg_match out[5];
    assert_int_equal(vg_gallery_search(g, p, 5, out), 5);
    assert_int_equal(out[0].id, 5000 + 3 * 7);   /* the first added wins the tie */
    assert_int_equal(out[1].id, 5000 + 3 * 100);
    for (int i = 0; i < DIM; i++)
        p[i] = rng_float(&rng);
    normalise(p, DIM);
    p[3] = NAN;
    assert_int_equal(vg_gallery_search_i8(g, p, 5, out), -1);
    check_same(g, p, 5);
    memset(p, 0, sizeof p);
    assert_int_equal(vg_gallery_search_i8(g, p, 5, out), -1);
    check_same(g, p, 5);
    vg_gallery_free(g);
    free(v);
}

static void test_bytes_per_template(void **state)
{
    (void)state;
    vg_gallery *g = NULL;
    assert_int_equal(vg_gallery_new(512, VG_MATCH_KERNEL_AUTO, &g, NULL), VG_OK);
    /* 2048 float + 8 id + 512 codes + 4 scale + 4 error */
    assert_int_equal(vg_gallery_bytes_per_template(g), 2576);
    vg_gallery_free(g);
    assert_int_equal(vg_gallery_bytes_per_template(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_i8_kernels_agree),
        cmocka_unit_test(test_row_kernel_matches_batch),
        cmocka_unit_test(test_quantise),
        cmocka_unit_test(test_search_random),
        cmocka_unit_test(test_search_clustered),
        cmocka_unit_test(test_search_awkward),
        cmocka_unit_test(test_bytes_per_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
