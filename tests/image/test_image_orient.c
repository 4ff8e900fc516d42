/* test_image_orient.c — vg_image_orient against a reference per EXIF
 * orientation (the stored picture built from the specification's wording in
 * exif_fixtures.h, turned back upright, pixel for pixel), on odd sizes,
 * sizes over the 64-pixel tile and a padded stride; bad orientations
 * refused; and libavutil display matrices read as the orientation they
 * describe. */
#include "exif_fixtures.h"
#include "image/orient.h"

static uint8_t unique(int x, int y, int c)
{
    /* Distinct for every (x, y) of the sizes below, per channel pattern. */
    return (uint8_t)(c == 0 ? x : c == 1 ? y : 7 * x + 13 * y);
}

static vg_image *upright(int w, int h)
{
    vg_image *img = NULL;
    vg_err err;
    assert_int_equal(vg_image_new(w, h, &img, &err), VG_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                img->data[(size_t)y * img->stride + 3 * (size_t)x + c] = unique(x, y, c);
    return img;
}

static void assert_same(const vg_image *a, const vg_image *b, int o)
{
    if (a->width != b->width || a->height != b->height)
        fail_msg("orientation %d: %dx%d, expected %dx%d", o, a->width, a->height, b->width,
                 b->height);
    for (int y = 0; y < a->height; y++)
        if (memcmp(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride,
                   3 * (size_t)a->width) != 0)
            fail_msg("orientation %d: row %d differs", o, y);
}

static void test_each_orientation(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1}, {1, 5}, {5, 1}, {7, 3}, {4, 4}, {33, 17}, {16, 40}, {130, 67}, {64, 129}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        vg_image *up = upright(sizes[k][0], sizes[k][1]);
        for (int o = 1; o <= 8; o++) {
            vg_image *stored = fx_stored_for(up, o), *back = NULL;
            vg_err err = {{0}};
            if (vg_image_orient(stored, o, &back, &err) != VG_OK)
                fail_msg("orientation %d: %s", o, err.msg);
            assert_same(back, up, o);
            vg_image_free(back);
            vg_image_free(stored);
        }
        vg_image_free(up);
    }
}

static bool same_picture(const vg_image *a, const vg_image *b)
{
    if (a->width != b->width || a->height != b->height)
        return false;
    for (int y = 0; y < a->height; y++)
        if (memcmp(a->data + (size_t)y * a->stride, b->data + (size_t)y * b->stride,
                   3 * (size_t)a->width) != 0)
            return false;
    return true;
}

/* Each orientation gives a different picture of an asymmetric one (so a
 * table with two entries swapped would fail above), and 6 and 8 are the
 * quarter turns they are named for. */
static void test_orientations_differ(void **state)
{
    (void)state;
    vg_image *up = upright(5, 3), *out[9] = {0};
    vg_err err;
    for (int o = 1; o <= 8; o++)
        assert_int_equal(vg_image_orient(up, o, &out[o], &err), VG_OK);
    for (int i = 1; i <= 8; i++)
        for (int j = i + 1; j <= 8; j++)
            if (same_picture(out[i], out[j]))
                fail_msg("orientations %d and %d give the same picture", i, j);
    /* Turned clockwise: the stored bottom-left corner (0, 2) is now top-left. */
    assert_int_equal(out[6]->width, 3);
    assert_int_equal(out[6]->data[0], 0);
    assert_int_equal(out[6]->data[1], 2);
    /* Turned anticlockwise: the stored top-right corner (4, 0) is now top-left. */
    assert_int_equal(out[8]->data[0], 4);
    assert_int_equal(out[8]->data[1], 0);
    for (int o = 1; o <= 8; o++)
        vg_image_free(out[o]);
    vg_image_free(up);
}

/* A source whose rows are padded (stride > 3 * width) is read by its stride. */
static void test_padded_stride(void **state)
{
    (void)state;
    vg_image *up = upright(6, 4);
    for (int o = 1; o <= 8; o++) {
        vg_image *stored = fx_stored_for(up, o), *back = NULL;
        int stride = 3 * stored->width + 5;
        uint8_t *buf = calloc((size_t)stride * (size_t)stored->height, 1);
        assert_non_null(buf);
        for (int y = 0; y < stored->height; y++) {
            memcpy(buf + (size_t)y * stride, stored->data + (size_t)y * stored->stride,
                   3 * (size_t)stored->width);
            memset(buf + (size_t)y * stride + 3 * stored->width, 0xee, 5);
        }
        vg_image padded = {stored->width, stored->height, stride, buf};
        vg_err err;
        assert_int_equal(vg_image_orient(&padded, o, &back, &err), VG_OK);
        assert_same(back, up, o);
        vg_image_free(back);
        free(buf);
        vg_image_free(stored);
    }
    vg_image_free(up);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    vg_image *up = upright(3, 2), *out = up;
    vg_err err;
    static const int bad[] = {0, 9, -1, 65535};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        out = up;
        assert_int_equal(vg_image_orient(up, bad[k], &out, &err), VG_ERR_INVALID);
        assert_null(out);
        assert_non_null(strstr(err.msg, "orientation"));
    }
    assert_int_equal(vg_image_orient(NULL, 1, &out, &err), VG_ERR_INVALID);
    assert_null(out);
    assert_int_equal(vg_image_orient(up, 1, NULL, &err), VG_ERR_INVALID);
    vg_image_free(up);
}

/* The matrices FFmpeg 5.1's JPEG decoder exports for EXIF orientations 2..8
 * (as `ffprobe -show_frames` prints them), and others that are no
 * right-angle turn. */
static void test_display_matrix(void **state)
{
    (void)state;
    const int32_t one = 1 << 16, w = 1 << 30;
    const int32_t m[9][9] = {
        {0},
        {one, 0, 0, 0, one, 0, 0, 0, w},
        {-one, 0, 0, 0, one, 0, 0, 0, w},
        {-one, 0, 0, 0, -one, 0, 0, 0, w},
        {one, 0, 0, 0, -one, 0, 0, 0, w},
        {0, one, 0, one, 0, 0, 0, 0, w},
        {0, one, 0, -one, 0, 0, 0, 0, w},
        {0, -one, 0, -one, 0, 0, 0, 0, w},
        {0, -one, 0, one, 0, 0, 0, 0, w},
    };
    for (int o = 1; o <= 8; o++)
        assert_int_equal(vg_image_orientation_from_matrix(m[o]), o);
    /* A scaled quarter turn is still one. */
    const int32_t scaled[9] = {0, 2 * one, 0, -2 * one, 0, 0, 0, 0, w};
    assert_int_equal(vg_image_orientation_from_matrix(scaled), 6);
    /* 30 degrees, a skew, a squash, all zeros, and no matrix at all: none. */
    const int32_t deg30[9] = {56756, 32768, 0, -32768, 56756, 0, 0, 0, w};
    const int32_t skew[9] = {one, one, 0, 0, one, 0, 0, 0, w};
    const int32_t squash[9] = {one, 0, 0, 0, 2 * one, 0, 0, 0, w};
    const int32_t zero[9] = {0};
    assert_int_equal(vg_image_orientation_from_matrix(deg30), 0);
    assert_int_equal(vg_image_orientation_from_matrix(skew), 0);
    assert_int_equal(vg_image_orientation_from_matrix(squash), 0);
    assert_int_equal(vg_image_orientation_from_matrix(zero), 0);
    assert_int_equal(vg_image_orientation_from_matrix(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_orientation), cmocka_unit_test(test_orientations_differ),
        cmocka_unit_test(test_padded_stride),    cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_display_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
