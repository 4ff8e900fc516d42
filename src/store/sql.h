/* sql.h — the store's query layer: one statement at a time over the
 * backend's primitives (backend.h), for the entity files (watchlist.c,
 * subject.c, alert.c, ...), which write each query once.
 *
 * SQL is written once, with ?1, ?2 ... placeholders (the PostgreSQL dialect
 * turns them into $1, $2); every value from a caller is bound, never pasted
 * into the text. Text that must hold in both dialects: cast a parameter
 * whose type PostgreSQL cannot infer (CAST(?2 AS BIGINT)), quote "user",
 * count with count(*) FILTER (WHERE ...), upsert with ON CONFLICT and
 * qualify the old row by its table's name. A new id is read with
 * vg_sql_prepare_insert and vg_sql_last_id (RETURNING id on PostgreSQL,
 * last_insert_rowid on SQLite).
 *
 * A vg_sql lives on the caller's stack: prepare, bind, step, read columns,
 * vg_sql_finish (always, after a successful prepare).
 */
#ifndef VG_STORE_SQL_H
#define VG_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_internal.h"

typedef struct vg_sql {
    const vg_store_backend *be;
    vg_store_conn *c;
    vg_store_stmt *st;
    const char *what; /* for messages: "adding a subject" */
    vg_sql_error fail; /* the class of the last failed step */
} vg_sql;

vg_status vg_sql_prepare(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                         vg_err *err);
/* For an INSERT whose new row's id vg_sql_last_id reads after the step. */
vg_status vg_sql_prepare_insert(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                                vg_err *err);
/* For a query that reads sealed bytes (templates, photos, crops): the same
 * results, fetched without a text encoding where the dialect has one. */
vg_status vg_sql_prepare_bytes(vg_sql *q, const vg_store *s, const char *sql, const char *what,
                               vg_err *err);
void vg_sql_finish(vg_sql *q);

/* Parameters are numbered from 1; text and blobs must outlive the step.
 * NULL text is bound as "". */
void vg_sql_i64(vg_sql *q, int i, int64_t v);
void vg_sql_f64(vg_sql *q, int i, double v);
void vg_sql_text(vg_sql *q, int i, const char *v);
void vg_sql_blob(vg_sql *q, int i, const uint8_t *v, size_t len);
void vg_sql_null(vg_sql *q, int i);

/* One step: *row 1 with a row to read, 0 at the end. A failure's class is
 * in q->fail (VG_SQL_UNIQUE: a duplicate). */
vg_status vg_sql_step(vg_sql *q, int *row, vg_err *err);
/* Steps a statement that returns no rows. */
vg_status vg_sql_run(vg_sql *q, vg_err *err);
/* Back to before the first step, bindings kept (the next ones replace them). */
void vg_sql_reset(vg_sql *q);

/* Columns of the current row, numbered from 0. SQL NULL reads as 0 or "".
 * Text and bytes stay valid until the next step. */
int64_t vg_sql_col_i64(vg_sql *q, int i);
double vg_sql_col_f64(vg_sql *q, int i);
int vg_sql_col_null(vg_sql *q, int i);
const char *vg_sql_col_text(vg_sql *q, int i, size_t *len);
const uint8_t *vg_sql_col_blob(vg_sql *q, int i, size_t *len);
/* Text into a buffer of cap bytes, cut and terminated. */
void vg_sql_col_copy(vg_sql *q, int i, char *dst, size_t cap);
/* A malloc'd copy of a blob column. */
vg_status vg_sql_col_blob_copy(vg_sql *q, int i, uint8_t **out, size_t *len, vg_err *err);

/* Rows the last step's INSERT, UPDATE or DELETE changed; the new row's id. */
int64_t vg_sql_changes(vg_sql *q);
int64_t vg_sql_last_id(vg_sql *q);

/* ---- shapes of query the entity files share ---- */

/* Reads the current row of q into elem. */
typedef vg_status (*vg_sql_reader)(void *ctx, vg_sql *q, void *elem, vg_err *err);

/* Steps q to its end, reading each row into a growing malloc'd array of
 * elem_size-byte elements (NULL when none); finishes q. On failure nothing
 * is returned. */
vg_status vg_sql_collect(vg_sql *q, size_t elem_size, vg_sql_reader read, void *ctx, void **out,
                         int *n, vg_err *err);

/* The one row that sql_by_name (?1 = name, when name is not NULL) or
 * sql_by_id (?1 = id) selects, read with read; VG_ERR_NOT_FOUND names the
 * noun ("no watch list named ..."). */
vg_status vg_sql_find_one(const vg_store *s, const char *sql_by_name, const char *sql_by_id,
                          const char *name, int64_t id, vg_sql_reader read, void *ctx, void *out,
                          const char *noun, vg_err *err);

/* One integer from a query that returns one row; ?1 = arg when the SQL has
 * a parameter (has_arg). */
vg_status vg_sql_int(const vg_store *s, const char *sql, int has_arg, int64_t arg, int64_t *out,
                     const char *what, vg_err *err);

/* Runs sql with ?1 = arg (when has_arg), returning the rows it changed. */
vg_status vg_sql_exec_count(const vg_store *s, const char *sql, int has_arg, int64_t arg,
                            int64_t *changes, const char *what, vg_err *err);

/* alert.c: columns 0..8 of an alert query (id, deployment_id, camera,
 * subject_id, score, frame_time, raised_at, state, uid) into a; alert_query.c
 * reads its details after them. */
void vg_db_alert_row(vg_sql *q, vg_alert *a);

#endif
