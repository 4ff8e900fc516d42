/* test_image_declared_size.c — the header reader decode.c uses to refuse
 * oversize images before decoding: each format's size fields, and malformed
 * or truncated headers giving "unknown" (0) rather than a wrong size. */
#include "vg_test.h"
#include "image/declared_size.h"

static void expect(const void *buf, size_t len, long long w, long long h)
{
    long long gw = -1, gh = -1;
    int r = vg_image_declared_size(buf, len, &gw, &gh);
    if (w < 0) {
        if (r != 0)
            fail_msg("expected no size, got %lldx%lld", gw, gh);
        return;
    }
    if (r != 1 || gw != w || gh != h)
        fail_msg("expected %lldx%lld, got %d %lldx%lld", w, h, r, gw, gh);
}
#define NONE(buf, len) expect(buf, len, -1, -1)

static void test_png(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                'I',  'H', 'D', 'R', 0,    0,    0x01, 0x02, 0, 0, 0, 0x9b};
    expect(b, sizeof b, 258, 155);
    NONE(b, sizeof b - 1);
    uint8_t c[sizeof b];
    memcpy(c, b, sizeof b);
    c[12] = 'X'; /* not IHDR */
    NONE(c, sizeof c);
    memcpy(c, b, sizeof b);
    c[16] = 0x80; /* width over 2^31: no format allows it */
    NONE(c, sizeof c);
    memcpy(c, b, sizeof b);
    c[22] = 0, c[23] = 0; /* zero height */
    NONE(c, sizeof c);
}

static void test_jpeg(void **state)
{
    (void)state;
    /* SOI, fill byte, APP0 (length 4), RST0, SOF2 (progressive) */
    static const uint8_t b[] = {0xff, 0xd8, 0xff, 0xff, 0xe0, 0, 4, 0xaa, 0xbb, 0xff, 0xd0,
                                0xff, 0xc2, 0,    11,   8,    0x01, 0x40, 0x00, 0xf0, 1};
    expect(b, sizeof b, 240, 320);
    NONE(b, 18); /* SOF cut short */
    /* DHT (0xc4) is not a frame header */
    static const uint8_t dht[] = {0xff, 0xd8, 0xff, 0xc4, 0, 6, 8, 1, 2, 3,
                                  0xff, 0xc0, 0,    11,   8, 0, 2, 0, 3, 1};
    expect(dht, sizeof dht, 3, 2);
    /* scan data before any frame header, and a bad segment length */
    static const uint8_t sos[] = {0xff, 0xd8, 0xff, 0xda, 0, 4, 0xff, 0xc0, 0, 11, 8, 0, 2, 0, 3};
    NONE(sos, sizeof sos);
    static const uint8_t badlen[] = {0xff, 0xd8, 0xff, 0xe0, 0, 1,  0xff, 0xc0,
                                     0,    11,   8,    0,    2, 0, 3};
    NONE(badlen, sizeof badlen);
    static const uint8_t dnl[] = {0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 0, 0, 3, 1}; /* height 0 */
    NONE(dnl, sizeof dnl);
}

static void test_bmp(void **state)
{
    (void)state;
    uint8_t b[26] = {'B', 'M'};
    b[14] = 40;
    b[18] = 0x10, b[19] = 0x01;             /* width 272 */
    b[22] = 0xf0, b[23] = b[24] = b[25] = 0xff; /* height -16: top-down */
    expect(b, sizeof b, 272, 16);
    b[14] = 12; /* OS/2 core header: 16-bit fields */
    b[18] = 7, b[19] = 0, b[20] = 9, b[21] = 0;
    expect(b, sizeof b, 7, 9);
    b[14] = 13; /* no such header */
    NONE(b, sizeof b);
    NONE(b, 20);
}

