/* test_match_gallery.c — vg_gallery_*: creation limits, normalisation on add, bad
 * input that must change nothing, growth, and top-k search checked against an
 * independent brute-force reference in double precision written here (sort of
 * every cosine, ties to the lower index). Search with the AVX2 kernel must give
 * the scalar kernel's ids, and a 10 000 x 512 gallery must search correctly.
 */
#include "vg_test.h"

#include <math.h>
#include <pthread.h>

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

/* Ids differ from row indices, so a search that returned indices would fail. */
static int64_t id_of(size_t i)
{
    return 1000 + 7 * (int64_t)i;
}

static size_t index_of(int64_t id)
{
    return (size_t)((id - 1000) / 7);
}

static vg_gallery *new_gallery(int dim, vg_match_kernel k)
{
    vg_gallery *g = NULL;
    vg_err err = {{0}};
    vg_status st = vg_gallery_new(dim, k, &g, &err);
    if (st != VG_OK)
        fprintf(stderr, "vg_gallery_new: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_non_null(g);
    return g;
}

/* n random raw (unnormalised) vectors, row-major */
static float *random_vectors(size_t n, int dim, uint64_t *rng)
{
    float *v = malloc(n * (size_t)dim * sizeof(float));
    assert_non_null(v);
    for (size_t i = 0; i < n * (size_t)dim; i++)
        v[i] = rng_float(rng) * 3.0f;
    return v;
}

static void fill(vg_gallery *g, const float *vecs, size_t n)
{
    int dim = vg_gallery_dim(g);
    for (size_t i = 0; i < n; i++) {
        vg_err err = {{0}};
        assert_int_equal(vg_gallery_add(g, id_of(i), vecs + i * (size_t)dim, &err), VG_OK);
    }
    assert_int_equal(vg_gallery_size(g), n);
}

/* ---- the independent reference ------------------------------------------ */

typedef struct ref_hit {
    size_t index;
    double score;
} ref_hit;

static int ref_cmp(const void *pa, const void *pb)
{
    const ref_hit *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Cosine of the probe with every raw vector, in double, sorted best first. */
static ref_hit *reference(const float *vecs, size_t n, int dim, const float *probe)
{
    ref_hit *h = malloc((n ? n : 1) * sizeof *h);
    assert_non_null(h);
    double pp = 0.0;
    for (int d = 0; d < dim; d++)
        pp += (double)probe[d] * probe[d];
    for (size_t i = 0; i < n; i++) {
        const float *v = vecs + i * (size_t)dim;
        double vv = 0.0, vp = 0.0;
        for (int d = 0; d < dim; d++) {
            vv += (double)v[d] * v[d];
            vp += (double)v[d] * probe[d];
        }
        h[i].index = i;
        h[i].score = vp / sqrt(vv * pp);
    }
    qsort(h, n, sizeof *h, ref_cmp);
    return h;
}

#define SCORE_TOL 1e-5

/* out must be the reference's top-k: same length, best first, each score
 * within tolerance; each id at rank i must be the reference's id at rank i,
 * except where the reference itself has a near-tie (within SCORE_TOL) at that
 * rank, where the id's true score must then match the rank's score. */
static void check_against_reference(const vg_match *out, int got, const ref_hit *ref, size_t n,
                                    int k, const float *vecs, int dim, const float *probe)
{
    size_t want = k <= 0 ? 0 : ((size_t)k < n ? (size_t)k : n);
    assert_int_equal(got, (int)want);
    for (size_t i = 0; i < want; i++) {
        assert_float_equal(out[i].score, ref[i].score, SCORE_TOL);
        if (i > 0)
            assert_true(out[i - 1].score >= out[i].score);
        int near_tie = (i > 0 && ref[i - 1].score - ref[i].score < SCORE_TOL) ||
                       (i + 1 < n && ref[i].score - ref[i + 1].score < SCORE_TOL);
        if (!near_tie) {
            assert_int_equal(out[i].id, id_of(ref[i].index));
        } else {
            size_t j = index_of(out[i].id);
            assert_true(j < n);
            ref_hit *one = reference(vecs + j * (size_t)dim, 1, dim, probe);
            assert_float_equal(one->score, ref[i].score, SCORE_TOL);
            free(one);
        }
        for (size_t m = 0; m < i; m++) /* no template twice */
            assert_true(out[m].id != out[i].id);
    }
}

/* A probe: half the time a noisy copy of a gallery vector, else random. */
static void make_probe(float *probe, const float *vecs, size_t n, int dim, uint64_t *rng)
{
    size_t src = n ? (size_t)(rng_next(rng) % n) : 0;
    int copy = n && (rng_next(rng) & 1);
    for (int d = 0; d < dim; d++)
        probe[d] = copy ? vecs[src * (size_t)dim + d] + 0.3f * rng_float(rng) : rng_float(rng);
    vg_l2_normalise(probe, dim);
}

/* Same ids and bit-identical scores (vg_match has padding: no memcmp). */
static void assert_same_matches(const vg_match *a, const vg_match *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].id, b[i].id);
        assert_memory_equal(&a[i].score, &b[i].score, sizeof(float));
    }
}

