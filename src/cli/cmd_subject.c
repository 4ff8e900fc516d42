/* cmd_subject.c — `vigil subject add|list|remove|quarantine|release`:
 * enrolling people on a watch list from photos, through the quality gate,
 * taking them off, and taking them out of matching for a while (quarantine:
 * a template that does not decrypt, or an admin's decision) and back.
 * `add` shows the person enrolling what the gate saw in each photo: the
 * face chosen, every quality factor against its limit, and on request the
 * face itself (--show-face). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

#define MAX_PHOTOS 32

static const vg_cli_cmd_def add_def = {
    "subject add", "WATCHLIST", 1, 1, "enrols a person on a watch list from photos, through the quality gate",
    "Each photo must show one face (or name it with --face; a face that clearly dominates a photo\n"
    "of several is proposed) that passes the quality gate. The photos that pass are enrolled, the\n"
    "others reported with every quality factor and its limit; with none passing nothing is written.\n"
    "--show-face writes the face found (aligned, as enrolled) as JPEG: FILE.jpg for one photo,\n"
    "FILE-1.jpg, FILE-2.jpg... for several. --accept-low-quality with --supervisor enrols a face\n"
    "below the quality limits, audited and marked low-quality; never a photo without a face.\n"
    "Under 18 (by --dob) needs --justification. DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z.\n",
    {{"--name", "NAME", "the person's name", VG_OPT_REQUIRED},
     {"--photo", "FILE", "photos of the person (at most 32)", VG_OPT_REQUIRED | VG_OPT_LIST},
     {"--reason", "TEXT", "why they are on the list (default: the list's reason)", 0},
     {"--source", "TEXT", "where the photos come from", 0},
     {"--category", "TEXT", "wanted, missing, ...", 0},
     {"--dob", "YYYY-MM-DD", "date of birth", 0},
     {"--justification", "TEXT", "why a person under 18 is enrolled", 0},
     {"--authorised-by", "PERSON", "who authorised it (default: the list's authority)", 0},
     {"--expires", "DATE", "when the subject expires (default: the list's expiry)", 0},
     {"--face", "INDEX", "which face of a photo of several (vigil detect lists them), 0 to 63", 0},
     {"--allow-duplicate", NULL, "enrol even when the face matches a subject already on the list", 0},
     {"--min-sharpness", "S", "the gate's sharpness limit, at least 1 (default 15)", 0},
     {"--min-eye-distance", "PX", "the gate's eye distance limit, at least 8 (default 24)", 0},
     {"--show-face", "FILE.jpg", "writes the face found, aligned as enrolled", 0},
     {"--accept-low-quality", "JUSTIFICATION", "enrol below the quality limits (with --supervisor)", 0},
     {"--supervisor", "NAME", "the supervisor who accepts it", 0},
     {0}}};
static const vg_cli_cmd_def list_def = {"subject list", "WATCHLIST", 1, 1, "the subjects of a watch list", NULL,
                                        {{0}}};
static const vg_cli_cmd_def remove_def = {
    "subject remove", "ID", 1, 1, "removes a subject with its templates and photos; audited", NULL, {{0}}};
static const vg_cli_cmd_def quarantine_def = {
    "subject quarantine", "ID", 1, 1,
    "leaves a subject out of matching (run, identify) until released; audited. vigil quarantines by itself a "
    "subject whose template does not decrypt (altered in the database)",
    NULL,
    {{"--reason", "TEXT", "why (it is audited)", VG_OPT_REQUIRED}, {0}}};
static const vg_cli_cmd_def release_def = {
    "subject release", "ID", 1, 1, "matches a quarantined subject again from the next load of its list; audited",
    NULL, {{0}}};
static const vg_cli_cmd_def *const subs[] = {&add_def, &list_def, &remove_def, &quarantine_def, &release_def};

static int set_text(char *dst, size_t cap, const char *src, const char *field)
{
    if (!src)
        return 0;
    if (strlen(src) >= cap) {
        vg_cli_usage("--%s is %zu bytes, the limit is %zu", field, strlen(src), cap - 1);
        return -1;
    }
    memcpy(dst, src, strlen(src) + 1);
    return 0;
}

/* Where --show-face puts photo i of n: FILE itself for one photo, else
 * FILE with -N (1-based) before its extension. */
static void face_path(const char *file, int i, int n, char *out, size_t cap)
{
    if (n == 1) {
        snprintf(out, cap, "%s", file);
        return;
    }
    const char *dot = strrchr(file, '.'), *slash = strrchr(file, '/');
    if (!dot || (slash && dot < slash))
        dot = file + strlen(file);
    snprintf(out, cap, "%.*s-%d%s", (int)(dot - file), file, i + 1, dot);
}

