/* exif_fixtures.h — helpers for the EXIF orientation tests: the picture a
 * camera stores for each orientation, derived from the EXIF specification's
 * wording (where the stored picture's first row and first column belong in
 * the scene), and JPEGs carrying an EXIF APP1 segment written byte by byte
 * (an "Exif\0\0" header, a TIFF header, one IFD entry 0x0112 SHORT). */
#ifndef VG_EXIF_FIXTURES_H
#define VG_EXIF_FIXTURES_H

#include "vg_test.h"
#include "vigil/image.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* EXIF 2.3, tag 0x0112: for orientation o (index 1..8), the scene side that
 * the stored picture's row 0 shows, and the side its column 0 shows. */
enum { FX_TOP, FX_BOTTOM, FX_LEFT, FX_RIGHT };
static const int fx_row0[9] = {0, FX_TOP, FX_TOP, FX_BOTTOM, FX_BOTTOM,
                               FX_LEFT, FX_RIGHT, FX_RIGHT, FX_LEFT};
static const int fx_col0[9] = {0, FX_LEFT, FX_RIGHT, FX_RIGHT, FX_LEFT,
                               FX_TOP, FX_TOP, FX_BOTTOM, FX_BOTTOM};

/* The picture a camera stores, under orientation o, for the upright scene
 * `up`: stored pixel (sx, sy) is the scene pixel that row sy, counted from
 * the row-0 side, and column sx, counted from the column-0 side, meet at. */
static inline vg_image *fx_stored_for(const vg_image *up, int o)
{
    const int W = up->width, H = up->height;
    const bool rows_are_columns = fx_row0[o] == FX_LEFT || fx_row0[o] == FX_RIGHT;
    vg_image *s = NULL;
    vg_err err;
    assert_int_equal(vg_image_new(rows_are_columns ? H : W, rows_are_columns ? W : H, &s, &err),
                     VG_OK);
    for (int sy = 0; sy < s->height; sy++)
        for (int sx = 0; sx < s->width; sx++) {
            int x, y;
            if (!rows_are_columns) {
                y = fx_row0[o] == FX_TOP ? sy : H - 1 - sy;
                x = fx_col0[o] == FX_LEFT ? sx : W - 1 - sx;
            } else {
                x = fx_row0[o] == FX_LEFT ? sy : W - 1 - sy;
                y = fx_col0[o] == FX_TOP ? sx : H - 1 - sx;
            }
            memcpy(s->data + (size_t)sy * s->stride + 3 * (size_t)sx,
                   up->data + (size_t)y * up->stride + 3 * (size_t)x, 3);
        }
    return s;
}

/* An APP1 segment (marker included) whose payload is "Exif\0\0" + tiff. */
static inline size_t fx_app1(const uint8_t *tiff, size_t tiff_len, uint8_t *seg)
{
    size_t len = 2 + 6 + tiff_len;
    seg[0] = 0xff;
    seg[1] = 0xe1;
    seg[2] = (uint8_t)(len >> 8);
    seg[3] = (uint8_t)len;
    memcpy(seg + 4, "Exif\0\0", 6);
    memcpy(seg + 10, tiff, tiff_len);
    return 4 + 6 + tiff_len;
}

/* A TIFF block with IFD0 holding one entry, Orientation (0x0112), type
 * SHORT, count 1, value `value`; big-endian ("MM") or little ("II"). Writes
 * 26 bytes into tiff. */
static inline size_t fx_tiff_orientation(unsigned value, bool big_endian, uint8_t *tiff)
{
    const uint16_t v16[] = {0x002a, 1, 0x0112, 3};
    uint8_t *p = tiff;
    memcpy(p, big_endian ? "MM" : "II", 2);
    p += 2;
#define FX_PUT16(v)                                                                          \
    do {                                                                                     \
        unsigned v_ = (v);                                                                   \
        *p++ = (uint8_t)(big_endian ? v_ >> 8 : v_);                                         \
        *p++ = (uint8_t)(big_endian ? v_ : v_ >> 8);                                         \
    } while (0)
#define FX_PUT32(v)                                                                          \
    do {                                                                                     \
        unsigned long v32_ = (v);                                                            \
        for (int i_ = 0; i_ < 4; i_++)                                                       \
            *p++ = (uint8_t)(v32_ >> (big_endian ? 8 * (3 - i_) : 8 * i_));                  \
    } while (0)
    FX_PUT16(v16[0]); /* 42 */
    FX_PUT32(8);      /* IFD0 right after the header */
    FX_PUT16(v16[1]); /* one entry */
    FX_PUT16(v16[2]); /* Orientation */
    FX_PUT16(v16[3]); /* SHORT */
    FX_PUT32(1);      /* count */
    FX_PUT16(value);  /* the value, left-justified in the 4-byte field */
    FX_PUT16(0);
    FX_PUT32(0); /* no next IFD */
#undef FX_PUT16
#undef FX_PUT32
    return (size_t)(p - tiff);
}

/* A new buffer (malloc'd): the JPEG with `seg` inserted right after SOI. */
static inline uint8_t *fx_jpeg_insert(const uint8_t *jpeg, size_t len, const uint8_t *seg,
                                      size_t seg_len, size_t *out_len)
{
    assert_true(len > 2 && jpeg[0] == 0xff && jpeg[1] == 0xd8);
    uint8_t *out = malloc(len + seg_len);
    assert_non_null(out);
    memcpy(out, jpeg, 2);
    memcpy(out + 2, seg, seg_len);
    memcpy(out + 2 + seg_len, jpeg + 2, len - 2);
    *out_len = len + seg_len;
    return out;
}

/* img encoded by TurboJPEG at `quality`, tagged with EXIF orientation
 * `value` (malloc'd). */
static inline uint8_t *fx_jpeg_tagged(const vg_image *img, int quality, unsigned value,
                                      bool big_endian, size_t *out_len)
{
    uint8_t *jpeg = NULL, tiff[32], seg[64];
    size_t len = 0;
    vg_err err;
    assert_int_equal(vg_image_encode_jpeg(img, quality, &jpeg, &len, &err), VG_OK);
    size_t seg_len = fx_app1(tiff, fx_tiff_orientation(value, big_endian, tiff), seg);
    uint8_t *out = fx_jpeg_insert(jpeg, len, seg, seg_len, out_len);
    free(jpeg);
    return out;
}

#endif
