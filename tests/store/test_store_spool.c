/* test_store_spool.c — the alert spool (vg_store_spool_*) and the change
 * subscription (vg_store_changes_*), on both backends: spooled alerts
 * survive a reopen, are stored in order and once (also when one of them
 * was stored before a crash), a full spool keeps the newest, a torn last
 * record is cut off, the file holds no crop in the clear and belongs to
 * one process; a crop is bound to its record (moved to another record, or
 * its record's fields edited, it is refused at the flush), and a record of
 * the format before (crop not bound) is still written to the store; on PostgreSQL a committed enrolment and a new alert are
 * heard by a subscriber within a second, a refused one is not, and SQLite
 * says it has no notifications; after a server restart an idle connection
 * reads again without help and the listener reconnects (resync). */
#include "store_fixtures.h"

#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#include "store/seal.h"

#define CROP_LEN 900

typedef struct world {
    fx f;
    int64_t wl, a, dep;
    uint8_t *crop;
    char spool[400];
} world;

static void world_init(world *w)
{
    fx_init(&w->f, T0);
    w->wl = fx_watchlist(w->f.s, "wanted", 0, 0);
    w->a = fx_enrol(w->f.s, w->wl, "Person A", 1, 1);
    w->dep = fx_deployment(w->f.s, "high-street", w->wl, 1);
    w->crop = fx_jpeg(77, CROP_LEN);
    snprintf(w->spool, sizeof w->spool, "%s/node.spool", w->f.dir);
}

static void world_done(world *w)
{
    free(w->crop);
    fx_done(&w->f);
}

static vg_store_spool *spool_open(world *w, int max)
{
    vg_store_spool *sp = NULL;
    vg_err err = {{0}};
    vg_status st = vg_store_spool_open(w->f.s, w->spool, max, &sp, &err);
    if (st != VG_OK)
        fprintf(stderr, "spool open: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    return sp;
}

static void spool_alert(world *w, vg_store_spool *sp, const char *uid, int *dropped)
{
    vg_alert a = fx_alert(w->dep, w->a, uid);
    vg_err err = {{0}};
    assert_int_equal(vg_store_spool_add(sp, "node-1", &a, w->crop, CROP_LEN, dropped, &err), VG_OK);
}

static int pending(vg_store_spool *sp)
{
    vg_store_spool_stats st;
    vg_store_spool_stats_get(sp, &st);
    return st.pending;
}

/* The stored alerts' uids in id order, joined by ",". */
static void stored_uids(world *w, char *out, size_t cap)
{
    vg_alert *v = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_list(w->f.s, 0, &v, &n, &err), VG_OK);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", i ? "," : "", v[i].uid);
    }
    free(v);
}

static void test_durable_in_order_once(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_store_spool *sp = spool_open(&w, 100);
    const char *uids[] = {"u1", "u2", "u3", "u4", "u5"};
    for (int i = 0; i < 5; i++)
        spool_alert(&w, sp, uids[i], NULL);
    assert_int_equal(pending(sp), 5);
    /* the crop is sealed in the file */
    assert_false(file_contains(w.spool, w.crop, CROP_LEN));
    assert_true(file_contains(w.spool, "u3", 2));
    vg_store_spool_close(sp); /* a node that stopped (or died) while the database was away */

    sp = spool_open(&w, 100);
    assert_int_equal(pending(sp), 5);
    /* u2 had been stored just before the crash: written again, it is not doubled */
    vg_alert a2 = fx_alert(w.dep, w.a, "u2");
    int64_t id2 = 0;
    assert_int_equal(vg_store_alert_add(w.f.s, "node-1", &a2, w.crop, CROP_LEN, &id2, NULL), VG_OK);
    int written = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_spool_flush(sp, w.f.s, &written, &err), VG_OK);
    assert_int_equal(written, 5);
    assert_int_equal(pending(sp), 0);
    char got[200];
    stored_uids(&w, got, sizeof got);
    assert_string_equal(got, "u2,u1,u3,u4,u5");
    assert_int_equal(raw_int(w.f.db, "SELECT count(*) FROM audit WHERE action = 'alert.raise'"), 5);
    /* the crop comes back as it was */
    vg_alert *v = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_list(w.f.s, 0, &v, &n, NULL), VG_OK);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, v[n - 1].id, &jpeg, &len, NULL), VG_OK);
    assert_int_equal(len, CROP_LEN);
    assert_memory_equal(jpeg, w.crop, CROP_LEN);
    free(jpeg);
    free(v);
    /* a second flush and a reopen find nothing left */
    assert_int_equal(vg_store_spool_flush(sp, w.f.s, &written, &err), VG_OK);
    assert_int_equal(written, 0);
    vg_store_spool_close(sp);
    sp = spool_open(&w, 100);
    assert_int_equal(pending(sp), 0);
    vg_store_spool_close(sp);
    int64_t bad = 0, entries = 0;
    assert_int_equal(vg_store_audit_verify(w.f.s, &bad, &entries, NULL), VG_OK);
    world_done(&w);
}

