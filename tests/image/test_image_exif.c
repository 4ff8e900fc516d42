/* test_image_exif.c — decoding applies the EXIF orientation: JPEGs encoded
 * with TurboJPEG from a known asymmetric picture as a camera would store it
 * for each orientation 1..8, tagged with an EXIF APP1 segment (both byte
 * orders), decode upright; a lossless WebP with an EXIF chunk does too;
 * corrupt or absurd EXIF (orientation 0, 9, 65535, a truncated IFD, an IFD
 * outside the block, a bad byte-order mark) leaves the picture as stored. */
#include "exif_fixtures.h"
#include "image_fixtures.h"

#define CELL 16
#define COLS 4
#define ROWS 3

/* Twelve colours, each pair apart by >= 128 in some channel. */
static const uint8_t palette[COLS * ROWS][3] = {
    {255, 0, 0},   {0, 255, 0},     {0, 0, 255},   {255, 255, 0}, {255, 0, 255}, {0, 255, 255},
    {255, 255, 255}, {0, 0, 0},     {128, 0, 0},   {0, 128, 255}, {255, 128, 0}, {128, 255, 128},
};

static uint8_t cells(int x, int y, int c) { return palette[(y / CELL) * COLS + x / CELL][c]; }

/* Checks that img shows `up`'s cells in place: the centre of each 16x16 cell
 * of `up`, found at the same place in img, within tol of its colour. */
static void assert_cells(const vg_image *img, const vg_image *up, int tol, const char *what)
{
    if (img->width != up->width || img->height != up->height)
        fail_msg("%s: %dx%d, expected %dx%d", what, img->width, img->height, up->width,
                 up->height);
    for (int cy = CELL / 2; cy < up->height; cy += CELL)
        for (int cx = CELL / 2; cx < up->width; cx += CELL)
            for (int c = 0; c < 3; c++) {
                int got = fx_px(img, cx, cy)[c], want = fx_px(up, cx, cy)[c];
                if (abs(got - want) > tol)
                    fail_msg("%s: cell at (%d,%d) channel %d is %d, expected %d", what, cx, cy, c,
                             got, want);
            }
}

static vg_image *decode(const uint8_t *buf, size_t len, const char *what)
{
    vg_image *img = NULL;
    vg_err err = {{0}};
    if (vg_image_decode_mem(buf, len, 0, &img, &err) != VG_OK)
        fail_msg("%s: %s", what, err.msg);
    return img;
}

/* Orientation o, each byte order: decodes to the upright picture. */
static void test_jpeg_each_orientation(void **state)
{
    (void)state;
    vg_image *up = fx_image(COLS * CELL, ROWS * CELL, cells);
    for (int o = 1; o <= 8; o++)
        for (int be = 0; be <= 1; be++) {
            vg_image *stored = fx_stored_for(up, o);
            size_t len;
            uint8_t *jpeg = fx_jpeg_tagged(stored, 95, (unsigned)o, be, &len);
            char what[64];
            snprintf(what, sizeof what, "orientation %d (%s)", o, be ? "MM" : "II");
            vg_image *img = decode(jpeg, len, what);
            assert_cells(img, up, 24, what);
            vg_image_free(img);
            free(jpeg);
            vg_image_free(stored);
        }
    vg_image_free(up);
}

/* The control: the same stored pictures without the tag decode as stored,
 * so the test above sees the tag's effect, not the encoder's. */
static void test_jpeg_untagged_as_stored(void **state)
{
    (void)state;
    vg_image *up = fx_image(COLS * CELL, ROWS * CELL, cells);
    for (int o = 2; o <= 8; o++) {
        vg_image *stored = fx_stored_for(up, o);
        uint8_t *jpeg = NULL;
        size_t len = 0;
        vg_err err;
        assert_int_equal(vg_image_encode_jpeg(stored, 95, &jpeg, &len, &err), VG_OK);
        vg_image *img = decode(jpeg, len, "untagged");
        assert_cells(img, stored, 24, "untagged");
        vg_image_free(img);
        free(jpeg);
        vg_image_free(stored);
    }
    vg_image_free(up);
}

/* A valid TIFF block with orientation 6, then damaged by `damage`. */
typedef struct bad_exif {
    const char *what;
    unsigned value;
    size_t keep;  /* bytes of the 26-byte TIFF block kept (0: all) */
    int offset;   /* index of a byte to overwrite (-1: none) */
    uint8_t byte; /* its new value */
} bad_exif;

