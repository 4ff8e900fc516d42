/* cmd_report.c — `vigil report`: the transparency report of a deployment,
 * or the summary of the deployments of a period, as text, JSON, CSV or a
 * printable HTML page with SVG charts drawn here (inline CSS, no external
 * resource, no script).
 *
 * Built only from vg_store_report (counts): it holds no face, no subject
 * name, no image. Texts that come from users (deployment, watch list and
 * place names) are escaped for HTML and quoted for CSV.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "paperwork/paperwork.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

static const vg_cli_cmd_def def = {
    "report", "[DEPLOYMENT]", 0, 1, "the transparency report of a deployment, or of a period: counts only",
    "Faces processed, alerts and their adjudication, false-alert rates, watch-list size,\n"
    "time on air, threshold and model: counts only, no face, name or image. Give a\n"
    "DEPLOYMENT, or --from and --until for the sum over the deployments whose window\n"
    "overlaps the period. DATE: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM[:SS]Z.\n",
    {{"--from", "DATE", "the period's start (with --until, instead of a DEPLOYMENT)", 0},
     {"--until", "DATE", "the period's end", 0},
     {"--format", "FORMAT", "text, json, csv or html (default text; json under --json)", 0},
     {0}}};

typedef struct report_ctx {
    const vg_report *r;
    int period;             /* a summary over a period */
    long long from, until;  /* its bounds */
    int n;                  /* deployments in it */
} report_ctx;

static const char *iso(long long t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(buf, len, "%lld", t);
    return buf;
}

/* The threshold in use: the deployment's, the default for 0, NAN for "various". */
static double threshold_of(const vg_report *r)
{
    if (r->threshold < 0)
        return NAN;
    return r->threshold > 0 ? r->threshold : VG_WATCHLIST_THRESHOLD_DEFAULT;
}

static const char *model_of(const vg_report *r)
{
    return r->model[0] ? r->model : "unknown (no templates)";
}

static const char *or_unrecorded(const char *s)
{
    return s[0] ? s : "not recorded";
}

static const char *title_of(const report_ctx *c, char *buf, size_t len)
{
    char a[32], b[32];
    if (c->period)
        snprintf(buf, len, "Summary %s to %s (%d deployment%s)", iso(c->from, a, sizeof a),
                 iso(c->until, b, sizeof b), c->n, c->n == 1 ? "" : "s");
    else
        snprintf(buf, len, "Deployment %s", c->r->deployment);
    return buf;
}

static json_t *report_json(const report_ctx *c)
{
    const vg_report *r = c->r;
    char a[32], b[32], e[32];
    double thr = threshold_of(r);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:f,s:o,s:b,s:s,s:I,"
        "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f}",
        "deployment", r->deployment, "watchlist", r->watchlist, "location", r->location, "starts_at",
        iso(r->starts_at, a, sizeof a), "ends_at", iso(r->ends_at, b, sizeof b), "ended_at",
        iso(r->ended_at, e, sizeof e), "hours_on_air", r->hours_on_air, "threshold",
        isnan(thr) ? json_null() : json_real(round(thr * 1e4) / 1e4), "threshold_is_default",
        r->threshold == 0, "model", r->model, "watchlist_size", (json_int_t)r->watchlist_size, "frames_in",
        (json_int_t)r->counters.frames_in, "frames_processed", (json_int_t)r->counters.frames_processed,
        "frames_dropped", (json_int_t)r->counters.frames_dropped, "faces", (json_int_t)r->counters.faces,
        "tracks", (json_int_t)r->counters.tracks, "alerts", (json_int_t)r->alerts, "confirmed",
        (json_int_t)r->confirmed, "rejected", (json_int_t)r->rejected, "no_action", (json_int_t)r->no_action,
        "pending", (json_int_t)r->pending, "alerts_per_1000_faces", r->alerts_per_1000_faces,
        "false_alerts_per_face", r->false_alerts_per_face, "false_alerts_per_alert", r->false_alerts_per_alert);
    if (o) {
        json_object_set_new(o, "runs", json_integer(r->runs));
        json_object_set_new(o, "runs_unclean", json_integer(r->runs_unclean));
        json_object_set_new(o, "last_run_open", json_boolean(r->last_run_open));
        json_object_set_new(o, "pack_model", json_string(r->pack_model));
        json_object_set_new(o, "detector", json_string(r->detector));
    }
    if (o && c->period) {
        json_object_set_new(o, "period_from", json_string(iso(c->from, a, sizeof a)));
        json_object_set_new(o, "period_until", json_string(iso(c->until, b, sizeof b)));
        json_object_set_new(o, "deployments", json_integer(c->n));
    }
    return o;
}

