/* bench_engine.c — the live engine on this machine:
 *   - streams: N cameras, each the crowd clip (1080p, 25 fps) paced in real
 *     time and looped, detection on every frame; the largest N with under
 *     1 % of frames dropped, and the CPU each stream costs;
 *   - floor: decoding and detection alone, one stream, CPU per frame, beside
 *     the full engine's CPU per frame on the same clip (the ratio is the
 *     engine's overhead: tracking, embedding, matching, alerting);
 *   - latency: from a frame's decoding to its alert, on the synthetic
 *     walk-by (scripts/make_walkby) played in real time.
 * The crowd clip is read from the file at its native rate rather than
 * served by an ffmpeg process, so that the server's own CPU does not count
 * against the engine on a 2-core machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/engine.h"

#define STREAM_SECONDS 12.0

/* n cameras of the clip, live and looped, for STREAM_SECONDS. */
static void streams(const vg_face_pack *pack, const char *clip, int n, double *drop_rate, double *cpu_per_stream,
                    double *fps)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = n;
    for (int i = 0; i < n; i++) {
        snprintf(cfg.cameras[i].name, sizeof cfg.cameras[i].name, "cam%d", i + 1);
        snprintf(cfg.cameras[i].url, sizeof cfg.cameras[i].url, "%s", clip);
    }
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.loop = 1;
    vg_engine *e = NULL;
    *drop_rate = -1;
    if (vg_engine_start(&cfg, pack, NULL, NULL, "bench", &e, NULL))
        return;
    vg_bench_sleep_s(1.0); /* warm-up: opening, first frames */
    vg_counters c0, c1;
    vg_engine_counters(e, &c0);
    double t0 = vg_bench_now_ms(), u0 = vg_bench_cpu_s();
    vg_bench_sleep_s(STREAM_SECONDS);
    vg_engine_counters(e, &c1);
    double wall = (vg_bench_now_ms() - t0) / 1000.0, cpu = vg_bench_cpu_s() - u0;
    vg_engine_stop(e);
    vg_engine_free(e);
    double in = (double)(c1.frames_in - c0.frames_in), dropped = (double)(c1.frames_dropped - c0.frames_dropped);
    *drop_rate = in > 0 ? dropped / in : 1;
    *cpu_per_stream = cpu / wall / n;
    *fps = (double)(c1.frames_processed - c0.frames_processed) / wall / n;
}

/* CPU seconds per frame: decode + detect only (floor), and the engine. */
static void floor_and_engine(const vg_face_pack *pack, const vg_watch_gallery *g, const char *clip, double *floor_ms,
                             double *engine_ms)
{
    vg_source_options so = {.url = clip, .mode = VG_SOURCE_ALL};
    vg_source *src = NULL;
    *floor_ms = *engine_ms = -1;
    double u0 = vg_bench_cpu_s();
    int frames = 0;
    if (vg_source_open(&so, &src, NULL) == VG_OK) {
        vg_frame *f = NULL;
        while (vg_source_next(src, 5.0, &f, NULL) == VG_OK && f) {
            vg_face *faces = NULL;
            int n = 0;
            vg_face_detect(pack, f->image, &faces, &n, NULL);
            free(faces);
            vg_frame_free(f);
            frames++;
        }
        vg_source_close(src);
    }
    if (frames)
        *floor_ms = (vg_bench_cpu_s() - u0) * 1000.0 / frames;

    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "crowd");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.match_enabled = 1;
    vg_engine *e = NULL;
    u0 = vg_bench_cpu_s();
    if (vg_engine_start(&cfg, pack, g, NULL, "bench", &e, NULL) == VG_OK) {
        vg_engine_wait(e, 120);
        vg_engine_stop(e);
        vg_counters c;
        vg_engine_counters(e, &c);
        vg_engine_free(e);
        if (c.frames_processed)
            *engine_ms = (vg_bench_cpu_s() - u0) * 1000.0 / (double)c.frames_processed;
    }
}

static vg_status enrol(const vg_face_pack *pack, vg_store *store, int64_t wid, const char *data, const char *person,
                       int k)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_%04d.jpg", data, person, person, k);
    const char *photos[1] = {path};
    vg_subject s;
    memset(&s, 0, sizeof s);
    s.watchlist_id = wid;
    snprintf(s.name, sizeof s.name, "%s", person);
    int64_t id;
    return vg_enrol(pack, store, "bench", &s, photos, 1, NULL, &id, NULL);
}

