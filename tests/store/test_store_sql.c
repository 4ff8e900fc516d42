/* test_store_sql.c — the store's query layer (src/store/sql.h) on both
 * backends: the walkthrough of docs/storage.md ("adding a column to one
 * table": one migration with its two dialect texts, one query written once),
 * and the primitives each dialect gives (placeholders, the new row's id,
 * errors sorted into classes, bytes in text and binary results, NULL,
 * booleans, reset). */
#include "store/store_fixtures.h"

#include "store/migrations.h"
#include "store/sql.h"

/* ---- the walkthrough's example: keep in step with docs/storage.md ---- */

static const char *const add_reviewed_at[VG_DIALECT_COUNT] = {
    [VG_DIALECT_SQLITE] = "ALTER TABLE watchlist ADD COLUMN reviewed_at INTEGER NOT NULL DEFAULT 0",
    [VG_DIALECT_POSTGRES] = "ALTER TABLE watchlist ADD COLUMN reviewed_at BIGINT NOT NULL DEFAULT 0",
};

/* The one change in watchlist.c: the column written and read, once. */
static vg_status watchlist_reviewed_set(vg_store *s, int64_t id, int64_t at, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "UPDATE watchlist SET reviewed_at = ?2 WHERE id = ?1",
                                  "marking a watch list reviewed", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, id);
    vg_sql_i64(&q, 2, at);
    if ((st = vg_sql_run(&q, err)) == VG_OK && vg_sql_changes(&q) != 1)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no watch list with id %lld", (long long)id);
    vg_sql_finish(&q);
    return st;
}

static void test_walkthrough_adding_a_column(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    vg_watchlist w = {0};
    snprintf(w.name, sizeof w.name, "robbery");
    snprintf(w.reason, sizeof w.reason, "warrants");
    snprintf(w.authorised_by, sizeof w.authorised_by, "Supt. Hale");
    int64_t id = 0;
    assert_int_equal(vg_store_watchlist_create(f.s, ACTOR, &w, &id, &err), VG_OK);

    /* before the migration the column does not exist: the query fails */
    assert_int_not_equal(watchlist_reviewed_set(f.s, id, T0 + 60, &err), VG_OK);

    int next = vg_store_schema_version() + 1;
    assert_int_equal(vg_store_migration_apply(f.s->be, f.s->conn, next, add_reviewed_at, NULL,
                                              T0, &err),
                     VG_OK);
    assert_int_equal(raw_int(f.db, "SELECT max(version) FROM schema_version"), next);
    /* the existing row has the default; applied again, nothing happens */
    assert_int_equal(raw_int(f.db, "SELECT reviewed_at FROM watchlist"), 0);
    assert_int_equal(vg_store_migration_apply(f.s->be, f.s->conn, next, add_reviewed_at, NULL,
                                              T0, &err),
                     VG_OK);
    char sql[100];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM schema_version WHERE version = %d", next);
    assert_int_equal(raw_int(f.db, sql), 1);

    assert_int_equal(watchlist_reviewed_set(f.s, id, T0 + 60, &err), VG_OK);
    int64_t at = 0;
    vg_sql q;
    assert_int_equal(vg_sql_prepare(&q, f.s,
                                    "SELECT reviewed_at FROM watchlist WHERE name = ?1",
                                    "reading when a watch list was reviewed", &err),
                     VG_OK);
    vg_sql_text(&q, 1, "robbery");
    int row = 0;
    assert_int_equal(vg_sql_step(&q, &row, &err), VG_OK);
    assert_int_equal(row, 1);
    at = vg_sql_col_i64(&q, 0);
    vg_sql_finish(&q);
    assert_int_equal(at, T0 + 60);
    assert_int_equal(raw_int(f.db, "SELECT reviewed_at FROM watchlist"), T0 + 60);
    assert_int_equal(watchlist_reviewed_set(f.s, id + 99, T0, &err), VG_ERR_NOT_FOUND);

    /* the store's own queries still work on the table */
    vg_watchlist got;
    assert_int_equal(vg_store_watchlist_get(f.s, "robbery", &got, &err), VG_OK);
    fx_done(&f);
}

/* ---- the primitives ---- */

static const char *const scratch[VG_DIALECT_COUNT] = {
    [VG_DIALECT_SQLITE] = "CREATE TABLE scratch (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                          "name TEXT NOT NULL UNIQUE, n INTEGER, x REAL, b BLOB, "
                          "parent INTEGER REFERENCES scratch(id))",
    [VG_DIALECT_POSTGRES] = "CREATE TABLE scratch (id BIGINT GENERATED ALWAYS AS IDENTITY "
                            "PRIMARY KEY, name TEXT NOT NULL UNIQUE, n BIGINT, "
                            "x DOUBLE PRECISION, b BYTEA, parent BIGINT REFERENCES scratch(id))",
};

static int64_t insert(vg_store *s, const char *name, int64_t n, const uint8_t *b, size_t len,
                      vg_sql_error *fail, vg_err *err)
{
    vg_sql q;
    assert_int_equal(vg_sql_prepare_insert(&q, s,
                                           "INSERT INTO scratch (name, n, x, b) "
                                           "VALUES (?1, ?2, ?3, ?4)",
                                           "adding a scratch row", err),
                     VG_OK);
    vg_sql_text(&q, 1, name);
    vg_sql_i64(&q, 2, n);
    vg_sql_f64(&q, 3, (double)n * 0.5);
    if (b)
        vg_sql_blob(&q, 4, b, len);
    else
        vg_sql_null(&q, 4);
    int64_t id = 0;
    if (vg_sql_run(&q, err) == VG_OK)
        id = vg_sql_last_id(&q);
    *fail = q.fail;
    vg_sql_finish(&q);
    return id;
}

