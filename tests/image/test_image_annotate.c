/* test_image_annotate.c — vg_image_pixelate (every cell of the region one
 * flat colour, the mean of what it covers; nothing outside touched; clipping;
 * small and odd regions; argument checks), vg_image_coarsen (the whole
 * frame in flat cells of the mean colour), vg_image_copy_rect, and
 * vg_image_draw_box (the outline only, clipped). */
#include "image_fixtures.h"

#include <math.h>

static uint8_t f_noise(int x, int y, int c)
{
    uint32_t v = (uint32_t)x * 73856093u ^ (uint32_t)y * 19349663u ^ (uint32_t)c * 83492791u;
    v ^= v >> 13;
    v *= 0x5bd1e995u;
    v ^= v >> 15;
    return (uint8_t)v;
}

static uint8_t f_grey(int x, int y, int c) { (void)x, (void)y, (void)c; return 90; }

/* 1 when a and b have the same pixels outside the rectangle (x, y, w, h). */
static int same_outside(const vg_image *a, const vg_image *b, int x, int y, int w, int h)
{
    for (int j = 0; j < a->height; j++)
        for (int i = 0; i < a->width; i++) {
            if (i >= x && i < x + w && j >= y && j < y + h)
                continue;
            if (memcmp(fx_px(a, i, j), fx_px(b, i, j), 3))
                return 0;
        }
    return 1;
}

/* Distinct colours inside (x, y, w, h). */
static int colours_in(const vg_image *img, int x, int y, int w, int h)
{
    static uint32_t seen[4096];
    int n = 0;
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++) {
            const uint8_t *p = fx_px(img, i, j);
            uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            int k = 0;
            while (k < n && seen[k] != v)
                k++;
            if (k == n && n < 4096)
                seen[n++] = v;
        }
    return n;
}

static void test_pixelate_cells(void **state)
{
    (void)state;
    vg_image *img = fx_image(200, 160, f_noise), *orig = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(img, &orig, &err), VG_OK);
    /* 120 x 80 at (40, 30), 6 blocks along the longer side: 6 x 4 cells of
     * 20 px */
    assert_int_equal(vg_image_pixelate(img, 40, 30, 120, 80, 6, &err), VG_OK);
    assert_true(same_outside(img, orig, 40, 30, 120, 80));
    assert_true(colours_in(orig, 40, 30, 120, 80) > 1000);
    assert_true(colours_in(img, 40, 30, 120, 80) <= 24);
    for (int cy = 0; cy < 4; cy++)
        for (int cx = 0; cx < 6; cx++) {
            int x0 = 40 + 20 * cx, y0 = 30 + 20 * cy, ch = 20;
            assert_int_equal(colours_in(img, x0, y0, 20, ch), 1);
            /* the cell's colour is the mean of the pixels it covered */
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int j = y0; j < y0 + ch; j++)
                    for (int i = x0; i < x0 + 20; i++)
                        sum += fx_px(orig, i, j)[c];
                double mean = sum / (20.0 * ch);
                assert_true(fabs(mean - fx_px(img, x0, y0)[c]) <= 2.0);
            }
        }
    /* the sharpness of the region collapses: nothing of the detail is left */
    assert_true(vg_image_sharpness(img, 41, 31, 118, 78) < 0.2 * vg_image_sharpness(orig, 41, 31, 118, 78));
    /* a size the cells do not divide: 6 x 5 cells stretched over 120 x 90 */
    vg_image_free(img);
    img = NULL;
    assert_int_equal(vg_image_clone(orig, &img, &err), VG_OK);
    assert_int_equal(vg_image_pixelate(img, 40, 30, 120, 90, 6, &err), VG_OK);
    assert_true(same_outside(img, orig, 40, 30, 120, 90));
    assert_true(colours_in(img, 40, 30, 120, 90) <= 30);
    vg_image_free(orig);
    vg_image_free(img);
}

