/* alerts.c — the engine's bounded alert queue (with its lock, its
 * subscribers, the count of alerts dropped and the latencies of those
 * queued) and the one thread that takes alerts from it in order: stores
 * each (when the engine has a store and a deployment), looks up the
 * subject's name, and hands it to the subscribers; the ids of the latest
 * stored are kept by uid for the live view's marks. While the database is
 * unreachable or cannot write (a full disk), alerts go to the spool
 * (vg_store_spool_*: a file when one is configured, else a bounded queue in
 * memory) instead, and every alert after them too so that the order holds;
 * the thread tries to write the spool every second until the database takes
 * it. Nothing waits without bound: a full queue makes a worker wait up to a
 * second, then the alert is dropped, counted and logged. */
#include "engine/engine_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The spool's counters for other threads. */
static void spool_publish(struct vg_engine *e)
{
    vg_store_spool_stats st;
    vg_store_spool_stats_get(e->spool, &st);
    pthread_mutex_lock(&e->qlock);
    e->spool_stats = st;
    pthread_mutex_unlock(&e->qlock);
}

static int spool_pending(const struct vg_engine *e)
{
    vg_store_spool_stats st;
    vg_store_spool_stats_get(e->spool, &st);
    return st.pending;
}

/* Writes the spool to the store, in order, when it holds alerts and the
 * last attempt is a second old (force: now). */
static void spool_flush(struct vg_engine *e, int force)
{
    if (!e->spool || !spool_pending(e) || (!force && vg_engine_now() < e->spool_retry_at))
        return;
    int written = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_spool_flush(e->spool, e->store, &written, &err);
    spool_publish(e);
    if (written) {
        vg_log_line lg;
        vg_log_start(&lg, "spool_written");
        vg_log_fmt(&lg, "alerts", "%d", written);
        vg_log_fmt(&lg, "pending", "%d", e->spool_stats.pending);
        vg_engine_log(e, &lg);
    }
    if (st != VG_OK) {
        if (!e->spool_retry_at || written) {
            vg_log_line lg;
            vg_log_start(&lg, "spool_waiting");
            vg_log_fmt(&lg, "pending", "%d", e->spool_stats.pending);
            vg_log_str(&lg, "reason", err.msg);
            vg_engine_log(e, &lg);
        }
        e->spool_retry_at = vg_engine_now() + 1.0;
    } else {
        e->spool_retry_at = 0;
    }
}

/* Keeps an alert the store cannot take now: its crop only. The spool's
 * records (VGS2) carry no scene snapshot: it would make each record about
 * four times larger (docs/storage.md, measured), and a scene of
 * bystanders, however pixelated, is kept nowhere it does not have to be.
 * The alert is stored later without it, and the dropping is logged. */
static void spool_put(struct vg_engine *e, queued_alert *qa)
{
    if (qa->scene) {
        vg_log_line lg;
        vg_log_start(&lg, "scene_dropped");
        vg_log_str(&lg, "uid", qa->a.alert.uid);
        vg_log_str(&lg, "reason", "the alert goes to the spool, which keeps its face crop only");
        vg_engine_log(e, &lg);
        free(qa->scene);
        qa->scene = NULL;
        qa->a.scene_len = 0;
    }
    int dropped = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_spool_add(e->spool, e->actor, &qa->a.alert, qa->crop, qa->a.crop_len, &dropped, &err);
    spool_publish(e);
    if (st != VG_OK) {
        vg_log_line lg;
        vg_log_start(&lg, "alert_lost");
        vg_log_str(&lg, "uid", qa->a.alert.uid);
        vg_log_fmt(&lg, "reason", "cannot spool: %s", err.msg);
        vg_engine_log(e, &lg);
    } else {
        vg_log_line lg;
        vg_log_start(&lg, "alert_spooled");
        vg_log_str(&lg, "uid", qa->a.alert.uid);
        vg_log_fmt(&lg, "pending", "%d", e->spool_stats.pending);
        vg_engine_log(e, &lg);
    }
    if (dropped) {
        vg_log_line lg;
        vg_log_start(&lg, "spool_full");
        vg_log_str(&lg, "level", "error");
        vg_log_fmt(&lg, "max", "%d", e->spool_stats.max);
        vg_log_fmt(&lg, "dropped_total", "%lld", (long long)e->spool_stats.dropped);
        vg_log_str(&lg, "reason", "the alert spool is full: its oldest alert was dropped to keep the newest");
        vg_engine_log(e, &lg);
    }
    if (!e->spool_retry_at)
        e->spool_retry_at = vg_engine_now() + 1.0;
}

