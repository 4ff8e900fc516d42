/* counters.c — vg_store_counters_*: the running per-camera counts of a
 * deployment (frames, faces, tracks, comparisons, alerts, reconnects).
 *
 * Counts hold no biometric data and are written often (the engine adds its
 * increments every few seconds), so they are not audited; each add is one
 * upsert in its own transaction. The transparency report (issue 6) is built
 * from them.
 */
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"

static vg_status check_camera(const char *camera, vg_err *err)
{
    vg_status st = vg_check_text("camera", camera, VG_STORE_NAME_MAX, 1, err);
    if (st == VG_OK)
        st = vg_check_utf8("camera", camera, 1, err);
    return st;
}

vg_status vg_store_counters_add(vg_store *s, int64_t deployment_id, const char *camera,
                                const vg_counters *c, vg_err *err)
{
    if (!s || !c)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_counters_add: NULL argument");
    vg_status st = check_camera(camera, err);
    if (st != VG_OK)
        return st;
    static const char *const names[] = {"frames_in", "frames_processed", "frames_dropped",
                                        "faces",     "tracks",           "embeddings",
                                        "comparisons", "alerts",         "reconnects"};
    const int64_t vals[] = {c->frames_in, c->frames_processed, c->frames_dropped,
                            c->faces,     c->tracks,           c->embeddings,
                            c->comparisons, c->alerts,         c->reconnects};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        if (vals[i] < 0)
            return vg_err_set(err, VG_ERR_INVALID, "%s increment %lld is negative", names[i],
                              (long long)vals[i]);
    if ((st = vg_store_begin(s, err)) != VG_OK)
        return st;
    st = s->be->counters_add(s->conn, deployment_id, camera, c, vg_store_now(s), err);
    return vg_store_end(s, st, err);
}

vg_status vg_store_counters_get(vg_store *s, int64_t deployment_id, const char *camera,
                                vg_counters *out, vg_err *err)
{
    if (!s || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_counters_get: NULL argument");
    memset(out, 0, sizeof *out);
    if (camera) {
        vg_status st = check_camera(camera, err);
        if (st != VG_OK)
            return st;
    }
    return s->be->counters_get(s->conn, deployment_id, camera, out, err);
}
