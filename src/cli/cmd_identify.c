/* cmd_identify.c — `vigil identify IMAGE --watchlist NAME`: 1:N search of
 * every face in a still photo against a watch list: for each face, the top-K
 * subjects with their scores and whether they pass the threshold. The search
 * is audited (counts only, never a template or the photo). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vigil/store.h"
#include "vigil/watchlist.h"

#define TOP_MAX 50

static const vg_cli_cmd_def def = {
    "identify", "IMAGE", 1, 1, "1:N search of every face in a photo against a watch list",
    "For each face in IMAGE, the K best subjects and whether each passes the threshold (cosine).\n"
    "The search is audited (counts only).\n",
    {{"--watchlist", "NAME", "the watch list to search", VG_OPT_REQUIRED},
     {"--top", "K", "subjects shown per face, 1 to 50 (default 3)", 0},
     {"--threshold", "T", "the decision threshold, -1 to 1 (default 0.54)", 0},
     {0}}};

typedef struct identify_args {
    const char *image, *list;
    int top;
    float threshold;
} identify_args;

static int parse(int argc, char **argv, identify_args *a)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r;
    a->image = p.pos[0];
    a->list = vg_cli_val(&p, "--watchlist");
    a->top = 3;
    a->threshold = VG_WATCHLIST_THRESHOLD_DEFAULT;
    const char *top = vg_cli_val(&p, "--top"), *thr = vg_cli_val(&p, "--threshold");
    long long v;
    if (top) {
        if (vg_cli_parse_int(top, 1, TOP_MAX, &v))
            return vg_cli_usage("--top takes a number from 1 to %d", TOP_MAX);
        a->top = (int)v;
    }
    if (thr && (vg_cli_parse_float(thr, &a->threshold) || a->threshold < -1 || a->threshold > 1))
        return vg_cli_usage("--threshold takes a cosine similarity from -1 to 1");
    return 0;
}

int vg_cmd_identify(const vg_cli *cli, int argc, char **argv)
{
    identify_args a = {0};
    int code = parse(argc, argv, &a);
    if (code)
        return code == VG_CLI_HELPED ? VG_EXIT_OK : code;

    vg_err err = {{0}};
    vg_store *store = NULL;
    vg_face_pack *pack = NULL;
    vg_watch_gallery *g = NULL;
    vg_image *img = NULL;
    vg_face *faces = NULL;
    float *probe = NULL;
    int n = 0, above = 0;
    vg_watchlist w;
    char purpose[256];
    snprintf(purpose, sizeof purpose, "identify");
    vg_status st = vg_cli_open_store(cli, &store, &err);
    if (!st)
        st = vg_store_watchlist_get(store, a.list, &w, &err);
    if (!st)
        st = vg_cli_load_image(cli, a.image, &img, &err);
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st)
        st = vg_watch_gallery_load(store, vg_cli_actor(cli), purpose, w.id, vg_face_pack_model_id(pack), 0, &g, &err);
    if (!st)
        st = vg_face_detect(pack, img, &faces, &n, &err);
    if (!st && !(probe = malloc((size_t)vg_face_pack_dim(pack) * sizeof(float))))
        st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    if (st) {
        code = vg_cli_fail(st, &err);
        goto done;
    }
    if (vg_watch_gallery_quarantined(g) > 0) /* said on every search without them */
        fprintf(stderr,
                "vigil: %d subject%s of watch list %s %s quarantined, not searched (vigil subject list %s shows "
                "which; an admin releases them)\n",
                vg_watch_gallery_quarantined(g), vg_watch_gallery_quarantined(g) == 1 ? "" : "s", w.name,
                vg_watch_gallery_quarantined(g) == 1 ? "is" : "are", w.name);
    if (!cli->json)
        printf("%s: %d face%s, watch list %s (%d subjects), threshold %.3f\n", a.image, n, n == 1 ? "" : "s", w.name,
               vg_watch_gallery_subjects(g), a.threshold);
    for (int f = 0; f < n; f++) {
        vg_candidate c[TOP_MAX];
        int k = 0;
        st = vg_face_embed_face(pack, img, &faces[f], probe, &err);
        if (!st)
            k = vg_watch_gallery_search(g, probe, a.top, c);
        json_t *cands = json_array();
        if (!cli->json)
            printf("  face %d at %.0f,%.0f-%.0f,%.0f%s\n", f, faces[f].x1, faces[f].y1, faces[f].x2, faces[f].y2,
                   st ? ": could not be embedded" : k ? "" : ": the watch list is empty");
        for (int i = 0; i < k; i++) {
            vg_subject s;
            if (vg_store_subject_get(store, c[i].subject_id, &s, NULL) != VG_OK)
                snprintf(s.name, sizeof s.name, "?");
            int pass = c[i].score >= a.threshold;
            above += pass && i == 0;
            if (cli->json)
                json_array_append_new(cands, json_pack("{s:I,s:s,s:f,s:b}", "subject", (json_int_t)c[i].subject_id,
                                                       "name", s.name, "score", (double)c[i].score, "pass", pass));
            else
                printf("    %d. %-30s (subject %lld)  %.4f  %s\n", i + 1, s.name, (long long)c[i].subject_id,
                       c[i].score, pass ? "MATCH" : "below threshold");
        }
        if (cli->json)
            vg_cli_print_json(json_pack("{s:s,s:i,s:[f,f,f,f],s:o}", "image", a.image, "face", f, "box",
                                        (double)faces[f].x1, (double)faces[f].y1, (double)faces[f].x2,
                                        (double)faces[f].y2, "candidates", cands));
        else
            json_decref(cands);
        st = VG_OK;
    }
    char details[256];
    snprintf(details, sizeof details, "{\"faces\":%d,\"faces_matched\":%d,\"threshold\":%.4f,\"top\":%d}", n, above,
             a.threshold, a.top);
    char object[VG_STORE_NAME_MAX + 16];
    snprintf(object, sizeof object, "watchlist:%s", w.name);
    st = vg_store_audit_append(store, vg_cli_actor(cli), "identify", object, details, &err);
    if (st)
        code = vg_cli_fail(st, &err);
done:
    free(probe);
    free(faces);
    vg_image_free(img);
    vg_watch_gallery_free(g);
    vg_face_pack_close(pack);
    vg_store_close(store);
    return code;
}
