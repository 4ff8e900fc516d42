/* manifest.c — reads a model pack's manifest.json (format: docs/packs.md)
 * into facts per model. Every field is checked; an error names the field,
 * and a manifest with any error yields nothing. */
#include "face/manifest.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const roles[] = {[VG_ROLE_DETECTOR] = "detector", [VG_ROLE_LANDMARKS] = "landmarks",
                                    [VG_ROLE_EMBEDDER] = "embedder"};

const char *vg_model_role_name(vg_model_role role)
{
    return role > VG_ROLE_NONE && role <= VG_ROLE_EMBEDDER ? roles[role] : "?";
}

const char *vg_model_layout_name(vg_model_layout layout)
{
    return layout == VG_LAYOUT_NCHW ? "NCHW" : layout == VG_LAYOUT_NHWC ? "NHWC" : "?";
}

const char *vg_model_colour_name(vg_model_colour colour)
{
    return colour == VG_COLOUR_RGB ? "RGB" : colour == VG_COLOUR_BGR ? "BGR" : colour == VG_COLOUR_GREY ? "GREY" : "?";
}

/* Families per role: the first of each list is the default where the role
 * has one. */
static const char *const detector_families[] = {"ultraface", "yunet", "scrfd"};

int vg_model_family_runs(const char *family)
{
    return strcmp(family, "ultraface") == 0 || strcmp(family, "yunet") == 0;
}

static vg_status bad(vg_err *err, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "where: message", VG_ERR_INVALID. */
static vg_status bad(vg_err *err, const char *where, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vg_err_set(err, VG_ERR_INVALID, "%s: %s", where, msg);
}

/* Copies a string field; empty or too long is an error. */
static vg_status get_string(json_t *obj, const char *key, const char *where, char *dst, size_t cap,
                            int required, vg_err *err)
{
    char field[96];
    snprintf(field, sizeof field, "%s.%s", where, key);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return bad(err, field, "missing (a string is required)");
        dst[0] = '\0';
        return VG_OK;
    }
    if (!json_is_string(v))
        return bad(err, field, "must be a string");
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0 || n >= cap)
        return vg_err_set(err, VG_ERR_INVALID, "%s: must be 1 to %zu characters", field, cap - 1);
    if (strlen(s) != n)
        return bad(err, field, "must not hold a NUL character");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return bad(err, field, "must not hold control characters");
    memcpy(dst, s, n + 1);
    return VG_OK;
}

static vg_status get_file(json_t *m, const char *where, char *dst, size_t cap, vg_err *err)
{
    vg_status st = get_string(m, "file", where, dst, cap, 1, err);
    if (st)
        return st;
    char field[96];
    snprintf(field, sizeof field, "%s.file", where);
    if (strchr(dst, '/') || strchr(dst, '\\') || dst[0] == '.')
        return bad(err, field, "'%s' must be a plain file name inside the pack directory", dst);
    if (strcmp(dst, VG_MANIFEST_FILE) == 0)
        return bad(err, field, "'%s' is the manifest itself", dst);
    return VG_OK;
}

static vg_status get_sha(json_t *m, const char *where, char *dst, vg_err *err)
{
    char s[80];
    vg_status st = get_string(m, "sha256", where, s, sizeof s, 1, err);
    if (st)
        return st;
    char field[96];
    snprintf(field, sizeof field, "%s.sha256", where);
    size_t n = strlen(s);
    if (n != 64)
        return bad(err, field, "'%s' is not a SHA-256 (64 hex digits)", s);
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return bad(err, field, "'%s' is not a SHA-256 (64 hex digits)", s);
        dst[i] = (char)tolower((unsigned char)s[i]);
    }
    dst[64] = '\0';
    return VG_OK;
}

/* A string field that must be one of names[0..n-1] (NULL entries skipped);
 * *out = its index, or -1 when absent. */