/* uid stored as id: into the ring the live view's marks read. */
static void remember_stored(struct vg_engine *e, const char *uid, int64_t id)
{
    pthread_mutex_lock(&e->qlock);
    int k = e->stored_next;
    snprintf(e->stored[k].uid, sizeof e->stored[k].uid, "%s", uid);
    e->stored[k].id = id;
    e->stored_next = (k + 1) % VG_STORED_RING;
    pthread_mutex_unlock(&e->qlock);
}

int64_t vg_alerts_stored_id(struct vg_engine *e, const char *uid)
{
    int64_t id = 0;
    if (!uid || !*uid)
        return 0;
    pthread_mutex_lock(&e->qlock);
    for (int i = 0; i < VG_STORED_RING && !id; i++)
        if (e->stored[i].id > 0 && !strcmp(e->stored[i].uid, uid))
            id = e->stored[i].id;
    pthread_mutex_unlock(&e->qlock);
    return id;
}

static void deliver(struct vg_engine *e, queued_alert *qa)
{
    vg_engine_alert *a = &qa->a;
    if (e->store) {
        spool_flush(e, 0);
        int spooling = e->spool && spool_pending(e) > 0; /* the database is away: keep the order */
        vg_subject s;
        if (!spooling && vg_store_subject_get(e->store, a->alert.subject_id, &s, NULL) == VG_OK)
            snprintf(a->subject_name, sizeof a->subject_name, "%s", s.name);
        if (e->cfg.deployment_id > 0) {
            vg_err err = {{0}};
            int64_t id = 0;
            vg_status st = spooling ? VG_ERR_IO
                                    : vg_store_alert_add_with_scene(e->store, e->actor, &a->alert, qa->crop,
                                                                    a->crop_len, qa->scene, a->scene_len, &id,
                                                                    &err);
            if ((st == VG_ERR_IO || st == VG_ERR_FULL) && e->spool) {
                if (!spooling) {
                    vg_log_line lg;
                    vg_log_start(&lg, "store_unreachable");
                    vg_log_str(&lg, "uid", a->alert.uid);
                    vg_log_str(&lg, "reason", err.msg);
                    vg_log_str(&lg, "action", e->spool_stats.in_memory ? "hold_in_memory" : "spool");
                    vg_engine_log(e, &lg);
                }
                spool_put(e, qa);
            } else if (st) {
                vg_log_line lg;
                vg_log_start(&lg, "alert_not_stored");
                vg_log_str(&lg, "uid", a->alert.uid);
                vg_log_str(&lg, "reason", err.msg);
                vg_engine_log(e, &lg);
            } else {
                a->alert.id = id;
                remember_stored(e, a->alert.uid, id);
            }
        }
    }
    a->crop = qa->crop;
    a->scene = qa->scene;
    if (!a->scene)
        a->scene_len = 0;
    pthread_mutex_lock(&e->qlock);
    int n = e->n_subs;
    vg_alert_fn fns[VG_ENGINE_SUBSCRIBERS_MAX];
    void *ctx[VG_ENGINE_SUBSCRIBERS_MAX];
    memcpy(fns, e->subs, sizeof fns);
    memcpy(ctx, e->sub_ctx, sizeof ctx);
    pthread_mutex_unlock(&e->qlock);
    for (int i = 0; i < n; i++)
        fns[i](ctx[i], a);
}

