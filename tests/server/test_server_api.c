/* test_server_api.c — the endpoints over real HTTP: every route of the
 * served OpenAPI document tried without a session and with each role
 * (walking the document itself), adjudication recorded under the officer's
 * name and in the audit, alert paging and filters, the crop. */
#include "server/server_fixtures.h"

static int role_in(json_t *roles, const char *role)
{
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v) if (!strcmp(json_string_value(v), role) ||
                                        !strcmp(json_string_value(v), "any")) return 1;
    return 0;
}

static void openapi_walk(void **state)
{
    (void)state;
    srv_fx x;
    /* with the model pack, so that the upload route answers (422: the
     * example photo has no face) instead of 503 */
    vg_face_pack *pack = NULL;
    vg_err perr = {{0}};
    vg_face_config fc = {.min_face = 20};
    if (vg_face_pack_open(&fc, &pack, &perr) != VG_OK)
        fail_msg("cannot open the model pack: %s", perr.msg);
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    srv_alerts(&x, 2);
    static const char *const roles[3] = {"operator", "admin", "auditor"};
    static const char *const users[3] = {"olivia", "adam", "aud"};
    session s[3];
    for (int i = 0; i < 3; i++)
        s[i] = login(&x, users[i]);

    resp r = http_get(&x, "/api/v1/openapi.json", NULL);
    assert_int_equal(r.status, 200);
    json_t *doc = resp_json(&r);
    resp_free(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
    json_t *paths = json_object_get(doc, "paths");
    assert_true(json_object_size(paths) >= 10);
    const char *path;
    json_t *item;
    int ops = 0;
    json_object_foreach(paths, path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            char url[256], m[8];
            const char *brace = strstr(path, "{id}");
            if (brace)
                snprintf(url, sizeof url, "%.*s1%s", (int)(brace - path), path, brace + 4);
            else
                snprintf(url, sizeof url, "%s", path);
            /* a required query parameter gets the document's example */
            json_t *params = json_object_get(op, "parameters");
            size_t pi;
            json_t *prm;
            json_array_foreach(params, pi, prm)
            {
                json_t *exq = json_object_get(prm, "example");
                if (!strcmp(json_string_value(json_object_get(prm, "in")), "query") &&
                    json_is_true(json_object_get(prm, "required")) && json_is_string(exq)) {
                    size_t used = strlen(url);
                    snprintf(url + used, sizeof url - used, "%c%s=%s", strchr(url, '?') ? '&' : '?',
                             json_string_value(json_object_get(prm, "name")), json_string_value(exq));
                }
            }
            size_t k = 0;
            for (; method[k] && k < 7; k++)
                m[k] = (char)(method[k] - 'a' + 'A');
            m[k] = '\0';
            json_t *allowed = json_object_get(op, "x-vigil-roles");
            int pub = !strcmp(json_string_value(json_array_get(allowed, 0)), "public");
            /* the document's example body, for the routes that take one */
            json_t *ex = json_object_get(
                json_object_get(json_object_get(json_object_get(op, "requestBody"), "content"), "application/json"),
                "example");
            char *body = ex ? json_dumps(ex, JSON_COMPACT) : NULL;
            ops++;
            /* a stream is only opened: its status and first bytes */
            int stream = json_is_true(json_object_get(op, "x-vigil-stream"));

            r = stream ? http_peek(&x, url, NULL) : http_req(&x, m, url, NULL, NULL, body, body ? strlen(body) : 0);
            if (pub && (r.status == 401 || r.status == 403))
                fail_msg("%s %s (public) without a session: %ld", m, url, r.status);
            if (!pub && r.status != 401)
                fail_msg("%s %s without a session: %ld", m, url, r.status);
            resp_free(&r);
            if (pub || !strcmp(path, "/api/v1/logout") || !strcmp(path, "/api/v1/users/{id}/logout")) {
                free(body);
                continue; /* logging out (or out of every session) would end the walk's sessions */
            }
            for (int i = 0; i < 3; i++) {
                r = stream ? http_peek(&x, url, &s[i])
                           : http_req(&x, m, url, &s[i], s[i].csrf, body, body ? strlen(body) : 0);
                int ok = role_in(allowed, roles[i]);
                /* 422: judged on its content (the example photo has no face); 503: what
                 * needs an engine (the live view) in a server without one */
                if (ok && !((r.status >= 200 && r.status < 300) || r.status == 404 || r.status == 409 ||
                            r.status == 422 || r.status == 503))
                    fail_msg("%s %s as %s: %ld %s", m, url, roles[i], r.status, r.body);
                if (!ok && r.status != 403)
                    fail_msg("%s %s as %s: %ld, wanted 403", m, url, roles[i], r.status);
                resp_free(&r);
            }
            free(body);
        }
    }
    assert_true(ops >= 22);
    json_decref(doc);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

static void adjudicate_records_officer(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t id = srv_alerts(&x, 1);
    session s = login(&x, "olivia");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    resp r = http_post(&x, path, &s, "{\"outcome\":\"confirmed\",\"note\":\"same person, checked ID\"}");
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "confirmed");
    json_decref(j);
    resp_free(&r);
    r = http_post(&x, path, &s, "{\"outcome\":\"rejected\"}");
    assert_int_equal(r.status, 409); /* a decision is final */
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id + 100);
    r = http_post(&x, path, &s, "{\"outcome\":\"rejected\"}");
    assert_int_equal(r.status, 404);
    resp_free(&r);

    session a = login(&x, "aud");
    r = http_get(&x, "/api/v1/audit", &a);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    json_t *entries = json_object_get(j, "entries"), *e;
    size_t i;
    int seen = 0;
    json_array_foreach(entries, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "action")), "alert.adjudicate"))
            continue;
        seen++;
        assert_string_equal(json_string_value(json_object_get(e, "actor")), "olivia");
        json_t *d = json_object_get(e, "details");
        assert_string_equal(json_string_value(json_object_get(d, "officer")), "olivia");
        assert_string_equal(json_string_value(json_object_get(d, "outcome")), "confirmed");
    }
    assert_int_equal(seen, 1);
    json_decref(j);
    resp_free(&r);

    snprintf(path, sizeof path, "/api/v1/alerts/%lld", (long long)id);
    r = http_get(&x, path, &a);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"confirmed\""));
    resp_free(&r);
    srv_stop(&x);
}

