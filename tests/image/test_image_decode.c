/* test_image_decode.c — vg_image_decode_mem/_file: every common format and
 * pixel layout, a video's first frame, a real LFW photo, and bad input of
 * every kind (empty, truncated, not an image, random bytes, headers claiming
 * huge sizes, images just over the caller's limit). Inputs are made at test
 * time with the ffmpeg command in a scratch directory. */
#include "image_fixtures.h"

#include <math.h>
#include <time.h>

#define LFW_JPEG "lfw/images_deepfunneled/Aaron_Eckhart/Aaron_Eckhart_0001.jpg"

static char *dir;
static bool have_media; /* ffmpeg present and every input generated */

/* Solid 0x3366cc (R 51, G 102, B 204), 41 x 29; "-frames:v 1 " precedes each
 * output of the one input. */
#define SOLID_IN "-f lavfi -i color=c=0x3366cc:size=41x29,format=rgb24 "
#define ONE "-frames:v 1 "

static int group_setup(void **state)
{
    (void)state;
    dir = fx_tmpdir();
    if (!fx_have_ffmpeg())
        return 0;
    have_media =
        fx_ffmpeg(dir, SOLID_IN ONE "solid.png " ONE "solid.bmp " ONE "solid.tif " ONE
                  "solid.qoi " ONE "solid.ppm " ONE "solid.sun " ONE "solid.gif " ONE
                  "-q:v 2 solid.jpg " ONE "-quality 95 solid.webp") &&
        fx_ffmpeg(dir, SOLID_IN ONE "-pix_fmt gray g8.png " ONE "-pix_fmt gray16be g16.png " ONE
                  "-pix_fmt rgba rgba.png " ONE "-pix_fmt rgb48be rgb48.png " ONE
                  "-pix_fmt pal8 pal8.png " ONE "-pix_fmt ya8 ya8.png " ONE
                  "-pix_fmt rgba64be rgba64.png " ONE "-pix_fmt yuvj444p j444.jpg " ONE
                  "-pix_fmt yuvj422p j422.jpg") &&
        fx_ffmpeg(dir, "-f lavfi -i testsrc=size=1x1 " ONE "odd1x1.png") &&
        fx_ffmpeg(dir, "-f lavfi -i testsrc=size=1x7 " ONE "odd1x7.jpg") &&
        fx_ffmpeg(dir, "-f lavfi -i testsrc=size=7x1 " ONE "odd7x1.webp") &&
        fx_ffmpeg(dir, "-f lavfi -i testsrc=size=17x13 " ONE "odd17x13.jpg " ONE "odd17x13.bmp") &&
        fx_ffmpeg(dir, "-f lavfi -i testsrc=size=250x250 " ONE "-q:v 3 test.jpg") &&
        fx_ffmpeg(dir, "-f lavfi -i color=c=0x3366cc:size=64x48:rate=5 -t 1 -pix_fmt yuv420p "
                       "clip.mp4 -t 1 -c:v mjpeg clip.avi -t 1 -c:v mpeg4 clip.mkv");
    if (!have_media)
        fprintf(stderr, "could not generate the test inputs with ffmpeg: skipping\n");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fx_tmpdir_remove(dir);
    return 0;
}

