/* api_paperwork.c — GET /api/v1/deployments/{id}/paperwork: a deployment's
 * document (DPIA, EIA, watch-list criteria, authorisation record,
 * post-deployment review), the same bytes as `vigil paperwork` for the same
 * version (src/paperwork/), for admins and auditors. Each answer is a
 * recorded, audited production under the caller's name. The HTML holds
 * inline CSS and SVG only: its Content-Security-Policy allows inline styles
 * and nothing else (no script, nothing loaded). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "paperwork/paperwork.h"
#include "server/server_internal.h"

enum MHD_Result vg_api_paperwork(vg_request *r)
{
    const char *kind = vg_http_arg(r, "kind"), *format = vg_http_arg(r, "format"), *vs = vg_http_arg(r, "version");
    if (!kind || !vg_paperwork_kind_ok(kind))
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST,
                             "kind must be dpia, eia, watchlist-criteria, authorisation or review", "kind");
    if (!format)
        format = "html";
    if (!vg_paperwork_format_ok(format))
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "format must be html, md or json", "format");
    long long version = 0;
    if (vs) {
        char *end;
        errno = 0;
        version = strtoll(vs, &end, 10);
        if (!*vs || *end || errno || version < 1 || version > 1000000000)
            return vg_http_error(r, MHD_HTTP_BAD_REQUEST, "version must be a number from 1", "version");
    }
    vg_deployment *d = NULL;
    int n = 0;
    char name[VG_STORE_NAME_MAX + 1] = "";
    char *doc = NULL;
    size_t len = 0;
    int v = 0;
    vg_err err = {{0}};
    pthread_mutex_lock(&r->srv->store_mu);
    vg_status st = vg_store_deployment_list(r->srv->store, &d, &n, &err);
    for (int i = 0; st == VG_OK && i < n; i++)
        if (d[i].id == r->id)
            memcpy(name, d[i].name, sizeof name);
    free(d);
    if (st == VG_OK && !name[0])
        st = vg_err_set(&err, VG_ERR_NOT_FOUND, "no deployment with id %lld", (long long)r->id);
    if (st == VG_OK)
        st = vg_paperwork_produce(r->srv->store, r->session.user, name, kind, format, (int)version,
                                  r->srv->calibration, &doc, &len, &v, &err);
    pthread_mutex_unlock(&r->srv->store_mu);
    if (st != VG_OK)
        return vg_http_store_error(r, st, &err);
    const char *type = !strcmp(format, "html") ? "text/html; charset=utf-8"
                       : !strcmp(format, "md") ? "text/markdown; charset=utf-8"
                                               : "application/json";
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, doc, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(doc);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    char vbuf[16];
    snprintf(vbuf, sizeof vbuf, "%d", v);
    MHD_add_response_header(resp, "X-Vigil-Document-Version", vbuf);
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}
