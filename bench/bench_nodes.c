/* bench_nodes.c — the shared store (issue 7), on a PostgreSQL server of the
 * benchmark's own beside a SQLite file, in the same run:
 *  - sustained alerts per second written through the store API by three
 *    writer processes at once (each its own connection, as three nodes),
 *    and by one (a single node);
 *  - watch-list change propagation: an enrolment committed on one
 *    connection until a listener on another hears it (LISTEN/NOTIFY), and
 *    until that listener has reloaded the list's gallery, p50/p99;
 *  - the time to load (reload) the gallery of a list of 10 000 templates.
 * SQLite has no notifications (one machine): its propagation figures are
 * null. The server: tests/store/with_postgres.sh (initdb in a temporary
 * directory) with VIGIL_PG_DURABLE=1, so fsync on, each commit flushed
 * like SQLite's synchronous=FULL; `vg_bench nodes` runs this part alone. Writers are this program again (`vg_bench nodes-writer ...`). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

#define DIM 512
#define MODEL "fr_feature.onnx:1111111111111111111111111111111111111111111111111111111111111111"
#define WRITERS 3
#define ALERTS_PER_WRITER 400
#define CROP_LEN 8000 /* about a face crop's JPEG */
#define PROPAGATIONS 100
#define GALLERY_SUBJECTS 1000
#define GALLERY_PHOTOS 10 /* 10 000 templates */

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint8_t *fake_jpeg(uint64_t seed, size_t len)
{
    uint8_t *b = malloc(len);
    if (!b)
        return NULL;
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)rng(&seed);
    b[0] = 0xff, b[1] = 0xd8, b[2] = 0xff;
    return b;
}

static void unit_vec(uint64_t seed, float *v)
{
    double n = 0;
    seed += 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < DIM; i++) {
        v[i] = (float)((double)(rng(&seed) >> 11) / 9007199254740992.0 - 0.5);
        n += (double)v[i] * v[i];
    }
    for (int i = 0; i < DIM; i++)
        v[i] = (float)(v[i] / sqrt(n));
}

static vg_status open_store(const char *db, const char *key, vg_store **s, vg_err *err)
{
    vg_store_options o = {.path = db, .key_path = key};
    return vg_store_open(&o, s, err);
}

/* Enrols `subjects` subjects of `photos` synthetic templates each. */
static vg_status enrol_many(vg_store *s, int64_t wl, int subjects, int photos, uint64_t seed0,
                            vg_err *err)
{
    static float vec[GALLERY_PHOTOS][DIM];
    vg_enrolment e[GALLERY_PHOTOS];
    uint8_t *jpeg = fake_jpeg(seed0, 1500);
    if (!jpeg)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && i < subjects; i++) {
        for (int k = 0; k < photos; k++) {
            unit_vec(seed0 + (uint64_t)i * 64 + (uint64_t)k, vec[k]);
            e[k] = (vg_enrolment){.vec = vec[k], .dim = DIM, .quality = 0.6f, .jpeg = jpeg,
                                  .jpeg_len = 1500};
        }
        vg_subject sub;
        memset(&sub, 0, sizeof sub);
        sub.watchlist_id = wl;
        snprintf(sub.name, sizeof sub.name, "Subject %llu-%d", (unsigned long long)seed0, i);
        snprintf(sub.reason, sizeof sub.reason, "benchmark");
        snprintf(sub.category, sizeof sub.category, "wanted");
        snprintf(sub.source, sizeof sub.source, "benchmark");
        st = vg_store_subject_add(s, "bench", &sub, MODEL, e, photos, NULL, err);
    }
    free(jpeg);
    return st;
}

