/* gallery_i8.c — the gallery's int8 index and the search through it: a
 * quarter of the bytes of the float rows to stream, then the best
 * VG_GALLERY_RERANK candidates re-scored with the exact float kernel, and a
 * proof that nothing outside them could have made the top k.
 *
 * Quantisation: one scale per vector, s = max|v_i| / 127, codes round(v_i / s)
 * in -127..127; e = |v - s q|_2 is kept per row (the probe gets the same).
 * The int8 dot q_r . q_p is exact in int32, and a_r = s_r s_p (q_r . q_p) is
 * the approximate score of row r.
 *
 * The bound: for a row v (|v| = 1) and probe p, with v^ = s_r q_r, p^ = s_p q_p,
 *   |v.p - v^.p^| <= |v - v^| |p| + |v^| |p - p^| <= e_r |p| + (1 + e_r) e_p,
 * plus the float rounding of the exact kernel (at most about dim * 2^-24 |p|
 * for a sum of dim products of a unit vector) and of a_r itself (a few ulps):
 *   E = e_max |p| + (1 + e_max) e_p + slack.
 * Every row left out of the candidates has a_r <= a_min, the lowest
 * approximate score kept, so its float score is at most a_min + E. When the
 * k-th best exact score among the candidates is above that, no row outside
 * can reach the top k (nor tie with it), and the candidates' top k, ordered
 * as the float scan orders (score, then the lower row), is the float scan's
 * result exactly: the same rows, the same scores bit for bit (the backend's
 * row() is the batch kernel's per-row arithmetic). Otherwise the search
 * declines and the caller scans the floats.
 */
#include "match/gallery_internal.h"

#include <math.h>
#include <stdalign.h>

#define VG_I8_BLOCK 256

void vg_i8_quantise(const float *v, int dim, size_t pad, int8_t *q, float *scale, float *err)
{
    float m = 0.0f;
    for (int i = 0; i < dim; i++)
        m = fabsf(v[i]) > m ? fabsf(v[i]) : m;
    float s = m / 127.0f;
    double e = 0.0;
    for (int i = 0; i < dim; i++) {
        long c = s > 0.0f ? lrintf(v[i] / s) : 0;
        c = c > 127 ? 127 : c < -127 ? -127 : c;
        q[i] = (int8_t)c;
        double d = (double)v[i] - (double)c * (double)s;
        e += d * d;
    }
    for (size_t i = (size_t)dim; i < pad; i++)
        q[i] = 0;
    *scale = s;
    *err = (float)sqrt(e);
}

int vg_gallery_search_i8(const vg_gallery *g, const float *probe, int k, vg_match *out)
{
    if (k <= 0 || (size_t)k > g->size || k > VG_GALLERY_RERANK)
        return -1;
    const int dim = g->dim;
    double pn2 = 0.0;
    for (int i = 0; i < dim; i++) {
        if (!isfinite(probe[i]))
            return -1;
        pn2 += (double)probe[i] * probe[i];
    }
    if (pn2 == 0.0 || !isfinite(pn2))
        return -1;
    alignas(32) int8_t q[VG_MATCH_DIM_MAX];
    float ps, pe;
    vg_i8_quantise(probe, dim, g->cstride, q, &ps, &pe);

    /* the int8 pass: the best m rows by approximate score */
    size_t m = g->size < VG_GALLERY_RERANK ? g->size : VG_GALLERY_RERANK;
    vg_match cand[VG_GALLERY_RERANK];
    int32_t dots[VG_I8_BLOCK];
    size_t kept = 0;
    float floor_score = -INFINITY;
    for (size_t base = 0; base < g->size; base += VG_I8_BLOCK) {
        size_t n = g->size - base < VG_I8_BLOCK ? g->size - base : VG_I8_BLOCK;
        g->backend->batch_i8(q, g->codes + base * g->cstride, g->cstride, n, g->cstride, dots);
        const float *sc = g->qscale + base;
        size_t j = 0;
        for (; j < n && kept < m; j++) {
            cand[kept] = (vg_match){.id = (int64_t)(base + j), .score = (float)dots[j] * (sc[j] * ps)};
            vg_heap_sift_up(cand, kept);
            kept++;
            floor_score = cand[0].score;
        }
        for (; j < n; j++) {
            float a = (float)dots[j] * (sc[j] * ps);
            if (!(a > floor_score))
                continue;
            cand[0] = (vg_match){.id = (int64_t)(base + j), .score = a};
            vg_heap_sift_down(cand, m, 0);
            floor_score = cand[0].score;
        }
    }
    double a_min = floor_score;

    /* exact scores of the candidates, and their top k */
    size_t got = 0;
    float top_floor = -INFINITY;
    for (size_t c = 0; c < m; c++) {
        size_t r = (size_t)cand[c].id;
        vg_match x = {.id = (int64_t)r, .score = g->backend->row(probe, g->rows + r * g->stride, dim)};
        if (got < (size_t)k) {
            out[got] = x;
            vg_heap_sift_up(out, got);
            got++;
        } else if (vg_match_worse(&out[0], &x)) {
            out[0] = x;
            vg_heap_sift_down(out, got, 0);
        }
        top_floor = out[0].score;
    }

    if (m < g->size) { /* some rows were left out: prove they cannot enter */
        double pn = sqrt(pn2), e = g->qerr_max;
        double slack = ((double)dim + 16.0) * 0x1.0p-23 * pn * (1.0 + e) + 1e-6;
        double bound = e * pn + (1.0 + e) * pe + slack;
        if (!((double)top_floor > a_min + bound))
            return -1;
    }
    vg_heap_sort(out, got);
    for (size_t i = 0; i < got; i++)
        out[i].id = g->ids[(size_t)out[i].id];
    return (int)got;
}