/* ---- CSV ---- */

static void csv_text(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void report_csv(const report_ctx *c)
{
    const vg_report *r = c->r;
    char a[32], b[32], e[32], f[32], u[32];
    double thr = threshold_of(r);
    puts("deployment,period_from,period_until,deployments,watchlist,location,starts_at,ends_at,ended_at,"
         "hours_on_air,threshold,model,watchlist_size,frames_in,frames_processed,frames_dropped,faces,tracks,"
         "alerts,confirmed,rejected,no_action,pending,alerts_per_1000_faces,false_alerts_per_face,"
         "false_alerts_per_alert");
    csv_text(r->deployment);
    printf(",%s,%s,%d,", c->period ? iso(c->from, f, sizeof f) : "", c->period ? iso(c->until, u, sizeof u) : "",
           c->period ? c->n : 1);
    csv_text(r->watchlist);
    putchar(',');
    csv_text(r->location);
    printf(",%s,%s,%s,%.3f,", iso(r->starts_at, a, sizeof a), iso(r->ends_at, b, sizeof b),
           iso(r->ended_at, e, sizeof e), r->hours_on_air);
    if (isnan(thr))
        printf("various,");
    else
        printf("%.4f,", thr);
    csv_text(r->model);
    printf(",%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.6g,%.6g,%.6g\n", (long long)r->watchlist_size,
           (long long)r->counters.frames_in, (long long)r->counters.frames_processed,
           (long long)r->counters.frames_dropped, (long long)r->counters.faces, (long long)r->counters.tracks,
           (long long)r->alerts, (long long)r->confirmed, (long long)r->rejected, (long long)r->no_action,
           (long long)r->pending, r->alerts_per_1000_faces, r->false_alerts_per_face, r->false_alerts_per_alert);
}

/* ---- text ---- */

static void report_text(const report_ctx *c)
{
    const vg_report *r = c->r;
    char title[512], a[32], b[32], e[32];
    double thr = threshold_of(r);
    printf("%s\n", title_of(c, title, sizeof title));
    printf("  watch list:             %s (%lld subjects)\n", r->watchlist, (long long)r->watchlist_size);
    printf("  location:               %s\n", r->location);
    printf("  window:                 %s to %s%s%s\n", iso(r->starts_at, a, sizeof a), iso(r->ends_at, b, sizeof b),
           r->ended_at ? ", ended " : "", iso(r->ended_at, e, sizeof e));
    printf("  time on air:            %.2f h\n", r->hours_on_air);
    if (isnan(thr))
        printf("  threshold:              various\n");
    else
        printf("  threshold:              %.4f%s\n", thr, r->threshold == 0 ? " (default)" : "");
    printf("  model:                  %s\n", model_of(r));
    printf("  deployed with embedder: %s\n", or_unrecorded(r->pack_model));
    printf("  deployed with detector: %s\n", or_unrecorded(r->detector));
    printf("  runs:                   %lld", (long long)r->runs);
    if (r->runs_unclean)
        printf(" (%lld ended uncleanly, without a stop entry: their counts miss up to 5 s each)",
               (long long)r->runs_unclean);
    printf("\n");
    if (r->last_run_open)
        printf("  last run:               no stop entry: still running, or ended uncleanly (killed or crashed)\n");
    printf("  faces processed:        %lld\n", (long long)r->counters.faces);
    printf("  alerts:                 %lld\n", (long long)r->alerts);
    printf("    confirmed:            %lld\n", (long long)r->confirmed);
    printf("    rejected:             %lld\n", (long long)r->rejected);
    printf("    no action:            %lld\n", (long long)r->no_action);
    printf("    not yet adjudicated:  %lld\n", (long long)r->pending);
    printf("  alerts per 1000 faces:  %.4f\n", r->alerts_per_1000_faces);
    printf("  false alerts per face:  %.3g%s\n", r->false_alerts_per_face, r->rejected ? "" : " (none rejected)");
    if (r->false_alerts_per_face > 0)
        printf("                          (1 in %.0f faces)\n", 1.0 / r->false_alerts_per_face);
    printf("  false alerts per alert: %.4f (of adjudicated alerts)\n", r->false_alerts_per_alert);
}

/* ---- HTML ---- */

static void html_text(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", stdout); break;
        case '>': fputs("&gt;", stdout); break;
        case '&': fputs("&amp;", stdout); break;
        case '"': fputs("&quot;", stdout); break;
        case '\'': fputs("&#39;", stdout); break;
        default: putchar(*s);
        }
    }
}

