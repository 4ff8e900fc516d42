/* test_server_webhook.c — outgoing webhooks against a real receiver (a
 * libmicrohttpd daemon inside the test): each new alert is POSTed as its
 * JSON with X-Vigil-Event-Id and an X-Vigil-Signature that verifies as
 * HMAC-SHA-256 of the body under the secret; a receiver failing the first
 * two attempts gets a third (retries with backoff, seen in /metrics too);
 * a dead receiver (accepts the connection, never answers) delays neither
 * the SSE stream nor the other webhook; URL credentials stay out of the
 * log; bad webhook settings are refused at start. */
#include "server/sse_client.h"

#include <microhttpd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET "webhook secret for the test"

typedef struct hit {
    int64_t event_id;
    char sig[80];
    char *body;
    int status;
    double at_ms;
} hit;

typedef struct receiver {
    struct MHD_Daemon *d;
    int port;
    int fail_first;      /* answer 503 to this many requests */
    pthread_mutex_t mu;
    int n;
    hit hits[64];
} receiver;

typedef struct upload {
    char *p;
    size_t len;
} upload;

static enum MHD_Result on_hook(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *data, size_t *size, void **ptr)
{
    (void)url;
    (void)version;
    receiver *rc = cls;
    upload *u = *ptr;
    if (!u) {
        *ptr = calloc(1, sizeof(upload));
        return *ptr ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *g = realloc(u->p, u->len + *size + 1);
        if (!g)
            return MHD_NO;
        memcpy(g + u->len, data, *size);
        u->len += *size;
        g[u->len] = '\0';
        u->p = g;
        *size = 0;
        return MHD_YES;
    }
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Signature");
    const char *eid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Vigil-Event-Id");
    pthread_mutex_lock(&rc->mu);
    int status = rc->n < rc->fail_first ? 503 : 200;
    if (rc->n < 64 && !strcmp(method, "POST")) {
        hit *h = &rc->hits[rc->n++];
        h->event_id = eid ? strtoll(eid, NULL, 10) : -1;
        snprintf(h->sig, sizeof h->sig, "%s", sig ? sig : "");
        h->body = u->p ? strdup(u->p) : strdup("");
        h->status = status;
        h->at_ms = sse_now_ms();
    }
    pthread_mutex_unlock(&rc->mu);
    struct MHD_Response *answer = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, answer);
    MHD_destroy_response(answer);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **ptr, enum MHD_RequestTerminationCode t)
{
    (void)cls;
    (void)c;
    (void)t;
    upload *u = *ptr;
    if (u) {
        free(u->p);
        free(u);
        *ptr = NULL;
    }
}

static void receiver_start(receiver *rc, int fail_first)
{
    memset(rc, 0, sizeof *rc);
    pthread_mutex_init(&rc->mu, NULL);
    rc->fail_first = fail_first;
    rc->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_hook, rc,
                             MHD_OPTION_NOTIFY_COMPLETED, on_done, rc, MHD_OPTION_END);
    assert_non_null(rc->d);
    rc->port = MHD_get_daemon_info(rc->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void receiver_stop(receiver *rc)
{
    MHD_stop_daemon(rc->d);
    for (int i = 0; i < rc->n; i++)
        free(rc->hits[i].body);
    pthread_mutex_destroy(&rc->mu);
}

static int receiver_count(receiver *rc, int status)
{
    pthread_mutex_lock(&rc->mu);
    int n = 0;
    for (int i = 0; i < rc->n; i++)
        n += rc->hits[i].status == status;
    pthread_mutex_unlock(&rc->mu);
    return n;
}

static int wait_count(receiver *rc, int status, int n, int timeout_ms)
{
    double until = sse_now_ms() + timeout_ms;
    while (receiver_count(rc, status) < n && sse_now_ms() < until)
        nanosleep(&(struct timespec){0, 20000000L}, NULL);
    return receiver_count(rc, status) >= n;
}

/* A listening socket nobody accepts from: connections complete (the
 * kernel's backlog) and then nothing is ever answered. */
static int blackhole(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static int64_t add_alert(vg_store *w, int64_t dep, int64_t sub, int k)
{
    char uid[32];
    snprintf(uid, sizeof uid, "w-%d", k);
    vg_alert a = fx_alert(dep, sub, uid);
    uint8_t *jpeg = fx_jpeg((uint64_t)k, 300);
    int64_t id = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_add(w, "engine", &a, jpeg, 300, &id, &err), VG_OK);
    free(jpeg);
    return id;
}

static double metric(srv_fx *x, const session *s, const char *name)
{
    resp r = http_get(x, "/metrics", s);
    assert_int_equal(r.status, 200);
    char key[128];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *p = strstr(r.body, key);
    double v = p ? strtod(p + strlen(key), NULL) : -1;
    resp_free(&r);
    return v;
}

static void retried_and_signed(void **state)
{
    (void)state;
    receiver rc;
    receiver_start(&rc, 2);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", rc.port);
    vg_server_config cfg = {.n_webhooks = 1, .webhooks = {url}, .webhook_secret = SECRET};
    srv_fx x;
    srv_start_cfg(&x, cfg);
    vg_store *w = srv_writer(&x);
    int64_t wl = fx_watchlist(w, "wanted", 0, 0);
    int64_t sub = fx_enrol(w, wl, "A. Person", 1, 1);
    int64_t dep = fx_deployment(w, "high-street", wl, 1);
    double t0 = sse_now_ms();
    int64_t id = add_alert(w, dep, sub, 1);
    assert_true(wait_count(&rc, 200, 1, 15000));
    fprintf(stderr, "delivered after %.0f ms: 2 refusals, then accepted\n", rc.hits[2].at_ms - t0);
    assert_int_equal(rc.n, 3);
    /* the backoff: the second retry waits longer than the first */
    double gap1 = rc.hits[1].at_ms - rc.hits[0].at_ms, gap2 = rc.hits[2].at_ms - rc.hits[1].at_ms;
    fprintf(stderr, "retry gaps %.0f ms, %.0f ms\n", gap1, gap2);
    assert_true(gap1 >= 400 && gap2 >= 1.6 * gap1 - 100);
    for (int i = 0; i < 3; i++) {
        hit *h = &rc.hits[i];
        assert_int_equal(h->event_id, id);
        json_t *j = json_loads(h->body, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "id")), id);
        assert_string_equal(json_string_value(json_object_get(j, "subject_name")), "A. Person");
        json_decref(j);
        /* the receiver's check: HMAC-SHA-256 of the raw body under the secret */
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)h->body, strlen(h->body));
        crypto_auth_hmacsha256_final(&st, mac);
        char hex[65], want[80];
        sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
        snprintf(want, sizeof want, "sha256=%s", hex);
        assert_string_equal(h->sig, want);
    }
    /* a body changed in transit would not verify */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"{}", 2);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    assert_null(strstr(rc.hits[2].sig, hex));

    session aud = login(&x, "aud");
    assert_true(metric(&x, &aud, "vigil_webhook_deliveries_total") == 1);
    assert_true(metric(&x, &aud, "vigil_webhook_failed_attempts_total") == 2);
    assert_true(metric(&x, &aud, "vigil_webhook_dropped_total") == 0);
    /* the next alert goes through at once (the receiver accepts now) */
    int64_t id2 = add_alert(w, dep, sub, 2);
    assert_true(wait_count(&rc, 200, 2, 5000));
    assert_int_equal(rc.hits[3].event_id, id2);
    vg_store_close(w);
    srv_stop(&x);
    receiver_stop(&rc);
}

