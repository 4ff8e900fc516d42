/* spool.c — vg_store_spool_*: a node's alerts kept in a local file while
 * the shared database cannot be reached, written to the store in order,
 * once, when it returns (store.h says what it promises).
 *
 * The file is a sequence of records:
 *   "VGS2" | json length (u32 LE) | crop length (u32 LE) |
 *   BLAKE2b-128 of json and crop | json | sealed crop
 * where json holds the alert's fields and the actor, and the crop is sealed
 * with the store's key (seal.c), as it is in the database: the spool holds
 * no face in the clear. The crop is AEAD with "spool:" and the record's
 * json as associated data, so it is bound to its alert: a crop moved to
 * another record, or a record whose fields were edited (another subject,
 * another score), does not open and the record is refused at the flush.
 * Once stored, the crop is sealed again bound to its alert's row
 * ("alerts:<id>:crop", alert.c). Records of the format before ("VGSP":
 * secretbox, nothing bound), left by a node stopped with alerts waiting,
 * are still read and written to the store. An append is written at the end and fdatasync'd
 * before vg_store_spool_add returns. Every other change (the oldest dropped
 * when full, the written ones removed after a flush) rewrites the file:
 * PATH.tmp, fsync, rename over PATH, fsync of the directory, so a crash
 * leaves the old or the new file, never half of one. A record whose
 * checksum does not hold ends the file (a torn append): it and what
 * follows are cut off at open. PATH.lock, locked with flock (held by the
 * open file, so a second open in the same process is refused too, and it
 * goes away with a killed process), keeps a second user off the spool. The records also stay in memory, so
 * a rewrite never reads the file back. Opened without a path, the spool is
 * that memory alone: the bounded queue that holds the alerts a store on
 * this machine cannot take (a full disk) until it takes them again. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_internal.h"

#define MAGIC "VGS2"
#define MAGIC_V1 "VGSP" /* before issue 14's point 11: the crop not bound */
#define HEAD 28 /* magic, two lengths, 16-byte checksum */
#define SPOOL_MAX_LIMIT 1000000

typedef struct record {
    uint8_t *bytes; /* the whole record as in the file */
    size_t len;
} record;

struct vg_store_spool {
    uint8_t key[VG_STORE_KEY_BYTES];
    char path[VG_STORE_PATH_MAX], tmp[VG_STORE_PATH_MAX + 8], dir[VG_STORE_PATH_MAX];
    char lock[VG_STORE_PATH_MAX + 8];
    int fd, lock_fd;
    record *rec;
    int n, max;
    vg_store_spool_stats stats;
};

static void put_u32(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static vg_status write_all(int fd, const uint8_t *b, size_t n, const char *path, vg_err *err)
{
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot write: %s", path,
                              strerror(errno));
        b += w;
        n -= (size_t)w;
    }
    return VG_OK;
}

/* Writes every record to PATH.tmp and puts it in PATH's place. */
static vg_status rewrite(vg_store_spool *sp, vg_err *err)
{
    if (!sp->path[0]) /* in memory only */
        return VG_OK;
    int fd = open(sp->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot write %s: %s", sp->path,
                          sp->tmp, strerror(errno));
    vg_status st = VG_OK;
    for (int i = 0; st == VG_OK && i < sp->n; i++)
        st = write_all(fd, sp->rec[i].bytes, sp->rec[i].len, sp->tmp, err);
    if (st == VG_OK && fsync(fd) != 0)
        st = vg_err_set(err, VG_ERR_IO, "alert spool %s: fsync: %s", sp->tmp, strerror(errno));
    close(fd);
    if (st == VG_OK && rename(sp->tmp, sp->path) != 0)
        st = vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot rename %s: %s", sp->path, sp->tmp,
                        strerror(errno));
    if (st != VG_OK) {
        unlink(sp->tmp);
        return st;
    }
    int dfd = open(sp->dir, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    int nfd = open(sp->path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (nfd < 0)
        return vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot reopen: %s", sp->path,
                          strerror(errno));
    close(sp->fd);
    sp->fd = nfd;
    return VG_OK;
}

/* Reads the records of the file; a bad record ends it. *cut: bytes after
 * the last good record. */