/* ---- tests -------------------------------------------------------------- */

static void test_new_limits(void **state)
{
    (void)state;
    vg_gallery *g = (vg_gallery *)&g; /* must be reset to NULL on failure */
    vg_err err = {{0}};
    static const int bad[] = {0, -1, -512, 4097, 100000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        g = (vg_gallery *)&g;
        assert_int_equal(vg_gallery_new(bad[i], VG_MATCH_KERNEL_AUTO, &g, &err), VG_ERR_INVALID);
        assert_null(g);
        assert_true(strlen(err.msg) > 0);
    }
    assert_int_equal(vg_gallery_new(8, (vg_match_kernel)42, &g, &err), VG_ERR_INVALID);
    assert_null(g);
    assert_int_equal(vg_gallery_new(8, VG_MATCH_KERNEL_AUTO, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_gallery_new(0, VG_MATCH_KERNEL_AUTO, &g, NULL), VG_ERR_INVALID);

    static const int good[] = {1, 7, 8, 9, 512, 513, 4096};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        g = new_gallery(good[i], VG_MATCH_KERNEL_SCALAR);
        assert_int_equal(vg_gallery_dim(g), good[i]);
        assert_int_equal(vg_gallery_size(g), 0);
        assert_int_equal(vg_gallery_kernel(g), VG_MATCH_KERNEL_SCALAR);
        vg_gallery_free(g);
    }

    g = new_gallery(16, VG_MATCH_KERNEL_AUTO);
    assert_int_equal(vg_gallery_kernel(g),
                     have_avx2() ? VG_MATCH_KERNEL_AVX2 : VG_MATCH_KERNEL_SCALAR);
    vg_gallery_free(g);

    vg_status st = vg_gallery_new(16, VG_MATCH_KERNEL_AVX2, &g, &err);
    if (have_avx2()) {
        assert_int_equal(st, VG_OK);
        assert_int_equal(vg_gallery_kernel(g), VG_MATCH_KERNEL_AVX2);
        vg_gallery_free(g);
    } else {
        assert_int_equal(st, VG_ERR_UNSUPPORTED);
        assert_null(g);
        assert_non_null(strstr(err.msg, "avx2"));
    }
    vg_gallery_free(NULL);
    assert_int_equal(vg_gallery_size(NULL), 0);
    assert_int_equal(vg_gallery_dim(NULL), 0);
}

