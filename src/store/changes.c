/* changes.c — vg_store_changes_*: a subscription to the changes other
 * nodes commit to a shared store (watch lists, new alerts), for the engine
 * and the server to reload just what changed.
 *
 * One thread with a connection of its own (the backend's listen_open; a
 * vg_store connection belongs to one thread and is busy with writes). It
 * waits on the backend at most 200 ms at a time, so that stop() returns
 * quickly. When the connection is lost (a restarted database) it opens
 * another every second, and once listening again tells the subscriber
 * VG_STORE_CHANGE_RESYNC: what was committed meanwhile was not heard. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"

#define WAIT_MS 200
#define BATCH 64

struct vg_store_changes {
    const vg_store_backend *be;
    char path[VG_STORE_PATH_MAX]; /* may hold a password: zeroed on stop */
    vg_store_conn *conn;          /* the thread's once started; NULL while reconnecting */
    vg_store_change_fn fn;
    void *ctx;
    pthread_t thread;
    atomic_int stop;
};

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *listen_thread(void *arg)
{
    vg_store_changes *c = arg;
    vg_store_change batch[BATCH];
    while (!atomic_load(&c->stop)) {
        if (!c->conn) {
            vg_err err = {{0}};
            if (c->be->listen_open(c->path, &c->conn, &err) != VG_OK) {
                for (int i = 0; i < 1000 / WAIT_MS && !atomic_load(&c->stop); i++)
                    pause_ms(WAIT_MS);
                continue;
            }
            vg_store_change r = {VG_STORE_CHANGE_RESYNC, 0};
            c->fn(c->ctx, &r);
        }
        int n = 0;
        vg_err err = {{0}};
        if (c->be->listen_wait(c->conn, WAIT_MS, batch, BATCH, &n, &err) != VG_OK) {
            c->be->close(c->conn);
            c->conn = NULL;
            continue;
        }
        for (int i = 0; i < n; i++)
            c->fn(c->ctx, &batch[i]);
    }
    return NULL;
}

vg_status vg_store_changes_start(const vg_store *s, vg_store_change_fn fn, void *ctx,
                                 vg_store_changes **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_changes_start: out is NULL");
    *out = NULL;
    if (!s || !fn)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_changes_start: NULL argument");
    if (!s->be->listen_open || !s->be->listen_wait)
        return vg_err_set(err, VG_ERR_UNSUPPORTED,
                          "%s: the %s store is on one machine and has no change notifications",
                          s->name, s->be->name);
    vg_store_changes *c = calloc(1, sizeof *c);
    if (!c)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory subscribing to changes");
    c->be = s->be;
    c->fn = fn;
    c->ctx = ctx;
    snprintf(c->path, sizeof c->path, "%s", s->path);
    vg_status st = c->be->listen_open(c->path, &c->conn, err);
    if (st == VG_OK && pthread_create(&c->thread, NULL, listen_thread, c) != 0)
        st = vg_err_set(err, VG_ERR_INTERNAL, "cannot start the change listener thread");
    if (st != VG_OK) {
        if (c->conn)
            c->be->close(c->conn);
        memset(c->path, 0, sizeof c->path);
        free(c);
        return st;
    }
    *out = c;
    return VG_OK;
}

void vg_store_changes_stop(vg_store_changes *c)
{
    if (!c)
        return;
    atomic_store(&c->stop, 1);
    pthread_join(c->thread, NULL);
    if (c->conn)
        c->be->close(c->conn);
    memset(c->path, 0, sizeof c->path);
    free(c);
}
