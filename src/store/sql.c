/* sql.c — the store's query layer (sql.h): statements over the backend's
 * primitives, and the few shapes of query every entity file uses (one row
 * by name or id, a list into an array, one integer). Written once for both
 * dialects; what differs lives in sqlite.c and postgres.c.
 */
#include "store/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vg_status prepare(vg_sql *q, const vg_store *s, const char *sql, int flags,
                         const char *what, vg_err *err)
{
    q->be = s->be;
    q->c = s->conn;
    q->st = NULL;
    q->what = what;
    q->fail = VG_SQL_OK;
    return s->be->prepare(s->conn, sql, flags, &q->st, err);
}

vg_status vg_sql_prepare(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                         vg_err *err)
{
    return prepare(q, s, sql, 0, what, err);
}

vg_status vg_sql_prepare_insert(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                                vg_err *err)
{
    return prepare(q, s, sql, VG_SQL_RETURNING_ID, what, err);
}

vg_status vg_sql_prepare_bytes(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                               vg_err *err)
{
    return prepare(q, s, sql, VG_SQL_READS_BYTES, what, err);
}

void vg_sql_finish(vg_sql *q)
{
    if (q->st)
        q->be->finalize(q->st);
    q->st = NULL;
}

void vg_sql_i64(vg_sql *q, int i, int64_t v)
{
    q->be->bind_i64(q->st, i, v);
}

void vg_sql_f64(vg_sql *q, int i, double v)
{
    q->be->bind_f64(q->st, i, v);
}

void vg_sql_text(vg_sql *q, int i, const char *v)
{
    q->be->bind_text(q->st, i, v ? v : "");
}

void vg_sql_blob(vg_sql *q, int i, const uint8_t *v, size_t len)
{
    q->be->bind_blob(q->st, i, v, len);
}

void vg_sql_null(vg_sql *q, int i)
{
    q->be->bind_null(q->st, i);
}

vg_status vg_sql_step(vg_sql *q, int *row, vg_err *err)
{
    return q->be->step(q->st, q->what, row, &q->fail, err);
}

vg_status vg_sql_run(vg_sql *q, vg_err *err)
{
    int row = 0;
    return vg_sql_step(q, &row, err);
}

void vg_sql_reset(vg_sql *q)
{
    q->be->reset(q->st);
}

int64_t vg_sql_col_i64(vg_sql *q, int i)
{
    return q->be->col_i64(q->st, i);
}

double vg_sql_col_f64(vg_sql *q, int i)
{
    return q->be->col_f64(q->st, i);
}

int vg_sql_col_null(vg_sql *q, int i)
{
    return q->be->col_null(q->st, i);
}

const char *vg_sql_col_text(vg_sql *q, int i, size_t *len)
{
    return q->be->col_text(q->st, i, len);
}

const uint8_t *vg_sql_col_blob(vg_sql *q, int i, size_t *len)
{
    return q->be->col_blob(q->st, i, len);
}

void vg_sql_col_copy(vg_sql *q, int i, char *dst, size_t cap)
{
    size_t n;
    const char *t = vg_sql_col_text(q, i, &n);
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

vg_status vg_sql_col_blob_copy(vg_sql *q, int i, uint8_t **out, size_t *len, vg_err *err)
{
    size_t n;
    const uint8_t *b = vg_sql_col_blob(q, i, &n);
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory %s (%zu bytes)", q->what, n);
    if (n)
        memcpy(copy, b, n);
    *out = copy;
    *len = n;
    return VG_OK;
}

int64_t vg_sql_changes(vg_sql *q)
{
    return q->be->changes(q->st);
}

int64_t vg_sql_last_id(vg_sql *q)
{
    return q->be->last_id(q->st);
}

vg_status vg_sql_collect(vg_sql *q, size_t elem_size, vg_sql_reader read, void *ctx, void **out,
                         int *n, vg_err *err)
{
    char *v = NULL;
    int count = 0, cap = 0, row = 0;
    vg_status s;
    while ((s = vg_sql_step(q, &row, err)) == VG_OK && row) {
        if (count == cap) {
            int nc = cap ? cap * 2 : 8;
            char *g = realloc(v, (size_t)nc * elem_size);
            if (!g) {
                s = vg_err_set(err, VG_ERR_NOMEM, "out of memory %s", q->what);
                break;
            }
            v = g;
            cap = nc;
        }
        if ((s = read(ctx, q, v + (size_t)count * elem_size, err)) != VG_OK)
            break;
        count++;
    }
    vg_sql_finish(q);
    if (s != VG_OK) {
        free(v);
        return s;
    }
    *out = v;
    *n = count;
    return VG_OK;
}

vg_status vg_sql_find_one(const vg_store *s, const char *sql_by_name, const char *sql_by_id,
                          const char *name, int64_t id, vg_sql_reader read, void *ctx, void *out,
                          const char *noun, vg_err *err)
{
    char what[64];
    snprintf(what, sizeof what, "reading a %s", noun);
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, name ? sql_by_name : sql_by_id, what, err);
    if (st != VG_OK)
        return st;
    if (name)
        vg_sql_text(&q, 1, name);
    else
        vg_sql_i64(&q, 1, id);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK) {
        if (row)
            st = read(ctx, &q, out, err);
        else if (name)
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s named \"%s\"", noun, name);
        else
            st = vg_err_set(err, VG_ERR_NOT_FOUND, "no %s with id %lld", noun, (long long)id);
    }
    vg_sql_finish(&q);
    return st;
}

/* Prepares sql with ?1 = arg bound when has_arg. */
static vg_status prepare_arg(vg_sql *q, const vg_store *s, const char *sql, int has_arg,
                             int64_t arg, const char *what, vg_err *err)
{
    vg_status st = vg_sql_prepare(q, s, sql, what, err);
    if (st == VG_OK && has_arg)
        vg_sql_i64(q, 1, arg);
    return st;
}

vg_status vg_sql_int(const vg_store *s, const char *sql, int has_arg, int64_t arg, int64_t *out,
                     const char *what, vg_err *err)
{
    vg_sql q;
    int row = 0;
    vg_status st = prepare_arg(&q, s, sql, has_arg, arg, what, err);
    if (st != VG_OK)
        return st;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row)
        *out = vg_sql_col_i64(&q, 0);
    else if (st == VG_OK)
        st = vg_err_set(err, VG_ERR_INTERNAL, "database %s: %s: no row", s->name, what);
    vg_sql_finish(&q);
    return st;
}

vg_status vg_sql_exec_count(const vg_store *s, const char *sql, int has_arg, int64_t arg,
                            int64_t *changes, const char *what, vg_err *err)
{
    vg_sql q;
    vg_status st = prepare_arg(&q, s, sql, has_arg, arg, what, err);
    if (st != VG_OK)
        return st;
    if ((st = vg_sql_run(&q, err)) == VG_OK && changes)
        *changes = vg_sql_changes(&q);
    vg_sql_finish(&q);
    return st;
}
