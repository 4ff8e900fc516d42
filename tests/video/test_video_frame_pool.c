/* test_video_frame_pool.c — frames' images used again: the pool's counts
 * (kept, freed, a size change, a frame outliving its source), the kept
 * swscale context giving the same pixels as a fresh one, and a source whose
 * frames are freed as they come (images reused) giving the same pictures as
 * one whose frames are all kept (no reuse possible); a source deferring the
 * conversion (defer_rgb) converting only the frames asked for, to the same
 * pictures, even after it closed. */
#include "video_fixtures.h"

#include "image/frame.h"
#include "video/frame_pool.h"

#include <libavutil/frame.h>

static void test_pool_counts(void **state)
{
    (void)state;
    vg_frame_pool *p = NULL;
    vg_err err;
    assert_int_equal(vg_frame_pool_new(2, &p, &err), VG_OK);
    vg_image *a, *b, *c;
    assert_int_equal(vg_frame_pool_take(p, 64, 48, &a, &err), VG_OK);
    assert_int_equal(vg_frame_pool_take(p, 64, 48, &b, &err), VG_OK);
    assert_int_equal(vg_frame_pool_take(p, 64, 48, &c, &err), VG_OK);
    vg_frame_pool_stats st;
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.made, 3);
    assert_int_equal(st.out, 3);
    assert_int_equal(st.idle, 0);
    uint8_t *b_data = b->data;
    vg_frame_pool_give(p, a);
    vg_frame_pool_give(p, b);
    vg_frame_pool_give(p, c); /* over keep: freed */
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.idle, 2);
    assert_int_equal(st.out, 0);
    vg_image *d;
    assert_int_equal(vg_frame_pool_take(p, 64, 48, &d, &err), VG_OK);
    assert_ptr_equal(d->data, b_data); /* the last one given back */
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.made, 3);
    assert_int_equal(st.taken, 4);
    /* another size: the idle ones go, a new one is made, and the one of the
     * old size coming back is freed */
    vg_image *e;
    assert_int_equal(vg_frame_pool_take(p, 32, 32, &e, &err), VG_OK);
    assert_int_equal(e->width, 32);
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.made, 4);
    assert_int_equal(st.idle, 0);
    vg_frame_pool_give(p, d);
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.idle, 0);
    /* the source lets go while an image is out: the image's return frees it
     * (ASan reports a leak or a use after free otherwise) */
    vg_frame_pool_release(p);
    vg_frame_pool_give(p, e);

    assert_int_equal(vg_frame_pool_new(1, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_frame_pool_new(1, &p, &err), VG_OK);
    vg_image *x = (vg_image *)1;
    assert_int_equal(vg_frame_pool_take(p, 0, 10, &x, &err), VG_ERR_INVALID);
    assert_null(x);
    vg_frame_pool_stats_get(p, &st);
    assert_int_equal(st.out, 0);
    vg_frame_pool_release(p);
}

/* A w x h yuv420p picture with a pattern that depends on seed. */
static AVFrame *make_picture(int w, int h, int seed, enum AVColorSpace cs)
{
    AVFrame *f = av_frame_alloc();
    assert_non_null(f);
    f->width = w;
    f->height = h;
    f->format = AV_PIX_FMT_YUV420P;
    f->colorspace = cs;
    assert_int_equal(av_frame_get_buffer(f, 0), 0);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            f->data[0][y * f->linesize[0] + x] = (uint8_t)(16 + (x * 3 + y * 5 + seed * 7) % 220);
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < h / 2; y++)
            for (int x = 0; x < w / 2; x++)
                f->data[p][y * f->linesize[p] + x] = (uint8_t)(64 + (x * p + y + seed * 11) % 128);
    return f;
}

static int same_pixels(const vg_image *a, const vg_image *b)
{
    if (a->width != b->width || a->height != b->height)
        return 0;
    for (int y = 0; y < a->height; y++)
        if (memcmp(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride, (size_t)a->width * 3) != 0)
            return 0;
    return 1;
}

