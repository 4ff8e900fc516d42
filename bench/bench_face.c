/* bench_face.c — ms per stage of the still-image pipeline on one core, each
 * model stage beside ONNX Runtime's raw time for the same model measured in
 * the same run, interleaved (rounds of vigil's stage, then ORT's Run alone)
 * so that load on the machine falls on both alike: decode a 1080p JPEG,
 * detect in a 1080p frame, 68-point landmarks, align, embed, and one face
 * found and embedded end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_ort.h"
#include "bench/bench_util.h"
#include "face/detector.h"
#include "face/landmark.h"
#include "infer/infer.h"
#include "vigil/face.h"

#define ROUNDS 6
#define PER_ROUND 8
#define SAMPLES (ROUNDS * PER_ROUND)

typedef struct face_ctx {
    const vg_face_pack *pack;
    const vg_detector_backend *det;
    void *det_state;
    vg_infer_session *landmark;
    const vg_image *frame;
    vg_face face;        /* the first face of the frame */
    vg_point lm5[5];
    vg_image *aligned;
    uint8_t *jpeg;
    size_t jpeg_len;
    int fit;             /* VG_FACE_FIT_* for st_landmarks_fit */
    int jitter;          /* framings for st_embed_jitter */
} face_ctx;

typedef void (*stage_fn)(face_ctx *c);

static void st_decode(face_ctx *c)
{
    vg_image *img = NULL;
    vg_image_decode_mem(c->jpeg, c->jpeg_len, 0, &img, NULL);
    vg_image_free(img);
}

static void st_detect(face_ctx *c)
{
    vg_face *faces = NULL;
    int n = 0;
    c->det->detect(c->det_state, c->frame, 1.0f, &faces, &n, NULL);
    free(faces);
}

static void st_landmarks(face_ctx *c)
{
    vg_point p68[68];
    vg_landmark_68(c->landmark, c->frame, &c->face, p68, NULL);
}

static void st_landmarks_fit(face_ctx *c)
{
    vg_point p68[68];
    vg_landmark_fit(c->landmark, c->frame, &c->face, c->fit, p68, NULL);
}

/* Align and embed one face in c->jitter framings (flip with jitter < 0). */
static void st_embed_jitter(face_ctx *c)
{
    float emb[512];
    if (c->jitter < 0)
        vg_face_embed_face_flip(c->pack, c->frame, &c->face, emb, NULL);
    else
        vg_face_embed_face_jitter(c->pack, c->frame, &c->face, c->jitter, 0, emb, NULL);
}

static void st_align(face_ctx *c)
{
    vg_image *al = NULL;
    vg_face_align(c->frame, c->lm5, &al, NULL);
    vg_image_free(al);
}

static void st_embed(face_ctx *c)
{
    float emb[512];
    vg_face_embed(c->pack, c->aligned, emb, NULL);
}

/* Detect everything, embed the largest face: what the engine does for a
 * frame in which one face is new (the first pass only: the context pass on
 * one detection in five is in bench_frontend.c). */
static void st_end_to_end(face_ctx *c)
{
    vg_face *faces = NULL;
    int n = 0;
    float emb[512];
    vg_face_detect_frame(c->pack, c->frame, 0, &faces, &n, NULL);
    int k = vg_face_pick_main(faces, n, c->frame->width, c->frame->height, VG_FACE_PICK_LARGEST);
    if (k >= 0)
        vg_face_embed_face(c->pack, c->frame, &faces[k], emb, NULL);
    free(faces);
}

/* Median ms of a stage and, interleaved with it, of ORT's raw Run (raw may
 * be NULL); 2 warm-up calls each. */
static void timed(face_ctx *c, stage_fn fn, vg_bench_ort *raw, double *ms, double *raw_ms)
{
    double a[SAMPLES], b[SAMPLES];
    fn(c);
    fn(c);
    if (raw) {
        vg_bench_ort_run(raw);
        vg_bench_ort_run(raw);
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < PER_ROUND; i++) {
            double t0 = vg_bench_now_ms();
            fn(c);
            a[r * PER_ROUND + i] = vg_bench_now_ms() - t0;
        }
        for (int i = 0; raw && i < PER_ROUND; i++)
            b[r * PER_ROUND + i] = vg_bench_ort_run(raw);
    }
    *ms = vg_bench_median(a, SAMPLES);
    *raw_ms = raw ? vg_bench_median(b, SAMPLES) : 0;
}

