/* cmd_watchlist.c — `vigil watchlist create|list|show|purge|reembed`: watch
 * lists with their reason, authority, expiry and size limit, and their
 * templates made again when the model pack changes. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

static const vg_cli_cmd_def create_def = {
    "watchlist create", "NAME", 1, 1, "a watch list, with why it exists and on whose authority; audited",
    "DATE: YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM[:SS]Z\n",
    {{"--reason", "TEXT", "why the list exists", VG_OPT_REQUIRED},
     {"--authorised-by", "PERSON", "who authorised it", VG_OPT_REQUIRED},
     {"--expires", "DATE", "when its subjects expire (retention deletes them)", 0},
     {"--max-size", "N", "the most subjects it may hold, 1 to 10000000", 0},
     {0}}};
static const vg_cli_cmd_def list_def = {"watchlist list", "", 0, 0, "every watch list, with its counts", NULL,
                                        {{0}}};
static const vg_cli_cmd_def show_def = {"watchlist show", "NAME", 1, 1, "one watch list and its subjects", NULL,
                                        {{0}}};
static const vg_cli_cmd_def purge_def = {
    "watchlist purge", "NAME", 1, 1, "deletes every subject, template and photo of the list; audited", NULL,
    {{"--yes", NULL, "yes: it cannot be undone", VG_OPT_REQUIRED | VG_OPT_CHECKED}, {0}}};
static const vg_cli_cmd_def reembed_def = {
    "watchlist reembed", "NAME", 1, 1,
    "every template made again from the enrolment photos with the pack in use; all or nothing",
    "The pack is the one --models and --detector name. One transaction, audited.\n", {{0}}};
static const vg_cli_cmd_def *const subs[] = {&create_def, &list_def, &show_def, &purge_def, &reembed_def};

static json_t *watchlist_json(const vg_watchlist *w)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:i,s:i,s:i}", "id", (json_int_t)w->id, "name", w->name,
                     "reason", w->reason, "authorised_by", w->authorised_by, "created_at",
                     (json_int_t)w->created_at, "expires_at", (json_int_t)w->expires_at, "max_size",
                     w->max_size, "subjects", w->subjects, "templates", w->templates);
}

static int wl_create(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    const char *name = p->pos[0], *reason = vg_cli_val(p, "--reason"), *by = vg_cli_val(p, "--authorised-by"),
               *expires = vg_cli_val(p, "--expires"), *max = vg_cli_val(p, "--max-size");
    long long v;
    if (expires && vg_cli_parse_time(expires, &v))
        return vg_cli_usage("--expires: '%s' is not a date (YYYY-MM-DD)", expires);
    w.expires_at = expires ? v : 0;
    if (max && vg_cli_parse_int(max, 1, 10000000, &v))
        return vg_cli_usage("--max-size takes a number from 1 to 10000000");
    w.max_size = max ? (int)v : 0;
    if (strlen(name) > VG_STORE_NAME_MAX || strlen(reason) > VG_STORE_TEXT_MAX || strlen(by) > VG_STORE_NAME_MAX)
        return vg_cli_usage("a field is too long (names up to %d bytes, reasons up to %d)", VG_STORE_NAME_MAX,
                            VG_STORE_TEXT_MAX);
    snprintf(w.name, sizeof w.name, "%s", name);
    snprintf(w.reason, sizeof w.reason, "%s", reason);
    snprintf(w.authorised_by, sizeof w.authorised_by, "%s", by);
    vg_err err = {{0}};
    int64_t id = 0;
    vg_status st = vg_store_watchlist_create(store, vg_cli_actor(cli), &w, &id, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name));
    else
        printf("watch list %s created (id %lld)\n", name, (long long)id);
    return VG_EXIT_OK;
}

static int wl_list(const vg_cli *cli, vg_store *store)
{
    vg_watchlist *w = NULL;
    int n = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_watchlist_list(store, &w, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (!cli->json)
        printf("%-24s %8s %9s  %-19s  %-20s  %s\n", "NAME", "SUBJECTS", "TEMPLATES", "EXPIRES", "AUTHORISED BY",
               "REASON");
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        char t[32];
        if (cli->json)
            rc |= vg_cli_print_json(watchlist_json(&w[i]));
        else
            printf("%-24s %8d %9d  %-19s  %-20s  %s\n", w[i].name, w[i].subjects, w[i].templates,
                   vg_cli_format_time(w[i].expires_at, t, sizeof t), w[i].authorised_by, w[i].reason);
    }
    vg_store_watchlist_free(w);
    return rc;
}

static int wl_show(const vg_cli *cli, vg_store *store, const char *name)
{
    vg_watchlist w;
    vg_err err = {{0}};
    vg_status st = vg_store_watchlist_get(store, name, &w, &err);
    if (st)
        return vg_cli_fail(st, &err);
    vg_subject *s = NULL;
    int n = 0;
    st = vg_store_subject_list(store, w.id, &s, &n, &err);
    if (st)
        return vg_cli_fail(st, &err);
    char t1[32], t2[32];
    int rc = VG_EXIT_OK;
    if (cli->json) {
        json_t *o = watchlist_json(&w), *arr = json_array();
        int bad = !o || !arr;
        for (int i = 0; i < n; i++)
            bad |= json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:i}", "id", (json_int_t)s[i].id, "name", s[i].name,
                                                 "category", s[i].category, "templates", s[i].templates));
        bad |= json_object_set_new(o, "subject_list", arr);
        if (bad) { /* a subject left out would be a silent omission */
            json_decref(o);
            o = NULL;
        }
        rc = vg_cli_print_json(o);
    } else {
        printf("watch list %s (id %lld)\n  reason:        %s\n  authorised by: %s\n  created:       %s\n"
               "  expires:       %s\n  size limit:    %d%s\n  subjects:      %d (%d templates)\n",
               w.name, (long long)w.id, w.reason, w.authorised_by, vg_cli_format_time(w.created_at, t1, sizeof t1),
               vg_cli_format_time(w.expires_at, t2, sizeof t2), w.max_size, w.max_size ? "" : " (none)",
               w.subjects, w.templates);
        for (int i = 0; i < n; i++)
            printf("  %6lld  %-30s %-16s %d template%s\n", (long long)s[i].id, s[i].name, s[i].category,
                   s[i].templates, s[i].templates == 1 ? "" : "s");
    }
    vg_store_subject_free(s);
    return rc;
}

