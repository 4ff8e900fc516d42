/* eval_report.c — what the `vigil eval` commands share: the data-set
 * option, the embedding with the command line's settings, figures with
 * their intervals as JSON, ROC/DET curves as SVG line charts with log10
 * axes (our own output format, written as text; per group too), and a
 * labels file's SHA-256. */
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eval.h"
#include "match/curve.h"

json_t *vg_eval_num_json(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *vg_eval_ci_json(double v, double lo, double hi)
{
    return json_pack("{s:o,s:[o,o]}", "value", vg_eval_num_json(v), "ci95", vg_eval_num_json(lo),
                     vg_eval_num_json(hi));
}

#define W 720.0
#define H 480.0
#define ML 70.0  /* margins */
#define MR 200.0
#define MT 40.0
#define MB 60.0

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

static double px(double x, double lmin)
{
    double l = x > 0 ? log10(x) : lmin;
    if (l < lmin)
        l = lmin;
    if (l > 0)
        l = 0;
    return ML + (l - lmin) / (0 - lmin) * (W - ML - MR);
}

static double py(double y, double lmin)
{
    double l = y > 0 ? log10(y) : lmin;
    if (l < lmin)
        l = lmin;
    if (l > 0)
        l = 0;
    return H - MB - (l - lmin) / (0 - lmin) * (H - MT - MB);
}

vg_status vg_eval_svg_write(const char *path, const char *title, const char *x_label, const char *y_label,
                            const vg_eval_curve *curves, int n_curves, double x_min, double y_min, vg_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot write %s", path);
    double lx = floor(log10(x_min)), ly = floor(log10(y_min));
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            W, H, W, H);
    fputs("<text x=\"360\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">", f);
    xml_text(f, title);
    fputs("</text>\n", f);
    for (double d = lx; d <= 0; d++) { /* decade grid and tick labels */
        double x = px(pow(10, d), lx), y = py(pow(10, d), ly);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">1e%d</text>\n",
                x, MT, x, H - MB, x, H - MB + 16, (int)d);
        (void)y;
    }
    for (double d = ly; d <= 0; d++) {
        double y = py(pow(10, d), ly);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>\n",
                ML, y, W - MR, y, ML - 6, y + 4, (int)d);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", ML, MT,
            W - ML - MR, H - MT - MB);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", ML + (W - ML - MR) / 2, H - 20);
    xml_text(f, x_label);
    fprintf(f, "</text>\n<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">",
            MT + (H - MT - MB) / 2);
    xml_text(f, y_label);
    fputs("</text>\n", f);
    for (int c = 0; c < n_curves; c++) {
        const char *col = colours[c % (int)(sizeof colours / sizeof colours[0])];
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
        for (size_t i = 0; i < curves[c].n; i++)
            fprintf(f, "%s%.1f,%.1f", i ? " " : "", px(curves[c].x[i], lx), py(curves[c].y[i], ly));
        fputs("\"/>\n", f);
        if (curves[c].marked)
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", px(curves[c].mark_x, lx),
                    py(curves[c].mark_y, ly), col);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\">", W - MR + 10, MT + 14 + 18.0 * c, W - MR + 30, MT + 14 + 18.0 * c, col,
                W - MR + 34, MT + 18 + 18.0 * c);
        xml_text(f, curves[c].label);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
    if (fclose(f))
        return vg_err_set(err, VG_ERR_IO, "cannot write %s", path);
    return VG_OK;
}

json_t *vg_eval_ci_obj(const vg_eval_ci *c)
{
    return vg_eval_ci_json(c->v, c->lo, c->hi);
}

