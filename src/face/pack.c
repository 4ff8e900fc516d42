/* pack.c — the model pack: opens the detector backend, the landmark model
 * (for backends without their own five points) and the embedder, checks the
 * default pack's files against their pinned SHA-256, and runs the per-image
 * pipeline detect -> landmarks -> align -> quality, and embed. */
#include "vigil/face.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "face/detector.h"
#include "face/embed.h"
#include "face/landmark.h"
#include "face/quality.h"
#include "face/pack_internal.h"

/* The default pack: faceplugin-face-recognition-js@0.0.1 (MIT). */
static const struct {
    const char *file, *sha256;
} pinned[] = {
    {"fr_detect.onnx", "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854"},
    {"fr_landmark.onnx", "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258"},
    {"fr_feature.onnx", "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581"},
};


static vg_status sha256_file(const char *path, char hex[65], vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "model file %s not found: run scripts/bootstrap, "
                          "or give --models DIR", path);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return vg_err_set(err, VG_ERR_IO, "cannot read model file %s", path);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, out);
    sodium_bin2hex(hex, 65, out, sizeof out);
    return VG_OK;
}

static vg_status check_pinned(const char *dir, const char *file, char *path, vg_err *err)
{
    snprintf(path, PACK_PATH_MAX, "%s/%s", dir, file);
    char hex[65];
    vg_status st = sha256_file(path, hex, err);
    if (st)
        return st;
    for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++)
        if (strcmp(pinned[i].file, file) == 0 && strcmp(pinned[i].sha256, hex) != 0)
            return vg_err_set(err, VG_ERR_UNSUPPORTED,
                              "%s is not the model vigil's default pack pins (its SHA-256 is %s, "
                              "expected %s): run scripts/bootstrap", path, hex, pinned[i].sha256);
    return VG_OK;
}

void vg_face_pack_close(vg_face_pack *pack)
{
    if (!pack)
        return;
    if (pack->det && pack->det_state)
        pack->det->close(pack->det_state);
    vg_infer_session_close(pack->landmark);
    vg_infer_session_close(pack->embedder);
    vg_infer_env_free(pack->env);
    free(pack);
}

/* Splits "name" or "name:path" into a backend and an optional path. */
static vg_status parse_detector(const char *spec, const vg_detector_backend **det,
                                const char **path, vg_err *err)
{
    char name[64];
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!spec || !*spec || strcmp(spec, "default") == 0) {
        snprintf(name, sizeof name, "ultraface");
        *path = NULL;
    } else {
        size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
        if (len == 0 || len >= sizeof name)
            return vg_err_set(err, VG_ERR_INVALID, "bad detector '%s': use NAME or NAME:PATH", spec);
        memcpy(name, spec, len);
        name[len] = '\0';
        *path = colon && colon[1] ? colon + 1 : NULL;
    }
    *det = vg_detector_find(name);
    if (!*det)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "unknown detector '%s' (known: %s)", name,
                          vg_detector_names());
    return VG_OK;
}

vg_status vg_face_pack_open(const vg_face_config *cfg, vg_face_pack **out, vg_err *err)
{
    *out = NULL;
    vg_face_config c = {0};
    if (cfg)
        c = *cfg;
    const char *dir = c.models_dir ? c.models_dir : getenv("VIGIL_MODELS");
    if (!dir || !*dir)
        dir = VG_DEFAULT_MODELS_DIR;
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");

    const vg_detector_backend *det = NULL;
    const char *det_path = NULL;
    vg_status st = parse_detector(c.detector, &det, &det_path, err);
    if (st)
        return st;
    vg_detector_params p = {
        .threshold = c.det_threshold,
        .min_face = c.min_face > 0 ? c.min_face : 40,
        .max_faces = c.max_faces > 0 ? c.max_faces : 64,
        .threads = c.threads > 0 ? c.threads : 1,
    };

    vg_face_pack *pack = calloc(1, sizeof *pack);
    if (!pack)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    pack->det = det;
    pack->min_face = p.min_face;
    pack->max_faces = p.max_faces;
    char path[PACK_PATH_MAX];
    st = vg_infer_env_new(&pack->env, err);
    if (!st && !det_path)
        st = check_pinned(dir, "fr_detect.onnx", path, err);
    if (!st)
        st = det->open(pack->env, dir, det_path, &p, &pack->det_state, err);
    if (!st && !det->has_landmarks) {
        st = check_pinned(dir, "fr_landmark.onnx", pack->landmark_path, err);
        if (!st)
            st = vg_infer_session_open(pack->env, pack->landmark_path, p.threads, &pack->landmark, err);
    }
    if (!st)
        st = check_pinned(dir, "fr_feature.onnx", pack->embedder_path, err);
    if (!st)
        st = sha256_file(pack->embedder_path, pack->embedder_sha, err);
    if (!st)
        st = vg_infer_session_open(pack->env, pack->embedder_path, p.threads, &pack->embedder, err);
    if (!st)
        st = vg_embed_probe_dim(pack->embedder, &pack->dim, err);
    if (st) {
        vg_face_pack_close(pack);
        return st;
    }
    snprintf(pack->model_id, sizeof pack->model_id, "fr_feature.onnx:%s", pack->embedder_sha);
    *out = pack;
    return VG_OK;
}