static int wl_purge(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *name = p->pos[0];
    int yes = vg_cli_has(p, "--yes");
    if (!yes)
        return vg_cli_usage("purging deletes every subject, template and photo of %s and cannot be undone: "
                            "add --yes", name);
    int subjects = 0, templates = 0;
    vg_err err = {{0}};
    vg_status st = vg_store_watchlist_purge(store, vg_cli_actor(cli), name, &subjects, &templates, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:s,s:i,s:i}", "purged", name, "subjects", subjects, "templates", templates));
    else
        printf("watch list %s purged: %d subjects and %d templates deleted\n", name, subjects, templates);
    return VG_EXIT_OK;
}

static int wl_reembed(const vg_cli *cli, vg_store *store, const char *name)
{
    /* the photos are searched as at enrolment (`subject add`): faces down to 20 px */
    vg_cli pc = *cli;
    if (pc.min_face <= 0)
        pc.min_face = 20;
    vg_face_pack *pack = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_pack(&pc, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    vg_reembed_result r;
    st = vg_watchlist_reembed(pack, store, vg_cli_actor(cli), name, &r, &err);
    int code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
        fprintf(stderr, "vigil: watch list %s unchanged: nothing was re-embedded%s\n", name,
                r.failed_subject ? " (remove or re-enrol that subject, or use the pack it was enrolled with)" : "");
    } else if (cli->json) {
        vg_cli_print_json(json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:s,s:b}", "watchlist", name, "subjects",
                                    r.subjects, "photos", r.photos, "templates_removed", r.templates_removed,
                                    "templates_added", r.templates_added, "subjects_unchanged",
                                    r.subjects_unchanged, "old_model", r.old_model, "new_model",
                                    vg_face_pack_model_id(pack), "detector", vg_face_pack_detector(pack),
                                    "changed", r.templates_added > 0));
    } else if (r.templates_added == 0) {
        printf("watch list %s unchanged: the %d photos of its %d subjects give the templates it already holds "
               "(model %s, detector %s); nothing written but the audit entry\n",
               name, r.photos, r.subjects, vg_face_pack_model_id(pack), vg_face_pack_detector(pack));
    } else {
        printf("watch list %s re-embedded: %d subjects, %d photos; %d templates replaced by %d (%d subjects "
               "unchanged)\n  old model: %s\n  new model: %s (detector %s)\n",
               name, r.subjects, r.photos, r.templates_removed, r.templates_added, r.subjects_unchanged,
               r.old_model[0] ? r.old_model : "(none)", vg_face_pack_model_id(pack), vg_face_pack_detector(pack));
    }
    vg_face_pack_close(pack);
    return code;
}

int vg_cmd_watchlist(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("watchlist", subs, 5, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (k == 0)
        code = wl_create(cli, store, &p);
    else if (k == 1)
        code = wl_list(cli, store);
    else if (k == 2)
        code = wl_show(cli, store, p.pos[0]);
    else if (k == 4)
        code = wl_reembed(cli, store, p.pos[0]);
    else
        code = wl_purge(cli, store, &p);
    vg_store_close(store);
    return code;
}
