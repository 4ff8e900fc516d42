/* test_server_static.c — the console's files over real HTTP: each path of the
 * fixed table answers its file (byte for byte) with its content type and
 * the strict headers (CSP, no framing, nosniff); paths that are not in the
 * table — traversals, encoded dots, the file names themselves — are 404;
 * only GET and HEAD; the API keeps its auth beside the public files; the
 * files come from the configured web directory, read once at start, and a
 * directory missing a file stops the server from starting. */
#include "server/server_fixtures.h"

#include <sys/stat.h>

static const char *const files[][3] = {
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
#define N_FILES ((int)(sizeof files / sizeof files[0]))

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 21);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 21) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void web_path(char *buf, size_t cap, const char *name)
{
    const char *src = getenv("VIGIL_SRC");
    assert_non_null(src); /* set by CTest */
    snprintf(buf, cap, "%s/web/%s", src, name);
}

/* One request with the path sent as is (no dot-segment clean-up by curl). */
static long raw_status(int port, const char *method, const char *path)
{
    CURL *c = curl_easy_init();
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    resp r = {0};
    r.body = calloc(1, 1);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    free(r.body);
    return status;
}

static int has_header(const resp *r, const char *line)
{
    return strstr(r->headers, line) != NULL;
}

static void every_file_with_its_headers(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    for (int i = 0; i < N_FILES; i++) {
        resp r = http_get(&x, files[i][0], NULL);
        assert_int_equal(r.status, 200);
        char want[200], path[600];
        snprintf(want, sizeof want, "Content-Type: %s\r\n", files[i][2]);
        assert_true(has_header(&r, want));
        assert_true(has_header(&r, "X-Frame-Options: DENY\r\n"));
        assert_true(has_header(&r, "X-Content-Type-Options: nosniff\r\n"));
        const char *csp = strstr(r.headers, "Content-Security-Policy: ");
        assert_non_null(csp);
        char line[400];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(csp, "\r"), csp);
        assert_non_null(strstr(line, "default-src 'self'"));
        assert_non_null(strstr(line, "img-src 'self' blob: data:"));
        assert_non_null(strstr(line, "frame-ancestors 'none'"));
        assert_null(strstr(line, "unsafe-inline"));
        assert_null(strstr(line, "unsafe-eval"));
        web_path(path, sizeof path, files[i][1]);
        size_t len;
        char *disk = slurp(path, &len);
        assert_int_equal(r.len, len);
        assert_memory_equal(r.body, disk, len);
        free(disk);
        resp_free(&r);
    }
    /* the page loads its modules, with no inline script or style */
    resp r = http_get(&x, "/", NULL);
    assert_non_null(strstr(r.body, "<script type=\"module\" src=\"/app.js\"></script>"));
    assert_null(strstr(r.body, "<style"));
    assert_null(strstr(r.body, "style=\""));
    assert_null(strstr(r.body, "onclick"));
    resp_free(&r);
    assert_int_equal(raw_status(x.port, "HEAD", "/app.js"), 200);
    srv_stop(&x);
}

static void only_the_table(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    static const char *const bad[] = {
        "/index.html", "/web/app.js", "/../CMakeLists.txt", "/../../etc/passwd", "/%2e%2e/CMakeLists.txt",
        "/app.js/", "//app.js", "/APP.JS", "/./app.js", "/style.css/../app.js",
        "/server.h", "/.git/config", "/README.md",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long s = raw_status(x.port, "GET", bad[i]);
        if (s != 404)
            fprintf(stderr, "GET %s -> %ld\n", bad[i], s);
        assert_int_equal(s, 404);
    }
    /* a query string does not change the file */
    assert_int_equal(raw_status(x.port, "GET", "/app.js?f=../../etc/passwd"), 200);
    /* only GET and HEAD */
    assert_int_equal(raw_status(x.port, "POST", "/"), 405);
    assert_int_equal(raw_status(x.port, "DELETE", "/app.js"), 405);
    /* the files are public; the API beside them is not */
    resp r = http_get(&x, "/api/v1/me", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    r = http_get(&x, "/api/v1/alerts", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    /* and the console is not in the API's document */
    session s = login(&x, "olivia");
    r = http_get(&x, "/api/v1/openapi.json", &s);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "app.js"));
    resp_free(&r);
    srv_stop(&x);
}

static void from_the_web_dir_once(void **state)
{
    (void)state;
    char dir[] = "/tmp/vigil-web-XXXXXX";
    assert_non_null(mkdtemp(dir));
    fx f;
    fx_init(&f, T0);
    vg_server *srv = NULL;
    vg_err err = {{0}};

    /* an empty directory: the server does not start, and says which file */
    vg_server_config cfg = {.listen = "127.0.0.1:0", .web_dir = dir};
    assert_int_equal(vg_server_start(&cfg, f.s, &srv, &err), VG_ERR_IO);
    assert_null(srv);
    assert_non_null(strstr(err.msg, "index.html"));

    /* a copy with another index.html: that is what is served */
    for (int i = 0; i < N_FILES; i++) {
        char src[600], dst[600];
        web_path(src, sizeof src, files[i][1]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i][1]);
        size_t len;
        char *data = strcmp(files[i][1], "index.html") ? slurp(src, &len) : strdup("<!doctype html>copy one");
        if (!strcmp(files[i][1], "index.html"))
            len = strlen(data);
        FILE *o = fopen(dst, "wb");
        assert_non_null(o);
        assert_int_equal(fwrite(data, 1, len, o), len);
        fclose(o);
        free(data);
    }
    assert_int_equal(vg_server_start(&cfg, f.s, &srv, &err), VG_OK);
    srv_fx x = {.f = f, .srv = srv, .port = vg_server_port(srv)};
    resp r = http_get(&x, "/", NULL);
    assert_string_equal(r.body, "<!doctype html>copy one");
    resp_free(&r);
    /* changed on disk after the start: still the copy read at start */
    char idx[600];
    snprintf(idx, sizeof idx, "%s/index.html", dir);
    FILE *o = fopen(idx, "wb");
    fputs("changed", o);
    fclose(o);
    r = http_get(&x, "/", NULL);
    assert_string_equal(r.body, "<!doctype html>copy one");
    resp_free(&r);
    vg_server_stop(srv);
    fx_done(&f);
    fx_rmdir(dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_file_with_its_headers),
        cmocka_unit_test(only_the_table),
        cmocka_unit_test(from_the_web_dir_once),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