/* Writes each found face where --show-face says; returns -1 (with the
 * message printed) when a file cannot be written. */
static int show_faces(const char *file, const vg_enrol_report *r, char paths[][1024])
{
    for (int i = 0; i < r->n; i++) {
        paths[i][0] = '\0';
        if (!r->photo[i].crop)
            continue;
        face_path(file, i, r->n, paths[i], sizeof paths[i]);
        FILE *f = fopen(paths[i], "wb");
        int ok = f && fwrite(r->photo[i].crop, 1, r->photo[i].crop_len, f) == r->photo[i].crop_len;
        if (f && fclose(f) != 0)
            ok = 0;
        if (!ok) {
            fprintf(stderr, "vigil: --show-face: cannot write %s\n", paths[i]);
            return -1;
        }
    }
    return 0;
}

/* The gate's findings for one photo, for a person to read. */
static void print_photo(const vg_enrol_photo_report *p, const char *face_file)
{
    const vg_gate_result *g = &p->gate;
    if (p->kept)
        printf("photo %s: %s", p->label, p->low_quality ? "enrolled BELOW the quality limits (supervisor)" : "passes");
    else
        printf("photo %s: refused", p->label);
    if (g->chosen >= 0 && g->dominant)
        printf("; the dominant face %d of %d chosen, %d smaller face%s ignored", g->chosen, g->faces, g->ignored,
               g->ignored == 1 ? "" : "s");
    else if (g->chosen >= 0 && g->faces > 1)
        printf("; face %d of %d chosen (--face), %d other%s ignored", g->chosen, g->faces, g->ignored,
               g->ignored == 1 ? "" : "s");
    printf("\n");
    if (g->chosen >= 0) {
        printf("  face box %.0f,%.0f to %.0f,%.0f", g->face.x1, g->face.y1, g->face.x2, g->face.y2);
        if (face_file && face_file[0])
            printf(", written to %s", face_file);
        printf("\n");
        for (int i = 0; i < VG_GATE_FACTORS; i++) {
            const vg_gate_factor *f = &g->factor[i];
            char limit[48];
            if (i == VG_GATE_YAW || i == VG_GATE_PITCH)
                snprintf(limit, sizeof limit, "|x| <= %.2f", f->max);
            else if (!isnan(f->min) && !isnan(f->max))
                snprintf(limit, sizeof limit, "%g..%g", f->min, f->max);
            else
                snprintf(limit, sizeof limit, ">= %g", f->min);
            printf("  %-15s %8.2f  %-12s %s\n", f->name, f->value, limit, f->pass ? "pass" : "FAIL");
        }
    }
    if (!p->kept || p->low_quality)
        for (int i = 0; i < p->reasons.n; i++)
            printf("  %s: %s\n", p->kept ? "below the limit" : "reason", p->reasons.reason[i]);
}

