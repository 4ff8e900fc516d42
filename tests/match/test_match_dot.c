/* test_match_dot.c — the dot-product kernels and vector helpers of match/.
 *
 * The AVX2 kernels (single and batched) are checked against the plain C
 * reference and against a double-precision sum written here, on random data
 * for every dim from 1 to 70 and many larger ones (tail handling), with
 * misaligned inputs, and with NaN planted just past dim to prove the tails
 * never read there. Then the backend table, kernel names, vg_cosine and
 * vg_l2_normalise.
 */
#include "vg_test.h"

#include <math.h>

#include "match/kernels.h"
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

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* Tolerance for a float dot: relative to sum |a_i b_i| (the result itself can
 * be near zero after cancellation). */
static void check_close(float got, const float *a, const float *b, int dim, double want)
{
    double mag = 0.0;
    for (int i = 0; i < dim; i++)
        mag += fabs((double)a[i] * b[i]);
    double tol = 1e-5 * mag + 1e-30;
    if (fabs((double)got - want) > tol) {
        fprintf(stderr, "dim %d: got %.9g want %.9g (tol %.3g)\n", dim, got, want, tol);
        fail();
    }
}

static double dot_ref(const float *a, const float *b, int dim)
{
    double s = 0.0;
    for (int i = 0; i < dim; i++)
        s += (double)a[i] * b[i];
    return s;
}

static const int big_dims[] = {127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 2048, 4095, 4096};

static void for_each_dim(void (*fn)(int dim, uint64_t *rng))
{
    uint64_t rng = 12345;
    for (int d = 1; d <= 70; d++)
        fn(d, &rng);
    for (size_t i = 0; i < sizeof big_dims / sizeof big_dims[0]; i++)
        fn(big_dims[i], &rng);
}

/* a and b sit at the very end of exact-size blocks, offset by 1 float from
 * malloc's alignment, so any over-read past dim is an ASan error. */
static void one_dot(int dim, uint64_t *rng)
{
    for (int trial = 0; trial < 8; trial++) {
        float *ba = malloc(((size_t)dim + 1) * sizeof(float));
        float *bb = malloc(((size_t)dim + 1) * sizeof(float));
        assert_non_null(ba);
        assert_non_null(bb);
        float *a = ba + 1, *b = bb + 1;
        for (int i = 0; i < dim; i++) {
            a[i] = rng_float(rng);
            b[i] = rng_float(rng);
        }
        double want = dot_ref(a, b, dim);
        float s = vg_dot_scalar(a, b, dim);
        check_close(s, a, b, dim, want);
        check_close(vg_match_dot(VG_MATCH_KERNEL_SCALAR, a, b, dim), a, b, dim, want);
        check_close(vg_match_dot(VG_MATCH_KERNEL_AUTO, a, b, dim), a, b, dim, want);
        if (have_avx2()) {
            float v = vg_dot_avx2(a, b, dim);
            check_close(v, a, b, dim, want);
            check_close(v, a, b, dim, s); /* against the C reference itself */
            check_close(vg_match_dot(VG_MATCH_KERNEL_AVX2, a, b, dim), a, b, dim, want);
        }
        free(ba);
        free(bb);
    }
}

static void test_dot_scalar_vs_avx2(void **state)
{
    (void)state;
    for_each_dim(one_dot);
}

/* Batched kernels: rows in a 32-byte aligned block with stride = dim rounded
 * up to 8; the padding holds NaN, so reading it would poison the result. */