static const char *path_of(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static vg_status decode_named(const char *name, long long max_pixels, vg_image **img,
                              vg_err *err)
{
    return vg_image_decode_file(path_of(name), max_pixels, img, err);
}

/* Decodes a generated file and checks its size and colour: the mean of each
 * channel within tol of rgb, and every pixel within 8 * tol (lossy encoders
 * leave artefacts at the edges of odd-sized images). tol < 0: a grey image,
 * R == G == B everywhere, compared with rgb[0] and -tol. */
static void check_solid(const char *name, int w, int h, const int rgb[3], int tol)
{
    vg_image *img = NULL;
    vg_err err = {{0}};
    vg_status s = decode_named(name, 0, &img, &err);
    if (s != VG_OK)
        fail_msg("%s: %s", name, err.msg);
    assert_int_equal(img->width, w);
    assert_int_equal(img->height, h);
    assert_true(img->stride >= 3 * w);
    int t = tol < 0 ? -tol : tol;
    double sum[3] = {0, 0, 0};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = fx_px(img, x, y);
            for (int c = 0; c < 3; c++) {
                int want = tol < 0 ? rgb[0] : rgb[c];
                sum[c] += p[c];
                if (abs(p[c] - want) > 8 * t)
                    fail_msg("%s (%d,%d) channel %d: %d, want %d +- %d", name, x, y, c, p[c],
                             want, 8 * t);
            }
            if (tol < 0 && (p[0] != p[1] || p[1] != p[2]))
                fail_msg("%s (%d,%d) is not grey: %d %d %d", name, x, y, p[0], p[1], p[2]);
        }
    for (int c = 0; c < 3; c++) {
        double mean = sum[c] / ((double)w * h);
        int want = tol < 0 ? rgb[0] : rgb[c];
        if (fabs(mean - want) > t)
            fail_msg("%s channel %d: mean %.1f, want %d +- %d", name, c, mean, want, t);
    }
    vg_image_free(img);
}

static const int BLUE[3] = {51, 102, 204};

static void test_still_formats(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    check_solid("solid.png", 41, 29, BLUE, 0);
    check_solid("solid.bmp", 41, 29, BLUE, 0);
    check_solid("solid.tif", 41, 29, BLUE, 0);
    check_solid("solid.qoi", 41, 29, BLUE, 0);
    check_solid("solid.ppm", 41, 29, BLUE, 0);
    check_solid("solid.sun", 41, 29, BLUE, 0);
    check_solid("solid.jpg", 41, 29, BLUE, 6);
    check_solid("solid.webp", 41, 29, BLUE, 6);
    check_solid("solid.gif", 41, 29, BLUE, 32); /* a dithered 3-3-2 palette */
}

static void test_pixel_layouts(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    static const int GREY[3] = {98, 98, 98}; /* BT.601 luma of 0x3366cc */
    check_solid("g8.png", 41, 29, GREY, -3);
    check_solid("g16.png", 41, 29, GREY, -3);
    check_solid("ya8.png", 41, 29, GREY, -3);
    check_solid("rgba.png", 41, 29, BLUE, 0);
    check_solid("rgb48.png", 41, 29, BLUE, 0);
    check_solid("rgba64.png", 41, 29, BLUE, 0);
    check_solid("pal8.png", 41, 29, BLUE, 32);
    check_solid("j444.jpg", 41, 29, BLUE, 6);
    check_solid("j422.jpg", 41, 29, BLUE, 6);
}

static void test_odd_sizes(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    static const struct {
        const char *name;
        int w, h;
    } cases[] = {{"odd1x1.png", 1, 1},     {"odd1x7.jpg", 1, 7},       {"odd7x1.webp", 7, 1},
                 {"odd17x13.jpg", 17, 13}, {"odd17x13.bmp", 17, 13}, {"test.jpg", 250, 250}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_image *img = NULL;
        vg_err err;
        if (decode_named(cases[i].name, 0, &img, &err) != VG_OK)
            fail_msg("%s: %s", cases[i].name, err.msg);
        assert_int_equal(img->width, cases[i].w);
        assert_int_equal(img->height, cases[i].h);
        vg_image_free(img);
    }
}

static void test_video_first_frame(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    check_solid("clip.mp4", 64, 48, BLUE, 8);
    check_solid("clip.avi", 64, 48, BLUE, 8);
    check_solid("clip.mkv", 64, 48, BLUE, 8);
}