/* A database with a list, a subject on it and a deployment; *dep, *subject. */
static vg_status prepare(const char *db, const char *key, int64_t *wl, int64_t *dep,
                         int64_t *subject, vg_err *err)
{
    vg_store *s = NULL;
    vg_status st = open_store(db, key, &s, err);
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "bench");
    snprintf(w.reason, sizeof w.reason, "benchmark");
    snprintf(w.authorised_by, sizeof w.authorised_by, "benchmark");
    if (st == VG_OK)
        st = vg_store_watchlist_create(s, "bench", &w, wl, err);
    if (st == VG_OK)
        st = enrol_many(s, *wl, 1, 1, 1, err);
    vg_subject *subs = NULL;
    int n = 0;
    if (st == VG_OK)
        st = vg_store_subject_list(s, *wl, &subs, &n, err);
    if (st == VG_OK)
        *subject = subs[0].id;
    vg_store_subject_free(subs);
    vg_deployment *d = calloc(1, sizeof *d);
    if (st == VG_OK && d) {
        snprintf(d->name, sizeof d->name, "bench");
        d->watchlist_id = *wl;
        snprintf(d->location, sizeof d->location, "benchmark");
        d->n_cameras = 1;
        snprintf(d->cameras[0], sizeof d->cameras[0], "rtsp://cam.example/stream");
        d->starts_at = 0;
        d->ends_at = 4102444800LL;
        snprintf(d->authorised_by, sizeof d->authorised_by, "benchmark");
        d->signage_confirmed = 1;
        st = vg_store_deployment_create(s, "bench", d, dep, err);
    }
    free(d);
    vg_store_close(s);
    return st;
}

/* `vg_bench nodes-writer DB KEY DEPLOYMENT SUBJECT N TAG`: writes N alerts,
 * prints the milliseconds it took. */
int vg_bench_nodes_writer(int argc, char **argv)
{
    if (argc != 8)
        return 2;
    vg_store *s = NULL;
    vg_err err = {{0}};
    if (open_store(argv[2], argv[3], &s, &err) != VG_OK) {
        fprintf(stderr, "writer: %s\n", err.msg);
        return 1;
    }
    int n = atoi(argv[6]);
    uint8_t *crop = fake_jpeg(7, CROP_LEN);
    double t0 = vg_bench_now_ms();
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && i < n; i++) {
        vg_alert a;
        memset(&a, 0, sizeof a);
        a.deployment_id = atoll(argv[4]);
        a.subject_id = atoll(argv[5]);
        snprintf(a.camera, sizeof a.camera, "camera%s", argv[7]);
        a.score = 0.7f;
        a.frame_time = a.raised_at = 1.8e9 + i;
        snprintf(a.uid, sizeof a.uid, "w%s-%d-%d", argv[7], (int)getpid(), i);
        st = vg_store_alert_add(s, "bench", &a, crop, CROP_LEN, NULL, &err);
    }
    double ms = vg_bench_now_ms() - t0;
    free(crop);
    vg_store_close(s);
    if (st != VG_OK) {
        fprintf(stderr, "writer: %s\n", err.msg);
        return 1;
    }
    printf("%.3f\n", ms);
    return 0;
}

/* Alerts per second of `writers` processes writing at once. */
static double alerts_per_s(const char *self, const char *db, const char *key, int64_t dep,
                           int64_t subject, int writers)
{
    FILE *p[WRITERS];
    char cmd[2048];
    double t0 = vg_bench_now_ms();
    for (int i = 0; i < writers; i++) {
        snprintf(cmd, sizeof cmd, "'%s' nodes-writer '%s' '%s' %lld %lld %d %d", self, db, key,
                 (long long)dep, (long long)subject, ALERTS_PER_WRITER, i + 1);
        p[i] = popen(cmd, "r");
    }
    int ok = 1;
    for (int i = 0; i < writers; i++) {
        double ms = 0;
        if (!p[i] || fscanf(p[i], "%lf", &ms) != 1)
            ok = 0;
        if (p[i] && pclose(p[i]) != 0)
            ok = 0;
    }
    double wall = vg_bench_now_ms() - t0; /* includes each process's start and store open */
    return ok ? writers * ALERTS_PER_WRITER / (wall / 1e3) : -1;
}

typedef struct listener {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int64_t want; /* the list whose change is awaited */
    double heard_ms, reloaded_ms;
    int done;
    const char *db, *key;
    vg_store *store; /* for reloads, the listener thread's */
} listener;