/* Writes the two charts of a curve: ROC (fpr, 1 - fnr) and DET (fpr, fnr). */
static vg_status write_curves(const char *dir, const char *prefix, const char *what, const char *fp_name,
                              const char *fn_name, const float *pos, size_t np, size_t never, const float *neg,
                              size_t nn, vg_err *err)
{
    size_t cap = np + nn + 1;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y), *tp = malloc(cap * sizeof *tp);
    if (!x || !y || !tp) {
        free(x), free(y), free(tp);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t k = vg_curve_points(pos, np, never, neg, nn, x, y, NULL);
    /* ascending x for the charts */
    for (size_t i = 0; i < k / 2; i++) {
        double t = x[i];
        x[i] = x[k - 1 - i], x[k - 1 - i] = t;
        t = y[i];
        y[i] = y[k - 1 - i], y[k - 1 - i] = t;
    }
    for (size_t i = 0; i < k; i++)
        tp[i] = 1 - y[i];
    double xmin = nn ? 1.0 / (double)nn : 1e-6, ymin = np + never ? 1.0 / (double)(np + never) : 1e-6;
    if (xmin < 1e-6)
        xmin = 1e-6;
    char path[4200], title[256], xl[64], yl[64];
    vg_eval_curve c = {what, x, tp, k, 0, 0, 0};
    snprintf(path, sizeof path, "%s/%s-roc.svg", dir, prefix);
    snprintf(title, sizeof title, "ROC: %s", what);
    snprintf(xl, sizeof xl, "%s (log)", fp_name);
    snprintf(yl, sizeof yl, "1 - %s (log)", fn_name);
    vg_status st = vg_eval_svg_write(path, title, xl, yl, &c, 1, xmin, 0.5, err);
    if (!st) {
        c.y = y;
        snprintf(path, sizeof path, "%s/%s-det.svg", dir, prefix);
        snprintf(title, sizeof title, "DET: %s", what);
        snprintf(yl, sizeof yl, "%s (log)", fn_name);
        st = vg_eval_svg_write(path, title, xl, yl, &c, 1, xmin, ymin < 1e-4 ? 1e-4 : ymin, err);
    }
    free(x), free(y), free(tp);
    return st;
}

