/* bench_track.c — the decision per track (issue 11, item 3) against the
 * decision per frame, in one run, on real clips replayed through the engine
 * (as `vigil replay`: every frame, one worker):
 *   - ASL identity: person_A enrolled from frame 30 of asl/again.mkv (as
 *     tests/engine/engine_fixtures.h); the other 19 clips replayed; alerts on
 *     her 5 other clips are true, on the 14 clips of others false;
 *   - walk-by: scripts/make_walkby's five LFW people, three of them listed
 *     from other photos (as tests/cli/test_replay_walkby.sh): one alert per
 *     listed person is true, any more false;
 *   - demo: deps/media/demo-walk.mp4 (the astronaut mirrored, a cameraman,
 *     a cat) against astronaut.png: one alert is true, any more false;
 *   - crowd: the London crowd clip against 1 000 LFW people (first photo of
 *     each of the first 1 000 in lfw-names.txt), none of whom is in it:
 *     every alert is false.
 * The ASL clips are replayed again at stricter thresholds (0.60, 0.65,
 * 0.70 against the default 0.54): the decision whose genuine scores run
 * higher keeps more of her clips there.
 * For each decision (frame, aggregate, max) with and without flip
 * augmentation: true and false alerts, embeddings, CPU ms per frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/engine.h"
#include "vigil/watchlist.h"

#define ASL_CLIPS_MAX 32
#define LFW_LISTED 1000

typedef struct tally {
    int n;
    int64_t subjects[64];
} tally;

static void on_alert(void *ctx, const vg_engine_alert *a)
{
    tally *t = ctx;
    if (t->n < 64)
        t->subjects[t->n] = a->alert.subject_id;
    t->n++;
}

typedef struct run_out {
    int alerts;
    int64_t subjects[64];
    int64_t frames, embeddings, comparisons;
    double cpu_s;
} run_out;

/* Replays clip against g under cfg0's decision settings. */
static int replay(const vg_face_pack *pack, const vg_watch_gallery *g, const vg_engine_config *cfg0, const char *clip,
                  run_out *r)
{
    vg_engine_config cfg = *cfg0;
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "bench");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.match_enabled = 1;
    cfg.workers = 1;
    tally t = {0};
    vg_engine *e = NULL;
    double u0 = vg_bench_cpu_s();
    if (vg_engine_start(&cfg, pack, g, NULL, "bench", &e, NULL) != VG_OK)
        return -1;
    vg_engine_subscribe(e, on_alert, &t);
    vg_engine_wait(e, 600);
    vg_engine_stop(e);
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(e, 0, &cs);
    vg_engine_free(e);
    r->cpu_s += vg_bench_cpu_s() - u0;
    for (int i = 0; i < t.n && i < 64 && r->alerts + i < 64; i++)
        r->subjects[r->alerts + i] = t.subjects[i];
    r->alerts += t.n;
    r->frames += cs.frames_processed;
    r->embeddings += cs.embeddings;
    r->comparisons += cs.comparisons;
    return 0;
}

vg_status vg_bench_enrol_photo(const vg_face_pack *pack, vg_store *store, int64_t wid, const char *path,
                             const char *name, int face_index, float min_sharpness, int64_t *sid)
{
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wid;
    snprintf(s.name, sizeof s.name, "%s", name);
    snprintf(s.reason, sizeof s.reason, "bench");
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.allow_duplicate = 1;
    opt.face_index = face_index;
    if (min_sharpness > 0)
        opt.gate.min_sharpness = min_sharpness;
    const char *photos[1] = {path};
    return vg_enrol(pack, store, "bench", &s, photos, 1, &opt, sid, NULL);
}

int64_t vg_bench_new_list(vg_store *store, const char *name)
{
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "%s", name);
    snprintf(w.reason, sizeof w.reason, "bench");
    snprintf(w.authorised_by, sizeof w.authorised_by, "bench");
    int64_t wid = 0;
    return vg_store_watchlist_create(store, "bench", &w, &wid, NULL) == VG_OK ? wid : 0;
}

vg_watch_gallery *vg_bench_load_gallery(vg_store *store, const vg_face_pack *pack, int64_t wid)
{
    vg_watch_gallery *g = NULL;
    if (!wid || vg_watch_gallery_load(store, "bench", "bench", wid, vg_face_pack_model_id(pack), 0, &g, NULL))
        return NULL;
    return g;
}

typedef struct asl_clip {
    char path[1200];
    int mine; /* person_A's */
} asl_clip;