static void on_change(void *ctx, const vg_store_change *c)
{
    listener *l = ctx;
    if (c->kind != VG_STORE_CHANGE_WATCHLIST)
        return;
    double heard = vg_bench_now_ms();
    pthread_mutex_lock(&l->lock);
    int64_t want = l->want;
    pthread_mutex_unlock(&l->lock);
    if (c->id != want)
        return;
    vg_watch_gallery *g = NULL;
    vg_err err = {{0}};
    if (l->store)
        vg_watch_gallery_load(l->store, "bench", "benchmark: reload after a change", c->id, MODEL, 0,
                              &g, &err);
    double reloaded = vg_bench_now_ms();
    vg_watch_gallery_free(g);
    pthread_mutex_lock(&l->lock);
    l->heard_ms = heard;
    l->reloaded_ms = reloaded;
    l->done = 1;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, vg_bench_cmp_double);
    int k = (int)ceil(p / 100.0 * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Enrolments on one connection heard (and reloaded) on another. */
static void propagation(FILE *out, const char *db, const char *key, int64_t wl)
{
    vg_store *writer = NULL, *anchor = NULL;
    vg_err err = {{0}};
    listener l = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .want = wl};
    vg_store_changes *ch = NULL;
    if (open_store(db, key, &writer, &err) || open_store(db, key, &anchor, &err) ||
        open_store(db, key, &l.store, &err) ||
        vg_store_changes_start(anchor, on_change, &l, &ch, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        goto done;
    }
    static double heard[PROPAGATIONS], reloaded[PROPAGATIONS];
    int n = 0;
    for (int i = 0; i < PROPAGATIONS; i++) {
        pthread_mutex_lock(&l.lock);
        l.done = 0;
        pthread_mutex_unlock(&l.lock);
        double t0 = vg_bench_now_ms();
        if (enrol_many(writer, wl, 1, 1, 1000 + (uint64_t)i, &err) != VG_OK)
            break;
        pthread_mutex_lock(&l.lock);
        while (!l.done && vg_bench_now_ms() - t0 < 5000) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50000000L;
            if (ts.tv_nsec >= 1000000000L)
                ts.tv_sec++, ts.tv_nsec -= 1000000000L;
            pthread_cond_timedwait(&l.cond, &l.lock, &ts);
        }
        if (l.done) {
            heard[n] = l.heard_ms - t0;
            reloaded[n] = l.reloaded_ms - t0;
            n++;
        }
        pthread_mutex_unlock(&l.lock);
    }
    if (n == 0) {
        fprintf(out, "{\"error\":\"no change heard: %s\"}", err.msg);
        goto done;
    }
    fprintf(out,
            "{\"changes\":%d,\"heard\":%d,\"heard_ms_p50\":%.2f,\"heard_ms_p99\":%.2f,"
            "\"reloaded_ms_p50\":%.2f,\"reloaded_ms_p99\":%.2f,\"list_subjects_at_end\":%d,"
            "\"note\":\"from the start of the enrolling transaction on one connection until a "
            "listener on another has heard it, and has reloaded that list's gallery\"}",
            PROPAGATIONS, n, pct(heard, n, 50), pct(heard, n, 99), pct(reloaded, n, 50),
            pct(reloaded, n, 99), n + 1);
done:
    vg_store_changes_stop(ch);
    vg_store_close(l.store);
    vg_store_close(anchor);
    vg_store_close(writer);
}

/* The load of a 10 000-template list's gallery (median of 5). */
static void reload_10k(FILE *out, const char *db, const char *key)
{
    vg_store *s = NULL;
    vg_err err = {{0}};
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "big");
    snprintf(w.reason, sizeof w.reason, "benchmark");
    snprintf(w.authorised_by, sizeof w.authorised_by, "benchmark");
    int64_t wl = 0;
    double t0 = vg_bench_now_ms();
    if (open_store(db, key, &s, &err) || vg_store_watchlist_create(s, "bench", &w, &wl, &err) ||
        enrol_many(s, wl, GALLERY_SUBJECTS, GALLERY_PHOTOS, 50000, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        vg_store_close(s);
        return;
    }
    double enrol_s = (vg_bench_now_ms() - t0) / 1e3;
    double ms[5];
    int templates = 0;
    for (int i = 0; i < 5; i++) {
        vg_watch_gallery *g = NULL;
        double t = vg_bench_now_ms();
        if (vg_watch_gallery_load(s, "bench", "benchmark", wl, MODEL, 0, &g, &err) != VG_OK) {
            fprintf(out, "{\"error\":\"%s\"}", err.msg);
            vg_store_close(s);
            return;
        }
        ms[i] = vg_bench_now_ms() - t;
        templates = vg_watch_gallery_templates(g);
        vg_watch_gallery_free(g);
    }
    fprintf(out,
            "{\"templates\":%d,\"subjects\":%d,\"reload_ms_median\":%.1f,"
            "\"enrolled_per_s\":%.1f}",
            templates, GALLERY_SUBJECTS, vg_bench_median(ms, 5),
            GALLERY_SUBJECTS / (enrol_s > 0 ? enrol_s : 1));
    vg_store_close(s);
}

