/* render.c — a document (document.c) printed as JSON, Markdown or HTML
 * that prints cleanly on A4 (@page, no page break inside a row, a field or
 * a chart; inline CSS and SVG, nothing loaded from outside, no script);
 * and vg_paperwork_produce/diff, which tie the inputs, the stored versions
 * and the rendering together. Text from users is escaped for HTML; in
 * Markdown, table cells have their pipes and newlines escaped. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "paperwork/document.h"
#include "paperwork/paperwork.h"

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void md_cell(vg_pw_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            vg_pw_puts(b, "\\|");
        else if (*s == '<')
            vg_pw_puts(b, "&lt;");
        else if (*s == '&')
            vg_pw_puts(b, "&amp;");
        else if (*s == '\n' || *s == '\r')
            vg_pw_puts(b, " ");
        else
            vg_pw_printf(b, "%c", *s);
    }
}

static void render_md(vg_pw_buf *b, const json_t *doc)
{
    vg_pw_printf(b, "# %s: %s\n\n", str(doc, "title"), str(doc, "deployment"));
    vg_pw_printf(b, "Version %lld, inputs SHA-256 `%s`\n\n", (long long)json_integer_value(json_object_get(doc, "version")),
                 str(doc, "inputs_sha256"));
    vg_pw_printf(b, "> %s\n\n", str(doc, "notice"));
    size_t i, k;
    json_t *v, *s;
    if (json_array_size(json_object_get(doc, "warnings"))) {
        vg_pw_puts(b, "## Warnings\n\n");
        json_array_foreach(json_object_get(doc, "warnings"), i, v) {
            vg_pw_puts(b, "- **WARNING:** ");
            md_cell(b, json_string_value(v));
            vg_pw_puts(b, "\n");
        }
        vg_pw_puts(b, "\n");
    }
    vg_pw_puts(b, "## Fields still blank\n\n");
    json_array_foreach(json_object_get(doc, "blank_fields"), i, v) vg_pw_printf(b, "- %s\n", json_string_value(v));
    vg_pw_puts(b, "\n");
    json_array_foreach(json_object_get(doc, "sections"), i, s) {
        vg_pw_printf(b, "## %zu. %s\n\n", i + 1, str(s, "heading"));
        if (str(s, "text")[0])
            vg_pw_printf(b, "%s\n\n", str(s, "text"));
        if (json_array_size(json_object_get(s, "rows"))) {
            vg_pw_puts(b, "| Item | Value | Source |\n| --- | --- | --- |\n");
            json_array_foreach(json_object_get(s, "rows"), k, v) {
                vg_pw_puts(b, "| ");
                md_cell(b, str(v, "label"));
                vg_pw_puts(b, " | ");
                md_cell(b, str(v, "value"));
                vg_pw_puts(b, " | ");
                md_cell(b, str(v, "source"));
                vg_pw_puts(b, " |\n");
            }
            vg_pw_puts(b, "\n");
        }
        json_array_foreach(json_object_get(s, "list"), k, v) {
            vg_pw_puts(b, "- ");
            md_cell(b, json_string_value(v));
            vg_pw_puts(b, "\n");
        }
        if (json_array_size(json_object_get(s, "list")))
            vg_pw_puts(b, "\n");
        json_array_foreach(json_object_get(s, "fields"), k, v) {
            vg_pw_printf(b, "**TO COMPLETE: %s.** %s\n\n", str(v, "name"), str(v, "prompt"));
            vg_pw_puts(b, "> _(blank)_\n\n");
        }
    }
}

static const char css[] =
    "@page{size:A4;margin:16mm 15mm}\n"
    "body{font-family:'DejaVu Serif',Georgia,serif;font-size:10.5pt;line-height:1.35;color:#111;margin:0 auto;"
    "max-width:180mm}\n"
    "h1{font-size:17pt;border-bottom:2px solid #111;padding-bottom:2pt;margin:0 0 6pt}\n"
    "h2{font-size:12.5pt;margin:14pt 0 4pt;break-after:avoid;page-break-after:avoid}\n"
    ".meta{font-size:9pt;color:#333;word-break:break-all}\n"
    ".notice{border:1.5pt solid #111;padding:6pt 8pt;margin:8pt 0;font-weight:bold}\n"
    ".warning{border:2pt solid #b71c1c;background:#fdecea;padding:6pt 8pt;margin:6pt 0;break-inside:avoid;"
    "page-break-inside:avoid}\n"
    ".warning strong{color:#b71c1c}\n"
    "table{border-collapse:collapse;width:100%;margin:4pt 0;table-layout:fixed}\n"
    "th,td{border:0.6pt solid #888;padding:3pt 5pt;text-align:left;vertical-align:top;overflow-wrap:anywhere}\n"
    "col.l{width:28%}col.v{width:44%}col.s{width:28%}\n"
    "td.src{font-size:8pt;color:#444}\n"
    "tr{break-inside:avoid;page-break-inside:avoid}\n"
    "ul{margin:2pt 0 6pt;padding-left:16pt;font-size:9.5pt;overflow-wrap:anywhere}\n"
    ".field{border:1.5pt dashed #1a237e;background:#f3f4fb;padding:5pt 7pt;margin:6pt 0;min-height:28mm;"
    "break-inside:avoid;page-break-inside:avoid}\n"
    ".field .tag{font-weight:bold;color:#1a237e}\n"
    "figure{margin:6pt 0;break-inside:avoid;page-break-inside:avoid}\n"
    "svg{max-width:100%;height:auto}\n"
    "@media screen{body{margin:2em auto;padding:0 1em}}\n";

static void render_html(vg_pw_buf *b, const json_t *doc, const json_t *in)
{
    vg_pw_puts(b, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    vg_pw_html(b, str(doc, "title"));
    vg_pw_puts(b, ": ");
    vg_pw_html(b, str(doc, "deployment"));
    vg_pw_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
    vg_pw_html(b, str(doc, "title"));
    vg_pw_puts(b, " &mdash; ");
    vg_pw_html(b, str(doc, "deployment"));
    vg_pw_printf(b, "</h1>\n<p class=\"meta\">Version %lld &middot; inputs SHA-256 <code>%s</code></p>\n",
                 (long long)json_integer_value(json_object_get(doc, "version")), str(doc, "inputs_sha256"));
    vg_pw_puts(b, "<p class=\"notice\">");
    vg_pw_html(b, str(doc, "notice"));
    vg_pw_puts(b, "</p>\n");
    size_t i, k;
    json_t *v, *s;
    json_array_foreach(json_object_get(doc, "warnings"), i, v) {
        vg_pw_puts(b, "<div class=\"warning\"><strong>WARNING:</strong> ");
        vg_pw_html(b, json_string_value(v));
        vg_pw_puts(b, "</div>\n");
    }
    vg_pw_puts(b, "<p><strong>Fields still blank:</strong> ");
    json_array_foreach(json_object_get(doc, "blank_fields"), i, v) {
        if (i)
            vg_pw_puts(b, "; ");
        vg_pw_html(b, json_string_value(v));
    }
    vg_pw_puts(b, ".</p>\n");
    const json_t *op = json_object_get(in, "operation");
    json_array_foreach(json_object_get(doc, "sections"), i, s) {
        vg_pw_printf(b, "<section>\n<h2>%zu. ", i + 1);
        vg_pw_html(b, str(s, "heading"));
        vg_pw_puts(b, "</h2>\n");
        if (str(s, "text")[0]) {
            vg_pw_puts(b, "<p>");
            vg_pw_html(b, str(s, "text"));
            vg_pw_puts(b, "</p>\n");
        }
        const char *chart = str(s, "chart");
        if (op && chart[0]) {
            long long f = json_integer_value(json_object_get(op, "faces")),
                      a = json_integer_value(json_object_get(op, "alerts")),
                      c = json_integer_value(json_object_get(op, "confirmed")),
                      r = json_integer_value(json_object_get(op, "rejected")),
                      n = json_integer_value(json_object_get(op, "no_action")),
                      p = json_integer_value(json_object_get(op, "pending"));
            vg_pw_puts(b, "<figure>\n");
            if (!strcmp(chart, "faces"))
                vg_paperwork_svg_faces(b, f, a, r);
            else
                vg_paperwork_svg_outcomes(b, c, r, n, p);
            vg_pw_puts(b, "</figure>\n");
        }
        if (json_array_size(json_object_get(s, "rows"))) {
            vg_pw_puts(b, "<table>\n<colgroup><col class=\"l\"><col class=\"v\"><col class=\"s\"></colgroup>\n"
                          "<thead><tr><th>Item</th><th>Value</th><th>Source</th></tr></thead>\n<tbody>\n");
            json_array_foreach(json_object_get(s, "rows"), k, v) {
                vg_pw_puts(b, "<tr><th scope=\"row\">");
                vg_pw_html(b, str(v, "label"));
                vg_pw_puts(b, "</th><td>");
                vg_pw_html(b, str(v, "value"));
                vg_pw_puts(b, "</td><td class=\"src\">");
                vg_pw_html(b, str(v, "source"));
                vg_pw_puts(b, "</td></tr>\n");
            }
            vg_pw_puts(b, "</tbody>\n</table>\n");
        }
        if (json_array_size(json_object_get(s, "list"))) {
            vg_pw_puts(b, "<ul>\n");
            json_array_foreach(json_object_get(s, "list"), k, v) {
                vg_pw_puts(b, "<li>");
                vg_pw_html(b, json_string_value(v));
                vg_pw_puts(b, "</li>\n");
            }
            vg_pw_puts(b, "</ul>\n");
        }
        json_array_foreach(json_object_get(s, "fields"), k, v) {
            vg_pw_puts(b, "<div class=\"field\"><span class=\"tag\">TO COMPLETE: ");
            vg_pw_html(b, str(v, "name"));
            vg_pw_puts(b, ".</span> ");
            vg_pw_html(b, str(v, "prompt"));
            vg_pw_puts(b, "</div>\n");
        }
        vg_pw_puts(b, "</section>\n");
    }
    vg_pw_puts(b, "</body>\n</html>\n");
}

vg_status vg_paperwork_render(const json_t *inputs, const char *format, int version, const char *inputs_sha256,
                              char **out, size_t *len, vg_err *err)
{
    *out = NULL;
    *len = 0;
    if (!vg_paperwork_format_ok(format))
        return vg_err_set(err, VG_ERR_INVALID, "format '%.20s': html, md or json", format ? format : "");
    if (!vg_paperwork_kind_ok(json_string_value(json_object_get(inputs, "kind"))))
        return vg_err_set(err, VG_ERR_INVALID, "the inputs name no known document kind");
    json_t *doc = vg_paperwork_document(inputs, version, inputs_sha256);
    if (!doc)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_pw_buf b = {0};
    if (!strcmp(format, "json")) {
        char *t = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        if (t) {
            vg_pw_puts(&b, t);
            vg_pw_puts(&b, "\n");
        } else
            b.failed = 1;
        free(t);
    } else if (!strcmp(format, "md"))
        render_md(&b, doc);
    else
        render_html(&b, doc, inputs);
    json_decref(doc);
    if (b.failed || !b.p) {
        vg_pw_free(&b);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    *out = b.p;
    *len = b.len;
    return VG_OK;
}

static void sha_hex(const char *text, size_t len, char hex[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const uint8_t *)text, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* The canonical text of inputs: sorted keys, compact (what is hashed and stored). */
static char *canonical(const json_t *in)
{
    return json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

vg_status vg_paperwork_produce(vg_store *s, const char *actor, const char *deployment, const char *kind,
                               const char *format, int version, const char *calibration_path, char **doc, size_t *len,
                               int *version_out, vg_err *err)
{
    *doc = NULL;
    *len = 0;
    if (!vg_paperwork_kind_ok(kind))
        return vg_err_set(err, VG_ERR_INVALID,
                          "unknown document kind '%.40s': dpia, eia, watchlist-criteria, authorisation or review",
                          kind ? kind : "");
    if (!vg_paperwork_format_ok(format))
        return vg_err_set(err, VG_ERR_INVALID, "format '%.20s': html, md or json", format ? format : "");
    json_t *in = NULL;
    char *text = NULL;
    vg_status st;
    if (version > 0) {
        vg_paperwork_version pv;
        if ((st = vg_store_paperwork_get(s, deployment, kind, version, &pv, err)))
            return st;
        text = pv.inputs;
        in = json_loads(text, 0, NULL);
        if (!in) {
            free(text);
            return vg_err_set(err, VG_ERR_INVALID, "version %d's inputs do not parse", version);
        }
    } else {
        if ((st = vg_paperwork_inputs(s, deployment, kind, calibration_path, &in, err)))
            return st;
        text = canonical(in);
        json_decref(in);
        /* rendered from its canonical text, as a stored version is: the
         * same bytes now and later (objects in the same key order) */
        if (!text || !(in = json_loads(text, 0, NULL))) {
            free(text);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
    }
    char ihex[65];
    sha_hex(text, strlen(text), ihex);
    /* the version number is in the document: record first (a new version
     * when the inputs changed), then render with it; a stored version made
     * again is audited as such */
    int v = version;
    if (version > 0) {
        char obj[VG_STORE_NAME_MAX + 16], details[256];
        snprintf(obj, sizeof obj, "deployment:%s", deployment);
        snprintf(details, sizeof details, "{\"kind\":\"%s\",\"version\":%d,\"inputs_sha256\":\"%s\",\"format\":\"%s\"}",
                 kind, version, ihex, format);
        st = vg_store_audit_append(s, actor, "paperwork.regenerate", obj, details, err);
    } else
        st = vg_store_paperwork_record(s, actor, deployment, kind, text, format, &v, err);
    if (!st)
        st = vg_paperwork_render(in, format, v, ihex, doc, len, err);
    free(text);
    json_decref(in);
    if (!st && version_out)
        *version_out = v;
    return st;
}

static void diff_walk(const char *path, const json_t *a, const json_t *b, json_t *out)
{
    if (json_is_object(a) && json_is_object(b)) {
        /* keys of both, sorted */
        const char *k;
        json_t *v;
        json_t *keys = json_array();
        json_object_foreach((json_t *)a, k, v) json_array_append_new(keys, json_string(k));
        json_object_foreach((json_t *)b, k, v) if (!json_object_get(a, k)) json_array_append_new(keys, json_string(k));
        size_t n = json_array_size(keys);
        const char **ks = calloc(n ? n : 1, sizeof *ks);
        for (size_t i = 0; ks && i < n; i++)
            ks[i] = json_string_value(json_array_get(keys, i));
        for (size_t i = 1; ks && i < n; i++)
            for (size_t j = i; j > 0 && strcmp(ks[j - 1], ks[j]) > 0; j--) {
                const char *t = ks[j];
                ks[j] = ks[j - 1];
                ks[j - 1] = t;
            }
        for (size_t i = 0; ks && i < n; i++) {
            char p[1024];
            snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", ks[i]);
            diff_walk(p, json_object_get(a, ks[i]), json_object_get(b, ks[i]), out);
        }
        free(ks);
        json_decref(keys);
        return;
    }
    if (json_equal((json_t *)a, (json_t *)b) || (!a && !b))
        return;
    json_array_append_new(out, json_pack("{s:s,s:O,s:O}", "path", path, "from", a ? (json_t *)a : json_null(), "to",
                                         b ? (json_t *)b : json_null()));
}

vg_status vg_paperwork_diff(vg_store *s, const char *deployment, const char *kind, int from, int to, json_t **out,
                            vg_err *err)
{
    *out = NULL;
    if (from < 1 || to < 1)
        return vg_err_set(err, VG_ERR_INVALID, "versions are numbers from 1");
    vg_paperwork_version a, b;
    vg_status st = vg_store_paperwork_get(s, deployment, kind, from, &a, err);
    if (st)
        return st;
    if ((st = vg_store_paperwork_get(s, deployment, kind, to, &b, err))) {
        free(a.inputs);
        return st;
    }
    json_t *ja = json_loads(a.inputs, 0, NULL), *jb = json_loads(b.inputs, 0, NULL);
    free(a.inputs);
    free(b.inputs);
    json_t *arr = json_array();
    if (!ja || !jb || !arr)
        st = vg_err_set(err, VG_ERR_INVALID, "a version's inputs do not parse");
    else
        diff_walk("", ja, jb, arr);
    json_decref(ja);
    json_decref(jb);
    if (st) {
        json_decref(arr);
        return st;
    }
    *out = arr;
    return VG_OK;
}
