/* eval.h — what the `vigil eval` commands share on the command line: the
 * data-set option, figures as JSON, curves as SVG (eval_report.c), and the
 * subcommands in their own files. The computing is src/eval/ (eval/eval.h);
 * the commands parse options and format its results as text or JSON. */
#ifndef VG_CLI_EVAL_H
#define VG_CLI_EVAL_H

#include "cli/cli.h"
#include "eval/eval.h"

/* The data-set directory from --lfw DIR (DIR/images_deepfunneled, in buf)
 * or --dataset DIR, as vg_cli_opt: 1 taken, 0 not this option, -1 missing
 * value. */
int vg_eval_dataset_opt(int argc, char **argv, int *i, const char **dir, char *buf, size_t len);
/* An integer option: when argv[*i] is name, parses its value, from lo to
 * hi, into *out and returns 1; returns -1 after a usage message ("NAME
 * takes WHAT, not 'VALUE'", or the missing value); 0 for another option. */
int vg_eval_int_opt(int argc, char **argv, int *i, const char *name, long long lo, long long hi, const char *what,
                    long long *out);
/* vg_eval_embed_all with the command line's threads and image size limit. */
vg_status vg_eval_cli_embed(const vg_cli *cli, const vg_face_pack *pack, vg_eval_images *im, vg_err *err);
/* Opens the model pack into *pack, and embeds the images (announcing it on
 * stderr when `announce` and the output is text). */
vg_status vg_eval_cli_open_embed(const vg_cli *cli, vg_face_pack **pack, vg_eval_images *im, int announce,
                                 vg_err *err);

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
/* DIR/verify-roc.svg and DIR/verify-det.svg; DIR/search-roc.svg and
 * DIR/search-det.svg. */
vg_status vg_eval_verify_svg(const char *dir, const vg_pair_score *s, size_t n, vg_err *err);
vg_status vg_eval_search_svg(const char *dir, const vg_openset_search *s, size_t n, vg_err *err);

/* {"value": v, "ci95": [lo, hi]} with null for non-finite numbers. */
json_t *vg_eval_ci_json(double v, double lo, double hi);
json_t *vg_eval_ci_obj(const vg_eval_ci *c);
json_t *vg_eval_num_json(double v);

int vg_eval_verify(const vg_cli *cli, int argc, char **argv);
int vg_eval_search(const vg_cli *cli, int argc, char **argv);
int vg_eval_calibrate(const vg_cli *cli, int argc, char **argv);
int vg_eval_groups(const vg_cli *cli, int argc, char **argv);

#endif
