/* openapi.c — GET /api/v1/openapi.json: an OpenAPI 3 document generated
 * from the route table, so it always lists what the server does. Each
 * operation carries x-vigil-roles ("public", "any" or the roles allowed),
 * those that take a body an example of one that is accepted, and
 * x-vigil-stream those whose answer streams until the client leaves. */
#include <string.h>

#include "server/server_internal.h"

enum MHD_Result vg_api_openapi(vg_request *r)
{
    json_t *paths = json_object();
    for (int i = 0; i < vg_n_routes; i++) {
        const vg_route *rt = &vg_routes[i];
        json_t *item = json_object_get(paths, rt->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->path, item);
        }
        char method[8];
        size_t k = 0;
        for (; rt->method[k] && k < sizeof method - 1; k++)
            method[k] = (char)(rt->method[k] - 'A' + 'a');
        method[k] = '\0';
        json_t *roles = json_array();
        for (unsigned bit = 1; bit <= VG_ROLE_ANY; bit <<= 1)
            if (rt->roles & bit)
                json_array_append_new(roles, json_string(vg_route_role_name((vg_role)bit)));
        int pub = (rt->roles & VG_ROLE_PUBLIC) != 0;
        json_t *op = json_pack("{s:s, s:o, s:{s:{s:s}, s:{s:s}}}", "summary", rt->summary,
                               "x-vigil-roles", roles, "responses", "200", "description", "success",
                               "default", "description", "an error: {\"error\": ..., \"field\": ...}");
        const char *stream = vg_route_stream_type(rt);
        if (stream) {
            json_object_set_new(op, "x-vigil-stream", json_true());
            json_object_set_new(json_object_get(json_object_get(op, "responses"), "200"), "content",
                                json_pack("{s:{}}", stream));
        }
        if (!pub)
            json_object_set_new(op, "security", json_pack("[{s:[]}, {s:[]}]", "session", "token"));
        if (rt->example) {
            json_t *ex = json_loads(rt->example, 0, NULL);
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content", "application/json",
                                          "example", ex ? ex : json_object()));
        }
        if (strstr(rt->path, "{id}"))
            json_object_set_new(op, "parameters",
                                json_pack("[{s:s, s:s, s:b, s:{s:s}}]", "name", "id", "in", "path",
                                          "required", 1, "schema", "type", "integer"));
        json_object_set_new(item, method, op);
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s}, s:o, s:{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}}", "openapi", "3.0.3", "info",
        "title", "vigil HTTP API", "version", "1", "paths", paths, "components", "securitySchemes", "session",
        "type", "apiKey", "in", "cookie", "name", "vigil_session", "token", "type", "http", "scheme", "bearer");
    return vg_http_json(r, MHD_HTTP_OK, doc);
}
