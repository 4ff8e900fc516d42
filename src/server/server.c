/* server.c — the libmicrohttpd daemon: parsing the listen address,
 * starting (a thread per connection, so that streams — SSE, MJPEG — may
 * block waiting for the next event) and stopping, the alert feed and the
 * webhooks started with it, and the per-request life cycle (body
 * accumulation up to the route's limit, then the router). With a
 * certificate and key (PEM files, read into memory and checked here) it
 * serves HTTPS (GnuTLS inside libmicrohttpd); a key file readable by group
 * or others is refused, and every answer then carries HSTS. Each request
 * head is checked (head_check.c) before its body is read, must arrive
 * whole within a deadline (conn_guard.c), and one address may hold at most
 * per_address_max connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "server/server_internal.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_BODY_MAX (64 * 1024)
#define DEFAULT_UPLOAD_MAX (8 * 1024 * 1024)
#define DEFAULT_INCIDENT_WINDOW 600 /* seconds: the console's incidents */
#define PEM_MAX (1024 * 1024)
#define DEFAULT_HEAD_TIMEOUT_S 10.0
#define DEFAULT_PER_ADDRESS 64u

/* A PEM file in memory (NUL-terminated), checked for the block it must
 * hold; every failure names the file and says what is wrong. */
static vg_status read_pem(const char *what, const char *path, const char *begin, int secret, char **out,
                          vg_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "TLS %s %s cannot be read: %s", what, path, strerror(errno));
    struct stat sb;
    if (secret && fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID,
                          "TLS %s %s is readable by group or others (mode %03o): chmod 600 it, as the key "
                          "must stay secret",
                          what, path, (unsigned)(sb.st_mode & 0777));
    }
    char *buf = malloc(PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %s", path);
    if (bad || n > PEM_MAX) {
        free(buf);
        return vg_err_set(err, VG_ERR_INVALID, "TLS %s %s: %s", what, path,
                          bad ? "read error" : "larger than 1 MiB, not a PEM file");
    }
    buf[n] = '\0';
    if (strlen(buf) != n || !strstr(buf, begin)) {
        free(buf);
        return vg_err_set(err, VG_ERR_INVALID, "TLS %s %s is not a PEM file holding \"%s\"", what, path, begin);
    }
    *out = buf;
    return VG_OK;
}

static void free_pem(char *p)
{
    if (p) {
        sodium_memzero(p, strlen(p));
        free(p);
    }
}

static vg_status parse_listen(const char *s, struct sockaddr_in *sa, vg_err *err)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    if (!colon || (size_t)(colon - s) >= sizeof host || colon == s)
        return vg_err_set(err, VG_ERR_INVALID, "listen address \"%s\" is not IPv4:PORT", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return vg_err_set(err, VG_ERR_INVALID, "listen address \"%s\": bad port", s);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return vg_err_set(err, VG_ERR_INVALID, "listen address \"%s\": \"%s\" is not an IPv4 address",
                          s, host);
    return VG_OK;
}

