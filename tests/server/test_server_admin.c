/* test_server_admin.c — users, API tokens and the deployment report over
 * real HTTP: users listed without hashes and added (then able to log in),
 * refused when duplicate or malformed; tokens made once, used as
 * "Authorization: Bearer" without CSRF, refused when wrong or revoked,
 * never stored or audited in clear, with their role enforced; the report's
 * figures equal the store's, and its timeline adds up to its alerts. */
#include "server/server_fixtures.h"
#include "vigil/watchlist.h"

static void users(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adam = login(&x, "adam"), olivia = login(&x, "olivia");
    resp r = http_get(&x, "/api/v1/users", &adam);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "argon2"));
    json_t *j = resp_json(&r);
    assert_int_equal(json_array_size(json_object_get(j, "users")), 3);
    json_decref(j);
    resp_free(&r);
    r = http_get(&x, "/api/v1/users", &olivia);
    assert_int_equal(r.status, 403);
    resp_free(&r);

    r = http_post(&x, "/api/v1/users", &adam, "{\"name\":\"<b>bea</b>\",\"role\":\"auditor\",\"password\":\"" PASSWORD "\"}");
    assert_int_equal(r.status, 201);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "user"), "name")), "<b>bea</b>");
    assert_null(json_object_get(json_object_get(j, "user"), "password"));
    json_decref(j);
    resp_free(&r);
    session bea = login(&x, "<b>bea</b>");
    r = http_get(&x, "/api/v1/me", &bea);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"role\":\"auditor\""));
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'user.add' AND actor = 'adam'"), 1);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE details LIKE '%horse%'"), 0);

    long long audit = raw_int(x.f.db, "SELECT count(*) FROM audit");
    static const struct {
        const char *body;
        long status;
        const char *field;
    } bad[] = {
        {"{\"name\":\"adam\",\"role\":\"admin\",\"password\":\"" PASSWORD "\"}", 409, "name"},
        {"{\"name\":\"eve\",\"role\":\"root\",\"password\":\"" PASSWORD "\"}", 400, "role"},
        {"{\"name\":\"eve\",\"role\":\"admin\",\"password\":\"short\"}", 400, "password"},
        /* issue 14 point 7: libpwquality's verdicts */
        {"{\"name\":\"eve\",\"role\":\"admin\",\"password\":\"        \"}", 400, "password"},
        {"{\"name\":\"marguerite\",\"role\":\"admin\",\"password\":\"marguerite\"}", 400, "password"},
        {"{\"name\":\"marguerite\",\"role\":\"admin\",\"password\":\"Marguerite1\"}", 400, "password"},
        {"{\"name\":\"eve\",\"role\":\"admin\",\"password\":\"password1\"}", 400, "password"},
        {"{\"name\":\"eve\",\"role\":\"admin\"}", 400, "password"},
        {"{\"name\":[],\"role\":\"admin\",\"password\":\"" PASSWORD "\"}", 400, "name"},
        {"{\"name\":\"e\\nve\",\"role\":\"admin\",\"password\":\"" PASSWORD "\"}", 400, "name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = http_post(&x, "/api/v1/users", &adam, bad[i].body);
        if (r.status != bad[i].status)
            fail_msg("%s: %ld %s", bad[i].body, r.status, r.body);
        j = resp_json(&r);
        assert_string_equal(json_string_value(json_object_get(j, "field")), bad[i].field);
        json_decref(j);
        resp_free(&r);
    }
    r = http_post(&x, "/api/v1/users", &olivia, "{\"name\":\"eve\",\"role\":\"admin\",\"password\":\"" PASSWORD "\"}");
    assert_int_equal(r.status, 403);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit"), audit);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM user"), 4);
    srv_stop(&x);
}

