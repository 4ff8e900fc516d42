/* checkpoints.c — `vigil serve` and `vigil run` sign the audit chain's head
 * by themselves ([audit] checkpoint_interval of the config): at the start,
 * every interval and at the stop, exported like `vigil audit checkpoint`
 * does (an append-only file, syslog), so that no timer outside vigil is
 * needed. A checkpoint is made also when the chain has not moved since the
 * last: the lines are then a heartbeat too, and a gap in them shows when
 * vigil was not running or its exports did not arrive. */
#include "cli/checkpoints.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run_shared.h"
#include "vigil/checkpoint.h"
#include "vigil/log.h"
#include "vigil/store.h"

struct vg_cli_checkpoints {
    vg_store *store; /* the thread's own connection */
    char key_path[4200];
    vg_checkpoint_options o;
    int interval;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

const char *vg_cli_sign_key_path(const vg_cli *cli, const char *given, char *buf, size_t cap)
{
    if (given && *given)
        return given;
    const char *k = getenv("VIGIL_SIGN_KEY");
    if (k && *k)
        return k;
    const char *db = cli->db && *cli->db ? cli->db : "vigil.db";
    if (strstr(db, "://"))
        return NULL;
    int n = snprintf(buf, cap, "%s.sign.key", db);
    return n > 0 && (size_t)n < cap ? buf : NULL;
}

/* One checkpoint, logged; VG_ERR_NOT_FOUND (an empty chain) logged as
 * skipped and returned as VG_OK. */
static vg_status checkpoint(vg_cli_checkpoints *c, const char *when, vg_err *err)
{
    vg_checkpoint cp;
    vg_err e = {{0}};
    vg_status st = vg_store_audit_checkpoint(c->store, &c->o, &cp, &e);
    vg_log_line l;
    if (st == VG_ERR_NOT_FOUND) {
        vg_log_start(&l, "audit_checkpoint_skipped");
        vg_log_str(&l, "when", when);
        vg_log_str(&l, "reason", "the audit chain is empty");
        vg_cli_log_line(NULL, l.buf);
        return VG_OK;
    }
    if (st != VG_OK) {
        vg_log_start(&l, "audit_checkpoint_failed");
        vg_log_str(&l, "level", "error");
        vg_log_str(&l, "when", when);
        if (cp.sig[0]) /* made, not written everywhere */
            vg_log_fmt(&l, "seq", "%lld", (long long)cp.seq);
        vg_log_str(&l, "reason", e.msg);
        vg_cli_log_line(NULL, l.buf);
        if (err)
            *err = e;
        return st;
    }
    vg_log_start(&l, "audit_checkpoint");
    vg_log_str(&l, "when", when);
    vg_log_fmt(&l, "seq", "%lld", (long long)cp.seq);
    vg_log_str(&l, "hash", cp.hash);
    vg_log_str(&l, "key", cp.key);
    vg_cli_log_line(NULL, l.buf);
    return VG_OK;
}

static void *run(void *arg)
{
    vg_cli_checkpoints *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += c->interval;
        int rc = 0;
        while (!c->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&c->wake, &c->lock, &until);
        if (c->stop)
            break;
        pthread_mutex_unlock(&c->lock);
        checkpoint(c, "interval", NULL);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    checkpoint(c, "stop", NULL);
    return NULL;
}

static void release(vg_cli_checkpoints *c)
{
    vg_store_close(c->store);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

vg_status vg_cli_checkpoints_start(const vg_cli *cli, const vg_server_settings *set,
                                   vg_cli_checkpoints **out, vg_err *err)
{
    *out = NULL;
    if (set->checkpoint_interval <= 0)
        return VG_OK;
    vg_cli_checkpoints *c = calloc(1, sizeof *c);
    if (!c)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory starting the audit checkpoints");
    const char *kp = vg_cli_sign_key_path(cli, set->sign_key, c->key_path, sizeof c->key_path);
    if (kp != c->key_path && kp)
        snprintf(c->key_path, sizeof c->key_path, "%s", kp);
    c->interval = set->checkpoint_interval;
    c->o.key_path = c->key_path;
    c->o.file = set->checkpoint_file[0] ? set->checkpoint_file : NULL;
    c->o.syslog = set->checkpoint_syslog[0] ? set->checkpoint_syslog : NULL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&c->lock, NULL);
    vg_status st = kp ? VG_OK
                      : vg_err_set(err, VG_ERR_INVALID,
                                   "[audit] checkpoint_interval: a PostgreSQL database needs its checkpoint "
                                   "signing key named ([audit] sign_key or VIGIL_SIGN_KEY)");
    if (st == VG_OK)
        st = vg_cli_open_store(cli, &c->store, err);
    if (st == VG_OK) /* whatever cannot be used stops the start */
        st = checkpoint(c, "start", err);
    if (st == VG_OK && pthread_create(&c->thread, NULL, run, c) != 0)
        st = vg_err_set(err, VG_ERR_INTERNAL, "cannot start the audit checkpoint thread");
    if (st != VG_OK) {
        release(c);
        return vg_err_prefix(err, st, "audit checkpoints");
    }
    *out = c;
    return VG_OK;
}

void vg_cli_checkpoints_stop(vg_cli_checkpoints *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stop = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    release(c);
}
