/* bench_schedule.c — detect and track (issue 17) against every-frame
 * detection, both in the same run:
 *   - faces: the crowd clip (against the walk-by's three LFW people, none
 *     of whom is in it), the 19 ASL clips (person_A enrolled from frame 30
 *     of asl/again.mkv, as bench_track.c) and the walk-by (scripts/make_walkby,
 *     three of five listed) replayed frame by frame in each mode. An
 *     every-frame track is found by the schedule when a scheduled face
 *     overlaps it (IoU >= 0.5, same frame) on at least one of its frames,
 *     and "mostly followed" when on half of them or more; frames per track,
 *     the best quality each track reached (on the scheduled faces that
 *     cover it), the alert sets (camera-clip, subject) and the time to
 *     alert in stream time from the first frame of the every-frame track
 *     that alerted for that subject (p50, p99);
 *   - the every-frame floor: decoding and full-frame detection alone, CPU
 *     per frame of the crowd clip, and the streams 2 cores would hold at
 *     25 fps on it;
 *   - CPU per frame of the crowd clip replayed without a watch list in
 *     each mode (three runs each, taking turns; medians), and the streams
 *     2 cores would hold at that cost;
 *   - streams: N cameras of the crowd clip (1080p, 25 fps, read at its
 *     native rate, looped) in each mode: the largest N with under 1 % of
 *     frames dropped, and CPU per stream.
 * `vg_bench schedule` runs this alone, `vg_bench schedule-faces` its face
 * figures alone (no streams), `vg_bench schedule-replay HZ` the crowd
 * clip replayed three times in one mode (HZ -1: every frame), for a
 * profiler. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/engine.h"

#define SCHED_HZ 5.0
#define SCHED_STREAM_SECONDS 12.0
#define SCHED_STREAMS_MAX 12
#define SCHED_IOU 0.5f
#define SCHED_ALERTS_MAX 256
#define ASL_CLIPS_MAX 32

/* One face of one frame as the engine reported it. */
typedef struct obs {
    int clip;
    double pts;
    int64_t track;
    float box[4];
    float q;
} obs;

typedef struct alert_rec {
    int clip;
    int64_t track, subject;
    double pts;
} alert_rec;

/* Everything one mode saw over a set of clips. */
typedef struct record {
    pthread_mutex_t lock;
    int clip;            /* the clip being replayed */
    obs *o;
    int n, cap;
    alert_rec a[SCHED_ALERTS_MAX];
    int n_alerts;
    int64_t frames_decoded, frames_processed, full, region;
    double cpu_s;
} record;

static void on_face(void *ctx, int camera, double pts, int64_t track, const float box[4], float q)
{
    (void)camera;
    record *r = ctx;
    pthread_mutex_lock(&r->lock);
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 1024;
        obs *o = realloc(r->o, (size_t)cap * sizeof *o);
        if (o) {
            r->o = o;
            r->cap = cap;
        }
    }
    if (r->n < r->cap)
        r->o[r->n++] = (obs){r->clip, pts, track, {box[0], box[1], box[2], box[3]}, q};
    pthread_mutex_unlock(&r->lock);
}

static void on_alert(void *ctx, const vg_engine_alert *a)
{
    record *r = ctx;
    pthread_mutex_lock(&r->lock);
    if (r->n_alerts < SCHED_ALERTS_MAX)
        r->a[r->n_alerts++] = (alert_rec){r->clip, a->track_id, a->alert.subject_id, a->pts};
    pthread_mutex_unlock(&r->lock);
}

/* Replays one clip frame by frame (one worker) into r; hz < 0: every frame. */
static void replay(const vg_face_pack *pack, const vg_watch_gallery *g, const char *clip, double hz, record *r)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "bench");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_ALL;
    cfg.match_enabled = 1;
    cfg.workers = 1;
    cfg.full_detect_hz = hz;
    cfg.on_face = on_face;
    cfg.on_face_ctx = r;
    vg_engine *e = NULL;
    double u0 = vg_bench_cpu_s();
    if (vg_engine_start(&cfg, pack, g, NULL, "bench", &e, NULL) != VG_OK)
        return;
    vg_engine_subscribe(e, on_alert, r);
    vg_engine_wait(e, 600);
    vg_engine_stop(e);
    vg_engine_camera_stats cs;
    vg_engine_camera_stats_get(e, 0, &cs);
    vg_engine_free(e);
    r->cpu_s += vg_bench_cpu_s() - u0;
    r->frames_decoded += cs.source.frames_decoded;
    r->frames_processed += cs.frames_processed;
    r->full += cs.full_detects;
    r->region += cs.region_detects;
    r->clip++;
}

