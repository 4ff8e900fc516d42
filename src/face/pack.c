/* pack.c — the model pack: from a pack directory's listing (listing.c: its
 * manifest, or models known by SHA-256) picks and opens the detector backend,
 * the landmark model (for backends without their own five points) and the
 * embedder, fed as its facts say; refuses a pack with any file missing,
 * altered or unknown; and embeds aligned faces. */
#include "vigil/face.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face/detector.h"
#include "face/embed.h"
#include "face/known_models.h"
#include "face/landmark.h"
#include "face/quality.h"
#include "face/pack_internal.h"

void vg_face_pack_close(vg_face_pack *pack)
{
    if (!pack)
        return;
    if (pack->det && pack->det_state)
        pack->det->close(pack->det_state);
    vg_infer_session_close(pack->landmark);
    vg_infer_session_close(pack->embedder);
    vg_infer_env_free(pack->env);
    vg_face_listing_free(pack->listing);
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
    /* a model file that cannot be read is a bad argument, like an unknown
     * name: said before the runtime tries it */
    FILE *f = *path ? fopen(*path, "rb") : NULL;
    if (*path && !f)
        return vg_err_set(err, VG_ERR_IO, "detector %s: %s cannot be read: %s", name, *path, strerror(errno));
    if (f)
        fclose(f);
    return VG_OK;
}

#define RFB320_SHA "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854"
#define RFB960_SHA "de9b23c1e3c08e78bcaa12d82eafd4e807a8ff9b6183267b7a3322b2554478e6"

/* Where a listing's entry came from, for messages: "DIR/manifest.json
 * models[i]" or the file's path. */
static void entry_where(const vg_face_listing *l, int i, char *buf, size_t len)
{
    if (l->has_manifest) {
        int k = 0;  /* index among the manifest's models (a --detector entry comes last) */
        for (int j = 0; j < i; j++)
            k += l->entries[j].origin == VG_ORIGIN_MANIFEST;
        snprintf(buf, len, "%s/%s models[%d]", l->dir, VG_MANIFEST_FILE, k);
    } else {
        snprintf(buf, len, "%s", l->entries[i].path);
    }
}

/* A file that is missing, altered or unknown: the error that refuses the pack. */
static vg_status entry_error(const vg_face_listing *l, int i, vg_err *err)
{
    const vg_pack_entry *e = &l->entries[i];
    char where[PACK_PATH_MAX + 64];
    entry_where(l, i, where, sizeof where);
    switch (e->state) {
    case VG_MODEL_MISSING:
        if (l->has_manifest)
            return vg_err_set(err, VG_ERR_IO, "%s.file: model file %s not found", where, e->path);
        return vg_err_set(err, VG_ERR_IO, "model file %s not found: run scripts/bootstrap, or give "
                          "--models DIR", e->path);
    case VG_MODEL_MISMATCH:
        if (l->has_manifest)
            return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.sha256: %s hashes to %s, not the %s the manifest "
                              "says: nothing opened", where, e->path, e->actual_sha, e->facts.sha256);
        if (strncmp(e->facts.file, "fr_", 3) == 0)
            return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s is not the model vigil's default pack pins (its "
                              "SHA-256 is %s, expected %s): run scripts/bootstrap", e->path, e->actual_sha,
                              e->facts.sha256);
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s is not the model vigil knows by that name (its SHA-256 "
                          "is %s, expected %s): describe it in a %s (docs/packs.md)", e->path, e->actual_sha,
                          e->facts.sha256, VG_MANIFEST_FILE);
    case VG_MODEL_UNKNOWN:
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s is not a model vigil knows (SHA-256 %s): describe it "
                          "in %s/%s (docs/packs.md)", e->path, e->actual_sha, l->dir, VG_MANIFEST_FILE);
    default:
        return VG_OK;
    }
}

/* A manifest's facts for a detector or landmark model must be what its
 * family's backend does: vigil runs those as the family defines. */
