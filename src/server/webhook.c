/* webhook.c — outgoing webhooks (libcurl). Every new alert is POSTed as
 * its JSON to each configured URL with
 *   X-Vigil-Event-Id: <alert id>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA-256 of the body under the secret>
 * (libsodium). Each URL has its own thread and a bounded queue, so a slow or
 * dead receiver holds up only its own deliveries, never the feed, the
 * engine or another URL. A delivery that fails (no connection, a timeout,
 * a status other than 2xx) is retried after 0.5 s, doubling up to 30 s,
 * at most 8 attempts; when the queue is full its oldest alert is dropped
 * and counted. Logs name a URL only without its credentials. */
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/server_internal.h"
#include "base/url_redact.h"

#define QUEUE_MAX 256
#define ATTEMPTS_MAX 8
#define BACKOFF_INITIAL_S 0.5
#define BACKOFF_MAX_S 30.0
#define TIMEOUT_S 10L

typedef struct delivery {
    int64_t id;
    char *body;
} delivery;

typedef struct target {
    struct vg_webhooks *w;
    char *url;
    char shown[512];           /* the URL without credentials, for logs */
    pthread_t thread;
    int started;
    delivery q[QUEUE_MAX];
    int q_head, q_len;
} target;

struct vg_webhooks {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int stopping;
    unsigned char *secret;
    size_t secret_len;
    int n;
    target t[8];
    int64_t delivered, attempts_failed, dropped;
    vg_log_fn log;   /* the server's log callback (NULL: none) */
    void *log_ctx;
};

static void deadline_in(struct timespec *ts, double s)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    long long ns = ts->tv_nsec + (long long)(s * 1e9);
    ts->tv_sec += (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

static void sign(const struct vg_webhooks *w, const char *body, size_t len, char hex[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, w->secret, w->secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* Aborts a transfer in progress when the webhooks stop. */
static int progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a;
    (void)b;
    (void)c;
    (void)d;
    struct vg_webhooks *w = ud;
    pthread_mutex_lock(&w->mu);
    int stop = w->stopping;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

/* One attempt: 1 delivered (2xx), 0 not; why into reason. */
static int attempt(target *t, CURL *c, const delivery *d, char *reason, size_t cap)
{
    size_t len = strlen(d->body);
    char sig[65], h1[100], h2[64];
    sign(t->w, d->body, len, sig);
    snprintf(h1, sizeof h1, "X-Vigil-Signature: sha256=%s", sig);
    snprintf(h2, sizeof h2, "X-Vigil-Event-Id: %lld", (long long)d->id);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(h, h1);
    h = curl_slist_append(h, h2);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, t->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil-webhook/1");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, t->w);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) {
        snprintf(reason, cap, "%s", curl_easy_strerror(rc));
        return 0;
    }
    if (status < 200 || status > 299) {
        snprintf(reason, cap, "HTTP status %ld", status);
        return 0;
    }
    return 1;
}

static void *run(void *arg)
{
    target *t = arg;
    struct vg_webhooks *w = t->w;
    CURL *c = curl_easy_init();
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        if (!t->q_len) {
            pthread_cond_wait(&w->cond, &w->mu);
            continue;
        }
        delivery d = t->q[t->q_head]; /* stays queued (and may be dropped) until done */
        char *body = strdup(d.body);
        pthread_mutex_unlock(&w->mu);
        d.body = body;
        int ok = 0, tries = 0;
        double wait = BACKOFF_INITIAL_S;
        char reason[256] = "out of memory";
        while (body && c && !ok && tries < ATTEMPTS_MAX) {
            tries++;
            ok = attempt(t, c, &d, reason, sizeof reason);
            pthread_mutex_lock(&w->mu);
            if (ok) {
                w->delivered++;
            } else {
                w->attempts_failed++;
                vg_log_line l;
                vg_log_start(&l, "webhook_failed");
                vg_log_str(&l, "url", t->shown);
                vg_log_fmt(&l, "alert", "%lld", (long long)d.id);
                vg_log_fmt(&l, "attempt", "%d", tries);
                vg_log_str(&l, "reason", reason);
                if (tries >= ATTEMPTS_MAX)
                    vg_log_str(&l, "given_up", "1");
                vg_log_emit(w->log, w->log_ctx, &l);
            }
            int stop = w->stopping;
            if (!ok && !stop && tries < ATTEMPTS_MAX) {
                struct timespec dl;
                deadline_in(&dl, wait);
                while (!w->stopping && pthread_cond_timedwait(&w->cond, &w->mu, &dl) != ETIMEDOUT)
                    ;
                stop = w->stopping;
                wait = wait * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : wait * 2;
            }
            pthread_mutex_unlock(&w->mu);
            if (stop)
                break;
        }
        free(body);
        pthread_mutex_lock(&w->mu);
        /* done with it, unless the queue dropped it meanwhile */
        if (t->q_len && t->q[t->q_head].id == d.id) {
            free(t->q[t->q_head].body);
            t->q[t->q_head].body = NULL;
            t->q_head = (t->q_head + 1) % QUEUE_MAX;
            t->q_len--;
        }
    }
    pthread_mutex_unlock(&w->mu);
    curl_easy_cleanup(c);
    return NULL;
}

vg_status vg_webhooks_start(const char *const *urls, int n, const char *secret, vg_log_fn log, void *log_ctx,
                            vg_webhooks **out, vg_err *err)
{
    *out = NULL;
    if (n < 0 || n > 8)
        return vg_err_set(err, VG_ERR_INVALID, "at most 8 webhook URLs (%d given)", n);
    if (!secret || !*secret)
        return vg_err_set(err, VG_ERR_INVALID, "webhooks need a secret to sign with ([webhook] secret_file)");
    for (int i = 0; i < n; i++)
        if (!urls[i] || (strncmp(urls[i], "http://", 7) && strncmp(urls[i], "https://", 8)) ||
            strpbrk(urls[i], " \r\n\t"))
            return vg_err_set(err, VG_ERR_INVALID, "webhook URL %d is not an http:// or https:// URL", i + 1);
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_IO, "libsodium did not initialise");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return vg_err_set(err, VG_ERR_IO, "libcurl did not initialise");
    struct vg_webhooks *w = calloc(1, sizeof *w);
    if (!w) {
        curl_global_cleanup();
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory starting webhooks");
    }
    w->log = log;
    w->log_ctx = log_ctx;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    w->secret_len = strlen(secret);
    w->secret = malloc(w->secret_len);
    vg_status st = VG_OK;
    if (!w->secret)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory starting webhooks");
    else
        memcpy(w->secret, secret, w->secret_len);
    for (int i = 0; st == VG_OK && i < n; i++) {
        target *t = &w->t[i];
        t->w = w;
        t->url = strdup(urls[i]);
        vg_url_redact(urls[i], t->shown, sizeof t->shown);
        w->n = i + 1;
        if (!t->url)
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory starting webhooks");
        else if (pthread_create(&t->thread, NULL, run, t) != 0)
            st = vg_err_set(err, VG_ERR_IO, "cannot start a webhook thread");
        else
            t->started = 1;
    }
    if (st != VG_OK) {
        vg_webhooks_stop(w);
        return st;
    }
    *out = w;
    return VG_OK;
}