/* A 1920x1080 grey frame with the demo portrait in the middle, its face about
 * 100 px tall. */
static vg_image *one_face_frame(const char *portrait)
{
    vg_image *p = NULL, *small = NULL, *frame = NULL;
    if (vg_image_decode_file(portrait, 0, &p, NULL) || vg_image_resize(p, 440, 440, &small, NULL) ||
        vg_image_new(1920, 1080, &frame, NULL)) {
        vg_image_free(p);
        vg_image_free(small);
        return NULL;
    }
    memset(frame->data, 110, (size_t)frame->stride * 1080);
    for (int y = 0; y < small->height; y++)
        memcpy(frame->data + (size_t)(320 + y) * frame->stride + 3 * 740,
               small->data + (size_t)y * small->stride, 3 * (size_t)small->width);
    vg_image_free(p);
    vg_image_free(small);
    return frame;
}

static vg_bench_ort *raw_session(const char *dir, const char *file, int64_t c, int64_t h, int64_t w,
                                 const float *input)
{
    char path[1200];
    int64_t shape[4] = {1, c, h, w};
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return vg_bench_ort_open(path, shape, 4, input);
}

/* The embedder's input for an aligned face, as embed.c makes it. */
static void embed_tensor(const vg_image *aligned, float *out)
{
    for (int y = 0; y < 112; y++)
        for (int x = 0; x < 112; x++)
            for (int c = 0; c < 3; c++)
                out[c * 112 * 112 + y * 112 + x] =
                    ((float)aligned->data[(size_t)y * aligned->stride + 3 * (size_t)x + (size_t)c] - 127.0f) / 128.0f;
}

