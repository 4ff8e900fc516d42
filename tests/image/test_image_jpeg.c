/* test_image_jpeg.c — vg_image_encode_jpeg: round trips through the decoder
 * keep size and colour, output is a complete JPEG, bad arguments refused. */
#include "image_fixtures.h"

#include <math.h>

static uint8_t f_solid(int x, int y, int c)
{
    (void)x, (void)y;
    static const uint8_t rgb[3] = {200, 120, 40};
    return rgb[c];
}
static uint8_t f_ramp(int x, int y, int c)
{
    return (uint8_t)(c == 0 ? x * 255 / 99 : c == 1 ? y * 255 / 59 : 128);
}

static void mean_rgb(const vg_image *img, double out[3])
{
    double s[3] = {0, 0, 0};
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < 3; c++)
                s[c] += fx_px(img, x, y)[c];
    for (int c = 0; c < 3; c++)
        out[c] = s[c] / ((double)img->width * img->height);
}

static void round_trip(int w, int h, uint8_t (*f)(int, int, int), int quality, double tol)
{
    vg_image *src = fx_image(w, h, f), *back = NULL;
    vg_err err;
    uint8_t *jpg = NULL;
    size_t len = 0;
    if (vg_image_encode_jpeg(src, quality, &jpg, &len, &err) != VG_OK)
        fail_msg("%dx%d q%d: %s", w, h, quality, err.msg);
    assert_true(len > 4);
    assert_true(jpg[0] == 0xff && jpg[1] == 0xd8);             /* SOI */
    assert_true(jpg[len - 2] == 0xff && jpg[len - 1] == 0xd9); /* EOI */
    if (vg_image_decode_mem(jpg, len, 0, &back, &err) != VG_OK)
        fail_msg("%dx%d q%d decode: %s", w, h, quality, err.msg);
    assert_int_equal(back->width, w);
    assert_int_equal(back->height, h);
    double a[3], b[3];
    mean_rgb(src, a);
    mean_rgb(back, b);
    for (int c = 0; c < 3; c++)
        if (fabs(a[c] - b[c]) > tol)
            fail_msg("%dx%d q%d channel %d mean %.1f, was %.1f", w, h, quality, c, b[c], a[c]);
    free(jpg);
    vg_image_free(back);
    vg_image_free(src);
}

static void test_round_trip(void **state)
{
    (void)state;
    round_trip(100, 60, f_solid, 90, 3);
    round_trip(100, 60, f_ramp, 90, 3);
    round_trip(100, 60, f_ramp, 1, 12);
    round_trip(17, 9, f_ramp, 75, 6);
    round_trip(1, 1, f_solid, 100, 4);
}

static void test_padded_stride(void **state)
{
    (void)state;
    uint8_t buf[8 * 40];
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 40; x++)
            buf[y * 40 + x] = x < 30 ? (x % 3 == 0 ? 200 : x % 3 == 1 ? 120 : 40) : 0x5a;
    vg_image img = {.width = 10, .height = 8, .stride = 40, .data = buf};
    uint8_t *jpg;
    size_t len;
    vg_err err;
    assert_int_equal(vg_image_encode_jpeg(&img, 95, &jpg, &len, &err), VG_OK);
    vg_image *back;
    assert_int_equal(vg_image_decode_mem(jpg, len, 0, &back, &err), VG_OK);
    double m[3];
    mean_rgb(back, m);
    assert_true(fabs(m[0] - 200) < 4 && fabs(m[1] - 120) < 4 && fabs(m[2] - 40) < 4);
    vg_image_free(back);
    free(jpg);
}

static void test_args(void **state)
{
    (void)state;
    vg_image *img = fx_image(8, 8, f_solid);
    uint8_t *jpg = (uint8_t *)&jpg;
    size_t len = 99;
    vg_err err;
    assert_int_equal(vg_image_encode_jpeg(img, 0, &jpg, &len, &err), VG_ERR_INVALID);
    assert_null(jpg);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err.msg, "quality"));
    assert_int_equal(vg_image_encode_jpeg(img, 101, &jpg, &len, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_encode_jpeg(NULL, 90, &jpg, &len, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_encode_jpeg(img, 90, NULL, &len, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_encode_jpeg(img, 90, &jpg, NULL, &err), VG_ERR_INVALID);
    vg_image bad = {.width = 8, .height = 8, .stride = 3, .data = img->data};
    assert_int_equal(vg_image_encode_jpeg(&bad, 90, &jpg, &len, &err), VG_ERR_INVALID);
    vg_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_padded_stride),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