static void test_scaler_kept(void **state)
{
    (void)state;
    vg_frame_scaler sc = {0};
    vg_err err;
    vg_image *dst = NULL;
    assert_int_equal(vg_image_new(96, 64, &dst, &err), VG_OK);
    enum AVColorSpace spaces[] = {AVCOL_SPC_BT470BG, AVCOL_SPC_BT470BG, AVCOL_SPC_BT709, AVCOL_SPC_BT709};
    for (int i = 0; i < 4; i++) {
        AVFrame *f = make_picture(96, 64, i, spaces[i]);
        if (i == 3)
            f->color_range = AVCOL_RANGE_JPEG; /* a change of range makes a new context too */
        assert_int_equal(vg_frame_scaler_convert(&sc, f, dst, &err), VG_OK);
        vg_image *fresh = NULL;
        assert_int_equal(vg_image_from_frame(f, &fresh, &err), VG_OK);
        assert_true(same_pixels(dst, fresh));
        vg_image_free(fresh);
        av_frame_free(&f);
    }
    /* a picture of another size than the image: refused, the image untouched */
    vg_image *before = NULL;
    assert_int_equal(vg_image_clone(dst, &before, &err), VG_OK);
    AVFrame *big = make_picture(128, 64, 9, AVCOL_SPC_BT709);
    assert_int_equal(vg_frame_scaler_convert(&sc, big, dst, &err), VG_ERR_INVALID);
    assert_true(same_pixels(dst, before));
    assert_int_equal(vg_frame_scaler_convert(&sc, NULL, dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_frame_scaler_convert(&sc, big, NULL, &err), VG_ERR_INVALID);
    av_frame_free(&big);
    vg_image_free(before);
    vg_image_free(dst);
    vg_frame_scaler_fini(&sc);
    vg_frame_scaler_fini(&sc); /* twice: harmless */
}

#define CLIP_FRAMES 12

static uint64_t checksum(const vg_image *img)
{
    uint64_t h = 1469598103934665603ULL;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->data + (size_t)y * img->stride;
        for (int x = 0; x < img->width * 3; x += 7)
            h = (h ^ row[x]) * 1099511628211ULL;
    }
    return h;
}

static vg_source *open_crowd(const char *path, int defer)
{
    vg_source_options o = {.url = path, .mode = VG_SOURCE_ALL, .defer_rgb = defer};
    vg_source *s = NULL;
    vg_err err;
    assert_int_equal(vg_source_open(&o, &s, &err), VG_OK);
    return s;
}

static void test_source_reuses(void **state)
{
    (void)state;
    char path[512];
    VG_SKIP_UNLESS(vg_test_data(path, sizeof path, "video/crowd-1080p.mp4"));
    vg_err err;
    /* all frames kept: each has an image of its own */
    uint64_t kept_sum[CLIP_FRAMES];
    vg_frame *kept[CLIP_FRAMES] = {0};
    vg_source *s = open_crowd(path, 0);
    for (int i = 0; i < CLIP_FRAMES; i++) {
        assert_int_equal(vg_source_next(s, 10.0, &kept[i], &err), VG_OK);
        assert_non_null(kept[i]);
        for (int k = 0; k < i; k++)
            assert_ptr_not_equal(kept[i]->image->data, kept[k]->image->data);
    }
    /* the source closes first: its frames stay whole and free their images */
    vg_source_close(s);
    for (int i = 0; i < CLIP_FRAMES; i++) {
        kept_sum[i] = checksum(kept[i]->image);
        vg_frame_free(kept[i]);
    }

    /* each frame freed before the next: the images come round again, with
     * the same pictures in them */
    s = open_crowd(path, 0);
    vg_frame_pool_stats st = {0};
    for (int i = 0; i < CLIP_FRAMES; i++) {
        vg_frame *f = NULL;
        assert_int_equal(vg_source_next(s, 10.0, &f, &err), VG_OK);
        assert_non_null(f);
        assert_int_equal(f->index, i);
        assert_true(checksum(f->image) == kept_sum[i]);
        vg_frame_pool_stats_get(f->pool, &st);
        vg_frame_free(f);
    }
    assert_true(st.taken >= CLIP_FRAMES);
    assert_true(st.made <= 4); /* slot, decoder, the frame here, one idle */
    vg_source_close(s);

    /* deferred: no image until vg_frame_rgb, then the same picture; every
     * other frame is never converted; the last one is converted after its
     * source closed */
    s = open_crowd(path, 1);
    vg_frame *last = NULL;
    for (int i = 0; i < CLIP_FRAMES; i++) {
        vg_frame *f = NULL;
        assert_int_equal(vg_source_next(s, 10.0, &f, &err), VG_OK);
        assert_non_null(f);
        assert_null(f->image);
        assert_non_null(f->picture);
        assert_int_equal(f->width, 1920);
        assert_int_equal(f->height, 1080);
        if (i == CLIP_FRAMES - 1) {
            last = f;
            break;
        }
        if (i % 2 == 0) {
            assert_int_equal(vg_frame_rgb(f, &err), VG_OK);
            assert_null(f->picture);
            assert_true(checksum(f->image) == kept_sum[i]);
            const vg_image *first = f->image;
            assert_int_equal(vg_frame_rgb(f, &err), VG_OK); /* once is enough */
            assert_ptr_equal(f->image, first);
            vg_frame_pool_stats_get(f->pool, &st);
        }
        vg_frame_free(f);
    }
    assert_true(st.taken == CLIP_FRAMES / 2); /* the frames converted only */
    vg_source_close(s);
    assert_int_equal(vg_frame_rgb(last, &err), VG_OK);
    assert_true(checksum(last->image) == kept_sum[CLIP_FRAMES - 1]);
    vg_frame_free(last);

    assert_int_equal(vg_frame_rgb(NULL, &err), VG_ERR_INVALID);
    vg_frame bare = {0};
    assert_int_equal(vg_frame_rgb(&bare, &err), VG_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_counts),
        cmocka_unit_test(test_scaler_kept),
        cmocka_unit_test_teardown(test_source_reuses, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
