/* sse_client.h — a Server-Sent Events client for the server tests: libcurl
 * multi drives one stream without a thread; the events received so far are
 * parsed into (kind, id, JSON data) as they arrive. */
#ifndef VG_SSE_CLIENT_H
#define VG_SSE_CLIENT_H

#include "server/server_fixtures.h"

#include <time.h>

#define SSE_EVENTS_MAX 2048

typedef struct sse_event {
    char kind[16];      /* "alert", "update" */
    int64_t id;         /* 0 without an id line */
    json_t *data;
} sse_event;

typedef struct sse_client {
    CURLM *m;
    CURL *c;
    struct curl_slist *h;
    resp r;             /* raw body and headers */
    size_t parsed;      /* bytes of r.body already parsed */
    int n;
    sse_event ev[SSE_EVENTS_MAX];
    int comments;       /* ": ..." lines seen (keepalives, the greeting) */
    char last_comment[64];
    int done;           /* the transfer ended */
    CURLcode result;
} sse_client;

static inline double sse_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Opens GET path (with the session's cookie, and Last-Event-ID when
 * last_id is not NULL). */
static inline void sse_open(sse_client *k, int port, const session *s, const char *path, const char *last_id)
{
    memset(k, 0, sizeof *k);
    k->r.body = calloc(1, 1);
    k->r.headers = calloc(1, 1);
    k->m = curl_multi_init();
    k->c = curl_easy_init();
    assert_non_null(k->m);
    assert_non_null(k->c);
    char url[1024], line[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(k->c, CURLOPT_URL, url);
    curl_easy_setopt(k->c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k->c, CURLOPT_WRITEDATA, &k->r);
    curl_easy_setopt(k->c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k->c, CURLOPT_HEADERDATA, &k->r);
    curl_easy_setopt(k->c, CURLOPT_NOSIGNAL, 1L);
    if (last_id) {
        snprintf(line, sizeof line, "Last-Event-ID: %s", last_id);
        k->h = curl_slist_append(k->h, line);
        curl_easy_setopt(k->c, CURLOPT_HTTPHEADER, k->h);
    }
    if (s)
        curl_easy_setopt(k->c, CURLOPT_COOKIE, s->cookie);
    curl_multi_add_handle(k->m, k->c);
}

static inline void sse_parse(sse_client *k)
{
    for (;;) {
        char *start = k->r.body + k->parsed;
        char *end = strstr(start, "\n\n");
        if (!end)
            return;
        *end = '\0';
        sse_event e;
        memset(&e, 0, sizeof e);
        char *data = NULL;
        int any = 0;
        for (char *line = start; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (line[0] == ':') {
                k->comments++;
                snprintf(k->last_comment, sizeof k->last_comment, "%s", line);
            }
            else if (!strncmp(line, "id: ", 4))
                e.id = strtoll(line + 4, NULL, 10), any = 1;
            else if (!strncmp(line, "event: ", 7))
                snprintf(e.kind, sizeof e.kind, "%s", line + 7), any = 1;
            else if (!strncmp(line, "data: ", 6))
                data = line + 6, any = 1;
            line = nl ? nl + 1 : NULL;
        }
        if (any) {
            assert_non_null(data);
            json_error_t je;
            e.data = json_loads(data, 0, &je);
            assert_non_null(e.data);
            assert_true(k->n < SSE_EVENTS_MAX);
            k->ev[k->n++] = e;
        }
        k->parsed = (size_t)(end - k->r.body) + 2;
    }
}

/* Drives the transfer for up to ms milliseconds (returns early when it ends). */
static inline void sse_pump(sse_client *k, int ms)
{
    double until = sse_now_ms() + ms;
    while (!k->done) {
        int running = 0;
        curl_multi_perform(k->m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(k->m, &left)))
            if (msg->msg == CURLMSG_DONE) {
                k->done = 1;
                k->result = msg->data.result;
            }
        sse_parse(k);
        double rest = until - sse_now_ms();
        if (k->done || rest <= 0)
            break;
        curl_multi_poll(k->m, NULL, 0, rest < 20 ? (int)rest + 1 : 20, NULL);
    }
    sse_parse(k);
}

static inline int sse_count(const sse_client *k, const char *kind)
{
    int n = 0;
    for (int i = 0; i < k->n; i++)
        n += !strcmp(k->ev[i].kind, kind);
    return n;
}

/* Pumps until n events of this kind arrived or timeout_ms passed; 1 when they did. */
static inline int sse_wait(sse_client *k, const char *kind, int n, int timeout_ms)
{
    double until = sse_now_ms() + timeout_ms;
    while (sse_count(k, kind) < n && !k->done && sse_now_ms() < until)
        sse_pump(k, 20);
    return sse_count(k, kind) >= n;
}

static inline long sse_status(sse_client *k)
{
    long status = 0;
    curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static inline void sse_close(sse_client *k)
{
    curl_multi_remove_handle(k->m, k->c);
    curl_easy_cleanup(k->c);
    curl_multi_cleanup(k->m);
    curl_slist_free_all(k->h);
    for (int i = 0; i < k->n; i++)
        json_decref(k->ev[i].data);
    resp_free(&k->r);
}

#endif