static void test_pixelate_clipped(void **state)
{
    (void)state;
    vg_image *img = fx_image(100, 80, f_noise), *orig = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(img, &orig, &err), VG_OK);
    /* half outside on the left and top */
    assert_int_equal(vg_image_pixelate(img, -30, -20, 60, 40, 3, &err), VG_OK);
    assert_true(same_outside(img, orig, 0, 0, 30, 20));
    assert_true(colours_in(img, 0, 0, 30, 20) <= 6); /* 3 x 2 cells of 10 px */
    /* wholly outside: nothing changes, and it is no error */
    vg_image *before = NULL;
    assert_int_equal(vg_image_clone(img, &before, &err), VG_OK);
    assert_int_equal(vg_image_pixelate(img, 100, 0, 20, 20, 4, &err), VG_OK);
    assert_int_equal(vg_image_pixelate(img, -50, -50, 50, 50, 4, &err), VG_OK);
    assert_memory_equal(img->data, before->data, (size_t)img->stride * 80);
    vg_image_free(before);
    vg_image_free(orig);
    vg_image_free(img);
}

static void test_pixelate_small(void **state)
{
    (void)state;
    vg_image *img = fx_image(64, 64, f_noise), *orig = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(img, &orig, &err), VG_OK);
    /* regions of a few pixels, thin strips, odd sizes: no crash, nothing
     * outside touched */
    static const int r[][5] = {{5, 5, 1, 1, 4},  {5, 5, 2, 3, 4},   {0, 0, 1, 40, 4}, {10, 10, 40, 1, 4},
                               {3, 7, 17, 29, 5}, {0, 0, 64, 64, 1}, {8, 8, 9, 9, 64}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        vg_image_free(img);
        img = NULL;
        assert_int_equal(vg_image_clone(orig, &img, &err), VG_OK);
        assert_int_equal(vg_image_pixelate(img, r[i][0], r[i][1], r[i][2], r[i][3], r[i][4], &err), VG_OK);
        assert_true(same_outside(img, orig, r[i][0], r[i][1], r[i][2], r[i][3]));
    }
    /* the last: more blocks than pixels, cells of one pixel, nothing changes */
    assert_memory_equal(img->data, orig->data, (size_t)img->stride * 64);
    /* one block: the whole region becomes its mean colour */
    vg_image_free(img);
    img = NULL;
    assert_int_equal(vg_image_clone(orig, &img, &err), VG_OK);
    assert_int_equal(vg_image_pixelate(img, 0, 0, 64, 64, 1, &err), VG_OK);
    assert_int_equal(colours_in(img, 0, 0, 64, 64), 1);
    vg_image_free(orig);
    vg_image_free(img);
}

