/* audit.c — the tamper-evident audit chain: append, list, verify.
 *
 * Each entry's hash is SHA-256 over a canonical serialisation:
 *
 *   "vigil-audit-v1" 0x00
 *   seq   (8 bytes, big-endian two's complement)
 *   time  (8 bytes, big-endian two's complement)
 *   then for actor, action, object, details, prev_hash in that order:
 *   length (8 bytes, big-endian) followed by the bytes
 *
 * Length prefixes make it unambiguous (no two different entries serialise to
 * the same bytes, whatever their text holds). prev_hash is the previous
 * entry's hash in lowercase hex; the first entry's is 64 zeros. Entries are
 * appended inside the transaction of the change they record, so the tail
 * read and the insert cannot interleave with another writer.
 *
 * Verify walks the chain in seq order and stops at the first bad entry:
 *  - a seq that is not the previous one + 1: entries were removed before it;
 *  - a prev_hash that is not the previous entry's hash: an entry before it
 *    was removed or the entries were reordered;
 *  - a hash that does not match the entry's fields: the entry was edited.
 * Every append also records the head of the chain (last seq and hash) in
 * the meta table, in the same transaction, so entries deleted from the end
 * are found too: verify compares the last entry with that record.
 * The chain is not keyed: someone able to write the database, who knows this
 * format, could rewrite every hash after an edit and the head record with
 * them. That is found by the signed checkpoints of the head kept outside the
 * database (checkpoint.c: `vigil audit checkpoint`, and `vigil audit verify
 * --checkpoints FILE`).
 */
#include "store/audit.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"
#include "store/sql.h"

/* ---- queries of the audit table ---- */

/* The last entry's seq and hash; seq 0 and no hash change when empty. */
vg_status vg_db_audit_tail(vg_store *s, int64_t *seq, char hash[65], vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                                  "reading the audit chain", err);
    if (st != VG_OK)
        return st;
    *seq = 0;
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        *seq = vg_sql_col_i64(&q, 0);
        vg_sql_col_copy(&q, 1, hash, 65);
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_audit_hash_at(vg_store *s, int64_t seq, char hash[65], int *found, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT hash FROM audit WHERE seq = ?1",
                                  "reading the audit chain", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, seq);
    *found = 0;
    hash[0] = '\0';
    if ((st = vg_sql_step(&q, found, err)) == VG_OK && *found)
        vg_sql_col_copy(&q, 0, hash, 65);
    vg_sql_finish(&q);
    return st;
}

static vg_status vg_db_audit_insert(vg_store *s, const vg_audit_entry *e, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "INSERT INTO audit (seq, time, actor, action, object, details, "
                                  "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                  "appending to the audit chain", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, e->seq);
    vg_sql_i64(&q, 2, e->time);
    vg_sql_text(&q, 3, e->actor);
    vg_sql_text(&q, 4, e->action);
    vg_sql_text(&q, 5, e->object);
    vg_sql_text(&q, 6, e->details);
    vg_sql_text(&q, 7, e->prev_hash);
    vg_sql_text(&q, 8, e->hash);
    st = vg_sql_run(&q, err);
    vg_sql_finish(&q);
    return st;
}

/* Entries with time >= since (INT64_MIN: all), in seq order, exactly as
 * stored; fn returning anything but VG_OK stops the walk. */
vg_status vg_db_audit_each(vg_store *s, int64_t since, vg_store_audit_fn fn, void *ctx,
                                  vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s,
                                  "SELECT seq, time, actor, action, object, details, prev_hash, "
                                  "hash FROM audit WHERE time >= ?1 ORDER BY seq",
                                  "reading the audit chain", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, since);
    int row = 0;
    while ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        vg_store_audit_row r;
        r.seq = vg_sql_col_i64(&q, 0);
        r.time = vg_sql_col_i64(&q, 1);
        r.actor = vg_sql_col_text(&q, 2, &r.actor_len);
        r.action = vg_sql_col_text(&q, 3, &r.action_len);
        r.object = vg_sql_col_text(&q, 4, &r.object_len);
        r.details = vg_sql_col_text(&q, 5, &r.details_len);
        r.prev_hash = vg_sql_col_text(&q, 6, &r.prev_hash_len);
        r.hash = vg_sql_col_text(&q, 7, &r.hash_len);
        if ((st = fn(ctx, &r, err)) != VG_OK)
            break;
    }
    vg_sql_finish(&q);
    return st;
}


