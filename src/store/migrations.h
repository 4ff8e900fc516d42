/* migrations.h — the numbered schema migrations and the function that brings
 * a database up to the version this binary writes. */
#ifndef VG_STORE_MIGRATIONS_H
#define VG_STORE_MIGRATIONS_H

#include "store/backend.h"

/* The highest migration this binary knows (= vg_store_schema_version()). */
int vg_store_migrations_latest(void);

/* Applies every migration above `from`, each in its own transaction together
 * with its schema_version row (after its idempotent `before` step, if any,
 * which runs outside a transaction); stops at the first failure (earlier ones stay
 * applied, which is safe: each is whole). */
vg_status vg_store_migrate(const vg_store_backend *be, vg_store_conn *c, int from, int64_t now,
                           vg_err *err);

#endif
