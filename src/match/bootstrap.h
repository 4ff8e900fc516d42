/* bootstrap.h — the bootstrap over subjects (a cluster bootstrap) behind
 * every confidence interval of `vigil eval`: a replicate draws as many
 * subjects as there are, with replacement, and keeps every observation
 * (search, pair, score) of each drawn subject as many times as it was drawn.
 * Scores of one person are correlated, so resampling people, not single
 * scores, is what gives honest intervals. Pure functions; the random
 * numbers come from a caller-owned splitmix64 state (reproducible). */
#ifndef VG_MATCH_BOOTSTRAP_H
#define VG_MATCH_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#define VG_BOOT_DEFAULT 1000  /* replicates */

/* The next 64 random bits (splitmix64). */
uint64_t vg_boot_next(uint64_t *state);

/* Draws n_subjects subjects with replacement: counts[s] = how often s was
 * drawn (the counts sum to n_subjects). */
void vg_boot_draw(uint64_t *state, int n_subjects, int *counts);

/* The observations of a replicate: every i in [0, n) repeated
 * counts[subject_of[i]] times, written to idx (which must hold
 * vg_boot_size(...) entries). Returns how many were written. */
size_t vg_boot_size(const int *subject_of, size_t n, const int *counts);
size_t vg_boot_expand(const int *subject_of, size_t n, const int *counts, size_t *idx);

/* The central `level` (e.g. 0.95) percentile interval of the values (sorted
 * in place; NaNs are dropped first). With no finite value both ends are NaN.
 * Returns how many values were used. */
size_t vg_boot_interval(double *v, size_t n, double level, double *lo, double *hi);

#endif