static void test_shared_video(void **state)
{
    (void)state;
    char path[512];
    VG_SKIP_UNLESS(vg_test_data(path, sizeof path, "video/one-by-one-person.mp4"));
    vg_image *img = NULL;
    vg_err err;
    if (vg_image_decode_file(path, 0, &img, &err) != VG_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(img->width, 768);
    assert_int_equal(img->height, 432);
    double mean = vg_image_mean_luma(img, 0, 0, img->width, img->height);
    assert_true(mean > 5 && mean < 250);
    vg_image_free(img);
}

static void test_lfw_jpeg(void **state)
{
    (void)state;
    char path[512];
    VG_SKIP_UNLESS(vg_test_data(path, sizeof path, LFW_JPEG));
    vg_image *a = NULL, *b = NULL;
    vg_err err;
    assert_int_equal(vg_image_decode_file(path, 0, &a, &err), VG_OK);
    assert_int_equal(a->width, 250);
    assert_int_equal(a->height, 250);
    uint8_t *buf;
    size_t len = fx_read(path, &buf);
    assert_int_equal(vg_image_decode_mem(buf, len, 0, &b, &err), VG_OK);
    assert_int_equal(b->width, 250);
    for (int y = 0; y < 250; y++)
        assert_memory_equal(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride, 750);
    double mean = vg_image_mean_luma(a, 0, 0, 250, 250);
    assert_true(mean > 20 && mean < 235);
    vg_image_free(a);
    vg_image_free(b);
    free(buf);
}

/* Content decides, not the name: a PNG called .jpg, or with no extension. */
static void test_wrong_extension(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    uint8_t *buf;
    size_t len = fx_read(path_of("solid.png"), &buf);
    fx_write(path_of("really_a_png.jpg"), buf, len);
    fx_write(path_of("no_extension"), buf, len);
    free(buf);
    check_solid("really_a_png.jpg", 41, 29, BLUE, 0);
    check_solid("no_extension", 41, 29, BLUE, 0);
}

static void expect_failure(const uint8_t *buf, size_t len, long long max_pixels, vg_status want,
                           const char *msg_part)
{
    vg_image *img = (vg_image *)&img; /* must be reset to NULL */
    vg_err err = {{0}};
    vg_status s = vg_image_decode_mem(buf, len, max_pixels, &img, &err);
    if (s != want)
        fail_msg("got %s (%s), want %s", vg_status_name(s), err.msg, vg_status_name(want));
    assert_null(img);
    if (msg_part && !strstr(err.msg, msg_part))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
}

static void test_empty(void **state)
{
    (void)state;
    static const uint8_t one = 0;
    expect_failure(&one, 0, 0, VG_ERR_INVALID, "empty input (0 bytes)");
    expect_failure(NULL, 0, 0, VG_ERR_INVALID, "empty input (0 bytes)");
    fx_write(path_of("empty.jpg"), "", 0);
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(decode_named("empty.jpg", 0, &img, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "empty input (0 bytes)"));
    assert_null(img);
}

static void test_not_an_image(void **state)
{
    (void)state;
    static const char text[] = "Dear operator,\nthis is a plain text file, not a photo.\n";
    expect_failure((const uint8_t *)text, sizeof text - 1, 0, VG_ERR_INVALID,
                   "not an image or video FFmpeg can read");
    fx_write(path_of("letter.jpg"), text, sizeof text - 1);
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(decode_named("letter.jpg", 0, &img, &err), VG_ERR_INVALID);
    assert_null(img);
}

static void test_truncated(void **state)
{
    (void)state;
    char path[512];
    const char *src = vg_test_data(path, sizeof path, LFW_JPEG);
    if (!src && have_media)
        src = path_of("test.jpg");
    VG_SKIP_UNLESS(src);
    uint8_t *buf;
    size_t len = fx_read(src, &buf);
    expect_failure(buf, len / 2, 0, VG_ERR_INVALID, "truncated or corrupt image data");
    expect_failure(buf, len - 16, 0, VG_ERR_INVALID, "truncated or corrupt image data");
    expect_failure(buf, 200, 0, VG_ERR_INVALID, NULL); /* headers only */
    expect_failure(buf, 2, 0, VG_ERR_INVALID, NULL);
    free(buf);
    if (have_media) {
        len = fx_read(path_of("solid.png"), &buf);
        expect_failure(buf, len / 2, 0, VG_ERR_INVALID, "truncated or corrupt image data");
        free(buf);
        len = fx_read(path_of("clip.mp4"), &buf);
        expect_failure(buf, 100, 0, VG_ERR_INVALID, NULL);
        free(buf);
    }
}

/* xorshift: a fixed sequence, so the test is repeatable. */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_random_bytes(void **state)
{
    (void)state;
    uint32_t seed = 2463534242u;
    uint8_t buf[4096];
    for (int i = 0; i < 64; i++) {
        size_t len = 1 + rnd(&seed) % sizeof buf;
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)rnd(&seed);
        expect_failure(buf, len, 0, VG_ERR_INVALID, NULL);
    }
    /* A real JPEG with its entropy-coded data scrambled. */
    VG_SKIP_UNLESS(have_media);
    uint8_t *jpg;
    size_t len = fx_read(path_of("test.jpg"), &jpg);
    for (size_t j = len / 3; j < len - 2; j++)
        jpg[j] = (uint8_t)rnd(&seed);
    vg_image *img = NULL;
    vg_err err;
    vg_status s = vg_image_decode_mem(jpg, len, 0, &img, &err);
    assert_int_not_equal(s, VG_OK); /* with explode on, damage is an error */
    assert_null(img);
    free(jpg);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}
