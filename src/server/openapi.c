/* openapi.c — GET /api/v1/openapi.json: an OpenAPI 3 document generated
 * from the route table, so it always lists what the server does, with what
 * a client generator needs beside it in this file: each operation's
 * operationId, success status, query parameters and the schemas of its
 * request and response bodies. Each operation also carries x-vigil-roles
 * ("public", "any" or the roles allowed), an example of an accepted body,
 * and x-vigil-stream when its answer streams until the client leaves. */
#include <stdio.h>
#include <string.h>

#include "server/server_internal.h"

#define REF(name) "{\"$ref\":\"#/components/schemas/" name "\"}"
#define OBJ_OF(key, schema) "{\"type\":\"object\",\"required\":[\"" key "\"],\"properties\":{\"" key "\":" schema "}}"
#define LIST_OF(key, schema) OBJ_OF(key, "{\"type\":\"array\",\"items\":" schema "}")
#define ANY_OBJ "{\"type\":\"object\",\"additionalProperties\":true}"
#define BINARY(type) "{\"" type "\":{\"schema\":{\"type\":\"string\",\"format\":\"binary\"}}}"

/* The schemas the operations refer to. */
static const char components[] =
    "{"
    "\"Error\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{"
    "\"error\":{\"type\":\"string\",\"description\":\"what was wrong, in a sentence\"},"
    "\"field\":{\"type\":\"string\",\"nullable\":true,\"description\":\"the request field at fault\"}}},"
    "\"Alert\":{\"type\":\"object\",\"required\":[\"id\",\"deployment_id\",\"camera\",\"subject_id\",\"score\","
    "\"frame_time\",\"raised_at\",\"state\",\"uid\",\"subject_name\",\"watchlist\",\"low_quality\"],"
    "\"properties\":{\"id\":{\"type\":\"integer\",\"format\":\"int64\"},"
    "\"deployment_id\":{\"type\":\"integer\",\"format\":\"int64\"},\"camera\":{\"type\":\"string\"},"
    "\"subject_id\":{\"type\":\"integer\",\"format\":\"int64\"},\"score\":{\"type\":\"number\"},"
    "\"frame_time\":{\"type\":\"number\",\"description\":\"Unix seconds\"},"
    "\"raised_at\":{\"type\":\"number\",\"description\":\"Unix seconds\"},"
    "\"state\":{\"type\":\"string\",\"enum\":[\"pending\",\"confirmed\",\"rejected\",\"no_action\"]},"
    "\"uid\":{\"type\":\"string\"},\"subject_name\":{\"type\":\"string\"},\"subject_reason\":{\"type\":\"string\"},"
    "\"subject_category\":{\"type\":\"string\"},\"watchlist\":{\"type\":\"string\"},"
    "\"outcome\":{\"type\":\"string\",\"nullable\":true},\"adjudicated_by\":{\"type\":\"string\",\"nullable\":true},"
    "\"adjudicated_at\":{\"type\":\"integer\",\"format\":\"int64\",\"nullable\":true},"
    "\"note\":{\"type\":\"string\",\"nullable\":true},\"low_quality\":{\"type\":\"boolean\"},"
    "\"scene\":{\"type\":\"boolean\",\"description\":\"a scene snapshot is kept (GET /api/v1/alerts/{id}/scene)\"}}},"
    "\"AlertPage\":{\"type\":\"object\",\"required\":[\"alerts\",\"next_after\"],\"properties\":{"
    "\"alerts\":{\"type\":\"array\",\"items\":" REF("Alert") "},"
    "\"next_after\":{\"type\":\"integer\",\"format\":\"int64\",\"nullable\":true,"
    "\"description\":\"pass as after for the next page; null on the last\"}}},"
    "\"Adjudication\":{\"type\":\"object\",\"required\":[\"outcome\"],\"properties\":{"
    "\"outcome\":{\"type\":\"string\",\"enum\":[\"confirmed\",\"rejected\",\"no_action\"]},"
    "\"note\":{\"type\":\"string\"}}},"
    "\"Login\":{\"type\":\"object\",\"required\":[\"name\",\"password\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"password\":{\"type\":\"string\",\"format\":\"password\"}}},"
    "\"Session\":{\"type\":\"object\",\"required\":[\"name\",\"role\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"admin\",\"operator\",\"auditor\"]},"
    "\"csrf_token\":{\"type\":\"string\",\"description\":\"send as X-CSRF-Token with a session cookie\"},"
    "\"expires_at\":{\"type\":\"integer\",\"format\":\"int64\"}}},"
    "\"NewWatchlist\":{\"type\":\"object\",\"required\":[\"name\",\"reason\",\"authorised_by\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"},\"authorised_by\":{\"type\":\"string\"},"
    "\"expires_at\":{\"type\":\"integer\",\"format\":\"int64\"},\"max_size\":{\"type\":\"integer\"}}},"
    "\"NewSubject\":{\"type\":\"object\",\"required\":[\"name\",\"reason\",\"category\",\"source\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"reason\":{\"type\":\"string\"},\"category\":{\"type\":\"string\"},"
    "\"source\":{\"type\":\"string\"},\"photo\":{\"type\":\"string\",\"format\":\"byte\"},"
    "\"photos\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"format\":\"byte\"}},"
    "\"expires_at\":{\"type\":\"integer\",\"format\":\"int64\"},\"under_18\":{\"type\":\"boolean\"},"
    "\"justification\":{\"type\":\"string\"},\"dob\":{\"type\":\"string\",\"format\":\"date\"},"
    "\"face\":{\"type\":\"integer\"},\"allow_duplicate\":{\"type\":\"boolean\"},"
    "\"accept_low_quality\":{\"type\":\"boolean\"},\"supervisor\":{\"type\":\"string\"},"
    "\"authorised_by\":{\"type\":\"string\"}}},"
    "\"NewUser\":{\"type\":\"object\",\"required\":[\"name\",\"role\",\"password\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"admin\",\"operator\",\"auditor\"]},"
    "\"password\":{\"type\":\"string\",\"format\":\"password\"}}},"
    "\"NewToken\":{\"type\":\"object\",\"required\":[\"name\",\"role\"],\"properties\":{"
    "\"name\":{\"type\":\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"admin\",\"operator\",\"auditor\"]}}}"
    "}";