/* The two charts, drawn by src/paperwork/charts.c (the documents carry the same). */
static void charts(const vg_report *r, int which)
{
    vg_pw_buf b = {0};
    if (which == 0)
        vg_paperwork_svg_outcomes(&b, (long long)r->confirmed, (long long)r->rejected, (long long)r->no_action,
                                  (long long)r->pending);
    else
        vg_paperwork_svg_faces(&b, (long long)r->counters.faces, (long long)r->alerts, (long long)r->rejected);
    if (b.p)
        fputs(b.p, stdout);
    vg_pw_free(&b);
}

static void row(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void row(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("<tr><th scope=\"row\">%s</th><td>", name);
    vprintf(fmt, ap);
    puts("</td></tr>");
    va_end(ap);
}

static void report_html(const report_ctx *c)
{
    const vg_report *r = c->r;
    char title[512], a[32], b[32], e[32];
    double thr = threshold_of(r);
    title_of(c, title, sizeof title);
    puts("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    fputs("<title>Transparency report: ", stdout);
    html_text(title);
    puts("</title>\n<style>\n"
         "body{font-family:Georgia,'Times New Roman',serif;max-width:52em;margin:2em auto;color:#111;padding:0 1em}\n"
         "h1{font-size:1.5em;border-bottom:2px solid #111;padding-bottom:.2em}\n"
         "table{border-collapse:collapse;width:100%;margin:1em 0}\n"
         "th,td{border:1px solid #999;padding:.3em .6em;text-align:left}\n"
         "td{font-variant-numeric:tabular-nums}\n"
         "figure{margin:1em 0;page-break-inside:avoid}\n"
         ".note{font-size:.9em;color:#333}\n"
         "@media print{body{margin:0;max-width:none}a{color:inherit}}\n"
         "</style>\n</head>\n<body>");
    fputs("<h1>Transparency report &mdash; ", stdout);
    html_text(title);
    puts("</h1>");
    fputs("<p class=\"model\">Model pack: <code>", stdout);
    html_text(model_of(r));
    fputs("</code> (deployed with embedder <code>", stdout);
    html_text(or_unrecorded(r->pack_model));
    fputs("</code>, detector <code>", stdout);
    html_text(or_unrecorded(r->detector));
    fputs("</code>)", stdout);
    if (isnan(thr))
        puts("; threshold: various.</p>");
    else
        printf("; threshold: %.4f%s.</p>\n", thr, r->threshold == 0 ? " (the default)" : "");
    puts("<p class=\"note\">Built only from counts: this report contains no face, no name and no image.</p>");
    puts("<figure>");
    charts(r, 0);
    puts("<figcaption>Alerts by the officer's decision.</figcaption>\n</figure>\n<figure>");
    charts(r, 1);
    puts("<figcaption>Faces processed against alerts and false (rejected) alerts.</figcaption>\n</figure>");
    puts("<table>\n<caption>Figures</caption>");
    if (!c->period) {
        fputs("<tr><th scope=\"row\">Deployment</th><td>", stdout);
        html_text(r->deployment);
        puts("</td></tr>");
    }
    fputs("<tr><th scope=\"row\">Watch list</th><td>", stdout);
    html_text(r->watchlist);
    printf(" (%lld subjects)</td></tr>\n", (long long)r->watchlist_size);
    fputs("<tr><th scope=\"row\">Location</th><td>", stdout);
    html_text(r->location);
    puts("</td></tr>");
    row("Window", "%s to %s%s%s", iso(r->starts_at, a, sizeof a), iso(r->ends_at, b, sizeof b),
        r->ended_at ? ", ended " : "", iso(r->ended_at, e, sizeof e));
    row("Time on air", "%.2f h", r->hours_on_air);
    row("Faces processed", "%lld", (long long)r->counters.faces);
    row("Alerts", "%lld", (long long)r->alerts);
    row("Confirmed", "%lld", (long long)r->confirmed);
    row("Rejected (false alerts)", "%lld", (long long)r->rejected);
    row("No action", "%lld", (long long)r->no_action);
    row("Not yet adjudicated", "%lld", (long long)r->pending);
    row("Alerts per 1 000 faces", "%.4f", r->alerts_per_1000_faces);
    if (r->false_alerts_per_face > 0)
        row("False alerts per face", "%.3g (1 in %.0f)", r->false_alerts_per_face, 1.0 / r->false_alerts_per_face);
    else
        row("False alerts per face", "0");
    row("False alerts per adjudicated alert", "%.4f", r->false_alerts_per_alert);
    puts("</table>");
    puts("<p class=\"note\">Time on air: the authorised window elapsed (start to the earliest of its end, "
         "its early end, and the time of the report). False alerts are the alerts officers rejected.</p>");
    puts("</body>\n</html>");
}

int vg_cmd_report(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int pr = vg_cli_parse(&def, argc, argv, 1, &p);
    if (pr)
        return pr == VG_CLI_HELPED ? VG_EXIT_OK : pr;
    const char *name = p.n_pos ? p.pos[0] : NULL, *from = vg_cli_val(&p, "--from"), *until = vg_cli_val(&p, "--until"),
               *format = vg_cli_val(&p, "--format");
    if (!format)
        format = cli->json ? "json" : "text";
    if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "html"))
        return vg_cli_usage("--format takes text, json, csv or html, not '%s'", format);
    report_ctx c = {0};
    if (name && (from || until))
        return vg_cli_usage("report takes a DEPLOYMENT or --from and --until, not both");
    if (!name && !(from && until))
        return vg_cli_usage("report needs a DEPLOYMENT, or --from and --until");
    if (!name) {
        if (vg_cli_parse_time(from, &c.from) || vg_cli_parse_time(until, &c.until))
            return vg_cli_usage("--from and --until take dates (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)");
        if (c.from >= c.until)
            return vg_cli_usage("--until must be after --from");
        c.period = 1;
    }
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    vg_report *r = calloc(1, sizeof *r);
    if (!r)
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    else if (c.period)
        st = vg_store_report_period(store, c.from, c.until, r, &c.n, &err);
    else
        st = vg_store_report(store, name, r, &err);
    vg_store_close(store);
    if (st) {
        free(r);
        return vg_cli_fail(st, &err);
    }
    c.r = r;
    if (!strcmp(format, "json"))
        vg_cli_print_json(report_json(&c));
    else if (!strcmp(format, "csv"))
        report_csv(&c);
    else if (!strcmp(format, "html"))
        report_html(&c);
    else
        report_text(&c);
    free(r);
    return VG_EXIT_OK;
}