static int subject_add(const vg_cli *cli, vg_store *store, const vg_cli_parsed *p)
{
    const char *list = p->pos[0], *name = vg_cli_val(p, "--name"), *reason = vg_cli_val(p, "--reason"),
               *source = vg_cli_val(p, "--source"), *category = vg_cli_val(p, "--category"),
               *dob = vg_cli_val(p, "--dob"), *just = vg_cli_val(p, "--justification"),
               *by = vg_cli_val(p, "--authorised-by"), *expires = vg_cli_val(p, "--expires"),
               *face = vg_cli_val(p, "--face"), *sharp = vg_cli_val(p, "--min-sharpness"),
               *eyes = vg_cli_val(p, "--min-eye-distance"), *show = vg_cli_val(p, "--show-face"),
               *low = vg_cli_val(p, "--accept-low-quality"), *supervisor = vg_cli_val(p, "--supervisor");
    int n = 0;
    const char *const *photos = vg_cli_list(p, "--photo", &n);
    if (n > MAX_PHOTOS)
        return vg_cli_usage("at most %d photos per subject", MAX_PHOTOS);
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.max_pixels = cli->max_pixels;
    opt.allow_duplicate = vg_cli_has(p, "--allow-duplicate");
    long long v;
    if (face) {
        if (vg_cli_parse_int(face, 0, 63, &v))
            return vg_cli_usage("--face takes a face number from 0 to 63 (vigil detect lists them)");
        opt.face_index = (int)v;
    }
    /* the gate's limits may be set explicitly (a frame of video is softer
     * than a custody photo); they are never switched off */
    if (sharp && (vg_cli_parse_float(sharp, &opt.gate.min_sharpness) || opt.gate.min_sharpness < 1))
        return vg_cli_usage("--min-sharpness takes a number of at least 1 (default 15)");
    if (eyes && (vg_cli_parse_float(eyes, &opt.gate.min_eye_dist) || opt.gate.min_eye_dist < 8))
        return vg_cli_usage("--min-eye-distance takes a number of pixels of at least 8 (default 24)");
    /* below the limits only on a named supervisor's written word */
    if (!low != !supervisor)
        return vg_cli_usage("--accept-low-quality JUSTIFICATION and --supervisor NAME go together");
    if (low && (!low[0] || strpbrk(low, "\r\n") || strlen(low) > VG_STORE_TEXT_MAX))
        return vg_cli_usage("--accept-low-quality takes a justification of one line, 1 to %d bytes",
                            VG_STORE_TEXT_MAX);
    if (supervisor && (!supervisor[0] || strpbrk(supervisor, "\r\n") || strlen(supervisor) > VG_STORE_NAME_MAX))
        return vg_cli_usage("--supervisor takes a name of one line, 1 to %d bytes", VG_STORE_NAME_MAX);
    opt.low_quality_justification = low;
    opt.low_quality_supervisor = supervisor;
    opt.want_crops = show != NULL;
    vg_err err = {{0}};
    vg_watchlist w;
    vg_status st = vg_store_watchlist_get(store, list, &w, &err);
    if (st)
        return vg_cli_fail(st, &err);
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = w.id;
    if (set_text(s.name, sizeof s.name, name, "name") || set_text(s.reason, sizeof s.reason, reason ? reason : w.reason, "reason") ||
        set_text(s.source, sizeof s.source, source, "source") || set_text(s.category, sizeof s.category, category, "category") ||
        set_text(s.justification, sizeof s.justification, just, "justification") ||
        set_text(s.authorised_by, sizeof s.authorised_by, by ? by : w.authorised_by, "authorised-by"))
        return VG_EXIT_USAGE;
    if (dob) {
        if (vg_cli_parse_time(dob, &v) || strlen(dob) != 10)
            return vg_cli_usage("--dob: '%s' is not a date (YYYY-MM-DD)", dob);
        memcpy(s.dob, dob, 11);
    }
    if (expires) {
        if (vg_cli_parse_time(expires, &v))
            return vg_cli_usage("--expires: '%s' is not a date (YYYY-MM-DD)", expires);
        s.expires_at = v;
    }
    /* look for faces down to 20 px so that a small face is refused as too
     * small, with its size, rather than not found */
    vg_cli pc = *cli;
    if (pc.min_face <= 0)
        pc.min_face = 20;
    vg_face_pack *pack = NULL;
    st = vg_cli_open_pack(&pc, &pack, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int64_t id = 0;
    vg_enrol_report *rep = NULL;
    st = vg_enrol_files(pack, store, vg_cli_actor(cli), &s, photos, n, &opt, &id, &rep, &err);
    vg_face_pack_close(pack);
    /* what the gate saw, whether or not the subject was enrolled */
    char paths[MAX_PHOTOS][1024] = {{0}};
    if (rep && show)
        show_faces(show, rep, paths); /* says so when a file cannot be written */
    int kept = rep ? rep->kept : 0, lowq = rep ? rep->low_quality : 0;
    if (cli->json && rep) {
        json_t *photos_json = vg_enrol_report_json(rep, 0);
        for (int i = 0; show && photos_json && i < rep->n; i++)
            if (paths[i][0])
                json_object_set_new(json_array_get(photos_json, (size_t)i), "face_file", json_string(paths[i]));
        json_t *o = st ? json_pack("{s:b, s:s, s:o}", "enrolled", 0, "error", err.msg, "photos", photos_json)
                       : json_pack("{s:b, s:I, s:s, s:s, s:i, s:i, s:i, s:o}", "enrolled", 1, "id", (json_int_t)id,
                                   "name", name, "watchlist", list, "templates", kept, "low_quality", lowq,
                                   "refused", n - kept, "photos", photos_json);
        vg_cli_print_json(o);
    } else if (rep) {
        for (int i = 0; i < rep->n; i++)
            print_photo(&rep->photo[i], show ? paths[i] : NULL);
    }
    vg_enrol_report_free(rep);
    if (st)
        return vg_cli_fail(st, &err);
    if (!cli->json) {
        printf("subject %lld (%s) enrolled on %s with %d template%s", (long long)id, name, list, kept,
               kept == 1 ? "" : "s");
        if (n > kept)
            printf(" (%d photo%s refused)", n - kept, n - kept == 1 ? "" : "s");
        if (lowq)
            printf(", %d below the quality limits on %s's authority", lowq, supervisor);
        printf("\n");
    }
    return VG_EXIT_OK;
}

static int subject_list(const vg_cli *cli, vg_store *store, const char *list)
{
    vg_err err = {{0}};
    vg_watchlist w;
    vg_status st = vg_store_watchlist_get(store, list, &w, &err);
    vg_subject *s = NULL;
    int n = 0;
    if (!st)
        st = vg_store_subject_list(store, w.id, &s, &n, &err);
    int64_t *q = NULL;
    int nq = 0;
    if (!st)
        st = vg_store_subject_quarantined(store, w.id, &q, &nq, &err);
    if (st) {
        vg_store_subject_free(s);
        return vg_cli_fail(st, &err);
    }
    if (!cli->json)
        printf("%6s  %-30s %-16s %9s  %-10s  %-19s  %s\n", "ID", "NAME", "CATEGORY", "TEMPLATES", "BORN", "EXPIRES",
               "REASON");
    int rc = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        char t[32];
        int quarantined = 0;
        for (int k = 0; k < nq; k++)
            quarantined |= q[k] == s[i].id;
        if (cli->json)
            rc |= vg_cli_print_json(json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:i,s:b}", "id", (json_int_t)s[i].id,
                                        "name", s[i].name, "category", s[i].category, "reason", s[i].reason,
                                        "source", s[i].source, "authorised_by", s[i].authorised_by, "dob",
                                        s[i].dob, "templates", s[i].templates, "created_at",
                                        (json_int_t)s[i].created_at, "expires_at", (json_int_t)s[i].expires_at,
                                        "low_quality", s[i].low_quality, "quarantined", quarantined));
        else
            printf("%6lld  %-30s %-16s %9d  %-10s  %-19s  %s%s%s\n", (long long)s[i].id, s[i].name, s[i].category,
                   s[i].templates, s[i].dob[0] ? s[i].dob : "-", vg_cli_format_time(s[i].expires_at, t, sizeof t),
                   s[i].reason, s[i].low_quality ? "  (low-quality photo accepted by a supervisor)" : "",
                   quarantined ? "  (QUARANTINED: not matched)" : "");
    }
    free(q);
    vg_store_subject_free(s);
    return rc;
}

