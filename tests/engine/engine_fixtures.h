/* engine_fixtures.h — what the engine tests share: a temporary store with a
 * watch list, enrolment from files with given gate limits, and a log
 * callback that keeps every line for the test to inspect. */
#ifndef VG_ENGINE_FIXTURES_H
#define VG_ENGINE_FIXTURES_H

#include "vg_test.h"

#include <pthread.h>
#include <unistd.h>

#include "vigil/engine.h"

typedef struct log_capture {
    pthread_mutex_t lock;
    char **lines;
    int n, cap;
} log_capture;

static inline void capture_line(void *ctx, const char *line)
{
    log_capture *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 64;
        char **l = realloc(c->lines, (size_t)cap * sizeof *l);
        if (l) {
            c->lines = l;
            c->cap = cap;
        }
    }
    if (c->n < c->cap)
        c->lines[c->n++] = strdup(line);
    pthread_mutex_unlock(&c->lock);
}

static inline void capture_free(log_capture *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->lines[i]);
    free(c->lines);
}

typedef struct alert_capture {
    pthread_mutex_t lock;
    int n;
    int64_t subjects[256];
    double latency[256];
} alert_capture;

static inline void capture_alert(void *ctx, const vg_engine_alert *a)
{
    alert_capture *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (c->n < 256) {
        c->subjects[c->n] = a->alert.subject_id;
        c->latency[c->n] = a->latency_ms;
    }
    c->n++;
    pthread_mutex_unlock(&c->lock);
}

/* A store in a new temporary directory, with one watch list. */
static inline vg_store *temp_store(char *dir, size_t dirlen, int64_t *wid)
{
    snprintf(dir, dirlen, "/tmp/vg_engine_XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    char db[300];
    snprintf(db, sizeof db, "%s/vigil.db", dir);
    vg_store_options so = {.path = db};
    vg_store *s = NULL;
    vg_err err;
    if (vg_store_open(&so, &s, &err) != VG_OK) {
        fprintf(stderr, "store: %s\n", err.msg);
        return NULL;
    }
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "test");
    snprintf(w.reason, sizeof w.reason, "test");
    snprintf(w.authorised_by, sizeof w.authorised_by, "test");
    if (vg_store_watchlist_create(s, "test", &w, wid, &err) != VG_OK) {
        vg_store_close(s);
        return NULL;
    }
    return s;
}

static inline void remove_dir(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
