/* eval.h — accuracy on labelled data, computed and never printed: the
 * module behind `vigil eval` (src/cli/cmd_eval*.c parse the options and
 * format the figures as text or JSON). It sits above face/ and match/ (it
 * embeds images with a model pack and scores them with match/'s metrics)
 * and below cli/.
 *
 *   images.c     a list of images embedded once each, by a pool of threads
 *   cache.c      those embeddings kept in a file, for replaying a protocol
 *   people.c     folder-per-person data sets; the seeded shuffle
 *   labels.c     LFW's known label errors: one reader, one alias rule
 *   stats.c      95 % bootstrap intervals of the verify and search figures
 *   verify.c     LFW View 2 (10-fold verification)
 *   search.c     the LFW open-set (watch-list) protocol
 *   calibrate.c  the watch-list threshold for K false alerts in N faces, for
 *                every group of a labels file at once
 *   groups.c     error rates per group and their differential, the score
 *                distributions and the front end's figures per group; the
 *                scoring variants (multi-image enrolment, cohort
 *                normalisation, a threshold set by a pooled FMR) */
#ifndef VG_EVAL_EVAL_H
#define VG_EVAL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "match/calib.h"
#include "match/metrics.h"
#include "match/openset.h"
#include "vigil/face.h"
#include "vigil/status.h"

/* ---- images.c ------------------------------------------------------------ */

typedef struct vg_eval_images {
    char **paths;
    size_t n;
    float *emb;         /* n x dim */
    unsigned char *ok;  /* face found */
    unsigned char *skip; /* NULL, or 1 for an image not to embed (ok stays 0) */
    int dim;
    int flip;           /* 1: embed each face with its mirror (vg_face_embed_face_flip) */
    int jitter;         /* 0 or 1: one framing; 2..VG_FACE_JITTER_MAX: that many
                         * (vg_face_embed_face_jitter), with flip too if set */
    vg_face *face;      /* NULL, or (allocated by the caller, n of them) the face embedded:
                         * its box, points, quality and faceness check */
} vg_eval_images;

/* Monotonic seconds (for the run's time). */
double vg_eval_now(void);
/* Allocates the embeddings and face flags for im->n images of dim floats. */
vg_status vg_eval_images_alloc(vg_eval_images *im, int dim, vg_err *err);
void vg_eval_images_free(vg_eval_images *im);
size_t vg_eval_images_without_face(const vg_eval_images *im);
/* Embeds every image (the face nearest the centre) with `threads` threads,
 * decoding at most max_pixels (0: the decoder's default) an image; an image
 * without a face keeps ok 0, an unreadable one stops the run with its
 * error (prefixed with its path). */
vg_status vg_eval_embed_all(const vg_face_pack *pack, vg_eval_images *im, int threads, long long max_pixels,
                            vg_err *err);

/* ---- cache.c ------------------------------------------------------------- */

/* The embeddings of an evaluation run in a file (see cache.c's head): per
 * image, keyed by its path relative to the data set's folder, the face
 * flag, the front-end figures (quality score, eye distance, sharpness, yaw,
 * pitch, brightness, drift; context pass) and the embedding. */
typedef struct vg_eval_cache_entry {
    char *key;
    unsigned char ok, context_pass;
    float stage[7];
    float *emb;   /* into the cache's storage */
} vg_eval_cache_entry;
typedef struct vg_eval_cache {
    char *model, *detector;
    int flip, dim;
    vg_eval_cache_entry *e;  /* n, sorted by key */
    size_t n;
    float *emb;
} vg_eval_cache;

/* Reads the cache at path. A missing file: *found 0 and an empty cache. A
 * damaged or truncated file (its SHA-256 trailer), or one made by another
 * model id, detector, flip setting or dimension, is an error (the file is
 * left as it is). */
vg_status vg_eval_cache_read(const char *path, const char *model_id, const char *detector, int flip, int dim,
                             vg_eval_cache *c, int *found, vg_err *err);
/* The cache's bytes (all of a file's, named path in messages) into c
 * (vg_eval_cache_free it on success or error); no model check. */
