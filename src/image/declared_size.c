/* declared_size.c — reads the width and height a still-image header declares.
 *
 * FFmpeg's image demuxers leave the stream size unset until a decoder has run,
 * and its decoders refuse an oversize picture without saying how big it was.
 * Reading the few header bytes of the common formats here lets decode.c refuse
 * an image over the pixel limit before FFmpeg sees it, with a message giving
 * its size. Anything not recognised is left to FFmpeg (and to the decoder's
 * own max_pixels backstop).
 */
#include "image/declared_size.h"

#include <string.h>

static unsigned rd_be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned rd_le16(const uint8_t *p) { return (unsigned)p[1] << 8 | p[0]; }
static uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int found(long long w, long long h, long long *ow, long long *oh)
{
    if (w <= 0 || h <= 0 || w > INT32_MAX || h > INT32_MAX) /* no format allows more */
        return 0;
    *ow = w;
    *oh = h;
    return 1;
}

/* PNG: signature, then the IHDR chunk with big-endian width and height. */
static int png_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 24 || memcmp(b, sig, 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return 0;
    return found(rd_be32(b + 16), rd_be32(b + 20), w, h);
}

/* JPEG: walk the marker segments up to the first start-of-frame. */
static int jpeg_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 4 || b[0] != 0xff || b[1] != 0xd8)
        return 0;
    size_t p = 2;
    while (p + 4 <= len) {
        if (b[p] != 0xff)
            return 0;
        unsigned m = b[p + 1];
        if (m == 0xff) { /* fill byte */
            p++;
            continue;
        }
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd8)) { /* markers without a length */
            p += 2;
            continue;
        }
        if (m == 0xd9 || m == 0xda) /* end of image, or scan data before any frame */
            return 0;
        unsigned seglen = rd_be16(b + p + 2);
        int sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof) {
            if (p + 9 > len)
                return 0;
            /* FF Cn, length, precision, height, width */
            return found(rd_be16(b + p + 7), rd_be16(b + p + 5), w, h);
        }
        if (seglen < 2)
            return 0;
        p += 2 + (size_t)seglen;
    }
    return 0;
}

/* BMP: file header, then a core (12-byte) or info (>= 16-byte) header. The
 * height is negative for top-down bitmaps. */
static int bmp_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 26 || b[0] != 'B' || b[1] != 'M')
        return 0;
    uint32_t hdr = rd_le32(b + 14);
    if (hdr == 12)
        return found(rd_le16(b + 18), rd_le16(b + 20), w, h);
    if (hdr < 16)
        return 0;
    long long ww = (int32_t)rd_le32(b + 18), hh = (int32_t)rd_le32(b + 22);
    return found(ww, hh < 0 ? -hh : hh, w, h);
}

/* GIF: the logical screen size, which FFmpeg uses as the frame size. */
static int gif_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 10 || (memcmp(b, "GIF87a", 6) != 0 && memcmp(b, "GIF89a", 6) != 0))
        return 0;
    return found(rd_le16(b + 6), rd_le16(b + 8), w, h);
}

/* WebP: RIFF chunks; the picture's size is in the first VP8 or VP8L chunk
 * (a VP8X chunk's canvas size is not what FFmpeg decodes). */
static int webp_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 20 || memcmp(b, "RIFF", 4) != 0 || memcmp(b + 8, "WEBP", 4) != 0)
        return 0;
    size_t p = 12;
    while (p + 8 <= len) {
        const uint8_t *c = b + p;
        size_t size = rd_le32(c + 4);
        if (memcmp(c, "VP8 ", 4) == 0) {
            /* 3-byte frame tag, start code 9d 01 2a, 14-bit width and height */
            if (p + 18 > len || c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
                return 0;
            return found(rd_le16(c + 14) & 0x3fff, rd_le16(c + 16) & 0x3fff, w, h);
        }
        if (memcmp(c, "VP8L", 4) == 0) {
            /* signature 0x2f, then (width - 1) and (height - 1) in 14 bits each */
            if (p + 13 > len || c[8] != 0x2f)
                return 0;
            uint32_t v = rd_le32(c + 9);
            return found((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1, w, h);
        }
        if (size > len - p - 8)
            return 0;
        p += 8 + size + (size & 1);
    }
    return 0;
}

/* TIFF: ImageWidth (256) and ImageLength (257) in the first IFD. */
static int tiff_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    int le;
    if (len >= 8 && memcmp(b, "II*\0", 4) == 0)
        le = 1;
    else if (len >= 8 && memcmp(b, "MM\0*", 4) == 0)
        le = 0;
    else
        return 0;
    uint32_t ifd = le ? rd_le32(b + 4) : rd_be32(b + 4);
    if (ifd > len || len - ifd < 2)
        return 0;
    unsigned n = le ? rd_le16(b + ifd) : rd_be16(b + ifd);
    long long ww = 0, hh = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t e = (size_t)ifd + 2 + (size_t)i * 12;
        if (e + 12 > len)
            break;
        unsigned tag = le ? rd_le16(b + e) : rd_be16(b + e);
        unsigned type = le ? rd_le16(b + e + 2) : rd_be16(b + e + 2);
        long long v;
        if (type == 3) /* SHORT, left-justified in the value field */
            v = le ? rd_le16(b + e + 8) : rd_be16(b + e + 8);
        else if (type == 4) /* LONG */
            v = le ? rd_le32(b + e + 8) : rd_be32(b + e + 8);
        else
            continue;
        if (tag == 256)
            ww = v;
        else if (tag == 257)
            hh = v;
    }
    return found(ww, hh, w, h);
}

/* QOI: "qoif", big-endian width and height. */
static int qoi_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 12 || memcmp(b, "qoif", 4) != 0)
        return 0;
    return found(rd_be32(b + 4), rd_be32(b + 8), w, h);
}

/* Netpbm P1..P6: "P<n>", then decimal width and height separated by
 * whitespace, with '#' comments running to the end of a line. */
static int pnm_number(const uint8_t *b, size_t len, size_t *p, long long *v)
{
    for (;;) {
        while (*p < len && (b[*p] == ' ' || b[*p] == '\t' || b[*p] == '\r' || b[*p] == '\n'))
            (*p)++;
        if (*p < len && b[*p] == '#') {
            while (*p < len && b[*p] != '\n')
                (*p)++;
            continue;
        }
        break;
    }
    size_t start = *p;
    *v = 0;
    while (*p < len && b[*p] >= '0' && b[*p] <= '9' && *p - start < 10)
        *v = *v * 10 + (b[(*p)++] - '0');
    return *p > start;
}

static int pnm_size(const uint8_t *b, size_t len, long long *w, long long *h)
{
    if (len < 3 || b[0] != 'P' || b[1] < '1' || b[1] > '6')
        return 0;
    size_t p = 2;
    long long ww, hh;
    if (!pnm_number(b, len, &p, &ww) || !pnm_number(b, len, &p, &hh))
        return 0;
    return found(ww, hh, w, h);
}

int vg_image_declared_size(const uint8_t *buf, size_t len, long long *w, long long *h)
{
    typedef int (*reader)(const uint8_t *, size_t, long long *, long long *);
    static const reader readers[] = {png_size, jpeg_size, bmp_size, gif_size,
                                     webp_size, tiff_size, qoi_size, pnm_size};
    if (!buf || !w || !h)
        return 0;
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (readers[i](buf, len, w, h))
            return 1;
    return 0;
}