static vg_status load(vg_store_spool *sp, size_t *cut, vg_err *err)
{
    *cut = 0;
    FILE *f = fopen(sp->path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot read: %s", sp->path,
                          strerror(errno));
    vg_status st = VG_OK;
    uint8_t head[HEAD];
    size_t got;
    int cap = 0;
    while ((got = fread(head, 1, HEAD, f)) > 0) {
        uint32_t jl = get_u32(head + 4), cl = get_u32(head + 8);
        if (got < HEAD || (memcmp(head, MAGIC, 4) != 0 && memcmp(head, MAGIC_V1, 4) != 0) ||
            jl > (1u << 20) ||
            cl > (uint32_t)VG_STORE_JPEG_MAX + 1024) {
            *cut = got;
            break;
        }
        size_t len = HEAD + (size_t)jl + cl;
        uint8_t *b = malloc(len);
        if (!b) {
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory reading alert spool %s", sp->path);
            break;
        }
        memcpy(b, head, HEAD);
        size_t body = fread(b + HEAD, 1, len - HEAD, f);
        uint8_t sum[16];
        crypto_generichash(sum, sizeof sum, b + HEAD, len - HEAD, NULL, 0);
        if (body < len - HEAD || sodium_memcmp(sum, b + 12, 16) != 0) {
            *cut = HEAD + body;
            free(b);
            break;
        }
        if (sp->n == cap) {
            int nc = cap ? 2 * cap : 64;
            record *r = realloc(sp->rec, (size_t)nc * sizeof *r);
            if (!r) {
                free(b);
                st = vg_err_set(err, VG_ERR_NOMEM, "out of memory reading alert spool %s",
                                sp->path);
                break;
            }
            sp->rec = r;
            cap = nc;
        }
        sp->rec[sp->n++] = (record){b, len};
    }
    if (st == VG_OK && *cut) { /* count what follows the bad record too */
        long here = ftell(f);
        if (fseek(f, 0, SEEK_END) == 0)
            *cut += (size_t)(ftell(f) - here);
    }
    fclose(f);
    return st;
}

