/* bench_view.c — what the live view costs (src/engine/view.c):
 *   - parts: on a 1080p crowd frame, the reduction to 960 px, the view's own
 *     sensitive detection pass, pixelating every face it finds, the JPEG
 *     encoding (medians of 20 runs each);
 *   - engine: the crowd clip in real time, looped, with one viewer pulling
 *     frames for VIEW_SECONDS: view frames delivered per second, the mean
 *     time the step spends making one, and frames dropped with the viewer
 *     beside without;
 *   - coverage: on every 5th frame of the crowd clip reduced to 960 px, how
 *     many of the faces YuNet (from the shared data, a better detector of
 *     small faces) finds are covered by the pack's detector's boxes at
 *     sensitivity 1, 0.35 (the view's second pass) and 0.15 — what the view
 *     can hide is what its detector finds. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/engine.h"
#include "vigil/video.h"

#define RUNS 20
#define VIEW_SECONDS 10.0

typedef struct viewer {
    vg_engine *e;
    atomic_int stop;
    int frames;
} viewer;

static void *pull(void *arg)
{
    viewer *v = arg;
    int64_t seq = 0;
    while (!atomic_load(&v->stop)) {
        vg_engine_view_frame f;
        if (vg_engine_view_next(v->e, 0, seq, 0.5, &f, NULL) != VG_OK)
            break;
        if (f.jpeg) {
            seq = f.seq;
            v->frames++;
            free(f.jpeg);
        }
    }
    return NULL;
}

/* The clip for VIEW_SECONDS, with or without a viewer. */
static int run_engine(const vg_face_pack *pack, const char *clip, int with_viewer, double *view_fps, double *view_ms,
                      double *drop)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", clip);
    cfg.mode = VG_SOURCE_LIVE;
    cfg.realtime = 1;
    cfg.loop = 1;
    vg_engine *e = NULL;
    if (vg_engine_start(&cfg, pack, NULL, NULL, "bench", &e, NULL))
        return 0;
    viewer v = {.e = e};
    atomic_init(&v.stop, 0);
    pthread_t th;
    if (with_viewer) {
        vg_engine_view_open(e, 0, NULL);
        pthread_create(&th, NULL, pull, &v);
    }
    vg_bench_sleep_s(1.0);
    vg_engine_camera_stats s0, s1;
    vg_engine_camera_stats_get(e, 0, &s0);
    int f0 = v.frames;
    vg_bench_sleep_s(VIEW_SECONDS);
    vg_engine_camera_stats_get(e, 0, &s1);
    int f1 = v.frames;
    if (with_viewer) {
        atomic_store(&v.stop, 1);
        pthread_join(th, NULL);
        vg_engine_view_close(e, 0);
    }
    vg_engine_stop(e);
    vg_engine_free(e);
    int64_t made = s1.view_frames - s0.view_frames;
    *view_fps = (f1 - f0) / VIEW_SECONDS;
    *view_ms = made > 0 ? (s1.view_ms_total - s0.view_ms_total) / (double)made : 0;
    int64_t dec = s1.source.frames_decoded - s0.source.frames_decoded;
    *drop = dec > 0 ? (double)(s1.source.frames_dropped - s0.source.frames_dropped) / (double)dec : 0;
    return 1;
}

static int centre_in(const vg_face *a, const vg_face *b)
{
    float cx = (a->x1 + a->x2) / 2, cy = (a->y1 + a->y2) / 2;
    return cx >= b->x1 && cx <= b->x2 && cy >= b->y1 && cy <= b->y2;
}

/* YuNet's faces covered by the pack's boxes at each sensitivity. */
static void coverage(FILE *out, const vg_face_pack *pack, const char *clip, const char *data_dir)
{
    static const float sens[3] = {1.0f, 0.35f, 0.15f};
    char spec[1100];
    snprintf(spec, sizeof spec, "yunet:%s/models/yunet_s_dynamic.onnx", data_dir);
    vg_face_config yc = {.min_face = 20, .detector = spec};
    vg_face_pack *yunet = NULL;
    vg_source_options so = {.url = clip, .mode = VG_SOURCE_ALL};
    vg_source *src = NULL;
    if (vg_face_pack_open(&yc, &yunet, NULL) || vg_source_open(&so, &src, NULL)) {
        fprintf(out, ",\"coverage\":{\"skipped\":\"no YuNet model in the shared data\"}");
        vg_face_pack_close(yunet);
        return;
    }
    int frames = 0, k = 0, yn_faces = 0, covered[3] = {0}, boxes[3] = {0}, stray[3] = {0};
    vg_frame *fr = NULL;
    while (vg_source_next(src, 10, &fr, NULL) == VG_OK) {
        if (!fr || k++ % 5) {
            vg_frame_free(fr);
            fr = NULL;
            continue;
        }
        vg_image *img = NULL;
        int h = (int)lround(fr->image->height * 960.0 / fr->image->width);
        vg_face *y = NULL;
        int ny = 0;
        if (vg_image_resize(fr->image, 960, h, &img, NULL) == VG_OK &&
            vg_face_detect_boxes(yunet, img, 1.0f, 10, &y, &ny, NULL) == VG_OK) {
            frames++;
            yn_faces += ny;
            for (int s = 0; s < 3; s++) {
                vg_face *u = NULL;
                int nu = 0;
                if (vg_face_detect_boxes(pack, img, sens[s], 10, &u, &nu, NULL) != VG_OK)
                    continue;
                boxes[s] += nu;
                for (int i = 0; i < ny; i++) {
                    int hit = 0;
                    for (int j = 0; j < nu && !hit; j++)
                        hit = centre_in(&y[i], &u[j]) || centre_in(&u[j], &y[i]);
                    covered[s] += hit;
                }
                for (int j = 0; j < nu; j++) {
                    int hit = 0;
                    for (int i = 0; i < ny && !hit; i++)
                        hit = centre_in(&y[i], &u[j]) || centre_in(&u[j], &y[i]);
                    stray[s] += !hit;
                }
                free(u);
            }
        }
        free(y);
        vg_image_free(img);
        vg_frame_free(fr);
        fr = NULL;
    }
    vg_source_close(src);
    vg_face_pack_close(yunet);
    fprintf(out, ",\"coverage\":{\"frames\":%d,\"yunet_faces\":%d", frames, yn_faces);
    for (int s = 0; s < 3; s++)
        fprintf(out, ",\"sensitivity_%.2f\":{\"boxes\":%d,\"yunet_faces_covered\":%d,\"boxes_off_yunet_faces\":%d}",
                sens[s], boxes[s], covered[s], stray[s]);
    fprintf(out, "}");
}

