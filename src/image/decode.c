/* decode.c — decodes the first picture of any image or video FFmpeg reads,
 * from memory or from a file, refusing oversize input before decoding it.
 *
 * The bytes reach libavformat through a custom AVIOContext over the caller's
 * buffer, so no file name or extension is ever consulted (content decides)
 * and no protocol can be opened from inside a container (the protocol
 * whitelist names none). The pixel limit is enforced, before the picture's
 * buffer is allocated, at the first of these that knows the size:
 *   1. the size the header declares (declared_size.c), before FFmpeg runs;
 *   2. the stream size the container reports (videos), before decoding;
 *   3. the decoder's frame allocator (limited_get_buffer).
 * Behind them, the decoder's own max_pixels option, set to a backstop about
 * twice the limit, stops a picture far over it even earlier; FFmpeg then
 * reports no size, so that error cannot say how big the picture was.
 * A still that carries an EXIF orientation comes out upright (orient.c):
 * JPEG (FFmpeg's decoder reports the tag as a display matrix) and WebP (the
 * tag is in the frame's metadata). FFmpeg 5.1 does not read the tag in PNG
 * or TIFF, and a video's rotation is not applied to its first picture. An
 * orientation outside 1..8, or an EXIF block FFmpeg cannot read, leaves the
 * picture as stored.
 * vg_image_decode_photo, for uploads, goes further: only JPEG and PNG, by
 * their signatures, through their own demuxers (jpeg_pipe, png_pipe: no
 * probing of what else FFmpeg could open) and decoders.
 * FFmpeg's log output is silenced once per process (it is global state).
 */
#include "vigil/image.h"
#include "image/declared_size.h"
#include "image/frame.h"
#include "image/orient.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>

#define MAX_FILE_BYTES (256LL * 1024 * 1024)
#define AVIO_BUFFER_SIZE (32 * 1024)

static const char MSG_NOT_IMAGE[] = "not an image or video FFmpeg can read";
static const char MSG_CORRUPT[] = "truncated or corrupt image data";
static const char MSG_NOT_PHOTO[] = "not a JPEG or PNG photo (only JPEG and PNG are accepted)";

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet_ffmpeg(void) { av_log_set_level(AV_LOG_QUIET); }

/* --- reading from memory -------------------------------------------------- */

typedef struct mem_source {
    const uint8_t *buf;
    size_t len, pos;
} mem_source;

static int mem_read(void *opaque, uint8_t *dst, int size)
{
    mem_source *m = opaque;
    if (m->pos >= m->len)
        return AVERROR_EOF;
    size_t n = m->len - m->pos;
    if (size < 0)
        return AVERROR(EINVAL);
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(dst, m->buf + m->pos, n);
    m->pos += n;
    return (int)n;
}

static int64_t mem_seek(void *opaque, int64_t offset, int whence)
{
    mem_source *m = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)m->len;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->len; break;
    default: return AVERROR(EINVAL);
    }
    if ((offset < 0 && offset < -base) || (offset > 0 && offset > (int64_t)m->len - base))
        return AVERROR(EINVAL);
    m->pos = (size_t)(base + offset);
    return (int64_t)m->pos;
}

/* --- one decode ----------------------------------------------------------- */

/* Everything a decode holds; decoder_close releases whatever was reached. */
typedef struct decoder {
    mem_source mem;
    int photo_only;           /* JPEG and PNG only, through their own demuxers (uploads) */
    long long limit, backstop;
    int refused_w, refused_h; /* a picture limited_get_buffer refused */
    AVIOContext *io;
    AVFormatContext *fmt;
    AVCodecContext *codec;
    AVPacket *pkt;
    AVFrame *frame;
} decoder;

static void decoder_close(decoder *d)
{
    av_frame_free(&d->frame);
    av_packet_free(&d->pkt);
    avcodec_free_context(&d->codec);
    avformat_close_input(&d->fmt); /* leaves the custom AVIOContext alone */
    if (d->io)
        av_freep(&d->io->buffer);
    avio_context_free(&d->io);
}

static vg_status over_limit(vg_err *err, long long w, long long h, long long limit)
{
    return vg_err_set(err, VG_ERR_LIMIT, "image is %lldx%lld (%lld pixels), over the limit of %lld",
                      w, h, w * h, limit);
}

static vg_status nomem(vg_err *err)
{
    return vg_err_set(err, VG_ERR_NOMEM, "out of memory decoding an image");
}