static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Headers with a valid signature claiming 30000 x 30000 pixels, followed by
 * garbage: refused at once, before anything the size of the picture is
 * allocated (under ASan an attempt would also blow the memory limit). */
static void test_huge_headers(void **state)
{
    (void)state;
    const char *msg = "image is 30000x30000 (900000000 pixels), over the limit of 40000000";
    uint8_t b[512];
    double t0 = now();

    memset(b, 0xab, sizeof b); /* PNG: signature and IHDR */
    memcpy(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    put_be32(b + 16, 30000);
    put_be32(b + 20, 30000);
    memcpy(b + 24, "\x08\x02\0\0\0", 5);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* BMP: file header and BITMAPINFOHEADER */
    memcpy(b, "BM", 2);
    put_le32(b + 2, sizeof b);
    put_le32(b + 10, 54);
    put_le32(b + 14, 40);
    put_le32(b + 18, 30000);
    put_le32(b + 22, (uint32_t)-30000); /* top-down */
    memcpy(b + 26, "\x01\0\x18\0\0\0\0\0", 8);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* JPEG: SOI, APP0, SOF0 */
    static const uint8_t jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16,   'J', 'F',  'I', 'F', 0,
                                  1,    1,    0,    0,    1, 0,    1,   0,    0,   0xff, 0xc0,
                                  0,    17,   8,    0x75, 0x30, 0x75, 0x30, 3,    1,   0x22, 0};
    memcpy(b, jpg, sizeof jpg);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* GIF: logical screen */
    memcpy(b, "GIF89a\x30\x75\x30\x75", 10);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* TIFF: one IFD with ImageWidth, ImageLength */
    memcpy(b, "II*\0\x08\0\0\0\x02\0", 10);
    memcpy(b + 10, "\x00\x01\x04\x00\x01\0\0\0", 8);
    put_le32(b + 18, 30000);
    memcpy(b + 22, "\x01\x01\x04\x00\x01\0\0\0", 8);
    put_le32(b + 30, 30000);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* PPM */
    memcpy(b, "P6\n# big\n30000 30000\n255\n", 25);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, msg);

    memset(b, 0xab, sizeof b); /* WebP lossless: 16384 x 16384 */
    memcpy(b, "RIFF\xf8\x01\0\0WEBPVP8L\xeb\x01\0\0\x2f\xff\xff\xff\x0f", 25);
    expect_failure(b, sizeof b, 0, VG_ERR_LIMIT, "image is 16384x16384 (268435456 pixels)");

    /* Sun raster, a format vigil does not read headers of: FFmpeg's own size
     * check, set at about twice the limit, refuses it before allocating but
     * cannot say how large it was. */
    memset(b, 0xab, sizeof b);
    put_be32(b, 0x59a66a95);
    put_be32(b + 4, 30000);
    put_be32(b + 8, 30000);
    put_be32(b + 12, 24);
    put_be32(b + 16, 30000u * 30000u * 3u);
    put_be32(b + 20, 1);
    put_be32(b + 24, 0);
    put_be32(b + 28, 0);
    expect_failure(b, sizeof b, 0, VG_ERR_INVALID, "or a picture size over the limit of 40000000");

    assert_true(now() - t0 < 5.0);
}