void vg_bench_engine(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir)
{
    char clip[1200];
    snprintf(clip, sizeof clip, "%s/video/crowd-1080p.mp4", data_dir);
    if (access(clip, R_OK) != 0) {
        fprintf(out, "{\"error\":\"crowd clip absent\"}");
        return;
    }
    vg_face_config fc = {.models_dir = models_dir, .threads = 1};
    vg_face_pack *pack = NULL;
    if (vg_face_pack_open(&fc, &pack, NULL)) {
        fprintf(out, "{\"error\":\"model pack\"}");
        return;
    }
    /* streams: 1, 2, 3, ... until more than 1 % of frames are dropped */
    fprintf(out, "{\"stream_seconds\":%.0f,\"streams\":[", STREAM_SECONDS);
    int best = 0;
    double best_cpu = 0;
    for (int n = 1; n <= 6; n++) {
        double drop = -1, cpu = 0, fps = 0;
        streams(pack, clip, n, &drop, &cpu, &fps);
        fprintf(out, "%s{\"cameras\":%d,\"drop_rate\":%.4f,\"cpu_cores_per_stream\":%.3f,\"processed_fps_per_stream\":%.1f}",
                n > 1 ? "," : "", n, drop, cpu, fps);
        fflush(out);
        if (drop < 0 || drop >= 0.01)
            break;
        best = n;
        best_cpu = cpu;
    }
    fprintf(out, "],\"max_streams_under_1pct_drop\":%d,\"cpu_cores_per_stream_at_max\":%.3f,\"target_streams\":4", best,
            best_cpu);

    /* a watch list of three LFW people, for the floor ratio and the latency */
    char tmp[] = "/tmp/vg_bench_engine_XXXXXX", db[128], walk[128], cmd[4096];
    vg_store *store = NULL;
    vg_watch_gallery *g = NULL;
    int64_t wid = 0;
    static const char *const people[3][2] = {
        {"Colin_Powell", "0005"}, {"Tony_Blair", "0004"}, {"Gray_Davis", "0003"}};
    static const int enrolled_photo[3] = {1, 3, 2};
    if (mkdtemp(tmp)) {
        snprintf(db, sizeof db, "%s/bench.db", tmp);
        vg_store_options so = {.path = db};
        vg_watchlist w;
        memset(&w, 0, sizeof w);
        snprintf(w.name, sizeof w.name, "bench");
        snprintf(w.reason, sizeof w.reason, "bench");
        snprintf(w.authorised_by, sizeof w.authorised_by, "bench");
        if (vg_store_open(&so, &store, NULL) == VG_OK && vg_store_watchlist_create(store, "bench", &w, &wid, NULL) == VG_OK)
            for (int i = 0; i < 3; i++)
                enrol(pack, store, wid, data_dir, people[i][0], enrolled_photo[i]);
        if (store)
            vg_watch_gallery_load(store, "bench", "bench", wid, vg_face_pack_model_id(pack), 0, &g, NULL);
    }
    double floor_ms, engine_ms;
    floor_and_engine(pack, g, clip, &floor_ms, &engine_ms);
    fprintf(out, ",\"floor_decode_detect_cpu_ms_per_frame\":%.2f,\"engine_cpu_ms_per_frame\":%.2f,"
                 "\"engine_vs_floor\":%.3f,\"target_engine_vs_floor\":1.3",
            floor_ms, engine_ms, engine_ms / floor_ms);

    /* latency on the walk-by, played in real time */
    snprintf(walk, sizeof walk, "%s/walkby.mp4", tmp);
    snprintf(cmd, sizeof cmd,
             "'%s/scripts/make_walkby' '%s' 13 '%s/lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0005.jpg' "
             "'%s/lfw/images_deepfunneled/Serena_Williams/Serena_Williams_0002.jpg' "
             "'%s/lfw/images_deepfunneled/Tony_Blair/Tony_Blair_0004.jpg' "
             "'%s/lfw/images_deepfunneled/Hugo_Chavez/Hugo_Chavez_0002.jpg' "
             "'%s/lfw/images_deepfunneled/Gray_Davis/Gray_Davis_0003.jpg'",
             source_dir, walk, data_dir, data_dir, data_dir, data_dir, data_dir);
    if (g && system(cmd) == 0) {
        vg_engine_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.n_cameras = 1;
        snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "walkby");
        snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", walk);
        cfg.mode = VG_SOURCE_LIVE;
        cfg.realtime = 1;
        cfg.match_enabled = 1;
        vg_engine *e = NULL;
        if (vg_engine_start(&cfg, pack, g, NULL, "bench", &e, NULL) == VG_OK) {
            vg_engine_wait(e, 60);
            vg_engine_stop(e);
            vg_counters c;
            vg_engine_counters(e, &c);
            fprintf(out, ",\"walkby_alerts\":%lld,\"walkby_listed\":3,\"alert_latency_ms_p50\":%.1f,"
                         "\"alert_latency_ms_p99\":%.1f,\"target_latency_ms_p99\":200",
                    (long long)c.alerts, vg_engine_latency_ms(e, 50), vg_engine_latency_ms(e, 99));
            vg_engine_free(e);
        }
    }
    fprintf(out, "}");
    vg_watch_gallery_free(g);
    vg_store_close(store);
    vg_face_pack_close(pack);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", tmp);
}
