/* conn_guard.c — a deadline for the whole request head. libmicrohttpd's
 * connection timeout is an idle timeout: a client sending one header line
 * every few seconds would hold its connection (and, with a thread per
 * connection, a thread) for ever. Every connection is registered here when
 * it opens (MHD_OPTION_NOTIFY_CONNECTION); the head is "in progress" from
 * then, and again after each answered request (keep-alive), until the
 * request handler first sees it. A watchdog thread shuts down the socket
 * of any connection whose head has taken longer than the deadline: the
 * connection's thread then sees the end of the input and closes it. The
 * per-address connection cap is libmicrohttpd's own
 * (MHD_OPTION_PER_IP_CONNECTION_LIMIT, set in server.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server/server_internal.h"

struct vg_conn {
    int fd;
    int in_head;      /* 1 while the head of a request is being read */
    double since;     /* when that head began (monotonic seconds) */
    vg_conn *prev, *next;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *watchdog(void *arg)
{
    vg_conn_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &until);
        double now = mono();
        for (vg_conn *c = g->head; c; c = c->next)
            if (c->in_head && now - c->since > g->deadline_s) {
                /* the fd is open: it is closed only after the CLOSED
                 * notification, which takes this mutex first */
                shutdown(c->fd, SHUT_RDWR);
                c->in_head = 0;
                atomic_fetch_add(&g->cut, 1);
            }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

vg_status vg_conn_guard_start(vg_conn_guard *g, double deadline_s, vg_err *err)
{
    memset(g, 0, sizeof *g);
    g->deadline_s = deadline_s;
    atomic_init(&g->cut, 0);
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        return vg_err_set(err, VG_ERR_IO, "cannot start the request-head watchdog: %s", strerror(errno));
    }
    g->running = 1;
    return VG_OK;
}

void vg_conn_guard_stop(vg_conn_guard *g)
{
    if (!g->running)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    for (vg_conn *c = g->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    g->head = NULL;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    g->running = 0;
}

void vg_conn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    vg_conn_guard *g = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        vg_conn *c = calloc(1, sizeof *c);
        *socket_context = c;
        if (!c)
            return; /* out of memory: this connection goes unguarded, the idle timeout still holds */
        if (!ci) {
            c->fd = -1; /* not listed */
            return;
        }
        c->fd = ci->connect_fd;
        c->in_head = 1;
        c->since = mono();
        pthread_mutex_lock(&g->mu);
        c->next = g->head;
        if (g->head)
            g->head->prev = c;
        g->head = c;
        pthread_mutex_unlock(&g->mu);
        return;
    }
    vg_conn *c = *socket_context;
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    if (c->fd >= 0) {
        if (c->prev)
            c->prev->next = c->next;
        else if (g->head == c)
            g->head = c->next;
        if (c->next)
            c->next->prev = c->prev;
    }
    pthread_mutex_unlock(&g->mu);
    free(c);
    *socket_context = NULL;
}

static vg_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void vg_conn_guard_head_done(vg_conn_guard *g, struct MHD_Connection *conn)
{
    vg_conn *c = conn_of(conn);
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    c->in_head = 0;
    pthread_mutex_unlock(&g->mu);
}

void vg_conn_guard_request_done(vg_conn_guard *g, struct MHD_Connection *conn)
{
    vg_conn *c = conn_of(conn);
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    c->in_head = 1;
    c->since = mono();
    pthread_mutex_unlock(&g->mu);
}