static void test_full_keeps_newest(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_store_spool *sp = spool_open(&w, 3);
    int dropped = 0, total = 0;
    char uid[16];
    for (int i = 1; i <= 5; i++) {
        snprintf(uid, sizeof uid, "f%d", i);
        spool_alert(&w, sp, uid, &dropped);
        total += dropped;
    }
    assert_int_equal(total, 2);
    vg_store_spool_stats st;
    vg_store_spool_stats_get(sp, &st);
    assert_int_equal(st.pending, 3);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.max, 3);
    vg_store_spool_close(sp);
    sp = spool_open(&w, 3); /* the file holds the newest three too */
    assert_int_equal(pending(sp), 3);
    assert_int_equal(vg_store_spool_flush(sp, w.f.s, NULL, NULL), VG_OK);
    char got[100];
    stored_uids(&w, got, sizeof got);
    assert_string_equal(got, "f3,f4,f5");
    vg_store_spool_close(sp);
    world_done(&w);
}

static void test_torn_record_cut_and_lock(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    vg_store_spool *sp = spool_open(&w, 10);
    spool_alert(&w, sp, "t1", NULL);
    spool_alert(&w, sp, "t2", NULL);
    /* a second process on the same spool is refused */
    vg_store_spool *other = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_store_spool_open(w.f.s, w.spool, 10, &other, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "in use by another process"));
    assert_null(other);
    vg_store_spool_close(sp);
    /* a crash in the middle of the second append: its last 10 bytes missing */
    struct stat stb;
    assert_int_equal(stat(w.spool, &stb), 0);
    assert_int_equal(truncate(w.spool, stb.st_size - 10), 0);
    sp = spool_open(&w, 10);
    assert_int_equal(pending(sp), 1);
    assert_int_equal(vg_store_spool_flush(sp, w.f.s, NULL, NULL), VG_OK);
    char got[100];
    stored_uids(&w, got, sizeof got);
    assert_string_equal(got, "t1");
    /* bad arguments change nothing */
    vg_alert bad = fx_alert(w.dep, w.a, "");
    assert_int_equal(vg_store_spool_add(sp, "node-1", &bad, w.crop, CROP_LEN, NULL, NULL), VG_ERR_INVALID);
    assert_int_equal(pending(sp), 0);
    vg_store_spool_close(sp);
    assert_int_equal(vg_store_spool_open(w.f.s, w.spool, 0, &other, NULL), VG_ERR_INVALID);
    world_done(&w);
}

/* ---- the records of a spool file, edited as an attacker would ---- */

#define HEAD 28 /* magic, json length, crop length, BLAKE2b-128 */