static void test_pixelate_args(void **state)
{
    (void)state;
    vg_image *img = fx_image(32, 32, f_noise), *orig = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(img, &orig, &err), VG_OK);
    assert_int_equal(vg_image_pixelate(img, 0, 0, 16, 16, 0, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "blocks"));
    assert_int_equal(vg_image_pixelate(img, 0, 0, 16, 16, VG_IMAGE_PIXELATE_BLOCKS_MAX + 1, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_pixelate(img, 0, 0, 0, 16, 4, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_pixelate(img, 0, 0, 16, -3, 4, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_pixelate(NULL, 0, 0, 16, 16, 4, &err), VG_ERR_INVALID);
    assert_memory_equal(img->data, orig->data, (size_t)img->stride * 32);
    vg_image_free(orig);
    vg_image_free(img);
}

static void test_coarsen(void **state)
{
    (void)state;
    vg_image *img = fx_image(90, 60, f_noise), *orig = NULL;
    vg_err err;
    assert_int_equal(vg_image_clone(img, &orig, &err), VG_OK);
    /* 3-pixel cells: 30 x 20 of them, each one flat colour, its mean */
    assert_int_equal(vg_image_coarsen(img, 3, &err), VG_OK);
    for (int cy = 0; cy < 20; cy++)
        for (int cx = 0; cx < 30; cx++) {
            assert_int_equal(colours_in(img, 3 * cx, 3 * cy, 3, 3), 1);
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int j = 0; j < 3; j++)
                    for (int i = 0; i < 3; i++)
                        sum += fx_px(orig, 3 * cx + i, 3 * cy + j)[c];
                assert_true(fabs(sum / 9.0 - fx_px(img, 3 * cx, 3 * cy)[c]) <= 2.0);
            }
        }
    /* copy_rect puts back exactly the rectangle, clipped, and nothing else */
    vg_image *coarse = NULL;
    assert_int_equal(vg_image_clone(img, &coarse, &err), VG_OK);
    assert_int_equal(vg_image_copy_rect(img, orig, 70, 40, 40, 40, &err), VG_OK);
    assert_true(same_outside(img, coarse, 70, 40, 20, 20));
    for (int j = 40; j < 60; j++)
        assert_memory_equal(fx_px(img, 70, j), fx_px(orig, 70, j), 3 * 20);
    /* a cell of 1 changes nothing; bad arguments are refused */
    vg_image *before = NULL;
    assert_int_equal(vg_image_clone(img, &before, &err), VG_OK);
    assert_int_equal(vg_image_coarsen(img, 1, &err), VG_OK);
    assert_memory_equal(img->data, before->data, (size_t)img->stride * 60);
    assert_int_equal(vg_image_coarsen(img, 0, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_coarsen(img, 65, &err), VG_ERR_INVALID);
    vg_image *other = fx_image(30, 30, f_grey);
    assert_int_equal(vg_image_copy_rect(img, other, 0, 0, 10, 10, &err), VG_ERR_INVALID);
    assert_memory_equal(img->data, before->data, (size_t)img->stride * 60);
    vg_image_free(other);
    vg_image_free(before);
    vg_image_free(coarse);
    vg_image_free(orig);
    vg_image_free(img);
}

static void test_draw_box(void **state)
{
    (void)state;
    vg_image *img = fx_image(50, 40, f_grey);
    vg_err err;
    const uint8_t red[3] = {255, 0, 0};
    assert_int_equal(vg_image_draw_box(img, 10, 5, 20, 15, 2, red, &err), VG_OK);
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 50; x++) {
            int inside = x >= 10 && x < 30 && y >= 5 && y < 20;
            int interior = x >= 12 && x < 28 && y >= 7 && y < 18;
            const uint8_t *p = fx_px(img, x, y);
            if (inside && !interior)
                assert_memory_equal(p, red, 3);
            else
                assert_true(p[0] == 90 && p[1] == 90 && p[2] == 90);
        }
    /* clipped at the corner: the visible part of the outline only */
    vg_image_free(img);
    img = fx_image(50, 40, f_grey);
    assert_int_equal(vg_image_draw_box(img, 40, 30, 20, 20, 1, red, &err), VG_OK);
    assert_memory_equal(fx_px(img, 40, 35), red, 3); /* the left edge */
    assert_memory_equal(fx_px(img, 45, 30), red, 3); /* the top edge */
    assert_int_equal(fx_px(img, 45, 35)[0], 90);     /* the interior */
    assert_int_equal(fx_px(img, 49, 39)[0], 90);
    /* a thickness larger than the box fills it */
    assert_int_equal(vg_image_draw_box(img, 0, 0, 3, 3, 9, red, &err), VG_OK);
    assert_memory_equal(fx_px(img, 1, 1), red, 3);
    assert_int_equal(vg_image_draw_box(img, 0, 0, 3, 3, 0, red, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_draw_box(img, 0, 0, 0, 3, 1, red, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_draw_box(img, 0, 0, 3, 3, 1, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(vg_image_draw_box(NULL, 0, 0, 3, 3, 1, red, &err), VG_ERR_INVALID);
    vg_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pixelate_cells),   cmocka_unit_test(test_pixelate_clipped),
        cmocka_unit_test(test_pixelate_small),   cmocka_unit_test(test_pixelate_args),
        cmocka_unit_test(test_coarsen),          cmocka_unit_test(test_draw_box),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