int vg_face_pack_dim(const vg_face_pack *pack)
{
    return pack->dim;
}

const char *vg_face_pack_detector(const vg_face_pack *pack)
{
    return pack->det->name;
}

const char *vg_face_pack_model_id(const vg_face_pack *pack)
{
    return pack->model_id;
}

/* Appends "role path sha256\n" to buf. */
static size_t describe_line(char *buf, size_t len, size_t used, const char *role, const char *path)
{
    char hex[65];
    if (sha256_file(path, hex, NULL) != VG_OK)
        snprintf(hex, sizeof hex, "unreadable");
    if (used >= len)
        return used;
    int w = snprintf(buf + used, len - used, "%s %s %s\n", role, path, hex);
    return w < 0 ? used : used + (size_t)w;
}

void vg_face_pack_describe(const vg_face_pack *pack, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    size_t used = 0;
    char role[64];
    snprintf(role, sizeof role, "detector:%s", pack->det->name);
    for (int i = 0;; i++) {
        const char *path = pack->det->model_path(pack->det_state, i);
        if (!path)
            break;
        used = describe_line(buf, len, used, role, path);
    }
    if (pack->landmark)
        used = describe_line(buf, len, used, "landmarks", pack->landmark_path);
    describe_line(buf, len, used, "embedder", pack->embedder_path);
}

vg_status vg_face_embed(const vg_face_pack *pack, const vg_image *aligned, float *out, vg_err *err)
{
    return vg_embed_run(pack->embedder, pack->dim, aligned, out, err);
}

vg_status vg_face_embed_face(const vg_face_pack *pack, const vg_image *img, const vg_face *face,
                             float *out, vg_err *err)
{
    vg_image *aligned = NULL;
    vg_status st = vg_face_align(img, face->lm, &aligned, err);
    if (!st)
        st = vg_face_embed(pack, aligned, out, err);
    vg_image_free(aligned);
    return st;
}

int vg_face_pick_main(const vg_face *faces, int n, int width, int height, vg_face_pick pick)
{
    int best = -1;
    double best_v = 0;
    for (int i = 0; i < n; i++) {
        const vg_face *f = &faces[i];
        double v;
        if (pick == VG_FACE_PICK_CENTRAL) {
            double dx = (f->x1 + f->x2) / 2 - width / 2.0, dy = (f->y1 + f->y2) / 2 - height / 2.0;
            v = -(dx * dx + dy * dy);
        } else {
            v = (double)(f->x2 - f->x1) * (f->y2 - f->y1);
        }
        if (best < 0 || v > best_v) {
            best = i;
            best_v = v;
        }
    }
    return best;
}

vg_status vg_face_embed_main(const vg_face_pack *pack, const vg_image *img, vg_face_pick pick,
                             float *out, vg_face *face, vg_err *err)
{
    vg_face *faces = NULL;
    int n = 0;
    vg_status st = vg_face_detect(pack, img, &faces, &n, err);
    if (st)
        return st;
    int best = vg_face_pick_main(faces, n, img->width, img->height, pick);
    if (best < 0) {
        free(faces);
        return vg_err_set(err, VG_ERR_NOT_FOUND, "no face found");
    }
    st = vg_face_embed_face(pack, img, &faces[best], out, err);
    if (!st && face)
        *face = faces[best];
    free(faces);
    return st;
}