static void alert_paging_and_crop(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t first = srv_alerts(&x, 7);
    session s = login(&x, "olivia");
    char path[160];
    long long after = 0;
    int total = 0, pages = 0;
    for (;;) {
        snprintf(path, sizeof path, "/api/v1/alerts?deployment=high-street&limit=3&after=%lld", after);
        resp r = http_get(&x, path, &s);
        assert_int_equal(r.status, 200);
        json_t *j = resp_json(&r);
        json_t *arr = json_object_get(j, "alerts");
        for (size_t i = 0; i < json_array_size(arr); i++) {
            long long id = json_integer_value(json_object_get(json_array_get(arr, i), "id"));
            assert_int_equal(id, first + total); /* oldest first, no gap, no repeat */
            total++;
        }
        pages++;
        json_t *next = json_object_get(j, "next_after");
        int more = json_is_integer(next);
        if (more)
            after = json_integer_value(next);
        json_decref(j);
        resp_free(&r);
        if (!more)
            break;
    }
    assert_int_equal(total, 7);
    assert_int_equal(pages, 3);

    resp r = http_get(&x, "/api/v1/alerts?deployment=nowhere", &s);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    r = http_get(&x, "/api/v1/alerts?limit=0", &s);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"limit\""));
    resp_free(&r);
    r = http_get(&x, "/api/v1/alerts?state=confirmed", &s);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"alerts\":[]"));
    resp_free(&r);

    long long audit_before = raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read'");
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/crop", (long long)first);
    r = http_get(&x, path, &s);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 500);
    assert_int_equal((unsigned char)r.body[0], 0xff);
    assert_non_null(strstr(r.headers, "image/jpeg"));
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read' "
                                     "AND actor = 'olivia'"),
                     audit_before + 1);
    r = http_get(&x, "/no/such/../path", &s);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    srv_stop(&x);
}

/* issue 15: an alert's scene snapshot, where its deployment keeps one:
 * GET /api/v1/alerts/{id}/scene for an operator (audited like the crop),
 * not for an auditor; 404 for an alert without one or an unknown alert;
 * the alert and the deployment say whether scenes are kept. */