static void test_add_normalises(void **state)
{
    (void)state;
    vg_gallery *g = new_gallery(2, VG_MATCH_KERNEL_AUTO);
    const float v[2] = {3, 4};
    vg_err err;
    assert_int_equal(vg_gallery_add(g, 5, v, &err), VG_OK);
    vg_match m[2];
    const float px[2] = {1, 0}, pv[2] = {0.6f, 0.8f};
    assert_int_equal(vg_gallery_search(g, px, 1, m), 1);
    assert_int_equal(m[0].id, 5);
    assert_float_equal(m[0].score, 0.6f, 1e-6);
    assert_int_equal(vg_gallery_search(g, pv, 1, m), 1);
    assert_float_equal(m[0].score, 1.0f, 1e-6);
    /* the caller's vector is copied, not normalised in place */
    assert_true(v[0] == 3.0f && v[1] == 4.0f);

    /* huge and tiny magnitudes normalise too */
    const float big[2] = {3e38f, 3e38f}, tiny[2] = {1e-42f, 1e-42f};
    assert_int_equal(vg_gallery_add(g, 6, big, &err), VG_OK);
    assert_int_equal(vg_gallery_add(g, 7, tiny, &err), VG_OK);
    const float pd[2] = {(float)(1 / sqrt(2.0)), (float)(1 / sqrt(2.0))};
    assert_int_equal(vg_gallery_search(g, pd, 2, m), 2);
    assert_int_equal(m[0].id, 6); /* tie at 1.0: the earlier template first */
    assert_int_equal(m[1].id, 7);
    assert_float_equal(m[0].score, 1.0f, 1e-6);
    assert_float_equal(m[1].score, 1.0f, 1e-6);
    vg_gallery_free(g);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    uint64_t rng = 3;
    const int dim = 13;
    float *vecs = random_vectors(40, dim, &rng);
    vg_gallery *g = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
    fill(g, vecs, 16); /* exactly the initial capacity: a bad add must not grow */
    float probe[13];
    make_probe(probe, vecs, 16, dim, &rng);
    vg_match before[16], after[16];
    assert_int_equal(vg_gallery_search(g, probe, 16, before), 16);

    float bad[4][13];
    memset(bad, 0, sizeof bad); /* bad[0]: the zero vector */
    for (int d = 0; d < dim; d++)
        bad[1][d] = bad[2][d] = bad[3][d] = 1.0f;
    bad[1][5] = NAN;
    bad[2][dim - 1] = INFINITY;
    bad[3][0] = -INFINITY;
    for (int i = 0; i < 4; i++) {
        vg_err err = {{0}};
        assert_int_equal(vg_gallery_add(g, 999, bad[i], &err), VG_ERR_INVALID);
        assert_true(strlen(err.msg) > 0);
        assert_int_equal(vg_gallery_add(g, 999, bad[i], NULL), VG_ERR_INVALID);
    }
    vg_err err = {{0}};
    assert_int_equal(vg_gallery_add(g, 999, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_gallery_add(NULL, 999, vecs, &err), VG_ERR_INVALID);
    assert_int_equal(vg_gallery_size(g), 16);
    assert_int_equal(vg_gallery_search(g, probe, 16, after), 16);
    assert_same_matches(before, after, 16);

    /* dim 0 never makes a gallery */
    vg_gallery *g0 = (vg_gallery *)&g0;
    assert_int_equal(vg_gallery_new(0, VG_MATCH_KERNEL_SCALAR, &g0, &err), VG_ERR_INVALID);
    assert_null(g0);

    /* good adds still work afterwards, growing past the initial capacity */
    for (size_t i = 16; i < 40; i++)
        assert_int_equal(vg_gallery_add(g, id_of(i), vecs + i * dim, NULL), VG_OK);
    assert_int_equal(vg_gallery_size(g), 40);
    assert_int_equal(vg_gallery_search(g, probe, 16, after), 16);
    ref_hit *ref = reference(vecs, 40, dim, probe);
    check_against_reference(after, 16, ref, 40, 16, vecs, dim, probe);
    free(ref);
    vg_gallery_free(g);
    free(vecs);
}

static void test_search_k_bounds(void **state)
{
    (void)state;
    uint64_t rng = 4;
    const int dim = 9;
    float *vecs = random_vectors(10, dim, &rng);
    vg_gallery *g = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
    float probe[9];
    make_probe(probe, vecs, 10, dim, &rng);
    vg_match out[12];
    out[0].id = -5;
    assert_int_equal(vg_gallery_search(g, probe, 5, out), 0); /* empty */
    assert_int_equal(out[0].id, -5);
    fill(g, vecs, 10);
    assert_int_equal(vg_gallery_search(g, probe, 0, out), 0);
    assert_int_equal(vg_gallery_search(g, probe, -3, out), 0);
    assert_int_equal(out[0].id, -5); /* untouched */
    assert_int_equal(vg_gallery_search(g, probe, 1, out), 1);
    assert_int_equal(vg_gallery_search(g, probe, 10, out), 10);
    assert_int_equal(vg_gallery_search(g, probe, 11, out), 10);
    assert_int_equal(vg_gallery_search(g, probe, 2147483647, out), 10);
    assert_int_equal(vg_gallery_search(NULL, probe, 3, out), 0);
    assert_int_equal(vg_gallery_search(g, NULL, 3, out), 0);
    assert_int_equal(vg_gallery_search(g, probe, 3, NULL), 0);
    vg_gallery_free(g);
    free(vecs);
}

/* Random galleries of many sizes and dims, every k, both kernels. */
static void test_search_matches_reference(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 5, 7, 8, 9, 15, 16, 17, 63, 100, 255, 256, 257, 600};
    static const int dims[] = {1, 3, 7, 8, 9, 64, 128, 513};
    static const int ks[] = {1, 2, 3, 5, 10, 50};
    uint64_t rng = 5;
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        int dim = dims[di];
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            float *vecs = random_vectors(n, dim, &rng);
            vg_gallery *gs = new_gallery(dim, VG_MATCH_KERNEL_SCALAR);
            vg_gallery *ga = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
            fill(gs, vecs, n);
            fill(ga, vecs, n);
            float *probe = malloc((size_t)dim * sizeof(float));
            vg_match *os = malloc((n + 1) * sizeof *os), *oa = malloc((n + 1) * sizeof *oa);
            assert_non_null(probe);
            assert_non_null(os);
            assert_non_null(oa);
            for (int trial = 0; trial < 3; trial++) {
                make_probe(probe, vecs, n, dim, &rng);
                ref_hit *ref = reference(vecs, n, dim, probe);
                for (size_t ki = 0; ki <= sizeof ks / sizeof ks[0]; ki++) {
                    int k = ki < sizeof ks / sizeof ks[0] ? ks[ki] : (int)n + 1;
                    int cs = vg_gallery_search(gs, probe, k, os);
                    int ca = vg_gallery_search(ga, probe, k, oa);
                    check_against_reference(os, cs, ref, n, k, vecs, dim, probe);
                    check_against_reference(oa, ca, ref, n, k, vecs, dim, probe);
                }
                free(ref);
            }
            free(probe);
            free(os);
            free(oa);
            vg_gallery_free(gs);
            vg_gallery_free(ga);
            free(vecs);
        }
    }
}