vg_status vg_store_spool_open(const vg_store *s, const char *path, int max,
                              vg_store_spool **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_spool_open: out is NULL");
    *out = NULL;
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_spool_open: NULL argument");
    if (max < 1 || max > SPOOL_MAX_LIMIT)
        return vg_err_set(err, VG_ERR_INVALID, "alert spool size %d is not from 1 to %d", max,
                          SPOOL_MAX_LIMIT);
    vg_store_spool *sp = calloc(1, sizeof *sp);
    if (!sp)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening the alert spool");
    sp->fd = sp->lock_fd = -1;
    sp->max = max;
    memcpy(sp->key, s->key, sizeof sp->key);
    if (!path || !*path) { /* in memory only: the bounded queue of a store on this machine */
        sp->stats.in_memory = 1;
        *out = sp;
        return VG_OK;
    }
    int n = snprintf(sp->path, sizeof sp->path, "%s", path);
    snprintf(sp->tmp, sizeof sp->tmp, "%s.tmp", path);
    char *lock = sp->lock;
    snprintf(sp->lock, sizeof sp->lock, "%s.lock", path);
    snprintf(sp->dir, sizeof sp->dir, "%s", path);
    char *d = dirname(sp->dir);
    memmove(sp->dir, d, strlen(d) + 1);
    vg_status st = VG_OK;
    size_t cut = 0;
    if (n < 0 || (size_t)n + 8 >= sizeof sp->path)
        st = vg_err_set(err, VG_ERR_INVALID, "alert spool path is too long");
    if (st == VG_OK &&
        (sp->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
        st = vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot open %s: %s", path, lock,
                        strerror(errno));
    if (st == VG_OK) {
        if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) != 0)
            st = vg_err_set(err, VG_ERR_INVALID,
                            "alert spool %s is in use by another process (each node needs a "
                            "spool of its own)",
                            path);
    }
    if (st == VG_OK && (sp->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
        st = vg_err_set(err, VG_ERR_IO, "alert spool %s: cannot open: %s", path, strerror(errno));
    if (st == VG_OK)
        st = load(sp, &cut, err);
    if (st == VG_OK && (cut || sp->n > max)) {
        if (sp->n > max) { /* a smaller bound than last time: keep the newest */
            for (int i = 0; i < sp->n - max; i++)
                free(sp->rec[i].bytes);
            memmove(sp->rec, sp->rec + (sp->n - max), (size_t)max * sizeof *sp->rec);
            sp->stats.dropped += sp->n - max;
            sp->n = max;
        }
        st = rewrite(sp, err);
    }
    if (st != VG_OK) {
        vg_store_spool_close(sp);
        return st;
    }
    *out = sp;
    return VG_OK;
}

void vg_store_spool_close(vg_store_spool *sp)
{
    if (!sp)
        return;
    for (int i = 0; i < sp->n; i++)
        free(sp->rec[i].bytes);
    free(sp->rec);
    if (sp->fd >= 0)
        close(sp->fd);
    if (sp->fd >= 0 && sp->n == 0) { /* nothing waits: no file left behind */
        unlink(sp->path);
        unlink(sp->lock);
    }
    if (sp->lock_fd >= 0)
        close(sp->lock_fd); /* releases the lock */
    sodium_memzero(sp->key, sizeof sp->key);
    free(sp);
}

/* The associated data of a record's crop: "spool:" and its json. */
static char *record_ad(const char *json, size_t len)
{
    char *ad = malloc(len + 7);
    if (ad) {
        memcpy(ad, "spool:", 6);
        memcpy(ad + 6, json, len);
        ad[len + 6] = '\0';
    }
    return ad;
}

vg_status vg_store_spool_add(vg_store_spool *sp, const char *actor, const vg_alert *a,
                             const uint8_t *jpeg, size_t jpeg_len, int *dropped, vg_err *err)
{
    if (dropped)
        *dropped = 0;
    if (!sp || !actor || !a || !jpeg)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_spool_add: NULL argument");
    if (!memchr(a->uid, '\0', sizeof a->uid) || !a->uid[0] ||
        !memchr(a->camera, '\0', sizeof a->camera))
        return vg_err_set(err, VG_ERR_INVALID, "an alert to spool needs a uid and a camera");
    if (jpeg_len > VG_STORE_JPEG_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "the face crop is %zu bytes, the limit is %d",
                          jpeg_len, VG_STORE_JPEG_MAX);
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:I, s:f, s:f, s:f, s:I}", "actor", actor, "uid",
                          a->uid, "deployment", (json_int_t)a->deployment_id, "camera", a->camera,
                          "subject", (json_int_t)a->subject_id, "score", (double)a->score,
                          "frame_time", a->frame_time, "raised_at", a->raised_at, "template",
                          (json_int_t)a->template_id);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    char *ad = text ? record_ad(text, strlen(text)) : NULL;
    vg_status st = !text ? vg_err_set(err, VG_ERR_INVALID, "alert to spool has invalid text")
                   : !ad ? vg_err_set(err, VG_ERR_NOMEM, "out of memory spooling an alert")
                         : vg_seal_ad(sp->key, jpeg, jpeg_len, ad, &sealed, &sealed_len, err);
    free(ad);
    if (st != VG_OK) {
        free(text);
        return st;
    }
    size_t jl = strlen(text), len = HEAD + jl + sealed_len;
    uint8_t *b = malloc(len);
    record *grown = sp->n < sp->max ? realloc(sp->rec, (size_t)(sp->n + 1) * sizeof *grown)
                                    : sp->rec;
    if (!b || !grown) {
        free(b);
        free(text);
        free(sealed);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory spooling an alert");
    }
    sp->rec = grown;
    memcpy(b, MAGIC, 4);
    put_u32(b + 4, (uint32_t)jl);
    put_u32(b + 8, (uint32_t)sealed_len);
    memcpy(b + HEAD, text, jl);
    memcpy(b + HEAD + jl, sealed, sealed_len);
    crypto_generichash(b + 12, 16, b + HEAD, jl + sealed_len, NULL, 0);
    free(text);
    free(sealed);

    if (sp->n == sp->max) { /* full: the oldest makes room for the newest */
        free(sp->rec[0].bytes);
        memmove(sp->rec, sp->rec + 1, (size_t)(sp->n - 1) * sizeof *sp->rec);
        sp->rec[sp->n - 1] = (record){b, len};
        sp->stats.dropped++;
        if (dropped)
            *dropped = 1;
        st = rewrite(sp, err);
    } else if (!sp->path[0]) {
        sp->rec[sp->n++] = (record){b, len};
    } else {
        st = write_all(sp->fd, b, len, sp->path, err);
        if (st == VG_OK && fdatasync(sp->fd) != 0)
            st = vg_err_set(err, VG_ERR_IO, "alert spool %s: fdatasync: %s", sp->path,
                            strerror(errno));
        if (st == VG_OK)
            sp->rec[sp->n++] = (record){b, len};
        else
            free(b);
    }
    if (st == VG_OK)
        sp->stats.spooled++;
    return st;
}