void vg_bench_view(FILE *out, const char *data_dir, const char *models_dir)
{
    char clip[1024];
    snprintf(clip, sizeof clip, "%s/video/crowd-1080p.mp4", data_dir);
    vg_face_pack *pack = NULL;
    vg_face_config fc = {.models_dir = models_dir};
    vg_image *frame = NULL;
    if (vg_face_pack_open(&fc, &pack, NULL) || vg_image_decode_file(clip, 0, &frame, NULL)) {
        fprintf(out, "{\"skipped\":\"no model pack or no crowd clip under %s\"}", data_dir);
        vg_face_pack_close(pack);
        return;
    }
    double t_resize[RUNS], t_detect[RUNS], t_coarsen[RUNS], t_pixelate[RUNS], t_encode[RUNS];
    int faces = 0;
    size_t jpeg_len = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = vg_bench_now_ms();
        vg_image *img = NULL;
        vg_image_resize(frame, 960, 540, &img, NULL);
        double t1 = vg_bench_now_ms();
        vg_face *f = NULL;
        int n = 0;
        vg_face_detect_boxes(pack, img, 0.35f, 10, &f, &n, NULL);
        double t2c = vg_bench_now_ms();
        vg_image_coarsen(img, 3, NULL);
        double t2 = vg_bench_now_ms();
        for (int i = 0; i < n; i++) {
            float w = f[i].x2 - f[i].x1, h = f[i].y2 - f[i].y1;
            vg_image_pixelate(img, (int)(f[i].x1 - w / 4), (int)(f[i].y1 - h / 4), (int)(1.5f * w) + 1,
                              (int)(1.5f * h) + 1, 6, NULL);
        }
        double t3 = vg_bench_now_ms();
        uint8_t *jpeg = NULL;
        vg_image_encode_jpeg(img, 75, &jpeg, &jpeg_len, NULL);
        double t4 = vg_bench_now_ms();
        free(jpeg);
        free(f);
        vg_image_free(img);
        faces = n;
        t_resize[r] = t1 - t0;
        t_detect[r] = t2c - t1;
        t_coarsen[r] = t2 - t2c;
        t_pixelate[r] = t3 - t2;
        t_encode[r] = t4 - t3;
    }
    double fps_with, ms_with, drop_with, fps_without, ms_without, drop_without;
    int ok = run_engine(pack, clip, 1, &fps_with, &ms_with, &drop_with) &&
             run_engine(pack, clip, 0, &fps_without, &ms_without, &drop_without);
    fprintf(out,
            "{\"frame\":\"crowd-1080p.mp4 frame 0 -> 960x540\",\"parts_ms\":{\"reduce\":%.2f,\"detect_pass\":%.2f,"
            "\"coarsen_scene_3px\":%.2f,\"pixelate_%d_faces\":%.2f,\"jpeg_encode\":%.2f},\"jpeg_bytes\":%zu",
            vg_bench_median(t_resize, RUNS), vg_bench_median(t_detect, RUNS), vg_bench_median(t_coarsen, RUNS), faces,
            vg_bench_median(t_pixelate, RUNS), vg_bench_median(t_encode, RUNS), jpeg_len);
    if (ok)
        fprintf(out,
                ",\"engine\":{\"seconds\":%.0f,\"view_fps\":%.2f,\"view_ms_per_frame\":%.1f,"
                "\"drop_rate_with_viewer\":%.4f,\"drop_rate_without\":%.4f}",
                VIEW_SECONDS, fps_with, ms_with, drop_with, drop_without);
    coverage(out, pack, clip, data_dir);
    fprintf(out, "}");
    vg_image_free(frame);
    vg_face_pack_close(pack);
}