vg_status vg_eval_cache_parse(const char *path, const unsigned char *buf, size_t len, vg_eval_cache *c, vg_err *err);
const vg_eval_cache_entry *vg_eval_cache_find(const vg_eval_cache *c, const char *key);
/* Fills im's embeddings, flags and (when im->face) faces of the images
 * (paths under root) that the cache holds; have[i] says which. Returns how
 * many. */
size_t vg_eval_cache_apply(const vg_eval_cache *c, const char *root, vg_eval_images *im, unsigned char *have);
/* Writes every image of im, and old's entries im does not have (old may be
 * NULL), to path (through path.tmp and a rename). */
vg_status vg_eval_cache_write(const char *path, const vg_eval_cache *old, const char *root, const vg_eval_images *im,
                              const char *model_id, const char *detector, int flip, vg_err *err);
void vg_eval_cache_free(vg_eval_cache *c);

/* ---- people.c ------------------------------------------------------------ */

/* A folder-per-person data set: DIR/PERSON/IMAGE (.jpg .jpeg .png .bmp
 * .webp), people and their images in name order; hidden entries are
 * skipped, symbolic links followed. Person p owns images first[p] ..
 * first[p] + count[p] - 1 of the image list. */
typedef struct vg_eval_people {
    char **name;
    size_t *first;
    int *count;
    size_t n;
    int *person_of;     /* image -> person */
} vg_eval_people;

/* Reads the data set (people with no image are left out). */
vg_status vg_eval_people_load(const char *dir, vg_eval_people *pp, vg_eval_images *im, vg_err *err);
void vg_eval_people_free(vg_eval_people *pp);
/* Index of a person by name, or -1 (people are in name order). */
int vg_eval_people_find(const vg_eval_people *pp, const char *name);

/* LFW's path of a person's image num (1-based): LFW/images_deepfunneled/
 * NAME/NAME_NNNN.jpg. */
void vg_eval_lfw_image_path(char *buf, size_t len, const char *lfw, const char *name, int num);

/* A name with an index, for sorting by name then index with qsort (the
 * sort's context travels in the array, not in a global). */
typedef struct vg_eval_named {
    const char *name;
    size_t index;
} vg_eval_named;
int vg_eval_cmp_named(const void *a, const void *b);

/* Fisher-Yates shuffle of idx[0..n) driven by splitmix64 (vg_boot_next)
 * from *rng: index = rng % (i + 1). Every protocol that picks people at
 * random (search's watch list, calibrate's gallery) picks them with this. */
void vg_eval_shuffle(int *idx, size_t n, uint64_t *rng);

/* ---- labels.c ------------------------------------------------------------ */

/* Known label errors (LFW's known-label-errors.txt), one entry a line, '#'
 * starting a comment:
 *   alias A B                 A and B are one person filed under two names;
 *   misfiled FOLDER/FILE P    the image FOLDER/FILE shows P.
 * The alias rule: aliases join names into one identity, transitively (alias
 * A B and alias C B make A, B and C one person); an identity is known by the
 * first name, in file order, of the first alias entry that names one of its
 * members. A missing file: *found = 0 and no entry. */
#define VG_EVAL_LABELS_MAX 256
typedef struct vg_eval_label {
    int misfiled;
    int line;           /* in the file, for messages */
    char a[256], b[128];
} vg_eval_label;
typedef struct vg_eval_labels {
    int n;
    vg_eval_label e[VG_EVAL_LABELS_MAX];
} vg_eval_labels;
vg_status vg_eval_labels_load(const char *path, vg_eval_labels *l, int *found, vg_err *err);
/* The name a person's identity is known by (see the alias rule above). */
const char *vg_eval_labels_canon(const vg_eval_labels *l, const char *name);
/* Who an image shows: its misfiled person, else its folder's, canonical. */
const char *vg_eval_labels_truth(const vg_eval_labels *l, const char *image_path, const char *person);

/* ---- stats.c ------------------------------------------------------------- */

#define VG_EVAL_FPIR_MAX 8

typedef struct vg_eval_ci {
    double v, lo, hi;
} vg_eval_ci;

