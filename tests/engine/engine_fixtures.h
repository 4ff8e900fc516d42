/* engine_fixtures.h — what the engine tests share: a temporary store with a
 * watch list, person_A enrolled from a frame of asl/again.mkv, and a log
 * callback that keeps every line for the test to inspect. */
#ifndef VG_ENGINE_FIXTURES_H
#define VG_ENGINE_FIXTURES_H

#include "vg_test.h"

#include <pthread.h>
#include <unistd.h>

#include "vigil/engine.h"
#include "vigil/watchlist.h"

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

/* person_A: frame 30 of asl/again.mkv (written to dir/a.png with the FFmpeg
 * command) enrolled on list wid as the first face, with the gate's
 * sharpness floor at 5 (the clip is soft). The clips asl/yes.mkv and
 * asl/again.mkv then alert on her. */
static inline vg_status enrol_person_a(const vg_face_pack *pack, vg_store *store, int64_t wid, const char *dir,
                                       int64_t *sid, vg_err *err)
{
    char clip[1024], png[600], cmd[1800];
    if (!vg_test_data(clip, sizeof clip, "video/asl/again.mkv"))
        return vg_err_set(err, VG_ERR_NOT_FOUND, "asl/again.mkv is not in the test data");
    snprintf(png, sizeof png, "%s/a.png", dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -vf 'select=eq(n\\,30)' -vframes 1 '%s'", clip, png);
    if (system(cmd) != 0)
        return vg_err_set(err, VG_ERR_IO, "ffmpeg could not take frame 30 of %s", clip);
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wid;
    snprintf(s.name, sizeof s.name, "person_A");
    snprintf(s.reason, sizeof s.reason, "test");
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.face_index = 0;
    opt.gate.min_sharpness = 5;
    const char *photos[1] = {png};
    return vg_enrol(pack, store, "test", &s, photos, 1, &opt, sid, err);
}

static inline void remove_dir(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