static vg_status get_choice(json_t *m, const char *key, const char *where, const char *const *names, int n,
                            int *out, vg_status unknown_st, vg_err *err)
{
    char s[32];
    *out = -1;
    vg_status st = get_string(m, key, where, s, sizeof s, 0, err);
    if (st)
        return st;
    if (!s[0])
        return VG_OK;
    char known[160] = "";
    for (int i = 0; i < n; i++) {
        if (!names[i])
            continue;
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return VG_OK;
        }
        size_t used = strlen(known);
        snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", names[i]);
    }
    return vg_err_set(err, unknown_st, "%s.%s: unknown %s '%s' (known: %s)", where, key, key, s, known);
}

static vg_status get_int(json_t *v, const char *field, int lo, int hi, int *out, vg_err *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return vg_err_set(err, VG_ERR_INVALID, "%s: must be a whole number from %d to %d", field, lo, hi);
    *out = (int)json_integer_value(v);
    return VG_OK;
}

static vg_status get_input(json_t *m, const char *where, vg_model_facts *f, vg_err *err)
{
    char field[96];
    snprintf(field, sizeof field, "%s.input", where);
    json_t *v = json_object_get(m, "input");
    if (!v)
        return VG_OK;
    f->input_set = 1;
    if (json_is_string(v) && strcmp(json_string_value(v), "dynamic") == 0)
        return VG_OK;
    if (!json_is_object(v) || json_object_size(v) != 2 || !json_object_get(v, "width") ||
        !json_object_get(v, "height"))
        return bad(err, field, "must be \"dynamic\" or {\"width\": W, \"height\": H}");
    char sub[112];
    snprintf(sub, sizeof sub, "%s.width", field);
    vg_status st = get_int(json_object_get(v, "width"), sub, 8, 4096, &f->width, err);
    snprintf(sub, sizeof sub, "%s.height", field);
    if (!st)
        st = get_int(json_object_get(v, "height"), sub, 8, 4096, &f->height, err);
    return st;
}

static vg_status get_triple(json_t *norm, const char *key, const char *where, float out[3], int nonzero,
                            vg_err *err)
{
    char field[112];
    snprintf(field, sizeof field, "%s.normalisation.%s", where, key);
    json_t *a = json_object_get(norm, key);
    if (!json_is_array(a) || json_array_size(a) != 3)
        return bad(err, field, "must be an array of 3 numbers, one per channel");
    for (size_t i = 0; i < 3; i++) {
        json_t *x = json_array_get(a, i);
        if (!json_is_number(x))
            return bad(err, field, "must be an array of 3 numbers, one per channel");
        double d = json_number_value(x);
        if (!isfinite(d) || fabs(d) > 1e6 || (nonzero && fabs(d) < 1e-9))
            return bad(err, field, "each value must be finite%s and at most 1e6 in size", nonzero ? ", non-zero" : "");
        out[i] = (float)d;
    }
    return VG_OK;
}

static vg_status get_norm(json_t *m, const char *where, vg_model_facts *f, vg_err *err)
{
    char field[96];
    snprintf(field, sizeof field, "%s.normalisation", where);
    json_t *v = json_object_get(m, "normalisation");
    if (!v)
        return VG_OK;
    if (json_is_string(v) && strcmp(json_string_value(v), "raw") == 0) {
        f->norm = VG_NORM_RAW;
        for (int c = 0; c < 3; c++) {
            f->mean[c] = 0;
            f->scale[c] = 1;
        }
        return VG_OK;
    }
    if (!json_is_object(v) || json_object_size(v) != 2)
        return bad(err, field, "must be \"raw\" or {\"mean\": [m,m,m], \"scale\": [s,s,s]}");
    vg_status st = get_triple(v, "mean", where, f->mean, 0, err);
    if (!st)
        st = get_triple(v, "scale", where, f->scale, 1, err);
    if (!st)
        f->norm = VG_NORM_MEAN_SCALE;
    return st;
}

static const char *const known_keys[] = {"role", "family", "file", "sha256", "licence", "input",
                                         "layout", "colour", "normalisation", "dim"};