/* A request with a bearer token (and no cookie, no CSRF header). */
static resp with_token(srv_fx *x, const char *method, const char *path, const char *token, const char *body)
{
    resp r = {0};
    r.body = calloc(1, 1);
    r.headers = calloc(1, 1);
    CURL *c = curl_easy_init();
    char url[512], auth[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", x->port, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(h, "Content-Type: application/json"); /* required on bodies since issue 14 */
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static char *make_token(srv_fx *x, const session *admin, const char *body, int64_t *id)
{
    resp r = http_post(x, "/api/v1/tokens", admin, body);
    if (r.status != 201)
        fail_msg("token: %ld %s", r.status, r.body);
    json_t *j = resp_json(&r);
    char *tok = strdup(json_string_value(json_object_get(j, "token")));
    *id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    resp_free(&r);
    assert_int_equal(strlen(tok), VG_STORE_TOKEN_LEN);
    return tok;
}

static void tokens(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adam = login(&x, "adam");
    int64_t tid, oid;
    char *admin_tok = make_token(&x, &adam, "{\"name\":\"ci-bot\",\"role\":\"admin\"}", &tid);
    char *aud_tok = make_token(&x, &adam, "{\"name\":\"stats\",\"role\":\"auditor\"}", &oid);

    /* never stored nor audited in clear */
    char q[300];
    snprintf(q, sizeof q, "SELECT count(*) FROM api_token WHERE hash = '%s' OR name = '%s'", admin_tok, admin_tok);
    assert_int_equal(raw_int(x.f.db, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE details LIKE '%%%s%%'", admin_tok + 4);
    assert_int_equal(raw_int(x.f.db, q), 0);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'token.create' AND actor = 'adam'"), 2);
    resp r = http_get(&x, "/api/v1/tokens", &adam);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, admin_tok + 4));
    assert_null(strstr(r.body, "\"token\""));
    resp_free(&r);

    /* valid: who it is; a change without any CSRF header, audited as the token */
    r = with_token(&x, "GET", "/api/v1/me", admin_tok, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"name\":\"token:ci-bot\""));
    resp_free(&r);
    r = with_token(&x, "POST", "/api/v1/watchlists", admin_tok,
                   "{\"name\":\"from a bot\",\"reason\":\"r\",\"authorised_by\":\"Supt. Test\"}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    assert_int_equal(
        raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'watchlist.create' AND actor = 'token:ci-bot'"), 1);
    /* the token's role applies */
    r = with_token(&x, "GET", "/api/v1/audit", aud_tok, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = with_token(&x, "POST", "/api/v1/watchlists", aud_tok, "{\"name\":\"no\",\"reason\":\"r\",\"authorised_by\":\"a\"}");
    assert_int_equal(r.status, 403);
    resp_free(&r);

    /* wrong: a changed character, garbage, an empty one */
    char wrong[VG_STORE_TOKEN_LEN + 1];
    memcpy(wrong, admin_tok, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    const char *bad[3] = {wrong, "vgt_nope", ""};
    for (int i = 0; i < 3; i++) {
        r = with_token(&x, "GET", "/api/v1/me", bad[i], NULL);
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    /* a cookie session still needs its CSRF header */
    const char *tb = "{\"name\":\"x\",\"role\":\"admin\"}";
    r = http_req(&x, "POST", "/api/v1/tokens", &adam, NULL, tb, strlen(tb));
    assert_int_equal(r.status, 403);
    resp_free(&r);
    /* a duplicate name among valid tokens */
    r = http_post(&x, "/api/v1/tokens", &adam, "{\"name\":\"ci-bot\",\"role\":\"admin\"}");
    assert_int_equal(r.status, 409);
    resp_free(&r);
    r = http_post(&x, "/api/v1/tokens", &adam, "{\"name\":\"x\",\"role\":\"boss\"}");
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"role\""));
    resp_free(&r);

    /* revoked: refused from then on; a second revocation is a conflict */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)tid);
    r = http_req(&x, "DELETE", path, &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = with_token(&x, "GET", "/api/v1/me", admin_tok, NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    r = http_req(&x, "DELETE", path, &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    r = http_req(&x, "DELETE", "/api/v1/tokens/999", &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'token.revoke' AND actor = 'adam'"), 1);
    /* the name is free again once revoked */
    int64_t again;
    char *t3 = make_token(&x, &adam, "{\"name\":\"ci-bot\",\"role\":\"operator\"}", &again);
    assert_true(again > oid);
    r = with_token(&x, "GET", "/api/v1/alerts", t3, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    int64_t bad_seq, n;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_verify(x.f.s, &bad_seq, &n, &err), VG_OK);
    free(t3);
    free(admin_tok);
    free(aud_tok);
    srv_stop(&x);
}

static void report(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t first = srv_alerts(&x, 4);
    session olivia = login(&x, "olivia"), aud = login(&x, "aud");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)first);
    resp r = http_post(&x, path, &olivia, "{\"outcome\":\"rejected\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    vg_deployment *d = NULL;
    int nd = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_deployment_list(x.f.s, &d, &nd, &err), VG_OK);
    assert_int_equal(nd, 1);
    vg_report want;
    assert_int_equal(vg_store_report(x.f.s, d[0].name, &want, &err), VG_OK);
    snprintf(path, sizeof path, "/api/v1/deployments/%lld/report?bucket=60", (long long)d[0].id);
    double thr = d[0].threshold > 0 ? d[0].threshold : VG_WATCHLIST_THRESHOLD_DEFAULT;
    free(d);
    /* the console shows a score beside the threshold actually in use (the
     * default when the deployment stores none; no engine under this server) */
    r = http_get(&x, "/api/v1/deployments", &aud);
    assert_int_equal(r.status, 200);
    json_t *dl = resp_json(&r);
    resp_free(&r);
    json_t *d0 = json_array_get(json_object_get(dl, "deployments"), 0);
    assert_non_null(json_object_get(d0, "threshold_in_use"));
    assert_float_equal(json_real_value(json_object_get(d0, "threshold_in_use")), thr, 1e-6);
    json_decref(dl);
    r = http_get(&x, path, &aud);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    resp_free(&r);
    assert_string_equal(json_string_value(json_object_get(j, "deployment")), want.deployment);
    assert_int_equal(json_integer_value(json_object_get(j, "alerts")), want.alerts);
    assert_int_equal(json_integer_value(json_object_get(j, "alerts")), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "rejected")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "pending")), 3);
    static const char *const keys[] = {"watchlist", "location", "starts_at", "ends_at", "hours_on_air", "threshold",
                                       "model", "watchlist_size", "faces", "alerts_per_1000_faces",
                                       "false_alerts_per_alert"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_get(j, keys[i]))
            fail_msg("report without %s", keys[i]);
    json_t *tl = json_object_get(j, "timeline");
    assert_true(json_array_size(tl) >= 1);
    long long sum = 0, rej = 0, pend = 0, prev = -1;
    for (size_t i = 0; i < json_array_size(tl); i++) {
        json_t *b = json_array_get(tl, i);
        long long t = json_integer_value(json_object_get(b, "t"));
        assert_true(t % 60 == 0 && t > prev);
        prev = t;
        sum += json_integer_value(json_object_get(b, "alerts"));
        rej += json_integer_value(json_object_get(b, "rejected"));
        pend += json_integer_value(json_object_get(b, "pending"));
    }
    assert_int_equal(sum, 4);
    assert_int_equal(rej, 1);
    assert_int_equal(pend, 3);
    json_decref(j);
    snprintf(path, sizeof path, "/api/v1/deployments/%lld/report?bucket=5", (long long)1);
    r = http_get(&x, path, &aud);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"field\":\"bucket\""));
    resp_free(&r);
    r = http_get(&x, "/api/v1/deployments/999/report", &aud);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    r = http_get(&x, "/api/v1/deployments/1/report", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    srv_stop(&x);
}