void vg_bench_track(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir)
{
    char asl[1200], crowd[1200], names[1200], demo[1200], astro[1200], tmp[] = "/tmp/vg_bench_track_XXXXXX";
    snprintf(asl, sizeof asl, "%s/video/asl/identities.csv", data_dir);
    snprintf(crowd, sizeof crowd, "%s/video/crowd-1080p.mp4", data_dir);
    snprintf(names, sizeof names, "%s/lfw/lfw-names.txt", data_dir);
    snprintf(demo, sizeof demo, "%s/deps/media/demo-walk.mp4", source_dir);
    snprintf(astro, sizeof astro, "%s/deps/media/astronaut.png", source_dir);
    if (access(asl, R_OK) || access(crowd, R_OK) || access(names, R_OK) || access(demo, R_OK) || !mkdtemp(tmp)) {
        fprintf(out, "{\"error\":\"test data (asl, crowd clip, lfw) or the demo clip absent\"}");
        return;
    }
    vg_face_config fc = {.models_dir = models_dir, .threads = 1};
    vg_face_pack *pack = NULL;
    vg_store *store = NULL;
    char db[300], png[300], walk[300], cmd[4096];
    snprintf(db, sizeof db, "%s/bench.db", tmp);
    vg_store_options so = {.path = db};
    if (vg_face_pack_open(&fc, &pack, NULL) || vg_store_open(&so, &store, NULL)) {
        fprintf(out, "{\"error\":\"model pack or store\"}");
        vg_face_pack_close(pack);
        return;
    }
    /* person_A */
    int64_t sid_a = 0, w_asl = vg_bench_new_list(store, "asl");
    snprintf(png, sizeof png, "%s/a.png", tmp);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s/video/asl/again.mkv' -vf 'select=eq(n\\,30)' -vframes 1 '%s'",
             data_dir, png);
    if (system(cmd) == 0)
        vg_bench_enrol_photo(pack, store, w_asl, png, "person_A", 0, 5, &sid_a);
    asl_clip clips[ASL_CLIPS_MAX];
    int n_clips = 0, n_mine = 0;
    FILE *f = fopen(asl, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f) && n_clips < ASL_CLIPS_MAX) {
        char clip[128], who[64];
        if (sscanf(line, "%127[^,],%63s", clip, who) != 2 || !strcmp(clip, "clip") || !strcmp(clip, "again.mkv") ||
            clip[0] == '#')
            continue;
        snprintf(clips[n_clips].path, sizeof clips[n_clips].path, "%s/video/asl/%s", data_dir, clip);
        clips[n_clips].mine = !strcmp(who, "person_A");
        n_mine += clips[n_clips].mine;
        n_clips++;
    }
    if (f)
        fclose(f);
    /* the walk-by: three of five listed from other photos */
    int64_t w_walk = vg_bench_new_list(store, "walk");
    static const char *const listed[3][2] = {{"Colin_Powell", "0001"}, {"Tony_Blair", "0003"}, {"Gray_Davis", "0002"}};
    for (int i = 0; i < 3; i++) {
        char p[1400];
        int64_t sid;
        snprintf(p, sizeof p, "%s/lfw/images_deepfunneled/%s/%s_%s.jpg", data_dir, listed[i][0], listed[i][0],
                 listed[i][1]);
        vg_bench_enrol_photo(pack, store, w_walk, p, listed[i][0], -1, 0, &sid);
    }
    snprintf(walk, sizeof walk, "%s/walkby.mp4", tmp);
    snprintf(cmd, sizeof cmd,
             "'%s/scripts/make_walkby' '%s' 13 '%s/lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0005.jpg' "
             "'%s/lfw/images_deepfunneled/Serena_Williams/Serena_Williams_0002.jpg' "
             "'%s/lfw/images_deepfunneled/Tony_Blair/Tony_Blair_0004.jpg' "
             "'%s/lfw/images_deepfunneled/Hugo_Chavez/Hugo_Chavez_0002.jpg' "
             "'%s/lfw/images_deepfunneled/Gray_Davis/Gray_Davis_0003.jpg'",
             source_dir, walk, data_dir, data_dir, data_dir, data_dir, data_dir);
    int have_walk = system(cmd) == 0;
    /* the demo */
    int64_t w_demo = vg_bench_new_list(store, "demo"), sid_astro = 0;
    vg_bench_enrol_photo(pack, store, w_demo, astro, "astronaut", -1, 0, &sid_astro);
    /* 1 000 LFW people */
    int64_t w_lfw = vg_bench_new_list(store, "lfw");
    int n_lfw = 0, count;
    char name[96];
    f = fopen(names, "r");
    while (f && n_lfw < LFW_LISTED && fscanf(f, "%95s %d", name, &count) == 2) {
        char p[1400];
        int64_t sid;
        snprintf(p, sizeof p, "%s/lfw/images_deepfunneled/%s/%s_0001.jpg", data_dir, name, name);
        n_lfw += vg_bench_enrol_photo(pack, store, w_lfw, p, name, -1, 0, &sid) == VG_OK;
    }
    if (f)
        fclose(f);
    vg_watch_gallery *g_asl = vg_bench_load_gallery(store, pack, w_asl), *g_walk = vg_bench_load_gallery(store, pack, w_walk),
                     *g_demo = vg_bench_load_gallery(store, pack, w_demo), *g_lfw = vg_bench_load_gallery(store, pack, w_lfw);
    fprintf(out, "{\"asl_clips_of_person_a\":%d,\"asl_clips_of_others\":%d,\"walkby_listed\":3,\"crowd_listed\":%d,"
                 "\"track_best\":%d,\"runs\":[",
            n_mine, n_clips - n_mine, n_lfw, VG_ENGINE_TRACK_BEST_DEFAULT);
    fflush(out);
    static const vg_engine_decision decisions[3] = {VG_ENGINE_DECIDE_FRAME, VG_ENGINE_DECIDE_AGGREGATE,
                                                    VG_ENGINE_DECIDE_MAX};
    int first = 1;
    for (int flip = 0; flip <= 1; flip++)
        for (int d = 0; d < 3; d++) {
            vg_engine_config cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.decision = decisions[d];
            cfg.embed_flip = flip;
            /* ASL */
            run_out all = {0};
            int asl_true_clips = 0, asl_false = 0, asl_true = 0;
            for (int i = 0; g_asl && i < n_clips; i++) {
                run_out r = {0};
                if (replay(pack, g_asl, &cfg, clips[i].path, &r))
                    continue;
                if (clips[i].mine) {
                    asl_true += r.alerts;
                    asl_true_clips += r.alerts > 0;
                } else {
                    asl_false += r.alerts;
                }
                all.frames += r.frames;
                all.embeddings += r.embeddings;
                all.cpu_s += r.cpu_s;
            }
            /* ASL again at stricter thresholds: a decision whose genuine
             * scores are higher keeps her clips where another loses them */
            static const float strict[3] = {0.60f, 0.65f, 0.70f};
            int strict_true[3] = {0}, strict_false[3] = {0};
            for (int s = 0; s < 3; s++) {
                vg_engine_config sc = cfg;
                sc.threshold = strict[s];
                for (int i = 0; g_asl && i < n_clips; i++) {
                    run_out r = {0};
                    if (replay(pack, g_asl, &sc, clips[i].path, &r))
                        continue;
                    if (clips[i].mine)
                        strict_true[s] += r.alerts > 0;
                    else
                        strict_false[s] += r.alerts;
                }
            }
            /* walk-by: one alert per listed person is true */
            run_out w = {0};
            int walk_true = 0, walk_false = 0;
            if (have_walk && g_walk && !replay(pack, g_walk, &cfg, walk, &w)) {
                int64_t seen[64];
                int n_seen = 0;
                for (int i = 0; i < w.alerts && i < 64; i++) {
                    int dup = 0;
                    for (int j = 0; j < n_seen; j++)
                        dup |= seen[j] == w.subjects[i];
                    if (dup)
                        walk_false++;
                    else {
                        seen[n_seen++] = w.subjects[i];
                        walk_true++;
                    }
                }
            }
            /* demo */
            run_out dm = {0};
            int demo_true = 0, demo_false = 0;
            if (g_demo && !replay(pack, g_demo, &cfg, demo, &dm)) {
                demo_true = dm.alerts > 0;
                demo_false = dm.alerts > 1 ? dm.alerts - 1 : 0;
            }
            /* crowd */
            run_out cr = {0};
            if (g_lfw)
                replay(pack, g_lfw, &cfg, crowd, &cr);
            fprintf(out,
                    "%s\n {\"decision\":\"%s\",\"embed_flip\":%d,"
                    "\"asl\":{\"clips_alerted\":%d,\"true_alerts\":%d,\"false_alerts\":%d,\"embeddings\":%lld,"
                    "\"cpu_ms_per_frame\":%.2f,\"clips_alerted_at_0.60_0.65_0.70\":[%d,%d,%d],"
                    "\"false_alerts_at_0.60_0.65_0.70\":[%d,%d,%d]},"
                    "\"walkby\":{\"true_alerts\":%d,\"false_alerts\":%d,\"embeddings\":%lld,\"cpu_ms_per_frame\":%.2f},"
                    "\"demo\":{\"true_alerts\":%d,\"false_alerts\":%d,\"embeddings\":%lld,\"cpu_ms_per_frame\":%.2f},"
                    "\"crowd\":{\"false_alerts\":%d,\"embeddings\":%lld,\"cpu_ms_per_frame\":%.2f}}",
                    first ? "" : ",", vg_engine_decision_name(decisions[d]), flip, asl_true_clips, asl_true, asl_false,
                    (long long)all.embeddings, all.frames ? all.cpu_s * 1000.0 / (double)all.frames : -1,
                    strict_true[0], strict_true[1], strict_true[2], strict_false[0], strict_false[1], strict_false[2],
                    walk_true,
                    walk_false, (long long)w.embeddings, w.frames ? w.cpu_s * 1000.0 / (double)w.frames : -1,
                    demo_true, demo_false, (long long)dm.embeddings,
                    dm.frames ? dm.cpu_s * 1000.0 / (double)dm.frames : -1, cr.alerts, (long long)cr.embeddings,
                    cr.frames ? cr.cpu_s * 1000.0 / (double)cr.frames : -1);
            fflush(out);
            first = 0;
        }
    fprintf(out, "]}");
    vg_watch_gallery_free(g_asl);
    vg_watch_gallery_free(g_walk);
    vg_watch_gallery_free(g_demo);
    vg_watch_gallery_free(g_lfw);
    vg_store_close(store);
    vg_face_pack_close(pack);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
}