static void test_primitives(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_err err = {{0}};
    vg_store *s = f.s;
    assert_int_equal(s->be->exec(s->conn, scratch[s->be->dialect], "making a table", &err), VG_OK);

    /* the new row's id, both ways; bytes with NUL and backslash survive */
    const uint8_t bytes[] = {0, '\\', 'x', 0xff, 0, 7};
    vg_sql_error fail;
    int64_t a = insert(s, "a", 4, bytes, sizeof bytes, &fail, &err);
    if (a <= 0)
        fprintf(stderr, "%s\n", err.msg);
    assert_true(a > 0);
    int64_t b = insert(s, "b?1 'q'", 6, NULL, 0, &fail, &err);
    assert_int_equal(b, a + 1);
    assert_int_equal(raw_int(f.db, "SELECT count(*) FROM scratch"), 2);

    /* a duplicate and a dangling reference are told apart */
    assert_int_equal(insert(s, "a", 1, NULL, 0, &fail, &err), 0);
    assert_int_equal(fail, VG_SQL_UNIQUE);
    vg_sql q;
    assert_int_equal(vg_sql_prepare(&q, s, "UPDATE scratch SET parent = ?1 WHERE id = ?2",
                                    "linking", &err),
                     VG_OK);
    vg_sql_i64(&q, 1, 999);
    vg_sql_i64(&q, 2, a);
    assert_int_not_equal(vg_sql_run(&q, &err), VG_OK);
    assert_int_equal(q.fail, VG_SQL_FOREIGN_KEY);
    assert_non_null(strstr(err.msg, "linking"));
    /* reset and bind again: a good reference, one row changed */
    vg_sql_reset(&q);
    vg_sql_i64(&q, 1, a);
    vg_sql_i64(&q, 2, b);
    assert_int_equal(vg_sql_run(&q, &err), VG_OK);
    assert_int_equal(vg_sql_changes(&q), 1);
    vg_sql_finish(&q);

    /* reading back: a ?N inside quotes is text, not a placeholder; a
     * repeated ?N is one value; NULL reads as 0, "" and no bytes; a
     * comparison reads as 1 or 0 */
    assert_int_equal(vg_sql_prepare(&q, s,
                                    "SELECT id, name, n, x, b, parent, n = ?1, 'why?1' "
                                    "FROM scratch WHERE n >= ?1 - 2 AND n <= ?1 + 2 ORDER BY id",
                                    "reading scratch rows", &err),
                     VG_OK);
    vg_sql_i64(&q, 1, 4);
    int row = 0;
    assert_int_equal(vg_sql_step(&q, &row, &err), VG_OK);
    assert_int_equal(row, 1);
    size_t len = 0;
    assert_int_equal(vg_sql_col_i64(&q, 0), a);
    assert_string_equal(vg_sql_col_text(&q, 1, &len), "a");
    assert_int_equal(vg_sql_col_i64(&q, 2), 4);
    assert_true(fabs(vg_sql_col_f64(&q, 3) - 2.0) < 1e-12);
    const uint8_t *got = vg_sql_col_blob(&q, 4, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(got, bytes, sizeof bytes);
    assert_true(vg_sql_col_null(&q, 5));
    assert_int_equal(vg_sql_col_i64(&q, 5), 0);
    assert_int_equal(vg_sql_col_i64(&q, 6), 1);
    assert_string_equal(vg_sql_col_text(&q, 7, &len), "why?1");
    assert_int_equal(vg_sql_step(&q, &row, &err), VG_OK);
    assert_int_equal(row, 1);
    assert_string_equal(vg_sql_col_text(&q, 1, &len), "b?1 'q'");
    assert_true(vg_sql_col_null(&q, 4));
    assert_null(vg_sql_col_blob(&q, 4, &len));
    assert_int_equal(len, 0);
    assert_int_equal(vg_sql_col_i64(&q, 5), a);
    assert_int_equal(vg_sql_col_i64(&q, 6), 0);
    assert_int_equal(vg_sql_step(&q, &row, &err), VG_OK);
    assert_int_equal(row, 0);
    vg_sql_finish(&q);

    /* the same columns from a statement that reads bytes (binary results
     * on PostgreSQL): integers, text and bytes read alike */
    assert_int_equal(vg_sql_prepare_bytes(&q, s, "SELECT id, name, n, b FROM scratch WHERE id = ?1",
                                          "reading scratch bytes", &err),
                     VG_OK);
    vg_sql_i64(&q, 1, a);
    assert_int_equal(vg_sql_step(&q, &row, &err), VG_OK);
    assert_int_equal(row, 1);
    assert_int_equal(vg_sql_col_i64(&q, 0), a);
    assert_string_equal(vg_sql_col_text(&q, 1, &len), "a");
    assert_int_equal(vg_sql_col_i64(&q, 2), 4);
    got = vg_sql_col_blob(&q, 3, &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(got, bytes, sizeof bytes);
    vg_sql_finish(&q);

    /* a statement that does not parse is an error, before any step */
    vg_status st = vg_sql_prepare(&q, s, "SELEKT 1", "a typo", &err);
    if (st == VG_OK) { /* PostgreSQL parses at the first step */
        assert_int_not_equal(vg_sql_step(&q, &row, &err), VG_OK);
        vg_sql_finish(&q);
    }
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walkthrough_adding_a_column),
        cmocka_unit_test(test_primitives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