/* dim 1: every score is exactly +1 or -1, so the order is all tie-breaking. */
static void test_ties_lower_index_first(void **state)
{
    (void)state;
    static const vg_match_kernel kernels[] = {VG_MATCH_KERNEL_SCALAR, VG_MATCH_KERNEL_AUTO};
    for (size_t ki = 0; ki < 2; ki++) {
        vg_gallery *g = new_gallery(1, kernels[ki]);
        uint64_t rng = 6;
        float vals[300];
        for (size_t i = 0; i < 300; i++) {
            vals[i] = rng_float(&rng);
            assert_int_equal(vg_gallery_add(g, id_of(i), &vals[i], NULL), VG_OK);
        }
        const float probe = 1.0f;
        vg_match out[300];
        assert_int_equal(vg_gallery_search(g, &probe, 300, out), 300);
        size_t pos = 0;
        for (int sign = 1; sign >= -1; sign -= 2) /* positives in order, then negatives */
            for (size_t i = 0; i < 300; i++)
                if ((vals[i] > 0) == (sign > 0)) {
                    assert_int_equal(out[pos].id, id_of(i));
                    assert_true(out[pos].score == (float)sign);
                    pos++;
                }
        /* a small k keeps the earliest of the tied */
        assert_int_equal(vg_gallery_search(g, &probe, 3, out), 3);
        size_t first = 0;
        for (int c = 0; c < 3; c++) {
            while (!(vals[first] > 0))
                first++;
            assert_int_equal(out[c].id, id_of(first));
            first++;
        }
        vg_gallery_free(g);
    }

    /* the same template added many times among others in 512-D */
    uint64_t rng = 8;
    float *vecs = random_vectors(50, 512, &rng);
    for (int c = 0; c < 5; c++) /* rows 10, 20, 30, 40, 49 are copies of row 3 */
        memcpy(vecs + (size_t)(c < 4 ? 10 * (c + 1) : 49) * 512, vecs + 3 * 512, 512 * sizeof(float));
    vg_gallery *g = new_gallery(512, VG_MATCH_KERNEL_AUTO);
    fill(g, vecs, 50);
    float probe[512];
    memcpy(probe, vecs + 3 * 512, sizeof probe);
    vg_l2_normalise(probe, 512);
    vg_match out[6];
    assert_int_equal(vg_gallery_search(g, probe, 6, out), 6);
    static const size_t order[] = {3, 10, 20, 30, 40, 49};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(out[i].id, id_of(order[i]));
        assert_float_equal(out[i].score, 1.0f, 1e-5);
    }
    assert_int_equal(vg_gallery_search(g, probe, 2, out), 2);
    assert_int_equal(out[0].id, id_of(3));
    assert_int_equal(out[1].id, id_of(10));
    vg_gallery_free(g);
    free(vecs);
}

