/* reload.c — hot reload of the running engine's watch list: after a
 * subject is enrolled or removed through the API, the server rebuilds the
 * gallery of the engine's deployment from the store (an audited read) and
 * hands it to the engine (vg_engine_gallery_set), which matches against it
 * from its next search on, without a restart. */
#include <stdio.h>
#include <stdlib.h>

#include "server/server_internal.h"
#include "vigil/watchlist.h"

vg_status vg_server_gallery_reload(vg_server *srv, int64_t watchlist_id, const char *actor, vg_err *err)
{
    if (!srv->engine)
        return VG_OK;
    int64_t dep = vg_engine_deployment_id(srv->engine);
    if (dep <= 0)
        return VG_OK; /* not a deployment: its list is not known */
    vg_deployment *d = NULL;
    int n = 0;
    vg_status st = vg_store_deployment_list(srv->store, &d, &n, err);
    int k = -1;
    for (int i = 0; st == VG_OK && i < n; i++)
        if (d[i].id == dep)
            k = i;
    if (st != VG_OK || k < 0 || d[k].watchlist_id != watchlist_id) {
        free(d);
        return st;
    }
    char purpose[VG_STORE_NAME_MAX + 64];
    snprintf(purpose, sizeof purpose, "deployment %s: reload after a watch-list change", d[k].name);
    free(d);
    vg_watch_gallery *g = NULL;
    st = vg_watch_gallery_load(srv->store, actor, purpose, watchlist_id,
                               vg_face_pack_model_id(vg_engine_pack(srv->engine)), 0, &g, err);
    if (st == VG_OK)
        vg_engine_gallery_set(srv->engine, g);
    return st;
}