static float iou(const float *a, const float *b)
{
    float ix = fminf(a[2], b[2]) - fmaxf(a[0], b[0]), iy = fminf(a[3], b[3]) - fmaxf(a[1], b[1]);
    if (ix <= 0 || iy <= 0)
        return 0;
    float in = ix * iy, u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - in;
    return u > 0 ? in / u : 0;
}

static int by_clip_track_pts(const void *pa, const void *pb)
{
    const obs *a = pa, *b = pb;
    if (a->clip != b->clip)
        return a->clip - b->clip;
    if (a->track != b->track)
        return a->track < b->track ? -1 : 1;
    return a->pts < b->pts ? -1 : a->pts > b->pts;
}

static int tracks_of(const record *r)
{
    int n = 0;
    for (int i = 0; i < r->n; i++)
        n += i == 0 || r->o[i].clip != r->o[i - 1].clip || r->o[i].track != r->o[i - 1].track;
    return n;
}

/* The first frame (stream time) of track t of clip c in r; -1 if none. */
static double first_pts(const record *r, int c, int64_t t)
{
    for (int i = 0; i < r->n; i++)
        if (r->o[i].clip == c && r->o[i].track == t)
            return r->o[i].pts;
    return -1;
}

static double percentile(double *v, int n, double p)
{
    if (n == 0)
        return -1;
    qsort(v, (size_t)n, sizeof *v, vg_bench_cmp_double);
    int k = (int)ceil(p / 100.0 * n) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

static int by_clip_subject(const void *pa, const void *pb)
{
    const alert_rec *a = pa, *b = pb;
    if (a->clip != b->clip)
        return a->clip - b->clip;
    return a->subject < b->subject ? -1 : a->subject > b->subject;
}

/* The distinct (clip, subject) pairs alerted, sorted, into out; the count. */
static int alert_set(const record *r, alert_rec *out)
{
    memcpy(out, r->a, (size_t)r->n_alerts * sizeof *out);
    qsort(out, (size_t)r->n_alerts, sizeof *out, by_clip_subject);
    int k = 0;
    for (int i = 0; i < r->n_alerts; i++)
        if (k == 0 || by_clip_subject(&out[i], &out[k - 1]) != 0)
            out[k++] = out[i];
    return k;
}

/* Prints the face figures of every-frame (ef) against scheduled (sc). */
static void compare(FILE *out, const char *name, record *ef, record *sc)
{
    qsort(ef->o, (size_t)ef->n, sizeof *ef->o, by_clip_track_pts);
    qsort(sc->o, (size_t)sc->n, sizeof *sc->o, by_clip_track_pts);
    int n_ef = tracks_of(ef), n_sc = tracks_of(sc);
    int found = 0, followed = 0, long_tracks = 0, long_found = 0;
    double q_ef = 0, q_sc = 0;
    for (int i = 0; i < ef->n;) {
        int j = i;
        while (j < ef->n && ef->o[j].clip == ef->o[i].clip && ef->o[j].track == ef->o[i].track)
            j++;
        /* track ef->o[i..j) */
        int covered = 0;
        float best_ef = 0, best_sc = 0;
        for (int k = i; k < j; k++) {
            const obs *a = &ef->o[k];
            best_ef = fmaxf(best_ef, a->q);
            int hit = 0;
            for (int m = 0; m < sc->n; m++) {
                const obs *b = &sc->o[m];
                if (b->clip == a->clip && fabs(b->pts - a->pts) < 1e-6 && iou(a->box, b->box) >= SCHED_IOU) {
                    hit = 1;
                    best_sc = fmaxf(best_sc, b->q);
                }
            }
            covered += hit;
        }
        int len = j - i;
        found += covered > 0;
        followed += 2 * covered >= len;
        /* tracks of at least 5 frames (0.2 s at 25 fps): a full pass
         * interval's worth, so not a detector's one-frame flicker */
        if (len >= 5) {
            long_tracks++;
            long_found += covered > 0;
        }
        q_ef += best_ef;
        q_sc += best_sc;
        i = j;
    }
    alert_rec set_ef[SCHED_ALERTS_MAX], set_sc[SCHED_ALERTS_MAX];
    int k_ef = alert_set(ef, set_ef), k_sc = alert_set(sc, set_sc);
    int same = k_ef == k_sc;
    for (int i = 0; same && i < k_ef; i++)
        same = by_clip_subject(&set_ef[i], &set_sc[i]) == 0;
    /* time to alert, stream seconds, from the first frame of the
     * every-frame track that alerted for the same (clip, subject) */
    double lat_ef[SCHED_ALERTS_MAX], lat_sc[SCHED_ALERTS_MAX];
    int n_lef = 0, n_lsc = 0;
    for (int i = 0; i < ef->n_alerts; i++) {
        double f0 = first_pts(ef, ef->a[i].clip, ef->a[i].track);
        if (f0 >= 0)
            lat_ef[n_lef++] = (ef->a[i].pts - f0) * 1000.0;
    }
    for (int i = 0; i < sc->n_alerts; i++) {
        double f0 = -1;
        for (int k = 0; k < ef->n_alerts && f0 < 0; k++)
            if (ef->a[k].clip == sc->a[i].clip && ef->a[k].subject == sc->a[i].subject)
                f0 = first_pts(ef, ef->a[k].clip, ef->a[k].track);
        if (f0 < 0)
            f0 = first_pts(sc, sc->a[i].clip, sc->a[i].track);
        if (f0 >= 0)
            lat_sc[n_lsc++] = (sc->a[i].pts - f0) * 1000.0;
    }
    fprintf(out,
            "\"%s\":{\"tracks_every_frame\":%d,\"tracks_scheduled\":%d,\"every_frame_tracks_found\":%.4f,"
            "\"every_frame_tracks_mostly_followed\":%.4f,\"tracks_of_5_frames_or_more\":%d,"
            "\"of_those_found\":%.4f,\"faces_per_track_every_frame\":%.1f,\"faces_per_track_scheduled\":%.1f,"
            "\"best_quality_mean_every_frame\":%.4f,\"best_quality_mean_scheduled\":%.4f,"
            "\"alerts_every_frame\":%d,\"alerts_scheduled\":%d,\"alert_sets_identical\":%s,"
            "\"time_to_alert_ms_every_frame_p50_p99\":[%.0f,%.0f],\"time_to_alert_ms_scheduled_p50_p99\":[%.0f,%.0f],"
            "\"cpu_ms_per_frame_every_frame\":%.2f,\"cpu_ms_per_frame_scheduled\":%.2f,"
            "\"scheduled_full_region_idle_frames\":[%lld,%lld,%lld]}",
            name, n_ef, n_sc, n_ef ? (double)found / n_ef : 1, n_ef ? (double)followed / n_ef : 1, long_tracks,
            long_tracks ? (double)long_found / long_tracks : 1, n_ef ? (double)ef->n / n_ef : 0,
            n_sc ? (double)sc->n / n_sc : 0, n_ef ? q_ef / n_ef : 0, n_ef ? q_sc / n_ef : 0, ef->n_alerts,
            sc->n_alerts, same ? "true" : "false", percentile(lat_ef, n_lef, 50), percentile(lat_ef, n_lef, 99),
            percentile(lat_sc, n_lsc, 50), percentile(lat_sc, n_lsc, 99),
            ef->frames_decoded ? ef->cpu_s * 1000.0 / (double)ef->frames_decoded : -1,
            sc->frames_decoded ? sc->cpu_s * 1000.0 / (double)sc->frames_decoded : -1, (long long)sc->full,
            (long long)sc->region, (long long)(sc->frames_decoded - sc->full - sc->region));
    fflush(out);
}

static void record_free(record *r)
{
    free(r->o);
    pthread_mutex_destroy(&r->lock);
}

/* n cameras of the clip, live, real time, looped, for SCHED_STREAM_SECONDS. */
static void streams(const vg_face_pack *pack, const char *clip, int n, double hz, double *drop_rate,
                    double *cpu_per_stream)
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
    cfg.full_detect_hz = hz;
    vg_engine *e = NULL;
    *drop_rate = -1;
    *cpu_per_stream = 0;
    if (vg_engine_start(&cfg, pack, NULL, NULL, "bench", &e, NULL))
        return;
    vg_bench_sleep_s(1.0);
    vg_counters c0, c1;
    vg_engine_counters(e, &c0);
    double t0 = vg_bench_now_ms(), u0 = vg_bench_cpu_s();
    vg_bench_sleep_s(SCHED_STREAM_SECONDS);
    vg_engine_counters(e, &c1);
    double wall = (vg_bench_now_ms() - t0) / 1000.0, cpu = vg_bench_cpu_s() - u0;
    vg_engine_stop(e);
    vg_engine_free(e);
    double in = (double)(c1.frames_in - c0.frames_in), dropped = (double)(c1.frames_dropped - c0.frames_dropped);
    *drop_rate = in > 0 ? dropped / in : 1;
    *cpu_per_stream = cpu / wall / n;
}

