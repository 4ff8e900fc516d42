/* seal_row.c — values sealed bound to their row (issue 14, point 11):
 * writing one into the row it belongs to (vg_db_sealed_put), and
 * migration 13's step, which seals again, bound to its row, every value
 * sealed before it (vg_db_reseal_all).
 *
 * Until migration 13 templates, photos, crops, calibrations, evaluation
 * results and document inputs were sealed with secretbox and no associated
 * data, so a sealed value copied into another row opened there: a
 * template of one subject could be given to another. Now each is AEAD with
 * "<table>:<row>:<column>" (seal.h) as associated data. The step reads
 * every such value in batches of a few rows (keyset order, so a large
 * alert table is never in memory at once), opens it with secretbox and
 * seals it again with its row's associated data, in the migration's
 * transaction: a crash leaves the database at version 12, all secretbox,
 * and the next open runs the step again. A value that does not open
 * (altered before the upgrade) is left as it is: it does not open
 * afterwards either, and is refused where it is read, as it was before
 * (a template's subject is quarantined). The key check runs first, so a
 * wrong key file is refused with its own message instead of leaving every
 * value as it is.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store_internal.h"

#define BATCH 32

vg_status vg_db_sealed_put(vg_store *s, const char *update, const char *ad_table, int64_t id,
                           int64_t sub, const char *column, const uint8_t *plain, size_t len, const char *what,
                           vg_err *err)
{
    uint8_t *sealed = NULL;
    size_t slen = 0;
    vg_status st = vg_seal_row(s->key, ad_table, id, sub, column, plain, len, &sealed, &slen, err);
    if (st != VG_OK)
        return st;
    vg_sql q;
    if ((st = vg_sql_prepare(&q, s, update, what, err)) == VG_OK) {
        vg_sql_i64(&q, 1, id);
        vg_sql_blob(&q, 2, sealed, slen);
        st = vg_sql_run(&q, err);
        if (st == VG_OK && vg_sql_changes(&q) != 1)
            st = vg_err_set(err, VG_ERR_INTERNAL, "%s: row %lld of %s is not there", what,
                            (long long)id, ad_table);
        vg_sql_finish(&q);
    }
    free(sealed);
    return st;
}

void vg_db_meta_ad(const char *key, char ad[VG_SEAL_AD_MAX])
{
    snprintf(ad, VG_SEAL_AD_MAX, "meta:%s:value", key);
}

/* ---- migration 13 ---- */

/* One kind of sealed value: its table's rows in keyset order. A row is
 * named by k1 (its id), or by (k1, k2) when composite. select: ?1 (and ?2
 * when composite) the last row read, columns k1, [k2,] value, at most
 * BATCH (32) rows; update: ?1 [?2] the row, then the sealed value. The
 * walk ends at the first empty batch. */
typedef struct reseal_spec {
    const char *ad_table, *column;
    int composite;
    const char *select, *update;
} reseal_spec;

static const reseal_spec specs[] = {
    /* a template is bound to its subject as well: one given to another
     * subject (its clear subject_id changed) does not open there */
    {"templates", "vector", 1,
     "SELECT id, subject_id, vector FROM template WHERE id > ?1 OR (id = ?1 AND subject_id > ?2) "
     "ORDER BY id, subject_id LIMIT 32",
     "UPDATE template SET vector = ?3 WHERE id = ?1 AND subject_id = ?2"},
    {"photos", "jpeg", 1,
     "SELECT subject_id, idx, jpeg FROM photo WHERE subject_id > ?1 OR (subject_id = ?1 AND "
     "idx > ?2) ORDER BY subject_id, idx LIMIT 32",
     "UPDATE photo SET jpeg = ?3 WHERE subject_id = ?1 AND idx = ?2"},
    {"alerts", "crop", 0,
     "SELECT id, crop FROM alert WHERE id > ?1 AND crop IS NOT NULL ORDER BY id LIMIT 32",
     "UPDATE alert SET crop = ?2 WHERE id = ?1"},
    {"eval_runs", "result", 0,
     "SELECT id, result FROM eval_run WHERE id > ?1 ORDER BY id LIMIT 32",
     "UPDATE eval_run SET result = ?2 WHERE id = ?1"},
    {"paperwork", "inputs", 0,
     "SELECT id, inputs FROM paperwork WHERE id > ?1 ORDER BY id LIMIT 32",
     "UPDATE paperwork SET inputs = ?2 WHERE id = ?1"},
};

typedef struct old_value {
    int64_t k1, k2;
    uint8_t *sealed;
    size_t len;
} old_value;

/* The value sealed anew bound to ad, into *out; *out NULL (VG_OK) when the
 * old value does not open. */
static vg_status reseal_one(const vg_store *s, const uint8_t *old, size_t len, const char *ad,
                            uint8_t **out, size_t *out_len, vg_err *err)
{
    *out = NULL;
    *out_len = 0;
    uint8_t *plain = NULL;
    size_t plen = 0;
    if (vg_unseal(s->key, old, len, &plain, &plen, NULL) != VG_OK)
        return VG_OK;
    vg_status st = vg_seal_ad(s->key, plain, plen, ad, out, out_len, err);
    sodium_memzero(plain, plen);
    free(plain);
    return st;
}

