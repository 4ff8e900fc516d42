/* alerts.c — the engine's bounded alert queue and the one thread that takes
 * alerts from it in order: stores each (when the engine has a store and a
 * deployment), looks up the subject's name, and hands it to the
 * subscribers. Nothing waits without bound: a full queue makes a worker wait
 * up to a second, then the alert is dropped, counted and logged. */
#include "engine/engine_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void deliver(struct vg_engine *e, queued_alert *qa)
{
    vg_engine_alert *a = &qa->a;
    if (e->store) {
        vg_subject s;
        if (vg_store_subject_get(e->store, a->alert.subject_id, &s, NULL) == VG_OK)
            snprintf(a->subject_name, sizeof a->subject_name, "%s", s.name);
        if (e->cfg.deployment_id > 0) {
            vg_err err = {{0}};
            int64_t id = 0;
            vg_status st = vg_store_alert_add(e->store, e->actor, &a->alert, qa->crop, a->crop_len, &id, &err);
            if (st)
                vg_engine_log(e, "event=alert_not_stored uid=%s reason=\"%s\"", a->alert.uid, err.msg);
            else
                a->alert.id = id;
        }
    }
    a->crop = qa->crop;
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
        pthread_mutex_lock(&e->qlock);
        while (e->qlen == 0 && !e->q_closing)
            pthread_cond_wait(&e->q_nonempty, &e->qlock);
        if (e->qlen == 0 && e->q_closing) {
            pthread_mutex_unlock(&e->qlock);
            return NULL;
        }
        queued_alert qa = e->q[e->qhead];
        e->qhead = (e->qhead + 1) % e->qcap;
        e->qlen--;
        pthread_cond_signal(&e->q_nonfull);
        pthread_mutex_unlock(&e->qlock);
        deliver(e, &qa);
        free(qa.crop);
    }
}

vg_status vg_alerts_start(struct vg_engine *e, vg_err *err)
{
    e->qcap = e->cfg.alert_queue > 0 ? e->cfg.alert_queue : 256;
    e->q = calloc((size_t)e->qcap, sizeof *e->q);
    if (!e->q)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
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
        vg_engine_log(e, "event=alert_dropped reason=\"alert queue full\" camera=%s subject=%lld",
                      qa->a.alert.camera, (long long)qa->a.alert.subject_id);
        free(qa->crop);
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