static void alert_scene(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t plain = srv_alerts(&x, 1); /* deployment high-street: policy off */
    vg_store *w = srv_writer(&x);
    vg_watchlist wl;
    vg_err err = {{0}};
    assert_int_equal(vg_store_watchlist_get(w, "wanted", &wl, &err), VG_OK);
    vg_deployment *d = fx_deployment_new("station", wl.id, 1);
    d->scene_snapshot = 1;
    int64_t dep = 0;
    assert_int_equal(vg_store_deployment_create(w, ACTOR, d, &dep, &err), VG_OK);
    free(d);
    vg_alert_detail first;
    assert_int_equal(vg_store_alert_detail_get(w, plain, &first, &err), VG_OK);
    vg_alert a = fx_alert(dep, first.alert.subject_id, "scene-1");
    uint8_t *crop = fx_jpeg(1, 500), *scene = fx_jpeg(2, 9000);
    int64_t with = 0;
    assert_int_equal(vg_store_alert_add_with_scene(w, "engine", &a, crop, 500, scene, 9000, &with, &err), VG_OK);
    vg_store_close(w);
    session op = login(&x, "olivia"), aud = login(&x, "aud");
    char path[160];
    long long reads = raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read'");
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/scene", (long long)with);
    resp r = http_get(&x, path, &op);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 9000);
    assert_memory_equal(r.body, scene, 9000);
    assert_non_null(strstr(r.headers, "image/jpeg"));
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read' AND actor = 'olivia' "
                                     "AND details LIKE '%\"image\":\"scene\"%'"),
                     reads + 1);
    r = http_get(&x, path, &aud); /* the crop's roles: operators only */
    assert_int_equal(r.status, 403);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/scene", (long long)plain);
    r = http_get(&x, path, &op);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "no scene snapshot"));
    resp_free(&r);
    r = http_get(&x, "/api/v1/alerts/999999/scene", &op);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.read'"), reads + 1);
    /* the alert says whether it has one; the deployments say which keep them */
    snprintf(path, sizeof path, "/api/v1/alerts/%lld", (long long)with);
    r = http_get(&x, path, &op);
    assert_non_null(strstr(r.body, "\"scene\":true"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/alerts/%lld", (long long)plain);
    r = http_get(&x, path, &op);
    assert_non_null(strstr(r.body, "\"scene\":false"));
    resp_free(&r);
    r = http_get(&x, "/api/v1/deployments", &op);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    json_t *arr = json_is_array(j) ? j : json_object_get(j, "deployments");
    int on = 0, off = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        const char *name = json_string_value(json_object_get(o, "name"));
        on += !strcmp(name, "station") && json_is_true(json_object_get(o, "scene_snapshot"));
        off += !strcmp(name, "high-street") && json_is_false(json_object_get(o, "scene_snapshot"));
    }
    json_decref(j);
    resp_free(&r);
    assert_int_equal(on, 1);
    assert_int_equal(off, 1);
    free(crop);
    free(scene);
    srv_stop(&x);
}

/* issue 14, point 15: a record that cannot be encoded (text that is not
 * UTF-8, stored before the store refused it) makes the answer an error,
 * never a list with the record silently left out; such text coming in is
 * refused. */
static void records_never_dropped(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adam = login(&x, "adam");
    resp r = http_post(&x, "/api/v1/watchlists", &adam,
                       "{\"name\":\"bad\xff\",\"reason\":\"r\",\"authorised_by\":\"a\"}");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    r = http_post(&x, "/api/v1/watchlists", &adam,
                  "{\"name\":\"bad\\udc00\",\"reason\":\"r\",\"authorised_by\":\"a\"}");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    vg_store *w = srv_writer(&x);
    fx_watchlist(w, "good", 0, 0);
    fx_watchlist(w, "old", 0, 0);
    vg_store_close(w);
    r = http_get(&x, "/api/v1/watchlists", &adam);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    raw_exec(x.f.db, "UPDATE watchlist SET reason = CAST(x'6261642dff' AS TEXT) WHERE name = 'old'");
    r = http_get(&x, "/api/v1/watchlists", &adam);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "not valid UTF-8"));
    resp_free(&r);
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(openapi_walk),
        cmocka_unit_test(adjudicate_records_officer),
        cmocka_unit_test(alert_paging_and_crop),
        cmocka_unit_test(alert_scene),
        cmocka_unit_test(records_never_dropped),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
