/* bench_gallery.c — identify latency as the watch list grows: top-5 search
 * of one probe over 1 000, 10 000 and 100 000 synthetic L2-normalised 512-D
 * templates, one thread, beside the time to stream the same bytes measured
 * in the same run.
 *
 * For each size: 200 probes (100 noisy copies of a template, cosine about
 * 0.6 to it, as a person on the list; 100 fresh random vectors, as a
 * stranger), each searched with vg_gallery_search (the int8 pass with exact
 * re-ranking, from 512 templates) and with vg_gallery_search_float (every
 * float template scanned); p50 and p99 of each. The floors: one read pass
 * over the gallery's float rows and over its int8 codes (integer adds with
 * eight accumulators, so loads are the only limit), median of 20.
 * top5_identical counts probes whose top 5 (ids, order and scores bit for
 * bit) are the same from both searches; int8_proven those the int8 pass
 * settled without falling back to the float scan; recall_at_1 is the share
 * of the "on the list" probes whose own template comes first.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "match/gallery_internal.h"
#include "vigil/match.h"

#define BG_DIM 512
#define BG_K 5
#define BG_PROBES 200
#define BG_STREAMS 20
#define BG_TARGET_MS 5.0

static uint64_t bg_rng(uint64_t *s)
{ /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static float bg_gauss(uint64_t *s)
{
    double u = ((double)(bg_rng(s) >> 11) + 0.5) * 0x1.0p-53;
    double v = ((double)(bg_rng(s) >> 11) + 0.5) * 0x1.0p-53;
    return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

/* p-th percentile (0..100), nearest rank; sorts t. */
static double bg_percentile(double *t, size_t n, double p)
{
    qsort(t, n, sizeof *t, vg_bench_cmp_double);
    size_t r = (size_t)ceil(p / 100.0 * (double)n);
    return t[r ? r - 1 : 0];
}

/* Reads bytes (a multiple of 32, 32-byte aligned) once: integer adds into
 * eight independent accumulators. */
__attribute__((target("avx2"))) static uint32_t stream_avx2(const void *p, size_t bytes)
{
    const __m256i *v = p;
    size_t n = bytes / 32, i = 0;
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (; i + 8 <= n; i += 8) {
        s0 = _mm256_add_epi32(s0, _mm256_load_si256(v + i));
        s1 = _mm256_add_epi32(s1, _mm256_load_si256(v + i + 1));
        s2 = _mm256_add_epi32(s2, _mm256_load_si256(v + i + 2));
        s3 = _mm256_add_epi32(s3, _mm256_load_si256(v + i + 3));
        s4 = _mm256_add_epi32(s4, _mm256_load_si256(v + i + 4));
        s5 = _mm256_add_epi32(s5, _mm256_load_si256(v + i + 5));
        s6 = _mm256_add_epi32(s6, _mm256_load_si256(v + i + 6));
        s7 = _mm256_add_epi32(s7, _mm256_load_si256(v + i + 7));
    }
    for (; i < n; i++)
        s0 = _mm256_add_epi32(s0, _mm256_load_si256(v + i));
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(s0, s1), _mm256_add_epi32(s2, s3)),
                                 _mm256_add_epi32(_mm256_add_epi32(s4, s5), _mm256_add_epi32(s6, s7)));
    uint32_t l[8], t = 0;
    _mm256_storeu_si256((__m256i *)(void *)l, s);
    for (int j = 0; j < 8; j++)
        t += l[j];
    return t;
}

static uint32_t stream(const void *p, size_t bytes)
{
    if (__builtin_cpu_supports("avx2"))
        return stream_avx2(p, bytes);
    const uint32_t *w = p;
    uint32_t t = 0;
    for (size_t i = 0; i < bytes / 4; i++)
        t += w[i];
    return t;
}