typedef struct vg_eval_verify_figs {
    vg_eval_ci eer, auc, tar_at_far_1e3;
    int replicates;
} vg_eval_verify_figs;

typedef struct vg_eval_search_figs {
    vg_eval_ci rank1, eer, fnir[VG_EVAL_FPIR_MAX];
    int replicates;
} vg_eval_search_figs;

/* The scores of genuine pairs into pos, of impostor pairs into neg (each
 * with room for n). */
void vg_eval_split_pairs(const vg_pair_score *s, size_t n, float *pos, size_t *np, float *neg, size_t *nn);
/* The rank-1 scores of mated searches whose mate is at rank 1 into pos
 * (the others counted in *never), of non-mated searches into neg. */
void vg_eval_split_searches(const vg_openset_search *s, size_t n, float *pos, size_t *np, size_t *never, float *neg,
                            size_t *nn);

/* 0 on success, -1 out of memory (or too many FPIR points). A pair belongs
 * to the subject of its first image; a search to the subject searched. */
int vg_eval_verify_ci(const vg_pair_score *s, size_t n, const int *subject_of, int n_subjects, int reps,
                      uint64_t seed, vg_eval_verify_figs *out);
int vg_eval_search_ci(const vg_openset_search *s, size_t n, const int *subject_of, int n_subjects,
                      const double *fpir, int n_fpir, int reps, uint64_t seed, vg_eval_search_figs *out);

/* ---- verify.c: LFW View 2 ------------------------------------------------ */

#define VG_EVAL_NAME_MAX 128

typedef struct vg_eval_pair {
    char name_a[VG_EVAL_NAME_MAX], name_b[VG_EVAL_NAME_MAX];
    int num_a, num_b;
    int fold, genuine;
    size_t ia, ib;  /* indices into the unique image list */
} vg_eval_pair;

typedef struct vg_eval_pairs {
    vg_eval_pair *p;
    size_t n;
    int folds;
} vg_eval_pairs;

/* Reads pairs_path ("FOLDS N", then per fold N same-person and N
 * different-person lines) and lists the images it names under
 * lfw/images_deepfunneled, each once, in im->paths. */
vg_status vg_eval_pairs_load(const char *lfw, const char *pairs_path, vg_eval_pairs *pairs, vg_eval_images *im,
                             vg_err *err);
void vg_eval_pairs_free(vg_eval_pairs *pairs);

typedef struct vg_eval_verify_result {
    vg_pair_score *scores;   /* one a pair (owned) */
    size_t pairs_without;    /* pairs with an image without a face: scored -1 */
    vg_kfold_result kf;
    double auc, tar, far_threshold;   /* TAR at FAR 1e-3 and its threshold */
    vg_eval_verify_figs ci;  /* bootstrap over the subjects of the pairs' first images */
} vg_eval_verify_result;

/* Scores the pairs from the embedded images (cosine; -1 when a face is
 * missing) and computes the figures with `reps` bootstrap replicates. */
vg_status vg_eval_verify_run(const vg_eval_pairs *pairs, const vg_eval_images *im, int reps,
                             vg_eval_verify_result *out, vg_err *err);
void vg_eval_verify_result_free(vg_eval_verify_result *r);

/* ---- search.c: the LFW open-set protocol -------------------------------- */

#define VG_EVAL_SEARCH_SEED 1
#define VG_EVAL_SEARCH_K 5
#define VG_EVAL_SEARCH_SHOW 10 /* highest-scoring non-mated searches kept */
#define VG_EVAL_SEARCH_FPIRS 3 /* FPIR 1 %, 0.1 %, 1/6000 */

extern const double vg_eval_fpir_targets[VG_EVAL_SEARCH_FPIRS];
extern const char *const vg_eval_fpir_names[VG_EVAL_SEARCH_FPIRS];

typedef struct vg_eval_lfw_person {
    char name[VG_EVAL_NAME_MAX];
    int count;     /* images */
    size_t first;  /* index of its first image in the image list */
    int enrolled;
    int root;      /* its identity: the lowest person index of its aliases */
} vg_eval_lfw_person;