void vg_webhooks_post(vg_webhooks *w, int64_t id, const char *json)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < w->n; i++) {
        target *t = &w->t[i];
        char *copy = strdup(json);
        if (!copy) {
            w->dropped++;
            continue;
        }
        if (t->q_len == QUEUE_MAX) { /* full: the oldest goes */
            free(t->q[t->q_head].body);
            t->q_head = (t->q_head + 1) % QUEUE_MAX;
            t->q_len--;
            w->dropped++;
            vg_log_line l;
            vg_log_start(&l, "webhook_dropped");
            vg_log_str(&l, "url", t->shown);
            vg_log_str(&l, "reason", "queue full");
            vg_log_emit(w->log, w->log_ctx, &l);
        }
        delivery *d = &t->q[(t->q_head + t->q_len) % QUEUE_MAX];
        d->id = id;
        d->body = copy;
        t->q_len++;
    }
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

void vg_webhooks_counts(vg_webhooks *w, vg_webhook_counts *out)
{
    memset(out, 0, sizeof *out);
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    out->delivered = w->delivered;
    out->attempts_failed = w->attempts_failed;
    out->dropped = w->dropped;
    for (int i = 0; i < w->n; i++)
        out->queued += w->t[i].q_len;
    pthread_mutex_unlock(&w->mu);
}

void vg_webhooks_stop(vg_webhooks *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->n; i++) {
        target *t = &w->t[i];
        if (t->started)
            pthread_join(t->thread, NULL);
        for (int k = 0; k < t->q_len; k++)
            free(t->q[(t->q_head + k) % QUEUE_MAX].body);
        free(t->url);
    }
    if (w->secret)
        sodium_memzero(w->secret, w->secret_len);
    free(w->secret);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mu);
    free(w);
    curl_global_cleanup();
}