static vg_status parse_model(json_t *m, int index, vg_model_facts *f, vg_err *err)
{
    char where[32];
    snprintf(where, sizeof where, "models[%d]", index);
    if (!json_is_object(m))
        return bad(err, where, "must be an object");
    const char *key;
    json_t *val;
    json_object_foreach(m, key, val) {
        size_t i = 0;
        while (i < sizeof known_keys / sizeof known_keys[0] && strcmp(key, known_keys[i]) != 0)
            i++;
        if (i == sizeof known_keys / sizeof known_keys[0]) {
            char k[48];
            snprintf(k, sizeof k, "%s", key);
            return vg_err_set(err, VG_ERR_INVALID, "%s: unknown field '%s' (see docs/packs.md)", where, k);
        }
    }
    int role = -1;
    vg_status st = get_choice(m, "role", where, roles, 4, &role, VG_ERR_UNSUPPORTED, err);
    if (st)
        return st;
    if (role < 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s.role: missing (detector, landmarks or embedder)", where);
    f->role = (vg_model_role)role;
    int fam = -1;
    if (f->role == VG_ROLE_DETECTOR) {
        st = get_choice(m, "family", where, detector_families, 3, &fam, VG_ERR_UNSUPPORTED, err);
        if (!st && fam < 0)
            st = vg_err_set(err, VG_ERR_INVALID, "%s.family: missing: a detector needs one (ultraface, yunet, scrfd)", where);
        if (!st)
            snprintf(f->family, sizeof f->family, "%s", detector_families[fam]);
    } else {
        const char *only = f->role == VG_ROLE_LANDMARKS ? "landmark68" : "arcface";
        st = get_choice(m, "family", where, &only, 1, &fam, VG_ERR_UNSUPPORTED, err);
        if (!st)
            snprintf(f->family, sizeof f->family, "%s", only);
    }
    if (!st)
        st = get_file(m, where, f->file, sizeof f->file, err);
    if (!st)
        st = get_sha(m, where, f->sha256, err);
    if (!st)
        st = get_string(m, "licence", where, f->licence, sizeof f->licence, 1, err);
    if (!st)
        st = get_input(m, where, f, err);
    static const char *const layouts[] = {NULL, "NCHW", "NHWC"};
    static const char *const colours[] = {NULL, "RGB", "BGR", "GREY"};
    int layout = -1, colour = -1;
    if (!st)
        st = get_choice(m, "layout", where, layouts, 3, &layout, VG_ERR_INVALID, err);
    if (!st)
        st = get_choice(m, "colour", where, colours, 4, &colour, VG_ERR_INVALID, err);
    if (!st)
        st = get_norm(m, where, f, err);
    if (st)
        return st;
    f->layout = layout < 0 ? VG_LAYOUT_UNSET : (vg_model_layout)layout;
    f->colour = colour < 0 ? VG_COLOUR_UNSET : (vg_model_colour)colour;
    json_t *dim = json_object_get(m, "dim");
    if (f->role != VG_ROLE_EMBEDDER) {
        if (dim)
            return vg_err_set(err, VG_ERR_INVALID, "%s.dim: only an embedder has one", where);
        return VG_OK;
    }
    /* An embedder is run from these facts alone: all are required. */
    char field[48];
    snprintf(field, sizeof field, "%s.dim", where);
    if (!dim)
        return bad(err, field, "missing: an embedder needs its output size");
    st = get_int(dim, field, 16, 4096, &f->dim, err);
    if (st)
        return st;
    if (!f->input_set)
        return vg_err_set(err, VG_ERR_INVALID, "%s.input: missing: an embedder needs {\"width\": W, \"height\": H} or "
                   "\"dynamic\"", where);
    if (!f->layout)
        return vg_err_set(err, VG_ERR_INVALID, "%s.layout: missing: an embedder needs NCHW or NHWC", where);
    if (!f->colour || f->colour == VG_COLOUR_GREY)
        return vg_err_set(err, VG_ERR_INVALID, "%s.colour: %s: an embedder needs RGB or BGR", where,
                          f->colour ? "GREY" : "missing");
    if (!f->norm)
        return vg_err_set(err, VG_ERR_INVALID, "%s.normalisation: missing: an embedder needs \"raw\" or mean and scale",
                          where);
    return VG_OK;
}

static vg_status check_name(const char *name, vg_err *err)
{
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
            return bad(err, "name", "'%s' may hold only letters, digits, '-', '_' and '.'", name);
    if (strcmp(name, "default") == 0)
        return bad(err, "name", "'%s' is reserved for the pack vigil opens without a manifest", name);
    return VG_OK;
}

static vg_status parse_root(json_t *root, vg_pack_manifest *out, vg_err *err)
{
    if (!json_is_object(root))
        return bad(err, "manifest", "must be a JSON object");
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "name") != 0 && strcmp(key, "models") != 0 && strcmp(key, "about") != 0) {
            char k[48];
            snprintf(k, sizeof k, "%s", key);
            return vg_err_set(err, VG_ERR_INVALID, "manifest: unknown field '%s' (name, about, models)", k);
        }
    }
    json_t *name = json_object_get(root, "name");
    if (!name)
        return bad(err, "name", "missing: a pack needs a name, recorded by each deployment");
    if (!json_is_string(name) || json_string_length(name) == 0 ||
        json_string_length(name) > VG_PACK_NAME_MAX || strlen(json_string_value(name)) != json_string_length(name))
        return vg_err_set(err, VG_ERR_INVALID, "name: must be a string of 1 to %d characters", VG_PACK_NAME_MAX);
    snprintf(out->name, sizeof out->name, "%s", json_string_value(name));
    vg_status st = check_name(out->name, err);
    if (st)
        return st;
    json_t *about = json_object_get(root, "about");
    if (about && !json_is_string(about))
        return bad(err, "about", "must be a string");
    json_t *models = json_object_get(root, "models");
    if (!models)
        return bad(err, "models", "missing: the list of the pack's models");
    if (!json_is_array(models) || json_array_size(models) == 0 || json_array_size(models) > VG_PACK_MAX_MODELS)
        return vg_err_set(err, VG_ERR_INVALID, "models: must be an array of 1 to %d models", VG_PACK_MAX_MODELS);
    int count[4] = {0};
    for (size_t i = 0; i < json_array_size(models); i++) {
        vg_model_facts *f = &out->models[i];
        st = parse_model(json_array_get(models, i), (int)i, f, err);
        if (st)
            return st;
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->models[j].file, f->file) == 0)
                return vg_err_set(err, VG_ERR_INVALID, "models[%zu].file: '%s' is already models[%zu]", i,
                                  f->file, j);
        count[f->role]++;
        out->n = (int)i + 1;
    }
    if (count[VG_ROLE_EMBEDDER] != 1)
        return vg_err_set(err, VG_ERR_INVALID, "models: a pack has exactly one embedder, this one has %d",
                          count[VG_ROLE_EMBEDDER]);
    if (count[VG_ROLE_DETECTOR] < 1)
        return bad(err, "models", "a pack needs a detector");
    if (count[VG_ROLE_LANDMARKS] > 1)
        return vg_err_set(err, VG_ERR_INVALID, "models: a pack has at most one landmarks model, this one has %d",
                          count[VG_ROLE_LANDMARKS]);
    return VG_OK;
}

vg_status vg_manifest_parse(const char *text, size_t len, vg_pack_manifest *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > VG_MANIFEST_MAX_BYTES)
        return vg_err_set(err, VG_ERR_LIMIT, "manifest: %zu bytes, more than the %d a manifest may hold", len,
                          VG_MANIFEST_MAX_BYTES);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return vg_err_set(err, VG_ERR_INVALID, "manifest: not valid JSON (line %d, column %d: %s)", je.line,
                          je.column, je.text);
    vg_status st = parse_root(root, out, err);
    json_decref(root);
    if (st)
        memset(out, 0, sizeof *out);
    return st;
}