enum { VG_EVAL_ROLE_GALLERY = 0, VG_EVAL_ROLE_MATED, VG_EVAL_ROLE_NONMATED };

typedef struct vg_eval_search_set {
    vg_eval_lfw_person *people;
    size_t np;
    int *by_name;      /* person indices sorted by name */
    int *person_of;    /* image -> person */
    int *truth;        /* image -> true identity (a root person index) */
    unsigned char *role;
    size_t label_entries;  /* entries of known-label-errors.txt applied */
    int have_labels;       /* the file exists */
} vg_eval_search_set;

/* Reads lfw/lfw-names.txt, picks the watch list (the first n_list of the
 * people with two or more images, shuffled from seed), lists the images in
 * im->paths with their roles, and applies lfw/known-label-errors.txt when
 * present (entries naming people absent from lfw-names.txt are skipped). */
vg_status vg_eval_search_load(const char *lfw, long long n_list, uint64_t seed, vg_eval_search_set *ss,
                              vg_eval_images *im, vg_err *err);
void vg_eval_search_set_free(vg_eval_search_set *ss);

/* One search kept for the report: which image, the rank-1 person. */
typedef struct vg_eval_search_row {
    size_t image;
    int top_person;   /* -1: no candidate */
    float top_score;
    int excluded;     /* by the cleaning */
} vg_eval_search_row;

typedef struct vg_eval_search_result {
    vg_openset_search *raw, *clean;  /* owned: ns raw searches, clean_n cleaned */
    size_t ns, clean_n;
    size_t n_mated, n_nonmated, mated_no_face, nonmated_no_face;
    size_t enrol_failed, excl_mated, excl_nonmated, search_differs;
    double rank1, rank5, rank1_clean;
    vg_openset_point raw_pts[VG_EVAL_SEARCH_FPIRS], clean_pts[VG_EVAL_SEARCH_FPIRS];
    vg_eval_search_row top[VG_EVAL_SEARCH_SHOW]; /* highest non-mated, descending */
    size_t n_top;
    vg_eval_search_figs ci_raw, ci_clean;
} vg_eval_search_result;

/* Enrols the watch list, runs every search (top VG_EVAL_SEARCH_K, checked
 * against the float scan) and computes the raw and cleaned figures with
 * `reps` bootstrap replicates. */
vg_status vg_eval_search_run(const vg_eval_search_set *ss, const vg_eval_images *im, int reps,
                             vg_eval_search_result *out, vg_err *err);
void vg_eval_search_result_free(vg_eval_search_result *r);

/* ---- groups.c ------------------------------------------------------------ */

#define VG_EVAL_GROUPS_MAX 32
#define VG_EVAL_GROUP_NAME_MAX 64
#define VG_EVAL_GROUPS_MIN_ERRORS 10

/* Score histograms: VG_EVAL_HIST_BINS bins over [-1, 1] (bin b holds
 * scores in [-1 + b w, -1 + (b + 1) w), w = 2 / bins; the ends clamped). */
#define VG_EVAL_HIST_BINS 4000
#define VG_EVAL_STAGES 7
extern const char *const vg_eval_stage_names[VG_EVAL_STAGES];

typedef struct vg_eval_group {
    char name[VG_EVAL_GROUP_NAME_MAX + 1];
    int subjects;
    long long mated, misses;
    long long nonmated, false_matches;
    double fmr, fnmr, fmr_lo, fmr_hi, fnmr_lo, fnmr_hi;
    double *rep_fmr, *rep_fnmr;
    long long *hist_mated, *hist_nonmated; /* the scores of its comparisons (owned) */
    double sum_mated, sum_nonmated;        /* for their means */
    /* the front end on its people's images (vg_eval_groups_stages) */
    long long images, no_face, context_pass;
    double stage_mean[VG_EVAL_STAGES], stage_median[VG_EVAL_STAGES];
} vg_eval_group;

/* The per-image figures of the front end reported per group, in this order
 * (vg_eval_stage_names): the combined quality score, the inter-eye
 * distance in pixels (size), the sharpness (variance of the Laplacian of
 * the aligned face: blur), |yaw| and |pitch| (pose), the brightness
 * (exposure), and the drift of the 68-point landmarks when the landmarker is
 * run again on the box its points span (in eye distances: how stable the
 * fit that gives the five alignment points is). */

