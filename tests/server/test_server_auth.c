/* test_server_auth.c — logins, sessions and request hygiene over real HTTP:
 * a right and a wrong login (the same message for an unknown name and a
 * wrong password), the rate limit (429), the cookie's flags, logout, CSRF,
 * oversize and malformed bodies. */
#include "server/server_fixtures.h"

static void login_success_and_failure(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session s = login(&x, "olivia");
    resp r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "olivia");
    assert_string_equal(json_string_value(json_object_get(j, "role")), "operator");
    json_decref(j);
    resp_free(&r);

    resp wrong = login_raw(&x, "olivia", "not the password");
    resp unknown = login_raw(&x, "nobody", PASSWORD);
    assert_int_equal(wrong.status, 401);
    assert_int_equal(unknown.status, 401);
    assert_string_equal(wrong.body, unknown.body);
    assert_non_null(strstr(wrong.body, "wrong name or password"));
    assert_null(strstr(wrong.headers, "vigil_session="));
    resp_free(&wrong);
    resp_free(&unknown);

    /* nothing about the password in the audit chain */
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'user.add'"), 3);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE details LIKE '%horse%' "
                                     "OR details LIKE '%argon%'"),
                     0);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM user WHERE pwhash LIKE '$argon2id$%'"), 3);
    srv_stop(&x);
}

static void rate_limit(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    for (int i = 0; i < 5; i++) {
        resp r = login_raw(&x, "olivia", "wrong password");
        assert_int_equal(r.status, 401);
        resp_free(&r);
    }
    resp r = login_raw(&x, "olivia", PASSWORD); /* even the right one, for a minute */
    assert_int_equal(r.status, 429);
    resp_free(&r);
    srv_stop(&x);
}

static void cookie_flags_and_logout(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    resp r = login_raw(&x, "aud", PASSWORD);
    assert_int_equal(r.status, 200);
    const char *c = strstr(r.headers, "Set-Cookie: vigil_session=");
    assert_non_null(c);
    const char *eol = strchr(c, '\r');
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)(eol - c), c);
    assert_non_null(strstr(line, "; HttpOnly"));
    assert_non_null(strstr(line, "; SameSite=Strict"));
    assert_non_null(strstr(line, "; Path=/"));
    assert_null(strstr(line, "Secure")); /* no TLS here */
    resp_free(&r);

    session s = login(&x, "aud");
    r = http_post(&x, "/api/v1/logout", &s, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = http_get(&x, "/api/v1/me", &s);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    srv_stop(&x);
}

static void csrf(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    int64_t id = srv_alerts(&x, 1);
    session s = login(&x, "olivia");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    const char *body = "{\"outcome\":\"rejected\"}";
    resp r = http_req(&x, "POST", path, &s, NULL, body, strlen(body));
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "X-CSRF-Token"));
    resp_free(&r);
    char bad[65];
    memset(bad, 'a', 64);
    bad[64] = '\0';
    r = http_req(&x, "POST", path, &s, bad, body, strlen(body));
    assert_int_equal(r.status, 403);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM alert WHERE state = 'pending'"), 1);
    r = http_post(&x, path, &s, body);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    srv_stop(&x);
}

static void oversize_and_malformed(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 4096);
    size_t n = 100000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    resp r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, big, n);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    free(big);

    r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, "{\"name\": \"olivia\",", 18);
    assert_int_equal(r.status, 400);
    json_t *j = resp_json(&r);
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "malformed JSON at line 1"));
    json_decref(j);
    resp_free(&r);

    r = http_req(&x, "POST", "/api/v1/login", NULL, NULL, "{\"name\": 7}", 11);
    assert_int_equal(r.status, 400);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "name");
    json_decref(j);
    resp_free(&r);

    session s = login(&x, "olivia");
    int64_t id = srv_alerts(&x, 1);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    r = http_post(&x, path, &s, "{\"outcome\":\"maybe\"}");
    assert_int_equal(r.status, 400);
    j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "field")), "outcome");
    json_decref(j);
    resp_free(&r);
    r = http_post(&x, path, &s, "[1,2]");
    assert_int_equal(r.status, 400);
    resp_free(&r);
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_success_and_failure),
        cmocka_unit_test(rate_limit),
        cmocka_unit_test(cookie_flags_and_logout),
        cmocka_unit_test(csrf),
        cmocka_unit_test(oversize_and_malformed),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