/* Adds streams until more than 1 % of frames drop; prints the list. */
static void capacity(FILE *out, const vg_face_pack *pack, const char *clip, double hz, const char *name)
{
    fprintf(out, "\"%s\":{\"streams\":[", name);
    int best = 0;
    double best_cpu = 0;
    for (int n = 1; n <= SCHED_STREAMS_MAX; n++) {
        double drop, cpu;
        streams(pack, clip, n, hz, &drop, &cpu);
        fprintf(out, "%s{\"cameras\":%d,\"drop_rate\":%.4f,\"cpu_cores_per_stream\":%.3f}", n > 1 ? "," : "", n, drop,
                cpu);
        fflush(out);
        if (drop < 0 || drop >= 0.01)
            break;
        best = n;
        best_cpu = cpu;
    }
    fprintf(out, "],\"max_streams_under_1pct_drop\":%d,\"cpu_cores_per_stream_at_max\":%.3f}", best, best_cpu);
    fflush(out);
}

/* CPU ms per decoded frame of the crowd clip replayed frame by frame (no
 * watch list: decoding, detection, landmarks, tracking), in each mode,
 * the modes taking turns RUNS times; the medians. Unlike the streams, this
 * holds on a machine others are loading: it is CPU time, not keeping up. */
#define CPU_RUNS 3
static void replay_cpu(FILE *out, const vg_face_pack *pack, const char *clip)
{
    double ms[2][CPU_RUNS];
    for (int k = 0; k < CPU_RUNS; k++)
        for (int mode = 0; mode < 2; mode++) {
            record r = {.lock = PTHREAD_MUTEX_INITIALIZER};
            replay(pack, NULL, clip, mode ? SCHED_HZ : -1, &r);
            ms[mode][k] = r.frames_decoded ? r.cpu_s * 1000.0 / (double)r.frames_decoded : -1;
            record_free(&r);
        }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double m0 = vg_bench_median(ms[0], CPU_RUNS), m1 = vg_bench_median(ms[1], CPU_RUNS);
    fprintf(out,
            "\"replay_cpu_ms_per_frame_every_frame\":%.2f,\"replay_cpu_ms_per_frame_scheduled\":%.2f,"
            "\"replay_cpu_ratio\":%.3f,\"streams_by_cpu_at_25fps_every_frame\":%.2f,"
            "\"streams_by_cpu_at_25fps_scheduled\":%.2f,",
            m0, m1, m1 > 0 ? m0 / m1 : -1, (double)cores * 1000.0 / (m0 * 25.0), (double)cores * 1000.0 / (m1 * 25.0));
    fflush(out);
}