static double stream_ms(const void *p, size_t bytes, double *t)
{
    volatile uint32_t sink = stream(p, bytes); /* warm-up */
    for (int i = 0; i < BG_STREAMS; i++) {
        double t0 = vg_bench_now_ms();
        sink += stream(p, bytes);
        t[i] = vg_bench_now_ms() - t0;
    }
    (void)sink;
    return vg_bench_median(t, BG_STREAMS);
}

typedef struct bg_result {
    size_t n;
    double p50, p99, f_p50, f_p99, stream_f, stream_i8;
    int identical, proven, hit, hit_float, mated;
} bg_result;

static int bench_size(size_t n, uint64_t seed, const char **kernel, bg_result *res)
{
    vg_err err = {{0}};
    vg_gallery *g = NULL;
    float *v = malloc(BG_DIM * sizeof(float));
    float *probes = malloc((size_t)BG_PROBES * BG_DIM * sizeof(float));
    int64_t *mate = malloc(BG_PROBES * sizeof(int64_t));
    double *t = malloc(BG_PROBES * sizeof(double)), *tf = malloc(BG_PROBES * sizeof(double));
    float *keep = malloc((size_t)BG_PROBES / 2 * BG_DIM * sizeof(float));
    int rc = -1;
    memset(res, 0, sizeof *res);
    res->n = n;
    if (!v || !probes || !mate || !t || !tf || !keep || vg_gallery_new(BG_DIM, VG_MATCH_KERNEL_AUTO, &g, &err))
        goto done;
    *kernel = vg_match_kernel_name(vg_gallery_kernel(g));
    uint64_t rng = seed;
    /* the templates whose noisy copies will be probes, spread over the gallery */
    size_t step = n / (BG_PROBES / 2);
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < BG_DIM; d++)
            v[d] = bg_gauss(&rng);
        if (vg_gallery_add(g, (int64_t)i, v, &err))
            goto done;
        if (i % step == 0 && i / step < BG_PROBES / 2) {
            memcpy(keep + i / step * BG_DIM, v, BG_DIM * sizeof(float));
            vg_l2_normalise(keep + i / step * BG_DIM, BG_DIM);
        }
    }
    for (int p = 0; p < BG_PROBES; p++) {
        float *q = probes + (size_t)p * BG_DIM;
        if (p % 2 == 0) { /* on the list: cosine about 0.6 to its template */
            const float *src = keep + (size_t)(p / 2) * BG_DIM;
            for (int d = 0; d < BG_DIM; d++)
                q[d] = src[d] + 0.059f * bg_gauss(&rng);
            mate[p] = (int64_t)((size_t)(p / 2) * step);
        } else {
            for (int d = 0; d < BG_DIM; d++)
                q[d] = bg_gauss(&rng);
            mate[p] = -1;
        }
        vg_l2_normalise(q, BG_DIM);
    }
    vg_match a[BG_K], b[BG_K], c[BG_K];
    volatile int64_t sink = 0;
    for (int w = 0; w < 5; w++) { /* warm-up: page faults, caches, clocks */
        sink += vg_gallery_search(g, probes + (size_t)w * BG_DIM, BG_K, a);
        sink += vg_gallery_search_float(g, probes + (size_t)w * BG_DIM, BG_K, b);
    }
    for (int p = 0; p < BG_PROBES; p++) {
        const float *q = probes + (size_t)p * BG_DIM;
        double t0 = vg_bench_now_ms();
        int na = vg_gallery_search(g, q, BG_K, a);
        double t1 = vg_bench_now_ms();
        int nb = vg_gallery_search_float(g, q, BG_K, b);
        double t2 = vg_bench_now_ms();
        t[p] = t1 - t0;
        tf[p] = t2 - t1;
        int same = na == nb;
        for (int j = 0; same && j < na; j++)
            same = a[j].id == b[j].id && memcmp(&a[j].score, &b[j].score, sizeof(float)) == 0;
        res->identical += same;
        res->proven += vg_gallery_search_i8(g, q, BG_K, c) == BG_K;
        if (mate[p] >= 0) {
            res->mated++;
            res->hit += na > 0 && a[0].id == mate[p];
            res->hit_float += nb > 0 && b[0].id == mate[p];
        }
        sink += a[0].id;
    }
    (void)sink;
    res->p50 = bg_percentile(t, BG_PROBES, 50);
    res->p99 = bg_percentile(t, BG_PROBES, 99);
    res->f_p50 = bg_percentile(tf, BG_PROBES, 50);
    res->f_p99 = bg_percentile(tf, BG_PROBES, 99);
    res->stream_f = stream_ms(g->rows, n * g->stride * sizeof(float), t);
    res->stream_i8 = stream_ms(g->codes, n * g->cstride, t);
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "bench_gallery: %s\n", err.msg[0] ? err.msg : "out of memory");
    vg_gallery_free(g);
    free(v);
    free(probes);
    free(mate);
    free(t);
    free(tf);
    free(keep);
    return rc;
}