static void dead_receiver_delays_nothing(void **state)
{
    (void)state;
    int hole_port;
    int hole = blackhole(&hole_port);
    receiver rc;
    receiver_start(&rc, 0);
    char dead[160], live[128];
    snprintf(dead, sizeof dead, "http://hook:pa55word@127.0.0.1:%d/hook?token=t0ken", hole_port);
    snprintf(live, sizeof live, "http://127.0.0.1:%d/hook", rc.port);
    vg_server_config cfg = {.n_webhooks = 2, .webhooks = {dead, live}, .webhook_secret = SECRET};
    /* the server's log (stderr) into a file, to look for credentials */
    char logpath[64] = "/tmp/vigil-webhook-log-XXXXXX";
    int logfd = mkstemp(logpath);
    assert_true(logfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(logfd, 2);

    srv_fx x;
    srv_start_cfg(&x, cfg);
    vg_store *w = srv_writer(&x);
    int64_t wl = fx_watchlist(w, "wanted", 0, 0);
    int64_t sub = fx_enrol(w, wl, "A. Person", 1, 1);
    int64_t dep = fx_deployment(w, "high-street", wl, 1);
    session op = login(&x, "olivia");
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", NULL);
    sse_pump(&k, 200);
    double worst = 0;
    for (int i = 0; i < 5; i++) {
        double t0 = sse_now_ms();
        add_alert(w, dep, sub, 10 + i);
        double stored = sse_now_ms();
        assert_true(sse_wait(&k, "alert", i + 1, 5000));
        double ms = sse_now_ms() - stored;
        worst = ms > worst ? ms : worst;
        (void)t0;
    }
    /* the live receiver got all five while the dead one hangs */
    assert_true(wait_count(&rc, 200, 5, 5000));
    double t_stop = sse_now_ms();
    sse_close(&k);
    vg_store_close(w);
    srv_stop(&x); /* does not wait out the dead receiver's 10 s timeout */
    double stop_ms = sse_now_ms() - t_stop;

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fprintf(stderr, "stream latency with a dead webhook: worst %.0f ms of 5 (poll period 250 ms); stop %.0f ms\n",
            worst, stop_ms);
    assert_true(worst < 1000);
    assert_true(stop_ms < 3000);
    char buf[8192] = {0};
    ssize_t n = pread(logfd, buf, sizeof buf - 1, 0);
    assert_true(n >= 0);
    close(logfd);
    unlink(logpath);
    fprintf(stderr, "server log: %s", buf);
    assert_null(strstr(buf, "pa55word"));
    assert_null(strstr(buf, "t0ken"));
    close(hole);
    receiver_stop(&rc);
}

static void bad_settings_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_server *srv = NULL;
    vg_err err = {{0}};
    vg_server_config cfg = {.listen = "127.0.0.1:0", .n_webhooks = 1, .webhooks = {"http://127.0.0.1:9/"}};
    assert_int_equal(vg_server_start(&cfg, f.s, &srv, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "secret"));
    cfg.webhook_secret = SECRET;
    cfg.webhooks[0] = "file:///etc/passwd";
    assert_int_equal(vg_server_start(&cfg, f.s, &srv, &err), VG_ERR_INVALID);
    assert_null(srv);
    /* the secret file: 0600 expected */
    char path[400], secret[64];
    snprintf(path, sizeof path, "%s/secret", f.dir);
    FILE *fp = fopen(path, "w");
    fputs("s3cret\n", fp);
    fclose(fp);
    chmod(path, 0644);
    assert_int_equal(vg_server_secret_read(path, secret, sizeof secret, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "chmod 600"));
    chmod(path, 0600);
    assert_int_equal(vg_server_secret_read(path, secret, sizeof secret, &err), VG_OK);
    assert_string_equal(secret, "s3cret");
    fx_done(&f);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retried_and_signed),
        cmocka_unit_test(dead_receiver_delays_nothing),
        cmocka_unit_test(bad_settings_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
