/* backend.c — the table of store backends and the choice of one by path.
 *
 * "postgresql://" and "postgres://" URLs belong to the PostgreSQL backend,
 * which is not built yet: its entry has no open function, so such a path is
 * refused with a clear message instead of becoming a SQLite file named
 * "postgresql:". Anything else is a SQLite file path. A new backend is one
 * more row here and one more file; callers do not change.
 */
#include "store/backend.h"

#include <string.h>

static int claims_postgresql(const char *path)
{
    return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

static const vg_store_backend backend_postgresql = {
    .name = "postgresql",
    .claims = claims_postgresql,
    .open = NULL, /* not built in yet */
};

static const vg_store_backend *const backends[] = {
    &backend_postgresql,
    &vg_store_backend_sqlite, /* last: it claims every path */
};

const vg_store_backend *vg_store_backend_find(const char *path)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i]->claims(path))
            return backends[i];
    return NULL;
}