/* Decoding and full-frame detection alone (context pass on every fifth
 * frame, as the engine's every-frame mode): CPU ms per frame. */
static double floor_ms(const vg_face_pack *pack, const char *clip)
{
    vg_source_options so = {.url = clip, .mode = VG_SOURCE_ALL};
    vg_source *src = NULL;
    double u0 = vg_bench_cpu_s();
    int frames = 0;
    if (vg_source_open(&so, &src, NULL) != VG_OK)
        return -1;
    vg_frame *f = NULL;
    while (vg_source_next(src, 5.0, &f, NULL) == VG_OK && f) {
        vg_face *faces = NULL;
        int n = 0;
        vg_face_detect_frame(pack, f->image, frames % VG_ENGINE_CONTEXT_EVERY_DEFAULT == 0, &faces, &n, NULL);
        free(faces);
        vg_frame_free(f);
        frames++;
    }
    vg_source_close(src);
    return frames ? (vg_bench_cpu_s() - u0) * 1000.0 / frames : -1;
}

void vg_bench_schedule_replay(FILE *out, const char *data_dir, const char *models_dir, double hz)
{
    char crowd[1200];
    snprintf(crowd, sizeof crowd, "%s/video/crowd-1080p.mp4", data_dir);
    vg_face_config fc = {.models_dir = models_dir, .threads = 1};
    vg_face_pack *pack = NULL;
    if (access(crowd, R_OK) || vg_face_pack_open(&fc, &pack, NULL)) {
        fprintf(out, "{\"error\":\"crowd clip or model pack absent\"}");
        return;
    }
    record r = {.lock = PTHREAD_MUTEX_INITIALIZER};
    for (int k = 0; k < CPU_RUNS; k++)
        replay(pack, NULL, crowd, hz, &r);
    fprintf(out, "{\"full_detect_hz\":%.1f,\"runs\":%d,\"cpu_ms_per_frame\":%.2f}", hz, CPU_RUNS,
            r.frames_decoded ? r.cpu_s * 1000.0 / (double)r.frames_decoded : -1);
    record_free(&r);
    vg_face_pack_close(pack);
}

