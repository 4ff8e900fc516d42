/* backend.c — the table of store backends and the choice of one by path.
 *
 * "postgresql://" and "postgres://" URLs belong to the PostgreSQL backend
 * (postgres.c); anything else is a SQLite file path (sqlite.c). A new
 * backend is one more row here and one more file; callers do not change.
 */
#include "store/backend.h"

static const vg_store_backend *const backends[] = {
    &vg_store_backend_postgresql,
    &vg_store_backend_sqlite, /* last: it claims every path */
};

const vg_store_backend *vg_store_backend_find(const char *path)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i]->claims(path))
            return backends[i];
    return NULL;
}