/* The bin of a score, and the score a fraction q of a histogram's n
 * counts is at or below (the bin's upper edge). */
int vg_eval_hist_bin(double score);
double vg_eval_hist_quantile(const long long *hist, long long n, double q);

typedef struct vg_eval_ratio {
    int hi, lo;  /* groups */
    double value, ci_lo, ci_hi;
} vg_eval_ratio;

typedef struct vg_eval_groups_result {
    vg_eval_group g[VG_EVAL_GROUPS_MAX];
    int n_groups;
    int missing;      /* labelled people absent from the data set */
    int unlabelled;   /* people of the data set left out */
    int no_ref;       /* labelled people without a reference image */
    int *group_of;    /* person -> group, -1: unlabelled (owned) */
    vg_eval_ratio fmr_ratio, fnmr_ratio;
    double threshold;           /* the one used (opts' own, or set by match_fmr) */
    long long mated, misses, nonmated, false_matches; /* pooled over the groups */
    int cohort;                 /* faces in the normalisation cohort */
    size_t cohort_images;       /* images embedded for it (unlabelled people's first) */
} vg_eval_groups_result;

/* How `eval groups` scores (the default: all zero but threshold, enrol 1 and
 * probes_after 1, is the protocol as it was).
 *
 * Enrolment: a person's template is their first `enrol` images with a face;
 * with fusion MAX a comparison's score is the highest over the template's
 * images, with MEAN it is against their mean (L2-normalised). Mated probes:
 * a person's images with a face after the first `probes_after` (>= enrol;
 * the same probes can so be scored with 1, 2 or 3 templates). Non-mated:
 * for two people a < b of a group (in data-set order), b's first image with
 * a face against a's template.
 *
 * Cohort normalisation: the cohort is the first image with a face of each
 * person of the data set without a label (disjoint from every person
 * compared); c(v) is the mean of v's `cohort_top` highest scores over it.
 * NORM_PROBE: score - c(probe); NORM_BOTH: score - (c(probe) + c(template
 * image or mean)) / 2, before fusion.
 *
 * match_fmr > 0: the threshold is set on the pooled within-group non-mated
 * scores, the (floor(match_fmr n) + 1)-th highest of n (so at most that
 * rate is above it), instead of `threshold`. */
enum { VG_EVAL_FUSE_MAX = 0, VG_EVAL_FUSE_MEAN };
enum { VG_EVAL_NORM_NONE = 0, VG_EVAL_NORM_PROBE, VG_EVAL_NORM_BOTH };
#define VG_EVAL_ENROL_MAX 5
typedef struct vg_eval_groups_opts {
    float threshold;
    double match_fmr;
    int enrol, probes_after, fusion, norm, cohort_top;
    uint64_t seed;
    int reps;
} vg_eval_groups_opts;

/* The mean of the `top` highest dot products of v with the n rows of
 * cohort (n x dim; all of them when fewer). */
double vg_eval_cohort_mean(const float *v, const float *cohort, size_t n, int dim, int top);
/* A comparison's score from its raw score, the probe's and the template's
 * cohort means, by the normalisation `norm`. */
double vg_eval_norm_score(int norm, double raw, double c_probe, double c_template);

/* Reads the labels file (person,group lines; an optional header line
 * "person,group") into group_of[person] (-1: unlabelled; set to -1 by the
 * caller) and the group names into g[k].name; labelled people absent from
 * pp are counted in *missing. Fewer than two groups is an error. */
vg_status vg_eval_groups_read(const char *path, const vg_eval_people *pp, int *group_of, vg_eval_group *g,
                              int *n_groups, int *missing, vg_err *err);
/* Reads the labels file (person,group lines) into out and keeps in im only
 * the labelled people's images (the rest are not embedded) and, with
 * `cohort`, the first image of each unlabelled person (the normalisation
 * cohort). */
vg_status vg_eval_groups_load(const char *labels_path, vg_eval_people *pp, vg_eval_images *im, int cohort,
                              vg_eval_groups_result *out, vg_err *err);