/* Maps a failure of decoding proper to a status and message. */
static vg_status decode_failed(decoder *d, int averr, vg_err *err)
{
    if (d->refused_w > 0)
        return over_limit(err, d->refused_w, d->refused_h, d->limit);
    if (averr == AVERROR(ENOMEM))
        return nomem(err);
    const char *codec = d->codec ? avcodec_get_name(d->codec->codec_id) : "?";
    if (averr == AVERROR(EINVAL)) /* what FFmpeg's size checks return */
        return vg_err_set(err, VG_ERR_INVALID,
                          "%s (%s), or a picture size over the limit of %lld pixels",
                          MSG_CORRUPT, codec, d->limit);
    return vg_err_set(err, VG_ERR_INVALID, "%s (%s)", MSG_CORRUPT, codec);
}

/* Codec options for every decoder vigil opens here: one thread, and the
 * max_pixels backstop. The JPEG decoder also fails on damage instead of
 * concealing it (it would otherwise return a truncated photo with the rest
 * painted grey); PNG, WebP, BMP, GIF and TIFF already fail on truncation, and
 * "explode" would make TIFF fail on mere unknown tags. */
static int codec_options(const decoder *d, enum AVCodecID id, AVDictionary **opts)
{
    int r = av_dict_set(opts, "threads", "1", 0);
    if (r >= 0)
        r = av_dict_set_int(opts, "max_pixels", d->backstop, 0);
    if (r >= 0 && id == AV_CODEC_ID_MJPEG)
        r = av_dict_set(opts, "err_detect", "explode", 0);
    return r;
}

static vg_status open_container(decoder *d, vg_err *err)
{
    uint8_t *iobuf = av_malloc(AVIO_BUFFER_SIZE);
    if (!iobuf)
        return nomem(err);
    d->io = avio_alloc_context(iobuf, AVIO_BUFFER_SIZE, 0, &d->mem, mem_read, NULL, mem_seek);
    if (!d->io) {
        av_free(iobuf);
        return nomem(err);
    }

    const AVInputFormat *ifmt = NULL;
    int r = 0;
    if (d->photo_only) {
        /* no probing: the signature picks one of two demuxers, or none */
        static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF}, png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        const char *name = d->mem.len >= sizeof png && !memcmp(d->mem.buf, png, sizeof png)      ? "png_pipe"
                           : d->mem.len >= sizeof jpeg && !memcmp(d->mem.buf, jpeg, sizeof jpeg) ? "jpeg_pipe"
                                                                                                : NULL;
        if (!name)
            return vg_err_set(err, VG_ERR_INVALID, "%s", MSG_NOT_PHOTO);
        if (!(ifmt = av_find_input_format(name)))
            return vg_err_set(err, VG_ERR_UNSUPPORTED, "this FFmpeg has no %s demuxer", name);
    } else {
        r = av_probe_input_buffer2(d->io, &ifmt, "", NULL, 0, 0);
        if (r == AVERROR(ENOMEM))
            return nomem(err);
        if (r < 0 || !ifmt)
            return vg_err_set(err, VG_ERR_INVALID, "%s", MSG_NOT_IMAGE);
    }

    d->fmt = avformat_alloc_context();
    if (!d->fmt)
        return nomem(err);
    d->fmt->pb = d->io;
    d->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    AVDictionary *opts = NULL;
    /* A list naming no protocol: nested opens (playlists, references) fail. */
    r = av_dict_set(&opts, "protocol_whitelist", "vigil-none", 0);
    if (r < 0) {
        av_dict_free(&opts);
        return nomem(err);
    }
    r = avformat_open_input(&d->fmt, "", ifmt, &opts); /* frees d->fmt on failure */
    av_dict_free(&opts);
    if (r == AVERROR(ENOMEM))
        return nomem(err);
    if (r < 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s (%s)", MSG_CORRUPT, ifmt->name);
    return VG_OK;
}

static int first_video_stream(const AVFormatContext *fmt)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
            return (int)i;
    return -1;
}

/* Runs avformat_find_stream_info with the codec backstop on every stream, for
 * containers whose header does not say what their video is. */
static vg_status find_stream_info(decoder *d, vg_err *err)
{
    unsigned n = d->fmt->nb_streams;
    AVDictionary **opts = NULL;
    if (n > 0) {
        opts = calloc(n, sizeof *opts);
        if (!opts)
            return nomem(err);
    }
    int r = 0;
    for (unsigned i = 0; i < n && r >= 0; i++)
        r = codec_options(d, d->fmt->streams[i]->codecpar->codec_id, &opts[i]);
    if (r >= 0)
        r = avformat_find_stream_info(d->fmt, opts);
    for (unsigned i = 0; i < n; i++)
        av_dict_free(&opts[i]);
    free(opts);
    if (r == AVERROR(ENOMEM))
        return nomem(err);
    /* Other failures are not fatal: decoding below says what is wrong. */
    return VG_OK;
}

/* The decoder's frame allocator: refuses a picture over the limit before its
 * buffer exists, remembering its size for the message. */
