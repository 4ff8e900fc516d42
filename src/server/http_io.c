/* http_io.c — HTTP plumbing: request bodies accumulated up to a limit, JSON
 * responses (jansson) with the headers every answer carries, error bodies
 * {"error": ..., "field": ...}, query arguments and headers. Nothing here
 * (nor anywhere in the server) maps a request path to a file. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

int vg_http_body_append(vg_request *r, const char *data, size_t size)
{
    if (r->too_big)
        return 0;
    size_t limit = r->body_limit ? r->body_limit : r->srv->body_max;
    if (size > limit - r->body_len) {
        r->too_big = 1;
        free(r->body);
        r->body = NULL;
        r->body_len = r->body_cap = 0;
        return 0;
    }
    if (r->body_len + size + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + size + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b) {
            r->too_big = 1;
            return 0;
        }
        r->body = b;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, size);
    r->body_len += size;
    r->body[r->body_len] = '\0';
    return 1;
}

void vg_http_common_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'");
}

enum MHD_Result vg_http_queue(vg_request *r, unsigned status, struct MHD_Response *resp)
{
    if (r->srv->tls_cert) /* a browser that once came over HTTPS never falls back to plain HTTP */
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result vg_http_bytes(vg_request *r, unsigned status, const char *type, void *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    vg_http_common_headers(resp);
    return vg_http_queue(r, status, resp);
}

json_t *vg_json_push(json_t *arr, json_t *item)
{
    if (!arr || json_array_append_new(arr, item) != 0) {
        if (!arr)
            json_decref(item);
        json_decref(arr);
        return NULL;
    }
    return arr;
}

enum MHD_Result vg_http_json_cookie(vg_request *r, unsigned status, json_t *body, const char *cookie)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) { /* a record that cannot be encoded is an error, never left out */
        static const char msg[] = "{\"error\":\"the response could not be encoded as JSON (a "
                                  "stored text is not valid UTF-8, or memory ran out)\"}";
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, "Content-Type", "application/json");
        vg_http_common_headers(resp);
        enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    size_t len = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    vg_http_common_headers(resp);
    if (cookie)
        MHD_add_response_header(resp, "Set-Cookie", cookie);
    return vg_http_queue(r, status, resp);
}

enum MHD_Result vg_http_json(vg_request *r, unsigned status, json_t *body)
{
    return vg_http_json_cookie(r, status, body, NULL);
}

enum MHD_Result vg_http_error(vg_request *r, unsigned status, const char *msg, const char *field)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    if (o && field)
        json_object_set_new(o, "field", json_string(field));
    return vg_http_json(r, status, o);
}

enum MHD_Result vg_http_error_retry(vg_request *r, int64_t seconds, const char *msg)
{
    json_t *o = json_pack("{s:s, s:I}", "error", msg, "retry_after", (json_int_t)seconds);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)seconds);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Retry-After", secs);
    vg_http_common_headers(resp);
    return vg_http_queue(r, 429, resp);
}

enum MHD_Result vg_http_store_error(vg_request *r, vg_status st, const vg_err *err)
{
    switch (st) {
    case VG_ERR_NOT_FOUND:
        return vg_http_error(r, MHD_HTTP_NOT_FOUND, err->msg, NULL);
    case VG_ERR_EXISTS:
        return vg_http_error(r, MHD_HTTP_CONFLICT, err->msg, NULL);
    case VG_ERR_INVALID:
        return vg_http_error(r, MHD_HTTP_BAD_REQUEST, err->msg, NULL);
    case VG_ERR_LIMIT:
        return vg_http_error(r, 413, err->msg, NULL);
    case VG_ERR_FULL: { /* the store's disk is full: try again later */
        vg_log_line l;
        vg_log_start(&l, "request_failed");
        vg_log_str(&l, "method", r->method);
        vg_log_str(&l, "path", r->url);
        vg_log_str(&l, "reason", err->msg);
        vg_server_log(r->srv, &l);
        return vg_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the store has no space left: try again later", NULL);
    }
    default: {
        /* The message may name files: kept in the server's log only. */
        vg_log_line l;
        vg_log_start(&l, "request_failed");
        vg_log_str(&l, "method", r->method);
        vg_log_str(&l, "path", r->url);
        vg_log_str(&l, "reason", err->msg);
        vg_server_log(r->srv, &l);
        return vg_http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", NULL);
    }
    }
}

enum MHD_Result vg_http_body_error(vg_request *r, const char *field, const char *msg)
{
    return vg_http_error(r, MHD_HTTP_BAD_REQUEST, msg, field && field[0] ? field : NULL);
}

const char *vg_http_arg(vg_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *vg_http_header(vg_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void vg_http_client_addr(vg_request *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)cap);
}