/* The rates per group at the threshold, their intervals (o->reps
 * replicates from o->seed) and the differentials, scored as o says. */
vg_status vg_eval_groups_run(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_groups_opts *o,
                             vg_eval_groups_result *out, vg_err *err);
/* The front end's figures per group from im->face (the faces embedded):
 * images, images without a face, faces found by the context pass, and the
 * mean and median of each stage figure over the faces found. */
vg_status vg_eval_groups_stages(const vg_eval_people *pp, const vg_eval_images *im, vg_eval_groups_result *out,
                                vg_err *err);
void vg_eval_groups_result_free(vg_eval_groups_result *r);

/* ---- calibrate.c --------------------------------------------------------- */

#define VG_EVAL_CAL_SEED 1
#define VG_EVAL_CAL_SHOW 5 /* highest non-mated searches kept */

typedef struct vg_eval_cal_size {
    int size;
    vg_calib_result r;
    size_t no_face_gallery_skipped, subjects;
    float *desc;     /* non-mated scores, descending (owned) */
    size_t n;
    size_t ho_n, ho_alarms, ho_subjects;
    size_t excluded, ho_excluded;  /* searches of someone listed under another name (label errors) */
    size_t top_img[VG_EVAL_CAL_SHOW];  /* the highest non-mated searches: image, candidate person, score */
    int top_cand[VG_EVAL_CAL_SHOW];
    float top_score[VG_EVAL_CAL_SHOW];
    int n_top;
    float *score;    /* the non-mated scores in search order (owned), */
    int *person;     /* and whose search each is (owned) */
    struct vg_eval_cal_groups *groups; /* with --labels (owned; vg_eval_cal_size_free) */
} vg_eval_cal_size;

/* One group's non-mated searches in a calibration with groups. */
typedef struct vg_eval_cal_group {
    char name[VG_EVAL_GROUP_NAME_MAX + 1];
    size_t n, subjects;     /* its non-mated searches, and its people searched */
    double own_threshold;   /* the threshold for the target on this group alone */
    size_t alarms;          /* above the common threshold */
    double rate, rate_lo, rate_hi; /* alarms / n, Wilson 95 % interval */
    float *desc;            /* its scores, descending (owned) */
} vg_eval_cal_group;

/* The single threshold at which every group's false-alert rate, and the
 * pooled one, is at most the target: the highest of the groups' own
 * thresholds and the pooled threshold. */
typedef struct vg_eval_cal_groups {
    int n;
    vg_eval_cal_group g[VG_EVAL_GROUPS_MAX];
    double threshold;
    int decided_by;          /* the group whose own threshold it is; -1: the pooled one */
    size_t pooled_alarms;    /* all non-mated searches above it */
    double pooled_rate, pooled_lo, pooled_hi;
    size_t unlabelled;       /* non-mated searches of unlabelled people (pooled only) */
} vg_eval_cal_groups;

/* With groups: group_of[person] (-1: unlabelled), names[k] of n_groups
 * groups; cs was calibrated by vg_eval_calibrate_size with `target`. */
vg_status vg_eval_calibrate_groups(vg_eval_cal_size *cs, const int *group_of, const vg_eval_group *names,
                                   int n_groups, double target, vg_err *err);
void vg_eval_cal_size_free(vg_eval_cal_size *cs);
/* Marks every image past a person's first m as not to embed. */
vg_status vg_eval_skip_beyond(const vg_eval_people *pp, vg_eval_images *im, int m, vg_err *err);
/* One watch-list size cs->size: the gallery (the first people of the
 * shuffle whose first image has a face), the non-mated scores (per_person
 * images a person, 0: all; labels may be NULL), the calibration for the
 * target rate, and the held-out rate (hp NULL: none). */
vg_status vg_eval_calibrate_size(const vg_eval_people *pp, const vg_eval_images *im, const vg_eval_people *hp,
                                 const vg_eval_images *him, uint64_t seed, double target, int replicates,
                                 int per_person, const vg_eval_labels *labels, vg_eval_cal_size *cs, vg_err *err);

#endif