static int limited_get_buffer(AVCodecContext *c, AVFrame *frame, int flags)
{
    decoder *d = c->opaque;
    if ((long long)c->width * c->height > d->limit) {
        d->refused_w = c->width;
        d->refused_h = c->height;
        return AVERROR(ERANGE);
    }
    return avcodec_default_get_buffer2(c, frame, flags);
}

static vg_status open_decoder(decoder *d, const AVStream *st, vg_err *err)
{
    const AVCodec *c = avcodec_find_decoder(st->codecpar->codec_id);
    if (!c)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "no decoder for %s pictures",
                          avcodec_get_name(st->codecpar->codec_id));
    d->codec = avcodec_alloc_context3(c);
    if (!d->codec)
        return nomem(err);
    int r = avcodec_parameters_to_context(d->codec, st->codecpar);
    d->codec->opaque = d;
    d->codec->get_buffer2 = limited_get_buffer;
    d->codec->thread_type = 0; /* one thread; and no frame threading to warn about */
    AVDictionary *opts = NULL;
    if (r >= 0)
        r = codec_options(d, st->codecpar->codec_id, &opts);
    if (r >= 0)
        r = avcodec_open2(d->codec, c, &opts);
    av_dict_free(&opts);
    if (r < 0)
        return decode_failed(d, r, err);
    d->pkt = av_packet_alloc();
    d->frame = av_frame_alloc();
    if (!d->pkt || !d->frame)
        return nomem(err);
    return VG_OK;
}

/* Feeds packets of stream `index` to the decoder until it gives a frame;
 * at the end of the input, flushes it (single-picture codecs). */
static vg_status first_frame(decoder *d, int index, vg_err *err)
{
    for (;;) {
        int r = av_read_frame(d->fmt, d->pkt);
        if (r == AVERROR(ENOMEM))
            return nomem(err);
        if (r < 0) /* end of input, or the rest is unreadable: drain */
            break;
        if (d->pkt->stream_index != index) {
            av_packet_unref(d->pkt);
            continue;
        }
        r = avcodec_send_packet(d->codec, d->pkt);
        av_packet_unref(d->pkt);
        if (r < 0 && r != AVERROR(EAGAIN))
            return decode_failed(d, r, err);
        r = avcodec_receive_frame(d->codec, d->frame);
        if (r == 0)
            return VG_OK;
        if (r != AVERROR(EAGAIN))
            return decode_failed(d, r, err);
    }
    int r = avcodec_send_packet(d->codec, NULL);
    if (r < 0 && r != AVERROR_EOF)
        return decode_failed(d, r, err);
    r = avcodec_receive_frame(d->codec, d->frame);
    if (r == 0)
        return VG_OK;
    if ((r == AVERROR_EOF || r == AVERROR(EAGAIN)) && d->refused_w == 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s (%s: no picture decoded)", MSG_CORRUPT,
                          avcodec_get_name(d->codec->codec_id));
    return decode_failed(d, r, err);
}

/* The EXIF orientation (2..8) the decoded picture asks for, or 0 to leave it
 * as stored: the display matrix the JPEG decoder exports, else the
 * "Orientation" tag the WebP decoder leaves in the frame's metadata (as a
 * number, perhaps space-padded). */
static int frame_orientation(const AVFrame *frame)
{
    const AVFrameSideData *sd = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
    int o = 0;
    if (sd) {
        if (sd->size >= 9 * sizeof(int32_t))
            o = vg_image_orientation_from_matrix((const int32_t *)sd->data);
    } else {
        const AVDictionaryEntry *e = av_dict_get(frame->metadata, "Orientation", NULL, 0);
        if (e && e->value) {
            char *end;
            errno = 0;
            long v = strtol(e->value, &end, 10);
            while (*end == ' ')
                end++;
            if (errno == 0 && end != e->value && *end == '\0' && v >= 1 && v <= 8)
                o = (int)v;
        }
    }
    return o > VG_ORIENT_UPRIGHT ? o : 0;
}

/* Converts the decoded frame to RGB and turns it upright. */
static vg_status frame_to_image(const AVFrame *frame, vg_image **out, vg_err *err)
{
    vg_image *stored;
    vg_status s = vg_image_from_frame(frame, &stored, err);
    if (s != VG_OK)
        return s;
    int o = frame_orientation(frame);
    if (!o) {
        *out = stored;
        return VG_OK;
    }
    s = vg_image_orient(stored, o, out, err);
    vg_image_free(stored);
    return s;
}

