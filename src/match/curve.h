/* curve.h — error trade-off curves (ROC, DET) and the equal-error rate from
 * two sets of scores, for verification pairs and watch-list searches alike.
 *
 * Positives are the comparisons that should succeed: a positive succeeds at
 * threshold t when its score is above t (plus `never` positives that fail at
 * every threshold: no face, or for a search the mate not at rank 1).
 * Negatives should fail: a negative is a false positive at t when its score
 * is above t (-INFINITY: never). At each distinct score t, from the lowest:
 *   fpr(t) = negatives above t / negatives     (FMR, FPIR)
 *   fnr(t) = 1 - positives above t / (positives + never)   (FNMR, FNIR)
 * Pure functions over arrays.
 */
#ifndef VG_MATCH_CURVE_H
#define VG_MATCH_CURVE_H

#include <stddef.h>

/* Fills up to np + nn + 1 points (fpr descending, fnr ascending); the first
 * point is at t = -inf. Returns the count (0 when a side is empty or memory
 * runs out). thr may be NULL. */
size_t vg_curve_points(const float *pos, size_t np, size_t never, const float *neg, size_t nn, double *fpr,
                       double *fnr, double *thr);

/* The equal-error rate: at the point where fpr and fnr are closest, their
 * mean; *thr receives that threshold (may be NULL). NaN when a side is empty. */
double vg_curve_eer(const float *pos, size_t np, size_t never, const float *neg, size_t nn, double *thr);

#endif
