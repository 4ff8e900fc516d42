/* frame.c — converts a decoded AVFrame of any pixel format to an RGB24
 * vg_image with libswscale, honouring the frame's colour range and matrix;
 * a vg_frame_scaler keeps the swscale context from one frame of a stream to
 * the next. */
#include "image/frame.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <string.h>

/* Full-resolution chroma, without SWS_ACCURATE_RND: that flag takes swscale
 * off its SIMD path, and converting a 1080p frame then took 21 ms instead of
 * under 1 ms. The fast path rounds to within a grey level or two, which no
 * model here can tell apart. */
#define FRAME_SWS_FLAGS (SWS_BILINEAR | SWS_FULL_CHR_H_INT)

/* The deprecated full-range "yuvj" formats, as the plain format plus a flag. */
static enum AVPixelFormat plain_format(enum AVPixelFormat f, int *full_range)
{
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: *full_range = 1; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = 1; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = 1; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = 1; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = 1; return AV_PIX_FMT_YUV411P;
    default: return f;
    }
}

static int sws_matrix(enum AVColorSpace cs)
{
    switch (cs) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    default: return SWS_CS_ITU601;
    }
}

void vg_frame_scaler_fini(vg_frame_scaler *sc)
{
    if (!sc)
        return;
    sws_freeContext(sc->sws);
    memset(sc, 0, sizeof *sc);
}

/* The context for this frame: the kept one when nothing it depends on changed. */
static vg_status scaler_for(vg_frame_scaler *sc, const AVFrame *frame, enum AVPixelFormat fmt, int full_range,
                            const AVPixFmtDescriptor *desc, vg_err *err)
{
    if (sc->sws && sc->width == frame->width && sc->height == frame->height && sc->format == (int)fmt &&
        sc->full_range == full_range && sc->colorspace == (int)frame->colorspace)
        return VG_OK;
    vg_frame_scaler_fini(sc);
    struct SwsContext *sws = sws_getContext(frame->width, frame->height, fmt, frame->width, frame->height,
                                            AV_PIX_FMT_RGB24, FRAME_SWS_FLAGS, NULL, NULL, NULL);
    if (!sws)
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "cannot convert %dx%d %s to RGB", frame->width, frame->height,
                          desc->name);
    int is_yuv = !(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3;
    if (is_yuv) {
        const int *coef = sws_getCoefficients(sws_matrix(frame->colorspace));
        sws_setColorspaceDetails(sws, coef, full_range, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16,
                                 1 << 16);
    }
    sc->sws = sws;
    sc->width = frame->width;
    sc->height = frame->height;
    sc->format = (int)fmt;
    sc->full_range = full_range;
    sc->colorspace = (int)frame->colorspace;
    return VG_OK;
}

vg_status vg_frame_scaler_convert(vg_frame_scaler *sc, const AVFrame *frame, vg_image *dst, vg_err *err)
{
    if (!sc || !dst)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_scaler_convert: scaler or image is NULL");
    if (!frame || frame->width <= 0 || frame->height <= 0)
        return vg_err_set(err, VG_ERR_INVALID, "decoded frame is empty");
    if (dst->width != frame->width || dst->height != frame->height || !dst->data || dst->stride < 3 * dst->width)
        return vg_err_set(err, VG_ERR_INVALID, "a %dx%d picture cannot be converted into a %dx%d image", frame->width,
                          frame->height, dst->width, dst->height);

    int full_range = frame->color_range == AVCOL_RANGE_JPEG;
    enum AVPixelFormat fmt = plain_format((enum AVPixelFormat)frame->format, &full_range);
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(fmt);
    if (!desc || !sws_isSupportedInput(fmt))
        return vg_err_set(err, VG_ERR_UNSUPPORTED, "pixel format %s cannot be converted to RGB",
                          desc ? desc->name : "(none)");
    vg_status s = scaler_for(sc, frame, fmt, full_range, desc, err);
    if (s != VG_OK)
        return s;
    uint8_t *dst_planes[4] = {dst->data, NULL, NULL, NULL};
    int dst_stride[4] = {dst->stride, 0, 0, 0};
    int rows = sws_scale(sc->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
                         dst_planes, dst_stride);
    if (rows != dst->height)
        return vg_err_set(err, VG_ERR_INVALID, "cannot convert the decoded %s picture to RGB", desc->name);
    return VG_OK;
}

vg_status vg_image_from_frame(const AVFrame *frame, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_image_from_frame: out is NULL");
    *out = NULL;
    if (!frame || frame->width <= 0 || frame->height <= 0)
        return vg_err_set(err, VG_ERR_INVALID, "decoded frame is empty");
    vg_image *img;
    vg_status s = vg_image_new(frame->width, frame->height, &img, err);
    if (s != VG_OK)
        return s;
    vg_frame_scaler sc = {0};
    s = vg_frame_scaler_convert(&sc, frame, img, err);
    vg_frame_scaler_fini(&sc);
    if (s != VG_OK) {
        vg_image_free(img);
        return s;
    }
    *out = img;
    return VG_OK;
}
