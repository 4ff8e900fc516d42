/* migrations.h — the numbered schema migrations and the function that brings
 * a database up to the version this binary writes. */
#ifndef VG_STORE_MIGRATIONS_H
#define VG_STORE_MIGRATIONS_H

#include "store/backend.h"
#include "vigil/store.h"

/* The highest migration this binary knows (= vg_store_schema_version()). */
int vg_store_migrations_latest(void);

/* The migrations in order: how many, the i-th's (0-based) version, and its
 * text in a dialect (NULL when it has none: such a backend cannot open the
 * database). For the test that every migration has every dialect. */
int vg_store_migrations_count(void);
int vg_store_migration_version(int i);
const char *vg_store_migration_sql(int i, vg_store_dialect d);
/* Whether the i-th migration has a with_key step (one whose SQL text is ""
 * changes no table and only runs its step). */
int vg_store_migration_has_step(int i);

/* Applies every migration above `from`, each in its own transaction together
 * with its schema_version row (after its idempotent `before` step, if any,
 * which runs outside a transaction); stops at the first failure (earlier ones stay
 * applied, which is safe: each is whole). Inside each transaction, under the
 * write lock, the version is read again and a migration another process
 * applied meanwhile is skipped: nodes opening a new database together apply
 * each migration once. s (whose connection is c, its key loaded) is given
 * to a migration's with_key step, which rewrites sealed data. */
vg_status vg_store_migrate(const vg_store_backend *be, vg_store_conn *c, vg_store *s, int from,
                           int64_t now, vg_err *err);

/* One migration: its `before` step for this backend's dialect (before may
 * be NULL), then in one transaction its SQL and its schema_version row,
 * unless the database already has that version. vg_store_migrate applies
 * the table's migrations with it; a test applies the example migration of
 * docs/storage.md with it. */
vg_status vg_store_migration_apply(const vg_store_backend *be, vg_store_conn *c, int version,
                                   const char *const sql[VG_DIALECT_COUNT],
                                   const char *const before[VG_DIALECT_COUNT], int64_t now,
                                   vg_err *err);

#endif
