/* server_upload.h — what the upload tests share: a server with the model
 * pack, a photo file as base64, a subject body, and a watch list created
 * through the API. */
#ifndef VG_SERVER_UPLOAD_H
#define VG_SERVER_UPLOAD_H

#include "server/server_fixtures.h"

#include <sodium.h>

#include "vigil/watchlist.h"

/* The file's bytes as base64 (malloc'd); NULL when it cannot be read. */
static inline char *b64_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)n) {
        free(buf);
        return NULL;
    }
    size_t cap = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_ORIGINAL);
    char *b = malloc(cap);
    assert_non_null(b);
    sodium_bin2base64(b, cap, buf, (size_t)n, sodium_base64_VARIANT_ORIGINAL);
    free(buf);
    return b;
}

/* A subject body (JSON text, malloc'd) with this name and photo. */
static inline char *subject_body(const char *name, const char *photo_b64)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name, "reason", "warrant 4521", "category", "wanted",
                          "source", "custody photo 2023", "photo", photo_b64);
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return t;
}

/* A watch list made through the API as admin; its id. */
static inline int64_t api_watchlist(srv_fx *x, const session *admin, const char *name)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", name, "reason", "wanted on warrant", "authorised_by",
                          "Supt. Test");
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    resp r = http_post(x, "/api/v1/watchlists", admin, t);
    free(t);
    if (r.status != 201)
        fprintf(stderr, "create watch list: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    json_t *j = resp_json(&r);
    int64_t id = json_integer_value(json_object_get(json_object_get(j, "watchlist"), "id"));
    json_decref(j);
    resp_free(&r);
    assert_true(id > 0);
    return id;
}

static inline vg_face_pack *open_pack(void)
{
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    vg_face_config fc = {.min_face = 20};
    if (vg_face_pack_open(&fc, &pack, &err) != VG_OK)
        fail_msg("cannot open the model pack: %s", err.msg);
    return pack;
}

/* The JSON error's field (or "" without one), compared. */
static inline void assert_error(const resp *r, long status, const char *field)
{
    if (r->status != status)
        fail_msg("wanted %ld, got %ld: %s", status, r->status, r->body);
    json_t *j = resp_json(r);
    assert_true(json_is_string(json_object_get(j, "error")));
    const char *f = json_string_value(json_object_get(j, "field"));
    if (field)
        assert_string_equal(f ? f : "", field);
    json_decref(j);
}

#endif