static void *alert_thread(void *arg)
{
    struct vg_engine *e = arg;
    for (;;) {
        spool_flush(e, 0);
        pthread_mutex_lock(&e->qlock);
        while (e->qlen == 0 && !e->q_closing) {
            if (e->spool && e->spool_stats.pending > 0) { /* wake within a second to write the spool */
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_nsec += 250000000L;
                if (until.tv_nsec >= 1000000000L) {
                    until.tv_sec++;
                    until.tv_nsec -= 1000000000L;
                }
                if (pthread_cond_timedwait(&e->q_nonempty, &e->qlock, &until) == ETIMEDOUT)
                    break;
            } else {
                pthread_cond_wait(&e->q_nonempty, &e->qlock);
            }
        }
        if (e->qlen == 0 && e->q_closing) {
            pthread_mutex_unlock(&e->qlock);
            spool_flush(e, 1); /* a last try; what stays in a file is written at the next start */
            if (e->spool && e->spool_stats.pending > 0 && e->spool_stats.in_memory) {
                vg_log_line lg;
                vg_log_start(&lg, "alerts_lost");
                vg_log_str(&lg, "level", "error");
                vg_log_fmt(&lg, "count", "%d", (int)e->spool_stats.pending);
                vg_log_str(&lg, "reason",
                           "the store still refuses them at the stop and no spool file is configured ([spool] path)");
                vg_engine_log(e, &lg);
            }
            return NULL;
        }
        if (e->qlen == 0) { /* a timeout: try the spool again */
            pthread_mutex_unlock(&e->qlock);
            continue;
        }
        queued_alert qa = e->q[e->qhead];
        e->qhead = (e->qhead + 1) % e->qcap;
        e->qlen--;
        pthread_cond_signal(&e->q_nonfull);
        pthread_mutex_unlock(&e->qlock);
        deliver(e, &qa);
        free(qa.crop);
        free(qa.scene);
    }
}

void vg_alerts_init(struct vg_engine *e)
{
    pthread_mutex_init(&e->qlock, NULL);
    pthread_cond_init(&e->q_nonempty, NULL);
    pthread_cond_init(&e->q_nonfull, NULL);
}

vg_status vg_engine_subscribe(vg_engine *e, vg_alert_fn fn, void *ctx)
{
    pthread_mutex_lock(&e->qlock);
    vg_status st = VG_OK;
    if (e->n_subs == VG_ENGINE_SUBSCRIBERS_MAX) {
        st = VG_ERR_LIMIT;
    } else {
        e->subs[e->n_subs] = fn;
        e->sub_ctx[e->n_subs++] = ctx;
    }
    pthread_mutex_unlock(&e->qlock);
    return st;
}

vg_status vg_alerts_start(struct vg_engine *e, vg_err *err)
{
    e->qcap = e->cfg.alert_queue > 0 ? e->cfg.alert_queue : 256;
    e->q = calloc((size_t)e->qcap, sizeof *e->q);
    if (!e->q)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    /* a spool file where one is configured (best on another filesystem
     * than the database), else the same bounded queue in memory */
    if (e->store && e->cfg.deployment_id > 0) {
        vg_status st = vg_store_spool_open(e->store, e->cfg.spool_path[0] ? e->cfg.spool_path : NULL,
                                           e->cfg.spool_max > 0 ? e->cfg.spool_max : 10000, &e->spool, err);
        if (st != VG_OK)
            return st;
        spool_publish(e);
        if (e->spool_stats.pending) {
            vg_log_line lg;
            vg_log_start(&lg, "spool_found");
            vg_log_fmt(&lg, "pending", "%d", e->spool_stats.pending);
            vg_log_str(&lg, "note", "alerts from before a restart, written first");
            vg_engine_log(e, &lg);
        }
    }
    if (pthread_create(&e->q_thread, NULL, alert_thread, e) != 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot start the alert thread");
    e->q_thread_started = 1;
    return VG_OK;
}

void vg_alerts_push(struct vg_engine *e, queued_alert *qa)
{
    pthread_mutex_lock(&e->qlock);
    if (e->qlen == e->qcap) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (e->qlen == e->qcap && !e->q_closing)
            if (pthread_cond_timedwait(&e->q_nonfull, &e->qlock, &until) == ETIMEDOUT)
                break;
    }
    if (e->qlen == e->qcap || e->q_closing) {
        e->q_dropped++;
        pthread_mutex_unlock(&e->qlock);
        {
            vg_log_line lg;
            vg_log_start(&lg, "alert_dropped");
            vg_log_str(&lg, "reason", "alert queue full");
            vg_log_str(&lg, "camera", qa->a.alert.camera);
            vg_log_fmt(&lg, "subject", "%lld", (long long)qa->a.alert.subject_id);
            vg_engine_log(e, &lg);
        }
        free(qa->crop);
        free(qa->scene);
        return;
    }
    e->q[(e->qhead + e->qlen) % e->qcap] = *qa;
    e->qlen++;
    if (e->n_latency == e->cap_latency) {
        int cap = e->cap_latency ? 2 * e->cap_latency : 64;
        double *l = cap <= 1000000 ? realloc(e->latency, (size_t)cap * sizeof *l) : NULL;
        if (l) {
            e->latency = l;
            e->cap_latency = cap;
        }
    }
    if (e->n_latency < e->cap_latency)
        e->latency[e->n_latency++] = qa->a.latency_ms;
    pthread_cond_signal(&e->q_nonempty);
    pthread_mutex_unlock(&e->qlock);
}

