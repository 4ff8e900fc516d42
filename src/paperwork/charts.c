/* charts.c — a growing text buffer and the transparency report's two SVG
 * charts (the same drawings `vigil report --format html` prints), for the
 * documents that carry the report's figures. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paperwork/paperwork.h"

static int grow(vg_pw_buf *b, size_t more)
{
    if (b->failed)
        return 0;
    if (b->len + more + 1 <= b->cap)
        return 1;
    size_t nc = b->cap ? b->cap : 4096;
    while (nc < b->len + more + 1)
        nc *= 2;
    char *p = realloc(b->p, nc);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->p = p;
    b->cap = nc;
    return 1;
}

void vg_pw_printf(vg_pw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void vg_pw_puts(vg_pw_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (!grow(b, n))
        return;
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

void vg_pw_html(vg_pw_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': vg_pw_puts(b, "&lt;"); break;
        case '>': vg_pw_puts(b, "&gt;"); break;
        case '&': vg_pw_puts(b, "&amp;"); break;
        case '"': vg_pw_puts(b, "&quot;"); break;
        case '\'': vg_pw_puts(b, "&#39;"); break;
        default:
            if (grow(b, 1)) {
                b->p[b->len++] = *s;
                b->p[b->len] = '\0';
            }
        }
    }
}

void vg_pw_free(vg_pw_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void vg_paperwork_svg_outcomes(vg_pw_buf *b, long long confirmed, long long rejected, long long no_action,
                               long long pending)
{
    const char *names[] = {"confirmed", "rejected", "no action", "pending"};
    const char *colours[] = {"#2e7d32", "#c62828", "#f9a825", "#757575"};
    const long long v[] = {confirmed, rejected, no_action, pending};
    long long max = 1;
    for (int i = 0; i < 4; i++)
        if (v[i] > max)
            max = v[i];
    const int w = 420, h = 240, base = 200, top = 30, bw = 70;
    vg_pw_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "role=\"img\" aria-label=\"Alerts by adjudication outcome\">\n", w, h, w, h);
    vg_pw_puts(b, "<title>Alerts by adjudication outcome</title>\n");
    vg_pw_printf(b, "<line x1=\"20\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", base, w - 10, base);
    for (int i = 0; i < 4; i++) {
        int x = 40 + i * 95;
        int bh = (int)llround((double)v[i] / (double)max * (base - top));
        vg_pw_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x, base - bh, bw, bh,
                     colours[i]);
        vg_pw_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%lld</text>\n",
                     x + bw / 2, base - bh - 6, v[i]);
        vg_pw_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%s</text>\n", x + bw / 2,
                     base + 18, names[i]);
    }
    vg_pw_puts(b, "</svg>\n");
}

void vg_paperwork_svg_faces(vg_pw_buf *b, long long faces, long long alerts, long long rejected)
{
    const char *names[] = {"faces processed", "alerts", "false alerts"};
    const long long v[] = {faces, alerts, rejected};
    double lmax = log10((double)(v[0] > v[1] ? v[0] : v[1]) + 1.0);
    if (lmax < 1)
        lmax = 1;
    const int w = 520, h = 150, x0 = 130, span = 300;
    vg_pw_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "role=\"img\" aria-label=\"Faces processed and alerts, log scale\">\n", w, h, w, h);
    vg_pw_puts(b, "<title>Faces processed and alerts (log scale)</title>\n");
    for (int i = 0; i < 3; i++) {
        int y = 20 + i * 40;
        int bw = (int)llround(log10((double)v[i] + 1.0) / lmax * span);
        vg_pw_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\">%s</text>\n", x0 - 8, y + 17,
                     names[i]);
        vg_pw_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"24\" fill=\"%s\"/>\n", x0, y, bw,
                     i == 0 ? "#1565c0" : i == 1 ? "#ef6c00" : "#c62828");
        vg_pw_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\">%lld</text>\n", x0 + bw + 6, y + 17, v[i]);
    }
    vg_pw_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">bar length: log10(count + 1)</text>\n",
                 x0, h - 6);
    vg_pw_puts(b, "</svg>\n");
}