static int subject_remove(const vg_cli *cli, vg_store *store, const char *idtext)
{
    long long id;
    if (vg_cli_parse_int(idtext, 1, (long long)1 << 62, &id))
        return vg_cli_usage("subject remove takes a subject ID (vigil subject list shows them)");
    vg_err err = {{0}};
    vg_status st = vg_store_subject_remove(store, vg_cli_actor(cli), id, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I}", "removed", (json_int_t)id));
    else
        printf("subject %lld removed, with its templates and photos\n", id);
    return VG_EXIT_OK;
}

/* quarantine ID --reason TEXT | release ID */
static int subject_quarantine(const vg_cli *cli, vg_store *store, int on, const char *idtext, const char *reason)
{
    long long id;
    if (!idtext || vg_cli_parse_int(idtext, 1, (long long)1 << 62, &id))
        return vg_cli_usage("subject %s takes a subject ID (vigil subject list shows them)",
                            on ? "quarantine" : "release");
    if (on && (!reason || !*reason))
        return vg_cli_usage("subject quarantine needs --reason TEXT (it is audited)");
    vg_err err = {{0}};
    vg_status st = on ? vg_store_subject_quarantine(store, vg_cli_actor(cli), id, reason, &err)
                      : vg_store_subject_release(store, vg_cli_actor(cli), id, &err);
    if (st)
        return vg_cli_fail(st, &err);
    if (cli->json)
        vg_cli_print_json(json_pack("{s:I,s:b}", "subject", (json_int_t)id, "quarantined", on));
    else if (on)
        printf("subject %lld quarantined: left out of matching until released\n", id);
    else
        printf("subject %lld released: matched again from the next load of its watch list\n", id);
    return VG_EXIT_OK;
}

int vg_cmd_subject(const vg_cli *cli, int argc, char **argv)
{
    int code;
    vg_cli_parsed p;
    int k = vg_cli_pick_parse("subject", subs, 5, NULL, argc, argv, &p, &code);
    if (k < 0)
        return code;
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    code = k == 0   ? subject_add(cli, store, &p)
           : k == 1 ? subject_list(cli, store, p.pos[0])
           : k == 2 ? subject_remove(cli, store, p.pos[0])
                    : subject_quarantine(cli, store, k == 3, p.pos[0], vg_cli_val(&p, "--reason"));
    vg_store_close(store);
    return code;
}
