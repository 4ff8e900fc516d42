/* bench_frontend.c — what the issue-11 front end costs, against the path
 * before it, in the same run, on one core (median ms of interleaved rounds):
 *
 *   per 1080p crowd frame  the first pass alone (the live path before the
 *                          context pass existed), the frame with the context
 *                          pass, and the live path's average with the context
 *                          pass on every context_every-th detection (5);
 *   per face               the faceness check (the engine runs it on a
 *                          track's shots until one passes);
 *   per enrolment photo    a still through the first pass alone, and through
 *                          vg_face_detect (context pass, faceness check,
 *                          merging): an LFW photo, and the same face as a
 *                          700x700 close-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/engine.h"
#include "vigil/face.h"

#define ROUNDS 5
#define PER_ROUND 6

typedef struct fe_ctx {
    const vg_face_pack *pack;
    const vg_image *img;
    vg_face face;
} fe_ctx;

typedef void (*fe_fn)(fe_ctx *c);

static void first_pass(fe_ctx *c)
{
    vg_face *f = NULL;
    int n = 0;
    vg_face_detect_frame(c->pack, c->img, 0, &f, &n, NULL);
    free(f);
}

static void with_context(fe_ctx *c)
{
    vg_face *f = NULL;
    int n = 0;
    vg_face_detect_frame(c->pack, c->img, 1, &f, &n, NULL);
    free(f);
}

static void still(fe_ctx *c)
{
    vg_face *f = NULL;
    int n = 0;
    vg_face_detect(c->pack, c->img, &f, &n, NULL);
    free(f);
}

static void faceness(fe_ctx *c)
{
    vg_face f = c->face;
    vg_face_check_face(c->pack, c->img, &f, NULL);
}

/* Medians of two stages measured in alternating rounds, so that load on the
 * machine falls on both alike. */
static void pair(fe_ctx *c, fe_fn a, fe_fn b, double *ma, double *mb)
{
    double va[ROUNDS * PER_ROUND], vb[ROUNDS * PER_ROUND];
    a(c);
    b(c);
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < PER_ROUND; i++) {
            double t0 = vg_bench_now_ms();
            a(c);
            va[r * PER_ROUND + i] = vg_bench_now_ms() - t0;
        }
        for (int i = 0; i < PER_ROUND; i++) {
            double t0 = vg_bench_now_ms();
            b(c);
            vb[r * PER_ROUND + i] = vg_bench_now_ms() - t0;
        }
    }
    *ma = vg_bench_median(va, ROUNDS * PER_ROUND);
    *mb = vg_bench_median(vb, ROUNDS * PER_ROUND);
}

void vg_bench_frontend(FILE *out, const char *data_dir, const char *models_dir)
{
    char path[1200];
    vg_face_config cfg = {.models_dir = models_dir, .threads = 1};
    vg_face_pack *pack = NULL;
    vg_err err;
    if (vg_face_pack_open(&cfg, &pack, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        return;
    }
    vg_image *crowd = NULL, *lfw = NULL, *close = NULL, *crop = NULL;
    snprintf(path, sizeof path, "%s/video/crowd-1080p.mp4", data_dir);
    if (vg_image_decode_file(path, 0, &crowd, &err)) {
        fprintf(out, "{\"skipped\":\"no crowd clip in %s\"}", data_dir);
        vg_face_pack_close(pack);
        return;
    }
    snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0001.jpg", data_dir);
    int have_lfw = vg_image_decode_file(path, 0, &lfw, NULL) == VG_OK &&
                   vg_image_crop(lfw, 60, 50, 130, 130, &crop, NULL) == VG_OK &&
                   vg_image_resize(crop, 700, 700, &close, NULL) == VG_OK;

    fe_ctx c = {.pack = pack, .img = crowd};
    vg_face *faces = NULL;
    int n = 0;
    vg_face_detect_frame(pack, crowd, 0, &faces, &n, NULL);
    double first, ctx, check = -1, lfw_first = -1, lfw_still = -1, close_first = -1, close_still = -1;
    pair(&c, first_pass, with_context, &first, &ctx);
    if (n > 0) {
        c.face = faces[0];
        double unused;
        pair(&c, faceness, first_pass, &check, &unused);
    }
    if (have_lfw) {
        c.img = lfw;
        pair(&c, first_pass, still, &lfw_first, &lfw_still);
        c.img = close;
        pair(&c, first_pass, still, &close_first, &close_still);
    }
    int every = VG_ENGINE_CONTEXT_EVERY_DEFAULT;
    double live = ((every - 1) * first + ctx) / every;
    fprintf(out,
            "{\"threads\":1,\"frame\":\"crowd-1080p.mp4 frame 0\",\"faces\":%d,"
            "\"frame_first_pass_ms\":%.3f,\"frame_with_context_pass_ms\":%.3f,\"context_every\":%d,"
            "\"live_detect_ms\":%.3f,\"live_growth\":%.4f,\"live_growth_limit\":0.10,"
            "\"faceness_check_per_face_ms\":%.3f,"
            "\"still_lfw_250_first_pass_ms\":%.3f,\"still_lfw_250_new_ms\":%.3f,"
            "\"still_closeup_700_first_pass_ms\":%.3f,\"still_closeup_700_new_ms\":%.3f}",
            n, first, ctx, every, live, live / first - 1.0, check, lfw_first, lfw_still, close_first, close_still);
    free(faces);
    vg_image_free(crowd);
    vg_image_free(lfw);
    vg_image_free(crop);
    vg_image_free(close);
    vg_face_pack_close(pack);
}