/* The caller's limit, exactly: 41 x 29 = 1189 pixels. For most formats the
 * header says so; Sun raster (not read by declared_size.c) is stopped by the
 * decoder's frame allocator; the video by its container header. */
static void test_small_limit(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_media);
    static const char *const names[] = {"solid.png", "solid.jpg", "solid.webp",
                                        "solid.sun", "solid.gif", "solid.tif"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        vg_image *img = NULL;
        vg_err err;
        vg_status s = decode_named(names[i], 1188, &img, &err);
        if (s != VG_ERR_LIMIT)
            fail_msg("%s: got %s (%s)", names[i], vg_status_name(s), err.msg);
        assert_null(img);
        if (!strstr(err.msg, "image is 41x29 (1189 pixels), over the limit of 1188"))
            fail_msg("%s: message %s", names[i], err.msg);
        assert_int_equal(decode_named(names[i], 1189, &img, &err), VG_OK);
        vg_image_free(img);
    }
    /* A video: the container header gives the size. */
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(decode_named("clip.mp4", 64 * 48 - 1, &img, &err), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "image is 64x48 (3072 pixels)"));
    assert_int_equal(decode_named("clip.mp4", 64 * 48, &img, &err), VG_OK);
    vg_image_free(img);
}

static void test_file_errors(void **state)
{
    (void)state;
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(vg_image_decode_file("/nonexistent/vigil/photo.jpg", 0, &img, &err),
                     VG_ERR_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/vigil/photo.jpg"));
    assert_null(img);
    assert_int_equal(vg_image_decode_file(dir, 0, &img, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, "directory"));
    assert_int_equal(vg_image_decode_file(NULL, 0, &img, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_decode_file("", 0, &img, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_decode_file("x.jpg", 0, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_decode_mem((const uint8_t *)"abc", 3, 0, NULL, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_image_decode_mem(NULL, 3, 0, &img, &err), VG_ERR_INVALID);
    /* err may be NULL */
    assert_int_equal(vg_image_decode_mem(NULL, 0, 0, &img, NULL), VG_ERR_INVALID);

    /* A sparse file over 256 MiB is refused by size, without reading it. */
    const char *big = path_of("big.jpg");
    FILE *f = fopen(big, "wb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 300L * 1024 * 1024, SEEK_SET), 0);
    assert_int_equal(fputc(0, f), 0);
    fclose(f);
    assert_int_equal(vg_image_decode_file(big, 0, &img, &err), VG_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "256 MiB"));
    assert_null(img);
    remove(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_still_formats),  cmocka_unit_test(test_pixel_layouts),
        cmocka_unit_test(test_odd_sizes),      cmocka_unit_test(test_video_first_frame),
        cmocka_unit_test(test_shared_video),   cmocka_unit_test(test_lfw_jpeg),
        cmocka_unit_test(test_wrong_extension), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_not_an_image),   cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_random_bytes),   cmocka_unit_test(test_huge_headers),
        cmocka_unit_test(test_small_limit),    cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