static void one_batch(int dim, uint64_t *rng)
{
    size_t stride = ((size_t)dim + 7) & ~(size_t)7;
    const size_t max_rows = 21;
    float *rows = aligned_alloc(32, max_rows * stride * sizeof(float));
    float *probe = malloc((size_t)dim * sizeof(float));
    assert_non_null(rows);
    assert_non_null(probe);
    for (size_t r = 0; r < max_rows; r++)
        for (size_t i = 0; i < stride; i++)
            rows[r * stride + i] = i < (size_t)dim ? rng_float(rng) : NAN;
    for (int i = 0; i < dim; i++)
        probe[i] = rng_float(rng);
    float out_s[21], out_v[21];
    for (size_t n = 0; n <= max_rows; n++) {
        if (n == 0) { /* n == 0 writes nothing */
            out_s[0] = out_v[0] = 42.0f;
            vg_dot_batch_scalar(probe, rows, stride, 0, dim, out_s);
            if (have_avx2())
                vg_dot_batch_avx2(probe, rows, stride, 0, dim, out_v);
            assert_true(out_s[0] == 42.0f && out_v[0] == 42.0f);
            continue;
        }
        vg_dot_batch_scalar(probe, rows, stride, n, dim, out_s);
        for (size_t r = 0; r < n; r++) {
            double want = dot_ref(probe, rows + r * stride, dim);
            check_close(out_s[r], probe, rows + r * stride, dim, want);
        }
        if (!have_avx2())
            continue;
        vg_dot_batch_avx2(probe, rows, stride, n, dim, out_v);
        for (size_t r = 0; r < n; r++) {
            double want = dot_ref(probe, rows + r * stride, dim);
            assert_true(isfinite(out_v[r]));
            check_close(out_v[r], probe, rows + r * stride, dim, want);
            check_close(out_v[r], probe, rows + r * stride, dim, out_s[r]);
        }
    }
    free(rows);
    free(probe);
}

static void test_batch_scalar_vs_avx2(void **state)
{
    (void)state;
    for_each_dim(one_batch);
}

/* Exact cases: small integers are summed without rounding by every kernel. */
static void test_dot_exact_values(void **state)
{
    (void)state;
    float a[19], b[19];
    double want = 0.0;
    for (int i = 0; i < 19; i++) {
        a[i] = (float)(i + 1);
        b[i] = (float)(i % 3 - 1);
        want += (double)a[i] * b[i];
    }
    static const vg_match_kernel ks[] = {VG_MATCH_KERNEL_AUTO, VG_MATCH_KERNEL_SCALAR,
                                         VG_MATCH_KERNEL_AVX2};
    for (size_t i = 0; i < 3; i++) {
        assert_true(vg_match_dot(ks[i], a, b, 19) == (float)want);
        assert_true(vg_match_dot(ks[i], a, a, 1) == 1.0f);
        assert_true(vg_match_dot(ks[i], a, b, 0) == 0.0f);
        assert_true(vg_match_dot(ks[i], a, b, -3) == 0.0f);
        assert_true(vg_match_dot(ks[i], NULL, b, 3) == 0.0f);
    }
    /* an unknown kernel value falls back to the reference */
    assert_true(vg_match_dot((vg_match_kernel)99, a, b, 19) == (float)want);
}

static void test_backend_table(void **state)
{
    (void)state;
    const vg_match_backend *be = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_match_backend_find(VG_MATCH_KERNEL_SCALAR, &be, &err), VG_OK);
    assert_int_equal(be->kernel, VG_MATCH_KERNEL_SCALAR);
    assert_string_equal(be->name, "scalar");
    assert_true(be->supported());

    assert_int_equal(vg_match_backend_find(VG_MATCH_KERNEL_AUTO, &be, &err), VG_OK);
    assert_int_equal(be->kernel, have_avx2() ? VG_MATCH_KERNEL_AVX2 : VG_MATCH_KERNEL_SCALAR);

    vg_status st = vg_match_backend_find(VG_MATCH_KERNEL_AVX2, &be, &err);
    if (have_avx2()) {
        assert_int_equal(st, VG_OK);
        assert_string_equal(be->name, "avx2");
    } else {
        assert_int_equal(st, VG_ERR_UNSUPPORTED);
        assert_non_null(strstr(err.msg, "avx2"));
    }
    err.msg[0] = '\0';
    assert_int_equal(vg_match_backend_find((vg_match_kernel)77, &be, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "77"));
    /* a NULL error buffer is allowed */
    assert_int_equal(vg_match_backend_find((vg_match_kernel)77, &be, NULL), VG_ERR_INVALID);
}

static void test_kernel_names(void **state)
{
    (void)state;
    assert_string_equal(vg_match_kernel_name(VG_MATCH_KERNEL_AUTO), "auto");
    assert_string_equal(vg_match_kernel_name(VG_MATCH_KERNEL_SCALAR), "scalar");
    assert_string_equal(vg_match_kernel_name(VG_MATCH_KERNEL_AVX2), "avx2");
    assert_string_equal(vg_match_kernel_name((vg_match_kernel)-1), "unknown");
    assert_string_equal(vg_match_kernel_name((vg_match_kernel)3), "unknown");
}

