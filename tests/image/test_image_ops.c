/* test_image_ops.c — vg_image new/free/clone/crop, resize, affine warp,
 * sharpness and mean luma, including their argument checks. */
#include "image_fixtures.h"

#include <math.h>

static uint8_t f_zero(int x, int y, int c) { (void)x, (void)y, (void)c; return 0; }
static uint8_t f_white(int x, int y, int c) { (void)x, (void)y, (void)c; return 255; }
static uint8_t f_solid(int x, int y, int c)
{
    (void)x, (void)y;
    static const uint8_t rgb[3] = {51, 102, 204};
    return rgb[c];
}
static uint8_t f_noise(int x, int y, int c)
{
    uint32_t v = (uint32_t)x * 73856093u ^ (uint32_t)y * 19349663u ^ (uint32_t)c * 83492791u;
    v ^= v >> 13;
    v *= 0x5bd1e995u;
    v ^= v >> 15;
    return (uint8_t)v;
}
/* 64 px wide horizontal ramp in red, vertical in green, constant blue. */
static uint8_t f_ramp(int x, int y, int c)
{
    return (uint8_t)(c == 0 ? x * 4 : c == 1 ? y * 4 : 77);
}
/* Smooth, so that two bilinear resamplings stay close to it. */
static uint8_t f_smooth(int x, int y, int c)
{
    double v = 128 + 60 * sin(x / 9.0 + c) + 50 * cos(y / 11.0 - c);
    return (uint8_t)lround(v);
}
static uint8_t f_checker(int x, int y, int c) { (void)c; return ((x / 2 + y / 2) & 1) ? 255 : 0; }

/* --- new, free, clone ---------------------------------------------------- */

