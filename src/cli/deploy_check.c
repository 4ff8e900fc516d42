/* deploy_check.c — the false-alert ceiling of a deployment (issue 6, item
 * 2): before `vigil run` starts, the deployment's threshold is looked up in
 * the calibration of the embedder's model for its watch list's size (the
 * store's, saved by `vigil eval calibrate --save`, else the repository's
 * default calibration/default.txt made by scripts/make-calibration), and
 * the deployment is refused when the calibrated false-alert rate is above
 * the ceiling, or when no calibration covers the model or the list's size.
 * Calibrations are keyed by the embedder's model id: the store keeps one
 * per model, and the default file ($VIGIL_CALIBRATION, else the build's
 * calibration/default.txt) names its model and serves that model alone, so
 * another embedder never borrows the default pack's figures. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/text_file.h"
#include "base/paths.h"
#include "cli/cli.h"
#include "match/calib.h"
#include "vigil/store.h"

#ifndef VG_DEFAULT_CALIBRATION
#define VG_DEFAULT_CALIBRATION ""
#endif

/* The default calibration file: $VIGIL_CALIBRATION, else the install
 * prefix's (share/vigil/calibration/default.txt), else the build tree's;
 * buf (len bytes) holds the installed path. */
const char *vg_cli_default_calibration(char *buf, size_t len)
{
    const char *e = getenv("VIGIL_CALIBRATION");
    if (e && *e)
        return e;
    if (vg_paths_installed("calibration/default.txt", buf, len) == 0)
        return buf;
    return VG_DEFAULT_CALIBRATION;
}

vg_status vg_cli_calibration_for(struct vg_store *store, const char *model_id, vg_calib *out, char *source,
                                 size_t len, vg_err *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    vg_status st = vg_store_calibration_get(store, model_id, &text, err);
    snprintf(source, len, "the store's calibration");
    if (st != VG_ERR_NOT_FOUND) {
        if (st)
            return st;
        st = vg_calib_parse(text, out, err);
        free(text);
        return st ? vg_err_prefix(err, st, "%s", source) : VG_OK;
    }
    char installed[4096];
    const char *path = vg_cli_default_calibration(installed, sizeof installed);
    if (!path[0] || !(text = vg_text_file_read(path)))
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no calibration of model %s (none saved in the store%s%s)",
                          model_id, path[0] ? ", and none readable at " : "", path);
    snprintf(source, len, "the default calibration %s", path);
    st = vg_calib_parse(text, out, err);
    free(text);
    if (st)
        return vg_err_prefix(err, st, "%s", source);
    if (strcmp(out->model, model_id) != 0) {
        st = vg_err_set(err, VG_ERR_NOT_FOUND,
                        "no calibration of model %s (none saved in the store; %s is of model %s)", model_id,
                        path, out->model);
        vg_calib_free(out);
        return st;
    }
    return VG_OK;
}

vg_status vg_cli_check_false_alerts(vg_store *store, const char *deployment, const char *model_id, int list_size,
                                    double threshold, double ceiling_faces, char *summary, size_t len, vg_err *err)
{
    if (ceiling_faces <= 0)
        ceiling_faces = 6000;
    double ceiling = 1.0 / ceiling_faces;
    char source[512];
    vg_calib c;
    vg_status st = vg_cli_calibration_for(store, model_id, &c, source, sizeof source, err);
    if (st == VG_ERR_NOT_FOUND) {
        char why[VG_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return vg_err_set(err, VG_ERR_INVALID,
                          "deployment %s refused: %s to tell its threshold's false-alert rate; run vigil eval "
                          "calibrate --lfw DIR --watchlist-size %d --crowd 6000 --max-false-alerts 1 --save "
                          "with this pack",
                          deployment, why, list_size);
    }
    if (st)
        return st;
    vg_calib_lookup r;
    st = vg_calib_rate(&c, list_size < 1 ? 1 : list_size, threshold, &r, err);
    if (st) {
        vg_calib_free(&c);
        return vg_err_prefix(err, VG_ERR_INVALID, "deployment %s refused (%s)", deployment, source);
    }
    /* a calibration with groups: the group with the highest rate at the threshold */
    vg_calib_lookup gr[VG_CALIB_GROUPS_MAX];
    const char *names[VG_CALIB_GROUPS_MAX];
    int ng = c.labels_sha256[0] ? vg_calib_rate_groups(&c, r.size, threshold, gr, names, VG_CALIB_GROUPS_MAX) : 0;
    int worst = -1;
    for (int k = 0; k < ng; k++)
        if (worst < 0 || gr[k].rate > gr[worst].rate)
            worst = k;
    char groups[VG_CALIB_GROUP_NAME_MAX + 160], worst_name[VG_CALIB_GROUP_NAME_MAX + 1] = "";
    if (worst >= 0) {
        snprintf(worst_name, sizeof worst_name, "%s", names[worst]);
        snprintf(groups, sizeof groups, "groups=%.12s worst_group=%s worst_group_rate=%.3g", c.labels_sha256,
                 worst_name, gr[worst].rate);
    } else {
        snprintf(groups, sizeof groups, "groups=none");
    }
    vg_calib_free(&c);
    char rate[64];
    if (r.alarms)
        snprintf(rate, sizeof rate, "1 in %.0f faces", 1.0 / r.rate);
    else
        snprintf(rate, sizeof rate, "below 1 in %lld faces", r.nonmated);
    snprintf(summary, len,
             "threshold=%.4f false_alert_rate=%.3g nonmated_above=%lld nonmated=%lld calibrated_size=%d "
             "ceiling=1/%.0f %s",
             threshold, r.rate, r.alarms, r.nonmated, r.size, ceiling_faces, groups);
    if (r.rate > ceiling || (r.at_least && r.rate >= ceiling))
        return vg_err_set(err, VG_ERR_INVALID,
                          "deployment %s refused: threshold %.4f gives a calibrated false-alert rate of %s%s "
                          "(%lld of %lld non-mated searches above it, for a watch list of %d subjects calibrated "
                          "as %d, %s), above the ceiling of 1 in %.0f faces; raise the threshold",
                          deployment, threshold, r.at_least ? "at least " : "", rate, r.alarms, r.nonmated,
                          list_size, r.size, source, ceiling_faces);
    if (worst >= 0 && (gr[worst].rate > ceiling || (gr[worst].at_least && gr[worst].rate >= ceiling)))
        return vg_err_set(err, VG_ERR_INVALID,
                          "deployment %s refused: threshold %.4f gives group %s a calibrated false-alert rate of "
                          "%s%.3g (%lld of %lld of its non-mated searches above it; %s, made with groups), above "
                          "the ceiling of 1 in %.0f faces; raise the threshold (vigil eval calibrate --labels CSV "
                          "gives the threshold that keeps every group under it)",
                          deployment, threshold, worst_name, gr[worst].at_least ? "at least " : "", gr[worst].rate,
                          gr[worst].alarms, gr[worst].nonmated, source, ceiling_faces);
    return VG_OK;
}
