/* eval.h — what the `vigil eval` commands share (eval_data.c): images
 * embedded once each, folder-per-person data sets, the bootstrap and curve
 * output helpers (eval_report.c), and the subcommands in their own files. */
#ifndef VG_CLI_EVAL_H
#define VG_CLI_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

typedef struct vg_eval_images {
    char **paths;
    size_t n;
    float *emb;         /* n x dim */
    unsigned char *ok;  /* face found */
    unsigned char *skip; /* NULL, or 1 for an image not to embed (ok stays 0) */
    int dim;
    int flip;           /* 1: embed each face with its mirror (vg_face_embed_face_flip) */
} vg_eval_images;

double vg_eval_now(void);
/* Allocates the embeddings and face flags for im->n images of dim floats. */
vg_status vg_eval_images_alloc(vg_eval_images *im, int dim, vg_err *err);
void vg_eval_images_free(vg_eval_images *im);
size_t vg_eval_images_without_face(const vg_eval_images *im);
/* Embeds every image (the face nearest the centre); an image without a face
 * keeps ok 0, an unreadable one stops the run with its error. */
vg_status vg_eval_embed_all(const vg_cli *cli, const vg_face_pack *pack, vg_eval_images *im, vg_err *err);

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

/* Reads the data set (people with no image are left out); `--lfw DIR`
 * means DIR/images_deepfunneled. */
vg_status vg_eval_people_load(const char *dir, vg_eval_people *pp, vg_eval_images *im, vg_err *err);
void vg_eval_people_free(vg_eval_people *pp);
/* Index of a person by name, or -1 (people are in name order). */
int vg_eval_people_find(const vg_eval_people *pp, const char *name);

/* The data-set directory from --lfw DIR or --dataset DIR (one of them). */
int vg_eval_dataset_opt(int argc, char **argv, int *i, const char **dir, char *buf, size_t len);

/* Fisher-Yates shuffle of idx[0..n) driven by splitmix64 from *rng (index =
 * rng % (i + 1)), as `eval search` picks its watch list. */
void vg_eval_shuffle(int *idx, size_t n, uint64_t *rng);

/* Known label errors (LFW's known-label-errors.txt): "alias A B" (one
 * person filed under two names) and "misfiled FOLDER/IMAGE PERSON" (the
 * image shows PERSON). A missing file: *found = 0 and no entry. */
#define VG_EVAL_LABELS_MAX 256
typedef struct vg_eval_label {
    int misfiled;
    char a[256], b[128];
} vg_eval_label;
typedef struct vg_eval_labels {
    int n;
    vg_eval_label e[VG_EVAL_LABELS_MAX];
} vg_eval_labels;
vg_status vg_eval_labels_load(const char *path, vg_eval_labels *l, int *found, vg_err *err);
/* The name a person is known by (the first name of an alias). */
const char *vg_eval_labels_canon(const vg_eval_labels *l, const char *name);
/* Who an image shows: its misfiled person, else its folder's, canonical. */
const char *vg_eval_labels_truth(const vg_eval_labels *l, const char *image_path, const char *person);

/* ---- output: curves as SVG, intervals as JSON (eval_report.c) ---- */

typedef struct vg_eval_curve {
    const char *label;
    const double *x, *y;  /* n points, x ascending */
    size_t n;
} vg_eval_curve;

/* Writes a line chart with log10 axes over [x_min, 1] x [y_min, 1] (points
 * outside are clipped to the frame) to path. */
vg_status vg_eval_svg_write(const char *path, const char *title, const char *x_label, const char *y_label,
                            const vg_eval_curve *curves, int n_curves, double x_min, double y_min,
                            vg_err *err);

/* {"value": v, "ci95": [lo, hi]} with null for non-finite numbers. */
json_t *vg_eval_ci_json(double v, double lo, double hi);
json_t *vg_eval_num_json(double v);

int vg_eval_calibrate(const vg_cli *cli, int argc, char **argv);
int vg_eval_groups(const vg_cli *cli, int argc, char **argv);

#endif
