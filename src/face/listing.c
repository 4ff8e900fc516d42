/* listing.c — reads a pack directory: its manifest.json when it has one,
 * otherwise every *.onnx in it, recognised by SHA-256 from the built-in table
 * (known_models.c). Each file is hashed and marked ok, missing, mismatched or
 * unknown; nothing is opened. The pack (pack.c) opens only an all-ok
 * listing; `vigil models verify` reports each. */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/paths.h"
#include "face/known_models.h"
#include "face/pack_internal.h"

vg_status vg_pack_sha256_file(const char *path, char hex[65], vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO,
                          "model file %s not found: run scripts/bootstrap, or give --models DIR", path);
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

/* dst = "dir/file" (through a copy: both may lie in the same listing). */
static void join_path(char *dst, const char *dir, const char *file)
{
    char tmp[PACK_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/%s", dir, file);
    memcpy(dst, tmp, sizeof tmp);
}

/* Hashes e->path and sets e->state against e->facts.sha256. */
static void check_entry(vg_pack_entry *e)
{
    if (vg_pack_sha256_file(e->path, e->actual_sha, NULL) != VG_OK) {
        e->actual_sha[0] = '\0';
        e->state = VG_MODEL_MISSING;
        return;
    }
    e->known = vg_known_model_by_sha(e->actual_sha);
    if (!e->facts.sha256[0])
        e->state = VG_MODEL_UNKNOWN;
    else
        e->state = strcmp(e->facts.sha256, e->actual_sha) == 0 ? VG_MODEL_OK : VG_MODEL_MISMATCH;
}

static vg_status read_manifest(const char *path, vg_pack_manifest *m, vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_IO, "cannot read %s", path);
    char *text = malloc(VG_MANIFEST_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(text, 1, VG_MANIFEST_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    vg_status st = bad ? vg_err_set(err, VG_ERR_IO, "cannot read %s", path) : vg_manifest_parse(text, n, m, err);
    free(text);
    if (st && !bad)
        vg_err_prefix(err, st, "%s", path);
    return st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory without a manifest: each *.onnx, in name order, known or not. */
static vg_status scan_dir(vg_face_listing *l, vg_err *err)
{
    DIR *d = opendir(l->dir);
    if (!d)
        return vg_err_set(err, VG_ERR_IO,
                          "model pack directory %s: %s: run scripts/bootstrap, or give --models DIR", l->dir,
                          strerror(errno));
    char *names[VG_PACK_MAX_MODELS + 1];
    int n = 0;
    vg_status st = VG_OK;
    struct dirent *de;
    while (!st && (de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 6 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".onnx") != 0)
            continue;
        if (n == VG_PACK_MAX_MODELS)
            st = vg_err_set(err, VG_ERR_LIMIT, "model pack directory %s holds more than %d models", l->dir,
                            VG_PACK_MAX_MODELS);
        else if (!(names[n] = strdup(de->d_name)))
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        else
            n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++) {
        vg_pack_entry *e = &l->entries[l->n];
        if (!st && strlen(names[i]) < sizeof e->facts.file) {
            join_path(e->path, l->dir, names[i]);
            check_entry(e);
            const vg_model_facts *expect = e->known ? e->known : vg_known_model_by_file(names[i]);
            if (expect)
                e->facts = *expect;  /* a file under a known name but another hash: that name's facts */
            snprintf(e->facts.file, sizeof e->facts.file, "%s", names[i]);
            e->origin = VG_ORIGIN_KNOWN;
            if (e->state != VG_MODEL_MISSING)
                e->state = e->known ? VG_MODEL_OK : expect ? VG_MODEL_MISMATCH : VG_MODEL_UNKNOWN;
            l->n++;
        }
        free(names[i]);
    }
    return st;
}

vg_status vg_face_listing_open(const char *models_dir, vg_face_listing **out, vg_err *err)
{
    *out = NULL;
    const char *dir = models_dir && *models_dir ? models_dir : getenv("VIGIL_MODELS");
    char installed[PACK_PATH_MAX];
    if ((!dir || !*dir) && vg_paths_installed("models", installed, sizeof installed) == 0)
        dir = installed;
    if (!dir || !*dir)
        dir = VG_DEFAULT_MODELS_DIR;
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    if (strlen(dir) > PACK_PATH_MAX - 300)
        return vg_err_set(err, VG_ERR_INVALID, "model pack directory name is too long");
    vg_face_listing *l = calloc(1, sizeof *l);
    if (!l)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    snprintf(l->dir, sizeof l->dir, "%s", dir);
    char path[PACK_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, VG_MANIFEST_FILE);
    struct stat sb;
    vg_status st = VG_OK;
    if (stat(path, &sb) == 0) {
        vg_pack_manifest *m = malloc(sizeof *m);
        st = m ? read_manifest(path, m, err) : vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        if (!st) {
            l->has_manifest = 1;
            snprintf(l->name, sizeof l->name, "%s", m->name);
            for (int i = 0; i < m->n; i++) {
                vg_pack_entry *e = &l->entries[l->n++];
                e->facts = m->models[i];
                e->origin = VG_ORIGIN_MANIFEST;
                join_path(e->path, dir, e->facts.file);
                check_entry(e);
            }
        }
        free(m);
    } else {
        snprintf(l->name, sizeof l->name, "default");
        st = scan_dir(l, err);
    }
    if (st) {
        free(l);
        return st;
    }
    *out = l;
    return VG_OK;
}

void vg_face_listing_free(vg_face_listing *l)
{
    free(l);
}

const char *vg_face_listing_dir(const vg_face_listing *l)
{
    return l->dir;
}

const char *vg_face_listing_name(const vg_face_listing *l)
{
    return l->name;
}

int vg_face_listing_has_manifest(const vg_face_listing *l)
{
    return l->has_manifest;
}

int vg_face_listing_count(const vg_face_listing *l)
{
    return l->n;
}

static const char *norm_name(const vg_model_facts *f)
{
    return f->norm == VG_NORM_RAW ? "raw" : f->norm == VG_NORM_MEAN_SCALE ? "mean-scale" : NULL;
}

int vg_face_listing_model(const vg_face_listing *l, int i, vg_face_model *out)
{
    memset(out, 0, sizeof *out);
    if (i < 0 || i >= l->n)
        return 0;
    const vg_pack_entry *e = &l->entries[i];
    const vg_model_facts *f = &e->facts;
    static const char *const states[] = {"ok", "missing", "mismatch", "unknown"};
    static const char *const origins[] = {"known", "manifest", "option"};
    out->role = vg_model_role_name(f->role);
    out->family = f->family[0] ? f->family : NULL;
    out->file = f->file;
    out->path = e->path;
    out->sha256 = f->sha256[0] ? f->sha256 : NULL;
    out->actual_sha256 = e->actual_sha[0] ? e->actual_sha : NULL;
    out->licence = f->licence[0] ? f->licence : NULL;
    out->origin = origins[e->origin];
    out->state = states[e->state];
    out->known_as = e->known ? e->known->about : NULL;
    out->input_given = f->input_set;
    out->width = f->width;
    out->height = f->height;
    out->layout = f->layout ? vg_model_layout_name(f->layout) : NULL;
    out->colour = f->colour ? vg_model_colour_name(f->colour) : NULL;
    out->normalisation = norm_name(f);
    memcpy(out->mean, f->mean, sizeof out->mean);
    memcpy(out->scale, f->scale, sizeof out->scale);
    out->dim = f->dim;
    out->in_use = e->in_use;
    return 1;
}
