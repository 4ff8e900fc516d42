/* evalrun.c — vg_store_eval_run_*: evaluation runs kept in the store so
 * that a deployment's documents cite a run that can be checked: its kind,
 * the embedder's model id, the data set, the labels file's SHA-256, the
 * command, when and by whom, and its result (JSON). The result holds
 * scores and rates only, no face, but documents stand on it, so it is
 * sealed like a calibration, bound to its row ("eval_runs:<id>:result"):
 * an edited row, or another run's result copied into it, is refused
 * instead of cited.
 * Recording is audited (eval.record). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store_internal.h"
#include "store/validate.h"

#define RESULT_MAX (16 << 20)

static int known_kind(const char *k)
{
    static const char *const kinds[] = {"groups", "verify", "search", "calibrate"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return 1;
    return 0;
}

static vg_status check_run(const vg_eval_run *r, vg_err *err)
{
    vg_status st;
    if (!known_kind(r->kind))
        return vg_err_set(err, VG_ERR_INVALID, "evaluation kind '%.32s': groups, verify, search or calibrate",
                          r->kind);
    if ((st = vg_check_field("model", r->model_id, sizeof r->model_id, VG_STORE_NAME_MAX, 1, err)) ||
        (st = vg_check_utf8("model", r->model_id, 1, err)) ||
        (st = vg_check_field("dataset", r->dataset, sizeof r->dataset, VG_STORE_TEXT_MAX, 1, err)) ||
        (st = vg_check_utf8("dataset", r->dataset, 1, err)) ||
        (st = vg_check_field("command", r->command, sizeof r->command, VG_STORE_TEXT_MAX, 1, err)) ||
        (st = vg_check_utf8("command", r->command, 1, err)))
        return st;
    size_t n = strnlen(r->labels_sha256, sizeof r->labels_sha256);
    if (n == sizeof r->labels_sha256 || (n && n != 64) || strspn(r->labels_sha256, "0123456789abcdef") != n)
        return vg_err_set(err, VG_ERR_INVALID, "labels_sha256 must be empty or 64 lower-case hex digits");
    if (!r->result)
        return vg_err_set(err, VG_ERR_INVALID, "the result is required");
    size_t len = strlen(r->result);
    if (len > RESULT_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "a result of %zu bytes (at most %d)", len, RESULT_MAX);
    json_error_t je;
    json_t *j = json_loads(r->result, JSON_REJECT_DUPLICATES, &je);
    int obj = json_is_object(j);
    json_decref(j);
    if (!obj)
        return vg_err_set(err, VG_ERR_INVALID, "the result is not a JSON object");
    return VG_OK;
}

vg_status vg_store_eval_run_add(vg_store *s, const char *actor, const vg_eval_run *r, int64_t *id, vg_err *err)
{
    vg_status st = check_run(r, err);
    if (st)
        return st;
    size_t len = strlen(r->result);
    uint8_t hash[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof hash + 1];
    crypto_hash_sha256(hash, (const uint8_t *)r->result, len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    static const uint8_t none[1] = {0};
    int64_t now = vg_store_now(s), new_id = 0;
    if ((st = vg_store_begin(s, err)) == VG_OK) {
        vg_sql q;
        st = vg_sql_prepare_insert(&q, s,
                                   "INSERT INTO eval_run (kind, model_id, dataset, labels_sha256, command, "
                                   "created_at, created_by, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                   "recording an evaluation run", err);
        if (!st) {
            vg_sql_text(&q, 1, r->kind);
            vg_sql_text(&q, 2, r->model_id);
            vg_sql_text(&q, 3, r->dataset);
            vg_sql_text(&q, 4, r->labels_sha256);
            vg_sql_text(&q, 5, r->command);
            vg_sql_i64(&q, 6, now);
            vg_sql_text(&q, 7, actor);
            vg_sql_blob(&q, 8, none, 0); /* sealed below, bound to the new id */
            if ((st = vg_sql_run(&q, err)) == VG_OK)
                new_id = vg_sql_last_id(&q);
            vg_sql_finish(&q);
        }
        if (!st)
            st = vg_db_sealed_put(s, "UPDATE eval_run SET result = ?2 WHERE id = ?1", "eval_runs",
                                  new_id, -1, "result", (const uint8_t *)r->result, len,
                                  "sealing an evaluation run", err);
        if (!st) {
            char obj[32];
            snprintf(obj, sizeof obj, "eval_run:%lld", (long long)new_id);
            st = vg_audit_append_json_tx(s, actor, "eval.record", obj,
                                         json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", r->kind, "model", r->model_id,
                                                   "dataset", r->dataset, "labels_sha256", r->labels_sha256,
                                                   "result_sha256", hex),
                                         err);
        }
        st = vg_store_end(s, st, err);
    }
    if (!st && id)
        *id = new_id;
    return st;
}