/* What the route table does not say, by method and path. */
typedef struct op_doc {
    const char *method, *path;
    const char *id;         /* operationId */
    int status;             /* the success status */
    const char *query;      /* "name:type:description;..." (type integer or string) */
    const char *request;    /* schema of the JSON body, or NULL */
    const char *response;   /* schema of the JSON answer, or NULL with content */
    const char *content;    /* the answer's content object when not JSON */
} op_doc;

static const op_doc docs[] = {
    {"GET", "/healthz", "getHealth", 200, NULL, NULL, OBJ_OF("status", "{\"type\":\"string\"}"), NULL},
    {"GET", "/api/v1/openapi.json", "getOpenApi", 200, NULL, NULL, ANY_OBJ, NULL},
    {"POST", "/api/v1/login", "login", 200, NULL, REF("Login"), REF("Session"), NULL},
    {"POST", "/api/v1/logout", "logout", 200, NULL, NULL, OBJ_OF("logged_out", "{\"type\":\"boolean\"}"), NULL},
    {"GET", "/api/v1/me", "getMe", 200, NULL, NULL, REF("Session"), NULL},
    {"GET", "/api/v1/alerts", "listAlerts", 200,
     "deployment:string:the deployment's name;state:string:pending, confirmed, rejected or no_action;"
     "limit:integer:alerts in a page, 1 to 1000 (default 100);after:integer:only alerts with a larger id",
     NULL, REF("AlertPage"), NULL},
    {"GET", "/api/v1/alerts/stream", "streamAlerts", 200, "after:integer:resume after this alert id", NULL, NULL,
     "{\"text/event-stream\":{\"schema\":{\"type\":\"string\"}}}"},
    {"GET", "/api/v1/alerts/{id}", "getAlert", 200, NULL, NULL, REF("Alert"), NULL},
    {"POST", "/api/v1/alerts/{id}/adjudicate", "adjudicateAlert", 200, NULL, REF("Adjudication"), REF("Alert"),
     NULL},
    {"GET", "/api/v1/alerts/{id}/crop", "getAlertCrop", 200, NULL, NULL, NULL, BINARY("image/jpeg")},
    {"GET", "/api/v1/alerts/{id}/scene", "getAlertScene", 200, NULL, NULL, NULL, BINARY("image/jpeg")},
    {"GET", "/api/v1/watchlists", "listWatchlists", 200, NULL, NULL, LIST_OF("watchlists", ANY_OBJ), NULL},
    {"POST", "/api/v1/watchlists", "createWatchlist", 201, NULL, REF("NewWatchlist"), OBJ_OF("watchlist", ANY_OBJ),
     NULL},
    {"GET", "/api/v1/watchlists/{id}/subjects", "listSubjects", 200, NULL, NULL,
     "{\"type\":\"object\",\"required\":[\"watchlist\",\"subjects\"],\"properties\":{\"watchlist\":" ANY_OBJ
     ",\"subjects\":{\"type\":\"array\",\"items\":" ANY_OBJ "}}}",
     NULL},
    {"POST", "/api/v1/watchlists/{id}/subjects", "createSubject", 201, NULL, REF("NewSubject"), ANY_OBJ, NULL},
    {"POST", "/api/v1/watchlists/{id}/reembed", "reembedWatchlist", 200, NULL, NULL, ANY_OBJ, NULL},
    {"DELETE", "/api/v1/subjects/{id}", "removeSubject", 200, NULL, NULL,
     OBJ_OF("removed", "{\"type\":\"integer\",\"format\":\"int64\"}"), NULL},
    {"GET", "/api/v1/subjects/{id}/photo", "getSubjectPhoto", 200, NULL, NULL, NULL, BINARY("image/jpeg")},
    {"GET", "/api/v1/subjects/{id}/face", "getSubjectFace", 200, NULL, NULL, NULL, BINARY("image/jpeg")},
    {"GET", "/api/v1/deployments", "listDeployments", 200, NULL, NULL, LIST_OF("deployments", ANY_OBJ), NULL},
    {"GET", "/api/v1/deployments/{id}/report", "getReport", 200,
     "bucket:integer:seconds in a timeline bucket (default 3600)", NULL, ANY_OBJ, NULL},
    {"GET", "/api/v1/deployments/{id}/paperwork", "getPaperwork", 200,
     "kind:string:dpia, eia, watchlist-criteria, authorisation or review (required);format:string:html, md or "
     "json (default html);version:integer:a stored version to make again (default: from the store now)",
     NULL, NULL,
     "{\"text/html\":{\"schema\":{\"type\":\"string\"}},\"text/markdown\":{\"schema\":{\"type\":\"string\"}},"
     "\"application/json\":{\"schema\":" ANY_OBJ "}}"},
    {"GET", "/api/v1/users", "listUsers", 200, NULL, NULL, LIST_OF("users", ANY_OBJ), NULL},
    {"POST", "/api/v1/users", "createUser", 201, NULL, REF("NewUser"), OBJ_OF("user", ANY_OBJ), NULL},
    {"GET", "/api/v1/tokens", "listTokens", 200, NULL, NULL, LIST_OF("tokens", ANY_OBJ), NULL},
    {"POST", "/api/v1/tokens", "createToken", 201, NULL, REF("NewToken"), ANY_OBJ, NULL},
    {"DELETE", "/api/v1/tokens/{id}", "revokeToken", 200, NULL, NULL,
     OBJ_OF("revoked", "{\"type\":\"integer\",\"format\":\"int64\"}"), NULL},
    {"POST", "/api/v1/tokens/{id}/renew", "renewToken", 200, NULL, NULL, ANY_OBJ, NULL},
    {"POST", "/api/v1/users/{id}/logout", "logoutUser", 200, NULL, NULL,
     OBJ_OF("sessions_ended", "{\"type\":\"integer\"}"), NULL},
    {"GET", "/api/v1/cameras/{id}/live.mjpeg", "getLiveView", 200, NULL, NULL, NULL,
     "{\"multipart/x-mixed-replace\":{\"schema\":{\"type\":\"string\",\"format\":\"binary\"}}}"},
    {"GET", "/api/v1/cameras/marks", "streamLiveMarks", 200, NULL, NULL, NULL,
     "{\"text/event-stream\":{\"schema\":{\"type\":\"string\"}}}"},
    {"GET", "/api/v1/audit", "listAudit", 200,
     "since:string:entries from this time (YYYY-MM-DD or Unix seconds);limit:integer:entries at most", NULL,
     LIST_OF("entries", ANY_OBJ), NULL},
    {"GET", "/api/v1/audit/verify", "verifyAudit", 200, NULL, NULL,
     "{\"type\":\"object\",\"required\":[\"intact\",\"entries\"],\"properties\":{\"intact\":{\"type\":"
     "\"boolean\"},\"entries\":{\"type\":\"integer\",\"format\":\"int64\"},\"bad_seq\":{\"type\":"
     "\"integer\",\"format\":\"int64\"},\"reason\":{\"type\":\"string\"}}}",
     NULL},
    {"GET", "/api/v1/cameras", "listCameras", 200, NULL, NULL, LIST_OF("cameras", ANY_OBJ), NULL},
    {"GET", "/metrics", "getMetrics", 200, NULL, NULL, NULL,
     "{\"text/plain\":{\"schema\":{\"type\":\"string\"}}}"},
};