static vg_status decode(decoder *d, vg_image **out, vg_err *err)
{
    long long w, h;
    if (vg_image_declared_size(d->mem.buf, d->mem.len, &w, &h) && w * h > d->limit)
        return over_limit(err, w, h, d->limit);

    vg_status s = open_container(d, err);
    if (s != VG_OK)
        return s;
    int index = first_video_stream(d->fmt);
    if (index < 0 || d->fmt->streams[index]->codecpar->codec_id == AV_CODEC_ID_NONE) {
        s = find_stream_info(d, err);
        if (s != VG_OK)
            return s;
        index = first_video_stream(d->fmt);
    }
    if (index < 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s (no picture in the %s data)", MSG_NOT_IMAGE,
                          d->fmt->iformat->name);
    const AVStream *st = d->fmt->streams[index];
    if (d->photo_only && st->codecpar->codec_id != AV_CODEC_ID_MJPEG && st->codecpar->codec_id != AV_CODEC_ID_PNG)
        return vg_err_set(err, VG_ERR_INVALID, "%s", MSG_NOT_PHOTO);
    w = st->codecpar->width;
    h = st->codecpar->height;
    if (w > 0 && h > 0 && w * h > d->limit)
        return over_limit(err, w, h, d->limit);

    s = open_decoder(d, st, err);
    if (s == VG_OK)
        s = first_frame(d, index, err);
    if (s != VG_OK)
        return s;
    w = d->frame->width;
    h = d->frame->height;
    if (w * h > d->limit)
        return over_limit(err, w, h, d->limit);
    return frame_to_image(d->frame, out, err);
}

static vg_status decode_mem(const uint8_t *buf, size_t len, long long max_pixels, int photo_only, vg_image **out,
                            vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_decode_mem: out is NULL");
    *out = NULL;
    if (len == 0)
        return vg_err_set(err, VG_ERR_INVALID, "empty input (0 bytes)");
    if (!buf)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_decode_mem: buf is NULL");
    pthread_once(&quiet_once, quiet_ffmpeg);

    decoder d = {.mem = {.buf = buf, .len = len}, .photo_only = photo_only};
    d.limit = max_pixels > 0 ? max_pixels : VG_IMAGE_MAX_PIXELS_DEFAULT;
    /* FFmpeg checks max_pixels against the row length rounded up for SIMD, so
     * the backstop leaves room for that; the exact limit is vigil's check. */
    d.backstop = d.limit > INT64_MAX / 4 ? INT64_MAX / 2 : 2 * d.limit + (4LL << 20);
    vg_status s = decode(&d, out, err);
    decoder_close(&d);
    return s;
}

vg_status vg_image_decode_mem(const uint8_t *buf, size_t len, long long max_pixels, vg_image **out, vg_err *err)
{
    return decode_mem(buf, len, max_pixels, 0, out, err);
}

vg_status vg_image_decode_photo(const uint8_t *buf, size_t len, long long max_pixels, vg_image **out, vg_err *err)
{
    return decode_mem(buf, len, max_pixels, 1, out, err);
}

/* --- reading a file ------------------------------------------------------- */

static vg_status io_error(vg_err *err, const char *what, const char *path, int errnum)
{
    char msg[128];
    if (strerror_r(errnum, msg, sizeof msg) != 0)
        snprintf(msg, sizeof msg, "error %d", errnum);
    return vg_err_set(err, VG_ERR_IO, "cannot %s %s: %s", what, path, msg);
}

static vg_status too_big(vg_err *err, const char *path)
{
    return vg_err_set(err, VG_ERR_LIMIT, "%s is over the limit of %lld MiB for an image file",
                      path, MAX_FILE_BYTES >> 20);
}

/* Reads the whole file into a malloc'd buffer, refusing files over
 * MAX_FILE_BYTES (also when they are pipes or devices with no size). */
static vg_status read_file(const char *path, uint8_t **out, size_t *out_len, vg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, "open", path, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return io_error(err, "read", path, e);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return vg_err_set(err, VG_ERR_IO, "cannot read %s: it is a directory", path);
    }
    if (S_ISREG(st.st_mode) && st.st_size > MAX_FILE_BYTES) {
        close(fd);
        return too_big(err, path);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 64 * 1024;
    size_t len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (len == cap) {
            if (cap > (size_t)MAX_FILE_BYTES) {
                free(buf);
                close(fd);
                return too_big(err, path);
            }
            size_t ncap = cap * 2;
            if (ncap > (size_t)MAX_FILE_BYTES + 1)
                ncap = (size_t)MAX_FILE_BYTES + 1;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                free(buf);
                close(fd);
                return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %s", path);
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return io_error(err, "read", path, e);
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len > (size_t)MAX_FILE_BYTES) {
        free(buf);
        return too_big(err, path);
    }
    *out = buf;
    *out_len = len;
    return VG_OK;
}

vg_status vg_image_decode_file(const char *path, long long max_pixels, vg_image **out,
                               vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_decode_file: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_decode_file: no path given");
    uint8_t *buf;
    size_t len;
    vg_status s = read_file(path, &buf, &len, err);
    if (s != VG_OK)
        return s;
    s = vg_image_decode_mem(buf, len, max_pixels, out, err);
    free(buf);
    return s;
}
