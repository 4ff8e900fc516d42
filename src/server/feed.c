/* feed.c — the server's alert feed. One thread follows the store's alerts
 * in id order (those with an id above the last one it saw), woken at once
 * by vg_feed_kick (the engine's alert subscription) and otherwise every
 * 250 ms, so that alerts written by another process sharing the database
 * appear too. Each new alert becomes an SSE event in a bounded ring and is
 * handed to the webhooks; adjudications made through the API add "update"
 * events. Readers (SSE streams) hold a cursor: a reader behind the ring —
 * resuming after an old id, or too slow — is served from the store until it
 * reaches the ring, so no alert is lost or sent twice.
 *
 * The feed reads through its own store connection (another connection to
 * the server's database), so API requests do not hold it up.
 * Locks: the feed's mutex is never held while its store mutex is taken. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "server/server_internal.h"

#define POLL_MS 250

enum { EV_ALERT = 1, EV_UPDATE = 2 };

typedef struct feed_event {
    int kind;
    int64_t id;
    char *text; /* the SSE event, "...\n\n" */
} feed_event;

struct vg_feed {
    vg_server *srv;
    vg_store *store;       /* the feed's own connection, so that API requests
                            * holding the server's do not delay alerts */
    pthread_mutex_t store_mu;
    int failing;           /* the last read failed (under store_mu): log once */
    pthread_mutex_t mu;
    pthread_cond_t cond;   /* signalled on every event, kick and shutdown */
    pthread_t thread;
    int started;
    int stopping;
    int kicked;
    feed_event ring[VG_FEED_RING];
    uint64_t head;         /* events ever published; the ring holds the last VG_FEED_RING */
    int64_t last_id;       /* the largest alert id published (or found at start) */
    int64_t n_alerts, n_updates;
};

/* The SSE text of an alert or update event (malloc'd; NULL out of memory). */
static char *event_text(int kind, const vg_alert_detail *d)
{
    json_t *j = vg_api_alert_json(d);
    char *data = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!data)
        return NULL;
    size_t n = strlen(data) + 64;
    char *t = malloc(n);
    if (t) {
        if (kind == EV_ALERT)
            snprintf(t, n, "id: %lld\nevent: alert\ndata: %s\n\n", (long long)d->alert.id, data);
        else
            snprintf(t, n, "event: update\ndata: %s\n\n", data);
    }
    free(data);
    return t;
}

static void publish(vg_feed *f, int kind, int64_t id, char *text)
{
    pthread_mutex_lock(&f->mu);
    feed_event *e = &f->ring[f->head % VG_FEED_RING];
    free(e->text);
    e->kind = kind;
    e->id = id;
    e->text = text;
    f->head++;
    if (kind == EV_ALERT) {
        f->last_id = id;
        f->n_alerts++;
    } else {
        f->n_updates++;
    }
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
}

/* One page of alerts after `after` from the server's store. */
static vg_status read_page(vg_feed *f, int64_t after, vg_alert_detail **v, int *n)
{
    vg_alert_query q = {.after = after, .limit = VG_FEED_PAGE};
    vg_err err = {{0}};
    pthread_mutex_lock(&f->store_mu);
    vg_status st = vg_store_alert_query(f->store, &q, v, n, &err);
    vg_log_line l;
    if (st != VG_OK && !f->failing) { /* once, not every 250 ms while it lasts */
        vg_log_start(&l, "feed_read_failed");
        vg_log_str(&l, "reason", err.msg);
        vg_server_log(f->srv, &l);
    } else if (st == VG_OK && f->failing) {
        vg_log_start(&l, "feed_read_recovered");
        vg_server_log(f->srv, &l);
    }
    f->failing = st != VG_OK;
    pthread_mutex_unlock(&f->store_mu);
    return st;
}

/* Publishes every alert stored after the last one seen; 1 when the page
 * was full (more may wait). */
static int poll_store(vg_feed *f)
{
    pthread_mutex_lock(&f->mu);
    int64_t after = f->last_id;
    pthread_mutex_unlock(&f->mu);
    vg_alert_detail *v = NULL;
    int n = 0;
    if (read_page(f, after, &v, &n) != VG_OK)
        return 0;
    for (int i = 0; i < n; i++) {
        char *text = event_text(EV_ALERT, &v[i]);
        if (!text)
            break; /* out of memory: the next poll tries again from here */
        if (f->srv->webhooks) {
            json_t *j = vg_api_alert_json(&v[i]);
            char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
            json_decref(j);
            if (body)
                vg_webhooks_post(f->srv->webhooks, v[i].alert.id, body);
            free(body);
        }
        publish(f, EV_ALERT, v[i].alert.id, text);
    }
    free(v);
    return n == VG_FEED_PAGE;
}

