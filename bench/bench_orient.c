/* bench_orient.c — what applying the EXIF orientation costs a phone photo:
 * decoding a 4032x3024 JPEG (an LFW photo enlarged, TurboJPEG quality 90)
 * untagged, tagged 3 (half turn) and tagged 6 (quarter turn), and the
 * turn alone (vg_image_orient) beside a plain copy of the picture
 * (vg_image_clone), in thread CPU time, median of interleaved runs, one
 * thread. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "image/orient.h"
#include "vigil/image.h"

#define PHONE_W 4032
#define PHONE_H 3024
#define RUNS 7

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

/* The JPEG with an EXIF APP1 segment (one IFD entry, Orientation = o)
 * inserted after SOI; malloc'd. */
static uint8_t *tagged(const uint8_t *jpeg, size_t len, int o, size_t *out_len)
{
    static const uint8_t head[] = {0xff, 0xe1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0,
                                   0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0};
    static const uint8_t tail[] = {0, 0, 0, 0, 0, 0};
    size_t seg = sizeof head + 1 + sizeof tail;
    uint8_t *out = malloc(len + seg);
    if (!out)
        return NULL;
    memcpy(out, jpeg, 2);
    memcpy(out + 2, head, sizeof head);
    out[2 + sizeof head] = (uint8_t)o;
    memcpy(out + 3 + sizeof head, tail, sizeof tail);
    memcpy(out + 2 + seg, jpeg + 2, len - 2);
    *out_len = len + seg;
    return out;
}

void vg_bench_orient(FILE *out, const char *data_dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg",
             data_dir);
    vg_err err;
    vg_image *small = NULL, *big = NULL;
    uint8_t *jpeg = NULL, *t3 = NULL, *t6 = NULL;
    size_t len = 0, len3 = 0, len6 = 0;
    if (vg_image_decode_file(path, 0, &small, &err) != VG_OK ||
        vg_image_resize(small, PHONE_W, PHONE_H, &big, &err) != VG_OK ||
        vg_image_encode_jpeg(big, 90, &jpeg, &len, &err) != VG_OK ||
        !(t3 = tagged(jpeg, len, 3, &len3)) || !(t6 = tagged(jpeg, len, 6, &len6))) {
        fprintf(out, "{\"skipped\":\"no photo to enlarge (%s)\"}", path);
        goto done;
    }
    const uint8_t *bufs[3] = {jpeg, t3, t6};
    const size_t lens[3] = {len, len3, len6};
    double dec[3][RUNS], rot[2][RUNS], copy[RUNS];
    for (int r = 0; r < RUNS; r++) {
        for (int k = 0; k < 3; k++) {
            vg_image *img = NULL;
            double t0 = cpu_ms();
            if (vg_image_decode_mem(bufs[k], lens[k], 0, &img, &err) != VG_OK) {
                fprintf(out, "{\"error\":\"decode: %s\"}", err.msg);
                goto done;
            }
            dec[k][r] = cpu_ms() - t0;
            vg_image_free(img);
        }
        vg_image *dup = NULL;
        double t0 = cpu_ms();
        if (vg_image_clone(big, &dup, &err) != VG_OK) {
            fprintf(out, "{\"error\":\"clone: %s\"}", err.msg);
            goto done;
        }
        copy[r] = cpu_ms() - t0;
        vg_image_free(dup);
        for (int k = 0; k < 2; k++) {
            vg_image *img = NULL;
            t0 = cpu_ms();
            if (vg_image_orient(big, k ? 6 : 3, &img, &err) != VG_OK) {
                fprintf(out, "{\"error\":\"orient: %s\"}", err.msg);
                goto done;
            }
            rot[k][r] = cpu_ms() - t0;
            vg_image_free(img);
        }
    }
    fprintf(out,
            "{\"photo\":\"%dx%d JPEG q90, %zu bytes\",\"runs\":%d,"
            "\"decode_ms\":%.2f,\"decode_orientation3_ms\":%.2f,\"decode_orientation6_ms\":%.2f,"
            "\"orient3_ms\":%.2f,\"orient6_ms\":%.2f,\"copy_ms\":%.2f}",
            PHONE_W, PHONE_H, len, RUNS, vg_bench_median(dec[0], RUNS),
            vg_bench_median(dec[1], RUNS), vg_bench_median(dec[2], RUNS),
            vg_bench_median(rot[0], RUNS), vg_bench_median(rot[1], RUNS), vg_bench_median(copy, RUNS));
done:
    free(t6);
    free(t3);
    free(jpeg);
    vg_image_free(big);
    vg_image_free(small);
}
