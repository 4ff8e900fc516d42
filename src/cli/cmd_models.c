/* cmd_models.c — `vigil models list | show [MODEL] | verify [DIR]`: the
 * models of the pack in use (its manifest's or the ones vigil knows by
 * SHA-256), their facts, and a re-hash of every file of a pack directory. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"

#define PACK_DIR "The pack directory is --models DIR ($VIGIL_MODELS, else the bootstrap's); docs/packs.md.\n"
static const vg_cli_cmd_def list_def = {
    "models list", "", 0, 0, "the pack's models: role, file, SHA-256, licence, known or manifest", PACK_DIR, {{0}}};
static const vg_cli_cmd_def show_def = {
    "models show", "[MODEL]", 0, 1, "every fact of a model (file name, role or SHA-256 prefix), or of all",
    PACK_DIR "Exit 1 when no model of the pack is MODEL.\n", {{0}}};
static const vg_cli_cmd_def verify_def = {
    "models verify", "[DIR]", 0, 1, "re-hashes every model of a pack directory (default: --models)",
    "Exit 1 when a file is missing, altered or unknown.\n", {{0}}};
static const vg_cli_cmd_def *const subs[] = {&list_def, &show_def, &verify_def};

static json_t *model_json(const vg_face_listing *l, const vg_face_model *m, int full)
{
    json_t *o = json_pack("{s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s,s:b}", "pack", vg_face_listing_name(l), "role", m->role,
                          "family", m->family, "file", m->file, "sha256", m->sha256, "licence", m->licence,
                          "source", m->origin, "in_use", m->in_use);
    if (!full)
        return o;
    json_object_set_new(o, "path", json_string(m->path));
    json_object_set_new(o, "state", json_string(m->state));
    if (m->actual_sha256)
        json_object_set_new(o, "actual_sha256", json_string(m->actual_sha256));
    if (m->known_as)
        json_object_set_new(o, "known_as", json_string(m->known_as));
    if (m->input_given)
        json_object_set_new(o, "input", m->width ? json_pack("{s:i,s:i}", "width", m->width, "height", m->height)
                                                 : json_string("dynamic"));
    if (m->layout)
        json_object_set_new(o, "layout", json_string(m->layout));
    if (m->colour)
        json_object_set_new(o, "colour", json_string(m->colour));
    if (m->normalisation && strcmp(m->normalisation, "raw") == 0)
        json_object_set_new(o, "normalisation", json_string("raw"));
    else if (m->normalisation)
        json_object_set_new(o, "normalisation",
                            json_pack("{s:[f,f,f],s:[f,f,f]}", "mean", (double)m->mean[0], (double)m->mean[1],
                                      (double)m->mean[2], "scale", (double)m->scale[0], (double)m->scale[1],
                                      (double)m->scale[2]));
    if (m->dim)
        json_object_set_new(o, "dim", json_integer(m->dim));
    return o;
}

static int models_list(const vg_cli *cli, const vg_face_pack *pack)
{
    const vg_face_listing *l = vg_face_pack_listing(pack);
    if (!cli->json)
        printf("pack %s (%s, %s)\n%-9s %-10s %-28s %-64s %-8s %-3s %s\n", vg_face_pack_name(pack),
               vg_face_listing_dir(l), vg_face_listing_has_manifest(l) ? "manifest.json" : "no manifest",
               "ROLE", "FAMILY", "FILE", "SHA-256", "SOURCE", "USE", "LICENCE");
    vg_face_model m;
    for (int i = 0; vg_face_listing_model(l, i, &m); i++) {
        if (cli->json)
            vg_cli_print_json(model_json(l, &m, 0));
        else
            printf("%-9s %-10s %-28s %-64s %-8s %-3s %s\n", m.role, m.family ? m.family : "-", m.file,
                   m.sha256 ? m.sha256 : "-", m.origin, m.in_use ? "yes" : "no", m.licence ? m.licence : "-");
    }
    if (!cli->json)
        printf("embedder id %s\n", vg_face_pack_model_id(pack));
    return VG_EXIT_OK;
}

static int matches(const vg_face_model *m, const char *what)
{
    size_t n = strlen(what);
    return strcmp(m->file, what) == 0 || strcmp(m->role, what) == 0 ||
           (n >= 8 && m->sha256 && strncmp(m->sha256, what, n) == 0);
}

static void print_facts(const vg_face_model *m)
{
    printf("%s\n  role          %s\n  family        %s\n  path          %s\n  sha256        %s\n"
           "  licence       %s\n  source        %s%s%s\n  in use        %s\n",
           m->file, m->role, m->family ? m->family : "-", m->path, m->sha256 ? m->sha256 : "-",
           m->licence ? m->licence : "-", m->origin, m->known_as ? ": " : "", m->known_as ? m->known_as : "",
           m->in_use ? "yes" : "no");
    if (m->input_given && m->width)
        printf("  input         %dx%d\n", m->width, m->height);
    else if (m->input_given)
        printf("  input         dynamic\n");
    else
        printf("  input         from the model's graph\n");
    printf("  layout        %s\n  colour        %s\n", m->layout ? m->layout : "as the family fixes",
           m->colour ? m->colour : "as the family fixes");
    if (m->normalisation && strcmp(m->normalisation, "raw") == 0)
        printf("  normalisation raw\n");
    else if (m->normalisation)
        printf("  normalisation (p - [%g, %g, %g]) * [%g, %g, %g]\n", (double)m->mean[0], (double)m->mean[1],
               (double)m->mean[2], (double)m->scale[0], (double)m->scale[1], (double)m->scale[2]);
    else
        printf("  normalisation as the family fixes\n");
    if (m->dim)
        printf("  dim           %d\n", m->dim);
}

static int models_show(const vg_cli *cli, const vg_face_pack *pack, const char *what)
{
    const vg_face_listing *l = vg_face_pack_listing(pack);
    vg_face_model m;
    int shown = 0;
    for (int i = 0; vg_face_listing_model(l, i, &m); i++) {
        if (what && !matches(&m, what))
            continue;
        if (cli->json)
            vg_cli_print_json(model_json(l, &m, 1));
        else
            print_facts(&m);
        shown++;
    }
    vg_err err = {{0}};
    if (!shown)
        return vg_cli_fail(vg_err_set(&err, VG_ERR_NOT_FOUND,
                                      "models show: no model '%s' in the pack (give a file name, a role or a "
                                      "SHA-256 prefix of 8 or more digits)", what),
                           &err);
    return VG_EXIT_OK;
}

static int models_verify(const vg_cli *cli, const char *dir)
{
    vg_face_listing *l = NULL;
    vg_err err = {{0}};
    vg_status st = vg_face_listing_open(dir ? dir : cli->models, &l, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int failed = 0, n = vg_face_listing_count(l);
    vg_face_model m;
    for (int i = 0; vg_face_listing_model(l, i, &m); i++) {
        int ok = strcmp(m.state, "ok") == 0;
        failed += !ok;
        if (cli->json) {
            json_t *o = model_json(l, &m, 0);
            json_object_set_new(o, "state", json_string(m.state));
            json_object_set_new(o, "actual_sha256", m.actual_sha256 ? json_string(m.actual_sha256) : json_null());
            vg_cli_print_json(o);
        } else if (ok) {
            printf("ok        %-9s %s %s\n", m.role, m.path, m.actual_sha256);
        } else {
            printf("%-9s %-9s %s %s%s%s\n", !strcmp(m.state, "mismatch") ? "MISMATCH" : !strcmp(m.state, "missing")
                   ? "MISSING" : "UNKNOWN", m.role, m.path, m.actual_sha256 ? m.actual_sha256 : "(no file)",
                   m.sha256 ? ", expected " : ": not in vigil's table; needs a manifest.json entry",
                   m.sha256 ? m.sha256 : "");
        }
    }
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s,s:s,s:b,s:i,s:i}", "pack", vg_face_listing_name(l), "dir",
                                    vg_face_listing_dir(l), "manifest", vg_face_listing_has_manifest(l), "models", n,
                                    "failed", failed));
    else if (n == 0)
        printf("no models in %s\n", vg_face_listing_dir(l));
    else if (failed)
        printf("%d of %d models FAILED verification in %s\n", failed, n, vg_face_listing_dir(l));
    else
        printf("%d models verified in %s (pack %s)\n", n, vg_face_listing_dir(l), vg_face_listing_name(l));
    vg_face_listing_free(l);
    return failed || n == 0 ? VG_EXIT_FAIL : VG_EXIT_OK;
}

int vg_cmd_models(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("models", subs, 3, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    const char *arg = p.n_pos ? p.pos[0] : NULL;
    if (k == 2)
        return models_verify(cli, arg);
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_pack(cli, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0 ? models_list(cli, pack) : models_show(cli, pack, arg);
    vg_face_pack_close(pack);
    return code;
}
