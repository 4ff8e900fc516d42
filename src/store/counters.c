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
#include "store/sql.h"

/* ---- queries of the counters table ---- */

/* One upsert adding v to the (deployment, camera) row; an unknown
 * deployment is VG_ERR_NOT_FOUND. */
static vg_status vg_db_counters_add(vg_store *s, int64_t deployment_id, const char *camera,
                                    const vg_counters *v, int64_t now, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(
        &q, s,
        "INSERT INTO counters (deployment_id, camera, frames_in, frames_processed, "
        "frames_dropped, faces, tracks, embeddings, comparisons, alerts, reconnects, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
        "ON CONFLICT (deployment_id, camera) DO UPDATE SET "
        "frames_in = counters.frames_in + excluded.frames_in, "
        "frames_processed = counters.frames_processed + excluded.frames_processed, "
        "frames_dropped = counters.frames_dropped + excluded.frames_dropped, "
        "faces = counters.faces + excluded.faces, tracks = counters.tracks + excluded.tracks, "
        "embeddings = counters.embeddings + excluded.embeddings, "
        "comparisons = counters.comparisons + excluded.comparisons, "
        "alerts = counters.alerts + excluded.alerts, "
        "reconnects = counters.reconnects + excluded.reconnects, updated_at = excluded.updated_at",
        "adding to counters", err);
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, deployment_id);
    vg_sql_text(&q, 2, camera);
    const int64_t vals[] = {v->frames_in,  v->frames_processed, v->frames_dropped,
                            v->faces,      v->tracks,           v->embeddings,
                            v->comparisons, v->alerts,          v->reconnects};
    for (int i = 0; i < 9; i++)
        vg_sql_i64(&q, 3 + i, vals[i]);
    vg_sql_i64(&q, 12, now);
    if ((st = vg_sql_run(&q, err)) != VG_OK && q.fail == VG_SQL_FOREIGN_KEY)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                        (long long)deployment_id);
    vg_sql_finish(&q);
    return st;
}

vg_status vg_db_counters_get(vg_store *s, int64_t deployment_id, const char *camera,
                             vg_counters *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t exists = 0;
    vg_status st = vg_sql_int(s, "SELECT count(*) FROM deployment WHERE id = ?1", 1,
                              deployment_id, &exists, "reading a deployment", err);
    if (st != VG_OK)
        return st;
    if (!exists)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment with id %lld",
                          (long long)deployment_id);
#define SUMS                                                                                   \
    "SELECT coalesce(sum(frames_in), 0), coalesce(sum(frames_processed), 0), "              \
    "coalesce(sum(frames_dropped), 0), coalesce(sum(faces), 0), coalesce(sum(tracks), 0), "  \
    "coalesce(sum(embeddings), 0), coalesce(sum(comparisons), 0), "                          \
    "coalesce(sum(alerts), 0), coalesce(sum(reconnects), 0) "                                \
    "FROM counters WHERE deployment_id = ?1"
    vg_sql q;
    st = vg_sql_prepare(&q, s, camera ? SUMS " AND camera = ?2" : SUMS, "reading counters", err);
#undef SUMS
    if (st != VG_OK)
        return st;
    vg_sql_i64(&q, 1, deployment_id);
    if (camera)
        vg_sql_text(&q, 2, camera);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && row) {
        int64_t *f[] = {&out->frames_in,  &out->frames_processed, &out->frames_dropped,
                        &out->faces,      &out->tracks,           &out->embeddings,
                        &out->comparisons, &out->alerts,          &out->reconnects};
        for (int i = 0; i < 9; i++)
            *f[i] = vg_sql_col_i64(&q, i);
    }
    vg_sql_finish(&q);
    return st;
}


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
    st = vg_db_counters_add(s, deployment_id, camera, c, vg_store_now(s), err);
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
    return vg_db_counters_get(s, deployment_id, camera, out, err);
}