/* The next batch after (k1, k2) into v (*n rows). */
static vg_status read_batch(vg_store *s, const reseal_spec *sp, int64_t k1, int64_t k2,
                            old_value *v, int *n, vg_err *err)
{
    *n = 0;
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s, sp->select, "reading sealed values", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, k1);
    if (sp->composite)
        vg_sql_i64(&q, 2, k2);
    int row = 0;
    while ((st = vg_sql_step(&q, &row, err)) == VG_OK && row && *n < BATCH) {
        old_value *o = &v[*n];
        int c = 0;
        o->k1 = vg_sql_col_i64(&q, c++);
        o->k2 = sp->composite ? vg_sql_col_i64(&q, c++) : -1;
        if ((st = vg_sql_col_blob_copy(&q, c, &o->sealed, &o->len, err)) != VG_OK)
            break;
        (*n)++;
    }
    vg_sql_finish(&q);
    return st;
}

static vg_status reseal_table(vg_store *s, const reseal_spec *sp, vg_err *err)
{
    old_value v[BATCH];
    int64_t k1 = -1, k2 = -1;
    vg_status st = VG_OK;
    for (;;) {
        int n = 0;
        memset(v, 0, sizeof v);
        st = read_batch(s, sp, k1, k2, v, &n, err);
        vg_sql q;
        int prepared = 0;
        if (st == VG_OK && n > 0 &&
            (st = vg_sql_prepare(&q, s, sp->update, "sealing a value to its row", err)) == VG_OK)
            prepared = 1;
        for (int i = 0; st == VG_OK && i < n; i++) {
            char ad[VG_SEAL_AD_MAX];
            vg_seal_row_ad(ad, sp->ad_table, v[i].k1, sp->composite ? v[i].k2 : -1,
                           sp->column);
            uint8_t *fresh = NULL;
            size_t flen = 0;
            st = reseal_one(s, v[i].sealed, v[i].len, ad, &fresh, &flen, err);
            if (st == VG_OK && fresh) { /* else: altered before, kept as it is */
                vg_sql_reset(&q);
                vg_sql_i64(&q, 1, v[i].k1);
                if (sp->composite)
                    vg_sql_i64(&q, 2, v[i].k2);
                vg_sql_blob(&q, sp->composite ? 3 : 2, fresh, flen);
                st = vg_sql_run(&q, err);
            }
            free(fresh);
        }
        if (prepared)
            vg_sql_finish(&q);
        if (n > 0) {
            k1 = v[n - 1].k1;
            k2 = v[n - 1].k2;
        }
        for (int i = 0; i < n; i++)
            free(v[i].sealed);
        if (st != VG_OK)
            return vg_err_prefix(err, st, "re-sealing %s.%s", sp->ad_table, sp->column);
        if (n == 0)
            return VG_OK;
    }
}

typedef struct meta_row {
    char *key;
    uint8_t *value;
    size_t len;
} meta_row;

static vg_status read_meta(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    (void)ctx;
    meta_row *m = elem;
    size_t kl = 0;
    const char *k = vg_sql_col_text(q, 0, &kl);
    m->key = strdup(k ? k : "");
    m->value = NULL;
    vg_status st = vg_sql_col_blob_copy(q, 1, &m->value, &m->len, err);
    if (st == VG_OK && !m->key)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory reading calibrations");
    return st;
}

/* The calibrations in the meta table (a few rows, one per model). */
static vg_status reseal_calibrations(vg_store *s, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                        "SELECT key, value FROM meta WHERE substr(key, 1, 12) = "
                                        "'calibration:' ORDER BY key",
                                        "reading calibrations", err);
    if (st != VG_OK)
        return st;
    void *out = NULL;
    int n = 0;
    st = vg_sql_collect(&q, sizeof(meta_row), read_meta, NULL, &out, &n, err);
    meta_row *m = out;
    for (int i = 0; st == VG_OK && i < n; i++) {
        char ad[VG_SEAL_AD_MAX];
        vg_db_meta_ad(m[i].key, ad);
        uint8_t *fresh = NULL;
        size_t flen = 0;
        st = reseal_one(s, m[i].value, m[i].len, ad, &fresh, &flen, err);
        if (st == VG_OK && fresh) /* else: altered before, kept as it is */
            st = vg_db_meta_put(s, m[i].key, fresh, flen, err);
        free(fresh);
    }
    for (int i = 0; i < n; i++) {
        free(m[i].key);
        free(m[i].value);
    }
    free(m);
    return st == VG_OK ? VG_OK : vg_err_prefix(err, st, "re-sealing the calibrations");
}

vg_status vg_db_reseal_all(vg_store *s, vg_err *err)
{
    /* the key first: under a wrong key nothing would open, and every value
     * would be left as it is */
    uint8_t *check = NULL;
    size_t len = 0;
    vg_err tmp;
    vg_status st = vg_db_meta_get(s, "key_check", &check, &len, &tmp);
    if (st == VG_ERR_NOT_FOUND)
        return VG_OK; /* a new database: nothing sealed yet */
    if (st != VG_OK) {
        if (err)
            *err = tmp;
        return st;
    }
    int ok = vg_seal_key_check_ok(s->key, check, len);
    free(check);
    if (!ok)
        return vg_err_set(err, VG_ERR_INVALID,
                          "the key in %s does not open database %s (wrong key file?)", s->key_path,
                          s->name);
    for (size_t i = 0; st == VG_OK && i < sizeof specs / sizeof specs[0]; i++)
        st = reseal_table(s, &specs[i], err);
    if (st == VG_OK)
        st = reseal_calibrations(s, err);
    return st;
}