const void *vg_api_openapi_doc(const char *method, const char *path)
{
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        if (!strcmp(docs[i].method, method) && !strcmp(docs[i].path, path))
            return &docs[i];
    return NULL;
}

static json_t *query_params(const char *q)
{
    json_t *arr = json_array();
    while (q && *q) {
        const char *end = strchr(q, ';');
        size_t len = end ? (size_t)(end - q) : strlen(q);
        const char *c1 = memchr(q, ':', len);
        const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - q)) : NULL;
        if (c1 && c2) {
            /* "(required)" in the description: required, its first word
             * (up to a comma or space) the example */
            const char *desc = c2 + 1;
            int dlen = (int)(q + len - c2 - 1);
            char d[512];
            snprintf(d, sizeof d, "%.*s", dlen, desc);
            int required = strstr(d, "(required)") != NULL;
            json_t *p = json_pack("{s:s#, s:s, s:b, s:s#, s:{s:s#}}", "name", q, (int)(c1 - q), "in", "query",
                                  "required", required, "description", desc, dlen, "schema", "type", c1 + 1,
                                  (int)(c2 - c1 - 1));
            if (p && required)
                json_object_set_new(p, "example", json_stringn(d, strcspn(d, ", ")));
            json_array_append_new(arr, p);
        }
        q += len + (end ? 1 : 0);
    }
    return arr;
}

