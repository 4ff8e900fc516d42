/* calib.h — threshold calibration for a watch list from the non-mated score
 * distribution, and the calibration summary that deployments are checked
 * against. Pure functions over arrays and text.
 *
 * A non-mated search is a face of someone not on the list searched against a
 * gallery of `size` subjects; its score is the rank-1 (highest) score. The
 * false-alert rate at threshold t (alarm when score > t) is the fraction of
 * non-mated searches above t: FPIR(t), the expected false alerts per face
 * scanned. For a target of K false alerts in N faces the threshold is the
 * (floor(K/N * n) + 1)-th highest non-mated score, as in openset.h.
 *
 * The interval of the threshold is the bootstrap over subjects
 * (bootstrap.h). The interval of the false-alert rate is a prediction: in
 * each replicate the threshold is chosen on one resample of subjects and its
 * rate measured on another, independent, resample — the rate that a
 * threshold calibrated on such a sample shows on a fresh crowd of such
 * people, so both the estimate's and the crowd's sampling error are in it.
 */
#ifndef VG_MATCH_CALIB_H
#define VG_MATCH_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

typedef struct vg_calib_result {
    double target;              /* K / N */
    double threshold;           /* alarm when score > threshold (-inf: every search alarms) */
    double threshold_lo, threshold_hi;
    size_t nonmated, alarms;    /* searches, and those above the threshold */
    double rate;                /* alarms / nonmated */
    double rate_lo, rate_hi;    /* prediction interval (see above) */
    int replicates;
} vg_calib_result;

/* Calibrates from n non-mated rank-1 scores, score[i] from subject
 * subject_of[i] in [0, n_subjects), with `replicates` bootstrap replicates
 * from the random state *rng and the given level (0.95). Returns -1 when
 * there is no score, target is outside [0, 1] or memory runs out. */
int vg_calib_run(const float *score, const int *subject_of, size_t n, int n_subjects, double target,
                 int replicates, double level, uint64_t *rng, vg_calib_result *out);

/* Alarms (score > t) among n scores. */
size_t vg_calib_alarms(const float *score, size_t n, double t);

/* ---- the stored summary ----
 * Text, one calibration per model:
 *   vigil-calibration 1
 *   model MODEL_ID
 *   size S nonmated N subjects P scores K s1 s2 ... sK
 * one `size` line per calibrated watch-list size, its K highest non-mated
 * scores in descending order (K = all of them, or at least the top 1 %):
 * enough to give the rate at any threshold whose rate is at most K/N.
 *
 * A calibration made with groups (`vigil eval calibrate --labels CSV`) has,
 * after the model line,
 *   groups LABELS_SHA256
 * (the labels file's SHA-256) and, for each size, one line a group:
 *   group NAME size S nonmated N subjects P scores K s1 ... sK
 * the non-mated searches of that group's people alone, so that each group's
 * rate at a threshold can be told as the pooled one is. Without the groups
 * line there is no group line, and the calibration is "without groups". */
#define VG_CALIB_SIZES_MAX 32
#define VG_CALIB_MODEL_MAX 255
#define VG_CALIB_GROUPS_MAX 32    /* groups of one size */
#define VG_CALIB_GROUP_NAME_MAX 64

typedef struct vg_calib_entry {
    char group[VG_CALIB_GROUP_NAME_MAX + 1]; /* "": the pooled entry */
    int size;           /* watch-list subjects */
    long long nonmated; /* searches */
    int subjects;       /* distinct non-mated people */
    size_t k;
    float *top;         /* k highest scores, descending (malloc'd) */
} vg_calib_entry;

typedef struct vg_calib {
    char model[VG_CALIB_MODEL_MAX + 1];
    int n;
    vg_calib_entry e[VG_CALIB_SIZES_MAX];  /* by size, ascending */
    char labels_sha256[65];  /* "": made without groups */
    int n_groups;            /* group entries (malloc'd, by size then name) */
    vg_calib_entry *g;
} vg_calib;

/* How many top scores a summary keeps of n. */
size_t vg_calib_keep(size_t n);

/* Parses the text (a clear error naming the line for anything else); *out
 * is released with vg_calib_free also on failure. */
vg_status vg_calib_parse(const char *text, vg_calib *out, vg_err *err);
/* The text of c (malloc'd; NULL: out of memory). */
char *vg_calib_format(const vg_calib *c);
/* Adds or replaces the entry for `size` with the k scores in desc (copied). */
vg_status vg_calib_set(vg_calib *c, int size, long long nonmated, int subjects, const float *desc, size_t k,
                       vg_err *err);
void vg_calib_free(vg_calib *c);
/* Adds or replaces group's entry for `size` (a group name of 1 to
 * VG_CALIB_GROUP_NAME_MAX bytes without space). The labels file's hash is
 * the caller's to set in c->labels_sha256. */
vg_status vg_calib_set_group(vg_calib *c, const char *group, int size, long long nonmated, int subjects,
                             const float *desc, size_t k, vg_err *err);
/* Drops the group entries of `size` (size 0: all of them). */
void vg_calib_drop_groups(vg_calib *c, int size);

typedef struct vg_calib_lookup {
    int size;             /* the calibrated size used: the smallest >= the list's */
    long long nonmated;
    long long alarms;     /* non-mated searches above t */
    int at_least;         /* 1: t is below the kept scores; the rate is at least `rate` */
    double rate;          /* alarms / nonmated */
} vg_calib_lookup;

/* The false-alert rate at threshold t for a watch list of list_size
 * subjects, from the entry of the smallest calibrated size >= list_size
 * (a larger gallery only raises rank-1 scores, so this errs on the safe
 * side). VG_ERR_NOT_FOUND, saying the largest size there is, when no entry
 * is that large. */
vg_status vg_calib_rate(const vg_calib *c, int list_size, double t, vg_calib_lookup *out, vg_err *err);

/* Each group's rate at t for the calibrated size `size` (the lookup's
 * size): up to max lookups into out with the group names into names (which
 * point into c); returns how many (0: the calibration has no group of that
 * size). */
int vg_calib_rate_groups(const vg_calib *c, int size, double t, vg_calib_lookup *out, const char **names, int max);

/* The Wilson score interval (95 %) of k successes in n trials ([0, 1] when
 * n is 0). */
void vg_calib_wilson(double k, double n, double *lo, double *hi);

#endif