typedef struct rec {
    size_t off, json_len, crop_len;
} rec;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void write_all_file(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

static int records(const uint8_t *b, size_t len, rec *r, int max)
{
    int n = 0;
    for (size_t off = 0; off + HEAD <= len && n < max; n++) {
        r[n] = (rec){off, le32(b + off + 4), le32(b + off + 8)};
        off += HEAD + r[n].json_len + r[n].crop_len;
    }
    return n;
}

/* The record's checksum made right again, as an attacker who edits the
 * file would (it is not keyed: it finds torn appends, not edits). */
static void resum(uint8_t *b, const rec *r)
{
    crypto_generichash(b + r->off + 12, 16, b + r->off + HEAD, r->json_len + r->crop_len, NULL, 0);
}

/* A crop moved to another record of the file, and a record whose alert
 * was edited: both refused at the flush (their crop does not open), the
 * untouched record stored, its crop then bound to its alert's row. A
 * record of the format before ("VGSP", secretbox, nothing bound) left by
 * an older vigil is still stored. */
static void test_crop_bound_to_record(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    uint8_t *crop2 = fx_jpeg(78, CROP_LEN);
    vg_store_spool *sp = spool_open(&w, 10);
    spool_alert(&w, sp, "b1", NULL);
    vg_alert a2 = fx_alert(w.dep, w.a, "b2");
    vg_err err = {{0}};
    assert_int_equal(vg_store_spool_add(sp, "node-1", &a2, crop2, CROP_LEN, NULL, &err), VG_OK);
    spool_alert(&w, sp, "b3", NULL);
    vg_store_spool_close(sp);

    size_t len = 0;
    uint8_t *b = read_all(w.spool, &len);
    rec r[4];
    assert_int_equal(records(b, len, r, 4), 3);
    assert_memory_equal(b, "VGS2", 4);
    /* record 2 gets record 1's crop (both sealed, same length) */
    assert_int_equal(r[0].crop_len, r[1].crop_len);
    memcpy(b + r[1].off + HEAD + r[1].json_len, b + r[0].off + HEAD + r[0].json_len, r[0].crop_len);
    resum(b, &r[1]);
    /* record 1's alert now names another uid (same length) */
    uint8_t *uid = NULL;
    for (size_t i = 0; !uid && i + 4 <= r[0].json_len; i++)
        if (!memcmp(b + r[0].off + HEAD + i, "\"b1\"", 4))
            uid = b + r[0].off + HEAD + i;
    assert_non_null(uid);
    uid[2] = '9';
    resum(b, &r[0]);

    /* and a record as the format before wrote it, appended */
    uint8_t key[VG_STORE_KEY_BYTES];
    FILE *kf = fopen(w.f.key, "rb");
    assert_non_null(kf);
    assert_int_equal(fread(key, 1, sizeof key, kf), sizeof key);
    fclose(kf);
    char json[400];
    snprintf(json, sizeof json,
             "{\"actor\":\"node-1\",\"uid\":\"old1\",\"deployment\":%lld,\"camera\":\"cam1\","
             "\"subject\":%lld,\"score\":0.7,\"frame_time\":%lld.0,\"raised_at\":%lld.0}",
             (long long)w.dep, (long long)w.a, (long long)T0, (long long)T0);
    uint8_t *sealed = NULL;
    size_t slen = 0;
    assert_int_equal(vg_seal(key, w.crop, CROP_LEN, &sealed, &slen, &err), VG_OK);
    size_t jl = strlen(json), old_len = HEAD + jl + slen;
    uint8_t *nb = realloc(b, len + old_len);
    assert_non_null(nb);
    b = nb;
    uint8_t *o = b + len;
    memcpy(o, "VGSP", 4);
    for (int i = 0; i < 4; i++) {
        o[4 + i] = (uint8_t)(jl >> (8 * i));
        o[8 + i] = (uint8_t)(slen >> (8 * i));
    }
    memcpy(o + HEAD, json, jl);
    memcpy(o + HEAD + jl, sealed, slen);
    rec old = {len, jl, slen};
    resum(b, &old);
    write_all_file(w.spool, b, len + old_len);
    free(sealed);
    free(b);
    sodium_memzero(key, sizeof key);

    sp = spool_open(&w, 10);
    assert_int_equal(pending(sp), 4);
    int written = 0;
    assert_int_equal(vg_store_spool_flush(sp, w.f.s, &written, &err), VG_OK);
    assert_int_equal(written, 4);
    vg_store_spool_stats stats;
    vg_store_spool_stats_get(sp, &stats);
    assert_int_equal(stats.rejected, 2);
    assert_int_equal(stats.written, 2);
    vg_store_spool_close(sp);
    char got[100];
    stored_uids(&w, got, sizeof got);
    assert_string_equal(got, "b3,old1");
    /* stored, each crop is bound to its alert's row */
    vg_alert *v = NULL;
    int n = 0;
    assert_int_equal(vg_store_alert_list(w.f.s, 0, &v, &n, NULL), VG_OK);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++) {
        uint8_t *jpeg = NULL;
        size_t jlen = 0;
        assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, v[i].id, &jpeg, &jlen, &err), VG_OK);
        assert_int_equal(jlen, CROP_LEN);
        assert_memory_equal(jpeg, w.crop, CROP_LEN);
        free(jpeg);
    }
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE alert SET crop = (SELECT crop FROM alert WHERE id = %lld) WHERE id = %lld",
             (long long)v[0].id, (long long)v[1].id);
    raw_exec(w.f.db, sql);
    uint8_t *jpeg = NULL;
    size_t jlen = 0;
    assert_int_equal(vg_store_alert_crop(w.f.s, ACTOR, v[1].id, &jpeg, &jlen, &err), VG_ERR_INVALID);
    free(v);
    free(crop2);
    world_done(&w);
}

