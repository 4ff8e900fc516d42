/* openset.h — open-set (watch-list) identification accuracy from the outcome
 * of each search: FNIR at a target FPIR, the threshold that gives it, and the
 * rank-k identification rate. Pure functions over arrays.
 *
 * Definitions (ISO/IEC 19795-1, NIST FRVT 1:N; alarm means score > t):
 *  - A mated search has its person enrolled; a non-mated search does not.
 *  - FPIR(t): the fraction of non-mated searches whose rank-1 score is > t.
 *  - FNIR(t): the fraction of mated searches that are misses, where a miss is
 *    a search whose enrolled mate is not returned at rank 1 with a score > t
 *    (the mate at rank 2 or lower, or at rank 1 with score <= t, or no
 *    candidate at all, e.g. no face in the probe).
 *  - The threshold for a target FPIR f is the (a+1)-th highest non-mated
 *    rank-1 score, a = floor(f * non-mated searches): the lowest threshold at
 *    which at most a non-mated searches alarm (fewer when scores tie). With
 *    a >= the number of non-mated searches it is -inf (everything alarms).
 *  - Rank-k rate (closed-set, no threshold): the fraction of mated searches
 *    whose mate is among the first k candidates.
 * A search without a candidate has top_score = -INFINITY and mate_rank = 0:
 * mated, a miss at every threshold; non-mated, never an alarm.
 */
#ifndef VG_MATCH_OPENSET_H
#define VG_MATCH_OPENSET_H

#include <stddef.h>

typedef struct vg_openset_search {
    float top_score;  /* score of the rank-1 candidate; -INFINITY: none */
    int mate_rank;    /* mated: 1-based rank of the enrolled mate among the
                         candidates returned, 0 when absent; non-mated: 0 */
    int mated;        /* 1: the searched person is enrolled */
} vg_openset_search;

/* One operating point. */
typedef struct vg_openset_point {
    double target_fpir;
    double threshold;        /* alarm when score > threshold */
    double fpir;             /* achieved: nonmated_alarms / non-mated searches */
    double fnir;             /* mated_misses / mated searches */
    size_t nonmated_alarms;  /* non-mated searches above the threshold */
    size_t mated_misses;
    size_t mated, nonmated;  /* searches of each kind */
} vg_openset_point;

size_t vg_openset_count(const vg_openset_search *s, size_t n, int mated);

/* FPIR and FNIR at threshold t (0 when there are no searches of that kind). */
double vg_openset_fpir(const vg_openset_search *s, size_t n, double t);
double vg_openset_fnir(const vg_openset_search *s, size_t n, double t);

/* The threshold for a target FPIR (see the head of this file); -inf when
 * every non-mated search may alarm or there are none. */
double vg_openset_threshold_at_fpir(const vg_openset_search *s, size_t n, double fpir);

/* Threshold, achieved FPIR, FNIR and counts at a target FPIR. Returns -1
 * (and fills what it can) when there is no mated or no non-mated search or
 * fpir is outside [0, 1], else 0. */
int vg_openset_at_fpir(const vg_openset_search *s, size_t n, double fpir, vg_openset_point *out);

/* Fraction of mated searches whose mate is within the first k candidates. */
double vg_openset_rank_rate(const vg_openset_search *s, size_t n, int k);

#endif