#define AUDIT_HEAD "audit_head" /* meta: 8-byte big-endian seq, then 64 hex */
#define AUDIT_HEAD_LEN (8 + 64)

static void put_u64(crypto_hash_sha256_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    crypto_hash_sha256_update(h, b, sizeof b);
}

static void put_text(crypto_hash_sha256_state *h, const char *s, size_t len)
{
    put_u64(h, (uint64_t)len);
    if (len)
        crypto_hash_sha256_update(h, (const uint8_t *)s, len);
}

void vg_audit_hash(int64_t seq, int64_t time, const char *actor, size_t actor_len,
                   const char *action, size_t action_len, const char *object, size_t object_len,
                   const char *details, size_t details_len, const char *prev_hash,
                   size_t prev_hash_len, char out[65])
{
    static const char tag[] = "vigil-audit-v1";
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)tag, sizeof tag); /* with its NUL */
    put_u64(&h, (uint64_t)seq);
    put_u64(&h, (uint64_t)time);
    put_text(&h, actor, actor_len);
    put_text(&h, action, action_len);
    put_text(&h, object, object_len);
    put_text(&h, details, details_len);
    put_text(&h, prev_hash, prev_hash_len);
    uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

vg_status vg_audit_details_check(const char *details, vg_err *err)
{
    size_t n = strnlen(details, VG_STORE_DETAILS_MAX + 1);
    if (n > VG_STORE_DETAILS_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "details are %zu bytes, the limit is %d",
                          strlen(details), VG_STORE_DETAILS_MAX);
    json_error_t je;
    json_t *j = json_loadb(details, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j)
        return vg_err_set(err, VG_ERR_INVALID, "details are not valid JSON (%s at byte %d)",
                          je.text, je.position);
    int is_object = json_is_object(j);
    json_decref(j);
    if (!is_object)
        return vg_err_set(err, VG_ERR_INVALID, "details must be a JSON object");
    return VG_OK;
}

vg_status vg_audit_append_tx(vg_store *s, const char *actor, const char *action,
                             const char *object, const char *details, vg_err *err)
{
    vg_status st = vg_check_text("actor", actor, VG_STORE_ACTOR_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_action(action, err);
    if (st == VG_OK)
        st = vg_check_text("object", object, VG_STORE_NAME_MAX + 63, 0, err);
    if (st != VG_OK)
        return st;
    if (!details)
        details = "{}";
    if ((st = vg_audit_details_check(details, err)) != VG_OK)
        return st;
    if (!object)
        object = "";

    vg_audit_entry e;
    memset(&e, 0, sizeof e);
    int64_t last = 0;
    memcpy(e.prev_hash, VG_AUDIT_GENESIS, sizeof e.prev_hash);
    if ((st = vg_db_audit_tail(s, &last, e.prev_hash, err)) != VG_OK)
        return st;
    /* entries deleted from the end: continue from the recorded head, so the
     * gap stays visible instead of being papered over by new entries */
    uint8_t *head = NULL;
    size_t head_len = 0;
    vg_err tmp;
    st = vg_db_meta_get(s, AUDIT_HEAD, &head, &head_len, &tmp);
    if (st == VG_OK && head_len == AUDIT_HEAD_LEN) {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++)
            u = u << 8 | head[i];
        if ((int64_t)u > last) {
            last = (int64_t)u;
            memcpy(e.prev_hash, head + 8, 64);
            e.prev_hash[64] = '\0';
        }
    }
    free(head);
    if (st != VG_OK && st != VG_ERR_NOT_FOUND) {
        if (err)
            *err = tmp;
        return st;
    }
    e.seq = last + 1;
    e.time = vg_store_now(s);
    memcpy(e.actor, actor, strlen(actor) + 1);
    memcpy(e.action, action, strlen(action) + 1);
    memcpy(e.object, object, strlen(object) + 1);
    e.details = (char *)details;
    vg_audit_hash(e.seq, e.time, e.actor, strlen(e.actor), e.action, strlen(e.action), e.object,
                  strlen(e.object), details, strlen(details), e.prev_hash, strlen(e.prev_hash),
                  e.hash);
    if ((st = vg_db_audit_insert(s, &e, err)) != VG_OK)
        return st;
    uint8_t rec[AUDIT_HEAD_LEN];
    for (int i = 0; i < 8; i++)
        rec[i] = (uint8_t)((uint64_t)e.seq >> (56 - 8 * i));
    memcpy(rec + 8, e.hash, 64);
    return vg_db_meta_put(s, AUDIT_HEAD, rec, sizeof rec, err);
}