static void one_backend(FILE *out, const char *self, const char *db, const char *key, int shared)
{
    int64_t wl = 0, dep = 0, subject = 0;
    vg_err err = {{0}};
    if (prepare(db, key, &wl, &dep, &subject, &err) != VG_OK) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        return;
    }
    double one = alerts_per_s(self, db, key, dep, subject, 1);
    double three = alerts_per_s(self, db, key, dep, subject, WRITERS);
    fprintf(out, "{\"alerts_per_s_1_writer\":%.1f,\"alerts_per_s_3_writers\":%.1f,", one, three);
    fprintf(out, "\"alert_crop_bytes\":%d,\"propagation\":", CROP_LEN);
    if (shared)
        propagation(out, db, key, wl);
    else
        fprintf(out, "null");
    fprintf(out, ",\"gallery_10k\":");
    reload_10k(out, db, key);
    fprintf(out, "}");
}

/* Inside with_postgres.sh: both backends. */
int vg_bench_nodes_inner(const char *self)
{
    const char *pg = getenv("VIGIL_TEST_PG");
    char tmp[] = "/tmp/vg_bench_nodes_XXXXXX", db[512], key[512], url[1024];
    if (!pg || !mkdtemp(tmp)) {
        printf("{\"error\":\"no PostgreSQL server\"}");
        return 1;
    }
    snprintf(url, sizeof url, "psql -X -q -d '%s' -c 'CREATE DATABASE vigil_bench' >/dev/null", pg);
    if (system(url) != 0) {
        printf("{\"error\":\"cannot create the database\"}");
        return 1;
    }
    const char *slash = strrchr(pg, '/');
    snprintf(url, sizeof url, "%.*s/vigil_bench", (int)(slash - pg), pg);
    snprintf(key, sizeof key, "%s/pg.key", tmp);
    printf("{\"postgresql\":");
    fflush(stdout);
    one_backend(stdout, self, url, key, 1);
    printf(",\"sqlite\":");
    fflush(stdout);
    snprintf(db, sizeof db, "%s/bench.db", tmp);
    snprintf(key, sizeof key, "%s/bench.db.key", tmp);
    one_backend(stdout, self, db, key, 0);
    printf(",\"writers\":%d,\"alerts_per_writer\":%d,\"machine_note\":\"PostgreSQL 15 on "
           "loopback, fsync on (every commit flushed to disk, as SQLite's); SQLite "
           "synchronous=FULL in WAL mode, one file\"}",
           WRITERS, ALERTS_PER_WRITER);
    fflush(stdout);
    char rm[600];
    snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
    if (system(rm) != 0)
        return 1;
    return 0;
}

void vg_bench_nodes(FILE *out, const char *source_dir)
{
    char self[1024], cmd[3000];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(out, "{\"error\":\"cannot find vg_bench\"}");
        return;
    }
    self[n] = '\0';
    snprintf(cmd, sizeof cmd, "VIGIL_PG_DURABLE=1 bash '%s/tests/store/with_postgres.sh' '%s' nodes-inner", source_dir,
             self);
    FILE *p = popen(cmd, "r");
    char buf[4096];
    size_t got, total = 0;
    while (p && (got = fread(buf, 1, sizeof buf, p)) > 0) {
        fwrite(buf, 1, got, out);
        total += got;
    }
    int rc = p ? pclose(p) : -1;
    if (!total)
        fprintf(out, "{\"error\":\"PostgreSQL could not be started (exit %d)\"}", rc);
}