/* AVX2 and scalar galleries over the same templates give the same ids in the
 * same order and scores within tolerance. */
static void test_avx2_search_equals_scalar(void **state)
{
    (void)state;
    if (!have_avx2()) {
        fprintf(stderr, "CPU has no avx2+fma: skipping\n");
        skip();
        return;
    }
    static const int dims[] = {1, 7, 8, 9, 31, 512, 513};
    uint64_t rng = 10;
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
        int dim = dims[di];
        const size_t n = 2000;
        float *vecs = random_vectors(n, dim, &rng);
        vg_gallery *gs = new_gallery(dim, VG_MATCH_KERNEL_SCALAR);
        vg_gallery *gv = new_gallery(dim, VG_MATCH_KERNEL_AVX2);
        fill(gs, vecs, n);
        fill(gv, vecs, n);
        float *probe = malloc((size_t)dim * sizeof(float));
        assert_non_null(probe);
        vg_match os[20], ov[20];
        for (int trial = 0; trial < 10; trial++) {
            make_probe(probe, vecs, n, dim, &rng);
            int cs = vg_gallery_search(gs, probe, 20, os);
            int cv = vg_gallery_search(gv, probe, 20, ov);
            assert_int_equal(cs, 20);
            assert_int_equal(cv, 20);
            for (int i = 0; i < 20; i++) {
                assert_float_equal(os[i].score, ov[i].score, SCORE_TOL);
                /* dims 1..9 have exact or near ties among 2000: allow a swap
                 * only between scores that agree within tolerance */
                if (os[i].id != ov[i].id) {
                    assert_true(dim < 16);
                    size_t ia = index_of(os[i].id), ib = index_of(ov[i].id);
                    ref_hit *ra = reference(vecs + ia * (size_t)dim, 1, dim, probe);
                    ref_hit *rb = reference(vecs + ib * (size_t)dim, 1, dim, probe);
                    assert_float_equal(ra->score, rb->score, SCORE_TOL);
                    free(ra);
                    free(rb);
                }
            }
        }
        free(probe);
        vg_gallery_free(gs);
        vg_gallery_free(gv);
        free(vecs);
    }
}

/* Add one at a time past many doublings; every template is still found. */
static void test_growth(void **state)
{
    (void)state;
    uint64_t rng = 11;
    const int dim = 513;
    const size_t n = 1100;
    float *vecs = random_vectors(n, dim, &rng);
    vg_gallery *g = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
    float probe[513];
    vg_match out[3];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(vg_gallery_add(g, id_of(i), vecs + i * dim, NULL), VG_OK);
        assert_int_equal(vg_gallery_size(g), i + 1);
        if (i % 37 == 0 || (i & (i + 1)) == 0) { /* also right after each power of two */
            for (size_t j = 0; j <= i; j += 1 + i / 8) {
                memcpy(probe, vecs + j * dim, sizeof probe);
                vg_l2_normalise(probe, dim);
                assert_true(vg_gallery_search(g, probe, 3, out) >= 1);
                assert_int_equal(out[0].id, id_of(j));
                assert_float_equal(out[0].score, 1.0f, 1e-5);
            }
        }
    }
    for (size_t j = 0; j < n; j += 13) {
        memcpy(probe, vecs + j * dim, sizeof probe);
        vg_l2_normalise(probe, dim);
        assert_int_equal(vg_gallery_search(g, probe, 3, out), 3);
        assert_int_equal(out[0].id, id_of(j));
    }
    vg_gallery_free(g);
    free(vecs);
}