static vg_status check_family(const vg_face_listing *l, int i, vg_err *err)
{
    const vg_model_facts *f = &l->entries[i].facts, *known = l->entries[i].known;
    char where[PACK_PATH_MAX + 64];
    entry_where(l, i, where, sizeof where);
    if (known && (known->role != f->role || strcmp(known->family, f->family) != 0))
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.%s: %s is known as a %s of the %s family (%s), not a %s of "
                          "the %s family", where, known->role != f->role ? "role" : "family", f->file,
                          vg_model_role_name(known->role), known->family, known->about, vg_model_role_name(f->role),
                          f->family);
    if (f->role == VG_ROLE_EMBEDDER && known) {
        /* vigil knows how this embedder is fed: a manifest saying otherwise would make wrong templates */
        int same = f->layout == known->layout && f->colour == known->colour && f->norm == known->norm &&
                   f->dim == known->dim && (f->width == known->width || f->width == 0) &&
                   (f->height == known->height || f->height == 0);
        for (int c = 0; c < 3 && same; c++)
            same = f->mean[c] == known->mean[c] && f->scale[c] == known->scale[c];
        if (!same)
            return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s: %s is known (%s), and is fed otherwise: see `vigil "
                              "models show` on a pack without a manifest", where, f->file, known->about);
    }
    if (f->role == VG_ROLE_EMBEDDER)
        return VG_OK;
    const vg_model_facts *fam = vg_known_family(f->role, f->family);
    if (!fam)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.family: unknown %s family '%s'", where,
                          vg_model_role_name(f->role), f->family);
    if (f->layout && f->layout != fam->layout)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.layout: the %s family takes %s, not %s", where,
                          f->family, vg_model_layout_name(fam->layout), vg_model_layout_name(f->layout));
    if (f->colour && f->colour != fam->colour)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.colour: the %s family takes %s, not %s", where,
                          f->family, vg_model_colour_name(fam->colour), vg_model_colour_name(f->colour));
    int norm_differs = f->norm && f->norm != fam->norm;
    for (int c = 0; c < 3 && f->norm == VG_NORM_MEAN_SCALE && !norm_differs; c++)
        norm_differs = f->mean[c] != fam->mean[c] || f->scale[c] != fam->scale[c];
    if (norm_differs)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.normalisation: the %s family takes %s", where, f->family,
                          fam->norm == VG_NORM_RAW ? "raw pixels"
                                                   : "its own mean and scale (docs/packs.md, \"Families\")");
    if (fam->input_set && f->input_set && (f->width != fam->width || f->height != fam->height))
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.input: the %s family takes %dx%d", where, f->family,
                          fam->width, fam->height);
    return VG_OK;
}

static int find_entry(const vg_face_listing *l, const char *file, const char *sha)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->entries[i].facts.file, file) == 0 && strcmp(l->entries[i].actual_sha, sha) == 0)
            return i;
    return -1;
}

/* The default pair: RFB-320 as fr_detect.onnx with its 960x544 rebuild,
 * which the ultraface backend opens from the directory by those names. */
static vg_status use_default_pair(vg_face_listing *l, vg_err *err)
{
    int a = find_entry(l, "fr_detect.onnx", RFB320_SHA), b = find_entry(l, "fr_detect_960x544.onnx", RFB960_SHA);
    if (a < 0)
        return vg_err_set(err, VG_ERR_IO, "model file %s/fr_detect.onnx not found: run scripts/bootstrap, "
                          "or give --models DIR", l->dir);
    if (b < 0)
        return vg_err_set(err, VG_ERR_IO, "model file %s/fr_detect_960x544.onnx not found (it goes with "
                          "fr_detect.onnx%s): run scripts/bootstrap", l->dir,
                          l->has_manifest ? "; list it in the manifest" : "");
    l->entries[a].in_use = l->entries[b].in_use = 1;
    return VG_OK;
}

/* The detector of the listing: the default pair, or its one detector. */
static vg_status pick_listed_detector(vg_face_listing *l, const vg_detector_backend **det, const char **path,
                                      vg_err *err)
{
    *path = NULL;
    int n = 0, last = -1;
    char names[512] = "";
    for (int i = 0; i < l->n; i++) {
        if (l->entries[i].facts.role != VG_ROLE_DETECTOR)
            continue;
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", n ? ", " : "", l->entries[i].facts.file);
        n++;
        last = i;
    }
    int pair = find_entry(l, "fr_detect.onnx", RFB320_SHA) >= 0;
    int has960 = find_entry(l, "fr_detect_960x544.onnx", RFB960_SHA) >= 0;
    if (n == 0 || (pair && (n == 1 || (n == 2 && has960)))) {
        *det = vg_detector_find("ultraface");
        return use_default_pair(l, err);
    }
    if (n > 1)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s holds %d detectors (%s): a pack runs one, or "
                          "fr_detect.onnx with fr_detect_960x544.onnx; choose with --detector NAME:PATH or a %s",
                          l->dir, n, names, VG_MANIFEST_FILE);
    vg_pack_entry *e = &l->entries[last];
    if (!vg_model_family_runs(e->facts.family))
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s: vigil has no backend for the %s detector family yet "
                          "(it runs: %s)", e->path, e->facts.family, vg_detector_names());
    *det = vg_detector_find(e->facts.family);
    *path = e->path;
    e->in_use = 1;
    return VG_OK;
}

