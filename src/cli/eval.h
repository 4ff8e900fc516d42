/* eval.h — what the `vigil eval` commands share on the command line: the
 * data-set option, figures as JSON, curves as SVG (eval_report.c), and the
 * subcommands in their own files. The computing is src/eval/ (eval/eval.h);
 * the commands parse options and format its results as text or JSON. */
#ifndef VG_CLI_EVAL_H
#define VG_CLI_EVAL_H

#include "cli/cli.h"
#include "cli/options.h"
#include "eval/eval.h"

/* The tables of options of the subcommands (cmd_eval_*.c): each parses its
 * command line and prints its --help; their text, which names defaults, is
 * filled in when the help is printed. */
extern const vg_cli_cmd_def vg_eval_verify_def, vg_eval_search_def, vg_eval_calibrate_def, vg_eval_groups_def;

/* Parses argv[2...] by *with_text: def with its text, a printf format,
 * filled in with the defaults that follow p (into text, len bytes).
 * Returns -1 to go on, or the exit status: 0 after the help, VG_EXIT_USAGE
 * after a usage message. */
int vg_eval_parse(const vg_cli_cmd_def *def, vg_cli_cmd_def *with_text, char *text, size_t len, int argc, char **argv,
                  vg_cli_parsed *p, ...);
/* The data-set directory from --lfw DIR (DIR/images_deepfunneled, in buf)
 * or --dataset DIR; *dir NULL when neither. 0, or VG_EXIT_USAGE after a
 * message when both are given. */
int vg_eval_dataset_val(const vg_cli_parsed *p, const char **dir, char *buf, size_t len);
/* An integer option: when name was given, parses its value, from lo to hi,
 * into *out (left as it is otherwise). 0, or VG_EXIT_USAGE after a usage
 * message ("NAME takes WHAT, not 'VALUE'"). */
int vg_eval_int_val(const vg_cli_parsed *p, const char *name, long long lo, long long hi, const char *what,
                    long long *out);
/* vg_eval_embed_all with the command line's threads and image size limit. */
vg_status vg_eval_cli_embed(const vg_cli *cli, const vg_face_pack *pack, vg_eval_images *im, vg_err *err);
/* Opens the model pack into *pack, and embeds the images (announcing it on
 * stderr when `announce` and the output is text). */
vg_status vg_eval_cli_open_embed(const vg_cli *cli, vg_face_pack **pack, vg_eval_images *im, int announce,
                                 vg_err *err);

/* The hex SHA-256 of a file's bytes (a labels file's, cited by what was
 * made with it). */
vg_status vg_eval_file_sha256(const char *path, char hex[65], vg_err *err);

/* ---- output: curves as SVG, intervals as JSON (eval_report.c) ---- */

typedef struct vg_eval_curve {
    const char *label;
    const double *x, *y;  /* n points, x ascending */
    size_t n;
    int marked;           /* 1: a point of the curve marked (a threshold's) */
    double mark_x, mark_y;
} vg_eval_curve;

/* Writes a line chart with log10 axes over [x_min, 1] x [y_min, 1] (points
 * outside are clipped to the frame) to path; a marked point is a circle in
 * the curve's colour. */
vg_status vg_eval_svg_write(const char *path, const char *title, const char *x_label, const char *y_label,
                            const vg_eval_curve *curves, int n_curves, double x_min, double y_min,
                            vg_err *err);
/* DIR/verify-roc.svg and DIR/verify-det.svg; DIR/search-roc.svg and
 * DIR/search-det.svg. */
vg_status vg_eval_verify_svg(const char *dir, const vg_pair_score *s, size_t n, vg_err *err);
vg_status vg_eval_search_svg(const char *dir, const vg_openset_search *s, size_t n, vg_err *err);
/* DIR/groups-det.svg: the DET curve (FNMR against FMR) of each group from
 * its score histograms, the threshold's point marked on each. */
vg_status vg_eval_groups_svg(const char *dir, const vg_eval_groups_result *r, double threshold, vg_err *err);

/* {"value": v, "ci95": [lo, hi]} with null for non-finite numbers. */
json_t *vg_eval_ci_json(double v, double lo, double hi);
json_t *vg_eval_ci_obj(const vg_eval_ci *c);
json_t *vg_eval_num_json(double v);

int vg_eval_verify(const vg_cli *cli, int argc, char **argv);
int vg_eval_search(const vg_cli *cli, int argc, char **argv);
int vg_eval_calibrate(const vg_cli *cli, int argc, char **argv);
int vg_eval_groups(const vg_cli *cli, int argc, char **argv);

#endif