/* A record back into an alert, its actor and its crop (unsealed). */
static vg_status decode(vg_store_spool *sp, const record *r, vg_alert *a, char *actor,
                        size_t actor_cap, uint8_t **jpeg, size_t *jpeg_len, vg_err *err)
{
    uint32_t jl = get_u32(r->bytes + 4);
    json_error_t je;
    json_t *j = json_loadb((const char *)r->bytes + HEAD, jl, 0, &je);
    const char *act = NULL, *uid = NULL, *camera = NULL;
    json_int_t dep = 0, sub = 0, tpl = 0;
    double score = 0, ft = 0, ra = 0;
    memset(a, 0, sizeof *a);
    /* "template" came with version 15's alerts: older records lack it */
    if (!j || json_unpack(j, "{s:s, s:s, s:I, s:s, s:I, s:F, s:F, s:F, s?I}", "actor", &act, "uid",
                          &uid, "deployment", &dep, "camera", &camera, "subject", &sub, "score",
                          &score, "frame_time", &ft, "raised_at", &ra, "template", &tpl) != 0) {
        json_decref(j);
        return vg_err_set(err, VG_ERR_INVALID, "alert spool %s: a record does not read",
                          sp->path[0] ? sp->path : "(in memory)");
    }
    snprintf(actor, actor_cap, "%s", act);
    snprintf(a->uid, sizeof a->uid, "%s", uid);
    snprintf(a->camera, sizeof a->camera, "%s", camera);
    a->deployment_id = dep;
    a->subject_id = sub;
    a->template_id = tpl;
    a->score = (float)score;
    a->frame_time = ft;
    a->raised_at = ra;
    json_decref(j);
    const uint8_t *crop = r->bytes + HEAD + jl;
    size_t crop_len = r->len - HEAD - jl;
    if (memcmp(r->bytes, MAGIC_V1, 4) == 0)
        return vg_unseal(sp->key, crop, crop_len, jpeg, jpeg_len, err);
    if (memchr(r->bytes + HEAD, '\0', jl))
        return vg_err_set(err, VG_ERR_INVALID, "alert spool %s: a record does not read",
                          sp->path[0] ? sp->path : "(in memory)");
    char *ad = record_ad((const char *)r->bytes + HEAD, jl);
    if (!ad)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading the alert spool");
    vg_status st = vg_unseal_ad(sp->key, crop, crop_len, ad, jpeg, jpeg_len, NULL);
    free(ad);
    if (st != VG_OK)
        return vg_err_set(err, VG_ERR_INVALID,
                          "alert spool %s: the crop of alert %s does not open: the record was "
                          "altered, or its crop moved from another record",
                          sp->path[0] ? sp->path : "(in memory)", a->uid);
    return VG_OK;
}

vg_status vg_store_spool_flush(vg_store_spool *sp, vg_store *s, int *written, vg_err *err)
{
    if (written)
        *written = 0;
    if (!sp || !s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_spool_flush: NULL argument");
    int done = 0;
    vg_status st = VG_OK;
    while (done < sp->n) {
        vg_alert a;
        char actor[VG_STORE_ACTOR_MAX + 1];
        uint8_t *jpeg = NULL;
        size_t jpeg_len = 0;
        vg_err e = {{0}};
        vg_status r = decode(sp, &sp->rec[done], &a, actor, sizeof actor, &jpeg, &jpeg_len, &e);
        if (r == VG_OK)
            r = vg_store_alert_add(s, actor, &a, jpeg, jpeg_len, NULL, &e);
        if (jpeg) {
            sodium_memzero(jpeg, jpeg_len);
            free(jpeg);
        }
        if (r == VG_ERR_IO || r == VG_ERR_FULL || r == VG_ERR_NOMEM) {
            if (err)
                *err = e;
            st = r;
            break;
        }
        if (r != VG_OK) /* refused for good (its subject removed meanwhile): not kept */
            sp->stats.rejected++;
        else
            sp->stats.written++;
        done++;
    }
    if (done) {
        for (int i = 0; i < done; i++)
            free(sp->rec[i].bytes);
        memmove(sp->rec, sp->rec + done, (size_t)(sp->n - done) * sizeof *sp->rec);
        sp->n -= done;
        vg_status w = rewrite(sp, st == VG_OK ? err : NULL);
        if (st == VG_OK)
            st = w;
    }
    if (written)
        *written = done;
    return st;
}

void vg_store_spool_stats_get(const vg_store_spool *sp, vg_store_spool_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!sp)
        return;
    *out = sp->stats;
    out->in_memory = !sp->path[0];
    out->pending = sp->n;
    out->max = sp->max;
}
