/* eval_report.c — output of `vigil eval`: figures with their intervals as
 * JSON, and ROC/DET curves as SVG line charts with log10 axes (our own
 * output format, written as text). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/eval.h"

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