/* ---- change notifications ---- */

typedef struct heard {
    pthread_mutex_t lock;
    int n;
    vg_store_change c[64];
} heard;

static void on_change(void *ctx, const vg_store_change *c)
{
    heard *h = ctx;
    pthread_mutex_lock(&h->lock);
    if (h->n < 64)
        h->c[h->n++] = *c;
    pthread_mutex_unlock(&h->lock);
}

/* Waits up to 1 s for a change of kind and id; returns 1 when heard. */
static int hear(heard *h, vg_store_change_kind kind, int64_t id)
{
    for (int t = 0; t < 100; t++) {
        pthread_mutex_lock(&h->lock);
        for (int i = 0; i < h->n; i++)
            if (h->c[i].kind == kind && h->c[i].id == id) {
                pthread_mutex_unlock(&h->lock);
                return 1;
            }
        pthread_mutex_unlock(&h->lock);
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void test_changes(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    heard h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_store_changes *c = NULL;
    vg_err err = {{0}};
    vg_status st = vg_store_changes_start(w.f.s, on_change, &h, &c, &err);
    if (!fx_pg()) {
        assert_int_equal(st, VG_ERR_UNSUPPORTED);
        assert_null(c);
        assert_non_null(strstr(err.msg, "no change notifications"));
        world_done(&w);
        return;
    }
    assert_int_equal(st, VG_OK);
    /* another node (another connection) enrols and raises an alert */
    vg_store *other = fx_open_at(w.f.db, w.f.key, T0);
    int64_t wl2 = fx_watchlist(other, "missing", 0, 0);
    fx_enrol(other, wl2, "Person B", 2, 1);
    int got = hear(&h, VG_STORE_CHANGE_WATCHLIST, wl2);
    if (!got)
        for (int i = 0; i < h.n; i++)
            fprintf(stderr, "heard %d %lld (want list %lld)\n", h.c[i].kind, (long long)h.c[i].id, (long long)wl2);
    assert_true(got);
    vg_alert a = fx_alert(w.dep, w.a, "n1");
    int64_t id = 0;
    assert_int_equal(vg_store_alert_add(other, "node-2", &a, w.crop, CROP_LEN, &id, NULL), VG_OK);
    assert_true(hear(&h, VG_STORE_CHANGE_ALERT, id));
    /* the same uid again stores nothing and says nothing */
    int before = h.n;
    assert_int_equal(vg_store_alert_add(other, "node-2", &a, w.crop, CROP_LEN, &id, NULL), VG_OK);
    /* a refused enrolment (rolled back) is not heard */
    vg_subject sub = fx_subject(w.wl, "");
    fx_photos *p = fx_photos_new(3, 1);
    assert_int_not_equal(vg_store_subject_add(other, ACTOR, &sub, MODEL, p->e, 1, NULL, NULL), VG_OK);
    fx_photos_free(p);
    assert_false(hear(&h, VG_STORE_CHANGE_WATCHLIST, w.wl));
    assert_int_equal(h.n, before);
    /* a removal is heard */
    vg_subject *list = NULL;
    int n = 0;
    assert_int_equal(vg_store_subject_list(other, wl2, &list, &n, NULL), VG_OK);
    assert_int_equal(n, 1);
    pthread_mutex_lock(&h.lock); /* forget the enrolment's, before the removal */
    h.n = 0;
    pthread_mutex_unlock(&h.lock);
    assert_int_equal(vg_store_subject_remove(other, ACTOR, list[0].id, NULL), VG_OK);
    vg_store_subject_free(list);
    assert_true(hear(&h, VG_STORE_CHANGE_WATCHLIST, wl2));
    vg_store_close(other);
    vg_store_changes_stop(c);
    world_done(&w);
}

/* The server restarted: an idle connection reads again without a write
 * first (it reconnects), and the listener reconnects and asks for a resync. */
static void test_server_restart(void **state)
{
    (void)state;
    const char *ctl = getenv("VIGIL_TEST_PG_CTL");
    assert_non_null(ctl); /* main() runs this on PostgreSQL only */
    world w;
    world_init(&w);
    heard h = {.lock = PTHREAD_MUTEX_INITIALIZER};
    vg_store_changes *c = NULL;
    assert_int_equal(vg_store_changes_start(w.f.s, on_change, &h, &c, NULL), VG_OK);
    pg_disconnect(); /* the fixtures' own connection */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s -m fast stop >/dev/null 2>&1 && %s start >/dev/null 2>&1", ctl, ctl);
    assert_int_equal(system(cmd), 0);
    vg_alert *v = NULL;
    int n = -1;
    vg_err err = {{0}};
    vg_status st = vg_store_alert_list(w.f.s, 0, &v, &n, &err);
    if (st != VG_OK)
        fprintf(stderr, "read after the restart: %s\n", err.msg);
    assert_int_equal(st, VG_OK);
    assert_int_equal(n, 0);
    free(v);
    /* the listener is back within a few seconds, and says so */
    int resync = 0;
    for (int t = 0; t < 50 && !resync; t++) {
        resync = hear(&h, VG_STORE_CHANGE_RESYNC, 0);
    }
    assert_true(resync);
    /* and hears again */
    vg_alert a = fx_alert(w.dep, w.a, "after");
    int64_t id = 0;
    assert_int_equal(vg_store_alert_add(w.f.s, "node-1", &a, w.crop, CROP_LEN, &id, NULL), VG_OK);
    assert_true(hear(&h, VG_STORE_CHANGE_ALERT, id));
    vg_store_changes_stop(c);
    world_done(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durable_in_order_once),
        cmocka_unit_test(test_full_keeps_newest),
        cmocka_unit_test(test_torn_record_cut_and_lock),
        cmocka_unit_test(test_crop_bound_to_record),
        cmocka_unit_test(test_changes),
    };
    /* a server restart only where there is a server (the _pg run) */
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_server_restart),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (fx_pg())
        failed += cmocka_run_group_tests(pg_tests, NULL, NULL);
    return failed;
}