static void test_new(void **state)
{
    (void)state;
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(vg_image_new(7, 5, &img, &err), VG_OK);
    assert_int_equal(img->width, 7);
    assert_int_equal(img->height, 5);
    /* rows padded to 64 bytes, for swscale's vector writes */
    assert_int_equal(img->stride, 64);
    for (int i = 0; i < 64 * 5; i++)
        assert_int_equal(img->data[i], 0);
    vg_image_free(img);
    vg_image_free(NULL);

    img = (vg_image *)&img;
    assert_int_equal(vg_image_new(0, 5, &img, &err), VG_ERR_INVALID);
    assert_null(img);
    assert_int_equal(vg_image_new(5, -1, &img, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_new(100000, 100000, &img, &err), VG_ERR_LIMIT);
    assert_int_equal(vg_image_new(2000000000, 1, &img, &err), VG_ERR_LIMIT);
    assert_null(img);
    assert_int_equal(vg_image_new(5, 5, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_new(0, 0, &img, NULL), VG_ERR_INVALID);
}

static void test_clone(void **state)
{
    (void)state;
    /* A source with padded rows: the clone is packed, same pixels. */
    uint8_t buf[4 * 20];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
    vg_image src = {.width = 5, .height = 4, .stride = 20, .data = buf};
    vg_image *c = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(&src, &c, &err), VG_OK);
    assert_int_equal(c->width, 5);
    assert_int_equal(c->height, 4);
    assert_true(c->stride >= 15);
    for (int y = 0; y < 4; y++)
        assert_memory_equal(c->data + y * c->stride, buf + y * 20, 15);
    assert_ptr_not_equal(c->data, buf);
    vg_image_free(c);

    assert_int_equal(vg_image_clone(NULL, &c, &err), VG_ERR_INVALID);
    vg_image bad = {.width = 5, .height = 4, .stride = 14, .data = buf};
    assert_int_equal(vg_image_clone(&bad, &c, &err), VG_ERR_INVALID);
    bad.stride = 15;
    bad.data = NULL;
    assert_int_equal(vg_image_clone(&bad, &c, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_clone(&src, NULL, &err), VG_ERR_INVALID);
}

/* --- crop ---------------------------------------------------------------- */

static void check_crop(const vg_image *src, const vg_image *c, int x0, int y0, int w, int h)
{
    assert_int_equal(c->width, w);
    assert_int_equal(c->height, h);
    for (int y = 0; y < h; y++)
        assert_memory_equal(fx_px(c, 0, y), fx_px(src, x0, y0 + y), (size_t)w * 3);
}

static void test_crop(void **state)
{
    (void)state;
    vg_image *src = fx_image(20, 10, f_noise), *c = NULL;
    vg_err err;
    assert_int_equal(vg_image_crop(src, 3, 2, 5, 4, &c, &err), VG_OK);
    check_crop(src, c, 3, 2, 5, 4);
    vg_image_free(c);
    /* clipped on the left and top */
    assert_int_equal(vg_image_crop(src, -3, -2, 5, 4, &c, &err), VG_OK);
    check_crop(src, c, 0, 0, 2, 2);
    vg_image_free(c);
    /* clipped on the right and bottom */
    assert_int_equal(vg_image_crop(src, 15, 8, 100, 100, &c, &err), VG_OK);
    check_crop(src, c, 15, 8, 5, 2);
    vg_image_free(c);
    /* larger than the image on every side */
    assert_int_equal(vg_image_crop(src, -5, -5, 50, 50, &c, &err), VG_OK);
    check_crop(src, c, 0, 0, 20, 10);
    vg_image_free(c);
    /* no overflow on huge values */
    assert_int_equal(vg_image_crop(src, 2147483000, 0, 2147483000, 5, &c, &err),
                     VG_ERR_INVALID);
    assert_int_equal(vg_image_crop(src, -2147483000, 0, 2147483647, 5, &c, &err), VG_OK);
    check_crop(src, c, 0, 0, 20, 5);
    vg_image_free(c);

    c = (vg_image *)&c;
    assert_int_equal(vg_image_crop(src, 20, 0, 5, 5, &c, &err), VG_ERR_INVALID);
    assert_null(c);
    assert_non_null(strstr(err.msg, "does not overlap"));
    assert_int_equal(vg_image_crop(src, -5, 0, 5, 5, &c, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_crop(src, 0, 0, 0, 5, &c, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_crop(src, 0, 0, 5, -1, &c, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_crop(NULL, 0, 0, 5, 5, &c, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_crop(src, 0, 0, 5, 5, NULL, &err), VG_ERR_INVALID);
    vg_image_free(src);
}

/* --- resize -------------------------------------------------------------- */

static void test_resize_constant(void **state)
{
    (void)state;
    static const int sizes[][4] = {{41, 29, 112, 112}, {41, 29, 7, 5}, {640, 480, 33, 17},
                                   {1, 1, 5, 3},       {5, 3, 1, 1},   {3, 200, 200, 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        vg_image *src = fx_image(sizes[i][0], sizes[i][1], f_solid), *dst = NULL;
        vg_err err;
        if (vg_image_resize(src, sizes[i][2], sizes[i][3], &dst, &err) != VG_OK)
            fail_msg("%s", err.msg);
        assert_int_equal(dst->width, sizes[i][2]);
        assert_int_equal(dst->height, sizes[i][3]);
        for (int y = 0; y < dst->height; y++)
            for (int x = 0; x < dst->width; x++) {
                const uint8_t *p = fx_px(dst, x, y);
                if (p[0] != 51 || p[1] != 102 || p[2] != 204)
                    fail_msg("%dx%d -> %dx%d: (%d,%d) is %d %d %d", sizes[i][0], sizes[i][1],
                             sizes[i][2], sizes[i][3], x, y, p[0], p[1], p[2]);
            }
        vg_image_free(src);
        vg_image_free(dst);
    }
}

static void test_resize_gradient(void **state)
{
    (void)state;
    vg_image *src = fx_image(64, 64, f_ramp);
    static const int sizes[][2] = {{100, 100}, {37, 23}, {64, 200}, {128, 16}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        vg_image *dst = NULL;
        vg_err err;
        assert_int_equal(vg_image_resize(src, sizes[i][0], sizes[i][1], &dst, &err), VG_OK);
        for (int y = 0; y < dst->height; y++)
            for (int x = 0; x < dst->width; x++) {
                const uint8_t *p = fx_px(dst, x, y);
                if (x > 0 && p[0] < fx_px(dst, x - 1, y)[0])
                    fail_msg("red not monotonic at (%d,%d)", x, y);
                if (y > 0 && p[1] < fx_px(dst, x, y - 1)[1])
                    fail_msg("green not monotonic at (%d,%d)", x, y);
                assert_int_equal(p[2], 77);
            }
        /* the ramp spans about the same range after resizing */
        assert_true(fx_px(dst, 0, 0)[0] <= 8);
        assert_true(fx_px(dst, dst->width - 1, 0)[0] >= 244);
        vg_image_free(dst);
    }
    vg_image_free(src);
}

static void test_resize_same_size(void **state)
{
    (void)state;
    vg_image *src = fx_image(31, 17, f_noise), *dst = NULL;
    vg_err err;
    assert_int_equal(vg_image_resize(src, 31, 17, &dst, &err), VG_OK);
    assert_memory_equal(src->data, dst->data, (size_t)31 * 17 * 3);
    vg_image_free(dst);

    dst = (vg_image *)&dst;
    assert_int_equal(vg_image_resize(src, 0, 17, &dst, &err), VG_ERR_INVALID);
    assert_null(dst);
    assert_int_equal(vg_image_resize(src, 17, -3, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_resize(src, 100000, 100000, &dst, &err), VG_ERR_LIMIT);
    assert_int_equal(vg_image_resize(NULL, 17, 17, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_resize(src, 17, 17, NULL, &err), VG_ERR_INVALID);
    vg_image_free(src);
}

/* --- warp ---------------------------------------------------------------- */

static vg_image *warp(const vg_image *src, const float m[6], int w, int h)
{
    vg_image *dst = NULL;
    vg_err err;
    if (vg_image_warp_affine(src, m, w, h, &dst, &err) != VG_OK)
        fail_msg("%s", err.msg);
    return dst;
}

static void test_warp_identity(void **state)
{
    (void)state;
    vg_image *src = fx_image(37, 23, f_noise);
    static const float id[6] = {1, 0, 0, 0, 1, 0};
    vg_image *dst = warp(src, id, 37, 23);
    assert_memory_equal(src->data, dst->data, (size_t)37 * 23 * 3);
    vg_image_free(dst);
    /* a larger output: the rest is black */
    dst = warp(src, id, 40, 25);
    for (int y = 0; y < 25; y++)
        for (int x = 0; x < 40; x++) {
            const uint8_t *p = fx_px(dst, x, y);
            if (x < 37 && y < 23)
                assert_memory_equal(p, fx_px(src, x, y), 3);
            else
                assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0);
        }
    vg_image_free(dst);
    vg_image_free(src);
}

static void test_warp_translation(void **state)
{
    (void)state;
    vg_image *src = fx_image(30, 20, f_noise);
    /* dst(x, y) = src(x + 3, y - 2) */
    static const float m[6] = {1, 0, 3, 0, 1, -2};
    vg_image *dst = warp(src, m, 30, 20);
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 30; x++) {
            const uint8_t *p = fx_px(dst, x, y);
            int sx = x + 3, sy = y - 2;
            if (sx < 30 && sy >= 0)
                assert_memory_equal(p, fx_px(src, sx, sy), 3);
            else
                assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0);
        }
    vg_image_free(dst);
    vg_image_free(src);
}

/* Half a pixel off the edge: the outside neighbour counts as black. */
static void test_warp_edge_blend(void **state)
{
    (void)state;
    vg_image *src = fx_image(10, 10, f_white);
    static const float m[6] = {1, 0, -0.5f, 0, 1, 0};
    vg_image *dst = warp(src, m, 11, 10);
    assert_int_equal(fx_px(dst, 0, 5)[0], 128); /* 0.5 * 0 + 0.5 * 255, rounded */
    assert_int_equal(fx_px(dst, 5, 5)[0], 255);
    assert_int_equal(fx_px(dst, 10, 5)[0], 128);
    vg_image_free(dst);
    vg_image_free(src);
}

static void invert(const float m[6], float inv[6])
{
    double det = (double)m[0] * m[4] - (double)m[1] * m[3];
    double a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
    inv[0] = (float)a, inv[1] = (float)b, inv[2] = (float)(-(a * m[2] + b * m[5]));
    inv[3] = (float)d, inv[4] = (float)e, inv[5] = (float)(-(d * m[2] + e * m[5]));
}

static void test_warp_round_trip(void **state)
{
    (void)state;
    const int w = 96, h = 80;
    vg_image *src = fx_image(w, h, f_smooth);
    /* rotate by 12 degrees and scale by 1.1 about the centre */
    double ang = 12 * 3.14159265358979323846 / 180, s = 1.1, cx = w / 2.0, cy = h / 2.0;
    float m[6], inv[6];
    m[0] = (float)(s * cos(ang)), m[1] = (float)(-s * sin(ang));
    m[3] = (float)(s * sin(ang)), m[4] = (float)(s * cos(ang));
    m[2] = (float)(cx - m[0] * cx - m[1] * cy), m[5] = (float)(cy - m[3] * cx - m[4] * cy);
    invert(m, inv);
    vg_image *mid = warp(src, m, w, h), *back = warp(mid, inv, w, h);
    double sum = 0;
    int n = 0, worst = 0;
    for (int y = 25; y < h - 25; y++)
        for (int x = 25; x < w - 25; x++)
            for (int c = 0; c < 3; c++) {
                int d = abs(fx_px(back, x, y)[c] - fx_px(src, x, y)[c]);
                sum += d;
                worst = d > worst ? d : worst;
                n++;
            }
    if (sum / n > 1.5 || worst > 8)
        fail_msg("round trip error: mean %.2f, worst %d", sum / n, worst);
    vg_image_free(back);
    vg_image_free(mid);
    vg_image_free(src);
}

static void test_warp_args(void **state)
{
    (void)state;
    vg_image *src = fx_image(8, 8, f_noise), *dst = (vg_image *)&dst;
    vg_err err;
    static const float id[6] = {1, 0, 0, 0, 1, 0};
    float bad[6] = {1, 0, 0, 0, 1, 0};
    bad[2] = NAN;
    assert_int_equal(vg_image_warp_affine(src, bad, 8, 8, &dst, &err), VG_ERR_INVALID);
    assert_null(dst);
    bad[2] = INFINITY;
    assert_int_equal(vg_image_warp_affine(src, bad, 8, 8, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_warp_affine(src, NULL, 8, 8, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_warp_affine(NULL, id, 8, 8, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_warp_affine(src, id, 0, 8, &dst, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_warp_affine(src, id, 8, 8, NULL, &err), VG_ERR_INVALID);
    /* huge but finite coordinates: all black, no overflow */
    static const float far[6] = {1e30f, 0, 1e30f, 0, -1e30f, 0};
    dst = warp(src, far, 8, 8);
    for (int i = 0; i < 8 * 8 * 3; i++)
        assert_int_equal(dst->data[i], 0);
    vg_image_free(dst);
    vg_image_free(src);
}

/* --- sharpness and luma --------------------------------------------------- */

static void test_sharpness(void **state)
{
    (void)state;
    vg_image *sharp = fx_image(64, 64, f_checker), *small = NULL, *blurred = NULL;
    vg_err err;
    assert_int_equal(vg_image_resize(sharp, 16, 16, &small, &err), VG_OK);
    assert_int_equal(vg_image_resize(small, 64, 64, &blurred, &err), VG_OK);
    double s_sharp = vg_image_sharpness(sharp, 0, 0, 64, 64);
    double s_blur = vg_image_sharpness(blurred, 0, 0, 64, 64);
    assert_true(s_sharp > 1000);
    assert_true(s_sharp > 10 * s_blur);

    vg_image *flat = fx_image(20, 20, f_solid);
    assert_true(vg_image_sharpness(flat, 0, 0, 20, 20) == 0.0);
    /* clipping, too-small and empty regions */
    assert_true(vg_image_sharpness(sharp, -10, -10, 30, 30) > 1000);
    assert_true(vg_image_sharpness(sharp, 0, 0, 2, 64) == 0.0);
    assert_true(vg_image_sharpness(sharp, 100, 100, 5, 5) == 0.0);
    assert_true(vg_image_sharpness(sharp, 0, 0, 0, 0) == 0.0);
    assert_true(vg_image_sharpness(NULL, 0, 0, 5, 5) == 0.0);
    vg_image_free(flat);
    vg_image_free(sharp);
    vg_image_free(small);
    vg_image_free(blurred);
}

static void test_mean_luma(void **state)
{
    (void)state;
    vg_image *white = fx_image(10, 10, f_white), *black = fx_image(10, 10, f_zero);
    assert_true(vg_image_mean_luma(white, 0, 0, 10, 10) == 255.0);
    assert_true(vg_image_mean_luma(black, 0, 0, 10, 10) == 0.0);
    /* left half white */
    vg_image *half = fx_image(10, 10, f_zero);
    for (int y = 0; y < 10; y++)
        memset(half->data + y * half->stride, 255, 15);
    assert_true(fabs(vg_image_mean_luma(half, 0, 0, 10, 10) - 127.5) < 1e-9);
    assert_true(vg_image_mean_luma(half, -5, -5, 10, 100) == 255.0); /* clipped to x 0..4 */
    assert_true(vg_image_mean_luma(half, 5, 0, 5, 10) == 0.0);
    assert_true(vg_image_mean_luma(half, 50, 0, 5, 10) == 0.0);
    assert_true(vg_image_mean_luma(NULL, 0, 0, 5, 10) == 0.0);
    vg_image *blue = fx_image(4, 4, f_solid);
    assert_true(fabs(vg_image_mean_luma(blue, 0, 0, 4, 4) - 98.0) < 1.0);
    vg_image_free(blue);
    vg_image_free(half);
    vg_image_free(white);
    vg_image_free(black);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_crop),
        cmocka_unit_test(test_resize_constant),
        cmocka_unit_test(test_resize_gradient),
        cmocka_unit_test(test_resize_same_size),
        cmocka_unit_test(test_warp_identity),
        cmocka_unit_test(test_warp_translation),
        cmocka_unit_test(test_warp_edge_blend),
        cmocka_unit_test(test_warp_round_trip),
        cmocka_unit_test(test_warp_args),
        cmocka_unit_test(test_sharpness),
        cmocka_unit_test(test_mean_luma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