/* The size the product targets: 10 000 templates of 512 floats. */
static void test_10k_gallery(void **state)
{
    (void)state;
    uint64_t rng = 12;
    const int dim = 512;
    const size_t n = 10000;
    float *vecs = random_vectors(n, dim, &rng);
    vg_gallery *g = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
    fill(g, vecs, n);
    float probe[512];
    vg_match out[100];
    static const int ks[] = {1, 5, 100};
    for (int trial = 0; trial < 12; trial++) {
        make_probe(probe, vecs, n, dim, &rng);
        ref_hit *ref = reference(vecs, n, dim, probe);
        for (size_t ki = 0; ki < 3; ki++) {
            int got = vg_gallery_search(g, probe, ks[ki], out);
            check_against_reference(out, got, ref, n, ks[ki], vecs, dim, probe);
        }
        free(ref);
    }
    /* a noisy copy of template 7777 finds it first, well above the rest */
    for (int d = 0; d < dim; d++)
        probe[d] = vecs[7777 * 512 + d] + 0.5f * rng_float(&rng);
    vg_l2_normalise(probe, dim);
    assert_int_equal(vg_gallery_search(g, probe, 5, out), 5);
    assert_int_equal(out[0].id, id_of(7777));
    assert_true(out[0].score > 0.8f && out[1].score < 0.3f);
    vg_gallery_free(g);
    free(vecs);
}

/* Searches from several threads at once agree with a lone search. */
typedef struct search_job {
    const vg_gallery *g;
    const float *probes;
    int dim, nprobes;
    vg_match *out; /* nprobes * 5 */
} search_job;

static void *search_thread(void *arg)
{
    search_job *j = arg;
    for (int rep = 0; rep < 3; rep++)
        for (int p = 0; p < j->nprobes; p++)
            vg_gallery_search(j->g, j->probes + (size_t)p * j->dim, 5, j->out + p * 5);
    return NULL;
}

static void test_concurrent_search(void **state)
{
    (void)state;
    uint64_t rng = 13;
    const int dim = 128, nprobes = 16;
    const size_t n = 3000;
    float *vecs = random_vectors(n, dim, &rng);
    float *probes = malloc((size_t)nprobes * dim * sizeof(float));
    assert_non_null(probes);
    vg_gallery *g = new_gallery(dim, VG_MATCH_KERNEL_AUTO);
    fill(g, vecs, n);
    for (int p = 0; p < nprobes; p++)
        make_probe(probes + (size_t)p * dim, vecs, n, dim, &rng);
    vg_match lone[16 * 5], par[4][16 * 5];
    for (int p = 0; p < nprobes; p++)
        vg_gallery_search(g, probes + (size_t)p * dim, 5, lone + p * 5);
    pthread_t th[4];
    search_job jobs[4];
    for (int t = 0; t < 4; t++) {
        jobs[t] = (search_job){g, probes, dim, nprobes, par[t]};
        assert_int_equal(pthread_create(&th[t], NULL, search_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < 4; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < 4; t++)
        assert_same_matches(lone, par[t], 16 * 5);
    vg_gallery_free(g);
    free(probes);
    free(vecs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_limits),
        cmocka_unit_test(test_add_normalises),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_search_k_bounds),
        cmocka_unit_test(test_search_matches_reference),
        cmocka_unit_test(test_ties_lower_index_first),
        cmocka_unit_test(test_avx2_search_equals_scalar),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_10k_gallery),
        cmocka_unit_test(test_concurrent_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
