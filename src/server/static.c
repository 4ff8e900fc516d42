/* static.c — the console's files (web/): a fixed table of URL path, file
 * name and content type, read from the web directory once when the server
 * starts and served from memory. The request's path is only compared with
 * the table: no part of it ever becomes a file name. Every page carries a
 * strict Content-Security-Policy (no inline script or style, no framing).
 * The files are public; the login happens inside the page, and everything
 * under /api/v1 keeps its own checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/paths.h"
#include "server/server_internal.h"

#ifndef VG_DEFAULT_WEB_DIR
#define VG_DEFAULT_WEB_DIR "web"
#endif

#define STATIC_FILE_MAX (1024 * 1024)

typedef struct static_entry {
    const char *path; /* the URL path, exactly */
    const char *file; /* the file name in the web directory */
    const char *type;
} static_entry;

static const static_entry table[] = {
    {"/", "index.html", "text/html; charset=utf-8"},
    {"/style.css", "style.css", "text/css; charset=utf-8"},
    {"/icon.svg", "icon.svg", "image/svg+xml"},
    {"/app.js", "app.js", "text/javascript; charset=utf-8"},
    {"/api.js", "api.js", "text/javascript; charset=utf-8"},
    {"/dom.js", "dom.js", "text/javascript; charset=utf-8"},
    {"/alerts.js", "alerts.js", "text/javascript; charset=utf-8"},
    {"/incidents.js", "incidents.js", "text/javascript; charset=utf-8"},
    {"/cameras.js", "cameras.js", "text/javascript; charset=utf-8"},
    {"/watchlists.js", "watchlists.js", "text/javascript; charset=utf-8"},
    {"/stats.js", "stats.js", "text/javascript; charset=utf-8"},
    {"/charts.js", "charts.js", "text/javascript; charset=utf-8"},
    {"/audit.js", "audit.js", "text/javascript; charset=utf-8"},
    {"/paperwork.js", "paperwork.js", "text/javascript; charset=utf-8"},
};
#define N_STATIC ((int)(sizeof table / sizeof table[0]))

struct vg_static {
    char *data[N_STATIC];
    size_t len[N_STATIC];
};

static const char csp[] = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                          "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                          "form-action 'self'; frame-ancestors 'none'";

static vg_status read_file(const char *path, char **data, size_t *len, vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "console file %s: %s", path, strerror(errno));
    char *buf = malloc(STATIC_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %s", path);
    }
    size_t n = fread(buf, 1, STATIC_FILE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > STATIC_FILE_MAX) {
        free(buf);
        return vg_err_set(err, VG_ERR_IO, "console file %s: %s", path,
                          bad ? "read error" : "larger than 1 MiB");
    }
    *data = buf;
    *len = n;
    return VG_OK;
}

vg_status vg_static_load(const char *dir, vg_static **out, vg_err *err)
{
    *out = NULL;
    char installed[4096];
    if (!dir)
        dir = vg_paths_installed("web", installed, sizeof installed) == 0 ? installed : VG_DEFAULT_WEB_DIR;
    vg_static *s = calloc(1, sizeof *s);
    if (!s)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory loading the console");
    for (int i = 0; i < N_STATIC; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, table[i].file);
        vg_status st = n < 0 || (size_t)n >= sizeof path
                           ? vg_err_set(err, VG_ERR_INVALID, "web directory path too long")
                           : read_file(path, &s->data[i], &s->len[i], err);
        if (st != VG_OK) {
            vg_static_free(s);
            return st;
        }
    }
    *out = s;
    return VG_OK;
}

void vg_static_free(vg_static *s)
{
    if (!s)
        return;
    for (int i = 0; i < N_STATIC; i++)
        free(s->data[i]);
    free(s);
}

int vg_static_serve(vg_request *r, enum MHD_Result *ret)
{
    const vg_static *s = r->srv->web;
    if (!s)
        return 0;
    int i = 0;
    while (i < N_STATIC && strcmp(table[i].path, r->url) != 0)
        i++;
    if (i == N_STATIC)
        return 0;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        *ret = vg_http_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", NULL);
        return 1;
    }
    /* The file stays in memory as long as the server: no copy. */
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(s->len[i], s->data[i], MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        *ret = MHD_NO;
        return 1;
    }
    MHD_add_response_header(resp, "Content-Type", table[i].type);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    *ret = vg_http_queue(r, MHD_HTTP_OK, resp);
    return 1;
}