static vg_status append_json(vg_store *s, const char *actor, const char *action,
                             const char *object, json_t *details, size_t flags, vg_err *err)
{
    char *text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS | flags) : NULL;
    json_decref(details);
    if (!text)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory writing an audit entry");
    vg_status st = vg_audit_append_tx(s, actor, action, object, text, err);
    free(text);
    return st;
}

vg_status vg_audit_append_json_tx(vg_store *s, const char *actor, const char *action,
                                  const char *object, json_t *details, vg_err *err)
{
    return append_json(s, actor, action, object, details, 0, err);
}

vg_status vg_audit_append_json6_tx(vg_store *s, const char *actor, const char *action,
                                   const char *object, json_t *details, vg_err *err)
{
    return append_json(s, actor, action, object, details, JSON_REAL_PRECISION(6), err);
}

vg_status vg_store_audit_append(vg_store *s, const char *actor, const char *action,
                                const char *object, const char *details, vg_err *err)
{
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_audit_append: store is NULL");
    vg_status st = vg_store_begin(s, err);
    if (st != VG_OK)
        return st;
    st = vg_audit_append_tx(s, actor, action, object, details, err);
    return vg_store_end(s, st, err);
}

/* ---- list ---- */

typedef struct list_ctx {
    vg_audit_entry *v;
    int n, cap;
} list_ctx;

static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1; /* only a tampered row is this long; verify reports it */
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static vg_status list_row(void *ctx, const vg_store_audit_row *r, vg_err *err)
{
    list_ctx *l = ctx;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        vg_audit_entry *v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory listing %d audit entries", l->n);
        l->v = v;
        l->cap = cap;
    }
    vg_audit_entry *e = &l->v[l->n];
    memset(e, 0, sizeof *e);
    e->details = malloc(r->details_len + 1);
    if (!e->details)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory listing audit entry %lld",
                          (long long)r->seq);
    memcpy(e->details, r->details, r->details_len);
    e->details[r->details_len] = '\0';
    e->seq = r->seq;
    e->time = r->time;
    copy_text(e->actor, sizeof e->actor, r->actor, r->actor_len);
    copy_text(e->action, sizeof e->action, r->action, r->action_len);
    copy_text(e->object, sizeof e->object, r->object, r->object_len);
    copy_text(e->prev_hash, sizeof e->prev_hash, r->prev_hash, r->prev_hash_len);
    copy_text(e->hash, sizeof e->hash, r->hash, r->hash_len);
    l->n++;
    return VG_OK;
}

vg_status vg_store_audit_list(vg_store *s, int64_t since, vg_audit_entry **out, int *n,
                              vg_err *err)
{
    if (!s || !out || !n)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_audit_list: NULL argument");
    *out = NULL;
    *n = 0;
    list_ctx l = {0};
    vg_status st = vg_db_audit_each(s, since, list_row, &l, err);
    if (st != VG_OK) {
        vg_store_audit_free(l.v, l.n);
        return st;
    }
    *out = l.v;
    *n = l.n;
    return VG_OK;
}

void vg_store_audit_free(vg_audit_entry *entries, int n)
{
    if (!entries)
        return;
    for (int i = 0; i < n; i++)
        free(entries[i].details);
    free(entries);
}

/* ---- verify ---- */

typedef struct verify_ctx {
    int64_t expect_seq;
    char prev_hash[65];
    int64_t entries;
    int64_t bad_seq;
} verify_ctx;