/* --detector NAME:PATH: the model joins the listing as an option. */
static vg_status add_option_detector(vg_face_listing *l, const vg_detector_backend *det, const char *path,
                                     vg_err *err)
{
    vg_pack_entry *e = &l->entries[l->n];
    memset(e, 0, sizeof *e);
    e->origin = VG_ORIGIN_OPTION;
    e->facts.role = VG_ROLE_DETECTOR;
    snprintf(e->facts.family, sizeof e->facts.family, "%s", det->name);
    snprintf(e->path, sizeof e->path, "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(e->facts.file, sizeof e->facts.file, "%s", base ? base + 1 : path);
    vg_status st = vg_pack_sha256_file(path, e->actual_sha, NULL);
    if (st) {
        /* the backend reports a missing file in its own words */
        e->actual_sha[0] = '\0';
        e->state = VG_MODEL_MISSING;
    } else {
        e->known = vg_known_model_by_sha(e->actual_sha);
        if (e->known) {
            snprintf(e->facts.licence, sizeof e->facts.licence, "%s", e->known->licence);
            /* a known model of another role: the backend refuses it in its own words */
            if (e->known->role == VG_ROLE_DETECTOR && strcmp(e->known->family, det->name) != 0)
                return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s is a detector of the %s family (%s), not %s", path,
                                  e->known->family, e->known->about, det->name);
        }
        memcpy(e->facts.sha256, e->actual_sha, sizeof e->facts.sha256);
    }
    e->in_use = 1;
    l->n++;
    return VG_OK;
}

/* The embedder's feed from its facts, checked against the model's input. */
static vg_status open_embedder(vg_face_pack *pack, int i, int threads, vg_err *err)
{
    vg_face_listing *l = pack->listing;
    vg_pack_entry *e = &l->entries[i];
    const vg_model_facts *f = &e->facts;
    char where[PACK_PATH_MAX + 64];
    entry_where(l, i, where, sizeof where);
    vg_embed_spec *s = &pack->embed;
    s->width = f->width > 0 ? f->width : VG_EMBED_INPUT;
    s->height = f->height > 0 ? f->height : VG_EMBED_INPUT;
    s->nhwc = f->layout == VG_LAYOUT_NHWC;
    s->bgr = f->colour == VG_COLOUR_BGR;
    memcpy(s->mean, f->mean, sizeof s->mean);
    memcpy(s->scale, f->scale, sizeof s->scale);
    snprintf(pack->embedder_path, sizeof pack->embedder_path, "%s", e->path);
    snprintf(pack->embedder_sha, sizeof pack->embedder_sha, "%s", e->actual_sha);
    vg_status st = vg_infer_session_open(pack->env, e->path, threads, &pack->embedder, err);
    if (st)
        return st;
    int64_t shape[VG_TENSOR_MAX_DIMS];
    int nd = 0;
    st = vg_infer_input_shape(pack->embedder, shape, &nd, err);
    if (st)
        return st;
    int64_t want[4] = {1, s->nhwc ? s->height : 3, s->nhwc ? s->width : s->height, s->nhwc ? 3 : s->width};
    int fits = nd == 4;
    for (int d = 1; d < 4 && fits; d++)
        fits = shape[d] < 0 || shape[d] == want[d];
    if (!fits)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.input, .layout: %s takes an input of another "
                          "shape than %dx%d %s", where, e->path, s->width, s->height,
                          s->nhwc ? "NHWC" : "NCHW");
    st = vg_embed_probe_dim(pack->embedder, s, &pack->dim, err);
    if (st)
        return st;
    if (f->dim > 0 && f->dim != pack->dim)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "%s.dim: %s gives %d values, not %d", where, e->path,
                          pack->dim, f->dim);
    e->in_use = 1;
    snprintf(pack->model_id, sizeof pack->model_id, "%s:%s", f->file, e->actual_sha);
    return VG_OK;
}

/* Index of the listing's one model of a role; -1 with an error when there
 * is none (missing names the default pack's file) or more than one. */