static void deadline_in(struct timespec *ts, double s)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    long long ns = ts->tv_nsec + (long long)(s * 1e9);
    ts->tv_sec += (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

static void *run(void *arg)
{
    vg_feed *f = arg;
    for (;;) {
        struct timespec dl;
        deadline_in(&dl, POLL_MS / 1000.0);
        pthread_mutex_lock(&f->mu);
        while (!f->kicked && !f->stopping)
            if (pthread_cond_timedwait(&f->cond, &f->mu, &dl) == ETIMEDOUT)
                break;
        int stop = f->stopping;
        f->kicked = 0;
        pthread_mutex_unlock(&f->mu);
        if (stop)
            break;
        while (poll_store(f)) {
            pthread_mutex_lock(&f->mu);
            stop = f->stopping;
            pthread_mutex_unlock(&f->mu);
            if (stop)
                break;
        }
    }
    return NULL;
}

vg_status vg_feed_start(vg_server *srv, vg_feed **out, vg_err *err)
{
    vg_feed *f = calloc(1, sizeof *f);
    if (!f)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory starting the alert feed");
    f->srv = srv;
    pthread_mutex_init(&f->store_mu, NULL);
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &ca);
    pthread_condattr_destroy(&ca);
    /* Alerts already stored are history (readable with ?after=), not news. */
    vg_status st = vg_store_open_same(srv->store, &f->store, err);
    if (st == VG_OK)
        st = vg_store_alert_last_id(f->store, &f->last_id, err);
    if (st == VG_OK && pthread_create(&f->thread, NULL, run, f) != 0)
        st = vg_err_set(err, VG_ERR_IO, "cannot start the alert feed's thread");
    if (st != VG_OK) {
        vg_feed_free(f);
        return st;
    }
    f->started = 1;
    *out = f;
    return VG_OK;
}

void vg_feed_kick(vg_feed *f)
{
    pthread_mutex_lock(&f->mu);
    f->kicked = 1;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
}

void vg_feed_shutdown(vg_feed *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stopping = 1;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->mu);
    if (f->started) {
        pthread_join(f->thread, NULL);
        f->started = 0;
    }
}

void vg_feed_free(vg_feed *f)
{
    if (!f)
        return;
    vg_feed_shutdown(f);
    for (int i = 0; i < VG_FEED_RING; i++)
        free(f->ring[i].text);
    vg_store_close(f->store);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->store_mu);
    free(f);
}

void vg_feed_publish_update(vg_feed *f, const vg_alert_detail *d)
{
    char *text = event_text(EV_UPDATE, d);
    if (text)
        publish(f, EV_UPDATE, d->alert.id, text);
}

vg_status vg_feed_last_stored(vg_feed *f, int64_t *id, vg_err *err)
{
    pthread_mutex_lock(&f->store_mu);
    vg_status st = vg_store_alert_last_id(f->store, id, err);
    pthread_mutex_unlock(&f->store_mu);
    return st;
}

void vg_feed_counts(vg_feed *f, int64_t *alerts, int64_t *updates, int64_t *last_id)
{
    pthread_mutex_lock(&f->mu);
    *alerts = f->n_alerts;
    *updates = f->n_updates;
    *last_id = f->last_id;
    pthread_mutex_unlock(&f->mu);
}

/* Catching up from the store: the alerts after c->after, a page at a time.
 * The ring position is taken before the read: every alert published before
 * it has an id the read covers, and later ones are skipped by id. */
static int catch_up(vg_feed *f, vg_feed_cursor *c, char **out)
{
    pthread_mutex_lock(&f->mu);
    uint64_t head = f->head;
    pthread_mutex_unlock(&f->mu);
    vg_alert_detail *v = NULL;
    int n = 0;
    if (read_page(f, c->after, &v, &n) != VG_OK)
        return 0;
    vg_strbuf b = {0};
    for (int i = 0; i < n; i++) {
        char *t = event_text(EV_ALERT, &v[i]);
        if (!t) {
            b.failed = 1;
            break;
        }
        vg_strbuf_puts(&b, t);
        free(t);
        if (b.failed)
            break;
        c->after = v[i].alert.id;
    }
    free(v);
    if (b.failed) { /* c->after was not moved past what is not in b */
        free(b.p);
        return 0;
    }
    if (n < VG_FEED_PAGE) {
        c->live = 1;
        c->pos = head;
    }
    *out = b.p;
    return b.p != NULL;
}

int vg_feed_next(vg_feed *f, vg_feed_cursor *c, double wait_s, char **out)
{
    *out = NULL;
    struct timespec dl;
    deadline_in(&dl, wait_s);
    pthread_mutex_lock(&f->mu);
    for (;;) {
        if (f->stopping) {
            pthread_mutex_unlock(&f->mu);
            return -1;
        }
        if (c->live && f->head - c->pos > VG_FEED_RING)
            c->live = 0; /* the ring moved past this reader: back to the store */
        if (!c->live) {
            pthread_mutex_unlock(&f->mu);
            if (catch_up(f, c, out))
                return 1;
            pthread_mutex_lock(&f->mu);
            if (!c->live) { /* the store failed: wait a little, as for news */
                int rc = pthread_cond_timedwait(&f->cond, &f->mu, &dl);
                if (rc == ETIMEDOUT) {
                    pthread_mutex_unlock(&f->mu);
                    return 0;
                }
            }
            continue;
        }
        vg_strbuf b = {0};
        uint64_t pos = c->pos;
        int64_t after = c->after;
        for (; pos < f->head && !b.failed; pos++) {
            const feed_event *e = &f->ring[pos % VG_FEED_RING];
            if (e->kind == EV_ALERT && e->id <= after)
                continue;
            vg_strbuf_puts(&b, e->text);
            if (e->kind == EV_ALERT)
                after = e->id;
        }
        if (b.failed) {
            free(b.p);
            b.p = NULL;
        } else {
            c->pos = pos;
            c->after = after;
        }
        if (b.p) {
            pthread_mutex_unlock(&f->mu);
            *out = b.p;
            return 1;
        }
        if (pthread_cond_timedwait(&f->cond, &f->mu, &dl) == ETIMEDOUT) {
            pthread_mutex_unlock(&f->mu);
            return 0;
        }
    }
}