static vg_status verify_row(void *ctx, const vg_store_audit_row *r, vg_err *err)
{
    verify_ctx *v = ctx;
    v->entries++;
    if (r->seq != v->expect_seq) {
        v->bad_seq = r->seq;
        if (v->expect_seq == 1)
            return vg_err_set(err, VG_ERR_INVALID,
                              "audit entry %lld is the first one: entries 1 to %lld were removed",
                              (long long)r->seq, (long long)(r->seq - 1));
        return vg_err_set(err, VG_ERR_INVALID,
                          "audit entry %lld follows entry %lld: entries %lld to %lld were removed",
                          (long long)r->seq, (long long)(v->expect_seq - 1),
                          (long long)v->expect_seq, (long long)(r->seq - 1));
    }
    if (r->prev_hash_len != 64 || memcmp(r->prev_hash, v->prev_hash, 64) != 0) {
        v->bad_seq = r->seq;
        if (r->seq == 1)
            return vg_err_set(err, VG_ERR_INVALID,
                              "audit entry 1 does not start the chain (its prev_hash is not "
                              "the genesis value): the chain was altered");
        return vg_err_set(err, VG_ERR_INVALID,
                          "audit entry %lld does not follow entry %lld (its prev_hash is not "
                          "that entry's hash): entries were removed or reordered",
                          (long long)r->seq, (long long)(r->seq - 1));
    }
    char h[65];
    vg_audit_hash(r->seq, r->time, r->actor, r->actor_len, r->action, r->action_len, r->object,
                  r->object_len, r->details, r->details_len, r->prev_hash, r->prev_hash_len, h);
    if (r->hash_len != 64 || memcmp(r->hash, h, 64) != 0) {
        v->bad_seq = r->seq;
        return vg_err_set(err, VG_ERR_INVALID,
                          "audit entry %lld was edited: its hash does not match its contents",
                          (long long)r->seq);
    }
    memcpy(v->prev_hash, h, sizeof h);
    v->expect_seq++;
    return VG_OK;
}

/* After an intact walk: the last entry must be the recorded head. */
static vg_status check_head(vg_store *s, verify_ctx *v, vg_err *err)
{
    int64_t last = v->expect_seq - 1;
    uint8_t *head = NULL;
    size_t len = 0;
    vg_err tmp;
    vg_status st = vg_db_meta_get(s, AUDIT_HEAD, &head, &len, &tmp);
    if (st == VG_ERR_NOT_FOUND) {
        if (last == 0)
            return VG_OK; /* nothing appended yet */
        v->bad_seq = last + 1;
        return vg_err_set(err, VG_ERR_INVALID,
                          "the record of the audit chain's head is missing: entries after %lld "
                          "may have been removed",
                          (long long)last);
    }
    if (st != VG_OK) {
        if (err)
            *err = tmp;
        return st;
    }
    int64_t head_seq = 0;
    int ok = len == AUDIT_HEAD_LEN;
    if (ok) {
        uint64_t u = 0;
        for (int i = 0; i < 8; i++)
            u = u << 8 | head[i];
        head_seq = (int64_t)u;
    }
    if (ok && head_seq > last) {
        free(head);
        v->bad_seq = last + 1;
        return vg_err_set(err, VG_ERR_INVALID,
                          "audit entries %lld to %lld were removed from the end of the chain",
                          (long long)(last + 1), (long long)head_seq);
    }
    ok = ok && head_seq == last && memcmp(head + 8, v->prev_hash, 64) == 0;
    free(head);
    if (!ok) {
        v->bad_seq = last;
        return vg_err_set(err, VG_ERR_INVALID,
                          "audit entry %lld is not the chain's recorded head: the end of the "
                          "chain was rewritten",
                          (long long)last);
    }
    return VG_OK;
}

vg_status vg_store_audit_verify(vg_store *s, int64_t *bad_seq, int64_t *entries, vg_err *err)
{
    if (bad_seq)
        *bad_seq = 0;
    if (entries)
        *entries = 0;
    if (!s)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_audit_verify: store is NULL");
    verify_ctx v = {.expect_seq = 1};
    memcpy(v.prev_hash, VG_AUDIT_GENESIS, sizeof v.prev_hash);
    vg_status st = vg_db_audit_each(s, INT64_MIN, verify_row, &v, err);
    if (st == VG_OK)
        st = check_head(s, &v, err);
    if (entries)
        *entries = v.entries;
    if (bad_seq)
        *bad_seq = v.bad_seq;
    return st;
}