void vg_bench_face(FILE *out, const char *data_dir, const char *models_dir)
{
    char path[1200], portrait[1200];
    snprintf(portrait, sizeof portrait, "%s/../media/astronaut.png", models_dir);
    face_ctx c = {0};
    vg_face_config cfg = {.models_dir = models_dir, .threads = 1};
    vg_face_pack *pack = NULL;
    vg_infer_env *env = NULL;
    vg_err err;
    if (vg_face_pack_open(&cfg, &pack, &err) || vg_infer_env_new(&env, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        vg_face_pack_close(pack);
        return;
    }
    c.pack = pack;
    /* the 1080p frame: the crowd clip's first frame, else the synthetic one */
    snprintf(path, sizeof path, "%s/video/crowd-1080p.mp4", data_dir);
    vg_image *crowd = NULL, *single = one_face_frame(portrait);
    if (vg_image_decode_file(path, 0, &crowd, NULL))
        crowd = NULL;
    c.frame = crowd ? crowd : single;

    c.det = vg_detector_find("ultraface");
    vg_detector_params p = {.min_face = 40, .max_faces = 64, .threads = 1};
    snprintf(path, sizeof path, "%s/fr_landmark.onnx", models_dir);
    vg_face *faces = NULL;
    int nf = 0;
    if (!c.frame || c.det->open(env, models_dir, NULL, &p, &c.det_state, &err) ||
        vg_infer_session_open(env, path, 1, &c.landmark, &err) ||
        vg_face_detect(pack, c.frame, &faces, &nf, &err) || nf == 0) {
        fprintf(out, "{\"error\":\"%s\"}", c.frame ? err.msg : "no 1080p frame");
        goto done;
    }
    c.face = faces[0];
    memcpy(c.lm5, faces[0].lm, sizeof c.lm5);
    vg_face_align(c.frame, c.lm5, &c.aligned, NULL);
    vg_image_encode_jpeg(c.frame, 90, &c.jpeg, &c.jpeg_len, NULL);

    /* ORT's raw runs get the very tensors vigil's stages make */
    static float det_in[3 * 544 * 960], emb_in[3 * 112 * 112];
    vg_detector_image_to_tensor(c.frame, 960, c.frame->height * 960 / c.frame->width, 960, 544, 127.0f,
                                1.0f / 128.0f, 0.0f, 0, det_in, NULL);
    embed_tensor(c.aligned, emb_in);
    vg_bench_ort *raw_det = raw_session(models_dir, "fr_detect_960x544.onnx", 3, 544, 960, det_in);
    vg_bench_ort *raw_lm = raw_session(models_dir, "fr_landmark.onnx", 1, 64, 64, NULL);
    vg_bench_ort *raw_emb = raw_session(models_dir, "fr_feature.onnx", 3, 112, 112, emb_in);
    double decode, detect, detect_raw, lm, lm_raw, align, embed, embed_raw, unused, e2e_crowd = -1,
                                                                                   e2e_single = -1;
    timed(&c, st_decode, NULL, &decode, &unused);
    timed(&c, st_detect, raw_det, &detect, &detect_raw);
    timed(&c, st_landmarks, raw_lm, &lm, &lm_raw);
    timed(&c, st_align, NULL, &align, &unused);
    timed(&c, st_embed, raw_emb, &embed, &embed_raw);
    /* issue 11's alignment variants (docs/pipeline.md, section 3) */
    double fit_ms[4] = {0}, tta_ms[3];
    for (int k = 1; k < 4; k++) {
        c.fit = k;
        timed(&c, st_landmarks_fit, NULL, &fit_ms[k], &unused);
    }
    static const int tta[3] = {1, -1, 3};
    for (int k = 0; k < 3; k++) {
        c.jitter = tta[k];
        timed(&c, st_embed_jitter, NULL, &tta_ms[k], &unused);
    }
    int single_faces = 0;
    if (crowd)
        timed(&c, st_end_to_end, NULL, &e2e_crowd, &unused);
    if (single) {
        vg_face *sf = NULL;
        vg_face_detect(pack, single, &sf, &single_faces, NULL);
        free(sf);
        c.frame = single;
        timed(&c, st_end_to_end, NULL, &e2e_single, &unused);
    }
    vg_bench_ort_close(raw_det);
    vg_bench_ort_close(raw_lm);
    vg_bench_ort_close(raw_emb);

    double models = detect + lm + embed, raw = detect_raw + lm_raw + embed_raw;
    fprintf(out,
            "{\"threads\":1,\"frame\":\"%s\",\"faces_in_frame\":%d,"
            "\"decode_jpeg_1080p_ms\":%.3f,"
            "\"detect_1080p_ms\":%.3f,\"detect_1080p_ort_raw_ms\":%.3f,\"detect_ratio\":%.3f,"
            "\"landmarks_ms\":%.3f,\"landmarks_ort_raw_ms\":%.3f,\"landmarks_ratio\":%.3f,"
            "\"landmarks_mirror_ms\":%.3f,\"landmarks_refine_ms\":%.3f,\"landmarks_mirror_refine_ms\":%.3f,"
            "\"align_and_embed_ms\":%.3f,\"align_and_embed_flip_ms\":%.3f,\"align_and_embed_jitter3_ms\":%.3f,"
            "\"align_ms\":%.3f,"
            "\"embed_ms\":%.3f,\"embed_ort_raw_ms\":%.3f,\"embed_ratio\":%.3f,"
            "\"models_ms\":%.3f,\"models_ort_raw_ms\":%.3f,\"added_outside_ort\":%.3f,"
            "\"added_outside_ort_target\":0.15,"
            "\"one_face_1080p_detect_and_embed_ms\":%.3f,\"one_face_frame_faces\":%d,"
            "\"one_face_target_ms\":25,"
            "\"crowd_frame_detect_all_embed_one_ms\":%.3f}",
            crowd ? "crowd-1080p.mp4 frame 0" : "synthetic one-face 1080p", nf, decode, detect, detect_raw,
            detect / detect_raw, lm, lm_raw, lm / lm_raw, fit_ms[1], fit_ms[2], fit_ms[3], tta_ms[0], tta_ms[1], tta_ms[2], align, embed, embed_raw, embed / embed_raw,
            models + align, raw, (models + align) / raw - 1.0, e2e_single, single_faces, e2e_crowd);
done:
    free(faces);
    free(c.jpeg);
    vg_image_free(c.aligned);
    vg_infer_session_close(c.landmark);
    if (c.det_state)
        c.det->close(c.det_state);
    vg_infer_env_free(env);
    vg_image_free(crowd);
    vg_image_free(single);
    vg_face_pack_close(pack);
}