void vg_bench_schedule(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir, int streams_too)
{
    char asl[1200], crowd[1200], tmp[] = "/tmp/vg_bench_sched_XXXXXX";
    snprintf(asl, sizeof asl, "%s/video/asl/identities.csv", data_dir);
    snprintf(crowd, sizeof crowd, "%s/video/crowd-1080p.mp4", data_dir);
    if (access(asl, R_OK) || access(crowd, R_OK) || !mkdtemp(tmp)) {
        fprintf(out, "{\"error\":\"test data (asl, crowd clip) absent\"}");
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
    int64_t sid = 0, w_asl = vg_bench_new_list(store, "asl");
    snprintf(png, sizeof png, "%s/a.png", tmp);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s/video/asl/again.mkv' -vf 'select=eq(n\\,30)' -vframes 1 '%s'",
             data_dir, png);
    if (system(cmd) == 0)
        vg_bench_enrol_photo(pack, store, w_asl, png, "person_A", 0, 5, &sid);
    char clips[ASL_CLIPS_MAX][1200];
    int n_clips = 0;
    FILE *f = fopen(asl, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f) && n_clips < ASL_CLIPS_MAX) {
        char clip[128], who[64];
        if (sscanf(line, "%127[^,],%63s", clip, who) != 2 || !strcmp(clip, "clip") || !strcmp(clip, "again.mkv") ||
            clip[0] == '#')
            continue;
        snprintf(clips[n_clips++], sizeof clips[0], "%s/video/asl/%s", data_dir, clip);
    }
    if (f)
        fclose(f);
    int64_t w_walk = vg_bench_new_list(store, "walk");
    static const char *const listed[3][2] = {{"Colin_Powell", "0001"}, {"Tony_Blair", "0003"}, {"Gray_Davis", "0002"}};
    for (int i = 0; i < 3; i++) {
        char p[1400];
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
    vg_watch_gallery *g_asl = vg_bench_load_gallery(store, pack, w_asl),
                     *g_walk = vg_bench_load_gallery(store, pack, w_walk);

    fprintf(out, "{\"full_detect_hz\":%.1f,\"overlap_iou\":%.2f,\"faces\":{", SCHED_HZ, (double)SCHED_IOU);
    fflush(out);
    static const char *const names[3] = {"crowd", "asl", "walkby"};
    for (int set = 0; set < 3; set++) {
        record ef = {.lock = PTHREAD_MUTEX_INITIALIZER}, sc = {.lock = PTHREAD_MUTEX_INITIALIZER};
        for (int mode = 0; mode < 2; mode++) {
            record *r = mode ? &sc : &ef;
            double hz = mode ? SCHED_HZ : -1;
            if (set == 0)
                replay(pack, g_walk, crowd, hz, r);
            else if (set == 1)
                for (int i = 0; i < n_clips; i++)
                    replay(pack, g_asl, clips[i], hz, r);
            else if (have_walk)
                replay(pack, g_walk, walk, hz, r);
        }
        if (set)
            fprintf(out, ",");
        compare(out, names[set], &ef, &sc);
        record_free(&ef);
        record_free(&sc);
    }
    if (!streams_too)
        goto done;
    double fl = floor_ms(pack, crowd);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    fprintf(out, "},\"floor_decode_detect_cpu_ms_per_frame\":%.2f,\"floor_streams_at_25fps\":%.2f,", fl,
            fl > 0 ? (double)cores * 1000.0 / (fl * 25.0) : -1);
    fflush(out);
    replay_cpu(out, pack, crowd);
    capacity(out, pack, crowd, -1, "every_frame");
    fprintf(out, ",");
    capacity(out, pack, crowd, SCHED_HZ, "scheduled");
    fprintf(out, ",\"target_streams_ratio\":2.5");
done:
    fprintf(out, "}");
    vg_watch_gallery_free(g_asl);
    vg_watch_gallery_free(g_walk);
    vg_store_close(store);
    vg_face_pack_close(pack);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
}