void vg_bench_gallery(FILE *out)
{
    static const size_t sizes[] = {1000, 10000, 100000};
    enum { NS = sizeof sizes / sizeof sizes[0] };
    bg_result r[NS];
    const char *kernel = "?";
    vg_gallery *g0 = NULL;
    size_t bpt = 0;
    if (vg_gallery_new(BG_DIM, VG_MATCH_KERNEL_AUTO, &g0, NULL) == VG_OK)
        bpt = vg_gallery_bytes_per_template(g0);
    vg_gallery_free(g0);
    int all_identical = 1;
    fprintf(out, "{\"dim\":%d,\"k\":%d,\"probes\":%d,\"threads\":1,\"rerank\":%d,\"bytes_per_template\":%zu,"
            "\"bytes_per_template_float_only\":%zu,\"sizes\":[",
            BG_DIM, BG_K, BG_PROBES, VG_GALLERY_RERANK, bpt, (size_t)BG_DIM * sizeof(float) + sizeof(int64_t));
    for (int i = 0; i < NS; i++) {
        if (bench_size(sizes[i], 7 + (uint64_t)i, &kernel, &r[i])) {
            fprintf(out, "%s{\"templates\":%zu,\"error\":\"setup failed\"}", i ? "," : "", sizes[i]);
            all_identical = 0;
            continue;
        }
        const bg_result *x = &r[i];
        all_identical &= x->identical == BG_PROBES && x->hit == x->hit_float;
        double gb_f = (double)x->n * BG_DIM * sizeof(float) / 1e9;
        fprintf(out,
                "%s{\"templates\":%zu,\"search_ms_p50\":%.4f,\"search_ms_p99\":%.4f,"
                "\"float_search_ms_p50\":%.4f,\"float_search_ms_p99\":%.4f,"
                "\"stream_float_ms\":%.4f,\"stream_int8_ms\":%.4f,\"memory_bandwidth_gbs\":%.2f,"
                "\"search_vs_int8_stream\":%.2f,\"float_search_vs_stream\":%.2f,"
                "\"top5_identical\":%d,\"int8_proven\":%d,\"recall_at_1\":%.4f,\"float_recall_at_1\":%.4f}",
                i ? "," : "", x->n, x->p50, x->p99, x->f_p50, x->f_p99, x->stream_f, x->stream_i8,
                gb_f / (x->stream_f / 1e3), x->p50 / x->stream_i8, x->f_p50 / x->stream_f, x->identical,
                x->proven, x->mated ? (double)x->hit / x->mated : 0.0,
                x->mated ? (double)x->hit_float / x->mated : 0.0);
        fflush(out);
    }
    double p50_100k = r[NS - 1].p50;
    fprintf(out, "],\"kernel\":\"%s\",\"target_ms\":%.1f,\"search_100k_ms_p50\":%.4f,"
            "\"recall_at_1_identical\":%s,\"meets_target\":%s}",
            kernel, BG_TARGET_MS, p50_100k, all_identical ? "true" : "false",
            all_identical && p50_100k <= BG_TARGET_MS ? "true" : "false");
}