vg_status vg_eval_verify_svg(const char *dir, const vg_pair_score *s, size_t n, vg_err *err)
{
    float *pos = malloc((n ? n : 1) * sizeof *pos), *neg = malloc((n ? n : 1) * sizeof *neg);
    if (!pos || !neg) {
        free(pos), free(neg);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t np, nn;
    vg_eval_split_pairs(s, n, pos, &np, neg, &nn);
    vg_status st = write_curves(dir, "verify", "LFW View 2 pairs", "FMR", "FNMR", pos, np, 0, neg, nn, err);
    free(pos), free(neg);
    return st;
}

vg_status vg_eval_search_svg(const char *dir, const vg_openset_search *s, size_t n, vg_err *err)
{
    float *pos = malloc((n ? n : 1) * sizeof *pos), *neg = malloc((n ? n : 1) * sizeof *neg);
    if (!pos || !neg) {
        free(pos), free(neg);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t np, nn, never;
    vg_eval_split_searches(s, n, pos, &np, &never, neg, &nn);
    vg_status st = write_curves(dir, "search", "LFW open-set searches", "FPIR", "FNIR", pos, np, never, neg, nn, err);
    free(pos), free(neg);
    return st;
}

vg_status vg_eval_groups_svg(const char *dir, const vg_eval_groups_result *r, double threshold, vg_err *err)
{
    vg_eval_curve c[VG_EVAL_GROUPS_MAX];
    char labels[VG_EVAL_GROUPS_MAX][VG_EVAL_GROUP_NAME_MAX + 64];
    double *xy = malloc((size_t)r->n_groups * 2 * (VG_EVAL_HIST_BINS + 1) * sizeof *xy);
    if (!xy)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    double xmin = 1, ymin = 1;
    for (int k = 0; k < r->n_groups; k++) {
        const vg_eval_group *g = &r->g[k];
        double *x = xy + (size_t)k * 2 * (VG_EVAL_HIST_BINS + 1), *y = x + VG_EVAL_HIST_BINS + 1;
        /* from the highest threshold (every comparison below it) down: FMR ascending */
        long long above = 0, below = g->mated;
        for (int b = VG_EVAL_HIST_BINS; b >= 0; b--) {
            if (b < VG_EVAL_HIST_BINS) {
                above += g->hist_nonmated[b];
                below -= g->hist_mated[b];
            }
            size_t i = (size_t)(VG_EVAL_HIST_BINS - b);
            x[i] = g->nonmated ? (double)above / (double)g->nonmated : NAN;
            y[i] = g->mated ? (double)below / (double)g->mated : NAN;
        }
        if (g->nonmated && 1.0 / (double)g->nonmated < xmin)
            xmin = 1.0 / (double)g->nonmated;
        if (g->mated && 1.0 / (double)g->mated < ymin)
            ymin = 1.0 / (double)g->mated;
        snprintf(labels[k], sizeof labels[k], "%s (%d people)", g->name, g->subjects);
        c[k] = (vg_eval_curve){labels[k], x, y, VG_EVAL_HIST_BINS + 1, 1, g->fmr, g->fnmr};
    }
    char path[4200], title[160];
    snprintf(path, sizeof path, "%s/groups-det.svg", dir);
    snprintf(title, sizeof title, "DET per group (dots: threshold %.3f)", threshold);
    vg_status st = vg_eval_svg_write(path, title, "FMR (log)", "FNMR (log)", c, r->n_groups, xmin < 1e-7 ? 1e-7 : xmin,
                                     ymin < 1e-4 ? 1e-4 : ymin, err);
    free(xy);
    return st;
}

int vg_eval_parse(const vg_cli_cmd_def *def, vg_cli_cmd_def *with_text, char *text, size_t len, int argc, char **argv,
                  vg_cli_parsed *p, ...)
{
    *with_text = *def;
    if (def->text) {
        va_list ap;
        va_start(ap, p);
        vsnprintf(text, len, def->text, ap);
        va_end(ap);
        with_text->text = text;
    }
    int r = vg_cli_parse(with_text, argc, argv, 2, p);
    return r == VG_CLI_PARSED ? -1 : r == VG_CLI_HELPED ? VG_EXIT_OK : r;
}

int vg_eval_dataset_val(const vg_cli_parsed *p, const char **dir, char *buf, size_t len)
{
    const char *lfw = vg_cli_val(p, "--lfw"), *dataset = vg_cli_val(p, "--dataset");
    if (lfw && dataset)
        return vg_cli_usage("%s: give --lfw DIR or --dataset DIR, not both", p->def->name);
    *dir = dataset;
    if (lfw) {
        snprintf(buf, len, "%s/images_deepfunneled", lfw);
        *dir = buf;
    }
    return VG_EXIT_OK;
}

vg_status vg_eval_cli_embed(const vg_cli *cli, const vg_face_pack *pack, vg_eval_images *im, vg_err *err)
{
    return vg_eval_embed_all(pack, im, vg_cli_threads(cli), cli->max_pixels, err);
}

int vg_eval_int_val(const vg_cli_parsed *p, const char *name, long long lo, long long hi, const char *what,
                    long long *out)
{
    const char *v = vg_cli_val(p, name);
    if (v && vg_cli_parse_int(v, lo, hi, out))
        return vg_cli_usage("%s takes %s, not '%s'", name, what, v);
    return VG_EXIT_OK;
}

vg_status vg_eval_cli_open_embed(const vg_cli *cli, vg_face_pack **pack, vg_eval_images *im, int announce,
                                 vg_err *err)
{
    vg_status st = vg_cli_open_pack(cli, pack, err);
    if (!st)
        st = vg_eval_images_alloc(im, vg_face_pack_dim(*pack), err);
    if (!st && announce && !cli->json)
        fprintf(stderr, "embedding %zu images with %d threads...\n", im->n, vg_cli_threads(cli));
    if (!st)
        st = vg_eval_cli_embed(cli, *pack, im, err);
    return st;
}

/* The hex SHA-256 of a file's bytes. */
vg_status vg_eval_file_sha256(const char *path, char hex[65], vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot open %s", path);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return vg_err_set(err, VG_ERR_IO, "cannot read %s", path);
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return VG_OK;
}