static json_t *error_response(const char *why)
{
    return json_pack("{s:s, s:{s:{s:o}}}", "description", why, "content", "application/json", "schema",
                     json_loads(REF("Error"), 0, NULL));
}

static json_t *operation(const vg_route *rt, const op_doc *d)
{
    json_t *roles = json_array();
    for (unsigned bit = 1; bit <= VG_ROLE_ANY; bit <<= 1)
        if (rt->roles & bit)
            json_array_append_new(roles, json_string(vg_route_role_name((vg_role)bit)));
    int pub = (rt->roles & VG_ROLE_PUBLIC) != 0;
    json_t *ok = json_pack("{s:s}", "description", "success");
    const char *stream = vg_route_stream_type(rt);
    if (d && d->content)
        json_object_set_new(ok, "content", json_loads(d->content, 0, NULL));
    else if (d && d->response)
        json_object_set_new(ok, "content", json_pack("{s:{s:o}}", "application/json", "schema",
                                                     json_loads(d->response, 0, NULL)));
    char status[8];
    snprintf(status, sizeof status, "%d", d ? d->status : 200);
    json_t *responses = json_object();
    json_object_set_new(responses, status, ok);
    if (!pub || strstr(rt->path, "{id}") || rt->example || (d && (d->query || d->request)))
        json_object_set_new(responses, "400", error_response("bad request: the field at fault is named"));
    if (!pub)
        json_object_set_new(responses, "401", error_response("no valid session or API token"));
    json_object_set_new(responses, "default", error_response("an error"));
    json_t *op = json_pack("{s:s, s:o, s:o}", "summary", rt->summary, "x-vigil-roles", roles, "responses",
                           responses);
    if (d)
        json_object_set_new(op, "operationId", json_string(d->id));
    if (stream)
        json_object_set_new(op, "x-vigil-stream", json_true());
    json_object_set_new(op, "security",
                        pub ? json_array() : json_pack("[{s:[]}, {s:[]}]", "session", "token"));
    if (rt->example || (d && d->request)) {
        json_t *media = json_object();
        if (d && d->request)
            json_object_set_new(media, "schema", json_loads(d->request, 0, NULL));
        if (rt->example) {
            json_t *ex = json_loads(rt->example, 0, NULL);
            json_object_set_new(media, "example", ex ? ex : json_object());
        }
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:o}}", "required", 1, "content", "application/json", media));
    }
    json_t *params = query_params(d ? d->query : NULL);
    if (strstr(rt->path, "{id}"))
        json_array_insert_new(params, 0,
                              json_pack("{s:s, s:s, s:b, s:{s:s, s:s}}", "name", "id", "in", "path", "required", 1,
                                        "schema", "type", "integer", "format", "int64"));
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    return op;
}

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
        json_object_set_new(item, method, operation(rt, vg_api_openapi_doc(rt->method, rt->path)));
    }
    /* the server as the client reached it: its scheme and Host header */
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    char url[300];
    snprintf(url, sizeof url, "%s://%s", r->srv->tls_cert ? "https" : "http",
             host && *host && !strpbrk(host, " \"\\/") ? host : "127.0.0.1:8080");
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}], s:o, s:{s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}}",
        "openapi", "3.0.3", "info", "title", "vigil HTTP API", "version", "1", "description",
        "Live facial recognition against a police watch list: alerts, their adjudication, watch lists, "
        "deployments and their transparency reports. Errors are {\"error\": ..., \"field\": ...}.",
        "servers", "url", url,
        "description", "this server", "paths", paths, "components", "schemas", json_loads(components, 0, NULL),
        "securitySchemes", "session", "type", "apiKey", "in", "cookie", "name", "vigil_session", "token", "type",
        "http", "scheme", "bearer");
    return vg_http_json(r, MHD_HTTP_OK, doc);
}