static void test_jpeg_bad_exif(void **state)
{
    (void)state;
    static const bad_exif cases[] = {
        {"orientation 0", 0, 0, -1, 0},
        {"orientation 9", 9, 0, -1, 0},
        {"orientation 65535", 65535, 0, -1, 0},
        {"IFD cut inside its entry", 6, 14, -1, 0},
        {"IFD cut after its count", 6, 10, -1, 0},
        {"TIFF header only", 6, 8, -1, 0},
        {"entry count 65281", 6, 0, 8, 0xff},
        {"IFD offset past the block", 6, 0, 4, 0x7f},
        {"bad byte-order mark", 6, 0, 0, 'X'},
        {"type 0 instead of SHORT", 6, 0, 13, 0},
        {"count 2^31", 6, 0, 14, 0x80},
    };
    vg_image *up = fx_image(COLS * CELL, ROWS * CELL, cells);
    /* Stored turned (as for orientation 6), so "applied" and "ignored" differ. */
    vg_image *stored = fx_stored_for(up, 6);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    vg_err err;
    assert_int_equal(vg_image_encode_jpeg(stored, 95, &plain, &plain_len, &err), VG_OK);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const bad_exif *c = &cases[k];
        uint8_t tiff[32], seg[64];
        size_t tiff_len = fx_tiff_orientation(c->value, true, tiff);
        if (c->keep)
            tiff_len = c->keep;
        if (c->offset >= 0)
            tiff[c->offset] = c->byte;
        size_t seg_len = fx_app1(tiff, tiff_len, seg), len;
        uint8_t *jpeg = fx_jpeg_insert(plain, plain_len, seg, seg_len, &len);
        vg_image *img = decode(jpeg, len, c->what);
        assert_cells(img, stored, 24, c->what);
        vg_image_free(img);
        free(jpeg);
    }
    free(plain);
    vg_image_free(stored);
    vg_image_free(up);
}

/* Writes img as a binary PPM (for the ffmpeg command to read). */
static void write_ppm(const char *path, const vg_image *img)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fprintf(f, "P6\n%d %d\n255\n", img->width, img->height);
    for (int y = 0; y < img->height; y++)
        assert_int_equal(fwrite(img->data + (size_t)y * img->stride, 1, 3 * (size_t)img->width, f),
                         3 * (size_t)img->width);
    assert_int_equal(fclose(f), 0);
}

static void put_le(uint8_t *p, uint32_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put_le32(uint8_t *p, uint32_t v) { put_le(p, v, 4); }
static void put_le24(uint8_t *p, uint32_t v) { put_le(p, v, 3); }

/* The simple-format WebP `in` rewrapped as an extended one (VP8X, EXIF flag)
 * followed by an EXIF chunk holding tiff. */
static uint8_t *webp_with_exif(const uint8_t *in, size_t len, int w, int h, const uint8_t *tiff,
                               size_t tiff_len, size_t *out_len)
{
    assert_true(len > 12 && memcmp(in, "RIFF", 4) == 0 && memcmp(in + 8, "WEBP", 4) == 0);
    size_t body = len - 12, exif_pad = tiff_len & 1;
    size_t total = 12 + 18 + body + 8 + tiff_len + exif_pad;
    uint8_t *out = calloc(total, 1);
    assert_non_null(out);
    memcpy(out, "RIFF", 4);
    put_le32(out + 4, (uint32_t)(total - 8));
    memcpy(out + 8, "WEBP", 4);
    uint8_t *p = out + 12;
    memcpy(p, "VP8X", 4);
    put_le32(p + 4, 10);
    p[8] = 0x08; /* EXIF present */
    put_le24(p + 12, (uint32_t)(w - 1)); /* canvas size minus one */
    put_le24(p + 15, (uint32_t)(h - 1));
    p += 18;
    memcpy(p, in + 12, body);
    p += body;
    memcpy(p, "EXIF", 4);
    put_le32(p + 4, (uint32_t)tiff_len);
    memcpy(p + 8, tiff, tiff_len);
    *out_len = total;
    return out;
}

static void test_webp_orientation(void **state)
{
    (void)state;
    if (!fx_have_ffmpeg())
        skip();
    char *dir = fx_tmpdir();
    vg_image *up = fx_image(COLS * CELL, ROWS * CELL, cells);
    for (int o = 1; o <= 8; o++) {
        vg_image *stored = fx_stored_for(up, o);
        char path[256];
        snprintf(path, sizeof path, "%s/s.ppm", dir);
        write_ppm(path, stored);
        if (!fx_ffmpeg(dir, "-i s.ppm -c:v libwebp -lossless 1 s.webp")) {
            vg_image_free(stored);
            vg_image_free(up);
            fx_tmpdir_remove(dir);
            skip();
        }
        snprintf(path, sizeof path, "%s/s.webp", dir);
        uint8_t *webp, tiff[32];
        size_t len = fx_read(path, &webp), out_len;
        size_t tiff_len = fx_tiff_orientation((unsigned)o, o % 2, tiff);
        uint8_t *tagged =
            webp_with_exif(webp, len, stored->width, stored->height, tiff, tiff_len, &out_len);
        char what[64];
        snprintf(what, sizeof what, "WebP orientation %d", o);
        vg_image *img = decode(tagged, out_len, what);
        assert_cells(img, up, 0, what);
        vg_image_free(img);
        free(tagged);
        free(webp);
        vg_image_free(stored);
    }
    vg_image_free(up);
    fx_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jpeg_each_orientation),
        cmocka_unit_test(test_jpeg_untagged_as_stored),
        cmocka_unit_test(test_jpeg_bad_exif),
        cmocka_unit_test(test_webp_orientation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