/* The auditor's "verify the chain": intact, then an edited entry named. */
static void audit_verify(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    srv_alerts(&x, 2);
    session olivia = login(&x, "olivia"), aud = login(&x, "aud");
    resp r = http_get(&x, "/api/v1/audit/verify", &olivia);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_get(&x, "/api/v1/audit/verify", &aud);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    resp_free(&r);
    assert_true(json_is_true(json_object_get(j, "intact")));
    assert_true(json_integer_value(json_object_get(j, "entries")) >= 3);
    assert_null(json_object_get(j, "bad_seq"));
    json_decref(j);
    raw_exec(x.f.db, "UPDATE audit SET actor = 'someone else' WHERE seq = 2");
    r = http_get(&x, "/api/v1/audit/verify", &aud);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    resp_free(&r);
    assert_true(json_is_false(json_object_get(j, "intact")));
    assert_int_equal(json_integer_value(json_object_get(j, "bad_seq")), 2);
    assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), "edited"));
    json_decref(j);
    srv_stop(&x);
}

/* issue 15: the window that groups alerts into incidents is the server's
 * ([console] incident_window), given to the console with the login and
 * /me; 600 s without it; a value out of range refused by the settings
 * (naming the file, line and key) and by vg_server_start. */
static void incident_window(void **state)
{
    (void)state;
    vg_server_settings set;
    memset(&set, 0, sizeof set);
    vg_err err = {{0}};
    const char *bad = "[http]\nlisten = 127.0.0.1:0\n[console]\nincident_window = 59\n";
    assert_int_equal(vg_server_settings_load_text("vigil.ini", bad, strlen(bad), &set, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "vigil.ini:4"));
    assert_non_null(strstr(err.msg, "incident_window: '59' is not a number of seconds from 60 to 86400"));
    assert_string_equal(set.listen, ""); /* nothing changed */
    const char *good = "[console]\nincident_window = 900\n";
    assert_int_equal(vg_server_settings_load_text("vigil.ini", good, strlen(good), &set, &err), VG_OK);
    assert_int_equal(set.incident_window, 900);
    vg_server_config cfg = {0};
    vg_server_settings_apply(&set, &cfg);
    assert_int_equal(cfg.incident_window, 900);

    srv_fx x;
    srv_start_cfg(&x, cfg);
    resp r = login_raw(&x, "olivia", PASSWORD);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"incident_window\":900"));
    resp_free(&r);
    session olivia = login(&x, "olivia");
    r = http_get(&x, "/api/v1/me", &olivia);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"incident_window\":900"));
    resp_free(&r);
    srv_stop(&x);

    vg_server_config none = {0};
    srv_start_cfg(&x, none);
    olivia = login(&x, "olivia");
    r = http_get(&x, "/api/v1/me", &olivia);
    assert_non_null(strstr(r.body, "\"incident_window\":600"));
    resp_free(&r);
    vg_server *srv = NULL;
    vg_server_config odd = {.listen = "127.0.0.1:0", .incident_window = 30};
    assert_int_equal(vg_server_start(&odd, x.f.s, &srv, &err), VG_ERR_INVALID);
    assert_null(srv);
    assert_non_null(strstr(err.msg, "the incident window is 30 s"));
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(users),
        cmocka_unit_test(tokens),
        cmocka_unit_test(report),
        cmocka_unit_test(audit_verify),
        cmocka_unit_test(incident_window),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
