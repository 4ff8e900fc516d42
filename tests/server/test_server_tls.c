/* test_server_tls.c — HTTPS: a self-signed certificate made by the openssl
 * command in a temporary directory, a server started with it, libcurl
 * talking HTTPS (trusting that certificate) to log in — the cookie then has
 * Secure — while plain HTTP to the same port gets no HTTP answer; and clear
 * errors at start for a missing file, a file that is not PEM, a key that is
 * not the certificate's, only one of the two, and a key file readable by
 * others; HSTS on every HTTPS answer and never on plain HTTP. Skips without
 * openssl. */
#include "server/server_fixtures.h"

#include <stdlib.h>

static char dir[64], cert[128], key[128], key2[128], junk[128], openkey[128];

static int have_openssl(void)
{
    return system("openssl version >/dev/null 2>&1") == 0;
}

static int setup(void **state)
{
    (void)state;
    if (!have_openssl())
        return 0;
    snprintf(dir, sizeof dir, "/tmp/vigil-tls-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(key2, sizeof key2, "%s/other-key.pem", dir);
    snprintf(junk, sizeof junk, "%s/junk.pem", dir);
    snprintf(openkey, sizeof openkey, "%s/open-key.pem", dir);
    char cmd[1400];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 2>/dev/null && "
             "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '%s' 2>/dev/null && "
             "echo 'not a certificate' > '%s' && chmod 600 '%s' '%s' '%s' && cp '%s' '%s' && chmod 644 '%s'",
             key, cert, key2, junk, key, key2, junk, key, openkey, openkey);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
    }
    return 0;
}

static CURLcode fetch(int port, const char *scheme, const char *path, const char *body, resp *r)
{
    r->body = calloc(1, 1);
    r->headers = calloc(1, 1);
    r->len = r->hlen = 0;
    r->status = 0;
    CURL *c = curl_easy_init();
    char url[256];
    snprintf(url, sizeof url, "%s://127.0.0.1:%d%s", scheme, port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, cert);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

static void https_and_secure_cookie(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_openssl());
    srv_fx x;
    vg_server_config cfg = {.tls_cert = cert, .tls_key = key};
    srv_start_cfg(&x, cfg);
    resp r;
    assert_int_equal(fetch(x.port, "https", "/healthz", NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"ok\""));
    /* issue 14: a browser that came once over HTTPS must not fall back to HTTP */
    assert_non_null(strstr(r.headers, "Strict-Transport-Security: max-age="));
    resp_free(&r);

    assert_int_equal(fetch(x.port, "https", "/api/v1/login", "{\"name\":\"olivia\",\"password\":\"" PASSWORD "\"}", &r),
                     CURLE_OK);
    assert_int_equal(r.status, 200);
    const char *c = strstr(r.headers, "Set-Cookie: vigil_session=");
    assert_non_null(c);
    const char *eol = strchr(c, '\r');
    char line[300];
    snprintf(line, sizeof line, "%.*s", (int)(eol - c), c);
    assert_non_null(strstr(line, "; Secure"));
    assert_non_null(strstr(line, "; HttpOnly"));
    resp_free(&r);

    /* plain HTTP to the TLS port: no HTTP answer */
    CURLcode rc = fetch(x.port, "http", "/healthz", NULL, &r);
    assert_true(rc != CURLE_OK || r.status != 200);
    resp_free(&r);
    srv_stop(&x);
}

static void expect_start_error(const char *c, const char *k, vg_status want, const char *text)
{
    fx f;
    fx_init(&f, T0);
    vg_server_config cfg = {.listen = "127.0.0.1:0", .tls_cert = c, .tls_key = k};
    vg_server *srv = NULL;
    vg_err err = {{0}};
    vg_status st = vg_server_start(&cfg, f.s, &srv, &err);
    if (st != want || !strstr(err.msg, text))
        fail_msg("cert %s key %s: status %d \"%s\", wanted %d with \"%s\"", c ? c : "-", k ? k : "-", st, err.msg, want,
                 text);
    assert_null(srv);
    fx_done(&f);
}

static void bad_pems_are_clear_errors(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_openssl());
    char missing[160];
    snprintf(missing, sizeof missing, "%s/absent.pem", dir);
    expect_start_error(missing, key, VG_ERR_IO, "cannot be read");
    expect_start_error(cert, missing, VG_ERR_IO, "cannot be read");
    expect_start_error(junk, key, VG_ERR_INVALID, "is not a PEM file");
    expect_start_error(cert, junk, VG_ERR_INVALID, "is not a PEM file");
    expect_start_error(key, key, VG_ERR_INVALID, "is not a PEM file"); /* a key given as the certificate */
    expect_start_error(cert, key2, VG_ERR_INVALID, "were refused");   /* not the certificate's key */
    expect_start_error(cert, NULL, VG_ERR_INVALID, "both");
    /* issue 14: a key others may read is refused, not served silently */
    expect_start_error(cert, openkey, VG_ERR_INVALID, "readable by group or others (mode 644)");
}

/* issue 14: plain HTTP sends no HSTS (it would be ignored, and wrong). */
static void no_hsts_without_tls(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    resp r = http_get(&x, "/healthz", NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.headers, "Strict-Transport-Security"));
    resp_free(&r);
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(https_and_secure_cookie),
        cmocka_unit_test(bad_pems_are_clear_errors),
        cmocka_unit_test(no_hsts_without_tls),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