void vg_server_log(const vg_server *srv, const vg_log_line *l)
{
    vg_log_emit(srv->log, srv->log_ctx, l);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The engine's alert subscription: the alert is stored; the feed reads it. */
static void on_engine_alert(void *ctx, const vg_engine_alert *a)
{
    (void)a;
    vg_feed_kick(ctx);
}

/* Frees what start made (the daemon already stopped or never started). */
static void release(vg_server *srv)
{
    vg_conn_guard_stop(&srv->guard);
    vg_feed_free(srv->feed);
    vg_webhooks_stop(srv->webhooks);
    free_pem(srv->tls_cert);
    free_pem(srv->tls_key);
    vg_auth_fini(&srv->auth);
    pthread_mutex_destroy(&srv->cam_mu);
    pthread_mutex_destroy(&srv->store_mu);
    vg_static_free(srv->web);
    free(srv);
}

/* MHD_OPTION_URI_LOG_CALLBACK: sees the request target before it is
 * decoded; what it returns becomes the request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    vg_request *r = calloc(1, sizeof *r);
    if (r) {
        r->srv = cls;
        r->conn = conn;
        r->nul_in_uri = vg_head_nul_in_target(uri);
    }
    return r;
}

/* An answer given before the body is read: the connection is closed after
 * it, so no byte of that body is taken for another request. */
static enum MHD_Result refuse_head(vg_request *r, const char *msg)
{
    json_t *o = json_pack("{s:s}", "error", msg);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Connection", "close");
    vg_http_common_headers(resp);
    return vg_http_queue(r, MHD_HTTP_BAD_REQUEST, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    vg_server *srv = cls;
    vg_request *r = *con_cls;
    if (!r) { /* the URI callback ran out of memory */
        return MHD_NO;
    }
    if (!r->started) {
        r->started = 1;
        vg_conn_guard_head_done(&srv->guard, conn);
        r->method = method;
        r->url = url;
        int64_t id;
        const vg_route *rt = vg_route_find(method, url, &id);
        r->body_limit = rt && rt->upload ? srv->upload_max : srv->body_max;
        const char *why = vg_head_refusal(r);
        if (why)
            return refuse_head(r, why);
        return MHD_YES;
    }
    if (*upload_data_size) {
        vg_http_body_append(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    r->method = method;
    r->url = url;
    if (r->too_big)
        return vg_http_error(r, 413, "the request body is over the limit", NULL);
    return vg_route_dispatch(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    vg_server *srv = cls;
    (void)code;
    vg_conn_guard_request_done(&srv->guard, conn); /* a kept-alive connection's next head */
    vg_request *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

vg_status vg_server_start(const vg_server_config *cfg, vg_store *store, vg_server **out, vg_err *err)
{
    if (!store || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_server_start: NULL argument");
    *out = NULL;
    struct sockaddr_in sa;
    const char *listen = cfg && cfg->listen ? cfg->listen : DEFAULT_LISTEN;
    vg_status st = parse_listen(listen, &sa, err);
    if (st != VG_OK)
        return st;
    if (cfg && cfg->incident_window && (cfg->incident_window < 60 || cfg->incident_window > 86400))
        return vg_err_set(err, VG_ERR_INVALID, "the incident window is %d s: it must be 60 to 86400",
                          cfg->incident_window);
    vg_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory starting the server");
    srv->store = store;
    srv->body_max = cfg && cfg->body_max ? cfg->body_max : DEFAULT_BODY_MAX;
    srv->upload_max = cfg && cfg->upload_max ? cfg->upload_max : DEFAULT_UPLOAD_MAX;
    srv->incident_window = cfg && cfg->incident_window ? cfg->incident_window : DEFAULT_INCIDENT_WINDOW;
    srv->secure_cookies = cfg ? cfg->secure_cookies : 0;
    srv->engine = cfg ? cfg->engine : NULL;
    srv->log = cfg ? cfg->log : NULL;
    srv->log_ctx = cfg ? cfg->log_ctx : NULL;
    srv->calibration = cfg ? cfg->calibration : NULL;
    srv->pack = cfg && cfg->pack ? cfg->pack : srv->engine ? vg_engine_pack(srv->engine) : NULL;
    const char *cert = cfg ? cfg->tls_cert : NULL, *key = cfg ? cfg->tls_key : NULL;
    if ((cert && cert[0]) != (key && key[0])) {
        free(srv);
        return vg_err_set(err, VG_ERR_INVALID, "TLS needs both a certificate and a key (--tls-cert and --tls-key)");
    }
    /* poll(), not select(): descriptors above 1023 are fine (up to 1000 streams) */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (cert && cert[0]) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            free(srv);
            return vg_err_set(err, VG_ERR_UNSUPPORTED, "this libmicrohttpd was built without TLS");
        }
        vg_status ts = read_pem("certificate", cert, "-----BEGIN CERTIFICATE-----", 0, &srv->tls_cert, err);
        if (ts == VG_OK)
            ts = read_pem("key", key, "PRIVATE KEY-----", 1, &srv->tls_key, err);
        if (ts != VG_OK) {
            free_pem(srv->tls_cert);
            free(srv);
            return ts;
        }
        flags |= MHD_USE_TLS;
        srv->secure_cookies = 1;
    }
    atomic_init(&srv->stopping, 0);
    if ((st = vg_static_load(cfg ? cfg->web_dir : NULL, &srv->web, err)) != VG_OK) {
        free_pem(srv->tls_cert);
        free_pem(srv->tls_key);
        free(srv);
        return st;
    }
    pthread_mutex_init(&srv->store_mu, NULL);
    pthread_mutex_init(&srv->cam_mu, NULL);
    vg_auth_init(&srv->auth);
    double t0 = mono_s();
    for (int i = 0; i < VG_ENGINE_CAMERAS_MAX; i++)
        srv->cam_prev[i].t = t0;
    vg_status st2 = VG_OK;
    if (cfg && cfg->n_webhooks > 0)
        st2 = vg_webhooks_start(cfg->webhooks, cfg->n_webhooks, cfg->webhook_secret, srv->log, srv->log_ctx,
                                &srv->webhooks, err);
    if (st2 == VG_OK)
        st2 = vg_feed_start(srv, &srv->feed, err);
    if (st2 == VG_OK && srv->engine && (st2 = vg_engine_subscribe(srv->engine, on_engine_alert, srv->feed)))
        vg_err_set(err, st2, "cannot subscribe to the engine's alerts");
    if (st2 != VG_OK) {
        release(srv);
        return st2;
    }
    double head_s = cfg && cfg->head_timeout_s > 0 ? cfg->head_timeout_s : DEFAULT_HEAD_TIMEOUT_S;
    unsigned per_addr = cfg && cfg->per_address_max ? cfg->per_address_max : DEFAULT_PER_ADDRESS;
    if ((st2 = vg_conn_guard_start(&srv->guard, head_s, err)) != VG_OK) {
        release(srv);
        return st2;
    }
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_NOTIFY_CONNECTION, vg_conn_guard_notify, &srv->guard, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_ARRAY, srv->tls_cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    if (!srv->daemon) {
        int tls = srv->tls_cert != NULL;
        release(srv);
        if (tls)
            return vg_err_set(err, VG_ERR_INVALID,
                              "cannot serve HTTPS on %s: the certificate and key were refused (not a matching "
                              "PEM pair?) or the address is in use",
                              listen);
        return vg_err_set(err, VG_ERR_IO, "cannot listen on %s (in use, or not this machine's address?)",
                          listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? (int)info->port : ntohs(sa.sin_port);
    *out = srv;
    return VG_OK;
}

int vg_server_port(const vg_server *srv)
{
    return srv ? srv->port : 0;
}

void vg_server_alerts_changed(vg_server *srv)
{
    if (srv && srv->feed)
        vg_feed_kick(srv->feed);
}

void vg_server_stop(vg_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, 1); /* streams see it within their wait and end */
    /* Streams waiting for news end first, so the daemon can join them; each
     * gets up to 2 s to send its last chunk before the sockets close. */
    vg_feed_shutdown(srv->feed);
    for (int i = 0; i < 200 && atomic_load(&srv->sse_clients) > 0; i++)
        nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    MHD_stop_daemon(srv->daemon);
    release(srv);
}
