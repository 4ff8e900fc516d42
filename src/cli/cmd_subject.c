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
#include "vigil/store.h"
#include "vigil/watchlist.h"

#define MAX_PHOTOS 32

static const char usage[] =
    "usage: vigil subject add WATCHLIST --name NAME --photo FILE... [--reason TEXT] [--source TEXT]\n"
    "                         [--category TEXT] [--dob YYYY-MM-DD] [--justification TEXT]\n"
    "                         [--authorised-by PERSON] [--expires DATE] [--face INDEX] [--allow-duplicate]\n"
    "                         [--min-sharpness S] [--min-eye-distance PX] [--show-face FILE.jpg]\n"
    "                         [--accept-low-quality JUSTIFICATION --supervisor NAME]\n"
    "       vigil subject list WATCHLIST\n"
    "       vigil subject remove ID\n"
    "       vigil subject quarantine ID --reason TEXT\n"
    "       vigil subject release ID\n"
    "Each photo must show one face (or name it with --face; a face that clearly dominates a photo\n"
    "of several is proposed) that passes the quality gate. The photos that pass are enrolled, the\n"
    "others reported with every quality factor and its limit; with none passing nothing is written.\n"
    "--show-face writes the face found (aligned, as enrolled) as JPEG: FILE.jpg for one photo,\n"
    "FILE-1.jpg, FILE-2.jpg... for several. --accept-low-quality with --supervisor enrols a face\n"
    "below the quality limits, audited and marked low-quality; never a photo without a face.\n"
    "reason and authorised-by default to the watch list's. Under 18 (by --dob) needs --justification.\n"
    "A quarantined subject is left out of matching (run, identify) until released; vigil quarantines\n"
    "by itself a subject whose template does not decrypt (altered in the database). Both audited.\n";

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

static int subject_add(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    const char *list = NULL, *name = NULL, *reason = NULL, *source = NULL, *category = NULL, *dob = NULL,
               *just = NULL, *by = NULL, *expires = NULL, *face = NULL, *sharp = NULL, *eyes = NULL,
               *show = NULL, *low = NULL, *supervisor = NULL;
    const char *photos[MAX_PHOTOS];
    int n = 0;
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.max_pixels = cli->max_pixels;
    for (int i = 2; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--photo") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return vg_cli_usage("--photo needs a file");
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                if (n == MAX_PHOTOS)
                    return vg_cli_usage("at most %d photos per subject", MAX_PHOTOS);
                photos[n++] = argv[++i];
            }
        } else if (strcmp(argv[i], "--allow-duplicate") == 0) {
            opt.allow_duplicate = 1;
        } else if ((r = vg_cli_opt(argc, argv, &i, "--name", &name)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--reason", &reason)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--source", &source)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--category", &category)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--dob", &dob)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--justification", &just)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--authorised-by", &by)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--expires", &expires)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--face", &face)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--min-sharpness", &sharp)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--min-eye-distance", &eyes)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--show-face", &show)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--accept-low-quality", &low)) ||
                   (r = vg_cli_opt(argc, argv, &i, "--supervisor", &supervisor))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if (argv[i][0] == '-') {
            return vg_cli_usage("subject add: unknown option '%s'", argv[i]);
        } else if (!list) {
            list = argv[i];
        } else {
            return vg_cli_usage("subject add takes one WATCHLIST (photos go after --photo)");
        }
    }
    if (!list || !name || n == 0)
        return vg_cli_usage("subject add needs WATCHLIST, --name and at least one --photo");
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
    for (int i = 0; i < n; i++) {
        char t[32];
        int quarantined = 0;
        for (int k = 0; k < nq; k++)
            quarantined |= q[k] == s[i].id;
        if (cli->json)
            vg_cli_print_json(json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:I,s:i,s:b}", "id", (json_int_t)s[i].id,
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
    return VG_EXIT_OK;
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
static int subject_quarantine(const vg_cli *cli, vg_store *store, int argc, char **argv)
{
    int on = !strcmp(argv[1], "quarantine");
    const char *idtext = NULL, *reason = NULL;
    for (int i = 2; i < argc; i++) {
        int r;
        if (on && (r = vg_cli_opt(argc, argv, &i, "--reason", &reason))) {
            if (r < 0)
                return VG_EXIT_USAGE;
        } else if (!idtext && argv[i][0] != '-') {
            idtext = argv[i];
        } else {
            return vg_cli_usage("subject %s: unexpected '%s'", argv[1], argv[i]);
        }
    }
    long long id;
    if (!idtext || vg_cli_parse_int(idtext, 1, (long long)1 << 62, &id))
        return vg_cli_usage("subject %s takes a subject ID (vigil subject list shows them)", argv[1]);
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
    if (argc < 2 || vg_cli_wants_help(argc, argv)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    const char *sub = argv[1];
    int quarantine = !strcmp(sub, "quarantine") || !strcmp(sub, "release");
    if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "remove") && !quarantine)
        return vg_cli_usage("unknown subject command '%s'", sub);
    if (strcmp(sub, "add") && !quarantine && argc != 3)
        return vg_cli_usage("usage: vigil subject %s", !strcmp(sub, "list") ? "list WATCHLIST" : "remove ID");
    vg_store *store = NULL;
    vg_err err = {{0}};
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (st)
        return vg_cli_fail(st, &err);
    int code = quarantine             ? subject_quarantine(cli, store, argc, argv)
               : !strcmp(sub, "add")  ? subject_add(cli, store, argc, argv)
               : !strcmp(sub, "list") ? subject_list(cli, store, argv[2])
                                      : subject_remove(cli, store, argv[2]);
    vg_store_close(store);
    return code;
}