static int only_of_role(const vg_face_listing *l, vg_model_role role, const char *default_file, vg_status *st,
                        vg_err *err)
{
    int found = -1, n = 0;
    for (int i = 0; i < l->n; i++)
        if (l->entries[i].facts.role == role && l->entries[i].origin != VG_ORIGIN_OPTION) {
            found = i;
            n++;
        }
    if (n == 1)
        return found;
    if (n == 0 && l->has_manifest)
        *st = vg_err_set(err, VG_ERR_INVALID, "%s/%s lists no %s model", l->dir, VG_MANIFEST_FILE,
                         vg_model_role_name(role));
    else if (n == 0)
        *st = vg_err_set(err, VG_ERR_IO, "model file %s/%s not found: run scripts/bootstrap, or give "
                         "--models DIR", l->dir, default_file);
    else
        *st = vg_err_set(err, VG_ERR_UNSUPPORTED, "%s holds %d %s models: a pack has one", l->dir, n,
                         vg_model_role_name(role));
    return -1;
}

vg_status vg_face_pack_open(const vg_face_config *cfg, vg_face_pack **out, vg_err *err)
{
    *out = NULL;
    vg_face_config c = {0};
    if (cfg)
        c = *cfg;
    const vg_detector_backend *det = NULL;
    const char *det_path = NULL;
    if (c.landmark_fit & ~(VG_FACE_FIT_MIRROR | VG_FACE_FIT_REFINE))
        return vg_err_set(err, VG_ERR_INVALID, "landmark_fit %d: only VG_FACE_FIT_MIRROR and VG_FACE_FIT_REFINE",
                          c.landmark_fit);
    vg_status st = parse_detector(c.detector, &det, &det_path, err);
    if (st)
        return st;
    int override = c.detector && *c.detector && strcmp(c.detector, "default") != 0;
    vg_detector_params p = {
        .threshold = c.det_threshold,
        .min_face = c.min_face > 0 ? c.min_face : 40,
        .max_faces = c.max_faces > 0 ? c.max_faces : 64,
        .threads = c.threads > 0 ? c.threads : 1,
    };

    vg_face_pack *pack = calloc(1, sizeof *pack);
    if (!pack)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    pack->min_face = p.min_face;
    pack->max_faces = p.max_faces;
    pack->landmark_fit = c.landmark_fit;
    st = vg_face_listing_open(c.models_dir, &pack->listing, err);
    vg_face_listing *l = pack->listing;
    for (int i = 0; !st && i < (l ? l->n : 0); i++)
        st = entry_error(l, i, err);
    for (int i = 0; !st && l->has_manifest && i < l->n; i++)
        st = check_family(l, i, err);
    if (!st && !override)
        st = pick_listed_detector(l, &det, &det_path, err);
    else if (!st && det_path)
        st = add_option_detector(l, det, det_path, err);
    else if (!st && strcmp(det->name, "ultraface") == 0)
        st = use_default_pair(l, err);
    pack->det = det;
    if (!st)
        st = vg_infer_env_new(&pack->env, err);
    if (!st && c.provider)
        st = vg_infer_env_set_provider(pack->env, c.provider, err);
    if (!st)
        st = det->open(pack->env, l->dir, det_path, &p, &pack->det_state, err);
    if (!st && (!det->has_landmarks || cfg->landmarks_68)) {
        int i = only_of_role(l, VG_ROLE_LANDMARKS, "fr_landmark.onnx", &st, err);
        if (i >= 0) {
            snprintf(pack->landmark_path, sizeof pack->landmark_path, "%s", l->entries[i].path);
            l->entries[i].in_use = 1;
            st = vg_infer_session_open(pack->env, pack->landmark_path, p.threads, &pack->landmark, err);
        }
    }
    if (!st) {
        int i = only_of_role(l, VG_ROLE_EMBEDDER, "fr_feature.onnx", &st, err);
        if (i >= 0)
            st = open_embedder(pack, i, p.threads, err);
    }
    if (st) {
        vg_face_pack_close(pack);
        return st;
    }
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

const char *vg_face_pack_name(const vg_face_pack *pack)
{
    return pack->listing->name;
}

const vg_face_listing *vg_face_pack_listing(const vg_face_pack *pack)
{
    return pack->listing;
}

/* Appends "role path sha256\n" to buf. */
static size_t describe_line(char *buf, size_t len, size_t used, const char *role, const char *path)
{
    char hex[65];
    if (vg_pack_sha256_file(path, hex, NULL) != VG_OK)
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
    return vg_embed_run(pack->embedder, &pack->embed, pack->dim, aligned, out, err);
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