static void test_gif(void **state)
{
    (void)state;
    expect("GIF87a\x01\x02\x03\x04", 10, 0x201, 0x403);
    expect("GIF89a\x01\x00\x01\x00", 10, 1, 1);
    NONE("GIF90a\x01\x00\x01\x00", 10);
    NONE("GIF89a\x01\x00\x01", 9);
}

static void test_webp(void **state)
{
    (void)state;
    /* lossy: frame tag, start code, 14-bit sizes (top bits are scaling) */
    static const uint8_t vp8[] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
                                  'V', 'P', '8', ' ', 10, 0, 0, 0, 0, 0, 0,
                                  0x9d, 0x01, 0x2a, 0x40, 0xc1, 0x20, 0x40};
    expect(vp8, sizeof vp8, 320, 32);
    /* extended: VP8X canvas (ignored), an ICCP chunk of odd size, then VP8L */
    static const uint8_t vp8x[] = {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P',
                                   'V', 'P', '8', 'X', 10, 0, 0, 0, 0, 0, 0, 0,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   'I', 'C', 'C', 'P', 1, 0, 0, 0, 0xee, 0,
                                   'V', 'P', '8', 'L', 5, 0, 0, 0, 0x2f, 0x1f, 0xc0, 0x07, 0};
    expect(vp8x, sizeof vp8x, 32, 32);
    NONE(vp8x, sizeof vp8x - 2);
    uint8_t bad[sizeof vp8];
    memcpy(bad, vp8, sizeof vp8);
    bad[23] = 0; /* broken start code */
    NONE(bad, sizeof bad);
    memcpy(bad, vp8, sizeof vp8);
    bad[16] = 0xff, bad[19] = 0x7f; /* chunk runs past the end: never followed */
    memcpy(bad + 12, "ALPH", 4);
    NONE(bad, sizeof bad);
}

static void test_tiff(void **state)
{
    (void)state;
    /* little-endian: two entries, SHORT width, LONG height */
    static const uint8_t le[] = {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0,
                                 0x00, 0x01, 3, 0, 1, 0, 0, 0, 0x2c, 0x01, 0, 0,
                                 0x01, 0x01, 4, 0, 1, 0, 0, 0, 0xc8, 0, 0, 0};
    expect(le, sizeof le, 300, 200);
    NONE(le, sizeof le - 4); /* second entry cut off */
    /* big-endian, SHORT values left-justified */
    static const uint8_t be[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 2,
                                 0x01, 0x00, 0, 3, 0, 0, 0, 1, 0x01, 0x2c, 0, 0,
                                 0x01, 0x01, 0, 3, 0, 0, 0, 1, 0, 0xc8, 0, 0};
    expect(be, sizeof be, 300, 200);
    static const uint8_t far[] = {'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0xff, 0, 0};
    NONE(far, sizeof far);
}

static void test_qoi_pnm(void **state)
{
    (void)state;
    expect("qoif\0\0\x01\0\0\0\0\x02", 12, 256, 2);
    expect("P6\n# comment 99 99\n  640\t480\n255\n", 33, 640, 480);
    expect("P1 3 2 ", 7, 3, 2);
    NONE("P6\n640", 6);      /* no height */
    NONE("P7\nWIDTH 3\n", 11); /* PAM: left to FFmpeg */
    NONE("P6 99999999999 1 ", 17); /* more than 10 digits */
}

static void test_unknown(void **state)
{
    (void)state;
    NONE("hello world, this is text", 25);
    NONE("", 0);
    long long w, h;
    assert_int_equal(vg_image_declared_size(NULL, 10, &w, &h), 0);
    assert_int_equal(vg_image_declared_size((const uint8_t *)"GIF89a\1\0\1\0", 10, NULL, &h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png),  cmocka_unit_test(test_jpeg),    cmocka_unit_test(test_bmp),
        cmocka_unit_test(test_gif),  cmocka_unit_test(test_webp),    cmocka_unit_test(test_tiff),
        cmocka_unit_test(test_qoi_pnm), cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