void vg_alerts_stop(struct vg_engine *e)
{
    if (!e->q_thread_started)
        return;
    pthread_mutex_lock(&e->qlock);
    e->q_closing = 1;
    pthread_cond_broadcast(&e->q_nonempty);
    pthread_cond_broadcast(&e->q_nonfull);
    pthread_mutex_unlock(&e->qlock);
    pthread_join(e->q_thread, NULL);
    e->q_thread_started = 0;
}

void vg_alerts_free(struct vg_engine *e)
{
    vg_store_spool_close(e->spool);
    e->spool = NULL;
    free(e->q);
    e->q = NULL;
    free(e->latency);
    e->latency = NULL;
    pthread_mutex_destroy(&e->qlock);
    pthread_cond_destroy(&e->q_nonempty);
    pthread_cond_destroy(&e->q_nonfull);
}

void vg_engine_spool_stats(vg_engine *e, vg_store_spool_stats *out)
{
    pthread_mutex_lock(&e->qlock);
    *out = e->spool_stats;
    pthread_mutex_unlock(&e->qlock);
}

int64_t vg_engine_alerts_dropped(vg_engine *e)
{
    pthread_mutex_lock(&e->qlock);
    int64_t n = e->q_dropped;
    pthread_mutex_unlock(&e->qlock);
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void vg_engine_latency_histogram(vg_engine *e, const double *le_ms, int n, int64_t *counts, double *sum_ms,
                                 int64_t *total)
{
    for (int i = 0; i < n; i++)
        counts[i] = 0;
    *sum_ms = 0;
    pthread_mutex_lock(&e->qlock);
    *total = e->n_latency;
    for (int k = 0; k < e->n_latency; k++) {
        double v = e->latency[k];
        *sum_ms += v;
        for (int i = 0; i < n; i++)
            if (v <= le_ms[i])
                counts[i]++;
    }
    pthread_mutex_unlock(&e->qlock);
}

double vg_engine_latency_ms(vg_engine *e, double percentile)
{
    pthread_mutex_lock(&e->qlock);
    int n = e->n_latency;
    double *copy = n ? malloc((size_t)n * sizeof *copy) : NULL;
    if (copy)
        memcpy(copy, e->latency, (size_t)n * sizeof *copy);
    pthread_mutex_unlock(&e->qlock);
    if (!copy)
        return -1;
    qsort(copy, (size_t)n, sizeof *copy, cmp_double);
    int k = (int)(percentile / 100.0 * (n - 1) + 0.5);
    k = k < 0 ? 0 : k >= n ? n - 1 : k;
    double v = copy[k];
    free(copy);
    return v;
}