typedef struct read_ctx {
    vg_store *s;
} read_ctx;

static vg_status read_run(void *ctx, vg_sql *q, void *elem, vg_err *err)
{
    read_ctx *c = ctx;
    vg_eval_run *r = elem;
    memset(r, 0, sizeof *r);
    r->id = vg_sql_col_i64(q, 0);
    vg_sql_col_copy(q, 1, r->kind, sizeof r->kind);
    vg_sql_col_copy(q, 2, r->model_id, sizeof r->model_id);
    vg_sql_col_copy(q, 3, r->dataset, sizeof r->dataset);
    vg_sql_col_copy(q, 4, r->labels_sha256, sizeof r->labels_sha256);
    vg_sql_col_copy(q, 5, r->command, sizeof r->command);
    r->created_at = vg_sql_col_i64(q, 6);
    vg_sql_col_copy(q, 7, r->created_by, sizeof r->created_by);
    size_t len = 0, plen = 0;
    const uint8_t *sealed = vg_sql_col_blob(q, 8, &len);
    uint8_t *plain = NULL;
    vg_status st = vg_unseal_row(c->s->key, "eval_runs", r->id, -1, "result", sealed, len, &plain,
                                 &plen, err);
    if (st)
        return vg_err_prefix(err, st, "evaluation run %lld", (long long)r->id);
    r->result = malloc(plen + 1);
    if (!r->result) {
        free(plain);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    memcpy(r->result, plain, plen);
    r->result[plen] = '\0';
    free(plain);
    return VG_OK;
}

vg_status vg_store_eval_run_list(vg_store *s, const char *model_id, const char *kind, vg_eval_run **out, int *n,
                                 vg_err *err)
{
    *out = NULL;
    *n = 0;
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                        "SELECT id, kind, model_id, dataset, labels_sha256, command, created_at, "
                                        "created_by, result FROM eval_run WHERE (?1 = '' OR model_id = ?1) AND "
                                        "(?2 = '' OR kind = ?2) ORDER BY id",
                                        "reading evaluation runs", err);
    if (st)
        return st;
    vg_sql_text(&q, 1, model_id ? model_id : "");
    vg_sql_text(&q, 2, kind ? kind : "");
    read_ctx c = {s};
    int cnt = 0;
    /* row by row, not vg_sql_collect: on a failure the results already
     * read must be freed too */
    size_t cap = 0;
    vg_eval_run *runs = NULL;
    int row = 0;
    while ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        if ((size_t)cnt == cap) {
            size_t nc = cap ? cap * 2 : 8;
            vg_eval_run *g = realloc(runs, nc * sizeof *g);
            if (!g) {
                st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                break;
            }
            runs = g;
            cap = nc;
        }
        if ((st = read_run(&c, &q, &runs[cnt], err)))
            break;
        cnt++;
    }
    vg_sql_finish(&q);
    if (st) {
        vg_store_eval_run_free(runs, cnt);
        return st;
    }
    *out = runs;
    *n = cnt;
    return VG_OK;
}

void vg_store_eval_run_free(vg_eval_run *runs, int n)
{
    if (!runs)
        return;
    for (int i = 0; i < n; i++)
        free(runs[i].result);
    free(runs);
}