static void test_cosine(void **state)
{
    (void)state;
    const float a[3] = {1, 2, 3}, a10[3] = {10, 20, 30}, na[3] = {-2, -4, -6};
    const float o[3] = {3, 0, -1}, z[3] = {0, 0, 0};
    assert_float_equal(vg_cosine(a, a10, 3), 1.0f, 1e-6);
    assert_float_equal(vg_cosine(a, na, 3), -1.0f, 1e-6);
    assert_float_equal(vg_cosine(a, o, 3), 0.0f, 1e-7);
    assert_true(vg_cosine(a, z, 3) == 0.0f);
    assert_true(vg_cosine(z, a, 3) == 0.0f);
    assert_true(vg_cosine(a, a, 0) == 0.0f);
    assert_true(vg_cosine(NULL, a, 3) == 0.0f);
    const float x[2] = {1, 0}, y[2] = {1, 1};
    assert_float_equal(vg_cosine(x, y, 2), (float)(1.0 / sqrt(2.0)), 1e-7);
    /* never outside [-1, 1], even for huge values */
    const float h[2] = {3e38f, 3e38f};
    float c = vg_cosine(h, h, 2);
    assert_true(c <= 1.0f && c > 0.999999f);
    /* agrees with random data normalised then dotted */
    uint64_t rng = 7;
    float p[100], q[100];
    for (int i = 0; i < 100; i++) {
        p[i] = rng_float(&rng);
        q[i] = rng_float(&rng) * 5.0f;
    }
    float cpq = vg_cosine(p, q, 100);
    vg_l2_normalise(p, 100);
    vg_l2_normalise(q, 100);
    assert_float_equal(cpq, vg_match_dot(VG_MATCH_KERNEL_SCALAR, p, q, 100), 1e-6);
}

static void test_l2_normalise(void **state)
{
    (void)state;
    float v[2] = {3, 4};
    assert_float_equal(vg_l2_normalise(v, 2), 5.0f, 0);
    assert_float_equal(v[0], 0.6f, 1e-7);
    assert_float_equal(v[1], 0.8f, 1e-7);
    /* already unit: unchanged norm 1 */
    assert_float_equal(vg_l2_normalise(v, 2), 1.0f, 1e-7);

    float z[4] = {0, 0, 0, 0};
    assert_true(vg_l2_normalise(z, 4) == 0.0f);
    for (int i = 0; i < 4; i++)
        assert_true(z[i] == 0.0f);

    float n[3] = {1, NAN, 2};
    assert_true(isnan(vg_l2_normalise(n, 3)));
    assert_true(n[0] == 1.0f && isnan(n[1]) && n[2] == 2.0f);

    float in[3] = {1, INFINITY, 2};
    assert_true(isinf(vg_l2_normalise(in, 3)));
    assert_true(in[0] == 1.0f && isinf(in[1]) && in[2] == 2.0f);

    /* squares that overflow or underflow float still normalise */
    float big[2] = {3e30f, 4e30f};
    assert_float_equal(vg_l2_normalise(big, 2), 5e30f, 1e24);
    assert_float_equal(big[0], 0.6f, 1e-7);
    float tiny[2] = {3e-40f, 4e-40f};
    vg_l2_normalise(tiny, 2);
    assert_float_equal(tiny[0], 0.6f, 1e-5);
    assert_float_equal(tiny[1], 0.8f, 1e-5);

    assert_true(vg_l2_normalise(v, 0) == 0.0f);
    assert_true(vg_l2_normalise(NULL, 3) == 0.0f);

    uint64_t rng = 99;
    float r[513];
    for (int i = 0; i < 513; i++)
        r[i] = rng_float(&rng) * 100.0f;
    vg_l2_normalise(r, 513);
    assert_float_equal(dot_ref(r, r, 513), 1.0, 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_scalar_vs_avx2),
        cmocka_unit_test(test_batch_scalar_vs_avx2),
        cmocka_unit_test(test_dot_exact_values),
        cmocka_unit_test(test_backend_table),
        cmocka_unit_test(test_kernel_names),
        cmocka_unit_test(test_cosine),
        cmocka_unit_test(test_l2_normalise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
